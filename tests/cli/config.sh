#!/usr/bin/env bash
# `mulenet config`: read and change a real amule.conf without disturbing it.
source "$(dirname "$0")/lib.bash"
conf=$TMP/amule.conf

# A real amule.conf, written by amuled 2.3.3 itself when it is installed
# (else the copy in fixtures/ that amuled wrote).
if command -v amuled >/dev/null 2>&1; then
  mkdir -p "$TMP/cfg"
  # Unusual ports so that this run does not collide with anything else; amuled
  # exits by itself because external connections are off.
  printf '[eMule]\nPort=34662\nUDPPort=34672\n[ExternalConnect]\nECPort=34712\n' >"$TMP/cfg/amule.conf"
  timeout 60 amuled -c "$TMP/cfg" >/dev/null 2>&1 </dev/null
  cp "$TMP/cfg/amule.conf" "$conf"
  expect_contains "$(cat "$conf")" "AppVersion=2.3.3" "amuled wrote its config"
else
  echo "note: amuled not installed; using the fixture amuled wrote" >&2
  cp "$FIXTURES/amuled-2.3.3-default.conf" "$conf"
fi
cp "$conf" "$TMP/original"

run --config "$conf" config set /eMule/Port 4811
expect_code 0 "set Port"
expect_contains "$out" "/eMule/Port = 4811" "set reports the change"
changed=$(diff "$TMP/original" "$conf" | grep -c '^[<>]')
[ "$changed" -eq 2 ] && pass || fail "set changed $changed lines, expected exactly 1 replaced: $(diff "$TMP/original" "$conf")"
grep -q '^> Port=4811$' <(diff "$TMP/original" "$conf") && pass || fail "the new line is Port=4811"
[ "$(stat -c %a "$conf")" = 600 ] && pass || fail "mode is $(stat -c %a "$conf"), expected 600"
run --config "$conf" config get /eMule/Port
expect_code 0 "get"
[ "$out" = 4811 ] && pass || fail "get printed '$out'"
run --config "$conf" ports --json
expect_json '.ports[] | select(.name=="server-udp") | .port==4814' "the plan follows the new port"

# Setting the same value again writes nothing.
before=$(stat -c %Y.%i "$conf")
run --config "$conf" config set /eMule/Port 4811
expect_code 0 "set same"
[ "$(stat -c %Y.%i "$conf")" = "$before" ] && pass || fail "an unchanged set rewrote the file"

# A new key in the [mulenet] section lands at the end, everything else untouched.
cp "$conf" "$TMP/before-new"
run --config "$conf" config set /mulenet/ProxyStrict 1
expect_code 0 "set new section"
[ "$(head -c "$(stat -c %s "$TMP/before-new")" "$conf")" = "$(cat "$TMP/before-new")" ] && pass || fail "new key disturbed earlier lines"
expect_contains "$(tail -n 2 "$conf")" "[mulenet]" "new section appended"

# Invalid values are refused and leave the file as it was.
cp "$conf" "$TMP/before-bad"
for kv in "/eMule/Port 70000" "/eMule/Port 65533" "/eMule/Port abc" "/ExternalConnect/ECPort 4811" \
          "/eMule/UDPPort 4814" "/Proxy/ProxyType 7" "/eMule/UPnPEnabled yes"; do
  run --config "$conf" config set $kv
  expect_code 3 "refuse $kv"
  expect_contains "$err" "${kv%% *}" "refusal names the key ($kv)"
  cmp -s "$conf" "$TMP/before-bad" && pass || fail "refused set $kv changed the file"
done
run --config "$conf" config set /Proxy/ProxyEnableProxy 1
expect_code 3 "proxy without host refused"
expect_contains "$err" "ProxyName" "names the missing host key"

# Secrets: stored, never shown.
echo 'hunter2-secret' | "$MULENET" --config "$conf" config set /Proxy/ProxyPassword --stdin >"$TMP/o" 2>&1
grep -q hunter2 "$TMP/o" && fail "set printed the password" || pass
grep -q '^ProxyPassword=hunter2-secret$' "$conf" && pass || fail "password not stored as aMule does"
run --config "$conf" config get /Proxy/ProxyPassword
expect_not_contains "$out" "hunter2" "get masks the password"
expect_contains "$out" "********" "get shows a mask"
run --config "$conf" config show
expect_not_contains "$out" "hunter2" "show masks the password"
run --config "$conf" config show --all --json
expect_not_contains "$out" "hunter2" "show --all --json masks the password"
expect_json '.keys[] | select(.key=="/Proxy/ProxyPassword") | .value=="********"' "masked in JSON"
expect_json '[.keys[] | select(.key=="/eMule/Nick")] | length == 1' "--all lists other keys"
run --config "$conf" config set /Proxy/ProxyPassword newsecret --json
expect_not_contains "$out" "newsecret" "set --json masks the password"
expect_not_contains "$out" "hunter2" "set --json masks the previous password"

