#include "engine/engine_core.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "engine/error_names.hpp"
#include "engine/port_status.hpp"
#include "engine/status_json.hpp"
#include "ed2k/servers_to_ask.hpp"
#include "engine/amule_state_from_status.hpp"
#include "kad/nodes_dat_save.hpp"
#include "kad/checker_memory.hpp"
#include "kad/kad_seeds.hpp"
#include "net/default_gateway.hpp"
#include "net/json_utf8.hpp"
#include "net/local_address.hpp"
#include "portmap/journal.hpp"
#include "portmap/router_memory.hpp"
#include "portmap/portmap_error.hpp"

namespace mulenet::engine {
namespace {

namespace asio = boost::asio;

std::optional<ProxyStatus> proxy_status(const config::ProxySettings& p)
{
  if (!p.enabled) return std::nullopt;
  ProxyStatus s;
  switch (p.type) {
    case config::ProxyType::socks5: s.type = ProxyType::socks5; break;
    case config::ProxyType::socks4: s.type = ProxyType::socks4; break;
    case config::ProxyType::socks4a: s.type = ProxyType::socks4a; break;
    case config::ProxyType::http: s.type = ProxyType::http; break;
  }
  s.host = p.host;
  s.port = p.port;
  s.strict = p.strict;
  return s;
}

portmap::MapperOptions mapper_options(const EngineOptions& o, const LoadedConfig& c)
{
  portmap::MapperOptions m;
  if (o.via) {
    switch (*o.via) {
      case MappingVia::upnp: m.via = portmap::Via::upnp; break;
      case MappingVia::natpmp: m.via = portmap::Via::natpmp; break;
      case MappingVia::pcp: m.via = portmap::Via::pcp; break;
    }
  }
  m.lease_seconds = o.lease_seconds;
  m.timeout = o.router_timeout;
  m.journal_path = portmap::journal_path_for(c.path);
  m.router_memory_path = portmap::router_memory_path_for(c.path);
  m.gateway_override = o.gateway;
  m.adopt_journal = o.adopt_mappings;
  return m;
}

bool anything_to_map(const config::PortPlan& plan)
{
  return std::any_of(plan.ports.begin(), plan.ports.end(), [](const config::PlannedPort& p) { return p.upnp; });
}

// aMule tries the servers of its list in turn; more than this many in one round is hammering.
constexpr std::size_t kMaxEd2kServers = 16;

std::string code_of(const std::error_code& code) { return code_name_of(code).value_or(""); }

}  // namespace

Core::Core(asio::any_io_executor executor, EngineOptions options, LoadedConfig config, Sink sink)
    : executor_(executor), options_(std::move(options)), config_(std::move(config)),
      plan_(config::make_port_plan(config_.settings)), sink_(std::move(sink)), ed2k_done_(executor), network_settle_(executor), kad_wake_(executor), kad_loop_done_(executor),
      services_opened_(executor), check_done_(executor), run_done_(executor)
{
  status_.proxy = proxy_status(config_.settings.proxy);
  status_.ports = port_statuses(plan_, MappingView{options_.map_ports, nullptr});
}

Core::~Core() = default;

void Core::emit(const Event& event)
{
  if (sink_) sink_(event, status_);
  if (web_) publish(event);
  if (ec_) ec_->publish(amule_state_from(status_), ec_servers_);
}

// To the page: the event with the time it happened (a page opened later
// still shows when), then the status after it.
void Core::publish(const Event& event)
{
  boost::json::value v = boost::json::value_from(event);
  v.as_object()["at"] = iso8601_utc(std::chrono::system_clock::now());
  net::make_json_utf8(v);
  web_->publish_event(event_name(event), boost::json::serialize(v));
  web_->publish_status(to_json(status_));
}

bool Core::open_status_page(std::string& error)
{
  if (!options_.status_port) return true;
  web::StatusServerOptions o;
  o.address = options_.status_address;
  o.port = *options_.status_port;
  o.password_md5 = config_.settings.web_password_md5;
  web_ = web::StatusServer::start(executor_, o, error);
  if (!web_) return false;
  web_->publish_status(to_json(status_));
  if (options_.kad) web_->on_check_kad([this] { asio::co_spawn(executor_, check_kad(), asio::detached); });
  return true;
}

bool Core::open_ec_server(std::string& error)
{
  if (!options_.ec_server || !config_.settings.ec_enabled) return true;
  const config::Settings& s = config_.settings;
  ec::EcServerOptions o;
  o.address = s.ec_address.empty() ? "127.0.0.1" : s.ec_address;  // all interfaces only when ECAddress says 0.0.0.0
  o.port = s.ec_port;
  o.password_md5 = s.ec_password_md5;
  o.server_version = std::string("mulenet ") + MULENET_VERSION;
  o.on_wrong_password = [this](std::string_view line) {
    if (!stopping_) emit(ServiceProblem{"ec", std::string(line), "wrong-password"});
  };
  ec_ = ec::EcServer::start(executor_, o, error);
  if (!ec_) return false;
  ec_servers_ = amule_servers_from(ed2k::servers_to_ask(config_.path, {}, kMaxEd2kServers).servers);
  ec_->publish(amule_state_from(status_), ec_servers_);
  return true;
}

std::optional<std::uint16_t> Core::ec_port() const
{
  return ec_ ? std::optional<std::uint16_t>(ec_->port()) : std::nullopt;
}

std::optional<std::uint16_t> Core::status_page_port() const
{
  return web_ ? std::optional<std::uint16_t>(web_->port()) : std::nullopt;
}

void Core::refresh(const portmap::MapperState* mapper)
{
  if (!mapper && mapper_) mapper = &mapper_->state();
  Status next = status_;
  next.ports = port_statuses(plan_, MappingView{options_.map_ports, mapper}, outside_);
  if (mapper && mapper->mapped_once) next.router = router_status(*mapper);
  next.updated_at = std::chrono::system_clock::now();
  const std::vector<Event> events = status_changes(status_, next);
  status_ = std::move(next);
  for (const Event& e : events) emit(e);
}

// New evidence from outside replaces the older of the same ports; the ports'
// states follow (PortChanged when one changes).
void Core::add_outside(const std::vector<OutsideEvidence>& fresh)
{
  for (const OutsideEvidence& e : fresh) {
    std::erase_if(outside_, [&](const OutsideEvidence& old) { return old.port_name == e.port_name; });
    outside_.push_back(e);
  }
  refresh(nullptr);
}

void Core::on_mapper_change(portmap::MapperChange change, std::string_view detail, const portmap::MapperState& state)
{
  if (stopping_) return;
  if (change == portmap::MapperChange::router_restarted) emit(RouterRestarted{std::string(detail)});
  if (change == portmap::MapperChange::network_changed) emit(NetworkChanged{std::string(detail)});
  // The router's state changed: what peers outside showed before no longer
  // tells (a lost mapping, another address); "mapped" until checked again.
  if (change != portmap::MapperChange::events) {
    outside_.clear();
    if (change != portmap::MapperChange::router_event) request_kad_recheck();
  }
  log_in_again_if_moved(change);
  refresh(&state);
  if (change != portmap::MapperChange::mapped) return;
  // The plan is tried again every minute while nothing can be mapped: the
  // same problem is said once, a new one (or its end) again.
  if (!state.error.empty() && state.error != last_problem_) emit(RouterProblem{state.error, code_of(state.code)});
  last_problem_ = state.error;
}

// Our address as peers see it changed: the server's ID names the old one.
// The router's new external address keeps our mappings, so at once; a new
// LAN address or router first needs them made again, so after that round.
void Core::log_in_again_if_moved(portmap::MapperChange change)
{
  if (!keeper_) return;
  if (change == portmap::MapperChange::network_changed) log_in_after_mapping_ = true;
  const bool remapped = change == portmap::MapperChange::mapped && log_in_after_mapping_;
  if (remapped) log_in_after_mapping_ = false;
  if (remapped || change == portmap::MapperChange::external_address) keeper_->log_in_again();
}

asio::awaitable<void> Core::start_mapper()
{
  if (options_.adopt_mappings && (!options_.map_ports || !anything_to_map(plan_))) {
    // Handed mappings that this Engine will not keep: removed now, not left to lapse.
    co_await portmap::unmap_journal(mapper_options(options_, config_));
  }
  if (!options_.map_ports) co_return;
  if (!anything_to_map(plan_)) {
    emit(RouterProblem{"nothing to map: UPnP is off in " + config_.path.string() +
                           " (mulenet config set /eMule/UPnPEnabled 1; EC and web have their own toggles)",
                       code_of(portmap::PortmapErrc::nothing_to_map)});
    co_return;
  }
  portmap::KeepOptions keep;
  keep.check_period = options_.check_period;
  keep.event_port = config_.settings.upnp_tcp_port;
  mapper_ = std::make_unique<portmap::Mapper>(executor_, plan_, mapper_options(options_, config_), keep);
  mapper_->on_change([this](portmap::MapperChange c, std::string_view d, const portmap::MapperState& s) {
    on_mapper_change(c, d, s);
  });
  co_await mapper_->start();
  if (!stopping_) watch_network();
}

// A new LAN address, another gateway or default route: the Mapper finds the
// router again at once (not at the next renewal), and Kad is checked again.
void Core::watch_network()
{
  std::string error;
  netlink_ = net::NetlinkWatch::start(executor_, [this] { on_network_change(); }, error);
  if (!netlink_) emit(ServiceProblem{"router", error + " (changes of address or route are noticed at the next renewal)", ""});
}

void Core::on_network_change()
{
  if (stopping_) return;
  network_settle_.expires_after(std::chrono::seconds(1));
  network_settle_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_ || !mapper_) return;
    if (router_view_changed()) mapper_->network_changed();
  });
}

