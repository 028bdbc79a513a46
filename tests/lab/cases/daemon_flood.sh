#!/usr/bin/env bash
# `mulenet run` under load (issue 14, "load held", the short version; the
# bench runs it longer): its Kad node and client listener on a WAN host of
# their own, flooded from 40 lab addresses with every kind of Kad request far
# above aMule's flood limits, malformed datagrams and half-open TCP
# connections. Meanwhile a real lookup still gets its answer; no flooding
# address gets more bytes back than it sent (no amplification towards
# addresses that never proved themselves); the node's memory and descriptors
# stay bounded and its half-open connections are closed; afterwards it still
# runs, connected to Kad, and SIGTERM stops it.
# The two hosts (the node, the swarm) are namespaces this case makes on the
# lab's WAN bridge and removes: their addresses are used by no other case, so
# amuled's per-address memory of other cases is not touched.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
FLOOD_SECONDS=${MULENET_FLOOD_SECONDS:-10}
FLOOD_RATE=${MULENET_FLOOD_RATE:-2000}
node_ns=$(lab_ns floodnode)
swarm_ns=$(lab_ns swarm)
wan_ns=$(lab_ns wan)
node_ip=$LAB_FLOOD_NODE_IP
lookup_ip=$LAB_SWARM_IP
tcp_port=4931
udp_port=4935
status_port=4727

# wan_namespace NS PORT_NAME ADDRESS...: a host on the lab's WAN bridge.
wan_namespace() {
  local ns=$1 port=$2 a
  shift 2
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add eth0 type veth peer name "$port" netns "$wan_ns"
  ip -n "$wan_ns" link set "$port" master br-wan up
  ip -n "$ns" link set eth0 up
  for a in "$@"; do ip -n "$ns" addr add "$a/24" dev eth0; done
  ip -n "$ns" route add default dev eth0
}
sources=()
for i in $(seq 200 239); do sources+=("100.64.201.$i"); done
smoke_on_exit ip netns del "$node_ns"
smoke_on_exit ip netns del "$swarm_ns"
wan_namespace "$node_ns" p-floodnode "$node_ip"
wan_namespace "$swarm_ns" p-swarm "$lookup_ip" "${sources[@]}"

conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=%s\nUDPPort=%s\n[mulenet]\nStatusPort=%s\n' "$tcp_port" "$udp_port" "$status_port" >"$conf"
lab_kad_nodes_dat "$conf_dir/nodes.dat" 7 8 1 2
touch -d '-1 hour' "$conf_dir/nodes.dat"  # as by an aMule that ran an hour ago
log="$SMOKE_TMP/run.log"
ip netns exec "$node_ns" "$MULENET" --config "$conf" run --no-map --no-ed2k --no-ec >"$log" 2>&1 &
runner=$!
SMOKE_PIDS+=("$runner")
status_json() { ip netns exec "$node_ns" curl -s --max-time 5 "http://127.0.0.1:$status_port/api/status"; }
kad_connected() { status_json | jqt '.kad.state == "connected"' >/dev/null 2>&1; }
smoke_check "the node is connected to Kad before the flood" lab_wait_for "Kad connected" 60 kad_connected
pid=$(pgrep -f "mulenet --config $conf run" | head -n 1)

# What the node holds, from /proc: resident KiB, open descriptors, CPU ticks.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# The kernel's UDP counters in the node's namespace: what reached its
# sockets, and what it dropped because a receive buffer was full.
udp_counter() { ip netns exec "$node_ns" awk -v k="$1" '/^Udp:/ { if (!n) { for (i = 1; i <= NF; i++) f[$i] = i; n = 1 } else print $f[k] }' /proc/net/snmp; }
in0=$(udp_counter InDatagrams)
drop0=$(udp_counter RcvbufErrors)
rss0=$(rss_kib)
fds0=$(fds)
cpu0=$(cpu_ticks)

