#pragma once
// server.met, the list of eD2k servers aMule keeps in its config dir, read
// and written as aMule 2.3.3 does (CServerList::LoadServerMet/SaveServerMet):
//   header:1 (0xE0 written; 0x0E also read)  count:4
//   per server: ip:4 (a.b.c.d as bytes)  port:2  tag_count:4  tags (old layout)
// Tags mulenet uses: ST_SERVERNAME 0x01, ST_DESCRIPTION 0x0B, ST_PREFERENCE
// 0x0E, ST_FAIL 0x0D, "users", "files", ST_MAXUSERS 0x87, ST_AUXPORTSLIST
// 0x93; every other tag is kept as read and written back unchanged, so a
// file round-trips without losing what aMule stored.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ed2k/server_messages.hpp"

namespace mulenet::ed2k {

inline constexpr std::uint8_t kServerMetHeader = 0xE0;
inline constexpr std::uint8_t kServerMetHeaderOld = 0x0E;
inline constexpr std::uint32_t kMaxServerMetEntries = 100'000;

struct ServerMetEntry {
  std::uint32_t ip = 0;  // ed2k order
  std::uint16_t port = 0;
  std::vector<Tag> tags;

  [[nodiscard]] std::string name() const;
  [[nodiscard]] std::string description() const;
  [[nodiscard]] std::string address() const;  // "a.b.c.d:port"
};

struct ServerMet {
  std::vector<ServerMetEntry> servers;
};

// Fails on another header, a truncated record or a bad tag, naming the
// record; never reads past the data.
[[nodiscard]] Decoded<ServerMet> parse_server_met(ByteView file);
[[nodiscard]] Bytes serialize_server_met(const ServerMet& met);

[[nodiscard]] std::filesystem::path server_met_path_for(const std::filesystem::path& config_path);
// An absent file is an empty list; other trouble is an error naming the file.
[[nodiscard]] Decoded<ServerMet> read_server_met(const std::filesystem::path& path);
[[nodiscard]] bool write_server_met(const std::filesystem::path& path, const ServerMet& met, std::string& error);

}  // namespace mulenet::ed2k
