/*
 * hamt86 guest test kernels: tiny freestanding runtime.
 *
 * Output protocol (the runner keeps only these lines):
 *   INFO <text>                         a value to diff against the reference
 *   PASS <name> / FAIL <name> got= want= a self-check
 *   DONE <kernel> passed=N failed=N     last line; then exit via port 0xF4
 */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>

/* Arithmetic flags the SDM defines (OF SF ZF AF PF CF). */
#define FL_CF 0x001u
#define FL_PF 0x004u
#define FL_AF 0x010u
#define FL_ZF 0x040u
#define FL_SF 0x080u
#define FL_DF 0x400u
#define FL_OF 0x800u
#define FL_ARITH (FL_OF | FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

/* Saved state of an exception (see boot.S trap_common). */
typedef struct TrapFrame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t vector, err;
    uint32_t eip, cs, eflags;
} TrapFrame;

/* What the last exception recorded. */
typedef struct TrapInfo {
    uint32_t count;
    uint32_t vector, err, eip;
    uint32_t eflags, eax, ecx, edx, ebx, esi, edi;
    uint32_t cs, user_esp, user_ss;   /* ESP/SS pushed on a ring change, else 0 */
} TrapInfo;
extern volatile TrapInfo last_trap;
/* Called for vectors 32..47 (remapped PIC IRQs) instead of recording them. */
extern void (*irq_hook)(uint32_t vector);
/* Like irq_hook (and before it), with the interrupted frame to edit. */
extern void (*irq_frame_hook)(TrapFrame *f);

/* Name of the running kernel (defined by each kernel). */
extern const char kernel_name[];
/* The kernel body, called after the IDT is set up. */
void kmain(void);

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

void putc_serial(char c);
void puts_serial(const char *s);
/* printf subset: %d %u %x %X %s %c %%, width, '0' and '-' flags, l/ll. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* Leave the emulator: QEMU exits with (code << 1) | 1. */
__attribute__((noreturn)) void exit(int code);

/* Self-checks; both return true on success. */
bool check(const char *name, uint32_t got, uint32_t want);
bool check64(const char *name, uint64_t got, uint64_t want);
/* A value where QEMU and a real CPU differ, checked against the SDM only:
 * "SDM ok NAME" / "SDM bad NAME got=.. want=.." lines, which run.sh does
 * not compare (a hamt86-only suite wants them ok); sdm_done() prints
 * "SDM done ok=N bad=N". */
void sdm(const char *name, uint32_t got, uint32_t want);
void sdm_done(void);
/* Report an unconditional failure. */
void fail(const char *name, const char *why);

/*
 * Results that are only diffed against the reference: prints
 * "INFO <name> <v>" and folds the value into a running hash, which
 * finish() reports (so a mismatch also shows without the reference).
 */
void result(const char *name, uint32_t v);
void resultf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint32_t result_hash(void);
void hash_u32(uint32_t v);

/*
 * End the kernel: check the result hash against want_hash (recorded from
 * qemu-system-i386 -cpu pentium2; 0 = not recorded, skip), print DONE and
 * exit with 0 if everything passed, 1 otherwise.
 */
__attribute__((noreturn)) void finish(uint32_t want_hash);

/*
 * Run fn(arg), catching exceptions: returns -1 if fn returned, else the
 * vector (last_trap holds the details).
 */
int trap_catch(void (*fn)(void *), void *arg);

/* Read EFLAGS. */
static inline uint32_t read_eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

/* Read the time stamp counter. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
