#!/usr/bin/env bash
# Benchmark of `apimguard check` with the whole built-in pack, beside real OPA, at several
# estate sizes. Run by hand (minutes at 100k APIs; OPA takes longer): never part of CI.
#
#   scripts/bench.sh [SIZES...]          default: 1000 10000 100000
#
# Environment:
#   RUNS=3               runs per size and engine (medians are reported)
#   OPA_VENV=DIR         venv holding OPA (default target/opa-venv; made by
#                        scripts/opa_venv.sh when missing); OPA=0 skips OPA
#   OPA_MAX=100000       largest size OPA is run at
#   OPA_RUNS=$RUNS       runs of OPA per size below 100k APIs
#   OPA_RUNS_LARGE=1     runs of OPA per size from 100k APIs on (each takes minutes)
#   OPA_TIMEOUT=900      seconds after which an OPA run is stopped; the table then shows
#                        the limit as a lower bound of OPA's time (and of the ratio)
#   SHARED=DIR           the shared folder with bench/opa_eval.py (default ../shared, else ../../shared)
#   OUT=target/bench     estates, reports and raw timings
#
# For each size it writes a deterministic estate (examples/gen_estate.rs), runs
# `check --profile strict -f json:… --timings=phases` under /usr/bin/time -v (wall time,
# peak RSS), runs the same rules on the same file through OPA (../shared/bench/opa_eval.py),
# alternating which engine goes first, and prints the table of docs/performance.md
# (scripts/bench_table.py), including whether both engines found the same findings.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
runs=${RUNS:-3}
out=${OUT:-target/bench}
opa_venv=${OPA_VENV:-target/opa-venv}
opa_max=${OPA_MAX:-100000}
opa_runs=${OPA_RUNS:-$runs}
opa_runs_large=${OPA_RUNS_LARGE:-1}
opa_timeout=${OPA_TIMEOUT:-900}
shared=${SHARED:-../shared}
[ -d "$shared" ] || [ -n "${SHARED:-}" ] || shared=../../shared
mkdir -p "$out"

cargo build --release --quiet --bin apimguard --example gen_estate
bin=target/release/apimguard
use_opa=${OPA:-1}
[ "$use_opa" = 0 ] || scripts/opa_venv.sh "$opa_venv"
"$bin" rules list --profile strict -f json > "$out/rules.json"

run_apimguard() { # size run
    /usr/bin/time -v "$bin" check "$out/estate-$1.json" --profile strict --fail-on never \
        -f "json:$out/report-$1.json" --timings=phases > /dev/null 2> "$out/apimguard-$1-$2.txt"
}
run_opa() { # size run
    rm -f "$out/opa-$1-$2.stopped"
    /usr/bin/time -v timeout "$opa_timeout" "$opa_venv/bin/python" "$shared/bench/opa_eval.py" \
        --policies policies --input "$out/estate-$1.json" --document apimguard.rules --reps 1 \
        > "$out/opa-$1-$2.json" 2> "$out/opa-$1-$2.txt" \
        || { [ $? -eq 124 ] && echo "$opa_timeout" > "$out/opa-$1-$2.stopped"; }
}

for n in "${sizes[@]}"; do
    [ -s "$out/estate-$n.json" ] || target/release/examples/gen_estate "$n" "$out/estate-$n.json"
    for r in $(seq 1 "$runs"); do
        opa_now=0
        limit=$opa_runs
        [ "$n" -lt 100000 ] || limit=$opa_runs_large
        if [ "$use_opa" != 0 ] && [ "$n" -le "$opa_max" ] && [ "$r" -le "$limit" ]; then opa_now=1; fi
        if [ $opa_now = 1 ] && [ $((r % 2)) -eq 0 ]; then run_opa "$n" "$r"; fi
        run_apimguard "$n" "$r"
        if [ $opa_now = 1 ] && [ $((r % 2)) -eq 1 ]; then run_opa "$n" "$r"; fi
        echo "size $n run $r done" >&2
    done
done

{
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; $(rustc --version); $(date -u +%Y-%m-%d)"
    echo "Command: scripts/bench.sh ${sizes[*]} (RUNS=$runs)"
    echo
    python3 scripts/bench_table.py "$out" "${sizes[@]}"
} | tee "$out/table.md"
