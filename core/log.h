/*
 * hamt86 - logging (-d / -D / -dfilter) for the freestanding core.
 */
#ifndef HAMT86_LOG_H
#define HAMT86_LOG_H

#include "core/base.h"

/*
 * Every trace is a run-time -d item; there is no compile-time debug
 * switch.  Developer traces ride on the item of their subsystem
 * (register allocation on out_asm, condition codes on ir, optimiser
 * totals on ir_opt, segment faults and task switches on int, CR0 on
 * mmu, interpreter chaining on exec) or have their own (walk).
 */

#define LOG_IN_ASM   (1u << 0)
#define LOG_IR       (1u << 1)
#define LOG_IR_OPT   (1u << 2)
#define LOG_OUT_ASM  (1u << 3)
#define LOG_MMU      (1u << 4)
#define LOG_INT      (1u << 5)
#define LOG_EXEC     (1u << 6)
#define LOG_UNIMP    (1u << 7)
#define LOG_NOCHAIN  (1u << 8)   /* not a log: disables chaining */
#define LOG_CPU      (1u << 9)   /* register dump at TB entry with exec */
#define LOG_IOPORT   (1u << 10)  /* device port reads and writes */
#define LOG_WALK     (1u << 11)  /* every guest page walk */

extern uint32_t log_mask;
extern int log_fd;   /* 2 (stderr) unless -D */

/* Parse "in_asm,ir,..." into a mask; returns false with the bad item in *bad. */
bool log_parse_mask(const char *s, uint32_t *mask, const char **bad, size_t *badlen);
/* -dfilter: up to 16 [start, end] EIP ranges; empty list = everything. */
bool log_parse_filter(const char *s);
bool log_in_filter(uint32_t eip);

static inline bool log_enabled(uint32_t mask) { return (log_mask & mask) != 0; }
void hlog(const char *fmt, ...) PRINTF_FMT(1, 2);
void hlog_bytes(const uint8_t *p, size_t n);

#define DEBUG_LOG(mask, ...) do { if (unlikely(log_enabled(mask))) hlog(__VA_ARGS__); } while (0)

/* Print the list of -d items ("-d help") to fd (core/log.c). */
void log_print_help(int fd);

/*
 * Guest symbols for log and fatal messages.  The front end registers a
 * lookup (the kernel's ELF .symtab): the name of the symbol containing
 * addr and addr's offset in it, or false.
 */
typedef bool (*LogSymbolLookup)(uint32_t addr, const char **name,
                                uint32_t *off);
void log_set_symbol_lookup(LogSymbolLookup fn);

#define LOG_SYM_LEN 72
/* " <name+0xoff>" for guest address addr in buf, or "" when unknown. */
const char *log_sym(uint32_t addr, char *buf, size_t size);
/* The same in a temporary buffer: hlog("0x%08x%s", eip, LOG_SYM(eip)). */
#define LOG_SYM(addr) log_sym((addr), (char[LOG_SYM_LEN]){ 0 }, LOG_SYM_LEN)

#endif
