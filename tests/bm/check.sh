#!/usr/bin/env bash
# tests/bm/check.sh: the bare-metal LoongArch64 build (build/loongarch64-bm,
# cross/run-bm) in make check.
#   1. self-tests of the host TLB mapper on the board (--bm-test=tlb:
#      fills read back with tlbsrch/tlbrd; stress: random map/unmap/protect
#      with loads and stores against a software model, 2x the STLB)
#   2. bad input: no boot block, missing / corrupt / too big guest image,
#      an unexpected host exception (register dump, exit 3)
#   3. the guest kernel suite (tests/guest/run.sh) under softmmu and hamt,
#      compared with qemu-system-i386 like the Linux builds
#      (BM_GUEST_KERNELS=k1,k2 limits it; BM_GUEST=0 skips it)
# Skipped (0 passed, 0 failed) without qemu-system-loongarch64 or the
# LoongArch toolchain.  Last line "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-$ROOT/build}
DIR=$BUILD/loongarch64-bm
ELF=$DIR/hamt86.elf
RUN=(cross/run-bm loongarch64)
export HAMT86_BM_ELF=$ELF
OUT=$BUILD/bm-check
mkdir -p "$OUT"
T=${BM_TIMEOUT:-300}

if ! command -v qemu-system-loongarch64 >/dev/null ||
   [ ! -x /opt/hamt86-deps/binutils-la/bin/loongarch64-linux-gnu-ld ]; then
    echo "bm: qemu-system-loongarch64 or the LoongArch toolchain missing, skipped"
    echo "0 passed, 0 failed"
    exit 0
fi
[ -f "$DIR/build.ninja" ] || make -s loongarch64-bm >/dev/null
if ! ninja -C "$DIR" >"$OUT/build.log" 2>&1; then
    tail -20 "$OUT/build.log"
    echo "not ok bm build"
    echo "0 passed, 1 failed"
    exit 1
fi

pass=0
fail=0
report() {  # ok|fail name detail
    if [ "$1" = ok ]; then
        pass=$((pass + 1)); echo "ok $2"
    else
        fail=$((fail + 1)); echo "not ok $2${3:+ # $3}"
    fi
}

# expect NAME STATUS STDERR-REGEX -- run-bm arguments
expect() {
    local name=$1 want=$2 re=$3 rc
    shift 4
    timeout "$T" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null
    rc=$?
    if [ "$rc" != "$want" ]; then
        report fail "bm $name" "exit status $rc, expected $want (see $OUT/$name.err)"
    elif [ -n "$re" ] && ! grep -qE "$re" "$OUT/$name.err"; then
        report fail "bm $name" "stderr lacks /$re/: $(head -c 200 "$OUT/$name.err")"
    else
        report ok "bm $name"
    fi
}

# 1. self-tests (PASS line on stdout, status 0)
for t in tlb stress; do
    expect "selftest-$t" 0 "" -- "${RUN[@]}" --bm-test=$t
    grep -q "^PASS bm-test $t" "$OUT/selftest-$t.out" ||
        report fail "bm selftest-$t output" "$(grep -m1 FAIL "$OUT/selftest-$t.out")"
done

# 2. bad input
hello=$BUILD/guest/hello.elf
[ -f "$hello" ] || make -s guest >/dev/null
expect no-bootblock 2 "no boot block at physical 0x90000000" -- \
    "$(command -v /usr/bin/python3 || command -v python3)" cross/bm-console.py \
    qemu-system-loongarch64 -M virt -m 1G -display none -monitor none \
    -serial stdio -no-reboot -kernel "$ELF"
expect missing-kernel 1 "cannot read: .*No such file" -- \
    "${RUN[@]}" --kernel "$OUT/does-not-exist.elf"
HAMT86_BM_CORRUPT_AT=100 expect corrupt-kernel 2 "guest image corrupt" -- \
    "${RUN[@]}" --kernel "$hello"
truncate -s 300M "$OUT/huge.elf"
expect too-big-kernel 1 "too big for the board" -- "${RUN[@]}" --kernel "$OUT/huge.elf"
rm -f "$OUT/huge.elf"
head -c 4096 /dev/urandom >"$OUT/garbage.elf"
expect garbage-kernel 1 "garbage.elf: " -- "${RUN[@]}" --kernel "$OUT/garbage.elf"
expect bad-option 1 "" -- "${RUN[@]}" --no-such-option --kernel "$hello"
expect host-crash 3 "unexpected host exception: page invalid \(load\).*badv 0x10" -- \
    "${RUN[@]}" --bm-test=crash
grep -q "guest EIP" "$OUT/host-crash.err" && grep -q "r31 " "$OUT/host-crash.err" ||
    report fail "bm host-crash dump" "no register dump / guest EIP line"

# 3. the guest suite on the board, both memory paths
if [ "${BM_GUEST:-1}" != 0 ]; then
    [ -n "$(ls "$BUILD"/guest/*.elf 2>/dev/null)" ] || make -s guest >/dev/null
    k=()
    [ -n "${BM_GUEST_KERNELS:-}" ] && k=(-k "$BM_GUEST_KERNELS")
    EMU_TIMEOUT=${EMU_TIMEOUT:-300} tests/guest/run.sh -b "$BUILD" "${k[@]}" \
        -m "softmmu hamt" bm-la64="cross/run-bm loongarch64" >"$OUT/guest.log" 2>&1
    grep -E '^(ok|not ok)' "$OUT/guest.log"
    line=$(tail -n1 "$OUT/guest.log")
    case $line in
    *" passed, "*" failed")
        p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
        pass=$((pass + p)); fail=$((fail + f)) ;;
    *) report fail "bm guest suite" "$line" ;;
    esac
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
