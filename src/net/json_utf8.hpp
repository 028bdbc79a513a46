#pragma once
// JSON that mulenet writes is UTF-8 text whatever its strings held (RFC 8259):
// every string and object key made valid with escape_invalid_utf8
// (net/utf8.hpp: bytes that are not UTF-8 become U+10FF80..U+10FFFF, and
// unescape_utf8_bytes gives them back). Used by every JSON output: the
// program's --json, its event lines, the status API.
#include <boost/json/value.hpp>

namespace mulenet::net {

void make_json_utf8(boost::json::value& value);

}  // namespace mulenet::net
