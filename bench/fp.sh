#!/usr/bin/env bash
# bench/fp.sh: the floating-point kernels (bench/fp_*.c) on every hamt86
# engine and on the QEMU peer, side by side, in exact host instruction
# counts (docs/BENCH.md "Floating point").
#
# usage: bench/fp.sh [-b BUILD] [-k k1,k2] [-e e1,e2] [-m MODE] [-t REPS]
#                    [-o OUT.md]
#   -b BUILD  build root (default build); kernels in BUILD/bench/fp_*.elf
#             ('make bench-kernels'), emulators in BUILD/<host>/hamt86
#   -k LIST   kernels (default fp_whet,fp_matmul,fp_mandel,fp_conv)
#   -e LIST   engines (default: every one built, and the peer):
#               mips64el-jit, loongarch64-jit   the JITs under qemu-user
#               mips64el-interp, loongarch64-interp, native-interp
#                                               the IR interpreter
#                                               (native: under qemu-x86_64,
#                                               always --mmu=softmmu: the HAMT
#                                               windows crash qemu-x86_64)
#               peer   QEMU 7.2's own mips64el qemu-system-i386 under
#                      qemu-mips64el (bench/qemu-peer.sh: -cpu pentium2,-tsc,
#                      no icount)
#   -m MODE   hamt86 memory path (default hamt)
#   -t REPS   also time each run without the plugin: CPU seconds
#             (user+sys), minimum of REPS, net of fp_null (default 0: counts
#             only; this machine is shared and its wall times are noise)
#   -p N      profile: for each JIT engine and kernel, the N functions of
#             hamt86 with the most host instructions (bench/plugin/hot-pcs.c
#             per TB, summed per symbol by hot-syms.py; default 12, 0 = none)
#   -o FILE   results (default bench/results/fp-<date>.md and .tsv)
#
# Counts: every host instruction executed, by the TCG plugin
# bench/plugin/range-insns.c loaded into the qemu-user that runs the
# engine (for the peer: into the qemu-mips64el that runs qemu-system-i386),
# minus the same engine's count for fp_null (start-up: BIOS, emulator
# init).  Guest instructions and guest FP (x87 + MMX/FXSR) instructions:
# bench/plugin/x87-insns.c in the host's qemu-system-i386, net of fp_null.
# Every run's result lines must equal qemu-system-i386's, else "FAIL" and
# exit status 1.  Cost: about 1 min of CPU per kernel per engine.
set -uo pipefail
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
KERNELS="fp_whet fp_matmul fp_mandel fp_conv"
ENGINES=""
MODE=hamt
TREPS=0
PROF=12
OUT=""
while getopts "b:k:e:m:t:p:o:" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    k) KERNELS=${OPTARG//,/ } ;;
    e) ENGINES=${OPTARG//,/ } ;;
    m) MODE=$OPTARG ;;
    t) TREPS=$OPTARG ;;
    p) PROF=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '2,35p' "$0"; exit 2 ;;
    esac
done
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
die() {
    echo "fp: FATAL: $*" >&2
    exit 1
}
BDIR=$BUILD/bench
TIMEOUT=${BENCH_TIMEOUT:-1200}
[ -n "$OUT" ] || OUT=$ROOT/bench/results/fp-$(date +%Y-%m-%d-%H%M).md
RUNDIR=$BDIR/fp-runs/$(basename "$OUT" .md)   # one per results file
mkdir -p "$RUNDIR"
mkdir -p "$(dirname "$OUT")"
TSV=${OUT%.md}.tsv
ALLK="fp_null $KERNELS"
for k in $ALLK; do
    [ -f "$BDIR/$k.elf" ] || die "no $BDIR/$k.elf (run 'make bench-kernels')"
done

# --- the plugins (bench/plugin/build.sh: QEMU 7.2's qemu-plugin.h) ----------
PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin") || die "no TCG plugins (see above)"
RANGE=$PLUGDIR/range-insns.so
X87=$PLUGDIR/x87-insns.so

# --- engines --------------------------------------------------------------------
declare -A CMD
ALL=""
add() {   # name command...
    local n=$1
    shift
    CMD[$n]="$*"
    ALL="$ALL $n"
}
PLUG="-d plugin -plugin $RANGE"
for h in mips64el loongarch64; do
    if [ -x "$BUILD/$h/hamt86" ]; then
        add $h-jit qemu-$h $PLUG "$BUILD/$h/hamt86" --backend=jit --mmu=$MODE -m 128
    fi
done
for h in mips64el loongarch64; do
    if [ -x "$BUILD/$h/hamt86" ]; then
        add $h-interp qemu-$h $PLUG "$BUILD/$h/hamt86" --backend=interp --mmu=$MODE -m 128
    fi
