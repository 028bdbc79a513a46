#pragma once
// The client listener on our TCP port (reference §2.2): answers OP_HELLO
// with OP_HELLOANSWER carrying our real ports and user hash, so that a
// server's connect-back (High ID) and a Kad node's firewall check succeed.
// As aMule: any other packet before the Hello closes the connection. Hostile
// peers cost bounded memory and time: at most max_connections at once, the
// Hello must come within hello_timeout and be at most max_hello_size bytes,
// an idle connection is closed after idle_timeout (aMule's 40 s).
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "ed2k/hello.hpp"

namespace mulenet::ed2k {

struct ListenerLimits {
  std::size_t max_connections = 32;
  std::chrono::milliseconds hello_timeout{10'000};
  std::chrono::milliseconds idle_timeout{40'000};
  std::size_t max_hello_size = 64 * 1024;
  std::size_t max_packet_size = 256 * 1024;  // after the Hello
};

struct IncomingHello {
  std::string peer_ip;
  std::uint16_t peer_port = 0;
  Hello hello;
};

struct ListenerCounters {
  std::size_t accepted = 0;
  std::size_t hellos_answered = 0;
  std::size_t refused = 0;  // no Hello first, malformed, too large, too slow, too many
};

class ClientListener {
 public:
  using HelloFn = std::function<void(const IncomingHello&)>;
  // Packets a peer sends after its Hello (e.g. Kad's OP_KAD_FWTCPCHECK_ACK).
  using PacketFn = std::function<void(const std::string& peer_ip, const Packet&)>;

  // Binds `address`:`port` and serves until stop(). nullptr and `error` set
  // when the port cannot be bound (in use, no permission).
  static std::shared_ptr<ClientListener> start(boost::asio::any_io_executor executor, const std::string& address,
                                               std::uint16_t port, Identity me, ListenerLimits limits,
                                               std::string& error);

  // The owner's handlers (one each; set again to replace).
  void on_hello(HelloFn fn);
  void on_packet(PacketFn fn);
  // A borrower's handlers: the listener is built once and lent to several
  // use-cases at a time (a Kad check, an eD2k login, later the buddy); each
  // hears every Hello / packet while the returned handle lives. Dropping the
  // handle unsubscribes; none is called after stop() or after its handle is gone.
  using Subscription = std::shared_ptr<void>;
  [[nodiscard]] Subscription subscribe_hellos(HelloFn fn);
  [[nodiscard]] Subscription subscribe_packets(PacketFn fn);
  [[nodiscard]] ListenerCounters counters() const;
  [[nodiscard]] std::uint16_t local_port() const;  // the port bound (useful when asked for 0)
  void stop();

  struct State;
  explicit ClientListener(std::shared_ptr<State> state);
  ~ClientListener();

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mulenet::ed2k
