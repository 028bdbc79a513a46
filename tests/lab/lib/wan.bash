# The WAN side services: echo and HTTP targets, and a proxy of every kind
# aMule speaks (reference amule-protocol.md §8), all in the wan node on
# $LAB_WAN_IP (203.0.113.10, names wan.lab echo.lab proxy.lab).
# shellcheck shell=bash
#
#   service     port        what
#   tcp-echo    7007/tcp    echo (socat + cat)
#   udp-echo    7007/udp    echo, each datagram sent back to its sender
#   http        8080/tcp    HTTP, any request: 200, body "mulenet-lab-http-ok",
#                           "peer=ADDRESS" (who connected), "path=PATH"
#   dante       1080/tcp    SOCKS5 only, username/password (RFC 1929) required;
#                           CONNECT, BIND, UDP ASSOCIATE (UDP relay ports
#                           40000-40099). SOCKS4 is refused here.
#   dante-open  1081/tcp    SOCKS4 and SOCKS5 without authentication; CONNECT,
#                           BIND, UDP ASSOCIATE (relay ports 40100-40199)
#               (both dantes refuse CONNECT to port 4999 by a rule: LAB_SOCKS_REFUSED_PORT)
#   microsocks  1082/tcp    SOCKS5, username/password; CONNECT only
#   ssh-socks   1083/tcp    `ssh -N -D`: SOCKS4, SOCKS4a and SOCKS5 without
#                           authentication, CONNECT only; the proxy resolves
#                           names (the only SOCKS4a server here)
#   sshd        2222/tcp    the sshd that ssh-socks is logged in to (root, by a
#                           key made per run; not for the tests)
#   squid       3128/tcp    HTTP proxy, Basic auth; CONNECT and plain requests
#   squid-stock 3129/tcp    HTTP proxy with the port rules of Debian's stock
#                           squid.conf: CONNECT to 443 only (SSL_ports), plain
#                           requests to Safe_ports; no auth; the proxy most
#                           users meet, which refuses eD2k's ports by policy
#   tinyproxy   8888/tcp    HTTP proxy, Basic auth; CONNECT and plain requests
#
# Every proxy that authenticates takes $LAB_PROXY_USER / $LAB_PROXY_PASS. The
# HTTP proxies CONNECT only to the ports in LAB_HTTP_CONNECT_PORTS (echo, HTTP,
# aMule's default TCP port 4662, the lab's eD2k servers 4661 and 4671); MULENET_LAB_CONNECT_PORTS="P1 P2..."
# replaces the list. Tests get all of this by sourcing common.bash and this file.
#
# Nothing is written outside $LAB_DIR/wan. Three daemons need system files
# changed, so each gets a mount namespace of its own (see wan_spawn) in which
# only it sees the lab's version:
#   * dante's `username` method checks the system password file, so the dante
#     on 1080 (and sshd) see a passwd/shadow pair of the lab's, holding
#     $LAB_PROXY_USER (no user is ever added to the host);
#   * sshd needs /run/sshd, which a host that does not run sshd lacks: it gets
#     an empty /run of its own;
#   * squid refuses to run as root and its user (proxy) cannot enter the
#     root-only run folder: its folder is shown to it at /var/spool/squid;
#     and it gets a /dev/shm of its own for its shared memory segments.

export LAB_ECHO_PORT=7007
export LAB_HTTP_PORT=8080
export LAB_DANTE_PORT=1080
export LAB_DANTE_OPEN_PORT=1081
export LAB_MICROSOCKS_PORT=1082
export LAB_SSH_SOCKS_PORT=1083
export LAB_SSHD_PORT=2222
export LAB_SQUID_PORT=3128
export LAB_SQUID_STOCK_PORT=3129
export LAB_SOCKS_REFUSED_PORT=4999
export LAB_TINYPROXY_PORT=8888
export LAB_DANTE_UDP_PORTS=40000-40099
export LAB_DANTE_OPEN_UDP_PORTS=40100-40199
export LAB_PROXY_USER=labuser
export LAB_PROXY_PASS=mulenet-lab-pw
export LAB_HTTP_MARKER=mulenet-lab-http-ok
read -r -a LAB_HTTP_CONNECT_PORTS <<<"${MULENET_LAB_CONNECT_PORTS:-$LAB_ECHO_PORT $LAB_HTTP_PORT 4662 4661 4671}"

