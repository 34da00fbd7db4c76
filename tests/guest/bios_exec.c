/*
 * bios_exec: code runs from the high BIOS alias (issue 16 item 4).  The
 * firmware RAM at 0xE0000-0xFFFFF also appears at 0xFFFE0000-0xFFFFFFFF
 * (hw/firmware.c); code there must translate and invalidate like RAM:
 *   - a function written at 0xFF800 runs at 0xFF800 and at 0xFFFFF800;
 *   - rewritten through either address, it returns the new value at both
 *     (self-modifying code between the aliases, both ways), also after
 *     it ran often enough to be translated and chained;
 *   - with paging: through a 4 MiB page over 0xFFC00000 (identity) and a
 *     4 MiB page at 0x80000000 mapping the same frame, and SMC through
 *     each linear address.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "bios_exec";

#define LO    0x000ff800u
#define HI    0xfffff800u
#define PAGED 0x803ff800u     /* 0x80000000 -> 0xffc00000, 4 MiB */

/* Write "mov eax, imm32; ret" at address a. */
static void put(uint32_t a, uint32_t imm)
{
    pg_put_code((volatile uint8_t *)a, imm);
}

/* Call the function at a (a few times: translated, maybe chained). */
static uint32_t run(uint32_t a)
{
    uint32_t v = 0;

    for (int i = 0; i < 3; i++) {
        v = ((uint32_t (*)(void))a)();
    }
    return v;
}

/* Write through wr, run at each of the addresses, print. */
static void step(const char *name, uint32_t wr, uint32_t imm,
                 const uint32_t *at, int n)
{

    put(wr, imm);
    for (int i = 0; i < n; i++) {
        uint32_t v = run(at[i]);
        resultf("exec.%s at=%08x ret=%08x", name, at[i], v);
        check(name, v, imm);
    }
}

void kmain(void)
{
    uint32_t flat[] = { LO, HI };
    uint32_t paged[] = { LO, HI, PAGED };

    /* paging off */
    step("lo_write", LO, 0x11111111u, flat, 2);
    step("hi_write", HI, 0x22222222u, flat, 2);
    step("lo_again", LO, 0x33333333u, flat, 2);
    /* the other alias first */
    put(LO, 0x44444444u);
    result("exec.hi_first", run(HI));
    put(HI, 0x55555555u);
    result("exec.hi_then_lo", run(LO));
    result("exec.hi_then_hi", run(HI));

    /* paging: 4 MiB pages over 0xFFC00000 (identity) and at 0x80000000 */
    pg_setup32();
    pg_pd[0xffc00000u >> 22] = 0xffc00000u | PTE_PS | PTE_P | PTE_W;
    pg_pd[0x80000000u >> 22] = 0xffc00000u | PTE_PS | PTE_P | PTE_W;
    write_cr3(read_cr3());
    step("pg_lo_write", LO, 0x66666666u, paged, 3);
    step("pg_hi_write", HI, 0x77777777u, paged, 3);
    step("pg_alias_write", PAGED, 0x88888888u, paged, 3);
    step("pg_lo_again", LO, 0x99999999u, paged, 3);
    finish(0xf5fb7d62);
}
