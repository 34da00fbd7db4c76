#!/usr/bin/env bash
# tests/unit/check.sh: the unit tests that need a guest kernel and a whole
# emulator (hamt-guest-test.sh) on every built emulator; the C unit tests
# run as meson tests.  Picked up by tests/run-all.sh as tests/*/check.sh
# (BUILD as there, default build/); needs BUILD/guest (make guest).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
pass=0
fail=0
for host in native mips64el loongarch64; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || continue
    case $host in
    native) emu=$bin ;;
    *) emu="qemu-$host $bin" ;;
    esac
    out=$("$ROOT/tests/unit/hamt-guest-test.sh" "$emu" "$BUILD/guest" 2>&1)
    rc=$?
    while IFS= read -r line; do
        echo "$line [$host]"
        case $line in
        "ok "*) pass=$((pass + 1)) ;;
        "not ok "*) fail=$((fail + 1)) ;;
        esac
    done <<<"$out"
    if [ "$rc" != 0 ] && ! grep -q '^not ok' <<<"$out"; then
        echo "not ok hamt-guest-test.sh exited with status $rc [$host]"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
