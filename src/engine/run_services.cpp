#include "engine/run_services.hpp"

#include "net/run_to_end.hpp"

namespace mulenet::engine {

namespace asio = boost::asio;

void run_with_services(asio::io_context& io, kad::NodeServicesOptions options,
                       std::function<asio::awaitable<void>(kad::NodeServices&)> use_case)
{
  net::run_to_end(io, [&]() -> asio::awaitable<void> {
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
