#include <gtest/gtest.h>

#include "config/wx_escaping.hpp"

using namespace mulenet::config;

TEST(ConfigWxEscaping, ValuesLikeWxFileConfig)
{
  EXPECT_EQ(escape_value(""), "");
  EXPECT_EQ(escape_value("plain"), "plain");
  EXPECT_EQ(escape_value(" lead"), "\" lead\"");
  EXPECT_EQ(escape_value("\"q\""), "\"\\\"q\\\"\"");
  EXPECT_EQ(escape_value("in\"side"), "in\"side");  // quotes are escaped only in quoted values
  EXPECT_EQ(escape_value("a\\b\nc\td\re"), "a\\\\b\\nc\\td\\re");
  EXPECT_EQ(unescape_value("\" lead\""), " lead");
  EXPECT_EQ(unescape_value("a\\\\b\\nc"), "a\\b\nc");
  EXPECT_EQ(unescape_value("trailing\\"), "trailing");
  EXPECT_EQ(unescape_value("unknown\\x"), "unknown");
  EXPECT_EQ(unescape_value("in\"side"), "in\"side");
}

TEST(ConfigWxEscaping, Names)
{
  EXPECT_EQ(escape_name("Port"), "Port");
  EXPECT_EQ(escape_name("UserEvents/DownloadCompleted"), "UserEvents/DownloadCompleted");
  EXPECT_EQ(escape_name("a b=c"), "a\\ b\\=c");
  EXPECT_EQ(escape_name("Jürgen"), "Jürgen");
  EXPECT_EQ(unescape_name("a\\ b\\=c"), "a b=c");
}
