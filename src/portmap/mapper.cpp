#include "portmap/mapper.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "portmap/journal.hpp"
#include "portmap/pcp/pcp_nonce.hpp"
#include "portmap/router_memory.hpp"
#include "portmap/router_operations.hpp"

namespace mulenet::portmap {
namespace {

namespace asio = boost::asio;

bool usable(const ProtocolAnswer& a) { return a.answered && a.error.empty(); }

std::optional<Via> choose(const GatewayReport& g, const std::optional<Via>& wanted, std::string& error,
                          std::error_code& code)
{
  if (wanted && *wanted == Via::upnp && !upnp_built_in()) {
    error = "UPnP is not built into this mulenet (built with MULENET_WITH_UPNP=OFF): use --via pcp or --via natpmp";
    code = PortmapErrc::not_built_in;
    return std::nullopt;
  }
  if (wanted) {
    const ProtocolAnswer& a = *wanted == Via::pcp ? g.pcp : *wanted == Via::natpmp ? g.natpmp : g.upnp;
    if (usable(a)) return wanted;
    error = fmt::format("the router did not answer {}: {}", to_string(*wanted), a.error.empty() ? "no answer" : a.error);
    code = a.code ? a.code : make_error_code(PortmapErrc::no_answer);
    return std::nullopt;
  }
  // PCP renews and deletes safely (nonce), NAT-PMP is its simpler elder, UPnP the slowest.
  if (usable(g.pcp)) return Via::pcp;
  if (usable(g.natpmp)) return Via::natpmp;
  if (usable(g.upnp)) return Via::upnp;
  error = "the router answers none of PCP, NAT-PMP and UPnP IGD";
  code = PortmapErrc::no_protocol;
  return std::nullopt;
}

void save(const std::filesystem::path& path, const Journal& journal, std::vector<std::string>& warnings)
{
  std::string error;
  if (!write_journal(path, journal, error)) warnings.push_back(error);
}

void forget(Journal& journal, const Mapping& m)
{
  std::erase_if(journal.mappings, [&](const Mapping& j) { return same_mapping(j, m); });
}

// Every request at once: the router answers each in a few ms, so a plan
// takes one round trip, not one per port. Answers in the requests' order;
// an operation that threw (none should) counts as that request failing.
template <typename Result, typename Ask>
asio::awaitable<std::vector<Result>> all_at_once(const std::vector<Mapping>& mappings, Ask ask)
{
  if (mappings.empty()) co_return std::vector<Result>{};
  const auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, ask(mappings.front()), asio::deferred));
  std::vector<Op> ops;
  for (const Mapping& m : mappings) ops.push_back(asio::co_spawn(executor, ask(m), asio::deferred));
  auto [order, errors, answers] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                      .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (!errors[i]) continue;
    answers[i] = Result{};
    answers[i].error = "internal error while asking the router";
    answers[i].code = PortmapErrc::no_answer;
  }
  co_return answers;
}

asio::awaitable<std::vector<AddOutcome>> add_all(const std::vector<Mapping>& requests, std::chrono::milliseconds timeout)
{
  return all_at_once<AddOutcome>(requests, [timeout](const Mapping& m) { return add_mapping(m, timeout); });
}

asio::awaitable<std::vector<DeleteOutcome>> delete_all(const std::vector<Mapping>& mappings,
                                                       std::chrono::milliseconds timeout)
{
  return all_at_once<DeleteOutcome>(mappings, [timeout](const Mapping& m) { return delete_mapping(m, timeout); });
}

}  // namespace

const char* to_string(MappingState state)
{
  switch (state) {
    case MappingState::mapped: return "mapped";
    case MappingState::other_port: return "other-port";
    case MappingState::failed: return "failed";
    case MappingState::skipped: return "skipped";
  }
  return "unknown";
}

bool MapReport::all_mapped() const
{
  return error.empty() && !outcomes.empty() &&
         std::all_of(outcomes.begin(), outcomes.end(),
                     [](const MappingOutcome& o) { return o.state == MappingState::mapped; });
}

std::string describe(const Mapping& m)
{
  return fmt::format("{} {} -> {}:{} via {}", config::to_string(m.protocol), m.external_port, m.internal_client,
                     m.internal_port, to_string(m.via));
}

asio::awaitable<UnmapReport> unmap_journal(MapperOptions options)
{
  UnmapReport report;
  std::string error;
  auto journal = read_journal(options.journal_path, error, report.warnings);
  if (!journal) {
    report.error = error;
    report.code = PortmapErrc::journal_io;
    co_return report;
  }
  if (journal->mappings.empty()) co_return report;
  Journal left = *journal;
  const std::vector<DeleteOutcome> answers = co_await delete_all(journal->mappings, options.timeout);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const Mapping& m = journal->mappings[i];
    if (answers[i].error.empty()) forget(left, m);
    report.outcomes.push_back({m, answers[i].error, answers[i].code});
  }
  save(options.journal_path, left, report.warnings);
  co_return report;
}

