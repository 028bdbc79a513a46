#pragma once
// Runs a coroutine to its end on an io_context of its own, on the calling
// thread: how a one-shot use-case (a command, the doctor) runs its network
// work. The Engine, which lives long, owns its io_context instead.
#include <functional>

#include <boost/asio/awaitable.hpp>

namespace mulenet::net {

// An exception `work` throws is thrown here.
void run_to_end(std::function<boost::asio::awaitable<void>()> work);

}  // namespace mulenet::net
