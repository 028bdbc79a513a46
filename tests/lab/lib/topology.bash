# The namespaces, links and addresses; /etc/hosts names for every node.
# shellcheck shell=bash

# lab_ns_up NODE: an empty namespace with loopback up.
topology_ns_add() {
  local ns
  ns=$(lab_ns "$1")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # A router needs forwarding; hosts get the defaults.
}

# topology_link HOST_NODE HOST_IF BRIDGE_NODE BRIDGE: a veth from HOST_NODE
# (named HOST_IF) to a port of BRIDGE in BRIDGE_NODE. Nothing is created in
# the root namespace.
topology_link() {
  local host_ns bridge_ns port
  host_ns=$(lab_ns "$1")
  bridge_ns=$(lab_ns "$3")
  port="p-$1"
  ip -n "$host_ns" link add "$2" type veth peer name "$port" netns "$bridge_ns"
  ip -n "$bridge_ns" link set "$port" master "$4" up
  ip -n "$host_ns" link set "$2" up
}

topology_hosts_file() {
  local i
  # The machine's own name too: amuled looks it up at start, and without it
  # that lookup would go to a resolver the lab does not have.
  cat <<HOSTS
127.0.0.1 localhost $(hostname 2>/dev/null)
$LAB_WAN_IP wan.lab echo.lab proxy.lab stun.lab
203.0.113.11 stun2.lab
$LAB_ROUTER_WAN_IP router.lab
$LAB_ROUTER_LAN_IP gateway.lab
$LAB_LAN_IP lan.lab
$LAB_LAN2_IP lan2.lab
$LAB_PEER_IP peer.lab
$LAB_DIRECT_IP direct.lab
$LAB_RECHECK_IP recheck.lab
$LAB_EMBED_IP embed.lab
$LAB_DAEMON_IP daemon.lab
HOSTS
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do echo "$(lab_kad_ip "$i") kad$i.lab"; done
}

topology_up() {
  local node i
  for node in $(lab_all_nodes); do topology_ns_add "$node"; done

  # Names: `ip netns exec` bind-mounts /etc/netns/NS/hosts over /etc/hosts.
  for node in $(lab_all_nodes); do
    mkdir -p "/etc/netns/$(lab_ns "$node")"
    topology_hosts_file >"/etc/netns/$(lab_ns "$node")/hosts"
    echo "# mulenet lab: no DNS" >"/etc/netns/$(lab_ns "$node")/resolv.conf"
  done

  # WAN: a bridge in the wan namespace, which is also a host on it.
  local wan router
  wan=$(lab_ns wan)
  router=$(lab_ns router)
  ip -n "$wan" link add br-wan type bridge
  ip -n "$wan" link set br-wan up
  ip -n "$wan" addr add "$LAB_WAN_IP/24" dev br-wan
  ip -n "$wan" route add default dev br-wan
  wan_host() {  # NODE IP/LEN IFNAME
    topology_link "$1" "$3" wan br-wan
    ip -n "$(lab_ns "$1")" addr add "$2" dev "$3"
    ip -n "$(lab_ns "$1")" route add default dev "$3"
  }
  wan_host peer "$LAB_PEER_IP/24" eth0
  wan_host direct "$LAB_DIRECT_IP/24" eth0
  wan_host recheck "$LAB_RECHECK_IP/24" eth0
  wan_host embed "$LAB_EMBED_IP/24" eth0
  wan_host daemon "$LAB_DAEMON_IP/24" eth0
  for ((i = 1; i <= LAB_KAD_NODES; i++)); do wan_host "kad$i" "$(lab_kad_ip "$i")/24" eth0; done
  # The router's outside.
  topology_link router eth-wan wan br-wan
  ip -n "$router" addr add "$LAB_ROUTER_WAN_IP/24" dev eth-wan
  ip -n "$router" addr add "$LAB_ROUTER_WAN2_IP/24" dev eth-wan  # secondary: lan2 leaves with it
  ip -n "$router" route add default dev eth-wan

  # LAN: a bridge in the router namespace; the router is its gateway.
  ip -n "$router" link add br-lan type bridge
  ip -n "$router" link set br-lan up
  ip -n "$router" addr add "$LAB_ROUTER_LAN_IP/24" dev br-lan
  ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
  lan_host() {  # NODE IP
    topology_link "$1" eth0 router br-lan
    ip -n "$(lab_ns "$1")" addr add "$2/24" dev eth0
    ip -n "$(lab_ns "$1")" route add default via "$LAB_ROUTER_LAN_IP"
  }
  lan_host lan "$LAB_LAN_IP"
  lan_host lan2 "$LAB_LAN2_IP"

  # Everything answers at once: no duplicate address detection delays.
  lab_wait_for "the LAN to reach the router" 10 ip netns exec "$(lab_ns lan)" ping -c1 -W1 "$LAB_ROUTER_LAN_IP"
  lab_wait_for "the router to reach the WAN" 10 ip netns exec "$router" ping -c1 -W1 "$LAB_WAN_IP"
}

topology_down() {
  local node ns
  for node in $(lab_all_nodes); do
    ns=$(lab_ns "$node")
    if ip netns list | grep -qw "$ns"; then
      # Anything still running in it was started by us: stop it by PID.
      local pid
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$ns"
  done
  rmdir /etc/netns 2>/dev/null || true
  # Namespaces of a lab with more Kad nodes than this one's setting.
  for ns in $(ip netns list | awk '{print $1}' | grep "^${LAB_PREFIX}kad[0-9]*$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
}

topology_status() {
  local node ns rc=0
  for node in $(lab_all_nodes); do
    ns=$(lab_ns "$node")
    if ip netns list | grep -qw "$ns"; then
      printf '%-8s %-10s %s\n' "$node" "up" "$(ip -n "$ns" -4 -o addr show scope global | awk '{print $4}' | paste -sd' ')"
    else
      printf '%-8s %-10s\n' "$node" "absent"
      rc=1
    fi
  done
  return $rc
}
