#!/usr/bin/env bash
# Issue 12's figures on the release build (bench/README.md, "Trust under load"): status latency
# idle / while a job floods its log / while uid 65534 attacks the socket, and the log ingest rate
# against `yes | cat > file`. Run as root. Options are passed to bench/trust_bench.py
# (--requests, --seconds, --idle-conns, --pipeliners, --partials, --timeout, --json FILE).
#   STARTD_BENCH_NO_BUILD=1   use build/release as it is
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "run_trust_bench: run as root" >&2; exit 2; }
if [[ "${STARTD_BENCH_NO_BUILD:-0}" != 1 ]]; then
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target startd >/dev/null)
fi
exec python3 "$root/bench/trust_bench.py" --startd "$root/build/release/src/startd" "$@"
