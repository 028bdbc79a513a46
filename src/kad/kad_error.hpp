#pragma once
// Why our Kad node could not run, or a Kad check or lookup could not answer,
// as stable codes the Engine (and later the web API) can match, each with a
// message naming the cause and a fix. The error strings next to these codes
// stay: they carry the details (the port, the file, the proxy's words).
// Verdicts (open/firewalled/unknown) are not errors: kad::Verdict says them.
#include <string_view>
#include <system_error>

namespace mulenet::kad {

enum class KadErrc {
  // Our node cannot run.
  udp_disabled = 1,          // /eMule/UDPEnable=0: aMule's Kad does not run either
  udp_port_unavailable,      // the Kad UDP port cannot be bound (aMule holds it, or the bind address)
  strict_proxy_refuses_udp,  // strict proxy mode with a proxy that carries no UDP (not SOCKS5)
  proxy_incomplete,          // the proxy is on, but its host or port is missing
  no_udp_association,        // the SOCKS5 proxy gave no UDP association
  identity,                  // our user hash, Kad ID or UDP key cannot be made or saved
  // Where a check or lookup starts from.
  bad_bootstrap,             // a bootstrap address is not IPv4:port
  nodes_dat_unreadable,      // the nodes.dat cannot be read
  no_nodes,                  // no Kad node to start from (no nodes.dat, no bootstrap node)
  too_few_contacts,          // too few usable contacts for a TCP check (it needs several checkers)
  // The network's answer.
  no_answer,                 // none of the Kad nodes asked answered
};

[[nodiscard]] const std::error_category& kad_category() noexcept;
[[nodiscard]] std::error_code make_error_code(KadErrc e) noexcept;

// "udp-port-unavailable", ...: the stable code of the public contract (JSON "code").
[[nodiscard]] std::string_view code_name(KadErrc e) noexcept;
// What to do about it, in plain words, naming the settings involved.
[[nodiscard]] std::string_view fix_for(KadErrc e) noexcept;

}  // namespace mulenet::kad

template <>
struct std::is_error_code_enum<mulenet::kad::KadErrc> : std::true_type {};
