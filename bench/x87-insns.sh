#!/usr/bin/env bash
# bench/x87-insns.sh: host instructions per guest x87 instruction, counted
# exactly with the TCG plugin bench/plugin/range-insns.c under
# qemu-mips64el and qemu-loongarch64 (docs/BENCH.md "x87 translation").
#
# usage: bench/x87-insns.sh [NAME=HAMT86_BINARY ...]
#   default: mips64el=build/mips64el/hamt86 loongarch64=build/loongarch64/hamt86
#   NAME must start with the host (mips64el / loongarch64): it picks the qemu.
#
# The kernel bench/x87/fpmix.c runs a loop of a known x87 mix (MIX 0: ten
# register moves; MIX 1: twelve instructions of compiled-code shape) for
# ITERS iterations; each mix is built for two ITERS values, and
#   (total(I2) - total(I1)) / ((I2 - I1) * x87 insns per iteration)
# is the host instructions per guest x87 instruction in the steady state
# (translation and boot cancel out; the loop's DEC/JNZ is included).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/bench/x87
mkdir -p "$OUT"
CC=${CLANG:-clang-16}
LD=${LLD:-ld.lld-16}
PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin")
PLUGIN=$PLUGDIR/range-insns.so
[ -f "$BUILD/guest/lib/lib.o" ] || make -s -C "$ROOT" guest
GFLAGS=(--target=i686-elf -march=pentiumpro -O2 -ffreestanding -fno-pic
        -nostdlib -fno-builtin -fno-stack-protector
        -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -std=gnu11
        -I"$ROOT/tests/guest")
I1=1000
I2=21000
for mix in 0 1; do
    for it in $I1 $I2; do
        $CC "${GFLAGS[@]}" -DMIX=$mix -DITERS=$it -c "$ROOT/bench/x87/fpmix.c" \
            -o "$OUT/fpmix-$mix-$it.o"
        $LD -m elf_i386 -T "$ROOT/tests/guest/lib/link.ld" \
            -o "$OUT/fpmix-$mix-$it.elf" "$BUILD/guest/lib/boot.o" \
            "$BUILD/guest/lib/lib.o" "$OUT/fpmix-$mix-$it.o"
    done
done
[ $# -gt 0 ] || set -- mips64el="$BUILD/mips64el/hamt86" \
                       loongarch64="$BUILD/loongarch64/hamt86"
echo "| build | mix | x87 insns/iter | host insns per x87 insn |"
echo "| --- | --- | ---: | ---: |"
for spec in "$@"; do
    name=${spec%%=*}
    bin=${spec#*=}
    case $name in
    mips64el*) q=qemu-mips64el ;;
    loongarch64*) q=qemu-loongarch64 ;;
    *) echo "unknown host in $name" >&2; exit 2 ;;
    esac
    for mix in 0 1; do
        per=$([ $mix = 0 ] && echo 10 || echo 12)
        t=()
        for it in $I1 $I2; do
            o=$($q -d plugin -plugin "$PLUGIN" "$bin" -m 64 \
                --kernel "$OUT/fpmix-$mix-$it.elf" 2>&1) || true
            grep -q "^DONE fpmix" <<<"$o" || { echo "$name mix $mix: no DONE" >&2; exit 1; }
            t+=("$(awk '/range-insns: total/ {print $3}' <<<"$o")")
        done
        awk -v a="${t[0]}" -v b="${t[1]}" -v n=$((I2 - I1)) -v p=$per \
            -v name="$name" -v mix=$([ $mix = 0 ] && echo moves || echo mixed) \
            'BEGIN { printf "| %s | %s | %d | %.1f |\n", name, mix, p, (b - a) / (n * p) }'
    done
done
