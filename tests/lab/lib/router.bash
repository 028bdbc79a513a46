# The NAT router: nftables NAT and firewall in the router namespace, and
# miniupnpd (UPnP IGD, NAT-PMP, PCP) on its LAN side.
# shellcheck shell=bash
#
# Behaves like a home router: the LAN (br-lan, 192.168.77.0/24) leaves through
# eth-wan masqueraded to 203.0.113.2; from the WAN only established flows and
# what miniupnpd maps come in. The ruleset is router/ruleset.nft.in, the
# daemon's configuration router/miniupnpd.conf.in; both are rendered into
# $LAB_DIR/router. `router_cmd` changes the router for tests (`lab router ...`).
#
# Needs: nftables, miniupnpd-nftables, conntrack (to make `router_cmd` knobs
# apply to flows that already exist), natpmpc (readiness check).

ROUTER_DIR="$LAB_DIR/router"
ROUTER_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/router"
ROUTER_TABLE=lab_router
ROUTER_WAN_IF=eth-wan
ROUTER_LAN_IF=br-lan
ROUTER_HTTP_PORT=5000
ROUTER_NATPMP_PORT=5351
# miniupnpd's chains in $ROUTER_TABLE (same names as its defaults).
ROUTER_FORWARD_CHAIN=miniupnpd
ROUTER_NAT_CHAIN=prerouting_miniupnpd
ROUTER_NAT_POSTROUTING_CHAIN=postrouting_miniupnpd
# The IGD's root description, for `upnpc -u` (skips SSDP discovery).
# shellcheck disable=SC2034 # used by the smoke tests
LAB_ROUTER_DESC_URL="http://$LAB_ROUTER_LAN_IP:$ROUTER_HTTP_PORT/rootDesc.xml"
# `remap-udp on` maps source port P to P xor this (never P itself).
ROUTER_REMAP_XOR=0x4000

# --- helpers -----------------------------------------------------------------
router_exec() { ip netns exec "$(lab_ns router)" "$@"; }
router_nft() { router_exec nft "$@"; }

# router_render TEMPLATE OUTPUT: replaces the @NAME@ placeholders.
router_render() {
  sed -e "s|@TABLE@|$ROUTER_TABLE|g" \
    -e "s|@WAN_IF@|$ROUTER_WAN_IF|g" \
    -e "s|@LAN_IF@|$ROUTER_LAN_IF|g" \
    -e "s|@LAN_NET@|$LAB_LAN_NET|g" \
    -e "s|@LAN2_IP@|$LAB_LAN2_IP|g" \
    -e "s|@WAN2_IP@|$LAB_ROUTER_WAN2_IP|g" \
    -e "s|@FORWARD_CHAIN@|$ROUTER_FORWARD_CHAIN|g" \
    -e "s|@NAT_CHAIN@|$ROUTER_NAT_CHAIN|g" \
    -e "s|@NAT_POSTROUTING_CHAIN@|$ROUTER_NAT_POSTROUTING_CHAIN|g" \
    -e "s|@HTTP_PORT@|$ROUTER_HTTP_PORT|g" \
    -e "s|@STUN_IP@|${LAB_STUN_IP:-$LAB_WAN_IP}|g" \
    -e "s|@STUN_PORT@|${LAB_STUN_PORT:-3478}|g" \
    -e "s|@ROUTER_DIR@|$ROUTER_DIR|g" \
    -e "s|@UUID@|6d756c65-6e65-7400-0000-726f75746572|g" \
    -e "s|@MIN_LIFETIME@|10|g" \
    -e "s|@MAX_LIFETIME@|3600|g" \
    "$ROUTER_TEMPLATES/$1" >"$2"
}

# router_is_up: our table exists in the router namespace.
router_is_up() { router_nft list table inet "$ROUTER_TABLE" >/dev/null 2>&1; }

router_require_up() {
  router_is_up && return 0
  lab_log "router: not up (no table inet $ROUTER_TABLE in namespace $(lab_ns router)); run \`lab up\` first"
  return 1
}