// Whether the way to the router is another than the one the mappings were
// made on (or none was made: a router may have come up).
bool Core::router_view_changed() const
{
  const portmap::MapperState& m = mapper_->state();
  if (!m.mapped_once || m.outcomes.empty() || !m.error.empty()) return true;
  std::string gateway = options_.gateway.value_or("");
  if (gateway.empty()) {
    const auto found = net::default_gateway();
    if (!found) return true;
    gateway = found->address;
  }
  if (gateway != m.gateway.value_or("")) return true;
  std::string error;
  return net::local_address_toward(gateway, error).value_or("") != m.local_address;
}

// Our Kad node and the listener, as aMule runs them, for the checks to borrow.
asio::awaitable<void> Core::open_node_services()
{
  services_opening_ = true;
  services_opened_.expires_at(asio::steady_timer::time_point::max());
  co_await open_node_services_now();
  services_opening_ = false;
  services_opened_.cancel();
}

asio::awaitable<void> Core::open_node_services_now()
{
  identity_ = kad::load_node_identity(config_.path, true);
  if (!identity_.error.empty()) {
    emit(ServiceProblem{"kad", identity_.error, code_of(identity_.code)});
    co_return;
  }
  kad::NodeServicesOptions so = kad::node_services_options(config_.settings, identity_);
  so.with_kad = options_.kad;
  so.keep_relay_up = true;  // a proxy that ends Kad's UDP association: made again, not the end of Kad
  so.on_relay_event = [this](const proxy::ProxiedUdpLink::Event& e) { on_relay_event(e); };
  services_ = co_await kad::open_node_services(so);
  if (!services_->ed2k.listener)
    emit(ServiceProblem{"listener", services_->ed2k.listen_error, code_of(services_->ed2k.listen_code)});
  if (!options_.kad) co_return;
  KadStatus k = status_.kad;
  k.state = services_->kad ? KadState::bootstrapping : KadState::stopped;
  status_.kad = k;
  if (!services_->kad) emit(ServiceProblem{"kad", services_->kad_error, code_of(services_->kad_code)});
  emit(KadStatusChanged{status_.kad});
  if (services_->kad) start_routing_keeper();
}

