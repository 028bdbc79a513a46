// Each local port of the plan can be bound, or we say what holds it.
#include <fmt/format.h>

#include "doctor/amule_holds.hpp"
#include "doctor/check.hpp"

namespace mulenet::doctor {
namespace {

std::string port_label(const config::PlannedPort& p)
{
  return fmt::format("{}/{} ({})", p.port, config::to_string(p.protocol), p.name);
}

Finding in_use_finding(const PortEvidence& pe)
{
  const config::PlannedPort& p = pe.port;
  const std::string id = "port.in-use." + p.name;
  const std::string fix =
      fmt::format("Stop the program that holds it, or give this service another port: mulenet config set {} PORT",
                  p.key);
  if (pe.holder && pe.holder->pid > 0) {
    const net::PortHolder& h = *pe.holder;
    if (is_amule(h)) {
      return {id, Severity::ok,
              fmt::format("Port {} is held by {} (pid {}): aMule is running",
                          port_label(p), h.command, h.pid),
              fmt::format("bind() failed with EADDRINUSE; /proc shows {} (pid {}: {})", h.command, h.pid, h.cmdline),
              ""};
    }
    return {id, Severity::problem,
            fmt::format("Port {} is already in use by {} (pid {})", port_label(p), h.command, h.pid),
            fmt::format("bind() failed with EADDRINUSE; /proc shows {} (pid {}: {})", h.command, h.pid, h.cmdline),
            fix};
  }
  return {id, Severity::problem, fmt::format("Port {} is already in use by another program", port_label(p)),
          fmt::format("bind() failed: {}; the program holding it is not visible to this user", pe.bind.detail),
          "Run `sudo mulenet doctor` to see which program it is. " + fix};
}

}  // namespace

std::vector<Finding> check_ports_bindable(const Evidence& ev)
{
  std::vector<Finding> out;
  std::vector<std::string> free_ports;
  const std::string address = ev.settings.bind_address.empty() ? "all addresses" : ev.settings.bind_address;
  for (const PortEvidence& pe : ev.ports) {
    const config::PlannedPort& p = pe.port;
    switch (pe.bind.status) {
      case net::BindStatus::free: free_ports.push_back(port_label(p)); break;
      case net::BindStatus::in_use: out.push_back(in_use_finding(pe)); break;
      case net::BindStatus::permission_denied:
        out.push_back({"port.denied." + p.name, Severity::problem,
                       fmt::format("Port {} may not be bound by this user", port_label(p)),
                       fmt::format("bind() on {}: {}. Ports below 1024 need root or CAP_NET_BIND_SERVICE.", address,
                                   pe.bind.detail),
                       fmt::format("Use a port above 1023: mulenet config set {} PORT", p.key)});
        break;
      case net::BindStatus::address_unavailable:
        out.push_back({"port.address-unavailable." + p.name, Severity::problem,
                       fmt::format("Port {} cannot be bound: {} is not an address of this host", port_label(p),
                                   address),
                       fmt::format("bind() on {}: {} ([eMule] Address={})", address, pe.bind.detail,
                                   ev.settings.bind_address),
                       "Set /eMule/Address to an address of this host, or empty for all: "
                       "mulenet config set /eMule/Address \"\""});
        break;
      case net::BindStatus::error:
        out.push_back({"port.error." + p.name, Severity::warning,
                       fmt::format("Port {} could not be tested", port_label(p)),
                       fmt::format("bind() on {}: {}", address, pe.bind.detail), ""});
        break;
    }
  }
  if (!free_ports.empty()) {
    std::string list;
    for (const std::string& s : free_ports) list += (list.empty() ? "" : ", ") + s;
    out.push_back({"port.bindable", Severity::ok,
                   fmt::format("{} of the ports can be bound", free_ports.size() == ev.ports.size() ? "All" : "Some"),
                   fmt::format("bound and released on {}: {}", address, list), ""});
  }
  return out;
}

}  // namespace mulenet::doctor
