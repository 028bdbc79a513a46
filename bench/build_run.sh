#!/usr/bin/env bash
# Issue 16 item 4: a newcomer's time to the first answer. Clones the
# repository as it is committed into a fresh folder and times, with the
# packages already installed, `make run` (the build of the program and the
# doctor's report) and, with BENCH_BUILD_TEST=1, `make test` after it (the
# rest of the build and every test; about 20 minutes). A report: nothing here
# passes or fails on a time.
#
#   bash bench/build_run.sh            # root for `make test` (the lab)
#
# Writes bench/results/build.json and bench/results/build.md. Environment:
#   BENCH_BUILD_TEST=1   also time `make test`
#   BENCH_RESULTS_DIR    where the results go [bench/results]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
WITH_TEST=${BENCH_BUILD_TEST:-0}
WORK=$(mktemp -d /tmp/bench-build.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
log() { echo "bench: $*" >&2; }

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
# timed NAME COMMAND...: wall seconds of the command in the clone, its exit code, and its
# user+sys CPU seconds (children included), as one JSON object.
timed() {
  local name=$1 t0 t1 rc
  shift
  t0=$EPOCHREALTIME
  set +e
  (cd "$WORK/clone" && /usr/bin/time -f '%U %S' -o "$WORK/$name.cpu" "$@" >"$WORK/$name.log" 2>&1)
  rc=$?
  set -e
  t1=$EPOCHREALTIME
  python3 -c "
import json, sys
u, s = open(sys.argv[2]).read().split()[-2:]
print(json.dumps({'command': sys.argv[1], 'wall_s': round(float(sys.argv[3]) - float(sys.argv[4]), 1), 'exit': int(sys.argv[5]),
                  'cpu_s': round(float(u) + float(s), 1)}))" "$*" "$WORK/$name.cpu" "$t1" "$t0" "$rc"
}

LOAD_BEFORE=$(load_avg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
TREE=$(git -C "$ROOT" rev-parse --short HEAD)
log "cloning $TREE into $WORK/clone"
git clone -q "$ROOT" "$WORK/clone"
bash "$ROOT/scripts/install-deps.sh" >/dev/null 2>&1 || log "scripts/install-deps.sh reported a problem (see it alone)"
log "timing make run (the program and the doctor's report)"
RUN=$(timed make-run make run)
log "make run: $RUN"
grep -q 'mulenet doctor exited with' "$WORK/make-run.log" || log "make run printed no doctor's report (see $WORK/make-run.log)"
TEST=null
if [ "$WITH_TEST" = 1 ]; then
  log "timing make test (the rest of the build and every test)"
  TEST=$(CI=true timed make-test make test)
  log "make test: $TEST"
fi
LOAD_AFTER=$(load_avg)

mkdir -p "$OUT"
jq -n --arg machine "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, kernel $(uname -r)" \
  --arg started "$STARTED" --arg tree "$TREE" --arg lb "$LOAD_BEFORE" --arg la "$LOAD_AFTER" \
  --arg compiler "$(c++ --version | head -n1)" --arg cmake "$(cmake --version | head -n1)" \
  --argjson run "$RUN" --argjson test "$TEST" \
  '{machine: $machine, started: $started, tree: $tree, load_before: $lb, load_after: $la,
    versions: {compiler: $compiler, cmake: $cmake}, make_run: $run, make_test: $test}' >"$OUT/build.json"
python3 - "$OUT/build.json" "$OUT/build.md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def line(name, budget, x):
    if not x:
        return f"| `{name}` | {budget} | not timed this run (BENCH_BUILD_TEST=1) | | |"
    return f"| `{name}` | {budget} | {x['wall_s']} s | {x['cpu_s']} s | {x['exit']} |"
md = ["# Time to the first answer for a newcomer (bench/build_run.sh, issue 16 item 4)", "",
      f"Machine: {r['machine']}; started {r['started']}; load average before/after: {r['load_before']} / "
      f"{r['load_after']}. Versions: {r['versions']['compiler']}; {r['versions']['cmake']}.", "",
      f"A fresh `git clone` of tree {r['tree']}, the packages already installed, each command timed from its start "
      "to its exit (wall clock; CPU is user + system of every process it ran).", "",
      "| command | budget (issue 16) | wall | CPU | exit |", "|---|---|---|---|---|",
      line("make run", "≤ 180 s", r["make_run"]), line("make test", "≤ 15 min", r["make_test"]), ""]
open(sys.argv[2], "w").write("\n".join(md))
PY
cat "$OUT/build.md"
