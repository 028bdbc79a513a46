// The Status model from what the mapper holds, the events a change means,
// and the status JSON (a public contract: field names and nulls).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <mulenet/engine.hpp>

#include "config/port_plan.hpp"
#include "engine/port_status.hpp"
#include "portmap/portmap_error.hpp"

namespace mulenet::engine {
namespace {

namespace json = boost::json;

config::PortPlan upnp_plan()
{
  config::Settings s;
  s.upnp_enabled = true;
  s.ec_enabled = true;   // EC and web listen, but their own UPnP toggles are off
  s.web_enabled = true;
  return config::make_port_plan(s);
}

portmap::MappingOutcome mapped(const config::PlannedPort& p, std::uint16_t external, portmap::Via via)
{
  portmap::MappingOutcome o;
  o.port = p;
  o.state = external == p.port ? portmap::MappingState::mapped : portmap::MappingState::other_port;
  portmap::Mapping m;
  m.via = via;
  m.protocol = p.protocol;
  m.internal_port = p.port;
  m.external_port = external;
  m.lease_seconds = 3600;
  o.mapping = m;
  if (external != p.port) o.error = "the router forwards another port";
  return o;
}

portmap::MapperState state_with_all_mapped(const config::PortPlan& plan)
{
  portmap::MapperState m;
  m.mapped_once = true;
  m.via = portmap::Via::pcp;
  m.gateway = "192.168.1.1";
  m.external_ip = "203.0.113.1";
  for (const auto& p : plan.ports)
    if (p.upnp) m.outcomes.push_back(mapped(p, p.port, portmap::Via::pcp));
  return m;
}

const PortStatus& port(const std::vector<PortStatus>& ports, std::string_view name)
{
  for (const auto& p : ports)
    if (p.name == name) return p;
  throw std::runtime_error("no port " + std::string(name));
}

TEST(EngineStatus, PortsWithoutAServiceAreLeftOut)
{
  config::Settings s;  // EC and web off
  const auto ports = port_statuses(config::make_port_plan(s), MappingView{false, nullptr});
  EXPECT_EQ(ports.size(), 3u);
}

TEST(EngineStatus, PortsAreThePlansWithoutTheControlPoint)
{
  const auto ports = port_statuses(upnp_plan(), MappingView{true, nullptr});
  std::vector<std::string> names;
  for (const auto& p : ports) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ed2k-tcp", "server-udp", "kad-udp", "ec-tcp", "web-tcp"}));
  for (const auto& p : ports) EXPECT_EQ(p.state, PortState::unknown) << p.name;
  EXPECT_NE(port(ports, "ed2k-tcp").evidence.find("asking the router"), std::string::npos);
  EXPECT_NE(port(ports, "ec-tcp").evidence.find("UPnPECEnabled"), std::string::npos);
}

TEST(EngineStatus, MappedPortsCarryViaAndExternalPort)
{
  const auto plan = upnp_plan();
  const auto m = state_with_all_mapped(plan);
  const auto ports = port_statuses(plan, MappingView{true, &m});
  const auto& tcp = port(ports, "ed2k-tcp");
  EXPECT_EQ(tcp.state, PortState::mapped);
  EXPECT_EQ(tcp.external_port, std::optional<std::uint16_t>(4662));
  EXPECT_EQ(tcp.via, std::optional<MappingVia>(MappingVia::pcp));
  EXPECT_EQ(port(ports, "web-tcp").state, PortState::unknown);  // its toggle is off
}

TEST(EngineStatus, DoubleNatAndOtherPortAreDegraded)
{
  const auto plan = upnp_plan();
  auto m = state_with_all_mapped(plan);
  m.outcomes[0] = mapped(plan.ports[0], 5000, portmap::Via::pcp);
  auto ports = port_statuses(plan, MappingView{true, &m});
  EXPECT_EQ(port(ports, "ed2k-tcp").state, PortState::degraded);
  EXPECT_EQ(port(ports, "ed2k-tcp").external_port, std::optional<std::uint16_t>(5000));
  m.degraded = true;
  ports = port_statuses(plan, MappingView{true, &m});
  EXPECT_EQ(port(ports, "kad-udp").state, PortState::degraded);
  EXPECT_NE(port(ports, "kad-udp").evidence.find("second NAT"), std::string::npos);
}

TEST(EngineStatus, RefusedPortIsUnknownWithTheRoutersWords)
{
  const auto plan = upnp_plan();
  auto m = state_with_all_mapped(plan);
  m.outcomes[0].state = portmap::MappingState::failed;
  m.outcomes[0].mapping.reset();
  m.outcomes[0].error = "UPnP: 718 ConflictInMappingEntry";
  m.outcomes[0].holder = "192.168.1.7:4662";
  const auto ports = port_statuses(plan, MappingView{true, &m});
  EXPECT_EQ(port(ports, "ed2k-tcp").state, PortState::unknown);
  EXPECT_FALSE(port(ports, "ed2k-tcp").via);
  EXPECT_NE(port(ports, "ed2k-tcp").evidence.find("718"), std::string::npos);
  EXPECT_NE(port(ports, "ed2k-tcp").evidence.find("192.168.1.7"), std::string::npos);
}

TEST(EngineStatus, RefusedPortCarriesItsCode)
{
  const auto plan = upnp_plan();
  auto m = state_with_all_mapped(plan);
  m.outcomes[0].state = portmap::MappingState::failed;
  m.outcomes[0].mapping.reset();
  m.outcomes[0].error = "UPnP: 718 ConflictInMappingEntry";
  m.outcomes[0].code = portmap::PortmapErrc::conflict;
  const auto ports = port_statuses(plan, MappingView{true, &m});
  EXPECT_EQ(port(ports, "ed2k-tcp").problem, std::optional<std::string>("conflict"));
  EXPECT_FALSE(port(ports, "kad-udp").problem);  // mapped: no problem
}

// Outside evidence: only verdicts that can tell change a port's state.
TEST(EngineStatus, OnlyVerdictsThatCanTellAreOutsideEvidence)
{
  EXPECT_TRUE(kad_outside_evidence(Reachability::unknown, Reachability::unknown, "t").empty());
  EXPECT_TRUE(kad_outside_evidence(std::nullopt, std::nullopt, "t").empty());
  const auto both = kad_outside_evidence(Reachability::open, Reachability::firewalled, "t");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].port_name, "ed2k-tcp");
  EXPECT_TRUE(both[0].reached);
  EXPECT_EQ(both[1].port_name, "kad-udp");
  EXPECT_FALSE(both[1].reached);
  Ed2kStatus low{Ed2kState::low_id, 12345u, false, std::string("203.0.113.10:4661"), std::nullopt};
  EXPECT_FALSE(ed2k_outside_evidence(low, "t"));  // a Low ID has many causes: not evidence
  Ed2kStatus high{Ed2kState::high_id, 40960203u, true, std::string("203.0.113.10:4661"), std::nullopt};
  const auto seen = ed2k_outside_evidence(high, "t");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->port_name, "ed2k-tcp");
  EXPECT_TRUE(seen->reached);
  EXPECT_NE(seen->evidence.find("203.0.113.10:4661"), std::string::npos);
}

