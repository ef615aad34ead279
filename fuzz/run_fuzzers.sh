#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset) and runs each for a bounded time.
#
#   fuzz/run_fuzzers.sh [SECONDS_PER_FUZZER]      (default 45)
#
# Exits non-zero if the build fails or any fuzzer finds a crash, leak, timeout or OOM; the
# reproducer is kept in $STARTD_FUZZ_ARTIFACTS (default build/fuzz-artifacts/). Works from a clean
# clone and as root. Total time is bounded: four fuzzers, SECONDS each, plus the build.
#
# Environment (all optional):
#   STARTD_FUZZ_BUILD_DIR  build with `cmake --preset fuzz -B DIR` instead of the preset's build/fuzz
#   STARTD_FUZZ_CORPUS     keep corpora in DIR/<fuzzer>/ across runs instead of a throwaway temp dir
#   STARTD_FUZZ_ARTIFACTS  where crash/timeout reproducers go (default build/fuzz-artifacts)
#   STARTD_FUZZ_SEEDS      directory of job files to seed from (default ../shared/conformance/upstart-jobs)
set -euo pipefail

seconds="${1:-45}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
    echo "usage: $0 [SECONDS_PER_FUZZER]" >&2
    exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# ---- build ----------------------------------------------------------------------------------------
if [[ -n "${STARTD_FUZZ_BUILD_DIR:-}" ]]; then
    build_dir="$STARTD_FUZZ_BUILD_DIR"
    cmake --preset fuzz -B "$build_dir"
    cmake --build "$build_dir"
else
    build_dir="$repo/build/fuzz"
    cmake --preset fuzz
    cmake --build --preset fuzz
fi

# ---- seed corpora ---------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/startd-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

seeds_dir="${STARTD_FUZZ_SEEDS:-$repo/../shared/conformance/upstart-jobs}"
job_seeds="$work/seeds/job"
expr_seeds="$work/seeds/expr"
mkdir -p "$job_seeds" "$expr_seeds"

job_files=()
for dir in "$seeds_dir" "$repo/examples/jobs"; do
    if [[ -d "$dir" ]]; then
        while IFS= read -r -d '' f; do
            job_files+=("$f")
        done < <(find "$dir" -type f \( -name '*.conf' -o -name '*.override' \) -print0 | sort -z)
    else
        echo "run_fuzzers: note: no seed directory $dir; continuing with the built-in seeds" >&2
    fi
done

n=0
for f in "${job_files[@]}"; do
    n=$((n + 1))
    cp "$f" "$job_seeds/file-$n"
done

# A few hand-written job files for what real ones rarely show, including a .conf+override pair
# (the job fuzzer splits its input at the first 0xFF byte).
printf 'start on (a and\n  b)\n\n' >"$job_seeds/paren-blank-line"
printf 'exec /bin/echo "multi\n   line" \\\n  tail # comment\n' >"$job_seeds/quoted-continuation"
printf 'pre-start script\n\tif true; then\n\t  echo "x"\n\tfi\n  end   script # done\n' >"$job_seeds/script-end-variants"
printf 'instance $TTY\nenv A="b c"\nlimit nofile unlimited 4096\nnormal exit 0 TERM SIGHUP 99\n' >"$job_seeds/misc-stanzas"
printf 'start on runlevel [2345]\nexec foo\n\xffstart on never\nenv X=1\nmanual\n' >"$job_seeds/with-override"
# Long inputs the mutators rarely build: past the JSON tree depth limit, and many repeated cgroups.
ops=(and or or)
{ printf 'start on e0'; for i in $(seq 1 300); do printf ' %s e%d' "${ops[i % 3]}" "$i"; done; printf '\nexec x\n'; } >"$job_seeds/long-chain"
for i in $(seq 1 200); do printf 'cgroup cpu g%d shares %d\n' $((i % 70)) "$i"; done >"$job_seeds/many-cgroups"
printf 'oom score never\nkill signal SIGKILL\nreload signal USR1\ncgroup cpu grp shares 512\napparmor load /p\nconsole owner\numask 0027\nnice -5\n' >"$job_seeds/process-env"

