// net::collect_until, the one "wait for the answers until a deadline" loop
// of the checks: each way it ends (deadline, bound, enough, source ended),
// a deadline that moves, and what arrives elsewhere (polling), with a fake
// source on a local io_context (no network).
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/collect_until.hpp"

namespace asio = boost::asio;
using namespace mulenet::net;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// Items that become available at given times after its creation; when it has
// none left it waits out the timeout, or ends at once (ends_when_empty).
class FakeSource {
 public:
  struct Item {
    milliseconds at;
    int value;
  };
  explicit FakeSource(std::vector<Item> items, bool ends_when_empty = false)
      : items_(items.begin(), items.end()), ends_when_empty_(ends_when_empty)
  {
  }

  asio::awaitable<std::optional<int>> next(milliseconds timeout)
  {
    timeouts.push_back(timeout);
    if (items_.empty() && ends_when_empty_) co_return std::nullopt;
    Clock::time_point until = Clock::now() + timeout;
    if (!items_.empty()) until = std::min(until, t0_ + items_.front().at);
    asio::steady_timer timer(co_await asio::this_coro::executor, until);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (items_.empty() || Clock::now() < t0_ + items_.front().at) co_return std::nullopt;
    const int v = items_.front().value;
    items_.pop_front();
    co_return v;
  }

  std::vector<milliseconds> timeouts;  // one per wait
  [[nodiscard]] std::size_t left() const { return items_.size(); }

 private:
  Clock::time_point t0_ = Clock::now();
  std::deque<Item> items_;
  bool ends_when_empty_;
};

// Runs the collection to its end on a local io_context.
template <typename Make>
Collected run(Make make)
{
  asio::io_context io;
  Collected out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await make(); }, asio::detached);
  io.run();
  return out;
}

const auto take_all = [](std::vector<int>& seen) {
  return [&seen](int v) {
    seen.push_back(v);
    return Collect::more;
  };
};

milliseconds since(Clock::time_point t0)
{
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
}

}  // namespace

TEST(CollectUntil, EndsAtTheDeadlineWithWhatCameBefore)
{
  FakeSource source({{0ms, 1}, {5ms, 2}, {5000ms, 3}});
  std::vector<int> seen;
  const auto t0 = Clock::now();
  const Collected c = run([&] { return collect_until(source, t0 + 60ms, 100, take_all(seen)); });
  EXPECT_EQ(c.end, CollectEnd::deadline);
  EXPECT_EQ(c.items, 2u);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
  EXPECT_GE(since(t0), 60ms);
  EXPECT_LT(since(t0), 2000ms);
  EXPECT_EQ(source.left(), 1u);
  // Each wait lasts until the deadline (+1 ms), never longer.
  for (const milliseconds t : source.timeouts) EXPECT_LE(t, 61ms);
}

TEST(CollectUntil, ADeadlineAlreadyPastWaitsNotAtAll)
{
  FakeSource source({{0ms, 1}});
  std::vector<int> seen;
  const Collected c = run([&] { return collect_until(source, Clock::now() - 1ms, 10, take_all(seen)); });
  EXPECT_EQ(c.end, CollectEnd::deadline);
  EXPECT_EQ(c.items, 0u);
  EXPECT_TRUE(source.timeouts.empty());
}

