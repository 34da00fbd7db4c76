#!/usr/bin/env bash
# bench/hamt-vs-softmmu.sh: --mmu=hamt vs --mmu=softmmu on the memory-bound
# kernels of bench/mem, side by side in one run (HAMT owner; bench/run.sh
# is the general harness).
#
# usage: bench/hamt-vs-softmmu.sh [-e "EMULATOR CMD"]... [-b BUILD] [-s SCALE] [-r RUNS] [-o OUTBASE]
#                                [-a "HAMT ARGS"] [-k "KERNELS"]
#   -e   emulator command (default: qemu-mips64el build/mips64el/hamt86);
#        repeat -e to compare hosts in one run: runs are interleaved
#        (kernel > emulator > mode) and each emulator gets its own
#        OUTBASE-<tag> files, tag = the qemu-<tag> of the command (or e<N>)
#   -b   build root for the kernels (default build): BUILD/bench-mem-s1,
#        BUILD/bench-mem-sSCALE
#   -s   the larger BM_SCALE (default 3); every kernel is built with
#        BM_SCALE=1 and =SCALE
#   -r   timed runs per kernel, mode and scale (default 3): the minimum
#        counts (this machine is a shared VM: load from other work only
#        ever adds time); the runs of both modes are interleaved
#   -o   output base (default bench/results/hamt-vs-softmmu): writes .tsv,
#        .md (table) and .svg (bench/hamt-vs-softmmu-plot.py)
#   -a   extra options for the hamt runs (e.g. --hamt-contexts=1)
#   -k   kernels (default: the five of the memory-bound mix, then mem_ctxsw;
#        the table gives the geomean of the mix and of all)
#
# Times are CPU seconds (user + sys) of the emulator process.
# "cold" = the time of the BM_SCALE=1 run (start-up, first touch of every
# page, i.e. HAMT fills, included).  "warm" = (T(SCALE) - T(1)) / (SCALE - 1):
# the scale multiplies iterations, not working sets, so the difference is
# the steady state without start-up and first-touch fills.  Counters come
# from an extra --stats run at SCALE=1 (not timed).  Each kernel's output must end in DONE.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EMUS=()
KBUILD=$ROOT/build
SCALE=3
RUNS=3
OUT=$ROOT/bench/results/hamt-vs-softmmu
HAMT_ARGS=
KERNELS="mem_linear mem_random mem_chase mem_fork mem_syscall mem_ctxsw"
while getopts "e:b:s:r:o:a:k:" o; do
    case $o in
    e) EMUS+=("$OPTARG") ;;
    b) KBUILD=$(cd "$OPTARG" && pwd) ;;
    s) SCALE=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    o) OUT=$OPTARG ;;
    a) HAMT_ARGS=$OPTARG ;;
    k) KERNELS=$OPTARG ;;
    *) sed -n '2,30p' "$0"; exit 2 ;;
    esac
done
[ ${#EMUS[@]} -gt 0 ] || EMUS=("qemu-mips64el $ROOT/build/mips64el/hamt86")
for sc in 1 "$SCALE"; do
    make -s -C "$ROOT/bench/mem" BM_SCALE="$sc" OUT="$KBUILD/bench-mem-s$sc" >/dev/null || exit 1
done
# output base per emulator
declare -A OUTB
for i in "${!EMUS[@]}"; do
    if [ ${#EMUS[@]} -eq 1 ]; then
        OUTB[$i]=$OUT
    else
        tag=$(echo "${EMUS[$i]}" | sed -n 's/^qemu-\([a-z0-9]*\) .*/\1/p')
        OUTB[$i]=$OUT-${tag:-e$i}
    fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run KERNEL MODE SCALE [--stats] -> CPU seconds (user + sys: robust on a
# shared, loaded machine, unlike wall time) on stdout, stderr in
# $TMP/K.M.S.err.  Timed runs go without --stats: it turns on the softmmu's
# TLB hit counters in generated code.
run() {
    local rc extra=
    [ "$2" = hamt ] && extra=$HAMT_ARGS
    /usr/bin/time -f "%U %S" -o "$TMP/time" $EMU -m 128 --mmu="$2" $extra ${4:-} \
        --kernel "$KBUILD/bench-mem-s$3/$1.elf" \
        >"$TMP/$1.$2.$3.out" 2>"$TMP/$1.$2.$3.err" </dev/null
    rc=$?
    if [ "$rc" != 1 ] || ! grep -q '^DONE' "$TMP/$1.$2.$3.out"; then
        echo "hamt-vs-softmmu: $1 --mmu=$2 BM_SCALE=$3 failed (status $rc)" >&2
        tail -3 "$TMP/$1.$2.$3.err" >&2
        echo "nan"
        return
    fi
    tail -1 "$TMP/time" | awk '{print $1 + $2}'
}

# stat KERNEL MODE NAME -> the --stats counter (0 if absent)
stat() {
    local v
    v=$(grep -m1 "^  $3 " "$TMP/$1.$2.1.err" | awk '{print $NF}')
    echo "${v:-0}"
}

for i in "${!EMUS[@]}"; do
    printf "kernel\tmode\tcold_s\twarm_s\thost_faults\tfills\tfallbacks\tevictions\tsyscalls\tretranslations\tchurn_sites\ttlb_fills\n" >"${OUTB[$i]}.tsv"
done
# min A B: the smaller of two times ("nan" loses)
min() {
    if [ "$1" = nan ]; then echo "$2"; elif [ "$2" = nan ]; then echo "$1";
    else echo "$1 $2" | awk '{print ($1 < $2) ? $1 : $2}'; fi
}
declare -A C S
for k in $KERNELS; do
  for i in "${!EMUS[@]}"; do
    EMU=${EMUS[$i]}
    for m in softmmu hamt; do C[$m]=nan; S[$m]=nan; done
    for r in $(seq "$RUNS"); do
        for m in softmmu hamt; do
            C[$m]=$(min "${C[$m]}" "$(run "$k" "$m" 1)")
            S[$m]=$(min "${S[$m]}" "$(run "$k" "$m" "$SCALE")")
        done
    done
    for m in softmmu hamt; do
        c=${C[$m]}
        s=${S[$m]}
        run "$k" "$m" 1 --stats >/dev/null
        w=$(echo "($s - $c) / ($SCALE - 1)" | bc -l 2>/dev/null || echo nan)
        printf "%s\t%s\t%.3f\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$k" "$m" "$c" "$w" \
            "$(stat "$k" "$m" "host faults")" "$(stat "$k" "$m" "fills")" \
            "$(stat "$k" "$m" "fallbacks to slow path")" "$(stat "$k" "$m" "evictions")" \
            "$(stat "$k" "$m" "driver syscalls")" "$(stat "$k" "$m" "retranslations")" \
            "$(stat "$k" "$m" "sites retranslated (churn)")" \
            "$(stat "$k" "$m" "TLB fills")" >>"${OUTB[$i]}.tsv"
        echo "$k [$EMU] $m cold $c warm $w (min of $RUNS)" >&2
    done
  done
done
for i in "${!EMUS[@]}"; do
    o=${OUTB[$i]}
    python3 "$ROOT/bench/hamt-vs-softmmu-plot.py" "$o.tsv" "$o.svg" "${EMUS[$i]}${HAMT_ARGS:+ (hamt: $HAMT_ARGS)}" "$SCALE" "$RUNS" >"$o.md"
    echo "wrote $o.tsv $o.md $o.svg" >&2
done
