#pragma once
// JSON output of the CLI: one object on stdout, then a newline.
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "config/port_plan.hpp"
#include "config/validation.hpp"

namespace mulenet::cli {

void print_json(const boost::json::value& value);
[[nodiscard]] boost::json::array to_json(const std::vector<config::ConfigIssue>& issues);
[[nodiscard]] boost::json::object to_json(const config::PlannedPort& port);

}  // namespace mulenet::cli
