#pragma once
// Runs a coroutine to its end on the program's io_context, on the calling
// thread: how a one-shot use-case (a command, the doctor) runs its network
// work. The io_context is borrowed from its owner (the program, one per
// process); the Engine, which lives long, runs its own instead.
#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace mulenet::net {

// An exception `work` throws is thrown here.
void run_to_end(boost::asio::io_context& io, std::function<boost::asio::awaitable<void>()> work);

}  // namespace mulenet::net
