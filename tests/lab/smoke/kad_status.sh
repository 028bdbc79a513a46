#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Smoke test of the lab's amuled Kad nodes (tests/lab/lib/kad.bash), against a
# lab that is already up:
#   1. the byte-layout helpers give known answers (reference §0.2, §0.4);
#   2. the seed files each node was started with read back, byte by byte with
#      od, as the layouts of reference §7.1/§7.2 say they should;
#   3. every node reports "Kad: Connected" through `amulecmd -c status`
#      (firewalled or open is reported, not asserted: nodes start firewalled
#      and turn open once their peers' TCP checks have come in);
#   4. every node answers a plain KADEMLIA2_BOOTSTRAP_REQ with the node ID,
#      TCP port and Kad version we gave it, listing the other lab nodes.
#
#   MULENET_LAB_PREFIX=.. MULENET_LAB_DIR=.. bash kad_status.sh tests/lab/lab
#
# Flood limits (reference §3.3): step 4 sends one BOOTSTRAP_REQ to each node,
# from the node's own address, whose budget is 2 a minute; a third run within
# a minute first waits for it (see probe_budget).
set -uo pipefail

LAB_SCRIPT=${1:?usage: kad_status.sh LAB_SCRIPT (path to tests/lab/lab)}
LAB_HOME=$(cd "$(dirname "$LAB_SCRIPT")" && pwd)
# shellcheck source=../lib/common.bash
source "$LAB_HOME/lib/common.bash"
# shellcheck source=../lib/kad.bash
source "$LAB_HOME/lib/kad.bash"
lab_require_root

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
# expect WHAT EXPECTED ACTUAL
expect() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -eq 0 ]; then exit 0; fi
  exit 1
}

if [ ! -d "$LAB_DIR/kad" ]; then
  fail "no $LAB_DIR/kad: is the lab up (with MULENET_LAB_PREFIX=$LAB_PREFIX MULENET_LAB_DIR=$LAB_DIR)?"
  finish