namespace {

// A renewal's or a retry's answer as the outcome of the mapping asked.
MappingOutcome outcome_of(const Mapping& asked, const AddOutcome& answer)
{
  MappingOutcome outcome;
  outcome.port = config::PlannedPort{asked.name, asked.protocol, asked.internal_port, "", "", "", true, true};
  outcome.epoch = answer.epoch;
  outcome.received_at = answer.received_at;
  outcome.external_ip = answer.external_ip;
  if (answer.ok) {
    outcome.mapping = answer.mapping;
    outcome.state =
        answer.mapping.external_port == answer.mapping.internal_port ? MappingState::mapped : MappingState::other_port;
    return outcome;
  }
  outcome.error = answer.error;
  outcome.code = answer.code;
  outcome.holder = answer.holder;
  outcome.requested = asked;
  return outcome;
}

// Asks for these mappings with the journal kept true meanwhile: it lists
// every request before any is sent (a crash in the middle still leaves a
// trace) and, once all have answered, only what the router granted, written
// only when that differs (the usual case, all granted as asked, costs no
// second write and its fsyncs): at most two writes per batch, not per port.
asio::awaitable<std::vector<AddOutcome>> ask_listed(const std::vector<Mapping>& requests, const MapperOptions& options,
                                                    Journal& journal, std::vector<std::string>& warnings)
{
  if (requests.empty()) co_return std::vector<AddOutcome>{};
  for (const Mapping& m : requests) {
    forget(journal, m);
    journal.mappings.push_back(m);
  }
  save(options.journal_path, journal, warnings);
  const std::string asked = serialize_journal(journal);
  std::vector<AddOutcome> answers = co_await add_all(requests, options.timeout);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    forget(journal, requests[i]);
    if (answers[i].ok) journal.mappings.push_back(answers[i].mapping);
  }
  if (serialize_journal(journal) != asked) save(options.journal_path, journal, warnings);
  co_return answers;
}

}  // namespace

asio::awaitable<std::vector<MappingOutcome>> renew_mappings(std::vector<Mapping>& live, MapperOptions options,
                                                            bool ask_planned_ports)
{
  std::vector<MappingOutcome> outcomes;
  std::vector<std::string> warnings;
  std::vector<Mapping> renewed;
  std::vector<Mapping> asks;
  for (const Mapping& m : live) {
    Mapping ask = m;
    if (ask_planned_ports) ask.external_port = ask.internal_port;
    asks.push_back(ask);
  }
  const std::vector<AddOutcome> answers = co_await add_all(asks, options.timeout);
  for (std::size_t i = 0; i < live.size(); ++i) {
    Mapping& m = live[i];
    MappingOutcome outcome = outcome_of(m, answers[i]);
    if (answers[i].ok) {
      renewed.push_back(m);
      m = answers[i].mapping;
    }
    outcome.requested.reset();  // a live mapping stays live: the next round asks again anyway
    outcomes.push_back(std::move(outcome));
  }
  // The journal as it is now, not as the round began (`mulenet unmap` may
  // have emptied it meanwhile, and what this round put back must be listed
  // again), read once; a round that only renewed changes nothing in it: no
  // write (and no fsync) every few seconds while the daemon idles.
  std::string error;
  Journal journal = read_journal(options.journal_path, error, warnings).value_or(Journal{});
  const std::string before = serialize_journal(journal);
  for (const Mapping& old : renewed) forget(journal, old);
  for (const MappingOutcome& o : outcomes)
    if (o.mapping) journal.mappings.push_back(*o.mapping);
  if (serialize_journal(journal) != before) save(options.journal_path, journal, warnings);
  co_return outcomes;
}

asio::awaitable<std::vector<MappingOutcome>> ask_again(const std::vector<Mapping>& requests, MapperOptions options)
{
  std::vector<MappingOutcome> outcomes;
  if (requests.empty()) co_return outcomes;
  std::vector<std::string> warnings;
  std::string error;
  Journal journal = read_journal(options.journal_path, error, warnings).value_or(Journal{});
  const std::vector<AddOutcome> answers = co_await ask_listed(requests, options, journal, warnings);
  for (std::size_t i = 0; i < requests.size(); ++i) outcomes.push_back(outcome_of(requests[i], answers[i]));
  co_return outcomes;
}

