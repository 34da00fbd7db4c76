#!/usr/bin/env bash
# tests/run-all.sh: the `make check` driver.
#
# For each build directory (build/native, build/mips64el, build/loongarch64
# if configured): `meson test`, then the guest kernel suite on its hamt86.
# Then, on every emulator: tests/badinput/run.sh and the random
# differential test tests/difftest/run.sh; then any tests/*/check.sh.  Each
# suite's wall time is printed at the end.  Each suite's
# pass/fail counts are summed; the last line is exactly "N passed, N failed"
# and the exit status is non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-$ROOT/build}
LOG=$BUILD/check-logs
mkdir -p "$LOG"

total_pass=0
total_fail=0
timing=()

add() {  # suite passed failed
    echo "== $1: $2 passed, $3 failed"
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
}

# Run a suite whose output ends with "N passed, N failed"; output is teed.
run_counted() {  # name command...
    local name=$1 out=$LOG/$1.log line p f rc t0
    shift
    echo "== $name: $*"
    t0=$SECONDS
    "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    timing+=("$name: $((SECONDS - t0)) s")
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*, }
        f=${f%% failed*}
        [ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
    else
        p=0
        f=1
    fi
    add "$name" "$p" "$f"
}

# meson test: count from its summary lines.
run_meson_test() {  # build-dir name
    local dir=$1 name=$2 out=$LOG/$2-meson.log ok fl rc t0
    t0=$SECONDS
    meson test -C "$dir" --print-errorlogs 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    timing+=("$name meson test: $((SECONDS - t0)) s")
    ok=$(awk '/^Ok:/ {print $2}' "$out" | tail -n1)
    fl=$(awk '/^(Fail|Unexpected Pass|Timeout):/ {s += $NF} END {print s + 0}' "$out")
    ok=${ok:-0}
    if [ "$rc" != 0 ] && [ "$fl" = 0 ]; then
        # "No tests defined" exits 0; anything else non-zero is a failure
        fl=1
    fi
    add "$name meson test" "$ok" "$fl"
}

emulators=()
for host in native mips64el loongarch64; do
    dir=$BUILD/$host
    if [ ! -f "$dir/build.ninja" ]; then
        # native and mips64el are expected (make check configures them)
        [ "$host" = loongarch64 ] || add "$host configure" 0 1
        continue
    fi
    # meson picks source/test folders up at configure time only: reconfigure
    # when the set of folders with a meson.build changed since last time.
    folders=$(ls -- */meson.build tests/*/meson.build tests/*/*/meson.build 2>/dev/null | tr '\n' ' ')
    if [ "$folders" != "$(cat "$dir/.hamt86-folders" 2>/dev/null)" ]; then
        meson setup --reconfigure "$dir" >"$LOG/$host-reconfigure.log" 2>&1 &&
            echo "$folders" >"$dir/.hamt86-folders"
    fi
    echo "== building $host"
    if ! ninja -C "$dir" -j"${JOBS:-2}" >"$LOG/$host-build.log" 2>&1; then
        tail -n 30 "$LOG/$host-build.log"
        add "$host build" 0 1
        continue
    fi
    run_meson_test "$dir" "$host"
    if [ -x "$dir/hamt86" ]; then
        case $host in
        native) emulators+=("native=$dir/hamt86") ;;
        mips64el) emulators+=("mips64el=qemu-mips64el $dir/hamt86") ;;
        loongarch64) emulators+=("loongarch64=qemu-loongarch64 $dir/hamt86") ;;
        esac
    else
        echo "== $host: no hamt86 binary yet, guest suite skipped"
    fi
done

# Guest kernels: reference self-check always, then every emulator.
run_counted guest-ref tests/guest/run.sh -b "$BUILD"
if [ ${#emulators[@]} -gt 0 ]; then
    run_counted guest tests/guest/run.sh -b "$BUILD" "${emulators[@]}"
fi

# Bad input (broken kernels, bad options, faulting guests) on every emulator.
if [ ${#emulators[@]} -gt 0 ]; then
    run_counted badinput tests/badinput/run.sh -b "$BUILD" "${emulators[@]}"
fi

# Random differential test vs the CPU on every emulator (>= 100000
# sequences; HAMT86_SEED=S reproduces a run, DIFFTEST_COUNT overrides).
# make check pins the seed (DIFFTEST_SEED, default one whose 200k sequences
# were checked): the x87 part still finds rare CPU-specific edge cases
# (two were found and fixed on 2026-12-06), and CI must not depend on the
# draw.  HAMT86_SEED=random draws a new one; tests/difftest/run.sh alone
# always draws unless HAMT86_SEED is set.
if [ ${#emulators[@]} -gt 0 ]; then
    seed=${HAMT86_SEED:-${DIFFTEST_SEED:-4094335922}}
    [ "$seed" = random ] && seed=
    HAMT86_SEED=$seed DIFFTEST_OUT=$BUILD/difftest run_counted difftest tests/difftest/run.sh \
        --count "${DIFFTEST_COUNT:-100000}" \
        --fpu-count "${DIFFTEST_FPU_COUNT:-100000}" "${emulators[@]}"
fi

# Further suites, when their owners have written them (tests/encoder runs
# as meson unit tests, so its standalone run.sh is not repeated here).
for s in tests/*/check.sh; do
    [ -x "$s" ] || continue
    run_counted "$(basename "$(dirname "$s")")" "$s"
done

echo "== wall time per suite"
printf '   %s\n' "${timing[@]}" "total: $SECONDS s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
