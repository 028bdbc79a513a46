# The start every tests/lab/cases/*.sh shares. A case begins with
#   # shellcheck source=../lib/case.bash
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
# which takes the lab script (its first argument) as LAB and its folder as
# LAB_HOME, loads the helpers a case may use (the smoke checks and the
# router's hooks, the Kad nodes' facts, the WAN side's ports and proxies),
# needs the mulenet binary in MULENET (ctest sets it), makes the case's
# temporary folder and stops early, with the reason, when no lab is up.
# shellcheck shell=bash
set -uo pipefail
LAB=${1:?usage: $0 LAB_SCRIPT}
LAB_HOME=$(dirname "$LAB")
# shellcheck source=../router/smoke.bash
source "$LAB_HOME/router/smoke.bash"
# shellcheck source=kad.bash
source "$LAB_HOME/lib/kad.bash"
# shellcheck source=wan.bash
source "$LAB_HOME/lib/wan.bash"
MULENET=${MULENET:?the ctest environment names the mulenet binary}
smoke_init
smoke_require_lab

# sigterm_daemon CONF [LABEL_PREFIX]: SIGTERM to the `mulenet run` started
# with that amule.conf, and the check that it stops within 10 s.
sigterm_daemon() {
  local pid
  pid=$(pgrep -f "mulenet --config $1 run" | head -n 1)
  kill -TERM "$pid" 2>/dev/null
  smoke_check "${2:-}SIGTERM stops it" lab_wait_for "the daemon to stop" 10 daemon_gone "$1"
}
daemon_gone() { ! pgrep -f "mulenet --config $1 run" >/dev/null; }

# The mulenet under test built with AddressSanitizer (`make asan`).
mulenet_under_asan() { ldd "$MULENET" 2>/dev/null | grep -q libasan; }

# memory_check DESCRIPTION CMD...: a smoke_check of a memory budget, except
# under AddressSanitizer, whose quarantine keeps freed memory (up to 256 MB):
# the RSS then says nothing about mulenet's own memory, so it is not measured.
memory_check() {
  if mulenet_under_asan; then
    echo "skip - $1: not measured under AddressSanitizer (its quarantine keeps freed memory)"
    return 0
  fi
  smoke_check "$@"
}
