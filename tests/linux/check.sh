#!/usr/bin/env bash
# tests/linux/check.sh: Linux boot tests, picked up by tests/run-all.sh
# (make check) as tests/*/check.sh.
#
# usage: tests/linux/check.sh [-b BUILD] [-H HOSTS] [-M MODES] [-s]
#   -b BUILD  build root (default $BUILD or build)
#   -H HOSTS  hosts to run (default: native mips64el loongarch64, those built;
#             also loongarch64-bm and mips64el-bm: the bare-metal builds on
#             their qemu-system boards through cross/run-bm, not run by
#             default: tests/bm/check.sh runs bootproto there in make check,
#             the Debian workload is opt-in, see README "Bare metal")
#   -M MODES  memory paths (default: hamt softmmu hamt16k)
#   -s        skip the Debian kernel workload (boot protocol cases only)
#
# On every built hamt86 and memory path:
#  bootproto  a fake bzImage (bootproto.c, wrapped by fakebz.py) checks the
#             32-bit boot protocol entry state, zero page, e820, command
#             line and initrd; its "BP" lines must equal bootproto.expected
#             and it exits through port 0xf4 (status 33)
#  workload   Debian 12's i386 kernel (cross/setup: $HAMT86_DEPS/linux-i386)
#             boots the initramfs of mkinitrd.sh with hamt86=workload; the
#             "HAMT86-LX" lines must equal workload.expected (recorded
#             from qemu-system-i386 by record.sh) and `reboot -f` must end
#             hamt86 with status 0.  Skipped, with a message, when the
#             images are absent.  LINUX_TIMEOUT (default 2400 s) per boot.
#  interactive  (native, hamt) the shell answers a command typed through a
#             pseudo-terminal and Ctrl-A x leaves the terminal as it was
#             (interactive.py); needs the interactive console (skipped,
#             with a message, while the binary has no Ctrl-A key help).
# Prints "ok"/"not ok" per case; the last line is "N passed, N failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
HOSTS="native mips64el loongarch64"
MODES="hamt softmmu hamt16k"
SKIP_LINUX=0
while getopts "b:H:M:s" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    H) HOSTS=$OPTARG ;;
    M) MODES=$OPTARG ;;
    s) SKIP_LINUX=1 ;;
    *) sed -n '2,30p' "$0"; exit 2 ;;
    esac
done
OUT=$BUILD/linux
mkdir -p "$OUT"
LINUX_TIMEOUT=${LINUX_TIMEOUT:-2400}
. "$HERE/linux.sh"
pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
notok() {
    echo "not ok $1: $2"
    [ -z "${3:-}" ] || tail -n 15 "$3" | sed 's/^/    /'
    fail=$((fail + 1))
}

# --- inputs -----------------------------------------------------------------------
if ! linux_build_bootproto "$OUT"; then
    notok "bootproto build" "building the fake bzImage failed"
fi
printf 'INITRD-CONTENT-hamt86\n' >"$OUT/bp-initrd"
have_linux=0
if [ "$SKIP_LINUX" = 0 ]; then
    if [ -f "$LINUX_KERNEL" ] && [ -f "$LINUX_BUSYBOX" ]; then
        if "$HERE/mkinitrd.sh" "$OUT/initrd.cpio" >"$OUT/mkinitrd.log" 2>&1; then
            have_linux=1
        else
            notok "mkinitrd" "building the initramfs failed" "$OUT/mkinitrd.log"
        fi
    else
        echo "skip: Linux workload: $LINUX_KERNEL or $LINUX_BUSYBOX missing" \
             "(run cross/setup to fetch Debian's i386 kernel and busybox)"
    fi
fi

# --- cases -------------------------------------------------------------------------
for host in $HOSTS; do
    bin=$BUILD/$host/hamt86
    case $host in
    *-bm) bin=$BUILD/$host/hamt86.elf ;;
    esac
    [ -x "$bin" ] || continue
    case $host in
    native) emu=("$bin") ;;
    *-bm) emu=(env HAMT86_BM_ELF="$bin" "$ROOT/cross/run-bm" "${host%-bm}") ;;
    *) emu=("qemu-$host" "$bin") ;;
    esac
    for mode in $MODES; do
        name="$host $mode"
        log=$OUT/bootproto.$host.$mode.log
        timeout 60 "${emu[@]}" --mmu="$mode" -m 64 -kernel "$OUT/bootproto.bz" \
            -initrd "$OUT/bp-initrd" -append "console=ttyS0 hamt86 bootproto" \
            </dev/null >"$log" 2>&1
        rc=$?
        if [ $rc != 33 ]; then
            notok "bootproto $name" "exit status $rc, expected 33" "$log"
        elif ! diff <(grep '^BP ' "$log" | tr -d '\r') "$HERE/bootproto.expected" \
                >"$log.diff"; then
            notok "bootproto $name" "BP lines differ from bootproto.expected" "$log.diff"
        else
            ok "bootproto $name"
        fi

        [ $have_linux = 1 ] || continue
        log=$OUT/workload.$host.$mode.log
        linux_run "$LINUX_TIMEOUT" "$OUT/initrd.cpio" workload \
            "${emu[@]}" --mmu="$mode" </dev/null >"$log" 2>&1
        rc=$?
        if [ $rc = 124 ]; then
            notok "linux workload $name" "timed out after ${LINUX_TIMEOUT}s" "$log"
        elif ! diff <(linux_markers <"$log") "$HERE/workload.expected" \
                >"$log.diff"; then
            notok "linux workload $name" "HAMT86-LX lines differ from workload.expected (status $rc)" "$log.diff"
        elif [ $rc != 0 ]; then
            notok "linux workload $name" "exit status $rc after reboot -f, expected 0" "$log"
        else
            ok "linux workload $name"
        fi
    done
    if [ $have_linux = 1 ] && [ "$host" = native ]; then
        if ! grep -aq 'C-a x    exit emulator' "$bin"; then
            echo "skip: interactive: this hamt86 has no interactive console" \
                 "(Ctrl-A keys) yet"
        else
            log=$OUT/interactive.log
            if python3 "$HERE/interactive.py" "$LINUX_TIMEOUT" "$OUT/initrd.cpio" \
                    "$bin" >"$log" 2>&1; then
                ok "linux interactive $host"
            else
                notok "linux interactive $host" "see $log" "$log"
            fi
        fi
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
