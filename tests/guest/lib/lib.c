/*
 * hamt86 guest test kernels: serial output, printf, exit, IDT, checks.
 */
#include "lib.h"

#define COM1      0x3F8
#define COM1_LSR  (COM1 + 5)
#define LSR_THRE  0x20
#define EXIT_PORT 0xF4

volatile TrapInfo last_trap;
void (*irq_hook)(uint32_t vector);
void (*irq_frame_hook)(TrapFrame *f);
extern int catch_armed;
extern const uint32_t trap_stub_table[];
extern void trap_unwind(int vector) __attribute__((noreturn));

static unsigned n_pass, n_fail;
static uint32_t hash_state = 2166136261u;

/* IDT gate descriptor (32-bit interrupt gate, DPL 3 so int n works too):
 *   31            16 15 14 13 12   8 7      0
 *  +----------------+--+-----+------+--------+
 *  | offset 31..16  |P | DPL |01110 |   0    |   (high dword)
 *  +----------------+--+-----+------+--------+
 *  | selector       |      offset 15..0      |   (low dword)
 *  +----------------+------------------------+
 */
typedef struct IdtGate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
} __attribute__((packed)) IdtGate;

static IdtGate idt[256];

/* The C library bits kernels need. */
void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) {
        *p++ = (uint8_t)c;
    }
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) {
        *p++ = *q++;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (; n; n--, p++, q++) {
        if (*p != *q) {
            return *p - *q;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

/* 64-bit division helpers the compiler calls (shift-subtract). */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;

    if ((n >> 32) == 0 && (d >> 32) == 0) {
        if (rem) {
            *rem = (uint32_t)n % (uint32_t)d;
        }
        return (uint32_t)n / (uint32_t)d;
    }
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    if (rem) {
        *rem = r;
    }
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return __udivmoddi4(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}

int64_t __divdi3(int64_t n, int64_t d);
int64_t __divdi3(int64_t n, int64_t d)
{
    uint64_t q = __udivdi3(n < 0 ? -(uint64_t)n : (uint64_t)n,
                           d < 0 ? -(uint64_t)d : (uint64_t)d);
    return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r = __umoddi3(n < 0 ? -(uint64_t)n : (uint64_t)n,
                           d < 0 ? -(uint64_t)d : (uint64_t)d);
    return n < 0 ? -(int64_t)r : (int64_t)r;
}

/* Send one byte to COM1 once the transmit holding register is empty. */
void putc_serial(char c)
{
    int spin = 100000;
    while (!(inb(COM1_LSR) & LSR_THRE) && --spin) {
    }
    outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
    while (*s) {
        putc_serial(*s++);
    }
}

/* Print an unsigned number in base 10 or 16 with width and padding. */
static int put_num(uint64_t v, unsigned base, bool upper, bool neg,
                   int width, char pad, bool left)
{
    char buf[24];
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0, len, out = 0;

    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg) {
        buf[n++] = '-';
    }
    len = n;
    if (!left && pad == '0' && neg) {
        /* sign goes before the zero padding */
        putc_serial('-');
        out++;
        n--;
        width--;
        len--;
    }
    for (; !left && width > len; width--) {
        putc_serial(pad);
        out++;
    }
    while (n) {
        putc_serial(buf[--n]);
        out++;
    }
    for (; left && width > len; width--) {
        putc_serial(' ');
        out++;
    }
    return out;
}

int vprintf(const char *fmt, va_list ap)
{
    int out = 0;

    for (; *fmt; fmt++) {
        int width = 0, lng = 0;
        char pad = ' ';
        bool left = false;

        if (*fmt != '%') {
            putc_serial(*fmt);
            out++;
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '0') {
                pad = '0';
            } else if (*fmt == '-') {
                left = true;
            } else {
                break;
            }
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int32_t);
            out += put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false,
                           v < 0, width, pad, left);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t);
            out += put_num(v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false,
                           width, pad, left);
            break;
        }
        case 'c':
            putc_serial((char)va_arg(ap, int));
            out++;
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = (int)strlen(s);
            for (; !left && width > len; width--, out++) {
                putc_serial(' ');
            }
            puts_serial(s);
            out += len;
            for (; left && width > len; width--, out++) {
                putc_serial(' ');
            }
            break;
        }
        case '%':
            putc_serial('%');
            out++;
            break;
        case 0:
            return out;
        default:
            putc_serial('%');
            putc_serial(*fmt);
            out += 2;
            break;
        }
    }
    return out;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* Write the exit port; QEMU's isa-debug-exit ends with (code << 1) | 1. */
void exit(int code)
{
    outb(EXIT_PORT, (uint8_t)code);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

bool check(const char *name, uint32_t got, uint32_t want)
{
    if (got == want) {
        printf("PASS %s\n", name);
        n_pass++;
        return true;
    }
    printf("FAIL %s got=%08x want=%08x\n", name, got, want);
    n_fail++;
    return false;
}

/* SDM-only checks (sdm / sdm_done). */
static unsigned sdm_n_ok, sdm_n_bad;

void sdm(const char *name, uint32_t got, uint32_t want)
{
    if (got == want) {
        printf("SDM ok %s\n", name);
        sdm_n_ok++;
    } else {
        printf("SDM bad %s got=%08x want=%08x\n", name, got, want);
        sdm_n_bad++;
    }
}

void sdm_done(void)
{
    printf("SDM done ok=%u bad=%u\n", sdm_n_ok, sdm_n_bad);
}

bool check64(const char *name, uint64_t got, uint64_t want)
{
    if (got == want) {
        printf("PASS %s\n", name);
        n_pass++;
        return true;
    }
    printf("FAIL %s got=%016llx want=%016llx\n", name,
           (unsigned long long)got, (unsigned long long)want);
    n_fail++;
    return false;
}

void fail(const char *name, const char *why)
{
    printf("FAIL %s %s\n", name, why);
    n_fail++;
}

/* FNV-1a over the bytes of v. */
void hash_u32(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        hash_state ^= (v >> (8 * i)) & 0xff;
        hash_state *= 16777619u;
    }
}

