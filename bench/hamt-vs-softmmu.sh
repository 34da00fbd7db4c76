#!/usr/bin/env bash
# bench/hamt-vs-softmmu.sh: --mmu=hamt vs --mmu=softmmu on the memory-bound
# kernels of bench/mem, side by side in one run (HAMT owner; bench/run.sh
# is the general harness).
#
# usage: bench/hamt-vs-softmmu.sh [-e "EMULATOR CMD"]... [-b BUILD] [-s SCALE] [-r RUNS] [-o OUTBASE]
#                                [-a "HAMT ARGS"] [-k "KERNELS"] [-c time|count|both]
#                                [-g "GUEST EMULATOR CMD"]
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
#   -c   what to measure (default both): time = the timed runs only;
#        count = only exact counts (one run per kernel, mode and scale under
#        qemu-user with the TCG plugin bench/plugin/range-insns.c, about 2-3x
#        a plain run); both = the two
#   -g   the engine that counts the guest side (default build/native/hamt86
#        when built, else the first -e): --backend=interp --mmu=softmmu
#        --stats gives the guest instructions executed and the guest data
#        accesses (softmmu TLB fast-path hits + misses), per scale
#
# Times are CPU seconds (user + sys) of the emulator process.
# "cold" = the time of the BM_SCALE=1 run (start-up, first touch of every
# page, i.e. HAMT fills, included).  "warm" = (T(SCALE) - T(1)) / (SCALE - 1):
# the scale multiplies iterations, not working sets, so the difference is
# the steady state without start-up and first-touch fills.  Counters come
# from an extra --stats run at SCALE=1 (not timed).  Each kernel's output must end in DONE.
# Counts (-c count/both): host instructions of the emulator process, split
# into generated code and C, its loads and stores and system calls, cold
# (SCALE=1) and warm ((N(SCALE) - N(1)) / (SCALE - 1)); per guest
# instruction and per guest data access (warm, from -g) and C instructions
# per HAMT fill (cold; fills from --stats).  Host-kernel work (SIGSEGV
# delivery for HAMT faults, mmap) is in no count: the table gives the host
# faults (--stats) and the system calls (plugin) beside them.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EMUS=()
KBUILD=$ROOT/build
SCALE=3
RUNS=3
OUT=$ROOT/bench/results/hamt-vs-softmmu
HAMT_ARGS=
KERNELS="mem_linear mem_random mem_chase mem_fork mem_syscall mem_ctxsw"
WHAT=both
GEMU=
while getopts "e:b:s:r:o:a:k:c:g:" o; do
    case $o in
    e) EMUS+=("$OPTARG") ;;
    b) KBUILD=$(cd "$OPTARG" && pwd) ;;
    s) SCALE=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    o) OUT=$OPTARG ;;
    a) HAMT_ARGS=$OPTARG ;;
    k) KERNELS=$OPTARG ;;
    c) WHAT=$OPTARG ;;
    g) GEMU=$OPTARG ;;
    *) sed -n '2,46p' "$0"; exit 2 ;;
    esac
done
[ ${#EMUS[@]} -gt 0 ] || EMUS=("qemu-mips64el $ROOT/build/mips64el/hamt86")
case $WHAT in time | count | both) ;; *) echo "hamt-vs-softmmu: -c time|count|both" >&2; exit 2 ;; esac
if [ -z "$GEMU" ]; then
    GEMU=${EMUS[0]}
    [ -x "$ROOT/build/native/hamt86" ] && GEMU=$ROOT/build/native/hamt86
fi
if [ "$WHAT" != time ]; then
    PLUGDIR=$("$ROOT/bench/plugin/build.sh") || exit 1
fi
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

# count KERNEL MODE SCALE -> "total c generated loads stores syscalls" of a
# counted run (plugin; no --stats, as the timed runs), or "nan" on failure
count() {
    local rc q bin
    q=${EMU%% *}
    bin=${EMU#* }
    bin=${bin%% *}
    case $q in qemu-*) ;; *) echo nan; return ;; esac
    local lo size text
    read -r lo size < <(readelf -SW "$bin" | awk '$2 == ".text" { print $4, $6 } $3 == ".text" { print $5, $7 }')
    text=$(printf 'text:%s:%x' "$lo" $((0x$lo + 0x$size)))
    local extra=
    [ "$2" = hamt ] && extra=$HAMT_ARGS
    # shellcheck disable=SC2086
    $q -d plugin -plugin "$PLUGDIR/range-insns.so,arg=$text" ${EMU#"$q"} -m 128 \
        --mmu="$2" $extra --kernel "$KBUILD/bench-mem-s$3/$1.elf" \
        >"$TMP/$1.$2.$3.cout" 2>"$TMP/$1.$2.$3.cerr" </dev/null
    rc=$?
    if [ "$rc" != 1 ] || ! grep -q '^DONE' "$TMP/$1.$2.$3.cout"; then
        echo "hamt-vs-softmmu: counted $1 --mmu=$2 BM_SCALE=$3 failed (status $rc)" >&2
        echo nan
        return
    fi
    awk '/range-insns: total/ { t = $3; sy = $5 } /range-insns: c [0-9]/ { c = $3 + $7; g = $5 }
         /range-insns: loads [0-9]/ { l = $3; s = $5 }
         END { printf "%.0f %.0f %.0f %.0f %.0f %.0f\n", t, c, g, l, s, sy }' "$TMP/$1.$2.$3.cerr"
}

