#!/usr/bin/env bash
# `mulenet ed2k servers`: list, add and remove servers in server.met; the
# file amuled 2.3.3 wrote is read, and (as root, with amuled installed) what
# we write is read by amuled, which keeps the server and its name.
source "$(dirname "$0")/lib.bash"
conf=$TMP/amule.conf
printf '[eMule]\nPort=34663\nUDPPort=34673\nAutoconnect=0\n[ExternalConnect]\nECPort=34713\n' >"$conf"

run --config "$conf" ed2k servers --json
expect_code 0 "list without server.met"
expect_json '.servers == [] and (.file | endswith("/server.met"))' "no server.met: an empty list"

cp "$FIXTURES/ed2k/amuled-2.3.3-server.met" "$TMP/server.met"
run --config "$conf" ed2k servers --json
expect_json '[.servers[].address] == ["198.51.100.77:4661", "198.51.100.78:4242"] and .servers[0].name == "Lab Server One"' "reads amuled's file"

run --config "$conf" ed2k servers add 198.51.100.90:4661 --name "Added Here" --json
expect_code 0 "add"
expect_json '(.servers | length) == 3 and .servers[2].name == "Added Here"' "added at the end"
run --config "$conf" ed2k servers add 198.51.100.90:4661 --json
expect_json '(.servers | length) == 3' "adding it again changes nothing"
run --config "$conf" ed2k servers remove 198.51.100.78:4242 --json
expect_json '[.servers[].address] == ["198.51.100.77:4661", "198.51.100.90:4661"]' "removed"
expect_json '.servers[0].name == "Lab Server One"' "the others keep their tags"
run --config "$conf" ed2k servers remove 198.51.100.78:4242
expect_code 5 "removing one that is not there"
run --config "$conf" ed2k servers add server.example:4661
expect_code 64 "a name is refused (server.met holds addresses)"
expect_contains "$err" "IPV4:PORT" "says what it needs"
run --config "$conf" ed2k servers add
expect_code 64 "add without a server"
printf 'junk' >"$TMP/server.met"
run --config "$conf" ed2k servers
expect_code 4 "a broken server.met is a file error"
expect_contains "$err" "not a server.met" "says what is wrong"

# amuled reads what we wrote (it renames our file to .bak and saves its own).
if [ "$(id -u)" -eq 0 ] && command -v amuled >/dev/null 2>&1; then
  rm -f "$TMP/server.met"
  run --config "$conf" ed2k servers add 198.51.100.91:4661 --name "Written By Mulenet"
  ns="mn-srvmet-$$"
  ip netns add "$ns" && ip -n "$ns" link set lo up
  ip netns exec "$ns" timeout 60 amuled -c "$TMP" >/dev/null 2>&1 </dev/null
  ip netns del "$ns"
  [ -e "$TMP/server.met.bak" ] && pass || fail "amuled did not take our server.met (no server.met.bak)"
  run --config "$conf" ed2k servers --json
  expect_json '.servers == [{"address":"198.51.100.91:4661","name":"Written By Mulenet","description":""}]' \
    "amuled kept our server and its name"
else
  echo "note: not root or no amuled: the amuled round trip is not checked" >&2
fi
finish
