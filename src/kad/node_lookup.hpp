#pragma once
// An iterative Kad node lookup (aMule's NODE search): KADEMLIA2_REQ (type
// 0x0B: "11 contacts closest to the target", addressed to the asked node's
// ID, obfuscated with it) to the ALPHA = 3 closest contacts not yet asked,
// each answer's contacts fed back in, until the K closest known have all
// answered or failed. What it learns goes into the node's routing table
// (unproven until they talk to us themselves); the nodes that answered are
// proven. The bookkeeping is NodeLookupState; this is the sending and waiting.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "kad/kad_messages.hpp"

namespace mulenet::kad {

class KadNode;

struct NodeLookupOptions {
  KadId target;
  std::vector<Contact> seeds;                   // besides the routing table's closest
  std::set<std::uint32_t> avoid_ips;            // never asked (Kad order): kept for another purpose
  std::chrono::milliseconds answer_wait{3000};  // per asked node
  std::chrono::milliseconds lifetime{20000};    // the whole lookup (aMule gives a node search 45 s)
  std::size_t max_queries = 64;                 // how many nodes it may ask in all
  // Evidence: node "IP:PORT" and what it said.
  std::function<void(const std::string& node, const std::string& said)> note;
};

struct NodeLookupResult {
  std::vector<Contact> closest;  // nodes that answered, closest to the target first (at most K)
  std::vector<Contact> asked;    // every node we sent a request to (they have heard from our UDP port)
  std::size_t queries = 0;
  std::size_t answers = 0;
  std::size_t learned = 0;  // contacts new to the lookup
  bool completed = false;   // ended because the closest all answered (not by time or budget)
};

boost::asio::awaitable<NodeLookupResult> lookup_nodes(KadNode& node, NodeLookupOptions options);

}  // namespace mulenet::kad
