#pragma once
// The completion token of every coroutine wait that reports its error as a
// value (co_await op(..., use_tuple) -> [error_code, result...]) instead of
// throwing: one definition, shared, so that no two files need their own.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mulenet::net {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace mulenet::net
