#!/usr/bin/env bash
# `mulenet ed2k login` against the lab's eD2k test server (203.0.113.10:4661,
# tests/ed2k_server/): behind the router without a mapping a Low ID (the
# server's connect-back finds nothing); after `mulenet map` a High ID at the
# router's outside address; directly on the WAN a High ID; through every
# proxy type the login works and the server sees the proxy's address (so a
# Low ID: peers never come in through a proxy); hostile servers end with a
# clear error, within the time limit. UDP status pings: direct and through
# a SOCKS5 UDP association.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
server="$LAB_WAN_IP:4661"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4841\nUDPPort=4741\nUPnPEnabled=1\n' >"$conf"
no_password_in() { ! grep -qF "$LAB_PROXY_PASS" <<<"$1"; }
failed_with() {  # CODE WORDS JSON: exit code 2 and no ID, the error containing WORDS
  [ "$1" -eq 2 ] && jqt --arg w "$2" '.servers[0] | (.id == null) and (.error | contains($w))' <<<"$3" >/dev/null
}
login_from() {  # NODE CONF ARGS...: JSON on stdout, exit code in $code
  local node=$1 c=$2
  shift 2
  out=$("$LAB" exec "$node" "$MULENET" --config "$c" ed2k login "$@" --json 2>/dev/null)
  code=$?
}
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap

# Behind the router, nothing forwarded: Low ID.
login_from lan "$conf" "$server"
smoke_check "no mapping: exit code 1, Low ID only ($code)" test "$code" -eq 1
smoke_check "no mapping: a Low ID, the server's own words, the outside address it saw" \
  jqt '.servers[0] | .connected and (.high_id | not) and .id < 16777216 and .reported_ip == "'"$LAB_ROUTER_WAN_IP"'" and (.messages | any(contains("connect-back") and contains("failed")))' <<<"$out"
smoke_check "no mapping: the connect-back never reached us" jqt '.servers[0].connect_back_seen == false and .listening' <<<"$out"
smoke_check "no mapping: UDP status ping answered" jqt '.servers[0].udp_ok == true' <<<"$out"
smoke_check "the user hash is kept in preferences.dat" test "$(stat -c %s "$conf_dir/preferences.dat")" -eq 17

# With the ports mapped: High ID at the router's outside address.
"$LAB" exec lan "$MULENET" --config "$conf" map --once --keep >/dev/null 2>&1
login_from lan "$conf" "$server"
smoke_check "mapped: exit code 0 ($code)" test "$code" -eq 0
smoke_check "mapped: High ID = the router's outside address" \
  jqt '.servers[0] | .high_id and .public_ip == "'"$LAB_ROUTER_WAN_IP"'" and .connect_back_seen and .name == "mulenet test server"' <<<"$out"
hash1=$(jq -r .user_hash <<<"$out")
login_from lan "$conf" "$server"
smoke_check "the same user hash on the next run" test "$(jq -r .user_hash <<<"$out")" = "$hash1"
"$LAB" exec lan "$MULENET" --config "$conf" unmap >/dev/null 2>&1

# Directly on the WAN: High ID at our own address.
login_from direct "$conf" "$server"
smoke_check "direct: High ID = our address" \
  jqt '.servers[0] | .high_id and .public_ip == "'"$LAB_DIRECT_IP"'" and .udp_ok' <<<"$out"

# Through every proxy type: logged in via the proxy, the server sees the proxy.
proxy_conf() {  # TYPE PORT AUTH
  printf '[eMule]\nPort=4841\nUDPPort=4741\n[Proxy]\nProxyEnableProxy=1\nProxyType=%s\nProxyName=%s\nProxyPort=%s\nProxyEnablePassword=%s\nProxyUser=%s\nProxyPassword=%s\n' \
    "$1" "$LAB_WAN_IP" "$2" "$3" "$LAB_PROXY_USER" "$LAB_PROXY_PASS" >"$conf_dir/proxy.conf"
}
for p in "socks5-auth 0 $LAB_DANTE_PORT 1" "socks4 1 $LAB_DANTE_OPEN_PORT 0" "socks4a 3 $LAB_SSH_SOCKS_PORT 0" \
  "http-squid 2 $LAB_SQUID_PORT 1" "http-tinyproxy 2 $LAB_TINYPROXY_PORT 1" "socks5-microsocks 0 $LAB_MICROSOCKS_PORT 1"; do
  read -r name type port auth <<<"$p"
  proxy_conf "$type" "$port" "$auth"
  login_from lan "$conf_dir/proxy.conf" "$server"
  smoke_check "$name: logged in through the proxy, the server saw the proxy's address" \
    jqt '.servers[0] | .connected and .route == "proxy" and (.id != null) and .reported_ip == "'"$LAB_WAN_IP"'"' <<<"$out"
  smoke_check "$name: no password in the output" no_password_in "$out"
done
proxy_conf 0 "$LAB_DANTE_PORT" 1
login_from lan "$conf_dir/proxy.conf" "$server"
smoke_check "socks5: the UDP status ping went through the proxy's UDP association" \
  jqt '.servers[0] | .udp_ok and (.udp_path | contains("SOCKS5"))' <<<"$out"
proxy_conf 2 "$LAB_SQUID_PORT" 1
login_from lan "$conf_dir/proxy.conf" "$server"
smoke_check "http proxy: the UDP status ping went direct (HTTP cannot carry UDP)" \
  jqt '.servers[0] | .udp_ok and (.udp_path | startswith("direct"))' <<<"$out"

# Hostile and broken servers: a clear error each, exit code 2, nothing hangs.
for h in "4681 not an eD2k packet" "4682 over the limit" "4683 rejected the login" "4684 no ID from the server within 3 s" \
  "4685 closed the connection before giving an ID" "4686 inflates to more than" "4687 no ID from the server within 3 s" \
  "4688 tags announced"; do
  read -r port words <<<"$h"
  login_from lan "$conf" "$LAB_WAN_IP:$port" --timeout 3 --no-udp
  smoke_check "hostile server $port: exit code 2 ($code), error '$words'" failed_with "$code" "$words" "$out"
done

# Several servers: two at a time, each its own verdict.
login_from lan "$conf" "$server" "$LAB_WAN_IP:4671" "$LAB_WAN_IP:4683" --timeout 5
smoke_check "three servers: three verdicts" \
  jqt '(.servers | length) == 3 and (.servers[1].messages | any(contains("Low ID for everyone"))) and .servers[2].error != null' <<<"$out"

# Servers from server.met when none is named; a bad server.met is a file error.
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$conf_dir/server.met"
login_from lan "$conf"
smoke_check "server.met: its server was tried" jqt '.servers[0].address == "'"$LAB_WAN_IP"':4661" and .servers[0].connected' <<<"$out"
printf 'garbage' >"$conf_dir/server.met"
login_from lan "$conf"
smoke_check "a broken server.met: exit code 4 ($code)" test "$code" -eq 4
rm -f "$conf_dir/server.met"
smoke_finish
