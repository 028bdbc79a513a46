#pragma once
// The Engine's inside, on its one io_context: builds the services the options
// and amule.conf enable (today the Mapper), keeps the Status and turns every
// change into Events. The public Engine (engine.cpp) adds the thread, the
// thread-safe snapshot and the delivery of events.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mulenet/engine.hpp>

#include "config/port_plan.hpp"
#include "ec/ec_server.hpp"
#include "ed2k/server_keeper.hpp"
#include "engine/engine_config.hpp"
#include "engine/port_status.hpp"
#include "kad/kad_check.hpp"
#include "kad/kad_services.hpp"
#include "kad/routing_keeper.hpp"
#include "net/netlink_watch.hpp"
#include "portmap/mapper_service.hpp"
#include "web/status_server.hpp"

namespace mulenet::engine {

class Core {
 public:
  // Called on the io_context's thread for every event, with the Status after it.
  using Sink = std::function<void(const Event& event, const Status& status)>;

  Core(boost::asio::any_io_executor executor, EngineOptions options, LoadedConfig config, Sink sink);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Starts the services and keeps them until stop(); returns after that.
  boost::asio::awaitable<void> run();
  // Stops the services (router mappings removed, bounded by the router
  // timeout per request) and reports EngineStopped, the last event.
  // for_handover: our mappings stay for the next Engine (EngineOptions::adopt_mappings).
  boost::asio::awaitable<void> stop(portmap::KeepOnStop keep = portmap::KeepOnStop::nothing);

  [[nodiscard]] const Status& status() const { return status_; }
  // Called with the Status when it changes without an event worth one
  // (the number of Kad contacts).
  void on_quiet_change(std::function<void(const Status&)> fn) { quiet_sink_ = std::move(fn); }

  // The status page (EngineOptions::status_port), opened before the
  // io_context runs so that a busy port fails start(). False with `error`.
  bool open_status_page(std::string& error);
  [[nodiscard]] std::optional<std::uint16_t> status_page_port() const;
  // The EC server (EngineOptions::ec_server), opened like the status page.
  bool open_ec_server(std::string& error);
  [[nodiscard]] std::optional<std::uint16_t> ec_port() const;

  // A Kad check on the running services (EngineOptions::kad); its verdicts
  // become KadStatusChanged. Ignored while one runs or after stop().
  boost::asio::awaitable<void> check_kad();
  boost::asio::awaitable<void> check_kad_once();

 private:
  boost::asio::awaitable<void> start_mapper();
  void start_ed2k();
  void start_kad_checks();
  boost::asio::awaitable<void> keep_kad_checked();
  void request_kad_recheck();
  void watch_network();
  void on_network_change();
  [[nodiscard]] bool router_view_changed() const;
  void on_ed2k_change(const ed2k::ServerConnection& now, const std::string& problem, std::error_code code);
  boost::asio::awaitable<void> open_node_services();
  boost::asio::awaitable<void> open_node_services_now();
  void take_kad_report(const kad::KadCheckReport& report);
  void on_mapper_change(portmap::MapperChange change, std::string_view detail, const portmap::MapperState& state);
  void log_in_again_if_moved(portmap::MapperChange change);
  void on_relay_event(const proxy::ProxiedUdpLink::Event& e);
  void refresh(const portmap::MapperState* mapper);
  void add_outside(const std::vector<OutsideEvidence>& fresh);
  void start_routing_keeper();
  void save_routing_table();
  void publish_quietly();
  void emit(const Event& event);
  void publish(const Event& event);

  boost::asio::any_io_executor executor_;
  EngineOptions options_;
  LoadedConfig config_;
  config::PortPlan plan_;
  Sink sink_;
  std::function<void(const Status&)> quiet_sink_;
  std::shared_ptr<kad::RoutingKeeper> routing_keeper_;
  std::optional<std::string> kad_public_ip_;  // as the last Kad check saw it: nodes.dat binds keys to it  // with Kad: the routing table kept as aMule keeps it
  Status status_;
  std::unique_ptr<portmap::Mapper> mapper_;
  kad::NodeIdentity identity_;                 // loaded once, when the node opens
  std::optional<kad::NodeServices> services_;  // EngineOptions::kad/ed2k: the node and listener checks borrow
  std::unique_ptr<web::StatusServer> web_;     // EngineOptions::status_port: the page and API
  std::unique_ptr<ec::EcServer> ec_;           // EngineOptions::ec_server: amulecmd & co. read our state
  std::vector<ec::AmuleServer> ec_servers_;    // the server list EC shows (server.met's, as the keeper takes them)
  std::unique_ptr<ed2k::ServerKeeper> keeper_;  // EngineOptions::ed2k: the server session
  bool ed2k_running_ = false;
  // The host's address changed: the server is asked again once the ports are
  // mapped for the new address (before, its connect-back would give a Low ID).
  bool log_in_after_mapping_ = false;
  bool relay_lost_ = false;  // Kad's UDP association through the proxy is being made again
  boost::asio::steady_timer ed2k_done_;  // cancelled when the keeper's run() ended
  std::unique_ptr<net::NetlinkWatch> netlink_;  // this host's addresses and routes (with a Mapper)
  boost::asio::steady_timer network_settle_;    // a burst of netlink messages is one change
  bool kad_loop_running_ = false;
  bool kad_recheck_asked_ = false;
  boost::asio::steady_timer kad_wake_;       // the next periodic check; cancelled for an early one
  boost::asio::steady_timer kad_loop_done_;  // cancelled when keep_kad_checked() ended
  bool checking_ = false;
  bool check_again_ = false;  // asked while a check (or its join) ran: one more after it
  bool services_opening_ = false;
  boost::asio::steady_timer services_opened_;  // cancelled when open_node_services() ended
  boost::asio::steady_timer check_done_;  // cancelled when a check ended (stop() waits for it)
  boost::asio::steady_timer run_done_;
  std::vector<boost::asio::steady_timer*> stop_waiters_;  // cancelled by stop()
  std::vector<OutsideEvidence> outside_;  // what peers outside showed about our ports, latest last
  std::string last_problem_;  // the RouterProblem said last ("" after a success)
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace mulenet::engine
