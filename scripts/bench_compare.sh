#!/usr/bin/env bash
# Side-by-side timing of several apimguard binaries (for example one per optimisation step)
# on the same estate, interleaved so that machine noise hits every binary alike. Run by
# hand; never part of CI.
#
#   scripts/bench_compare.sh ESTATE.json RUNS BINARY...
#
# Each binary runs `check ESTATE --profile strict --fail-on never -f json:…` RUNS times
# (round-robin) under /usr/bin/time; prints, per binary, the median wall time and peak RSS,
# the speed-up against the first binary, and whether its report's verdicts and findings
# equal the first binary's.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ESTATE.json RUNS BINARY..." >&2; exit 2; }
estate=$1 runs=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$runs"); do
    i=0
    for bin in "$@"; do
        /usr/bin/time -f "%e %M" -o "$out/time-$i-$r" "$bin" check "$estate" --profile strict \
            --fail-on never -f "json:$out/report-$i.json" > /dev/null
        i=$((i + 1))
    done
done
python3 - "$out" "$runs" "$@" <<'PY'
import json, statistics, sys
out, runs, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def verdicts(path):
    results = json.load(open(path))["results"]
    return [(r["ruleId"], r["status"], r["checked"],
             sorted((f["resource"], f["message"]) for f in r["findings"])) for r in results]

first = verdicts(f"{out}/report-0.json")
base = None
print("| binary | median wall | peak RSS | speed-up | same findings |")
print("|---|---:|---:|---:|:--:|")
for i, b in enumerate(bins):
    t = [open(f"{out}/time-{i}-{r}").read().split() for r in range(1, runs + 1)]
    wall = statistics.median(float(x[0]) for x in t)
    rss = statistics.median(int(x[1]) for x in t) / 1024
    base = base or wall
    same = "yes" if verdicts(f"{out}/report-{i}.json") == first else "NO"
    print(f"| {b} | {wall:.2f} s | {rss:.0f} MiB | {base / wall:.2f}× | {same} |")
PY