namespace {

// Whether the plan asks for this mapping's port again (a handover keeps it).
bool planned_again(const config::PortPlan& plan, const Mapping& m)
{
  return std::any_of(plan.ports.begin(), plan.ports.end(), [&](const config::PlannedPort& p) {
    return p.upnp && p.port >= 1024 && p.protocol == m.protocol && p.port == m.internal_port;
  });
}

void note_removed(MapReport& report, const Mapping& m, const std::string& error)
{
  report.cleaned.push_back(describe(m) + (error.empty() ? ": removed" : ": could not remove: " + error));
}

// Removes these journal entries from the router and from the journal.
asio::awaitable<void> remove_listed(std::vector<Mapping> doomed, const MapperOptions& options, Journal& journal,
                                    MapReport& report)
{
  if (doomed.empty()) co_return;
  const std::vector<DeleteOutcome> answers = co_await delete_all(doomed, options.timeout);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].error.empty()) forget(journal, doomed[i]);
    note_removed(report, doomed[i], answers[i].error);
  }
  save(options.journal_path, journal, report.warnings);
}

// 1. What an earlier run left behind (a crash, a kill -9) goes first. On a
// handover (adopt_journal) the mappings the plan asks for again stay: they
// are returned, to be renewed where they are instead of removed and re-made.
asio::awaitable<std::vector<Mapping>> clear_leftovers(const config::PortPlan& plan, const MapperOptions& options,
                                                      Journal& journal, MapReport& report)
{
  std::string error;
  auto listed = read_journal(options.journal_path, error, report.warnings);
  if (!listed) report.warnings.push_back(error);
  journal = listed.value_or(Journal{});
  std::vector<Mapping> doomed, carried;
  for (const Mapping& m : journal.mappings)
    (options.adopt_journal && planned_again(plan, m) ? carried : doomed).push_back(m);
  co_await remove_listed(std::move(doomed), options, journal, report);
  co_return carried;
}

// The description URL that UPnP answered at, for the next run to skip SSDP.
void remember_upnp(const MapperOptions& options, const std::optional<RouterMemory>& recalled, MapReport& report)
{
  const GatewayReport& g = report.gateway;
  if (options.router_memory_path.empty() || !g.upnp.answered || !g.upnp_info || !g.gateway) return;
  const RouterMemory now{g.gateway->address, g.upnp_info->location, g.upnp_info->server};
  if (recalled == now) return;
  std::string error;
  if (!remember_router(options.router_memory_path, now, error)) report.warnings.push_back(error);
}

// 2. Ask the router what it speaks, and choose by which protocol to map.
asio::awaitable<bool> find_router(const MapperOptions& options, MapReport& report)
{
  ProbeOptions probe;
  probe.timeout = options.timeout;
  probe.gateway_override = options.gateway_override;
  probe.ask_connection_status = false;
  if (options.via) {
    probe.ask_natpmp = *options.via == Via::natpmp;
    probe.ask_pcp = *options.via == Via::pcp;
    probe.ask_upnp = *options.via == Via::upnp;
  }
  if (!options.router_memory_path.empty()) probe.remembered = recall_router(options.router_memory_path);
  report.gateway = co_await probe_gateway(probe);
  remember_upnp(options, probe.remembered, report);
  if (!report.gateway.error.empty()) {
    report.error = report.gateway.error;
    report.code = report.gateway.code;
    co_return false;
  }
  report.via = choose(report.gateway, options.via, report.error, report.code);
  if (!report.via) co_return false;
  report.external_ip = report.gateway.natpmp.external_ip ? report.gateway.natpmp.external_ip
                                                         : report.gateway.upnp.external_ip;
  report.degraded = report.external_ip && is_private_or_cgnat(*report.external_ip);
  co_return true;
}

// A kept mapping still fits when it was made on this router, by this
// protocol, for this address; any other is removed before the new ones.
bool still_fits(const Mapping& m, const MapReport& report)
{
  return report.via && m.via == *report.via && report.gateway.gateway && m.gateway == report.gateway.gateway->address &&
         m.internal_client == report.gateway.local_address;
}

// What to ask the router for one port: a fresh mapping at the port's own number.
std::optional<Mapping> fresh_mapping(const config::PlannedPort& port, const MapReport& report,
                                     const MapperOptions& options, MappingOutcome& outcome)
{
  Mapping wanted;
  wanted.via = *report.via;
  wanted.protocol = port.protocol;
  wanted.internal_port = port.port;
  wanted.external_port = port.port;
  wanted.internal_client = report.gateway.local_address;
  wanted.gateway = report.gateway.gateway->address;
  wanted.lease_seconds = options.lease_seconds;
  wanted.name = port.name;
  if (wanted.via == Via::pcp) {
    const auto nonce = pcp::make_nonce();
    if (!nonce) {
      outcome.error = "cannot make a random PCP nonce";
      outcome.code = PortmapErrc::no_randomness;
      return std::nullopt;
    }
    wanted.pcp_nonce_hex = pcp::nonce_to_hex(*nonce);
  }
  if (wanted.via == Via::upnp && report.gateway.upnp_info) {
    wanted.upnp_control_url = report.gateway.upnp_info->control_url;
    wanted.upnp_service_type = report.gateway.upnp_info->service_type;
  }
  return wanted;
}

