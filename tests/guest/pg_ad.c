/*
 * pg_ad: accessed and dirty bits (32-bit paging).
 *   - a read sets A in the PTE and A in the PDE, not D;
 *   - a write sets D (also when the translation was first loaded by a read);
 *   - D cleared with INVLPG is set again by the next write;
 *   - 4 MiB pages: A and D in the PDE;
 *   - a faulting write (read-only with CR0.WP=1, user write to a supervisor
 *     page, not present) does not set D (not checked for the first page of
 *     a split write that faults on its second page: undefined);
 *   - instruction fetch sets A; a page written only via an alias gets D
 *     only in the alias' PTE;
 *   - the page walk's A/D writes land in a page that also holds running
 *     code: the code runs exactly once per call (no spurious SMC replay).
 * Only defined bits are printed: A/D of PDEs that point to page tables are
 * printed as A only (D is ignored there).
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_ad";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define AD (PTE_A | PTE_D)

/* page-table page that also holds code: PTEs 0..511, code at +2048 */
static uint8_t ptcode[4096] __attribute__((aligned(4096)));
static volatile uint32_t counter;
#define PTC_VA 0x48000000u

static void ad_clear(void)
{
    for (int i = 0; i < 16; i++) {
        pg_pt_win[i] &= ~AD;
        invlpg(W(i));
    }
    pg_pd[PG_WIN >> 22] &= ~AD;
    write_cr3(read_cr3());
}

