#!/usr/bin/env bash
# bench/peer.sh: hamt86 against the QEMU peer, side by side, in exact host
# instruction counts (docs/BENCH.md "Against the QEMU peer", issue 14).
# The peer is QEMU 7.2's own mips64el qemu-system-i386 under
# qemu-mips64el (bench/qemu-peer.sh: -cpu pentium2,-tsc, no icount);
# hamt86 runs its mips64el and loongarch64 JITs under qemu-user.
#
# usage: bench/peer.sh [-b BUILD] [-k LIST] [-e LIST] [-m MODE] [-n NULL]
#                      [-t REPS] [-p N] [-R] [-o OUT.md]
#   -b BUILD  build root (default build): kernels BUILD/bench/K.elf ('make
#             bench-kernels', BENCH_SCALE=n scales them), emulators
#             BUILD/<host>/hamt86, plugins BUILD/plugin (bench/plugin/build.sh)
#   -k LIST   kernels, comma-separated (default: the integer kernels crc32,
#             sort,strsearch,coremark; the memory-bound mem_linear,
#             mem_random,mem_chase,mem_fork,mem_syscall,mem_ctxsw; the FP
#             fp_whet,fp_matmul,fp_mandel,fp_conv).  An entry NAME=FILE
#             takes the kernel from FILE; PEER_KARGS_NAME (environment,
#             split on spaces) adds arguments for that kernel to every
#             engine, the peer and the reference alike (e.g. -initrd F
#             -append "..."); each must print BENCH/INFO result lines and
#             exit through isa-debug-exit (status 1)
#   -e LIST   hamt86 engines (default: mips64el-jit,loongarch64-jit, the
#             built ones): HOST-jit = --backend=jit --mmu=MODE;
#             HOST-softmmu = --backend=jit --mmu=softmmu (optional)
#   -m MODE   memory path of the HOST-jit engines (default hamt)
#   -n NULL   the null guest whose count is subtracted from every kernel's,
#             per engine: the peer's start-up (SeaBIOS, QEMU init) and
#             hamt86's (default fp_null)
#   -t REPS   also CPU seconds (user+sys) without the plugin, minimum of
#             REPS, net of NULL (default 0: counts only; this machine is
#             shared and its times are noise)
#   -p N      profile: the N functions of hamt86 with the most host
#             instructions, per engine and kernel (bench/plugin/hot-pcs.c
#             + hot-syms.py; default 0 = none)
#   -j N      run N emulators at a time (default 1; counts do not depend
#             on the load, CPU seconds do: -t runs always one at a time)
#   -R        reuse the counted runs already in the run directory (same
#             -o) when they are newer than the kernel and the emulator:
#             lets several instances (e.g. one per -e) share the work and
#             a last one with every engine write the table
#   -o FILE   results (default bench/results/peer-<date>.md, plus .tsv)
#
# Every run's result lines (BENCH/INFO) must equal qemu-system-i386's on
# this machine (run once with bench/plugin/x87-insns.c, which also counts
# the guest instructions exactly); a different line or exit status is
# FAIL (no ratio) and makes the exit status 1.  Ratio = peer host insns /
# engine host insns (> 1: hamt86 runs fewer); geomean per engine over the
# kernels that did not fail.
set -uo pipefail
# shellcheck disable=SC2317  # ref1, counted1: called through pool
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARGV=("$@")
BUILD=$ROOT/build
KERNELS="crc32 sort strsearch coremark mem_linear mem_random mem_chase mem_fork mem_syscall mem_ctxsw fp_whet fp_matmul fp_mandel fp_conv"
ENGINES=""
MODE=hamt
NULLK=fp_null
TREPS=0
PROF=0
REUSE=0
JOBS=1
OUT=""
while getopts "b:k:e:m:n:t:p:j:Ro:" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    k) KERNELS=${OPTARG//,/ } ;;
    e) ENGINES=${OPTARG//,/ } ;;
    m) MODE=$OPTARG ;;
    n) NULLK=$OPTARG ;;
    t) TREPS=$OPTARG ;;
    p) PROF=$OPTARG ;;
    R) REUSE=1 ;;
    j) JOBS=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '2,49p' "$0"; exit 2 ;;
    esac
