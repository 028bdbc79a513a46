#!/usr/bin/env python3
"""The numbers of bench/run.sh: raw measurements in, table + JSON + markdown out.

    proxy_connect_report.py pcap TCPDUMP_TEXT PROXY_PORT     # one capture -> JSON
    proxy_connect_report.py report WORK_DIR OUT_JSON OUT_MD  # all cases -> results

WORK_DIR holds `cases` (one case name a line), `machine.txt` (KEY=VALUE lines)
and a folder per case with `meta.txt` (KEY=VALUE) and what run.sh measured:

    warm_mulenet_*.json  proxy_connect_bench --json --samples, one per round
    warm_curl_*.txt      curl -w lines (CURL_FORMAT below), one process per round
    cold_mulenet.txt     one proxy_connect_bench -n 1 JSON line per process
    cold_curl.txt        one curl -w line per process
    hyperfine.json       hyperfine --export-json of the three per-process commands
    pcap.txt             tcpdump -nn -tt -x text of a few connects: mulenet's
                         first, then curl's (PCAP_EACH of each)

Every number is a measurement; nothing here judges it.
"""
import json
import re
import sys
from pathlib import Path

from bench_stats import quantile, stats

# run.sh's curl -w format: namelookup connect pretransfer total (seconds) exitcode num_connects http_code
CURL_FIELDS = ("namelookup", "connect", "pretransfer", "total", "exitcode", "num_connects", "http_code")


def read_kv(path):
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
    return out


# --- packet capture: request/reply turns per connection ---------------------

TCPDUMP_LINE = re.compile(
    r"^(?P<ts>\d+\.\d+) IP (?P<src>[\d.]+)\.(?P<sport>\d+) > (?P<dst>[\d.]+)\.(?P<dport>\d+): "
    r"Flags \[(?P<flags>[^\]]*)\].*?length (?P<len>\d+)"
)
HEX_LINE = re.compile(r"^\s+0x[0-9a-f]+:\s+(?P<hex>[0-9a-f ]+)")
# Bytes that travel *inside* the tunnel, so after the handshake: curl's request
# to the target, and the target's answer (see instant_http_target.py).
TUNNEL_CLIENT_PREFIX = b"GET "
TUNNEL_TARGET_PREFIX = b"HTTP/1.0 204"


def read_tcpdump(text):
    """tcpdump -nn -tt -x text -> packets (dicts with the header fields and the TCP payload)."""
    packets = []
    for line in text.splitlines():
        m = TCPDUMP_LINE.match(line)
        if m:
            packets.append({**m.groupdict(), "hex": []})
            continue
        h = HEX_LINE.match(line)
        if h and packets:
            # the hex columns, not tcpdump's ASCII (there is none with -x)
            packets[-1]["hex"].append(h["hex"].replace(" ", ""))
    for p in packets:
        raw = bytes.fromhex("".join(p.pop("hex")))
        length = int(p["len"])
        p["payload"] = raw[len(raw) - length:] if length and len(raw) >= length else b""
    return packets


def parse_pcap_text(text, proxy_port):
    """Connections to proxy_port in order of their SYN, each with the number of
    handshake round trips: the times the client sent data and the proxy then
    answered with data (a run of client data segments followed by proxy data),
    counted until the first bytes inside the tunnel (curl's GET, the target's
    answer), plus the handshake's data segments and bytes each way."""
    conns = {}
    order = []
    for p in read_tcpdump(text):
        sport, dport, length = int(p["sport"]), int(p["dport"]), int(p["len"])
        if dport == proxy_port:
            key, from_client = (p["src"], sport), True
        elif sport == proxy_port:
            key, from_client = (p["dst"], dport), False
        else:
            continue
        if key not in conns:
            if not (from_client and p["flags"] == "S"):
                continue  # began before the capture
            conns[key] = {"client_port": key[1], "round_trips": 0, "client_segments": 0, "client_bytes": 0,
                          "proxy_segments": 0, "proxy_bytes": 0, "tunnel_data_seen": False, "_pending": False}
            order.append(key)
        c = conns[key]
        if length == 0 or c["tunnel_data_seen"]:
            continue
        payload = p["payload"]
        if (from_client and payload.startswith(TUNNEL_CLIENT_PREFIX)) or \
                (not from_client and payload.startswith(TUNNEL_TARGET_PREFIX)):
            c["tunnel_data_seen"] = True
            continue
        if not from_client and TUNNEL_TARGET_PREFIX in payload:
            # the proxy's last reply and the target's first bytes in one segment
            length = payload.index(TUNNEL_TARGET_PREFIX)
            c["tunnel_data_seen"] = True
        if from_client:
            c["client_segments"] += 1
            c["client_bytes"] += length
            c["_pending"] = True
        else:
            c["proxy_segments"] += 1
            c["proxy_bytes"] += length
            if c["_pending"]:
                c["round_trips"] += 1
                c["_pending"] = False
    out = []
    for key in order:
        c = conns[key]
        c["client_sent_unanswered"] = c.pop("_pending")
        out.append(c)
    return out


