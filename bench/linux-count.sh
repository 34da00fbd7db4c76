#!/usr/bin/env bash
# bench/linux-count.sh: one Linux workload boot under qemu-user with the
# range-insns TCG plugin (bench/plugin/range-insns.c): exact host
# instructions from start to the kernel's first console line ("Linux
# version", printed by earlyprintk right after the decompressor), to the
# shell ("HAMT86-LX init") and to the workload's end ("HAMT86-LX done"),
# plus the host system calls, CPU seconds and --stats.  The counts do not
# depend on the machine's load; hamt86 runs with --icount (deterministic
# guest time, so the same guest work on every run).
#
# usage: bench/linux-count.sh [-b BUILD] [-i SHIFT] LABEL HOST [MODE]
#   HOST mips64el or loongarch64: hamt86 build/HOST/hamt86 --mmu=MODE
#   HOST peer: QEMU 7.2's own mips64el qemu-system-i386 (bench/qemu-peer.sh;
#              no icount, -cpu pentium2,-tsc)
#   -i SHIFT   hamt86's --icount (default 4: 16 ns per TB); -i off for none
# Prints one line:
#   LABEL decomp-insns shell-insns work-insns total-insns syscalls cpu-s verdict
# (work = done - shell; "-" for a marker never printed, e.g. when the run
# was stopped); also in BUILD/linux/count/LABEL.result, logs beside it.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
ICOUNT=4
T=${T:-7200}
while getopts "b:i:" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    i) ICOUNT=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n '2,20p' "$0"; exit 2; }
label=$1 host=$2 mode=${3:-hamt}
. "$ROOT/tests/linux/linux.sh"
OUT=$BUILD/linux/count
mkdir -p "$OUT"
PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin") || exit 1
PLUGIN=$PLUGDIR/range-insns.so
RD=$BUILD/linux/initrd.cpio
[ -f "$RD" ] || "$ROOT/tests/linux/mkinitrd.sh" "$RD" >/dev/null || exit 1
marks=$OUT/$label.marks
case $host in
mips64el | loongarch64)
    arch=mips64
    [ "$host" = mips64el ] || arch=loongarch64
    ic=()
    [ "$ICOUNT" = off ] || ic=(--icount="$ICOUNT")
    cmd=("qemu-$host" -d plugin -plugin "$PLUGIN,marks=$arch:$marks"
         "$BUILD/$host/hamt86" --mmu="$mode" --stats "${ic[@]}") ;;
peer)
    export PEER_USER_ARGS="-d plugin -plugin $PLUGIN,marks=mips64:$marks"
    cmd=("$ROOT/bench/qemu-peer.sh") ;;
*)  echo "linux-count: unknown host $host" >&2; exit 2 ;;
esac
log=$OUT/$label.out err=$OUT/$label.err
/usr/bin/time -f "%U %S" -o "$OUT/$label.time" timeout "$T" "${cmd[@]}" \
    -m 128 -nographic -no-reboot -kernel "$LINUX_KERNEL" -initrd "$RD" \
    -append "$LINUX_APPEND earlyprintk=serial,ttyS0 hamt86=workload" \
    </dev/null >"$log" 2>"$err"
rc=$?
# Instructions executed before the output reached the end of marker $1.
insns_at() {
    local off
    off=$(grep -abo -m1 "$1" "$log" | head -n1 | cut -d: -f1)
    [ -n "$off" ] || { echo -; return; }
    awk -v end=$((off + ${#1})) '$1 >= end { print $2; exit }' "$marks"
}
dec=$(insns_at "Linux version")
sh=$(insns_at "HAMT86-LX init")
dn=$(insns_at "HAMT86-LX done")
work=-
[ "$sh" = - ] || [ "$dn" = - ] || work=$((dn - sh))
total=$(awk '/range-insns: total/ { print $3 }' "$err")
sys=$(awk '/range-insns: total/ { print $5 }' "$err")
cpu=$(tail -n1 "$OUT/$label.time" | awk '{ printf "%.1f", $1 + $2 }')
if linux_markers <"$log" | cmp -s - "$ROOT/tests/linux/workload.expected" && [ "$rc" = 0 ]; then
    verdict=same
else
    verdict="DIFF(rc=$rc)"
fi
echo "$label $dec $sh $work ${total:--} ${sys:--} $cpu $verdict" | tee "$OUT/$label.result"
