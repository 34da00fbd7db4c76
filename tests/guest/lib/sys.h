/*
 * hamt86 guest test kernels: segmentation / privilege / task helpers
 * (header only, include after lib.h; the Makefile's lib objects stay as
 * they are).
 *
 *   - sys_desc / sys_gate build descriptors, sys_gdt_set installs them;
 *   - sys_init loads a 32-entry GDT and a TSS with a full I/O bitmap;
 *   - sys_idt_set replaces one IDT gate (the lib's IDT, found with SIDT);
 *   - sys_ring3_run(fn, arg, eflags) runs fn(arg) at CPL 3 and comes back
 *     (0x80 when fn returned, else the vector; last_trap has the details).
 *
 * The GDT loading and ring-3 entry code is gdt.h's (shared with pgt.h).
 *
 * GDT (the first three match boot.S so the IDT's selector 0x08 stays valid):
 *   0x08 kernel code  0x10 kernel data  0x18 data16
 *   0x23 user code (DPL 3)  0x2b user data (DPL 3)  0x30 TSS
 *   0x38.. (index 7..31): free for the tests (sys_gdt_set)
 */
#ifndef GUEST_SYS_H
#define GUEST_SYS_H

#include "lib.h"
#include "gdt.h"

#define SYS_KCODE  0x08
#define SYS_KDATA  0x10
#define SYS_DATA16 0x18
#define SYS_UCODE  0x23
#define SYS_UDATA  0x2b
#define SYS_TSS    0x30
#define SYS_SEL(i) ((i) << 3)

/* Access bytes (P DPL S type). */
#define ACC_CODE   0x9a   /* present, DPL 0, execute/read */
#define ACC_DATA   0x92   /* present, DPL 0, read/write */
#define ACC_DPL(d) ((d) << 5)
#define ACC_TSS32  0x89   /* available 32-bit TSS */
#define ACC_CALLG  0x8c   /* 32-bit call gate */
#define ACC_INTG   0x8e   /* 32-bit interrupt gate */
#define ACC_TRAPG  0x8f   /* 32-bit trap gate */
#define ACC_TASKG  0x85   /* task gate */
#define ACC_LDT    0x82
/* Flags nibble (G DB L AVL). */
#define FLG_G32    0xc
#define FLG_32     0x4

/* A 32-bit TSS followed by its I/O permission bitmap (+ the 0xff byte). */
typedef struct SysTss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
    uint8_t bitmap[8192 + 1];
} __attribute__((packed)) SysTss;

static uint64_t sys_gdt[32] __attribute__((aligned(8), unused));
static SysTss sys_tss __attribute__((aligned(128), unused));
static uint8_t sys_trap_stack[16384] __attribute__((aligned(16), unused));
static uint8_t sys_user_stack[16384] __attribute__((aligned(16), unused));

/* Segment descriptor: limit in bytes (or 4 KiB units with G), access, flags. */
#define sys_desc gdt_desc

/* Gate descriptor (call/interrupt/trap/task): selector, offset, access,
 * parameter count (call gates). */
static inline uint64_t sys_gate(uint16_t sel, uint32_t off, uint8_t access,
                                uint8_t params)
{
    return (uint64_t)(off & 0xffff) | ((uint64_t)sel << 16) |
           ((uint64_t)(params & 0x1f) << 32) | ((uint64_t)access << 40) |
           ((uint64_t)(off >> 16) << 48);
}

static inline void sys_gdt_set(int idx, uint64_t d)
{
    ((volatile uint64_t *)sys_gdt)[idx] = d;
}

/* Reload DS/ES/FS/GS with the kernel data selector. */
#define sys_reload_kseg gdt_reload_kseg

/* Load the GDT and TR; every I/O port denied by the bitmap. */
static void __attribute__((unused)) sys_init(void)
{
    memset(sys_gdt, 0, sizeof(sys_gdt));
    sys_gdt[1] = sys_desc(0, 0xfffff, ACC_CODE, FLG_G32);
    sys_gdt[2] = sys_desc(0, 0xfffff, ACC_DATA, FLG_G32);
    sys_gdt[3] = sys_desc(0, 0xffff, ACC_DATA, 0);
    sys_gdt[4] = sys_desc(0, 0xfffff, ACC_CODE | ACC_DPL(3), FLG_G32);
    sys_gdt[5] = sys_desc(0, 0xfffff, ACC_DATA | ACC_DPL(3), FLG_G32);
    memset(&sys_tss, 0, sizeof(sys_tss));
    sys_tss.esp0 = (uint32_t)(sys_trap_stack + sizeof(sys_trap_stack));
    sys_tss.ss0 = SYS_KDATA;
    sys_tss.iomap = 104;
    memset(sys_tss.bitmap, 0xff, sizeof(sys_tss.bitmap));
    sys_gdt[6] = sys_desc((uint32_t)&sys_tss, sizeof(sys_tss) - 1, ACC_TSS32, 0);
    gdt_load(sys_gdt, sizeof(sys_gdt) - 1);
}

/* Allow (1) or deny (0) port in the TSS I/O bitmap. */
static inline void sys_io_allow(uint16_t port, int allow)
{
    if (allow) {
        sys_tss.bitmap[port >> 3] &= (uint8_t)~(1u << (port & 7));
    } else {
        sys_tss.bitmap[port >> 3] |= (uint8_t)(1u << (port & 7));
    }
}

/* Replace IDT gate vec. */
static inline void sys_idt_set(int vec, uint64_t gate)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr;

    __asm__ volatile("sidt %0" : "=m"(idtr));
    ((volatile uint64_t *)idtr.base)[vec] = gate;
}

/* Read IDT gate vec. */
static inline uint64_t sys_idt_get(int vec)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) idtr;

    __asm__ volatile("sidt %0" : "=m"(idtr));
    return ((volatile uint64_t *)idtr.base)[vec];
}

/* Run fn(arg) at CPL 3 with the given EFLAGS; 0x80 when fn returned. */
static inline int __attribute__((unused)) sys_ring3_run(void (*fn)(void *), void *arg,
                                                        uint32_t eflags)
{
    return gdt_ring3_run(fn, arg, eflags, sys_user_stack + sizeof(sys_user_stack));
}

/* Selector access helpers. */
static inline uint32_t sys_lar(uint32_t sel, int *zf)
{
    uint32_t v = 0xdeadbeef;
    uint8_t z;

    __asm__ volatile("larl %2, %0; setz %1" : "+r"(v), "=q"(z) : "r"(sel) : "cc");
    *zf = z;
    return v;
}
static inline uint32_t sys_lsl(uint32_t sel, int *zf)
{
    uint32_t v = 0xdeadbeef;
    uint8_t z;

    __asm__ volatile("lsll %2, %0; setz %1" : "+r"(v), "=q"(z) : "r"(sel) : "cc");
    *zf = z;
    return v;
}
static inline int sys_verr(uint16_t sel)
{
    uint8_t z;

    __asm__ volatile("verr %1; setz %0" : "=q"(z) : "r"(sel) : "cc");
    return z;
}
static inline int sys_verw(uint16_t sel)
{
    uint8_t z;

    __asm__ volatile("verw %1; setz %0" : "=q"(z) : "r"(sel) : "cc");
    return z;
}

#endif