def summarize_pcap(conns):
    rtts = sorted({c["round_trips"] for c in conns})
    return {
        "connections": len(conns),
        "round_trips": rtts[0] if len(rtts) == 1 else rtts,
        "client_segments": sorted({c["client_segments"] for c in conns}),
        "proxy_segments": sorted({c["proxy_segments"] for c in conns}),
        "client_bytes": sorted({c["client_bytes"] for c in conns}),
        "proxy_bytes": sorted({c["proxy_bytes"] for c in conns}),
        "per_connection": conns,
    }


# --- reading the raw measurements ------------------------------------------------

def read_curl_lines(paths, skip_first=0):
    """curl -w lines -> samples in microseconds; failures counted apart."""
    samples, failures = [], []
    for path in paths:
        lines = [l for l in path.read_text().splitlines() if l.strip()]
        for line in lines[skip_first:]:
            parts = line.split()
            if len(parts) != len(CURL_FIELDS):
                failures.append(line[:200])
                continue
            d = dict(zip(CURL_FIELDS, parts))
            if d["exitcode"] != "0" or d["num_connects"] != "1" or d["http_code"] != "204":
                failures.append(f"curl exit {d['exitcode']}, {d['num_connects']} new connections, "
                                f"HTTP {d['http_code']}")
                continue
            t = {k: float(d[k]) * 1e6 for k in ("namelookup", "connect", "pretransfer", "total")}
            samples.append({"total_us": t["pretransfer"], "tcp_connect_us": t["connect"] - t["namelookup"],
                            "handshake_us": t["pretransfer"] - t["connect"], "resolve_us": t["namelookup"]})
    return samples, failures


def read_mulenet_docs(docs):
    samples, failures = [], []
    for doc in docs:
        for s in doc.get("samples", []):
            if s.get("ok"):
                samples.append({"total_us": s["total_us"], "tcp_connect_us": s["tcp_connect_us"],
                                "handshake_us": s["handshake_us"], "resolve_us": s["resolve_proxy_us"],
                                "round_trips": s["round_trips"]})
            else:
                failures.append(s.get("error", "failed"))
    return samples, failures


def load_json_lines(path):
    docs = []
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    docs.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return docs


def part(samples, key):
    return [s[key] for s in samples if key in s]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def measure_block(mulenet, curl, mfail, cfail):
    block = {
        "mulenet": {k: stats(part(mulenet, k + "_us")) for k in ("total", "tcp_connect", "handshake", "resolve")},
        "curl": {k: stats(part(curl, k + "_us")) for k in ("total", "tcp_connect", "handshake", "resolve")},
        "mulenet_failures": len(mfail),
        "curl_failures": len(cfail),
        "failure_examples": sorted(set(mfail + cfail))[:5],
    }
    block["ratio_total_median"] = ratio(block["mulenet"]["total"].get("median"), block["curl"]["total"].get("median"))
    block["ratio_total_p90"] = ratio(block["mulenet"]["total"].get("p90"), block["curl"]["total"].get("p90"))
    block["ratio_handshake_median"] = ratio(block["mulenet"]["handshake"].get("median"),
                                            block["curl"]["handshake"].get("median"))
    return block


def redact(text, secret):
    return text.replace(secret, "***") if secret else text


