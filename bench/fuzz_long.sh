#!/usr/bin/env bash
# Issue 17 item 4: every fuzz target run for real, not for the second or two
# of `make test`: each until FUZZ_RUNS executions (10 million) or FUZZ_TIME
# seconds, whichever comes first, with AddressSanitizer and UBSan (the
# targets are always built with both, tests/fuzz/CMakeLists.txt), two at a
# time. Each starts from a copy of its seeds (tests/fuzz/corpus/NAME, left
# as they are) and keeps what it finds in a corpus of its own under the work
# folder, so a second run goes on from there.
#
#   make fuzz-long                       # or: bash bench/fuzz_long.sh
#   FUZZ_TIME=60 FUZZ_TARGETS="soap gena" bash bench/fuzz_long.sh
#
# Writes bench/results/fuzz.json and bench/results/fuzz.md: executions,
# executions per second, coverage (libFuzzer's cov/ft), corpus size before and
# after, peak memory, and the findings, per target. A finding (a crash, a
# sanitizer report, a broken property, a hang, a leak) makes the exit code 1
# and is kept in WORK/NAME/artifacts; fix it and add the input to the seeds
# (tests/fuzz/corpus/NAME/crash-*) so that `make test` keeps it fixed.
# Environment:
#   FUZZ_RUNS     executions per target [10000000]
#   FUZZ_TIME     seconds per target at most [1200]
#   FUZZ_JOBS     targets at a time [2]
#   FUZZ_TARGETS  names to run [every tests/fuzz/fuzz_*.cpp]
#   FUZZ_WORK     work folder, kept between runs [/var/tmp/mulenet-fuzz-long]
#   FUZZ_BUILD    where the targets are built [build/fuzz]
#   BENCH_RESULTS_DIR  where the results go [bench/results]
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_HOME")
SOURCE=$ROOT/tests/fuzz
OUT=${BENCH_RESULTS_DIR:-$BENCH_HOME/results}
RUNS=${FUZZ_RUNS:-10000000}
TIME=${FUZZ_TIME:-1200}
JOBS=${FUZZ_JOBS:-2}
WORK=${FUZZ_WORK:-/var/tmp/mulenet-fuzz-long}
BUILD=${FUZZ_BUILD:-$ROOT/build/fuzz}
log() { echo "fuzz-long: $*" >&2; }

targets=()
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  for f in "$SOURCE"/fuzz_*.cpp; do
    n=${f##*/fuzz_}
    targets+=("${n%.cpp}")
  done
fi

mkdir -p "$WORK"
log "building the targets (clang++-14, ASan + UBSan) into $BUILD"
status=0
bash "$SOURCE/build_fuzzers.sh" cmake "$SOURCE" "$BUILD" >"$WORK.build.log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  log "the fuzz targets could not be built (exit $status); see $WORK.build.log"
  tail -n 20 "$WORK.build.log" >&2
  exit 1
fi

# run_one NAME: the target until RUNS executions or TIME seconds; its
# libFuzzer log in WORK/NAME/log, the seeds' count in WORK/NAME/seeds.
run_one() {
  local name=$1 dir=$WORK/$1 options dict=()
  mkdir -p "$dir/corpus" "$dir/artifacts"
  rm -f "$dir/artifacts"/*
  if [[ -d $SOURCE/corpus/$name ]]; then cp -R "$SOURCE/corpus/$name/." "$dir/corpus/"; fi
  find "$dir/corpus" -type f | wc -l >"$dir/corpus_before"
  find "$SOURCE/corpus/$name" -type f 2>/dev/null | wc -l >"$dir/seeds"
  [[ -f $SOURCE/dict/$name.dict ]] && dict=(-dict="$SOURCE/dict/$name.dict")
  # The target's own -max_len from its ctest line; its -runs is replaced.
  options=$(sed -n 's|^// ctest: *||p' "$SOURCE/fuzz_$name.cpp" | head -n 1 | tr ' ' '\n' | grep '^-max_len=' || true)
  local t0=$EPOCHREALTIME rc=0
  # shellcheck disable=SC2086
  "$BUILD/fuzz_$name" "$dir/corpus" -runs="$RUNS" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 \
    -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "${dict[@]}" $options >"$dir/log" 2>&1 || rc=$?
  echo "$rc" >"$dir/exit"
  python3 -c "import sys; print(round(float(sys.argv[1]) - float(sys.argv[2]), 1))" "$EPOCHREALTIME" "$t0" >"$dir/seconds"
  find "$dir/corpus" -type f | wc -l >"$dir/corpus_after"
  log "$name: exit $rc after $(cat "$dir/seconds") s"
}
export -f run_one log
export WORK BUILD SOURCE RUNS TIME

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "${#targets[@]} targets, $JOBS at a time, each until $RUNS executions or $TIME s; work in $WORK"
printf '%s\n' "${targets[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one "$1"' _ {}
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$OUT"
python3 "$BENCH_HOME/fuzz_report.py" --work "$WORK" --out "$OUT" --runs "$RUNS" --time "$TIME" --jobs "$JOBS" \
  --started "$STARTED" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" \
  --tree "$(git -C "$ROOT" rev-parse --short HEAD)" --compiler "$(clang++-14 --version | head -n 1)" \
  "${targets[@]}"
