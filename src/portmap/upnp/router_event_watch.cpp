#include "portmap/upnp/router_event_watch.hpp"

#include <map>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

namespace mulenet::portmap::upnp {

namespace asio = boost::asio;

namespace {
constexpr std::uint32_t kAskedSeconds = 1800;
}

RouterEventWatch::RouterEventWatch(HttpUrl event_url, std::shared_ptr<gena::EventListener> listener,
                                   std::chrono::milliseconds wait)
    : event_url_(std::move(event_url)), listener_(std::move(listener)), wait_(wait)
{
}

gena::ListenerCounters RouterEventWatch::counters() const { return listener_->counters(); }

asio::awaitable<std::string> RouterEventWatch::subscribe_now()
{
  const gena::SubscribeResult r = co_await gena::subscribe(event_url_, listener_->callback_url(), kAskedSeconds, wait_);
  if (!r.subscription) co_return "subscribing to the router's events: " + r.error;
  sid_ = r.subscription->sid;
  listener_->expect_sid(sid_);
  const std::uint32_t granted = r.subscription->timeout_seconds.value_or(kAskedSeconds);
  renew_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(std::max<std::uint32_t>(granted / 2, 15));
  co_return std::string{};
}

asio::awaitable<std::shared_ptr<RouterEventWatch>> RouterEventWatch::start(std::string event_url,
                                                                           std::string local_address,
                                                                           std::uint16_t port, std::string gateway,
                                                                           std::chrono::milliseconds wait, ChangeFn fn,
                                                                           std::string& error)
{
  const auto url = parse_http_url(event_url);
  if (event_url.empty() || !url) {
    error = "the router offers no usable event URL";
    co_return nullptr;
  }
  auto listener =
      gena::EventListener::start(co_await asio::this_coro::executor, local_address, port, std::move(gateway), error);
  if (!listener) co_return nullptr;
  // What the router said before, so that only changes are reported.
  auto last = std::make_shared<std::map<std::string, std::string>>();
  listener->on_event([fn = std::move(fn), last](const gena::Event& event, std::uint32_t seq) {
    std::string changed;
    for (const auto& v : event.variables) {
      if (v.name != "PortMappingNumberOfEntries" && v.name != "ExternalIPAddress" && v.name != "ConnectionStatus")
        continue;
      auto& before = (*last)[v.name];
      if (seq != 0 && before != v.value) changed += (changed.empty() ? "" : ", ") + v.name + " " + v.value;
      before = v.value;
    }
    if (!changed.empty() && fn) fn(changed);  // SEQ 0 is the initial state, not a change
  });
  auto watch = std::make_shared<RouterEventWatch>(url.value, listener, wait);
  error = co_await watch->subscribe_now();
  if (!error.empty()) {
    listener->stop();
    co_return nullptr;
  }
  co_return watch;
}

asio::awaitable<std::string> RouterEventWatch::keep_alive()
{
  if (std::chrono::steady_clock::now() < renew_at_) co_return std::string{};
  const gena::SubscribeResult r = co_await gena::renew(event_url_, sid_, kAskedSeconds, wait_);
  if (r.subscription) {
    const std::uint32_t granted = r.subscription->timeout_seconds.value_or(kAskedSeconds);
    renew_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(std::max<std::uint32_t>(granted / 2, 15));
    co_return std::string{};
  }
  // 412: the router forgot us (a restart): subscribe anew.
  co_return co_await subscribe_now();
}

asio::awaitable<void> RouterEventWatch::stop()
{
  if (!sid_.empty()) co_await gena::unsubscribe(event_url_, sid_, wait_);
  listener_->stop();
}

}  // namespace mulenet::portmap::upnp
