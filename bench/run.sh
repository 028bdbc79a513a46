#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Issue 4 item 8: TCP connect-through-proxy latency and handshake round trips,
# mulenet vs curl, against the same proxies and the same target, as a ratio.
# See bench/README.md. Needs root (it brings up its own network lab: the
# topology and wan parts of tests/lab, under its own prefix) and takes that lab
# down at the end, whatever happens. A report: nothing here passes or fails on
# a time.
#
#   sudo bash bench/run.sh
#
# Writes bench/results/proxy_connect.json and bench/results/proxy_connect.md,
# and prints the tables. Environment (defaults in brackets):
#   BENCH_CONNECTS        connects per tool and case, many in one process [200]
#   BENCH_ROUNDS          ... split into this many alternating rounds [8]
#   BENCH_WARMUP          uncounted connects at the start of each round [5]
#   BENCH_COLD            processes of one connect each, per tool and case [200]
#   BENCH_HYPERFINE_RUNS  hyperfine runs per command [200]
#   BENCH_BUILD_DIR       where the bench project is built [<repo>/build-bench]
#   BENCH_RESULTS_DIR     where the results go [bench/results]
#   BENCH_KEEP_WORK=1     keep the raw measurements (the folder is printed)
#   MULENET_LAB_PREFIX    namespace prefix [bn-]; MULENET_LAB_DIR [/tmp/lab-bn]
set -euo pipefail

BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
N=${BENCH_CONNECTS:-200}
ROUNDS=${BENCH_ROUNDS:-8}
WARMUP=${BENCH_WARMUP:-5}
COLD=${BENCH_COLD:-200}
HF_RUNS=${BENCH_HYPERFINE_RUNS:-200}
PCAP_EACH=3
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
for v in N ROUNDS COLD HF_RUNS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench: $v must be a number >= 1, not '${!v}'" >&2; exit 64; }
done
[[ $WARMUP =~ ^[0-9]+$ ]] || { echo "bench: BENCH_WARMUP must be a number" >&2; exit 64; }

export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bn-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bn}
export MULENET_LAB_ONLY="topology wan"
# The HTTP proxies CONNECT only to these ports; the target below is on 4662.
export MULENET_LAB_CONNECT_PORTS="7007 8080 4662"
TARGET_PORT=4662
LAB=$ROOT/tests/lab/lab

if [ "$(id -u)" -ne 0 ]; then
  echo "bench: needs root (network namespaces for the lab, packet capture)" >&2
  exit 77