WAN_DIR=$LAB_DIR/wan
WAN_SQUID_AUTH=/usr/lib/squid/basic_ncsa_auth

# name, protocol, port: what wan_up waits for and wan_status shows, in start
# order (wan_down stops them in reverse).
WAN_SERVICES=(
  "tcp-echo tcp $LAB_ECHO_PORT"
  "udp-echo udp $LAB_ECHO_PORT"
  "http tcp $LAB_HTTP_PORT"
  "dante tcp $LAB_DANTE_PORT"
  "dante-open tcp $LAB_DANTE_OPEN_PORT"
  "microsocks tcp $LAB_MICROSOCKS_PORT"
  "tinyproxy tcp $LAB_TINYPROXY_PORT"
  "squid tcp $LAB_SQUID_PORT"
  "squid-stock tcp $LAB_SQUID_STOCK_PORT"
  "sshd tcp $LAB_SSHD_PORT"
  "ssh-socks tcp $LAB_SSH_SOCKS_PORT"
)

# --- processes ---------------------------------------------------------------

# wan_spawn NAME SETUP CMD...: lab_spawn CMD in the wan node, in a session of
# its own and a mount namespace of its own in which the shell commands SETUP
# (mounts that only this daemon sees; may be empty) run first. WAN_DIR is in
# their environment, so SETUP quotes paths itself (TMPDIR too: dante keeps
# its shared memory files there); SETUP mounts with -n, as
# libmount would otherwise make a record under the host's /run/mount.
# setsid/unshare/sh all exec, so the PID file names CMD. setsid does not fork
# here: a background job of the (non-interactive) lab script is never a
# process group leader. Leading a group of its own lets wan_stop stop
# whatever CMD forks (socat and danted fork per client, squid runs helpers).
wan_spawn() {
  local name=$1 setup=$2
  shift 2
  lab_spawn "$name" wan setsid env WAN_DIR="$WAN_DIR" TMPDIR="$WAN_DIR/tmp" \
    unshare --mount --propagation private \
    sh -c "${setup:+$setup && }exec \"\$@\"" "$name" "$@"
}

# wan_group_of NAME: prints NAME's PID if NAME is still our process and leads
# its own process group (as wan_spawn makes it), so that the group is ours.
wan_group_of() {
  local pid
  lab_alive "$1" || return 1
  read -r pid _ <"$LAB_DIR/pids/$1.pid"
  [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ] && echo "$pid"
}

# wan_stop NAME: stop NAME and the processes of its group.
wan_stop() {
  local pgid=""
  pgid=$(wan_group_of "$1") && kill -TERM -- "-$pgid" 2>/dev/null
  lab_stop "$1"
  # Children that outlived the leader (e.g. socat's per-connection ones).
  if [ -n "$pgid" ] && pgrep -g "$pgid" >/dev/null 2>&1; then kill -KILL -- "-$pgid" 2>/dev/null; fi
  return 0
}

# wan_ready NAME PROTO PORT: NAME runs and something listens on PORT.
wan_ready() {
  lab_alive "$1" || return 1
  case $2 in
    tcp) lab_tcp_listening wan "$3" ;;
    udp) lab_udp_bound wan "$3" ;;
  esac
}

