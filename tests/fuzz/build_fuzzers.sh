#!/usr/bin/env bash
# Configures and builds the fuzz targets (tests/fuzz/CMakeLists.txt) with
# clang++-14, for the ctest `fuzz.build` that the `fuzz.NAME` tests need.
#   build_fuzzers.sh CMAKE SOURCE_DIR BUILD_DIR
# Exit 77 (skipped) when clang++-14 or its libFuzzer runtime is missing;
# scripts/install-deps.sh installs both (clang-14, libclang-rt-14-dev). The
# file BUILD_DIR/SKIPPED then says why, and the fuzz.NAME tests skip too.
set -euo pipefail
cmake_command=$1 source_dir=$2 build_dir=$3
compiler=${MULENET_FUZZ_CXX:-clang++-14}
mkdir -p "$build_dir"
rm -f "$build_dir/SKIPPED"

skip() {
  echo "$1" >"$build_dir/SKIPPED"
  echo "SKIPPED: $1"
  exit 77
}

if ! command -v "$compiler" >/dev/null 2>&1; then
  skip "$compiler not found; the fuzz targets need clang with libFuzzer (apt-get install clang-14 libclang-rt-14-dev, or run scripts/install-deps.sh)"
fi
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe_dir/probe.cpp"
if ! "$compiler" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" 2>"$probe_dir/log"; then
  sed 's/^/  /' "$probe_dir/log" | head -n 5
  skip "$compiler cannot link a libFuzzer target (is libclang-rt-14-dev installed?)"
fi

"$cmake_command" -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER="$compiler"
"$cmake_command" --build "$build_dir"
