#pragma once
// Collecting what arrives until a deadline: the one loop behind every "wait
// for the answers" of the checks (the Kad TCP checkers' answers and ACKs, the
// UDP test's arrivals, the HELLO answers when joining). The source is anything
// with
//   boost::asio::awaitable<std::optional<T>> next(std::chrono::milliseconds timeout)
// that gives nullopt when the time ran out or when it has nothing more to give
// (a kad::KadInbox; a fake in the tests). The loop is always bounded: by the
// deadline and by at most `bound` waits on the source.
#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <type_traits>

#include <boost/asio/awaitable.hpp>

namespace mulenet::net {

using CollectClock = std::chrono::steady_clock;

// What the per-item callback says.
enum class Collect { more, enough };

// Why collect_until stopped.
enum class CollectEnd {
  deadline,      // the deadline passed
  bound,         // `bound` waits were made
  enough,        // the callback (or CollectWatch::enough) said so
  source_ended,  // the source gave nothing before its time was up (closed, stopped)
};

[[nodiscard]] constexpr const char* to_string(CollectEnd e)
{
  switch (e) {
    case CollectEnd::deadline: return "deadline";
    case CollectEnd::bound: return "bound";
    case CollectEnd::enough: return "enough";
    case CollectEnd::source_ended: return "source ended";
  }
  return "?";
}

struct Collected {
  CollectEnd end = CollectEnd::deadline;
  std::size_t items = 0;  // handed to the callback
};

// For a collection that also ends on what arrives elsewhere (e.g. ACKs a TCP
// listener receives): `enough` is asked before every wait (true: stop), and
// with `poll` > 0 no single wait is longer than that, so that `enough` and a
// deadline that moves are looked at again at least that often. Each wait, with
// an item or without, counts towards the bound.
struct CollectWatch {
  std::function<bool()> enough;
  std::chrono::milliseconds poll{0};
};

// A deadline: a time point, or a function giving it (asked before every wait).
template <typename D>
concept CollectDeadline = std::convertible_to<D, CollectClock::time_point> ||
                          (std::invocable<D&> && std::convertible_to<std::invoke_result_t<D&>, CollectClock::time_point>);

template <CollectDeadline D>
CollectClock::time_point deadline_now(D& deadline)
{
  if constexpr (std::convertible_to<D, CollectClock::time_point>)
    return deadline;
  else
    return deadline();
}

// Waits on `source` and hands each item to `on_item` (which returns Collect)
// until the deadline passes, `bound` waits were made, `on_item` or
// `watch.enough` says enough, or the source ends. Before each wait: the bound,
// then `watch.enough`, then the deadline. A wait lasts until the deadline
// (+1 ms, so that a wait that times out is past it), or `watch.poll` if shorter.
template <typename Source, CollectDeadline D, typename OnItem>
boost::asio::awaitable<Collected> collect_until(Source& source, D deadline, std::size_t bound, OnItem on_item,
                                                CollectWatch watch = {})
{
  using std::chrono::milliseconds;
  Collected out;
  for (std::size_t waits = 0;; ++waits) {
    if (waits >= bound) {
      out.end = CollectEnd::bound;
      co_return out;
    }
    if (watch.enough && watch.enough()) {
      out.end = CollectEnd::enough;
      co_return out;
    }
    const CollectClock::time_point until = deadline_now(deadline);
    const CollectClock::time_point start = CollectClock::now();
    if (start >= until) {
      out.end = CollectEnd::deadline;
      co_return out;
    }
    milliseconds wait = std::chrono::duration_cast<milliseconds>(until - start) + milliseconds(1);
    if (watch.poll > milliseconds(0)) wait = std::min(wait, watch.poll);
    auto got = co_await source.next(wait);
    if (!got) {
      // Nothing before its time: the source has ended; after it: look again.
      if (CollectClock::now() - start < wait) {
        out.end = CollectEnd::source_ended;
        co_return out;
      }
      continue;
    }
    ++out.items;
    if (on_item(*got) == Collect::enough) {
      out.end = CollectEnd::enough;
      co_return out;
    }
  }
}

}  // namespace mulenet::net