TEST(EngineStatus, OutsideEvidenceMakesPortsVerifiedOpenOrClosed)
{
  const auto plan = upnp_plan();
  const auto m = state_with_all_mapped(plan);
  const auto outside = kad_outside_evidence(Reachability::open, Reachability::firewalled, "12:00");
  const auto ports = port_statuses(plan, MappingView{true, &m}, outside);
  EXPECT_EQ(port(ports, "ed2k-tcp").state, PortState::verified_open);
  EXPECT_EQ(port(ports, "ed2k-tcp").external_port, std::optional<std::uint16_t>(4662));  // the mapping stays said
  EXPECT_NE(port(ports, "ed2k-tcp").evidence.find("Kad nodes connected"), std::string::npos);
  EXPECT_NE(port(ports, "ed2k-tcp").evidence.find("the router forwards it (pcp)"), std::string::npos);
  EXPECT_EQ(port(ports, "ed2k-tcp").evidence.find("not yet verified"), std::string::npos);
  EXPECT_EQ(port(ports, "kad-udp").state, PortState::closed);
  EXPECT_EQ(port(ports, "server-udp").state, PortState::mapped);  // nobody tested it
  // Without mapping by us (forwarded by hand), a reached port is still verified-open.
  const auto unmapped = port_statuses(plan, MappingView{false, nullptr}, outside);
  EXPECT_EQ(port(unmapped, "ed2k-tcp").state, PortState::verified_open);
  // The latest evidence about a port decides.
  auto later = outside;
  later.push_back({"kad-udp", true, "a Kad node's UDP test reached it"});
  EXPECT_EQ(port(port_statuses(plan, MappingView{true, &m}, later), "kad-udp").state, PortState::verified_open);
  // And a change to verified-open is an event.
  Status before;
  before.ports = port_statuses(plan, MappingView{true, &m});
  Status after;
  after.ports = ports;
  const auto events = status_changes(before, after);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<PortChanged>(events[0]).port.state, PortState::verified_open);
  EXPECT_EQ(std::get<PortChanged>(events[0]).previous, std::optional<PortState>(PortState::mapped));
}

