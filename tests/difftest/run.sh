#!/usr/bin/env bash
# tests/difftest/run.sh: random instruction-sequence differential tests.
#
# usage: tests/difftest/run.sh [--count N] [--seed S] [--batch-size B]
#                              [--qemu] [--keep] [NAME=COMMAND ...]
#   NAME=COMMAND an emulator under test, run as `COMMAND -m 64 --kernel K`,
#                e.g. native=build/native/hamt86
#                     mips64el="qemu-mips64el build/mips64el/hamt86"
#                (a bare command without NAME= is one emulator "hamt86")
#   --count N    sequences in total (default 100000)
#   --seed S     base seed (default: $HAMT86_SEED, else random; printed);
#                batch b uses S, b.  HAMT86_SEED=S reproduces a run.
#   --batch-size sequences per kernel boot (default 20000, at most 20000)
#   --fpu-count N  x87/MMX sequences in total (default 100000; gen.py
#                --fpu), in their own batches after the integer ones
#   --fpu-exclude M1,M2  x87/MMX mnemonics left out of the sequences
#   --qemu       also (or, without emulators, only) run the kernels under
#                qemu-system-i386 -cpu pentium2: a check of the harness.
#                CMPXCHG8B is then left out of the sequences: QEMU 7.2
#                computes its other flags wrongly (seen against the CPU).
#
# For each batch gen.py writes a blob of sequences; the native runner (a
# static i386 Linux program: the real CPU; qemu-i386 on hosts that cannot
# run i386 programs) produces the reference; the same blob is linked into a
# multiboot kernel that boots once per emulator; compare.py diffs the two,
# masking flags the SDM leaves undefined.  x87/MMX batches (gen.py --fpu)
# also compare the FNSAVE image (registers, FCW, FSW, FTW); where the host
# cannot run i386 programs their oracle is difftest-native64 (the same
# mode-neutral bytes on the real CPU in 64-bit mode, runner.S built for x86_64), since
# QEMU's x87 is not the CPU's.  Output files go to
# $DIFFTEST_OUT (default build/difftest).  Prints one ok/not ok line per
# batch x emulator; the last line is "N passed, N failed" (batches); exit
# status 1 on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${DIFFTEST_OUT:-$ROOT/build/difftest}
COUNT=100000
FPCOUNT=100000
FPEXCL=${DIFFTEST_FPU_EXCLUDE:-}
BATCH=20000
SEED=${HAMT86_SEED:-}
QEMU=0
KEEP=0
while [ $# -gt 0 ]; do
    case $1 in
    --count) COUNT=$2; shift 2 ;;
    --fpu-count) FPCOUNT=$2; shift 2 ;;
    --fpu-exclude) FPEXCL=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --batch-size) BATCH=$2; shift 2 ;;
    --qemu) QEMU=1; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    --) shift; break ;;
    *) break ;;
    esac
done
# Emulators: NAME=COMMAND words, or one bare command (all the words).
EMU_NAMES=()
EMU_CMDS=()
if [ $# -gt 0 ]; then
    case $1 in
    *=*) for e in "$@"; do EMU_NAMES+=("${e%%=*}"); EMU_CMDS+=("${e#*=}"); done ;;
    *) EMU_NAMES=(hamt86); EMU_CMDS=("$*") ;;
    esac
