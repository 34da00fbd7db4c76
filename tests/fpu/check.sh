#!/usr/bin/env bash
# tests/fpu/check.sh: x87 checks that need a whole emulator but cannot be
# compared with QEMU, on every built emulator (picked up by
# tests/run-all.sh as tests/*/check.sh; BUILD as there, default build/):
#   - ferr.c: FERR# / IRQ13 / IGNNE# with CR0.NE = 0 (self-checking kernel;
#     qemu-system-i386 7.2 aborts on FERR#, see the kernel's header);
#   - the real-mode (and protected-mode pointer) fields of the x87
#     environment images, against the SDM: the guest kernel fpu_rm prints
#     "SDM ok/bad" lines that tests/guest/run.sh does not compare (QEMU 7.2
#     has no real-mode layout and no FCS/FDS/FOP); here every one must be ok.
#   - pg_split's FSTP m80 whose second page (bytes 8-9) faults: nothing is
#     written (QEMU 7.2 writes the first 8 bytes: "SDM ok/bad" lines);
#   - intgate's INT/IRET faults where QEMU 7.2 is not the SDM (#PF error
#     code of CPL 3 frame pushes/pops, #SS for an IRET to a not-present SS;
#     not x87, but the same "SDM ok/bad" pattern);
#   - freeze.c: NE = 0 and IF = 0 with an exception pending: the FWAIT
#     freezes for good, hamt86 stops there with status 2;
#   - --cosim on FP-heavy guests: the fpu, fptop and fpmem guest kernels and an
#     x87/MMX difftest kernel (gen.py --fpu) run to DONE with TBs compared
#     and no divergence, in every MMU mode.
# Needs BUILD/guest (make guest) for the guest library objects.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/fpu-check
CC=${CLANG:-clang-16}
LD=${LLD:-ld.lld-16}
mkdir -p "$OUT"
pass=0
fail=0
t() { if [ "$1" = 0 ]; then echo "ok $2"; pass=$((pass + 1)); else echo "not ok $2"; fail=$((fail + 1)); fi; }

GFLAGS=(--target=i686-elf -march=pentiumpro -O2 -ffreestanding -fno-pic
        -nostdlib -fno-builtin -fno-stack-protector
        -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -std=gnu11
        -Wall -Wextra -Wno-unused-parameter -I"$ROOT/tests/guest")
LIBO=("$BUILD/guest/lib/boot.o" "$BUILD/guest/lib/lib.o")
ok=1
for k in ferr freeze; do
    $CC "${GFLAGS[@]}" -c "$ROOT/tests/fpu/$k.c" -o "$OUT/$k.o" &&
        $LD -m elf_i386 -T "$ROOT/tests/guest/lib/link.ld" -o "$OUT/$k.elf" \
            "${LIBO[@]}" "$OUT/$k.o" || ok=0
done
t $((1 - ok)) "build ferr.elf freeze.elf"
# a small x87/MMX difftest kernel for --cosim
python3 "$ROOT/tests/difftest/gen.py" --fpu --seed 4242 --count 3000 \
    "$OUT/dt.bin" "$OUT/dt.meta" >/dev/null &&
printf '    .section .rodata\n    .globl dt_blob, dt_blob_end\n    .balign 4\ndt_blob:\n    .incbin "%s"\ndt_blob_end:\n' \
    "$OUT/dt.bin" >"$OUT/dt.S" &&
$CC "${GFLAGS[@]}" -c "$OUT/dt.S" -o "$OUT/dt.o" &&
for f in runner.c runner.S guest.c; do
    $CC "${GFLAGS[@]}" -c "$ROOT/tests/difftest/$f" -o "$OUT/dt-$f.o" || exit 1
done &&
$LD -m elf_i386 -T "$ROOT/tests/guest/lib/link.ld" -o "$OUT/dt.elf" \
    "${LIBO[@]}" "$OUT"/dt-*.o "$OUT/dt.o"
t $? "build x87 difftest kernel"

