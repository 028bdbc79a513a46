#!/usr/bin/env bash
# How ctest drives the lab: `up` and `down` around the lab tests, `run` for
# one test. Exit 77 tells ctest "skipped" (no root, outside CI).
#   ctest_fixture.sh up|down LAB    ctest_fixture.sh run LAB TEST_SCRIPT
set -uo pipefail
action=$1 lab=$2

if [ "$(id -u)" -ne 0 ]; then
  if [ "${CI:-}" = true ]; then
    echo "LAB TESTS CANNOT RUN: CI must run as root (network namespaces, nftables, daemons)." >&2
    exit 1
  fi
  echo "SKIPPED: the lab tests need root to create network namespaces; run \`sudo make test\` to include them." >&2
  exit 77
fi

case "$action" in
  up)
    # A lab left over from an interrupted run is taken down first by `up`.
    "$lab" up
    rc=$?
    if [ $rc -ne 0 ]; then
      echo "the lab did not come up; its logs:" >&2
      for f in "${MULENET_LAB_DIR:?}"/log/*.log; do
        [ -f "$f" ] && { echo "== $f" >&2; tail -n 20 "$f" >&2; }
      done
    fi
    "$lab" status
    exit $rc
    ;;
  down)
    "$lab" down
    left=$(ip netns list | awk '{print $1}' | grep "^${MULENET_LAB_PREFIX:?}" || true)
    [ -z "$left" ] || { echo "lab down left namespaces behind: $left" >&2; exit 1; }
    ;;
  run)
    test_script=$3
    # The fixture may have failed to come up; say so instead of a confusing
    # failure. A few tries: a status probe (amulecmd, natpmpc) can miss once
    # on a loaded machine.
    up=no
    for _ in 1 2 3 4 5; do
      if "$lab" status >/dev/null 2>&1; then up=yes; break; fi
      sleep 1
    done
    [ "$up" = yes ] || { echo "the lab is not (fully) up:" >&2; "$lab" status >&2; exit 1; }
    bash "$test_script" "$lab"
    ;;
  *) echo "usage: $0 up|down LAB | run LAB TEST" >&2; exit 64 ;;
esac
