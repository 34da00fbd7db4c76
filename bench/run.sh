#!/usr/bin/env bash
# bench/run.sh: run the benchmark kernels on every engine, side by side.
#
# usage: bench/run.sh [-b BUILD] [-n REPS] [-k k1,k2] [-e e1,e2] [-m "M1 M2"]
#                     [-o OUT.md] [-S]
#   -b BUILD   build root (default: build); kernels in BUILD/bench/*.elf
#   -n REPS    repetitions (default 3); the table shows medians
#   -k LIST    only these kernels (default: every BUILD/bench/*.elf)
#   -e LIST    only these engines (default: every one that exists):
#                native-interp     BUILD/native/hamt86 --backend=interp
#                mips64el-jit      qemu-mips64el BUILD/mips64el/hamt86 --backend=jit
#                mips64el-interp   qemu-mips64el BUILD/mips64el/hamt86 --backend=interp
#                loongarch64-jit / loongarch64-interp (qemu-loongarch64), when built
#   -m MODES   memory paths (default: what each binary's --list-mmu prints)
#   -o FILE    results file (default: bench/results/<date>.md, plus .tsv/.svg)
#   -S         no SVG chart
#
# Every run is checked: the exit status must be the kernel's success status
# and its result lines ("BENCH ..." and "INFO ...") must equal those of
# qemu-system-i386 (run once per kernel build, cached in BUILD/bench/ref).
# A crash or a checksum difference prints "bench: FAIL ...", marks that
# kernel x engine x mode FAIL in the table (it is not run again) and makes
# the script exit with status 1 at the end.  Runs are interleaved (rep > kernel > engine >
# mode) so machine noise spreads over all engines alike.
# Guest instruction counts come from the interpreter's exact counter
# (--stats "guest insns executed"); guest MIPS = insns / wall time.
# Environment: BENCH_TIMEOUT (600 s per run), QEMU_MIPS64EL, QEMU_LOONGARCH64.
set -uo pipefail
# One brace group, parsed as a whole before it runs: editing this file while
# a benchmark runs cannot derail the running instance.
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_ARGV=("$@")
BUILD=$ROOT/build
REPS=3
KERNELS=""
ENGINES=""
MODES_OPT=""
OUT=""
SVG=1
while getopts "b:n:k:e:m:o:S" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    n) REPS=$OPTARG ;;
    k) KERNELS=${OPTARG//,/ } ;;
    e) ENGINES=${OPTARG//,/ } ;;
    m) MODES_OPT=$OPTARG ;;
    o) OUT=$OPTARG ;;
    S) SVG=0 ;;
    *) sed -n '2,30p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

die() {
    echo "bench: FATAL: $*" >&2
    exit 1
}

BDIR=$BUILD/bench
REFDIR=$BDIR/ref
RUNDIR=$BDIR/runs
mkdir -p "$REFDIR" "$RUNDIR"
TIMEOUT=${BENCH_TIMEOUT:-600}
QEMU_MIPS64EL=${QEMU_MIPS64EL:-qemu-mips64el}
QEMU_LOONGARCH64=${QEMU_LOONGARCH64:-qemu-loongarch64}
STAMP=$(date +%Y-%m-%d-%H%M)
[ -n "$OUT" ] || OUT=$ROOT/bench/results/$STAMP.md
mkdir -p "$(dirname "$OUT")"
TSV=${OUT%.md}.tsv

