#!/usr/bin/env bash
# Runs one fuzz target briefly on a copy of its seed corpus (libFuzzer adds
# the inputs it finds to its first corpus directory, and the seeds in the
# source tree must stay as they are). Used by the ctest `fuzz.NAME` tests.
#   run_fuzzer.sh BUILD_DIR SOURCE_DIR NAME [extra libFuzzer options...]
# BUILD_DIR: where fuzz.build built the targets; SOURCE_DIR: tests/fuzz.
# The options of the target are on its "// ctest:" line (-runs, -max_len).
# Exit 77 (skipped) when the targets were not built (no clang++-14).
set -euo pipefail
build_dir=$1 source_dir=$2 name=$3
shift 3
binary=$build_dir/fuzz_$name
if [[ -f $build_dir/SKIPPED ]]; then
  echo "SKIPPED: $(cat "$build_dir/SKIPPED")"
  exit 77
fi
if [[ ! -x $binary ]]; then
  echo "fuzz target $binary is missing: did fuzz.build run?" >&2
  exit 1
fi
options=$(sed -n 's|^// ctest: *||p' "$source_dir/fuzz_$name.cpp" | head -n 1)
run_dir=$build_dir/run/$name
rm -rf "$run_dir"
mkdir -p "$run_dir/corpus" "$run_dir/artifacts"
if [[ -d $source_dir/corpus/$name ]]; then cp -R "$source_dir/corpus/$name/." "$run_dir/corpus/"; fi
dict=()
if [[ -f $source_dir/dict/$name.dict ]]; then dict=(-dict="$source_dir/dict/$name.dict"); fi
# Deterministic by default (-seed=1), so a failure in ctest is the same on the next run.
# libFuzzer's own error exit code is 77, ctest's "skipped": make it 1.
status=0
# shellcheck disable=SC2086
(set -x; "$binary" "$run_dir/corpus" -seed=1 -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$run_dir/artifacts/" "${dict[@]}" $options "$@") || status=$?
if [[ $status -ne 0 ]]; then
  for artifact in "$run_dir"/artifacts/*; do
    [[ -f $artifact ]] || continue
    echo "FAILED on $artifact (hex: $(od -An -tx1 -v "$artifact" | tr -d ' \n' | head -c 400))"
    for seed in "$source_dir/corpus/$name"/*; do
      if cmp -s "$artifact" "$seed"; then echo "  = the seed ${seed#"$source_dir"/}"; fi
    done
  done
  echo "Reproduce: $binary <file>   (MULENET_FUZZ_VERBOSE=1 to see derived inputs)"
fi
exit "$status"
