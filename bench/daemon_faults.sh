#!/usr/bin/env bash
# Issue 14 item 7, the long version of the lab tests' faults: every fault
# the lab can make, one after another, under three running daemons, for
# BENCH_FAULT_ROUNDS rounds. A report: nothing here passes or fails on a time.
# Needs root: it brings up its own lab (under its own prefix) and takes it
# down at the end, whatever happens.
#
#   sudo bash bench/daemon_faults.sh
#
# The daemons:
#   lan    behind the lab's router: the three ports mapped on miniupnpd, an
#          eD2k session with a test server of this bench's own (so that it
#          may stop and start it); no Kad (the router's address is shared)
#   wan    on the WAN host: its Kad node (nodes.dat: amuled 2..6), no mapping
#   proxy  on the WAN host: Kad through dante (SOCKS5 with a password)
# Each round, polling every 50 ms:
#   1. the router's rules flushed           -> lan: the three mappings back
#   2. miniupnpd restarted with no leases   -> lan: the three mappings back
#   3. the router's external address changes, and back -> lan: the new
#      address said and a High ID for it (the server asked again)
#   4. the eD2k server stopped, then started -> lan: the session said lost,
#      then a High ID again (after the daemon's back-off)
#   5. amuled 2..6 restarted at once        -> wan: Kad said connected all along
#   6. dante restarted under the live UDP association -> proxy: a new one
# At the end: each daemon's RSS at the first round and after the last;
# SIGTERM to all, and nothing of ours left on the router.
# Writes bench/results/daemon-faults.json and .md. Environment:
#   BENCH_MULENET        the mulenet binary [<repo>/build/bin/mulenet]
#   BENCH_RESULTS_DIR    where the results go [bench/results]
#   BENCH_FAULT_ROUNDS   [3]
#   MULENET_LAB_PREFIX   namespace prefix [bx-]; MULENET_LAB_DIR [/tmp/lab-bx]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
MULENET=${BENCH_MULENET:-$ROOT/build/bin/mulenet}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
ROUNDS=${BENCH_FAULT_ROUNDS:-3}
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "bench: BENCH_FAULT_ROUNDS must be 1..99, not '$ROUNDS'" >&2; exit 64; }
export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bx-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bx}
# shellcheck source=lab_bench.bash
source "$BENCH_HOME/lab_bench.bash"
# shellcheck source=../tests/lab/lib/wan.bash
source "$LAB_HOME/lib/wan.bash"
SERVER_PY=$ROOT/tests/ed2k_server/ed2k_test_server.py
cleanup() {
  pkill -TERM -f "mulenet --config $WORK/" 2>/dev/null || true
  pkill -f -- "--listen 4693:normal" 2>/dev/null || true
  sleep 1
  "$LAB" router wan-address back >/dev/null 2>&1 || true
  "$LAB" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo null; }
pid_of() { pgrep -f "mulenet --config $WORK/$1/amule.conf run" | head -n 1; }

log "bringing up the lab"
"$LAB" up >"$WORK/lab.log" 2>&1 || { tail -n 20 "$WORK/lab.log" >&2; exit 1; }
"$LAB" exec wan python3 -u "$SERVER_PY" --address "$LAB_WAN_IP" --listen 4693:normal --idle-timeout 70 \
  >"$WORK/server.log" 2>&1 &
lab_wait_for "the bench's eD2k server" 10 lab_tcp_listening wan 4693

# lan: server.met names 203.0.113.10:4693 (the bench's own server).
mkdir -p "$WORK/lan" "$WORK/wan" "$WORK/proxy"
printf '[eMule]\nPort=4971\nUDPPort=4975\nUPnPEnabled=1\n[mulenet]\nStatusPort=4730\n' >"$WORK/lan/amule.conf"
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x55\x12\x00\x00\x00\x00' >"$WORK/lan/server.met"
printf '[eMule]\nPort=4976\nUDPPort=4978\n[mulenet]\nStatusPort=4731\n' >"$WORK/wan/amule.conf"
lab_kad_nodes_dat "$WORK/wan/nodes.dat" 6 5 4 3 2
printf '[eMule]\nPort=4986\nUDPPort=4988\n[Proxy]\nProxyEnableProxy=1\nProxyType=0\nProxyName=%s\nProxyPort=%s\nProxyEnablePassword=1\nProxyUser=%s\nProxyPassword=%s\n[mulenet]\nStatusPort=4732\n' \
  "$LAB_WAN_IP" "$LAB_DANTE_PORT" "$LAB_PROXY_USER" "$LAB_PROXY_PASS" >"$WORK/proxy/amule.conf"
