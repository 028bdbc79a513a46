#include "kad/checker_choice.hpp"

#include <algorithm>
#include <set>

namespace mulenet::kad {
namespace {

// A node that may know us answers the UDP test with "I already know your
// IP": no verdict. We said HELLO to it, or it checked us (amuled adds the Kad
// port of a client's Hello to its routing table), or it declined before.
// Asked last.
bool may_know_us(const PeerNotes* notes)
{
  return notes != nullptr && (notes->hello || notes->tcp_check || notes->udp_check);
}

// The moment `needed` of `fit_times` have passed (the needed-th smallest),
// when fewer than `needed` are fit at `now`.
std::optional<UnixSeconds> enough_at(std::vector<UnixSeconds> fit_times, UnixSeconds now, std::size_t needed)
{
  const auto fit = static_cast<std::size_t>(std::count_if(fit_times.begin(), fit_times.end(), [&](UnixSeconds t) {
    return t <= now;
  }));
  if (fit >= needed || fit_times.size() < needed) return std::nullopt;
  std::sort(fit_times.begin(), fit_times.end());
  return fit_times[needed - 1];
}

}  // namespace

UnixSeconds tcp_fit_at(const PeerNotes* notes, const CheckerWindows& w)
{
  if (notes == nullptr) return 0;
  const auto checked = notes->last_check();
  return checked ? *checked + w.recheck.count() : 0;
}

UnixSeconds udp_fit_at(const PeerNotes* notes, const CheckerWindows& w)
{
  if (notes == nullptr) return 0;
  const UnixSeconds flow = notes->udp_exchange ? *notes->udp_exchange + w.udp_flow.count() : 0;
  return std::max(flow, tcp_fit_at(notes, w));
}

CheckerChoice choose_checkers(const std::vector<Contact>& candidates, const CheckerMemory& memory, UnixSeconds now,
                              const CheckerWindows& windows, std::size_t tcp_wanted, std::size_t udp_wanted)
{
  CheckerChoice out;
  std::vector<UnixSeconds> tcp_times;
  std::vector<UnixSeconds> udp_times;
  std::set<std::uint32_t> tcp_fit_ips;
  for (const Contact& c : candidates) {
    const PeerNotes* notes = memory.find(c.ip);
    tcp_times.push_back(tcp_fit_at(notes, windows));
    udp_times.push_back(udp_fit_at(notes, windows));
    if (tcp_times.back() <= now) tcp_fit_ips.insert(c.ip);
    else ++out.checked_recently;
    if (udp_times.back() <= now) ++out.udp_fit;
    else if (notes != nullptr && notes->udp_exchange && *notes->udp_exchange + windows.udp_flow.count() > now)
      ++out.udp_flow_recent;
  }
  out.tcp_fit = tcp_fit_ips.size();

  // UDP checkers: from the back, those that may know us last.
  const std::size_t reserve = out.tcp_fit >= kMinTcpCheckers ? std::min(tcp_wanted, out.tcp_fit) : 0;
  std::size_t tcp_left = out.tcp_fit;
  std::set<std::uint32_t> udp_ips;
  for (const bool knowing : {false, true}) {
    for (std::size_t i = candidates.size(); i-- > 0;) {
      const Contact& c = candidates[i];
      if (out.udp.size() >= udp_wanted || udp_times[i] > now || udp_ips.contains(c.ip)) continue;
      if (may_know_us(memory.find(c.ip)) != knowing) continue;
      const bool also_tcp = tcp_fit_ips.contains(c.ip);
      if (also_tcp && tcp_left < reserve + 1) continue;  // the TCP test needs it
      if (also_tcp) --tcp_left;
      out.udp.push_back(c);
      udp_ips.insert(c.ip);
    }
  }
  // TCP checkers: those already useless for the UDP test first, so that the
  // fresh ones stay for a later UDP test.
  for (const bool udp_fit : {false, true}) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const Contact& c = candidates[i];
      if (out.tcp.size() >= tcp_wanted || tcp_times[i] > now || udp_ips.contains(candidates[i].ip)) continue;
      if ((udp_times[i] <= now) != udp_fit) continue;
      if (std::any_of(out.tcp.begin(), out.tcp.end(), [&](const Contact& t) { return t.ip == c.ip; })) continue;
      out.tcp.push_back(c);
    }
  }
  for (std::size_t i = 0; i < candidates.size() && out.udp_backups.size() < kMaxUdpBackups; ++i) {
    const Contact& c = candidates[i];
    const bool taken = udp_ips.contains(c.ip) ||
                       std::any_of(out.tcp.begin(), out.tcp.end(), [&](const Contact& t) { return t.ip == c.ip; }) ||
                       std::any_of(out.udp_backups.begin(), out.udp_backups.end(),
                                   [&](const Contact& b) { return b.ip == c.ip; });
    if (!taken && udp_times[i] <= now) out.udp_backups.push_back(c);
  }
  out.tcp_enough_at = enough_at(tcp_times, now, kMinTcpCheckers);
  out.udp_enough_at = enough_at(udp_times, now, 1);
  return out;
}

}  // namespace mulenet::kad