done
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
die() {
    echo "peer: FATAL: $*" >&2
    exit 1
}
BDIR=$BUILD/bench
TIMEOUT=${BENCH_TIMEOUT:-3600}
[ -n "$OUT" ] || OUT=$ROOT/bench/results/peer-$(date +%Y-%m-%d-%H%M).md
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
RUNDIR=$BDIR/peer-runs/$(basename "$OUT" .md)
mkdir -p "$RUNDIR" "$(dirname "$OUT")"
TSV=${OUT%.md}.tsv

# --- kernels: NAME or NAME=FILE -------------------------------------------------
declare -A ELF
NAMES=""
for spec in $NULLK $KERNELS; do
    n=${spec%%=*}
    f=$BDIR/$n.elf
    [ "$spec" = "$n" ] || f=${spec#*=}
    [ -f "$f" ] || die "no kernel $f (run 'make bench-kernels')"
    ELF[$n]=$f
    NAMES="$NAMES $n"
done
NULLK=${NULLK%%=*}
KNAMES=${NAMES# "$NULLK"}
kargs() {   # kernel: its PEER_KARGS_<name> words
    local v="PEER_KARGS_$1"
    echo "${!v:-}"
}

# --- plugins -------------------------------------------------------------------
PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin") || die "no TCG plugins (see above)"
RANGE=$PLUGDIR/range-insns.so
X87=$PLUGDIR/x87-insns.so

# --- engines ---------------------------------------------------------------------
declare -A CMD BIN
if [ -z "$ENGINES" ]; then
    for h in mips64el loongarch64; do
        [ -x "$BUILD/$h/hamt86" ] && ENGINES="$ENGINES $h-jit"
    done
fi
for e in $ENGINES; do
    h=${e%-*}
    case $e in
    *-jit) m=$MODE ;;
    *-softmmu) m=softmmu ;;
    *) die "unknown engine $e (HOST-jit or HOST-softmmu)" ;;
    esac
    case $h in mips64el | loongarch64) ;; *) die "unknown host in $e" ;; esac
    [ -x "$BUILD/$h/hamt86" ] || die "$e: no $BUILD/$h/hamt86"
    BIN[$e]=$BUILD/$h/hamt86
    CMD[$e]="qemu-$h @PLUG@ $BUILD/$h/hamt86 --backend=jit --mmu=$m -m 128"
done
ALL="peer $ENGINES"
echo "peer: kernels:$KNAMES (null: $NULLK); engines: $ALL" >&2

lines() {   # file: the result lines
    tr -d '\r' < "$1" | grep -aoE '(BENCH|INFO) .*$' | grep -v '\.hash ' || true
}
text_arg() {   # binary: ",arg=text:LO:HI" (its .text, for the c/generated split)
    local lo size
    read -r lo size < <(readelf -SW "$1" | awk '$2 == ".text" { print $4, $6 } $3 == ".text" { print $5, $7 }')
    printf ',arg=text:%s:%x' "$lo" $((0x$lo + 0x$size))
}
# run ENGINE KERNEL COUNTED(1/0) BASE: output in BASE.out / BASE.err
run1() {
    local e=$1 k=$2 counted=$3 base=$4 cmd plug="" ka
    read -r -a ka <<< "$(kargs "$k")"
    if [ "$e" = peer ]; then
        [ "$counted" = 1 ] && plug="-d plugin -plugin $RANGE"
        PEER_USER_ARGS=$plug timeout "$TIMEOUT" nice "$ROOT/bench/qemu-peer.sh" -m 128 \
            -no-reboot -device isa-debug-exit,iobase=0xf4 -kernel "${ELF[$k]}" "${ka[@]}"
    else
        [ "$counted" = 1 ] && plug="-d plugin -plugin $RANGE$(text_arg "${BIN[$e]}")"
        cmd=${CMD[$e]/@PLUG@/$plug}
        # shellcheck disable=SC2086
        timeout "$TIMEOUT" nice $cmd --kernel "${ELF[$k]}" "${ka[@]}"
    fi > "$base.out" 2> "$base.err" < /dev/null
}