# start on / stop on expressions: taken from the job files (with their continuation lines while a
# parenthesis is open), plus hand-written tricky ones.
m=0
for f in "${job_files[@]}"; do
    awk -v out="$expr_seeds/from-$((++m))-" '
        function depth(s,   i, c, d) { d = 0; for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); if (c == "(") d++; else if (c == ")") d-- } return d }
        collecting {
            if ($0 ~ /^[ \t]*(#.*)?$/) { collecting = 0 } else { expr = expr "\n" $0; open += depth($0) }
            if (!collecting || open <= 0) { print expr > (out k); close(out k); collecting = 0 }
            next
        }
        /^[ \t]*(start|stop)[ \t]+on[ \t]/ {
            expr = $0; sub(/^[ \t]*(start|stop)[ \t]+on[ \t]+/, "", expr)
            k++; open = depth(expr)
            if (open > 0) { collecting = 1 } else { print expr > (out k); close(out k) }
        }
        END { if (collecting) { print expr > (out k) } }
    ' "$f"
done
{ printf 'e0'; for i in $(seq 1 300); do printf ' or e%d' "$i"; done; } >"$expr_seeds/long-chain"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%b' "$line" >"$expr_seeds/hand-$i"
done <<'EOF'
startup
runlevel [2345]
stopped rc RUNLEVEL!=[016] and (filesystem or static-network-up)
(a and (b or (c and d)))
((((((((((x))))))))))
a or b or c or d and e
starting A and (B or C var=2)
net-device-up IFACE!=lo
"quoted name" "a b" K="v w"
a\\\n and b
(a\n and\n b)
(a\n\n and b)
a # comment\n
a K=v positional
=v
a !=v
e K!=
)
(a
a and
and a
a b c d e f g h KEY=VALUE KEY2!=VALUE2
EOF

# control_fuzz inputs are operation streams (see fuzz/control_fuzz.cpp): a byte picks the operation
# (0 connect, 1 raw bytes, 2 request, 3 loop turn, 4 read replies, 5 hang up, 6 slow reader,
# 7 failing call, 8 time passes), then its arguments. A few sessions to start from:
control_seeds="$work/seeds/control"
mkdir -p "$control_seeds"
# root asks for the version and reads the reply
printf '\x00\x00\x02\x00\x01\x09\x00\x03\x04\x00' >"$control_seeds/root-version"
# root starts svc (args {"job":"svc"}), time passes, it reads; then stops it
printf '\x00\x00\x02\x00\x02\x00\x0d{"job":"svc"}\x03\x08\x02\x03\x04\x00\x02\x00\x03\x01\x0d{"job":"svc"}\x03\x04\x00' >"$control_seeds/root-start-stop"
# two unprivileged clients pipeline list and check-config without reading, root asks status
printf '\x00\x01\x00\x02\x06\x00\x00\x06\x01\x00\x02\x00\x01\x05\x00\x02\x00\x02\x05\x00\x02\x01\x03\x07\x00\x03\x03\x03\x00\x00\x02\x02\x04\x04\x0d{"job":"svc"}\x03\x03\x04\x02' >"$control_seeds/pipeliners"
# a half-sent frame, a too-large one, garbage, a hang-up, accept failing with EMFILE
printf '\x00\x01\x01\x00\x06\x00\x00\x00\x40xx\x00\x02\x01\x01\x04\x00\xff\xff\xff\xff\x01\x00\x03\x00not\x03\x05\x00\x07\x00\x02\x00\x03\x03\x03\x08\x00\x03' >"$control_seeds/hostile"

# journal_fuzz inputs are state journals (docs/state-format.md): a real one, and a few cut or bent.
journal_seeds="$work/seeds/journal"
mkdir -p "$journal_seeds"
hdr='{"boot":"b1","kind":"header","pid":42,"startup":true,"version":1}'
env='{"id":7,"kind":"env","vars":["PATH=/bin","N=1"]}'
job='{"env":7,"failure":"","goal":"start","group":100,"instance":"1","job":"web","kind":"job","pids":{"main":100,"post-start":101},"respawn":[2,123456789],"state":"post-start","status":"ready","written":99}'
printf '%s\n%s\n%s\n' "$hdr" "$env" "$job" >"$journal_seeds/one-job"
printf '%s\n%s\n%s\n{"instance":"1","job":"web","kind":"gone"}\n%s\n' "$hdr" "$env" "$job" "$job" >"$journal_seeds/gone-and-back"
printf '%s\n%s\n%s' "$hdr" "$env" "${job:0:60}" >"$journal_seeds/cut-short"
printf '%s\n{"kind":"job","job":"x"}\n' "$hdr" >"$journal_seeds/missing-fields"

# ---- run ------------------------------------------------------------------------------------------
artifacts="${STARTD_FUZZ_ARTIFACTS:-$repo/build/fuzz-artifacts}"
mkdir -p "$artifacts"
status=0

run_one() {
    local name="$1" seeds="$2" max_len="$3" dict="$4"
    local binary="$build_dir/fuzz/$name"
    local corpus
    if [[ -n "${STARTD_FUZZ_CORPUS:-}" ]]; then
        corpus="$STARTD_FUZZ_CORPUS/$name"
    else
        corpus="$work/corpus/$name"
    fi
    mkdir -p "$corpus" "$artifacts/$name"
    echo "=== $name: ${seconds}s, seeds from $seeds ($(find "$seeds" -type f | wc -l) files)"
    # New inputs go to the first directory (the corpus); the seeds directory is only read.
    # The full log is kept; only the progress summary and any report is shown.
    set +e
    "$binary" "$corpus" "$seeds" \
        -dict="$dict" \
        -max_total_time="$seconds" \
        -max_len="$max_len" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/$name/" \
        2>&1 | tee "$work/$name.log" | grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|INFO: seed|stat::|==[0-9]+==|SUMMARY|Test unit written)'
    local rc="${PIPESTATUS[0]}"
    set -e
    if [[ "$rc" -ne 0 ]]; then
        echo "!!! $name failed (exit $rc); reproducer(s) in $artifacts/$name/:" >&2
        ls -l "$artifacts/$name/" >&2 || true
        tail -n 60 "$work/$name.log" >&2
        status=1
    else
        echo "=== $name: no crashes"
    fi
}

run_one job_parser_fuzz "$job_seeds" 65536 "$repo/fuzz/dict/job_file.dict"
run_one event_expr_fuzz "$expr_seeds" 8192 "$repo/fuzz/dict/job_file.dict"
run_one control_fuzz "$control_seeds" 65536 "$repo/fuzz/dict/control.dict"
run_one journal_fuzz "$journal_seeds" 16384 "$repo/fuzz/dict/journal.dict"

exit "$status"
