#pragma once
// nodes.dat, the Kad contact list in the config dir (reference §7.1), read in
// every version aMule 2.3.3 reads and written as it writes (version 2):
//   v0  count:u32 (!= 0) + count x contact(25)                 (too old: refused, as aMule)
//   v1  0:u32 1:u32 count:u32 + count x contact(25)
//   v2  0:u32 2:u32 count:u32 + count x (contact(25) udp_key:4 key_ip:4 verified:1)
//   v3  0:u32 3:u32 edition:u32 count:u32 + v2 records (edition 0) or contacts(25)
//       filling the rest exactly (edition 1, a "bootstrap" list)
// Contacts with version <= 1 are kept out, as aMule does when loading.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kad/kad_messages.hpp"
#include "kad/routing_table.hpp"

namespace mulenet::kad {

inline constexpr std::uint32_t kMaxNodesDatContacts = 5000;
inline constexpr std::size_t kNodesDatWriteLimit = 200;  // aMule writes at most 200
// aMule does not write a table of fewer contacts (a hand-written nodes.dat in
// a small network is never replaced by a poorer one).
inline constexpr std::size_t kNodesDatMinimumToWrite = 25;

struct NodesDatEntry {
  Contact contact;
  std::uint32_t udp_key = 0;  // the key that contact gave us, bound to key_ip (v2/v3)
  std::uint32_t key_ip = 0;
  bool verified = false;
};

struct NodesDat {
  std::uint32_t version = 2;
  bool bootstrap = false;  // v3 edition 1: contacts to bootstrap from, not a routing table
  std::vector<NodesDatEntry> entries;
  std::size_t skipped_old = 0;  // Kad1 contacts (version <= 1) left out
};

[[nodiscard]] Decoded<NodesDat> parse_nodes_dat(ByteView file);
// Version 2, at most kNodesDatWriteLimit entries.
[[nodiscard]] Bytes serialize_nodes_dat(const std::vector<NodesDatEntry>& entries);

// The routing table as nodes.dat records (proven contacts first); key_ip is
// our public IP (Kad order) the contacts' keys are bound to, 0 if unknown.
[[nodiscard]] std::vector<NodesDatEntry> nodes_dat_entries(const std::vector<RoutingEntry>& table, std::uint32_t key_ip);

[[nodiscard]] Decoded<NodesDat> read_nodes_dat(const std::filesystem::path& path);
[[nodiscard]] bool write_nodes_dat(const std::filesystem::path& path, const std::vector<NodesDatEntry>& entries,
                                   std::string& error);

}  // namespace mulenet::kad
