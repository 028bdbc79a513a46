#include "kad/checker_memory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <thread>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/json.hpp>

#include "config/config_file.hpp"
#include "net/read_text_file.hpp"
#include "net/unique_fd.hpp"

namespace mulenet::kad {
namespace {

namespace json = boost::json;
constexpr std::int64_t kVersion = 1;
// Times before 2001 or beyond 2100 are not times this file could hold.
constexpr UnixSeconds kEarliest = 978307200;
constexpr UnixSeconds kLatest = 4102444800;

void keep_later(std::optional<UnixSeconds>& mine, const std::optional<UnixSeconds>& theirs)
{
  if (theirs && (!mine || *theirs > *mine)) mine = theirs;
}

// A field that is there but not understood makes `partial` true (a note).
std::optional<UnixSeconds> time_field(const json::object& o, std::string_view key, bool& partial)
{
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_int64() || v->as_int64() < kEarliest || v->as_int64() > kLatest) {
    partial = true;
    return std::nullopt;
  }
  return v->as_int64();
}

std::optional<std::string_view> text_field(const json::object& o, std::string_view key)
{
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->as_string());
}

std::optional<std::uint32_t> ip_field(const json::object& o)
{
  const auto text = text_field(o, "ip");
  if (!text || text->size() > 15 || text->find('\0') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address_v4(std::string(*text), ec);
  if (ec || a.to_uint() == 0) return std::nullopt;
  return a.to_uint();
}

constexpr std::array kPeerFields{"ip", "udp_exchange", "tcp_check", "tcp_outcome", "udp_check", "udp_outcome", "hello"};

// One entry of the file; nullopt when it says nothing usable. A check whose
// outcome is not understood keeps its time (what decides who is fit) with
// the outcome that claims least.
std::optional<std::pair<std::uint32_t, PeerNotes>> peer_from_json(const json::value& value, bool& partial)
{
  const json::object* o = value.if_object();
  if (o == nullptr) return std::nullopt;
  const auto ip = ip_field(*o);
  if (!ip) return std::nullopt;
  for (const auto& field : *o)
    if (std::find(kPeerFields.begin(), kPeerFields.end(), std::string_view(field.key())) == kPeerFields.end())
      partial = true;
  PeerNotes p;
  p.udp_exchange = time_field(*o, "udp_exchange", partial);
  p.hello = time_field(*o, "hello", partial);
  p.tcp_check = time_field(*o, "tcp_check", partial);
  p.udp_check = time_field(*o, "udp_check", partial);
  // Each outcome goes with its check; one alone, or not understood, is noted.
  bool tcp_known = false;
  bool udp_known = false;
  if (const auto text = text_field(*o, "tcp_outcome")) {
    if (const auto parsed = parse_tcp_outcome(*text)) {
      p.tcp_outcome = *parsed;
      tcp_known = true;
    }
  }
  if (const auto text = text_field(*o, "udp_outcome")) {
    if (const auto parsed = parse_udp_outcome(*text)) {
      p.udp_outcome = *parsed;
      udp_known = true;
    }
  }
  if (p.tcp_check.has_value() != tcp_known || (o->contains("tcp_outcome") && !tcp_known)) partial = true;
  if (p.udp_check.has_value() != udp_known || (o->contains("udp_outcome") && !udp_known)) partial = true;
  if (!p.tcp_check) p.tcp_outcome = TcpCheckOutcome::silent;
  if (!p.udp_check) p.udp_outcome = UdpCheckOutcome::silent;
  if (!p.udp_exchange && !p.hello && !p.tcp_check && !p.udp_check) return std::nullopt;
  return std::pair{*ip, p};
}

json::object peer_to_json(std::uint32_t ip, const PeerNotes& p)
{
  json::object o{{"ip", boost::asio::ip::address_v4(ip).to_string()}};
  if (p.udp_exchange) o["udp_exchange"] = *p.udp_exchange;
  if (p.tcp_check) {
    o["tcp_check"] = *p.tcp_check;
    o["tcp_outcome"] = to_string(p.tcp_outcome);
  }
  if (p.udp_check) {
    o["udp_check"] = *p.udp_check;
    o["udp_outcome"] = to_string(p.udp_outcome);
  }
  if (p.hello) o["hello"] = *p.hello;
  return o;
}

// An exclusive lock on <file>.lock, waited for at most ~2 s (bounded).
net::UniqueFd lock_beside(const std::filesystem::path& path, std::string& error)
{
  const std::filesystem::path lock_path = path.string() + ".lock";
  net::UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) {
    error = "cannot open " + lock_path.string() + ": " + std::strerror(errno);
    return {};
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return fd;
    if (errno != EWOULDBLOCK && errno != EINTR) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error = "another mulenet holds " + lock_path.string() + " for too long";
  return {};
}

}  // namespace

