#!/usr/bin/env bash
# tests/guest/demo.sh: the main job (`make demo`).
#
# Boots the demo guest (CRC32, sort, string search, sieve, hashing) on the
# reference (qemu-system-i386) and on every built hamt86 host, once under
# each memory path `hamt86 --list-mmu` offers (hamt and softmmu), with
# --stats.  Every run's PASS/FAIL/INFO/DONE lines must equal the
# reference's.  Ends with a comparison table: per host, the engine time of
# each memory path (from --stats), the hamt/softmmu speed ratio and the key
# memory-path counters.  Exit status 0 only if every run matched.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
K=${1:-$BUILD/guest/demo.elf}
OUT=$BUILD/demo
mkdir -p "$OUT"

filter() {
    tr -d '\r' | grep -aoE '(PASS|FAIL|INFO|DONE)( .*)?$' || true
}

[ -f "$K" ] || { echo "demo: kernel $K not found (run 'make guest')" >&2; exit 1; }

echo "=== reference: qemu-system-i386 -M isapc -cpu pentium2 -m 64 -kernel $K"
timeout 120 qemu-system-i386 -M isapc -cpu pentium2 -m 64 -nographic -no-reboot \
    -monitor none -device isa-debug-exit,iobase=0xf4 -kernel "$K" </dev/null \
    | filter >"$OUT/ref.out"
cat "$OUT/ref.out"

status=0
rows=()
for host in native mips64el loongarch64; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || { [ "$host" = loongarch64 ] || echo "=== $host: $bin not built"; continue; }
    case $host in
    native) cmd=("$bin") ;;
    mips64el) cmd=(qemu-mips64el "$bin") ;;
    loongarch64) cmd=(qemu-loongarch64 "$bin") ;;
    esac
    modes=$("${cmd[@]}" --list-mmu 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
    [ -n "${modes// /}" ] || modes=default
    declare -A ms=()
    for mode in $modes; do
        mflag=()
        [ "$mode" = default ] || mflag=(--mmu="$mode")
        echo
        echo "=== $host $mode: ${cmd[*]} -m 64 ${mflag[*]} --stats --kernel $K"
        start=$(date +%s%N)
        "${cmd[@]}" -m 64 "${mflag[@]}" --stats --kernel "$K" </dev/null \
            >"$OUT/$host.$mode.out" 2>"$OUT/$host.$mode.err"
        rc=$?
        end=$(date +%s%N)
        cat "$OUT/$host.$mode.out" "$OUT/$host.$mode.err"
        wall=$(( (end - start) / 1000000 ))
        eng=$(sed -n 's/.*time translating .* ms of \([0-9]*\) ms.*/\1/p' "$OUT/$host.$mode.err" | tail -n1)
        ms[$mode]=${eng:-$wall}
        if filter <"$OUT/$host.$mode.out" | cmp -s - "$OUT/ref.out" && [ "$rc" = 1 ]; then
            verdict=same
        else
            verdict=DIFFERENT
            status=1
        fi
        fills=$(awk '/^  (TLB fills|fills) /{print $NF}' "$OUT/$host.$mode.err" | paste -sd/ -)
        faults=$(awk '/^  host faults /{print $NF}' "$OUT/$host.$mode.err")
        rows+=("$(printf '%-12s %-8s %10s %10s %-10s %s' "$host" "$mode" \
            "${ms[$mode]}" "$wall" "$verdict" "fills=${fills:-0} host-faults=${faults:--}")")
    done
    if [ -n "${ms[hamt]:-}" ] && [ -n "${ms[softmmu]:-}" ] && [ "${ms[hamt]}" -gt 0 ]; then
        rows+=("$(printf '%-12s %-8s %s' "$host" "ratio" \
            "softmmu/hamt engine time = $(echo "scale=2; ${ms[softmmu]} / ${ms[hamt]}" | bc)")")
    fi
    unset ms
done

echo
echo "=== comparison (engine ms from --stats; wall ms includes host start-up;"
echo "    output compared with qemu-system-i386)"
printf '%-12s %-8s %10s %10s %-10s %s\n' host mmu engine-ms wall-ms output counters
for r in "${rows[@]}"; do
    echo "$r"
done
exit $status