TEST(EngineStatus, ChangesBecomeEvents)
{
  const auto plan = upnp_plan();
  Status before;
  before.ports = port_statuses(plan, MappingView{true, nullptr});
  Status after = before;
  const auto m = state_with_all_mapped(plan);
  after.ports = port_statuses(plan, MappingView{true, &m});
  after.router = router_status(m);
  const auto events = status_changes(before, after);
  int ports_changed = 0;
  int addresses = 0;
  for (const auto& e : events) {
    if (const auto* p = std::get_if<PortChanged>(&e)) {
      ++ports_changed;
      EXPECT_EQ(p->port.state, PortState::mapped);
      EXPECT_EQ(p->previous, std::optional<PortState>(PortState::unknown));
    }
    if (const auto* a = std::get_if<ExternalAddressChanged>(&e)) {
      ++addresses;
      EXPECT_EQ(a->current, "203.0.113.1");
      EXPECT_FALSE(a->previous);
    }
  }
  EXPECT_EQ(ports_changed, 3);
  EXPECT_EQ(addresses, 1);
  EXPECT_TRUE(status_changes(after, after).empty());
}

TEST(EngineStatus, JsonHasEveryContractFieldAndNullsForTheUnknown)
{
  Status s;
  s.ports = port_statuses(upnp_plan(), MappingView{true, nullptr});
  const json::value v = json::parse(to_json(s));
  const json::object& o = v.as_object();
  for (const char* key : {"ports", "router", "ed2k", "kad", "proxy", "updated_at"}) EXPECT_TRUE(o.contains(key)) << key;
  EXPECT_TRUE(o.at("proxy").is_null());
  EXPECT_TRUE(o.at("updated_at").is_null());
  const json::object& p = o.at("ports").as_array().at(0).as_object();
  for (const char* key : {"name", "protocol", "port", "state", "external_port", "via", "evidence"})
    EXPECT_TRUE(p.contains(key)) << key;
  EXPECT_EQ(p.at("state").as_string(), "unknown");
  EXPECT_TRUE(p.at("external_port").is_null());
  for (const char* key : {"gateway", "external_ip", "via", "double_nat"})
    EXPECT_TRUE(o.at("router").as_object().at(key).is_null()) << key;
  for (const char* key : {"state", "id", "high_id", "server"})
    EXPECT_TRUE(o.at("ed2k").as_object().at(key).is_null()) << key;
  for (const char* key : {"state", "tcp", "udp", "external_udp_port", "udp_remapped", "tcp_reason", "udp_reason"})
    EXPECT_TRUE(o.at("kad").as_object().at(key).is_null()) << key;
}

