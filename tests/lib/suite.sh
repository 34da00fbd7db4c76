# tests/lib/suite.sh: shared pieces of the suites that build tiny guest
# kernels and run hamt86 on them (tests/badinput/run.sh, tests/mempath/run.sh).
# Source it from the suite's run.sh, then:
#   suite_init NAME USAGE_LAST DEFAULT_TIMEOUT "$@"
#       parses [-b BUILD] NAME=COMMAND ... (bad options print lines
#       2..USAGE_LAST of the script); sets HERE (the suite's directory),
#       ROOT, BUILD, OUT (BUILD/NAME, with OUT/obj), EMUS (the NAME=COMMAND
#       arguments), TIMEOUT (EMU_TIMEOUT or the default), CC, LD, GFLAGS,
#       and LIBO (tests/guest/lib's boot.S and lib.c, built into OUT/obj)
#   suite_fail WHY        "NAME: WHY" and "0 passed, 1 failed", exit 1
#   suite_kernel K        build HERE/K.c with the guest lib into OUT/K.elf
#   ok CASE / notok CASE WHY [LOG]   count and print one result (notok
#                         shows the last lines of LOG)
#   suite_done            "N passed, N failed"; status 0 when none failed
# shellcheck shell=bash

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

suite_fail() {
    echo "$SUITE: $1"
    echo "0 passed, 1 failed"
    exit 1
}

suite_init() {
    local o usage_last=$2
    SUITE=$1
    # shellcheck disable=SC2034  # TIMEOUT, EMUS: used by the suite
    TIMEOUT=${EMU_TIMEOUT:-$3}
    shift 3
    BUILD=$ROOT/build
    OPTIND=1
    while getopts "b:" o; do
        case $o in
        b) BUILD=$OPTARG ;;
        *) sed -n "2,${usage_last}p" "$0"; exit 2 ;;
        esac
    done
    shift $((OPTIND - 1))
    # shellcheck disable=SC2034
    EMUS=("$@")
    [ $# != 0 ] || suite_fail "no emulator given (NAME=COMMAND)"
    OUT=$BUILD/$SUITE
    mkdir -p "$OUT/obj"
    CC=${CLANG:-clang-16}
    LD=${LLD:-ld.lld-16}
    GFLAGS=(--target=i686-elf -march=pentiumpro -O2 -ffreestanding -fno-pic
            -nostdlib -fno-builtin -fno-stack-protector
            -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -std=gnu11
            -Wall -Wextra -Wno-unused-parameter -I"$ROOT/tests/guest")
    LIBO=()
    local src obj
    for src in "$ROOT/tests/guest/lib/boot.S" "$ROOT/tests/guest/lib/lib.c"; do
        obj=$OUT/obj/$(basename "$src" | tr . _).o
        $CC "${GFLAGS[@]}" -c "$src" -o "$obj" || suite_fail "building $src failed"
        LIBO+=("$obj")
    done
    pass=0
    fail=0
}

suite_kernel() {
    if ! $CC "${GFLAGS[@]}" -c "$HERE/$1.c" -o "$OUT/obj/$1.o" ||
       ! $LD -m elf_i386 -T "$ROOT/tests/guest/lib/link.ld" -o "$OUT/$1.elf" \
             "${LIBO[@]}" "$OUT/obj/$1.o"; then
        suite_fail "building $1.elf failed"
    fi
}

ok() { pass=$((pass + 1)); echo "ok $1"; }
notok() {  # name why log
    fail=$((fail + 1))
    echo "not ok $1: $2${3:+ ($3)}"
    [ -n "${3:-}" ] && [ -f "$3" ] && tail -n 5 "$3" | sed 's/^/    /'
}

suite_done() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