fi
missing=()
for tool in cmake ninja curl hyperfine tcpdump python3 ip ss; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]} (Debian packages: cmake ninja-build curl hyperfine tcpdump python3 iproute2;" \
    "the lab's own with scripts/install-deps.sh)" >&2
  exit 1
fi

# The lab's names and addresses (LAB_WAN_IP, LAB_PROXY_USER, ports...).
# shellcheck source=../tests/lab/lib/common.bash
source "$ROOT/tests/lab/lib/common.bash"
# shellcheck source=../tests/lab/lib/wan.bash
source "$ROOT/tests/lab/lib/wan.bash"

log() { echo "bench: $*" >&2; }

# --- build ---------------------------------------------------------------------
log "building the bench project in $BUILD (Release)"
cmake -S "$BENCH_HOME" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" >/dev/null
BENCH=$BUILD/bin/proxy_connect_bench
MULENET=$BUILD/bin/mulenet

# --- lab -------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/bench-proxy-connect.XXXXXX)
TARGET_PID="" TCPDUMP_PID=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$TCPDUMP_PID" ]; then kill -TERM "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
  if [ -n "$TARGET_PID" ]; then kill -TERM "$TARGET_PID" 2>/dev/null; wait "$TARGET_PID" 2>/dev/null; fi
  log "taking the lab down"
  "$LAB" down >>"$WORK/lab.log" 2>&1 || log "lab down reported an error (see $WORK/lab.log)"
  local left
  left=$(ip netns list | awk '{print $1}' | grep "^${MULENET_LAB_PREFIX}" || true)
  [ -z "$left" ] || log "WARNING: namespaces left behind: $(echo "$left" | paste -sd' ')"
  if [ "${BENCH_KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then
    log "raw measurements kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "bringing up the lab (prefix $MULENET_LAB_PREFIX, topology + wan)"
if ! "$LAB" up >"$WORK/lab.log" 2>&1; then
  tail -n 20 "$WORK/lab.log" >&2
  exit 1
fi

W=$LAB_WAN_IP
U=$LAB_PROXY_USER
P=$LAB_PROXY_PASS
NS_CLIENT=${MULENET_LAB_PREFIX}direct  # a WAN host without NAT, one bridge hop from the proxies
in_client() { ip netns exec "$NS_CLIENT" "$@"; }

# The target: answers "HTTP/1.0 204" at once on every connection, so that curl
# (asking http://TARGET/ through the tunnel) ends as soon as its tunnel is up
# and its request sent (see instant_http_target.py and README.md).
if lab_tcp_listening wan "$TARGET_PORT"; then
  log "something already listens on $W:$TARGET_PORT in the lab"
  exit 1
fi
ip netns exec "${MULENET_LAB_PREFIX}wan" python3 "$BENCH_HOME/instant_http_target.py" "$W" "$TARGET_PORT" \
  >"$WORK/target.log" 2>&1 </dev/null &
TARGET_PID=$!
lab_wait_for "the target on $W:$TARGET_PORT" 10 lab_tcp_listening wan "$TARGET_PORT"

# --- machine -----------------------------------------------------------------------
first_line() { "$@" 2>&1 | head -n 1 || true; }
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "curl=$(first_line curl --version)"
  echo "dante=$(dpkg-query -W -f='${Version}' dante-server 2>/dev/null || first_line danted -v)"
  echo "squid=$(dpkg-query -W -f='${Version}' squid 2>/dev/null || first_line squid -v)"
  echo "tinyproxy=$(dpkg-query -W -f='${Version}' tinyproxy-bin 2>/dev/null || first_line tinyproxy -v)"
  echo "microsocks=$(dpkg-query -W -f='${Version}' microsocks 2>/dev/null || echo '?')"
  echo "ssh=$(first_line ssh -V)"
  echo "hyperfine=$(first_line hyperfine --version)"
  echo "tcpdump=$(first_line tcpdump --version)"
  echo "compiler=$(first_line "$(awk -F= '/^CMAKE_CXX_COMPILER:/ {print $2}' "$BUILD/CMakeCache.txt")" --version)"
  echo "boost=$(awk '/define BOOST_LIB_VERSION/ {gsub(/"/, "", $3); print $3}' /usr/include/boost/version.hpp 2>/dev/null || echo '?')"
  echo "mulenet=$("$MULENET" --version 2>/dev/null || echo '?')"
  echo "mulenet_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes')"
  echo "secret=$P"
} >"$WORK/machine.txt"
{
  echo "connects=$N"
  echo "rounds=$ROUNDS"
  echo "warmup=$WARMUP"
  echo "cold=$COLD"
  echo "hyperfine_runs=$HF_RUNS"
  echo "pcap_each=$PCAP_EACH"
  echo "target=$W:$TARGET_PORT (echo.lab:$TARGET_PORT for SOCKS4a), answers HTTP 204 at once"
  echo "client=$NS_CLIENT ($LAB_DIRECT_IP), proxies on $W"
} >"$WORK/settings.txt"
: >"$WORK/cases"

# --- measuring -----------------------------------------------------------------------
# curl's -w line, one per transfer: namelookup connect pretransfer total exitcode num_connects http_code.
# time_pretransfer: the tunnel is up, the request not yet sent (with an http://
# URL; telnet:// would not do: curl sets that timer only when its blocking
# telnet session has ended).
FMT='%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_total} %{exitcode} %{num_connects} %{http_code}\n'
CURL_BASE=(curl -sS --connect-timeout 5 --max-time 10)

# urls TARGET COUNT: the target's URL COUNT times, for one curl process that
# makes COUNT transfers (a new connection each: the answer says "close").
urls() { local i; for ((i = 0; i < $2; i++)); do echo "http://$1/"; done; }

