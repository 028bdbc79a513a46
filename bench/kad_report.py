#!/usr/bin/env python3
"""The tables of bench/kad_run.sh: mulenet's Kad verdict times over its runs,
amuled's time to "Connected (ok)" over its own, min/median/p90/max and the
ratios of the medians. Reads the JSON lines the script wrote; judges nothing."""
import argparse
import json
from pathlib import Path

from bench_stats import stats


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def seconds(v, digits=3):
    return "–" if v is None else f"{v:.{digits}f}"


def row(name, s, digits=3):
    if not s.get("n"):
        return f"| {name} | 0 | – | – | – | – |"
    return (f"| {name} | {s['n']} | {seconds(s['min'], digits)} | {seconds(s['median'], digits)} | "
            f"{seconds(s['p90'], digits)} | {seconds(s['max'], digits)} |")


def main():
    p = argparse.ArgumentParser()
    for name in ("mulenet", "amuled", "json", "md", "machine", "started", "load-before", "load-after",
                 "mulenet-version", "amuled-version"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--parallel", type=int, required=True)
    a = p.parse_args()

    m_runs = read_jsonl(a.mulenet)
    a_runs = read_jsonl(a.amuled)
    ok = [r for r in m_runs if r.get("tcp") == "open"]
    tcp_s = stats([r["tcp_open_ms"] / 1000 for r in ok if r.get("tcp_open_ms") is not None])
    all_s = stats([r["all_ms"] / 1000 for r in m_runs if r.get("all_ms") is not None])
    wall_s = stats([r["wall_ms"] / 1000 for r in m_runs if r.get("wall_ms") is not None])
    amuled_s = stats([r["tcp_ok_s"] for r in a_runs])
    ratio = None
    if tcp_s.get("n") and amuled_s.get("n"):
        ratio = amuled_s["median"] / tcp_s["median"]
    verdicts = {}
    for r in m_runs:
        key = f"tcp {r.get('tcp')}, udp {r.get('udp')}"
        verdicts[key] = verdicts.get(key, 0) + 1

    result = {
        "machine": a.machine, "started": a.started, "load_before": a.load_before, "load_after": a.load_after,
        "versions": {"mulenet": a.mulenet_version, "amuled": a.amuled_version},
        "settings": {"runs": a.runs, "amuled_parallel": a.parallel},
        "mulenet": {"tcp_open_s": tcp_s, "all_verdicts_s": all_s, "wall_s": wall_s, "verdicts": verdicts,
                    "runs": m_runs},
        "amuled": {"connected_ok_s": amuled_s, "runs": a_runs},
        "ratio_amuled_to_mulenet_tcp_median": ratio,
    }
    Path(a.json).write_text(json.dumps(result, indent=1) + "\n")

    busy = ""
    try:
        if float(a.load_before.split()[0]) > 1.0:
            busy = "\n**The machine was busy when the run began** (load average above half its CPUs).\n"
    except ValueError:
        pass
    md = [
        "# Kad verdicts: mulenet vs amuled (bench/kad_run.sh)", "",
        f"Machine: {a.machine}; started {a.started}; load average before/after: {a.load_before} / {a.load_after}.",
        f"Versions: {a.mulenet_version}; amuled {a.amuled_version}.", busy,
        "Lab: eight amuled 2.3.3 Kad nodes; every run from a fresh address on the WAN side without NAT (the open "
        "situation), with its own identity and the same nodes.dat (six lab nodes). "
        f"mulenet: `mulenet kad check --no-join`, {a.runs} runs one after another. amuled: {a.runs} fresh instances, "
        f"{a.parallel} at a time, polled with `amulecmd -c status` once a second until \"Kad: Connected (ok)\" "
        "(its TCP verdict; amulecmd shows no UDP one), so its times are whole seconds of polling.", "",
        "Seconds from the start:", "",
        "| | runs | min | median | p90 | max |", "|---|---|---|---|---|---|",
        row("mulenet: TCP verdict \"open\" (the second checker through)", tcp_s),
        row("mulenet: all verdicts (TCP, UDP, external port)", all_s),
        row("mulenet: process wall time", wall_s),
        row("amuled: \"Connected (ok)\"", amuled_s, 1), "",
        f"Ratio of medians, amuled / mulenet TCP verdict: "
        f"{'–' if ratio is None else f'{ratio:.0f}x'}.", "",
        "mulenet's verdicts: " + ", ".join(f"{k} ×{v}" for k, v in sorted(verdicts.items())) + ".", "",
    ]
    Path(a.md).write_text("\n".join(md))


if __name__ == "__main__":
    main()
