#!/usr/bin/env bash
# tests/randcode/run.sh: random code on hamt86 against qemu-system-i386.
#
# usage: tests/randcode/run.sh [-b BUILD] [-s SEED] [-n COUNT] [-m "MODES"]
#                              NAME=COMMAND ...
#   NAME=COMMAND  an emulator, e.g. native=build/native/hamt86 or
#                 mips64el="qemu-mips64el build/mips64el/hamt86"
#   -s SEED       gen.py seed (default: RANDCODE_SEED, else 777; "random"
#                 draws one, printed)
#   -n COUNT      blocks (default: RANDCODE_COUNT, else 1000)
#   -m MODES      MMU modes (default: every mode of each emulator)
#
# `tests/difftest/gen.py --random` writes COUNT sequences: valid rows of
# translator/x86-insn.def mixed with random instructions (any row, random
# prefixes, ModRM, SIB, displacement and immediate bytes) and random bytes.
# tests/randcode/randcode.c runs each as one block at CPL 3 in a segment
# sandbox, even blocks as 32-bit and odd blocks as 16-bit code, and prints
# the whole state after it (exception vector and error code, EIP, EFLAGS
# without the arithmetic flags, the GPRs, the segment registers and a hash
# of the sandbox's data).  tests/guest/run.sh then runs the kernel on
# qemu-system-i386 -cpu pentium2 (the reference, cached in
# BUILD/randcode/g/guest/ref by the kernel's hash) and on every emulator
# and mode, and diffs.  Files go to BUILD/randcode.  The last line is
# "N passed, N failed".  Forms where QEMU 7.2 and the CPU differ are not
# generated (gen.py rnd_insn: LOCK, CMPS, C6/C7/8F with reg != 0, x87);
# see docs/RELIABILITY.md.
set -uo pipefail
ARGS=()
SEED=${RANDCODE_SEED:-777}
COUNT=${RANDCODE_COUNT:-1000}
MODES=""
while [ $# -gt 0 ]; do
    case $1 in
    -s) SEED=$2; shift 2 ;;
    -n) COUNT=$2; shift 2 ;;
    -m) MODES=$2; shift 2 ;;
    -b) ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
    esac
done
. "$(dirname "$0")/../lib/suite.sh"
suite_init randcode 30 120 "${ARGS[@]}"
[ "$SEED" = random ] && SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
G=$OUT/g/guest
mkdir -p "$G"
python3 "$ROOT/tests/difftest/gen.py" --random --max-insns 8 --seed "$SEED" \
    --count "$COUNT" "$OUT/rc.bin" "$OUT/rc.meta" >/dev/null ||
    suite_fail "gen.py --random failed"
printf '    .section .rodata\n    .globl rc_blob, rc_blob_end\n    .balign 4\nrc_blob:\n    .incbin "%s"\nrc_blob_end:\n' \
    "$OUT/rc.bin" >"$OUT/obj/blob.S"
python3 "$HERE/gen-rmw.py" "$OUT/obj/rc-rmw.h" ||
    suite_fail "gen-rmw.py failed"
$CC "${GFLAGS[@]}" -c "$OUT/obj/blob.S" -o "$OUT/obj/blob.o" &&
$CC "${GFLAGS[@]}" -I"$OUT/obj" -c "$HERE/randcode.c" -o "$OUT/obj/randcode.o" &&
$LD -m elf_i386 -T "$ROOT/tests/guest/lib/link.ld" -o "$G/randcode.elf" \
    "${LIBO[@]}" "$OUT/obj/randcode.o" "$OUT/obj/blob.o" ||
    suite_fail "building randcode.elf failed"
# hamt86 runs the watchdog (RC_TICKS PIT interrupts) in guest time:
# 256 ns per executed TB, so a slow host never stops a block that ends
echo "--icount=8" >"$G/randcode.args"
echo "randcode: seed $SEED, $COUNT blocks (sequences: $OUT/rc.meta)"
"$ROOT/tests/guest/run.sh" -b "$OUT/g" -k randcode ${MODES:+-m "$MODES"} "${EMUS[@]}" |
    tee "$OUT/run.log" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
rc=${PIPESTATUS[0]}
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/run.log" | tail -n1)
p=${line%% passed*}
f=${line#*, }
f=${f%% failed*}
# equal outputs prove nothing if the reference itself did not get through
# every block: it must end with DONE and the block count check
ref=$(ls -t "$G"/ref/randcode.*.out 2>/dev/null | head -n1)
if [ -z "$ref" ] || ! grep -q '^PASS randcode.blocks' "$ref" ||
   ! grep -q '^DONE randcode passed=1 failed=0' "$ref"; then
    echo "not ok randcode ref: the reference did not run every block (${ref:-no output})"
    f=$((${f:-0} + 1))
    rc=1
fi
echo "${p:-0} passed, ${f:-1} failed"
exit "$rc"
