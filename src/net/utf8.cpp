#include "net/utf8.hpp"

#include <cstdint>

namespace mulenet::net {
namespace {

constexpr std::uint32_t kEscapeBase = 0x10FF00;  // byte b (0x80..0xFF) becomes U+10FF00 + b
constexpr std::uint32_t kFirstEscape = kEscapeBase + 0x80;

std::size_t length_from_lead(unsigned char lead)
{
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;  // a continuation byte, an overlong lead (C0, C1), or past U+10FFFF (F5..FF)
}

// The first continuation byte rules out overlongs (E0, F0), surrogates (ED)
// and code points past U+10FFFF (F4).
bool second_fits(unsigned char lead, unsigned char next)
{
  if (lead == 0xE0) return next >= 0xA0 && next <= 0xBF;
  if (lead == 0xED) return next >= 0x80 && next <= 0x9F;
  if (lead == 0xF0) return next >= 0x90 && next <= 0xBF;
  if (lead == 0xF4) return next >= 0x80 && next <= 0x8F;
  return next >= 0x80 && next <= 0xBF;
}

std::uint32_t decode(std::string_view text, std::size_t at, std::size_t n)
{
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(text[at + k])); };
  switch (n) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

void append_escape(std::string& out, unsigned char byte)
{
  const std::uint32_t cp = kEscapeBase + byte;
  out += static_cast<char>(0xF0 | (cp >> 18));
  out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out += static_cast<char>(0x80 | (cp & 0x3F));
}

}  // namespace

std::size_t utf8_sequence_at(std::string_view text, std::size_t at)
{
  if (at >= text.size()) return 0;
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t n = length_from_lead(lead);
  if (n == 0 || at + n > text.size()) return 0;
  if (n > 1 && !second_fits(lead, static_cast<unsigned char>(text[at + 1]))) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    const auto c = static_cast<unsigned char>(text[at + k]);
    if (c < 0x80 || c > 0xBF) return 0;
  }
  return n;
}

bool is_utf8(std::string_view text)
{
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_at(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string escape_invalid_utf8(std::string_view bytes)
{
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_sequence_at(bytes, i);
    if (n != 0 && !(n == 4 && decode(bytes, i, n) >= kFirstEscape)) {
      out.append(bytes.substr(i, n));
      i += n;
      continue;
    }
    // Not UTF-8 here, or a code point the escape itself uses: byte by byte.
    const std::size_t count = n == 0 ? 1 : n;
    for (std::size_t k = 0; k < count; ++k) append_escape(out, static_cast<unsigned char>(bytes[i + k]));
    i += count;
  }
  return out;
}

std::string unescape_utf8_bytes(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_at(text, i);
    if (n == 4) {
      const std::uint32_t cp = decode(text, i, n);
      if (cp >= kFirstEscape) {
        out += static_cast<char>(cp - kEscapeBase);
        i += n;
        continue;
      }
    }
    const std::size_t take = n == 0 ? 1 : n;  // not ours to judge: copied as it is
    out.append(text.substr(i, take));
    i += take;
  }
  return out;
}

}  // namespace mulenet::net
