#include "net/md5.hpp"

// The one-shot MD5() is deprecated in OpenSSL 3 in favour of EVP, which is
// what we avoid here (md5.hpp says why); it is still built and exported.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

namespace mulenet::net {

std::array<std::uint8_t, 16> md5(const void* data, std::size_t size)
{
  std::array<std::uint8_t, 16> digest{};
  MD5(static_cast<const unsigned char*>(data), size, digest.data());
  return digest;
}

std::array<std::uint8_t, 16> md5(std::string_view text) { return md5(text.data(), text.size()); }

std::string md5_hex(std::string_view text)
{
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (const std::uint8_t b : md5(text)) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

}  // namespace mulenet::net
