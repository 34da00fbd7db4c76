# hamt86 benchmarks: included by the top-level Makefile.
#
#   make bench-kernels   build bench/*.c and bench/mem/mem_*.c into build/bench/*.elf
#                        (bench/mem/ has its own Makefile too; see its README)
#   make bench           build the emulators and kernels, then bench/run.sh
#                        (BENCH_ARGS="-n 5 -k crc32,sort" passes options)
#   BENCH_SCALE=n        multiply each workload's work by n (default 1; passed
#                        as SCALE to bench/*.c and as BM_SCALE to bench/mem/)
#
# The kernels use the guest test runtime (tests/guest/lib, built by the
# `guest` rules) and the compiler flags of the guest kernels.

BENCH_DIR    := bench
BENCH_OUT    := $(BUILD)/bench
BENCH_SCALE  ?= 1
BENCH_ARGS   ?=
BENCH_CFLAGS := $(GUEST_CFLAGS) -I$(BENCH_DIR) -DSCALE=$(BENCH_SCALE)
BENCH_SRCS   := $(wildcard $(BENCH_DIR)/*.c)
BENCH_MEM_SRCS := $(wildcard $(BENCH_DIR)/mem/mem_*.c)
BENCH_ELFS   := $(addprefix $(BENCH_OUT)/,$(notdir $(BENCH_SRCS:.c=.elf))) \
                $(addprefix $(BENCH_OUT)/,$(notdir $(BENCH_MEM_SRCS:.c=.elf)))

.PHONY: bench bench-kernels

bench-kernels: $(BENCH_ELFS)

bench: all bench-kernels
	$(BENCH_DIR)/run.sh -b $(BUILD) $(BENCH_ARGS)

# The scale is part of the object: rebuild when it changes.
$(BENCH_OUT)/.scale-$(BENCH_SCALE):
	@mkdir -p $(@D)
	@rm -f $(BENCH_OUT)/.scale-*
	@touch $@

$(BENCH_OUT)/%.o: $(BENCH_DIR)/%.c $(wildcard $(BENCH_DIR)/*.h) $(GUEST_DIR)/lib/lib.h $(BENCH_OUT)/.scale-$(BENCH_SCALE)
	@mkdir -p $(@D)
	$(GUEST_CC) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_OUT)/mem_%.o: $(BENCH_DIR)/mem/mem_%.c $(wildcard $(BENCH_DIR)/mem/*.h) $(GUEST_DIR)/lib/lib.h $(BENCH_OUT)/.scale-$(BENCH_SCALE)
	@mkdir -p $(@D)
	$(GUEST_CC) $(BENCH_CFLAGS) -I$(BENCH_DIR)/mem -DBM_SCALE=$(BENCH_SCALE) -c $< -o $@

$(BENCH_OUT)/%.elf: $(BENCH_OUT)/%.o $(GUEST_LIB_OBJS) $(GUEST_DIR)/lib/link.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_LIB_OBJS) $<

.PRECIOUS: $(BENCH_OUT)/%.o $(BENCH_OUT)/mem_%.o
