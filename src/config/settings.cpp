#include "config/settings.hpp"

namespace mulenet::config {

const char* to_string(ProxyType type)
{
  switch (type) {
    case ProxyType::socks5: return "socks5";
    case ProxyType::socks4: return "socks4";
    case ProxyType::http: return "http";
    case ProxyType::socks4a: return "socks4a";
  }
  return "unknown";
}

}  // namespace mulenet::config