fi
[ -n "$SEED" ] || SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[ ${#EMU_NAMES[@]} -gt 0 ] || QEMU=1
if [ "$BATCH" -gt 20000 ] || [ "$BATCH" -lt 1 ]; then
    echo "difftest: --batch-size $BATCH: expected 1..20000 (DT_MAX_SEQ)"
    echo "0 passed, 1 failed"
    exit 1
fi
EMU_TIMEOUT=${EMU_TIMEOUT:-600}

CC=${CLANG:-clang-16}
LD=${LLD:-ld.lld-16}
mkdir -p "$OUT/obj"
echo "difftest: seed $SEED (HAMT86_SEED=$SEED to reproduce), $COUNT integer and $FPCOUNT x87/MMX sequences in batches of $BATCH"

# --- build the runners (once) -------------------------------------------------
NATIVE_FLAGS=(--target=i686-linux-gnu -march=pentiumpro -O2 -ffreestanding
              -fno-builtin -fno-pic -fno-stack-protector -mno-sse -mno-mmx
              -fno-asynchronous-unwind-tables -nostdlib -static -fuse-ld=lld
              -Wl,-no-pie -Wl,-e,_start -Wall -Wextra)
GUEST_FLAGS=(--target=i686-elf -march=pentiumpro -O2 -ffreestanding -fno-pic
             -nostdlib -fno-builtin -fno-stack-protector
             -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -std=gnu11
             -Wall -Wextra -Wno-unused-parameter -I"$ROOT/tests/guest")
build() {
    local target=$1; shift
    if [ ! -f "$target" ] || [ -n "$(find "$@" -newer "$target" 2>/dev/null | head -1)" ]; then
        return 0
    fi
    return 1
}
NATIVE=$OUT/difftest-native
SRCS=("$HERE/native.c" "$HERE/runner.c" "$HERE/runner.S" "$HERE/runner.h")
if build "$NATIVE" "${SRCS[@]}"; then
    $CC "${NATIVE_FLAGS[@]}" -o "$NATIVE" "$HERE/native.c" "$HERE/runner.c" \
        "$HERE/runner.S" || { echo "difftest: native runner build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
# The x86_64 runner: the x87/MMX oracle on hosts that cannot run i386
# programs (the real x87 is the same in 64-bit mode; gen.py --fpu emits
# mode-neutral code).
NATIVE64=$OUT/difftest-native64
SRCS64=("$HERE/native.c" "$HERE/runner.c" "$HERE/runner.S" "$HERE/runner.h")
if build "$NATIVE64" "${SRCS64[@]}"; then
    N64=("${NATIVE_FLAGS[@]/--target=i686-linux-gnu/--target=x86_64-linux-gnu}")
    $CC "${N64[@]/-march=pentiumpro/-march=x86-64}" \
        -DDT_NATIVE64 -o "$NATIVE64" "$HERE/native.c" "$HERE/runner.c" \
        "$HERE/runner.S" || { echo "difftest: native64 runner build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
GOBJ=()
for src in "$ROOT/tests/guest/lib/boot.S" "$ROOT/tests/guest/lib/lib.c" \
           "$HERE/runner.c" "$HERE/runner.S" "$HERE/guest.c"; do
    o=$OUT/obj/$(basename "$src" | tr . _).o
    if build "$o" "$src" "$HERE/runner.h" "$ROOT/tests/guest/lib/lib.h"; then
        $CC "${GUEST_FLAGS[@]}" -c "$src" -o "$o" || { echo "difftest: guest build failed"; echo "0 passed, 1 failed"; exit 1; }
    fi
    GOBJ+=("$o")
done

# --- the oracle --------------------------------------------------------------------
# The real CPU runs the i386 runner when the kernel can execute 32-bit
# programs.  Some hosts cannot (x86_64 kernels without IA32 emulation, e.g.
# PVM/Firecracker guests: "Exec format error"); there the runner runs under
# qemu-i386 instead, which is a weaker oracle, so say so.  Force a choice
# with DIFFTEST_ORACLE=native|qemu.
ORACLE=${DIFFTEST_ORACLE:-}
if [ -z "$ORACLE" ]; then
    "$NATIVE" /dev/null >/dev/null 2>&1
    case $? in
    126|127) ORACLE=qemu ;;
    *) ORACLE=native ;;
    esac
fi
case $ORACLE in
native) ORACLE_CMD=("$NATIVE") ;;
qemu) ORACLE_CMD=(qemu-i386 -cpu pentium2 "$NATIVE")
      echo "difftest: this host cannot run i386 programs; the oracle is qemu-i386 (not the real CPU)" ;;
*) echo "difftest: DIFFTEST_ORACLE must be native or qemu, not '$ORACLE'"
   echo "0 passed, 1 failed"; exit 1 ;;
esac
# x87/MMX batches: QEMU's x87 is not the CPU's (FRNDINT, exception flags,
# FXAM/FUCOM codes, transcendentals), so without i386 support they run on
# the x86_64 runner; qemu-i386 only if even that cannot run.
FP_ORACLE_CMD=("${ORACLE_CMD[@]}")
FP_ORACLE=$ORACLE
"$NATIVE64" /dev/null >/dev/null 2>&1
n64rc=$?
if [ "$ORACLE" = qemu ] && [ $n64rc != 126 ] && [ $n64rc != 127 ]; then
    FP_ORACLE_CMD=("$NATIVE64")
    FP_ORACLE=native64
    echo "difftest: x87/MMX oracle: the real CPU in 64-bit mode (difftest-native64)"
