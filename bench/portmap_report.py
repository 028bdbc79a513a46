#!/usr/bin/env python3
"""The numbers of bench/portmap_run.sh: raw measurements in, JSON + markdown out.

    portmap_report.py report WORK_DIR OUT_JSON OUT_MD

WORK_DIR holds what portmap_run.sh gathered:

    machine.txt, settings.txt  KEY=VALUE lines
    cases.json                 the cases (portmap_bench.py describe)
    raw.jsonl                  the timed runs (portmap_bench.py measure), one a line
    baseline.json              spawn + wait of /bin/true from the same loop
    trace.jsonl + pcap.txt     a few more runs of each case, under `tcpdump -tt -A`
                               in the lan node (not counted in the timings)
    strace.jsonl + strace/     a few runs of the mulenet cases under strace (fsyncs)

Every number is a measurement; nothing here judges it.
"""
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bench_stats import quantile, stats

CLIENT = "192.168.77.10"
ROUTER = "192.168.77.1"

# (mulenet case, stock case, what differs)
PAIRS = (
    ("mulenet-pcp", "natpmpc", "no PCP client in Debian: natpmpc is the nearest stock tool (same daemon, same "
                               "UDP port, one exchange per mapping)"),
    ("mulenet-natpmp", "natpmpc", ""),
    ("mulenet-upnp", "upnpc-url-a", "upnpc is given the description URL and skips discovery; mulenet discovers"),
    ("mulenet-upnp", "upnpc-url-r", "upnpc is given the description URL and skips discovery; mulenet discovers"),
    ("mulenet-upnp", "upnpc-ssdp-a", "both discover the router by SSDP"),
    ("mulenet-upnp", "upnpc-ssdp-r", "both discover the router by SSDP"),
    ("mulenet-upnp-remembered", "upnpc-url-a", "both start from the description URL: mulenet from the one it "
                                               "remembered, upnpc from -u"),
    ("mulenet-upnp-remembered", "upnpc-url-r", "both start from the description URL"),
)
CASE_ORDER = ("mulenet-pcp", "mulenet-natpmp", "mulenet-upnp", "mulenet-upnp-remembered", "natpmpc", "upnpc-url-a",
              "upnpc-url-r", "upnpc-ssdp-a", "upnpc-ssdp-r")


def read_kv(path):
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
    return out


def read_jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --- packet capture ------------------------------------------------------------

HEADER = re.compile(r"^(?P<ts>\d{9,}\.\d{6}) IP (?P<src>[\d.]+)\.(?P<sport>\d+) > (?P<dst>[\d.]+)\.(?P<dport>\d+): "
                    r"(?P<rest>.*)$")
LENGTH = re.compile(r"length (\d+)")
SOAP_ACTION = re.compile(r"SOAPAction:\s*\"?[^#\r\n\"]*#(\w+)", re.IGNORECASE)
UDP_LABELS = {2: "NAT-PMP address", 12: "NAT-PMP map", 24: "PCP announce", 60: "PCP map"}
MAP_LABELS = {"NAT-PMP map", "PCP map", "AddPortMapping"}


def read_tcpdump(text):
    """tcpdump -nn -tt -A text -> packets (dicts), each with its payload as text."""
    packets = []
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            rest = m.group("rest")
            length = LENGTH.search(rest)
            packets.append({
                "ts": float(m.group("ts")), "src": m.group("src"), "sport": int(m.group("sport")),
                "dst": m.group("dst"), "dport": int(m.group("dport")),
                "udp": rest.startswith("UDP"), "syn": "Flags [S]" in rest,
                "len": int(length.group(1)) if length else 0, "payload": "",
            })
        elif packets:
            packets[-1]["payload"] += line + "\n"
    return packets


