/*
 * hamt86 randcode: random code in a ring-3 sandbox, compared with
 * qemu-system-i386 (issue 16, "random code against QEMU").  Built by
 * tests/randcode/run.sh with tests/guest/lib and a blob from
 * `tests/difftest/gen.py --random` (the difftest blob layout, runner.h).
 *
 * Each sequence of the blob is one block.  Even blocks run as 32-bit code,
 * odd blocks as 16-bit code, both at CPL 3 with IOPL 0 and IF 0:
 *
 *   rc_code (4 KiB page)  | block code | CD 41 CD 41 ... (int 0x41) |
 *   CS   0x3b / 0x43      base rc_code, limit 0xfff, DPL 3, 32/16-bit
 *   DS.. 0x4b / 0x53      base rc_data, limit 0x3fff, DPL 3, B=1/0
 *                         (DS ES FS GS SS; ESP 0x600)
 *
 * The GDT has no flat ring-3 segment and paging maps only rc_code and
 * rc_data for ring 3 (see rc_paging: segment limits are not checked by
 * either emulator), so nothing the block does reaches outside; IN/OUT, CLI, HLT, MOV CRn, LGDT ... raise #GP.  The
 * block ends with an exception or with INT 0x41 (the filler after its
 * code; forward branches land in it): the handler saves the whole state
 * and unwinds to rc_enter.  Random bytes can still form a loop: IF is set
 * (IOPL 0: the block cannot clear it), and a one-shot PIT interrupt 55 ms
 * after the start ends such a block with the line "INFO <i> watchdog"
 * (the state depends on time there).  One line per block:
 *
 *   INFO <i> v=<vector> e=<error code> cr2=<CR2 if #PF> ip=<EIP> cs=
 *        fl=<EFLAGS> a= c= d= b=
 *        sp= bp= si= di= ss= ds= es= fs= gs= m=<hash of rc_data>
 *
 * A #PF of a read-modify-write instruction (rc_is_rmw) prints its error
 * code without the W bit: the CPU checks such a destination as a write
 * before reading it (W=1), QEMU 7.2 reads first (W=0); tests/guest/pg_rmw
 * checks the bit against the CPU instead.
 *
 * The arithmetic flags (OF SF ZF AF PF CF) are left out of fl: random
 * code leaves most of them undefined, and tests/difftest checks the
 * defined ones against the CPU.  Every block starts from the blob's
 * registers and EFLAGS (arithmetic flags, DF), FNINIT, and rc_data filled
 * from the sequence's memory seed.
 */
#include "lib/lib.h"
#include "lib/gdt.h"

const char kernel_name[] = "randcode";
extern const uint8_t rc_blob[], rc_blob_end[];

#define RC_CODE_SIZE 4096u
#define RC_DATA_SIZE 0x4000u
#define RC_TSS   0x30
#define RC_CS32  0x3b
#define RC_CS16  0x43
#define RC_DS32  0x4b
#define RC_DS16  0x53
#define RC_END   0x41            /* INT 0x41: the end of a block */
#define RC_WATCHDOG 32           /* IRQ 0: the block did not end */
#define RC_TICKS 20              /* PIT ticks (55 ms each) before that */
#define RC_STR_(x) #x
#define RC_STR(x) RC_STR_(x)

static uint8_t rc_code[RC_CODE_SIZE] __attribute__((aligned(4096)));
static uint8_t rc_data[RC_DATA_SIZE] __attribute__((aligned(4096)));
static uint8_t rc_kstack[16384] __attribute__((aligned(16)));
static uint64_t rc_gdt[11];
static uint32_t rc_tss[26];

/* IDT gate (see lib.c). */
typedef struct RcGate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
} __attribute__((packed)) RcGate;
static RcGate rc_idt[256];

/* What rc_enter loads (offsets used by the asm below). */
typedef struct RcIn {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;   /*  0 .. 28 */
    uint32_t eflags, cs, ss, ds;                       /* 32 .. 44 */
} RcIn;
_Static_assert(__builtin_offsetof(RcIn, eflags) == 32, "RcIn layout");
_Static_assert(__builtin_offsetof(RcIn, ds) == 44, "RcIn layout");

