#!/usr/bin/env bash
# bench/bm-profile.sh: a flat profile, host instructions per hamt86
# function, of one bare-metal run (bench/plugin/hot-pcs.c under
# qemu-system-*): where a kernel's host instructions go, e.g. to compare
# --mmu=hamt with --mmu=softmmu.  Code outside hamt86's symbols (the code
# cache, the refill vector run at its physical address) is "[other]".
#
# usage: bench/bm-profile.sh [-b BUILD] [-n TOP] loongarch64|mips64el \
#        [hamt86 options...] --kernel FILE
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
TOP=25
while [ $# -gt 0 ]; do
    case $1 in
    -b) BUILD=$2; shift 2 ;;
    -n) TOP=$2; shift 2 ;;
    *) break ;;
    esac
done
arch=$1
shift
PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin") || exit 1
ELF=$BUILD/$arch-bm/hamt86.elf
case $arch in
loongarch64) NM=/opt/hamt86-deps/binutils-la/bin/loongarch64-linux-gnu-nm ;;
*) NM=mips64el-linux-gnuabi64-nm ;;
esac
hist=$(mktemp)
syms=$(mktemp)
trap 'rm -f "$hist" "$syms"' EXIT
HAMT86_BM_QEMU="-d plugin -plugin $PLUGDIR/hot-pcs.so,top=10000000" \
    "$ROOT/cross/run-bm" "$arch" "$@" 2>&1 >/dev/null |
    awk '$1 == "hot-pcs:" && $2 != "total" {
        pc = $2; sub("^0x", "", pc); while (length(pc) < 16) pc = "0" pc
        print pc, $3 }' >"$hist" || true
"$NM" -n -S "$ELF" | awk 'NF == 4 && $3 ~ /^[tT]$/ {print $1, $2, $4}' >"$syms"
# fold block starts into the function holding them (both sorted); the
# rest (code cache, vectors run at physical addresses) is "[other]"
sort "$hist" | awk -v top="$TOP" '
    function hex(x,  i, v) {
        v = 0
        for (i = 1; i <= length(x); i++)
            v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
        return v
    }
    NR == FNR { a[n] = $1; z[n] = hex($2); s[n++] = $3; next }
    {
        pc = $1
        while (j + 1 < n && a[j + 1] <= pc) j++
        f = (n && a[j] <= pc && substr(pc, 1, 8) == substr(a[j], 1, 8) &&
             hex(substr(pc, 9)) < hex(substr(a[j], 9)) + z[j]) ? s[j] : "[other]"
        c[f] += $2; t += $2
    }
    END {
        for (f in c) printf "%14.0f %6.2f%% %s\n", c[f], 100 * c[f] / t, f
        printf "%14.0f total\n", t > "/dev/stderr"
    }' "$syms" - | sort -rn | head -n "$TOP"
