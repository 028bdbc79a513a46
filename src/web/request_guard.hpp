#pragma once
// Which requests the status server answers: a local web UI is an attack
// surface (Transmission's RPC was read and driven by web pages through DNS
// rebinding, CVE-2018-5702). Pure, decided from the request's method, target
// and headers alone, so that every rule has a test:
//   - the Host must be the daemon's own address or localhost (rebinding);
//   - an Origin, when sent, must be the daemon's own (cross-origin pages);
//   - no CORS headers are ever sent, so other origins cannot read answers;
//   - GET never changes state; an action is a POST carrying the token the
//     page got from the daemon (X-Mulenet-Token);
//   - off loopback, every request needs aMule's web password (HTTP Basic,
//     compared as its MD5, which is how amule.conf keeps it).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::web {

struct GuardConfig {
  std::string address;            // what the server listens on ("127.0.0.1", "192.168.1.5")
  std::uint16_t port = 0;
  std::string token;              // the actions' token (random, per run)
  std::string password_md5;       // lower-case hex; empty: no password asked (loopback only)
};

struct RequestView {
  std::string_view method;        // "GET", "POST", ...
  std::string_view target;        // "/api/status?x=1"
  std::optional<std::string_view> host;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> token;          // X-Mulenet-Token
  std::optional<std::string_view> authorization;  // "Basic ..."
};

enum class Route { page, status, events, check_kad, not_found };

struct Decision {
  bool allowed = false;
  int status = 200;     // when refused: 400, 401, 403, 404, 405
  std::string reason;   // when refused: why, in plain words (never a secret)
  Route route = Route::not_found;
};

[[nodiscard]] Decision decide(const RequestView& request, const GuardConfig& config);

// "/api/status?x" -> "/api/status".
[[nodiscard]] std::string_view path_of(std::string_view target);
// The Hosts this server answers to: its address and localhost forms, with its port.
[[nodiscard]] bool host_is_ours(std::string_view host, const GuardConfig& config);
[[nodiscard]] bool is_loopback_address(std::string_view address);

}  // namespace mulenet::web
