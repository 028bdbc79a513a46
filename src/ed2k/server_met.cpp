#include "ed2k/server_met.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "config/config_file.hpp"

namespace mulenet::ed2k {
namespace {

// A server record without tags: ip, port, tag count.
constexpr std::size_t kMinRecordSize = 10;
constexpr std::uintmax_t kMaxFileSize = 64 * 1024 * 1024;

std::string string_tag(const std::vector<Tag>& tags, std::uint8_t id)
{
  const Tag* t = find_tag(tags, id);  // the first one wins, as in aMule
  return t && t->is_string() ? printable(t->text, 1024) : std::string();
}

}  // namespace

std::string ServerMetEntry::name() const { return string_tag(tags, ST_SERVERNAME); }
std::string ServerMetEntry::description() const { return string_tag(tags, ST_DESCRIPTION); }
std::string ServerMetEntry::address() const { return fmt::format("{}:{}", dotted_text(ip), port); }

Decoded<ServerMet> parse_server_met(ByteView file)
{
  WireReader r(file);
  const std::uint8_t header = r.u8();
  if (!r.ok()) return {std::nullopt, "server.met is empty"};
  if (header != kServerMetHeader && header != kServerMetHeaderOld)
    return {std::nullopt, fmt::format("not a server.met: it starts with 0x{:02X}, not 0xE0 or 0x0E", header)};
  const std::uint32_t count = r.u32();
  if (!r.ok()) return {std::nullopt, "server.met cut short before its server count"};
  if (count > kMaxServerMetEntries || count > r.remaining() / kMinRecordSize)
    return {std::nullopt, fmt::format("server.met announces {} servers, more than its {} bytes can hold", count,
                                      file.size())};
  ServerMet met;
  met.servers.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    ServerMetEntry e;
    e.ip = r.u32();
    e.port = r.u16();
    const std::uint32_t tag_count = r.u32();
    if (!r.ok()) return {std::nullopt, fmt::format("server.met cut short in server {} of {}", i + 1, count)};
    std::string error;
    auto tags = read_tags(r, tag_count, &error);
    if (!tags) return {std::nullopt, fmt::format("server.met, server {} ({}:{}): {}", i + 1, dotted_text(e.ip), e.port, error)};
    e.tags = std::move(*tags);
    met.servers.push_back(std::move(e));
  }
  return {std::move(met), {}};
}

Bytes serialize_server_met(const ServerMet& met)
{
  WireWriter w;
  w.u8(kServerMetHeader);
  w.u32(static_cast<std::uint32_t>(met.servers.size()));
  for (const ServerMetEntry& e : met.servers) {
    w.u32(e.ip);
    w.u16(e.port);
    w.u32(static_cast<std::uint32_t>(e.tags.size()));
    for (const Tag& t : e.tags) write_tag(w, t);
  }
  return w.take();
}

std::filesystem::path server_met_path_for(const std::filesystem::path& config_path)
{
  return config_path.parent_path() / "server.met";
}

Decoded<ServerMet> read_server_met(const std::filesystem::path& path)
{
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {ServerMet{}, {}};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return {std::nullopt, fmt::format("{}: {}", path.string(), ec.message())};
  if (size > kMaxFileSize) return {std::nullopt, fmt::format("{}: {} bytes, too large for a server list", path.string(), size)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {std::nullopt, fmt::format("{}: cannot be opened", path.string())};
  const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto met = parse_server_met(bytes);
  if (!met) met.error = path.string() + ": " + met.error;
  return met;
}

bool write_server_met(const std::filesystem::path& path, const ServerMet& met, std::string& error)
{
  const Bytes bytes = serialize_server_met(met);
  config::FileError fe;
  if (!config::write_file_atomically(path, std::string(bytes.begin(), bytes.end()), fe)) {
    error = fe.message;
    return false;
  }
  return true;
}

}  // namespace mulenet::ed2k
