#!/usr/bin/env bash
# Installs every Debian 12 package mulenet needs to build, test and run.
# Idempotent and quiet when everything is already there; run as root (or with
# sudo available). `make run` and `make test` call it first.
set -euo pipefail

packages=(
  # build
  g++ make cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libpugixml-dev zlib1g-dev libcli11-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # fuzzing (tests/fuzz): clang with libFuzzer
  clang-14 libclang-rt-14-dev
  # what the doctor reads, and what the tests drive
  nftables iptables iproute2
  # used by the CLI tests
  jq netcat-openbsd iputils-ping procps
  # the lab (tests/lab): a router, proxies and a STUN server, stock clients
  miniupnpd miniupnpd-nftables miniupnpc natpmpc coturn
  dante-server microsocks tinyproxy squid openssh-server openssh-client socat curl openssl conntrack
  # benchmarks (bench/run.sh)
  hyperfine tcpdump python3 strace
  # real aMule 2.3.3, whose own amule.conf the config tests use
  amule-daemon amule-utils
  # the status page of `mulenet run`, rendered in a real browser (tests/lab/cases/daemon_run.sh)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

run_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    echo "install-deps: these Debian packages are missing: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or install sudo) to install them." >&2
    exit 1
  fi
}

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Daemons the tests start themselves (squid, tinyproxy, danted, miniupnpd, sshd,
# coturn) must not be started as system services by their packages: Debian's
# policy-rc.d hook says "no" for the time of the install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  run_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  trap 'run_as_root rm -f /usr/sbin/policy-rc.d' EXIT
fi
# A fresh machine has no package lists yet; refresh them once when an install fails.
if ! run_as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/mulenet-apt.log 2>&1; then
  run_as_root apt-get update -q >/tmp/mulenet-apt.log 2>&1
  if ! run_as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/mulenet-apt.log 2>&1; then
    tail -n 20 /tmp/mulenet-apt.log >&2
    echo "install-deps: apt-get failed; the whole log is /tmp/mulenet-apt.log" >&2
    exit 1
  fi
fi
echo "install-deps: done" >&2
