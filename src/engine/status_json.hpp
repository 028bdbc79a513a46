#pragma once
// Boost.JSON conversions of the public types (tag_invoke), shared by
// mulenet::to_json, the CLI and, later, the web API, so that the status JSON
// exists once. Absent values are `null`, never a default.
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <mulenet/event.hpp>
#include <mulenet/status.hpp>

namespace mulenet {

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const PortStatus& port);
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const RouterStatus& router);
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Ed2kStatus& ed2k);
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const KadStatus& kad);
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const ProxyStatus& proxy);
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Status& status);
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const Event& event);

// "2026-12-02T12:00:00Z"
[[nodiscard]] std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace mulenet
