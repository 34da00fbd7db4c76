# tests/linux/linux.sh: shared by tests/linux/check.sh, record.sh,
# tests/guest/demo.sh and bench/linux.sh (sourced; bash).
#   LINUX_KERNEL, LINUX_BUSYBOX   Debian's images (cross/setup)
#   LINUX_APPEND                  the kernel command line of every run
#   linux_run TIMEOUT INITRD MODE EMULATOR...   boot (MODE: workload or
#                                 shell); the emulator's exit status
#   linux_markers                 stdin -> the compared "HAMT86-LX" lines
#   linux_build_bootproto OUT     OUT/bootproto.bz (the boot protocol test)
# shellcheck shell=bash
_LX_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_LX_DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
LINUX_KERNEL=${LINUX_KERNEL:-$_LX_DEPS/linux-i386/vmlinuz}
LINUX_BUSYBOX=${LINUX_BUSYBOX:-$_LX_DEPS/linux-i386/busybox}
# console on COM1; no ACPI/APIC (isapc has none); reboot through the
# keyboard controller; no microcode loader (it reads physical addresses
# above RAM before paging); a preset loops_per_jiffy (the same on every
# run: no delay-loop calibration, whose result would depend on speed);
# no ISA PnP probing
LINUX_APPEND=${LINUX_APPEND:-console=ttyS0 acpi=off noapic nolapic reboot=k dis_ucode_ldr lpj=4000000 noisapnp}

linux_run() {
    local t=$1 rd=$2 mode=$3
    shift 3
    timeout "$t" "$@" -m 128 -nographic -no-reboot -kernel "$LINUX_KERNEL" \
        -initrd "$rd" -append "$LINUX_APPEND hamt86=$mode"
}

linux_markers() {
    tr -d '\r' | grep -a '^HAMT86-LX '
}

linux_build_bootproto() {
    local out=$1
    clang-16 --target=i686-elf -march=pentiumpro -O2 -ffreestanding -fno-pic \
        -nostdlib -fno-builtin -fno-stack-protector \
        -c "$_LX_HERE/bootproto.c" -o "$out/bootproto.o" &&
    ld.lld-16 -m elf_i386 -T "$_LX_HERE/bootproto.ld" --oformat binary \
        -o "$out/bootproto.bin" "$out/bootproto.o" &&
    python3 "$_LX_HERE/fakebz.py" "$out/bootproto.bz" "$out/bootproto.bin"
}
