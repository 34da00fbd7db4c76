#!/bin/sh
# Build and run the standalone MIPS backend test under qemu-mips64el.
# usage: tests/unit/mips-backend-test.sh [iterations] [verbose]
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${TMPDIR:-/tmp}/hamt86-mips-backend-test
mkdir -p "$OUT"
python3 "$ROOT/cross/gen-insn.py" mips "$ROOT/host-mips/mips-insn.def" "$OUT/mips-insn.h"
mips64el-linux-gnuabi64-gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
    -DHAMT86_HOST_MIPS -I"$ROOT" -I"$OUT" -static -o "$OUT/mips-backend-test" \
    "$ROOT/tests/unit/mips-backend-test.c" "$ROOT/tests/lib/hosted-shim.c" \
    "$ROOT/translator/ir.c" \
    "$ROOT/host-common/lower-common.c" "$ROOT/host-common/lower-ops.c" "$ROOT/host-common/backend-common.c" \
    "$ROOT/host-common/hamt-site.c" \
    "$ROOT/host-mips/mips-lower.c" "$ROOT/host-mips/mips-hamt.c" \
    "$ROOT/host-mips/mips-backend.c" "$ROOT/host-mips/mips-disas.c"
exec qemu-mips64el "$OUT/mips-backend-test" "$@"
