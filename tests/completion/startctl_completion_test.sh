#!/usr/bin/env bash
# Tests completion/startctl.bash in a plain bash (no bash-completion package): commands, options,
# job names and variables asked of a stand-in startctl (which answers `list` and `list-env` as
# startd would and records its arguments), the instance options passed on to it, and the
# Upstart names registered only where they are links to startctl.
# Usage: startctl_completion_test.sh COMPLETION_FILE   (ctest runs it: bash_completion)
set -euo pipefail
script=${1:?usage: $0 COMPLETION_FILE}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/startctl-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/startctl" <<'STUB'
#!/bin/sh
echo "$*" >"$(dirname "$0")/args"
for last; do :; done
case "$*" in
*"instance list")
    printf 'NAME GROUP ENABLED RUNNING CONFIG DIR\n- - yes yes /etc/startd\nmail mta no no /etc/startd-mail\nmx mta no no /x\n'
    exit 0
    ;;
esac
case "$last" in
list) printf 'web start/running, process 10\n\tpost-start process 11\ngetty (tty1) start/running, process 12\nworker stop/waiting\n' ;;
list-env) printf 'PATH=/bin\nLANG=C\n' ;;
esac
STUB
chmod +x "$tmp/startctl"
ln -s startctl "$tmp/initctl"
ln -s startctl "$tmp/stop"
PATH="$tmp:$PATH"

# shellcheck source=/dev/null
source "$script"

failures=0
# check WANT WORD...: completing the last WORD gives WANT (sorted, space-separated).
check() {
    local want=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _startctl
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
    if [[ $got != "$want" ]]; then
        echo "FAIL: '$*' completed to '$got', expected '$want'" >&2
        failures=$((failures + 1))
    else
        echo "ok: '$*' -> '$got'"
    fi
}

check "start status" startctl sta
check "reexec reload reload-configuration reset-env restart" startctl re
check "--no-wait --now" startctl --no
check "--session --since --socket --svg --system" startctl -q --s
check "web worker" startctl start w
check "getty" startctl status g
check "getty web worker" startctl -n restart ""
check "web worker" stop w
check "" startctl start web ""
check "LANG" startctl get-env L
check "" startctl emit ""
check "log log-priority" startctl lo
check "web worker" startctl log -n 20 w
check "web worker" startctl log --lines 20 -f w
check "" startctl log web ""
check "debug" startctl log-priority d
check "" startctl log-priority warn ""
check "web" startctl --socket=/tmp/s start we
if [[ $(cat "$tmp/args") != "--socket=/tmp/s list" ]]; then
    echo "FAIL: job names were asked with '$(cat "$tmp/args")', not '--socket=/tmp/s list'" >&2
    failures=$((failures + 1))
fi
check "web" startctl -c /etc/other start we
if [[ $(cat "$tmp/args") != "-c /etc/other list" ]]; then
    echo "FAIL: job names were asked with '$(cat "$tmp/args")', not '-c /etc/other list'" >&2
    failures=$((failures + 1))
fi
mkdir -p "$tmp/image/etc/init/net" "$tmp/jobs"
touch "$tmp/image/etc/init/net/apache.conf" "$tmp/image/etc/init/ntp.conf" "$tmp/image/etc/init/ntp.override"
touch "$tmp/jobs/nginx.conf"
check "net/apache ntp" startctl --root "$tmp/image" disable n
check "nginx" startctl "--jobs-dir=$tmp/jobs" is-enabled ""
check "web" startctl enable we # no jobs dir named: the running startd's jobs
check "disable" startctl dis
check "instance" startctl ins
check "start status stop" startctl instance st
check "--group" startctl instance stop --gr
check "" startctl instance start ""
check "mail mx" startctl instance start -i m
check "mta" startctl instance stop -g ""
check "mail mx" startctl --instance m
check "web" startctl -i mail start we
if [[ $(cat "$tmp/args") != "-i mail list" ]]; then
    echo "FAIL: job names were asked with '$(cat "$tmp/args")', not '-i mail list'" >&2
    failures=$((failures + 1))
fi
check "$tmp/image" startctl --root "$tmp/ima"
mkdir "$tmp/confdir"
check "$tmp/confdir" startctl --config "$tmp/confd"
check "--config=$tmp/confdir" startctl "--config=$tmp/confd"

for name in startctl initctl stop; do
    if ! complete -p "$name" >/dev/null 2>&1; then
        echo "FAIL: no completion registered for $name" >&2
        failures=$((failures + 1))
    fi
done
if complete -p restart >/dev/null 2>&1 && [[ $(type -P restart || true) != "$tmp/"* ]]; then
    echo "FAIL: a completion was registered for restart, which is not startctl here" >&2
    failures=$((failures + 1))
fi

if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "bash completion: all checks passed"
