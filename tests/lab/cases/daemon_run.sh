#!/usr/bin/env bash
# `mulenet run` on the LAN host behind the lab's router, as a user runs it:
# the ports mapped on the real miniupnpd and a High ID from the lab's eD2k
# server (its connect-back comes in through our mapping), said by the log,
# `mulenet status` and the page's API; the router's rules flushed and the
# daemon restarted: the mappings are back within seconds and the log says
# so; the API refuses a rebinding Host, a cross-origin request and a GET that
# would change state; a second daemon on the same amule.conf refuses, naming
# the first one's PID; the page rendered by headless Chromium shows the ports
# and the High ID (screenshot kept); our LAN address changes and the mappings
# follow it within seconds; SIGTERM leaves no mapping on the router. Then on a
# WAN host of its own: its Kad node open/open, a High ID, both ports verified
# from outside, and the page's "Check Kad now" asks again; an amuled node
# it knows restarts, and nothing it says turns false.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
status_port=4716
printf '[eMule]\nPort=4991\nUDPPort=4995\nUPnPEnabled=1\n[mulenet]\nStatusPort=%s\n' "$status_port" >"$conf"
# server.met: one server, the lab's eD2k server at 203.0.113.10:4661.
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$conf_dir/server.met"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4991|4994|4995) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
none() { [ "$(ours)" -eq 0 ]; }
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
api() { "$LAB" exec lan curl -s --max-time 5 "$@"; }
status_json() { api "http://127.0.0.1:$status_port/api/status"; }
high_id_said() { status_json | jqt '.ed2k.state == "high-id"' >/dev/null 2>&1; }
log="$SMOKE_TMP/run.log"

# --no-kad: the Kad checks from behind this router are other cases' (amuled
# keeps per-address state, and this host shares the router's address).
"$LAB" exec lan "$MULENET" --config "$conf" run --no-kad >"$log" 2>&1 &
runner=$!
SMOKE_PIDS+=("$runner")
smoke_check "the router holds the three mappings" lab_wait_for "the three mappings" 15 all_three
smoke_check "a High ID through our own mapping" lab_wait_for "the High ID" 40 high_id_said
smoke_check "the API says the three ports mapped or verified" bash -c "$(declare -f api status_json); status_port=$status_port LAB=$LAB
  status_json | jqt '[.ports[] | select(.selected and (.state == \"mapped\" or .state == \"verified-open\")) | .port] | sort == [4991, 4994, 4995]' >/dev/null"
smoke_check "the API's findings: nothing wrong, with that evidence" bash -c "$(declare -f api status_json); status_port=$status_port LAB=$LAB
  status_json | jqt '.findings[0].id == \"daemon.nothing-wrong\" and .findings[0].severity == \"ok\"' >/dev/null"
smoke_check "the TCP port verified open by the server's connect-back" bash -c "$(declare -f api status_json); status_port=$status_port LAB=$LAB
  status_json | jqt '.ports[] | select(.name == \"ed2k-tcp\") | .state == \"verified-open\"' >/dev/null"
smoke_check "the log says it, one line per event" grep -qE 'eD2k: high-id \(ID [0-9]+\)' "$log"
out=$("$LAB" exec lan "$MULENET" --config "$conf" status 2>&1)
code=$?
echo "$out"
smoke_check "mulenet status: exit code 0" test "$code" -eq 0
smoke_check "mulenet status: High ID and the three ports in words" bash -c 'grep -q "high-id" <<<"$1" && grep -q "4991/tcp" <<<"$1"' _ "$out"
smoke_check "mulenet status --json carries exit_code 0" bash -c "'$LAB' exec lan '$MULENET' --config '$conf' status --json | jqt '.exit_code == 0' >/dev/null"

# The page's safety rules, as a hostile web page would try them.
code_of() { api -o /dev/null -w '%{http_code}' "$@"; }
smoke_check "a rebinding Host is refused (403)" test "$(code_of -H "Host: evil.example:$status_port" "http://127.0.0.1:$status_port/api/status")" = 403
smoke_check "a cross-origin request is refused (403)" test "$(code_of -H 'Origin: http://evil.example' "http://127.0.0.1:$status_port/api/status")" = 403
smoke_check "a GET that would change state is refused (405)" test "$(code_of "http://127.0.0.1:$status_port/api/check-kad")" = 405
smoke_check "a POST without the page's token is refused (403)" test "$(code_of -X POST "http://127.0.0.1:$status_port/api/check-kad")" = 403
smoke_check "no CORS header on the API" bash -c "! '$LAB' exec lan curl -s -D - -o /dev/null 'http://127.0.0.1:$status_port/api/status' | grep -qi '^access-control'"
events=$("$LAB" exec lan curl -s -N --max-time 2 "http://127.0.0.1:$status_port/api/events")
smoke_check "the event stream starts with the status" bash -c 'grep -q "^event: status" <<<"$1"' _ "$events"

