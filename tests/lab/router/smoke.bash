# Helpers shared by the router smoke tests (tests/lab/smoke/router_*.sh).
# shellcheck shell=bash
#
# Sourced with LAB set to the path of tests/lab/lab. Every wait is bounded;
# every process started here is stopped by its PID at exit; temporary files
# live in the lab's run folder.

LAB_LIB="$(cd "$(dirname "$LAB")" && pwd)/lib"
# shellcheck source=../lib/common.bash
source "$LAB_LIB/common.bash"
# shellcheck source=../lib/router.bash
source "$LAB_LIB/router.bash"

SMOKE_PASSED=0
SMOKE_FAILED=0
SMOKE_PIDS=()
SMOKE_TMP=""
SMOKE_CLEANUPS=()

smoke_init() {
  mkdir -p "$LAB_DIR"
  SMOKE_TMP=$(mktemp -d "$LAB_DIR/smoke-router.XXXXXX")
  trap smoke_exit EXIT
}

# smoke_on_exit CMD...: run CMD at exit (undo what the test added).
smoke_on_exit() { SMOKE_CLEANUPS+=("$(printf '%q ' "$@")"); }

smoke_exit() {
  local pid cleanup
  [ "${SMOKE_FAILED:-0}" -gt 0 ] && smoke_show_logs
  for cleanup in "${SMOKE_CLEANUPS[@]}"; do eval "$cleanup" >/dev/null 2>&1 || true; done
  for pid in "${SMOKE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SMOKE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$SMOKE_TMP" ] && rm -rf "$SMOKE_TMP"
}

smoke_pass() { SMOKE_PASSED=$((SMOKE_PASSED + 1)); echo "ok   - $*"; }
smoke_fail() { SMOKE_FAILED=$((SMOKE_FAILED + 1)); echo "FAIL - $*"; }

# smoke_check DESCRIPTION CMD...: one test case, passes if CMD succeeds.
smoke_check() {
  local what=$1
  shift
  if "$@"; then smoke_pass "$what"; else smoke_fail "$what"; fi
}

# smoke_finish: the summary line; the exit status says whether all passed.
# smoke_show_logs: after a failure, the end of every log the case kept in
# its temporary folder (removed at exit), so that a CI run says why.
smoke_show_logs() {
  local log
  [ -n "${SMOKE_TMP:-}" ] || return 0
  while IFS= read -r log; do
    echo "--- the last lines of ${log#"$SMOKE_TMP"/} ---"
    tail -n 25 "$log"
  done < <(find "$SMOKE_TMP" -maxdepth 2 -name '*.log' -type f 2>/dev/null | sort | head -n 20)
}

smoke_finish() {
  echo "$SMOKE_PASSED passed, $SMOKE_FAILED failed"
  [ "$SMOKE_FAILED" -eq 0 ]
}

# smoke_require_lab: the router answers at all; otherwise nothing else is
# worth running.
smoke_require_lab() {
  if ! router_is_up || ! router_daemon_ready; then
    smoke_fail "the lab's router is up (prefix $LAB_PREFIX, run folder $LAB_DIR)"
    smoke_finish
    exit 1
  fi
}

# smoke_match GREP-ARGS...: grep that reads all its input. `grep -q` would exit
# at the first match and kill a writer that is still writing (upnpc -l) with
# SIGPIPE, which pipefail turns into a failure.
smoke_match() { grep "$@" >/dev/null; }

# smoke_in NODE CMD...: run CMD inside NODE through the lab script.
smoke_in() { "$LAB" exec "$@"; }

# --- listeners in a node (background, bounded by timeout) -------------------
# Each writes "from PEER_ADDRESS", "port PEER_PORT" and then the bytes it
# received to FILE, and exits after one connection (TCP) or one datagram (UDP).

# smoke_listen tcp|udp NODE IP PORT FILE: start it and wait until bound.
smoke_listen() {
  local proto=$1 node=$2 ip=$3 port=$4 file=$5 address
  case "$proto" in
    tcp) address="TCP-LISTEN:$port,bind=$ip,reuseaddr" ;;
    udp) address="UDP-RECVFROM:$port,bind=$ip" ;;
  esac
  : >"$file"
  # Started directly (not through a function) so that $! is the process
  # itself: `lab exec` and `ip netns exec` exec into `timeout`, which passes
  # our TERM on to socat.
  # shellcheck disable=SC2016 # expanded by the shell socat starts
  "$LAB" exec "$node" timeout 20 socat -u "$address" SYSTEM:'echo "from $SOCAT_PEERADDR"; echo "port $SOCAT_PEERPORT"; cat' >"$file" 2>/dev/null &
  SMOKE_PIDS+=($!)
  LISTENER_PID=$!
  if [ "$proto" = tcp ]; then
    lab_wait_for "a TCP listener on $node:$port" 5 lab_tcp_listening "$node" "$port"
  else
    lab_wait_for "a UDP listener on $node:$port" 5 lab_udp_bound "$node" "$port"
  fi
}