# --- job pool (-j) ------------------------------------------------------------------
pool() {   # command...: run in the background, at most JOBS at a time
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
        wait -n
    done
    "$@" &
}
ref1() {   # kernel: qemu-system-i386 with the x87-insns plugin, status in .ref.status
    local k=$1 ka
    read -r -a ka <<< "$(kargs "$k")"
    timeout "$TIMEOUT" nice qemu-system-i386 -M isapc -cpu pentium2 -m 128 -nographic -no-reboot \
        -device isa-debug-exit,iobase=0xf4 -d plugin -plugin "$X87" \
        -kernel "${ELF[$k]}" "${ka[@]}" > "$RUNDIR/$k.ref.out" 2> "$RUNDIR/$k.ref.err" < /dev/null
    echo $? > "$RUNDIR/$k.ref.status"
}
counted1() {   # engine kernel: a counted run, status in BASE.status
    run1 "$1" "$2" 1 "$RUNDIR/$2.$1"
    echo $? > "$RUNDIR/$2.$1.status"
}

# --- reference lines and guest instruction counts: qemu-system-i386 here -------
for k in $NAMES; do
    if [ "$REUSE" = 1 ] && [ -f "$RUNDIR/$k.ref.status" ] && [ "$RUNDIR/$k.ref.status" -nt "${ELF[$k]}" ]; then
        continue
    fi
    pool ref1 "$k"
done
wait
declare -A GI
for k in $NAMES; do
    st=$(cat "$RUNDIR/$k.ref.status" 2>/dev/null || echo '?')
    [ "$st" = 1 ] || die "$k: qemu-system-i386 exit status $st (want 1)"
    lines "$RUNDIR/$k.ref.out" > "$RUNDIR/$k.ref"
    [ -s "$RUNDIR/$k.ref" ] || [ "$k" = "$NULLK" ] || die "$k: no BENCH/INFO line on qemu-system-i386"
    GI[$k]=$(awk '/^x87-insns:/ { print $3 }' "$RUNDIR/$k.ref.err")
    [ -n "${GI[$k]}" ] || die "$k: no x87-insns line"
done

# --- counted runs (and timed ones with -t) ------------------------------------------
declare -A HI HC HG HM CPU
NFAIL=0
fresh() {   # base engine kernel: a reusable counted run?
    [ "$REUSE" = 1 ] && [ -f "$1.err" ] && grep -q 'range-insns: total' "$1.err" &&
        [ "$1.err" -nt "${ELF[$3]}" ] &&
        { [ "$2" = peer ] || [ "$1.err" -nt "${BIN[$2]}" ]; }
}
for k in $NAMES; do
    for e in $ALL; do
        fresh "$RUNDIR/$k.$e" "$e" "$k" || pool counted1 "$e" "$k"
    done
done
wait
for e in $ALL; do
    for k in $NAMES; do
        base=$RUNDIR/$k.$e
        st=$(cat "$base.status" 2>/dev/null || echo '?')
        why=""
        if [ "$st" != 1 ]; then
            why="exit status $st (want 1): $(tail -2 "$base.err" | tr '\n' ' ')"
        elif ! diff <(lines "$base.out") "$RUNDIR/$k.ref" > /dev/null; then
            why="result lines differ from qemu-system-i386: $(diff <(lines "$base.out") "$RUNDIR/$k.ref" | grep '^[<>]' | head -4 | tr '\n' ' ')"
        fi
        if [ -n "$why" ]; then
            echo "peer: FAIL $k on $e: $why (see $base.out, $base.err)" >&2
            NFAIL=$((NFAIL + 1))
            HI[$k.$e]=FAIL
            continue
        fi
        HI[$k.$e]=$(awk '/range-insns: total/ { print $3 }' "$base.err")
        HC[$k.$e]=$(awk '/range-insns: c [0-9]/ { printf "%.0f\n", $3 + $7 }' "$base.err")
        HG[$k.$e]=$(awk '/range-insns: c [0-9]/ { print $5 }' "$base.err")
        HM[$k.$e]=$(awk '/range-insns: loads [0-9]/ { printf "%.0f\n", $3 + $5 }' "$base.err")
        echo "peer: $k $e: ${HI[$k.$e]} host insns" >&2
        best=""
        for _ in $(seq 1 "$TREPS"); do
            t=$( { TIMEFORMAT='%U %S'; time run1 "$e" "$k" 0 "$base.t"; } 2>&1 | awk '{ print $1 + $2 }')
            best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
        done
        CPU[$k.$e]=$best
    done