# Sampled while the flood runs (bounded: the flood's seconds plus a margin).
peaks="$SMOKE_TMP/peaks"
(
  peak_rss=0 peak_fds=0
  for _ in $(seq $((FLOOD_SECONDS * 5 + 50))); do
    [ -e "/proc/$pid" ] || break
    r=$(rss_kib) f=$(fds)
    [ "${r:-0}" -gt "$peak_rss" ] && peak_rss=$r
    [ "${f:-0}" -gt "$peak_fds" ] && peak_fds=$f
    echo "$peak_rss $peak_fds" >"$peaks"
    [ -e "$SMOKE_TMP/flood-done" ] && break
    sleep 0.2
  done
) &
sampler=$!
SMOKE_PIDS+=("$sampler")

# A real node asks for contacts halfway through the flood.
lookup_conf="$SMOKE_TMP/lookup/amule.conf"
mkdir -p "$(dirname "$lookup_conf")"
printf '[eMule]\nPort=4932\nUDPPort=4936\n' >"$lookup_conf"
(
  sleep $((FLOOD_SECONDS / 2))
  ip netns exec "$swarm_ns" timeout 30 "$MULENET" --config "$lookup_conf" kad lookup --bootstrap "$node_ip:$udp_port" \
    --timeout 10 --json >"$SMOKE_TMP/lookup.json" 2>/dev/null
) &
looker=$!
SMOKE_PIDS+=("$looker")

sources_csv=$(IFS=,; echo "${sources[*]}")
report=$(ip netns exec "$swarm_ns" timeout $((FLOOD_SECONDS + 60)) python3 "$LAB_HOME/lib/kad_flood.py" \
  --target "$node_ip" --udp-port "$udp_port" --tcp-port "$tcp_port" --sources "$sources_csv" \
  --seconds "$FLOOD_SECONDS" --rate "$FLOOD_RATE" --half-open 200 --drain 3)
touch "$SMOKE_TMP/flood-done"
wait "$looker" "$sampler" 2>/dev/null
echo "flood: $report"
cpu1=$(cpu_ticks)
read -r peak_rss peak_fds <"$peaks" 2>/dev/null || { peak_rss=0; peak_fds=0; }
hz=$(getconf CLK_TCK)
cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')
echo "kernel: $(($(udp_counter InDatagrams) - in0)) datagrams delivered to the node's sockets, $(($(udp_counter RcvbufErrors) - drop0)) dropped (receive buffer full)"
echo "node: RSS ${rss0} KiB before, peak ${peak_rss} KiB; descriptors ${fds0} before, peak ${peak_fds}; CPU ${cpu_s} s during ${FLOOD_SECONDS} s of flood"
jq -r '.evidence[]? | "    \(.ms) ms \(.node) \(.said)"' "$SMOKE_TMP/lookup.json" 2>/dev/null | head -n 12

smoke_check "the flood was sent: thousands of datagrams from 40 addresses" \
  jqt '.datagrams >= 1000 and .sources == 40' <<<"$report"
smoke_check "a real lookup during the flood was answered (KADEMLIA2_BOOTSTRAP_RES)" \
  jqt '[.evidence[] | select((.node | startswith("'"$node_ip"'")) and (.said | contains("KADEMLIA2_BOOTSTRAP_RES")))] | length >= 1' \
  "$SMOKE_TMP/lookup.json"
smoke_check "no flooding address got more bytes back than it sent" \
  jqt '.sources_answered_more_than_sent == 0 and .worst_source_ratio <= 1' <<<"$report"
memory_check "memory bounded: the peak RSS at most 16 MiB above the start" test "$peak_rss" -le $((rss0 + 16384))
smoke_check "descriptors bounded: at most the listener's 32 connections above the start" \
  test "$peak_fds" -le $((fds0 + 32 + 8))
smoke_check "CPU bounded: under one core on average while flooded" \
  awk -v c="$cpu_s" -v s="$FLOOD_SECONDS" 'BEGIN {exit !(c < s)}'
fds_back() { [ "$(fds)" -le $((fds0 + 4)) ]; }
smoke_check "the half-open connections closed again (the Hello timeout)" lab_wait_for "the descriptors back" 20 fds_back
smoke_check "afterwards: still connected to Kad, the API answers" kad_connected
sigterm_daemon "$conf"
smoke_finish
