#!/usr/bin/env bash
# tests/randcode/check.sh: run.sh on every built emulator, every MMU mode,
# with the pinned seed and count (RANDCODE_SEED 777, RANDCODE_COUNT 1000: block 803 is a BTS with a
# 16-bit address size that must wrap;
# picked up by tests/run-all.sh as tests/*/check.sh).  A larger run by
# hand: tests/randcode/run.sh -s random -n 5000 native=build/native/hamt86
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/emus.sh"
built_emus "$BUILD"
exec "$ROOT/tests/randcode/run.sh" -b "$BUILD" "${emus[@]}"
