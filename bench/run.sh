#!/usr/bin/env bash
# bench/run.sh: run the benchmark kernels on every engine, side by side.
#
# usage: bench/run.sh [-b BUILD] [-n REPS] [-k k1,k2] [-e e1,e2] [-m "M1 M2"]
#                     [-o OUT.md] [-S] [-T]
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
#   -T         time only: no counted runs (below)
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
# Exact counts (unless -T): after the timed runs, one more run of every
# kernel x engine x mode that runs under qemu-user, with the TCG plugin
# bench/plugin/range-insns.c (bench/plugin/build.sh; about 2-3x a plain
# run; without --stats, which adds TLB hit counters to softmmu code): host
# instructions (split into generated code and C), host loads, stores and
# system calls, beside the timed runs' --stats host faults and HAMT fills; the
# report gives host instructions per guest instruction (the interpreter's
# exact count), per guest memory access (the kernel's "accesses=" line, else
# the interpreter's softmmu TLB lookups) and per HAMT fill, in
# OUT-counts.tsv and a table of OUT.  Counts miss host-kernel work (SIGSEGV
# delivery, mmap): the host faults and syscalls are beside them.
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
COUNT=1
while getopts "b:n:k:e:m:o:ST" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    n) REPS=$OPTARG ;;
    k) KERNELS=${OPTARG//,/ } ;;
    e) ENGINES=${OPTARG//,/ } ;;
    m) MODES_OPT=$OPTARG ;;
    o) OUT=$OPTARG ;;
    S) SVG=0 ;;
    T) COUNT=0 ;;
    *) sed -n '2,41p' "$0"; exit 2 ;;
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
CTSV=${OUT%.md}-counts.tsv
if [ $COUNT = 1 ]; then
    PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin") || die "no TCG plugins (see above; -T times only)"
fi

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
printf 'rep\tkernel\tengine\tmode\tseconds\tinsns\taccesses\ttbs\tchains\tbytes_per_insn\ttlb_hit\tdata_accesses\n' > "$TSV"
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
                    printf '%s\t%s\t%s\t%s\tFAIL\t-\t-\t-\t-\t-\t-\t-\n' "$rep" "$k" "$e" "$m" >> "$TSV"
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
                tlb=- dacc=-
                if [ -n "$th" ] && [ -n "$tm" ] && [ "$((th + tm))" -gt 0 ]; then
                    tlb=$(awk -v h="$th" -v m="$tm" 'BEGIN { printf "%.3f%%", 100 * h / (h + m) }')
                    # guest data accesses, when the fast path counts its hits
                    [ "$th" -gt 0 ] && dacc=$((th + tm))
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$k" "$e" "$m" \
                    "$secs" "${insns:--}" "${acc:--}" "${tbs:--}" "${ch:--}" "${bpi:--}" "${tlb:--}" "$dacc" >> "$TSV"
                printf 'bench: rep %s %-12s %-18s %-8s %8.3f s\n' "$rep" "$k" "$e" "$m" "$secs" >&2
            done
        done
    done
done

# --- counted runs (one per kernel x qemu-user engine x mode) -----------------------
if [ $COUNT = 1 ]; then
    printf 'kernel\tengine\tmode\thost_insns\tc_insns\tgen_insns\thost_loads\thost_stores\thost_syscalls\thost_faults\tfills\n' > "$CTSV"
    for k in $KERNELS; do
        for e in $ENGINES; do
            read -r -a cmd <<< "${ENG_CMD[$e]}"
            case ${cmd[0]} in */qemu-* | qemu-*) ;; *) continue ;; esac
            bin=${cmd[1]}
            read -r lo size < <(readelf -SW "$bin" | awk '$2 == ".text" { print $4, $6 } $3 == ".text" { print $5, $7 }')
            text=$(printf 'text:%s:%x' "$lo" $((0x$lo + 0x$size)))
            for m in ${ENG_MODES[$e]}; do
                [ -z "${FAILED[$k.$e.$m]:-}" ] || continue
                base=$RUNDIR/$k.$e.$m.count
                timeout "$TIMEOUT" "${cmd[0]}" -d plugin -plugin "$PLUGDIR/range-insns.so,arg=$text" \
                    "${cmd[@]:1}" --mmu="$m" --kernel "$BDIR/$k.elf" \
                    > "$base.out" 2> "$base.err" < /dev/null
                st=$?
                if [ $st -ne 1 ] || ! diff <(bench_lines "$base.out") "${REFS[$k]}" > /dev/null; then
                    echo "bench: FAIL (counted run) $k on $e --mmu=$m: status $st (see $base.out, $base.err)" >&2
                    NFAIL=$((NFAIL + 1))
                    FAILED[$k.$e.$m]=1
                    continue
                fi
                awk -v k="$k" -v e="$e" -v m="$m" '
                    /range-insns: total/ { t = $3; sy = $5 }
                    /range-insns: c [0-9]/ { c = $3 + $7; g = $5 }
                    /range-insns: loads [0-9]/ { l = $3; s = $5 }
                    /^  host faults / { f = $NF }
                    /^  fills / { fi = $NF }
                    END { printf "%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%s\t%s\n",
                          k, e, m, t, c, g, l, s, sy, f == "" ? "-" : f, fi == "" ? "-" : fi }' \
                    "$base.err" "$RUNDIR/$k.$e.$m.err" >> "$CTSV"
                printf 'bench: counted %-12s %-18s %-8s %s host insns\n' "$k" "$e" "$m" \
                    "$(awk '/range-insns: total/ { print $3 }' "$base.err")" >&2
            done
        done
    done
fi

# --- report -----------------------------------------------------------------------
args=(--tsv "$TSV" --md "$OUT" --title "hamt86 benchmarks $STAMP" \
      --command "bench/run.sh ${BENCH_ARGV[*]}")
[ $COUNT = 1 ] && args+=(--counts "$CTSV")
[ $SVG -eq 1 ] && args+=(--svg "${OUT%.md}.svg")
python3 "$ROOT/bench/report.py" "${args[@]}" || die "report.py failed"
echo "bench: results in $OUT" >&2
if [ $NFAIL -gt 0 ]; then
    echo "bench: FAILED: $NFAIL run(s) crashed or gave a wrong checksum: ${!FAILED[*]}" >&2
    exit 1
fi
exit 0
}
