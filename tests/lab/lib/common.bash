# Shared by every part of the lab: names, addresses, processes by PID file.
# shellcheck shell=bash
# shellcheck source=../../lib/jqt.bash
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/jqt.bash"

LAB_PREFIX=${MULENET_LAB_PREFIX:-mn-}
LAB_DIR=${MULENET_LAB_DIR:-/tmp/mulenet-lab-${LAB_PREFIX%-}}
LAB_KAD_NODES=${MULENET_LAB_KAD_NODES:-8}
[ "$LAB_KAD_NODES" -ge 1 ] 2>/dev/null || { echo "lab: MULENET_LAB_KAD_NODES must be a number >= 1" >&2; exit 64; }

# The parts of the lab, in the order they come up (and the reverse order they go
# down). MULENET_LAB_ONLY="topology wan" brings up only some, for development.
LAB_COMPONENTS=(topology wan stun router ed2k kad)
if [ -n "${MULENET_LAB_ONLY:-}" ]; then read -r -a LAB_COMPONENTS <<<"$MULENET_LAB_ONLY"; fi

# Fixed hosts; kad1..kadN are added by lab_all_nodes.
LAB_NODES=(wan router lan lan2 peer direct recheck embed daemon)

# --- addresses -----------------------------------------------------------
# LAN behind the router (private, as home LANs are).
LAB_LAN_NET=192.168.77.0/24
LAB_ROUTER_LAN_IP=192.168.77.1
LAB_LAN_IP=192.168.77.10
LAB_LAN2_IP=192.168.77.11
# The "internet": one bridge in the wan namespace. Every WAN host has an
# on-link default route, so hosts in different ranges reach each other
# directly. The ranges are ones aMule's Kad accepts (reference §7.4):
# TEST-NET-3 for the servers and the router's outside, TEST-NET-2 for the
# host without NAT, and one 100.64.N.0/24 per Kad node (aMule takes at most
# 2 contacts per /24 at the start).
LAB_WAN_IP=203.0.113.10
LAB_ROUTER_WAN_IP=203.0.113.2
# A second outside address, used only by lan2's traffic: two LAN hosts that
# the internet (and amuled's per-address state) tells apart.
LAB_ROUTER_WAN2_IP=203.0.113.3
LAB_PEER_IP=203.0.113.20
LAB_DIRECT_IP=198.51.100.30
# A host without NAT that only the kad_recheck case uses: an address new to
# every Kad node (amuled keeps per-address state, and a node that knows an
# address declines its UDP test).
LAB_RECHECK_IP=198.51.100.40
# Another such host, only for the embed_engine case (the Engine's own Kad check).
LAB_EMBED_IP=198.51.100.50
# And one for the daemon_run case (mulenet run's own Kad node, checked).
LAB_DAEMON_IP=198.51.100.60
# Hosts the daemon_flood case makes itself (namespaces of its own on the WAN
# bridge): the node under load, and the swarm's real lookup (its flooding
# addresses, 100.64.201.200-239, never join Kad). Each in a /24 of its own:
# amuled keeps at most 2 contacts of one /24 in a routing bin, and the other
# WAN hosts (198.51.100.x) need those places.
LAB_FLOOD_NODE_IP=100.64.200.70
LAB_SWARM_IP=100.64.201.199
lab_kad_ip() { echo "100.64.$1.1"; }

lab_ns() { echo "${LAB_PREFIX}$1"; }
lab_all_nodes() {
  echo "${LAB_NODES[@]}"
  local i
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do echo "kad$i"; done
}

lab_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "lab: needs root (network namespaces, nftables, daemons on privileged ports)" >&2
    exit 77
  fi
}

lab_log() { echo "lab: $*" >&2; }
lab_die() { echo "lab: error: $*" >&2; exit 1; }

