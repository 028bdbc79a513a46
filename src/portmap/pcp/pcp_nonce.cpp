#include "portmap/pcp/pcp_nonce.hpp"

#include "net/random_bytes.hpp"

namespace mulenet::portmap::pcp {
namespace {

int hex_value(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Nonce> make_nonce()
{
  Nonce nonce{};
  if (!net::random_bytes(nonce.data(), nonce.size())) return std::nullopt;
  return nonce;
}

std::string nonce_to_hex(const Nonce& nonce)
{
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(nonce.size() * 2);
  for (const std::uint8_t b : nonce) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

std::optional<Nonce> nonce_from_hex(std::string_view hex)
{
  Nonce nonce{};
  if (hex.size() != nonce.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < nonce.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    nonce[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return nonce;
}

}  // namespace mulenet::portmap::pcp
