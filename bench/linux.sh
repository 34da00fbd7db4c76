#!/usr/bin/env bash
# bench/linux.sh: Debian 12's i386 Linux on hamt86 (HAMT vs softmmu, every
# JIT host) and on QEMU 7.2's own mips64el qemu-system-i386 under
# qemu-mips64el (bench/qemu-peer.sh), side by side in one run.
#
# usage: bench/linux.sh [-H HOSTS] [-r RUNS] [-n] [-t TIMEOUT]
#   -H HOSTS  default: mips64el loongarch64 (the JIT hosts)
#   -r RUNS   boots per configuration, the fastest kept (default 1)
#   -n        no QEMU peer
# Two parts:
#   decompressor  time from start to the kernel's first console line
#                 ("Linux version", printed by earlyprintk=serial right
#                 after the decompressor and the earliest setup): the
#                 kernel's own decompressor, heavy integer code run once,
#                 is a translator benchmark; the run is stopped there
#   workload      tests/linux/demo.sh: time to the shell, the workload,
#                 engine time and --stats counters, output checked
# Wall times on a shared machine: compare ratios within one run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HOSTS="mips64el loongarch64"
RUNS=1
PEER=1
T=3600
while getopts "H:r:nt:" o; do
    case $o in
    H) HOSTS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    n) PEER=0 ;;
    t) T=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
    esac
done
. "$ROOT/tests/linux/linux.sh"
OUT=$BUILD/linux/bench
mkdir -p "$OUT"
[ -f "$LINUX_KERNEL" ] || { echo "bench/linux.sh: $LINUX_KERNEL missing (cross/setup)" >&2; exit 2; }
"$ROOT/tests/linux/mkinitrd.sh" "$BUILD/linux/initrd.cpio" >/dev/null || exit 1

# Seconds from start until the first "Linux version" line; the run is
# killed there.  Prints "-" if it never comes.
decomp() {
    local t0 line
    t0=$EPOCHREALTIME
    coproc DEC { "$@" -m 128 -nographic -no-reboot -kernel "$LINUX_KERNEL" \
                 -initrd "$BUILD/linux/initrd.cpio" \
                 -append "$LINUX_APPEND earlyprintk=serial,ttyS0" </dev/null 2>&1; }
    local pid=$DEC_PID res=-
    while IFS= read -r -t "$T" line <&"${DEC[0]}"; do
        case $line in
        *"Linux version"*) res=$(echo "$EPOCHREALTIME - $t0" | bc); break ;;
        esac
    done
    pkill -TERM -P "$pid" 2>/dev/null
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    echo "$res"
}

rows=()
best() {  # label cmd...
    local label=$1 b="" r i
    shift
    for ((i = 1; i <= RUNS; i++)); do
        r=$(decomp "$@")
        echo "--- decompressor $label run $i: $r s"
        if [ "$r" != - ] && { [ -z "$b" ] || [ "$(echo "$r < $b" | bc)" = 1 ]; }; then
            b=$r
        fi
    done
    rows+=("$(printf '%-22s %s' "$label" "${b:--}")")
}
for host in $HOSTS; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || continue
    for mode in hamt softmmu; do
        best "$host-$mode" "qemu-$host" "$bin" --mmu=$mode
    done
done
[ "$PEER" = 0 ] || best qemu-mips64el-tcg "$ROOT/bench/qemu-peer.sh"

echo
echo "=== decompressor + earliest boot: start to the first console line (wall s, best of $RUNS)"
for r in "${rows[@]}"; do
    echo "$r"
done
echo
peer=()
[ "$PEER" = 0 ] || peer=(-p)
"$ROOT/tests/linux/demo.sh" -b "$BUILD" -H "$HOSTS" -M "hamt softmmu" -r "$RUNS" \
    -t "$T" "${peer[@]}"
