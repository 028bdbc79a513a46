// mulenet igd: what the router answers to (NAT-PMP, PCP, UPnP), and its external address.
#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "engine/run_services.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "portmap/gateway_probe.hpp"
#include "text_table.hpp"

namespace mulenet::cli {
namespace {

struct IgdOptions {
  std::string gateway;
  int timeout_ms = 3000;
};

boost::json::object answer_json(const portmap::ProtocolAnswer& a)
{
  boost::json::object o{{"answered", a.answered},
                        {"ms", static_cast<double>(a.elapsed.count()) / 1000.0},
                        {"detail", a.detail},
                        {"error", a.error}};
  o["external_ip"] = a.external_ip ? boost::json::value(*a.external_ip) : boost::json::value(nullptr);
  o["epoch"] = a.epoch ? boost::json::value(*a.epoch) : boost::json::value(nullptr);
  return o;
}

boost::json::array table_json(const portmap::UpnpInfo& info)
{
  boost::json::array rows;
  for (const portmap::RouterTableEntry& e : info.table) {
    rows.push_back(boost::json::object{{"protocol", config::to_string(e.protocol)},
                                       {"external_port", e.external_port},
                                       {"internal_client", e.internal_client},
                                       {"internal_port", e.internal_port},
                                       {"description", e.description},
                                       {"enabled", e.enabled},
                                       {"lease", e.lease_seconds},
                                       {"remote_host", e.remote_host}});
  }
  return rows;
}

void print_table(const portmap::UpnpInfo& info, const std::string& local_address)
{
  if (!info.table_read) return;
  if (info.table.empty() && info.table_error.empty()) {
    std::cout << "  The router's UPnP mapping table is empty.\n";
    return;
  }
  if (!info.table.empty()) {
    std::cout << fmt::format("  The router's UPnP mapping table ({} entr{}{}):\n", info.table.size(),
                             info.table.size() == 1 ? "y" : "ies", info.table_truncated ? ", more not read" : "");
    TextTable table({"  protocol", "external", "to", "lease", "description"});
    for (const portmap::RouterTableEntry& e : info.table) {
      table.add_row({std::string("  ") + config::to_string(e.protocol), std::to_string(e.external_port),
                     fmt::format("{}:{}{}{}", e.internal_client, e.internal_port,
                                 e.internal_client == local_address ? " (this host)" : "",
                                 e.enabled ? "" : " (disabled)"),
                     e.lease_seconds == 0 ? "permanent" : std::to_string(e.lease_seconds) + " s", e.description});
    }
    table.print(std::cout);
  }
  if (!info.table_error.empty()) std::cout << "  Reading the mapping table broke off: " << info.table_error << "\n";
}

void print_answer(const char* name, const portmap::ProtocolAnswer& a)
{
  if (a.answered && a.error.empty()) {
    std::cout << fmt::format("  {:<8} answered in {:.1f} ms{}{}\n", name, static_cast<double>(a.elapsed.count()) / 1000.0,
                             a.external_ip ? ", external address " + *a.external_ip : "",
                             a.epoch ? fmt::format(", epoch {} s", *a.epoch) : "");
  } else {
    std::cout << fmt::format("  {:<8} {}\n", name, a.error.empty() ? "no answer" : a.error);
  }
}

int run_igd(const GlobalOptions& g, const IgdOptions& o)
{
  portmap::ProbeOptions options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  if (!o.gateway.empty()) options.gateway_override = o.gateway;
  options.list_mappings = true;
  if (!g.json) std::cerr << "Asking the router (NAT-PMP, PCP, UPnP)..." << std::endl;
  portmap::GatewayReport report;
  net::run_to_end(g.io(), [&]() -> boost::asio::awaitable<void> { report = co_await portmap::probe_gateway(options); });

  std::optional<std::string> external = report.natpmp.external_ip;
  if (!external) external = report.upnp.external_ip;
  const bool any = report.natpmp.answered || report.pcp.answered || report.upnp.answered;
  const bool double_nat = external && portmap::is_private_or_cgnat(*external);
  if (g.json) {
    boost::json::object out;
    out["gateway"] = report.gateway ? boost::json::value(boost::json::object{{"address", report.gateway->address},
                                                                             {"interface", report.gateway->interface}})
                                    : boost::json::value(nullptr);
    out["local_address"] = report.local_address;
    boost::json::object upnp = answer_json(report.upnp);
    if (report.upnp_info) {
      const auto& i = *report.upnp_info;
      boost::json::array refused;
      for (const auto& r : i.refused) refused.push_back(boost::json::value(r));
      upnp["location"] = i.location;
      upnp["server"] = i.server;
      upnp["friendly_name"] = i.friendly_name;
      upnp["service_type"] = i.service_type;
      upnp["control_url"] = i.control_url;
      upnp["connection_status"] = i.connection_status;
      upnp["refused"] = refused;
      upnp["mappings"] = i.table_read ? boost::json::value(table_json(i)) : boost::json::value(nullptr);
      upnp["mappings_error"] = i.table_error;
    }
    out["protocols"] =
        boost::json::object{{"natpmp", answer_json(report.natpmp)}, {"pcp", answer_json(report.pcp)}, {"upnp", upnp}};
    out["external_ip"] = external ? boost::json::value(*external) : boost::json::value(nullptr);
    out["double_nat"] = double_nat;
    out["error"] = report.error.empty() ? boost::json::value(nullptr) : boost::json::value(report.error);
    print_json(out);
  } else if (!report.error.empty()) {
    std::cout << "mulenet: " << report.error << "\n";
  } else {
    std::cout << fmt::format("Gateway {} ({}), our address {}\n", report.gateway->address, report.gateway->interface,
                             report.local_address);
    print_answer("NAT-PMP", report.natpmp);
    print_answer("PCP", report.pcp);
    print_answer("UPnP", report.upnp);
    if (report.upnp_info && report.upnp.answered) {
      const auto& i = *report.upnp_info;
      std::cout << fmt::format("           {} at {}\n           service {}{}\n", i.friendly_name, i.location,
                               i.service_type,
                               i.connection_status.empty() ? "" : ", connection " + i.connection_status);
      print_table(i, report.local_address);
    }
    if (double_nat) {
      std::cout << fmt::format("The router's external address {} is private or CGNAT: another NAT sits in front "
                               "of it (double NAT); mappings on this router alone will not make you reachable.\n",
                               *external);
    }
  }
  return any ? kExitOk : kExitProblems;
}

}  // namespace

std::vector<Command> make_igd_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<IgdOptions>();
  CLI::App* app = root.add_subcommand("igd", "Ask the router what port-mapping protocols it speaks");
  add_global_options(*app, g);
  app->add_option("--gateway", o->gateway, "ask this router address instead of the default gateway")
      ->type_name("IP");
  app->add_option("--timeout", o->timeout_ms, "how long to wait for each protocol, in ms (default 3000)")
      ->check(CLI::Range(100, 60000));
  app->footer(
      "Asks NAT-PMP, PCP and UPnP IGD at once (SSDP unicast to the gateway and multicast; only\n"
      "description and control URLs on the gateway's subnet are used) and reports which answered,\n"
      "how fast, the router's external address, its epoch, the UPnP device and WAN service, the\n"
      "router's UPnP mapping table (every entry, whoever made it), and whether the external address\n"
      "is private or CGNAT (double NAT).\n\n"
      "JSON: {\"gateway\",\"local_address\",\"protocols\":{\"natpmp\",\"pcp\",\"upnp\":{...,\"mappings\":[{\"protocol\",\n"
      "\"external_port\",\"internal_client\",\"internal_port\",\"description\",\"enabled\",\"lease\"}]}},\n"
      "\"external_ip\",\"double_nat\",\"error\"}\n\n"
      "Exit code: 0 when at least one protocol answered, 2 when none did.");
  return {{app, [&g, o] { return run_igd(g, *o); }}};
}

}  // namespace mulenet::cli
