#!/usr/bin/env bash
# The unstable external UDP port (Network Connectivity: "the router assigns
# an unstable external port that changes between packets"): the lab router
# gives every new UDP flow from the LAN a random source port, so each Kad node
# sees another port. `mulenet kad check` says "unstable" (no external port,
# not "remapped"), and the doctor names it with the documented workaround.
# From lan (203.0.113.2); its PINGs go to nodes 6 and 3, then 5, 4 and 1,
# within amuled's flood limit of 2 PINGs a minute per address.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
mkdir -p "$SMOKE_TMP/conf"
conf="$SMOKE_TMP/conf/amule.conf"
printf '[eMule]\nPort=4877\nUDPPort=4777\n' >"$conf"
smoke_on_exit "$LAB" router remap-udp off
"$LAB" router remap-udp random

lab_kad_nodes_dat "$SMOKE_TMP/two.dat" 6 3 2
out=$("$LAB" exec lan "$MULENET" --config "$conf" kad check --nodes "$SMOKE_TMP/two.dat" --tcp-checkers 2 \
  --udp-checkers 1 --tcp-wait 3 --no-join --json 2>/dev/null); code=$?
echo "kad check: $(jq -c '{tcp, udp, external_udp_port, udp_remapped, udp_port_unstable}' <<<"$out")"
jq -r '.evidence[]? | "    \(.ms) ms \(.node) \(.said)"' <<<"$out"
smoke_check "kad check: the nodes saw different UDP ports" \
  jqt '[.evidence[] | select(.said | startswith("KADEMLIA2_PONG")) | .said] | unique | length >= 2' <<<"$out"
smoke_check "kad check: unstable, no external port, not called remapped" \
  jqt '.udp_port_unstable and .external_udp_port == null and (.udp_remapped | not)' <<<"$out"

lab_kad_nodes_dat "$SMOKE_TMP/conf/nodes.dat" 5 4 1 2
out=$("$LAB" exec lan "$MULENET" --config "$conf" doctor --no-router --no-ed2k --json 2>/dev/null)
echo "doctor: $(jq -c '[.findings[] | select(.id | startswith("kad.")) | {id, severity, title}]' <<<"$out")"
smoke_check "doctor: the unstable port named, with the documented workaround" \
  jqt '.findings[] | select(.id == "kad.udp-port-unstable" and (.title | contains("unstable")) and (.fix | contains("80 < n < 65530")))' <<<"$out"
smoke_check "doctor: not taken for a plain remapping" \
  jqt '[.findings[] | select(.id == "kad.udp-remapped" or .id == "kad.remapped-but-open")] | length == 0' <<<"$out"
smoke_finish
