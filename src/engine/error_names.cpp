#include "engine/error_names.hpp"

#include "ec/ec_error.hpp"
#include "ed2k/ed2k_error.hpp"
#include "kad/kad_error.hpp"
#include "portmap/portmap_error.hpp"
#include "proxy/proxy_error.hpp"

namespace mulenet::engine {

std::optional<std::string> code_name_of(const std::error_code& code)
{
  if (!code) return std::nullopt;
  const std::error_category& c = code.category();
  const int v = code.value();
  if (c == proxy::proxy_category()) return std::string(proxy::code_name(static_cast<proxy::ProxyErrc>(v)));
  if (c == portmap::portmap_category()) return std::string(portmap::code_name(static_cast<portmap::PortmapErrc>(v)));
  if (c == kad::kad_category()) return std::string(kad::code_name(static_cast<kad::KadErrc>(v)));
  if (c == ed2k::ed2k_category()) return std::string(ed2k::code_name(static_cast<ed2k::Ed2kErrc>(v)));
  if (c == ec::ec_category()) return std::string(ec::code_name(static_cast<ec::EcErrc>(v)));
  return std::nullopt;
}

}  // namespace mulenet::engine
