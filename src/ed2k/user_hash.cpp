#include "ed2k/user_hash.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "config/config_file.hpp"
#include "net/random_bytes.hpp"

namespace mulenet::ed2k {

std::filesystem::path preferences_path_for(const std::filesystem::path& config_path)
{
  return config_path.parent_path() / "preferences.dat";
}

Hash16 mark_emule_style(Hash16 hash)
{
  hash[5] = 14;
  hash[14] = 111;
  return hash;
}

std::optional<Hash16> parse_preferences(ByteView file)
{
  if (file.size() < 17) return std::nullopt;
  Hash16 hash{};
  std::copy_n(file.begin() + 1, 16, hash.begin());  // the version byte is not checked (nor by aMule)
  if (std::all_of(hash.begin(), hash.end(), [](std::uint8_t b) { return b == 0; })) return std::nullopt;
  return mark_emule_style(hash);
}

Bytes serialize_preferences(const Hash16& hash)
{
  Bytes out;
  out.reserve(17);
  out.push_back(kPreferencesVersion);
  for (const std::uint8_t b : hash) out.push_back(b);
  return out;
}

UserHash load_or_create_user_hash(const std::filesystem::path& config_path)
{
  UserHash out;
  const std::filesystem::path path = preferences_path_for(config_path);
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      Bytes bytes;
      char c = 0;
      // Bounded: the file has 17 bytes; read at most a little more.
      for (int i = 0; i < 64 && in.get(c); ++i) bytes.push_back(static_cast<std::uint8_t>(c));
      if (const auto hash = parse_preferences(bytes)) {
        out.hash = *hash;
        return out;
      }
    }
  }
  Hash16 fresh{};
  if (!net::random_bytes(fresh.data(), fresh.size())) {
    out.error = "cannot make a random user hash (OpenSSL's random generator failed)";
    return out;
  }
  out.hash = mark_emule_style(fresh);
  const Bytes file = serialize_preferences(out.hash);
  config::FileError error;
  if (!config::write_file_atomically(path, std::string(file.begin(), file.end()), error)) {
    out.error = "cannot save the new user hash: " + error.message;
    return out;
  }
  out.created = true;
  return out;
}

std::string hash_hex(const Hash16& hash)
{
  std::string s;
  for (const std::uint8_t b : hash) s += fmt::format("{:02X}", b);
  return s;
}

}  // namespace mulenet::ed2k
