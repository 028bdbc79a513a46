#include "proxy/proxied_udp_link.hpp"
#include "net/use_tuple.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

namespace mulenet::proxy {

namespace asio = boost::asio;

struct ProxiedUdpLink::Impl {
  asio::any_io_executor executor;
  ProxySpec proxy;
  DialTimeouts timeouts;
  std::function<void(const Event&)> on_event;
  Backoff backoff;
  std::shared_ptr<Socks5UdpAssociation> association;
  State state = State::connecting;
  bool stopping = false;
  std::uint64_t losses = 0;
  std::shared_ptr<Socks5UdpAssociation> first;  // adopted by start(first) for attempt 1
  asio::steady_timer wait;  // back-off sleeps; cancelled by stop()

  Impl(asio::any_io_executor ex, ProxySpec p, DialTimeouts t, std::function<void(const Event&)> cb, Backoff b)
      : executor(ex), proxy(std::move(p)), timeouts(t), on_event(std::move(cb)), backoff(b), wait(ex)
  {
  }

  void emit(Event e)
  {
    state = e.state;
    if (on_event) on_event(e);
  }
};

namespace {

using net::use_tuple;

// The first association given to start(first), else a new one.
asio::awaitable<std::pair<std::shared_ptr<Socks5UdpAssociation>, DialResult>> associate(ProxiedUdpLink::Impl& self)
{
  if (auto first = std::move(self.first); first && first->alive()) {
    std::pair<std::shared_ptr<Socks5UdpAssociation>, DialResult> adopted{std::move(first), DialResult{}};
    co_return adopted;
  }
  co_return co_await Socks5UdpAssociation::open(self.proxy, self.timeouts);
}

// The keeper: associate, wait for the loss, back off, again; until stopped.
asio::awaitable<void> keep_up(std::shared_ptr<ProxiedUdpLink::Impl> self)
{
  using Event = ProxiedUdpLink::Event;
  using State = ProxiedUdpLink::State;
  auto delay = self->backoff.first;
  for (int attempt = 1; !self->stopping; ++attempt) {
    self->emit(Event{State::connecting, {}, {}, {}, attempt});
    auto [association, result] = co_await associate(*self);
    if (self->stopping) {
      if (association) association->close();
      break;
    }
    if (association) {
      self->association = association;
      self->emit(Event{State::up, {}, result.steps.empty() ? "" : result.steps.back().detail, {}, attempt});
      const auto since = std::chrono::steady_clock::now();
      co_await association->wait_until_lost();
      self->association.reset();
      if (self->stopping) break;
      ++self->losses;
      if (std::chrono::steady_clock::now() - since >= self->backoff.stable) delay = self->backoff.first;
      result.error = ProxyErrc::udp_association_lost;
      result.detail = "the proxy closed the UDP association's control connection";
    }
    self->emit(Event{State::down, result.error, result.detail, delay, attempt});
    self->wait.expires_after(delay);
    co_await self->wait.async_wait(use_tuple);
    delay = std::min(delay * 2, self->backoff.max);
  }
  self->emit(Event{State::stopped, {}, {}, {}, 0});
}

}  // namespace

ProxiedUdpLink::ProxiedUdpLink(asio::any_io_executor executor, ProxySpec proxy, DialTimeouts timeouts,
                               std::function<void(const Event&)> on_event, Backoff backoff)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(proxy), timeouts, std::move(on_event), backoff))
{
}

ProxiedUdpLink::ProxiedUdpLink(asio::any_io_executor executor, ProxySpec proxy, DialTimeouts timeouts,
                               std::function<void(const Event&)> on_event)
    : ProxiedUdpLink(std::move(executor), std::move(proxy), timeouts, std::move(on_event), Backoff{})
{
}

ProxiedUdpLink::~ProxiedUdpLink() { stop(); }

void ProxiedUdpLink::start() { asio::co_spawn(impl_->executor, keep_up(impl_), asio::detached); }

void ProxiedUdpLink::start(std::shared_ptr<Socks5UdpAssociation> first)
{
  impl_->first = std::move(first);
  start();
}

void ProxiedUdpLink::stop()
{
  impl_->stopping = true;
  impl_->wait.cancel();
  if (impl_->association) impl_->association->close();
}

asio::awaitable<std::error_code> ProxiedUdpLink::send_to(const Target& destination,
                                                         std::span<const std::uint8_t> payload)
{
  const auto association = impl_->association;
  if (!association || !association->alive()) co_return make_error_code(ProxyErrc::udp_association_lost);
  co_return co_await association->send_to(destination, payload);
}

asio::awaitable<std::optional<Socks5UdpAssociation::Received>> ProxiedUdpLink::receive(
    std::chrono::milliseconds timeout)
{
  const auto association = impl_->association;
  if (!association || !association->alive()) co_return std::nullopt;
  co_return co_await association->receive(timeout);
}

ProxiedUdpLink::State ProxiedUdpLink::state() const { return impl_->state; }

std::optional<asio::ip::udp::endpoint> ProxiedUdpLink::relay() const
{
  if (!impl_->association || !impl_->association->alive()) return std::nullopt;
  return impl_->association->relay();
}

std::uint64_t ProxiedUdpLink::losses() const { return impl_->losses; }

const char* to_string(ProxiedUdpLink::State state)
{
  switch (state) {
    case ProxiedUdpLink::State::connecting: return "connecting";
    case ProxiedUdpLink::State::up: return "up";
    case ProxiedUdpLink::State::down: return "down";
    case ProxiedUdpLink::State::stopped: return "stopped";
  }
  return "unknown";
}

}  // namespace mulenet::proxy
