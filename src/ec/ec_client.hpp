#pragma once
// A logged-in EC connection to a running aMule, as amulecmd makes one:
// AUTH_REQ (with our capabilities) -> AUTH_SALT -> AUTH_PASSWD -> AUTH_OK,
// then one answer per request, in order. The connection is opened by the
// Dialer (TrafficKind::local_control); every wait is bounded.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "ec/ec_packet.hpp"
#include "ec/ec_stream.hpp"
#include "proxy/dialer.hpp"
#include "proxy/target.hpp"

namespace mulenet::ec {

struct EcClientOptions {
  std::chrono::milliseconds timeout{5000};  // for the connection, and for each answer
  std::string client_name = "mulenet";      // shown in aMule's log ("Connecting client: ...")
  std::string client_version = "1";
};

struct EcAnswer {
  std::error_code code;  // an EcErrc, or empty
  std::string detail;    // for humans: aMule's own words where it gave any; never the password
  std::optional<Packet> packet;
};

struct EcLogin;

class EcSession {
 public:
  // Connects to `target` and logs in with amule.conf's ECPassword (an MD5 hex).
  // `options` has no default: GCC 12 miscompiles braced defaults in co_await.
  static boost::asio::awaitable<EcLogin> open(proxy::Dialer& dialer, proxy::Target target,
                                              std::string password_md5, EcClientOptions options);

  // One request, its one answer. EC_OP_FAILED comes back as request_failed
  // with aMule's message.
  boost::asio::awaitable<EcAnswer> ask(Packet request);

  [[nodiscard]] const std::string& server_version() const { return server_version_; }

  EcSession(EcStream stream, EcClientOptions options) : stream_(std::move(stream)), options_(std::move(options)) {}

 private:
  boost::asio::awaitable<EcAnswer> exchange(const Packet& request, std::size_t max_frame);
  boost::asio::awaitable<EcAnswer> authenticate(const std::string& password_md5);

  EcStream stream_;
  EcClientOptions options_;
  std::uint32_t send_flags_ = kFlagBase | kFlagUtf8Numbers;  // as amulecmd frames its requests
  std::string server_version_;
};

struct EcLogin {
  std::error_code code;
  std::string detail;
  std::optional<EcSession> session;
};

}  // namespace mulenet::ec