// Our node stays a good citizen while the Engine runs: its contacts asked
// again as aMule asks them, the dead removed, our own ID looked up. Our
// HELLOs say what the checks found (a firewalled node must say so: aMule
// does not add one whose UDP is firewalled).
void Core::start_routing_keeper()
{
  kad::RoutingKeeperOptions o;
  o.round_every = options_.kad_upkeep_period;
  o.tcp_port = config_.settings.tcp_port;
  o.misc_options = [this] {
    std::uint8_t misc = 0;
    if (status_.kad.udp == Reachability::firewalled) misc |= 0x01;
    if (status_.kad.tcp == Reachability::firewalled) misc |= 0x02;
    return misc;
  };
  o.on_round = [this](std::size_t contacts) {
    if (stopping_ || status_.kad.contacts == contacts) return;
    status_.kad.contacts = contacts;
    publish_quietly();
  };
  routing_keeper_ = kad::RoutingKeeper::start(executor_, services_->kad->node, o);
}

// As aMule when Kad stops: our routing table into the nodes.dat next to
// amule.conf, when it holds at least 25 contacts.
void Core::save_routing_table()
{
  std::string error;
  if (kad::save_nodes_dat_as_amule(config_.path, services_->kad->node->contacts(), kad_public_ip_, error) ==
      kad::NodesDatSave::failed)
    emit(ServiceProblem{"kad", "the routing table could not be saved to nodes.dat: " + error, ""});
}