# tcpdump_start CASE_DIR PORT / tcpdump_stop: a text capture in the client node.
tcpdump_start() {
  # Not through in_client: $! must be tcpdump itself (ip netns exec execs it).
  ip netns exec "$NS_CLIENT" tcpdump -i eth0 -nn -tt -x -l "tcp port $2" >"$1/pcap.txt" 2>"$1/tcpdump.err" </dev/null &
  TCPDUMP_PID=$!
  local i
  for ((i = 0; i < 50; i++)); do grep -q "listening on" "$1/tcpdump.err" 2>/dev/null && return 0; sleep 0.1; done
  log "tcpdump did not start: $(cat "$1/tcpdump.err")"
  return 1
}
tcpdump_stop() {
  sleep 0.3 # the last FIN/ACKs
  # TERM, not INT: a background job of a script ignores SIGINT.
  kill -TERM "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=""
}

# run_case NAME SERVER PROTOCOL RTTS PROXY_PORT MULENET_URL TARGET CURL_PROXY_ARGS...
run_case() {
  local name=$1 server=$2 protocol=$3 rtts=$4 port=$5 url=$6 target=$7
  shift 7
  local curl_args=("$@") dir=$WORK/$name r per i
  mkdir -p "$dir"
  echo "$name" >>"$WORK/cases"
  {
    echo "name=$name"
    echo "server=$server"
    echo "protocol=$protocol"
    echo "protocol_round_trips=$rtts"
    echo "proxy_port=$port"
    echo "mulenet_url=${url//$P/***}"
    echo "target=$target"
    echo "warmup=$WARMUP"
    echo "pcap_each=$PCAP_EACH"
    echo "hyperfine_labels=bench,proxy_test,curl"
    local shown="${CURL_BASE[*]} ${curl_args[*]} http://$target/"
    echo "curl_command=${shown//$P/***}"
  } >"$dir/meta.txt"
  log "$name: $server, $protocol"

  # Does it work at all, with both?
  if ! in_client "$BENCH" --proxy "$url" --target "$target" -n 1 --warmup 0 >"$dir/check.txt" 2>&1; then
    echo "error=mulenet could not connect: $(grep -m1 error "$dir/check.txt" | sed "s/$P/***/g")" >>"$dir/meta.txt"
    log "$name: mulenet could not connect; skipped (see $dir/check.txt)"
    return 0
  fi
  if ! in_client "${CURL_BASE[@]}" -o /dev/null "${curl_args[@]}" "http://$target/" </dev/null >"$dir/check_curl.txt" 2>&1; then
    echo "error=curl could not connect: $(head -c 200 "$dir/check_curl.txt" | sed "s/$P/***/g")" >>"$dir/meta.txt"
    log "$name: curl could not connect; skipped"
    return 0
  fi

  # Many connects in one process, in alternating rounds (so drift of the
  # machine's load hits both alike).
  per=$(((N + ROUNDS - 1) / ROUNDS))
  for ((r = 1; r <= ROUNDS; r++)); do
    local mulenet_cmd=(in_client "$BENCH" --proxy "$url" --target "$target" -n "$per" --warmup "$WARMUP" --json --samples)
    local curl_cmd=(in_client "${CURL_BASE[@]}" -w "$FMT" "${curl_args[@]}")
    mapfile -t u < <(urls "$target" $((per + WARMUP)))
    if ((r % 2)); then
      "${mulenet_cmd[@]}" >"$dir/warm_mulenet_$r.json" 2>>"$dir/errors.txt" || true
      "${curl_cmd[@]}" "${u[@]}" </dev/null >"$dir/warm_curl_$r.txt" 2>>"$dir/errors.txt" || true
    else
      "${curl_cmd[@]}" "${u[@]}" </dev/null >"$dir/warm_curl_$r.txt" 2>>"$dir/errors.txt" || true
      "${mulenet_cmd[@]}" >"$dir/warm_mulenet_$r.json" 2>>"$dir/errors.txt" || true
    fi
  done

  # One connect per process, alternating, timed inside each process.
  # shellcheck disable=SC2016 # expanded by the inner shell
  in_client bash -c '
    n=$1 bench=$2 url=$3 target=$4 mout=$5 cout=$6 fmt=$7
    shift 7
    for ((i = 0; i < n; i++)); do
      "$bench" --proxy "$url" --target "$target" -n 1 --warmup 0 --json --samples >>"$mout" || true
      "$@" -o /dev/null -w "$fmt" "http://$target/" </dev/null >>"$cout" || true
    done' cold "$COLD" "$BENCH" "$url" "$target" "$dir/cold_mulenet.txt" "$dir/cold_curl.txt" "$FMT" \
    "${CURL_BASE[@]}" "${curl_args[@]}" 2>>"$dir/errors.txt"

  # Wall clock per process. `mulenet proxy test` does more than one connect:
  # see README.md.
  in_client hyperfine -N --warmup 5 --runs "$HF_RUNS" --export-json "$dir/hyperfine.json" \
    "$BENCH --proxy $url --target $target -n 1 --warmup 0" \
    "$MULENET proxy test $url --target $target --timeout 5000" \
    "${CURL_BASE[*]} -o /dev/null ${curl_args[*]} http://$target/" >"$dir/hyperfine.log" 2>&1 ||
    log "$name: hyperfine failed (see $dir/hyperfine.log)"

  # Round trips on the wire: PCAP_EACH connects of mulenet, then of curl.
  if tcpdump_start "$dir" "$port"; then
    in_client "$BENCH" --proxy "$url" --target "$target" -n "$PCAP_EACH" --warmup 0 >/dev/null 2>&1 || true
    sleep 0.2
    mapfile -t u < <(urls "$target" "$PCAP_EACH")
    in_client "${CURL_BASE[@]}" "${curl_args[@]}" "${u[@]}" </dev/null >/dev/null 2>&1 || true
    tcpdump_stop
  fi
}

