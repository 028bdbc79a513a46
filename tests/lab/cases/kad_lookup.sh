#!/usr/bin/env bash
# Kad routing and node lookups against the lab's real amuled 2.3.3 nodes:
#   * `mulenet kad lookup` bootstrapped from one node finds all of them, the
#     closest to a target first (a target that is a node's ID: that node);
#   * `mulenet kad check` given only a bootstrap node: its routing table
#     fills from the answers, the verdicts come, it joins, looks up its own
#     ID, and `--save-nodes` writes the table as a version 2 nodes.dat that a
#     lookup then starts from;
#   * a lookup through amuled's KADEMLIA2_RES: a node that keeps our joined
#     node as a verified contact hands it out to a lookup for its ID.
# From the WAN hosts `wan` and `peer` (the other Kad cases use other
# addresses: amuled keeps per-address state for minutes).
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
show() { jq -r '.evidence[]? | "    \(.ms) ms \(.node) \(.said)"' <<<"$out"; }  # shown by ctest on failure
mkdir -p "$SMOKE_TMP/peer" "$SMOKE_TMP/wan"
printf '[eMule]\nPort=4875\nUDPPort=4775\n' >"$SMOKE_TMP/peer/amule.conf"
printf '[eMule]\nPort=4874\nUDPPort=4774\n' >"$SMOKE_TMP/wan/amule.conf"
kad1="100.64.1.1:4672"

# 1. A lookup for node 3's ID, bootstrapped from node 1.
target=$(lab_kad_node_id 3)
out=$("$LAB" exec peer "$MULENET" --config "$SMOKE_TMP/peer/amule.conf" kad lookup "$target" --bootstrap "$kad1" --json 2>/dev/null); code=$?
echo "lookup: $(jq -c '{answers, queries, completed, closest: [.closest[].ip]}' <<<"$out")"; show
smoke_check "lookup: all $LAB_KAD_NODES nodes answered, exit code 0 ($code)" \
  jqt '.answers == '"$LAB_KAD_NODES"' and .completed and .exit_code == 0' <<<"$out"
smoke_check "lookup: the node whose ID is the target comes first, distance 0" \
  jqt '.closest[0].ip == "100.64.3.1" and (.closest[0].id | ascii_downcase) == "'"$target"'" and (.closest[0].distance | test("^0+$"))' <<<"$out"
smoke_check "lookup: the others follow by XOR distance" \
  jqt '[.closest[].distance] == ([.closest[].distance] | sort)' <<<"$out"
smoke_check "lookup: changed no file (no identity saved)" \
  bash -c "[ ! -e '$SMOKE_TMP/peer/preferencesKad.dat' ] && ! grep -q CryptoKadUDPKey '$SMOKE_TMP/peer/amule.conf'"

# 2. kad check from one bootstrap node: routing table, verdicts, join, nodes.dat.
# Nodes 1, 2 and 7 check the TCP port (the nodes asked first: the bootstrap
# ones; three, so that one amuled that does not connect costs no verdict);
# kad_proxy.sh, which also appears as 203.0.113.10 (the proxy), never asks them.
out=$("$LAB" exec wan "$MULENET" --config "$SMOKE_TMP/wan/amule.conf" kad check --bootstrap "$kad1" \
  --bootstrap 100.64.2.1:4672 --bootstrap 100.64.7.1:4672 --tcp-checkers 3 --save-nodes "$SMOKE_TMP/saved.dat" --json 2>/dev/null); code=$?
echo "check: $(jq -c '{tcp, udp, contacts, routing_contacts, lookup_queries, verified_by, nodes_dat}' <<<"$out")"; show
smoke_check "check from a bootstrap node: TCP open, UDP open (wan is on the WAN)" \
  jqt '.tcp == "open" and .udp == "open" and .exit_code == 0' <<<"$out"
smoke_check "check: the routing table holds the nodes, the join looked up our own ID" \
  jqt '.routing_contacts >= 5 and .lookup_queries >= 1 and ([.evidence[] | select(.said | startswith("lookup of our own ID"))] | length == 1)' <<<"$out"
smoke_check "check: amuled keeps us as a verified contact" jqt '.verified_by >= 1' <<<"$out"
smoke_check "check: --save-nodes wrote a version 2 nodes.dat of the table" \
  jqt '.nodes_dat.written and .nodes_dat.contacts >= 5' <<<"$out"
smoke_check "saved nodes.dat: version 2, 34-byte records, as many as the table" \
  python3 -c "
import struct, sys
d = open('$SMOKE_TMP/saved.dat', 'rb').read()
zero, version, count = struct.unpack('<III', d[:12])
sys.exit(0 if zero == 0 and version == 2 and count >= 5 and len(d) == 12 + 34 * count else 1)"
wan_id=$(jq -r .node_id <<<"$out")

# 3. A lookup for the joined node's ID from node 1 alone: node 1 hands it out
# (our node is gone by now: it does not answer, which the lookup survives).
lab_kad_nodes_dat "$SMOKE_TMP/one.dat" 1
out=$("$LAB" exec peer "$MULENET" --config "$SMOKE_TMP/peer/amule.conf" kad lookup "$wan_id" --nodes "$SMOKE_TMP/one.dat" --timeout 10 --json 2>/dev/null); code=$?
echo "lookup of our joined node: $(jq -c '{answers, queries, closest: [.closest[].ip]}' <<<"$out")"; show
smoke_check "lookup via amuled's KADEMLIA2_RES: node 1 lists contacts new to the lookup" \
  jqt '[.evidence[] | select(.node == "'"$kad1"'" and (.said | test("KADEMLIA2_RES: [0-9]+ contacts, [1-9][0-9]* new")))] | length == 1' <<<"$out"
smoke_check "lookup via KADEMLIA2_RES: our joined node (gone now) was asked, and did not answer" \
  jqt '[.evidence[] | select(.node == "'"$LAB_WAN_IP"':4774" and .said == "no KADEMLIA2_RES")] | length == 1' <<<"$out"
smoke_check "lookup: the saved nodes.dat is a valid start" \
  bash -c "'$LAB' exec peer '$MULENET' --config '$SMOKE_TMP/peer/amule.conf' kad lookup --nodes '$SMOKE_TMP/saved.dat' --timeout 10 --json 2>/dev/null | jqt '.answers >= 1' >/dev/null"

# Bad input.
out=$("$LAB" exec peer "$MULENET" --config "$SMOKE_TMP/peer/amule.conf" kad lookup not-an-id --bootstrap "$kad1" --json 2>/dev/null); code=$?
smoke_check "a bad target: exit code 64 ($code), said" \
  jqt --argjson c "$code" '$c == 64 and (.error.message | contains("Kad ID"))' <<<"$out"
smoke_finish
