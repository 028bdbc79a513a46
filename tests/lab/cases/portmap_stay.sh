#!/usr/bin/env bash
# `mulenet map` staying up: the router loses the mappings (its rules flushed
# behind its back, then the daemon restarted with an empty lease file) and
# mulenet puts them back within 10 s; Ctrl-C (SIGINT) removes them. A port
# the router refused at first is asked for again and granted once allowed.
# (UPnP cannot notice a flush: miniupnpd keeps listing the flushed mapping
# and answers AddPortMapping without re-creating its rule. So for UPnP only
# the restart is tested; PCP and NAT-PMP re-create the rules on renewal.)
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4911\nUDPPort=4921\nUPnPEnabled=1\n' >"$conf"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4911|4914|4921) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
none() { [ "$(ours)" -eq 0 ]; }
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
smoke_on_exit "$LAB" router refuse-port off

for via in pcp natpmp upnp; do
  "$LAB" exec lan "$MULENET" --config "$conf" map --via "$via" >"$SMOKE_TMP/stay-$via.log" 2>&1 &
  stayer=$!
  SMOKE_PIDS+=("$stayer")
  smoke_check "$via: mapped" lab_wait_for "the three mappings" 15 all_three
  if [ "$via" != upnp ]; then
    "$LAB" router flush-mappings >/dev/null 2>&1
    smoke_check "$via: the router lost them (flushed)" none
    smoke_check "$via: put back within 10 s after a flush" lab_wait_for "the mappings to come back" 10 all_three
  fi
  "$LAB" router restart-miniupnpd forget >/dev/null 2>&1
  smoke_check "$via: put back within 10 s after a router restart" lab_wait_for "the mappings after a restart" 10 all_three
  if [ "$via" = upnp ]; then
    # The router may have restarted while it subscribed: asked again once the router changed.
    smoke_check "upnp: it watched the router's events too" \
      lab_wait_for "the events subscription" 10 grep -q "Watching the router's UPnP events" "$SMOKE_TMP/stay-$via.log"
  fi
  if [ "$via" != upnp ]; then
    smoke_check "$via: the restart was seen in the router's epoch" grep -q "router-restarted: the router's epoch went back" "$SMOKE_TMP/stay-$via.log"
  fi
  kill -INT "$(pgrep -f "mulenet --config $conf map --via $via" | head -n 1)" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$stayer" 2>/dev/null || break; sleep 0.1; done
  smoke_check "$via: SIGINT ends it" bash -c "! kill -0 $stayer 2>/dev/null"
  if [ "$via" != upnp ]; then
    smoke_check "$via: no events watched (only $via was asked)" bash -c "! grep -q 'Watching the router' '$SMOKE_TMP/stay-$via.log'"
  fi
  smoke_check "$via: and removes them" none
  smoke_check "$via: and the journal" test ! -e "$conf_dir/mulenet-mappings.json"
done

# A port the router refuses at first (its rules, or a request lost while it
# restarted) is asked for again while mulenet stays, and granted once allowed.
"$LAB" router refuse-port 4921 >/dev/null 2>&1
"$LAB" exec lan "$MULENET" --config "$conf" map --via upnp >"$SMOKE_TMP/stay-refused.log" 2>&1 &
stayer=$!
SMOKE_PIDS+=("$stayer")
two() { [ "$(ours)" -eq 2 ] && grep -q "failed  kad-udp" "$SMOKE_TMP/stay-refused.log"; }
smoke_check "refused: two mapped, UDP 4921 refused by the router" lab_wait_for "two mappings" 15 two
"$LAB" router refuse-port off >/dev/null 2>&1
smoke_check "refused: asked again and granted once the router allows it" lab_wait_for "the third mapping" 20 all_three
# (Said once the round ends: the router holds the mapping a moment before, between its answer and our read-back.)
smoke_check "refused: and it says so" lab_wait_for "the change to be said" 5 \
  grep -q "Mappings changed: .*udp 4921 mapped" "$SMOKE_TMP/stay-refused.log"
kill -INT "$(pgrep -f "mulenet --config $conf map --via upnp" | head -n 1)" 2>/dev/null
for _ in $(seq 100); do kill -0 "$stayer" 2>/dev/null || break; sleep 0.1; done
smoke_check "refused: SIGINT removes all three" none

# Without --via all three protocols are asked, and the router's UPnP events
# (GENA, callback on UPnPTCPPort) are watched: a mapping of ours deleted by
# UPnP is noticed by the event, not only by the next poll, and put back.
unsubscribes() { grep -c "UNSUBSCRIBE" "$LAB_DIR/log/miniupnpd.log" 2>/dev/null || true; }
before=$(unsubscribes)
"$LAB" exec lan "$MULENET" --config "$conf" map >"$SMOKE_TMP/stay-events.log" 2>&1 &
stayer=$!
SMOKE_PIDS+=("$stayer")
smoke_check "events: mapped" lab_wait_for "the three mappings" 15 all_three
smoke_check "events: subscribed to the router's events" lab_wait_for "the subscription" 10 \
  grep -q "Watching the router's UPnP events (callback on TCP 50000)" "$SMOKE_TMP/stay-events.log"
"$LAB" exec lan upnpc -u "http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml" -d 4911 TCP >/dev/null 2>&1
smoke_check "events: the deletion arrived as a router event" lab_wait_for "the event" 10 \
  grep -q "router event: PortMappingNumberOfEntries 2: checking the mappings now" "$SMOKE_TMP/stay-events.log"
smoke_check "events: put back" lab_wait_for "the mapping to come back" 10 all_three
kill -INT "$(pgrep -f "mulenet --config $conf map$" | head -n 1)" 2>/dev/null
for _ in $(seq 100); do kill -0 "$stayer" 2>/dev/null || break; sleep 0.1; done
smoke_check "events: SIGINT ends it, and removes them" none
smoke_check "events: unsubscribed (miniupnpd saw one more UNSUBSCRIBE)" test "$(unsubscribes)" -gt "$before"
smoke_finish