T="$W:$TARGET_PORT"
run_case dante-socks5-auth "dante :$LAB_DANTE_PORT" "SOCKS5, user/password" 3 "$LAB_DANTE_PORT" \
  "socks5://$U:$P@$W:$LAB_DANTE_PORT" "$T" -x "socks5://$U:$P@$W:$LAB_DANTE_PORT"
run_case dante-socks5-open "dante :$LAB_DANTE_OPEN_PORT" "SOCKS5, no auth" 2 "$LAB_DANTE_OPEN_PORT" \
  "socks5://$W:$LAB_DANTE_OPEN_PORT" "$T" -x "socks5://$W:$LAB_DANTE_OPEN_PORT"
run_case dante-socks4 "dante :$LAB_DANTE_OPEN_PORT" "SOCKS4" 1 "$LAB_DANTE_OPEN_PORT" \
  "socks4://$W:$LAB_DANTE_OPEN_PORT" "$T" -x "socks4://$W:$LAB_DANTE_OPEN_PORT"
run_case ssh-socks4a "ssh -D :$LAB_SSH_SOCKS_PORT" "SOCKS4a, name resolved by the proxy" 1 "$LAB_SSH_SOCKS_PORT" \
  "socks4a://$W:$LAB_SSH_SOCKS_PORT" "echo.lab:$TARGET_PORT" -x "socks4a://$W:$LAB_SSH_SOCKS_PORT"
run_case microsocks-socks5-auth "microsocks :$LAB_MICROSOCKS_PORT" "SOCKS5, user/password" 3 "$LAB_MICROSOCKS_PORT" \
  "socks5://$U:$P@$W:$LAB_MICROSOCKS_PORT" "$T" -x "socks5://$U:$P@$W:$LAB_MICROSOCKS_PORT"
run_case squid-http "squid :$LAB_SQUID_PORT" "HTTP CONNECT, Basic auth" 1 "$LAB_SQUID_PORT" \
  "http://$U:$P@$W:$LAB_SQUID_PORT" "$T" -p -x "http://$U:$P@$W:$LAB_SQUID_PORT"
run_case tinyproxy-http "tinyproxy :$LAB_TINYPROXY_PORT" "HTTP CONNECT, Basic auth" 1 "$LAB_TINYPROXY_PORT" \
  "http://$U:$P@$W:$LAB_TINYPROXY_PORT" "$T" -p -x "http://$U:$P@$W:$LAB_TINYPROXY_PORT"

echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/machine.txt"

# --- results ---------------------------------------------------------------------------
mkdir -p "$OUT"
python3 "$BENCH_HOME/proxy_connect_report.py" report "$WORK" "$OUT/proxy_connect.json" "$OUT/proxy_connect.md"
log "wrote $OUT/proxy_connect.json and $OUT/proxy_connect.md"
