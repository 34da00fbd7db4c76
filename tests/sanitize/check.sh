#!/usr/bin/env bash
# tests/sanitize/check.sh (run by tests/run-all.sh): the native hamt86
# built with ASan + UBSan (BUILD/fuzz, tests/fuzz/build.sh) runs the whole
# guest kernel suite in the hamt and softmmu modes (SAN_MODES), the bad-input suite and the
# random differential test (SAN_DIFFTEST_COUNT sequences, default 20000).
# Any sanitizer report ends the process with an error (halt_on_error,
# abort_on_error), which the suites count as a failure.  The last line is
# "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
pass=0
fail=0
if ! "$ROOT/tests/fuzz/build.sh"; then
    echo "not ok sanitize build: tests/fuzz/build.sh failed"
    echo "0 passed, 1 failed"
    exit 1
fi
# HAMT handles SIGSEGV/SIGBUS itself; leaks are the fuzzers' business
export ASAN_OPTIONS=${ASAN_OPTIONS:-handle_segv=0:handle_sigbus=0:allow_user_segv_handler=1:detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
emu="asan=$BUILD/fuzz/hamt86"

# count one suite's "N passed, N failed" line
run() {  # name command...
    local name=$1 out line t0=$SECONDS
    shift
    out=$("$@" 2>&1)
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n1)
    grep -E '^not ok' <<<"$out" | sed "s/\$/ [$name]/"
    if [ -z "$line" ]; then
        echo "not ok $name: no summary line"
        tail -n 10 <<<"$out"
        fail=$((fail + 1))
    else
        pass=$((pass + ${line%% passed*}))
        f=${line#*, }
        fail=$((fail + ${f%% failed*}))
    fi
    echo "== $name: $line ($((SECONDS - t0)) s)"
}

# hamt and softmmu: hamt16k on the interpreter is the known 15x cliff
# (docs/RELIABILITY.md), which ASan's 2-3x would push past the timeouts
run sanitize-guest "$ROOT/tests/guest/run.sh" -b "$BUILD" -m "${SAN_MODES:-hamt softmmu}" "$emu"
run sanitize-badinput "$ROOT/tests/badinput/run.sh" -b "$BUILD/sanitize" "$emu"
# the seed is pinned as in tests/run-all.sh (HAMT86_SEED=random draws one)
san_seed=${HAMT86_SEED:-${DIFFTEST_SEED:-4094335922}}
[ "$san_seed" = random ] && san_seed=
HAMT86_SEED=$san_seed DIFFTEST_OUT=$BUILD/sanitize/difftest run sanitize-difftest \
    "$ROOT/tests/difftest/run.sh" --count "${SAN_DIFFTEST_COUNT:-20000}" "$emu"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
