#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Smoke test of the WAN side (lib/wan.bash): through every proxy, a client
# reaches the HTTP service (curl) and the echo services (bash, socat), and the
# bytes that come back prove it: the HTTP service reports who connected to
# it, which is the wan host itself when a proxy was in between. Wrong
# passwords and forbidden ports must be refused.
#
#   MULENET_LAB_PREFIX=... MULENET_LAB_DIR=... bash proxies_curl.sh LAB_SCRIPT
#
# Runs from the `direct` node, and from `lan` when that reaches the WAN (only
# when the router's NAT is up). Needs a lab that is up; changes nothing in it.
set -uo pipefail

LAB=${1:?usage: proxies_curl.sh LAB_SCRIPT (path to tests/lab/lab)}
LAB_HOME=$(cd "$(dirname "$LAB")" && pwd)
# shellcheck source=../lib/common.bash
source "$LAB_HOME/lib/common.bash"
# shellcheck source=../lib/wan.bash
source "$LAB_HOME/lib/wan.bash"

IP=$LAB_WAN_IP
CRED="$LAB_PROXY_USER:$LAB_PROXY_PASS"
BAD="$LAB_PROXY_USER:wrong-$LAB_PROXY_PASS"
passed=0 failed=0

ok() { echo "ok   - $1"; passed=$((passed + 1)); }
not_ok() {
  echo "FAIL - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 8 | sed 's/^/       | /'
  failed=$((failed + 1))
}

# at NODE CMD...: CMD inside NODE, bounded.
at() {
  local node=$1
  shift
  "$LAB" exec "$node" timeout 10 "$@"
}

# --- functions that run inside a node (shipped there with declare -f) -------

# Bytes as \xHH escapes for printf's format: an IPv4 address, a port.
ip_esc() {
  local IFS=.
  # shellcheck disable=SC2086
  set -- $1
  printf '\\x%02x\\x%02x\\x%02x\\x%02x' "$1" "$2" "$3" "$4"
}
port_esc() { printf '\\x%02x\\x%02x' $(($1 >> 8)) $(($1 & 255)); }