# guest KERNEL SCALE -> "insns accesses" from the -g engine's interpreter
guest() {
    $GEMU -m 128 --backend=interp --mmu=softmmu --stats \
        --kernel "$KBUILD/bench-mem-s$2/$1.elf" >/dev/null 2>"$TMP/$1.guest.$2.err" </dev/null
    awk '/guest insns executed/ { i = $NF } /TLB fast-path hits/ { h = $4 }
         /TLB misses \(data\)/ { m = $4 } END { printf "%s %s\n", i ? i : "nan", (h != "" && m != "") ? h + m : "nan" }' \
        "$TMP/$1.guest.$2.err"
}

# stat KERNEL MODE NAME -> the --stats counter (0 if absent)
stat() {
    local v
    v=$(grep -m1 "^  $3 " "$TMP/$1.$2.1.err" | awk '{print $NF}')
    echo "${v:-0}"
}

for i in "${!EMUS[@]}"; do
    printf "kernel\tmode\tcold_s\twarm_s\thost_faults\tfills\tfallbacks\tevictions\tsyscalls\tretranslations\tchurn_sites\ttlb_fills" >"${OUTB[$i]}.tsv"
    # counts: cold (SCALE=1) and warm (per scale step) host insns, their
    # C and generated parts, host loads, stores, syscalls; guest insns and
    # data accesses (-g), cold and warm
    printf "\thost_insns\tc_insns\tgen_insns\thost_loads\thost_stores\thost_syscalls\thost_insns_warm\tc_insns_warm\tgen_insns_warm\thost_loads_warm\thost_stores_warm\thost_syscalls_warm\tguest_insns\tguest_accesses\tguest_insns_warm\tguest_accesses_warm\n" >>"${OUTB[$i]}.tsv"
done
# min A B: the smaller of two times ("nan" loses)
min() {
    if [ "$1" = nan ]; then echo "$2"; elif [ "$2" = nan ]; then echo "$1";
    else echo "$1 $2" | awk '{print ($1 < $2) ? $1 : $2}'; fi
}
# warm A B -> (B - A) / (SCALE - 1) per field of two "n n ..." lists
warm() {
    awk -v a="$1" -v b="$2" -v s="$SCALE" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? " " : ""),
            ((x[i] == "nan" || y[i] == "nan" || x[i] == "" || y[i] == "") ? "nan" : sprintf("%.0f", (y[i] - x[i]) / (s - 1)))
        print "" }'
}
declare -A C S
NAN6="nan nan nan nan nan nan"
for k in $KERNELS; do
  G1="nan nan" GS="nan nan"
  if [ "$WHAT" != time ]; then
      G1=$(guest "$k" 1)
      GS=$(guest "$k" "$SCALE")
  fi
  for i in "${!EMUS[@]}"; do
    EMU=${EMUS[$i]}
    for m in softmmu hamt; do C[$m]=nan; S[$m]=nan; done
    nruns=$RUNS
    [ "$WHAT" = count ] && nruns=0
    for r in $(seq "$nruns"); do
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
        N1=$NAN6 NW=$NAN6
        if [ "$WHAT" != time ]; then
            N1=$(count "$k" "$m" 1)
            NS=$(count "$k" "$m" "$SCALE")
            [ "$N1" = nan ] && N1=$NAN6
            [ "$NS" = nan ] && NS=$NAN6
            NW=$(warm "$N1" "$NS")
            echo "$k [$EMU] $m host insns cold $(echo "$N1" | cut -d' ' -f1) warm $(echo "$NW" | cut -d' ' -f1)" >&2
        fi
        printf "%s\t%s\t%.3f\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s" "$k" "$m" "$c" "$w" \
            "$(stat "$k" "$m" "host faults")" "$(stat "$k" "$m" "fills")" \
            "$(stat "$k" "$m" "fallbacks to slow path")" "$(stat "$k" "$m" "evictions")" \
            "$(stat "$k" "$m" "driver syscalls")" "$(stat "$k" "$m" "retranslations")" \
            "$(stat "$k" "$m" "sites retranslated (churn)")" \
            "$(stat "$k" "$m" "TLB fills")" >>"${OUTB[$i]}.tsv"
        echo "$N1 $NW $G1 $(warm "$G1" "$GS")" | tr ' ' '\t' | sed 's/^/\t/' >>"${OUTB[$i]}.tsv"
        echo "$k [$EMU] $m cold $c warm $w (min of $RUNS)" >&2
    done
  done
done
for i in "${!EMUS[@]}"; do
    o=${OUTB[$i]}
    python3 "$ROOT/bench/hamt-vs-softmmu-plot.py" "$o.tsv" "$o.svg" "${EMUS[$i]}${HAMT_ARGS:+ (hamt: $HAMT_ARGS)}" "$SCALE" "$RUNS" >"$o.md"
    echo "wrote $o.tsv $o.md $o.svg" >&2
done