# wan_wait NAME PROTO PORT: up to 10 s for NAME to be ready; gives up at once
# if its process has exited, naming it and showing the end of its log.
wan_wait() {
  local i
  for ((i = 0; i < 100; i++)); do
    wan_ready "$@" && return 0
    lab_alive "$1" || break
    sleep 0.1
  done
  if lab_alive "$1"; then
    lab_log "wan: $1 is not listening on $LAB_WAN_IP:$3/$2 after 10 s; log: $LAB_DIR/log/$1.log"
  else
    lab_log "wan: $1 exited instead of listening on $LAB_WAN_IP:$3/$2; log: $LAB_DIR/log/$1.log"
  fi
  tail -n 5 "$LAB_DIR/log/$1.log" 2>/dev/null | sed 's/^/lab:   | /' >&2
  return 1
}

wan_check_settings() {
  local port
  for port in "${LAB_HTTP_CONNECT_PORTS[@]}"; do
    [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] && continue
    lab_log "wan: MULENET_LAB_CONNECT_PORTS holds '$port', not a port number"
    return 1
  done
}

wan_check_tools() {
  local tool missing=()
  for tool in socat danted microsocks tinyproxy squid /usr/sbin/sshd ssh ssh-keygen openssl unshare setsid "$WAN_SQUID_AUTH"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    lab_log "wan: missing ${missing[*]} (packages socat dante-server microsocks tinyproxy squid openssh-server openssh-client openssl util-linux; scripts/install-deps.sh)"
    return 1
  fi
}

# --- configuration (all under $WAN_DIR) --------------------------------------

# The passwd/shadow pair dante (1080) and sshd see instead of the host's:
# root (key login for ssh-socks; "*" is "no password", not "locked", so sshd
# lets the key in), sshd's privilege separation user, nobody (dante's
# unprivileged user) and the proxy user.
wan_write_accounts() {
  local hash
  hash=$(openssl passwd -6 "$LAB_PROXY_PASS") || return 1
  mkdir -p "$WAN_DIR/etc"
  cat >"$WAN_DIR/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
sshd:x:65534:65534:sshd privilege separation:/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
$LAB_PROXY_USER:x:64000:65534:mulenet lab proxy user:/nonexistent:/usr/sbin/nologin
PASSWD
  (
    umask 077
    printf '%s\n' 'root:*:::::::' 'sshd:*:::::::' 'nobody:*:::::::' "$LAB_PROXY_USER:$hash:::::::" >"$WAN_DIR/etc/shadow"
  )
}
# shellcheck disable=SC2016 # expanded by the daemon's own shell (wan_spawn)
WAN_MOUNT_ACCOUNTS='mount -n --bind "$WAN_DIR/etc/passwd" /etc/passwd && mount -n --bind "$WAN_DIR/etc/shadow" /etc/shadow'

# wan_dante_conf PORT METHOD UDP_PORTS: METHOD is "username" (SOCKS5 with
# RFC 1929 only: SOCKS4 has no password, so dante refuses it) or "none"
# (SOCKS4 and SOCKS5 without authentication).
wan_dante_conf() {
  local port=$1 method=$2 udp_ports=$3 user=""
  [ "$method" = username ] && user="user: $LAB_PROXY_USER"
  cat <<CONF
# dante on port $port, written by tests/lab/lib/wan.bash
logoutput: stderr
internal: $LAB_WAN_IP port = $port
external: $LAB_WAN_IP
clientmethod: none
socksmethod: $method
user.privileged: root
user.unprivileged: nobody
client pass {
  from: 0.0.0.0/0 to: 0.0.0.0/0
  log: error
}
# Replies (to BIND and UDP) come from anyone the client talks to; they carry no
# authentication of their own.
socks pass {
  from: 0.0.0.0/0 to: 0.0.0.0/0
  command: bindreply udpreply
  log: error
}
# A port refused by rule, as on proxies that allow only some ports (no lab
# service uses it): dante answers "connection not allowed by ruleset".
socks block {
  from: 0.0.0.0/0 to: 0.0.0.0/0 port = $LAB_SOCKS_REFUSED_PORT
  command: connect
  log: error
}
socks pass {
  from: 0.0.0.0/0 to: 0.0.0.0/0
  command: bind connect udpassociate
  socksmethod: $method
  $user
  udp.portrange: $udp_ports
  log: connect error
}
CONF
}

