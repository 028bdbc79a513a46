# Real aMule 2.3.3 Kad nodes: one amuled per kadN namespace, bound to
# 100.64.N.1, pure Kad, seeded with each other so that they form a Kad network
# within seconds of starting (reference §7.5).
#
# What tests can use (all take the node number N, 1..$LAB_KAD_NODES):
#   lab_kad_ip N              address (from common.bash)
#   lab_kad_tcp_port N        ed2k/Kad TCP port
#   lab_kad_udp_port N        Kad UDP port
#   lab_kad_ec_port N         EC (amulecmd) port, on the same address
#   lab_kad_ec_password       EC password in clear (what `amulecmd -P` takes)
#   lab_kad_ec_password_md5   the same as amule.conf stores it
#   lab_kad_node_id N         Kad node ID, 32 hex digits, most significant first
#   lab_kad_node_id_wire N    the same ID as its 16 bytes on the wire (§0.4)
#   lab_kad_user_hash N       ed2k user hash, 32 hex digits in byte order
#   lab_kad_version           Kad version the nodes speak (8)
#   lab_kad_nodes_dat FILE N... a nodes.dat (v2) of the nodes N..., in that order
#   lab_kad_dir N             the node's amuled config dir (log: $LAB_DIR/log/amuled-kadN.log)
#   lab_kad_amulecmd N ARG... amulecmd against node N, run inside its namespace
#   lab_kad_state N           "Connected (ok)", "Connected (firewalled)",
#                             "Not connected", "Not running" or "unreachable"
# After `up`, $LAB_DIR/kad/nodes.env holds the same facts as shell
# assignments (LAB_KAD1_IP=..., LAB_KAD1_NODE_ID=...) for non-bash consumers.
#
# Nodes come up "Kad: Connected (firewalled)" within seconds and turn
# "Connected (ok)" about two minutes later, once two peers' TCP firewall
# checks have reached them (reference §5.2). MULENET_LAB_KAD_TIMEOUT (seconds,
# default 45) bounds the wait for "Connected" in `up`.
#
# Flood limits (reference §3.3) apply to every request a test sends to these
# nodes, per source IP and opcode: BOOTSTRAP_REQ 2 a minute, HELLO_REQ 3,
# KADEMLIA2_REQ 10, FIREWALLED(2)_REQ 2 (together), FINDBUDDY_REQ 2,
# CALLBACK_REQ 1, PING 2, SEARCH_*_REQ 3, PUBLISH_KEY 3, PUBLISH_SOURCE/NOTES 2.
# It is a leaky bucket (one request drains every 60/limit s); requests over
# the limit are dropped silently but still fill the bucket, and more than 5x
# the limit in it bans the source IP (all its UDP and TCP) for 2 h, i.e. until
# the lab is taken down and up again. Hosts behind the router's NAT (lan,
# lan2) share one budget: the router's outside address.
# shellcheck shell=bash

LAB_KAD_TCP_PORT=4662
LAB_KAD_UDP_PORT=4672
LAB_KAD_EC_PORT=4712
LAB_KAD_EC_PASSWORD=mulenet-lab
LAB_KAD_VERSION=8
# Seconds `up` may spend waiting for the nodes (start + Kad convergence).
LAB_KAD_UP_TIMEOUT=${MULENET_LAB_KAD_TIMEOUT:-45}
LAB_KAD_TEMPLATE=$LAB_HOME/kad/amule.conf.in

# --- facts about node N --------------------------------------------------------
lab_kad_tcp_port() { echo "$LAB_KAD_TCP_PORT"; }
lab_kad_udp_port() { echo "$LAB_KAD_UDP_PORT"; }
lab_kad_ec_port() { echo "$LAB_KAD_EC_PORT"; }
lab_kad_ec_password() { echo "$LAB_KAD_EC_PASSWORD"; }
lab_kad_ec_password_md5() { kad_md5_hex "$LAB_KAD_EC_PASSWORD"; }
lab_kad_version() { echo "$LAB_KAD_VERSION"; }
lab_kad_dir() { echo "$LAB_DIR/kad/kad$1"; }

