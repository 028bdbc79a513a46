#!/usr/bin/env bash
# HTTP proxies as people run them: Debian's stock squid lets CONNECT through
# to port 443 only (`http_access deny CONNECT !SSL_ports`), the most common
# reason an HTTP proxy "does not work" for aMule. mulenet tells that refusal
# by port policy from an unreachable target (it asks the same host at 443:
# squid takes that request, the host refuses it), names the port and the
# fix, in `proxy test`, `ed2k login` and the doctor. A SOCKS5 proxy's rule
# against one port (dante) is told the same way.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
stock="http://$LAB_WAN_IP:$LAB_SQUID_STOCK_PORT"
server="$LAB_WAN_IP:4661"
proxy_test() { "$LAB" exec lan "$MULENET" proxy test "$@" --timeout 4000 --json 2>/dev/null; }

out=$(proxy_test "$stock" --target "$server")
code=$?
smoke_check "proxy test: exit code 2 ($code)" test "$code" -eq 2
smoke_check "proxy test: port-not-allowed, port 4661 named, SOCKS5 offered" \
  jqt '.error.code == "port-not-allowed" and .error.refused_ports == [4661] and (.error.fix | contains("SOCKS5"))' <<<"$out"
smoke_check "proxy test: squid's own answer is in the detail (HTTP 403)" \
  jqt '.error.detail | contains("403") and contains("port 443 through but not to port 4661")' <<<"$out"
smoke_check "proxy test: the port policy step is shown" \
  jqt '[.tcp.checks[].steps[]? | select(.name == "port policy")] | length > 0' <<<"$out"

# Port 443 of the same host: squid's rules let it through and the host has
# nothing there: an unreachable target, not a policy.
out=$(proxy_test "$stock" --target "$LAB_WAN_IP:443")
smoke_check "port 443: squid takes it, the host refuses it (target-refused)" \
  jqt '.error.code == "target-refused"' <<<"$out"

# SOCKS5 too: dante refuses one port by a rule ("not allowed by ruleset")
# and takes 443 of the same host: the port's rule, named as such.
out=$(proxy_test "socks5://$LAB_WAN_IP:$LAB_DANTE_OPEN_PORT" --target "$LAB_WAN_IP:$LAB_SOCKS_REFUSED_PORT")
smoke_check "SOCKS5 (dante): a port refused by rule is port-not-allowed, named" \
  jqt '.error.code == "port-not-allowed" and .error.refused_ports == ['"$LAB_SOCKS_REFUSED_PORT"']' <<<"$out"

# The lab's other squid allows the eD2k ports: the same target goes through.
out=$(proxy_test "http://$LAB_PROXY_USER:$LAB_PROXY_PASS@$LAB_WAN_IP:$LAB_SQUID_PORT" --target "$server")
smoke_check "a squid that allows 4661: the same target goes through" jqt '.exit_code == 0' <<<"$out"

# squid's own log agrees: 4661 denied, 443 tried.
log="$LAB_DIR/wan/squid-stock/access.log"
smoke_check "squid's log: CONNECT to 4661 denied (TCP_DENIED/403)" \
  grep -qE "TCP_DENIED/403 .*CONNECT $LAB_WAN_IP:4661" "$log"
smoke_check "squid's log: CONNECT to 443 tried" grep -qE "CONNECT $LAB_WAN_IP:443" "$log"

# aMule's settings with that proxy: the eD2k login and the doctor name it.
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4851\nUDPPort=4751\n[Proxy]\nProxyEnableProxy=1\nProxyType=2\nProxyName=%s\nProxyPort=%s\n' \
  "$LAB_WAN_IP" "$LAB_SQUID_STOCK_PORT" >"$conf"
out=$("$LAB" exec lan "$MULENET" --config "$conf" ed2k login "$server" --json 2>/dev/null)
smoke_check "ed2k login: port-not-allowed, through the proxy" \
  jqt '.servers[0] | .code == "connect-failed" and .dial_code == "port-not-allowed" and .route == "proxy" and (.error | contains("4661"))' <<<"$out"
text=$("$LAB" exec lan "$MULENET" --config "$conf" ed2k login "$server" 2>&1)
smoke_check "ed2k login (text): the policy and its fix are said" \
  bash -c 'grep -q "only some ports" <<<"$1" && grep -q "SSL_ports" <<<"$1"' _ "$text"
printf '%s\n' "$text" >"$SMOKE_TMP/ed2k-login.log"
out=$("$LAB" exec lan "$MULENET" --config "$conf" doctor --no-router --no-kad --no-amule --ed2k-server "$server" --json 2>/dev/null)
printf '%s\n' "$out" >"$SMOKE_TMP/doctor.log"
smoke_check "doctor: the first problem is the proxy's port rules, with their fix" \
  jqt '[.findings[] | select(.severity == "problem")][0] | .id == "ed2k.proxy-port-not-allowed" and (.fix | contains("SSL_ports"))' <<<"$out"
smoke_finish
