"""The report of bench/fuzz_long.sh: one row per fuzz target from its
libFuzzer log (-print_final_stats=1) and its work folder, into
bench/results/fuzz.json and bench/results/fuzz.md. A finding is any target
that exited non-zero or left an artifact; the exit code says whether there
was one."""
import argparse
import json
import os
import platform
import re
import sys

FINDING_KINDS = [
    ("*** fuzz property violated", "property"),
    ("ERROR: AddressSanitizer", "asan"),
    ("ERROR: LeakSanitizer", "leak"),
    ("runtime error:", "ubsan"),
    ("ERROR: libFuzzer: timeout", "timeout"),
    ("ERROR: libFuzzer: out-of-memory", "out-of-memory"),
    ("ERROR: libFuzzer: deadly signal", "crash"),
]


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def stat(log, name):
    m = re.search(r"^stat::%s:\s*(\d+)" % re.escape(name), log, re.M)
    return int(m.group(1)) if m else None


def target_row(work, name, runs):
    d = os.path.join(work, name)
    log = read(os.path.join(d, "log"))
    cov = re.findall(r"^#\d+\s+\S+\s+cov: (\d+) ft: (\d+)", log, re.M)
    artifacts = sorted(os.listdir(os.path.join(d, "artifacts"))) if os.path.isdir(os.path.join(d, "artifacts")) else []
    exit_code = int(read(os.path.join(d, "exit"), "-1") or -1)
    kinds = sorted({kind for marker, kind in FINDING_KINDS if marker in log})
    executions = stat(log, "number_of_executed_units")
    seconds = float(read(os.path.join(d, "seconds"), "0") or 0)
    return {
        "target": name,
        "executions": executions,
        "exec_per_s": stat(log, "average_exec_per_sec"),
        "seconds": seconds,
        "reached_runs": executions is not None and executions >= runs,
        "cov": int(cov[-1][0]) if cov else None,
        "ft": int(cov[-1][1]) if cov else None,
        "seeds": int(read(os.path.join(d, "seeds"), "0") or 0),
        "corpus_before": int(read(os.path.join(d, "corpus_before"), "0") or 0),
        "corpus_after": int(read(os.path.join(d, "corpus_after"), "0") or 0),
        "new_units": stat(log, "new_units_added"),
        "slowest_unit_s": stat(log, "slowest_unit_time_sec"),
        "peak_rss_mb": stat(log, "peak_rss_mb"),
        "exit": exit_code,
        "findings": {"kinds": kinds, "artifacts": artifacts} if exit_code != 0 or artifacts else None,
    }


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown(meta, rows):
    total = sum(r["executions"] or 0 for r in rows)
    found = [r for r in rows if r["findings"]]
    lines = [
        "# Fuzzing for real: every target, with ASan and UBSan",
        "",
        f"`bash bench/fuzz_long.sh` (`make fuzz-long`) at {meta['tree']}, started {meta['started']}; "
        f"each target until {meta['runs']:,} executions or {meta['time']} s, {meta['jobs']} at a time.",
        f"Machine: {meta['machine']}; load before {meta['load_before']}, after {meta['load_after']}; "
        f"{meta['compiler']}.",
        "",
        f"**{len(rows)} targets, {total:,} executions in all, "
        f"{sum(1 for r in rows if r['reached_runs'])} reached {meta['runs']:,}; "
        f"{len(found)} with findings.**",
        "",
        "| target | executions | exec/s | s | cov | ft | corpus: seeds → after | new units | slowest unit s |"
        " peak RSS MB | findings |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        finding = "none"
        if r["findings"]:
            finding = (", ".join(r["findings"]["kinds"]) or f"exit {r['exit']}") + (
                f" ({len(r['findings']['artifacts'])} input(s) kept)" if r["findings"]["artifacts"] else "")
        lines.append(
            f"| `{r['target']}` | {fmt(r['executions'])} | {fmt(r['exec_per_s'])} | {fmt(r['seconds'])} | "
            f"{fmt(r['cov'])} | {fmt(r['ft'])} | {r['seeds']} → {r['corpus_after']} | {fmt(r['new_units'])} | "
            f"{fmt(r['slowest_unit_s'])} | {fmt(r['peak_rss_mb'])} | {finding} |")
    lines += [
        "",
        "cov and ft are libFuzzer's coverage counters (edges, features) at the end of the run. The corpus",
        "after the run is kept in the work folder, not in the repository; an input that broke a property is",
        "added to `tests/fuzz/corpus/NAME/` as `crash-*` once fixed, so `make test` keeps it fixed.",
    ]
    if meta.get("notes"):
        lines += ["", meta["notes"]]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--time", type=int, required=True)
    p.add_argument("--jobs", type=int, required=True)
    p.add_argument("--started", required=True)
    p.add_argument("--load-before", required=True)
    p.add_argument("--load-after", required=True)
    p.add_argument("--tree", required=True)
    p.add_argument("--compiler", required=True)
    p.add_argument("--notes", default=os.environ.get("FUZZ_NOTES", ""))
    p.add_argument("targets", nargs="+")
    a = p.parse_args()
    rows = [target_row(a.work, t, a.runs) for t in a.targets]
    meta = {
        "tree": a.tree, "started": a.started, "runs": a.runs, "time": a.time, "jobs": a.jobs,
        "load_before": a.load_before, "load_after": a.load_after, "compiler": a.compiler,
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}", "notes": a.notes,
    }
    with open(os.path.join(a.out, "fuzz.json"), "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "targets": rows}, f, indent=1)
    with open(os.path.join(a.out, "fuzz.md"), "w", encoding="utf-8") as f:
        f.write(markdown(meta, rows))
    found = [r["target"] for r in rows if r["findings"]]
    print(f"fuzz-long: {len(rows)} targets, {sum(r['executions'] or 0 for r in rows):,} executions; "
          f"findings in: {', '.join(found) if found else 'none'}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
