#!/usr/bin/env bash
# bench/linux-bm.sh: Debian 12's i386 Linux on the bare-metal builds
# (cross/run-bm: build/loongarch64-bm on qemu-system-loongarch64 -M virt,
# build/mips64el-bm on qemu-system-mips64el -M malta), with the images and
# command line of tests/linux (linux.sh: -m 128, LINUX_APPEND).
#
# usage: bench/linux-bm.sh [-B BOARDS] [-M MODES] [-w boot|workload] [-c]
#                          [-i SHIFT] [-t TIMEOUT]
#   -B BOARDS  default: loongarch64 mips64el
#   -M MODES   default: hamt softmmu
#   -w         boot (default): /init reboots right after its "HAMT86-LX
#              init" line (hamt86=boot), so a run costs the boot to the
#              shell; workload: the whole tests/linux workload, whose
#              HAMT86-LX lines are compared with workload.expected
#   -c         count host instructions: the range-insns TCG plugin
#              (bench/plugin) in qemu-system, exact whatever the load
#              (about 2-4x the wall time)
#   -i SHIFT   hamt86 --icount (default 4, as bench/linux.sh: the same
#              guest work on every run); "off": the stable-counter clock
#   -t TIMEOUT seconds per run (default 7200)
# The runs go one after the other.  Per run: exit status, wall seconds to
# "HAMT86-LX init" and to the end (qemu-system wall time says little about
# a board: QEMU emulates the host TLB in software), guest seconds at init
# (/proc/uptime), the host instructions of the whole run with -c, and the
# --stats guest time.  Logs in build/bm-linux/.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-$ROOT/build}
BOARDS="loongarch64 mips64el"
MODES="hamt softmmu"
WHAT=boot
COUNT=0
ICOUNT=4
T=7200
while getopts "B:M:w:ci:t:" o; do
    case $o in
    B) BOARDS=$OPTARG ;;
    M) MODES=$OPTARG ;;
    w) WHAT=$OPTARG ;;
    c) COUNT=1 ;;
    i) ICOUNT=$OPTARG ;;
    t) T=$OPTARG ;;
    *) sed -n '2,27p' "$0"; exit 2 ;;
    esac
done
. tests/linux/linux.sh
OUT=$BUILD/bm-linux
mkdir -p "$OUT"
[ -f "$LINUX_KERNEL" ] || { echo "no $LINUX_KERNEL (cross/setup)" >&2; exit 1; }
tests/linux/mkinitrd.sh "$OUT/initrd.cpio" >"$OUT/mkinitrd.log" 2>&1 ||
    { cat "$OUT/mkinitrd.log"; exit 1; }
PLUG=()
if [ $COUNT = 1 ]; then
    PLUGDIR=$(bench/plugin/build.sh "$BUILD/plugin") || exit 1
    PLUG=(env "HAMT86_BM_QEMU=-d plugin -plugin $PLUGDIR/range-insns.so")
fi
IC=()
[ "$ICOUNT" = off ] || IC=(--icount="$ICOUNT")
PY=$(command -v /usr/bin/python3 || command -v python3)

printf '%-12s %-8s %6s %10s %10s %10s %16s %10s\n' board mmu status \
    "init wall" "end wall" "init guest" "host insns" "guest time"
for B in $BOARDS; do
    for M in $MODES; do
        log=$OUT/$B-$M-$WHAT
        # stdout stamped with the wall seconds since the start
        "${PLUG[@]}" timeout "$T" cross/run-bm "$B" --mmu="$M" --stats "${IC[@]}" \
            -m 128 -nographic -no-reboot -kernel "$LINUX_KERNEL" \
            -initrd "$OUT/initrd.cpio" -append "$LINUX_APPEND hamt86=$WHAT" \
            2>"$log.err" </dev/null |
            "$PY" -u -c 'import sys, time
t0 = time.time()
for l in sys.stdin.buffer:
    sys.stdout.buffer.write(b"%9.1f " % (time.time() - t0) + l)' >"$log.out"
        rc=${PIPESTATUS[0]}
        iw=$(awk '$2 == "HAMT86-LX" && $3 == "init" {print $1; exit}' "$log.out")
        ew=$(tail -n1 "$log.out" | awk '{print $1}')
        ig=$(awk '$2 == "HAMT86-T" && $3 == "init" {print $4; exit}' "$log.out")
        ins=$(awk '/range-insns: total/ {print $3}' "$log.err")
        gt=$(awk '/^  guest time/ {print $3, $4}' "$log.err")
        if [ "$WHAT" = workload ] && ! diff <(cut -c11- "$log.out" | linux_markers) \
                tests/linux/workload.expected >"$log.diff"; then
            rc="$rc(diff)"
        fi
        printf '%-12s %-8s %6s %10s %10s %10s %16s %10s\n' "$B" "$M" "$rc" \
            "${iw:--}" "${ew:--}" "${ig:--}" "${ins:--}" "${gt:--}"
    done
done
