#!/usr/bin/env bash
# `mulenet proxy test` against the lab's real proxies (dante, microsocks,
# ssh -D, squid, tinyproxy), from the host behind the NAT router and from the
# host without NAT: each URL kind, right and wrong credentials, UDP through a
# SOCKS5 proxy that has it and one that has not, closed and dead targets.
set -uo pipefail
LAB=${1:?usage: $0 LAB_SCRIPT}
source "$(dirname "$LAB")/lib/common.bash"
source "$(dirname "$LAB")/lib/wan.bash"
MULENET=${MULENET:?the ctest environment names the mulenet binary}
passed=0 failed=0
W=$LAB_WAN_IP U=$LAB_PROXY_USER P=$LAB_PROXY_PASS

# check NODE DESCRIPTION JQ_FILTER -- ARGS...: runs `mulenet proxy test ARGS --json`
# in NODE and checks the filter on its output.
check() {
  local node=$1 what=$2 filter=$3
  shift 4
  local out
  out=$("$LAB" exec "$node" "$MULENET" proxy test "$@" --timeout 4000 --json 2>&1)
  if jqt "$filter" <<<"$out" 2>/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL [$node] $what: jq '$filter' on: $out" >&2
  fi
  if grep -qF -- "$P" <<<"$out"; then
    failed=$((failed + 1))
    echo "FAIL [$node] $what: the password appears in the output" >&2
  fi
}

ok_all='.exit_code == 0 and .tcp.ok and .error == null'
for node in lan direct; do
  check "$node" "dante SOCKS5 with auth, TCP + UDP" \
    "$ok_all and .udp.ok and ([.tcp.checks[].name] | index(\"connect to name\")) != null" \
    -- "socks5://$U:$P@$W:$LAB_DANTE_PORT" --target "echo.lab:$LAB_ECHO_PORT" --udp-echo "$W:$LAB_ECHO_PORT"
  check "$node" "dante without auth (open instance), UDP" "$ok_all and .udp.ok" \
    -- "socks5://$W:$LAB_DANTE_OPEN_PORT" --target "$W:$LAB_ECHO_PORT" --udp-echo "$W:$LAB_ECHO_PORT"
  check "$node" "dante wrong password" '.exit_code == 2 and .error.code == "auth-failed"' \
    -- "socks5://$U:wrong@$W:$LAB_DANTE_PORT" --target "$W:$LAB_ECHO_PORT"
  check "$node" "dante needs credentials" '.error.code == "no-acceptable-auth"' \
    -- "socks5://$W:$LAB_DANTE_PORT" --target "$W:$LAB_ECHO_PORT"
  check "$node" "microsocks: TCP yes, UDP not supported" \
    '.exit_code == 2 and .tcp.ok and .udp.ok == false and .error.code == "udp-not-supported"' \
    -- "socks5://$U:$P@$W:$LAB_MICROSOCKS_PORT" --target "echo.lab:$LAB_ECHO_PORT" --udp-echo "$W:$LAB_ECHO_PORT"
  check "$node" "microsocks wrong password" '.error.code == "auth-failed"' \
    -- "socks5://$U:wrong@$W:$LAB_MICROSOCKS_PORT" --target "$W:$LAB_ECHO_PORT"
  check "$node" "SOCKS4 (dante)" "$ok_all" -- "socks4://$U@$W:$LAB_DANTE_OPEN_PORT" --target "echo.lab:$LAB_ECHO_PORT"
  check "$node" "SOCKS4a (ssh -D), name resolved by the proxy" "$ok_all" \
    -- "socks4a://$W:$LAB_SSH_SOCKS_PORT" --target "echo.lab:$LAB_ECHO_PORT"
  check "$node" "SOCKS4 cannot carry UDP" '.udp.ok == false and .error.code == "udp-not-supported"' \
    -- "socks4://$W:$LAB_DANTE_OPEN_PORT" --udp-echo "$W:$LAB_ECHO_PORT"
  for port in "$LAB_SQUID_PORT" "$LAB_TINYPROXY_PORT"; do
    check "$node" "HTTP CONNECT :$port" "$ok_all" -- "http://$U:$P@$W:$port" --target "echo.lab:$LAB_ECHO_PORT"
    check "$node" "HTTP wrong password :$port" '.error.code == "auth-failed"' \
      -- "http://$U:wrong@$W:$port" --target "$W:$LAB_ECHO_PORT"
    check "$node" "HTTP without credentials :$port" '.error.code == "no-acceptable-auth"' \
      -- "http://$W:$port" --target "$W:$LAB_ECHO_PORT"
  done
  check "$node" "closed target port via SOCKS5" '.error.code == "target-refused"' \
    -- "socks5://$U:$P@$W:$LAB_DANTE_PORT" --target "$W:1"
  check "$node" "closed target port via squid" '.error.code == "target-refused"' \
    -- "http://$U:$P@$W:$LAB_SQUID_PORT" --target "$W:4662"
  check "$node" "nothing listens where the proxy should be" '.error.code == "proxy-unreachable"' \
    -- "socks5://$W:9" --target "$W:$LAB_ECHO_PORT"
  # An address in the lab's WAN range that no host has: ARP gets no answer.
  check "$node" "black-holed proxy address" '.error.code == "proxy-timeout" or .error.code == "proxy-unreachable"' \
    -- "socks5://203.0.113.99:1080" --target "$W:$LAB_ECHO_PORT"
  check "$node" "strict mode: UDP refused with an HTTP proxy" \
    '.strict and ([.routing[] | select(.traffic == "kad-udp") | .route] == ["refused"]) and ([.routing[] | select(.leaks)] | length == 0)' \
    -- "http://$U:$P@$W:$LAB_SQUID_PORT" --strict
  check "$node" "without strict mode, UDP leaks around an HTTP proxy" \
    '[.routing[] | select(.traffic == "kad-udp") | .leaks] == [true]' -- "http://$U:$P@$W:$LAB_SQUID_PORT"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
