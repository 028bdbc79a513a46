#!/usr/bin/env bash
# `mulenet run` with Kad through a SOCKS5 proxy (real dante, with a password),
# and dante restarted under the live UDP association (issue 14: "a lost SOCKS5
# UDP association is re-made within 5 s"; item 7, "dante restarted under a
# live UDP association"): the daemon says the association ended, makes a new
# one (1 s back-off), says so with the new relay, checks Kad again through it,
# and its resident memory stays flat; SIGTERM stops it.
# Named to run after the kad_* cases: Kad through the proxy appears as the
# proxy's address (203.0.113.10), which kad_lookup and kad_proxy also use
# (amuled keeps per-address state for minutes).
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
status_port=4728
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4941\nUDPPort=4945\n[Proxy]\nProxyEnableProxy=1\nProxyType=0\nProxyName=%s\nProxyPort=%s\nProxyEnablePassword=1\nProxyUser=%s\nProxyPassword=%s\n[mulenet]\nStatusPort=%s\n' \
  "$LAB_WAN_IP" "$LAB_DANTE_PORT" "$LAB_PROXY_USER" "$LAB_PROXY_PASS" "$status_port" >"$conf"
lab_kad_nodes_dat "$conf_dir/nodes.dat" 8 7 6 5 4
touch -d '-1 hour' "$conf_dir/nodes.dat"  # as by an aMule that ran an hour ago
log="$SMOKE_TMP/run.log"
"$LAB" exec daemon "$MULENET" --config "$conf" run --no-map --no-ed2k --no-ec >"$log" 2>&1 &
runner=$!
SMOKE_PIDS+=("$runner")
status_json() { "$LAB" exec daemon curl -s --max-time 5 "http://127.0.0.1:$status_port/api/status"; }
kad_checks() { grep -c ' Kad: connected, TCP ' "$log" || true; }
first_check() { [ "$(kad_checks)" -ge 1 ]; }
smoke_check "Kad through dante: connected and checked" lab_wait_for "the first Kad check" 60 first_check
grep -E 'Kad|proxy|tcp|udp' "$log"  # shown by ctest when a check fails
smoke_check "the nodes tried the proxy, not our ports: no port called open or closed from it" bash -c "$(declare -f status_json); LAB=$LAB status_port=$status_port
  status_json | jqt '[.ports[] | select(.state == \"verified-open\" or .state == \"closed\")] | length == 0' >/dev/null"
pid=$(pgrep -f "mulenet --config $conf run" | head -n 1)
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
rss_before=$(rss_kib)
checks_before=$(kad_checks)

"$LAB" wan restart-dante >/dev/null 2>&1
said_down() { grep -q "proxy: the SOCKS5 proxy ended Kad's UDP association" "$log"; }
said_up() { grep -q "proxy: Kad's UDP association made again, relay $LAB_WAN_IP:" "$log"; }
smoke_check "dante restarted: the daemon says the association ended" lab_wait_for "the loss said" 5 said_down
smoke_check "a new association within 5 s, said with the new relay" lab_wait_for "the new association" 5 said_up
grep -E 'proxy' "$log"
rechecked() { [ "$(kad_checks)" -gt "$checks_before" ]; }
smoke_check "Kad checked again through the new relay" lab_wait_for "a Kad check after the new association" 60 rechecked
smoke_check "the API: Kad still connected" bash -c "$(declare -f status_json); LAB=$LAB status_port=$status_port
  status_json | jqt '.kad.state == \"connected\"' >/dev/null"
smoke_check "the log never shows the proxy password" bash -c '! grep -qF "$1" "$2"' _ "$LAB_PROXY_PASS" "$log"
rss_after=$(rss_kib)
echo "RSS: $rss_before KiB before the restart, $rss_after KiB after the new association and check"
memory_check "resident memory flat across the restart (within 2 MiB)" test "$rss_after" -le $((rss_before + 2048))
sigterm_daemon "$conf"
smoke_finish
