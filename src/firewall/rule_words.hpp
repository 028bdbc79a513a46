#pragma once
// Small readers shared by the iptables and nft rule parsers: is a word one of
// a fixed list, and the text of an nft JSON value (empty when it is none).
#include <array>
#include <cstddef>
#include <string_view>

#include <boost/json/value.hpp>

namespace mulenet::firewall::detail {

template <std::size_t N>
[[nodiscard]] bool one_of(std::string_view text, const std::array<std::string_view, N>& names)
{
  for (const auto name : names) {
    if (text == name) return true;
  }
  return false;
}

[[nodiscard]] inline std::string_view text_of(const boost::json::value* value)
{
  if (value == nullptr) return {};
  if (const auto* text = value->if_string()) return std::string_view(text->data(), text->size());
  return {};
}

}  // namespace mulenet::firewall::detail
