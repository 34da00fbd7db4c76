#!/usr/bin/env bash
# tests/linux/record.sh: record the Linux workload's reference output
# (tests/linux/workload.expected) with qemu-system-i386, the reference
# emulator, booting the same images with the same command line as
# check.sh:
#   qemu-system-i386 -M isapc -cpu pentium2 -m 128 -nographic -no-reboot
#       -kernel vmlinuz -initrd initrd.cpio -append "$LINUX_APPEND
#       hamt86=workload"
# The whole console log goes to build/linux/qemu-workload.log; only the
# "HAMT86-LX" lines are kept (the kernel's own log depends on timing).
# Fails unless QEMU ends with status 0 (reboot -f with -no-reboot).
#
# usage: tests/linux/record.sh [-b BUILD]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build
[ "${1:-}" != -b ] || BUILD=$2
OUT=$BUILD/linux
mkdir -p "$OUT"
. "$HERE/linux.sh"
"$HERE/mkinitrd.sh" "$OUT/initrd.cpio"
log=$OUT/qemu-workload.log
rc=0
linux_run 600 "$OUT/initrd.cpio" workload \
    qemu-system-i386 -M isapc -cpu pentium2 </dev/null >"$log" 2>&1 || rc=$?
if [ $rc != 0 ]; then
    tail -n 20 "$log"
    echo "record.sh: qemu-system-i386 exited with status $rc (expected 0)" >&2
    exit 1
fi
linux_markers <"$log" >"$HERE/workload.expected"
grep -q '^HAMT86-LX done$' "$HERE/workload.expected" ||
    { echo "record.sh: no 'HAMT86-LX done' line in $log" >&2; exit 1; }
echo "record.sh: $(wc -l <"$HERE/workload.expected") lines in tests/linux/workload.expected"
