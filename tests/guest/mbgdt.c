/*
 * mbgdt: the multiboot entry state QEMU's -kernel loader gives, and a
 * kernel that relies on it: the loader's GDTR (its descriptors), IDTR and
 * selectors are printed, then the kernel goes back to the loader's GDT
 * and selectors (as a kernel does that installs its IDT before its own
 * GDT) and takes software interrupts and an exception through the IDT
 * while running on it.
 */
#include "lib/lib.h"

const char kernel_name[] = "mbgdt";

/* Saved by lib/boot.S before it loads its own GDT. */
extern struct __attribute__((packed)) {
    uint16_t gdt_limit;
    uint32_t gdt_base;
    uint16_t pad0;
    uint16_t idt_limit;
    uint32_t idt_base;
    uint16_t pad1;
    uint16_t cs, ds, es, fs, gs, ss;
} entry_state;

static struct __attribute__((packed)) {
    uint16_t limit;
    uint32_t base;
} saved_gdtr, loader_gdtr;

/* Run int $0x40, int3 and a #DE on the loader's GDT and selectors. */
static void on_loader_gdt(void)
{
    uint32_t cs_now = 0, ds_now = 0;

    __asm__ volatile("sgdt %0" : "=m"(saved_gdtr));
    loader_gdtr.limit = entry_state.gdt_limit;
    loader_gdtr.base = entry_state.gdt_base;
    __asm__ volatile(
        "lgdt %2\n\t"
        "movw %3, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "pushl %4\n\t"
        "pushl $1f\n\t"
        "lret\n"
        "1:\n\t"
        "movl %%cs, %0\n\t"
        "movl %%ds, %1\n\t"
        : "=r"(cs_now), "=r"(ds_now)
        : "m"(loader_gdtr), "m"(entry_state.ds), "r"((uint32_t)entry_state.cs)
        : "eax", "memory");
    resultf("running on loader cs %x ds %x", cs_now & 0xffff,
            ds_now & 0xffff);
}

static void do_int40(void *arg)
{
    (void)arg;
    __asm__ volatile("int $0x40");
}

static void do_int3(void *arg)
{
    (void)arg;
    __asm__ volatile("int3");
}

static void do_div0(void *arg)
{
    volatile uint32_t z = 0;
    (void)arg;
    __asm__ volatile("divl %0" : : "r"(z), "a"(1), "d"(0));
}

void kmain(void)
{
    const uint8_t *g = (const uint8_t *)(uintptr_t)entry_state.gdt_base;

    resultf("entry gdt limit %x", entry_state.gdt_limit);
    resultf("entry gdt base in low 1 MiB %d",
            entry_state.gdt_base < 0x100000u);
    resultf("entry idt %x limit %x", entry_state.idt_base,
            entry_state.idt_limit);
    resultf("entry cs %x ds %x es %x fs %x gs %x ss %x", entry_state.cs,
            entry_state.ds, entry_state.es, entry_state.fs, entry_state.gs,
            entry_state.ss);
    for (unsigned i = 0; i + 7 <= entry_state.gdt_limit && i < 0x40; i += 8) {
        uint32_t lo, hi;
        memcpy(&lo, g + i, 4);
        memcpy(&hi, g + i + 4, 4);
        resultf("entry gdt[%x] %x %x", i, hi, lo);
    }
    {
        /* LDTR as a reset CPU leaves it (base 0, limit 0xFFFF, selector 0):
         * a TI=1 selector reads its descriptor at linear 8 */
        volatile uint32_t *d = (volatile uint32_t *)8;
        uint32_t lim = 0, zf = 0;
        uint16_t ldtr;

        d[0] = 0x00001234;                  /* data, base 0, limit 0x1234 */
        d[1] = 0x00409200;
        __asm__ volatile("sldt %0" : "=r"(ldtr));
        __asm__ volatile("lsl %2, %0\n\tsetz %b1"
                         : "+r"(lim), "+q"(zf) : "r"(0x000cu) : "cc");
        resultf("entry ldtr %x lsl(0x0c) zf %u limit %x", ldtr, zf, lim);
    }
    on_loader_gdt();
    resultf("int 0x40 -> %d", trap_catch(do_int40, NULL));
    resultf("int3 -> %d", trap_catch(do_int3, NULL));
    resultf("div0 -> %d", trap_catch(do_div0, NULL));
    __asm__ volatile("lgdt %0\n\t"
                     "movw $0x10, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:" : : "m"(saved_gdtr) : "eax", "memory");
    resultf("back on own gdt");
    finish(0xf0a36213);
}
