#pragma once
// One HTTP exchange with the router (description GET, SOAP POST): connect to
// the URL's IP literal, send the request text, read one response with its
// header and body size-limited, all within one time limit. Connection: close.
#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "portmap/upnp/url_guard.hpp"

namespace mulenet::portmap::upnp {

struct HttpLimits {
  std::chrono::milliseconds timeout{3000};
  std::size_t max_body = 256 * 1024;
};

struct HttpResponse {
  bool ok = false;           // a whole response arrived (whatever its status)
  unsigned status = 0;
  std::string head;          // the status line and header fields as text (GENA reads SID, TIMEOUT)
  std::string body;
  std::string error;         // when !ok: timeout, refused, too large, not HTTP
  std::error_code code;      // when !ok, its PortmapErrc: no_answer, no_service, bad_answer, unsafe_url
  std::chrono::microseconds elapsed{0};
};

boost::asio::awaitable<HttpResponse> http_exchange(const HttpUrl& url, std::string request_text, HttpLimits limits);
// GET url.target with Host and Connection: close.
[[nodiscard]] std::string http_get_text(const HttpUrl& url);

}  // namespace mulenet::portmap::upnp