wan_write_dante() {
  mkdir -p "$WAN_DIR/dante" "$WAN_DIR/tmp"
  wan_dante_conf "$LAB_DANTE_PORT" username "$LAB_DANTE_UDP_PORTS" >"$WAN_DIR/dante/auth.conf"
  wan_dante_conf "$LAB_DANTE_OPEN_PORT" none "$LAB_DANTE_OPEN_UDP_PORTS" >"$WAN_DIR/dante/open.conf"
}

wan_write_tinyproxy() {
  local port
  mkdir -p "$WAN_DIR/tinyproxy"
  {
    cat <<CONF
# tinyproxy, written by tests/lab/lib/wan.bash; logs to stderr (-d)
Port $LAB_TINYPROXY_PORT
Listen $LAB_WAN_IP
User nobody
Group nogroup
Timeout 60
MaxClients 50
LogLevel Warning
DisableViaHeader Yes
BasicAuth $LAB_PROXY_USER $LAB_PROXY_PASS
CONF
    for port in "${LAB_HTTP_CONNECT_PORTS[@]}"; do echo "ConnectPort $port"; done
  } >"$WAN_DIR/tinyproxy/tinyproxy.conf"
}

# squid runs as user proxy and sees $WAN_DIR/squid at /var/spool/squid (its
# package's spool folder, which it can enter), hence those paths.
# wan_squid_basics PORT HOSTNAME: what both squids' configurations start with
# (where it listens, its files, no cache, a quick shutdown).
wan_squid_basics() {
  cat <<CONF
# squid on port $1, written by tests/lab/lib/wan.bash
http_port $LAB_WAN_IP:$1
visible_hostname $2
cache_effective_user proxy
cache_effective_group proxy
pid_filename none
cache_log /var/spool/squid/cache.log
access_log stdio:/var/spool/squid/access.log
cache_store_log none
netdb_filename none
coredump_dir /var/spool/squid
cache deny all
pinger_enable off
shutdown_lifetime 0 seconds
CONF
}

wan_write_squid() {
  local dir=$WAN_DIR/squid
  mkdir -p "$dir"
  echo "$LAB_PROXY_USER:$(openssl passwd -apr1 "$LAB_PROXY_PASS")" >"$dir/htpasswd"
  {
    wan_squid_basics "$LAB_SQUID_PORT" proxy.lab
    cat <<CONF
via off
forwarded_for delete

auth_param basic program $WAN_SQUID_AUTH /var/spool/squid/htpasswd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm mulenet-lab
acl lab_ports port ${LAB_HTTP_CONNECT_PORTS[*]}
acl lab_user proxy_auth REQUIRED
http_access deny !lab_ports
http_access allow lab_user
http_access deny all
CONF
  } >"$dir/squid.conf"
  chown -R proxy:proxy "$dir"
  chmod 700 "$dir"
  chmod 600 "$dir/htpasswd"
}

# squid-stock: the access rules of Debian's /etc/squid/squid.conf, except
# that every client may use it (the stock file allows localnet, and the
# lab's LAN reaches it from the router's public address).
wan_write_squid_stock() {
  local dir=$WAN_DIR/squid-stock
  mkdir -p "$dir"
  {
    wan_squid_basics "$LAB_SQUID_STOCK_PORT" proxy-stock.lab
    cat <<CONF
acl SSL_ports port 443
acl Safe_ports port 80 21 443 70 210 1025-65535 280 488 591 777
http_access deny !Safe_ports
http_access deny CONNECT !SSL_ports
http_access allow all
CONF
  } >"$dir/squid.conf"
  chown -R proxy:proxy "$dir"
  chmod 700 "$dir"
}