def union_length(intervals):
    total, end = 0.0, None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def exchanges(pk, window_end):
    """The request/answer pairs of one process: (label, start, end, answered)."""
    out = []
    by_flow = defaultdict(list)
    for p in pk:
        if p["src"] == CLIENT:
            by_flow[(p["udp"], p["sport"], p["dport"] if p["dport"] in (5351, 5000) else 1900)].append(p)
        elif p["dst"] == CLIENT:
            by_flow[(p["udp"], p["dport"], p["sport"] if p["sport"] in (5351, 5000) else 1900)].append(p)
    for (udp, cport, sport), flow in by_flow.items():
        requests = [p for p in flow if p["src"] == CLIENT]
        if not requests:
            continue
        start = requests[0]["ts"]
        answers = [p for p in flow if p["src"] == ROUTER and p["ts"] >= start]
        if udp and sport == 5351:
            # One socket may carry several exchanges (natpmpc: the address, then the mapping): a
            # request opens one unless the open one has the same size (a retransmission); an
            # answer closes it.
            current = None
            for p in flow:
                if p["src"] == CLIENT:
                    if current is not None and not current["answered"] and current["len"] == p["len"]:
                        current["sends"] += 1
                        continue
                    current = {"label": UDP_LABELS.get(p["len"], f"UDP {p['len']} bytes to 5351"), "start": p["ts"],
                               "end": window_end, "answered": False, "sends": 1, "len": p["len"]}
                    out.append(current)
                elif current is not None and not current["answered"]:
                    current["end"] = p["ts"]
                    current["answered"] = True
        elif udp:
            end = answers[0]["ts"] if answers else window_end
            out.append({"label": "SSDP search", "start": start, "end": end, "answered": bool(answers),
                        "sends": len(requests), "ssdp": True})
        else:
            text = "".join(p["payload"] for p in requests)
            m = SOAP_ACTION.search(text)
            label = m.group(1) if m else ("GET description" if "GET /" in text else "HTTP")
            data = [p for p in answers if p["len"] > 0]
            end = data[-1]["ts"] if data else window_end
            out.append({"label": label, "start": start, "end": end, "answered": bool(data), "sends": 1})
    out.sort(key=lambda e: e["start"])
    return out


def breakdown(record, packets):
    """Where one traced run's time went, in seconds."""
    procs = record["processes"]
    res = {"wall": record["ns"] / 1e9, "before_first_packet": 0.0, "after_last_packet": 0.0, "router_wait": 0.0,
           "ssdp_wait": 0.0, "ssdp_linger": 0.0, "to_first_map_request": None, "labels": Counter(),
           "udp_requests": 0, "ssdp_datagrams": 0, "http_requests": 0, "exchanges": []}
    run_start = procs[0]["wall_start_ns"] / 1e9
    for proc in procs:
        s, e = proc["wall_start_ns"] / 1e9, proc["wall_end_ns"] / 1e9
        pk = [p for p in packets if s <= p["ts"] <= e]
        if not pk:
            res["before_first_packet"] += e - s
            continue
        res["before_first_packet"] += pk[0]["ts"] - s
        res["after_last_packet"] += e - pk[-1]["ts"]
        ex = exchanges(pk, e)
        res["router_wait"] += union_length([(x["start"], x["end"]) for x in ex])
        for x in ex:
            res["labels"][x["label"]] += 1
            if x.get("ssdp"):
                res["ssdp_datagrams"] += x["sends"]
                res["ssdp_wait"] += x["end"] - x["start"]
                # From the first answer until the client asks for the description.
                later = [y for y in ex if not y.get("ssdp") and y["start"] >= x["end"] and y["label"] == "GET description"]
                if x["answered"] and later:
                    res["ssdp_linger"] += later[0]["start"] - x["end"]
            elif x["label"] in UDP_LABELS.values() or x["label"].startswith("UDP"):
                res["udp_requests"] += x["sends"]
            else:
                res["http_requests"] += 1
            if x["label"] in MAP_LABELS and res["to_first_map_request"] is None:
                res["to_first_map_request"] = x["start"] - run_start
            res["exchanges"].append({"label": x["label"], "ms": (x["end"] - x["start"]) * 1e3,
                                     "answered": x["answered"]})
    res["client_between"] = (res["wall"] - res["before_first_packet"] - res["after_last_packet"] - res["router_wait"]
                             - res["ssdp_linger"])
    return res


# --- strace ----------------------------------------------------------------------

STRACE_SYSCALL = re.compile(r"\b(fsync|fdatasync|sync_file_range)\(.*<(\d+\.\d+)>\s*$")


