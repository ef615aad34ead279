#!/usr/bin/env bash
# Event throughput benchmark (issue 5): with N job classes of which 10 listen to event E,
# `emit --no-wait E` × EVENTS, in-process (the engine alone) and end to end (a real startd in
# user mode, one client connection, requests pipelined). N grows from 1,000 to 100,000 to show
# the rate does not depend on unrelated jobs. Prints a markdown table; cleans up by PID.
#
#   bench/run_emit_bench.sh
#
# Environment (optional): STARTD_BENCH_SIZES (default "1000 10000 100000"),
# STARTD_BENCH_EVENTS (default 100000), STARTD_BENCH_REPS (default 3; the median is reported).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
sizes="${STARTD_BENCH_SIZES:-1000 10000 100000}"
events="${STARTD_BENCH_EVENTS:-100000}"
reps="${STARTD_BENCH_REPS:-3}"

cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
bench="$repo/build/release/bench/emit_bench"
startd="$repo/build/release/src/startd"

work="$(mktemp -d "${TMPDIR:-/tmp}/startd-emit.XXXXXX")"
daemon_pid=""
cleanup() {
    if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid"
        for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { sed -n 's/.*events_per_s=\([0-9]*\).*/\1/p'; }

echo "| unrelated + 10 listening jobs | engine events/s (median of $reps) | startd over the socket events/s (median of $reps) |"
echo "|---:|---:|---:|"
for n in $sizes; do
    engine_rates=()
    for _ in $(seq "$reps"); do engine_rates+=("$("$bench" engine "$n" "$events" | rate)"); done

    dir="$work/n$n"
    mkdir -p "$dir/jobs" "$dir/log"
    "$bench" gen "$dir/jobs" "$n"
    "$startd" --user --jobs-dir "$dir/jobs" --socket "$dir/control" --log-dir "$dir/log" 2>"$dir/startd.err" &
    daemon_pid=$!
    for _ in $(seq 600); do [[ -S "$dir/control" ]] && break; sleep 0.1; done
    [[ -S "$dir/control" ]] || { echo "startd did not come up:"; cat "$dir/startd.err"; exit 1; }
    socket_rates=()
    for _ in $(seq "$reps"); do socket_rates+=("$("$bench" socket "$dir/control" "$events" | rate)"); done
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || true
    daemon_pid=""
    rm -rf "$dir"

    e=$(printf '%s\n' "${engine_rates[@]}" | median)
    s=$(printf '%s\n' "${socket_rates[@]}" | median)
    printf '| %s | %s | %s |\n' "$n" "$e" "$s"
done
