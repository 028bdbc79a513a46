#!/usr/bin/env bash
# Issue 14 item 6, "load held": the figures (a report; the pass/fail checks
# are the lab case's). Runs tests/lab/cases/daemon_flood.sh longer and
# harder than the test suite does, once per rate, each on a fresh lab
# (amuled keeps per-address state), and collects what it printed: datagrams
# sent and answered, bytes back per byte sent (the worst flooding address),
# the node's RSS, descriptors and CPU before and at their peak.
#
#   sudo bash bench/daemon_flood.sh
#
# Writes bench/results/daemon-flood.json and bench/results/daemon-flood.md.
# Environment:
#   BENCH_MULENET        the mulenet binary [<repo>/build/bin/mulenet]
#   BENCH_RESULTS_DIR    where the results go [bench/results]
#   BENCH_FLOOD_SECONDS  seconds of flood per run [60]
#   BENCH_FLOOD_RATES    datagrams per second, one run each ["2000 5000 10000"]
#   MULENET_LAB_PREFIX   namespace prefix [bf-]; MULENET_LAB_DIR [/tmp/lab-bf]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
MULENET=${BENCH_MULENET:-$ROOT/build/bin/mulenet}
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
SECONDS_EACH=${BENCH_FLOOD_SECONDS:-60}
RATES=${BENCH_FLOOD_RATES:-2000 5000 10000}
[[ $SECONDS_EACH =~ ^[1-9][0-9]{0,3}$ ]] || { echo "bench: BENCH_FLOOD_SECONDS must be 1..9999" >&2; exit 64; }
for r in $RATES; do [[ $r =~ ^[1-9][0-9]{0,5}$ ]] || { echo "bench: a rate must be 1..999999, not '$r'" >&2; exit 64; }; done
export MULENET_LAB_PREFIX=${MULENET_LAB_PREFIX:-bf-}
export MULENET_LAB_DIR=${MULENET_LAB_DIR:-/tmp/lab-bf}
LAB=$ROOT/tests/lab/lab
if [ "$(id -u)" -ne 0 ]; then echo "bench: needs root (network namespaces for the lab)" >&2; exit 77; fi
[ -x "$MULENET" ] || { echo "bench: no mulenet at $MULENET (run make, or set BENCH_MULENET)" >&2; exit 64; }
WORK=$(mktemp -d)
cp "$MULENET" "$WORK/mulenet"  # a rebuild during the run must not swap the binary under it
cleanup() { "$LAB" down >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
runs=()
for rate in $RATES; do
  log "flood at $rate datagrams/s for $SECONDS_EACH s (fresh lab)"
  "$LAB" down >/dev/null 2>&1 || true
  "$LAB" up >"$WORK/lab.log" 2>&1 || { tail -n 20 "$WORK/lab.log" >&2; exit 1; }
  set +e
  MULENET="$WORK/mulenet" MULENET_FLOOD_SECONDS=$SECONDS_EACH MULENET_FLOOD_RATE=$rate \
    bash "$ROOT/tests/lab/cases/daemon_flood.sh" "$LAB" >"$WORK/case-$rate.log" 2>&1
  code=$?
  set -e
  flood=$(sed -n 's/^flood: //p' "$WORK/case-$rate.log")
  node=$(sed -nE 's/^node: RSS ([0-9]+) KiB before, peak ([0-9]+) KiB; descriptors ([0-9]+) before, peak ([0-9]+); CPU ([0-9.]+) s.*/{"rss_kib":\1,"peak_rss_kib":\2,"fds":\3,"peak_fds":\4,"cpu_s":\5}/p' "$WORK/case-$rate.log")
  kernel=$(sed -nE 's/^kernel: ([0-9]+) datagrams delivered.*, ([0-9]+) dropped.*/{"delivered":\1,"dropped":\2}/p' "$WORK/case-$rate.log")
  passed=$(grep -c '^ok ' "$WORK/case-$rate.log" || true)
  failed=$(grep -c '^FAIL ' "$WORK/case-$rate.log" || true)
  grep '^FAIL ' "$WORK/case-$rate.log" >&2 || true
  runs+=("$(jq -n -c --argjson rate "$rate" --argjson seconds "$SECONDS_EACH" --argjson flood "${flood:-null}" \
    --argjson node "${node:-null}" --argjson kernel "${kernel:-null}" --argjson passed "$passed" --argjson failed "$failed" --argjson code "$code" \
    '{rate:$rate, seconds:$seconds, flood:$flood, node:$node, kernel:$kernel, checks_passed:$passed, checks_failed:$failed, exit_code:$code}')")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$OUT"
printf '%s\n' "${runs[@]}" | jq -s \
  --arg when "$(date -u +%FT%TZ)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
  --arg cores "$(nproc)" --arg version "$("$WORK/mulenet" --version 2>&1 | head -n1)" \
  --arg amuled "$(dpkg-query -W -f='${Version}' amule-daemon 2>/dev/null || echo unknown)" \
  --arg load_before "$load_before" --arg load_after "$load_after" \
  '{when:$when, cpu:$cpu, cores:$cores, mulenet:$version, amuled:$amuled, load_before:$load_before, load_after:$load_after, runs:.}' \
  >"$OUT/daemon-flood.json"
python3 - "$OUT/daemon-flood.json" >"$OUT/daemon-flood.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("# The daemon under a flood (bench/daemon_flood.sh)\n")
print(f"{d['when']}, {d['cpu']} ({d['cores']} cores), {d['mulenet']}, amuled {d['amuled']}.")
print(f"Load average before {d['load_before']}, after {d['load_after']}.\n")
print("`mulenet run` (Kad node and client listener, no mapping, no eD2k) on a WAN host of its own; 40 lab")
print("addresses send every kind of Kad request, far above aMule's per-address limits, and malformed")
print("datagrams, round-robin, and keep 200 TCP connections half-open (tests/lab/lib/kad_flood.py).")
print("A real `mulenet kad lookup` asks the node halfway through. The checks are the lab case's.")
print("The answers are those of the first seconds: an address that asks more than 5 times aMule's limit")
print("in a minute is banned for 2 hours (as aMule), and the node drops all it sends after decoding its header.\n")
print("| datagrams/s | seconds | datagrams (delivered by the kernel; dropped, buffer full) | answers | bytes back / bytes sent (all; worst address) | RSS KiB start → peak | descriptors start → peak | CPU s | half-open closed by the node | checks |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in d["runs"]:
    f, n, k = r.get("flood") or {}, r.get("node") or {}, r.get("kernel") or {}
    ratio = f"{f.get('bytes_received', 0) / max(1, f.get('bytes_sent', 1)):.4f}; {f.get('worst_source_ratio', '?')}"
    ho = f.get("half_open", {})
    print(f"| {r['rate']} | {f.get('seconds', '?')} | {f.get('datagrams', '?')} ({k.get('delivered', '?')}; {k.get('dropped', '?')}) | {f.get('answers', '?')} | {ratio} | "
          f"{n.get('rss_kib', '?')} → {n.get('peak_rss_kib', '?')} | {n.get('fds', '?')} → {n.get('peak_fds', '?')} | "
          f"{n.get('cpu_s', '?')} | {ho.get('closed_by_node', '?')} of {ho.get('opened', '?')} | "
          f"{r['checks_passed']} passed, {r['checks_failed']} failed |")
PY
log "wrote $OUT/daemon-flood.md"
cat "$OUT/daemon-flood.md"
