#!/usr/bin/env bash
# `mulenet map` staying up: the router loses the mappings (its rules flushed
# behind its back, then the daemon restarted with an empty lease file) and
# mulenet puts them back within 10 s; Ctrl-C (SIGINT) removes them.
# (UPnP cannot notice a flush: miniupnpd keeps listing the flushed mapping
# and answers AddPortMapping without re-creating its rule. So for UPnP only
# the restart is tested; PCP and NAT-PMP re-create the rules on renewal.)
set -uo pipefail
LAB=${1:?usage: $0 LAB_SCRIPT}
# shellcheck source=../router/smoke.bash
source "$(dirname "$LAB")/router/smoke.bash"
MULENET=${MULENET:?the ctest environment names the mulenet binary}
smoke_init
smoke_require_lab
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4911\nUDPPort=4921\nUPnPEnabled=1\n' >"$conf"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4911|4914|4921) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
none() { [ "$(ours)" -eq 0 ]; }
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap

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
  kill -INT "$(pgrep -f "mulenet --config $conf map --via $via" | head -n 1)" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$stayer" 2>/dev/null || break; sleep 0.1; done
  smoke_check "$via: SIGINT ends it" bash -c "! kill -0 $stayer 2>/dev/null"
  smoke_check "$via: and removes them" none
  smoke_check "$via: and the journal" test ! -e "$conf_dir/mulenet-mappings.json"
done
smoke_finish
