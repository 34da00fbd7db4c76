#!/usr/bin/env bash
# tests/bench-smoke/check.sh: bench/fp.sh still runs (picked up by
# tests/run-all.sh as tests/*/check.sh; BUILD as there, default build/).
# One small kernel (fp_conv) on the native interpreter, the mips64el JIT
# when built and the QEMU peer when bench/qemu-peer.sh has unpacked it;
# counts only, no profile.  It checks that the script, the plugins and the
# result lines work, not the numbers (about 30 s of CPU).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
pass=0
fail=0
t() { if [ "$1" = 0 ]; then echo "ok $2"; pass=$((pass + 1)); else echo "not ok $2"; fail=$((fail + 1)); fi; }

make -s -C "$ROOT" BUILD="$BUILD" "$BUILD/bench/fp_null.elf" "$BUILD/bench/fp_conv.elf" >/dev/null
t $? "build fp_null.elf fp_conv.elf"
eng=""
[ -x "$BUILD/native/hamt86" ] && eng=native-interp
[ -x "$BUILD/mips64el/hamt86" ] && eng=$eng${eng:+,}mips64el-jit
[ -f "${HAMT86_DEPS:-/opt/hamt86-deps}/qemu-peer-mips64el/.done" ] && eng=$eng${eng:+,}peer
if [ -n "$eng" ]; then
    o=$("$ROOT/bench/fp.sh" -b "$BUILD" -k fp_conv -e "$eng" -p 0 \
        -o "$BUILD/bench/fp-smoke.md" 2>&1)
    rc=$?
    [ $rc = 0 ] && grep -q '^| fp_conv | [0-9]* | [0-9]* (.*) | [0-9]' <<<"$o"
    t $? "bench/fp.sh -k fp_conv -e $eng$(grep -m1 'FAIL' <<<"$o" | sed 's/^/: /')"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
