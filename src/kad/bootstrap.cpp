#include "kad/bootstrap.hpp"

#include <fmt/format.h>

#include "kad/kad_node.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;

asio::awaitable<BootstrapResult> bootstrap_from(KadNode& node, std::vector<proxy::Target> nodes,
                                                std::chrono::milliseconds answer_wait,
                                                std::function<void(const std::string&, const std::string&)> note)
{
  BootstrapResult result;
  // The nodes that answered come first (they are alive: a check asks them
  // before the listed ones, which may be long gone), then what they listed.
  std::vector<Contact> listed;
  const auto say = [&](const std::string& who, const std::string& said) {
    if (note) note(who, said);
  };
  for (const proxy::Target& t : nodes) {
    const auto* ip = std::get_if<proxy::Ipv4>(&t.host);
    if (!ip) continue;
    const udp::endpoint to(asio::ip::address_v4(*ip), t.port);
    result.contacted.insert(kad_ip_of(to.address().to_v4()));
    // Named, not temporaries inside co_await (GCC 12, see ARCHITECTURE.md).
    const Datagram request = encode_bootstrap_req();
    const SendKey plain = SendKey::plain();
    const auto inbox = node.open_inbox(
        [&](const Received& r) { return r.from == to && r.datagram.opcode == KADEMLIA2_BOOTSTRAP_RES; });
    co_await node.send(to, request, plain);
    const auto got = co_await inbox->next(answer_wait);
    if (!got) {
      say(t.str(), "no KADEMLIA2_BOOTSTRAP_RES");
      continue;
    }
    const auto res = decode_bootstrap_res(got->datagram);
    if (!res) {
      say(t.str(), "KADEMLIA2_BOOTSTRAP_RES malformed: " + res.error);
      continue;
    }
    say(t.str(), fmt::format("KADEMLIA2_BOOTSTRAP_RES: {} contacts", res.value->contacts.size()));
    const Contact responder{res.value->id, kad_ip_of(to.address().to_v4()), t.port, res.value->tcp_port,
                            res.value->version};
    result.contacts.push_back(responder);
    node.remember(responder, got->sender_verify_key, got->valid_receiver_key);
    for (const Contact& c : res.value->contacts) {
      listed.push_back(c);
      node.learn(c);
    }
  }
  result.contacts.insert(result.contacts.end(), listed.begin(), listed.end());
  co_return result;
}

}  // namespace mulenet::kad