def build_case(case_dir, secret):
    meta = read_kv(case_dir / "meta.txt")
    result = {k: meta.get(k) for k in ("name", "server", "protocol", "mulenet_url", "curl_command", "target")}
    result["round_trips_by_protocol"] = int(meta.get("protocol_round_trips", "-1"))
    if meta.get("error"):
        result["error"] = meta["error"]

    # warm: many connects in one process
    warm_docs = [json.loads(p.read_text()) for p in sorted(case_dir.glob("warm_mulenet_*.json")) if p.stat().st_size]
    wm, wmf = read_mulenet_docs(warm_docs)
    wc, wcf = read_curl_lines(sorted(case_dir.glob("warm_curl_*.txt")), skip_first=int(meta.get("warmup", "0")))
    result["warm"] = measure_block(wm, wc, wmf, wcf)
    hist = {}
    for s in wm:
        hist[s["round_trips"]] = hist.get(s["round_trips"], 0) + 1
    result["mulenet_dialer_round_trips"] = (max(hist, key=hist.get) if hist else None)
    result["mulenet_dialer_round_trips_histogram"] = {str(k): v for k, v in sorted(hist.items())}

    # cold: one connect per process, timed inside it
    cm, cmf = read_mulenet_docs(load_json_lines(case_dir / "cold_mulenet.txt"))
    cold_curl = case_dir / "cold_curl.txt"
    cc, ccf = read_curl_lines([cold_curl] if cold_curl.exists() else [])
    result["cold"] = measure_block(cm, cc, cmf, ccf)

    # per process, wall clock (hyperfine)
    hf = case_dir / "hyperfine.json"
    if hf.exists() and hf.stat().st_size:
        results = json.loads(hf.read_text()).get("results", [])
        labels = meta.get("hyperfine_labels", "").split(",")
        wall = {}
        for label, r in zip(labels, results):
            wall[label] = {"command": redact(r["command"], secret), "runs": len(r.get("times", [])),
                           "median_ms": r["median"] * 1e3, "mean_ms": r["mean"] * 1e3,
                           "stddev_ms": (r.get("stddev") or 0) * 1e3, "min_ms": r["min"] * 1e3,
                           "max_ms": r["max"] * 1e3, "user_ms": r["user"] * 1e3, "system_ms": r["system"] * 1e3,
                           "p90_ms": (quantile(r["times"], 0.9) * 1e3) if r.get("times") else None}
        if "curl" in wall:
            for label in wall:
                if label != "curl":
                    wall[label]["ratio_to_curl_median"] = ratio(wall[label]["median_ms"], wall["curl"]["median_ms"])
        result["per_process_wall"] = wall

    # packet capture
    pcap = case_dir / "pcap.txt"
    if pcap.exists():
        conns = parse_pcap_text(pcap.read_text(), int(meta["proxy_port"]))
        each = int(meta.get("pcap_each", "0"))
        result["pcap"] = {"mulenet": summarize_pcap(conns[:each]), "curl": summarize_pcap(conns[each:2 * each]),
                          "extra_connections": max(0, len(conns) - 2 * each)}
    return result


# --- output ----------------------------------------------------------------------

def fmt_us(block, tool, key="total"):
    s = block[tool][key]
    if not s.get("n"):
        return "-"
    return f"{s['median']:.0f} ({s['p90']:.0f})"


def fmt_min(block):
    m, c = block["mulenet"]["total"], block["curl"]["total"]
    if not m.get("n") or not c.get("n"):
        return "-"
    return f"{m['min']:.0f} / {c['min']:.0f}"


def busy(machine):
    """Was the 1-minute load average, before or after, above half the CPUs?"""
    try:
        cpus = int(machine.get("nproc", "0"))
        loads = [float(machine.get(k, "0").split()[0]) for k in ("loadavg_before", "loadavg_after")]
    except (ValueError, IndexError):
        return False
    return cpus > 0 and max(loads) > cpus / 2


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}"


def rtt_cell(case):
    pc = case.get("pcap", {})
    m = pc.get("mulenet", {}).get("round_trips", "?") if pc else "?"
    c = pc.get("curl", {}).get("round_trips", "?") if pc else "?"
    d = case.get("mulenet_dialer_round_trips")
    return f"{case['round_trips_by_protocol']} / {'?' if d is None else d} / {m} / {c}"


