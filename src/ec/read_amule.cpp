#include "ec/read_amule.hpp"

#include "ec/ec_error.hpp"

namespace mulenet::ec {

namespace asio = boost::asio;

proxy::Target ec_endpoint(const config::Settings& settings)
{
  const std::string& address = settings.ec_address;
  if (address.empty() || address == "0.0.0.0" || address == "::") return proxy::make_target("127.0.0.1", settings.ec_port);
  return proxy::make_target(address, settings.ec_port);
}

namespace {

asio::awaitable<void> ask_state(EcSession& session, AmuleReading& reading)
{
  EcAnswer answer = co_await session.ask(stat_request());
  if (!answer.packet) {
    reading.code = answer.code;
    reading.detail = std::move(answer.detail);
    co_return;
  }
  std::string error;
  reading.state = read_stats(*answer.packet, error);
  if (!reading.state) {
    reading.code = EcErrc::broken_answer;
    reading.detail = std::move(error);
  }
}

asio::awaitable<void> ask_servers(EcSession& session, AmuleReading& reading)
{
  EcAnswer answer = co_await session.ask(server_list_request());
  if (!answer.packet) co_return;  // the status is what matters; the list is extra
  std::string error;
  reading.servers = read_server_list(*answer.packet, error);
}

}  // namespace

asio::awaitable<AmuleReading> read_amule(proxy::Dialer& dialer, const config::Settings& settings,
                                         EcClientOptions options)
{
  AmuleReading reading;
  const proxy::Target target = ec_endpoint(settings);
  reading.where = target.str();
  if (!settings.ec_enabled) {
    reading.code = EcErrc::not_enabled;
    reading.detail = "amule.conf: [ExternalConnect] AcceptExternalConnections=0";
    co_return reading;
  }
  EcLogin login = co_await EcSession::open(dialer, target, settings.ec_password_md5, std::move(options));
  if (!login.session) {
    reading.code = login.code;
    reading.detail = std::move(login.detail);
    co_return reading;
  }
  reading.version = login.session->server_version();
  co_await ask_state(*login.session, reading);
  if (reading.state) co_await ask_servers(*login.session, reading);
  co_return reading;
}

}  // namespace mulenet::ec
