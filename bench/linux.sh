#!/usr/bin/env bash
# bench/linux.sh: Debian 12's i386 Linux on hamt86 (HAMT vs softmmu, every
# JIT host) and on QEMU 7.2's own mips64el qemu-system-i386 under
# qemu-mips64el (bench/qemu-peer.sh), side by side in one run, measured in
# exact host instructions (bench/linux-count.sh: the range-insns TCG
# plugin), so that the ratios do not depend on the machine's load.
#
# usage: bench/linux.sh [-H HOSTS] [-M MODES] [-n] [-j JOBS] [-i SHIFT] [-w]
#   -H HOSTS  default: mips64el loongarch64 (the JIT hosts)
#   -M MODES  default: hamt softmmu
#   -n        no QEMU peer
#   -j JOBS   boots run in parallel (default 2)
#   -i SHIFT  hamt86's --icount (default 4); "off" for the real-time clock
#   -w        then also the wall-clock table of tests/linux/demo.sh
#   -R        no runs: print the tables from the last results (e.g. of
#             runs stopped early, whose missing markers show as "-")
# Three points per boot, host instructions from the start:
#   decomp   to the kernel's first line ("Linux version", earlyprintk):
#            the kernel's own decompressor plus the earliest setup, heavy
#            integer code run once, a translator benchmark
#   shell    to "HAMT86-LX init" (the initramfs's shell runs /init)
#   work     from there to "HAMT86-LX done": the workload
# with the host system calls (the plugin sees them; host faults are in
# --stats), CPU seconds under the plugin, and the --stats breakdown
# (engine and translation time, idle, fills, host faults, TLB misses,
# exceptions, interrupts).  Logs in build/linux/count/.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HOSTS="mips64el loongarch64"
MODES="hamt softmmu"
PEER=1
JOBS=2
ICOUNT=4
WALL=0
RUN=1
while getopts "H:M:nj:i:wR" o; do
    case $o in
    H) HOSTS=$OPTARG ;;
    M) MODES=$OPTARG ;;
    n) PEER=0 ;;
    j) JOBS=$OPTARG ;;
    i) ICOUNT=$OPTARG ;;
    w) WALL=1 ;;
    R) RUN=0 ;;
    *) sed -n '2,26p' "$0"; exit 2 ;;
    esac
done
. "$ROOT/tests/linux/linux.sh"
[ -f "$LINUX_KERNEL" ] || { echo "bench/linux.sh: $LINUX_KERNEL missing (cross/setup)" >&2; exit 2; }
OUT=$BUILD/linux/count
mkdir -p "$OUT"
[ "$RUN" = 0 ] || "$ROOT/tests/linux/mkinitrd.sh" "$BUILD/linux/initrd.cpio" >/dev/null || exit 1

runs=()
for host in $HOSTS; do
    [ "$RUN" = 0 ] || [ -x "$BUILD/$host/hamt86" ] || { echo "bench/linux.sh: $BUILD/$host/hamt86 not built" >&2; continue; }
    for mode in $MODES; do
        runs+=("$host-$mode $host $mode")
    done
done
[ "$PEER" = 0 ] || runs+=("qemu-peer peer")
# JOBS boots at a time; each leaves OUT/LABEL.result
if [ "$RUN" = 1 ]; then
    for r in "${runs[@]}"; do
        rm -f "$OUT/${r%% *}.result"
        echo "$r"
    done | xargs -P "$JOBS" -L 1 nice "$ROOT/bench/linux-count.sh" -b "$BUILD" \
        -i "$ICOUNT" >/dev/null
fi
for r in "${runs[@]}"; do
    cat "$OUT/${r%% *}.result" 2>/dev/null
done >"$OUT/results"

# One --stats counter of run $1: the first number after ERE $2.
st() {
    awk -v re="$2" '$0 ~ re { sub(re, ""); print $1; exit }' "$OUT/$1.err"
}
m() {  # instructions -> millions
    case $1 in ''|-) echo - ;; *) awk -v x="$1" 'BEGIN { printf "%.0f", x / 1e6 }' ;; esac
}
echo
echo "=== Debian 12 $(cat "$(dirname "$LINUX_KERNEL")/kernel-package" 2>/dev/null) + busybox, -m 128:" \
     "host instructions (millions) until each marker; hamt86 --icount=$ICOUNT"