for host in native mips64el loongarch64; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || continue
    case $host in
    native) emu=("$bin") ;;
    *) emu=("qemu-$host" "$bin") ;;
    esac
    modes=$("${emu[@]}" --list-mmu 2>/dev/null | tr '\n' ' ')
    [ -n "$modes" ] || modes=hamt
    for m in $modes; do
        o=$(timeout 120 "${emu[@]}" -m 64 --mmu="$m" --kernel "$OUT/ferr.elf" 2>&1)
        rc=$?
        ! grep -q '^FAIL' <<<"$o" && grep -q '^DONE ferr passed=9 failed=0' <<<"$o" &&
            [ $rc = 1 ]
        t $? "ferr $host $m$(grep -m1 '^FAIL' <<<"$o" | sed 's/^/: /')"
        if [ -f "$BUILD/guest/fpu_rm.elf" ]; then
            o=$(timeout 120 "${emu[@]}" -m 64 --mmu="$m" --kernel "$BUILD/guest/fpu_rm.elf" 2>&1 | tr -d '\r')
            grep -q '^SDM done ok=37 bad=0$' <<<"$o" && grep -q '^DONE fpu_rm passed=[0-9]* failed=0' <<<"$o"
            t $? "fpu_rm SDM layouts $host $m$(grep -m1 '^SDM bad' <<<"$o" | sed 's/^/: /')"
        fi
        if [ -f "$BUILD/guest/pg_split.elf" ]; then
            o=$(timeout 120 "${emu[@]}" -m 64 --mmu="$m" --kernel "$BUILD/guest/pg_split.elf" 2>&1 | tr -d '\r')
            grep -q '^SDM done ok=4 bad=0$' <<<"$o" && grep -q '^DONE pg_split passed=[0-9]* failed=0' <<<"$o"
            t $? "pg_split FSTP m80 split at +8 $host $m$(grep -m1 '^SDM bad' <<<"$o" | sed 's/^/: /')"
        fi
        if [ -f "$BUILD/guest/intgate.elf" ]; then
            o=$(timeout 120 "${emu[@]}" -m 64 --mmu="$m" --kernel "$BUILD/guest/intgate.elf" 2>&1 | tr -d '\r')
            grep -q '^SDM done ok=4 bad=0$' <<<"$o" && grep -q '^DONE intgate passed=[0-9]* failed=0' <<<"$o"
            t $? "intgate INT/IRET fault details $host $m$(grep -m1 '^SDM bad' <<<"$o" | sed 's/^/: /')"
        fi
        o=$(timeout 120 "${emu[@]}" -m 64 --mmu="$m" --kernel "$OUT/freeze.elf" 2>&1)
        rc=$?
        at=$(sed -n 's/^INFO freeze-at \([0-9a-f]*\).*/\1/p' <<<"$o")
        ! grep -q '^FAIL' <<<"$o" && [ -n "$at" ] && [ $rc = 2 ] &&
            grep -q "halted with interrupts disabled at EIP 0x$at" <<<"$o"
        t $? "freeze (NE=0, IF=0) $host $m$(grep -m1 '^FAIL' <<<"$o" | sed 's/^/: /')"
        for k in "$BUILD/guest/fpu.elf" "$BUILD/guest/fptop.elf" \
                 "$BUILD/guest/fpmem.elf" "$OUT/dt.elf"; do
            [ -f "$k" ] || continue
            o=$(timeout 600 "${emu[@]}" -m 64 --mmu="$m" --cosim --stats \
                --kernel "$k" 2>&1)
            rc=$?
            n=$(grep -o 'cosim TBs compared *[0-9]*' <<<"$o" | grep -o '[0-9]*$')
            ! grep -q 'cosim: divergence' <<<"$o" && grep -q '^DONE' <<<"$o" &&
                [ "${n:-0}" -gt 0 ] && [ $rc != 3 ]
            t $? "cosim $(basename "$k" .elf) $host $m (${n:-0} TBs compared)$(grep -m1 'cosim: divergence' <<<"$o" | sed 's/^/: /')"
        done
    done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
