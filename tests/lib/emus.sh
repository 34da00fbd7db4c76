# tests/lib/emus.sh: the built emulators as NAME=COMMAND arguments for the
# suites' run.sh (tests/mempath, tests/randcode).  Source it, then
#   built_emus BUILD      sets the array emus (native, mips64el under
#                         qemu-mips64el, loongarch64 under qemu-loongarch64;
#                         each only if BUILD/HOST/hamt86 exists)
# shellcheck shell=bash

built_emus() {
    local b=$1
    emus=()
    [ -x "$b/native/hamt86" ] && emus+=("native=$b/native/hamt86")
    [ -x "$b/mips64el/hamt86" ] && emus+=("mips64el=qemu-mips64el $b/mips64el/hamt86")
    [ -x "$b/loongarch64/hamt86" ] && emus+=("loongarch64=qemu-loongarch64 $b/loongarch64/hamt86")
    return 0
}