TEST(EngineStatus, JsonSpellsTheEnumsAsDocumented)
{
  Status s;
  PortStatus p;
  p.name = "ed2k-tcp";
  p.port = 4662;
  p.state = PortState::verified_open;
  p.via = MappingVia::natpmp;
  s.ports.push_back(p);
  s.ed2k.state = Ed2kState::high_id;
  s.kad.tcp = Reachability::firewalled;
  s.proxy = ProxyStatus{ProxyType::socks4a, "proxy.lan", 1080, true};
  s.updated_at = std::chrono::system_clock::time_point(std::chrono::seconds(1796212800));
  const json::object o = json::parse(to_json(s)).as_object();
  EXPECT_EQ(o.at("ports").as_array().at(0).at("state").as_string(), "verified-open");
  EXPECT_EQ(o.at("ports").as_array().at(0).at("via").as_string(), "natpmp");
  EXPECT_EQ(o.at("ed2k").at("state").as_string(), "high-id");
  EXPECT_EQ(o.at("kad").at("tcp").as_string(), "firewalled");
  EXPECT_EQ(o.at("proxy").at("type").as_string(), "socks4a");
  EXPECT_EQ(o.at("updated_at").as_string(), "2026-12-02T12:00:00Z");
}

TEST(EngineEvents, DescribeAndJsonNameTheEvent)
{
  PortStatus p;
  p.name = "kad-udp";
  p.protocol = Protocol::udp;
  p.port = 4672;
  p.state = PortState::mapped;
  p.via = MappingVia::pcp;
  p.external_port = 4672;
  const Event e = PortChanged{p, PortState::unknown};
  EXPECT_EQ(event_name(e), "port-changed");
  EXPECT_EQ(describe(e).rfind("udp 4672 (kad-udp): mapped via pcp", 0), 0u) << describe(e);
  const json::object o = json::parse(to_json(e)).as_object();
  EXPECT_EQ(o.at("event").as_string(), "port-changed");
  EXPECT_EQ(o.at("previous").as_string(), "unknown");
  EXPECT_EQ(o.at("port").at("name").as_string(), "kad-udp");
  const Event stopped = EngineStopped{3, 0, {}};
  EXPECT_EQ(describe(stopped), "engine stopped: 3 mapping(s) removed from the router");
}

// Kad's UDP association through the proxy: its loss says when it is made
// again, its return names the new relay.
TEST(EngineEvents, UdpRelayChangedSaysDownAndUp)
{
  const Event down = UdpRelayChanged{"down", "", "the proxy closed the UDP association's control connection", 1000};
  EXPECT_EQ(event_name(down), "udp-relay-changed");
  EXPECT_EQ(describe(down), "proxy: the SOCKS5 proxy ended Kad's UDP association (the proxy closed the UDP "
                            "association's control connection); made again in 1 s");
  const json::object d = json::parse(to_json(down)).as_object();
  EXPECT_EQ(d.at("state").as_string(), "down");
  EXPECT_TRUE(d.at("relay").is_null());
  EXPECT_EQ(d.at("retry_in_ms").as_int64(), 1000);
  const Event up = UdpRelayChanged{"up", "203.0.113.10:40000", "", std::nullopt};
  EXPECT_EQ(describe(up), "proxy: Kad's UDP association made again, relay 203.0.113.10:40000 (Kad checked again)");
  const json::object u = json::parse(to_json(up)).as_object();
  EXPECT_EQ(u.at("relay").as_string(), "203.0.113.10:40000");
  EXPECT_TRUE(u.at("retry_in_ms").is_null());
}

}  // namespace
}  // namespace mulenet::engine
