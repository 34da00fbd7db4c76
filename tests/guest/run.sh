#!/usr/bin/env bash
# tests/guest/run.sh: run the guest test kernels on the reference and on hamt86.
#
# usage: tests/guest/run.sh [-k k1,k2] [-b BUILD] [NAME=COMMAND ...]
#   NAME=COMMAND   an emulator under test, e.g.
#                  native=build/native/hamt86
#                  mips64el="qemu-mips64el build/mips64el/hamt86"
#   -k LIST        only these kernels (default: every build/guest/*.elf)
#   -b BUILD       build directory root (default: build)
#   -m "M1 M2"     MMU modes to test (default: `COMMAND --list-mmu` if that
#                  works, else the emulator's default mode)
#
# Every kernel runs on qemu-system-i386 -cpu pentium2 (the reference, output
# cached in BUILD/guest/ref keyed by the kernel's hash), then on each
# emulator and MMU mode.  Only lines starting with PASS/FAIL/INFO/DONE count.
# A run passes when its filtered output and exit status equal the
# reference's, no FAIL line appears and no "SDM bad" line (a value QEMU
# gets wrong, checked against the real CPU / SDM only: lib.h sdm()).  A
# kernel that prints
# "INFO triple-fault-next" (or "INFO reset-next") before DONE ends with a
# triple fault (a reset): QEMU
# (-no-reboot) and hamt86 both exit 0 (hamt86 says "triple fault" on
# stderr).  With no emulator given, the
# reference runs alone must pass (the kernels must be self-consistent).
# Prints one "ok"/"not ok" line per kernel x host x mode; the last line is
# "N passed, N failed".  Exit status 1 on any failure.  Outputs are kept in
# BUILD/guest/out/<kernel>.<host>.<mode>.out (.err has stderr).
# A kernel whose source has a line " * hamt86-args: OPTIONS" runs on hamt86
# with those options (--icount for timing-dependent checks), as does a
# file BUILD/guest/<kernel>.args next to a kernel built elsewhere.
# Environment: REF_TIMEOUT (60 s), EMU_TIMEOUT (120 s) per run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build
KERNELS=""
MODES_OPT=""
while getopts "k:b:m:" o; do
    case $o in
    k) KERNELS=${OPTARG//,/ } ;;
    b) BUILD=$OPTARG ;;
    m) MODES_OPT=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

GDIR=$BUILD/guest
REFDIR=$GDIR/ref
OUTDIR=$GDIR/out
mkdir -p "$REFDIR" "$OUTDIR"
REF_TIMEOUT=${REF_TIMEOUT:-60}
EMU_TIMEOUT=${EMU_TIMEOUT:-120}

