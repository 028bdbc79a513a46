#pragma once
// `mulenet kad lookup`: who in the Kad network is closest to an ID (our own
// by default: our neighbours). A Kad node on a free UDP port (so aMule may
// keep running), seeded from nodes.dat and/or bootstrap nodes, then one
// iterative node lookup. It sends no HELLO: nobody is asked to keep us.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "kad/kad_messages.hpp"
#include "kad/nodes_dat.hpp"
#include "proxy/target.hpp"

namespace mulenet::kad {

struct KadFindOptions {
  config::Settings settings;  // bind address, proxy
  KadId own_id;
  std::uint32_t udp_key = 0;
  KadId target;
  std::vector<NodesDatEntry> nodes;  // from nodes.dat
  std::vector<proxy::Target> bootstrap;
  std::chrono::milliseconds answer_wait{3000};
  std::chrono::milliseconds lifetime{20000};
  std::function<void(std::string_view)> progress;
};

struct KadFindStep {
  std::chrono::milliseconds at{0};
  std::string node;
  std::string said;
};

struct KadFindReport {
  std::vector<Contact> closest;  // answered, closest first
  std::size_t queries = 0;
  std::size_t answers = 0;
  std::size_t routing_contacts = 0;
  std::string udp_path;  // "direct" or "through the SOCKS5 relay A:P"
  bool completed = false;
  std::vector<KadFindStep> evidence;
  std::string error;
  std::error_code code;  // with error: its KadErrc (kad_error.hpp)
  std::chrono::milliseconds elapsed{0};
};

class KadNode;
// A lookup by a node borrowed from its owner (whose routing table it fills).
boost::asio::awaitable<KadFindReport> find_kad_nodes(KadNode& node, KadFindOptions options);
// The same by a node of its own on a free port, stopped after it.
boost::asio::awaitable<KadFindReport> find_kad_nodes(KadFindOptions options);

}  // namespace mulenet::kad
