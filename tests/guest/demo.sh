#!/usr/bin/env bash
# tests/guest/demo.sh: run the demo guest (CRC32, sort, string search) on
# every built hamt86 with --stats, once per MMU mode (`hamt86 --list-mmu`
# if the option exists, else the default mode), and on the reference.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
K=${1:-$BUILD/guest/demo.elf}

echo "=== reference: qemu-system-i386 -cpu pentium2"
timeout 60 qemu-system-i386 -M isapc -cpu pentium2 -m 64 -nographic -no-reboot \
    -monitor none -device isa-debug-exit,iobase=0xf4 -kernel "$K" </dev/null \
    | tr -d '\r' | grep -aoE '(PASS|FAIL|INFO|DONE)( .*)?$'

status=0
for host in native mips64el loongarch64; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || { [ "$host" = loongarch64 ] || echo "=== $host: $bin not built"; continue; }
    case $host in
    native) cmd=("$bin") ;;
    mips64el) cmd=(qemu-mips64el "$bin") ;;
    loongarch64) cmd=(qemu-loongarch64 "$bin") ;;
    esac
    modes=$("${cmd[@]}" --list-mmu 2>/dev/null | tr ',\n' '  ') || modes=""
    [ -n "${modes// /}" ] || modes=default
    for mode in $modes; do
        mflag=()
        [ "$mode" = default ] || mflag=(--mmu="$mode")
        echo "=== $host${mflag:+ ${mflag[*]}}: ${cmd[*]} -m 64 ${mflag[*]} --stats --kernel $K"
        start=$(date +%s.%N)
        "${cmd[@]}" -m 64 "${mflag[@]}" --stats --kernel "$K" </dev/null
        rc=$?
        end=$(date +%s.%N)
        echo "=== $host $mode: exit status $rc, wall $(echo "$end - $start" | bc) s"
        [ "$rc" = 1 ] || status=1
    done
done
exit $status