# Node IDs and user hashes are MD5s of fixed strings: deterministic per N,
# spread over the ID space like real random IDs.
lab_kad_node_id() { kad_md5_hex "mulenet-lab-kad-node-id-$1"; }
lab_kad_node_id_wire() { kad_hex_uint128_wire "$(lab_kad_node_id "$1")"; }

# aMule forces bytes 5 and 14 of a user hash to 14 and 111 ("eMule hash",
# reference §7.2); ours already have them, so the file and the wire agree.
lab_kad_user_hash() {
  local h
  h=$(kad_md5_hex "mulenet-lab-kad-user-hash-$1")
  echo "${h:0:10}0e${h:12:16}6f${h:30:2}"
}

# --- amulecmd ------------------------------------------------------------------
# lab_kad_amulecmd N ARG...: amulecmd against node N's EC port. It runs inside
# the node's namespace (the EC socket is bound to the node's address), with
# HOME in the run folder (amulecmd looks for ~/.aMule/remote.conf), bounded.
lab_kad_amulecmd() {
  local n=$1
  shift
  mkdir -p "$LAB_DIR/kad/home"
  ip netns exec "$(lab_ns "kad$n")" env HOME="$LAB_DIR/kad/home" \
    timeout 5 amulecmd -h "$(lab_kad_ip "$n")" -p "$(lab_kad_ec_port "$n")" \
    -P "$LAB_KAD_EC_PASSWORD" "$@"
}

# lab_kad_state N: the Kad state as `amulecmd -c status` words it.
lab_kad_state() {
  local out state
  out=$(lab_kad_amulecmd "$1" -c status 2>&1) || true
  state=$(printf '%s\n' "$out" | sed -n 's/^[> ]*Kad: *//p' | head -n1)
  echo "${state:-unreachable}"
}

# --- binary helpers: hex strings, written with printf ----------------------------
kad_md5_hex() { printf '%s' "$1" | md5sum | cut -c1-32; }

