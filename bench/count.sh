#!/usr/bin/env bash
# bench/count.sh: exact host-instruction counts of one hamt86 run under
# qemu-user, by the TCG plugin bench/plugin/range-insns.c (issue 14).
#
# usage: bench/count.sh QEMU BINARY [HAMT86 ARGS...]
#   e.g. bench/count.sh qemu-mips64el build/mips64el/hamt86 --icount=10 \
#            -kernel build/bench/coremark.elf
#
# Prints the guest's output, then the plugin's lines (range-insns.c):
#   range-insns: total N syscalls N        every instruction hamt86 ran
#   range-insns: c N generated N other N (c share P%)
#       split: BINARY's .text, the code cache (its RWX mapping), the rest
#   range-insns: loads N stores N syscalls N
#   range-insns: CLASS insns N loads N stores N syscalls N  (per class)
# Host-kernel work (signal delivery for HAMT faults, mmap) is in no count:
# run with --stats for the host fault and syscall counts beside them.
# The plugins are built by bench/plugin/build.sh into build/plugin/,
# against QEMU's qemu-plugin.h that cross/setup fetches from Debian's
# qemu source.  Environment: PLUGIN_ARGS adds plugin arguments
# (e.g. ",arg=NAME:ENTRY:EXIT").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,22p' "$0"; exit 2; }
QEMU=$1
BIN=$2
shift 2
PLUGDIR=$("$ROOT/bench/plugin/build.sh") || exit 1
SO=$PLUGDIR/range-insns.so
# .text: name addr off size
read -r lo size < <(readelf -SW "$BIN" | awk '$2 == ".text" { print $4, $6 } $3 == ".text" { print $5, $7 }')
[ -n "${lo:-}" ] || { echo "count.sh: no .text section in $BIN" >&2; exit 1; }
hi=$(printf '%x' $((0x$lo + 0x$size)))
exec $QEMU -d plugin -plugin "$SO,arg=text:$lo:$hi${PLUGIN_ARGS:-}" "$BIN" "$@"