def fsyncs(files):
    n, seconds = 0, 0.0
    for f in files:
        p = Path(f)
        if not p.exists():
            continue
        for line in p.read_text().splitlines():
            m = STRACE_SYSCALL.search(line)
            if m:
                n += 1
                seconds += float(m.group(2))
    return n, seconds


# --- report ------------------------------------------------------------------------

def ms(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def report(work, out_json, out_md):
    work = Path(work)
    machine = read_kv(work / "machine.txt")
    settings = read_kv(work / "settings.txt")
    cases = json.loads((work / "cases.json").read_text())
    raw = read_jsonl(work / "raw.jsonl")
    names = [n for n in CASE_ORDER if n in cases] + [n for n in cases if n not in CASE_ORDER]

    # Timed runs.
    timing = {}
    for name in names:
        runs = [r for r in raw if r["case"] == name]
        ok = [r for r in runs if r["ok"]]
        per_process = [p["ns"] / 1e6 for r in ok for p in r["processes"]]
        timing[name] = {
            "runs": len(runs), "ok": len(ok), "failed": len(runs) - len(ok),
            "cleanup_fallbacks": [f"round {r['round']}: {r['cleanup_fallback']}" for r in runs if r["cleanup_fallback"]],
            "pre_fixes": [f"round {r['round']}: {r['pre_fix']}" for r in runs if r["pre_fix"]],
            "failures": [{"round": r["round"], "rcs": [p["rc"] for p in r["processes"]], "router": r["mapped"]}
                         for r in runs if not r["ok"]],
            "ms": stats([r["ns"] / 1e6 for r in ok]),
            # The whole session: map, then the case's own removal (older raw files have no unmap_ns).
            "map_unmap_ms": stats([(r["ns"] + r["unmap_ns"]) / 1e6 for r in ok if r.get("unmap_ns")]),
            "per_process_ms": stats(per_process),
            "samples_ms": [round(r["ns"] / 1e6, 3) for r in ok],
        }
    ratios = []
    for m, s, note in PAIRS:
        if m not in timing or s not in timing:
            continue
        a, b = timing[m]["ms"], timing[s]["ms"]
        if not a.get("n") or not b.get("n"):
            continue
        ratios.append({"mulenet": m, "stock": s, "note": note, "mulenet_median_ms": a["median"],
                       "mulenet_p90_ms": a["p90"], "stock_median_ms": b["median"], "stock_p90_ms": b["p90"],
                       "ratio_median": a["median"] / b["median"], "ratio_p90": a["p90"] / b["p90"]})
    session_ratios = []
    for m, s_, note in PAIRS:
        if m not in timing or s_ not in timing:
            continue
        a, b = timing[m]["map_unmap_ms"], timing[s_]["map_unmap_ms"]
        if not a.get("n") or not b.get("n"):
            continue
        session_ratios.append({"mulenet": m, "stock": s_, "mulenet_median_ms": a["median"], "mulenet_p90_ms": a["p90"],
                               "stock_median_ms": b["median"], "stock_p90_ms": b["p90"],
                               "ratio_median": a["median"] / b["median"], "ratio_p90": a["p90"] / b["p90"]})

    base = {}
    if (work / "baseline.json").exists():
        b = json.loads((work / "baseline.json").read_text())
        base = stats([v / 1e6 for v in b["ns"]])

    # Traced runs.
    trace = read_jsonl(work / "trace.jsonl")
    packets = read_tcpdump((work / "pcap.txt").read_text(errors="replace")) if (work / "pcap.txt").exists() else []
    traced = {}
    answer_times = defaultdict(lambda: {"mulenet": [], "stock": []})
    for name in names:
        runs = [r for r in trace if r["case"] == name and r["ok"]]
        bds = [breakdown(r, packets) for r in runs]
        if not bds:
            continue
        for bd in bds:
            for x in bd["exchanges"]:
                if x["answered"]:
                    answer_times[x["label"]]["mulenet" if cases[name]["tool"] == "mulenet" else "stock"].append(x["ms"])

        def med(key, scale=1e3):
            vals = [bd[key] * scale for bd in bds if bd[key] is not None]
            return quantile(vals, 0.5) if vals else None

        labels = Counter()
        for bd in bds:
            labels.update(bd["labels"])
        traced[name] = {
            "runs": len(bds),
            "wall_ms": med("wall"),
            "before_first_packet_ms": med("before_first_packet"),
            "router_wait_ms": med("router_wait"),
            "ssdp_wait_ms": med("ssdp_wait"),
            "ssdp_linger_ms": med("ssdp_linger"),
            "client_between_ms": med("client_between"),
            "after_last_packet_ms": med("after_last_packet"),
            "to_first_map_request_ms": med("to_first_map_request"),
            "udp_requests": med("udp_requests", 1),
            "ssdp_datagrams": med("ssdp_datagrams", 1),
            "http_requests": med("http_requests", 1),
            "exchanges_per_run": {k: v / len(bds) for k, v in sorted(labels.items())},
            "runs_detail": [{k: (round(v * 1e3, 3) if isinstance(v, float) else v)
                             for k, v in bd.items() if k not in ("labels", "exchanges")} for bd in bds],
        }
    answers = {k: {g: stats(vals) for g, vals in v.items()} for k, v in sorted(answer_times.items())}

    # strace runs of mulenet.
    syscalls = {}
    for r in read_jsonl(work / "strace.jsonl"):
        n, secs = fsyncs(r.get("strace", []))
        d = syscalls.setdefault(r["case"], {"runs": 0, "fsync_counts": [], "fsync_ms": []})
        d["runs"] += 1
        d["fsync_counts"].append(n)
        d["fsync_ms"].append(secs * 1e3)
    for d in syscalls.values():
        d["fsyncs_per_run"] = quantile(d["fsync_counts"], 0.5)
        d["fsync_ms_per_run"] = stats(d["fsync_ms"])

    result = {"machine": machine, "settings": settings, "cases": cases, "timing": timing, "ratios": ratios,
              "map_unmap_ratios": session_ratios,
              "loop_baseline_ms": base, "trace": traced, "router_answer_ms": answers, "mulenet_fsyncs": syscalls}
    Path(out_json).write_text(json.dumps(result, indent=1) + "\n")
    Path(out_md).write_text(markdown(result, names))
    print(markdown_tables(result, names))


def shown(argv):
    """argv as the markdown shows it: `mulenet` for the binary's path, CONF for its config file."""
    out = []
    for i, arg in enumerate(argv):
        if i == 0 and arg.endswith("/mulenet"):
            arg = "mulenet"
        elif i > 0 and argv[i - 1] == "--config":
            arg = "CONF"
        out.append(arg)
    return " ".join(out)


def command_text(case):
    lines = [shown(argv) for argv in case["run"]]
    text = lines[0] if len(lines) == 1 else f"{lines[0]} (+{len(lines) - 1} more)"
    return text.replace("|", "\\|")


def markdown_tables(r, names):
    t = r["timing"]
    out = ["## Wall time until all three ports are mapped, cold", "",
           "From starting the (first) process to the exit of the (last) one; the router had no mapping before each "
           "run and is checked to hold exactly the three afterwards. Milliseconds over the successful runs.", "",
           "| case | discovery | processes | runs ok | median ms | p90 ms | min ms | max ms | per process median ms |",
           "|---|---|---|---|---|---|---|---|---|"]
    for n in names:
        c, s = r["cases"][n], t[n]["ms"]
        out.append(f"| {n} | {c['discovery']} | {c['processes']} | {t[n]['ok']}/{t[n]['runs']} | {ms(s.get('median'))} "
                   f"| {ms(s.get('p90'))} | {ms(s.get('min'))} | {ms(s.get('max'))} | "
                   f"{ms(t[n]['per_process_ms'].get('median'))} |")
    out += ["", "## Ratios mulenet / stock (below 1: mulenet is faster)", "",
            "| mulenet | stock | mulenet median (p90) ms | stock median (p90) ms | ratio of medians | ratio of p90s | note |",
            "|---|---|---|---|---|---|---|"]
    for x in r["ratios"]:
        out.append(f"| {x['mulenet']} | {x['stock']} | {ms(x['mulenet_median_ms'])} ({ms(x['mulenet_p90_ms'])}) | "
                   f"{ms(x['stock_median_ms'])} ({ms(x['stock_p90_ms'])}) | {x['ratio_median']:.2f} | "
                   f"{x['ratio_p90']:.2f} | {x['note']} |")
    if r.get("map_unmap_ratios"):
        out += ["", "## Map, then unmap: a user's whole session", "",
                "The timed map as above plus the case's own removal commands (mulenet unmap; natpmpc with lifetime 0; "
                "upnpc -d with the URL), one after another. Milliseconds.", "",
                "| case | median ms | p90 ms | min ms | max ms |", "|---|---|---|---|---|"]
        for n in names:
            s_ = t[n].get("map_unmap_ms") or {}
            if s_.get("n"):
                out.append(f"| {n} | {ms(s_.get('median'))} | {ms(s_.get('p90'))} | {ms(s_.get('min'))} | "
                           f"{ms(s_.get('max'))} |")
        out += ["", "| mulenet | stock | mulenet median (p90) ms | stock median (p90) ms | ratio of medians | "
                "ratio of p90s |", "|---|---|---|---|---|---|"]
        for x in r["map_unmap_ratios"]:
            out.append(f"| {x['mulenet']} | {x['stock']} | {ms(x['mulenet_median_ms'])} ({ms(x['mulenet_p90_ms'])}) | "
                       f"{ms(x['stock_median_ms'])} ({ms(x['stock_p90_ms'])}) | {x['ratio_median']:.2f} | "
                       f"{x['ratio_p90']:.2f} |")
    if r["trace"]:
        out += ["", "## Where the time goes (packet capture of a few more runs per case, medians, ms)", "",
                "before 1st packet: from the process start until its first request leaves (summed over the "
                "processes of a case); waiting for router: the union of the intervals from each request until "
                "its answer (SSDP: until the first answer), of which SSDP; SSDP linger: from the first SSDP answer "
                "until the description is fetched (upnpc keeps listening for its full discovery time); client "
                "between: the rest of the time between packets (the client's own work: parsing, journal writes, "
                "and starting the next process); after last packet: until the process has exited. "
                "To 1st map request: from the start until the first request that creates a mapping (NAT-PMP/PCP "
                "MAP, AddPortMapping) leaves. Requests: UDP to 5351 / SSDP datagrams / HTTP connections.", "",
                "| case | runs | wall | before 1st packet | waiting for router | of which SSDP | SSDP linger | "
                "client between | after last packet | to 1st map request | requests UDP/SSDP/HTTP |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for n in names:
            if n not in r["trace"]:
                continue
            x = r["trace"][n]
            out.append(f"| {n} | {x['runs']} | {ms(x['wall_ms'])} | {ms(x['before_first_packet_ms'])} | "
                       f"{ms(x['router_wait_ms'])} | {ms(x['ssdp_wait_ms'])} | {ms(x['ssdp_linger_ms'])} | "
                       f"{ms(x['client_between_ms'])} | {ms(x['after_last_packet_ms'])} | "
                       f"{ms(x['to_first_map_request_ms'])} | {ms(x['udp_requests'], 0)}/{ms(x['ssdp_datagrams'], 0)}/"
                       f"{ms(x['http_requests'], 0)} |")
        out += ["", "Exchanges per run:", ""]
        for n in names:
            if n in r["trace"]:
                ex = ", ".join(f"{k} ×{v:g}" for k, v in r["trace"][n]["exchanges_per_run"].items())
                out.append(f"- {n}: {ex}")
        out += ["", "### The router's answer time by request (all traced runs, ms)", "",
                "From the request (for HTTP: the SYN) until the last byte of the answer; for SSDP until the first "
                "answer. The same router, asked by mulenet or by the stock tools.", "",
                "| request | mulenet: n | median | p90 | max | stock: n | median | p90 | max |",
                "|---|---|---|---|---|---|---|---|---|"]
        for k, g in r["router_answer_ms"].items():
            cells = []
            for group in ("mulenet", "stock"):
                s = g[group]
                cells += [str(s["n"]), ms(s.get("median")), ms(s.get("p90")), ms(s.get("max"))]
            out.append(f"| {k} | " + " | ".join(cells) + " |")
    if r["mulenet_fsyncs"]:
        out += ["", "### mulenet's journal writes (strace, a few runs per case)", "",
                "| case | runs | fsync calls per run | fsync ms per run, median (max) |", "|---|---|---|---|"]
        for n in names:
            if n in r["mulenet_fsyncs"]:
                d = r["mulenet_fsyncs"][n]
                out.append(f"| {n} | {d['runs']} | {ms(d['fsyncs_per_run'], 0)} | "
                           f"{ms(d['fsync_ms_per_run'].get('median'))} ({ms(d['fsync_ms_per_run'].get('max'))}) |")
    return "\n".join(out) + "\n"


def markdown(r, names):
    m, s = r["machine"], r["settings"]
    head = ["# Port mapping: time until all ports are mapped, mulenet vs upnpc and natpmpc", "",
            "Issue 5 item 7. Written by `bench/portmap_run.sh` (see `bench/README.md`); every number and sample is "
            "in `portmap.json`.", "",
            f"Machine: {m.get('cpu', '?')}, {m.get('nproc', '?')} CPUs, kernel {m.get('kernel', '?')}; {m.get('date', '?')}; "
            f"load average before/after: {m.get('loadavg_before', '?')} / {m.get('loadavg_after', '?')}.",
            f"Versions: mulenet {m.get('mulenet', '?')} (tree {m.get('mulenet_commit', '?')}, binary "
            f"{m.get('mulenet_binary', '?')}, {m.get('compiler', '?')}, Release); miniupnpd {m.get('miniupnpd', '?')}; upnpc {m.get('upnpc', '?')} (miniupnpc "
            f"{m.get('miniupnpc_pkg', '?')}); natpmpc {m.get('natpmpc', '?')}; Python {m.get('python', '?')}.",
            f"Settings: {s.get('runs', '?')} runs per case, in {s.get('runs', '?')} rounds that run every case once in "
            f"a shuffled order (seed {s.get('seed', '?')}); {s.get('settle', '?')} s pause before each run; "
            f"{s.get('trace_runs', '?')} more runs per case under tcpdump, {s.get('strace_runs', '?')} of each mulenet "
            f"case under strace (neither counted in the timings). Lab router 192.168.77.1 (miniupnpd: UPnP IGD, "
            f"NAT-PMP, PCP), client 192.168.77.10 (`lan` node). mulenet's config and journal in a folder on "
            f"{m.get('config_fs', '?')}.",
            f"The timing loop itself (spawn + wait of `/bin/true`) costs {ms(r['loop_baseline_ms'].get('median'), 2)} ms "
            f"per process (median), included in every number below.", ""]
    try:
        busy = float(m.get("loadavg_before", "0").split()[0]) > int(m.get("nproc", "1")) / 2
    except ValueError:
        busy = False
    if busy:
        head += ["**The machine was busy** during this run (load average above half its CPUs): the times carry "
                 "scheduling noise, the p90s most. Every case ran in the same interleaved rounds, so the ratios "
                 "are still comparable.", ""]
    bad = [n for n in names if r["timing"][n]["failed"] or r["timing"][n]["cleanup_fallbacks"]
           or r["timing"][n]["pre_fixes"]]
    if bad:
        head += ["Runs that did not map all three ports, or whose removal needed help:", ""]
        for n in bad:
            t = r["timing"][n]
            for f in t["failures"]:
                head.append(f"- {n} round {f['round']}: exit codes {f['rcs']}, router had {f['router']}")
            for f in t["cleanup_fallbacks"] + t["pre_fixes"]:
                head.append(f"- {n} {f}")
        head.append("")
    cmds = ["## The commands", ""]
    for n in names:
        c = r["cases"][n]
        cmds.append(f"- **{n}**: `{command_text(c)}`" + (f" — {c['note']}" if c.get("note") else ""))
    cmds += ["", "CONF holds only `[eMule]` `UPnPEnabled=1`: TCP 4662, UDP 4665 (4662+3) and UDP 4672. Removed after "
             "each run, untimed: `mulenet --config CONF unmap`, `natpmpc -g 192.168.77.1 -a P P proto 0`, "
             "`upnpc -i -u URL -d P PROTO`.", ""]
    return "\n".join(head + cmds) + "\n" + markdown_tables(r, names)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