void take_answer(const config::PlannedPort& port, const AddOutcome& added, MapReport& report, MappingOutcome& outcome)
{
  outcome.epoch = added.epoch;
  outcome.received_at = added.received_at;
  outcome.external_ip = added.external_ip;
  if (!added.ok) {
    outcome.error = added.error;
    outcome.code = added.code;
    outcome.holder = added.holder;
    return;
  }
  if (!report.external_ip && !added.external_ip.empty()) {
    report.external_ip = added.external_ip;
    report.degraded = is_private_or_cgnat(added.external_ip);
  }
  outcome.mapping = added.mapping;
  if (added.mapping.external_port == port.port) {
    outcome.state = MappingState::mapped;
    return;
  }
  outcome.state = MappingState::other_port;
  outcome.error = fmt::format("the router forwards external port {} instead of {}; eD2k announces the "
                              "local port, so eD2k peers cannot use it (Kad learns the outside port)",
                              added.mapping.external_port, port.port);
  outcome.code = PortmapErrc::other_port;
  outcome.holder = added.holder;
}

// 3a. What to ask for one port: its kept mapping renewed (same PCP nonce:
// the router sees a renewal, the rule is never removed), or a fresh one at
// its own number; nothing (the outcome says why) for a port below 1024.
std::optional<Mapping> request_for(const config::PlannedPort& port, std::vector<Mapping>& carried,
                                   const MapperOptions& options, MapReport& report, MappingOutcome& outcome)
{
  outcome.port = port;
  if (port.port < 1024) {
    outcome.state = MappingState::skipped;
    outcome.error = "ports below 1024 are never mapped";
    outcome.code = PortmapErrc::below_1024;
    return std::nullopt;
  }
  const auto kept = std::find_if(carried.begin(), carried.end(), [&](const Mapping& m) {
    return m.protocol == port.protocol && m.internal_port == port.port;
  });
  if (kept == carried.end()) return fresh_mapping(port, report, options, outcome);
  Mapping wanted = *kept;
  wanted.lease_seconds = options.lease_seconds;
  report.kept.push_back(describe(*kept));
  carried.erase(kept);
  return wanted;
}

// 3. The plan's ports, all asked at once (ask_listed keeps the journal true).
asio::awaitable<void> map_ports(const config::PortPlan& plan, std::vector<Mapping>& carried, const MapperOptions& options,
                                Journal& journal, MapReport& report)
{
  std::vector<MappingOutcome> outcomes;
  std::vector<Mapping> requests;
  std::vector<std::size_t> asked_for;  // outcome index of each request
  for (const config::PlannedPort& port : plan.ports) {
    if (!port.upnp) continue;
    MappingOutcome outcome;
    if (auto wanted = request_for(port, carried, options, report, outcome)) {
      requests.push_back(*wanted);
      asked_for.push_back(outcomes.size());
    }
    outcomes.push_back(std::move(outcome));
  }
  const std::vector<AddOutcome> answers = co_await ask_listed(requests, options, journal, report.warnings);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    MappingOutcome& outcome = outcomes[asked_for[i]];
    take_answer(outcome.port, answers[i], report, outcome);
    if (!answers[i].ok) outcome.requested = requests[i];
  }
  report.outcomes = std::move(outcomes);
}

}  // namespace

asio::awaitable<MapReport> map_plan(config::PortPlan plan, MapperOptions options)
{
  MapReport report;
  Journal journal;
  std::vector<Mapping> carried = co_await clear_leftovers(plan, options, journal, report);
  const bool found = co_await find_router(options, report);
  const auto fitting_end =
      std::stable_partition(carried.begin(), carried.end(), [&](const Mapping& m) { return still_fits(m, report); });
  std::vector<Mapping> stale(fitting_end, carried.end());
  carried.erase(fitting_end, carried.end());
  co_await remove_listed(std::move(stale), options, journal, report);
  if (!found) co_return report;

  co_await map_ports(plan, carried, options, journal, report);
  if (report.outcomes.empty()) {
    report.error = "nothing to map: UPnP is off in amule.conf (mulenet config set /eMule/UPnPEnabled 1)";
    report.code = PortmapErrc::nothing_to_map;
  }
  co_return report;
}

}  // namespace mulenet::portmap
