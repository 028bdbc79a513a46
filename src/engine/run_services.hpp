#pragma once
// How a command runs its use-case: on the program's io_context (borrowed, on
// the calling thread), the services the use-case needs opened once
// (kad::NodeServices: one listener, one Dialer, the Kad node borrowing them),
// the use-case run with them to its end, then the services stopped. The
// io_context glue of every command is here and nowhere else.
#include <functional>

#include <boost/asio/awaitable.hpp>

#include "kad/kad_services.hpp"
#include "net/run_to_end.hpp"  // net::run_to_end: a use-case without the node's services

namespace mulenet::engine {

// Opens the services `options` asks for, runs `use_case` with them, stops them.
void run_with_services(boost::asio::io_context& io, kad::NodeServicesOptions options,
                       std::function<boost::asio::awaitable<void>(kad::NodeServices&)> use_case);

}  // namespace mulenet::engine
