#include "engine/engine_core.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/port_status.hpp"
#include "portmap/journal.hpp"

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
  m.gateway_override = o.gateway;
  return m;
}

bool anything_to_map(const config::PortPlan& plan)
{
  return std::any_of(plan.ports.begin(), plan.ports.end(), [](const config::PlannedPort& p) { return p.upnp; });
}

}  // namespace

Core::Core(asio::any_io_executor executor, EngineOptions options, LoadedConfig config, Sink sink)
    : executor_(executor), options_(std::move(options)), config_(std::move(config)),
      plan_(config::make_port_plan(config_.settings)), sink_(std::move(sink)), run_done_(executor)
{
  status_.proxy = proxy_status(config_.settings.proxy);
  status_.ports = port_statuses(plan_, MappingView{options_.map_ports && anything_to_map(plan_), nullptr});
}

Core::~Core() = default;

void Core::emit(const Event& event)
{
  if (sink_) sink_(event, status_);
}

void Core::refresh(const portmap::MapperState* mapper)
{
  Status next = status_;
  next.ports = port_statuses(plan_, MappingView{mapper_ != nullptr, mapper});
  if (mapper) next.router = router_status(*mapper);
  next.updated_at = std::chrono::system_clock::now();
  const std::vector<Event> events = status_changes(status_, next);
  status_ = std::move(next);
  for (const Event& e : events) emit(e);
}

void Core::on_mapper_change(portmap::MapperChange change, std::string_view detail, const portmap::MapperState& state)
{
  if (stopping_) return;
  if (change == portmap::MapperChange::router_restarted) emit(RouterRestarted{std::string(detail)});
  refresh(&state);
  if (change != portmap::MapperChange::mapped) return;
  // The plan is tried again every minute while nothing can be mapped: the
  // same problem is said once, a new one (or its end) again.
  if (!state.error.empty() && state.error != last_problem_) emit(RouterProblem{state.error});
  last_problem_ = state.error;
}

asio::awaitable<void> Core::run_mapper()
{
  if (!options_.map_ports) co_return;
  if (!anything_to_map(plan_)) {
    emit(RouterProblem{"nothing to map: UPnP is off in " + config_.path.string() +
                       " (mulenet config set /eMule/UPnPEnabled 1; EC and web have their own toggles)"});
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
  if (!stopping_) co_await mapper_->run();
}

asio::awaitable<void> Core::run()
{
  running_ = true;
  run_done_.expires_at(asio::steady_timer::time_point::max());
  emit(EngineStarted{config_.path.string()});
  co_await run_mapper();
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

asio::awaitable<void> Core::stop()
{
  if (stopping_) co_return;
  stopping_ = true;
  for (asio::steady_timer* t : stop_waiters_) t->cancel();
  EngineStopped stopped;
  if (mapper_) {
    const portmap::UnmapReport removed = co_await mapper_->stop();
    for (const auto& o : removed.outcomes) ++(o.error.empty() ? stopped.mappings_removed : stopped.mappings_left);
    stopped.error = removed.error;
    if (stopped.error.empty() && stopped.mappings_left > 0) {
      const auto it = std::find_if(removed.outcomes.begin(), removed.outcomes.end(),
                                   [](const portmap::UnmapOutcome& o) { return !o.error.empty(); });
      stopped.error = it->error;
    }
  }
  if (running_) co_await run_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  for (PortStatus& p : status_.ports) {
    if (!p.via) continue;
    p.state = PortState::unknown;
    p.external_port.reset();
    p.via.reset();
    p.evidence = "mulenet stopped and removed its mapping";
  }
  status_.updated_at = std::chrono::system_clock::now();
  if (sink_) sink_(stopped, status_);
}

}  // namespace mulenet::engine