# Keys made per run: the host key (pinned in known_hosts, so the client
# checks it strictly) and root's login key, only good for port forwarding.
wan_write_ssh() {
  local dir=$WAN_DIR/ssh
  mkdir -p "$dir"
  chmod 700 "$dir"
  ssh-keygen -q -t ed25519 -N '' -C mulenet-lab-wan-host -f "$dir/host_key" || return 1
  ssh-keygen -q -t ed25519 -N '' -C mulenet-lab-wan-client -f "$dir/client_key" || return 1
  echo "restrict,port-forwarding $(cat "$dir/client_key.pub")" >"$dir/authorized_keys"
  echo "[$LAB_WAN_IP]:$LAB_SSHD_PORT $(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
  # StrictModes no: the run folder may lie under /tmp, which sshd would reject
  # as world-writable.
  cat >"$dir/sshd_config" <<CONF
# sshd for ssh-socks, written by tests/lab/lib/wan.bash
Port $LAB_SSHD_PORT
ListenAddress $LAB_WAN_IP
HostKey "$dir/host_key"
PidFile none
AuthorizedKeysFile "$dir/authorized_keys"
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers root
AllowTcpForwarding local
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PrintMotd no
PrintLastLog no
LogLevel INFO
CONF
  # -F this file: ssh then reads nothing of root's ~/.ssh and creates nothing.
  cat >"$dir/ssh_config" <<CONF
# ssh client for ssh-socks, written by tests/lab/lib/wan.bash
Host *
  Port $LAB_SSHD_PORT
  User root
  IdentityFile "$dir/client_key"
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile "$dir/known_hosts"
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  CheckHostIP no
  BatchMode yes
  ExitOnForwardFailure yes
  ServerAliveInterval 10
  ControlMaster no
  ControlPath none
  LogLevel ERROR
CONF
}

# --- the services ------------------------------------------------------------

wan_start_targets() {
  local ip=$LAB_WAN_IP
  wan_spawn tcp-echo "" socat "TCP4-LISTEN:$LAB_ECHO_PORT,bind=$ip,fork,reuseaddr" EXEC:cat
  # One child per datagram (RECVFROM), answering its sender from the bound
  # address; -T ends each child once idle.
  wan_spawn udp-echo "" socat -T 2 "UDP4-RECVFROM:$LAB_ECHO_PORT,bind=$ip,fork" PIPE
  # The script path comes through the environment: socat would split a path
  # holding ':' or ','.
  # shellcheck disable=SC2016 # expanded by socat's shell
  wan_spawn http "" env WAN_HTTP_SCRIPT="$LAB_HOME/wan/http-respond.sh" LAB_HTTP_MARKER="$LAB_HTTP_MARKER" \
    socat "TCP4-LISTEN:$LAB_HTTP_PORT,bind=$ip,fork,reuseaddr" 'SYSTEM:exec bash "$WAN_HTTP_SCRIPT"'
}

# wan_spawn_squid NAME: the squid whose folder is $WAN_DIR/NAME, shown to it
# at /var/spool/squid.
wan_spawn_squid() {
  # shellcheck disable=SC2016 # expanded by the daemon's own shell (wan_spawn)
  wan_spawn "$1" 'mount -n --bind "$WAN_DIR/'"$1"'" /var/spool/squid && mount -n -t tmpfs -o mode=1777,size=16m lab-shm /dev/shm' \
    squid -N -d 1 -f /var/spool/squid/squid.conf
}

