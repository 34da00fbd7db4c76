#!/usr/bin/env bash
# tests/fuzz/check.sh (= make fuzz-smoke; run by tests/run-all.sh): build
# the libFuzzer harnesses (tests/fuzz/build.sh) and run each briefly: first
# every input of its seed corpus (tests/fuzz/corpus/H; fuzz-codegen-* use
# corpus/block) and its kept crash
# inputs (tests/fuzz/crashes/H, minimised, each once a bug) exactly, then
# FUZZ_SECONDS (default 10) of fuzzing from them.  New inputs go to
# BUILD/fuzz-out/H, never into the tree.  A crash, leak, sanitizer report
# or timeout fails the harness; its reproducer is in BUILD/fuzz-out.
# The last line is "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SECS=${FUZZ_SECONDS:-10}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
notok() { fail=$((fail + 1)); echo "not ok $1: $2"; [ -f "${3:-}" ] && tail -n 15 "$3" | sed 's/^/    /'; }

if ! "$ROOT/tests/fuzz/build.sh"; then
    notok "fuzz build" "tests/fuzz/build.sh failed (see $BUILD/fuzz-build.log)"
    echo "$pass passed, $fail failed"
    exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# the codegen harnesses take fuzz-block's input format and share its corpus
corpus_of() { case $1 in codegen-*) echo block ;; *) echo "$1" ;; esac; }
for h in decode block codegen-mips codegen-loongarch loader options hwreset; do
    bin=$BUILD/fuzz/tests/fuzz/fuzz-$h
    seeds=$ROOT/tests/fuzz/corpus/$(corpus_of "$h")
    out=$BUILD/fuzz-out/$h
    log=$BUILD/fuzz-out/$h.log
    rm -rf "$out"
    mkdir -p "$out"
    if [ ! -x "$bin" ]; then
        notok "fuzz-$h" "$bin not built"
        continue
    fi
    # 1. every kept input, exactly (regressions)
    inputs=()
    for d in "$seeds" "$ROOT/tests/fuzz/crashes/$h"; do
        [ -d "$d" ] && inputs+=("$d"/*)
    done
    if ! timeout 300 "$bin" -timeout=10 -artifact_prefix="$out/" \
            "${inputs[@]}" >"$log.replay" 2>&1; then
        notok "fuzz-$h replay" "an input of tests/fuzz/{corpus,crashes}/$h failed" "$log.replay"
        continue
    fi
    ok "fuzz-$h replay (${#inputs[@]} inputs)"
    # 2. a short fuzzing run from the corpus
    dirs=("$out" "$seeds")
    [ -d "$ROOT/tests/fuzz/crashes/$h" ] && dirs+=("$ROOT/tests/fuzz/crashes/$h")
    if timeout $((SECS + 120)) "$bin" -max_total_time="$SECS" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
            "${dirs[@]}" >"$log" 2>&1; then
        ok "fuzz-$h ${SECS}s ($(sed -n 's/^stat::number_of_executed_units: *//p' "$log") execs, $(grep -oE 'cov: [0-9]+' "$log" | tail -n1))"
    else
        notok "fuzz-$h ${SECS}s" "crash or timeout (reproducer in $out)" "$log"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
