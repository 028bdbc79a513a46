#!/usr/bin/env bash
# Smoke test of the router's test knobs (`lab router ...`, lib/router.bash):
# drop-inbound-udp, remap-udp, flush-mappings and restart-miniupnpd change
# what really goes through the router.
#
#   MULENET_LAB_PREFIX=... MULENET_LAB_DIR=... bash router_knobs.sh LAB_SCRIPT
#
# Runs against a lab that is up, with the knobs off; sets them off again and
# removes its mapping at exit. miniupnpd is restarted (new PID, new epoch).
set -uo pipefail
LAB=${1:?usage: router_knobs.sh PATH/TO/tests/lab/lab}
# shellcheck source=../router/smoke.bash
source "$(dirname "${BASH_SOURCE[0]}")/../router/smoke.bash"

MAPPED=47831      # UDP port mapped to lan by NAT-PMP
LAN_PORT=47833    # lan's UDP port for flows it opens itself
REMOTE_PORT=47834 # where those flows go, on peer and direct
SRC=40030         # peer's source ports towards MAPPED: SRC+1.. (one per step)

# knob ARGS...: through `lab router` once the lab script has it, else the
# same function from lib/router.bash.
knob() {
  if "$LAB" router help >/dev/null 2>&1; then "$LAB" router "$@"; else router_cmd "$@"; fi
}

natpmp_map() {
  smoke_in lan timeout 10 natpmpc -g "$LAB_ROUTER_LAN_IP" -a "$1" "$1" udp "$2" 2>&1 |
    smoke_match "^Mapped public port"
}
mapped() { router_mappings | smoke_match -x "udp $MAPPED -> $LAB_LAN_IP:$MAPPED"; }
not_mapped() { ! mapped; }
knob_chain_empty() { ! router_nft list chain inet "$ROUTER_TABLE" "$1" | smoke_match -E 'drop|nat'; }
epoch() { smoke_in lan timeout 10 natpmpc -g "$LAB_ROUTER_LAN_IP" 2>&1 | sed -n 's/^epoch = //p'; }
epoch_at_least_2() { [ "$(epoch)" -ge 2 ] 2>/dev/null; }

# reply_through NODE TOKEN: lan opens a UDP flow LAN_PORT -> NODE:REMOTE_PORT,
# then NODE answers on it; succeeds if the answer reaches lan.
reply_through() {
  local file="$SMOKE_TMP/reply-$2" rc=1
  echo open | smoke_in lan timeout 3 socat -u - "UDP-SENDTO:$(smoke_node_ip "$1"):$REMOTE_PORT,sourceport=$LAN_PORT" 2>/dev/null
  smoke_listen udp lan "$LAB_LAN_IP" "$LAN_PORT" "$file" || return 1
  smoke_udp_send "$1" "$LAB_ROUTER_WAN_IP" "$LAN_PORT" "$2" "$file" "$REMOTE_PORT" 3 && rc=0
  smoke_stop_listener
  return $rc
}
reply_dropped() { ! reply_through "$@"; }

# port_seen_by NODE TOKEN: the source port NODE sees on a datagram lan sends
# from LAN_PORT (empty if nothing arrived).
port_seen_by() {
  local file="$SMOKE_TMP/seen-$2"
  smoke_listen udp "$1" "$(smoke_node_ip "$1")" "$REMOTE_PORT" "$file" || return 1
  smoke_udp_send lan "$(smoke_node_ip "$1")" "$REMOTE_PORT" "$2" "$file" "$LAN_PORT" 3 >/dev/null
  smoke_stop_listener
  smoke_seen_port "$file"
}
# seen_port_is NODE TOKEN PORT / seen_port_is_not NODE TOKEN PORT
seen_port_is() { [ "$(port_seen_by "$1" "$2")" = "$3" ]; }
seen_port_is_not() {
  local port
  port=$(port_seen_by "$1" "$2")
  [ -n "$port" ] && [ "$port" != "$3" ]
}

# still_serves_and_refresh_repairs: after flush-mappings miniupnpd runs on and
# a client that renews its mapping gets it back.
still_serves_and_refresh_repairs() { router_daemon_ready && natpmp_map "$MAPPED" 300 && mapped; }