# router_daemon_exited: miniupnpd's process is gone or a zombie (it exits at
# start-up when, e.g., STUN fails).
router_daemon_exited() {
  local pid _
  lab_alive miniupnpd || return 0
  read -r pid _ <"$LAB_DIR/pids/miniupnpd.pid"
  grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

router_daemon_ready() {
  lab_tcp_listening router "$ROUTER_HTTP_PORT" && lab_udp_bound router "$ROUTER_NATPMP_PORT"
}

# Polled while miniupnpd starts: ready, or dead (no point waiting then).
router_daemon_settled() { router_daemon_ready || router_daemon_exited; }

# router_lan_sees_wan_ip: a NAT-PMP client in `lan` gets 203.0.113.2 as the
# external address (miniupnpd answers and port forwarding is enabled).
router_lan_sees_wan_ip() {
  local out
  out=$(timeout 3 ip netns exec "$(lab_ns lan)" natpmpc -g "$LAB_ROUTER_LAN_IP" 2>&1) || true
  [[ $out == *"Public IP address : $LAB_ROUTER_WAN_IP"* ]]
}

# router_start_miniupnpd: spawn the daemon and wait until it serves UPnP and
# NAT-PMP with port forwarding enabled. STUN takes at most 3 x 3 s.
router_start_miniupnpd() {
  local log="$LAB_DIR/log/miniupnpd.log"
  lab_spawn miniupnpd router /usr/sbin/miniupnpd -d \
    -f "$ROUTER_DIR/miniupnpd.conf" -P "$ROUTER_DIR/miniupnpd.pid"
  if ! lab_wait_for "miniupnpd on $LAB_ROUTER_LAN_IP:$ROUTER_HTTP_PORT/tcp and :$ROUTER_NATPMP_PORT/udp" 15 router_daemon_settled ||
    router_daemon_exited; then
    lab_log "router: miniupnpd did not come up (it needs the stun component for its external address); last lines of $log:"
    grep -v table_cb "$log" | tail -n 4 >&2 || true
    return 1
  fi
  if ! grep -q "Port forwarding is now enabled" "$log"; then
    lab_log "router: miniupnpd runs but port forwarding is disabled (its STUN test failed?); see $log"
    grep -E "STUN|perform_stun" "$log" | tail -n 5 >&2 || true
    return 1
  fi
  if ! router_lan_sees_wan_ip; then
    lab_log "router: NAT-PMP from lan does not report $LAB_ROUTER_WAN_IP as the external address; see $log"
    return 1
  fi
}

# router_flush_miniupnpd_chains: empty the chains miniupnpd fills.
router_flush_miniupnpd_chains() {
  local chain
  for chain in "$ROUTER_FORWARD_CHAIN" "$ROUTER_NAT_CHAIN" "$ROUTER_NAT_POSTROUTING_CHAIN"; do
    router_nft flush chain inet "$ROUTER_TABLE" "$chain"
  done
}

# router_forget_flows FILTER...: delete conntrack entries so that a rule change
# also applies to flows that already exist (their next packet is "new").
# Without the conntrack tool the change only affects new flows.
router_forget_flows() {
  if ! command -v conntrack >/dev/null; then
    lab_log "router: conntrack (Debian package conntrack) is missing: existing flows keep their old treatment"
    return 0
  fi
  router_exec conntrack -D "$@" >/dev/null 2>&1 || true # "0 entries" is an error for it
}

# Flows opened from the WAN side (to the router's WAN address): those a
# mapping DNATed to the LAN.
router_forget_inbound_flows() { router_forget_flows -d "$LAB_ROUTER_WAN_IP" "$@"; }

# --- lab component -------------------------------------------------------------
router_up() {
  mkdir -p "$ROUTER_DIR"
  router_render ruleset.nft.in "$ROUTER_DIR/ruleset.nft"
  if ! router_nft -f "$ROUTER_DIR/ruleset.nft"; then
    lab_log "router: nft could not load $ROUTER_DIR/ruleset.nft"
    return 1
  fi
  router_render miniupnpd.conf.in "$ROUTER_DIR/miniupnpd.conf"
  # A new lab starts without mappings (miniupnpd reloads this file at start).
  : >"$ROUTER_DIR/upnp.leases"
  router_start_miniupnpd
}

router_down() {
  lab_stop miniupnpd
  router_nft delete table inet "$ROUTER_TABLE" >/dev/null 2>&1 || true
  return 0
}

router_status() {
  local rc=0 state
  state=DOWN
  if lab_alive miniupnpd && lab_tcp_listening router "$ROUTER_HTTP_PORT"; then state=running; else rc=1; fi
  printf '%-10s %-6s %-22s %s\n' upnp-igd router "$LAB_ROUTER_LAN_IP:$ROUTER_HTTP_PORT/tcp" "$state"
  state=DOWN
  if lab_alive miniupnpd && lab_udp_bound router "$ROUTER_NATPMP_PORT"; then state=running; else rc=1; fi
  printf '%-10s %-6s %-22s %s\n' nat-pmp router "$LAB_ROUTER_LAN_IP:$ROUTER_NATPMP_PORT/udp" "$state"
  state=DOWN
  if router_is_up; then state=running; else rc=1; fi
  # No port of its own: the NAT (nftables table) on the router's WAN address.
  printf '%-10s %-6s %-22s %s\n' nat router "$LAB_ROUTER_WAN_IP" "$state"
  return $rc
}

# --- test knobs: `lab router ARGS...` -----------------------------------------
# Everything below acts only on the router namespace of this lab.

router_usage() {
  cat <<USAGE
usage: lab router COMMAND

  drop-inbound-udp on|all|off
        on:  drop UDP flows opened from the WAN towards the LAN, mapped ports
             included (replies to flows the LAN opened still pass: a
             port-restricted firewall in front of the mappings)
        all: drop every UDP packet from the WAN to the LAN, replies included
        off: back to normal
  remap-udp on|random|off
        on:     LAN UDP leaves from port P xor $ROUTER_REMAP_XOR (always the same
                port for P, never P itself: endpoint-independent, port changed)
        random: a random other port per flow (symmetric NAT)
        off:    masquerade keeping the port when it is free (the default)
  isp-block-tcp PORT|off
        drop new TCP flows from the WAN to PORT, mapped or not (an ISP that
        filters a P2P port); off: back to normal
  forget-flows
        forget every flow the router tracks (conntrack -F), as if minutes had passed:
        a peer's earlier UDP exchange no longer lets its datagrams in
  restart-miniupnpd [forget]
        stop and start miniupnpd; its NAT-PMP/PCP epoch restarts at 0. Its
        rules are removed and reloaded from its lease file, as on a router
        whose daemon restarts; with "forget" the lease file is emptied too
        (a router that rebooted and lost its mappings)
  refuse-port PORT|off
        miniupnpd refuses to forward PORT (a deny line in its permissions,
        as on routers that keep some ports for themselves) and restarts to
        read it, its lease file kept; off: every port allowed again (restarts)
  flush-mappings
        delete miniupnpd's rules behind its back (and the conntrack entries
        of flows they let in); miniupnpd does not notice
  mappings [handles]
        list the port mappings in force: PROTO EXT_PORT -> IP:PORT; with
        "handles": PROTO EXT_PORT HANDLE, the nft handle of each rule (a rule
        removed and added again gets a new one)
  wan-address other|back
        other: the router's external address becomes $LAB_ROUTER_WAN2_IP (its
               first address is removed, as when an ISP hands out a new one;
               LAN flows leave from the new one, miniupnpd reports it)
        back:  $LAB_ROUTER_WAN_IP again, first, with $LAB_ROUTER_WAN2_IP second