second=$("$LAB" exec lan "$MULENET" --config "$conf" run --no-kad 2>&1)
smoke_check "a second daemon on the same amule.conf refuses, naming the first" bash -c 'grep -q "already runs" <<<"$1" && grep -qE "PID [0-9]+" <<<"$1"' _ "$second"

# The page as a person sees it: headless Chromium renders it (its JavaScript
# fills the tables from the status served with it, then from the event stream).
if command -v chromium >/dev/null 2>&1; then
  artifacts="$(cd "$(dirname "$MULENET")/.." && pwd)/artifacts"
  mkdir -p "$artifacts"
  chrome=(chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
          --user-data-dir="$SMOKE_TMP/chromium" --timeout=5000 --window-size=1200,1000)
  dom=$("$LAB" exec lan timeout 60 "${chrome[@]}" --dump-dom "http://127.0.0.1:$status_port/" 2>/dev/null)
  smoke_check "Chromium: the rendered page shows the High ID" bash -c 'grep -q "High ID (" <<<"$1"' _ "$dom"
  smoke_check "Chromium: the page's findings say nothing is wrong (High ID, ports verified or mapped)" \
    bash -c 'grep -q "ok: Nothing wrong that the daemon can see" <<<"$1"' _ "$dom"
  smoke_check "Chromium: the rendered page lists the three ports" bash -c 'grep -q "4991/tcp (ed2k-tcp)" <<<"$1" && grep -q "4995/udp (kad-udp)" <<<"$1"' _ "$dom"
  smoke_check "Chromium: the TCP port shown verified open" bash -c 'grep -q "verified-open" <<<"$1"' _ "$dom"
  "$LAB" exec lan timeout 60 "${chrome[@]}" --screenshot="$artifacts/status-page.png" "http://127.0.0.1:$status_port/" >/dev/null 2>&1
  smoke_check "Chromium: a screenshot kept ($artifacts/status-page.png)" test -s "$artifacts/status-page.png"
else
  smoke_fail "Chromium is not installed (scripts/install-deps.sh installs it)"
fi

# Our LAN address changes (the route to the router gets another source
# address): the daemon hears it from netlink and maps to the new address at
# once; and back. The old address stays on the host meanwhile, so the old
# mappings are removed from it (NAT-PMP and PCP keep mappings per address).
# Resident memory before the faults below (address change, router loss): flat after them.
daemon_pid=$(pgrep -f "mulenet --config $conf run" | head -n 1)
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status" 2>/dev/null || echo 0; }
rss_before_faults=$(rss_kib)
new_ip=192.168.77.150
"$LAB" exec lan ip addr add "$new_ip/24" dev eth0
"$LAB" exec lan ip route replace 192.168.77.0/24 dev eth0 src "$new_ip"
smoke_on_exit "$LAB" exec lan ip addr del "$new_ip/24" dev eth0
mapped_to() { [ "$("$LAB" router mappings | grep -cE "^(tcp|udp) (4991|4994|4995) -> $1:")" -eq 3 ]; }
smoke_check "our LAN address changed: the mappings follow it within 5 s" lab_wait_for "the mappings to the new address" 5 mapped_to "$new_ip"
smoke_check "the log says the network changed" grep -q " network: this host's addresses or routes changed" "$log"
smoke_check "still three mappings (the old ones removed)" all_three
"$LAB" exec lan ip route replace 192.168.77.0/24 dev eth0 src "$LAB_LAN_IP"
smoke_check "and back to the old address within 5 s" lab_wait_for "the mappings back at the old address" 5 mapped_to "$LAB_LAN_IP"
smoke_check "still three mappings (those of the new address removed)" all_three
# (Removed only now: NAT-PMP and PCP take a delete only from the address a
# mapping is for. An address that vanishes first leaves its mappings on the
# router until their lease ends; ours then get other external ports, said.)
"$LAB" exec lan ip addr del "$new_ip/24" dev eth0

