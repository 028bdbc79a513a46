#include <gtest/gtest.h>

#include <string>

#include "config/ini_text_check.hpp"

using namespace mulenet::config;

TEST(ConfigIniTextCheck, RealConfigsAreText)
{
  EXPECT_FALSE(check_ini_text(""));
  EXPECT_FALSE(check_ini_text("[eMule]\nPort=4662\nUDPPort=4672\n"));
  EXPECT_FALSE(check_ini_text("[eMule]\r\nPort=4662\r\n; a comment\r\n# another\r\n\r\n[Proxy]\r\nProxyType=0\r\n"));
  // A Latin-1 nick, as old aMule versions wrote: values need not be UTF-8.
  EXPECT_FALSE(check_ini_text("[eMule]\nNick=J\xe9r\xf4me\nPort=4662\n"));
  // A few odd lines among many good ones: wxFileConfig ignores them, so do we.
  EXPECT_FALSE(check_ini_text("[eMule]\nPort=4662\noops\nUDPPort=4672\nalso oops\nNick=x\nthird\nTCPPort=1\n"));
}

TEST(ConfigIniTextCheck, ANulByteIsNotText)
{
  const std::string bytes("[eMule]\nPort=4662\nNick=a\0b\n", 25);
  const auto bad = check_ini_text(bytes);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->line, 3u);
  EXPECT_NE(bad->why.find("NUL"), std::string::npos);
}

TEST(ConfigIniTextCheck, NamesMustBeUtf8)
{
  auto bad = check_ini_text("[eMule]\nPo\xffrt=4662\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->line, 2u);
  EXPECT_NE(bad->why.find("key name"), std::string::npos);
  bad = check_ini_text("[e\xc3Mule]\nPort=4662\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->line, 1u);
  EXPECT_NE(bad->why.find("group name"), std::string::npos);
}

TEST(ConfigIniTextCheck, MostlyUnparseableIsNotAConfig)
{
  const auto bad = check_ini_text("Dear diary,\ntoday I set up aMule.\nIt was fine.\nPort=4662\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->line, 1u);
  EXPECT_NE(bad->why.find("3 of its 4 lines"), std::string::npos);
  // Two odd lines alone are not enough to call a short file garbage.
  EXPECT_FALSE(check_ini_text("hello\nworld\n"));
}

TEST(ConfigIniTextCheck, Utf8Validation)
{
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain ascii"));
  EXPECT_TRUE(is_utf8("J\xc3\xa9r\xc3\xb4me \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_utf8("\xc3"));              // cut short
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(is_utf8("\xe9t\xe9"));         // Latin-1
}
