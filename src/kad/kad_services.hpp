#pragma once
// The services every Kad use-case borrows: our Kad node on the UDP port (or
// through the SOCKS5 relay), the client listener on our TCP port, and the
// Dialer for every outgoing TCP connection. Opened once by their owner (the
// Engine, a command, the doctor), lent to the checks and lookups, stopped by
// the owner. A check never opens a port of its own.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "ed2k/client_listener.hpp"
#include "ed2k/wire.hpp"
#include "kad/kad_id.hpp"
#include "kad/kad_node.hpp"
#include "proxy/dialer.hpp"
#include "proxy/socks5_udp.hpp"

namespace mulenet::kad {

struct KadServices {
  std::shared_ptr<KadNode> node;
  std::shared_ptr<ed2k::ClientListener> listener;  // null: another program holds our TCP port
  std::shared_ptr<proxy::Dialer> dialer;
  std::shared_ptr<proxy::Socks5UdpAssociation> relay;  // set: Kad UDP goes through the proxy
  ed2k::Identity me;                                   // what our Hellos say
  std::vector<std::string> notes;  // how they were opened: the proxy's route, a port another program holds
  // Others' UDP tests (OP_FWCHECKUDPREQ arrives over TCP on the listener) are
  // done by the node, as aMule does, for as long as the services live.
  ed2k::ClientListener::Subscription udp_tests;
};

struct KadServicesOptions {
  config::Settings settings;  // ports, bind address, proxy
  KadId id;
  std::uint32_t udp_key = 0;
  ed2k::Hash16 user_hash{};
  bool listen = true;  // false: do not open the TCP port (someone else answers on it)
};

// nullopt and `error` set when Kad cannot run: the UDP port is taken (aMule
// running?), strict proxy mode without a SOCKS5 UDP association, UDP disabled.
boost::asio::awaitable<std::optional<KadServices>> open_kad_services(KadServicesOptions options, std::string& error);

// Stops the node and the listener (no callback after this).
void stop_kad_services(KadServices& services);

}  // namespace mulenet::kad
