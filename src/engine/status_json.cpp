#include "engine/status_json.hpp"

#include <ctime>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "engine/status_findings.hpp"
#include "net/json_utf8.hpp"

namespace mulenet {
namespace {

namespace json = boost::json;

// An optional as its value or null; enums by their names.
template <typename T>
json::value opt(const std::optional<T>& v)
{
  if (!v) return nullptr;
  if constexpr (std::is_enum_v<T>) return json::value(std::string(to_string(*v)));
  else return json::value_from(*v);
}

// What is wrong and the fix, from the Status itself (engine/status_findings).
json::array findings_json(const Status& s)
{
  json::array out;
  for (const doctor::Finding& f : engine::status_findings(s))
    out.push_back(json::object{{"id", f.id},
                               {"severity", doctor::to_string(f.severity)},
                               {"title", f.title},
                               {"evidence", f.evidence},
                               {"fix", f.fix}});
  return out;
}

}  // namespace

std::string iso8601_utc(std::chrono::system_clock::time_point t)
{
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec);
}

void tag_invoke(json::value_from_tag, json::value& out, const PortStatus& p)
{
  out = json::object{{"name", p.name},
                     {"protocol", std::string(to_string(p.protocol))},
                     {"port", p.port},
                     {"state", std::string(to_string(p.state))},
                     {"external_port", opt(p.external_port)},
                     {"via", opt(p.via)},
                     {"evidence", p.evidence},
                     {"problem", opt(p.problem)},
                     {"selected", p.selected}};
}

void tag_invoke(json::value_from_tag, json::value& out, const RouterStatus& r)
{
  out = json::object{{"gateway", opt(r.gateway)},
                     {"external_ip", opt(r.external_ip)},
                     {"via", opt(r.via)},
                     {"double_nat", opt(r.double_nat)}};
}

void tag_invoke(json::value_from_tag, json::value& out, const Ed2kStatus& e)
{
  out = json::object{{"state", opt(e.state)}, {"id", opt(e.id)}, {"high_id", opt(e.high_id)}, {"server", opt(e.server)},
                     {"server_name", opt(e.server_name)}};
}

void tag_invoke(json::value_from_tag, json::value& out, const KadStatus& k)
{
  out = json::object{{"state", opt(k.state)},
                     {"tcp", opt(k.tcp)},
                     {"udp", opt(k.udp)},
                     {"external_udp_port", opt(k.external_udp_port)},
                     {"udp_remapped", opt(k.udp_remapped)},
                     {"tcp_reason", opt(k.tcp_reason)},
                     {"udp_reason", opt(k.udp_reason)},
                     {"contacts", opt(k.contacts)}};
}

void tag_invoke(json::value_from_tag, json::value& out, const ProxyStatus& p)
{
  out = json::object{
      {"type", std::string(to_string(p.type))}, {"host", p.host}, {"port", p.port}, {"strict", p.strict}};
}

void tag_invoke(json::value_from_tag, json::value& out, const Status& s)
{
  json::array ports;
  for (const PortStatus& p : s.ports) ports.push_back(json::value_from(p));
  out = json::object{{"ports", std::move(ports)},
                     {"router", json::value_from(s.router)},
                     {"ed2k", json::value_from(s.ed2k)},
                     {"kad", json::value_from(s.kad)},
                     {"proxy", opt(s.proxy)},
                     {"findings", findings_json(s)},
                     {"updated_at", s.updated_at ? json::value(iso8601_utc(*s.updated_at)) : json::value(nullptr)}};
}

std::string to_json(const Status& status)
{
  json::value v = json::value_from(status);
  net::make_json_utf8(v);  // a Latin-1 nick or server name must not break the API's JSON
  return json::serialize(v);
}

}  // namespace mulenet
