#!/usr/bin/env bash
# tests/linux/demo.sh: boot Debian's i386 Linux and run the workload under
# every memory path on every built host, with --stats, and print the
# comparison table in wall time (`make demo` runs it after the guest demo;
# bench/linux.sh counts host instructions instead, and runs this with -w).
#
# usage: tests/linux/demo.sh [-b BUILD] [-H HOSTS] [-M MODES] [-r RUNS]
#                            [-p] [-t TIMEOUT]
#   -H HOSTS   default: native mips64el loongarch64 (those built)
#   -M MODES   default: hamt softmmu
#   -r RUNS    boots per host and mode; the table keeps the fastest (1)
#   -p         also time QEMU 7.2's own mips64el qemu-system-i386 under
#              qemu-mips64el (bench/qemu-peer.sh sets it up) and the x86_64
#              qemu-system-i386, same images, same command line
# Columns: time to the shell (start to "HAMT86-LX init", wall s), the
# workload (init to "HAMT86-LX done", wall s), engine time (--stats, ms),
# fills (HAMT's, else the softmmu TLB's), host faults, TLB misses (data;
# --stats), and whether the
# "HAMT86-LX" lines equal tests/linux/workload.expected.  Logs in
# BUILD/linux/demo/.  Exit status 1 if any run differed or failed, 2 if the
# images are missing (cross/setup).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HOSTS="native mips64el loongarch64"
MODES="hamt softmmu"
RUNS=1
PEER=0
T=1800
while getopts "b:H:M:r:pt:" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    H) HOSTS=$OPTARG ;;
    M) MODES=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    p) PEER=1 ;;
    t) T=$OPTARG ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
    esac
done
. "$HERE/linux.sh"
OUT=$BUILD/linux/demo
mkdir -p "$OUT"
if [ ! -f "$LINUX_KERNEL" ] || [ ! -f "$LINUX_BUSYBOX" ]; then
    echo "linux demo: $LINUX_KERNEL or $LINUX_BUSYBOX missing (run cross/setup)" >&2
    exit 2
fi
"$HERE/mkinitrd.sh" "$BUILD/linux/initrd.cpio" >/dev/null || exit 1
RD=$BUILD/linux/initrd.cpio

# Prefix every line of stdin with the host's wall clock (no subprocess per
# line: the stamp is taken when the line arrives).
stamp() {
    local line
    while IFS= read -r line; do
        printf '%s %s\n' "$EPOCHREALTIME" "$line"
    done
}

# Seconds from $3 to the first stamped line matching ERE $2 in file $1.
at() {
    tr -d '\r' <"$1" |
        awk -v re="$2" -v t0="$3" '$0 ~ re { printf "%.2f\n", $1 - t0; exit }'
}

# One --stats counter: the first number after the label (ERE $2); "-"
# when the run does not print it (softmmu has no host faults).
stat() {
    local v
    v=$(awk -v re="$2" '$0 ~ re { sub(re, ""); print $1; exit }' "$1")
    echo "${v:--}"
}

# Boot once: LABEL then the emulator command; sets a row in ROWS.
status=0
ROWS=()
boot() {
    local label=$1 best="" i log err rc t0 tinit tdone verdict eng
    shift
    for ((i = 1; i <= RUNS; i++)); do
        log=$OUT/$label.$i.log
        err=$OUT/$label.$i.err
        t0=$EPOCHREALTIME
        linux_run "$T" "$RD" workload "$@" </dev/null 2>"$err" |
            stamp >"$log"
        rc=${PIPESTATUS[0]}
        tinit=$(at "$log" ' HAMT86-LX init' "$t0")
        tdone=$(at "$log" ' HAMT86-LX done' "$t0")
        if cut -d' ' -f2- "$log" | linux_markers | cmp -s - "$HERE/workload.expected" &&
                [ "$rc" = 0 ]; then
            verdict=same
        else
            verdict="DIFF(rc=$rc)"
            status=1
        fi
        if [ -n "$tdone" ] && { [ -z "$best" ] || [ "$(echo "$tdone < $best" | bc)" = 1 ]; }; then
            best=$tdone
            eng=$(sed -n 's/.*time translating .* ms of \([0-9]*\) ms.*/\1/p' "$err" | tail -n1)
            ROWS_BEST="$(printf '%-22s %8s %8s %9s %10s %10s %10s %s' "$label" \
                "$tinit" "$(awk -v a="$tdone" -v b="$tinit" 'BEGIN { printf "%.2f", a - b }')" "${eng:--}" \
                "$(f=$(stat "$err" '^  fills +'); [ "$f" != - ] || f=$(stat "$err" '^  TLB fills +'); echo "$f")" \
                "$(stat "$err" '^  host faults +')" \
                "$(stat "$err" '^  TLB misses \\(data\\) +')" "$verdict")"
        elif [ -z "$best" ]; then
            ROWS_BEST="$(printf '%-22s %8s %8s %9s %10s %10s %10s %s' "$label" \
                "${tinit:--}" - - - - - "$verdict (no 'done' line; $log)")"
        fi
        echo "--- $label run $i: shell ${tinit:--} s, done ${tdone:--} s, $verdict"
    done
    ROWS+=("$ROWS_BEST")
}

for host in $HOSTS; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || continue
    case $host in
    native) cmd=("$bin") ;;
    *) cmd=("qemu-$host" "$bin") ;;
    esac
    for mode in $MODES; do
        boot "$host-$mode" "${cmd[@]}" --mmu="$mode" --stats
    done
done
if [ "$PEER" = 1 ]; then
    boot "qemu-x86_64-tcg" qemu-system-i386 -M isapc -cpu pentium2
    if [ -x "$ROOT/bench/qemu-peer.sh" ]; then
        boot "qemu-mips64el-tcg" "$ROOT/bench/qemu-peer.sh"
    fi
fi

echo
echo "=== Linux: Debian 12 $(cat "$(dirname "$LINUX_KERNEL")/kernel-package" 2>/dev/null) + busybox, -m 128, workload (best of $RUNS)"
printf '%-22s %8s %8s %9s %10s %10s %10s %s\n' run shell-s work-s engine-ms \
    fills host-faults tlb-misses output
for r in "${ROWS[@]}"; do
    echo "$r"
done
exit $status
