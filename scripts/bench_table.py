#!/usr/bin/env python3
"""Turns the raw output of scripts/bench.sh into the table of docs/performance.md.

usage: bench_table.py OUT_DIR SIZE...

Per size, medians over the runs of:
  * apimguard `check --timings=phases`: compile; load (read + split, plus the workers' share
    spent validating and parsing services); evaluate (the rest of the load + evaluate wall
    time: rules, and collecting their results); report (build + render + write);
    e2e (wall time of the process, /usr/bin/time); peak RSS, and RSS / file size;
  * OPA (../shared/bench/opa_eval.py): compile, one evaluation of data.apimguard.rules with
    the estate as input (the bridge decodes the JSON inside the call), peak RSS;
then apimguard e2e / OPA eval, time per 1k APIs, the growth from the previous size, and
whether both engines found the same number of findings for every rule. An OPA run stopped
at bench.sh's OPA_TIMEOUT (an `opa-N-R.stopped` file holding the limit) shows as
"> limit": a lower bound of OPA's time, and so an upper bound of the ratio.
"""
import glob, json, os, re, statistics, sys


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def time_v(text):
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    secs = None
    if wall:
        parts = [float(p) for p in wall.group(1).split(":")]
        secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return secs, (int(rss.group(1)) * 1024 if rss else None)


def phases(text):
    lap = {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"timing: (.{18}) +([\d.]+) s", text)}
    w = re.search(r"load \(validate \+ parse\) ([\d.]+) s, evaluate ([\d.]+) s", text)
    load_cpu, eval_cpu = (float(w.group(1)), float(w.group(2))) if w else (0.0, 1.0)
    both = lap.get("load + evaluate", 0.0)
    share = load_cpu / (load_cpu + eval_cpu) if load_cpu + eval_cpu > 0 else 0.0
    return {
        "compile": lap.get("compile policies", 0.0),
        "load": lap.get("read snapshot", 0.0) + lap.get("split snapshot", 0.0) + both * share,
        "evaluate": both * (1 - share),
        "report": lap.get("build report", 0.0) + lap.get("report", 0.0),
    }


def fmt_s(x):
    return "–" if x is None else (f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s")


def fmt_mb(x):
    return "–" if x is None else f"{x / 2**20:.0f} MiB"


def main():
    out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
    rules = json.load(open(os.path.join(out, "rules.json")))
    package_of = {r["id"]: r["package"] for r in rules}
    rows, prev = [], None
    print("| APIs | file | load | compile | evaluate | report | **e2e** | peak RSS (× file) | per 1k APIs | growth ×10 | OPA compile | OPA eval | OPA peak RSS | e2e / OPA eval | same findings |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--:|")
    for n in sizes:
        size = os.path.getsize(os.path.join(out, f"estate-{n}.json"))
        runs = sorted(glob.glob(os.path.join(out, f"apimguard-{n}-*.txt")))
        ph, e2e, rss = [], [], []
        for f in runs:
            text = open(f).read()
            ph.append(phases(text))
            w, r = time_v(text)
            e2e.append(w), rss.append(r)
        p = {k: med([x[k] for x in ph]) for k in ("compile", "load", "evaluate", "report")}
        e, r = med(e2e), med(rss)
        opa_eval, opa_compile, opa_rss, same = [], [], [], "–"
        for f in sorted(glob.glob(os.path.join(out, f"opa-{n}-*.json"))):
            try:
                res = json.loads(open(f).read().strip().splitlines()[-1])
            except (ValueError, IndexError):
                continue
            opa_eval.append(res["median_eval_ms"] / 1000)
            opa_compile.append(res["compile_ms"] / 1000)
            opa_rss.append(time_v(open(f[:-5] + ".txt").read())[1])
            report = json.load(open(os.path.join(out, f"report-{n}.json")))
            mine = {package_of[x["ruleId"]]: len(x["findings"]) for x in report["results"]}
            theirs = {k: v for k, v in res["deny"].items()}
            diff = [k for k in mine if mine[k] != theirs.get(k, 0)]
            same = "yes" if not diff else "NO: " + ", ".join(diff)
        oe = med(opa_eval)
        stopped = [float(open(f).read()) for f in glob.glob(os.path.join(out, f"opa-{n}-*.stopped"))]
        per_k = e / (n / 1000) if e else None
        growth = f"{e / prev:.1f}" if prev and e else "–"
        ratio = f"{e / oe:.2f}" if e and oe else "–"
        opa_text = fmt_s(oe)
        if oe is None and stopped:
            opa_text, ratio = f"> {fmt_s(min(stopped))} (stopped)", f"< {e / min(stopped):.3f}" if e else "–"
            opa_rss = [time_v(open(f[:-8] + ".txt").read())[1] for f in glob.glob(os.path.join(out, f"opa-{n}-*.stopped"))]
        print(f"| {n:,} | {size / 2**20:.0f} MiB | {fmt_s(p['load'])} | {fmt_s(p['compile'])} | {fmt_s(p['evaluate'])} | {fmt_s(p['report'])} | **{fmt_s(e)}** | {fmt_mb(r)} ({r / size:.1f}×) | {fmt_s(per_k)} | {growth} | {fmt_s(med(opa_compile))} | {opa_text} | {fmt_mb(med(opa_rss))} | {ratio} | {same} |")
        prev = e
    print()
    print(f"Medians of {len(runs)} apimguard run(s) per size; OPA: one evaluation per run.")


if __name__ == "__main__":
    main()