# The router loses everything (rules flushed, then restarted with no leases),
# while a person looks at the page: Chromium keeps it open (no reload) and
# the page says what happened as it happens.
watcher=""
if command -v chromium >/dev/null 2>&1; then
  "$LAB" exec lan timeout 90 "${chrome[@]/--timeout=5000/--remote-debugging-port=9229}" about:blank >/dev/null 2>&1 &
  SMOKE_PIDS+=($!)
  "$LAB" exec lan timeout 80 python3 "$LAB_HOME/lib/page_watch.py" 9229 "http://127.0.0.1:$status_port/" \
    "document.getElementById('live').textContent + ' | ' + document.getElementById('events').textContent" \
    "live" "$SMOKE_TMP/page-ready" "the router lost our mappings" 60 >"$SMOKE_TMP/page-watch.log" 2>&1 &
  watcher=$!
  SMOKE_PIDS+=("$watcher")
  lab_wait_for "the page in Chromium" 30 test -e "$SMOKE_TMP/page-ready" || true
fi
"$LAB" router flush-mappings >/dev/null 2>&1
"$LAB" router restart-miniupnpd forget >/dev/null 2>&1
smoke_check "after the router lost them: the mappings back within 10 s" lab_wait_for "the mappings after a restart" 10 all_three
smoke_check "the log says the router lost them" grep -q "the router lost our mappings" "$log"
if [ -n "$watcher" ]; then
  wait "$watcher"
  smoke_check "Chromium: the open page said it live, without a reload" test $? -eq 0
  tail -c 600 "$SMOKE_TMP/page-watch.log"; echo
fi

rss_after_faults=$(rss_kib)
echo "RSS: $rss_before_faults KiB before the faults, $rss_after_faults KiB after"
memory_check "resident memory flat across the faults (within 2 MiB)" test "$rss_after_faults" -le $((rss_before_faults + 2048))
sigterm_daemon "$conf"
smoke_check "no mapping left on the router" none
smoke_check "the last line says they were removed" bash -c "tail -n 3 '$log' | grep -q 'mapping(s) removed'"

# The daemon's own Kad node and eD2k session, directly on the WAN (a host only
# this case uses: amuled keeps per-address state): Kad TCP and UDP open at
# start, a High ID at its own address, both ports verified open from outside;
# the page's "Check Kad now" (a POST with the page's token) asks again.
wan_dir="$conf_dir/wan"
mkdir -p "$wan_dir"
wan_ec_pw=mulenet-wan-ec
printf '[eMule]\nPort=4961\nUDPPort=4965\n[ExternalConnect]\nAcceptExternalConnections=1\nECPort=4962\nECPassword=%s\n[mulenet]\nStatusPort=%s\n' \
  "$(printf '%s' "$wan_ec_pw" | md5sum | cut -c1-32)" "$status_port" >"$wan_dir/amule.conf"
cp "$conf_dir/server.met" "$wan_dir/server.met"
lab_kad_nodes_dat "$wan_dir/nodes.dat" 6 5 4 3 2
touch -d '-1 hour' "$wan_dir/nodes.dat"  # as by an aMule that ran an hour ago (no UDP flows left)
wlog="$SMOKE_TMP/run-wan.log"
# amuled lists a contact only once it has seen it alive twice (HELLOs within
# its first minute or so): until then the lab's nodes do not list each
# other, and no lookup could find them. Wait until a lookup from this host
# (its own UDP port, no HELLO) finds every node: one every 10 s at most
# (amuled answers 10 KADEMLIA2_REQ a minute per address).
for ((try = 0; try < 9; try++)); do
  "$LAB" exec daemon "$MULENET" --config "$wan_dir/amule.conf" kad lookup --json --timeout 5 |
    jqt ".closest | length >= $LAB_KAD_NODES" && break
  sleep 10
done
# --kad-upkeep-period 5: aMule's routing-table rounds every 5 s instead of a minute (its self-lookup after 15 s).
"$LAB" exec daemon "$MULENET" --config "$wan_dir/amule.conf" run --no-map --kad-upkeep-period 5 >"$wlog" 2>&1 &
wrunner=$!
SMOKE_PIDS+=("$wrunner")
wapi() { "$LAB" exec daemon curl -s --max-time 5 "$@"; }
wstatus() { wapi "http://127.0.0.1:$status_port/api/status"; }
kad_open() { wstatus | jqt '.kad.tcp == "open" and .kad.udp == "open"' >/dev/null 2>&1; }
smoke_check "WAN: Kad TCP and UDP open at start" lab_wait_for "the Kad verdicts" 90 kad_open
# Its nodes.dat names 5 nodes; the lookup of its own ID finds the lab's others.
contacts_at_least() { wstatus | jqt ".kad.contacts >= $1" >/dev/null 2>&1; }
smoke_check "WAN: the routing table kept as aMule's: the lookup of our own ID finds all $LAB_KAD_NODES lab nodes" \
  lab_wait_for "the contacts" 60 contacts_at_least "$LAB_KAD_NODES"