/*
 * The frame rc_common leaves on rc_kstack (lowest address first):
 *   cr2 gs fs es ds | edi esi ebp esp0 ebx edx ecx eax | vector err |
 *   eip cs eflags esp ss        (always a ring change: CPL 3 -> 0)
 */
typedef struct RcFrame {
    uint32_t cr2;
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t vector, err;
    uint32_t eip, cs, eflags, esp, ss;
} RcFrame;

void rc_enter(const RcIn *in);
extern RcFrame *volatile rc_frame;
extern volatile uint32_t rc_ticks;
extern const uint32_t rc_stubs[34];

/* Stubs for vectors 0..31 and RC_END, the common path, and rc_enter. */
__asm__(
    ".section .text\n"
    ".macro RCSTUB v, err\n"
    "rc_stub_\\v:\n"
    ".if \\err == 0\n\t"
    "pushl $0\n"
    ".endif\n\t"
    "pushl $\\v\n\t"
    "jmp rc_common\n"
    ".endm\n"
    ".irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31,65\n\t"
    "RCSTUB \\v, 0\n"
    ".endr\n"
    ".irp v, 8,10,11,12,13,14,17\n\t"
    "RCSTUB \\v, 1\n"
    ".endr\n"
    /* IRQ 0 (PIT, periodic): resume the block until RC_TICKS ticks */
    "rc_stub_32:\n\t"
    "pushl %eax\n\t"
    "movb $0x20, %al\n\t"
    "outb %al, $0x20\n\t"
    "incl %ss:rc_ticks\n\t"
    "cmpl $" RC_STR(RC_TICKS) ", %ss:rc_ticks\n\t"
    "popl %eax\n\t"
    "jae 1f\n\t"
    "iretl\n"
    "1:\n\t"
    "pushl $0\n\t"
    "pushl $32\n\t"
    "jmp rc_common\n"
    "rc_common:\n\t"
    "pushal\n\t"
    "pushl %ds\n\t"
    "pushl %es\n\t"
    "pushl %fs\n\t"
    "pushl %gs\n\t"
    "movl $0x10, %eax\n\t"
    "movw %ax, %ds\n\t"
    "movw %ax, %es\n\t"
    "movw %ax, %fs\n\t"
    "movw %ax, %gs\n\t"
    "movl %cr2, %eax\n\t"
    "pushl %eax\n\t"
    "cld\n\t"
    "movl %esp, rc_frame\n\t"
    "movl rc_catch_esp, %esp\n\t"
    "popl %edi\n\t"
    "popl %esi\n\t"
    "popl %ebx\n\t"
    "popl %ebp\n\t"
    "ret\n"
    /* void rc_enter(const RcIn *in): IRET to the block */
    ".globl rc_enter\n"
    "rc_enter:\n\t"
    "pushl %ebp\n\t"
    "pushl %ebx\n\t"
    "pushl %esi\n\t"
    "pushl %edi\n\t"
    "movl %esp, rc_catch_esp\n\t"
    "movl 20(%esp), %ebp\n\t"     /* in; (%ebp) addresses through SS */
    "pushl 40(%ebp)\n\t"          /* ss */
    "pushl 16(%ebp)\n\t"          /* esp */
    "pushl 32(%ebp)\n\t"          /* eflags */
    "pushl 36(%ebp)\n\t"          /* cs */
    "pushl $0\n\t"                /* eip: the start of rc_code */
    "movl 44(%ebp), %eax\n\t"
    "movw %ax, %ds\n\t"
    "movw %ax, %es\n\t"
    "movw %ax, %fs\n\t"
    "movw %ax, %gs\n\t"
    "movl 0(%ebp), %eax\n\t"
    "movl 4(%ebp), %ecx\n\t"
    "movl 8(%ebp), %edx\n\t"
    "movl 12(%ebp), %ebx\n\t"
    "movl 24(%ebp), %esi\n\t"
    "movl 28(%ebp), %edi\n\t"
    "movl 20(%ebp), %ebp\n\t"
    "iretl\n"
    ".section .data\n"
    ".globl rc_frame, rc_stubs\n"
    "rc_frame: .long 0\n"
    "rc_catch_esp: .long 0\n"
    ".globl rc_ticks\n"
    "rc_ticks: .long 0\n"
    ".section .rodata\n"
    "rc_stubs:\n"
    ".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,65,32\n\t"
    ".long rc_stub_\\v\n"
    ".endr\n"
    ".section .text\n");

