#include "json_output.hpp"

#include <iostream>

#include <boost/json/serialize.hpp>

#include "engine/error_names.hpp"
#include "net/json_utf8.hpp"

namespace mulenet::cli {

// Valid UTF-8 whatever the strings held (net/json_utf8.hpp: reversible).
void print_json(const boost::json::value& value)
{
  boost::json::value copy = value;
  net::make_json_utf8(copy);
  std::cout << boost::json::serialize(copy) << "\n";
}

boost::json::value code_json(const std::error_code& code)
{
  const auto name = engine::code_name_of(code);
  return name ? boost::json::value(*name) : boost::json::value(nullptr);
}

boost::json::array to_json(const std::vector<config::ConfigIssue>& issues)
{
  boost::json::array out;
  for (const config::ConfigIssue& i : issues) {
    out.push_back(boost::json::object{{"severity", config::to_string(i.severity)},
                                      {"key", i.key},
                                      {"value", i.value},
                                      {"message", i.message},
                                      {"fix", i.fix}});
  }
  return out;
}

boost::json::object to_json(const config::PlannedPort& p)
{
  return {{"name", p.name},           {"protocol", config::to_string(p.protocol)},
          {"port", p.port},           {"direction", p.direction},
          {"purpose", p.purpose},     {"key", p.key},
          {"upnp", p.upnp},           {"active", p.active}};
}

}  // namespace mulenet::cli
