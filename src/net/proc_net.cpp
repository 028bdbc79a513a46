#include "net/proc_net.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <optional>

#include "net/read_text_file.hpp"

namespace mulenet::net {
namespace {

// Far above any real table (~150 bytes a socket), but a hard stop.
constexpr std::size_t kMaxTableBytes = std::size_t{64} << 20;
// The fields we use are the first ten: sl local rem st tx:rx tr:when retr uid timeout inode
constexpr std::size_t kFieldsNeeded = 10;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line on blanks into at most `fields.size()` fields.
std::size_t split_fields(std::string_view line, std::array<std::string_view, kFieldsNeeded>& fields) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (count < fields.size()) {
    while (pos < line.size() && is_space(line[pos])) ++pos;
    if (pos >= line.size()) break;
    const std::size_t start = pos;
    while (pos < line.size() && !is_space(line[pos])) ++pos;
    fields[count++] = line.substr(start, pos - start);
  }
  return count;
}

// The whole of `text` as a number in `base`, or nullopt (empty, junk, sign,
// overflow).
template <typename Number>
std::optional<Number> parse_number(std::string_view text, int base) {
  Number value{};
  if (text.empty()) return std::nullopt;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// "0100007F" or 32 hex digits: 32-bit words that the kernel printed as
// host-order integers of network-order memory, so storing each parsed word
// back in host order restores the original bytes.
std::optional<std::string> parse_address(std::string_view hex) {
  if (hex.size() != 8 && hex.size() != 32) return std::nullopt;
  std::string bytes;
  for (std::size_t offset = 0; offset < hex.size(); offset += 8) {
    const auto word = parse_number<std::uint32_t>(hex.substr(offset, 8), 16);
    if (!word) return std::nullopt;
    std::array<char, 4> raw{};
    std::memcpy(raw.data(), &*word, raw.size());
    bytes.append(raw.data(), raw.size());
  }
  return bytes;
}

std::optional<ProcNetSocket> parse_line(std::string_view line) {
  std::array<std::string_view, kFieldsNeeded> fields{};
  if (split_fields(line, fields) < kFieldsNeeded) return std::nullopt;

  // "12:" -- the slot number; the header line ("sl") fails here.
  const std::string_view slot = fields[0];
  if (slot.size() < 2 || slot.back() != ':') return std::nullopt;
  if (!parse_number<std::uint32_t>(slot.substr(0, slot.size() - 1), 10)) return std::nullopt;
  const std::string_view local = fields[1];
  const std::size_t colon = local.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view port_hex = local.substr(colon + 1);
  if (port_hex.size() > 4) return std::nullopt;

  auto address = parse_address(local.substr(0, colon));
  const auto port = parse_number<std::uint16_t>(port_hex, 16);
  const auto state = fields[3].size() <= 2 ? parse_number<std::uint8_t>(fields[3], 16) : std::nullopt;
  const auto inode = parse_number<std::uint64_t>(fields[9], 10);
  if (!address || !port || !state || !inode) return std::nullopt;
  return ProcNetSocket{std::move(*address), *port, *state, *inode};
}

void append_table(const std::filesystem::path& file, std::vector<ProcNetSocket>& sockets) {
  auto text = read_text_file(file, kMaxTableBytes + 1);
  if (!text) return;
  if (text->size() > kMaxTableBytes) {
    // Cut back to the last whole line: a line cut short could still look
    // well-formed with a shortened inode.
    const std::size_t last_newline = text->rfind('\n', kMaxTableBytes - 1);
    text->resize(last_newline == std::string::npos ? 0 : last_newline + 1);
  }
  for (auto& socket : parse_proc_net(*text)) sockets.push_back(std::move(socket));
}

}  // namespace

std::vector<ProcNetSocket> parse_proc_net(std::string_view text) {
  std::vector<ProcNetSocket> sockets;
  // Bounded by the text: each pass consumes one line.
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (auto socket = parse_line(line)) sockets.push_back(std::move(*socket));
  }
  return sockets;
}

std::vector<ProcNetSocket> read_proc_net(config::Protocol protocol, const std::filesystem::path& proc_root) {
  const bool tcp = protocol == config::Protocol::tcp;
  std::vector<ProcNetSocket> sockets;
  append_table(proc_root / "net" / (tcp ? "tcp" : "udp"), sockets);
  append_table(proc_root / "net" / (tcp ? "tcp6" : "udp6"), sockets);
  return sockets;
}

}  // namespace mulenet::net
