#!/usr/bin/env bash
# Kad verdicts that stay true when the user checks again at once (issue 12),
# against the lab's real amuled 2.3.3 nodes, from one host on the WAN whose
# own firewall changes between the checks:
#   open                         -> TCP open, UDP open
#   drop new inbound UDP, at once -> never "udp: open" (the nodes that talked
#                                    to our port a moment ago have a flow open
#                                    in conntrack: their test would come in)
#   drop new inbound TCP too     -> never "open" for either (the nodes that
#                                    checked us a moment ago are not asked again)
#   after the windows            -> TCP firewalled, UDP firewalled
#   open again, after the windows -> TCP open, UDP open
# The memory of earlier runs (mulenet-kad-memory.json next to amule.conf)
# makes the choice; the test names no nodes per run. The windows are
# shortened by the [mulenet] keys, and the host's conntrack UDP timeouts
# (10 s one way, 20 s both ways) below them, as the real defaults (Linux
# 30 s / 120-180 s, routers up to 300 s) are below KadUdpFlowWindow's 600 s.
# KadRecheckWindow stays above amuled's own memory of a check (~45 s: a
# check queued or connecting, a connection idling out after 40 s).
# --no-join: with only eight nodes, joining would make them know us, and a node
# that knows us declines the UDP test (the real network has thousands).
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
ns=$(lab_ns recheck)
tcp_port=4874
udp_port=4774
flow_window=30
recheck_window=60
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=%s\nUDPPort=%s\n[mulenet]\nKadUdpFlowWindow=%s\nKadRecheckWindow=%s\n' \
  "$tcp_port" "$udp_port" "$flow_window" "$recheck_window" >"$conf"
lab_kad_nodes_dat "$conf_dir/nodes.dat" 1 2 3 4 5 6
# Written long ago (by aMule at its last exit): no flow of its own is still open.
touch -d '-1 hour' "$conf_dir/nodes.dat"
memory="$conf_dir/mulenet-kad-memory.json"

# firewall none|udp|both: the host drops new inbound connections to those ports.
firewall() {
  local rules=""
  case $1 in
    udp) rules="udp dport $udp_port ct state new drop" ;;
    both) rules="udp dport $udp_port ct state new drop; tcp dport $tcp_port ct state new drop" ;;
  esac
  ip netns exec "$ns" nft -f - <<NFT
table inet recheck
delete table inet recheck
table inet recheck {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    $rules
  }
}
NFT
  ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=10 \
    net.netfilter.nf_conntrack_udp_timeout_stream=20
}
smoke_on_exit ip netns exec "$ns" nft delete table inet recheck

check() {  # WHAT: JSON in $out, exit code in $code
  out=$("$LAB" exec recheck "$MULENET" --config "$conf" kad check --no-join --json 2>/dev/null)
  code=$?
  echo "$1: $(jq -c '{tcp,udp,tcp_reason,udp_reason,retry_after_s,tcp_checkers,udp_checkers,tcp_acks,ms}' <<<"$out")"
  jq -r '.evidence[]? | "    \(.ms) ms \(.node) \(.said)"' <<<"$out"  # shown by ctest when a check fails
}
# Bounded: the windows plus a margin, once.
wait_windows() { sleep $((recheck_window > flow_window ? recheck_window + 5 : flow_window + 5)); }

firewall none
check "open"
smoke_check "open: TCP open, UDP open, exit code 0 ($code)" jqt '.tcp == "open" and .udp == "open" and .exit_code == 0' <<<"$out"
smoke_check "the memory is kept next to amule.conf, mode 0600, and lists the nodes asked" \
  bash -c "[ \"\$(stat -c %a '$memory')\" = 600 ] && jqt '.version == 1 and (.peers | length) >= 3' '$memory' >/dev/null"

firewall udp
check "UDP closed, at once"
smoke_check "UDP closed, at once: never 'udp: open'" jqt '.udp != "open"' <<<"$out"
smoke_check "UDP closed, at once: no TCP verdict from nodes that just checked us (unknown or right)" \
  jqt '.tcp == "unknown" or .tcp == "open"' <<<"$out"
smoke_check "an unknown verdict says why, in words" \
  jqt '(.tcp != "unknown" or (.tcp_reason | length > 10)) and (.udp != "unknown" or (.udp_reason | length > 10))' <<<"$out"

firewall both
check "UDP and TCP closed, at once"
smoke_check "both closed, at once: never 'open' for either" jqt '.tcp != "open" and .udp != "open"' <<<"$out"
smoke_check "both closed, at once: unknown says when a check can decide (retry_after_s)" \
  jqt '(.tcp != "unknown" and .udp != "unknown") or (.retry_after_s | type == "number" and . > 0)' <<<"$out"
smoke_check "both closed, at once: exit code 1 or 2, never 0 ($code)" test "$code" -ne 0

wait_windows
check "both closed, after the windows"
smoke_check "both closed, after the windows: TCP firewalled, UDP firewalled" \
  jqt '.tcp == "firewalled" and .udp == "firewalled" and .exit_code == 1' <<<"$out"

firewall none
wait_windows
check "open again, after the windows"
smoke_check "open again, after the windows: TCP open" jqt '.tcp == "open"' <<<"$out"
# Every one of the nodes has checked us by now, and amuled puts the Kad
# port of a client's Hello into its routing table: a node that knows us
# declines the UDP test ("I already know your IP"). Open, or unknown saying
# so; never firewalled (the real network has thousands of fresh nodes).
smoke_check "open again, after the windows: UDP open, or unknown because the nodes know us" \
  jqt '.udp == "open" or (.udp == "unknown" and (.udp_reason | contains("declined")))' <<<"$out"

# The memory file broken on purpose: a note, never fatal.
printf '\x00\xffnot json' >"$memory"
check "a corrupt memory file"
smoke_check "a corrupt memory file: ignored with a note, the check runs" \
  jqt '.error == null and ([.memory.notes[] | select(contains("not valid JSON"))] | length == 1)' <<<"$out"
# Just written by the run before: its nodes are taken as having checked us
# then (without that, amuled's answers to a re-check a moment later say
# "firewalled" although the port is open: they reuse the last check).
smoke_check "a corrupt memory file: no 'firewalled' from nodes that checked us a moment ago" \
  jqt '.tcp != "firewalled" and .udp != "firewalled"' <<<"$out"
smoke_finish