const char* to_string(TcpCheckOutcome o)
{
  switch (o) {
    case TcpCheckOutcome::acked: return "acked";
    case TcpCheckOutcome::no_ack: return "no-ack";
    case TcpCheckOutcome::silent: return "silent";
  }
  return "silent";
}

const char* to_string(UdpCheckOutcome o)
{
  switch (o) {
    case UdpCheckOutcome::arrived: return "arrived";
    case UdpCheckOutcome::declined: return "declined";
    case UdpCheckOutcome::silent: return "silent";
  }
  return "silent";
}

std::optional<TcpCheckOutcome> parse_tcp_outcome(std::string_view text)
{
  for (const auto o : {TcpCheckOutcome::acked, TcpCheckOutcome::no_ack, TcpCheckOutcome::silent})
    if (text == to_string(o)) return o;
  return std::nullopt;
}

std::optional<UdpCheckOutcome> parse_udp_outcome(std::string_view text)
{
  for (const auto o : {UdpCheckOutcome::arrived, UdpCheckOutcome::declined, UdpCheckOutcome::silent})
    if (text == to_string(o)) return o;
  return std::nullopt;
}

UnixSeconds PeerNotes::latest() const
{
  UnixSeconds t = 0;
  for (const auto& when : {udp_exchange, tcp_check, udp_check, hello})
    if (when) t = std::max(t, *when);
  return t;
}

std::optional<UnixSeconds> PeerNotes::last_check() const
{
  std::optional<UnixSeconds> t = tcp_check;
  keep_later(t, udp_check);
  return t;
}

const PeerNotes* CheckerMemory::find(std::uint32_t ip) const
{
  const auto it = peers.find(ip);
  return it == peers.end() ? nullptr : &it->second;
}

void CheckerMemory::note_udp_exchange(std::uint32_t ip, UnixSeconds when) { keep_later(at(ip).udp_exchange, when); }

void CheckerMemory::note_tcp_check(std::uint32_t ip, UnixSeconds when, TcpCheckOutcome outcome)
{
  PeerNotes& p = at(ip);
  p.tcp_check = when;
  p.tcp_outcome = outcome;
}

void CheckerMemory::note_udp_check(std::uint32_t ip, UnixSeconds when, UdpCheckOutcome outcome)
{
  PeerNotes& p = at(ip);
  p.udp_check = when;
  p.udp_outcome = outcome;
}

void CheckerMemory::note_hello(std::uint32_t ip, UnixSeconds when) { keep_later(at(ip).hello, when); }

void merge_memory(CheckerMemory& into, const CheckerMemory& from)
{
  for (const auto& [ip, theirs] : from.peers) {
    PeerNotes& mine = into.peers[ip];
    keep_later(mine.udp_exchange, theirs.udp_exchange);
    keep_later(mine.hello, theirs.hello);
    if (theirs.tcp_check && (!mine.tcp_check || *theirs.tcp_check >= *mine.tcp_check)) {
      mine.tcp_check = theirs.tcp_check;
      mine.tcp_outcome = theirs.tcp_outcome;
    }
    if (theirs.udp_check && (!mine.udp_check || *theirs.udp_check >= *mine.udp_check)) {
      mine.udp_check = theirs.udp_check;
      mine.udp_outcome = theirs.udp_outcome;
    }
  }
  keep_later(into.nodes_dat_written, from.nodes_dat_written);
}

void prune_memory(CheckerMemory& memory, UnixSeconds now, UnixSeconds max_age, std::size_t max_peers)
{
  // A time in the future (the clock went back, e.g. NTP corrected it) is
  // taken as now: the note still holds, and it ages from here.
  const auto stale = [&](std::optional<UnixSeconds>& t) {
    if (t && *t > now) t = now;
    if (t && now - *t > max_age) t.reset();
  };
  for (auto it = memory.peers.begin(); it != memory.peers.end();) {
    PeerNotes& p = it->second;
    stale(p.udp_exchange);
    stale(p.tcp_check);
    stale(p.udp_check);
    stale(p.hello);
    it = (p.udp_exchange || p.tcp_check || p.udp_check || p.hello) ? std::next(it) : memory.peers.erase(it);
  }
  if (memory.peers.size() <= max_peers) return;
  std::vector<std::pair<UnixSeconds, std::uint32_t>> by_age;
  by_age.reserve(memory.peers.size());
  for (const auto& [ip, p] : memory.peers) by_age.emplace_back(p.latest(), ip);
  // The most recent first; ties by address, so the result does not depend on the map's order.
  std::sort(by_age.begin(), by_age.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t i = max_peers; i < by_age.size(); ++i) memory.peers.erase(by_age[i].second);
}

