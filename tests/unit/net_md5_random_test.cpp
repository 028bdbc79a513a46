// MD5 (RFC 1321's test suite) and the kernel's random bytes, which replaced
// OpenSSL's EVP and RAND (their provider costs 2 MB of resident memory).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "net/md5.hpp"
#include "net/random_bytes.hpp"

namespace {

std::string hex(const std::array<std::uint8_t, 16>& d)
{
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

TEST(NetMd5, Rfc1321TestSuite)
{
  EXPECT_EQ(hex(mulenet::net::md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(mulenet::net::md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(mulenet::net::md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(mulenet::net::md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(NetMd5, BytesAndTextAgree)
{
  const std::string text = "mulenet-lab";
  EXPECT_EQ(mulenet::net::md5(text.data(), text.size()), mulenet::net::md5(text));
}

TEST(NetRandomBytes, FillsEveryByteAndDiffersBetweenCalls)
{
  // 4 KiB of zeros staying zeros has probability 2^-32768: a failure is real.
  std::array<std::uint8_t, 4096> a{};
  std::array<std::uint8_t, 4096> b{};
  ASSERT_TRUE(mulenet::net::random_bytes(a.data(), a.size()));
  ASSERT_TRUE(mulenet::net::random_bytes(b.data(), b.size()));
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::any_of(a.begin() + 4000, a.end(), [](std::uint8_t x) { return x != 0; }));
  EXPECT_TRUE(mulenet::net::random_bytes(a.data(), 0));
}

}  // namespace
