#!/usr/bin/env bash
# `mulenet run` and SIGHUP, as a user edits amule.conf under a running
# daemon (no router, no peers: --no-map --no-kad --no-ed2k): a SIGHUP that
# changes nothing keeps everything running; a file broken while editing is
# refused and the daemon keeps its settings; a real change restarts the
# services with it and says which ports come and go; SIGTERM exits 0.
# shellcheck source=lib.bash
source "$(dirname "$0")/lib.bash"
conf="$TMP/amule.conf"
printf '[eMule]\nPort=24662\nUDPPort=24672\nUPnPEnabled=1\n' >"$conf"
log="$TMP/run.log"
"$MULENET" --config "$conf" run --no-map --no-kad --no-ed2k --status-port 0 2>"$log" &
pid=$!
# wait_log TEXT: until the daemon's log shows it (at most 10 s, in 0.1 s steps).
wait_log() {
  local i
  for ((i = 0; i < 100; i++)); do grep -qF -- "$1" "$log" && return 0; sleep 0.1; done
  return 1
}
starts() { grep -c "engine started" "$log"; }
if wait_log "engine started"; then pass; else fail "the daemon started (log: $(cat "$log"))"; fi

kill -HUP "$pid"
if wait_log "nothing mulenet uses changed"; then pass; else fail "SIGHUP without a change is said (log: $(cat "$log"))"; fi
if kill -0 "$pid" 2>/dev/null && [ "$(starts)" -eq 1 ]; then pass; else fail "and the services keep running, not restarted"; fi

printf '[eMule]\nPort=abc\nUDPPort=24672\nUPnPEnabled=1\n' >"$conf"
kill -HUP "$pid"
if wait_log "keeps running with the settings it started with"; then pass; else fail "a broken amule.conf on SIGHUP is refused (log: $(cat "$log"))"; fi
if kill -0 "$pid" 2>/dev/null && [ "$(starts)" -eq 1 ]; then pass; else fail "and the daemon keeps running"; fi

printf '[eMule]\nPort=24811\nUDPPort=24672\nUPnPEnabled=1\n' >"$conf"
kill -HUP "$pid"
if wait_log "to forward now: 24811/tcp (ed2k-tcp)"; then pass; else fail "a new port is named (log: $(cat "$log"))"; fi
expect_contains "$(cat "$log")" "no longer forwarded: 24662/tcp (ed2k-tcp)" "the old port is named"
for ((i = 0; i < 100 && $(starts) < 2; i++)); do sleep 0.1; done
if [ "$(starts)" -eq 2 ]; then pass; else fail "the services restarted with the new settings (log: $(cat "$log"))"; fi

kill -TERM "$pid"
wait "$pid"
code=$?
expect_code 0 "SIGTERM: exit code 0"
finish