done
[ -x "$BUILD/native/hamt86" ] &&
    add native-interp qemu-x86_64 $PLUG "$BUILD/native/hamt86" --backend=interp --mmu=softmmu -m 128
add peer "$ROOT/bench/qemu-peer.sh" -m 128 -no-reboot -device isa-debug-exit,iobase=0xf4
if [ -z "$ENGINES" ]; then
    ENGINES=$ALL
else
    for e in $ENGINES; do
        [ -n "${CMD[$e]:-}" ] || die "engine $e is not built (have:$ALL)"
    done
fi
echo "fp: kernels: $KERNELS; engines: $ENGINES; --mmu=$MODE" >&2

lines() {   # file: the result lines
    tr -d '\r' < "$1" | grep -aoE '(BENCH|INFO) .*$' | grep -v '\.hash ' || true
}
# run ENGINE KERNEL COUNTED(1/0) BASE: output in BASE.out / BASE.err
run1() {
    local e=$1 k=$2 counted=$3 base=$4 cmd
    cmd=${CMD[$e]}
    [ "$counted" = 1 ] || cmd=${cmd//$PLUG/}
    if [ "$e" = peer ]; then
        if [ "$counted" = 1 ]; then
            PEER_USER_ARGS=$PLUG timeout "$TIMEOUT" $cmd -kernel "$BDIR/$k.elf"
        else
            timeout "$TIMEOUT" $cmd -kernel "$BDIR/$k.elf"
        fi
    else
        timeout "$TIMEOUT" $cmd --kernel "$BDIR/$k.elf"
    fi > "$base.out" 2> "$base.err" < /dev/null
}

# --- guest counts and reference lines: qemu-system-i386 on this machine ----------
declare -A GI GF GMV GMM
for k in $ALLK; do
    qemu-system-i386 -M isapc -cpu pentium2 -m 128 -nographic -no-reboot \
        -device isa-debug-exit,iobase=0xf4 -d plugin -plugin "$X87" \
        -kernel "$BDIR/$k.elf" > "$RUNDIR/$k.ref.out" 2> "$RUNDIR/$k.ref.err" < /dev/null
    st=$?
    [ $st -eq 1 ] || die "$k: qemu-system-i386 exit status $st (want 1)"
    lines "$RUNDIR/$k.ref.out" > "$RUNDIR/$k.ref"
    read -r GI[$k] GF[$k] GMV[$k] GMM[$k] < <(awk '/^x87-insns:/ { print $3, $5 + $7, $9, $11 }' "$RUNDIR/$k.ref.err")
    [ -n "${GI[$k]}" ] || die "$k: no x87-insns line"
done

# --- counted runs (and timed ones with -t) -----------------------------------------
declare -A HI CPU
NFAIL=0
for e in $ENGINES; do
    for k in $ALLK; do
        base=$RUNDIR/$k.$e
        run1 "$e" "$k" 1 "$base"
        st=$?
        why=""
        if [ $st -ne 1 ]; then
            why="exit status $st (want 1): $(tail -2 "$base.err" | tr '\n' ' ')"
        elif ! diff <(lines "$base.out") "$RUNDIR/$k.ref" > /dev/null; then
            why="result lines differ from qemu-system-i386: $(diff <(lines "$base.out") "$RUNDIR/$k.ref" | grep '^[<>]' | head -4 | tr '\n' ' ')"
        fi
        if [ -n "$why" ]; then
            echo "fp: FAIL $k on $e: $why (see $base.out, $base.err)" >&2
            NFAIL=$((NFAIL + 1))
            HI[$k.$e]=FAIL
            continue
        fi
        HI[$k.$e]=$(awk '/range-insns: total/ { print $3 }' "$base.err")
        echo "fp: $k $e: ${HI[$k.$e]} host insns" >&2
        best=""
        for _ in $(seq 1 "$TREPS"); do
            t=$( { TIMEFORMAT='%U %S'; time run1 "$e" "$k" 0 "$base.t"; } 2>&1 | awk '{ print $1 + $2 }')
            best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
        done
        CPU[$k.$e]=$best
    done
done

# --- table ---------------------------------------------------------------------------
net() {   # kernel engine: host insns net of fp_null
    local a=${HI[$1.$2]:-FAIL} z=${HI[fp_null.$2]:-FAIL}
    case "$a$z" in *FAIL*) echo FAIL ;; *) echo $((a - z)) ;; esac
}
{
    echo "# FP kernels: host instructions ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
    echo
    echo "Command: bench/fp.sh $*  (--mmu=$MODE). Host instructions executed"
    echo "(TCG plugin, exact), net of fp_null; per guest instruction and per"
    echo "guest FP (x87/MMX) instruction; \"x peer\" = peer count / engine count"
    echo "(> 1: hamt86 executes fewer host instructions than QEMU). FP insns:"
    echo "x87 + MMX, with the shares of x87 register moves (FLD ST(i), FXCH,"
    echo "FST(P) ST(i), FCMOVcc) and of memory-operand forms."
    echo
    printf '| kernel | guest insns | FP insns |'
    for e in $ENGINES; do printf ' %s host insns | per insn | per FP insn |' "$e"; done
    for e in $ENGINES; do [ "$e" = peer ] || printf ' %s x peer |' "$e"; done
    echo
    printf '| --- | ---: | ---: |'
    for e in $ENGINES; do printf ' ---: | ---: | ---: |'; done
    for e in $ENGINES; do [ "$e" = peer ] || printf ' ---: |'; done
    echo
    for k in $KERNELS; do
        gi=$((GI[$k] - GI[fp_null])) gf=$((GF[$k] - GF[fp_null]))
        awk -v k="$k" -v i="$gi" -v f="$gf" -v mv="${GMV[$k]:-0}" -v mm="${GMM[$k]:-0}" \
            'BEGIN { printf "| %s | %d | %d (%.0f%% moves, %.0f%% mem) |", k, i, f, f ? 100 * mv / f : 0, f ? 100 * mm / f : 0 }'
        for e in $ENGINES; do
            n=$(net "$k" "$e")
            if [ "$n" = FAIL ]; then printf ' FAIL | | |'; continue; fi
            awk -v n="$n" -v i="$gi" -v f="$gf" 'BEGIN { printf " %.0f | %.1f | %.1f |", n, n / i, (f ? n / f : 0) }'
        done
        p=$(net "$k" peer 2>/dev/null)
        for e in $ENGINES; do
            [ "$e" = peer ] && continue
            n=$(net "$k" "$e")
            if [ "$n" = FAIL ] || [ "$p" = FAIL ] || [ -z "${HI[$k.peer]:-}" ]; then printf ' - |'; continue; fi
            awk -v n="$n" -v p="$p" 'BEGIN { printf " **%.2f** |", p / n }'
        done
        echo
    done
    printf '| fp_null (start-up, gross) | %d | %d |' "${GI[fp_null]}" "${GF[fp_null]}"
    for e in $ENGINES; do printf ' %s | | |' "${HI[fp_null.$e]:-FAIL}"; done
    for e in $ENGINES; do [ "$e" = peer ] || printf ' |'; done
    echo
    if [ "$TREPS" -gt 0 ]; then
        echo
        echo "CPU seconds (user+sys, min of $TREPS, without the plugin), net of fp_null:"
        echo
        printf '| kernel |'; for e in $ENGINES; do printf ' %s |' "$e"; done; echo
        printf '| --- |'; for e in $ENGINES; do printf ' ---: |'; done; echo
        for k in $KERNELS; do
            printf '| %s |' "$k"
            for e in $ENGINES; do
                awk -v a="${CPU[$k.$e]:-}" -v z="${CPU[fp_null.$e]:-}" \
                    'BEGIN { if (a == "" || z == "") printf " - |"; else printf " %.2f |", a - z }'
            done
            echo
        done
    fi
    if [ "$PROF" -gt 0 ]; then
        for e in $ENGINES; do
            case $e in *-jit) ;; *) continue ;; esac
            h=${e%-jit}
            for k in $KERNELS; do
                [ "${HI[$k.$e]:-FAIL}" != FAIL ] || continue
                echo
                echo "Profile: $k on $e (host instructions per function, gross; bench/plugin/hot-pcs.c):"
                echo
                echo '```'
                # shellcheck disable=SC2086
                qemu-$h -d plugin -plugin "$PLUGDIR/hot-pcs.so,top=3000" "$BUILD/$h/hamt86" \
                    --backend=jit --mmu=$MODE -m 128 --kernel "$BDIR/$k.elf" 2>&1 > /dev/null < /dev/null |
                    python3 "$ROOT/bench/plugin/hot-syms.py" "$BUILD/$h/hamt86" "$PROF"
                echo '```'
            done
        done
    fi
} > "$OUT"
{
    printf 'kernel\tguest_insns\tfp_insns'
    for e in $ENGINES; do printf '\t%s' "$e"; done
    echo
    for k in $ALLK; do
        printf '%s\t%s\t%s' "$k" "${GI[$k]}" "${GF[$k]}"
        for e in $ENGINES; do printf '\t%s' "${HI[$k.$e]:-FAIL}"; done
        echo
    done
} > "$TSV"
cat "$OUT"
echo "fp: wrote $OUT and $TSV" >&2
[ $NFAIL -eq 0 ] || { echo "fp: $NFAIL FAIL" >&2; exit 1; }
exit 0
}