def tables(cases):
    head1 = ["case", "RTTs proto/steps/pcap m/pcap c", "mulenet µs med (p90)", "curl µs med (p90)",
             "ratio", "min µs m / c", "handshake µs m / c", "hs ratio"]
    rows1 = []
    head2 = ["case", "1st connect mulenet µs", "1st connect curl µs", "ratio", "wall ms bench -n1",
             "wall ms proxy test", "wall ms curl", "bench/curl", "proxy test/curl"]
    rows2 = []
    for c in cases:
        w, k = c["warm"], c["cold"]
        hs_m = w["mulenet"]["handshake"].get("median")
        hs_c = w["curl"]["handshake"].get("median")
        rows1.append([c["name"], rtt_cell(c), fmt_us(w, "mulenet"), fmt_us(w, "curl"),
                      fmt_ratio(w["ratio_total_median"]), fmt_min(w),
                      f"{hs_m:.0f} / {hs_c:.0f}" if hs_m is not None and hs_c is not None else "-",
                      fmt_ratio(w["ratio_handshake_median"])])
        wall = c.get("per_process_wall", {})

        def wall_ms(label):
            return f"{wall[label]['median_ms']:.2f}" if label in wall else "-"

        rows2.append([c["name"], fmt_us(k, "mulenet"), fmt_us(k, "curl"), fmt_ratio(k["ratio_total_median"]),
                      wall_ms("bench"), wall_ms("proxy_test"), wall_ms("curl"),
                      fmt_ratio(wall.get("bench", {}).get("ratio_to_curl_median")),
                      fmt_ratio(wall.get("proxy_test", {}).get("ratio_to_curl_median"))])
    head3 = ["case", "mulenet segments c>p / p>c", "mulenet bytes c>p / p>c", "curl segments c>p / p>c",
             "curl bytes c>p / p>c"]
    rows3 = []
    for c in cases:
        pc = c.get("pcap")
        if not pc:
            continue

        def pair(tool, what):
            t = pc[tool]
            if not t.get("connections"):
                return "-"
            one = lambda xs: "/".join(str(x) for x in xs)
            return f"{one(t['client_' + what])} / {one(t['proxy_' + what])}"

        rows3.append([c["name"], pair("mulenet", "segments"), pair("mulenet", "bytes"), pair("curl", "segments"),
                      pair("curl", "bytes")])
    return (head1, rows1), (head2, rows2), (head3, rows3)


def text_table(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths))
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(out)


