#!/usr/bin/env bash
# `mulenet doctor` decides the eD2k section of the Troubleshooting list from
# evidence, against the lab's eD2k test server from behind the real router:
#   nothing forwarded                 -> Low ID, port closed: forward it (exact rule)
#   forwarded, ISP filters the port   -> Low ID although forwarded and allowed: another port
#   forwarded, local firewall drops it -> the firewall named first, no forwarding offered again
#   an "overloaded" server + a good one -> that server gives Low IDs: use the other (High ID)
#   through a SOCKS5 proxy            -> Low ID because servers connect back to the proxy
#   server.met read when no server is named; --no-ed2k asks none.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4861\nUDPPort=4761\nUPnPEnabled=1\n' >"$conf"
good="$LAB_WAN_IP:4661"
busy="$LAB_WAN_IP:4671"
# The findings are ranked worst first: the first problem is the cause to fix.
first_problem='[.findings[] | select(.severity == "problem")][0]'
doctor() { out=$("$LAB" exec lan "$MULENET" --config "$1" doctor --json "${@:2}" 2>/dev/null); code=$?; }
smoke_on_exit "$LAB" router isp-block-tcp off
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap

doctor "$conf" --ed2k-server "$good"
smoke_check "nothing forwarded: first problem Low ID, the port closed, the exact rule to forward it" \
  jqt "$first_problem"' | .id == "ed2k.low-id" and (.fix | contains("TCP 4861 -> '"$LAB_LAN_IP"':4861")) and (.fix | contains("Low-ID clients"))' <<<"$out"
smoke_check "nothing forwarded: exit code 2 ($code)" test "$code" -eq 2

"$LAB" exec lan "$MULENET" --config "$conf" map --once --keep >/dev/null 2>&1
"$LAB" router isp-block-tcp 4861
doctor "$conf" --ed2k-server "$good"
smoke_check "forwarded but filtered on the way: first problem an ISP block, another port suggested, 4861 not offered again" \
  jqt "$first_problem"' | .id == "ed2k.low-id-isp-block" and (.fix | contains("mulenet config set /eMule/Port")) and (.fix | contains("TCP 4861 ->") | not)' <<<"$out"
"$LAB" router isp-block-tcp off

# Forwarded, but this host's firewall drops the port: that is the cause named
# first, with its own fix; forwarding (already done) is not offered again.
nft_lan() { "$LAB" exec lan nft "$@"; }
smoke_on_exit nft_lan delete table inet mulenet_case
nft_lan add table inet mulenet_case
nft_lan add chain inet mulenet_case input '{ type filter hook input priority 0; policy accept; }'
nft_lan add rule inet mulenet_case input tcp dport 4861 drop
doctor "$conf" --ed2k-server "$good" --no-kad --no-amule
smoke_check "forwarded, local firewall drops it: the first finding names the firewall, and no map is offered" \
  jqt '.findings[0].id == "ed2k.low-id-local-firewall" and (.findings[0].fix | contains("mulenet map") | not)' <<<"$out"
nft_lan delete table inet mulenet_case

doctor "$conf" --ed2k-server "$busy" --ed2k-server "$good"
smoke_check "an overloaded server beside a good one: that server is named, the good one gave a High ID" \
  jqt '(.findings[] | select(.id == "ed2k.server-low-id" and (.title | contains("4671")) and (.fix | contains("4661")))) and (.findings[] | select(.id == "ed2k.high-id" and (.title | contains("'"$LAB_ROUTER_WAN_IP"'"))))' <<<"$out"
smoke_check "no Low-ID problem then" jqt '[.findings[] | select(.id == "ed2k.low-id")] | length == 0' <<<"$out"
"$LAB" exec lan "$MULENET" --config "$conf" unmap >/dev/null 2>&1

printf '[eMule]\nPort=4861\nUDPPort=4761\n[Proxy]\nProxyEnableProxy=1\nProxyType=0\nProxyName=%s\nProxyPort=%s\nProxyEnablePassword=1\nProxyUser=%s\nProxyPassword=%s\n' \
  "$LAB_WAN_IP" "$LAB_DANTE_PORT" "$LAB_PROXY_USER" "$LAB_PROXY_PASS" >"$conf_dir/proxy.conf"
doctor "$conf_dir/proxy.conf" --ed2k-server "$good"
smoke_check "through a proxy: the first finding explains the Low ID by the proxy" \
  jqt '.findings[0] | .id == "ed2k.low-id-proxy" and (.evidence | contains("'"$LAB_WAN_IP"'"))' <<<"$out"
smoke_check "through a proxy: no password in the doctor's output" bash -c '! grep -qF "$1" <<<"$2"' _ "$LAB_PROXY_PASS" "$out"

# server.met next to amule.conf when no server is named (one server: the good one).
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$conf_dir/server.met"
doctor "$conf"
smoke_check "server.met: its server was asked" \
  jqt '.findings[] | select(.id == "ed2k.low-id" and (.evidence | contains("'"$good"'")))' <<<"$out"
doctor "$conf" --no-ed2k
smoke_check "--no-ed2k: no eD2k finding" jqt '[.findings[] | select(.id | startswith("ed2k."))] | length == 0' <<<"$out"
rm -f "$conf_dir/server.met"
doctor "$conf"
smoke_check "no server.met: said, not guessed" jqt '.findings[] | select(.id == "ed2k.not-checked" and .severity == "info")' <<<"$out"
smoke_finish
