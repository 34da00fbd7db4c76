/*
 * triple: the double-fault table and the triple fault.
 *   - INT n beyond the IDT limit: #GP(n*8+2);
 *   - #GP whose gate is not present: #NP(13*8+2); #DF (err 0) when both
 *     are contributory; #DE then #GP is also #DF; INT n (software) whose gate
 *     is not present is a plain #NP (no double fault);
 *   - finally #GP -> #NP -> #DF with the #DF gate not present: a triple
 *     fault: a reset.  QEMU (-no-reboot) exits with status 0, and so does
 *     hamt86 (it also prints "triple fault at EIP ..." on stderr).
 */
#include "lib/lib.h"
#include "lib/sys.h"

const char kernel_name[] = "triple";

static unsigned npass, nfail;

static void ck(const char *name, uint32_t got, uint32_t want)
{
    if (check(name, got, want)) {
        npass++;
    } else {
        nfail++;
    }
}

static void bad_ds(void *p) { __asm__ volatile("movw %w0, %%ds" : : "r"(0x7ff8) : "memory"); }
static void int_50(void *p) { __asm__ volatile("int $0x50"); }
static void int_41(void *p) { __asm__ volatile("int $0x41"); }
static void div0(void *p) { __asm__ volatile("xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx"); }

#define GATE_P (0x80ull << 40)

void kmain(void)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr;
    int v;

    __asm__ volatile("sidt %0" : "=m"(idtr));
    ck("triple.idt.limit", idtr.limit, 256 * 8 - 1);

    /* vector beyond the IDT limit */
    idtr.limit = 0x50 * 8 - 1;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    v = trap_catch(int_50, NULL);
    idtr.limit = 256 * 8 - 1;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    ck("triple.int50.vec", (uint32_t)v, 13);
    ck("triple.int50.err", last_trap.err, 0x50 * 8 + 2);

    /* INT n to a not-present gate: #NP, not a double fault */
    sys_idt_set(0x41, sys_idt_get(0x41) & ~GATE_P);
    v = trap_catch(int_41, NULL);
    ck("triple.int41.np.vec", (uint32_t)v, 11);
    ck("triple.int41.np.err", last_trap.err, 0x41 * 8 + 2);
    sys_idt_set(0x41, sys_idt_get(0x41) | GATE_P);

    /* #GP -> #NP: double fault through the lib's interrupt gate */
    sys_idt_set(13, sys_idt_get(13) & ~GATE_P);
    v = trap_catch(bad_ds, NULL);
    ck("triple.df.vec", (uint32_t)v, 8);
    ck("triple.df.err", last_trap.err, 0);

    /* #DE -> #NP (the #DE gate not present): contributory twice */
    sys_idt_set(13, sys_idt_get(13) | GATE_P);
    sys_idt_set(0, sys_idt_get(0) & ~GATE_P);
    v = trap_catch(div0, NULL);
    ck("triple.de.df.vec", (uint32_t)v, 8);
    sys_idt_set(0, sys_idt_get(0) | GATE_P);
    v = trap_catch(div0, NULL);
    ck("triple.de.vec", (uint32_t)v, 0);

    /* now #GP -> #NP -> #DF -> #NP: triple fault, the machine stops */
    printf("INFO triple-fault-next\n");
    printf("DONE %s passed=%u failed=%u\n", kernel_name, npass, nfail);
    sys_idt_set(13, sys_idt_get(13) & ~GATE_P);
    sys_idt_set(8, sys_idt_get(8) & ~GATE_P);
    bad_ds(NULL);
    printf("FAIL triple.survived\n");
    exit(1);
}