# smoke_listener_done SECONDS: wait (bounded) for the last listener to exit.
smoke_listener_done() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    kill -0 "$LISTENER_PID" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# smoke_stop_listener: the last listener is no longer needed.
smoke_stop_listener() {
  kill "$LISTENER_PID" 2>/dev/null || true
  wait "$LISTENER_PID" 2>/dev/null || true
}

# smoke_got FILE FROM TOKEN: the listener saw TOKEN, sent from address FROM.
smoke_got() {
  grep -qx "from $2" "$1" && grep -qx "$3" "$1"
}

# smoke_seen_port FILE: the source port the listener saw.
smoke_seen_port() { sed -n 's/^port //p' "$1"; }

# smoke_tcp_send NODE IP PORT TOKEN: connect and send one line; fails if the
# connection is refused or times out.
smoke_tcp_send() {
  echo "$4" | smoke_in "$1" timeout 8 socat -u - "TCP:$2:$3,connect-timeout=3" 2>/dev/null
}

# smoke_udp_send NODE IP PORT TOKEN FILE SRCPORT TRIES: send the datagram
# from SRCPORT up to TRIES times (UDP may be lost), until the listener writing
# FILE got it; succeeds if it did. Bounded: at most TRIES x (3 + 1) s.
# A fixed source port per test step: a conntrack entry left by another step
# (with or without a mapping's DNAT) can never be reused by chance.
smoke_udp_send() {
  local i
  for ((i = 0; i < $7; i++)); do
    echo "$4" | smoke_in "$1" timeout 3 socat -u - "UDP-SENDTO:$2:$3,sourceport=$6" 2>/dev/null || true
    smoke_listener_done 1 && break
  done
  grep -qx "$4" "$5"
}

smoke_node_ip() {
  case "$1" in
    peer) echo "$LAB_PEER_IP" ;;
    direct) echo "$LAB_DIRECT_IP" ;;
    recheck) echo "$LAB_RECHECK_IP" ;;
    embed) echo "$LAB_EMBED_IP" ;;
    daemon) echo "$LAB_DAEMON_IP" ;;
    lan) echo "$LAB_LAN_IP" ;;
    lan2) echo "$LAB_LAN2_IP" ;;
  esac
}

# smoke_tcp_through NODE_FROM PORT TOKEN: a listener in lan on PORT receives
# TOKEN that NODE_FROM sends to the router's WAN address, from its own address
# (the router only translates the destination).
smoke_tcp_through() {
  local file="$SMOKE_TMP/tcp-$2-$3"
  smoke_listen tcp lan "$LAB_LAN_IP" "$2" "$file" || return 1
  smoke_tcp_send "$1" "$LAB_ROUTER_WAN_IP" "$2" "$3" || { smoke_stop_listener; return 1; }
  smoke_listener_done 5 || smoke_stop_listener
  smoke_got "$file" "$(smoke_node_ip "$1")" "$3"
}

# smoke_tcp_through_to NODE_FROM EXTERNAL_PORT LAN_PORT TOKEN: the same when the
# router forwards another external port to the LAN port.
smoke_tcp_through_to() {
  local file="$SMOKE_TMP/tcp-$3-$4"
  smoke_listen tcp lan "$LAB_LAN_IP" "$3" "$file" || return 1
  smoke_tcp_send "$1" "$LAB_ROUTER_WAN_IP" "$2" "$4" || { smoke_stop_listener; return 1; }
  smoke_listener_done 5 || smoke_stop_listener
  smoke_got "$file" "$(smoke_node_ip "$1")" "$4"
}

# smoke_tcp_blocked NODE_FROM PORT TOKEN: while lan listens on PORT, a
# connection from NODE_FROM to the router's WAN address fails.
smoke_tcp_blocked() {
  local file="$SMOKE_TMP/tcp-$2-$3" rc=0
  smoke_listen tcp lan "$LAB_LAN_IP" "$2" "$file" || return 1
  if smoke_tcp_send "$1" "$LAB_ROUTER_WAN_IP" "$2" "$3"; then rc=1; fi
  smoke_stop_listener
  grep -qx "$3" "$file" && rc=1
  return $rc
}

# smoke_udp_through NODE_FROM PORT TOKEN SRCPORT / smoke_udp_not_through: the
# same for one UDP datagram, sent from SRCPORT.
smoke_udp_through() {
  local file="$SMOKE_TMP/udp-$2-$3" rc=0
  smoke_listen udp lan "$LAB_LAN_IP" "$2" "$file" || return 1
  smoke_udp_send "$1" "$LAB_ROUTER_WAN_IP" "$2" "$3" "$file" "$4" 5 &&
    smoke_got "$file" "$(smoke_node_ip "$1")" "$3" || rc=1
  smoke_stop_listener
  return $rc
}

smoke_udp_not_through() {
  local file="$SMOKE_TMP/udp-$2-$3" rc=0
  smoke_listen udp lan "$LAB_LAN_IP" "$2" "$file" || return 1
  smoke_udp_send "$1" "$LAB_ROUTER_WAN_IP" "$2" "$3" "$file" "$4" 3 && rc=1
  smoke_stop_listener
  return $rc
}
