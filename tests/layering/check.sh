#!/usr/bin/env bash
# tests/layering/check.sh: the folder rules of docs/ARCHITECTURE.md ("Who
# includes whom": include edges, no weak symbols, no kind switches outside
# core/, no __has_include feature flags, no DEBUG_ switches) on the
# sources, then the checker's self-test (one planted violation per rule
# must be caught).  A few seconds; no build needed.
# Last line: "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
p=0
f=0
for args in "" "--self-test"; do
    out=$(python3 "$ROOT/tests/layering/check-deps.py" $args "$ROOT")
    echo "$out"
    line=$(echo "$out" | tail -n1)
    [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] || { f=$((f + 1)); continue; }
    p=$((p + BASH_REMATCH[1]))
    f=$((f + BASH_REMATCH[2]))
done
echo "$p passed, $f failed"
[ "$f" = 0 ]