# read_hex N: exactly N bytes from fd 3 (the SOCKS control connection), as hex.
read_hex() { timeout 5 dd bs=1 count="$1" <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n'; }

# socks5_open PROXY PORT [USER PASS]: connect fd 3 to a SOCKS5 proxy and
# authenticate: user/password (RFC 1929) when USER is given, else none.
socks5_open() {
  local reply
  exec 3<>"/dev/tcp/$1/$2" || { echo "cannot connect to $1:$2"; return 1; }
  if [ -n "${3:-}" ]; then
    printf '\x05\x01\x02' >&3
    reply=$(read_hex 2)
    [ "$reply" = 0502 ] || { echo "method reply $reply, wanted 0502"; return 1; }
    printf '\x01%b%s%b%s' "\\x$(printf %02x ${#3})" "$3" "\\x$(printf %02x ${#4})" "$4" >&3
    reply=$(read_hex 2)
    [ "$reply" = 0100 ] || { echo "auth reply $reply, wanted 0100"; return 1; }
  else
    printf '\x05\x01\x00' >&3
    reply=$(read_hex 2)
    [ "$reply" = 0500 ] || { echo "method reply $reply, wanted 0500"; return 1; }
  fi
}

# socks5_request CMD IP PORT: send a request (IPv4 address) on fd 3; prints
# the 10-byte reply as hex; fails unless it is a success with an IPv4 address.
socks5_request() {
  local reply
  # shellcheck disable=SC2059 # the format carries the bytes
  printf "\\x05\\x$1\\x00\\x01$(ip_esc "$2")$(port_esc "$3")" >&3
  reply=$(read_hex 10)
  echo "$reply"
  [ "${reply:0:8}" = 05000001 ]
}

# socks5_tcp_echo PROXY PORT USER PASS ECHO_IP ECHO_PORT PAYLOAD: CONNECT
# through the proxy to the echo service; prints what came back.
socks5_tcp_echo() {
  local reply
  socks5_open "$1" "$2" "$3" "$4" || return 1
  reply=$(socks5_request 01 "$5" "$6") || { echo "CONNECT reply $reply"; return 1; }
  printf '%s' "$7" >&3
  timeout 5 dd bs=1 count=${#7} <&3 2>/dev/null
}

# socks5_udp_echo PROXY PORT USER PASS ECHO_IP ECHO_PORT PAYLOAD: UDP
# ASSOCIATE (our address unknown: 0.0.0.0:0), one datagram to the echo
# service through the relay; prints the reply's header and payload as
# "HEADER_HEX PAYLOAD". The control connection stays open meanwhile.
socks5_udp_echo() {
  local reply relay_ip relay_port answer
  socks5_open "$1" "$2" "$3" "$4" || return 1
  reply=$(socks5_request 03 0.0.0.0 0) || { echo "UDP ASSOCIATE reply $reply"; return 1; }
  relay_ip=$(printf '%d.%d.%d.%d' "0x${reply:8:2}" "0x${reply:10:2}" "0x${reply:12:2}" "0x${reply:14:2}")
  relay_port=$((0x${reply:16:4}))
  [ "$relay_ip" = 0.0.0.0 ] && relay_ip=$1 # "the proxy's own address"
  exec 4<>"/dev/udp/$relay_ip/$relay_port"
  printf "\\x00\\x00\\x00\\x01$(ip_esc "$5")$(port_esc "$6")%s" "$7" | send_datagram
  answer=$(timeout 5 dd bs=65536 count=1 <&4 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
  [ -n "$answer" ] || { echo "no datagram back from relay $relay_ip:$relay_port"; return 1; }
  # shellcheck disable=SC2001
  printf '%s %b\n' "${answer:0:20}" "$(sed 's/../\\x&/g' <<<"${answer:20}")"
}

# send_datagram: stdin as one datagram on fd 4. bash's printf may write in
# pieces (it flushes at each newline byte, e.g. in an address), which on a
# UDP socket would be separate datagrams; dd collects all, then writes once.
send_datagram() { dd bs=65536 count=1 iflag=fullblock 2>/dev/null >&4; }

# udp_echo IP PORT PAYLOAD: one datagram, prints the answer.
udp_echo() {
  exec 4<>"/dev/udp/$1/$2"
  printf '%s' "$3" | send_datagram
  timeout 5 dd bs=65536 count=1 <&4 2>/dev/null
}

NODE_FUNCS="$(declare -f ip_esc port_esc read_hex socks5_open socks5_request socks5_tcp_echo socks5_udp_echo send_datagram udp_echo)"
# node_run NODE FUNCTION ARGS...: one of the functions above inside NODE.
node_run() {
  local node=$1
  shift
  at "$node" bash -c "$NODE_FUNCS"$'\n''"$@"' node_run "$@"
}

# --- checks ---------------------------------------------------------------------

# body_from_proxy BODY: the HTTP service's answer, and it came from the wan
# host (so a proxy there made the connection).
body_from_proxy() {
  [ "$(sed -n 1p <<<"$1")" = "$LAB_HTTP_MARKER" ] && [ "$(sed -n 2p <<<"$1")" = "peer=$IP" ]
}

# via NODE DESC CURL_ARGS...: curl through a proxy must get the HTTP body
# with the wan host as peer.
via() {
  local node=$1 desc=$2 out
  shift 2
  out=$(at "$node" curl -sS --max-time 8 "$@" 2>&1)
  if body_from_proxy "$out"; then ok "$node: $desc"; else not_ok "$node: $desc" "$out"; fi
}

# via_verbose NODE DESC PATTERN CURL_ARGS...: like via, and curl's trace must
# show PATTERN (e.g. that the proxy, not curl, resolved the name).
via_verbose() {
  local node=$1 desc=$2 pattern=$3 out
  shift 3
  out=$(at "$node" curl -sS -v --max-time 8 "$@" 2>&1)
  if body_from_proxy "$(grep -v '^[*<>{}]' <<<"$out")" && grep -q "$pattern" <<<"$out"; then
    ok "$node: $desc"
  else
    not_ok "$node: $desc" "$(grep -i -e socks -e '^curl' -e "$LAB_HTTP_MARKER" -e peer= <<<"$out")"
  fi
}

# refused NODE DESC CURL_ARGS...: curl must fail and get no body.
refused() {
  local node=$1 desc=$2 out rc
  shift 2
  out=$(at "$node" curl -sS --max-time 8 "$@" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] && ! grep -q "$LAB_HTTP_MARKER" <<<"$out"; then
    ok "$node: $desc ($(tail -n 1 <<<"$out" | cut -c1-70))"
  else
    not_ok "$node: $desc (curl exit $rc)" "$out"
  fi
}

# http_status NODE DESC WANT FORMAT CURL_ARGS...: the proxy answers with
# status WANT (FORMAT: %{http_code} for plain requests, %{http_connect} for
# CONNECT) and no body of the HTTP service comes through.
http_status() {
  local node=$1 desc=$2 want=$3 format=$4 out code
  shift 4
  out=$(at "$node" curl -s --max-time 8 -w "\n@@%{$format}" "$@" 2>&1)
  code=${out##*@@}
  if [ "$code" = "$want" ] && ! grep -q "$LAB_HTTP_MARKER" <<<"$out"; then
    ok "$node: $desc"
  else
    not_ok "$node: $desc (status $code, wanted $want)" "$out"
  fi
}

test_from() {
  local n=$1 out payload url="http://$IP:$LAB_HTTP_PORT" name_url="http://echo.lab:$LAB_HTTP_PORT"
  local dante="$IP:$LAB_DANTE_PORT" open="$IP:$LAB_DANTE_OPEN_PORT" micro="$IP:$LAB_MICROSOCKS_PORT"
  local sshs="$IP:$LAB_SSH_SOCKS_PORT" tiny="$IP:$LAB_TINYPROXY_PORT" squid="$IP:$LAB_SQUID_PORT"

  # Control: without a proxy the service sees the client (or its NAT), so the
  # peer check below really tells proxied from direct.
  out=$(at "$n" curl -sS --max-time 8 "$name_url/direct" 2>&1)
  if [ "$(sed -n 1p <<<"$out")" = "$LAB_HTTP_MARKER" ] && ! body_from_proxy "$out"; then
    ok "$n: direct HTTP, $(sed -n 2p <<<"$out")"
  else
    not_ok "$n: direct HTTP answers with the client's address" "$out"
  fi

  # SOCKS5 with username/password.
  via "$n" "dante SOCKS5 user/pass, by IP" -x "socks5://$CRED@$dante" "$url/dante"
  via_verbose "$n" "dante SOCKS5 user/pass, name resolved by the proxy" "remotely resolved" \
    -x "socks5h://$CRED@$dante" "$name_url/dante-name"
  refused "$n" "dante refuses a wrong SOCKS5 password" -x "socks5://$BAD@$dante" "$url/"
  refused "$n" "dante (user/pass port) refuses SOCKS4" -x "socks4://$dante" "$url/"
  via "$n" "microsocks SOCKS5 user/pass, by IP" -x "socks5://$CRED@$micro" "$url/microsocks"
  via_verbose "$n" "microsocks SOCKS5 user/pass, name resolved by the proxy" "remotely resolved" \
    -x "socks5h://$CRED@$micro" "$name_url/microsocks-name"
  refused "$n" "microsocks refuses a wrong SOCKS5 password" -x "socks5://$BAD@$micro" "$url/"

  # Without authentication: SOCKS4, SOCKS5, SOCKS4a.
  via "$n" "dante-open SOCKS4" -x "socks4://$open" "$url/socks4"
  via_verbose "$n" "dante-open SOCKS5 without auth" "remotely resolved" -x "socks5h://$open" "$name_url/open5"
  via_verbose "$n" "ssh -D SOCKS4a, name resolved by the proxy" "SOCKS4a request granted" \
    -x "socks4a://$sshs" "$name_url/socks4a"
  via "$n" "ssh -D SOCKS5" -x "socks5h://$sshs" "$name_url/ssh5"

  # HTTP proxies: CONNECT (what aMule uses) and plain requests.
  via "$n" "tinyproxy CONNECT with Basic auth" -p -x "http://$CRED@$tiny" "$name_url/tiny"
  via "$n" "tinyproxy plain GET with Basic auth" -x "http://$CRED@$tiny" "$name_url/tiny-get"
  http_status "$n" "tinyproxy CONNECT without credentials: 407" 407 http_connect -p -x "http://$tiny" "$url/"
  # tinyproxy 1.11 answers a *wrong* password with 401, not 407.
  http_status "$n" "tinyproxy CONNECT with a wrong password: 401" 401 http_connect -p -x "http://$BAD@$tiny" "$url/"
  http_status "$n" "tinyproxy refuses CONNECT to a port not allowed: 403" 403 http_connect \
    -p -x "http://$CRED@$tiny" "http://$IP:$LAB_SSHD_PORT/"
  via "$n" "squid CONNECT with Basic auth" -p -x "http://$CRED@$squid" "$name_url/squid"
  via "$n" "squid plain GET with Basic auth" -x "http://$CRED@$squid" "$name_url/squid-get"
  http_status "$n" "squid CONNECT with a wrong password: 407" 407 http_connect -p -x "http://$BAD@$squid" "$url/"
  http_status "$n" "squid plain GET with a wrong password: 407" 407 http_code -x "http://$BAD@$squid" "$url/"
  http_status "$n" "squid refuses CONNECT to a port not allowed: 403" 403 http_connect \
    -p -x "http://$CRED@$squid" "http://$IP:$LAB_SSHD_PORT/"

  # Echo services: TCP through proxies, UDP directly and through dante's relay.
  payload="tcp-echo-$n-$RANDOM$RANDOM"
  out=$(node_run "$n" socks5_tcp_echo "$IP" "$LAB_DANTE_PORT" "$LAB_PROXY_USER" "$LAB_PROXY_PASS" \
    "$IP" "$LAB_ECHO_PORT" "$payload" 2>&1)
  if [ "$out" = "$payload" ]; then ok "$n: TCP echo through dante SOCKS5 (raw handshake)"; else
    not_ok "$n: TCP echo through dante SOCKS5 (raw handshake)" "got: '$out'"; fi
  out=$(printf '%s\n' "$payload" | at "$n" socat -t 5 - "SOCKS4A:$IP:echo.lab:$LAB_ECHO_PORT,socksport=$LAB_SSH_SOCKS_PORT" 2>&1)
  if [ "$out" = "$payload" ]; then ok "$n: TCP echo through ssh -D SOCKS4a (socat)"; else
    not_ok "$n: TCP echo through ssh -D SOCKS4a (socat)" "got: '$out'"; fi

  payload="udp-echo-$n-$RANDOM$RANDOM"
  out=$(node_run "$n" udp_echo "$IP" "$LAB_ECHO_PORT" "$payload" 2>&1)
  if [ "$out" = "$payload" ]; then ok "$n: UDP echo"; else not_ok "$n: UDP echo" "got: '$out'"; fi

  # The relay's answer carries the echo service's address and port as its
  # source (RFC 1928 §7), then the payload.
  local want_header
  # shellcheck disable=SC2086 # the address's four numbers
  want_header=$(printf '00000001%02x%02x%02x%02x%04x' ${IP//./ } "$LAB_ECHO_PORT")
  out=$(node_run "$n" socks5_udp_echo "$IP" "$LAB_DANTE_PORT" "$LAB_PROXY_USER" "$LAB_PROXY_PASS" \
    "$IP" "$LAB_ECHO_PORT" "$payload" 2>&1)
  if [ "$out" = "$want_header $payload" ]; then ok "$n: UDP echo through dante UDP ASSOCIATE (user/pass)"; else
    not_ok "$n: UDP echo through dante UDP ASSOCIATE (user/pass), wanted '$want_header $payload'" "$out"; fi
  out=$(node_run "$n" socks5_udp_echo "$IP" "$LAB_DANTE_OPEN_PORT" "" "" "$IP" "$LAB_ECHO_PORT" "$payload" 2>&1)
  if [ "$out" = "$want_header $payload" ]; then ok "$n: UDP echo through dante-open UDP ASSOCIATE"; else
    not_ok "$n: UDP echo through dante-open UDP ASSOCIATE, wanted '$want_header $payload'" "$out"; fi
}

if ! "$LAB" exec direct true 2>/dev/null; then
  echo "FAIL - the lab (prefix $LAB_PREFIX) is not up: no node 'direct'"
  echo "0 passed, 1 failed"
  exit 1
fi
test_from direct
if "$LAB" exec lan ping -c1 -W1 "$IP" >/dev/null 2>&1; then
  test_from lan
else
  echo "skip - lan does not reach $IP (the router's NAT is not up): tested from direct only"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
