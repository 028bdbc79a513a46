#include <gtest/gtest.h>

#include <string>

#include "net/utf8.hpp"

using namespace mulenet::net;

TEST(NetUtf8, Validation)
{
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain ascii, even \x01 controls"));
  EXPECT_TRUE(is_utf8("J\xc3\xa9r\xc3\xb4me \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_utf8("\xc3"));              // cut short
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(is_utf8("J\xe9r\xf4me"));      // Latin-1
}

TEST(NetUtf8, ValidTextIsLeftAlone)
{
  for (const char* text : {"", "Port=4662", "J\xc3\xa9r\xc3\xb4me", "\xf0\x9f\x98\x80 \xf4\x8f\xbd\xbf"})
    EXPECT_EQ(escape_invalid_utf8(text), text) << text;
}

TEST(NetUtf8, InvalidBytesBecomePrivateUseCodePoints)
{
  // Latin-1 "é" (E9) becomes U+10FFE9 (F4 8F BF A9), documented and undone exactly.
  const std::string escaped = escape_invalid_utf8("J\xe9r\xf4me");
  EXPECT_EQ(escaped, "J\xf4\x8f\xbf\xa9r\xf4\x8f\xbf\xb4me");
  EXPECT_TRUE(is_utf8(escaped));
  EXPECT_EQ(unescape_utf8_bytes(escaped), "J\xe9r\xf4me");
}

TEST(NetUtf8, TheEscapesOwnCodePointsAreEscapedToo)
{
  // Valid text that already holds U+10FFE9: escaped byte by byte, so that
  // unescaping cannot mistake it for an escaped Latin-1 byte.
  const std::string tricky = "a\xf4\x8f\xbf\xa9z";
  const std::string escaped = escape_invalid_utf8(tricky);
  EXPECT_NE(escaped, tricky);
  EXPECT_TRUE(is_utf8(escaped));
  EXPECT_EQ(unescape_utf8_bytes(escaped), tricky);
}

TEST(NetUtf8, EveryByteRoundTrips)
{
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string escaped = escape_invalid_utf8(all + all);
  EXPECT_TRUE(is_utf8(escaped));
  EXPECT_EQ(unescape_utf8_bytes(escaped), all + all);
}
