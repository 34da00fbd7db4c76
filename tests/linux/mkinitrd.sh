#!/usr/bin/env bash
# tests/linux/mkinitrd.sh: build the Linux test initramfs (a newc cpio,
# uncompressed) from Debian's busybox-static (cross/setup puts it in
# $HAMT86_DEPS/linux-i386), the /init script tests/linux/init and the
# static test program tests/linux/mapper.c.
#
# usage: tests/linux/mkinitrd.sh [OUT]   (default build/linux/initrd.cpio)
# Exits 1 with a message when busybox is missing (run cross/setup).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
OUT=${1:-$ROOT/build/linux/initrd.cpio}
BB=$DEPS/linux-i386/busybox
[ -f "$BB" ] || { echo "mkinitrd.sh: $BB missing (run cross/setup)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clang-16 --target=i686-linux-gnu -march=pentiumpro -O2 -ffreestanding \
    -fno-pic -fno-stack-protector -nostdlib -static -fuse-ld=lld \
    -o "$tmp/mapper" "$HERE/mapper.c"

# the applets: busybox's own list where qemu-i386 can run it, else the ones
# the init script and an interactive session need
applets=$(qemu-i386 "$BB" --list 2>/dev/null || true)
[ -n "$applets" ] || applets="sh ash mount cat cut echo true false seq awk wc
 yes head tail grep sed tr sort md5sum dd rm setsid cttyhack reboot poweroff
 ls ps uname mkdir sleep date env test [ printf expr dmesg free uptime"
entries=(dir:bin dir:sbin dir:dev dir:proc dir:sys dir:tmp dir:root
         char:dev/console:5:1 char:dev/ttyS0:4:64 char:dev/null:1:3
         file:bin/busybox:"$BB" file:init:"$HERE/init"
         file:bin/mapper:"$tmp/mapper")
for a in $applets; do
    [ "$a" = busybox ] || entries+=("link:bin/$a:busybox")
done
python3 "$HERE/mkinitrd.py" "$OUT.tmp" "${entries[@]}"
mv "$OUT.tmp" "$OUT"
echo "mkinitrd.sh: $OUT ($(wc -c <"$OUT") bytes)"
