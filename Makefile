# hamt86 top-level Makefile.
#
#   make          configure (if needed) and build build/native, build/mips64el
#                 and build/loongarch64 (when its toolchain is installed)
#   make check    install what is missing (cross/setup), build, run every suite
#   make demo     build and run the demo guest on every host with --stats,
#                 then boot Debian's i386 Linux under hamt and softmmu on
#                 every host and print the comparison table (tests/linux)
#   make linux    boot Debian's i386 Linux to an interactive busybox shell
#                 (HOST=native|mips64el|loongarch64, MMU=hamt|softmmu|hamt16k;
#                 Ctrl-A x quits)
#   make guest    build the guest test kernels into build/guest/*.elf
#   make loongarch64   the (freestanding) LoongArch64 build
#   make loongarch64-bm  the bare-metal LoongArch64 build (build/loongarch64-bm/
#                 hamt86.elf for qemu-system-loongarch64 -M virt; cross/run-bm)
#   make mips64el-bm  the bare-metal MIPS64r2 build (build/mips64el-bm/hamt86.elf
#                 for qemu-system-mips64el -M malta; cross/run-bm)
#   make bench    build and run the benchmarks (bench/bench.mk, docs/BENCH.md)
#   make fuzz-smoke  build the libFuzzer harnesses (build/fuzz: clang-16,
#                 ASan + UBSan) and run each briefly (tests/fuzz/check.sh;
#                 make check runs it too, with tests/sanitize/check.sh)
#   make clean
#
# Each build directory is a meson build; `ninja -C build/<host>` works too.

SHELL := /bin/bash
BUILD ?= build
# loongarch64 joins when its toolchain (cross/loongarch64.ini: clang-16 and
# the binutils cross/setup builds) is installed.
LA_LD := /opt/hamt86-deps/binutils-la/bin/loongarch64-linux-gnu-ld
HAVE_LA := $(if $(and $(wildcard $(LA_LD)),$(shell command -v clang-16)),yes)
HOSTS ?= native mips64el mips64el-bm $(if $(HAVE_LA),loongarch64 loongarch64-bm)
MESON ?= meson
NINJA ?= ninja

.PHONY: all setup check demo guest clean native mips64el loongarch64 \
        loongarch64-bm mips64el-bm fuzz-smoke linux

all: $(HOSTS)

setup:
	cross/setup

# --- emulator builds ---------------------------------------------------------
$(BUILD)/native/build.ninja:
	$(MESON) setup $(BUILD)/native

$(BUILD)/mips64el/build.ninja:
	$(MESON) setup --cross-file cross/mips64el.ini $(BUILD)/mips64el

$(BUILD)/loongarch64/build.ninja:
	$(MESON) setup --cross-file cross/loongarch64.ini $(BUILD)/loongarch64

$(BUILD)/loongarch64-bm/build.ninja:
	$(MESON) setup --cross-file cross/loongarch64-bm.ini $(BUILD)/loongarch64-bm

$(BUILD)/mips64el-bm/build.ninja:
	$(MESON) setup --cross-file cross/mips64el-bm.ini $(BUILD)/mips64el-bm

native mips64el loongarch64 loongarch64-bm mips64el-bm: %: $(BUILD)/%/build.ninja
	$(NINJA) -C $(BUILD)/$@

# --- guest test kernels --------------------------------------------------------
GUEST_DIR   := tests/guest
GUEST_OUT   := $(BUILD)/guest
GUEST_CC    ?= clang-16
GUEST_LD    ?= ld.lld-16
GUEST_CFLAGS := --target=i686-elf -march=pentiumpro -O2 -ffreestanding -fno-pic \
                -nostdlib -fno-builtin -fno-stack-protector -fno-asynchronous-unwind-tables \
                -mno-sse -mno-mmx -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
                -I$(GUEST_DIR)
GUEST_LDFLAGS := -m elf_i386 -T $(GUEST_DIR)/lib/link.ld
GUEST_KERNELS := $(sort $(basename $(notdir $(wildcard $(GUEST_DIR)/*.c))))
GUEST_LIB_OBJS := $(GUEST_OUT)/lib/boot.o $(GUEST_OUT)/lib/lib.o
GUEST_ELFS := $(addprefix $(GUEST_OUT)/,$(addsuffix .elf,$(GUEST_KERNELS)))

guest: $(GUEST_ELFS)

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%.c $(wildcard $(GUEST_DIR)/lib/*.h)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.c $(wildcard $(GUEST_DIR)/lib/*.h)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.o $(GUEST_LIB_OBJS) $(GUEST_DIR)/lib/link.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_LIB_OBJS) $<

.PRECIOUS: $(GUEST_OUT)/%.o $(GUEST_OUT)/lib/%.o

# --- suites ------------------------------------------------------------------------
# Build errors are counted by tests/run-all.sh (it rebuilds each host and
# reports a failed build as a failure), so the summary line always appears.
check: setup
	-$(MAKE) -k all guest
	tests/run-all.sh

fuzz-smoke:
	tests/fuzz/check.sh

demo: setup
	$(MAKE) all $(GUEST_OUT)/demo.elf
	tests/guest/demo.sh
	tests/linux/demo.sh || [ $$? = 2 ]

# --- Linux: an interactive shell ---------------------------------------------
HOST ?= native
MMU ?= hamt
LINUX_EMU = $(if $(filter native,$(HOST)),,qemu-$(HOST)) $(BUILD)/$(HOST)/hamt86

linux: setup $(HOST)
	tests/linux/mkinitrd.sh $(BUILD)/linux/initrd.cpio
	source tests/linux/linux.sh && \
	    $(LINUX_EMU) --mmu=$(MMU) -m 128 -nographic -no-reboot \
	    -kernel "$$LINUX_KERNEL" -initrd $(BUILD)/linux/initrd.cpio \
	    -append "$$LINUX_APPEND hamt86=shell"

clean:
	rm -rf $(BUILD)

include bench/bench.mk
