#!/usr/bin/env bash
# Issue 14 item 5: the daemon's budgets, measured (a report: nothing here
# passes or fails on a time). Needs root: it brings up its own network lab
# (all of tests/lab, under its own prefix) and takes it down at the end,
# whatever happens.
#
#   sudo bash bench/daemon_run.sh
#
# Measures, polling every 50 ms (the resolution of every figure):
#   - behind the lab router (LAN host): `mulenet run --no-kad` from process
#     start to the three ports mapped on miniupnpd, and to a High ID with the
#     TCP port verified open by the eD2k server's connect-back; SIGTERM to
#     exit with no mapping left. BENCH_DAEMON_RUNS runs.
#   - the router loses everything (rules flushed, miniupnpd restarted without
#     its leases) under the running daemon: time until the three mappings are
#     back. BENCH_DAEMON_RUNS times.
#   - on a WAN host with Kad (no NAT): start to Kad TCP and UDP verdicts and a
#     High ID. One sample (amuled nodes keep per-address state).
#   - idle: RSS and CPU of the daemon over BENCH_DAEMON_IDLE_S seconds, beside
#     a lab amuled node's own figures over the same window; then the same for
#     the WAN daemon with its Kad node (answering the amuled nodes, its
#     routing table kept as aMule's) after its last run.
# Writes bench/results/daemon.json and bench/results/daemon.md. Environment:
#   BENCH_MULENET        the mulenet binary [<repo>/build/bin/mulenet; run `make` first]
#   BENCH_RESULTS_DIR    where the results go [bench/results]
#   BENCH_DAEMON_RUNS    [5]
#   BENCH_DAEMON_IDLE_S  [600]
#   MULENET_LAB_PREFIX   namespace prefix [bd-]; MULENET_LAB_DIR [/tmp/lab-bd]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
MULENET=${BENCH_MULENET:-$ROOT/build/bin/mulenet}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
RUNS=${BENCH_DAEMON_RUNS:-5}
IDLE=${BENCH_DAEMON_IDLE_S:-600}
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || { echo "bench: BENCH_DAEMON_RUNS must be 1..99, not '$RUNS'" >&2; exit 64; }
[[ $IDLE =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_DAEMON_IDLE_S must be a number of seconds, not '$IDLE'" >&2; exit 64; }
export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bd-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bd}
# shellcheck source=lab_bench.bash
source "$BENCH_HOME/lab_bench.bash"
cleanup() {
  pkill -TERM -f "mulenet --config $WORK/" 2>/dev/null || true
  sleep 1
  "$LAB" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

log "bringing up the lab"
"$LAB" up >"$WORK/lab.log" 2>&1 || { tail -n 20 "$WORK/lab.log" >&2; exit 1; }

conf_dir=$WORK/lan
mkdir -p "$conf_dir"
printf '[eMule]\nPort=4941\nUDPPort=4945\nUPnPEnabled=1\n[mulenet]\nStatusPort=4720\n' >"$conf_dir/amule.conf"
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$conf_dir/server.met"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4941|4944|4945) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
none() { [ "$(ours)" -eq 0 ]; }
api() { "$LAB" exec lan curl -s --max-time 2 "http://127.0.0.1:4720/api/status"; }
high_verified() {
  api | jq -e '.ed2k.state == "high-id" and ([.ports[] | select(.name == "ed2k-tcp") | .state] == ["verified-open"])'
}
daemon_gone() { ! pgrep -f "mulenet --config $conf_dir/amule.conf run" >/dev/null; }

declare -a mapped_s high_s stop_s
for ((r = 1; r <= RUNS; r++)); do
  sleep 1
  T0=$(now)
  "$LAB" exec lan "$MULENET" --config "$conf_dir/amule.conf" run --no-kad >"$WORK/lan-$r.log" 2>&1 &
  mapped_s[r]=$(wait_until 30 all_three)
  high_s[r]=$(wait_until 60 high_verified)
  pid=$(pgrep -f "mulenet --config $conf_dir/amule.conf run" | head -n 1)
  T0=$(now)
  kill -TERM "$pid"
  stop_s[r]=$(wait_until 30 daemon_gone)
  left=$(ours)
  log "run $r: mapped ${mapped_s[r]} s, High ID + verified ${high_s[r]} s, stopped ${stop_s[r]} s, $left left"
done

log "the router loses everything under the running daemon, $RUNS times"
"$LAB" exec lan "$MULENET" --config "$conf_dir/amule.conf" run --no-kad >"$WORK/lan-flush.log" 2>&1 &
T0=$(now)
wait_until 30 all_three >/dev/null
declare -a back_s
for ((r = 1; r <= RUNS; r++)); do
  sleep 2
  T0=$(now)
  "$LAB" router flush-mappings >/dev/null 2>&1
  "$LAB" router restart-miniupnpd forget >/dev/null 2>&1
  back_s[r]=$(wait_until 30 all_three)
  log "loss $r: mappings back after ${back_s[r]} s"
done

log "idle for $IDLE s: RSS and CPU of the daemon and of the amuled node kad1"
dpid=$(pgrep -f "mulenet --config $conf_dir/amule.conf run" | head -n 1)
apid=$(pgrep -f "amuled -c $MULENET_LAB_DIR/kad/kad1/" | head -n 1 || true)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# The part of RSS that is the process's own (heap, stacks), not pages of the
# program and libraries shared with every other process using them.
anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)
d0=$(ticks "$dpid"); a0=$([ -n "$apid" ] && ticks "$apid" || echo 0)
T0=$(now)
sleep "$IDLE"
elapsed=$(since "$T0")
d1=$(ticks "$dpid"); a1=$([ -n "$apid" ] && ticks "$apid" || echo 0)
d_rss=$(rss_kb "$dpid"); a_rss=$([ -n "$apid" ] && rss_kb "$apid" || echo null)
d_anon=$(anon_kb "$dpid"); a_anon=$([ -n "$apid" ] && anon_kb "$apid" || echo null)
d_cpu=$(python3 -c "print(round(100 * ($d1 - $d0) / $hz / $elapsed, 4))")
a_cpu=$([ -n "$apid" ] && python3 -c "print(round(100 * ($a1 - $a0) / $hz / $elapsed, 4))" || echo null)
kill -TERM "$dpid"
T0=$(now); wait_until 30 daemon_gone >/dev/null

log "on a WAN host with Kad: start to the verdicts and a High ID"
wan_dir=$WORK/wan
mkdir -p "$wan_dir"
printf '[eMule]\nPort=4961\nUDPPort=4965\n[mulenet]\nStatusPort=4721\n' >"$wan_dir/amule.conf"
cp "$conf_dir/server.met" "$wan_dir/server.met"
lab_kad_nodes_dat "$wan_dir/nodes.dat" 6 5 4 3 2
touch -d '-1 hour' "$wan_dir/nodes.dat"
wapi() { "$LAB" exec daemon curl -s --max-time 2 "http://127.0.0.1:4721/api/status"; }
kad_verdicts() { wapi | jq -e '.kad.tcp != null and .kad.tcp != "unknown" and .kad.udp != null and .kad.udp != "unknown"'; }
wan_gone() { ! pgrep -f "mulenet --config $wan_dir/amule.conf run" >/dev/null; }
wan_high() { wapi | jq -e '.ed2k.state == "high-id"'; }
# Each run from a fresh address of the WAN host (198.51.100.100+r, made the
# source of its routes) and without the checker memory: to the amuled nodes
# a new node, as a user's first start; their flood limits are per address.
declare -a kad_s wan_high_s
kad_said=""
for ((r = 1; r <= RUNS; r++)); do
  address=198.51.100.$((100 + r))
  "$LAB" exec daemon ip addr add "$address/24" dev eth0 2>/dev/null || true
  "$LAB" exec daemon ip route replace 198.51.100.0/24 dev eth0 src "$address"
  "$LAB" exec daemon ip route replace default dev eth0 src "$address"
  rm -f "$wan_dir/mulenet-kad-memory.json"
  sleep 1
  T0=$(now)
  "$LAB" exec daemon "$MULENET" --config "$wan_dir/amule.conf" run --no-map >"$WORK/wan-$r.log" 2>&1 &
  wan_high_s[r]=$(wait_until 60 wan_high)  # first: it comes long before the verdicts
  kad_s[r]=$(wait_until 60 kad_verdicts)
  said=$(wapi | jq -c '{tcp: .kad.tcp, udp: .kad.udp}')
  kad_said="$said"
  if [ "$r" -eq "$RUNS" ]; then
    log "idle with Kad for $IDLE s: RSS and CPU of the WAN daemon and of kad1"
    kpid=$(pgrep -f "mulenet --config $wan_dir/amule.conf run" | head -n 1)
    k0=$(ticks "$kpid"); a0=$([ -n "$apid" ] && ticks "$apid" || echo 0)
    T0=$(now)
    sleep "$IDLE"
    elapsed=$(since "$T0")
    k1=$(ticks "$kpid"); a1=$([ -n "$apid" ] && ticks "$apid" || echo 0)
    k_rss=$(rss_kb "$kpid"); k_anon=$(anon_kb "$kpid")
    k_cpu=$(python3 -c "print(round(100 * ($k1 - $k0) / $hz / $elapsed, 4))")
    ka_cpu=$([ -n "$apid" ] && python3 -c "print(round(100 * ($a1 - $a0) / $hz / $elapsed, 4))" || echo null)
    k_contacts=$(wapi | jq '.kad.contacts')
  fi
  pkill -TERM -f "mulenet --config $wan_dir/amule.conf run" || true
  T0=$(now); wait_until 30 wan_gone >/dev/null
  log "WAN run $r from $address: Kad verdicts ${kad_s[r]} s ($said), High ID ${wan_high_s[r]} s"
done

mkdir -p "$OUT"
to_json() { printf '%s\n' "$@" | jq -s -c .; }
jq -n --argjson mapped "$(to_json "${mapped_s[@]}")" --argjson high "$(to_json "${high_s[@]}")" \
  --argjson stop "$(to_json "${stop_s[@]}")" --argjson back "$(to_json "${back_s[@]}")" \
  --argjson kad "$(to_json "${kad_s[@]}")" --argjson wan_high "$(to_json "${wan_high_s[@]}")" --argjson kad_said "$kad_said" \
  --argjson k_rss "$k_rss" --argjson k_anon "$k_anon" --argjson k_cpu "$k_cpu" --argjson ka_cpu "$ka_cpu" --argjson k_contacts "$k_contacts" \
  --argjson idle "$IDLE" --argjson d_rss "$d_rss" --argjson d_anon "$d_anon" --argjson a_anon "$a_anon" --argjson d_cpu "$d_cpu" --argjson a_rss "$a_rss" --argjson a_cpu "$a_cpu" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" --arg when "$(date -u +%FT%TZ)" \
  --arg version "$("$MULENET" --version 2>&1 | head -n1)" \
  '{when:$when, cpu:$cpu, mulenet:$version, resolution_s:0.05,
    lan:{start_to_mapped_s:$mapped, start_to_high_id_verified_s:$high, sigterm_to_exit_s:$stop, router_loss_to_mapped_s:$back},
    wan:{start_to_high_id_s:$wan_high, start_to_kad_verdicts_s:$kad, kad:$kad_said},
    idle:{seconds:$idle, mulenet:{rss_kb:$d_rss, anon_kb:$d_anon, cpu_percent:$d_cpu}, amuled_kad_node:{rss_kb:$a_rss, anon_kb:$a_anon, cpu_percent:$a_cpu}},
    idle_with_kad:{seconds:$idle, mulenet:{rss_kb:$k_rss, anon_kb:$k_anon, cpu_percent:$k_cpu, kad_contacts:$k_contacts}, amuled_kad_node:{cpu_percent:$ka_cpu}}}' \
  >"$OUT/daemon.json"
