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

