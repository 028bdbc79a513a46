#include "ed2k/ed2k_error.hpp"

#include <string>

namespace mulenet::ed2k {
namespace {

struct Description {
  std::string_view code;
  std::string_view message;
  std::string_view fix;
};

Description describe(Ed2kErrc e) noexcept
{
  switch (e) {
    case Ed2kErrc::port_unavailable:
      return {"port-unavailable", "our eD2k TCP port cannot be listened on",
              "Stop aMule (it holds that port) or the other program that holds it, or give aMule another port "
              "(mulenet config set /eMule/Port); check that /eMule/Address is an address of this host."};
    case Ed2kErrc::identity:
      return {"identity", "our user hash cannot be made or saved",
              "Check that the directory of amule.conf (preferences.dat) is writable by this user, and that the "
              "system's random source works."};
    case Ed2kErrc::no_server:
      return {"no-server", "there is no eD2k server to ask",
              "Name one with --server IP:PORT, or give a server.met (aMule writes one next to amule.conf when it "
              "exits)."};
    case Ed2kErrc::bad_server:
      return {"bad-server", "a server named is not HOST:PORT",
              "Name the server as HOST:PORT, for example --server 203.0.113.10:4661."};
    case Ed2kErrc::server_met_unreadable:
      return {"server-met-unreadable", "the server.met cannot be read",
              "Check server.met next to amule.conf: it must be a readable server.met as aMule writes it; name a "
              "server with --server HOST:PORT meanwhile."};
    case Ed2kErrc::connect_failed:
      return {"connect-failed", "no TCP connection to the eD2k server",
              "Check that the server is up (another one from server.met may be), and that outgoing TCP is allowed; "
              "with a proxy, mulenet proxy test says whether it connects."};
    case Ed2kErrc::send_failed:
      return {"send-failed", "the login could not be sent to the server",
              "The connection broke at once: try again, or another server."};
    case Ed2kErrc::rejected:
      return {"rejected", "the server rejected the login (OP_REJECT)",
              "Try another server; some refuse Low ID clients or clients they do not know."};
    case Ed2kErrc::closed_before_id:
      return {"closed-before-id", "the server closed the connection before giving an ID",
              "The server is full or refused us: try another server."};
    case Ed2kErrc::no_id_in_time:
      return {"no-id-in-time", "the server gave no ID in time",
              "The server is busy or not an eD2k server: try another one."};
    case Ed2kErrc::broken_answer:
      return {"broken-answer", "the server sent a packet that cannot be parsed",
              "The server is broken or not an eD2k server: try another one."};
    case Ed2kErrc::connection_lost:
      return {"connection-lost", "the server closed the connection",
              "Servers drop clients when they restart or are full: connect to the same or another server again."};
    case Ed2kErrc::low_id_despite_forwarding:
      return {"low-id-despite-forwarding", "the server gave a Low ID although the router forwards our TCP port",
              "Such a server is overloaded or misconfigured (Network Connectivity: connect to another server); "
              "mulenet moves on to the next one of server.met. If every server gives a Low ID, the port is not "
              "reachable after all: run mulenet doctor."};
  }
  return {"unknown", "unknown eD2k error", ""};
}

class Ed2kCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mulenet.ed2k"; }
  std::string message(int ev) const override { return std::string(describe(static_cast<Ed2kErrc>(ev)).message); }
};

}  // namespace

const std::error_category& ed2k_category() noexcept
{
  static const Ed2kCategory category;  // immutable, as std::generic_category()
  return category;
}

std::error_code make_error_code(Ed2kErrc e) noexcept { return {static_cast<int>(e), ed2k_category()}; }
std::string_view code_name(Ed2kErrc e) noexcept { return describe(e).code; }
std::string_view fix_for(Ed2kErrc e) noexcept { return describe(e).fix; }

}  // namespace mulenet::ed2k
