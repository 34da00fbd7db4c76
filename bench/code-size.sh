#!/usr/bin/env bash
# bench/code-size.sh: host code bytes per guest instruction of a JIT binary
# (the size side of a backend change; docs/BENCH.md "Code size").
#
# usage: bench/code-size.sh [-m "M1 M2"] [-k k1,k2] KERNEL_DIR BIN1 [BIN2...]
#   KERNEL_DIR  the bench kernels (BUILD/bench/*.elf, `make bench-kernels`)
#   BINn        "qemu-mips64el path/hamt86" or any command running hamt86
#   -m MODES    memory paths (default "hamt softmmu")
#   -k LIST     only these kernels (default: every *.elf)
#
# Each kernel runs once per binary and mode with -d out_asm and
# --hamt-adapt=off (no retranslation: the same TBs every run).  Counted from
# the log: guest instructions translated ("-- guest" lines) and host
# instructions emitted for them (everything but the shared prologue and the
# HAMT site tables), as bytes.  Prints one tab-separated line per kernel x
# mode: kernel, mode, then per binary "bytes/insn (fast-path bytes/insn)".
# If the first two binaries emit the same instruction sequence (mnemonics;
# operands may differ in helper addresses), the line ends with "same".
set -uo pipefail

MODES="hamt softmmu"
KERNELS=""
while getopts "m:k:" o; do
    case $o in
    m) MODES=$OPTARG ;;
    k) KERNELS=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n 2,17p "$0"; exit 2; }
KDIR=$1
shift
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# count LOG: "guest_insns host_bytes fast_bytes", and the code words to LOG.code
count() {
    awk -v code="$1.code" '
        /^-- prologue/ { skip = 1; next }
        /^-- guest/ { skip = 0; slow = 0; table = 0; g++; next }
        /^-- slow paths/ { slow = 1; next }
        /^-- HAMT site table/ { table = 1; next }
        /^IN:|^OUT:|^----------------/ { skip = 0; slow = 0; table = 0; next }
        /^  0x[0-9a-f]+:  [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
            if (skip || table) next
            n++; if (!slow) f++
            print $3 > code
        }
        END { printf "%d %d %d\n", g, 4 * n, 4 * f }' "$1"
}

for k in "$KDIR"/*.elf; do
    name=$(basename "$k" .elf)
    if [ -n "$KERNELS" ] && ! [[ ",$KERNELS," == *",$name,"* ]]; then
        continue
    fi
    for m in $MODES; do
        line="$name	$m"
        i=0
        for b in "$@"; do
            log=$TMP/$name.$m.$i
            $b --mmu="$m" --hamt-adapt=off -d out_asm -D "$log" --kernel "$k" \
                > /dev/null 2>&1 < /dev/null
            read -r g h f <<< "$(count "$log")"
            if [ "${g:-0}" -gt 0 ]; then
                line="$line	$(awk -v h="$h" -v f="$f" -v g="$g" \
                    'BEGIN { printf "%.2f (%.2f) %d insns", h / g, f / g, g }')"
            else
                line="$line	-"
            fi
            i=$((i + 1))
        done
        if [ $# -ge 2 ] && cmp -s "$TMP/$name.$m.0.code" "$TMP/$name.$m.1.code"; then
            line="$line	same"
        fi
        echo "$line"
    done
done
