#pragma once
// The services every Kad use-case borrows: our Kad node on the UDP port (or
// through the SOCKS5 relay), the client listener on our TCP port, and the
// Dialer for every outgoing TCP connection. Opened once by their owner (the
// Engine, a command, the doctor), lent to the checks and lookups, stopped by
// the owner. A check never opens a port of its own.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "ed2k/client_listener.hpp"
#include "ed2k/ed2k_services.hpp"
#include "ed2k/wire.hpp"
#include "kad/kad_id.hpp"
#include "kad/kad_node.hpp"
#include "kad/kad_seeds.hpp"
#include "proxy/dialer.hpp"
#include "proxy/proxied_udp_link.hpp"
#include "proxy/socks5_udp.hpp"

namespace mulenet::kad {

struct KadServices {
  std::shared_ptr<KadNode> node;
  std::shared_ptr<ed2k::ClientListener> listener;  // null: another program holds our TCP port
  std::shared_ptr<proxy::Dialer> dialer;
  std::shared_ptr<proxy::Socks5UdpAssociation> relay;  // set: Kad UDP goes through the proxy
  std::shared_ptr<proxy::ProxiedUdpLink> link;         // set instead: through the proxy, kept up
  ed2k::Identity me;                                   // what our Hellos say
  std::vector<std::string> notes;  // how they were opened: the proxy's route, a port another program holds
  // Others' UDP tests (OP_FWCHECKUDPREQ arrives over TCP on the listener) are
  // done by the node, as aMule does, for as long as the services live.
  ed2k::ClientListener::Subscription udp_tests;
  bool owns_listener = false;  // opened here (stopped with the node), not borrowed
};

struct KadServicesOptions {
  config::Settings settings;  // ports, bind address, proxy
  KadId id;
  std::uint32_t udp_key = 0;
  ed2k::Hash16 user_hash{};
  bool listen = true;  // false: do not open the TCP port (someone else answers on it)
  // Set: borrowed from their owner (the eD2k side opened them) instead of
  // opened here; a null listener with `listen_error` says why there is none.
  std::shared_ptr<ed2k::ClientListener> listener;
  std::string listen_error;
  std::shared_ptr<proxy::Dialer> dialer;
  // Through a SOCKS5 proxy: keep the UDP association up (a ProxiedUdpLink
  // makes it again when the proxy ends it) and tell `on_relay_event`; else
  // its loss ends the node (one-shot commands: they report it).
  bool keep_relay_up = false;
  std::function<void(const proxy::ProxiedUdpLink::Event&)> on_relay_event;
};

// nullopt and `error` set when Kad cannot run: the UDP port is taken (aMule
// running?), strict proxy mode without a SOCKS5 UDP association, UDP disabled.
// `code` says the same as a KadErrc (kad_error.hpp).
boost::asio::awaitable<std::optional<KadServices>> open_kad_services(KadServicesOptions options, std::string& error,
                                                                   std::error_code& code);

// Stops the node and, unless it was borrowed, the listener (no callback after this).
void stop_kad_services(KadServices& services);

// Everything a node runs for both networks, opened together: one listener
// on our TCP port and one Dialer (the eD2k side), and the Kad node borrowing
// them. The owner (a command, the doctor, the Engine) lends them out.
struct NodeServices {
  ed2k::Ed2kServices ed2k;
  std::optional<KadServices> kad;  // none: not asked, or it could not run (kad_error)
  std::string kad_error;
  std::error_code kad_code;  // with kad_error: its KadErrc
};
struct NodeServicesOptions {
  config::Settings settings;
  ed2k::Hash16 user_hash{};
  KadId kad_id;
  std::uint32_t udp_key = 0;
  bool with_kad = true;
  bool listen = true;  // false: someone else (aMule) answers on our TCP port
  std::string nick = "mulenet";
  bool keep_relay_up = false;  // as KadServicesOptions
  std::function<void(const proxy::ProxiedUdpLink::Event&)> on_relay_event;
};
// The options for our node: the settings and who we are (user hash, Kad ID, UDP key).
[[nodiscard]] NodeServicesOptions node_services_options(const config::Settings& settings, const NodeIdentity& identity);
boost::asio::awaitable<NodeServices> open_node_services(NodeServicesOptions options);
void stop_node_services(NodeServices& services);

}  // namespace mulenet::kad
