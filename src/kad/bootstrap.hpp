#pragma once
// Bootstrapping from given Kad nodes (aMule's "bootstrap from IP:port"):
// KADEMLIA2_BOOTSTRAP_REQ to each, plain; the answer names the node itself
// and up to 20 contacts from its routing table. All go into our routing
// table: the answering node proven when it carried our key back.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "kad/kad_messages.hpp"
#include "proxy/target.hpp"

namespace mulenet::kad {

class KadNode;

struct BootstrapResult {
  std::vector<Contact> contacts;        // the nodes that answered, then what they listed
  std::set<std::uint32_t> contacted;    // Kad-order IPs we sent to
};

boost::asio::awaitable<BootstrapResult> bootstrap_from(
    KadNode& node, std::vector<proxy::Target> nodes, std::chrono::milliseconds answer_wait,
    std::function<void(const std::string& node, const std::string& said)> note);

}  // namespace mulenet::kad
