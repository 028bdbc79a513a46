#!/usr/bin/env bash
# mulenet's own EC server, read by real amulecmd 2.3.3 (Debian amule-utils)
# from the other LAN host, as a user of `mulenet run` would: `status` shows
# the daemon's own ID and server (the same as its API), `show servers` its
# server list, a wrong password is refused as aMule refuses it (and logged,
# never the password), a request we do not serve is answered "failed" and
# the session goes on; `mulenet amule status` reads it too. Without an
# ECPassword the daemon refuses to start, naming the key.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
command -v amulecmd >/dev/null || {
  smoke_fail "amulecmd is installed (Debian package amule-utils)"
  smoke_finish
  exit 1
}
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir" "$SMOKE_TMP/home"
conf="$conf_dir/amule.conf"
ec_pw=mulenet-ec-lab
ec_md5=$(printf '%s' "$ec_pw" | md5sum | cut -c1-32)
status_port=4717
cat >"$conf" <<CONF
[eMule]
Port=4931
UDPPort=4935
UPnPEnabled=1
[ExternalConnect]
AcceptExternalConnections=1
ECAddress=$LAB_LAN_IP
ECPort=4932
ECPassword=$ec_md5
[mulenet]
StatusPort=$status_port
CONF
# server.met: one server, the lab's eD2k server at 203.0.113.10:4661.
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$conf_dir/server.met"
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
log="$SMOKE_TMP/run.log"
status_json() { "$LAB" exec lan curl -s --max-time 5 "http://127.0.0.1:$status_port/api/status"; }
has_id() { status_json | jqt '.ed2k.state == "high-id" or .ed2k.state == "low-id"' >/dev/null 2>&1; }
amulecmd_lan2() {  # PASSWORD COMMAND
  "$LAB" exec lan2 env HOME="$SMOKE_TMP/home" timeout 10 amulecmd -h "$LAB_LAN_IP" -p 4932 -P "$1" -c "$2" 2>&1
}

"$LAB" exec lan "$MULENET" --config "$conf" run --no-kad >"$log" 2>&1 &
SMOKE_PIDS+=("$!")
smoke_check "mulenet run logs in to the lab's eD2k server" lab_wait_for "an eD2k ID" 40 has_id
state=$(status_json | jq -r '.ed2k.state')
words=$([ "$state" = high-id ] && echo HighID || echo LowID)
out=$(amulecmd_lan2 "$ec_pw" status)
echo "$out"
smoke_check "amulecmd status: logged in to mulenet" grep -q "Connection established to aMule mulenet" <<<"$out"
smoke_check "amulecmd status: the daemon's own eD2k state ($state), with the server" \
  grep -qE "eD2k: Connected to .*\[203\.0\.113\.10:4661\] with $words" <<<"$out"
smoke_check "amulecmd status: Kad not running (--no-kad)" grep -q "Kad: Not running" <<<"$out"
out=$(amulecmd_lan2 "$ec_pw" "show servers")
smoke_check "amulecmd show servers: the server of server.met" grep -q "\[203\.0\.113\.10:4661\]" <<<"$out"
out=$(amulecmd_lan2 "$ec_pw" "connect kad")
smoke_check "amulecmd connect kad: answered as not served, not a hang" grep -q "Request failed with the following error: mulenet does not serve" <<<"$out"
out=$(amulecmd_lan2 wrong-password status)
smoke_check "amulecmd with a wrong password: refused as aMule refuses it" grep -q "Authentication failed" <<<"$out"
smoke_check "the daemon logs the refused login with the peer's address" grep -qE "ec: login from $LAB_LAN2_IP:[0-9]+ .*refused: wrong password" "$log"
out=$("$LAB" exec lan "$MULENET" --config "$conf" amule status --json 2>/dev/null)
smoke_check "mulenet amule status reads mulenet run over EC: the same eD2k state" \
  jqt '.source == "amule-ec" and .ed2k.state == "'"$state"'" and (.amule.version | startswith("mulenet"))' <<<"$out"
# Stock amuleweb (Debian amule-daemon) on top: its status frame shows our ID.
if command -v amuleweb >/dev/null; then
  "$LAB" exec lan env HOME="$SMOKE_TMP/home" timeout 60 amuleweb -h "$LAB_LAN_IP" -p 4932 -P "$ec_pw" -s 4980 -A web-admin \
    -t default >"$SMOKE_TMP/amuleweb.log" 2>&1 &
  SMOKE_PIDS+=("$!")
  web() { "$LAB" exec lan curl -s --max-time 8 -c "$SMOKE_TMP/jar" -b "$SMOKE_TMP/jar" "$@"; }
  web_up() { web -o /dev/null "http://127.0.0.1:4980/"; }
  lab_wait_for "amuleweb" 15 web_up || true
  web -d pass=web-admin -o /dev/null "http://127.0.0.1:4980/"
  frame=$(web "http://127.0.0.1:4980/stats.php" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' ')
  echo "amuleweb status frame: ${frame: -200}"
  smoke_check "amuleweb's status frame shows our eD2k ID ($state) and the server" \
    grep -qE "Connected with ${state%%-id} ID to .*203\.0\.113\.10:4661" <<<"$frame"
  smoke_check "amuleweb's status frame: Kad disconnected (--no-kad)" grep -q "Kad : Disconnected" <<<"$frame"
fi
smoke_check "the EC password's MD5 is nowhere in the daemon's log" bash -c '! grep -qi "$1" "$2"' _ "$ec_md5" "$log"

mkdir -p "$SMOKE_TMP/nopw"
sed '/^ECPassword=/d; s/^Port=4931/Port=4941/; s/^UDPPort=4935/UDPPort=4945/; s/^ECPort=4932/ECPort=4942/; s/^StatusPort=.*/StatusPort=4718/' \
  "$conf" >"$SMOKE_TMP/nopw/amule.conf"
out=$("$LAB" exec lan timeout 20 "$MULENET" --config "$SMOKE_TMP/nopw/amule.conf" run --no-kad --no-ed2k --no-map 2>&1); code=$?
smoke_check "EC on without an ECPassword: the daemon refuses to start, naming the key (exit code $code)" \
  bash -c '[ "$1" -eq 2 ] && grep -q "ECPassword" <<<"$2"' _ "$code" "$out"
smoke_finish
