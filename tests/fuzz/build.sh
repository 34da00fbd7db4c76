#!/usr/bin/env bash
# tests/fuzz/build.sh: configure (once) and build BUILD/fuzz, the native
# clang-16 build with ASan + UBSan and the libFuzzer harnesses
# (-Dfuzz=true).  It holds an instrumented hamt86 too (tests/sanitize).
# Needs clang-16 and libclang-rt-16-dev (cross/setup installs both).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DIR=$BUILD/fuzz
RT=$(clang-16 -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a
if [ ! -f "$RT" ]; then
    echo "tests/fuzz: $RT missing (apt-get install libclang-rt-16-dev; cross/setup does)" >&2
    exit 1
fi
if [ ! -f "$DIR/build.ninja" ]; then
    CC=clang-16 meson setup "$DIR" "$ROOT" -Db_sanitize=address,undefined \
        -Db_lundef=false -Dfuzz=true >"$BUILD/fuzz-setup.log" 2>&1 ||
        { tail -n 20 "$BUILD/fuzz-setup.log" >&2; exit 1; }
fi
ninja -C "$DIR" -j"${JOBS:-2}" >"$BUILD/fuzz-build.log" 2>&1 ||
    { tail -n 30 "$BUILD/fuzz-build.log" >&2; exit 1; }
