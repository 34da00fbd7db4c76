/*
 * hamt86 guest test kernels: the GDT/TSS/ring-3 code shared by sys.h
 * (segmentation/task kernels) and pgt.h (paging kernels).  Each of those
 * headers keeps its own tables and stacks (pgt.h puts the GDT and TSS in
 * one page of their own); this header only has the code that works on them.
 * Header only, include after lib.h.
 *
 *   - gdt_desc builds a segment descriptor;
 *   - gdt_load loads a GDT whose first entries match boot.S (0x08 kernel
 *     code, 0x10 kernel data), reloads every segment register and loads TR
 *     with 0x30;
 *   - gdt_ring3_run(fn, arg, eflags, stack top) runs fn(arg) at CPL 3 with
 *     an iret (CS 0x23, SS/DS/ES/FS/GS 0x2b); fn's return lands on a stub
 *     that executes int $0x80.  Every exception from ring 3 unwinds through
 *     trap_catch, so the result is the vector: 0x80 means fn returned.
 */
#ifndef GUEST_GDT_H
#define GUEST_GDT_H

#include "lib.h"

#define GDT_KDATA 0x10
#define GDT_UCODE 0x23
#define GDT_UDATA 0x2b

/* Segment descriptor for base/limit (limit in bytes, or in 4 KiB units with
 * G), access byte (P DPL S type) and flags nibble (G DB L AVL). */
static inline uint64_t gdt_desc(uint32_t base, uint32_t limit, uint8_t access,
                                uint8_t flags)
{
    return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

/* Load the flat kernel data selector into DS/ES/FS/GS (after ring 3). */
static inline void gdt_reload_kseg(void)
{
    __asm__ volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%fs; movw %w0, %%gs"
                     : : "r"(GDT_KDATA) : "memory");
}

/* LGDT, far jump to 0x08, data segments 0x10, LTR 0x30. */
static inline void gdt_load(const void *gdt, uint16_t limit)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) gdtr;

    gdtr.limit = limit;
    gdtr.base = (uint32_t)gdt;
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\n\t"
                     "movw $0x10, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "movw %%ax, %%ss\n\t"
                     "movw $0x30, %%ax\n\t"
                     "ltr %%ax"
                     : : "m"(gdtr) : "eax", "memory");
}

/* The user-mode return stub: fn returns here, int $0x80 goes back to ring 0. */
__asm__(".section .text\n"
        ".globl gdt_ring3_ret\n"
        "gdt_ring3_ret:\n\t"
        "int $0x80\n\t"
        "ud2\n");
extern void gdt_ring3_ret(void);

typedef struct GdtRing3 {
    void (*fn)(void *);
    void *arg;
    uint32_t eflags;
    uint8_t *stack_top;
} GdtRing3;

static void __attribute__((unused, noinline)) gdt_ring3_enter(void *p)
{
    GdtRing3 *c = p;
    uint32_t *sp = (uint32_t *)c->stack_top;

    *--sp = (uint32_t)c->arg;
    *--sp = (uint32_t)gdt_ring3_ret;
    __asm__ volatile("movw %w0, %%ds\n\t"
                     "movw %w0, %%es\n\t"
                     "movw %w0, %%fs\n\t"
                     "movw %w0, %%gs\n\t"
                     "pushl %0\n\t"          /* ss */
                     "pushl %1\n\t"          /* esp */
                     "pushl %4\n\t"          /* eflags */
                     "pushl %2\n\t"          /* cs */
                     "pushl %3\n\t"          /* eip */
                     "iretl"
                     : : "r"((uint32_t)GDT_UDATA), "r"(sp), "r"((uint32_t)GDT_UCODE),
                         "r"(c->fn), "r"(c->eflags)
                     : "memory");
    __builtin_unreachable();
}

/* Run fn(arg) at CPL 3 with EFLAGS eflags (bit 1 forced) on the stack
 * ending at stack_top; 0x80 when fn returned, else the vector. */
static inline int __attribute__((unused)) gdt_ring3_run(void (*fn)(void *), void *arg,
                                                        uint32_t eflags,
                                                        uint8_t *stack_top)
{
    GdtRing3 c = { fn, arg, eflags | 2, stack_top };
    int v = trap_catch(gdt_ring3_enter, &c);

    gdt_reload_kseg();
    return v;
}

#endif