uint32_t result_hash(void)
{
    return hash_state;
}

void result(const char *name, uint32_t v)
{
    printf("INFO %s %08x\n", name, v);
    hash_u32(v);
}

/* Print "INFO <formatted>" and hash the formatted text. */
void resultf(const char *fmt, ...)
{
    char line[160];
    va_list ap;
    const char *p;
    int i;

    /* format into the serial port and a copy at once is awkward; render
     * the few conversions via printf and hash the arguments instead */
    va_start(ap, fmt);
    puts_serial("INFO ");
    vprintf(fmt, ap);
    putc_serial('\n');
    va_end(ap);
    /* hash the format and the raw argument words that follow it */
    for (p = fmt; *p; p++) {
        hash_state ^= (uint8_t)*p;
        hash_state *= 16777619u;
    }
    va_start(ap, fmt);
    for (p = fmt, i = 0; *p && i < (int)sizeof(line); p++) {
        if (*p == '%' && p[1] && p[1] != '%') {
            const char *q = p + 1;
            while (*q == '0' || *q == '-' || (*q >= '1' && *q <= '9')) {
                q++;
            }
            if (q[0] == 'l' && q[1] == 'l') {
                uint64_t v = va_arg(ap, uint64_t);
                hash_u32((uint32_t)v);
                hash_u32((uint32_t)(v >> 32));
            } else if (*q == 's') {
                const char *s = va_arg(ap, const char *);
                for (; *s; s++) {
                    hash_state ^= (uint8_t)*s;
                    hash_state *= 16777619u;
                }
            } else {
                hash_u32(va_arg(ap, uint32_t));
            }
            p = q;
            i++;
        }
    }
    va_end(ap);
}

void finish(uint32_t want_hash)
{
    char name[64];
    size_t n = strlen(kernel_name);

    if (n > sizeof(name) - 6) {
        n = sizeof(name) - 6;
    }
    memcpy(name, kernel_name, n);
    memcpy(name + n, ".hash", 6);
    if (want_hash) {
        check(name, hash_state, want_hash);
    } else {
        printf("INFO %s %08x (not recorded)\n", name, hash_state);
    }
    printf("DONE %s passed=%u failed=%u\n", kernel_name, n_pass, n_fail);
    exit(n_fail ? 1 : 0);
}

/* Common exception handler, called by trap_common in boot.S. */
void trap_dispatch(TrapFrame *f);
void trap_dispatch(TrapFrame *f)
{
    if (f->vector >= 32 && f->vector < 48 && irq_frame_hook) {
        irq_frame_hook(f);      /* may change the interrupted state */
        return;
    }
    if (f->vector >= 32 && f->vector < 48 && irq_hook) {
        irq_hook(f->vector);    /* hardware interrupt: not a trap record */
        return;
    }
    last_trap.count++;
    last_trap.vector = f->vector;
    last_trap.err = f->err;
    last_trap.eip = f->eip;
    last_trap.eflags = f->eflags;
    last_trap.eax = f->eax;
    last_trap.ecx = f->ecx;
    last_trap.edx = f->edx;
    last_trap.ebx = f->ebx;
    last_trap.esi = f->esi;
    last_trap.edi = f->edi;
    last_trap.cs = f->cs;
    last_trap.user_esp = (f->cs & 3) ? (&f->eflags)[1] : 0;
    last_trap.user_ss = (f->cs & 3) ? (&f->eflags)[2] : 0;
    if (catch_armed) {
        trap_unwind((int)f->vector);
    }
    /* traps (int3, into, int n) resume after the instruction */
    if (f->vector == 3 || f->vector == 4 || f->vector >= 32) {
        return;
    }
    printf("FAIL %s unexpected exception vector=%u err=%x eip=%08x\n",
           kernel_name, f->vector, f->err, f->eip);
    printf("DONE %s passed=%u failed=%u\n", kernel_name, n_pass, n_fail + 1);
    exit(3);
}

/* Load the IDT with gates for the stubs in boot.S. */
static void idt_init(void)
{
    static const uint8_t soft[] = { 64, 65, 128 };
    const int nstubs = 48 + 3;
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr;
    uint16_t cs;
    int i;

    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    for (i = 0; i < nstubs; i++) {
        int vec = i < 48 ? i : soft[i - 48];
        uint32_t off = trap_stub_table[i];
        idt[vec].off_lo = off & 0xffff;
        idt[vec].off_hi = off >> 16;
        idt[vec].sel = cs;
        idt[vec].zero = 0;
        idt[vec].type = 0xee;   /* present, DPL 3, 32-bit interrupt gate */
    }
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint32_t)idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* C entry from boot.S. */
void lib_main(void);
void lib_main(void)
{
    idt_init();
    putc_serial('\n');   /* end the firmware's last line */
    kmain();
    finish(0);
}
