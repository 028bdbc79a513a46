#include "ec/ec_login.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "net/md5.hpp"

namespace mulenet::ec {

std::string md5_hex(std::string_view text) { return net::md5_hex(text); }

bool is_md5_hex(std::string_view text)
{
  return text.size() == 32 &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

Hash16 login_hash(std::string_view password_md5_hex, std::uint64_t salt)
{
  std::string lowered(password_md5_hex);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  // "%lX": uppercase hex without leading zeros.
  return net::md5(lowered + net::md5_hex(fmt::format("{:X}", salt)));
}

bool same_hash(const Hash16& a, const Hash16& b)
{
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace mulenet::ec
