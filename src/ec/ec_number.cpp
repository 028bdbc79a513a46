#include "ec/ec_number.hpp"

#include <array>

namespace mulenet::ec {
namespace {

// One row per sequence length: the lead byte's marker and mask, the largest
// value it carries and the smallest value that needs it (shorter is overlong).
struct Form {
  std::uint8_t lead_mask;
  std::uint8_t lead_marker;
  std::uint32_t max_value;
  std::uint32_t min_value;
};
constexpr std::array<Form, 6> kForms{{
    {0x80, 0x00, 0x7F, 0},
    {0xE0, 0xC0, 0x7FF, 0x80},
    {0xF0, 0xE0, 0xFFFF, 0x800},
    {0xF8, 0xF0, 0x1FFFFF, 0x10000},
    {0xFC, 0xF8, 0x3FFFFFF, 0x200000},
    {0xFE, 0xFC, 0x7FFFFFFF, 0x4000000},
}};

}  // namespace

bool append_utf8_number(std::vector<std::uint8_t>& out, std::uint32_t value)
{
  for (std::size_t length = 1; length <= kForms.size(); ++length) {
    const Form& form = kForms[length - 1];
    if (value > form.max_value) continue;
    const unsigned shift = static_cast<unsigned>(6 * (length - 1));
    out.push_back(static_cast<std::uint8_t>(form.lead_marker | (value >> shift)));
    for (std::size_t i = length - 1; i > 0; --i) {
      out.push_back(static_cast<std::uint8_t>(0x80 | ((value >> (6 * (i - 1))) & 0x3F)));
    }
    return true;
  }
  return false;
}

std::optional<Utf8Number> read_utf8_number(std::span<const std::uint8_t> in)
{
  if (in.empty()) return std::nullopt;
  const std::uint8_t lead = in[0];
  for (std::size_t length = 1; length <= kForms.size(); ++length) {
    const Form& form = kForms[length - 1];
    if ((lead & form.lead_mask) != form.lead_marker) continue;
    if (in.size() < length) return std::nullopt;
    std::uint32_t value = lead & static_cast<std::uint8_t>(~form.lead_mask) & 0x7F;
    for (std::size_t i = 1; i < length; ++i) {
      if ((in[i] & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (in[i] & 0x3F);
    }
    if (value < form.min_value) return std::nullopt;  // overlong
    return Utf8Number{value, length};
  }
  return std::nullopt;  // 0x80..0xBF (a continuation byte) or 0xFE, 0xFF
}

}  // namespace mulenet::ec
