#!/usr/bin/env bash
# Job-loading benchmark: builds the release preset, generates 1k / 10k / 50k realistic job files
# into a temporary directory, times config::load_job_dir over each (median and min of warm runs,
# plus one cold-ish run when root), times `startd --check` end to end on 10k, and cleans up.
#
#   bench/run_load_bench.sh
#
# Target (issue): 10,000 jobs load in < 200 ms on a 2-core machine, and cost grows linearly.
#
# Environment (all optional):
#   STARTD_BENCH_BUILD_DIR  build with `cmake --preset release -B DIR` instead of build/release
#   STARTD_BENCH_SIZES      job counts, smallest first (default "1000 10000 50000")
#   STARTD_BENCH_REPS       timed repetitions per size (default 15)
#   STARTD_BENCH_TMP        where to generate (default /var/tmp: /tmp is often tmpfs, where
#                           dropping caches means nothing)
#   STARTD_BENCH_NO_COLD=1  skip the cold-ish runs even as root (they drop the whole machine's caches)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
sizes="${STARTD_BENCH_SIZES:-1000 10000 50000}"
reps="${STARTD_BENCH_REPS:-15}"

if [[ -n "${STARTD_BENCH_BUILD_DIR:-}" ]]; then
    build_dir="$STARTD_BENCH_BUILD_DIR"
    cmake --preset release -B "$build_dir" >/dev/null
    cmake --build "$build_dir"
else
    build_dir="$repo/build/release"
    cmake --preset release >/dev/null
    cmake --build --preset release
fi
gen="$build_dir/bench/gen_jobs"
bench="$build_dir/bench/load_jobs_bench"
startd="$build_dir/src/startd"

tmp_root="${STARTD_BENCH_TMP:-/var/tmp}"
[[ -d "$tmp_root" && -w "$tmp_root" ]] || tmp_root="${TMPDIR:-/tmp}"
work="$(mktemp -d "$tmp_root/startd-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cases=()
for n in $sizes; do
    "$gen" "$work/jobs-$n" "$n"
    cases+=("$n:$work/jobs-$n")
done

echo
echo "## Machine"
echo
echo "- $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "- load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- kernel $(uname -r); jobs generated on $(df -PT "$work" | awk 'NR==2 {print $2 " (" $1 ")"}')"
echo "- $(git -C "$repo" log -1 --format='commit %h %s' 2>/dev/null || echo 'not a git checkout')"

echo
echo "## config::load_job_dir ($reps warm runs each, after one warm-up)"
echo
cold=()
if [[ "$(id -u)" -eq 0 && -z "${STARTD_BENCH_NO_COLD:-}" && -w /proc/sys/vm/drop_caches ]]; then
    cold=(--cold)
fi
"$bench" --reps "$reps" "${cold[@]}" "${cases[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "## First load in a fresh process (one run each; page cache warm, heap not)"
echo
echo "| jobs | ms | µs/job | CPU ms |"
echo "|-----:|---:|-------:|-------:|"
for c in "${cases[@]}"; do
    "$bench" --once "$c" >/dev/null # a throwaway process re-warms the page cache after cold runs
    "$bench" --once "$c"
done

# End to end: process start, walk, parse, and printing one line per job (to /dev/null).
check_n=10000
check_dir="$work/jobs-$check_n"
if [[ ! -d "$check_dir" ]]; then
    check_n="${sizes%% *}"
    check_dir="$work/jobs-$check_n"
fi
echo
echo "## startd --check on $check_n jobs (end to end, output to /dev/null)"
echo
if command -v hyperfine >/dev/null; then
    hyperfine --style basic --warmup 2 --runs 15 --export-markdown "$work/check.md" \
        "$startd --check $check_dir" >/dev/null
    sed "s|$work/||" "$work/check.md"
else
    echo "(hyperfine not installed: 10 runs of a shell loop)"
    best=""
    total=0
    for _ in 1 2; do "$startd" --check "$check_dir" >/dev/null 2>&1; done
    for _ in $(seq 10); do
        start=$(date +%s%N)
        "$startd" --check "$check_dir" >/dev/null 2>&1
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        total=$((total + ms))
        if [[ -z "$best" || "$ms" -lt "$best" ]]; then best=$ms; fi
    done
    echo "mean $((total / 10)) ms, min $best ms"
fi