fi

# --- batches ---------------------------------------------------------------------
pass=0
fail=0
nb=$(( (COUNT + BATCH - 1) / BATCH ))
nfb=$(( (FPCOUNT + BATCH - 1) / BATCH ))
for ((b = 0; b < nb + nfb; b++)); do
    n=$BATCH
    genx=()
    if [ $b -lt $nb ]; then
        [ $(( (b + 1) * BATCH )) -le "$COUNT" ] || n=$(( COUNT - b * BATCH ))
        { [ $QEMU = 1 ] || [ $ORACLE = qemu ]; } && genx=(--exclude gen_cmpxchg8b)
    else
        fb=$(( b - nb ))
        [ $(( (fb + 1) * BATCH )) -le "$FPCOUNT" ] || n=$(( FPCOUNT - fb * BATCH ))
        genx=(--fpu)
        [ -n "$FPEXCL" ] && genx+=(--fpu-exclude "$FPEXCL")
    fi
    pfx=$OUT/b$b
    python3 "$HERE/gen.py" "${genx[@]}" --seed "$SEED" --batch $b --count $n \
        "$pfx.bin" "$pfx.meta" >/dev/null || { fail=$((fail + 1)); continue; }
    ocmd=("${ORACLE_CMD[@]}")
    [ $b -lt $nb ] || ocmd=("${FP_ORACLE_CMD[@]}")
    if ! "${ocmd[@]}" "$pfx.bin" >"$pfx.ref" 2>"$pfx.ref.err"; then
        echo "not ok batch $b: ${ocmd[0]##*/} runner failed (seed $SEED), see $pfx.ref.err"
        fail=$((fail + 1)); continue
    fi
    printf '    .section .rodata\n    .globl dt_blob, dt_blob_end\n    .balign 4\ndt_blob:\n    .incbin "%s"\ndt_blob_end:\n' \
        "$pfx.bin" >"$pfx.blob.S"
    $CC "${GUEST_FLAGS[@]}" -c "$pfx.blob.S" -o "$pfx.blob.o" &&
    $LD -m elf_i386 -T "$ROOT/tests/guest/lib/link.ld" -o "$pfx.elf" \
        "${GOBJ[@]}" "$pfx.blob.o" || { echo "not ok batch $b: kernel link failed"; fail=$((fail + 1)); continue; }
    runs=()
    [ $QEMU = 1 ] && runs+=(qemu)
    for ((e = 0; e < ${#EMU_NAMES[@]}; e++)); do runs+=("$e"); done
    for r in "${runs[@]}"; do
        t0=$(date +%s)
        if [ "$r" = qemu ]; then
            name=qemu
            timeout "$EMU_TIMEOUT" qemu-system-i386 -M isapc -cpu pentium2 -m 64 \
                -nographic -no-reboot -monitor none \
                -device isa-debug-exit,iobase=0xf4 -kernel "$pfx.elf" \
                </dev/null >"$pfx.$name.out" 2>"$pfx.$name.err"
        else
            name=${EMU_NAMES[$r]}
            read -r -a cmd <<<"${EMU_CMDS[$r]}"
            timeout "$EMU_TIMEOUT" "${cmd[@]}" -m 64 --kernel "$pfx.elf" \
                </dev/null >"$pfx.$name.out" 2>"$pfx.$name.err"
        fi
        rc=$?
        res=$(python3 "$HERE/compare.py" --name "$name" "$pfx.meta" "$pfx.ref" "$pfx.$name.out")
        crc=$?
        dt=$(( $(date +%s) - t0 ))
        if [ $crc = 0 ]; then
            pass=$((pass + 1)); echo "ok batch $b $name ($n sequences, ${dt}s)$(echo "$res" | grep -o ", [0-9]* \(transcendental\|FSW\).*")"
        else
            fail=$((fail + 1))
            echo "not ok batch $b $name (exit status $rc, seed $SEED, ${dt}s)"
            echo "$res" | sed 's/^/    /'
            [ $rc -lt 128 ] || echo "    $name was killed by signal $((rc - 128)); stderr: $pfx.$name.err"
        fi
    done
    [ $KEEP = 1 ] || rm -f "$pfx.blob.S" "$pfx.blob.o"
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
