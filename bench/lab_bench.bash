# What the daemon benches share (bench/daemon_run.sh, bench/daemon_faults.sh),
# sourced after they set ROOT and MULENET: the lab's helpers, the checks that
# the bench can run (root, the binary, jq/python3/curl), a work folder with a
# private copy of the binary (a rebuild during the run must not swap it), and
# the polling helpers. Each bench sets its own cleanup trap.
# shellcheck shell=bash
LAB=$ROOT/tests/lab/lab
LAB_HOME=$ROOT/tests/lab
# shellcheck source=../tests/lab/lib/common.bash
source "$LAB_HOME/lib/common.bash"
# shellcheck source=../tests/lab/lib/kad.bash
source "$LAB_HOME/lib/kad.bash"
if [ "$(id -u)" -ne 0 ]; then echo "bench: needs root (network namespaces for the lab)" >&2; exit 77; fi
[ -x "$MULENET" ] || { echo "bench: no mulenet at $MULENET (run make, or set BENCH_MULENET)" >&2; exit 64; }
for tool in jq python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 64; }
done
WORK=$(mktemp -d)
cp "$MULENET" "$WORK/mulenet"
MULENET=$WORK/mulenet

log() { echo "bench: $*" >&2; }
now() { echo "$EPOCHREALTIME"; }  # bash 5: no process per poll
since() { python3 -c "print(round($(now) - $1, 3))"; }
# wait_until SECONDS COMMAND...: polls every 50 ms until a wall-clock
# deadline; prints the seconds since T0, or "null" when the time ran out.
wait_until() {
  local cap=$1 deadline i
  shift
  deadline=$((${EPOCHREALTIME/./} + cap * 1000000))  # in microseconds
  for ((i = 0; i < cap * 20; i++)); do
    if "$@" >/dev/null 2>&1; then since "$T0"; return 0; fi
    ((${EPOCHREALTIME/./} < deadline)) || break
    sleep 0.05
  done
  echo null
}