USAGE
}

router_cmd() {
  local cmd=${1:-help}
  shift || true
  case "$cmd" in
    drop-inbound-udp) router_require_up && router_drop_inbound_udp "$@" ;;
    remap-udp) router_require_up && router_remap_udp "$@" ;;
    isp-block-tcp) router_require_up && router_isp_block_tcp "$@" ;;
    forget-flows) router_require_up && router_exec conntrack -F >/dev/null 2>&1 ;;
    restart-miniupnpd) router_require_up && router_restart_miniupnpd "$@" ;;
    refuse-port) router_require_up && router_refuse_port "$@" ;;
    flush-mappings) router_require_up && router_flush_mappings ;;
    mappings) router_require_up && router_mappings "$@" ;;
    wan-address) router_require_up && router_wan_address "$@" ;;
    help | -h | --help) router_usage ;;
    *)
      router_usage >&2
      return 64
      ;;
  esac
}

# router_drop_inbound_udp on|all|off: fills chain knob_inbound (first in the
# forward chain, so "all" also beats the established-flow rule).
router_drop_inbound_udp() {
  local match="iifname $ROUTER_WAN_IF oifname $ROUTER_LAN_IF meta l4proto udp"
  case "${1:-}" in
    on | all | off) ;;
    *)
      lab_log "router: drop-inbound-udp takes on, all or off"
      return 64
      ;;
  esac
  router_nft flush chain inet "$ROUTER_TABLE" knob_inbound
  case "$1" in
    on)
      router_nft add rule inet "$ROUTER_TABLE" knob_inbound "$match" ct state new counter drop
      # Flows a peer already opened through a mapping are cut too.
      router_forget_inbound_flows -p udp
      ;;
    all) router_nft add rule inet "$ROUTER_TABLE" knob_inbound "$match" counter drop ;;
  esac
}