wan_start_proxies() {
  wan_spawn dante "$WAN_MOUNT_ACCOUNTS" danted -f "$WAN_DIR/dante/auth.conf" -p "$WAN_DIR/dante/auth.pid"
  wan_spawn dante-open "" danted -f "$WAN_DIR/dante/open.conf" -p "$WAN_DIR/dante/open.pid"
  wan_spawn microsocks "" microsocks -i "$LAB_WAN_IP" -p "$LAB_MICROSOCKS_PORT" -b "$LAB_WAN_IP" \
    -u "$LAB_PROXY_USER" -P "$LAB_PROXY_PASS"
  wan_spawn tinyproxy "" tinyproxy -d -c "$WAN_DIR/tinyproxy/tinyproxy.conf"
  # squid also keeps shared memory segments in /dev/shm (fixed names, left
  # behind when it dies): a private tmpfs keeps them from the host and from
  # another lab's squid.
  wan_spawn_squid squid
  wan_spawn_squid squid-stock
  # sshd re-executes itself, hence the absolute path.
  wan_spawn sshd "$WAN_MOUNT_ACCOUNTS"' && mount -n -t tmpfs -o mode=755,size=64k lab-run /run && mkdir -m 755 /run/sshd' \
    /usr/sbin/sshd -D -e -f "$WAN_DIR/ssh/sshd_config"
}

# After sshd listens: the dynamic forward, listening on the WAN address.
wan_start_ssh_socks() {
  wan_spawn ssh-socks "" ssh -N -F "$WAN_DIR/ssh/ssh_config" -D "$LAB_WAN_IP:$LAB_SSH_SOCKS_PORT" "$LAB_WAN_IP"
}

wan_up() {
  local svc name proto port
  wan_check_settings && wan_check_tools || return 1
  rm -rf "$WAN_DIR"
  mkdir -p "$WAN_DIR/tmp"
  if ! { wan_write_accounts && wan_write_dante && wan_write_tinyproxy && wan_write_squid && wan_write_squid_stock && wan_write_ssh; }; then
    lab_log "wan: could not write the configuration under $WAN_DIR"
    return 1
  fi
  wan_start_targets
  wan_start_proxies
  wan_wait sshd tcp "$LAB_SSHD_PORT" || return 1
  wan_start_ssh_socks
  for svc in "${WAN_SERVICES[@]}"; do
    read -r name proto port <<<"$svc"
    wan_wait "$name" "$proto" "$port" || return 1
  done
}

# wan_cmd restart-dante: dante (the one with a password) stopped and started
# again, as an admin restarts it: every UDP association it relayed is gone
# (the daemon's Kad must make its own again). Test hook: `lab wan ...`.
wan_cmd() {
  case ${1:-} in
    restart-dante)
      wan_stop dante
      wan_spawn dante "$WAN_MOUNT_ACCOUNTS" danted -f "$WAN_DIR/dante/auth.conf" -p "$WAN_DIR/dante/auth.pid"
      wan_wait dante tcp "$LAB_DANTE_PORT"
      ;;
    *) echo "lab wan: restart-dante" >&2; return 64 ;;
  esac
}

wan_down() {
  local i name pgid
  # Signal every service first, then wait for each: a daemon that exited
  # stays a zombie until init reaps it (on some machines only every second or
  # two), and lab_stop waits for that, so one after the other would wait once
  # per service.
  for ((i = ${#WAN_SERVICES[@]} - 1; i >= 0; i--)); do
    read -r name _ <<<"${WAN_SERVICES[i]}"
    if pgid=$(wan_group_of "$name"); then kill -TERM -- "-$pgid" 2>/dev/null; fi
  done
  for ((i = ${#WAN_SERVICES[@]} - 1; i >= 0; i--)); do
    read -r name _ <<<"${WAN_SERVICES[i]}"
    wan_stop "$name"
  done
  return 0
}

wan_status() {
  local svc name proto port state rc=0
  for svc in "${WAN_SERVICES[@]}"; do
    read -r name proto port <<<"$svc"
    if wan_ready "$name" "$proto" "$port" 2>/dev/null; then state=running; else state=DOWN rc=1; fi
    printf '%-10s %-6s %-22s %s\n' "$name" wan "$LAB_WAN_IP:$port/$proto" "$state"
  done
  return $rc
}
