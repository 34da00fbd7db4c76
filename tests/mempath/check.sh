#!/usr/bin/env bash
# tests/mempath/check.sh: run.sh on every built emulator (picked up by
# tests/run-all.sh as tests/*/check.sh; BUILD as there, default build/).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
emus=()
[ -x "$BUILD/native/hamt86" ] && emus+=("native=$BUILD/native/hamt86")
[ -x "$BUILD/mips64el/hamt86" ] && emus+=("mips64el=qemu-mips64el $BUILD/mips64el/hamt86")
[ -x "$BUILD/loongarch64/hamt86" ] && emus+=("loongarch64=qemu-loongarch64 $BUILD/loongarch64/hamt86")
exec "$ROOT/tests/mempath/run.sh" -b "$BUILD" "${emus[@]}"
