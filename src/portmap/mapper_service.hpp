#pragma once
// The mapper as a service that lives as long as its owner (the Engine,
// `mulenet map`): built once, it maps the plan (after removing what an
// earlier run left behind), then keeps the mappings until stop():
//   - every `check_period` (at half the lease at the latest: renewal_period)
//     it asks again for each mapping: that renews the lease, and puts back within seconds
//     a mapping the router lost (PCP and NAT-PMP: a flushed rule shows in no
//     event; the same request is the read-back);
//   - a PCP/NAT-PMP answer whose epoch went back means the router restarted:
//     said at once, and every mapping is asked for again in the same round;
//   - the router's UPnP events (GENA, callback on UPnPTCPPort) start a round
//     at once instead of at the next period;
//   - a mapping the router refused or did not answer (a request lost while
//     it restarted) is asked for again: after one period, then twice as long
//     each time up to `retry_period` (a router that refuses on purpose is not
//     asked every few seconds forever);
//   - a plan that could not be mapped at all (no router yet) is tried again
//     every `retry_period`.
// Every change of what it holds is reported through the change callback,
// on the executor the Mapper runs on; none after stop() began.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/port_plan.hpp"
#include "portmap/mapper.hpp"
#include "portmap/natpmp/natpmp_epoch.hpp"

namespace mulenet::portmap {

namespace upnp {
class RouterEventWatch;
}

struct KeepOptions {
  std::chrono::seconds check_period{5};   // ask again for every mapping
  std::chrono::seconds retry_period{60};  // map again when nothing could be mapped
  bool watch_events = true;               // subscribe to the router's UPnP events
  std::uint16_t event_port = 50000;       // UPnPTCPPort: where the router's NOTIFYs arrive
};

// How long between two rounds that ask again for every mapping: the check
// period, but never more than half the lease (a long period with a short
// lease would let the mappings lapse) and never less than a second.
[[nodiscard]] std::chrono::seconds renewal_period(const KeepOptions& keep, const MapperOptions& options);

// What the mapper holds right now.
struct MapperState {
  bool mapped_once = false;  // the first attempt is over (until then: nothing known)
  std::optional<Via> via;
  std::optional<std::string> gateway;
  std::string local_address;
  std::optional<std::string> external_ip;
  bool degraded = false;  // the router's external address is private or CGNAT
  std::vector<MappingOutcome> outcomes;
  std::string error;       // nothing could be mapped, and why
  std::error_code code;    // with error: its PortmapErrc (portmap_error.hpp)
  std::vector<std::string> kept;  // mappings taken over from the run before (a handover), renewed in place
  bool events_watched = false;
  std::string events_error;  // why no router events (polling only)
};

enum class KeepOnStop { nothing, for_handover };

enum class MapperChange {
  mapped,            // the first attempt is over (outcomes say what)
  renewed_changed,   // a renewal round changed an outcome (lost, put back, other port)
  router_restarted,  // the epoch went back: the router lost its table
  router_event,      // the router's UPnP event reported a change
  external_address,  // the router's external address changed
  events,            // the router's UPnP events are watched (detail empty) or cannot be (detail: why)
  network_changed,   // this host's addresses or routes changed: the plan is mapped again
};
[[nodiscard]] const char* to_string(MapperChange change);

class Mapper {
 public:
  using ChangeFn = std::function<void(MapperChange change, std::string_view detail, const MapperState& state)>;

  Mapper(boost::asio::any_io_executor executor, config::PortPlan plan, MapperOptions options, KeepOptions keep);
  ~Mapper();
  Mapper(const Mapper&) = delete;
  Mapper& operator=(const Mapper&) = delete;

  void on_change(ChangeFn fn) { on_change_ = std::move(fn); }

  // Maps the plan (first removing an earlier run's leftovers from the journal).
  boost::asio::awaitable<MapReport> start();
  // Keeps the mappings until stop(). Returns when stopped.
  boost::asio::awaitable<void> run();
  // Ends run(), unsubscribes from the router's events, removes every mapping
  // of ours (the journal). Bounded: each request has the options' timeout.
  // for_handover: the mappings stay on the router and in the journal, for
  // the next Mapper on the same journal with MapperOptions::adopt_journal.
  boost::asio::awaitable<UnmapReport> stop(KeepOnStop keep = KeepOnStop::nothing);
  // This host's addresses or routes changed (net/netlink_watch.hpp): find
  // the router again and map the plan there at once (a new LAN address, a new
  // gateway), instead of renewing mappings that may point nowhere.
  void network_changed();

  [[nodiscard]] const MapperState& state() const { return state_; }
  [[nodiscard]] const MapperOptions& options() const { return options_; }

 private:
  boost::asio::awaitable<void> watch_router_events();
  boost::asio::awaitable<bool> renew_round();  // true: the router's state changed
  boost::asio::awaitable<bool> ask_again_for_refused(bool router_restarted);  // true: an outcome changed
  boost::asio::awaitable<void> retry_whole_plan();
  boost::asio::awaitable<void> follow_network_change();
  boost::asio::awaitable<void> remove_unlisted_live(UnmapReport& removed);
  void take_report(const MapReport& report);
  void note_epoch(const std::vector<MappingOutcome>& outcomes, bool& restarted);
  void report(MapperChange change, std::string_view detail);

  boost::asio::any_io_executor executor_;
  config::PortPlan plan_;
  MapperOptions options_;
  KeepOptions keep_;
  MapperState state_;
  std::vector<Mapping> live_;
  // A mapping not granted yet: when to ask again, and the wait after that.
  struct Refused {
    Mapping ask;
    std::chrono::steady_clock::time_point due;
    std::chrono::seconds backoff;
  };
  std::vector<Refused> refused_;
  std::string event_url_;  // the router's GENA URL, from discovery
  std::optional<std::string> events_said_;  // the last events report ("" watched, else why not)
  ChangeFn on_change_;
  natpmp::EpochTracker epoch_;
  boost::asio::steady_timer wake_;      // the next round; cancelled to start one at once
  boost::asio::steady_timer run_done_;  // cancelled when run() has returned
  boost::asio::steady_timer start_done_;  // cancelled when start() has returned
  bool stopping_ = false;
  bool network_changed_ = false;
  bool running_ = false;
  bool starting_ = false;
  std::shared_ptr<upnp::RouterEventWatch> watch_;
};

}  // namespace mulenet::portmap
