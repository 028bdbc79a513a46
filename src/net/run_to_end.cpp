#include "net/run_to_end.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace mulenet::net {

void run_to_end(boost::asio::io_context& io, std::function<boost::asio::awaitable<void>()> work)
{
  io.restart();  // an earlier use-case ran it to its end
  std::exception_ptr failure;
  boost::asio::co_spawn(io, work(), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace mulenet::net
