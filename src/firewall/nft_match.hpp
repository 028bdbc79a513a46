#pragma once
// Decides nft match expressions for the probe packet, three-valued: a
// destination port or protocol is known, a source address is not.
#include <functional>
#include <map>
#include <string>

#include <boost/json/fwd.hpp>

#include "firewall/inbound_probe.hpp"
#include "firewall/tri_match.hpp"

namespace mulenet::firewall::detail {

// The named sets and maps of one table by name; nullptr for those listed
// without their elements, whose contents we therefore do not know.
using NftNamedSets = std::map<std::string, const boost::json::array*, std::less<>>;

struct NftMatchContext {
  InboundProbe probe;
  const NftNamedSets* sets = nullptr;  // of the rule's own table
};

// The body of a {"match": {"op", "left", "right"}} statement.
[[nodiscard]] Match nft_match(const boost::json::value& match_body, const NftMatchContext& context);

// Whether the packet's value of `key` equals a set or map element, as a
// verdict map looks it up.
[[nodiscard]] Match nft_key_equals(const boost::json::value& key, const boost::json::value& element,
                                   const NftMatchContext& context);

// The elements of "@name", or nullptr when unknown.
[[nodiscard]] const boost::json::array* nft_named_set(const boost::json::value& reference,
                                                      const NftMatchContext& context);

}  // namespace mulenet::firewall::detail