# Not found, bad paths, usage.
run --config "$conf" config get /eMule/NoSuchKey
expect_code 5 "unknown key"
run --config "$conf" config get Port
expect_code 64 "bad key path"
run --config "$conf" config set /eMule/Port
expect_code 64 "set without value"
run --config "$conf" config
expect_code 64 "config without subcommand"
run --config "$TMP" config show
expect_code 4 "a directory is not a config file"

# Through a symlink (a shared config), the target changes and the link stays.
ln -s "$conf" "$TMP/link.conf"
run --config "$TMP/link.conf" config set /eMule/Port 4812
expect_code 0 "set through a symlink"
[ -L "$TMP/link.conf" ] && pass || fail "the symlink was replaced by a file"
grep -q '^Port=4812$' "$conf" && pass || fail "the symlink's target was not changed"

# A missing file is created with mode 0600 in a new directory.
run --config "$TMP/new/dir/amule.conf" config set /eMule/Port 4700
expect_code 0 "create"
[ "$(cat "$TMP/new/dir/amule.conf")" = "$(printf '[eMule]\nPort=4700')" ] && pass || fail "created file: $(cat "$TMP/new/dir/amule.conf")"
[ "$(stat -c %a "$TMP/new/dir/amule.conf")" = 600 ] && pass || fail "created file mode"

# Keys: a typo is refused with the key meant; an unknown key needs --force;
# a path that amule.conf cannot hold is refused; nothing is written.
cp "$conf" "$TMP/before-keys"
run --config "$conf" config set /eMule/Prot 4811
expect_code 3 "a typo of a known key"
expect_contains "$err" "did you mean /eMule/Port?" "the typo's key is suggested"
run --config "$conf" config set /emule/udpport 4672 --json
expect_code 0 "a known key in other case"
cp "$conf" "$TMP/before-keys"
run --config "$conf" config set /Foo/Bar 1 --json
expect_code 3 "an unknown key"
expect_json '.error.code == "unknown-key"' "unknown-key in JSON"
for key in /eMule/Po=rt "/eMule/Po[rt" "/eMule/ Port" "//Port" "Port" "/Port" "/eMule/"; do
  run --config "$conf" config set "$key" 1
  expect_code 64 "malformed key path $key"
done
cmp -s "$conf" "$TMP/before-keys" && pass || fail "a refused key changed the file"
run --config "$conf" config set /eMule/MaxUpload 50 --force
expect_code 0 "--force writes an unknown key"
grep -q '^MaxUpload=50$' "$conf" && pass || fail "MaxUpload=50 written"

# --json is UTF-8 text even when amule.conf holds bytes that are not (a
# Latin-1 user name, as old aMule wrote): such bytes become U+10FF80..U+10FFFF
# (documented in README.md), and turning them back gives the bytes exactly.
printf '[Proxy]\nProxyUser=J\xe9r\xf4me\n' >"$TMP/latin1.conf"
run --config "$TMP/latin1.conf" config get /Proxy/ProxyUser --json
expect_code 0 "get a Latin-1 value"
python3 -c '
import json, sys
raw = sys.stdin.buffer.read()
text = raw.decode("utf-8")  # strict: fails on any byte that is not UTF-8
value = json.loads(text)["value"]
back = b"".join(bytes([ord(c) - 0x10FF00]) if ord(c) >= 0x10FF80 else c.encode("utf-8") for c in value)
sys.exit(0 if back == b"J\xe9r\xf4me" else 1)' <<<"$out" && pass || fail "--json with Latin-1 bytes: not UTF-8, or not reversible: $out"

# A file that is not an amule.conf at all (binary, given by mistake): every
# command refuses it, naming the file and the line, and nothing writes to it.
head -c 4096 /dev/urandom >"$TMP/binary.conf"
printf '\0' >>"$TMP/binary.conf"  # at least one NUL, whatever urandom gave
chmod 644 "$TMP/binary.conf"
sum_before=$(md5sum <"$TMP/binary.conf")
run --config "$TMP/binary.conf" ports
expect_code 4 "ports on a binary file"
expect_contains "$err" "$TMP/binary.conf is not an amule.conf: line" "the error names the file and the line"
run --config "$TMP/binary.conf" config set /eMule/Port 4811
expect_code 4 "config set into a binary file"
[ "$(md5sum <"$TMP/binary.conf")" = "$sum_before" ] && pass || fail "config set changed the binary file"
[ "$(stat -c %a "$TMP/binary.conf")" = 644 ] && pass || fail "config set changed the binary file's mode"
run --config "$TMP/binary.conf" config show --json
expect_code 4 "config show on a binary file"
printf 'Dear diary,\ntoday I set up aMule.\nIt went well.\nPort=4662\n' >"$TMP/diary.conf"
run --config "$TMP/diary.conf" ports --json
expect_code 4 "ports on a text that is not an INI file"
expect_contains "$out$err" "3 of its 4 lines" "the error says why"
finish
