#!/usr/bin/env bash
# The engine's floor: how long `check` takes with rules that do the least a rule can do
# (list every API as checked, test one field of each, find nothing), beside the built-in
# pack, on the same estate, interleaved so that machine noise hits both alike. It shows how
# much of the pack's time is the interpreter visiting every API once per rule, which no
# rewrite of the rules can remove. Run by hand; never part of CI.
#
#   scripts/bench_floor.sh ESTATE.json [RUNS] [BINARY]
#
# The floor pack has as many rules as the built-in pack. Prints, per pack, the median wall
# time, peak RSS and the workers' load and evaluate seconds (`--timings=phases`).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 ESTATE.json [RUNS] [BINARY]" >&2; exit 2; }
estate=$1 runs=${2:-3} bin=${3:-target/release/apimguard}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rules=$("$bin" rules list --profile strict --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
mkdir "$out/floor"
for i in $(seq 1 "$rules"); do
    cat > "$out/floor/r$i.rego" <<EOF
# METADATA
# title: Floor rule $i
# description: Looks at every API once and finds nothing.
# custom:
#   id: FLOOR-$i
#   severity: low
#   input: service
package floor.r$i

import rego.v1

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

deny contains {"resource": api.id, "message": "never"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.name == "no such API $i"
}
EOF
done
for r in $(seq 1 "$runs"); do
    for pack in builtin floor; do
        if [ $pack = builtin ]; then policies=(--profile strict); else policies=(--no-builtin -p "$out/floor"); fi
        /usr/bin/time -f "%e %M" -o "$out/time-$pack-$r" "$bin" check "$estate" "${policies[@]}" \
            --fail-on never -f "json:$out/report-$pack.json" --timings=phases \
            > /dev/null 2> "$out/phases-$pack-$r"
    done
done
python3 - "$out" "$runs" "$rules" <<'PY'
import re, statistics, sys
out, runs, rules = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(f"| pack ({rules} rules) | median wall | peak RSS | workers: load | workers: evaluate |")
print("|---|---:|---:|---:|---:|")
for pack in ("builtin", "floor"):
    t = [open(f"{out}/time-{pack}-{r}").read().split()[-2:] for r in range(1, runs + 1)]
    phases = [re.search(r"load \(validate \+ parse\) ([\d.]+) s, evaluate ([\d.]+) s",
                        open(f"{out}/phases-{pack}-{r}").read()).groups() for r in range(1, runs + 1)]
    med = lambda xs: statistics.median(float(x) for x in xs)
    print(f"| {pack} | {med(x[0] for x in t):.2f} s | {med(x[1] for x in t) / 1024:.0f} MiB "
          f"| {med(p[0] for p in phases):.2f} s | {med(p[1] for p in phases):.2f} s |")
PY