# router_isp_block_tcp PORT|off: fills chain knob_isp.
router_isp_block_tcp() {
  local port=${1:-}
  if [ "$port" != off ] && ! [[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]]; then
    lab_log "router: isp-block-tcp takes a port number or off"
    return 64
  fi
  router_nft flush chain inet "$ROUTER_TABLE" knob_isp
  [ "$port" = off ] && return 0
  router_nft add rule inet "$ROUTER_TABLE" knob_isp iifname "$ROUTER_WAN_IF" tcp dport "$port" ct state new counter drop
}

# router_remap_udp on|random|off: fills chain knob_remap (before masquerade).
router_remap_udp() {
  case "${1:-}" in
    on | random | off) ;;
    *)
      lab_log "router: remap-udp takes on, random or off"
      return 64
      ;;
  esac
  router_nft flush chain inet "$ROUTER_TABLE" knob_remap
  case "$1" in
    on)
      router_nft add rule inet "$ROUTER_TABLE" knob_remap \
        meta l4proto udp snat ip to "$LAB_ROUTER_WAN_IP" : udp sport "^" "$ROUTER_REMAP_XOR"
      ;;
    random)
      # From the half of the port space the original port is not in: the
      # kernel picks a random free port there for each new flow.
      router_nft add rule inet "$ROUTER_TABLE" knob_remap \
        udp sport 0-32767 masquerade to :32768-65535 random
      router_nft add rule inet "$ROUTER_TABLE" knob_remap \
        udp sport 32768-65535 masquerade to :1024-32767 random
      ;;
  esac
  # Outgoing flows already NATed keep their port until they are forgotten.
  router_forget_flows -p udp -s "$LAB_LAN_NET"
}

# router_refuse_port PORT|off: see router_usage. The deny line goes before
# the allow line (miniupnpd takes the first permission rule that matches).
router_refuse_port() {
  local port=${1:-}
  if [ "$port" != off ] && ! [[ $port =~ ^[0-9]{1,5}$ && $port -le 65535 ]]; then
    lab_log "router: refuse-port takes a port number or off"
    return 64
  fi
  router_render miniupnpd.conf.in "$ROUTER_DIR/miniupnpd.conf"
  if [ "$port" != off ]; then
    sed -i "0,/^allow /s//deny $port 0.0.0.0\/0 0-65535\n&/" "$ROUTER_DIR/miniupnpd.conf"
  fi
  router_restart_miniupnpd
}