if [ -z "$KERNELS" ]; then
    for f in "$BDIR"/*.elf; do
        [ -e "$f" ] && KERNELS="$KERNELS $(basename "$f" .elf)"
    done
fi
[ -n "$KERNELS" ] || die "no kernels in $BDIR (run 'make bench-kernels')"

# --- engines --------------------------------------------------------------------
declare -A ENG_CMD
ALL_ENGINES=""
add_engine() {   # name command...
    local n=$1
    shift
    ENG_CMD[$n]="$*"
    ALL_ENGINES="$ALL_ENGINES $n"
}
[ -x "$BUILD/native/hamt86" ] &&
    add_engine native-interp "$BUILD/native/hamt86" --backend=interp
if [ -x "$BUILD/mips64el/hamt86" ]; then
    add_engine mips64el-jit "$QEMU_MIPS64EL" "$BUILD/mips64el/hamt86" --backend=jit
    add_engine mips64el-interp "$QEMU_MIPS64EL" "$BUILD/mips64el/hamt86" --backend=interp
fi
if [ -x "$BUILD/loongarch64/hamt86" ]; then
    add_engine loongarch64-jit "$QEMU_LOONGARCH64" "$BUILD/loongarch64/hamt86" --backend=jit
    add_engine loongarch64-interp "$QEMU_LOONGARCH64" "$BUILD/loongarch64/hamt86" --backend=interp
fi
if [ -z "$ENGINES" ]; then
    ENGINES=$ALL_ENGINES
else
    for e in $ENGINES; do
        [ -n "${ENG_CMD[$e]:-}" ] || die "engine $e is not built (have:$ALL_ENGINES)"
    done
fi
[ -n "$ENGINES" ] || die "no engine built under $BUILD (run 'make')"

# Memory paths per engine: -m, else the binary's --list-mmu.
declare -A ENG_MODES
for e in $ENGINES; do
    if [ -n "$MODES_OPT" ]; then
        ENG_MODES[$e]=$MODES_OPT
    else
        m=$(${ENG_CMD[$e]} --list-mmu 2>/dev/null | tr '\n' ' ')
        [ -n "$m" ] || die "$e: --list-mmu printed nothing"
        ENG_MODES[$e]=$m
    fi
    # the engine must accept --backend (fail loudly rather than time the default)
    ${ENG_CMD[$e]} --help 2>/dev/null | grep -q -- '--backend' ||
        die "$e: the binary has no --backend option"
done

# --- reference: qemu-system-i386 -------------------------------------------------
bench_lines() {   # file: the result lines (BENCH and INFO), CRs dropped
    tr -d '\r' < "$1" | grep -aoE '(BENCH|INFO) .*$' || true
}

for k in $KERNELS; do
    elf=$BDIR/$k.elf
    [ -f "$elf" ] || die "no kernel $elf"
    sum=$(sha1sum "$elf" | cut -c1-12)
    ref=$REFDIR/$k.$sum.ref
    if [ ! -s "$ref" ]; then
        echo "bench: reference run of $k on qemu-system-i386" >&2
        timeout "$TIMEOUT" qemu-system-i386 -M isapc -cpu pentium2 -m 128 -nographic \
            -no-reboot -device isa-debug-exit,iobase=0xf4 -kernel "$elf" \
            > "$REFDIR/$k.raw" 2>&1 < /dev/null
        st=$?
        [ $st -eq 1 ] || die "$k: qemu-system-i386 exit status $st (want 1): $(tail -3 "$REFDIR/$k.raw")"
        bench_lines "$REFDIR/$k.raw" > "$ref.tmp"
        [ -s "$ref.tmp" ] || die "$k: no BENCH/INFO result line on qemu-system-i386"
        mv "$ref.tmp" "$ref"
    fi
done
declare -A REFS
for k in $KERNELS; do
    sum=$(sha1sum "$BDIR/$k.elf" | cut -c1-12)
    REFS[$k]=$REFDIR/$k.$sum.ref
done

# --- the runs ---------------------------------------------------------------------
# TSV: rep kernel engine mode seconds insns accesses tbs chains hostbytes tlbhit
printf 'rep\tkernel\tengine\tmode\tseconds\tinsns\taccesses\ttbs\tchains\tbytes_per_insn\ttlb_hit\n' > "$TSV"
stat_val() {   # file "label": the number after the label in --stats output
    awk -v l="$2" 'i = index($0, l) { $0 = substr($0, i + length(l))
        for (j = 1; j <= NF; j++) if ($j ~ /^[0-9]/) { print $j; exit } }' "$1"
}
echo "bench: kernels:$KERNELS" >&2
echo "bench: engines:$(for e in $ENGINES; do printf ' %s[%s]' "$e" "$(echo ${ENG_MODES[$e]} | tr ' ' ,)"; done), $REPS reps" >&2
declare -A FAILED
NFAIL=0
for rep in $(seq 1 "$REPS"); do
    for k in $KERNELS; do
        for e in $ENGINES; do
            for m in ${ENG_MODES[$e]}; do
                base=$RUNDIR/$k.$e.$m
                [ -z "${FAILED[$k.$e.$m]:-}" ] || continue
                t0=$EPOCHREALTIME
                timeout "$TIMEOUT" ${ENG_CMD[$e]} --mmu="$m" --stats \
                    --kernel "$BDIR/$k.elf" > "$base.out" 2> "$base.err" < /dev/null
                st=$?
                t1=$EPOCHREALTIME
                secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
                why=""
                if [ $st -ne 1 ]; then
                    why="exit status $st (want 1): $(tail -c 300 "$base.err" | tail -2 | tr '\n' ' ')"
                elif ! diff <(bench_lines "$base.out") "${REFS[$k]}" > /dev/null; then
                    why="result lines differ from qemu-system-i386: $(diff <(bench_lines "$base.out") "${REFS[$k]}" | grep '^[<>]' | head -4 | tr '\n' ' ')"
                fi
                if [ -n "$why" ]; then
                    # loud, and not timed again; the script exits 1 at the end
                    echo "bench: FAIL $k on $e --mmu=$m: $why (see $base.out, $base.err)" >&2
                    FAILED[$k.$e.$m]=1
                    NFAIL=$((NFAIL + 1))
                    printf '%s\t%s\t%s\t%s\tFAIL\t-\t-\t-\t-\t-\t-\n' "$rep" "$k" "$e" "$m" >> "$TSV"
                    continue
                fi
                insns=$(stat_val "$base.err" "guest insns executed")
                # total guest memory accesses: the "<kernel> accesses=N" line (bench/mem)
                acc=$(bench_lines "$base.out" | sed -n "s/^[A-Z]* $k accesses=\([0-9]*\).*/\1/p" | tail -1)
                tbs=$(stat_val "$base.err" "TBs translated")
                ch=$(stat_val "$base.err" "chains patched")
                bpi=$(stat_val "$base.err" "host bytes per guest insn")
                # softmmu TLB hit rate when --stats counts fast-path hits (interp)
                th=$(stat_val "$base.err" "TLB fast-path hits")
                tm=$(stat_val "$base.err" "TLB misses (data)")
                tlb=-
                if [ -n "$th" ] && [ -n "$tm" ] && [ "$((th + tm))" -gt 0 ]; then
                    tlb=$(awk -v h="$th" -v m="$tm" 'BEGIN { printf "%.3f%%", 100 * h / (h + m) }')
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$k" "$e" "$m" \
                    "$secs" "${insns:--}" "${acc:--}" "${tbs:--}" "${ch:--}" "${bpi:--}" "${tlb:--}" >> "$TSV"
                printf 'bench: rep %s %-12s %-18s %-8s %8.3f s\n' "$rep" "$k" "$e" "$m" "$secs" >&2
            done
        done
    done
done

# --- report -----------------------------------------------------------------------
args=(--tsv "$TSV" --md "$OUT" --title "hamt86 benchmarks $STAMP" \
      --command "bench/run.sh ${BENCH_ARGV[*]}")
[ $SVG -eq 1 ] && args+=(--svg "${OUT%.md}.svg")
python3 "$ROOT/bench/report.py" "${args[@]}" || die "report.py failed"
echo "bench: results in $OUT" >&2
if [ $NFAIL -gt 0 ]; then
    echo "bench: FAILED: $NFAIL run(s) crashed or gave a wrong checksum: ${!FAILED[*]}" >&2
    exit 1
fi
exit 0
}
