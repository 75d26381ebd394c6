#!/usr/bin/env bash
# Benchmark `yuanba build` on synthetic sites.
#
#   bench/run.sh [N ...] [-- BUILD_ARGS ...]      (default N: 1000 10000)
#
# Builds the release binary once, generates bench/out/site-N with bench/gen_site.py when it is
# not there yet, then times `yuanba build --root bench/out/site-N BUILD_ARGS...`: one warm-up
# run (not counted) and RUNS (default 5) measured runs, each through bench/timed.py (wall
# time and peak RSS of the child). Prints the runs, the medians, and a Markdown table for
# BENCHMARKS.md.
#
# Environment:
#   RUNS=5          measured runs per N
#   SEED=1          generator seed
#   YUANBA_BIN=...  binary to time (default target/release/yuanba)
#   SKIP_BUILD=1    do not run `cargo build --release`
#   SEARCH=off      time a copy of each site with `search: false` (site-N-nosearch)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

sizes=()
build_args=()
while (($#)); do
    if [[ $1 == -- ]]; then
        shift
        build_args=("$@")
        break
    fi
    if ! [[ $1 =~ ^[0-9]+$ ]]; then
        echo "usage: bench/run.sh [N ...] [-- BUILD_ARGS ...]" >&2
        exit 2
    fi
    sizes+=("$1")
    shift
done
((${#sizes[@]})) || sizes=(1000 10000)

RUNS=${RUNS:-5}
SEED=${SEED:-1}
BIN=${YUANBA_BIN:-target/release/yuanba}
PY=${PYTHON:-python3}
# The sites and their output go to BENCH_OUT (default bench/out). On machines where the
# repository folder is watched by a file-sync agent, creating files there costs several times
# more than elsewhere: point BENCH_OUT at /tmp or /dev/shm to time yuanba, not the watcher.
OUT=${BENCH_OUT:-bench/out}
if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
    echo "error: RUNS must be a positive integer" >&2
    exit 2
fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    echo "== cargo build --release"
    cargo build --release
fi
if [[ ! -x $BIN ]]; then
    echo "error: $BIN not found or not executable" >&2
    exit 1
fi

mkdir -p "$OUT"
rows=()
for n in "${sizes[@]}"; do
    site=$OUT/site-$n
    if [[ ! -f $site/site.yaml ]]; then
        # Generate next to the final place and rename, so an interrupted run never leaves a
        # half-written site that would be reused.
        rm -rf "$site.tmp"
        echo "== generating $site"
        "$PY" bench/gen_site.py "$n" "$site.tmp" --seed "$SEED"
        rm -rf "$site"
        mv "$site.tmp" "$site"
    fi
    if [[ ${SEARCH:-on} == off ]]; then
        # Same stories (hard links), search turned off in site.yaml.
        off=$OUT/site-$n-nosearch
        if [[ ! -f $off/site.yaml ]]; then
            rm -rf "$off"
            mkdir -p "$off"
            cp -al "$site/content" "$off/content"
            { cat "$site/site.yaml"; echo "search: false"; } >"$off/site.yaml"
        fi
        site=$off
    fi
    md_bytes=$(find "$site/content" -name '*.md' -type f -exec cat {} + | wc -c)
    log=$OUT/build-$n.log
    : >"$log"
    cmd=("$BIN" build --root "$site" ${build_args[@]+"${build_args[@]}"})
    echo "== N=$n ($site, $md_bytes bytes of Markdown): ${cmd[*]}"

    times=()
    rsss=()
    for ((i = 0; i <= RUNS; i++)); do
        result=$("$PY" bench/timed.py --log "$log" -- "${cmd[@]}") || {
            echo "error: build failed (exit status $?); last lines of $log:" >&2
            tail -n 20 "$log" >&2
            exit 1
        }
        read -r t m <<<"$result"
        if ((i == 0)); then
            printf '  warm-up  %8.3f s  %8.1f MiB\n' "$t" "$m"
        else
            printf '  run %-4d %8.3f s  %8.1f MiB\n' "$i" "$t" "$m"
            times+=("$t")
            rsss+=("$m")
        fi
    done

    read -r med_t med_m < <("$PY" -c '
import statistics, sys
n = int(sys.argv[1])
t = [float(x) for x in sys.argv[2:2 + n]]
m = [float(x) for x in sys.argv[2 + n:]]
print(f"{statistics.median(t):.3f} {statistics.median(m):.1f}")
' "${#times[@]}" "${times[@]}" "${rsss[@]}")
    echo "  times: ${times[*]}"
    echo "  median: $med_t s, $med_m MiB"
    row="| $n | $med_t | $med_m |"
    echo "  $row"
    rows+=("$row")
done

echo
echo "| stories | median s | median MiB |"
echo "| ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