if [ -z "$KERNELS" ]; then
    for f in "$GDIR"/*.elf; do
        [ -e "$f" ] && KERNELS="$KERNELS $(basename "$f" .elf)"
    done
fi
if [ -z "$KERNELS" ]; then
    echo "guest: no kernels in $GDIR (run 'make guest')"
    echo "0 passed, 1 failed"
    exit 1
fi

filter() {
    tr -d '\r' | grep -aoE '(PASS|FAIL|INFO|DONE)( .*)?$' || true
}

pass=0
failn=0
report() {  # status name detail
    if [ "$1" = ok ]; then
        pass=$((pass + 1)); echo "ok $2"
    else
        failn=$((failn + 1)); echo "not ok $2${3:+ # $3}"
    fi
}

# Run the reference for kernel $1; sets REF_OUT and REF_RC.
run_ref() {
    local k=$1 elf=$GDIR/$1.elf h
    h=$(sha256sum "$elf" | cut -c1-16)
    REF_OUT=$REFDIR/$k.$h.out
    if [ ! -f "$REF_OUT" ] || [ ! -f "$REF_OUT.rc" ]; then
        rm -f "$REFDIR/$k".*.out "$REFDIR/$k".*.out.rc
        timeout "$REF_TIMEOUT" qemu-system-i386 -M isapc -cpu pentium2 -m 64 \
            -nographic -no-reboot -monitor none \
            -device isa-debug-exit,iobase=0xf4 -kernel "$elf" </dev/null \
            2>"$REF_OUT.err" | filter >"$REF_OUT.tmp"
        echo "${PIPESTATUS[0]}" >"$REF_OUT.rc"
        mv "$REF_OUT.tmp" "$REF_OUT"
    fi
    REF_RC=$(cat "$REF_OUT.rc")
}

# Parse NAME=COMMAND arguments.
names=()
cmds=()
for a in "$@"; do
    names+=("${a%%=*}")
    cmds+=("${a#*=}")
done

for k in $KERNELS; do
    elf=$GDIR/$k.elf
    if [ ! -f "$elf" ]; then
        report fail "$k ref" "missing $elf"
        continue
    fi
    run_ref "$k"
    if [ ${#names[@]} = 0 ]; then
        # reference alone: must exit 1 (code 0) with DONE and no FAIL
        if grep -q '^FAIL' "$REF_OUT"; then
            report fail "$k ref" "$(grep -m1 '^FAIL' "$REF_OUT")"
        elif ! grep -q '^DONE' "$REF_OUT" || { [ "$REF_RC" != 1 ] &&
             ! { [ "$REF_RC" = 0 ] && grep -qE '^INFO (triple-fault|reset)-next' "$REF_OUT"; }; }; then
            report fail "$k ref" "exit status $REF_RC"
        else
            report ok "$k ref"
        fi
        continue
    fi
    # hamt86 options a kernel asks for in its source (" * hamt86-args: ...",
    # e.g. --icount for kernels whose checks depend on timing)
    extra=$(sed -n 's/^ \* hamt86-args: //p' "$ROOT/tests/guest/$k.c" 2>/dev/null)
    # or in BUILD/guest/<kernel>.args (kernels built elsewhere: tests/randcode)
    [ -f "$GDIR/$k.args" ] && extra="$extra $(cat "$GDIR/$k.args")"
    for i in "${!names[@]}"; do
        name=${names[$i]}
        cmd=${cmds[$i]}
        modes=$MODES_OPT
        if [ -z "$modes" ]; then
            modes=$($cmd --list-mmu 2>/dev/null | tr ',\n' '  ') || modes=""
            [ -n "${modes// /}" ] || modes=default
        fi
        for mode in $modes; do
            mflag=()
            [ "$mode" = default ] || mflag=(--mmu="$mode")
            out=$OUTDIR/$k.$name.$mode.out
            timeout "$EMU_TIMEOUT" $cmd -m 64 "${mflag[@]}" $extra --kernel "$elf" \
                </dev/null 2>"$out.err" | tee "$out.raw" | filter >"$out"
            rc=${PIPESTATUS[0]}
            tag="$k $name $mode"
            if [ "$rc" = 124 ]; then
                report fail "$tag" "timeout after ${EMU_TIMEOUT}s (EMU_TIMEOUT), see $out"
            elif ! diff -q "$REF_OUT" "$out" >/dev/null; then
                d=$(diff "$REF_OUT" "$out" | grep -m1 '^[<>]')
                report fail "$tag" "output differs (diff $REF_OUT $out): $d"
            elif [ "$rc" != "$REF_RC" ]; then
                report fail "$tag" "exit status $rc, reference $REF_RC"
            elif grep -q '^FAIL' "$out"; then
                report fail "$tag" "$(grep -m1 '^FAIL' "$out")"
            elif grep -aq '^SDM bad' "$out.raw"; then
                # values QEMU gets wrong, checked against the CPU/SDM only
                report fail "$tag" "$(grep -am1 '^SDM bad' "$out.raw" | tr -d '\r')"
            else
                report ok "$tag"
            fi
        done
    done
done
echo "$pass passed, $failn failed"
[ $failn = 0 ]
