#!/usr/bin/env bash
# Fails if a man page does not render cleanly: any groff warning (-ww: every warning category,
# formatted for a terminal as man(1) does), or a @VARIABLE@ that CMake left unreplaced.
# Usage: man/check-man.sh PAGE...   (the pages CMake generated in the build tree; ctest runs it)
# Exits 77 (ctest's "skipped") when groff is not installed.
set -euo pipefail
if ! command -v groff >/dev/null; then
  echo "check-man: groff is not installed (Debian: groff-base); skipped" >&2
  exit 77
fi
[[ $# -gt 0 ]] || { echo "usage: $0 PAGE..." >&2; exit 2; }
status=0
for page in "$@"; do
  if ! warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null); then
    echo "$page: groff failed" >&2
    status=1
  fi
  if [[ -n "$warnings" ]]; then
    echo "$page: groff warnings:" >&2
    echo "$warnings" >&2
    status=1
  fi
  if grep -n '@[A-Z_]*@' "$page" >&2; then
    echo "$page: unreplaced @VARIABLE@ above" >&2
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "check-man: $# pages render without warnings"
exit $status