lab_kad_nodes_dat "$WORK/proxy/nodes.dat" 8 7 6 5 4
"$LAB" exec lan "$MULENET" --config "$WORK/lan/amule.conf" run --no-kad >"$WORK/lan.log" 2>&1 &
"$LAB" exec daemon "$MULENET" --config "$WORK/wan/amule.conf" run --no-map --no-ed2k --no-ec >"$WORK/wan.log" 2>&1 &
"$LAB" exec daemon "$MULENET" --config "$WORK/proxy/amule.conf" run --no-map --no-ed2k --no-ec >"$WORK/proxy.log" 2>&1 &

sleep 2
for d in lan wan proxy; do
  [ -n "$(pid_of "$d")" ] || { log "the $d daemon did not start:"; cat "$WORK/$d.log" >&2; exit 1; }
done

lan_api() { "$LAB" exec lan curl -s --max-time 2 "http://127.0.0.1:4730/api/status"; }
wan_api() { "$LAB" exec daemon curl -s --max-time 2 "http://127.0.0.1:4731/api/status"; }
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4971|4974|4975) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
high_at() { lan_api | jq -e ".router.external_ip == \"$1\" and .ed2k.state == \"high-id\""; }
session_lost() { lan_api | jq -e '.ed2k.state != "high-id"'; }
kad_connected() { wan_api | jq -e '.kad.state == "connected"'; }
relay_again() { [ "$(grep -c "Kad's UDP association made again" "$WORK/proxy.log")" -gt "$1" ]; }
proxy_checked() { grep -q ' Kad: connected, TCP ' "$WORK/proxy.log"; }
T0=$(now)
log "daemons started: mapped $(wait_until 30 all_three) s, High ID $(wait_until 60 high_at "$LAB_ROUTER_WAN_IP") s," \
  "wan Kad $(wait_until 90 kad_connected) s, proxy Kad checked $(wait_until 90 proxy_checked) s"
rss_first=$(jq -n -c --argjson lan "$(rss_kb "$(pid_of lan)")" --argjson wan "$(rss_kb "$(pid_of wan)")" \
  --argjson proxy "$(rss_kb "$(pid_of proxy)")" '{lan:$lan, wan:$wan, proxy:$proxy}')

declare -a flush_s restart_s addr_s back_s lost_s high_s kad_always relay_s
for ((r = 1; r <= ROUNDS; r++)); do
  sleep 2
  T0=$(now); "$LAB" router flush-mappings >/dev/null 2>&1
  flush_s[r]=$(wait_until 30 all_three)
  sleep 2
  T0=$(now); "$LAB" router restart-miniupnpd forget >/dev/null 2>&1
  restart_s[r]=$(wait_until 30 all_three)
  sleep 2
  T0=$(now); "$LAB" router wan-address other >/dev/null 2>&1
  addr_s[r]=$(wait_until 60 high_at "$LAB_ROUTER_WAN2_IP")
  T0=$(now); "$LAB" router wan-address back >/dev/null 2>&1
  back_s[r]=$(wait_until 60 high_at "$LAB_ROUTER_WAN_IP")
  T0=$(now); pkill -f -- "--listen 4693:normal"
  lost_s[r]=$(wait_until 60 session_lost)
  sleep 3
  "$LAB" exec wan python3 -u "$SERVER_PY" --address "$LAB_WAN_IP" --listen 4693:normal --idle-timeout 70 \
    >>"$WORK/server.log" 2>&1 &
  T0=$(now)
  high_s[r]=$(wait_until 120 high_at "$LAB_ROUTER_WAN_IP")
  "$LAB" kad restart 2 3 4 5 6 >/dev/null 2>&1 &
  restarter=$!
  always=true
  for ((i = 0; i < 100 && $(kill -0 "$restarter" 2>/dev/null && echo 1 || echo 0) == 1; i++)); do
    kad_connected >/dev/null 2>&1 || always=false
    sleep 0.1
  done
  wait "$restarter" || always=false
  kad_always[r]=$always
  relays=$(grep -c "Kad's UDP association made again" "$WORK/proxy.log" || true)
  T0=$(now); "$LAB" wan restart-dante >/dev/null 2>&1
  relay_s[r]=$(wait_until 30 relay_again "$relays")
  log "round $r: flushed ${flush_s[r]} s, restarted ${restart_s[r]} s, new address ${addr_s[r]} s, back ${back_s[r]} s," \
    "server lost ${lost_s[r]} s, High ID again ${high_s[r]} s, Kad connected through the amuled restart: ${kad_always[r]}," \
    "new UDP association ${relay_s[r]} s"
done
rss_last=$(jq -n -c --argjson lan "$(rss_kb "$(pid_of lan)")" --argjson wan "$(rss_kb "$(pid_of wan)")" \
  --argjson proxy "$(rss_kb "$(pid_of proxy)")" '{lan:$lan, wan:$wan, proxy:$proxy}')
pkill -TERM -f "mulenet --config $WORK/" || true
T0=$(now)
all_gone() { ! pgrep -f "mulenet --config $WORK/" >/dev/null; }  # a function: `bash -c` would match itself
stopped_s=$(wait_until 15 all_gone)
left=$(ours)
log "stopped in $stopped_s s, $left mapping(s) of ours left on the router"

mkdir -p "$OUT"
to_json() { printf '%s\n' "$@" | jq -s -c .; }
jq -n --argjson flush "$(to_json "${flush_s[@]}")" --argjson restart "$(to_json "${restart_s[@]}")" \
  --argjson addr "$(to_json "${addr_s[@]}")" --argjson back "$(to_json "${back_s[@]}")" \
  --argjson lost "$(to_json "${lost_s[@]}")" --argjson high "$(to_json "${high_s[@]}")" \
  --argjson kad "$(to_json "${kad_always[@]}")" --argjson relay "$(to_json "${relay_s[@]}")" \
  --argjson rss_first "$rss_first" --argjson rss_last "$rss_last" --argjson stopped "$stopped_s" --argjson left "$left" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" --arg when "$(date -u +%FT%TZ)" \
  --arg version "$("$MULENET" --version 2>&1 | head -n1)" --argjson rounds "$ROUNDS" \
  '{when:$when, cpu:$cpu, mulenet:$version, rounds:$rounds, resolution_s:0.05,
    recovery_s:{rules_flushed:$flush, miniupnpd_restarted_no_leases:$restart, external_address_changed:$addr,
                external_address_back:$back, ed2k_server_stopped_said:$lost, ed2k_server_started_high_id:$high,
                dante_restarted_new_association:$relay},
    kad_connected_through_amuled_restart:$kad, rss_kb:{first_round:$rss_first, after_last:$rss_last},
    sigterm_to_exit_s:$stopped, mappings_left:$left}' >"$OUT/daemon-faults.json"
python3 - "$OUT/daemon-faults.json" >"$OUT/daemon-faults.md" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
def stats(xs):
    got = [x for x in xs if x is not None]
    if not got: return "never (no sample in time)"
    text = f"median {statistics.median(got):.2f} s (min {min(got):.2f}, max {max(got):.2f}; {len(got)} of {len(xs)})"
    return text + ("" if len(got) == len(xs) else f"; {len(xs) - len(got)} not in time")
r = d["recovery_s"]
print("# Faults under three running daemons (bench/daemon_faults.sh)\n")
print(f"{d['when']}, {d['cpu']}, {d['mulenet']}; {d['rounds']} rounds, every fault once per round, polled every {d['resolution_s']} s.")
print("Lab: miniupnpd as the router, the bench's own eD2k test server, eight amuled 2.3.3 Kad nodes, dante.\n")
print("| fault | recovered when | budget (issue 14) | measured |")
print("|---|---|---|---|")
print(f"| router rules flushed | lan: the 3 mappings back | ≤ 5 s | {stats(r['rules_flushed'])} |")
print(f"| miniupnpd restarted, leases lost | lan: the 3 mappings back | ≤ 5 s | {stats(r['miniupnpd_restarted_no_leases'])} |")
print(f"| router's external address changed | lan: the new address said, High ID for it | within 5 s said | {stats(r['external_address_changed'])} |")
print(f"| ... and back | lan: the same | | {stats(r['external_address_back'])} |")
print(f"| eD2k server stopped | lan: the session said lost | | {stats(r['ed2k_server_stopped_said'])} |")
print(f"| eD2k server started again | lan: High ID again (the daemon's back-off included) | | {stats(r['ed2k_server_started_high_id'])} |")
print(f"| 5 amuled nodes restarted at once | wan: Kad said connected all along | | {d['kad_connected_through_amuled_restart']} |")
print(f"| dante restarted under the live UDP association | proxy: a new association | ≤ 5 s | {stats(r['dante_restarted_new_association'])} |")
f, l = d["rss_kb"]["first_round"], d["rss_kb"]["after_last"]
print(f"\nRSS (KiB), before the first round → after the last: " + ", ".join(f"{k} {f[k]} → {l[k]}" for k in f) + ".")
print(f"SIGTERM to all three: exited after {d['sigterm_to_exit_s']} s; mappings of ours left on the router: {d['mappings_left']}.")
PY
cat "$OUT/daemon-faults.md"