void kmain(void)
{
    uint32_t v;

    pg_setup32();
    for (int i = 0; i < 16; i++) {
        pg_fill_frame(i);
        pg_pt_win[i] = PG_FRAME(i) | PTE_P | PTE_W | PTE_U;
    }
    pg_pt_win[3] &= ~PTE_W;                       /* read-only */
    pg_pt_win[4] &= ~PTE_U;                       /* supervisor */
    pg_pt_win[5] = 0;                             /* not present */
    pg_pt_win[12] = PG_FRAME(11) | PTE_P | PTE_W | PTE_U;  /* alias of 11 */
    /* 4 MiB page at 0x80000000 -> 4..8 MiB */
    pg_pd[0x80000000u >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_W | PTE_U;
    pg_pd[0x80400000u >> 22] = 0x00400000u | PTE_PS | PTE_P | PTE_W | PTE_U;
    ad_clear();
    pg_pd[0] &= ~AD; pg_pd[1] &= ~AD;             /* identity PDEs too */
    write_cr3(read_cr3());

    v = *(volatile uint32_t *)(W(0) + 4);
    check("ad.read.val", v, pg_pat(0, 4));
    check("ad.read.pte", pg_pt_win[0] & AD, PTE_A);
    check("ad.read.pde", pg_pd[PG_WIN >> 22] & PTE_A, PTE_A);
    *(volatile uint32_t *)(W(1) + 8) = 1;
    check("ad.write.pte", pg_pt_win[1] & AD, AD);
    check("ad.untouched.pte", pg_pt_win[2] & AD, 0);
    /* read first, then write: D must still be set */
    v = *(volatile uint32_t *)(W(2) + 12);
    check("ad.readthenwrite.r", pg_pt_win[2] & AD, PTE_A);
    *(volatile uint32_t *)(W(2) + 16) = v;
    check("ad.readthenwrite.w", pg_pt_win[2] & AD, AD);
    /* byte, word, crossing writes */
    *(volatile uint8_t *)(W(7) + 0xfff) = 0x5a;
    check("ad.byte", pg_pt_win[7] & AD, AD);
    *(volatile uint32_t *)(W(9) - 2) = 0x01020304;
    check("ad.cross.lo", pg_pt_win[8] & AD, AD);
    check("ad.cross.hi", pg_pt_win[9] & AD, AD);
    v = *(volatile uint32_t *)(W(11) - 1);
    check("ad.crossread.lo", pg_pt_win[10] & AD, PTE_A);
    check("ad.crossread.hi", pg_pt_win[11] & AD, PTE_A);
    /* clear D with invlpg: the next write sets it again */
    pg_pt_win[1] &= ~PTE_D;
    invlpg(W(1));
    *(volatile uint32_t *)(W(1) + 8) = 2;
    check("ad.redirty", pg_pt_win[1] & AD, AD);
    pg_pt_win[1] &= ~AD;
    invlpg(W(1));
    v = *(volatile uint32_t *)(W(1) + 8);
    check("ad.reaccess", pg_pt_win[1] & AD, PTE_A);
    check("ad.reaccess.val", v, 2);
    /* rep stosl over two pages */
    {
        uint32_t d = W(13) + 0xff0, c = 8, a = 0x77777777;
        pg_pt_win[13] &= ~AD; pg_pt_win[14] &= ~AD;
        invlpg(W(13)); invlpg(W(14));
        __asm__ volatile("cld; rep stosl" : "+D"(d), "+c"(c) : "a"(a) : "memory");
        check("ad.stos.lo", pg_pt_win[13] & AD, AD);
        check("ad.stos.hi", pg_pt_win[14] & AD, AD);
    }

    /* 4 MiB pages */
    v = *(volatile uint32_t *)(0x80000000u + 0x1000);
    check("ad.pse.read", pg_pd[0x80000000u >> 22] & AD, PTE_A);
    *(volatile uint32_t *)(0x80400000u + 0x2000) = v;
    check("ad.pse.write", pg_pd[0x80400000u >> 22] & AD, AD);
    pg_pd[0x80000000u >> 22] &= ~AD;
    invlpg(0x80000000u + 0x3000);
    *(volatile uint32_t *)(0x80000000u + 0x300000) = v;
    check("ad.pse.write2", pg_pd[0x80000000u >> 22] & AD, AD);

    /* faulting writes do not set D */
    write_cr0(read_cr0() | CR0_WP);
    pg_try("ad.fault.ro", 0, pg_wr32, W(3) + 4, 9, 14, PFE_P | PFE_W, W(3) + 4, NULL);
    check("ad.fault.ro.d", pg_pt_win[3] & PTE_D, 0);
    write_cr0(read_cr0() & ~CR0_WP);
    pg_try("ad.fault.r3.sup", 3, pg_wr32, W(4) + 4, 9, 14, PFE_P | PFE_W | PFE_U, W(4) + 4, NULL);
    check("ad.fault.r3.sup.d", pg_pt_win[4] & PTE_D, 0);
    pg_try("ad.fault.np", 0, pg_wr32, W(5) + 4, 9, 14, PFE_W, W(5) + 4, NULL);
    check("ad.fault.np.pte", pg_pt_win[5], 0);
    pg_try("ad.fault.r3.ro", 3, pg_wr32, W(3) + 8, 9, 14, PFE_P | PFE_W | PFE_U, W(3) + 8, NULL);
    check("ad.fault.r3.ro.d", pg_pt_win[3] & PTE_D, 0);
    /* a write that crosses into a faulting page: D of neither page */
    pg_try("ad.fault.cross", 0, pg_wr32, W(5) - 2, 9, 14, PFE_W, W(5), NULL);
    /* (D of the first page is not defined after a split write faulting on
     * its second page; QEMU sets it, so it is not printed) */
    /* WP=0 supervisor write to a read-only page sets D */
    pg_try("ad.wp0.ro", 0, pg_wr32, W(3) + 12, 9, -1, 0, 0, NULL);
    check("ad.wp0.ro.d", pg_pt_win[3] & AD, AD);

    /* instruction fetch sets A; alias writes dirty only the alias PTE */
    pg_pt_win[11] &= ~AD; pg_pt_win[12] &= ~AD;
    invlpg(W(11)); invlpg(W(12));
    pg_put_code((volatile uint8_t *)(W(12) + 0x100), 0x1234);
    check("ad.alias.w.pte", pg_pt_win[12] & AD, AD);
    check("ad.alias.other", pg_pt_win[11] & AD, 0);
    pg_try("ad.fetch", 0, pg_call, W(11) + 0x100, 0, -1, 0, 0, &v);
    check("ad.fetch.val", v, 0x1234);
    check("ad.fetch.a", pg_pt_win[11] & AD, PTE_A);

    /* A/D writes into a page that holds running code */
    {
        uint32_t *pt = (uint32_t *)ptcode;
        uint8_t *code = ptcode + 2048;
        uint32_t n = 0;
        int k = 0;

        memset(ptcode, 0, sizeof(ptcode));
        for (int i = 0; i < 16; i++) {
            pt[i] = PG_FRAME(16 + i) | PTE_P | PTE_W | PTE_U;
            *(volatile uint32_t *)PG_FRAME(16 + i) = 0x100 + i;
        }
        pg_pd[PTC_VA >> 22] = (uint32_t)ptcode | PTE_P | PTE_W | PTE_U;
        write_cr3(read_cr3());
        /* code: for each of 16 pages (ebx from 0): counter++; eax += load;
         *       store eax back; loop.  in: edx = PTC_VA; out: eax
         *   31 c0           xor eax,eax
         *   31 c9           xor ecx,ecx
         * L:ff 05 <ctr>     inc dword [counter]
         *   03 04 0a        add eax,[edx+ecx]
         *   89 04 0a        mov [edx+ecx],eax
         *   ff 05 <ctr>     inc dword [counter]
         *   81 c1 00 10 00 00 add ecx,0x1000
         *   81 f9 00 00 01 00 cmp ecx,0x10000
         *   75 xx           jne L
         *   c3              ret */
        uint32_t ctr = (uint32_t)&counter;
        code[k++] = 0x31; code[k++] = 0xc0;
        code[k++] = 0x31; code[k++] = 0xc9;
        int L = k;
        code[k++] = 0xff; code[k++] = 0x05; memcpy(code + k, &ctr, 4); k += 4;
        code[k++] = 0x03; code[k++] = 0x04; code[k++] = 0x0a;
        code[k++] = 0x89; code[k++] = 0x04; code[k++] = 0x0a;
        code[k++] = 0xff; code[k++] = 0x05; memcpy(code + k, &ctr, 4); k += 4;
        code[k++] = 0x81; code[k++] = 0xc1; code[k++] = 0x00; code[k++] = 0x10; code[k++] = 0; code[k++] = 0;
        code[k++] = 0x81; code[k++] = 0xf9; code[k++] = 0; code[k++] = 0; code[k++] = 0x01; code[k++] = 0;
        code[k++] = 0x75; code[k] = (uint8_t)(L - (k + 1)); k++;
        code[k++] = 0xc3;
        for (int round = 0; round < 3; round++) {
            uint32_t r;
            counter = 0;
            for (int i = 0; i < 16; i++) {
                pt[i] &= ~AD;
                invlpg(PTC_VA + (uint32_t)i * 4096);
            }
            __asm__ volatile("call *%1" : "=a"(r) : "r"(code), "d"(PTC_VA) : "ecx", "memory", "cc");
            n = 0;
            for (int i = 0; i < 16; i++) {
                n += (pt[i] & AD) == AD;
            }
            resultf("ad.ptcode round=%d ret=%x counter=%u dirty=%u", round, r, counter, n);
        }
        check("ad.ptcode.counter", counter, 32);
        check("ad.ptcode.dirty", n, 16);
    }
    finish(0xe64d6553);
}
