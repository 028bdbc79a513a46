#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/ini_document.hpp"

using mulenet::config::IniDocument;
using mulenet::config::parse_key_path;

namespace {

std::string round_trip(const std::string& bytes) { return IniDocument::parse(bytes).serialize(); }

std::string read_fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(ConfigIniDocument, RoundTripsOddFilesByteForByte)
{
  const std::vector<std::string> files = {
      "",
      "\n",
      "[eMule]\nPort=4662",                               // no trailing newline
      "[eMule]\r\nPort=4662\r\nUDPPort=4672\r\n",          // CRLF
      "[eMule]\rPort=4662\r",                              // old Mac
      "[eMule]\nPort=4662\r\nUDPPort=1\n",                // mixed endings
      "[eMule]\nPort=1\nPort=2\n",                         // duplicate keys
      "[eMule]\nNick=\nEmpty =  \n",                       // empty values, odd spacing
      "[eMule]\nNick=Jürgen 日本 \xff\xfe\n",              // non-ASCII and invalid UTF-8
      "; comment\n# other\n  [ eMule ]  ; trailing\nkey = \"  quoted \\\" \\n\"\n",
      "no section=1\n[A/B]\nx=y\n[broken\n=nokey\njunk line\n",
      "[eMule]\n\tPort\t=\t4662\t\n\n\n",
  };
  for (const std::string& f : files) EXPECT_EQ(round_trip(f), f) << f;
}

TEST(ConfigIniDocument, RoundTripsTheFileAmuledWrites)
{
  const std::string real = read_fixture("amuled-2.3.3-default.conf");
  ASSERT_GT(real.size(), 1000u);
  EXPECT_EQ(round_trip(real), real);
  const IniDocument doc = IniDocument::parse(real);
  EXPECT_EQ(doc.get("eMule", "Port"), "4662");
  EXPECT_EQ(doc.get("Proxy", "ProxyPort"), "1080");
  EXPECT_EQ(doc.get("UserEvents/DownloadCompleted", "CoreEnabled"), "0");
  EXPECT_TRUE(doc.warnings().empty());
}

TEST(ConfigIniDocument, ReadsValuesLikeWxFileConfig)
{
  const IniDocument doc = IniDocument::parse(
      "top=1\n[eMule]\nPort =  4811\nNick=\"  spaced\"\nPath=C:\\\\dir\\tx\nDup=1\nDup=2\n"
      "Trail=abc   \n[Other]\nPort=9\n[eMule]\nLate=yes\n");
  EXPECT_EQ(doc.get("", "top"), "1");
  EXPECT_EQ(doc.get("eMule", "Port"), "4811");
  EXPECT_EQ(doc.get("emule", "port"), "4811");  // names are case-insensitive
  EXPECT_EQ(doc.get("eMule", "Nick"), "  spaced");
  EXPECT_EQ(doc.get("eMule", "Path"), "C:\\dir\tx");
  EXPECT_EQ(doc.get("eMule", "Dup"), "2");          // the last one counts
  EXPECT_EQ(doc.get("eMule", "Trail"), "abc   ");   // wx keeps trailing blanks
  EXPECT_EQ(doc.get("eMule", "Late"), "yes");       // a group may be reopened
  EXPECT_EQ(doc.get("Other", "Port"), "9");
  EXPECT_FALSE(doc.get("eMule", "Missing").has_value());
  ASSERT_EQ(doc.warnings().size(), 1u);
  EXPECT_NE(doc.warnings()[0].find("Dup"), std::string::npos);
}

TEST(ConfigIniDocument, SetChangesOnlyThatLine)
{
  IniDocument doc = IniDocument::parse("; keep me\r\n[eMule]\r\nPort = 4662\r\nUDPPort=4672\r\n[Proxy]\r\nX=1");
  EXPECT_TRUE(doc.set("eMule", "Port", "4811"));
  EXPECT_EQ(doc.serialize(), "; keep me\r\n[eMule]\r\nPort=4811\r\nUDPPort=4672\r\n[Proxy]\r\nX=1");
  EXPECT_FALSE(doc.set("eMule", "PORT", "4811"));  // same value: nothing changes
}

TEST(ConfigIniDocument, SetOnDuplicateKeyChangesTheLastOne)
{
  IniDocument doc = IniDocument::parse("[eMule]\nPort=1\nPort=2\n");
  doc.set("eMule", "Port", "3");
  EXPECT_EQ(doc.serialize(), "[eMule]\nPort=1\nPort=3\n");
  EXPECT_EQ(doc.get("eMule", "Port"), "3");
}

TEST(ConfigIniDocument, NewKeyGoesAfterTheLastKeyOfItsGroup)
{
  IniDocument doc = IniDocument::parse("[eMule]\nPort=1\n\n[Proxy]\nProxyType=0\n");
  doc.set("eMule", "UDPPort", "4672");
  EXPECT_EQ(doc.serialize(), "[eMule]\nPort=1\nUDPPort=4672\n\n[Proxy]\nProxyType=0\n");
  doc.set("mulenet", "ProxyStrict", "1");
  EXPECT_EQ(doc.serialize(), "[eMule]\nPort=1\nUDPPort=4672\n\n[Proxy]\nProxyType=0\n[mulenet]\nProxyStrict=1\n");
}

TEST(ConfigIniDocument, NewKeysKeepTheFilesLineEndings)
{
  IniDocument crlf = IniDocument::parse("[eMule]\r\nPort=1");
  crlf.set("eMule", "UDPPort", "2");
  crlf.set("Proxy", "ProxyName", "h");
  EXPECT_EQ(crlf.serialize(), "[eMule]\r\nPort=1\r\nUDPPort=2\r\n[Proxy]\r\nProxyName=h");

  IniDocument empty = IniDocument::parse("");
  empty.set("eMule", "Port", "4662");
  EXPECT_EQ(empty.serialize(), "[eMule]\nPort=4662\n");

  IniDocument header_only = IniDocument::parse("[eMule]\n");
  header_only.set("eMule", "Port", "1");
  EXPECT_EQ(header_only.serialize(), "[eMule]\nPort=1\n");
}

TEST(ConfigIniDocument, WritesEscapedValuesThatReadBack)
{
  const std::vector<std::string> values = {"", " lead", "\"q", "a\\b", "line\nbreak", "tab\there", "ü€", "trail "};
  for (const std::string& v : values) {
    IniDocument doc = IniDocument::parse("[S]\n");
    doc.set("S", "K", v);
    EXPECT_EQ(IniDocument::parse(doc.serialize()).get("S", "K"), v) << doc.serialize();
  }
}

TEST(ConfigIniDocument, KeyPaths)
{
  EXPECT_EQ(parse_key_path("/eMule/Port")->section, "eMule");
  EXPECT_EQ(parse_key_path("/eMule/Port")->key, "Port");
  EXPECT_EQ(parse_key_path("/UserEvents/DownloadCompleted/CoreEnabled")->section, "UserEvents/DownloadCompleted");
  EXPECT_EQ(parse_key_path("/eMule/Port")->str(), "/eMule/Port");
  EXPECT_FALSE(parse_key_path("/eMule/").has_value());
  EXPECT_FALSE(parse_key_path("Port").has_value());
  EXPECT_FALSE(parse_key_path("").has_value());
}

TEST(ConfigIniDocument, NewLinesAfterLoneCrEndingsKeepBlankLines)
{
  IniDocument doc = IniDocument::parse("[eMule]\rPort=4662\n\n[Proxy]\nX=1\n");
  doc.set("eMule", "UDPPort", "4672");
  const IniDocument back = IniDocument::parse(doc.serialize());
  EXPECT_EQ(back.serialize(), doc.serialize());
  EXPECT_EQ(doc.serialize(), "[eMule]\rPort=4662\nUDPPort=4672\n\n[Proxy]\nX=1\n");
}