def report(work, out_json, out_md):
    work = Path(work)
    machine = read_kv(work / "machine.txt")
    secret = machine.pop("secret", "")
    settings = read_kv(work / "settings.txt")
    names = [n for n in (work / "cases").read_text().split() if n]
    cases = [build_case(work / n, secret) for n in names]
    doc = {"benchmark": "proxy_connect", "issue": "4 item 8", "machine": machine, "settings": settings,
           "unit_note": "latencies in microseconds (µs) unless the key says ms; ratio = mulenet / curl, "
                        "below 1 means mulenet is faster", "cases": cases}
    Path(out_json).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

    (h1, r1), (h2, r2), (h3, r3) = tables(cases)
    print("\nTCP connect through a proxy, many connects in one process (warm): time from the start of the")
    print("connect until the tunnel is up; median (p90) in µs; ratio = mulenet / curl medians (lower: mulenet faster)")
    print("RTTs = handshake round trips with the proxy (after TCP's own): by the protocol / mulenet's dialer steps /")
    print("packet capture of mulenet / packet capture of curl\n")
    print(text_table(h1, r1))
    print("\nOne connect per process: the same time measured inside the process (cold), and each process's wall")
    print("clock (hyperfine medians, ms): proxy_connect_bench -n 1, `mulenet proxy test URL --target`, curl\n")
    print(text_table(h2, r2))
    print("\nThe handshakes on the wire (packet capture in the client's namespace, TCP data segments and bytes,")
    print("client to proxy / proxy to client, up to the first byte inside the tunnel)\n")
    print(text_table(h3, r3))
    failures = [(c["name"], c.get("error"), c["warm"]["failure_examples"] + c["cold"]["failure_examples"])
                for c in cases if c.get("error") or c["warm"]["failure_examples"] or c["cold"]["failure_examples"]]
    for name, err, ex in failures:
        print(f"\n{name}: {err or ''} {'; '.join(ex)}")

    md = [
        "# Proxy connect latency: mulenet vs curl",
        "",
        "Issue 4 item 8. Written by `bench/run.sh` (see `bench/README.md`); the raw numbers are in "
        "`proxy_connect.json`.",
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} CPUs, kernel {machine.get('kernel', '?')}; "
        f"{machine.get('date', '?')}; load average before/after: {machine.get('loadavg_before', '?')} / "
        f"{machine.get('loadavg_after', '?')}.",
        f"Versions: {machine.get('curl', '?')}; dante {machine.get('dante', '?')}; squid {machine.get('squid', '?')}; "
        f"tinyproxy {machine.get('tinyproxy', '?')}; microsocks {machine.get('microsocks', '?')}; "
        f"{machine.get('ssh', '?')}; mulenet {machine.get('mulenet', '?')} ({machine.get('mulenet_commit', '?')}), "
        f"{machine.get('compiler', '?')}, Release.",
        f"Settings: {settings.get('connects', '?')} connects per tool and case in {settings.get('rounds', '?')} "
        f"alternating rounds (+{settings.get('warmup', '?')} warm-up connects per round, not counted); "
        f"{settings.get('cold', '?')} processes of one connect each; hyperfine {settings.get('hyperfine_runs', '?')} "
        f"runs per command; target {settings.get('target', '?')}.",
        "",
    ]
    if busy(machine):
        md += ["**The machine was busy** during this run (load average above half its CPUs): the times carry "
               "scheduling noise, the p90s most. The medians of both tools come from interleaved rounds, so "
               "the ratios are still comparable; the min columns show each tool's undisturbed best.", ""]
    md += [
        "## Many connects in one process",
        "",
        "Time from the start of a connect until the tunnel is up (resolve the proxy, TCP connect, handshake), "
        "median (p90) in µs, and the fastest connect of each (min). mulenet: `Dialer::connect` in "
        "`proxy_connect_bench`; curl: one curl process "
        "given the URL many times, `%{time_pretransfer}` of each transfer. Ratio = mulenet / curl medians: "
        "below 1 mulenet is faster. Handshake = after the TCP connect to the proxy (curl: "
        "`time_pretransfer - time_connect`).",
        "",
        "RTTs: handshake round trips with the proxy after TCP's own — by the protocol / counted from mulenet's "
        "dialer steps / in a packet capture of mulenet / in a packet capture of curl.",
        "",
        md_table(h1, r1),
        "",
        "## One connect per process",
        "",
        "The same time inside a process that makes only this one connect (cold code and caches), median (p90) "
        "in µs; then the wall-clock time per process (hyperfine medians, ms) of `proxy_connect_bench -n 1`, "
        "`mulenet proxy test URL --target HOST:PORT` (which does more: a separate connection that only reaches "
        "the proxy (and logs in, for SOCKS5), then the CONNECT, then the routing report) and curl.",
        "",
        md_table(h2, r2),
        "",
        "## The handshakes on the wire",
        "",
        "From the packet capture in the client's namespace: TCP data segments and bytes of the handshake, "
        "client to proxy / proxy to client, up to the first byte inside the tunnel (several values: they "
        "differed between connections, e.g. by the length of a port number).",
        "",
        md_table(h3, r3),
        "",
    ]
    if failures:
        md += ["## Failures", ""]
        md += [f"- {name}: {err or ''} {'; '.join(ex)}" for name, err, ex in failures]
        md.append("")
    Path(out_md).write_text("\n".join(md))


def main(argv):
    if len(argv) >= 4 and argv[1] == "pcap":
        conns = parse_pcap_text(Path(argv[2]).read_text(), int(argv[3]))
        print(json.dumps(summarize_pcap(conns), indent=2))
    elif len(argv) == 5 and argv[1] == "report":
        report(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
