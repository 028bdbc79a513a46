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

const char* display_name(ProxyType type)
{
  switch (type) {
    case ProxyType::socks5: return "SOCKS5";
    case ProxyType::socks4: return "SOCKS4";
    case ProxyType::http: return "HTTP";
    case ProxyType::socks4a: return "SOCKS4a";
  }
  return "unknown";
}

}  // namespace mulenet::config