wstatus | jq -c '.kad'
grep -E 'Kad|eD2k' "$wlog"  # shown by ctest when a check fails
smoke_check "WAN: a High ID at its own address" bash -c "$(declare -f wapi wstatus); LAB=$LAB status_port=$status_port
  wstatus | jqt '.ed2k.state == \"high-id\"' >/dev/null"
smoke_check "WAN: the TCP and Kad UDP ports verified open from outside" bash -c "$(declare -f wapi wstatus); LAB=$LAB status_port=$status_port
  wstatus | jqt '[.ports[] | select(.state == \"verified-open\") | .name] | sort == [\"ed2k-tcp\", \"kad-udp\"]' >/dev/null"
# What amulecmd shows of it over EC is what its API says: Kad open, High ID.
mkdir -p "$SMOKE_TMP/home"
out=$("$LAB" exec daemon env HOME="$SMOKE_TMP/home" timeout 10 amulecmd -h 127.0.0.1 -p 4962 -P "$wan_ec_pw" -c status 2>&1)
echo "$out"
smoke_check "WAN: amulecmd status shows the daemon's Kad connected and open, as its API" \
  bash -c 'grep -q "Kad: Connected (ok)" <<<"$1" && grep -q "with HighID" <<<"$1"' _ "$out"
token=$(wapi "http://127.0.0.1:$status_port/" | sed -nE 's/.*name="mulenet-token" content="([0-9a-f]+)".*/\1/p')
smoke_check "WAN: the page carries a token" test -n "$token"
checks_before=$(grep -c 'Kad: connected, TCP' "$wlog")
smoke_check "WAN: Check Kad now (POST with the token) is accepted" test "$(wapi -o /dev/null -w '%{http_code}' -X POST -H "X-Mulenet-Token: $token" "http://127.0.0.1:$status_port/api/check-kad")" = 202
another_check() { [ "$(grep -c 'Kad: connected, TCP' "$wlog")" -gt "$checks_before" ]; }
smoke_check "WAN: and a new Kad check reports" lab_wait_for "the second Kad check" 90 another_check

# An amuled node the daemon bootstrapped from restarts, as a user restarts
# aMule (same ID and address, its own nodes.dat): the daemon's Kad stays
# connected meanwhile and after, a new check says no port firewalled, and
# resident memory stays flat. (One node: nodes restarted together lose one
# another from their tables for minutes, and later cases list the lab's
# nodes; bench/daemon_faults.sh restarts five at once in a lab of its own.)
wpid=$(pgrep -f "mulenet --config $wan_dir/amule.conf run" | head -n 1)
wrss() { awk '/^VmRSS:/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0; }
wrss_before=$(wrss)
"$LAB" kad restart 6 &
restarter=$!
kad_connected_said() { wstatus | jqt '.kad.state == "connected"' >/dev/null 2>&1; }
smoke_check "WAN: while its nodes restart, the daemon's Kad is still said connected" kad_connected_said
wait "$restarter"
smoke_check "WAN: the amuled node restarted and Kad-connected again" test $? -eq 0
checks_before=$(grep -c 'Kad: connected, TCP' "$wlog")
wapi -o /dev/null -X POST -H "X-Mulenet-Token: $token" "http://127.0.0.1:$status_port/api/check-kad"
smoke_check "WAN: after the restart a new Kad check reports" lab_wait_for "the Kad check after the restart" 90 another_check
smoke_check "WAN: and Kad still said connected after it" kad_connected_said
# Asked again within 5 minutes of the last check, the nodes are not asked
# again (an amuled that had not restarted would answer from its memory, and
# the daemon cannot tell a restarted one): the verdicts are open, or unknown
# with that reason; never firewalled.
smoke_check "WAN: no port said firewalled after the restart" bash -c "$(declare -f wapi wstatus); LAB=$LAB status_port=$status_port
  wstatus | jqt '.kad.tcp != \"firewalled\" and .kad.udp != \"firewalled\"' >/dev/null"
grep 'Kad: connected, TCP' "$wlog" | tail -n 1
echo "WAN RSS: $wrss_before KiB before the restart, $(wrss) KiB after"
memory_check "WAN: resident memory flat across the restart (within 2 MiB)" test "$(wrss)" -le $((wrss_before + 2048))
sigterm_daemon "$wan_dir/amule.conf" "WAN: "
smoke_check "WAN: the Kad port is free again" bash -c "! '$LAB' exec daemon ss -uln | grep -q ':4965 '"
smoke_finish
