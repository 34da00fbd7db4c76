#!/usr/bin/env bash
# tests/encoder/run.sh: build and run the host encoder round-trip tests
# without meson (gcc only).  For each ISA table: generate the header and the
# test data with cross/gen-insn.py, build tests/encoder/encoder-test.c with
# the disassembler natively, run it (it compares against binutils objdump).
# The LoongArch objdump comes from cross/build-loongarch-binutils.sh; the
# LoongArch test is skipped when it is missing (set HAMT86_BUILD_BINUTILS=1
# to build it first).  The last line is "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${ENCODER_BUILD:-$(mktemp -d /tmp/hamt86-encoder.XXXXXX)}
mkdir -p "$OUT"
CC=${CC:-gcc}

if [ "${HAMT86_BUILD_BINUTILS:-0}" = 1 ]; then
    "$ROOT/cross/build-loongarch-binutils.sh" || exit 1
fi

total_pass=0
total_fail=0
for spec in "mips host-mips/mips-insn.def mips-insn host-mips/mips-disas.c TEST_MIPS" \
            "loongarch host-loongarch/la-insn.def la-insn host-loongarch/la-disas.c TEST_LA"; do
    set -- $spec
    isa=$1 def=$2 base=$3 disas=$4 def_macro=$5
    log=$OUT/$isa.log
    if ! python3 "$ROOT/cross/gen-insn.py" "$isa" "$ROOT/$def" \
            "$OUT/$base.h" "$OUT/$base-test.inc"; then
        echo "encoder-$isa: generator failed"
        total_fail=$((total_fail + 1))
        continue
    fi
    if ! $CC -std=gnu11 -O1 -Wall -Wextra -Werror -Wno-unused-function \
            -D"$def_macro" -I"$ROOT" -I"$OUT" \
            "$ROOT/tests/encoder/encoder-test.c" "$ROOT/$disas" \
            "$ROOT/tests/lib/hosted-shim.c" -o "$OUT/encoder-$isa"; then
        echo "encoder-$isa: build failed"
        total_fail=$((total_fail + 1))
        continue
    fi
    "$OUT/encoder-$isa" >"$log" 2>&1
    rc=$?
    head -n 40 "$log" | grep -v '^[0-9]* passed' || true
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
    if [ $rc = 77 ]; then
        echo "encoder-$isa: skipped (no objdump)"
        continue
    fi
    if [ -z "$line" ]; then
        total_fail=$((total_fail + 1))
        tail -n 5 "$log"
        continue
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    [ $rc = 0 ] || [ "$f" != 0 ] || f=1
    echo "encoder-$isa: $p passed, $f failed"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
done
[ -n "${ENCODER_BUILD:-}" ] || rm -rf "$OUT"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
