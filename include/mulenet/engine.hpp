#pragma once
// mulenet::Engine: the connectivity engine a P2P client embeds. It owns one
// network thread with everything that keeps the node reachable (today: the
// router mappings of the ports amule.conf's UPnP toggles select, kept and
// renewed; with EngineOptions::kad our Kad node and listener, checked on
// demand; with EngineOptions::ed2k an eD2k server session), keeps the Status
// and reports Events. See docs/EMBEDDING.md.
//
//   mulenet::EngineOptions o;  o.config_path = "/home/u/.aMule/amule.conf";
//   mulenet::Engine engine(o);
//   engine.on_event([](const mulenet::Event& e) { std::puts(mulenet::describe(e).c_str()); });
//   engine.start();                       // returns at once
//   std::string j = mulenet::to_json(engine.status());
//   engine.stop();                        // removes our router mappings (bounded)
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <mulenet/event.hpp>
#include <mulenet/export.hpp>
#include <mulenet/status.hpp>

namespace mulenet {

struct EngineOptions {
  // amule.conf; empty: ~/.aMule/amule.conf. Its ports, UPnP toggles and proxy are used as aMule would.
  std::filesystem::path config_path;
  // Map the ports the UPnP toggles select (PCP > NAT-PMP > UPnP IGD), keep
  // them, remove them on stop(). A crash leaves a journal next to amule.conf;
  // the next start removes what it lists.
  bool map_ports = true;
  // Take over the mappings an Engine on the same amule.conf left with
  // stop_keeping_mappings(): those this start asks for again (same port, same
  // router, protocol and address) are renewed where they are, the others
  // removed. Without it, a start removes everything the journal lists.
  bool adopt_mappings = false;
  std::optional<MappingVia> via;          // only this protocol; none: the best that answers
  std::optional<std::string> gateway;     // ask this router instead of the default gateway
  std::uint32_t lease_seconds = 3600;     // asked of the router; renewed long before it ends
  std::chrono::milliseconds router_timeout{3000};  // each request to the router
  // Every mapping is asked for again this often (renewal and read-back),
  // and at half the lease at the latest.
  std::chrono::seconds check_period{5};
  // Run our Kad node on the Kad UDP port and the client listener on the TCP
  // port, as aMule does (so not beside a running aMule, which holds them).
  // check_kad_now() borrows them; the node keeps answering other nodes.
  bool kad = false;
  // With kad: check our ports at start, then this often (aMule's cadence is
  // an hour), and again a few seconds after the router's state changed (a
  // mapping lost or put back, a restart, a new external address). 0: only
  // when check_kad_now() asks.
  std::chrono::seconds kad_check_period{0};
  // With kad: our routing table kept as aMule keeps it, one round this often
  // (aMule: a minute): a HELLO to each zone's longest-silent contact whose
  // time is up, the dead removed; our own ID looked up after 3 rounds, then
  // every 4 hours. status().kad.contacts counts the table after each round.
  std::chrono::seconds kad_upkeep_period{60};
  // Keep an eD2k server session, as aMule's "connect" does: log in to the
  // servers of the server.met next to amule.conf in turn, hold the first that
  // gives an ID, move on when it drops us. The client listener on the TCP
  // port answers the server's connect-back (so not beside a running aMule).
  // The ID (High or Low) arrives as Ed2kIdChanged and in status().ed2k.
  bool ed2k = false;
  // Serve the status page and its JSON API (GET /, /api/status, /api/events
  // as Server-Sent Events; docs/EMBEDDING.md) on this TCP port, 0 for any
  // free one: what `mulenet run` does with [mulenet] StatusAddress and
  // StatusPort. Off a loopback address it asks for aMule's web password
  // ([WebServer] Password). None: no server. start() throws EngineError
  // when it cannot listen (the message names the holder of the port).
  std::optional<std::uint16_t> status_port;
  std::string status_address = "127.0.0.1";
  // Serve aMule's External Connections protocol, so that amulecmd, amulegui
  // and amuleweb show this node's ID, server and Kad state: on amule.conf's
  // [ExternalConnect] ECPort, at ECAddress (loopback when it is empty), with
  // ECPassword (required: start() throws EngineError without one, or when the
  // port is busy). Only when AcceptExternalConnections=1; not beside a running
  // aMule (it serves EC itself). `mulenet run` sets it.
  bool ec_server = false;
  // Where events are delivered. Empty: on the engine's own thread (the handler
  // must return quickly and must not call stop()). Set it to hand each event
  // to your own loop instead, e.g. with Boost.Asio:
  //   o.post_event = [ex](std::function<void()> f) { boost::asio::post(ex, std::move(f)); };
  std::function<void(std::function<void()>)> post_event;
};

// A config that cannot be used (unreadable, invalid values): what and how to fix it.
class MULENET_API EngineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MULENET_API Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();  // stop()s if still running
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Set before start(); called for every event (see EngineOptions::post_event).
  void on_event(std::function<void(const Event&)> handler);

  // Reads amule.conf (throws EngineError when it is unreadable or invalid),
  // then starts the network thread and returns at once. Once only.
  void start();
  // A snapshot of the Status; safe from any thread, at any time.
  [[nodiscard]] Status status() const;
  // Stops the services and removes our router mappings, then joins the
  // thread. Blocks at most `limit` (a router that stops answering leaves the
  // mappings in the journal for the next start). No event after it returns;
  // the last one is EngineStopped. Safe to call twice, from any thread but
  // the engine's own (an event handler).
  void stop(std::chrono::milliseconds limit = std::chrono::milliseconds(15000));
  // As stop(), but our router mappings stay in place (and in the journal)
  // for the next Engine on the same amule.conf, started with
  // EngineOptions::adopt_mappings: a reload keeps the ports that did not
  // change forwarded without a gap (`mulenet run` on SIGHUP). A start without
  // adopt_mappings removes them, as after a crash.
  void stop_keeping_mappings(std::chrono::milliseconds limit = std::chrono::milliseconds(15000));
  [[nodiscard]] bool running() const;
  // Asks Kad nodes (the nodes.dat next to amule.conf) whether our TCP and UDP
  // ports are open, on the running node and listener (EngineOptions::kad).
  // Returns at once; the verdicts arrive as KadStatusChanged and in
  // status().kad (open / firewalled, or unknown with the reason in a
  // ServiceProblem). One check at a time: a call during a check is ignored.
  void check_kad_now();
  // The port the status page listens on (EngineOptions::status_port), once started.
  [[nodiscard]] std::optional<std::uint16_t> status_page_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The library's version, "0.1.0".
[[nodiscard]] MULENET_API const char* version();

}  // namespace mulenet
