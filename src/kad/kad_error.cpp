#include "kad/kad_error.hpp"

#include <string>

namespace mulenet::kad {
namespace {

struct Description {
  std::string_view code;
  std::string_view message;
  std::string_view fix;
};

Description describe(KadErrc e) noexcept
{
  switch (e) {
    case KadErrc::udp_disabled:
      return {"udp-disabled", "the Kad/extended UDP port is disabled in amule.conf (/eMule/UDPEnable=0)",
              "Turn it on: mulenet config set /eMule/UDPEnable 1 (aMule's Kad needs it too)."};
    case KadErrc::udp_port_unavailable:
      return {"udp-port-unavailable", "the Kad UDP port cannot be bound",
              "Stop aMule (its Kad holds that port) or the other program that holds it, or give aMule another "
              "UDP port (mulenet config set /eMule/UDPPort); check that /eMule/Address is an address of this host."};
    case KadErrc::strict_proxy_refuses_udp:
      return {"strict-proxy-refuses-udp", "strict proxy mode, and the proxy carries no UDP (only SOCKS5 does)",
              "Use a SOCKS5 proxy (mulenet config set /Proxy/ProxyType 0), or turn strict mode off with "
              "mulenet config set /mulenet/ProxyStrict 0."};
    case KadErrc::proxy_incomplete:
      return {"proxy-incomplete", "the proxy is on, but its host or port is missing",
              "Set /Proxy/ProxyName and /Proxy/ProxyPort (mulenet config set), or turn the proxy off."};
    case KadErrc::no_udp_association:
      return {"no-udp-association", "the SOCKS5 proxy gave no UDP association, so Kad cannot go through it",
              "Check that the proxy allows UDP ASSOCIATE (dante: a udpassociate rule; microsocks has none), "
              "or use another proxy: mulenet proxy test shows what it allows."};
    case KadErrc::identity:
      return {"identity", "our user hash, Kad ID or Kad UDP key cannot be made or saved",
              "Check that the directory of amule.conf (preferences.dat, preferencesKad.dat) is writable by this "
              "user, and that the system's random source works."};
    case KadErrc::bad_bootstrap:
      return {"bad-bootstrap", "a bootstrap address is not IPv4:port",
              "Give the bootstrap node as IPv4:port, for example --bootstrap 203.0.113.7:4672."};
    case KadErrc::nodes_dat_unreadable:
      return {"nodes-dat-unreadable", "the nodes.dat cannot be read",
              "Check the file named (or nodes.dat next to amule.conf): it must be a readable nodes.dat as aMule "
              "writes it; give another with --nodes FILE or a node with --bootstrap IP:PORT."};
    case KadErrc::no_nodes:
      return {"no-nodes", "there is no Kad node to start from",
              "Give a nodes.dat (--nodes FILE; aMule writes one next to amule.conf when it exits) or a node with "
              "--bootstrap IP:PORT."};
    case KadErrc::too_few_contacts:
      return {"too-few-contacts", "too few usable Kad contacts for a check that can tell",
              "Give more nodes with --nodes FILE or --bootstrap IP:PORT (a fresh nodes.dat from a running aMule)."};
    case KadErrc::no_answer:
      return {"no-answer", "none of the Kad nodes asked answered",
              "Check that outgoing UDP is allowed (a firewall, the proxy), and give fresher nodes (--nodes FILE): "
              "an old nodes.dat has mostly gone nodes."};
  }
  return {"unknown", "unknown Kad error", ""};
}

class KadCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mulenet.kad"; }
  std::string message(int ev) const override { return std::string(describe(static_cast<KadErrc>(ev)).message); }
};

}  // namespace

const std::error_category& kad_category() noexcept
{
  static const KadCategory category;  // immutable, as std::generic_category()
  return category;
}

std::error_code make_error_code(KadErrc e) noexcept { return {static_cast<int>(e), kad_category()}; }
std::string_view code_name(KadErrc e) noexcept { return describe(e).code; }
std::string_view fix_for(KadErrc e) noexcept { return describe(e).fix; }

}  // namespace mulenet::kad
