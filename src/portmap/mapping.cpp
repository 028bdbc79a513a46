#include "portmap/mapping.hpp"

namespace mulenet::portmap {

const char* to_string(Via via)
{
  switch (via) {
    case Via::upnp: return "upnp";
    case Via::natpmp: return "natpmp";
    case Via::pcp: return "pcp";
  }
  return "unknown";
}

std::optional<Via> parse_via(std::string_view text)
{
  if (text == "upnp") return Via::upnp;
  if (text == "natpmp") return Via::natpmp;
  if (text == "pcp") return Via::pcp;
  return std::nullopt;
}

bool same_mapping(const Mapping& a, const Mapping& b)
{
  return a.via == b.via && a.protocol == b.protocol && a.external_port == b.external_port &&
         a.internal_port == b.internal_port && a.gateway == b.gateway && a.internal_client == b.internal_client;
}

}  // namespace mulenet::portmap
