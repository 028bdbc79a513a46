#!/usr/bin/env bash
# `mulenet ports`: the plan from amule.conf, as a user and a script see it.
source "$(dirname "$0")/lib.bash"
conf=$TMP/amule.conf

run --config "$TMP/absent.conf" ports --json
expect_code 0 "defaults"
expect_json '[.ports[].name] == ["ed2k-tcp","server-udp","kad-udp","ec-tcp","web-tcp","upnp-control-tcp"]' "names"
expect_json '.ports[] | select(.name=="ed2k-tcp") | .port==4662 and .protocol=="tcp" and .key=="/eMule/Port"' "tcp"
expect_json '.ports[] | select(.name=="server-udp") | .port==4665 and .protocol=="udp"' "tcp+3"
expect_json '[.ports[] | select(.upnp)] | length == 0' "UPnP off by default"
expect_json '.ports[0] | has("direction") and has("purpose")' "fields"

printf '[eMule]\nPort=4811\n' >"$conf"
run ports --json --config "$conf"   # --config after the subcommand's name
expect_code 0 "Port=4811"
expect_json '.ports[] | select(.name=="ed2k-tcp") | .port==4811' "4811/tcp"
expect_json '.ports[] | select(.name=="server-udp") | .port==4814' "4814/udp"
run --config "$conf" --json ports   # and before it
expect_json '.ports[] | select(.name=="server-udp") | .port==4814' "options before the subcommand"

printf '[ExternalConnect]\nUPnPECEnabled=1\n' >"$conf"
run --config "$conf" ports --json
expect_json '[.ports[] | select(.upnp)] | length == 0' "UPnPECEnabled alone maps nothing"
printf '[eMule]\nUPnPEnabled=1\n[ExternalConnect]\nUPnPECEnabled=1\n' >"$conf"
run --config "$conf" ports --json
expect_json '[.ports[] | select(.upnp) | .name] == ["ed2k-tcp","server-udp","kad-udp","ec-tcp"]' "master + EC"
printf '[WebServer]\nUPnPWebServerEnabled=1\n' >"$conf"
run --config "$conf" ports --json
expect_json '[.ports[] | select(.upnp) | .name] == ["web-tcp"]' "web on its own"
printf '[eMule]\nUDPEnable=0\n' >"$conf"
run --config "$conf" ports --json
expect_json '[.ports[].name] | index("kad-udp") == null' "no Kad port when UDPEnable=0"

run --config "$conf" ports
expect_code 0 "table"
expect_contains "$out" "ed2k-tcp" "table lists ports"
expect_contains "$out" "PURPOSE" "table header"

for bad in 'Port=70000' 'Port=abc' 'Port=65534' 'UDPPort=4665'; do
  printf '[eMule]\n%s\n' "$bad" >"$conf"
  run --config "$conf" ports
  expect_code 3 "invalid $bad"
  expect_contains "$err" "/eMule/" "error names the key ($bad)"
  expect_contains "$err" "fix:" "error gives the fix ($bad)"
  run --config "$conf" ports --json
  expect_code 3 "invalid $bad (json)"
  expect_json '.error.code == "config-invalid" and (.error.issues | length) > 0' "JSON error ($bad)"
done

printf '[eMule]\nUPnPEnabled=1\nUPnPTCPPort=50000\n[ExternalConnect]\nAcceptExternalConnections=1\n' >"$conf"
for kind in nft iptables ufw firewalld pf; do
  run --config "$conf" ports --firewall "$kind"
  expect_code 0 "firewall $kind"
  for p in 4662 4665 4672 4712 50000 1900; do expect_contains "$out" "$p" "$kind rules open $p"; done
  expect_not_contains "$out" "4711" "$kind rules leave the inactive web port closed"
done
run --config "$conf" ports --firewall nft --json
expect_json '.firewall == "nft" and (.rules | contains("4662"))' "firewall JSON"
run --config "$conf" ports --firewall windows
expect_code 64 "unknown firewall kind is a usage error"

run ports --help
expect_code 0 "--help"
expect_contains "$out" "--firewall" "help lists --firewall"
expect_contains "$out" "--json" "help lists --json"
finish