fi
TMP=$(mktemp -d "$LAB_DIR/smoke-kad.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --- reading bytes back ----------------------------------------------------------
# read_bytes FILE: BYTES=(hex byte per element), via od.
read_bytes() { mapfile -t BYTES < <(od -An -v -tx1 "$1" | tr -s ' \n' '\n' | sed '/^$/d'); }
# Decoders over BYTES, each written from the reference, not from kad.bash.
u8_at() { echo $((16#${BYTES[$1]})); }
le16_at() { echo $((16#${BYTES[$1 + 1]}${BYTES[$1]})); }
le32_at() { echo $((16#${BYTES[$1 + 3]}${BYTES[$1 + 2]}${BYTES[$1 + 1]}${BYTES[$1]})); }
# Kad-order IP: a little-endian u32 whose top byte is the first octet.
ip_at() {
  echo "$((16#${BYTES[$1 + 3]})).$((16#${BYTES[$1 + 2]})).$((16#${BYTES[$1 + 1]})).$((16#${BYTES[$1]}))"
}
# UInt128: four little-endian 32-bit chunks, most significant first; printed
# as 32 hex digits, most significant first.
u128_at() {
  local o=$1 c out=""
  for ((c = o; c < o + 16; c += 4)); do
    out+=${BYTES[c + 3]}${BYTES[c + 2]}${BYTES[c + 1]}${BYTES[c]}
  done
  echo "$out"
}
hex_at() { local o=$1 n=$2 i out=""; for ((i = o; i < o + n; i++)); do out+=${BYTES[i]}; done; echo "$out"; }

# node_of_ip IP: the lab node number with that address, or 0.
node_of_ip() {
  local i
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do
    [ "$(lab_kad_ip "$i")" = "$1" ] && { echo "$i"; return; }
  done
  echo 0
}

# --- 1. helpers against known answers ------------------------------------------------
check_helpers() {
  expect "UInt128 wire form of 00112233445566778899aabbccddeeff" \
    3322110077665544bbaa9988ffeeddcc "$(kad_hex_uint128_wire 00112233445566778899aabbccddeeff)"
  # The reference saw 100.64.3.1 on the wire as 01 03 40 64 (§0.2).
  expect "Kad-order bytes of 100.64.3.1" 01034064 "$(kad_hex_ip_kad 100.64.3.1)"
  expect "little-endian u16 4662" 3612 "$(kad_hex_le16 4662)"
  expect "little-endian u32 2" 02000000 "$(kad_hex_le32 2)"
  kad_write_hex "$TMP/nul.bin" 00ff0041
  expect "kad_write_hex writes NUL bytes" "00 ff 00 41" "$(od -An -tx1 "$TMP/nul.bin" | xargs)"
}

# --- 2. the files each node started with ---------------------------------------------
# check_nodes_dat N: version-2 nodes.dat listing every other node (§7.1).
check_nodes_dat() {
  local n=$1 file others=$((LAB_KAD_NODES - 1)) o r i seen="" bad=""
  file="$(lab_kad_dir "$n")/nodes.dat"
  read_bytes "$file"
  expect "kad$n nodes.dat size" $((12 + 34 * others)) "${#BYTES[@]}"
  [ "${#BYTES[@]}" -eq $((12 + 34 * others)) ] || return
  expect "kad$n nodes.dat header (0, version 2, count)" "0 2 $others" \
    "$(le32_at 0) $(le32_at 4) $(le32_at 8)"
  for ((r = 0; r < others; r++)); do
    o=$((12 + 34 * r))
    i=$(node_of_ip "$(ip_at $((o + 16)))")
    if [ "$i" -eq 0 ] || [ "$i" -eq "$n" ]; then
      bad+=" record $r: unexpected IP $(ip_at $((o + 16)));"
      continue
    fi
    seen+=" $i"
    local want got
    want="$(lab_kad_node_id "$i") $(lab_kad_udp_port "$i") $(lab_kad_tcp_port "$i") 8 0 0 1"
    got="$(u128_at "$o") $(le16_at $((o + 20))) $(le16_at $((o + 22))) $(u8_at $((o + 24)))"
    got+=" $(le32_at $((o + 25))) $(le32_at $((o + 29))) $(u8_at $((o + 33)))"
    [ "$want" = "$got" ] || bad+=" kad$i: expected '$want', got '$got';"
  done
  if [ -z "$bad" ]; then
    pass "kad$n nodes.dat records (ID, IP, UDP, TCP, version 8, key 0/0, verified 1)"
  else
    fail "kad$n nodes.dat records:$bad"
  fi
  local want_set="" k
  for ((k = 1; k <= LAB_KAD_NODES; k++)); do [ "$k" -ne "$n" ] && want_set+=" $k"; done
  expect "kad$n nodes.dat lists every other node once" "$want_set" \
    "$(tr ' ' '\n' <<<"$seen" | sed '/^$/d' | sort -n | sed 's/^/ /' | tr -d '\n')"
}

# check_preferences N: preferencesKad.dat (node ID) and preferences.dat
# (user hash) (§7.2). amuled rewrites them only when it exits.
check_preferences() {
  local n=$1
  read_bytes "$(lab_kad_dir "$n")/preferencesKad.dat"
  expect "kad$n preferencesKad.dat size" 23 "${#BYTES[@]}"
  expect "kad$n preferencesKad.dat node ID" "$(lab_kad_node_id "$n")" "$(u128_at 6)"
  read_bytes "$(lab_kad_dir "$n")/preferences.dat"
  expect "kad$n preferences.dat (version 0x14, user hash)" "14 $(lab_kad_user_hash "$n")" \
    "${BYTES[0]} $(hex_at 1 16)"
}

# --- 3. amulecmd status --------------------------------------------------------------
# Bounded: a node that is up but not yet connected gets 20 s.
check_status() {
  local n=$1 state i
  if ! lab_alive "$(kad_pid_name "$n")"; then
    fail "kad$n: amuled is not running (log: $LAB_DIR/log/$(kad_pid_name "$n").log)"
    return
  fi
  for ((i = 0; i < 40; i++)); do
    state=$(lab_kad_state "$n")
    [[ $state == Connected* ]] && break
    sleep 0.5
  done
  if [[ $state == Connected* ]]; then
    pass "kad$n $(lab_kad_ip "$n"): amulecmd status says Kad: $state"
  else
    fail "kad$n $(lab_kad_ip "$n"): amulecmd status says Kad: $state"
  fi
  case $state in
    *firewalled*) FIREWALLED+=("kad$n") ;;
    *ok*) OPEN+=("kad$n") ;;
  esac
}

# --- 4. a BOOTSTRAP_REQ on the wire --------------------------------------------------
# probe_budget N: amuled allows 2 BOOTSTRAP_REQs a minute from one IP (a leaky
# bucket: one more every 30 s; requests it drops still count, and 10 in the
# bucket ban the IP for 2 h). So that running this test again and again never
# trips it, the probe times are kept in the node's run folder and, if two
# probes were sent in the last 61 s, this waits (at most 61 s) for the older
# one to age out.
probe_budget() {
  local file now t wait recent=()
  file="$(lab_kad_dir "$1")/smoke-bootstrap-probes"
  now=$(date +%s)
  if [ -r "$file" ]; then
    while read -r t; do ((now - t < 61)) && recent+=("$t"); done <"$file"
  fi
  if [ "${#recent[@]}" -ge 2 ]; then
    wait=$((recent[-2] + 61 - now))
    echo "info kad$1: waiting ${wait}s for its BOOTSTRAP_REQ flood budget (2 a minute)"
    sleep "$wait"
    now=$(date +%s)
  fi
  { [ "${#recent[@]}" -ge 1 ] && echo "${recent[-1]}"; echo "$now"; } >"$file"
}

# bootstrap_probe N FILE: sends a plain KADEMLIA2_BOOTSTRAP_REQ (E4 01) to node N
# from inside its namespace (source = its own address) and saves the first
# datagram that comes back within 3 s in FILE.
bootstrap_probe() {
  # shellcheck disable=SC2016  # $1 and $2 are the inner shell's arguments
  ip netns exec "$(lab_ns "kad$1")" bash -c '
    exec 3<>"/dev/udp/$1/$2" || exit 1
    printf "\xe4\x01" >&3
    # One read() of a big buffer takes one whole datagram.
    timeout 3 dd bs=65536 count=1 status=none <&3 2>/dev/null' _ "$(lab_kad_ip "$1")" "$(lab_kad_udp_port "$1")" >"$2"
}

# inflate_kad FILE OUT: the payload of a packed Kad packet (E5): zlib after the
# opcode. gzip inflates the raw deflate stream behind a fake gzip header (the
# zlib header is skipped) and then complains about the missing trailer, which
# is ignored.
inflate_kad() {
  { printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff'; tail -c +5 "$1"; } | gzip -dc 2>/dev/null >"$2"
  return 0
}

check_bootstrap() {
  local n=$1 raw=$TMP/bootstrap$1.bin payload=$TMP/bootstrap$1.payload count want_count o c i bad=""
  probe_budget "$n"
  bootstrap_probe "$n" "$raw"
  read_bytes "$raw"
  if [ "${#BYTES[@]}" -lt 2 ]; then
    fail "kad$n: no answer to KADEMLIA2_BOOTSTRAP_REQ within 3 s (flood limit: did this test run more than twice in the last minute?)"
    return
  fi
  case "${BYTES[0]}${BYTES[1]}" in
    e409) tail -c +3 "$raw" >"$payload" ;;
    e509) inflate_kad "$raw" "$payload" ;;
    *) fail "kad$n: answer to BOOTSTRAP_REQ starts ${BYTES[0]} ${BYTES[1]}, not a BOOTSTRAP_RES (e4/e5 09)"; return ;;
  esac
  # payload: ID(16) tcpPort(2) version(1) count(2) + count x contact(25)
  read_bytes "$payload"
  if [ "${#BYTES[@]}" -lt 21 ]; then
    fail "kad$n: BOOTSTRAP_RES payload of ${#BYTES[@]} bytes is too short"
    return
  fi
  expect "kad$n BOOTSTRAP_RES: node ID, TCP port, Kad version" \
    "$(lab_kad_node_id "$n") $(lab_kad_tcp_port "$n") $LAB_KAD_VERSION" \
    "$(u128_at 0) $(le16_at 16) $(u8_at 18)"
  count=$(le16_at 19)
  want_count=$((LAB_KAD_NODES - 1 < 20 ? LAB_KAD_NODES - 1 : 20))
  # Besides the other lab nodes, a node may list lab hosts that joined it
  # (a `mulenet kad check` run by an earlier test: direct, peer, the router,
  # wan in kad_lookup, the flooded node of daemon_flood).
  [ "${#BYTES[@]}" -eq $((21 + 25 * count)) ] && [ "$count" -ge "$want_count" ] &&
    pass "kad$n BOOTSTRAP_RES contact count (size ${#BYTES[@]})" ||
    fail "kad$n BOOTSTRAP_RES contact count (size ${#BYTES[@]}): expected at least $want_count, got $count"
  [ "${#BYTES[@]}" -eq $((21 + 25 * count)) ] || return
  local lab_nodes=0 ip
  for ((c = 0; c < count; c++)); do
    o=$((21 + 25 * c))
    ip=$(ip_at $((o + 16)))
    i=$(node_of_ip "$ip")
    if [ "$i" -eq 0 ]; then
      case $ip in
        "$LAB_DIRECT_IP" | "$LAB_RECHECK_IP" | "$LAB_EMBED_IP" | "$LAB_DAEMON_IP" | "$LAB_PEER_IP" | "$LAB_ROUTER_WAN_IP" | "$LAB_ROUTER_WAN2_IP" | "$LAB_WAN_IP" | "$LAB_FLOOD_NODE_IP" | "$LAB_SWARM_IP") ;;
        *) bad+=" unexpected contact $ip;" ;;
      esac
    elif [ "$i" -eq "$n" ]; then
      bad+=" itself listed ($ip);"
    elif [ "$(u128_at "$o") $(le16_at $((o + 20))) $(le16_at $((o + 22))) $(u8_at $((o + 24)))" != \
      "$(lab_kad_node_id "$i") $(lab_kad_udp_port "$i") $(lab_kad_tcp_port "$i") $LAB_KAD_VERSION" ]; then
      bad+=" kad$i listed as $(u128_at "$o") udp $(le16_at $((o + 20))) tcp $(le16_at $((o + 22))) v$(u8_at $((o + 24)));"
    else
      lab_nodes=$((lab_nodes + 1))
    fi
  done
  [ "$lab_nodes" -eq "$want_count" ] || bad+=" $lab_nodes lab nodes listed, $want_count expected;"
  if [ -z "$bad" ]; then
    pass "kad$n BOOTSTRAP_RES lists lab nodes with the IDs and ports they were given"
  else
    fail "kad$n BOOTSTRAP_RES contacts:$bad"
  fi
}

# --- nodes.env ---------------------------------------------------------------------
check_env() {
  local file=$LAB_DIR/kad/nodes.env got
  if [ ! -r "$file" ]; then
    fail "$file is missing"
    return
  fi
  got=$(
    # shellcheck disable=SC1090
    source "$file"
    v="LAB_KAD${LAB_KAD_NODES}_NODE_ID"
    echo "${!v:-}"
  )
  expect "nodes.env gives kad$LAB_KAD_NODES's node ID" "$(lab_kad_node_id "$LAB_KAD_NODES")" "$got"
}

FIREWALLED=()
OPEN=()
check_helpers
for ((n = 1; n <= LAB_KAD_NODES; n++)); do
  if ! ip netns list | grep -qw "$(lab_ns "kad$n")"; then
    fail "namespace $(lab_ns "kad$n") is missing: is the lab up?"
    continue
  fi
  check_nodes_dat "$n"
  check_preferences "$n"
  check_status "$n"
  # The wire probe only makes sense (and only says something) if amuled runs.
  lab_alive "$(kad_pid_name "$n")" && check_bootstrap "$n"
done
check_env
echo "Kad firewalled (reported, not asserted): ${FIREWALLED[*]:-none}; open: ${OPEN[*]:-none}"
finish
