#!/usr/bin/env bash
# `mulenet doctor`: findings from evidence, exit codes 0/1/2, JSON shape.
source "$(dirname "$0")/lib.bash"
conf=$TMP/amule.conf
# Ports nobody else uses, so that parallel tests do not disturb the verdicts.
base=$((20000 + RANDOM % 20000))
write_conf() { printf '[eMule]\nPort=%s\nUDPPort=%s\n%b\n' "$base" "$((base + 10))" "$1" >"$conf"; }

write_conf ""
run --config "$conf" doctor --no-router --json
expect_json '(.findings | type) == "array" and (.findings | length) > 0' "findings"
expect_json '.findings | all(has("id") and has("severity") and has("title") and has("evidence") and has("fix"))' "shape"
expect_json '.findings | all(.severity | IN("ok","info","warning","problem"))' "severities"
expect_json ".exit_code == $code" "exit code matches the JSON"
expect_json '[.findings[] | select(.id=="config.valid")] | length == 1' "valid config found ok"
expect_json '[.findings[] | select(.id=="port.bindable")] | length == 1' "ports bindable"
expect_json '[.findings[] | select(.id | startswith("router."))] | length == 0' "--no-router: the router is not asked"

write_conf "[Proxy]\nProxyEnableProxy=1\nProxyType=2\nProxyName=127.0.0.1\nProxyPort=9\nProxyPassword=topsecret\nProxyEnablePassword=1\nProxyUser=me"
run --config "$conf" doctor --no-router --json
expect_json '[.findings[] | select(.id=="proxy.udp-leak" and .severity=="warning")] | length == 1' "HTTP proxy leaks UDP"
expect_not_contains "$out" "topsecret" "doctor never prints the password"
[ "$code" -ge 1 ] && pass || fail "warnings give exit code >= 1, got $code"
# The proxy is tried for real: nothing listens on 127.0.0.1:9.
expect_json '[.findings[] | select(.id=="proxy.proxy-unreachable" and .severity=="problem")] | length == 1' "dead proxy found"
expect_code 2 "a dead proxy is a problem"

printf '[eMule]\nPort=99999\n' >"$conf"
run --config "$conf" doctor --no-router --json
expect_code 2 "invalid config is a problem"
expect_json '[.findings[] | select(.severity=="problem" and (.title | contains("/eMule/Port")))] | length == 1' "names the key"
run --config "$conf" doctor --no-router
expect_code 2 "text output too"
expect_contains "$out" "PROBLEM" "text shows the severity"
expect_contains "$out" "fix:" "text shows the fix"

# A port held by another program is named, with its pid.
write_conf ""
nc -l -p "$base" >/dev/null 2>&1 </dev/null &
nc_pid=$!
for _ in $(seq 50); do ss -Hltn "sport = :$base" | grep -q . && break; sleep 0.1; done
run --config "$conf" doctor --no-router --json
kill "$nc_pid" 2>/dev/null; wait "$nc_pid" 2>/dev/null
expect_code 2 "port in use is a problem"
expect_json "[.findings[] | select(.id==\"port.in-use.ed2k-tcp\" and .severity==\"problem\")] | length == 1" "in-use finding"
if [ "$(id -u)" -eq 0 ]; then
  expect_json "[.findings[] | select(.id==\"port.in-use.ed2k-tcp\") | .title | contains(\"nc\")] == [true]" "names the holder"
fi

# --no-proxy: a proxy that amule.conf enables is not contacted (a listener
# in its place sees no connection), and the report says it was not tried.
proxy_port=$((base + 7))
printf '[eMule]\nPort=%s\nUDPPort=%s\n[Proxy]\nProxyEnableProxy=1\nProxyType=0\nProxyName=127.0.0.1\nProxyPort=%s\n' \
  "$((base + 1))" "$((base + 2))" "$proxy_port" >"$TMP/proxy.conf"
nc -l -p "$proxy_port" >"$TMP/proxy-seen" 2>&1 </dev/null &
nc_pid=$!
for _ in $(seq 50); do ss -Hltn "sport = :$proxy_port" | grep -q . && break; sleep 0.1; done
run --config "$TMP/proxy.conf" doctor --no-router --no-ed2k --no-kad --no-amule --no-proxy --json
connected=$(ss -Htn state established "sport = :$proxy_port" | wc -l)
kill "$nc_pid" 2>/dev/null; wait "$nc_pid" 2>/dev/null
expect_json '[.findings[] | select(.id == "proxy.not-tried")] | length == 1' "--no-proxy: said not tried"
expect_json '[.findings[] | select(.id == "proxy.works" or (.title | startswith("The proxy does not work")))] | length == 0' \
  "--no-proxy: no verdict from trying it"
[ "$connected" -eq 0 ] && [ ! -s "$TMP/proxy-seen" ] && pass || fail "--no-proxy: the proxy was contacted"

# What the file gets wrong is not checked as if it said aMule's defaults:
# no "OK" about port 4662 when Port=abc, no SOCKS5 test when ProxyType=7,
# nothing at all from a file that is not an amule.conf; each is said.
printf '[eMule]\nPort=abc\nUDPPort=%s\n' "$((base + 2))" >"$TMP/badport.conf"
run --config "$TMP/badport.conf" doctor --no-router --no-ed2k --no-kad --no-amule --json
expect_code 2 "invalid Port is a problem"
expect_json '[.findings[] | select(.evidence | test("4662"))] | length == 0' "Port=abc: nothing said about 4662"
expect_json '[.findings[] | select(.id == "config.left-out" and (.evidence | contains("ed2k-tcp (/eMule/Port)")))] | length == 1' \
  "Port=abc: ed2k-tcp left out, and said"
printf '[eMule]\nPort=%s\nUDPPort=%s\n[Proxy]\nProxyEnableProxy=1\nProxyType=7\nProxyName=127.0.0.1\nProxyPort=%s\n' \
  "$((base + 1))" "$((base + 2))" "$proxy_port" >"$TMP/badproxy.conf"
nc -l -p "$proxy_port" >"$TMP/proxy-seen" 2>&1 </dev/null &
nc_pid=$!
for _ in $(seq 50); do ss -Hltn "sport = :$proxy_port" | grep -q . && break; sleep 0.1; done
run --config "$TMP/badproxy.conf" doctor --no-router --no-amule --json
kill "$nc_pid" 2>/dev/null; wait "$nc_pid" 2>/dev/null
expect_json '[.findings[] | select((.id | startswith("config.") | not) and ((.evidence + .title) | test("SOCKS5|ProxyType=0")))] | length == 0' \
  "ProxyType=7: not tested or described as SOCKS5"
expect_json '[.findings[] | select(.id == "config.left-out" and (.evidence | contains("the proxy")))] | length == 1' \
  "ProxyType=7: the proxy left out, and said"
[ ! -s "$TMP/proxy-seen" ] && pass || fail "ProxyType=7: the proxy was contacted"
head -c 2048 /dev/urandom >"$TMP/binary.conf"; printf '\0' >>"$TMP/binary.conf"
run --config "$TMP/binary.conf" doctor --no-router --no-ed2k --no-kad --no-amule --json
expect_code 2 "a binary config is a problem"
expect_json '[.findings[] | select(.id == "config.unreadable")] | length == 1' "binary config: unreadable"
expect_json '[.findings[] | select(.id == "port.bindable" or .id == "firewall.open")] | length == 0' \
  "binary config: no port checked on defaults"

run doctor --help
expect_code 0 "help"
expect_contains "$out" "Exit code" "help explains exit codes"
finish
