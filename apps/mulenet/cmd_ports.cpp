// mulenet ports [--firewall KIND]: the port plan, or the firewall rules for it.
#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "config/load_settings.hpp"
#include "config/port_plan.hpp"
#include "exit_codes.hpp"
#include "firewall/firewall_kind.hpp"
#include "firewall/rule_render.hpp"
#include "json_output.hpp"
#include "net/default_gateway.hpp"
#include "portmap/gateway_probe.hpp"
#include "text_table.hpp"

namespace mulenet::cli {
namespace {

struct PortsOptions {
  std::string firewall;
};

void print_plan(const config::PortPlan& plan)
{
  TextTable table({"NAME", "PROTO", "PORT", "DIRECTION", "UPNP", "ENABLED", "KEY", "PURPOSE"});
  for (const config::PlannedPort& p : plan.ports) {
    table.add_row({p.name, config::to_string(p.protocol), std::to_string(p.port), p.direction,
                   p.upnp ? "mapped" : "-", p.active ? "yes" : "no", p.key, p.purpose});
  }
  table.print(std::cout);
}

int run_ports(const GlobalOptions& g, const PortsOptions& o)
{
  const auto loaded = load_config(g);
  if (!loaded) return kExitFileError;
  const auto issues = config::validate(loaded->doc);
  if (config::has_errors(issues)) {
    report_config_errors(g, fmt::format("{} has errors, so the port plan cannot be trusted:", config_path(g).string()),
                         issues);
    return kExitConfigInvalid;
  }
  const config::Settings settings = config::load_settings(loaded->doc);
  const config::PortPlan plan = config::make_port_plan(settings);

  if (!o.firewall.empty()) {
    const auto kind = firewall::parse_firewall_kind(o.firewall);  // validated by CLI11 already
    firewall::RenderOptions opts;
    opts.upnp = settings.upnp_enabled || settings.upnp_web_enabled;
    opts.upnp_control_port = settings.upnp_tcp_port;
    if (const auto gw = net::default_gateway()) opts.router_address = gw->address;
    const std::string rules = firewall::render_firewall_rules(*kind, plan, opts);
    if (g.json) {
      print_json(boost::json::object{{"firewall", o.firewall}, {"rules", rules}});
    } else {
      std::cout << rules;
    }
    return kExitOk;
  }
  if (g.json) {
    boost::json::array ports;
    for (const config::PlannedPort& p : plan.ports) ports.push_back(to_json(p));
    print_json(boost::json::object{{"ports", ports}, {"upnp_built", portmap::upnp_built_in()}});
  } else {
    print_plan(plan);
    if (!portmap::upnp_built_in()) {
      std::cout << "\nUPnP IGD is not available: this mulenet was built with MULENET_WITH_UPNP=OFF. The UPnP\n"
                   "toggles select what `mulenet map` forwards by NAT-PMP or PCP only.\n";
    }
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> make_ports_commands(CLI::App& root, GlobalOptions& g)
{
  auto options = std::make_shared<PortsOptions>();
  CLI::App* app = root.add_subcommand("ports", "Show which local ports aMule uses and which UPnP forwards");
  app->footer(
      "The plan follows amule.conf: /eMule/Port (TCP, and TCP+3 for server UDP), /eMule/UDPPort (Kad, absent\n"
      "when /eMule/UDPEnable=0), the EC and web ports, and the UPnP control port (never forwarded).\n"
      "UPnP maps the eD2k ports when /eMule/UPnPEnabled=1, the EC port only when /ExternalConnect/UPnPECEnabled=1\n"
      "as well, and the web port on /WebServer/UPnPWebServerEnabled alone.\n\n"
      "Examples:\n"
      "  mulenet ports                     the plan as a table\n"
      "  mulenet ports --json              the same as JSON: {\"ports\":[{\"name\",\"protocol\",\"port\",...}]}\n"
      "  mulenet ports --firewall nft      nftables rules that open exactly these ports");
  add_global_options(*app, g);
  app->add_option("--firewall", options->firewall,
                  "print the rules that open these ports for this firewall: nft, iptables, ufw, firewalld or pf")
      ->type_name("KIND")
      ->check(CLI::IsMember({"nft", "iptables", "ufw", "firewalld", "pf"}));
  return {{app, [&g, options] { return run_ports(g, *options); }}};
}

}  // namespace mulenet::cli
