#include "net/run_to_end.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace mulenet::net {

void run_to_end(std::function<boost::asio::awaitable<void>()> work)
{
  boost::asio::io_context io;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, work(), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace mulenet::net