// A change that is no event (the count of Kad contacts): the snapshot, the
// page and EC see it; the log does not.
void Core::publish_quietly()
{
  status_.updated_at = std::chrono::system_clock::now();
  if (quiet_sink_) quiet_sink_(status_);
  if (web_) web_->publish_status(to_json(status_));
  if (ec_) ec_->publish(amule_state_from(status_), ec_servers_);
}

void Core::take_kad_report(const kad::KadCheckReport& r)
{
  if (r.public_ip) kad_public_ip_ = r.public_ip;
  const auto verdict = [](kad::Verdict v) {
    switch (v) {
      case kad::Verdict::open: return Reachability::open;
      case kad::Verdict::firewalled: return Reachability::firewalled;
      case kad::Verdict::unknown: return Reachability::unknown;
    }
    return Reachability::unknown;
  };
  KadStatus& k = status_.kad;
  k.tcp = verdict(r.tcp);
  k.udp = verdict(r.udp);
  // Only what this check measured: an unknown port stays unknown, not the last one.
  k.external_udp_port = r.external_udp_port;
  k.udp_remapped = r.external_udp_port ? std::optional<bool>(r.udp_remapped) : std::nullopt;
  k.tcp_reason = r.tcp_reason.empty() ? std::nullopt : std::optional<std::string>(r.tcp_reason);
  k.udp_reason = r.udp_reason.empty() ? std::nullopt : std::optional<std::string>(r.udp_reason);
  if (r.tcp_answers > 0 || r.contacts > 0) k.state = KadState::connected;
  // Through the proxy the nodes tried the proxy's address and the relay's
  // port, not our ports: the verdicts are Kad's, but no evidence about them.
  if (!r.udp_via_proxy)
    add_outside(kad_outside_evidence(k.tcp, k.udp, iso8601_utc(std::chrono::system_clock::now())));
  if (!r.error.empty()) emit(ServiceProblem{"kad", r.error, code_of(r.code)});
  emit(KadStatusChanged{k});
}

// A check asked while one runs (its verdicts may already be out, its join
// not) is not lost: one more runs after it.
asio::awaitable<void> Core::check_kad()
{
  if (stopping_) co_return;
  if (checking_) {
    check_again_ = true;
    co_return;
  }
  for (int n = 0; n < 8 && !stopping_; ++n) {
    check_again_ = false;
    co_await check_kad_once();
    if (!check_again_) break;
  }
}

asio::awaitable<void> Core::check_kad_once()
{
  if (stopping_ || checking_) co_return;
  // Asked right after start(): the node is still opening (bounded by its own steps).
  if (services_opening_) co_await services_opened_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (stopping_ || checking_) co_return;
  if (!services_ || !services_->kad) {
    emit(ServiceProblem{"kad", options_.kad ? "our Kad node is not running (see the problem reported at start)"
                                            : "the Engine runs no Kad node (EngineOptions::kad is off)",
                        ""});
    co_return;
  }
  const kad::KadSeedsResult seeds = kad::gather_kad_seeds(config_.path, "", {});
  if (seeds.problem != kad::SeedProblem::none) {
    emit(ServiceProblem{"kad", seeds.message, code_of(seeds.code)});
    co_return;
  }
  checking_ = true;
  check_done_.expires_at(asio::steady_timer::time_point::max());
  kad::KadCheckOptions o;
  o.settings = config_.settings;
  o.user_hash = identity_.user_hash;
  o.id = identity_.kad_id;
  o.udp_key = identity_.udp_key;
  o.nodes = seeds.seeds.nodes;
  o.nodes_dat_written = seeds.seeds.nodes_dat_written;
  o.memory_path = kad::checker_memory_path(config_.path);
  // The verdicts are shown as soon as they are given; the join that follows
  // takes seconds more and changes none of them.
  bool shown = false;
  o.on_verdicts = [this, &shown](const kad::KadCheckReport& r) {
    shown = true;
    if (!stopping_) take_kad_report(r);
  };
  const kad::KadCheckReport report = co_await kad::check_kad(*services_->kad, o);
  checking_ = false;
  check_done_.cancel();
  if (!stopping_ && !shown) take_kad_report(report);
}

