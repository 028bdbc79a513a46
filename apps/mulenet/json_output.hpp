#pragma once
// JSON output of the CLI: one object on stdout, then a newline.
#include <system_error>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "config/port_plan.hpp"
#include "config/validation.hpp"

namespace mulenet::cli {

void print_json(const boost::json::value& value);
[[nodiscard]] boost::json::array to_json(const std::vector<config::ConfigIssue>& issues);
[[nodiscard]] boost::json::object to_json(const config::PlannedPort& port);
// The stable code of an error ("conflict", "no-nodes", ...) for the JSON
// "code" next to an "error": null when there is none.
[[nodiscard]] boost::json::value code_json(const std::error_code& code);

}  // namespace mulenet::cli
