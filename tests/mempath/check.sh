#!/usr/bin/env bash
# tests/mempath/check.sh: run.sh on every built emulator (picked up by
# tests/run-all.sh as tests/*/check.sh; BUILD as there, default build/).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
. "$ROOT/tests/lib/emus.sh"
built_emus "$BUILD"
exec "$ROOT/tests/mempath/run.sh" -b "$BUILD" "${emus[@]}"
