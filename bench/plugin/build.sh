#!/usr/bin/env bash
# bench/plugin/build.sh: build the TCG plugins bench/plugin/*.c (for the
# installed qemu-user / qemu-system 7.2) against QEMU's own plugin API
# header, which cross/setup fetches from Debian's qemu source package
# (cross/get-qemu-plugin-header.sh) into
#   $HAMT86_DEPS/qemu-plugin/include/qemu-plugin.h
#
# usage: bench/plugin/build.sh [OUTDIR]    (default: build/plugin)
# Builds OUTDIR/<name>.so for every bench/plugin/<name>.c that is missing
# or older than its source or the header, then prints OUTDIR.  Without the
# header it says how to get it and exits 1: the bench scripts (count.sh,
# fp.sh, peer.sh, ...) stop there rather than count with anything else.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/plugin}
DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
INC=$DEPS/qemu-plugin/include
if [ ! -f "$INC/qemu-plugin.h" ]; then
    echo "bench/plugin/build.sh: no QEMU plugin header $INC/qemu-plugin.h;" \
         "run cross/setup (or just cross/get-qemu-plugin-header.sh)" >&2
    exit 1
fi
mkdir -p "$OUT"
for src in "$ROOT"/bench/plugin/*.c; do
    so=$OUT/$(basename "$src" .c).so
    if [ ! -f "$so" ] || [ "$src" -nt "$so" ] || [ "$INC/qemu-plugin.h" -nt "$so" ]; then
        gcc -O2 -Wall -Wextra -std=gnu11 -shared -fPIC -I"$INC" \
            -o "$so.tmp" "$src" >&2
        mv "$so.tmp" "$so"
    fi
done
echo "$OUT"
