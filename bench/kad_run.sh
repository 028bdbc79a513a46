#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Issue 16 item 3 (was issue 7 item 7): seconds from start to the Kad
# verdicts, mulenet vs amuled's own time to its verdict in the same lab, as
# ratios over 10 runs each. A report: nothing here passes or fails on a time.
# Needs root: it brings up its own network lab (all of tests/lab, eight real
# amuled Kad nodes, under its own prefix) and takes it down at the end,
# whatever happens.
#
#   sudo bash bench/kad_run.sh
#
# Every run is from a fresh address on the WAN side without NAT (the "open"
# situation), a host of its own made for that run: the lab's nodes remember
# who they checked, so a second run from the same address would not measure
# the same thing. Each has its own identity and the same nodes.dat (six of the
# lab's eight nodes).
#   mulenet: `mulenet kad check --no-join`, one run after another; the TCP
#     verdict is the second checker that reached our TCP port (connected in
#     with a Hello, or acknowledged: two make "open"), all
#     verdicts the report's `ms`, and the process's wall time.
#   amuled: a fresh amuled 2.3.3 per run, BENCH_KAD_AMULED_PARALLEL at a time
#     (it mostly waits on its own timers), polled over EC (`amulecmd -c
#     status`, once a second) until "Kad: Connected (ok)": its TCP verdict
#     (amulecmd shows no UDP one).
#
# Writes bench/results/kad.json and bench/results/kad.md. Environment:
#   BENCH_MULENET      the mulenet binary [<repo>/build/bin/mulenet; run `make` first]
#   BENCH_RESULTS_DIR  where the results go [bench/results]
#   BENCH_KAD_RUNS     runs of each [10]
#   BENCH_KAD_AMULED_PARALLEL  amuled instances at a time [5]
#   BENCH_KAD_AMULED_CAP  seconds to wait for one amuled at most [600]
#   MULENET_LAB_PREFIX namespace prefix [bk-]; MULENET_LAB_DIR [/tmp/lab-bk]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
MULENET=${BENCH_MULENET:-$ROOT/build/bin/mulenet}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
RUNS=${BENCH_KAD_RUNS:-10}
PARALLEL=${BENCH_KAD_AMULED_PARALLEL:-5}
CAP=${BENCH_KAD_AMULED_CAP:-600}
for v in RUNS PARALLEL CAP; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_KAD_$v must be a number >= 1, not '${!v}'" >&2; exit 64; }
done
((RUNS <= 50)) || { echo "bench: at most 50 runs (one address each)" >&2; exit 64; }
export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bk-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bk}
LAB=$ROOT/tests/lab/lab
LAB_HOME=$ROOT/tests/lab
# shellcheck source=../tests/lab/lib/common.bash
source "$LAB_HOME/lib/common.bash"
# shellcheck source=../tests/lab/lib/kad.bash
source "$LAB_HOME/lib/kad.bash"
# shellcheck source=../tests/lab/lib/topology.bash
source "$LAB_HOME/lib/topology.bash"
if [ "$(id -u)" -ne 0 ]; then echo "bench: needs root (network namespaces for the lab)" >&2; exit 77; fi
[ -x "$MULENET" ] || { echo "bench: no mulenet at $MULENET (run make, or set BENCH_MULENET)" >&2; exit 64; }
for tool in amuled amulecmd jq python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 64; }
done
WORK=$(mktemp -d /tmp/bench-kad.XXXXXX)
cp "$MULENET" "$WORK/mulenet"  # a rebuild during the run must not swap it
MULENET=$WORK/mulenet
HOSTS=()  # the per-run hosts (lab nodes), removed at the end
cleanup() {
  local node
  set +e
  pkill -TERM -f "amuled -c $WORK/" 2>/dev/null
  sleep 1
  pkill -KILL -f "amuled -c $WORK/" 2>/dev/null
  for node in "${HOSTS[@]}"; do
    ip netns del "$(lab_ns "$node")" 2>/dev/null
    rm -rf "/etc/netns/$(lab_ns "$node")"
  done
  "$LAB" down >/dev/null 2>&1
  if [ "${BENCH_KEEP_WORK:-0}" = 1 ]; then echo "bench: raw measurements kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench: $*" >&2; }