epoch_went_back() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" -lt "$1" ]; }

mapping_reloaded_and_works() { mapped && smoke_udp_through peer "$MAPPED" "restarted-$$" $((SRC + 5)); }

smoke_init
smoke_require_lab
if ! knob_chain_empty knob_inbound || ! knob_chain_empty knob_remap || mapped; then
  smoke_fail "router knobs are off and UDP $MAPPED is not mapped (someone is using them: not touching them)"
  smoke_finish
  exit 1
fi
smoke_on_exit knob drop-inbound-udp off
smoke_on_exit knob remap-udp off
smoke_on_exit natpmp_map "$MAPPED" 0

# --- drop-inbound-udp -----------------------------------------------------------
smoke_check "setup: NAT-PMP maps UDP $MAPPED to lan" natpmp_map "$MAPPED" 300
smoke_check "knobs off: a datagram from peer to the mapped port reaches lan" \
  smoke_udp_through peer "$MAPPED" "base-$$" $((SRC + 1))
knob drop-inbound-udp on
smoke_check "drop-inbound-udp on: a new flow from peer to the mapped port is dropped" \
  smoke_udp_not_through peer "$MAPPED" "drop-new-$$" $((SRC + 2))
smoke_check "drop-inbound-udp on: so is the flow peer had already opened through it" \
  smoke_udp_not_through peer "$MAPPED" "drop-old-$$" $((SRC + 1))
smoke_check "drop-inbound-udp on: peer's answer to a flow lan opened still arrives" \
  reply_through peer "reply-on-$$"
knob drop-inbound-udp all
smoke_check "drop-inbound-udp all: peer's answer to a flow lan opened is dropped too" \
  reply_dropped peer "reply-all-$$"
knob drop-inbound-udp off
smoke_check "drop-inbound-udp off: the mapped port lets peer in again" \
  smoke_udp_through peer "$MAPPED" "off-$$" $((SRC + 3))

# --- remap-udp ------------------------------------------------------------------
smoke_check "remap-udp off: peer sees lan's UDP from its own port $LAN_PORT" \
  seen_port_is peer "remap-off-$$" "$LAN_PORT"
knob remap-udp on
expected=$((LAN_PORT ^ ROUTER_REMAP_XOR))
smoke_check "remap-udp on: peer sees port $expected instead of $LAN_PORT" \
  seen_port_is peer "remap-on-$$" "$expected"
smoke_check "remap-udp on: direct sees the same port $expected (endpoint-independent)" \
  seen_port_is direct "remap-on2-$$" "$expected"
knob remap-udp random
smoke_check "remap-udp random: peer sees another port than $LAN_PORT" \
  seen_port_is_not peer "remap-random-$$" "$LAN_PORT"
knob remap-udp off
smoke_check "remap-udp off: peer sees port $LAN_PORT again" \
  seen_port_is peer "remap-off2-$$" "$LAN_PORT"

# --- flush-mappings -------------------------------------------------------------
knob flush-mappings
smoke_check "flush-mappings: the mapping is gone from the router" not_mapped
smoke_check "flush-mappings: peer's datagrams no longer reach lan" \
  smoke_udp_not_through peer "$MAPPED" "flushed-$$" $((SRC + 4))
smoke_check "flush-mappings: miniupnpd still runs and a refresh restores the mapping" \
  still_serves_and_refresh_repairs

# --- restart-miniupnpd ----------------------------------------------------------
# The epoch counts seconds since the daemon started: let it pass 2 (bounded
# wait, not an assertion) so that a reset is visible.
lab_wait_for "the NAT-PMP epoch to reach 2" 5 epoch_at_least_2 || true
before=$(epoch)
knob restart-miniupnpd
after=$(epoch)
smoke_check "restart-miniupnpd: the NAT-PMP epoch went back ($before -> $after)" \
  epoch_went_back "$before" "$after"
smoke_check "restart-miniupnpd: the mapping came back from the lease file and works" \
  mapping_reloaded_and_works
knob restart-miniupnpd forget
smoke_check "restart-miniupnpd forget: the mapping is gone" not_mapped

smoke_finish