/*
 * Paging: 0..4 MiB identity, supervisor only, except rc_code (user,
 * read-only) and rc_data (user, writable); nothing above 4 MiB.  Neither
 * hamt86 nor QEMU checks data segment limits (a real CPU raises #GP/#SS
 * for an offset beyond the limit; see docs/RELIABILITY.md): what keeps
 * the block inside the sandbox is the U bit, and an access outside is a
 * #PF with CR2 on both.
 */
static uint32_t rc_pd[1024] __attribute__((aligned(4096)));
static uint32_t rc_pt[1024] __attribute__((aligned(4096)));

static void rc_paging(void)
{
    uint32_t code = (uint32_t)rc_code >> 12, data = (uint32_t)rc_data >> 12;

    for (uint32_t i = 0; i < 1024; i++) {
        rc_pt[i] = i * 4096u | 0x3;                       /* P W */
    }
    rc_pt[0] = 0;
    rc_pt[code] = code * 4096u | 0x5;                     /* P U */
    for (uint32_t k = 0; k < RC_DATA_SIZE / 4096u; k++) {
        rc_pt[data + k] = (data + k) * 4096u | 0x7;       /* P W U */
    }
    rc_pd[0] = (uint32_t)rc_pt | 0x7;
    __asm__ volatile("movl %0, %%cr3\n\t"
                     "movl %%cr0, %%eax\n\t"
                     "orl $0x80000000, %%eax\n\t"    /* PG (no WP: the runner writes rc_code) */
                     "movl %%eax, %%cr0"
                     : : "r"(rc_pd) : "eax", "memory");
}

/* The sandbox GDT (no flat ring-3 segment), TSS and IDT. */
static void rc_tables(void)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr;

    memset(rc_gdt, 0, sizeof(rc_gdt));
    rc_gdt[1] = 0x00cf9a000000ffffull;               /* 0x08 kernel code */
    rc_gdt[2] = 0x00cf92000000ffffull;               /* 0x10 kernel data */
    memset(rc_tss, 0, sizeof(rc_tss));
    rc_tss[1] = (uint32_t)(rc_kstack + sizeof(rc_kstack));   /* esp0 */
    rc_tss[2] = 0x10;                                        /* ss0 */
    rc_tss[25] = 104u << 16;         /* no I/O bitmap: IN/OUT #GP at IOPL 0 */
    rc_gdt[6] = gdt_desc((uint32_t)rc_tss, 103, 0x89, 0x0);  /* 0x30 TSS */
    rc_gdt[7] = gdt_desc((uint32_t)rc_code, RC_CODE_SIZE - 1, 0xfa, 0x4);
    rc_gdt[8] = gdt_desc((uint32_t)rc_code, RC_CODE_SIZE - 1, 0xfa, 0x0);
    rc_gdt[9] = gdt_desc((uint32_t)rc_data, RC_DATA_SIZE - 1, 0xf2, 0x4);
    rc_gdt[10] = gdt_desc((uint32_t)rc_data, RC_DATA_SIZE - 1, 0xf2, 0x0);
    gdt_load(rc_gdt, sizeof(rc_gdt) - 1);
    /* a null LDT: LAR/LSL/VERR with TI=1 fail (the reset LDTR, base 0
     * limit 0xffff, would read whatever the firmware left at 0) */
    __asm__ volatile("lldt %w0" : : "r"(0));

    memset(rc_idt, 0, sizeof(rc_idt));
    for (int i = 0; i < 34; i++) {
        int v = i < 32 ? i : i == 32 ? RC_END : RC_WATCHDOG;
        uint32_t off = rc_stubs[i];

        rc_idt[v].off_lo = off & 0xffff;
        rc_idt[v].off_hi = off >> 16;
        rc_idt[v].sel = 0x08;
        /* INT3, INTO and INT 0x41 may be used at CPL 3; INT n for the
         * others raises #GP(n * 8 + 2) as on a real kernel */
        rc_idt[v].type = (v == 3 || v == 4 || v == RC_END) ? 0xee : 0x8e;
    }
    idtr.limit = sizeof(rc_idt) - 1;
    idtr.base = (uint32_t)rc_idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* IRQ hook while draining: EOI. */
