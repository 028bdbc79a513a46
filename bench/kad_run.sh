#!/usr/bin/env bash
# Issue 7 item 7: seconds from start to the Kad verdicts, mulenet vs amuled's
# own time to reach its verdict in the same lab, as a ratio. A report:
# nothing here passes or fails on a time. Needs root: it brings up its own
# network lab (all of tests/lab, eight real amuled Kad nodes, under its own
# prefix) and takes it down at the end, whatever happens.
#
#   sudo bash bench/kad_run.sh
#
# Both run on a WAN host without NAT (the "open" situation), each on a host
# of its own, each with its own identity and the same nodes.dat (the eight lab
# nodes): mulenet on `peer` runs `mulenet kad check --no-join`; a fresh
# amuled 2.3.3 on `direct` is started and polled over EC (amulecmd -c
# status, once a second) until it says "Kad: Connected (ok)" (its TCP
# verdict; amulecmd does not show the UDP one). One sample each per lab:
# amuled keeps per-address state, so a second run from the same address
# would not measure the same thing.
#
# Writes bench/results/kad.json and bench/results/kad.md. Environment:
#   BENCH_MULENET      the mulenet binary [<repo>/build/bin/mulenet; run `make` first]
#   BENCH_RESULTS_DIR  where the results go [bench/results]
#   BENCH_KAD_AMULED_CAP  seconds to wait for amuled at most [900]
#   MULENET_LAB_PREFIX namespace prefix [bk-]; MULENET_LAB_DIR [/tmp/lab-bk]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
MULENET=${BENCH_MULENET:-$ROOT/build/bin/mulenet}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
CAP=${BENCH_KAD_AMULED_CAP:-900}
export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bk-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bk}
LAB=$ROOT/tests/lab/lab
LAB_HOME=$ROOT/tests/lab
# shellcheck source=../tests/lab/lib/common.bash
source "$LAB_HOME/lib/common.bash"
# shellcheck source=../tests/lab/lib/kad.bash
source "$LAB_HOME/lib/kad.bash"
if [ "$(id -u)" -ne 0 ]; then echo "bench: needs root (network namespaces for the lab)" >&2; exit 77; fi
[ -x "$MULENET" ] || { echo "bench: no mulenet at $MULENET (run make, or set BENCH_MULENET)" >&2; exit 64; }
for tool in amuled amulecmd jq python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 64; }
done
WORK=$(mktemp -d)
amuled_pid=""
cleanup() {
  [ -n "$amuled_pid" ] && kill -TERM "$amuled_pid" 2>/dev/null && wait "$amuled_pid" 2>/dev/null
  "$LAB" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

log "bringing up the lab (eight amuled Kad nodes)"
"$LAB" up >"$WORK/lab.log" 2>&1 || { tail -n 20 "$WORK/lab.log" >&2; exit 1; }

# The same nodes.dat for both: six of the lab nodes (as before; results compare).
lab_kad_nodes_dat "$WORK/nodes.dat" 1 2 3 4 5 6

# mulenet on peer.
mkdir -p "$WORK/mulenet"
printf '[eMule]\nPort=4891\nUDPPort=4791\n' >"$WORK/mulenet/amule.conf"
cp "$WORK/nodes.dat" "$WORK/mulenet/nodes.dat"
log "mulenet kad check on peer"
t0=$(date +%s.%N)
"$LAB" exec peer "$MULENET" --config "$WORK/mulenet/amule.conf" kad check --no-join --json >"$WORK/mulenet.json" 2>/dev/null || true
t1=$(date +%s.%N)
mulenet_wall=$(python3 -c "print(round($t1 - $t0, 3))")
mulenet_tcp=$(jq '[.evidence[] | select(.said | contains("ACK")) | .ms] | sort | .[1] // null' "$WORK/mulenet.json")
log "mulenet: $(jq -c '{tcp,udp,external_udp_port,ms}' "$WORK/mulenet.json"), wall ${mulenet_wall} s"

# amuled on direct, fresh, Kad only, the same nodes.
DIR=$WORK/amuled
mkdir -p "$DIR/home" "$DIR/Temp" "$DIR/Incoming"
direct_ip=$(bash -c "source '$ROOT/tests/lab/lib/common.bash'; echo \$LAB_DIRECT_IP")
cat >"$DIR/amule.conf" <<CONF
[eMule]
Nick=bench-amuled
Port=4892
UDPPort=4792
UDPEnable=1
ConnectToKad=1
ConnectToED2K=0
Autoconnect=1
Reconnect=1
NewVersionCheck=0
Serverlist=0
KadNodesUrl=
IPFilterAutoLoad=0
GeoIPEnabled=0
UPnPEnabled=0
TempDir=$DIR/Temp
IncomingDir=$DIR/Incoming
[ExternalConnect]
AcceptExternalConnections=1
ECAddress=$direct_ip
ECPort=4893
ECPassword=$(printf 'bench' | md5sum | cut -c1-32)
IpFilterClients=0
IpFilterServers=0
CONF
cp "$WORK/nodes.dat" "$DIR/nodes.dat"
log "starting amuled on direct; polling its Kad state every second (at most $CAP s)"
a0=$(date +%s.%N)
"$LAB" exec direct env HOME="$DIR/home" amuled -c "$DIR/" -o >"$DIR/amuled.log" 2>&1 </dev/null &
amuled_pid=$!
amuled_tcp=null
last_state="-"
for ((i = 0; i < CAP; i++)); do
  sleep 1
  state=$("$LAB" exec direct env HOME="$DIR/home" timeout 5 amulecmd -h "$direct_ip" -p 4893 -P bench -c status 2>/dev/null |
    sed -n 's/^[> ]*Kad: *//p' | head -n1)
  [ "$last_state" = "$state" ] || {
    last_state=$state
    log "amuled after $(python3 -c "import time; print(round(time.time() - $a0, 1))") s: ${state:-no EC answer yet}"
  }
  if [[ $state == *"Connected (ok)"* ]]; then
    amuled_tcp=$(python3 -c "import time; print(round(time.time() - $a0, 1))")
    break
  fi
done
mulenet_tcp_s=$(python3 -c "v=$mulenet_tcp; print('null' if v is None else round(v/1000, 3))" 2>/dev/null || echo null)
ratio=$(python3 -c "a=$amuled_tcp; m=$mulenet_tcp_s; print('null' if a is None or m is None else round(a/m, 1))")
mkdir -p "$OUT"
jq -n --argjson m "$(cat "$WORK/mulenet.json")" --argjson mw "$mulenet_wall" --argjson mt "$mulenet_tcp_s" \
  --argjson at "$amuled_tcp" --argjson r "$ratio" --arg v "$(amuled --version 2>&1 | head -n1)" --argjson cap "$CAP" \
  '{mulenet:{verdicts:{tcp:$m.tcp,udp:$m.udp,external_udp_port:$m.external_udp_port},all_verdicts_ms:$m.ms,wall_s:$mw,tcp_open_s:$mt},
    amuled:{version:$v,tcp_ok_s:$at,cap_s:$cap},ratio_tcp_verdict:$r}' >"$OUT/kad.json"
{
  echo "# Kad verdicts: mulenet vs amuled (bench/kad_run.sh)"
  echo
  echo "Lab: eight amuled 2.3.3 Kad nodes; the checking host on the WAN side without NAT (open situation)."
  echo "mulenet: \`mulenet kad check --no-join\` on \`peer\`; amuled: a fresh amuled on \`direct\` with the same nodes.dat,"
  echo "polled with \`amulecmd -c status\` once a second until \"Kad: Connected (ok)\". One sample each (see the script)."
  echo
  echo "| | TCP verdict \"open\" | all verdicts (TCP, UDP, external port) |"
  echo "|---|---|---|"
  echo "| mulenet | ${mulenet_tcp_s} s | $(jq -r '.ms/1000' "$WORK/mulenet.json") s (wall ${mulenet_wall} s) |"
  echo "| amuled | ${amuled_tcp} s | (amulecmd shows no UDP verdict) |"
  echo "| ratio amuled / mulenet | ${ratio}x | |"
} >"$OUT/kad.md"
cat "$OUT/kad.md"
