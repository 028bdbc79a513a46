# Shared helpers for the CLI tests: run the real `mulenet` program and check
# what it prints and returns. Sourced by each tests/cli/*.sh.
set -uo pipefail
# shellcheck source=../lib/jqt.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/jqt.bash"
MULENET=${1:?usage: $0 MULENET_BINARY FIXTURES_DIR}
FIXTURES=${2:?usage: $0 MULENET_BINARY FIXTURES_DIR}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }

# run CMD...: runs mulenet, keeps stdout in $out, stderr in $err, exit code in $code.
run() {
  out=$("$MULENET" "$@" 2>"$TMP/stderr"); code=$?
  err=$(cat "$TMP/stderr")
}
expect_code() { if [ "$code" -eq "$1" ]; then pass; else fail "$2: exit code $code, expected $1 (stderr: $err)"; fi; }
expect_json() {  # expect_json JQ_FILTER DESCRIPTION: the filter must yield true on $out
  if jqt "$1" <<<"$out" 2>/dev/null; then pass; else fail "$2: jq '$1' not true on: $out"; fi
}
expect_contains() { if grep -qF -- "$2" <<<"$1"; then pass; else fail "$3: '$2' not found in: $1"; fi; }
expect_not_contains() { if grep -qF -- "$2" <<<"$1"; then fail "$3: '$2' found in: $1"; else pass; fi; }
finish() {
  echo "$checks passed, $failures failed"
  [ "$failures" -eq 0 ]
}
