# The lab's STUN server: coturn's turnserver in STUN-only mode on the wan node.
# shellcheck shell=bash
#
# miniupnpd learns the router's external address from it (ext_perform_stun).
# miniupnpd sends four Binding requests, three of them with CHANGE-REQUEST
# (change port / address / both), and enables port forwarding only if all four
# are answered. coturn answers CHANGE-REQUEST only in RFC 5780 mode, which needs
# two listening addresses, so the wan node gets a second one ($LAB_STUN_ALT_IP,
# added and removed here). coturn then answers from the primary and the
# alternative address, each on $LAB_STUN_PORT and $LAB_STUN_PORT+1; the engine's
# own NAT behaviour tests (RFC 5780) can use the same server.

LAB_STUN_IP=$LAB_WAN_IP
LAB_STUN_ALT_IP=${LAB_STUN_ALT_IP:-203.0.113.11}
LAB_STUN_PORT=3478
STUN_DIR="$LAB_DIR/stun"

stun_up() {
  mkdir -p "$STUN_DIR"
  stun_alt_address add || return 1

  # -n: no /etc/turnserver.conf. Foreground is coturn's default (-o would
  # daemonize). No TLS/DTLS (no certificates), no CLI/web admin listeners.
  # Its SQLite DB and PID file go to the run folder, its log to stdout
  # (captured by lab_spawn).
  lab_spawn stun wan turnserver -n \
    --stun-only \
    --listening-ip="$LAB_STUN_IP" --listening-ip="$LAB_STUN_ALT_IP" \
    --listening-port="$LAB_STUN_PORT" --alt-listening-port="$((LAB_STUN_PORT + 1))" \
    --no-tls --no-dtls --no-cli \
    --db="$STUN_DIR/turndb" --pidfile="$STUN_DIR/turnserver.pid" \
    --log-file=stdout --simple-log --no-software-attribute

  # Bound first (cheap to poll), then one real Binding request, which must
  # succeed at once: each try is bounded by `timeout`.
  if ! lab_wait_for "the STUN server to bind $LAB_STUN_IP:$LAB_STUN_PORT" 10 lab_udp_bound wan "$LAB_STUN_PORT" ||
    ! stun_answers; then
    lab_log "stun: turnserver does not answer Binding requests on $LAB_STUN_IP:$LAB_STUN_PORT; see $LAB_DIR/log/stun.log"
    return 1
  fi
}

# stun_answers: a real Binding request from the wan node gets a mapped
# address (3 tries of at most 1 s).
stun_answers() {
  local try out
  for try in 1 2 3; do
    out=$(timeout 1 ip netns exec "$(lab_ns wan)" turnutils_stunclient -p "$LAB_STUN_PORT" "$LAB_STUN_IP" 2>&1) || true
    [[ $out == *"reflexive addr"* ]] && return 0
    lab_log "stun: Binding request $try of 3 got no answer"
  done
  return 1
}

# stun_alt_address add|del: the second address RFC 5780 needs, on the wan
# bridge (only inside the lab's wan namespace).
stun_alt_address() {
  local wan
  wan=$(lab_ns wan)
  if [ "$1" = add ]; then
    [[ $(ip -n "$wan" -4 addr show dev br-wan) == *" $LAB_STUN_ALT_IP/"* ]] ||
      ip -n "$wan" addr add "$LAB_STUN_ALT_IP/24" dev br-wan
  else
    # The namespace may be gone already: down must work on a lab that is down.
    ip -n "$wan" addr del "$LAB_STUN_ALT_IP/24" dev br-wan 2>/dev/null || true
  fi
}

stun_down() {
  lab_stop stun
  stun_alt_address del
  return 0
}

# stun_status: the primary endpoint and the RFC 5780 alternative one.
stun_status() {
  local rc=0 endpoint state
  for endpoint in "$LAB_STUN_IP:$LAB_STUN_PORT" "$LAB_STUN_ALT_IP:$((LAB_STUN_PORT + 1))"; do
    state=DOWN
    if lab_alive stun && stun_bound "$endpoint"; then state=running; else rc=1; fi
    printf '%-10s %-6s %-22s %s\n' stun wan "$endpoint/udp" "$state"
  done
  return $rc
}

# stun_bound IP:PORT: a UDP socket is bound to exactly that address.
stun_bound() {
  [ -n "$(ip netns exec "$(lab_ns wan)" ss -Hlun "src $1" 2>/dev/null)" ]
}
