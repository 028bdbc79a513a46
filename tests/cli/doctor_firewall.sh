#!/usr/bin/env bash
# `mulenet doctor` reads the real nftables ruleset: run it in a network
# namespace of our own whose firewall drops the eD2k port. Needs root.
source "$(dirname "$0")/lib.bash"
if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null 2>&1; then
  echo "SKIPPED: needs root and nft to create a network namespace with its own firewall" >&2
  exit 77
fi
ns="mn-fw-$$"
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
ip netns add "$ns" || { fail "ip netns add"; finish; exit 1; }
ip -n "$ns" link set lo up
conf=$TMP/amule.conf
printf '[eMule]\nPort=4662\nUDPPort=4672\n' >"$conf"

ip netns exec "$ns" nft -f - <<'NFT'
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname "lo" accept
    tcp dport 22 accept
    udp dport 4672 accept
  }
}
NFT
out=$(ip netns exec "$ns" "$MULENET" --config "$conf" doctor --json 2>"$TMP/stderr"); code=$?; err=$(cat "$TMP/stderr")
expect_code 2 "blocked port is a problem"
expect_json '[.findings[] | select(.id=="router.none" and .severity=="info" and (.evidence | contains("no IPv4 default gateway")))] | length == 1' "no gateway in the namespace: said, not a problem"
expect_json '[.findings[] | select(.id=="firewall.blocked.ed2k-tcp" and .severity=="problem")] | length == 1' "TCP blocked"
expect_json '[.findings[] | select(.id=="firewall.blocked.server-udp")] | length == 1' "TCP+3 blocked"
expect_json '[.findings[] | select(.id=="firewall.blocked.kad-udp")] | length == 0' "Kad UDP allowed"
expect_json '.findings[] | select(.id=="firewall.blocked.ed2k-tcp") | .fix | contains("4662")' "fix names the port"

# Apply the doctor's own fix, and the problem is gone.
fix=$(echo "$out" | jq -r '.findings[] | select(.id=="firewall.blocked.ed2k-tcp") | .fix' | grep '^ *nft ' || true)
[ -n "$fix" ] && pass || fail "the fix has an nft command"
while read -r line; do ip netns exec "$ns" bash -c "$line" || fail "fix line failed: $line"; done <<<"$fix"
out=$(ip netns exec "$ns" "$MULENET" --config "$conf" doctor --json 2>/dev/null); code=$?
expect_json '[.findings[] | select(.id=="firewall.blocked.ed2k-tcp")] | length == 0' "fixed by the doctor's rule"

ip netns exec "$ns" nft flush ruleset
out=$(ip netns exec "$ns" "$MULENET" --config "$conf" doctor --json 2>/dev/null); code=$?
expect_json '[.findings[] | select(.id=="firewall.open")] | length == 1' "empty ruleset lets everything in"
finish