# fresh_host NODE IP: a new host on the WAN bridge, as the lab makes its own
# (the lab's names file too: amuled looks up its own host name at start).
fresh_host() {
  local ns
  ns=$(lab_ns "$1")
  HOSTS+=("$1")
  topology_ns_add "$1"
  mkdir -p "/etc/netns/$ns"
  cp "/etc/netns/$(lab_ns direct)/hosts" "/etc/netns/$ns/hosts"
  echo "# mulenet lab: no DNS" >"/etc/netns/$ns/resolv.conf"
  topology_link "$1" eth0 wan br-wan
  ip -n "$ns" addr add "$2/24" dev eth0
  ip -n "$ns" route add default dev eth0
}
mulenet_ip() { echo "198.51.100.$((100 + $1))"; }
amuled_ip() { echo "198.51.100.$((160 + $1))"; }

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(load_avg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "bringing up the lab (eight amuled Kad nodes)"
"$LAB" up >"$WORK/lab.log" 2>&1 || { tail -n 20 "$WORK/lab.log" >&2; exit 1; }
lab_kad_nodes_dat "$WORK/nodes.dat" 1 2 3 4 5 6

# --- mulenet: one run after another, each from its own new host ---------------
mulenet_run() {  # N
  local n=$1 node="kbm$1" dir="$WORK/mulenet-$1" t0 t1
  fresh_host "$node" "$(mulenet_ip "$n")"
  mkdir -p "$dir"
  printf '[eMule]\nPort=4891\nUDPPort=4791\n' >"$dir/amule.conf"
  cp "$WORK/nodes.dat" "$dir/nodes.dat"
  # As a user's: written by aMule at its exit long ago. A fresh one would mean
  # the nodes may still hold UDP flows to our port, and mulenet would rightly
  # leave them out of the UDP test.
  touch -d '-1 hour' "$dir/nodes.dat"
  t0=$EPOCHREALTIME
  ip netns exec "$(lab_ns "$node")" "$MULENET" --config "$dir/amule.conf" kad check --no-join --json \
    >"$dir/report.json" 2>"$dir/stderr.txt" || true
  t1=$EPOCHREALTIME
  jq -c --argjson n "$n" --argjson wall "$(python3 -c "print(round(($t1 - $t0) * 1000, 1))")" \
    '{run: $n, tcp, udp, external_udp_port, all_ms: .ms, wall_ms: $wall,
      tcp_open_ms: ([.evidence[]? | select(.said | test("connected to our TCP port|reached our TCP port")) | .ms] | sort | .[1] // null)}' \
    "$dir/report.json" >>"$WORK/mulenet.jsonl" || echo "{\"run\": $n, \"error\": \"no report\"}" >>"$WORK/mulenet.jsonl"
  log "mulenet run $n: $(tail -n 1 "$WORK/mulenet.jsonl")"
}
for ((n = 1; n <= RUNS; n++)); do mulenet_run "$n"; done

# --- amuled: a fresh one per run, PARALLEL at a time --------------------------
amuled_conf() {  # N DIR IP
  cat <<CONF
[eMule]
Nick=bench-amuled-$1
Port=4892
UDPPort=4792
UDPEnable=1
ConnectToKad=1
ConnectToED2K=0
Autoconnect=1
Reconnect=1
NewVersionCheck=0
Serverlist=0
KadNodesUrl=
IPFilterAutoLoad=0
GeoIPEnabled=0
UPnPEnabled=0
TempDir=$2/Temp
IncomingDir=$2/Incoming
[ExternalConnect]
AcceptExternalConnections=1
ECAddress=$3
ECPort=4893
ECPassword=$(printf 'bench' | md5sum | cut -c1-32)
IpFilterClients=0
IpFilterServers=0
CONF
}
amuled_start() {  # N: prints nothing; records its start time
  local n=$1 node="kba$1" dir="$WORK/amuled-$1" ip
  ip=$(amuled_ip "$n")
  fresh_host "$node" "$ip"
  mkdir -p "$dir/home" "$dir/Temp" "$dir/Incoming"
  amuled_conf "$n" "$dir" "$ip" >"$dir/amule.conf"
  cp "$WORK/nodes.dat" "$dir/nodes.dat"
  echo "$EPOCHREALTIME" >"$dir/started"
  ip netns exec "$(lab_ns "$node")" env HOME="$dir/home" amuled -c "$dir/" -o >"$dir/amuled.log" 2>&1 </dev/null &
}
amuled_state() {  # N: amulecmd's Kad line
  local n=$1 dir="$WORK/amuled-$1"
  ip netns exec "$(lab_ns "kba$n")" env HOME="$dir/home" timeout 5 amulecmd -h "$(amuled_ip "$n")" -p 4893 -P bench \
    -c status 2>/dev/null | sed -n 's/^[> ]*Kad: *//p' | head -n1
}
amuled_stop() {  # N
  pkill -TERM -f "amuled -c $WORK/amuled-$1/" 2>/dev/null || true
}
amuled_batch() {  # FIRST LAST
  local first=$1 last=$2 n i state waiting
  for ((n = first; n <= last; n++)); do amuled_start "$n"; done
  for ((i = 0; i < CAP; i++)); do
    sleep 1
    waiting=0
    for ((n = first; n <= last; n++)); do
      [ -e "$WORK/amuled-$n/done" ] && continue
      state=$(amuled_state "$n")
      if [[ $state == *"Connected (ok)"* ]]; then
        python3 -c "print(round($EPOCHREALTIME - $(cat "$WORK/amuled-$n/started"), 1))" >"$WORK/amuled-$n/done"
        log "amuled run $n: Connected (ok) after $(cat "$WORK/amuled-$n/done") s"
        amuled_stop "$n"
      else
        waiting=$((waiting + 1))
      fi
    done
    ((waiting > 0)) || break
  done
  for ((n = first; n <= last; n++)); do
    [ -e "$WORK/amuled-$n/done" ] || { echo null >"$WORK/amuled-$n/done"; log "amuled run $n: no verdict within $CAP s"; }
    amuled_stop "$n"
  done
}
log "amuled: $RUNS fresh instances, $PARALLEL at a time, polled every second (at most $CAP s each)"
for ((first = 1; first <= RUNS; first += PARALLEL)); do
  last=$((first + PARALLEL - 1))
  ((last <= RUNS)) || last=$RUNS
  amuled_batch "$first" "$last"
done
for ((n = 1; n <= RUNS; n++)); do
  echo "{\"run\": $n, \"tcp_ok_s\": $(cat "$WORK/amuled-$n/done")}" >>"$WORK/amuled.jsonl"
done

# --- report -------------------------------------------------------------------
LOAD_AFTER=$(load_avg)
mkdir -p "$OUT"
python3 "$BENCH_HOME/kad_report.py" --mulenet "$WORK/mulenet.jsonl" --amuled "$WORK/amuled.jsonl" \
  --json "$OUT/kad.json" --md "$OUT/kad.md" \
  --machine "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, kernel $(uname -r)" \
  --started "$STARTED" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" \
  --mulenet-version "mulenet $("$MULENET" --version 2>&1 | head -n1) (tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))" \
  --amuled-version "$(dpkg-query -W -f='${Version}' amule-daemon 2>/dev/null || echo '?')" \
  --runs "$RUNS" --parallel "$PARALLEL"
cat "$OUT/kad.md"
