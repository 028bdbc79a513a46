#pragma once
// Our eD2k user hash, kept where aMule keeps it: preferences.dat in the
// config dir (reference §7.2, aMule's CPreferences): version:1 (0x14) then
// the 16-byte hash. Sharing aMule's file matters: peers and servers know a
// client by IP, port and hash, and a known IP:port showing another hash is
// banned for two hours. When the file is missing, short or all zero, a new
// random hash is made and saved, as aMule does; bytes 5 and 14 are then set
// to 14 and 111 (the "eMule-style" marks aMule applies after loading).
#include <filesystem>
#include <optional>
#include <string>

#include "ed2k/wire.hpp"

namespace mulenet::ed2k {

inline constexpr std::uint8_t kPreferencesVersion = 0x14;  // PREFFILE_VERSION

[[nodiscard]] std::filesystem::path preferences_path_for(const std::filesystem::path& config_path);

// The marked hash from the bytes of preferences.dat; nullopt when they hold
// no usable hash (shorter than 17 bytes, or all zero).
[[nodiscard]] std::optional<Hash16> parse_preferences(ByteView file);
[[nodiscard]] Bytes serialize_preferences(const Hash16& hash);
[[nodiscard]] Hash16 mark_emule_style(Hash16 hash);

struct UserHash {
  Hash16 hash{};
  bool created = false;  // made now (and saved) because the file had none
  std::string error;     // set: no hash at all (random failed, or the file could not be written)
};
// Reads preferences.dat next to amule.conf, or creates it.
[[nodiscard]] UserHash load_or_create_user_hash(const std::filesystem::path& config_path);

[[nodiscard]] std::string hash_hex(const Hash16& hash);

}  // namespace mulenet::ed2k
