#include "portmap/mapper_service.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "portmap/router_operations.hpp"

#if MULENET_WITH_UPNP
#include "portmap/upnp/router_event_watch.hpp"
#endif

namespace mulenet::portmap {
namespace {

namespace asio = boost::asio;

// Without a subscription to the router's events, one is asked for again
// every this many rounds (about a minute at the 5 s period).
constexpr unsigned long kWatchRetryRounds = 12;
// Rounds are bounded: a Mapper that ran for centuries would stop renewing.
constexpr unsigned long kMaxRounds = 1'000'000'000UL;

bool same_outcome(const MappingOutcome& a, const MappingOutcome& b)
{
  if (a.state != b.state || a.port.name != b.port.name || a.mapping.has_value() != b.mapping.has_value()) return false;
  return !a.mapping || (a.mapping->external_port == b.mapping->external_port && a.mapping->via == b.mapping->via);
}

// The outcomes of a round replace the ones of the same ports; ports the round
// did not ask (never mapped) keep theirs.
bool merge_outcomes(std::vector<MappingOutcome>& held, const std::vector<MappingOutcome>& round)
{
  bool changed = false;
  for (const MappingOutcome& fresh : round) {
    auto it = std::find_if(held.begin(), held.end(), [&](const MappingOutcome& o) {
      return o.port.name == fresh.port.name && o.port.protocol == fresh.port.protocol;
    });
    if (it == held.end()) continue;
    if (!same_outcome(*it, fresh)) changed = true;
    const config::PlannedPort planned = it->port;  // the plan's entry has the purpose and key
    *it = fresh;
    it->port = planned;
  }
  return changed;
}

}  // namespace

std::chrono::seconds renewal_period(const KeepOptions& keep, const MapperOptions& options)
{
  // Half the lease at the latest (as libtorrent and tailscale renew), and
  // never a busy loop: at least one second between rounds. A lease of 0 is
  // UPnP's "permanent": only the check period.
  std::chrono::seconds period = keep.check_period;
  if (options.lease_seconds > 0) period = std::min(period, std::chrono::seconds(options.lease_seconds / 2));
  return std::max(std::chrono::seconds(1), period);
}

const char* to_string(MapperChange change)
{
  switch (change) {
    case MapperChange::mapped: return "mapped";
    case MapperChange::renewed_changed: return "renewed-changed";
    case MapperChange::router_restarted: return "router-restarted";
    case MapperChange::router_event: return "router-event";
    case MapperChange::external_address: return "external-address";
    case MapperChange::events: return "events";
    case MapperChange::network_changed: return "network-changed";
  }
  return "unknown";
}

Mapper::Mapper(asio::any_io_executor executor, config::PortPlan plan, MapperOptions options, KeepOptions keep)
    : executor_(executor), plan_(std::move(plan)), options_(std::move(options)), keep_(keep), wake_(executor),
      run_done_(executor), start_done_(executor)
{
}

Mapper::~Mapper() = default;

void Mapper::report(MapperChange change, std::string_view detail)
{
  if (stopping_ || !on_change_) return;
  on_change_(change, detail, state_);
}

void Mapper::take_report(const MapReport& r)
{
  state_.mapped_once = true;
  state_.via = r.via;
  state_.gateway = r.gateway.gateway ? std::optional<std::string>(r.gateway.gateway->address) : std::nullopt;
  state_.local_address = r.gateway.local_address;
  state_.external_ip = r.external_ip;
  state_.degraded = r.degraded;
  state_.outcomes = r.outcomes;
  state_.error = r.error;
  state_.code = r.code;
  event_url_ = r.gateway.upnp_info ? r.gateway.upnp_info->event_url : std::string();
  live_.clear();
  refused_.clear();
  const std::chrono::seconds first_wait = renewal_period(keep_, options_);
  for (const MappingOutcome& o : r.outcomes) {
    if (o.mapping) live_.push_back(*o.mapping);
    if (o.requested) refused_.push_back({*o.requested, std::chrono::steady_clock::now() + first_wait, first_wait});
  }
  for (const MappingOutcome& o : r.outcomes)
    if (o.epoch) epoch_.observe(*o.epoch, o.received_at);
}

asio::awaitable<MapReport> Mapper::start()
{
  starting_ = true;
  start_done_.expires_at(asio::steady_timer::time_point::max());
  MapReport r = co_await map_plan(plan_, options_);
  options_.adopt_journal = false;  // a handover is taken over once: later rounds start from what they find
  state_.kept = r.kept;
  take_report(r);
  report(MapperChange::mapped, r.error);
  starting_ = false;
  start_done_.cancel();
  co_return r;
}

void Mapper::note_epoch(const std::vector<MappingOutcome>& outcomes, bool& restarted)
{
  for (const MappingOutcome& o : outcomes) {
    if (!o.epoch) continue;
    if (epoch_.observe(*o.epoch, o.received_at) == natpmp::EpochVerdict::state_lost) restarted = true;
  }
}

asio::awaitable<bool> Mapper::renew_round()
{
  std::vector<MappingOutcome> outcomes = co_await renew_mappings(live_, options_);
  if (stopping_) co_return false;
  bool restarted = false;
  note_epoch(outcomes, restarted);
  if (restarted) {
    // The answers of this round came after the restart: asking once more
    // puts back the mappings asked before the first answer showed it.
    report(MapperChange::router_restarted, "the router's epoch went back: it restarted or lost its mappings");
    outcomes = co_await renew_mappings(live_, options_, true);  // and at our own ports again, now free
    if (stopping_) co_return false;
  }
  for (const MappingOutcome& o : outcomes) {
    if (o.external_ip.empty() || o.external_ip == state_.external_ip) continue;
    state_.external_ip = o.external_ip;
    state_.degraded = is_private_or_cgnat(o.external_ip);
    report(MapperChange::external_address, o.external_ip);
  }
  bool changed = merge_outcomes(state_.outcomes, outcomes);
  changed = co_await ask_again_for_refused(restarted) || changed;
  if (stopping_) co_return false;
  if (changed) report(MapperChange::renewed_changed, "");
  co_return changed || restarted;
}

asio::awaitable<bool> Mapper::ask_again_for_refused(bool router_restarted)
{
  const auto now = std::chrono::steady_clock::now();
  std::vector<Mapping> due;
  for (const Refused& r : refused_)
    if (router_restarted || r.due <= now) due.push_back(r.ask);
  if (due.empty()) co_return false;
  const std::vector<MappingOutcome> outcomes = co_await ask_again(due, options_);
  if (stopping_) co_return false;
  for (const MappingOutcome& o : outcomes) {
    auto it = std::find_if(refused_.begin(), refused_.end(), [&](const Refused& r) {
      return r.ask.protocol == o.port.protocol && r.ask.internal_port == o.port.port;
    });
    if (it == refused_.end()) continue;
    if (o.mapping) {
      live_.push_back(*o.mapping);
      refused_.erase(it);
      continue;
    }
    it->backoff = std::min(it->backoff * 2, std::max(keep_.retry_period, it->backoff));
    it->due = std::chrono::steady_clock::now() + it->backoff;
  }
  co_return merge_outcomes(state_.outcomes, outcomes);
}

asio::awaitable<void> Mapper::retry_whole_plan()
{
  const MapReport r = co_await map_plan(plan_, options_);
  if (stopping_) co_return;
  take_report(r);
  report(MapperChange::mapped, r.error);
}

asio::awaitable<void> Mapper::watch_router_events()
{
#if MULENET_WITH_UPNP
  // Whatever protocol maps: a router that speaks UPnP events reports changes
  // to NAT-PMP/PCP mappings too. Only when discovery found its event URL.
  if (!keep_.watch_events || event_url_.empty() || !state_.gateway) {
    state_.events_error = keep_.watch_events ? "the router offers no UPnP events (or UPnP was not asked)" : "not asked";
    co_return;
  }
  auto on_event = [this](const std::string& what) {
    report(MapperChange::router_event, what);
    wake_.cancel();
  };
  watch_ = co_await upnp::RouterEventWatch::start(event_url_, state_.local_address, keep_.event_port, *state_.gateway,
                                                  options_.timeout, on_event, state_.events_error);
  state_.events_watched = watch_ != nullptr;
  // Said when it changes: a router that keeps refusing is not news every minute.
  const std::string said = state_.events_watched ? "" : state_.events_error;
  if (!events_said_ || *events_said_ != said) report(MapperChange::events, said);
  events_said_ = said;
#else
  state_.events_error = "UPnP is not built in";
  co_return;
#endif
}

asio::awaitable<void> Mapper::run()
{
  running_ = true;
  run_done_.expires_at(asio::steady_timer::time_point::max());
  if (!stopping_ && state_.mapped_once && !live_.empty()) co_await watch_router_events();
  for (unsigned long round = 0; !stopping_ && round < kMaxRounds; ++round) {
    const bool nothing_held = live_.empty();
    // A network change heard while a round ran must not wait for the next one.
    if (!network_changed_) {
      wake_.expires_after(nothing_held ? keep_.retry_period : renewal_period(keep_, options_));
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (stopping_) break;
    if (network_changed_) {
      network_changed_ = false;
      co_await follow_network_change();
      continue;
    }
    if (nothing_held) {
      co_await retry_whole_plan();
      if (!stopping_ && !live_.empty() && !watch_) co_await watch_router_events();
      continue;
    }
    [[maybe_unused]] const bool changed = co_await renew_round();
#if MULENET_WITH_UPNP
    // No subscription (the router restarted while we subscribed, or refused):
    // asked again when the router's state changed, else about once a minute.
    if (!watch_ && !stopping_ && (changed || round % kWatchRetryRounds == 0)) co_await watch_router_events();
    if (watch_ && !stopping_) {
      const std::string trouble = co_await watch_->keep_alive();
      if (!trouble.empty()) state_.events_error = trouble;
    }
#endif
  }
  running_ = false;
  run_done_.cancel();
}

void Mapper::network_changed()
{
  if (stopping_) return;
  network_changed_ = true;
  wake_.cancel();
}

asio::awaitable<void> Mapper::follow_network_change()
{
#if MULENET_WITH_UPNP
  // The router's events were subscribed with our old address (or another router).
  if (watch_) co_await watch_->stop();
  watch_.reset();
  state_.events_watched = false;
  events_said_.reset();  // the new subscription (or its failure) is news again
#endif
  report(MapperChange::network_changed, "this host's addresses or routes changed: finding the router again");
  co_await retry_whole_plan();  // the journal's mappings (old address, old router) are removed first
  if (!stopping_ && !live_.empty()) co_await watch_router_events();
}

// What we hold but the journal no longer lists: a `mulenet unmap` run beside
// the daemon emptied the journal while a renewal round put the mappings back.
// They are ours all the same, and removed with the others.
asio::awaitable<void> Mapper::remove_unlisted_live(UnmapReport& removed)
{
  for (const Mapping& m : live_) {
    const bool listed = std::any_of(removed.outcomes.begin(), removed.outcomes.end(),
                                    [&](const UnmapOutcome& o) { return same_mapping(o.mapping, m); });
    if (listed) continue;
    const DeleteOutcome failure = co_await delete_mapping(m, options_.timeout);
    removed.outcomes.push_back({m, failure.error, failure.code});
  }
}

asio::awaitable<UnmapReport> Mapper::stop(KeepOnStop keep)
{
  stopping_ = true;
  wake_.cancel();
  // A start() still asking the router would add mappings after the cleanup.
  if (starting_) co_await start_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (running_) co_await run_done_.async_wait(asio::as_tuple(asio::use_awaitable));
#if MULENET_WITH_UPNP
  if (watch_) co_await watch_->stop();
  watch_.reset();
#endif
  UnmapReport removed;
  if (keep == KeepOnStop::for_handover) {
    removed.kept = live_.size();  // the journal lists them; the next Mapper adopts or removes them
    live_.clear();
    co_return removed;
  }
  removed = co_await unmap_journal(options_);
  co_await remove_unlisted_live(removed);
  live_.clear();
  co_return removed;
}

}  // namespace mulenet::portmap
