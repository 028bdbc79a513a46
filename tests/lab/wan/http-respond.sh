#!/usr/bin/env bash
# The lab's tiny HTTP service, run by socat once per connection with the
# connection on stdin/stdout (see wan.bash). It answers every request with 200
# and a short text body:
#
#   $LAB_HTTP_MARKER
#   peer=ADDRESS      the address the request came from
#   path=PATH         the path that was asked for
#
# The peer line is what lets a test prove that a request went through a proxy:
# all the proxies run on the wan host, so then the peer is the wan address,
# while a direct request shows the client's own (or its NAT's) address.
set -u
export LC_ALL=C # Content-Length counts bytes

# Request line, then headers up to the empty line. Every read is bounded: a
# client that sends nothing (or garbage without an end) must not keep the
# process alive.
read -r -t 5 _method path _version || exit 0
for ((i = 0; i < 100; i++)); do
  IFS= read -r -t 5 line || break
  [ -z "${line%$'\r'}" ] && break
done

body="${LAB_HTTP_MARKER:-mulenet-lab-http-ok}
peer=${SOCAT_PEERADDR:-unknown}
path=${path:-}
"
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
  "${#body}" "$body"
