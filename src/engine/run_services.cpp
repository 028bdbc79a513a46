#include "engine/run_services.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace mulenet::engine {

namespace asio = boost::asio;

void run_to_end(std::function<asio::awaitable<void>()> work)
{
  asio::io_context io;
  std::exception_ptr failure;
  asio::co_spawn(io, work(), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

void run_with_services(kad::NodeServicesOptions options,
                       std::function<asio::awaitable<void>(kad::NodeServices&)> use_case)
{
  run_to_end([&]() -> asio::awaitable<void> {
    kad::NodeServices services = co_await kad::open_node_services(options);
    std::exception_ptr failure;
    try {
      co_await use_case(services);
    } catch (...) {
      failure = std::current_exception();
    }
    kad::stop_node_services(services);  // also when the use-case failed
    if (failure) std::rethrow_exception(failure);
  });
}

}  // namespace mulenet::engine