done

# --- table -----------------------------------------------------------------------------
net() {   # kernel engine [array]: host insns net of the null guest
    local -n a=${3:-HI}
    local x=${HI[$1.$2]:-FAIL} z=${HI[$NULLK.$2]:-FAIL}
    case "$x$z" in *FAIL*) echo FAIL ;; *) echo $((a[$1.$2] - a[$NULLK.$2])) ;; esac
}
{
    echo "# hamt86 against the QEMU peer: host instructions ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
    echo
    echo "Command: \`bench/peer.sh ${ARGV[*]}\` (hamt86 --mmu=$MODE; kernels of $BDIR)."
    echo "Host instructions executed (TCG plugin bench/plugin/range-insns.c in"
    echo "the qemu-user that runs each emulator, exact), net of $NULLK on the same"
    echo "engine. Peer: QEMU 7.2's mips64el qemu-system-i386 under qemu-mips64el"
    echo "(-cpu pentium2,-tsc, no icount). \"x peer\" = peer / engine (> 1: hamt86"
    echo "executes fewer host instructions). \"gen\" = share of the instructions"
    echo "executed in the emulator's code cache (the rest is its C code, for the"
    echo "peer with its shared libraries). Guest instructions: qemu-system-i386"
    echo "with bench/plugin/x87-insns.c, net of $NULLK. Result lines of every run"
    echo "equal qemu-system-i386's unless marked FAIL."
    echo
    printf '| kernel | guest insns | peer host insns | per guest insn | gen |'
    for e in $ENGINES; do printf ' %s host insns | per guest insn | gen | **x peer** |' "$e"; done
    echo
    printf '| --- | ---: | ---: | ---: | ---: |'
    for e in $ENGINES; do printf ' ---: | ---: | ---: | ---: |'; done
    echo
    for k in $KNAMES; do
        gi=$((GI[$k] - GI[$NULLK]))
        printf '| %s | %d |' "$k" "$gi"
        p=$(net "$k" peer)
        for e in peer $ENGINES; do
            n=$(net "$k" "$e")
            if [ "$n" = FAIL ]; then
                printf ' FAIL | | |'
                [ "$e" = peer ] || printf ' FAIL |'
                continue
            fi
            g=$(net "$k" "$e" HG)
            awk -v n="$n" -v i="$gi" -v g="$g" 'BEGIN { printf " %.0f | %.1f | %.1f%% |", n, (i > 0 ? n / i : 0), (n > 0 ? 100 * g / n : 0) }'
            [ "$e" = peer ] && continue
            if [ "$p" = FAIL ]; then printf ' - |'; continue; fi
            awk -v n="$n" -v p="$p" 'BEGIN { printf " **%.2f** |", p / n }'
        done
        echo
    done
    printf '| **geomean** | | | | |'
    for e in $ENGINES; do
        r=""
        for k in $KNAMES; do
            n=$(net "$k" "$e") p=$(net "$k" peer)
            case "$n$p" in *FAIL*) continue ;; esac
            r="$r $p/$n"
        done
        echo "$r" | awk '{ s = 0; c = 0; for (i = 1; i <= NF; i++) { split($i, x, "/"); if (x[1] > 0 && x[2] > 0) { s += log(x[1] / x[2]); c++ } }
            if (c) printf " | | | **%.2f** (%d kernels) |", exp(s / c), c; else printf " | | | - |" }'
    done
    echo
    printf '| %s (start-up, gross) | %d |' "$NULLK" "${GI[$NULLK]}"
    for e in peer $ENGINES; do
        printf ' %s | | |' "${HI[$NULLK.$e]:-FAIL}"
        [ "$e" = peer ] || printf ' |'
    done
    echo
    echo
    echo "Host loads + stores (net of $NULLK; qemu-user runs each through its"
    echo "softmmu-less guest memory path, so they weigh more in its CPU time"
    echo "than ALU instructions):"
    echo
    printf '| kernel | peer | per guest insn |'; for e in $ENGINES; do printf ' %s | per guest insn | x peer |' "$e"; done; echo
    printf '| --- | ---: | ---: |'; for e in $ENGINES; do printf ' ---: | ---: | ---: |'; done; echo
    for k in $KNAMES; do
        gi=$((GI[$k] - GI[$NULLK]))
        printf '| %s |' "$k"
        p=$(net "$k" peer HM)
        for e in peer $ENGINES; do
            n=$(net "$k" "$e" HM)
            if [ "$n" = FAIL ]; then printf ' FAIL | |'; [ "$e" = peer ] || printf ' |'; continue; fi
            awk -v n="$n" -v i="$gi" 'BEGIN { printf " %.0f | %.2f |", n, (i > 0 ? n / i : 0) }'
            [ "$e" = peer ] && continue
            if [ "$p" = FAIL ] || [ "$n" -le 0 ]; then printf ' - |'; continue; fi
            awk -v n="$n" -v p="$p" 'BEGIN { printf " %.2f |", p / n }'
        done
        echo
    done
    if [ "$TREPS" -gt 0 ]; then
        echo
        echo "CPU seconds (user+sys, min of $TREPS, without the plugin), net of $NULLK; x peer = peer s / engine s:"
        echo
        printf '| kernel | peer |'; for e in $ENGINES; do printf ' %s | x peer |' "$e"; done; echo
        printf '| --- | ---: |'; for e in $ENGINES; do printf ' ---: | ---: |'; done; echo
        for k in $KNAMES; do
            printf '| %s |' "$k"
            for e in peer $ENGINES; do
                awk -v a="${CPU[$k.$e]:-}" -v z="${CPU[$NULLK.$e]:-}" -v pa="${CPU[$k.peer]:-}" -v pz="${CPU[$NULLK.peer]:-}" -v e="$e" \
                    'BEGIN { if (a == "" || z == "") { printf " - |"; if (e != "peer") printf " - |"; exit }
                             printf " %.2f |", a - z
                             if (e != "peer") { if (pa == "" || pz == "" || a - z <= 0) printf " - |"; else printf " %.2f |", (pa - pz) / (a - z) } }'
            done
            echo
        done
    fi
    if [ "$PROF" -gt 0 ]; then
        for e in $ENGINES; do
            h=${e%-*}
            for k in $KNAMES; do
                [ "${HI[$k.$e]:-FAIL}" != FAIL ] || continue
                echo
                echo "Profile: $k on $e (host instructions per function, gross; bench/plugin/hot-pcs.c):"
                echo
                echo '```'
                read -r -a ka <<< "$(kargs "$k")"
                # shellcheck disable=SC2086
                nice ${CMD[$e]/@PLUG@/-d plugin -plugin $PLUGDIR/hot-pcs.so,top=3000} \
                    --kernel "${ELF[$k]}" "${ka[@]}" 2>&1 > /dev/null < /dev/null |
                    python3 "$ROOT/bench/plugin/hot-syms.py" "${BIN[$e]}" "$PROF"
                echo '```'
            done
        done
    fi
} > "$OUT"
{
    printf 'kernel\tguest_insns'
    for e in $ALL; do printf '\t%s\t%s_c\t%s_gen\t%s_mem' "$e" "$e" "$e" "$e"; done
    echo
    for k in $NAMES; do
        printf '%s\t%s' "$k" "${GI[$k]}"
        for e in $ALL; do printf '\t%s\t%s\t%s\t%s' "${HI[$k.$e]:-FAIL}" "${HC[$k.$e]:--}" "${HG[$k.$e]:--}" "${HM[$k.$e]:--}"; done
        echo
    done
} > "$TSV"
cat "$OUT"
echo "peer: wrote $OUT and $TSV" >&2
[ $NFAIL -eq 0 ] || { echo "peer: $NFAIL FAIL" >&2; exit 1; }
exit 0
}