python3 - "$OUT/daemon.json" >"$OUT/daemon.md" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs: return "no sample"
    return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}; {len(xs)} runs)"
lan, wan, idle = d["lan"], d["wan"], d["idle"]
print("# The daemon's budgets (bench/daemon_run.sh)\n")
print(f"{d['when']}, {d['cpu']}, {d['mulenet']}. Polled every {d['resolution_s']} s: every figure is that coarse.")
print("Lab: miniupnpd (UPnP, NAT-PMP, PCP) as the router, the lab's eD2k test server, eight amuled 2.3.3 Kad nodes.\n")
print("| measure | budget (issue 14) | measured |")
print("|---|---|---|")
print(f"| start → the 3 ports mapped (LAN, behind the router) | ≤ 3 s (with the verdicts) | {stats(lan['start_to_mapped_s'])} |")
print(f"| start → High ID, TCP verified open by the connect-back | ≤ 3 s | {stats(lan['start_to_high_id_verified_s'])} |")
print(f"| start → Kad TCP and UDP verdicts (WAN host, each run from a fresh address; last said {wan['kad']}) | ≤ 3 s | {stats(wan['start_to_kad_verdicts_s'])} |")
print(f"| start → High ID (WAN host, the same runs) | | {stats(wan['start_to_high_id_s'])} |")
print(f"| router rules flushed and miniupnpd restarted without leases → mapped again | ≤ 5 s | {stats(lan['router_loss_to_mapped_s'])} |")
print(f"| SIGTERM → exit, every mapping removed | ≤ 2 s | {stats(lan['sigterm_to_exit_s'])} |")
m, a = idle["mulenet"], idle["amuled_kad_node"]
print(f"| idle RSS over {idle['seconds']} s | ≤ 10 MB | {m['rss_kb']/1024:.1f} MB, of which {m['anon_kb']/1024:.1f} MB its own (amuled Kad node: {('%.1f MB, %.1f MB its own' % (a['rss_kb']/1024, a['anon_kb']/1024)) if a['rss_kb'] else 'n/a'}) |")
print(f"| idle CPU over {idle['seconds']} s | ≤ 0.1 % | {m['cpu_percent']} % (amuled Kad node: {a['cpu_percent']} %) |")
k = d["idle_with_kad"]
km = k["mulenet"]
print(f"| idle with its Kad node (WAN host, {km['kad_contacts']} contacts, routing table kept), RSS over {k['seconds']} s | | {km['rss_kb']/1024:.1f} MB, of which {km['anon_kb']/1024:.1f} MB its own |")
print(f"| idle with its Kad node, CPU over {k['seconds']} s | | {km['cpu_percent']} % (amuled Kad node, same window: {k['amuled_kad_node']['cpu_percent']} %) |")
PY
cat "$OUT/daemon.md"
