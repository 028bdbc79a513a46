# The lab's eD2k servers: tests/ed2k_server/ed2k_test_server.py in the wan
# node on $LAB_WAN_IP, one process listening on several ports, one behaviour
# each (see the script's header):
# shellcheck shell=bash
#
#   port      mode       UDP status ping
#   4661/tcp  normal     4665/udp   connects back, High ID iff the Hello answer is right
#   4671/tcp  lowid      4675/udp   Low ID for everyone ("overloaded")
#   4681/tcp  garbage               not eD2k at all
#   4682/tcp  oversized             announces a 3 MB packet
#   4683/tcp  reject                OP_REJECT
#   4684/tcp  silent                never answers
#   4685/tcp  close                 closes before any ID
#   4686/tcp  bomb                  zlib bomb
#   4687/tcp  slow                  the normal answer, a byte every 200 ms
#   4688/tcp  badtags               OP_SERVERIDENT with an absurd tag count

export LAB_ED2K_IP=$LAB_WAN_IP
export LAB_ED2K_PORT=4661
export LAB_ED2K_LOWID_PORT=4671
ED2K_MODES=("4661:normal" "4671:lowid" "4681:garbage" "4682:oversized" "4683:reject" "4684:silent"
  "4685:close" "4686:bomb" "4687:slow" "4688:badtags")
ED2K_SERVER=$LAB_HOME/../ed2k_server/ed2k_test_server.py

ed2k_up() {
  local args=() mode
  for mode in "${ED2K_MODES[@]}"; do args+=(--listen "$mode"); done
  # Sessions stay as on a real server (the daemon bench idles 10 minutes).
  args+=(--idle-timeout 900)
  lab_spawn ed2k-server wan python3 -u "$ED2K_SERVER" --address "$LAB_ED2K_IP" "${args[@]}"
  lab_wait_for "the eD2k test server on $LAB_ED2K_IP:4688" 10 lab_tcp_listening wan 4688 || {
    lab_log "ed2k: the test server did not start; log: $LAB_DIR/log/ed2k-server.log"
    tail -n 5 "$LAB_DIR/log/ed2k-server.log" 2>/dev/null | sed 's/^/lab:   | /' >&2
    return 1
  }
  lab_wait_for "its UDP status port $((LAB_ED2K_PORT + 4))" 10 lab_udp_bound wan "$((LAB_ED2K_PORT + 4))"
}

ed2k_down() {
  lab_stop ed2k-server
  return 0
}

ed2k_status() {
  local state=DOWN rc=0
  if lab_alive ed2k-server && lab_tcp_listening wan "$LAB_ED2K_PORT"; then state=running; else rc=1; fi
  printf '%-10s %-6s %-22s %s\n' ed2k wan "$LAB_ED2K_IP:$LAB_ED2K_PORT/tcp" "$state"
  return $rc
}