static void rc_eoi(uint32_t vector)
{
    (void)vector;
    outb(0x20, 0x20);
}

/* xorshift32 */
static uint32_t rc_rand(uint32_t *s)
{
    uint32_t x = *s;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/*
 * Take an IRQ 0 that came while the kernel ran with IF=0 through lib's
 * stub, so the block starts with a full watchdog.
 */
static void rc_drain(void)
{
    extern const uint32_t trap_stub_table[];
    RcGate save = rc_idt[RC_WATCHDOG];
    uint32_t off = trap_stub_table[32];

    rc_idt[RC_WATCHDOG].off_lo = off & 0xffff;
    rc_idt[RC_WATCHDOG].off_hi = off >> 16;
    irq_hook = rc_eoi;
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    irq_hook = NULL;
    rc_idt[RC_WATCHDOG] = save;
}

/*
 * Read-modify-write forms with a memory operand, generated from the aLOCK
 * and aRMW rows of translator/x86-insn.def by gen-rmw.py (run.sh):
 * rc_rmw_ops[k] = { opcode (0x0F xx as 0x1xx), ModRM reg values that are
 * (a bit mask) }.
 */
#include "rc-rmw.h"

/* Is the instruction at EIP eip of rc_code a read-modify-write of memory
 * (its #PF has W=1 on the CPU, W=0 on QEMU 7.2: docs/RELIABILITY.md)? */
static bool rc_is_rmw(uint32_t eip)
{
    static const uint8_t pfx[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26,
                                   0x2e, 0x36, 0x3e, 0x64, 0x65 };
    const uint8_t *p = rc_code + eip, *end = rc_code + RC_CODE_SIZE - 3;
    unsigned op;

    for (unsigned k = 0; p < end && k < sizeof(pfx); k++) {
        if (*p == pfx[k]) {
            p++;
            k = -1u;
        }
    }
    if (p >= end) {
        return false;
    }
    op = *p++;
    if (op == 0x0f) {
        op = 0x100 | *p++;
    }
    if ((*p >> 6) == 3) {
        return false;
    }
    for (unsigned k = 0; k < sizeof(rc_rmw_ops) / sizeof(rc_rmw_ops[0]); k++) {
        if (rc_rmw_ops[k][0] == op) {
            return (rc_rmw_ops[k][1] >> ((*p >> 3) & 7)) & 1;
        }
    }
    return false;
}

/* Run one block (blob sequence i) and print its line. */
static void rc_block(uint32_t i, const uint32_t *hdr, const uint8_t *code,
                     uint32_t len)
{
    bool b16 = i & 1;
    uint32_t s = hdr[9] | 1, m = 2166136261u;
    RcIn in;
    RcFrame *f;

    for (uint32_t k = 0; k < RC_CODE_SIZE; k += 2) {
        rc_code[k] = 0xcd;
        rc_code[k + 1] = RC_END;
    }
    memcpy(rc_code, code, len);
    for (uint32_t k = 0; k < RC_DATA_SIZE; k += 4) {
        *(uint32_t *)(rc_data + k) = rc_rand(&s);
    }
    memcpy(&in, hdr, 8 * 4);
    in.esp = 0x600;
    in.eflags = (hdr[8] & 0x0cd5u) | 2;
    in.eflags |= 0x200;     /* IF: the watchdog (IRQ 0); IOPL 0 keeps it */
    in.cs = b16 ? RC_CS16 : RC_CS32;
    in.ss = in.ds = b16 ? RC_DS16 : RC_DS32;
    __asm__ volatile("fninit");
    /* watchdog: the periodic PIT interrupt (55 ms) resumes the block
     * (it is invisible to it) until RC_TICKS of them: about a second, where
     * a block ends within microseconds */
    rc_drain();
    rc_ticks = 0;
    rc_enter(&in);
    f = rc_frame;
    if (f->vector == RC_WATCHDOG) {
        /* a loop: where it was stopped depends on time, so no state */
        outb(0x20, 0x20);
        resultf("%u watchdog", i);
        return;
    }
    for (uint32_t k = 0; k < RC_DATA_SIZE; k++) {
        m = (m ^ rc_data[k]) * 16777619u;
    }
    resultf("%u v=%02x e=%x cr2=%x ip=%x cs=%x fl=%x a=%x c=%x d=%x b=%x "
            "sp=%x bp=%x si=%x di=%x ss=%x ds=%x es=%x fs=%x gs=%x m=%08x",
            i, f->vector,
            f->vector == 14 && rc_is_rmw(f->eip) ? f->err & ~2u : f->err,
            f->vector == 14 ? f->cr2 : 0, f->eip,
            f->cs & 0xffff,
            f->eflags & ~FL_ARITH, f->eax, f->ecx, f->edx, f->ebx, f->esp,
            f->ebp, f->esi, f->edi, f->ss & 0xffff, f->ds & 0xffff,
            f->es & 0xffff, f->fs & 0xffff, f->gs & 0xffff, m);
}

void kmain(void)
{
    const uint8_t *p = rc_blob, *end = rc_blob_end;
    uint32_t n, i, counts[3] = { 0, 0, 0 };
    uint32_t idtr_save[2];

    if (end - p < 16 || memcmp(p, "DIFT", 4) != 0) {
        fail("randcode", "bad blob");
        finish(0);
    }
    n = ((const uint32_t *)p)[1];
    printf("INFO randcode seed=%u count=%u\n", ((const uint32_t *)p)[2], n);
    /* 8259A pair: IRQ 0 -> vector 32, only IRQ 0 unmasked; the PIT
     * stopped; an IRQ 0 still pending from the firmware's timer is taken
     * here, through lib's IDT */
    irq_hook = rc_eoi;
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xfe);
    outb(0xa1, 0xff);
    outb(0x43, 0x34);       /* PIT channel 0: mode 2, 65536 (55 ms) */
    outb(0x40, 0);
    outb(0x40, 0);
    __asm__ volatile("sti");
    for (volatile int k = 0; k < 1000; k++) {
        continue;
    }
    __asm__ volatile("cli");
    irq_hook = NULL;
    __asm__ volatile("sidt %0" : "=m"(idtr_save));
    rc_tables();
    rc_paging();
    p += 16;
    for (i = 0; i < n && p + 44 <= end; i++) {
        const uint32_t *hdr = (const uint32_t *)p;
        uint32_t len = *(const uint16_t *)(p + 40);

        if (len > RC_CODE_SIZE - 64 || p + 42 + len > end) {
            break;
        }
        rc_block(i, hdr, p + 42, len);
        counts[rc_frame->vector == RC_END ? 1 :
               rc_frame->vector == RC_WATCHDOG ? 2 : 0]++;
        p += (42 + len + 3) & ~3u;
    }
    __asm__ volatile("lidt %0" : : "m"(idtr_save));
    check("randcode.blocks", i, n);
    resultf("randcode ended=%u faulted=%u watchdog=%u", counts[1], counts[0],
            counts[2]);
    finish(0);
}