TEST(CollectUntil, EndsAtTheBound)
{
  std::vector<FakeSource::Item> many;
  for (int i = 0; i < 10; ++i) many.push_back({0ms, i});
  FakeSource source(many);
  std::vector<int> seen;
  const auto t0 = Clock::now();
  const Collected c = run([&] { return collect_until(source, t0 + 10s, 3, take_all(seen)); });
  EXPECT_EQ(c.end, CollectEnd::bound);
  EXPECT_EQ(c.items, 3u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(source.left(), 7u);
  EXPECT_LT(since(t0), 2000ms);
}

TEST(CollectUntil, EndsWhenTheCallbackSaysEnough)
{
  FakeSource source({{0ms, 1}, {2ms, 2}, {4ms, 3}});
  std::vector<int> seen;
  const auto t0 = Clock::now();
  const Collected c = run([&] {
    return collect_until(source, t0 + 10s, 100, [&seen](int v) {
      seen.push_back(v);
      return v == 2 ? Collect::enough : Collect::more;  // e.g. the first UDP arrival decides
    });
  });
  EXPECT_EQ(c.end, CollectEnd::enough);
  EXPECT_EQ(c.items, 2u);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
  EXPECT_EQ(source.left(), 1u);
  EXPECT_LT(since(t0), 2000ms);
}

TEST(CollectUntil, EndsWhenTheSourceEnds)
{
  FakeSource source({{0ms, 1}, {3ms, 2}}, true);
  std::vector<int> seen;
  const auto t0 = Clock::now();
  const Collected c = run([&] { return collect_until(source, t0 + 10s, 100, take_all(seen)); });
  EXPECT_EQ(c.end, CollectEnd::source_ended);
  EXPECT_EQ(c.items, 2u);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
  EXPECT_EQ(source.timeouts.size(), 3u);  // two items, then nothing at once
  EXPECT_LT(since(t0), 2000ms);
}

TEST(CollectUntil, ADeadlineThatMovesIsAskedBeforeEveryWait)
{
  // As the Kad TCP check: until the last answer + a while.
  FakeSource source({{0ms, 1}, {20ms, 2}});
  std::optional<Clock::time_point> last;
  const auto t0 = Clock::now();
  const auto deadline = [&]() -> Clock::time_point { return last ? *last + 50ms : t0 + 5s; };
  const Collected c = run([&] {
    return collect_until(source, deadline, 100, [&](int) {
      last = Clock::now();
      return Collect::more;
    });
  });
  EXPECT_EQ(c.end, CollectEnd::deadline);
  EXPECT_EQ(c.items, 2u);
  EXPECT_GE(since(t0), 70ms);    // 20 ms + 50 ms after the last answer
  EXPECT_LT(since(t0), 2000ms);  // not the first deadline (5 s)
}

TEST(CollectUntil, WhatArrivesElsewhereIsLookedAtEveryPoll)
{
  // As the Kad TCP check's ACKs over TCP: a flag set by someone else.
  asio::io_context io;
  FakeSource source(std::vector<FakeSource::Item>{});
  bool acked = false;
  asio::steady_timer elsewhere(io, 30ms);
  elsewhere.async_wait([&acked](const boost::system::error_code&) { acked = true; });
  Collected c;
  const auto t0 = Clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const CollectWatch watch{[&acked] { return acked; }, 10ms};
        c = co_await collect_until(source, t0 + 10s, 400, [](int) { return Collect::more; }, watch);
      },
      asio::detached);
  io.run();
  EXPECT_EQ(c.end, CollectEnd::enough);
  EXPECT_EQ(c.items, 0u);
  EXPECT_GE(since(t0), 30ms);
  EXPECT_LT(since(t0), 2000ms);
  for (const milliseconds t : source.timeouts) EXPECT_LE(t, 10ms);
}

TEST(CollectUntil, EveryPollCountsTowardsTheBound)
{
  FakeSource source(std::vector<FakeSource::Item>{});
  const auto t0 = Clock::now();
  const Collected c = run([&] {
    return collect_until(source, t0 + 10s, 4, [](int) { return Collect::more; }, CollectWatch{nullptr, 5ms});
  });
  EXPECT_EQ(c.end, CollectEnd::bound);
  EXPECT_EQ(source.timeouts.size(), 4u);
  EXPECT_GE(since(t0), 20ms);
  EXPECT_LT(since(t0), 2000ms);
}

TEST(CollectUntil, EndsHaveNames)
{
  EXPECT_STREQ(to_string(CollectEnd::deadline), "deadline");
  EXPECT_STREQ(to_string(CollectEnd::bound), "bound");
  EXPECT_STREQ(to_string(CollectEnd::enough), "enough");
  EXPECT_STREQ(to_string(CollectEnd::source_ended), "source ended");
}