# Byte-reverse a hex string ("11223344" -> "44332211").
kad_hex_reverse() {
  local hex=$1 out="" i
  for ((i = ${#hex} - 2; i >= 0; i -= 2)); do out+=${hex:i:2}; done
  echo "$out"
}
kad_hex_le32() { kad_hex_reverse "$(printf '%08x' "$1")"; }
kad_hex_le16() { kad_hex_reverse "$(printf '%04x' "$1")"; }

# An IPv4 address in Kad order (a<<24|b<<16|c<<8|d, written little-endian):
# on disk "d c b a" (reference §0.2).
kad_hex_ip_kad() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  printf '%02x%02x%02x%02x\n' "$d" "$c" "$b" "$a"
}

# A 128-bit value (32 hex digits, most significant first) in aMule's wire and
# file form: four 32-bit chunks, most significant first, each little-endian
# (reference §0.4).
kad_hex_uint128_wire() {
  local hex=$1 out="" i
  for ((i = 0; i < 32; i += 8)); do out+=$(kad_hex_reverse "${hex:i:8}"); done
  echo "$out"
}

# kad_write_hex FILE HEX: the bytes HEX spells, nothing else.
kad_write_hex() {
  # shellcheck disable=SC2059,SC2001  # the format is the data: \xHH escapes only
  printf "$(sed 's/../\\x&/g' <<<"$2")" >"$1"
}

# --- the files in a node's config dir -----------------------------------------------
# preferencesKad.dat: IP(u32, Kad order) 0(u16) nodeID(16, wire) 0(u8) (§7.2).
# IP 0 is what a fresh install has; only the ID is fixed.
kad_hex_preferences_kad() {
  echo "00000000""0000""$(lab_kad_node_id_wire "$1")""00"
}

# nodes.dat version 2: 0(u32) 2(u32) count(u32), then per contact ID(16, wire)
# IP(4, Kad order) udpPort(2) tcpPort(2) version(1) udpKey(u32) keyIP(u32)
# verified(u8) (§7.1). kad_hex_nodes_dat N lists every node but N (aMule
# rewrites it only with >= 25 contacts, so it stays as written);
# kad_hex_nodes_dat_of N... lists the nodes N... in that order.
kad_hex_nodes_dat() {
  local self=$1 i nodes=()
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do [ "$i" -ne "$self" ] && nodes+=("$i"); done
  kad_hex_nodes_dat_of "${nodes[@]}"
}
kad_hex_nodes_dat_of() {
  local i hex
  hex="00000000""$(kad_hex_le32 2)""$(kad_hex_le32 $#)"
  for i in "$@"; do
    hex+=$(lab_kad_node_id_wire "$i")
    hex+=$(kad_hex_ip_kad "$(lab_kad_ip "$i")")
    hex+=$(kad_hex_le16 "$(lab_kad_udp_port "$i")")
    hex+=$(kad_hex_le16 "$(lab_kad_tcp_port "$i")")
    hex+=$(printf '%02x' "$LAB_KAD_VERSION")
    hex+="00000000""00000000""01"
  done
  echo "$hex"
}

# lab_kad_nodes_dat FILE N...: a nodes.dat of the lab's nodes N..., in that
# order, for a test to hand to mulenet (the order picks which node does what).
lab_kad_nodes_dat() {
  local file=$1
  shift
  kad_write_hex "$file" "$(kad_hex_nodes_dat_of "$@")"
}

# preferences.dat: version(u8 = 0x14, PREFFILE_VERSION) userHash(16) (§7.2).
kad_hex_preferences_dat() { echo "14$(lab_kad_user_hash "$1")"; }

# The CryptoKadUDPKey for node N: a fixed non-zero 32-bit number.
kad_udp_key() { echo $((16#$(lab_kad_node_id "$1" | cut -c1-7) + 1)); }

kad_write_conf() {
  local n=$1 dir=$2
  sed -e "s|@NICK@|mulenet-lab-kad$n|" \
    -e "s|@ADDRESS@|$(lab_kad_ip "$n")|g" \
    -e "s|@TCP_PORT@|$(lab_kad_tcp_port "$n")|" \
    -e "s|@UDP_PORT@|$(lab_kad_udp_port "$n")|" \
    -e "s|@EC_PORT@|$(lab_kad_ec_port "$n")|" \
    -e "s|@EC_PASSWORD_MD5@|$(lab_kad_ec_password_md5)|" \
    -e "s|@KAD_UDP_KEY@|$(kad_udp_key "$n")|" \
    -e "s|@DIR@|$dir|g" \
    "$LAB_KAD_TEMPLATE" >"$dir/amule.conf"
}

# kad_prepare N: a fresh config dir for node N.
kad_prepare() {
  local n=$1 dir
  dir=$(lab_kad_dir "$n")
  rm -rf "$dir"
  mkdir -p "$dir/Temp" "$dir/Incoming" "$dir/home"
  kad_write_conf "$n" "$dir"
  kad_write_hex "$dir/preferencesKad.dat" "$(kad_hex_preferences_kad "$n")"
  kad_write_hex "$dir/preferences.dat" "$(kad_hex_preferences_dat "$n")"
  kad_write_hex "$dir/nodes.dat" "$(kad_hex_nodes_dat "$n")"
}

# kad_write_env: $LAB_DIR/kad/nodes.env, the facts above as assignments.
kad_write_env() {
  local i
  {
    echo "# mulenet lab Kad nodes (written by tests/lab/lib/kad.bash)"
    echo "LAB_KAD_NODES=$LAB_KAD_NODES"
    echo "LAB_KAD_EC_PASSWORD=$LAB_KAD_EC_PASSWORD"
    echo "LAB_KAD_EC_PASSWORD_MD5=$(lab_kad_ec_password_md5)"
    echo "LAB_KAD_VERSION=$LAB_KAD_VERSION"
    for ((i = 1; i <= LAB_KAD_NODES; i++)); do
      echo "LAB_KAD${i}_NS=$(lab_ns "kad$i")"
      echo "LAB_KAD${i}_IP=$(lab_kad_ip "$i")"
      echo "LAB_KAD${i}_TCP_PORT=$(lab_kad_tcp_port "$i")"
      echo "LAB_KAD${i}_UDP_PORT=$(lab_kad_udp_port "$i")"
      echo "LAB_KAD${i}_EC_PORT=$(lab_kad_ec_port "$i")"
      echo "LAB_KAD${i}_NODE_ID=$(lab_kad_node_id "$i")"
      echo "LAB_KAD${i}_NODE_ID_WIRE=$(lab_kad_node_id_wire "$i")"
      echo "LAB_KAD${i}_USER_HASH=$(lab_kad_user_hash "$i")"
    done
  } >"$LAB_DIR/kad/nodes.env"
}

# --- readiness --------------------------------------------------------------------
kad_pid_name() { echo "amuled-kad$1"; }
# kad_elapsed T0: seconds since T0 (an $EPOCHREALTIME), one decimal.
kad_elapsed() { awk -v a="$1" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }'; }

# kad_node_state N: as lab_kad_state, but without calling amulecmd before
# the EC port listens (cheap to check; amulecmd has nothing to say before).
kad_node_state() {
  if lab_tcp_listening "kad$1" "$(lab_kad_ec_port "$1")"; then
    lab_kad_state "$1"
  else
    echo "EC port not listening yet"
  fi
}

kad_log_tail() {
  lab_log "last lines of $LAB_DIR/log/$(kad_pid_name "$1").log:"
  # Without the lines our own amulecmd polling leaves there.
  grep -v -e 'xternal connection' -e 'Connecting client: aMulecmd' -e 'Access granted' \
    "$LAB_DIR/log/$(kad_pid_name "$1").log" 2>/dev/null | tail -n 5 | sed 's/^/    /' >&2 || true
}

# kad_wait_all T0: polls every node that is not yet Kad-connected, one round
# at a time, until all are or $LAB_KAD_UP_TIMEOUT s have passed. (Rounds over
# all nodes with one deadline, rather than lab_wait_for per node, so that each
# node's connect time is logged when it happens.) A node whose amuled exits
# fails at once, not at the deadline.
kad_wait_all() {
  local t0=$1 deadline=$((SECONDS + LAB_KAD_UP_TIMEOUT)) i pending=() still state
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do pending+=("$i"); done
  while :; do
    still=()
    for i in "${pending[@]}"; do
      if ! lab_alive "$(kad_pid_name "$i")"; then
        lab_log "kad$i: amuled exited during start-up"
        kad_log_tail "$i"
        return 1
      fi
      state=$(kad_node_state "$i")
      if [[ $state == Connected* ]]; then
        lab_log "kad$i: Kad $state after $(kad_elapsed "$t0") s"
      else
        still+=("$i")
      fi
    done
    pending=("${still[@]}")
    [ "${#pending[@]}" -eq 0 ] && return 0
    if ((SECONDS >= deadline)); then
      for i in "${pending[@]}"; do
        lab_log "kad$i: not Kad-connected after ${LAB_KAD_UP_TIMEOUT}s (Kad: $(kad_node_state "$i"))"
        kad_log_tail "$i"
      done
      return 1
    fi
    sleep 0.2
  done
}

# --- component interface -------------------------------------------------------------
kad_up() {
  local i cmd t0=${EPOCHREALTIME/,/.}
  for cmd in amuled amulecmd md5sum; do
    command -v "$cmd" >/dev/null || { lab_log "kad: $cmd not found (apt-get install amule-daemon amule-utils)"; return 1; }
  done
  [ -r "$LAB_KAD_TEMPLATE" ] || { lab_log "kad: missing $LAB_KAD_TEMPLATE"; return 1; }
  if [ "$LAB_KAD_NODES" -lt 2 ]; then
    lab_log "kad: a Kad node needs a peer to connect to: set MULENET_LAB_KAD_NODES to 2 or more"
    return 1
  fi
  # A fresh folder: no config, probe record or node of an earlier lab is left.
  rm -rf "${LAB_DIR:?}/kad"
  mkdir -p "$LAB_DIR/kad"
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do
    kad_prepare "$i"
    # No -f: amuled stays in the foreground. -o: its log goes to stdout, the
    # lab log, line-buffered (stdbuf) so that it is readable while it runs.
    lab_spawn "$(kad_pid_name "$i")" "kad$i" \
      env HOME="$(lab_kad_dir "$i")/home" stdbuf -oL amuled -c "$(lab_kad_dir "$i")/" -o
  done
  kad_wait_all "$t0" || return 1
  kad_write_env
  lab_log "kad: $LAB_KAD_NODES amuled nodes Kad-connected after $(kad_elapsed "$t0") s"
}

# kad_running_names: the PID-file names of every amuled still running,
# including nodes of an earlier lab with more of them.
kad_running_names() {
  local f name
  for f in "$LAB_DIR"/pids/amuled-kad*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    if lab_alive "$name"; then echo "$name"; fi
  done
}

kad_down() {
  local f name i
  # TERM every node at once so that they shut down in parallel (under a
  # second each), and give them up to 5 s together: a second TERM, as
  # lab_stop would send, makes amuled quit half-way through its shutdown.
  for name in $(kad_running_names); do
    kill -TERM "$(cut -d' ' -f1 "$LAB_DIR/pids/$name.pid")" 2>/dev/null || true
  done
  for ((i = 0; i < 50; i++)); do
    [ -z "$(kad_running_names)" ] && break
    sleep 0.1
  done
  # lab_stop KILLs what is left and removes the PID files.
  for f in "$LAB_DIR"/pids/amuled-kad*.pid; do
    [ -e "$f" ] || continue
    lab_stop "$(basename "$f" .pid)" || true
  done
  rm -f "$LAB_DIR/kad/nodes.env" 2>/dev/null || true
  return 0
}

# kad_restart N...: stop those amuled nodes (TERM, as kad_down) and start
# them again from their folders, as a user restarts aMule: the same ID,
# address and ports, with the nodes.dat each saved when it stopped; returns
# once every one is Kad-connected again.
kad_restart() {
  local i pid t0=${EPOCHREALTIME/,/.}
  [ $# -gt 0 ] || { echo "lab kad: restart N... (1..$LAB_KAD_NODES)" >&2; return 64; }
  for i in "$@"; do
    [[ $i =~ ^[0-9]+$ ]] && ((i >= 1 && i <= LAB_KAD_NODES)) || { lab_log "kad: no node $i"; return 64; }
  done
  for i in "$@"; do
    pid=$(cut -d' ' -f1 "$LAB_DIR/pids/$(kad_pid_name "$i").pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
  done
  for i in "$@"; do
    lab_wait_for "amuled kad$i to stop" 10 kad_stopped "$i" || true
    lab_stop "$(kad_pid_name "$i")" || true  # KILLs one that did not stop
    lab_spawn "$(kad_pid_name "$i")" "kad$i" \
      env HOME="$(lab_kad_dir "$i")/home" stdbuf -oL amuled -c "$(lab_kad_dir "$i")/" -o
  done
  for i in "$@"; do
    lab_wait_for "kad$i Kad-connected again" "$LAB_KAD_UP_TIMEOUT" kad_connected "$i" || return 1
  done
  lab_log "kad: node(s) $* restarted, Kad-connected after $(kad_elapsed "$t0") s"
}
kad_stopped() { ! lab_alive "$(kad_pid_name "$1")"; }
kad_connected() { [[ $(kad_node_state "$1") == Connected* ]]; }

kad_cmd() {
  case ${1:-} in
    restart) shift; kad_restart "$@" ;;
    *) echo "lab kad: restart N..." >&2; return 64 ;;
  esac
}

kad_status() {
  local i rc=0 state
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do
    if lab_alive "$(kad_pid_name "$i")"; then
      state=$(lab_kad_state "$i")
    else
      state="amuled not running"
    fi
    printf '%-8s %s:udp%s/tcp%s ec%s  Kad: %s\n' "kad$i" "$(lab_kad_ip "$i")" \
      "$(lab_kad_udp_port "$i")" "$(lab_kad_tcp_port "$i")" "$(lab_kad_ec_port "$i")" "$state"
    [[ $state == Connected* ]] || rc=1
  done
  return $rc
}