# router_restart_miniupnpd [forget]: see router_usage.
router_restart_miniupnpd() {
  case "${1:-}" in
    "" | forget) ;;
    *)
      lab_log "router: restart-miniupnpd takes no argument or \"forget\""
      return 64
      ;;
  esac
  lab_stop miniupnpd
  # miniupnpd leaves its rules in place when it stops and re-adds what its
  # lease file lists when it starts; clear them so that nothing is doubled.
  router_flush_miniupnpd_chains
  if [ "${1:-}" = forget ]; then
    : >"$ROUTER_DIR/upnp.leases"
    router_forget_inbound_flows
  fi
  router_start_miniupnpd
}

# router_wan_address other|back: see router_usage. Masquerade and miniupnpd
# take the interface's first address; removing it promotes the second.
router_wan_address() {
  router_exec sysctl -qw "net.ipv4.conf.$ROUTER_WAN_IF.promote_secondaries=1"
  case "${1:-}" in
    other) router_exec ip addr del "$LAB_ROUTER_WAN_IP/24" dev "$ROUTER_WAN_IF" 2>/dev/null || true ;;
    back)
      router_exec ip addr add "$LAB_ROUTER_WAN_IP/24" dev "$ROUTER_WAN_IF" 2>/dev/null || true
      router_exec ip addr del "$LAB_ROUTER_WAN2_IP/24" dev "$ROUTER_WAN_IF" 2>/dev/null || true
      router_exec ip addr add "$LAB_ROUTER_WAN2_IP/24" dev "$ROUTER_WAN_IF"
      ;;
    *)
      lab_log "router: wan-address takes \"other\" or \"back\""
      return 64
      ;;
  esac
}

# router_flush_mappings: the router lost its mappings, miniupnpd still runs.
router_flush_mappings() {
  router_flush_miniupnpd_chains
  router_forget_inbound_flows
}

# router_mappings: one line per DNAT rule of miniupnpd, e.g.
#   udp 4672 -> 192.168.77.10:4672
# nft prints miniupnpd's raw protocol match as "@nh,72,8 0x6" (tcp) or "0x11"
# (udp); the last expression covers the symbolic form.
router_mappings() {
  if [ "${1:-}" = handles ]; then
    router_mapping_handles
    return
  fi
  router_nft list chain inet "$ROUTER_TABLE" "$ROUTER_NAT_CHAIN" | sed -nE \
    -e 's/^.*@nh,72,8 0x6 .*dport ([0-9]+) .*dnat ip to ([0-9.]+:[0-9]+).*$/tcp \1 -> \2/p' \
    -e 's/^.*@nh,72,8 0x11 .*dport ([0-9]+) .*dnat ip to ([0-9.]+:[0-9]+).*$/udp \1 -> \2/p' \
    -e 's/^.*(tcp|udp) dport ([0-9]+) .*dnat ip to ([0-9.]+:[0-9]+).*$/\1 \2 -> \3/p'
}

# router_mapping_handles: PROTO EXT_PORT HANDLE for each DNAT rule of miniupnpd.
router_mapping_handles() {
  router_nft -a list chain inet "$ROUTER_TABLE" "$ROUTER_NAT_CHAIN" | sed -nE \
    -e 's/^.*@nh,72,8 0x6 .*dport ([0-9]+) .*dnat ip to .*# handle ([0-9]+).*$/tcp \1 \2/p' \
    -e 's/^.*@nh,72,8 0x11 .*dport ([0-9]+) .*dnat ip to .*# handle ([0-9]+).*$/udp \1 \2/p' \
    -e 's/^.*(tcp|udp) dport ([0-9]+) .*dnat ip to .*# handle ([0-9]+).*$/\1 \2 \3/p'
}