// Kad verdicts kept fresh: at start, every kad_check_period, and a few
// seconds after the router's state changed (the old verdicts no longer tell).
void Core::start_kad_checks()
{
  kad_loop_running_ = true;
  kad_loop_done_.expires_at(asio::steady_timer::time_point::max());
  asio::co_spawn(executor_, keep_kad_checked(), [this](std::exception_ptr) {
    kad_loop_running_ = false;
    kad_loop_done_.cancel();
  });
}

asio::awaitable<void> Core::keep_kad_checked()
{
  constexpr unsigned long kMaxChecks = 10'000'000UL;
  for (unsigned long n = 0; n < kMaxChecks && !stopping_; ++n) {
    co_await check_kad();
    if (stopping_) break;
    if (!kad_recheck_asked_) {  // (asked during the check: at once)
      kad_wake_.expires_after(options_.kad_check_period);
      co_await kad_wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (stopping_) break;
    if (kad_recheck_asked_) {
      // Let the router's change settle (a burst of changes is one check).
      kad_recheck_asked_ = false;
      kad_wake_.expires_after(std::chrono::seconds(3));
      co_await kad_wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

// Kad's UDP association through the SOCKS5 proxy went (the link makes it
// again, backing off) or came back: said, and Kad checked again once it is
// back (the nodes see the new relay's port).
void Core::on_relay_event(const proxy::ProxiedUdpLink::Event& e)
{
  using State = proxy::ProxiedUdpLink::State;
  if (stopping_) return;
  if (e.state == State::down) {
    relay_lost_ = true;
    const std::string why = e.detail.empty() ? e.error.message() : e.detail;
    emit(UdpRelayChanged{"down", "", why, static_cast<std::int64_t>(e.retry_in.count())});
    return;
  }
  if (e.state != State::up || !relay_lost_) return;  // the first association is the start, not news
  relay_lost_ = false;
  std::string relay;
  if (services_ && services_->kad && services_->kad->link)
    if (const auto r = services_->kad->link->relay()) relay = r->address().to_string() + ":" + std::to_string(r->port());
  emit(UdpRelayChanged{"up", relay, "", std::nullopt});
  request_kad_recheck();
}

void Core::request_kad_recheck()
{
  if (!kad_loop_running_ || stopping_) return;
  kad_recheck_asked_ = true;
  kad_wake_.cancel();
}

// The eD2k server session: the servers of server.met, in turn.
void Core::start_ed2k()
{
  if (!services_ || !services_->ed2k.dialer) return;  // no identity: said when the services opened
  const ed2k::ServersToAsk servers = ed2k::servers_to_ask(config_.path, {}, kMaxEd2kServers);
  if (servers.problem != ed2k::ServersProblem::none) {
    status_.ed2k.state = Ed2kState::disconnected;
    emit(ServiceProblem{"ed2k", servers.message, code_of(servers.code)});
    emit(Ed2kIdChanged{status_.ed2k});
    return;
  }
  ed2k::KeeperOptions ko;
  ko.servers = servers.servers;
  ko.login.user_hash = identity_.user_hash;
  ko.login.tcp_port = config_.settings.tcp_port;
  ko.keep_alive = std::chrono::minutes(config_.settings.server_keep_alive_min);
  // The router forwards our TCP port as it is (or a peer got through): a Low ID
  // then is the server's fault, and the keeper moves on to the next server.
  ko.port_should_be_open = [this] {
    for (const PortStatus& p : status_.ports)
      if (p.name == "ed2k-tcp") return p.state == PortState::mapped || p.state == PortState::verified_open;
    return false;
  };
  keeper_ = std::make_unique<ed2k::ServerKeeper>(executor_, services_->ed2k, ko);
  keeper_->on_change([this](const ed2k::ServerConnection& now, const std::string& problem, std::error_code code) {
    on_ed2k_change(now, problem, code);
  });
  ed2k_running_ = true;
  ed2k_done_.expires_at(asio::steady_timer::time_point::max());
  asio::co_spawn(executor_, keeper_->run(), [this](std::exception_ptr) {
    ed2k_running_ = false;
    ed2k_done_.cancel();
  });
}

void Core::on_ed2k_change(const ed2k::ServerConnection& now, const std::string& problem, std::error_code code)
{
  if (stopping_) return;
  Ed2kStatus e;
  switch (now.state) {
    case ed2k::ConnectionState::connecting: e.state = Ed2kState::connecting; break;
    case ed2k::ConnectionState::connected: e.state = now.high_id() ? Ed2kState::high_id : Ed2kState::low_id; break;
    case ed2k::ConnectionState::disconnected: e.state = Ed2kState::disconnected; break;
  }
  if (now.state == ed2k::ConnectionState::connected) {
    e.id = now.id;
    e.high_id = now.high_id();
  }
  if (now.server) e.server = now.server->str();
  status_.ed2k = e;
  status_.updated_at = std::chrono::system_clock::now();
  if (auto seen = ed2k_outside_evidence(e, iso8601_utc(std::chrono::system_clock::now()))) add_outside({*seen});
  if (!problem.empty()) emit(ServiceProblem{"ed2k", problem, code_of(code)});
  emit(Ed2kIdChanged{e});
}

asio::awaitable<void> Core::run()
{
  running_ = true;
  run_done_.expires_at(asio::steady_timer::time_point::max());
  emit(EngineStarted{config_.path.string()});
  if (options_.kad || options_.ed2k) co_await open_node_services();
  co_await start_mapper();
  // After the first mapping attempt: the server's connect-back during the
  // login finds the port forwarded (else a Low ID that a second later is wrong).
  if (options_.ed2k && !stopping_) start_ed2k();
  if (options_.kad && options_.kad_check_period.count() > 0 && !stopping_) start_kad_checks();
  if (mapper_ && !stopping_) co_await mapper_->run();
  // Other services (Kad node, listener, eD2k session) join here; until
  // stop() the Engine stays, so that on-demand checks can borrow them.
  if (!stopping_) {
    asio::steady_timer idle(executor_, asio::steady_timer::time_point::max());
    stop_waiters_.push_back(&idle);
    co_await idle.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  running_ = false;
  run_done_.cancel();
}

asio::awaitable<void> Core::stop(portmap::KeepOnStop keep)
{
  if (stopping_) co_return;
  stopping_ = true;
  for (asio::steady_timer* t : stop_waiters_) t->cancel();
  EngineStopped stopped;
  if (mapper_) {
    const portmap::UnmapReport removed = co_await mapper_->stop(keep);
    stopped.mappings_kept = static_cast<unsigned>(removed.kept);
    for (const auto& o : removed.outcomes) ++(o.error.empty() ? stopped.mappings_removed : stopped.mappings_left);
    stopped.error = removed.error;
    if (stopped.error.empty() && stopped.mappings_left > 0) {
      const auto it = std::find_if(removed.outcomes.begin(), removed.outcomes.end(),
                                   [](const portmap::UnmapOutcome& o) { return !o.error.empty(); });
      stopped.error = it->error;
    }
  }
  kad_wake_.cancel();
  network_settle_.cancel();
  if (netlink_) netlink_->stop();
  if (keeper_) keeper_->stop();
  if (ed2k_running_) co_await ed2k_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (status_.ed2k.state) {
    status_.ed2k = Ed2kStatus{};
    status_.ed2k.state = Ed2kState::disconnected;
  }
  if (routing_keeper_) routing_keeper_->stop();
  if (services_ && services_->kad) save_routing_table();
  if (services_) kad::stop_node_services(*services_);  // a check still running ends at once
  if (checking_) co_await check_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (kad_loop_running_) co_await kad_loop_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (running_) co_await run_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (status_.kad.state) status_.kad.state = KadState::stopped;
  for (PortStatus& p : status_.ports) {
    if (!p.via) continue;
    p.state = PortState::unknown;
    p.external_port.reset();
    p.via.reset();
    p.evidence = "mulenet stopped and removed its mapping";
  }
  status_.updated_at = std::chrono::system_clock::now();
  if (sink_) sink_(stopped, status_);
  if (web_) {
    publish(Event(stopped));
    web_->stop();
  }
  if (ec_) ec_->stop();
}

}  // namespace mulenet::engine
