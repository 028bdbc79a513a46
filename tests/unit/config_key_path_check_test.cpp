#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "config/ini_document.hpp"
#include "config/key_catalog.hpp"
#include "config/key_path_check.hpp"

using namespace mulenet::config;

TEST(ConfigKeyPathCheck, WellFormedPaths)
{
  for (const char* path : {"/eMule/Port", "/Proxy/ProxyPassword", "/mulenet/KadRecheckWindow", "/A/B/C", "/eMule/Über"})
    EXPECT_FALSE(key_path_problem(path)) << path << ": " << key_path_problem(path).value_or("");
}

TEST(ConfigKeyPathCheck, PathsAmuleConfCannotHold)
{
  for (const char* path : {"", "Port", "/Port", "/eMule/", "//Port", "/eMule//Port", "/eMule/Po=rt", "/eMule/Po[rt",
                           "/e]Mule/Port", "/eMule/ Port", "/eMule/Port ", "/eMule/Po\nrt", "/eMule/Po\x7frt",
                           "/eMule/P\xffrt"})
    EXPECT_TRUE(key_path_problem(path)) << "accepted: " << path;
  EXPECT_NE(key_path_problem("/eMule/Po=rt")->find("'='"), std::string::npos);
}

TEST(ConfigKeyPathCheck, TyposSuggestTheKnownKey)
{
  EXPECT_EQ(nearest_known_key("/eMule/Prot"), "/eMule/Port");
  EXPECT_EQ(nearest_known_key("/eMule/Pot"), "/eMule/Port");
  EXPECT_EQ(nearest_known_key("/emule/udpprot"), "/eMule/UDPPort");
  EXPECT_EQ(nearest_known_key("/Proxy/ProxyPasword"), "/Proxy/ProxyPassword");
  // The right name in the wrong group, when the name is unique.
  EXPECT_EQ(nearest_known_key("/Proxy/UPnPEnabled"), "/eMule/UPnPEnabled");
}

TEST(ConfigKeyPathCheck, NoSuggestionForStrangers)
{
  EXPECT_FALSE(nearest_known_key("/Foo/Bar"));
  EXPECT_FALSE(nearest_known_key("/eMule/MaxUpload"));
  EXPECT_FALSE(nearest_known_key(std::string(1000, 'x')));
}

// find_key_spec compares the catalog's paths as text: each must be canonical
// (what parse_key_path(...).str() gives), and found in any letter case.
TEST(ConfigKeyCatalog, PathsAreCanonicalAndFoundInAnyCase)
{
  for (const mulenet::config::KeySpec& spec : mulenet::config::known_keys()) {
    const auto kp = mulenet::config::parse_key_path(spec.path);
    ASSERT_TRUE(kp.has_value()) << spec.path;
    EXPECT_EQ(kp->str(), spec.path);
    std::string shouted(spec.path);
    for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(mulenet::config::find_key_spec("//" + shouted + "/"), nullptr) << "a trailing slash names no key";
    EXPECT_EQ(mulenet::config::find_key_spec("/" + shouted), &spec) << shouted;
  }
  EXPECT_EQ(mulenet::config::find_key_spec("/eMule//Port"), mulenet::config::find_key_spec("/eMule/Port"));
  EXPECT_EQ(mulenet::config::find_key_spec("/eMule/Prot"), nullptr);
}
