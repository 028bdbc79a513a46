#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Issue 5 item 7: time until all ports are mapped, cold, for each protocol:
# `mulenet map --once --keep --via pcp|natpmp|upnp` side by side with the stock
# clients making the same three mappings (natpmpc; upnpc one process per
# mapping and upnpc -r, with the description URL and with SSDP discovery), as
# ratios. See bench/README.md. Needs root: it brings up its own network lab
# (topology, wan, stun and router parts of tests/lab, under its own prefix) and
# takes it down at the end, whatever happens. A report: nothing here passes or
# fails on a time.
#
#   sudo bash bench/portmap_run.sh
#
# Writes bench/results/portmap.json and bench/results/portmap.md, and prints
# the tables. Environment (defaults in brackets):
#   BENCH_PORTMAP_RUNS        timed runs per case [30]
#   BENCH_PORTMAP_TRACE_RUNS  more runs per case under tcpdump, for the
#                             breakdown [5] (0: none)
#   BENCH_PORTMAP_STRACE_RUNS runs of each mulenet case under strace [3] (0: none)
#   BENCH_PORTMAP_SETTLE      seconds of pause before each run [1.0]
#   BENCH_PORTMAP_CASES       comma list of cases [all; see portmap_bench.py]
#   BENCH_MULENET             a mulenet binary to use instead of building one
#   BENCH_BUILD_DIR           where mulenet is built [<repo>/build-bench]
#   BENCH_RESULTS_DIR         where the results go [bench/results]
#   BENCH_KEEP_WORK=1         keep the raw measurements (the folder is printed)
#   MULENET_LAB_PREFIX        namespace prefix [bp-]; MULENET_LAB_DIR [/tmp/lab-bp]
set -euo pipefail

BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
RUNS=${BENCH_PORTMAP_RUNS:-30}
TRACE_RUNS=${BENCH_PORTMAP_TRACE_RUNS:-5}
STRACE_RUNS=${BENCH_PORTMAP_STRACE_RUNS:-3}
SETTLE=${BENCH_PORTMAP_SETTLE:-1.0}
CASES=${BENCH_PORTMAP_CASES:-}
SEED=5
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_PORTMAP_RUNS must be a number >= 1, not '$RUNS'" >&2; exit 64; }
for v in TRACE_RUNS STRACE_RUNS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: BENCH_PORTMAP_$v must be a number, not '${!v}'" >&2; exit 64; }
done
[[ $SETTLE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench: BENCH_PORTMAP_SETTLE must be seconds, not '$SETTLE'" >&2; exit 64; }

export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bp-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bp}
export MULENET_LAB_ONLY="topology wan stun router"
LAB=$ROOT/tests/lab/lab

if [ "$(id -u)" -ne 0 ]; then
  echo "bench: needs root (network namespaces for the lab, packet capture)" >&2
  exit 77
fi
missing=()
for tool in upnpc natpmpc tcpdump python3 ip ss nft; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -n "${BENCH_MULENET:-}" ] || for tool in cmake ninja; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]} (Debian packages: miniupnpc natpmpc tcpdump python3 iproute2 nftables" \
    "cmake ninja-build; the lab's own with scripts/install-deps.sh)" >&2
  exit 1
fi
if [ "$STRACE_RUNS" -gt 0 ] && ! command -v strace >/dev/null 2>&1; then
  echo "bench: strace is missing (Debian package strace): no count of mulenet's fsyncs" >&2
  STRACE_RUNS=0
fi

# shellcheck source=../tests/lab/lib/common.bash
source "$ROOT/tests/lab/lib/common.bash"
# shellcheck source=../tests/lab/lib/router.bash
source "$ROOT/tests/lab/lib/router.bash"

log() { echo "bench: $*" >&2; }

# --- build -------------------------------------------------------------------------
# The tree as it is now (what a build below compiles; with BENCH_MULENET, only
# what the tree was when the bench started).
TREE=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes')
if [ -n "${BENCH_MULENET:-}" ]; then
  MULENET=$(realpath "$BENCH_MULENET")
  [ -x "$MULENET" ] || { log "BENCH_MULENET=$BENCH_MULENET is not an executable"; exit 1; }
  COMPILER_CACHE=$(dirname "$(dirname "$MULENET")")/CMakeCache.txt
else
  log "building mulenet in $BUILD (Release)"
  cmake -S "$BENCH_HOME" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target mulenet_cli >/dev/null
  MULENET=$BUILD/bin/mulenet
  COMPILER_CACHE=$BUILD/CMakeCache.txt
fi

# --- lab ---------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/bench-portmap.XXXXXX)
chmod 755 "$WORK" # the harness runs as root anyway; readable for whoever inspects it
TCPDUMP_PID=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$TCPDUMP_PID" ]; then kill -TERM "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
  log "taking the lab down"
  "$LAB" down >>"$WORK/lab.log" 2>&1 || log "lab down reported an error (see $WORK/lab.log)"
  local left
  left=$(ip netns list | awk '{print $1}' | grep "^${MULENET_LAB_PREFIX}" || true)
  if [ -n "$left" ]; then
    log "WARNING: namespaces left behind: $(echo "$left" | paste -sd' ')"
    [ $rc -ne 0 ] || rc=1
  fi
  if [ "${BENCH_KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then
    log "raw measurements kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "bringing up the lab (prefix $MULENET_LAB_PREFIX: $MULENET_LAB_ONLY)"
if ! "$LAB" up >"$WORK/lab.log" 2>&1; then
  tail -n 20 "$WORK/lab.log" >&2
  exit 1
fi

# mulenet's config: only UPnPEnabled=1, so the plan is TCP 4662, UDP 4665, UDP 4672.
CONF_DIR=$WORK/config
mkdir -p "$CONF_DIR"
printf '[eMule]\nUPnPEnabled=1\n' >"$CONF_DIR/amule.conf"
CONF=$CONF_DIR/amule.conf
DESC_URL=$LAB_ROUTER_DESC_URL
GW=$LAB_ROUTER_LAN_IP
CLIENT=$LAB_LAN_IP
NS_LAN=$(lab_ns lan)
in_lan() { ip netns exec "$NS_LAN" "$@"; }

# Does each tool map the three ports at all? (Also warms the page cache of
# every binary, so the first timed run is not the only one reading them from disk.)
HARNESS=(python3 "$BENCH_HOME/portmap_bench.py")
COMMON=(--mulenet "$MULENET" --conf "$CONF" --lab "$LAB" --desc-url "$DESC_URL" --gateway "$GW" --client "$CLIENT"
  --settle "$SETTLE" --seed "$SEED" --logs "$WORK/logs")
[ -z "$CASES" ] || COMMON+=(--cases "$CASES")
"${HARNESS[@]}" describe "${COMMON[@]}" >"$WORK/cases.json"
log "checking that every case maps the three ports"
in_lan "${HARNESS[@]}" measure "${COMMON[@]}" --runs 1 --out "$WORK/check.jsonl"
if ! python3 -c 'import json,sys; sys.exit(0 if all(json.loads(l)["ok"] for l in open(sys.argv[1])) else 1)' "$WORK/check.jsonl"; then
  log "a case did not map all three ports (see $WORK/check.jsonl and $WORK/logs); measuring anyway, it is reported"
fi

# --- machine -----------------------------------------------------------------------
first_line() { "$@" 2>&1 | head -n 1 || true; }
pkg() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "miniupnpd=$(pkg miniupnpd-nftables)"
  echo "upnpc=$(upnpc 2>&1 | sed -n 's/.*version \([0-9.]*[0-9]\).*/\1/p' | head -n 1)"
  echo "miniupnpc_pkg=$(pkg miniupnpc)"
  echo "natpmpc=$(pkg natpmpc)"
  echo "python=$(python3 -c 'import platform; print(platform.python_version())')"
  echo "compiler=$(first_line "$(awk -F= '/^CMAKE_CXX_COMPILER:/ {print $2}' "$COMPILER_CACHE" 2>/dev/null || echo c++)" --version)"
  echo "mulenet=$("$MULENET" --version 2>/dev/null || echo '?')"
  echo "mulenet_commit=$TREE"
  echo "mulenet_binary=$([ -n "${BENCH_MULENET:-}" ] && echo "given (BENCH_MULENET)" || echo "built by the bench")"
  echo "config_fs=$(df --output=fstype "$CONF_DIR" 2>/dev/null | tail -n 1 || stat -f -c %T "$CONF_DIR")"
} >"$WORK/machine.txt"
{
  echo "runs=$RUNS"
  echo "trace_runs=$TRACE_RUNS"
  echo "strace_runs=$STRACE_RUNS"
  echo "settle=$SETTLE"
  echo "seed=$SEED"
  echo "desc_url=$DESC_URL"
  echo "client=$NS_LAN ($CLIENT), router $GW"
} >"$WORK/settings.txt"

# --- measuring -----------------------------------------------------------------------
log "the timing loop's own cost (spawn + wait of /bin/true)"
in_lan "${HARNESS[@]}" baseline --runs 200 --out "$WORK/baseline.json"

log "timed runs: $RUNS per case, interleaved (some ten minutes: upnpc's SSDP search alone waits 2 s a process)"
in_lan "${HARNESS[@]}" measure "${COMMON[@]}" --runs "$RUNS" --out "$WORK/raw.jsonl"

if [ "$TRACE_RUNS" -gt 0 ]; then
  log "$TRACE_RUNS more runs per case under tcpdump (where the time goes)"
  # Not through in_lan: $! must be tcpdump itself (ip netns exec execs it).
  ip netns exec "$NS_LAN" tcpdump -i eth0 -nn -tt -l -A -s 0 'udp port 5351 or udp port 1900 or tcp port 5000' \
    >"$WORK/pcap.txt" 2>"$WORK/tcpdump.err" </dev/null &
  TCPDUMP_PID=$!
  for ((i = 0; i < 50; i++)); do grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  in_lan "${HARNESS[@]}" measure "${COMMON[@]}" --runs "$TRACE_RUNS" --seed $((SEED + 1)) --out "$WORK/trace.jsonl"
  sleep 0.3
  # TERM, not INT: a background job of a script ignores SIGINT.
  kill -TERM "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=""
fi

if [ "$STRACE_RUNS" -gt 0 ]; then
  mcases=$(python3 -c 'import json,sys; print(",".join(n for n, c in json.load(open(sys.argv[1])).items() if c["tool"] == "mulenet"))' "$WORK/cases.json")
  if [ -n "$mcases" ]; then
    log "$STRACE_RUNS runs of each mulenet case under strace (its journal's fsyncs)"
    mkdir -p "$WORK/strace"
    in_lan "${HARNESS[@]}" measure "${COMMON[@]}" --cases "$mcases" --runs "$STRACE_RUNS" --strace-dir "$WORK/strace" \
      --out "$WORK/strace.jsonl"
  fi
fi

echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/machine.txt"

# --- results ---------------------------------------------------------------------------
mkdir -p "$OUT"
python3 "$BENCH_HOME/portmap_report.py" report "$WORK" "$OUT/portmap.json" "$OUT/portmap.md"
log "wrote $OUT/portmap.json and $OUT/portmap.md"
