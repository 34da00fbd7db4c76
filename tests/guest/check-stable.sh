#!/usr/bin/env bash
# tests/guest/check-stable.sh: make sure no kernel prints values that depend
# on code layout, register allocation or leftover memory (such values would
# make the reference comparison meaningless).  Rebuilds every kernel with
# -O1 and a different link order, runs both builds on the reference and
# reports kernels whose filtered output differs.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/build/guest/stable}
mkdir -p "$OUT"
make -s guest || exit 1
CF="--target=i686-elf -march=pentiumpro -O1 -ffreestanding -fno-pic -nostdlib
    -fno-builtin -fno-stack-protector -fno-asynchronous-unwind-tables -mno-sse
    -mno-mmx -std=gnu11 -Itests/guest"
clang-16 $CF -c tests/guest/lib/lib.c -o "$OUT/lib.o" || exit 1
clang-16 $CF -c tests/guest/lib/boot.S -o "$OUT/boot.o" || exit 1
bad=0
for src in tests/guest/*.c; do
    k=$(basename "$src" .c)
    clang-16 $CF -c "$src" -o "$OUT/$k.o" &&
    ld.lld-16 -m elf_i386 -T tests/guest/lib/link.ld -o "$OUT/$k.elf" \
        "$OUT/lib.o" "$OUT/$k.o" "$OUT/boot.o" || { bad=1; continue; }
    for e in "build/guest/$k.elf" "$OUT/$k.elf"; do
        timeout 60 qemu-system-i386 -M isapc -cpu pentium2 -m 64 -nographic \
            -no-reboot -monitor none -device isa-debug-exit,iobase=0xf4 \
            -kernel "$e" </dev/null | tr -d '\r' |
            grep -aoE '(PASS|FAIL|INFO|DONE)( .*)?$' >"$e.stable-out"
    done
    if cmp -s "build/guest/$k.elf.stable-out" "$OUT/$k.elf.stable-out"; then
        echo "ok $k"
    else
        echo "not ok $k"
        diff "build/guest/$k.elf.stable-out" "$OUT/$k.elf.stable-out" | head -5
        bad=1
    fi
done
exit $bad
