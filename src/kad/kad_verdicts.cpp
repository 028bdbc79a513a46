#include "kad/kad_verdicts.hpp"

#include <fmt/format.h>

namespace mulenet::kad {
namespace {

VerdictWithReason unknown(std::string reason, std::optional<std::int64_t> retry = std::nullopt)
{
  if (retry && *retry < 1) retry = 1;
  return {Verdict::unknown, std::move(reason), retry};
}

std::string left_out_tcp(const TcpCheckEvidence& e)
{
  if (e.checked_recently == 0) return "";
  return fmt::format("; {} known node(s) checked us within the last {} s and were not asked again (amuled would "
                     "answer from its earlier check or not at all)",
                     e.checked_recently, e.recheck_window.count());
}

std::string left_out_udp(const UdpCheckEvidence& e)
{
  std::string text;
  if (e.flow_recent > 0)
    text += fmt::format("; {} known node(s) exchanged UDP with our Kad port within the last {} s (a firewall or "
                        "NAT may still let their datagrams in)",
                        e.flow_recent, e.flow_window.count());
  if (e.checked_recently > 0)
    text += fmt::format("; {} known node(s) checked us within the last {} s", e.checked_recently,
                        e.recheck_window.count());
  return text;
}

}  // namespace

const char* to_string(Verdict v)
{
  switch (v) {
    case Verdict::open: return "open";
    case Verdict::firewalled: return "firewalled";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

VerdictWithReason decide_tcp(const TcpCheckEvidence& e)
{
  if (e.acked >= 2)
    return {Verdict::open, fmt::format("{} Kad nodes that had not checked us recently connected to our TCP port", e.acked),
            std::nullopt};
  if (e.port_lost && e.acked == 0)
    return unknown("our Kad UDP port went away during the check: the nodes' answers were lost");
  if (!e.listening)
    return unknown("another program holds our TCP port, so the nodes' acknowledgements went to it (stop it, e.g. "
                   "aMule, while checking)");
  if (e.acked == 1 && e.answered > 1)
    return unknown(fmt::format("only 1 of the {} nodes that said they would try reached our TCP port (2 are needed); "
                               "the port may be reachable from some addresses only, or a node was slow",
                               e.answered));
  if (e.acked == 1)
    return unknown(fmt::format("only 1 Kad node reached our TCP port (2 are needed); the other {} asked did not answer",
                               e.asked > 1 ? e.asked - 1 : 0),
                   std::int64_t{60});
  if (e.answered >= 2)
    return {Verdict::firewalled,
            fmt::format("{} Kad nodes that had not checked us recently said they would connect to our TCP port; none "
                        "got through",
                        e.answered),
            std::nullopt};
  if (e.asked < 2)
    return unknown(fmt::format("only {} Kad node(s) could be asked to check our TCP port (2 are needed){}", e.asked,
                               left_out_tcp(e)),
                   e.enough_fit_in_s);
  return unknown(fmt::format("only {} of the {} Kad nodes asked answered (2 are needed); they may be busy or gone",
                             e.answered, e.asked),
                 std::int64_t{60});
}

VerdictWithReason decide_udp(const UdpCheckEvidence& e)
{
  if (e.arrived >= 1)
    return {Verdict::open,
            "a Kad node with no UDP flow to our port (none in the last " + std::to_string(e.flow_window.count()) +
                " s) reached it",
            std::nullopt};
  if (e.port_lost) return unknown("our Kad UDP port went away during the check: datagrams to it were lost");
  if (e.request_via_proxy)
    return unknown("the UDP test is asked over TCP through the proxy, so the nodes would send their test datagram "
                   "to the proxy's address, not to us: no UDP verdict through this proxy (SOCKS5 relays Kad UDP)");
  if (e.spoiled)
    return unknown("our Kad node sent to the checker on its own during the check (e.g. the UDP test it asked of "
                   "us), so its datagram could have come in through that flow",
                   std::int64_t{60});
  if (e.declined >= 1)
    return unknown(fmt::format("the node(s) asked already knew our address and declined the test (their answer did "
                               "reach our port, {} other(s) stayed silent)",
                               e.delivered > e.declined ? e.delivered - e.declined : 0));
  if (e.delivered >= kMinSilentUdpCheckers)
    return {Verdict::firewalled,
            fmt::format("{} Kad node(s) with no UDP flow to our port took the test; nothing from them arrived",
                        e.delivered),
            std::nullopt};
  if (e.delivered == 1)
    return unknown(fmt::format("only 1 Kad node took the UDP test and nothing from it arrived; one silent node may be "
                               "busy or gone, so as aMule {} must stay silent before UDP is called firewalled",
                               kMinSilentUdpCheckers),
                   std::int64_t{60});
  if (e.fit == 0)
    return unknown("no known Kad node is fit for the UDP test" + left_out_udp(e), e.enough_fit_in_s);
  if (e.chosen == 0)
    return unknown(fmt::format("the {} Kad node(s) fit for the UDP test were needed for the TCP test (too few nodes "
                               "known: give more with --bootstrap IP:PORT)",
                               e.fit));
  return unknown(fmt::format("none of the {} Kad node(s) fit for the UDP test took the request", e.fit),
                 std::int64_t{60});
}

}  // namespace mulenet::kad
