#!/usr/bin/env python3
"""The timing loop of bench/portmap_run.sh: runs inside the lab's `lan` node.

    portmap_bench.py measure --out RAW.jsonl --runs N [--cases a,b] [--strace-dir DIR] ...
    portmap_bench.py baseline --out FILE --runs N     # spawn + wait of /bin/true

Each case is what a user types to forward the same three ports (TCP 4662,
UDP 4665, UDP 4672) on the lab router, cold: mulenet in one process per
protocol, the stock clients (natpmpc, upnpc) one process per mapping or all
in one. For each run it times, from just before the first process is
started to just after the last one has exited (processes one after another,
as a shell would run them; a process's own time is recorded too), then
checks on the router that exactly the three forwards are there, then
removes them with the case's own removal commands (timed apart: map +
unmap is a user's whole session) and checks
that the router is empty again (falling back to `upnpc -d`, then to
`lab router flush-mappings`, and saying so). Runs are interleaved: round r
runs every case once, in an order shuffled with a fixed seed, so drifts of
the machine's load hit every case alike. A pause before each run lets
miniupnpd finish sending the SSDP answers it delayed for the run before
(it spreads them over MX seconds).

One JSON object a line per run. Nothing here judges a time.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

PORTS = (("tcp", 4662), ("udp", 4665), ("udp", 4672))
DESCRIPTION = "bench"  # upnpc -e: the mapping's description
LEASE = "3600"  # mulenet's default lease; the same for natpmpc and upnpc -a
PROCESS_TIMEOUT = 60


def make_cases(a):
    """name -> {tool, protocol, discovery, run: [argv...], cleanup: [argv...], note}"""
    mulenet = [a.mulenet, "--config", a.conf]
    url_upnpc = ["upnpc", "-i", "-u", a.desc_url]
    ssdp_upnpc = ["upnpc", "-i"]
    upnp_delete = [url_upnpc + ["-d", str(port), proto.upper()] for proto, port in PORTS]
    r_args = []
    for proto, port in PORTS:
        r_args += [str(port), proto.upper()]
    memory = str(Path(a.conf).parent / "mulenet-router.json")
    cases = {}
    for via in ("pcp", "natpmp", "upnp"):
        cases[f"mulenet-{via}"] = {
            "tool": "mulenet",
            "protocol": via,
            # --via asks only that protocol: the default gateway, then (UPnP) SSDP.
            "discovery": "default gateway; SSDP (answers as they come)" if via == "upnp" else "default gateway",
            "processes": 1,
            # Cold: no description URL remembered from an earlier run.
            "prepare": [["rm", "-f", memory]],
            "run": [mulenet + ["map", "--once", "--keep", "--via", via]],
            "cleanup": [mulenet + ["unmap"]],
        }
    cases["mulenet-upnp-remembered"] = {
        "tool": "mulenet",
        "protocol": "upnp",
        "discovery": "the description URL remembered from the last run (checked by fetching it; SSDP if it fails)",
        "processes": 1,
        # A run the way a user's previous one left it: map and unmap once, untimed.
        "prepare": [["rm", "-f", memory], mulenet + ["map", "--once", "--keep", "--via", "upnp"], mulenet + ["unmap"]],
        "run": [mulenet + ["map", "--once", "--keep", "--via", "upnp"]],
        "cleanup": [mulenet + ["unmap"]],
    }
    cases["natpmpc"] = {
        "tool": "natpmpc",
        "protocol": "natpmp",
        "discovery": "none (-g gateway)",
        "processes": len(PORTS),
        "run": [["natpmpc", "-g", a.gateway, "-a", str(port), str(port), proto, LEASE] for proto, port in PORTS],
        "cleanup": [["natpmpc", "-g", a.gateway, "-a", str(port), str(port), proto, "0"] for proto, port in PORTS],
    }
    for variant, base, discovery in (("url", url_upnpc, "none (-u description URL)"),
                                     ("ssdp", ssdp_upnpc, "SSDP (upnpc's own, 2 s)")):
        cases[f"upnpc-{variant}-a"] = {
            "tool": "upnpc",
            "protocol": "upnp",
            "discovery": discovery,
            "processes": len(PORTS),
            "run": [base + ["-e", DESCRIPTION, "-a", a.client, str(port), str(port), proto.upper(), LEASE]
                    for proto, port in PORTS],
            "cleanup": upnp_delete,
        }
        cases[f"upnpc-{variant}-r"] = {
            "tool": "upnpc",
            "protocol": "upnp",
            "discovery": discovery,
            "processes": 1,
            "run": [base + ["-e", DESCRIPTION, "-r"] + r_args],
            "cleanup": upnp_delete,
            "note": "upnpc -r asks for lease 0 (permanent); miniupnpd 2.3 records 604800 s",
        }
    return cases


def expected_mappings(client):
    return sorted(f"{proto} {port} -> {client}:{port}" for proto, port in PORTS)


def router_mappings(lab):
    """The router's forwards, as `lab router mappings` lists them."""
    p = subprocess.run([lab, "router", "mappings"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"lab router mappings failed: {p.stderr.strip()}")
    return sorted(line.strip() for line in p.stdout.splitlines() if line.strip())


def run_quiet(argv, log):
    with open(log, "ab") as out:
        try:
            return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=PROCESS_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            return -1


def make_clean(a, case, log):
    """Removes what is on the router: the case's own commands first, timed
    (map + unmap is what a user's session costs). Returns (ok, how, ns): how
    is None when the case's own removal sufficed; ns is the time of the case's
    own removal commands, one after another."""
    ns = 0
    for argv in case["cleanup"]:
        _, took, _, _ = timed(argv, log)
        ns += took
    left = router_mappings(a.lab)
    if not left:
        return True, None, ns
    how = f"own removal left {left}"
    for line in left:  # "udp 4665 -> 192.168.77.10:4665"
        parts = line.split()
        if len(parts) >= 2:
            run_quiet(["upnpc", "-i", "-u", a.desc_url, "-d", parts[1], parts[0].upper()], log)
    left = router_mappings(a.lab)
    if not left:
        return True, how + "; removed by upnpc -d", ns
    subprocess.run([a.lab, "router", "flush-mappings"], capture_output=True, timeout=30)
    left = router_mappings(a.lab)
    return not left, how + "; lab router flush-mappings" + ("" if not left else f", still there: {left}"), ns


def timed(argv, log):
    """Runs argv to its end; (rc, perf ns, wall start ns, wall end ns)."""
    with open(log, "ab") as out:
        wall0 = time.time_ns()
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        try:
            rc = p.wait(timeout=PROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = -9
        t1 = time.perf_counter_ns()
        wall1 = time.time_ns()
    return rc, t1 - t0, wall0, wall1


def measure(a):
    cases = make_cases(a)
    names = list(cases) if not a.cases else a.cases.split(",")
    for n in names:
        if n not in cases:
            sys.exit(f"portmap_bench: unknown case {n} (known: {', '.join(cases)})")
    expected = expected_mappings(a.client)
    logs = Path(a.logs)
    logs.mkdir(parents=True, exist_ok=True)
    rng = random.Random(a.seed)
    out = open(a.out, "a")
    # Start from an empty router.
    if router_mappings(a.lab):
        subprocess.run([a.lab, "router", "flush-mappings"], capture_output=True, timeout=30)
    for rnd in range(1, a.runs + 1):
        order = names[:]
        rng.shuffle(order)
        for pos, name in enumerate(order):
            case = cases[name]
            log = logs / f"{name}.log"
            time.sleep(a.settle)
            before = router_mappings(a.lab)
            pre_fix = None
            if before:
                _, pre_fix, _ = make_clean(a, case, log)
                pre_fix = f"router not empty before the run: {before}; {pre_fix}"
            for argv in case.get("prepare", []):
                run_quiet(argv, log)
            with open(log, "ab") as f:
                f.write(f"\n=== round {rnd} ===\n".encode())
            procs = []
            strace_files = []
            t_start = time.perf_counter_ns()
            for i, argv in enumerate(case["run"]):
                if a.strace_dir and case["tool"] == "mulenet":
                    sf = Path(a.strace_dir) / f"{name}-{rnd}-{i}.txt"
                    strace_files.append(str(sf))
                    argv = ["strace", "-f", "-T", "-e", "trace=fsync,fdatasync,sync_file_range", "-o", str(sf)] + argv
                rc, ns, w0, w1 = timed(argv, log)
                procs.append({"rc": rc, "ns": ns, "wall_start_ns": w0, "wall_end_ns": w1})
            total = time.perf_counter_ns() - t_start
            after = router_mappings(a.lab)
            mapped_ok = after == expected
            clean_ok, clean_how, unmap_ns = make_clean(a, case, log)
            rec = {
                "case": name,
                "round": rnd,
                "position": pos,
                "ns": total,
                "processes": procs,
                "all_rc_zero": all(p["rc"] == 0 for p in procs),
                "mapped": after,
                "mapped_ok": mapped_ok,
                "ok": mapped_ok and all(p["rc"] == 0 for p in procs),
                "cleanup_ok": clean_ok,
                "unmap_ns": unmap_ns,
                "cleanup_fallback": clean_how,
                "pre_fix": pre_fix,
            }
            if strace_files:
                rec["strace"] = strace_files
            out.write(json.dumps(rec) + "\n")
            out.flush()
            if not rec["ok"]:
                print(f"portmap_bench: {name} round {rnd}: rc {[p['rc'] for p in procs]}, router has {after} "
                      f"(see {log})", file=sys.stderr)
        print(f"portmap_bench: round {rnd}/{a.runs} done", file=sys.stderr)
    out.close()


def baseline(a):
    """What the loop itself adds per process: spawn + wait of /bin/true."""
    values = []
    for _ in range(a.runs):
        rc, ns, _, _ = timed(["/bin/true"], os.devnull)
        values.append(ns)
    Path(a.out).write_text(json.dumps({"argv": ["/bin/true"], "ns": values}) + "\n")


def describe(a):
    cases = make_cases(a)
    names = list(cases) if not a.cases else [n for n in a.cases.split(",") if n in cases]
    print(json.dumps({n: cases[n] for n in names}, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("measure", "describe"):
        p = sub.add_parser(name)
        p.add_argument("--mulenet", required=True)
        p.add_argument("--conf", required=True)
        p.add_argument("--lab", required=True, help="tests/lab/lab (with MULENET_LAB_* in the environment)")
        p.add_argument("--desc-url", required=True)
        p.add_argument("--gateway", required=True)
        p.add_argument("--client", required=True)
        p.add_argument("--runs", type=int, default=30)
        p.add_argument("--cases", default="")
        p.add_argument("--settle", type=float, default=1.0, help="seconds to wait before each run")
        p.add_argument("--seed", type=int, default=5)
        p.add_argument("--out", default="/dev/stdout")
        p.add_argument("--logs", default="/tmp")
        p.add_argument("--strace-dir", default="")
    p = sub.add_parser("baseline")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--out", required=True)
    a = ap.parse_args()
    {"measure": measure, "baseline": baseline, "describe": describe}[a.cmd](a)


if __name__ == "__main__":
    main()
