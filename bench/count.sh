#!/usr/bin/env bash
# bench/count.sh: exact host-instruction counts of one hamt86 run under
# qemu-user, by the TCG plugin bench/plugin/range-insns.c (issue 14).
#
# usage: bench/count.sh QEMU BINARY [HAMT86 ARGS...]
#   e.g. bench/count.sh qemu-mips64el build/mips64el/hamt86 --icount=10 \
#            -kernel build/bench/coremark.elf
#
# Prints the guest's output, then the plugin's lines:
#   range-insns: total N                   every instruction hamt86 ran
#   range-insns: c N generated N (c share) split by BINARY's .text
#   range-insns: loads N stores N syscalls N
# Host-kernel work (signal delivery for HAMT faults, mmap) is in no count:
# run with --stats for the host fault and syscall counts beside them.
# The plugin is built on first use into build/plugin/ (gcc, no QEMU
# headers: the API declarations are in the source).  Environment:
# PLUGIN_ARGS adds plugin arguments (e.g. ",arg=NAME:ENTRY:EXIT").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,18p' "$0"; exit 2; }
QEMU=$1
BIN=$2
shift 2
SO=$ROOT/build/plugin/range-insns.so
SRC=$ROOT/bench/plugin/range-insns.c
if [ ! -f "$SO" ] || [ "$SRC" -nt "$SO" ]; then
    mkdir -p "$(dirname "$SO")"
    gcc -O2 -shared -fPIC -o "$SO" "$SRC"
fi
# .text: name addr off size
read -r lo size < <(readelf -SW "$BIN" | awk '$2 == ".text" { print $4, $6 } $3 == ".text" { print $5, $7 }')
[ -n "${lo:-}" ] || { echo "count.sh: no .text section in $BIN" >&2; exit 1; }
hi=$(printf '%x' $((0x$lo + 0x$size)))
exec $QEMU -d plugin -plugin "$SO,arg=text:$lo:$hi${PLUGIN_ARGS:-}" "$BIN" "$@"