printf '%-20s %9s %9s %9s %10s %9s %7s %s\n' run decomp shell work total syscalls cpu-s output
for r in "${runs[@]}"; do
    label=${r%% *}
    line=$(awk -v l="$label" '$1 == l' "$OUT/results")
    [ -n "$line" ] || { printf '%-20s (no result; %s)\n' "$label" "$OUT/$label.err"; continue; }
    set -- $line
    printf '%-20s %9s %9s %9s %10s %9s %7s %s\n' "$1" "$(m "$2")" "$(m "$3")" \
        "$(m "$4")" "$(m "$5")" "$6" "$7" "${*:8}"
done
echo
echo "=== --stats of each hamt86 boot (whole run)"
printf '%-20s %9s %8s %7s %9s %9s %10s %9s %9s %8s\n' run engine-ms transl-ms idle-ms \
    TBs fills host-flts tlb-miss except irqs
for r in "${runs[@]}"; do
    label=${r%% *}
    [ -f "$OUT/$label.err" ] && grep -q 'time translating' "$OUT/$label.err" || continue
    tr=$(sed -n 's/.*time translating *\([0-9]*\) ms of \([0-9]*\) ms.*/\1 \2/p' "$OUT/$label.err" | tail -n1)
    f=$(st "$label" '^  fills +')
    printf '%-20s %9s %8s %7s %9s %9s %10s %9s %9s %8s\n' "$label" "${tr#* }" "${tr% *}" \
        "$(st "$label" '^  idle \(HLT\) time +')" "$(st "$label" '^  TBs translated +')" \
        "${f:-$(st "$label" '^  TLB fills +')}" "$(st "$label" '^  host faults +')" \
        "$(st "$label" '^  TLB misses \(data\) +')" "$(st "$label" '^  exceptions +')" \
        "$(st "$label" '^  hardware interrupts +')"
done
echo
# Boot phases: instructions between successive kernel lines, per run.
PHASES=("Linux version" "x87 FPU will use" "Freeing SMP alternatives"
        "devtmpfs: initialized" "NET: Registered PF_INET"
        "Trying to unpack rootfs" "Freeing unused kernel" "HAMT86-LX init"
        "HAMT86-LX done")
phase_at() {  # label marker -> instructions until the marker, or -
    local off
    off=$(grep -abo -m1 "$2" "$OUT/$1.out" 2>/dev/null | head -n1 | cut -d: -f1)
    [ -n "$off" ] || { echo -; return; }
    awk -v end=$((off + ${#2})) '$1 >= end { print $2; f = 1; exit }
                                 END { if (!f) print "-" }' "$OUT/$1.marks"
}
echo "=== boot phases: host instructions (millions) from the previous line to"
printf '%-26s' "line"
for r in "${runs[@]}"; do printf ' %16s' "${r%% *}"; done
echo
prev=()
for p in "${PHASES[@]}"; do
    printf '%-26s' "${p:0:26}"
    i=0
    for r in "${runs[@]}"; do
        v=$(phase_at "${r%% *}" "$p")
        if [ "$v" = - ] || [ "${prev[$i]:--}" = - ]; then
            [ "$p" = "${PHASES[0]}" ] && [ "$v" != - ] && d=$(m "$v") || d=-
        else
            d=$(m $((v - prev[i])))
        fi
        printf ' %16s' "$d"
        prev[$i]=$v
        i=$((i + 1))
    done
    echo
done
echo
echo "=== ratios (host instructions; >1 means the first is faster)"
val() {  # label field(2 decomp, 3 shell, 4 work)
    awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$OUT/results"
}
ratio() {
    local a b
    a=$(val "$1" "$3") b=$(val "$2" "$3")
    case "$a$b" in *-*|'') echo - ;; *) awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", b / a }' ;; esac
}
for host in $HOSTS; do
    if [[ " $MODES " == *" hamt "* && " $MODES " == *" softmmu "* ]]; then
        echo "$host hamt vs softmmu: workload $(ratio "$host-hamt" "$host-softmmu" 4)," \
             "shell $(ratio "$host-hamt" "$host-softmmu" 3)," \
             "decompressor $(ratio "$host-hamt" "$host-softmmu" 2)"
    fi
    if [ "$PEER" = 1 ] && [ "$host" = mips64el ]; then
        for mode in $MODES; do
            echo "$host-$mode vs QEMU's mips64el peer: shell $(ratio "$host-$mode" qemu-peer 3)," \
                 "workload $(ratio "$host-$mode" qemu-peer 4)," \
                 "decompressor $(ratio "$host-$mode" qemu-peer 2)"
        done
    fi
done
if [ "$WALL" = 1 ]; then
    echo
    peer=()
    [ "$PEER" = 0 ] || peer=(-p)
    "$ROOT/tests/linux/demo.sh" -b "$BUILD" -H "$HOSTS" -M "$MODES" "${peer[@]}"
fi
