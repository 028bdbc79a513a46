#include "kad/nodes_dat.hpp"

#include <algorithm>

#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "config/config_file.hpp"

namespace mulenet::kad {

namespace {

bool keep(NodesDat& dat, NodesDatEntry e)
{
  if (e.contact.version <= 1) {  // Kad1: aMule 2.3.3 speaks Kad2 only
    ++dat.skipped_old;
    return false;
  }
  dat.entries.push_back(e);
  return true;
}

}  // namespace

Decoded<NodesDat> parse_nodes_dat(ByteView file)
{
  ed2k::WireReader r(file);
  NodesDat dat;
  const std::uint32_t first = r.u32();
  if (!r.ok()) return {std::nullopt, "nodes.dat is shorter than 4 bytes"};
  if (first != 0) return {std::nullopt, "nodes.dat version 0 (Kad1): too old, aMule 2.3.3 refuses it as well"};
  dat.version = r.u32();
  if (dat.version == 3) dat.bootstrap = r.u32() == 1;
  const std::uint32_t count = r.u32();
  if (!r.ok()) return {std::nullopt, "nodes.dat cut short in its header"};
  if (dat.version < 1 || dat.version > 3) return {std::nullopt, fmt::format("nodes.dat version {} is unknown", dat.version)};
  const bool short_records = dat.version == 1 || dat.bootstrap;
  const std::size_t record = short_records ? kContactSize : kContactSize + 9;
  if (count > kMaxNodesDatContacts) return {std::nullopt, fmt::format("nodes.dat announces {} contacts", count)};
  if (dat.bootstrap ? r.remaining() != count * record : r.remaining() < count * record)
    return {std::nullopt, fmt::format("nodes.dat announces {} contacts of {} bytes but has {} bytes", count, record,
                                      r.remaining())};
  for (std::uint32_t i = 0; i < count; ++i) {
    NodesDatEntry e;
    e.contact = read_contact(r);
    if (!short_records) {
      e.udp_key = r.u32();
      e.key_ip = r.u32();
      e.verified = r.u8() != 0;
    }
    keep(dat, e);
  }
  return {std::move(dat), {}};
}

Bytes serialize_nodes_dat(const std::vector<NodesDatEntry>& entries)
{
  ed2k::WireWriter w;
  const std::size_t n = std::min(entries.size(), kNodesDatWriteLimit);
  w.u32(0);
  w.u32(2);
  w.u32(static_cast<std::uint32_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    write_contact(w, entries[i].contact);
    w.u32(entries[i].udp_key);
    w.u32(entries[i].key_ip);
    w.u8(entries[i].verified ? 1 : 0);
  }
  return w.take();
}

std::vector<NodesDatEntry> nodes_dat_entries(const std::vector<RoutingEntry>& table, std::uint32_t key_ip)
{
  std::vector<NodesDatEntry> out;
  // A key read from nodes.dat stays bound to the IP it was bound to; one
  // given in this run is bound to our public IP now.
  for (const RoutingEntry& e : table)
    out.push_back({e.contact, e.udp_key, e.udp_key == 0 ? 0 : e.key_ip != 0 ? e.key_ip : key_ip, e.verified});
  std::stable_partition(out.begin(), out.end(), [](const NodesDatEntry& e) { return e.verified; });
  return out;
}

Decoded<NodesDat> read_nodes_dat(const std::filesystem::path& path)
{
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return {std::nullopt, fmt::format("{}: {}", path.string(), ec.message())};
  if (size > 4 + 16 + kMaxNodesDatContacts * 34) return {std::nullopt, path.string() + ": too large for a nodes.dat"};
  std::ifstream in(path, std::ios::binary);
  const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto dat = parse_nodes_dat(bytes);
  if (!dat) dat.error = path.string() + ": " + dat.error;
  return dat;
}

bool write_nodes_dat(const std::filesystem::path& path, const std::vector<NodesDatEntry>& entries, std::string& error)
{
  const Bytes bytes = serialize_nodes_dat(entries);
  config::FileError fe;
  if (!config::write_file_atomically(path, std::string(bytes.begin(), bytes.end()), fe)) {
    error = fe.message;
    return false;
  }
  return true;
}

}  // namespace mulenet::kad
