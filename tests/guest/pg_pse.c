/*
 * pg_pse: 4 MiB pages (CR4.PSE) under 32-bit paging.
 *   - reads/writes/code through 4 MiB pages, aliases with 4 KiB mappings;
 *   - accesses crossing from a 4 MiB page into a 4 KiB-mapped region and
 *     into a not-present PDE (CR2 = the boundary);
 *   - PSE-36: PDE bits 13..20 are physical address bits 32..39: a page
 *     above 4 GiB is unassigned memory (reads 0, writes dropped), it does
 *     not alias low RAM; bit 21 is reserved (#PF with RSVD);
 *   - CR4.PSE=0: the PS bit is ignored, the PDE points to a page table.
 */
/*
 * RSVD faults: the error code checked is the reference's, RSVD without P
 * (QEMU 7.2 reports 0x08 | W | U; the SDM says real CPUs also set P).
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_pse";

#define BIG  0x80000000u          /* 4 MiB -> 4..8 MiB */
#define BIG2 0x80400000u          /* 4 MiB -> 4..8 MiB (alias) */
#define BIGHI 0x80800000u         /* 4 MiB -> 4 GiB + 4 MiB (PSE-36) */
#define BIGRSV 0x80c00000u        /* reserved bit 21 set */
#define BIGT 0x81000000u          /* PS=1 entry pointing at a table */

static uint32_t pt_fake[1024] __attribute__((aligned(4096)));
static uint32_t rd(uint32_t va) { return *(volatile uint32_t *)va; }

void kmain(void)
{
    uint32_t a, b, c, d, v;

    cpuid(1, &a, &b, &c, &d);
    check("pse.cpuid.pse", (d >> 3) & 1, 1);
    check("pse.cpuid.pse36", (d >> 17) & 1, 1);
    pg_setup32();
    for (int i = 0; i < 1024; i += 1) {
        pg_fill_frame(i);
    }
    pg_pd[BIG >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_W;
    pg_pd[BIG2 >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_W;
    /* window 0x40000000 maps frames 0..1023 of the pool with 4 KiB pages */
    for (int i = 0; i < 1024; i++) {
        pg_pt_win[i] = PG_FRAME(i) | PTE_P | PTE_W;
    }
    write_cr3(read_cr3());

    check("pse.read", rd(BIG + 0x12344), pg_pat(0x12, 0x344));
    check("pse.read.end", rd(BIG + 0x3ffffc), pg_pat(0x3ff, 0xffc));
    *(volatile uint32_t *)(BIG + 0x201008) = 0xb16b16;
    check("pse.alias.big", rd(BIG2 + 0x201008), 0xb16b16);
    check("pse.alias.4k", rd(PG_WIN + 0x201008), 0xb16b16);
    check("pse.alias.ident", rd(0x00601008), 0xb16b16);
    *(volatile uint32_t *)(PG_WIN + 0x3ff000) = 0x4c4c4c4c;
    check("pse.alias.from4k", rd(BIG2 + 0x3ff000), 0x4c4c4c4c);
    /* crossing from one 4 MiB page into the next (BIG -> BIG2) */
    *(volatile uint32_t *)(BIG2 - 2) = 0xa1b2c3d4;
    check("pse.cross.big", rd(BIG + 0x3ffffe) & 0xffff, 0xc3d4);
    check("pse.cross.big2", rd(BIG2) & 0xffff, 0xa1b2);
    /* crossing into a not-present PDE */
    pg_try("pse.cross.np", 0, pg_rd32, BIGHI - 1, 0, 14, 0, BIGHI, NULL);
    pg_try("pse.np.write", 0, pg_wr32, BIGT + 0x123456, 0, 14, PFE_W, BIGT + 0x123456, NULL);
    /* code in a 4 MiB page, modified through the 4 KiB window */
    pg_put_code((volatile uint8_t *)(PG_WIN + 0x300100), 0x3e3e);
    pg_try("pse.code", 0, pg_call, BIG + 0x300100, 0, -1, 0, 0, &v);
    check("pse.code.val", v, 0x3e3e);
    *(volatile uint32_t *)(PG_WIN + 0x300101) = 0x3f3f;
    pg_try("pse.code.smc", 0, pg_call, BIG2 + 0x300100, 0, -1, 0, 0, &v);
    check("pse.code.smc.val", v, 0x3f3f);

    /* PSE-36: bits 13..20 -> PA 32..39; 4 GiB + 4 MiB is unassigned */
    pg_pd[BIGHI >> 22] = 0x00400000u | (1u << 13) | PTE_PS | PTE_P | PTE_W;
    invlpg(BIGHI);
    pg_try("pse36.read", 0, pg_rd32, BIGHI + 0x1000, 0, -1, 0, 0, &v);
    check("pse36.read.val", v, 0);
    pg_try("pse36.write", 0, pg_wr32, BIGHI + 0x1000, 0x36363636, -1, 0, 0, NULL);
    check("pse36.noalias", rd(0x00401000), pg_pat(1, 0));
    check("pse36.reread", rd(BIGHI + 0x1000), 0);
    /* bit 21 reserved */
    pg_pd[BIGRSV >> 22] = 0x00400000u | (1u << 21) | PTE_PS | PTE_P | PTE_W;
    invlpg(BIGRSV);
    pg_try("pse.rsvd.read", 0, pg_rd32, BIGRSV + 8, 0, 14, PFE_RSVD, BIGRSV + 8, NULL);
    pg_try("pse.rsvd.write", 0, pg_wr32, BIGRSV + 12, 0, 14, PFE_RSVD | PFE_W, BIGRSV + 12, NULL);
    pg_try("pse.rsvd.r3", 3, pg_rd32, BIGRSV + 16, 0, 14, PFE_RSVD | PFE_U, BIGRSV + 16, NULL);

    /* CR4.PSE=0: PS ignored; the entry's address is a page table */
    for (int i = 0; i < 1024; i++) {
        pt_fake[i] = PG_FRAME(1023 - i) | PTE_P | PTE_W;
    }
    pg_pd[BIGT >> 22] = (uint32_t)pt_fake | PTE_PS | PTE_P | PTE_W;
    write_cr4(read_cr4() & ~CR4_PSE);
    /* the identity map uses 4 KiB pages, so the kernel keeps running */
    check("pse.off.pt", rd(BIGT + 0x2010), pg_pat(1021, 0x10));
    write_cr4(read_cr4() | CR4_PSE);
    pg_pd[BIGT >> 22] = 0;
    write_cr3(read_cr3());

    /* walk all 4 MiB through BIG with a stride, write via BIG2 */
    {
        uint32_t sum = 0;
        for (uint32_t off = 0; off < 0x400000; off += 0x1040) {
            *(volatile uint32_t *)(BIG2 + off) ^= off;
        }
        for (uint32_t off = 0; off < 0x400000; off += 0x820) {
            sum = sum * 17 + rd(BIG + off);
        }
        result("pse.walk.sum", sum);
    }
    finish(0xf9686226);
}
