#pragma once
// Our Kad identity, kept where aMule keeps it (reference §3.4, §7.2): the
// node ID in preferencesKad.dat (IP:u32 Kad order, 0:u16, node ID:16 wire,
// 0:u8) and the UDP key behind our verify keys in amule.conf
// ([Obfuscation] CryptoKadUDPKey). Made once (random) when missing or zero.
#include <filesystem>
#include <optional>
#include <string>

#include "kad/kad_id.hpp"
#include "kad/kad_packet.hpp"

namespace mulenet::kad {

[[nodiscard]] std::filesystem::path preferences_kad_path_for(const std::filesystem::path& config_path);

struct PreferencesKad {
  std::uint32_t ip = 0;  // Kad order, as last known
  KadId id;
};
[[nodiscard]] std::optional<PreferencesKad> parse_preferences_kad(ByteView file);  // nullopt: short or zero ID
[[nodiscard]] Bytes serialize_preferences_kad(const PreferencesKad& prefs);

struct KadIdentity {
  KadId id;
  std::uint32_t udp_key = 0;
  bool created_id = false;
  bool created_key = false;
  std::string error;  // set: no identity (random failed, a file could not be written)
};
// Reads (or makes and, with `save`, saves) preferencesKad.dat and
// CryptoKadUDPKey next to / in amule.conf. The doctor passes save=false: it
// changes no file; what it makes lives for one check only.
[[nodiscard]] KadIdentity load_or_create_identity(const std::filesystem::path& config_path, bool save = true);

}  // namespace mulenet::kad