# --- processes -------------------------------------------------------------
# lab_spawn NAME NODE CMD...: start CMD in the background inside NODE, in the
# foreground mode of the daemon (no self-daemonizing), logging to
# $LAB_DIR/log/NAME.log; records "PID STARTTIME" in $LAB_DIR/pids/NAME.pid so
# that `down` stops exactly that process even if the PID was reused.
lab_spawn() {
  local name=$1 node=$2
  shift 2
  mkdir -p "$LAB_DIR/pids" "$LAB_DIR/log"
  ip netns exec "$(lab_ns "$node")" "$@" >"$LAB_DIR/log/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid $(lab_starttime "$pid")" >"$LAB_DIR/pids/$name.pid"
}

lab_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# lab_alive NAME: the process of NAME's PID file is still the one we started.
lab_alive() {
  local file="$LAB_DIR/pids/$1.pid" pid start
  [ -f "$file" ] || return 1
  read -r pid start <"$file"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(lab_starttime "$pid")" = "$start" ] || return 1
  # A zombie has exited: it only waits for its parent (here PID 1) to reap it.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# lab_stop NAME: TERM, up to 5 s, then KILL; removes the PID file.
lab_stop() {
  local file="$LAB_DIR/pids/$1.pid" pid start i
  [ -f "$file" ] || return 0
  read -r pid start <"$file"
  if lab_alive "$1"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do lab_alive "$1" || break; sleep 0.1; done
    if lab_alive "$1"; then kill -KILL "$pid" 2>/dev/null || true; fi
    for ((i = 0; i < 20; i++)); do lab_alive "$1" || break; sleep 0.1; done
  fi
  rm -f "$file"
}

lab_stop_all_pids() {
  local f
  for f in "$LAB_DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    lab_stop "$(basename "$f" .pid)"
  done
}

# lab_wait_for DESCRIPTION SECONDS CMD...: polls CMD every 0.1 s until it
# succeeds; fails (naming DESCRIPTION) after SECONDS.
lab_wait_for() {
  local what=$1 seconds=$2 deadline i
  shift 2
  # A deadline in wall time (not a count of tries), so a slow check cannot stretch it.
  deadline=$(( ${EPOCHREALTIME/./} + seconds * 1000000 ))
  for ((i = 0; i < seconds * 100 + 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    (( ${EPOCHREALTIME/./} < deadline )) || break
    sleep 0.1
  done
  lab_log "timed out after ${seconds}s waiting for $what"
  return 1
}

# lab_tcp_listening NODE PORT / lab_udp_bound NODE PORT: something in NODE
# listens on TCP PORT / has UDP PORT bound (use with lab_wait_for).
lab_tcp_listening() { ip netns exec "$(lab_ns "$1")" ss -Hltn "sport = :$2" | grep -q .; }
lab_udp_bound() { ip netns exec "$(lab_ns "$1")" ss -Hlun "sport = :$2" | grep -q .; }

# --- the whole lab -----------------------------------------------------------
lab_up_all() {
  local t0=$SECONDS c
  mkdir -p "$LAB_DIR"
  chmod 700 "$LAB_DIR"
  for c in "${LAB_COMPONENTS[@]}"; do
    lab_log "starting $c"
    if ! "${c}_up"; then
      lab_log "$c failed to start; logs are in $LAB_DIR/log; taking the lab down"
      lab_down_all
      return 1
    fi
  done
  lab_log "up in $((SECONDS - t0)) s (prefix $LAB_PREFIX, run folder $LAB_DIR)"
}

lab_down_all() {
  local i c
  for ((i = ${#LAB_COMPONENTS[@]} - 1; i >= 0; i--)); do
    c=${LAB_COMPONENTS[i]}
    "${c}_down" || lab_log "$c: down reported an error (continuing)"
  done
  lab_stop_all_pids
}

lab_status_all() {
  local c rc=0
  for c in "${LAB_COMPONENTS[@]}"; do "${c}_status" || rc=1; done
  return $rc
}
