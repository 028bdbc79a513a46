#include <gtest/gtest.h>

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