ParsedMemory parse_checker_memory(std::string_view text)
{
  ParsedMemory out;
  if (text.size() > kMaxMemoryBytes) {
    out.notes.push_back("the Kad memory file is larger than 1 MiB; it is ignored");
    return out;
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  const json::value root = json::parse(text, ec, {}, options);
  if (ec || !root.is_object()) {
    out.notes.push_back("the Kad memory file is not valid JSON; it is ignored");
    return out;
  }
  const json::object& top = root.as_object();
  if (const json::value* v = top.if_contains("version"); v == nullptr || !v->is_int64() || v->as_int64() != kVersion) {
    out.notes.push_back("the Kad memory file has an unknown version; it is ignored");
    return out;
  }
  const json::value* list = top.if_contains("peers");
  if (list == nullptr || !list->is_array()) {
    out.notes.push_back("the Kad memory file has no list of nodes; it is ignored");
    return out;
  }
  bool bad_written = false;
  out.memory.nodes_dat_written = time_field(top, "nodes_dat_written", bad_written);
  if (bad_written) out.notes.push_back("the Kad memory file's nodes_dat_written is not a time; it is ignored");
  std::size_t skipped = 0;
  std::size_t partial = 0;
  for (const json::value& entry : list->as_array()) {
    bool part = false;
    auto peer = peer_from_json(entry, part);
    if (!peer) {
      ++skipped;
      continue;
    }
    if (part) ++partial;
    merge_memory(out.memory, CheckerMemory{{{peer->first, peer->second}}, std::nullopt});
  }
  if (skipped > 0) out.notes.push_back(std::to_string(skipped) + " malformed entries of the Kad memory file were skipped");
  if (partial > 0)
    out.notes.push_back(std::to_string(partial) + " entries of the Kad memory file had fields that were not understood; "
                                                  "those fields are ignored");
  if (out.memory.peers.size() > kMaxRememberedPeers) {
    prune_memory(out.memory, unix_now());
    out.notes.push_back("the Kad memory file lists too many nodes; only the most recent are kept");
  }
  return out;
}

std::string serialize_checker_memory(const CheckerMemory& memory)
{
  json::array list;
  for (const auto& [ip, p] : memory.peers) list.push_back(peer_to_json(ip, p));
  json::object top{{"version", kVersion}, {"peers", std::move(list)}};
  if (memory.nodes_dat_written) top["nodes_dat_written"] = *memory.nodes_dat_written;
  return json::serialize(top) + "\n";
}

std::filesystem::path checker_memory_path(const std::filesystem::path& config_path)
{
  const auto dir = config_path.has_parent_path() ? config_path.parent_path() : std::filesystem::path(".");
  return dir / "mulenet-kad-memory.json";
}

ParsedMemory load_checker_memory(const std::filesystem::path& path)
{
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  if (!std::filesystem::is_regular_file(path, ec)) return {{}, {path.string() + " is not a regular file; it is ignored"}};
  const auto text = net::read_text_file(path, kMaxMemoryBytes + 1);
  if (!text) return {{}, {"cannot read " + path.string() + "; it is ignored"}};
  ParsedMemory parsed = parse_checker_memory(*text);
  for (std::string& note : parsed.notes) note += " (" + path.string() + ")";
  return parsed;
}

bool save_checker_memory(const std::filesystem::path& path, const CheckerMemory& ours, UnixSeconds now,
                         std::string& error, std::size_t* remembered)
{
  const net::UniqueFd lock = lock_beside(path, error);
  if (!lock.valid()) return false;
  // What another run wrote since we read: merged, never overwritten.
  CheckerMemory merged = load_checker_memory(path).memory;
  merge_memory(merged, ours);
  prune_memory(merged, now);
  config::FileError failed;
  if (!config::write_file_atomically(path, serialize_checker_memory(merged), failed)) {
    error = failed.message;
    return false;
  }
  if (remembered != nullptr) *remembered = merged.peers.size();
  return true;
}

std::optional<UnixSeconds> modification_time(const std::filesystem::path& path)
{
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<UnixSeconds>(st.st_mtim.tv_sec);
}

UnixSeconds unix_now()
{
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace mulenet::kad
