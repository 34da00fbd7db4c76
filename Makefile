# hamt86 top-level Makefile.
#
#   make          configure (if needed) and build build/native and build/mips64el
#   make check    install what is missing (cross/setup), build, run every suite
#   make demo     build and run the demo guest on every host with --stats
#   make guest    build the guest test kernels into build/guest/*.elf
#   make loongarch64   the (freestanding) LoongArch64 build
#   make clean
#
# Each build directory is a meson build; `ninja -C build/<host>` works too.

SHELL := /bin/bash
BUILD ?= build
HOSTS ?= native mips64el
MESON ?= meson
NINJA ?= ninja

.PHONY: all setup check demo guest clean $(HOSTS) loongarch64

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

native mips64el loongarch64: %: $(BUILD)/%/build.ninja
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

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%.c $(GUEST_DIR)/lib/lib.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.o: $(GUEST_DIR)/lib/%.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.o: $(GUEST_DIR)/%.c $(GUEST_DIR)/lib/lib.h
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

demo: setup
	$(MAKE) all $(GUEST_OUT)/demo.elf
	tests/guest/demo.sh

clean:
	rm -rf $(BUILD)
