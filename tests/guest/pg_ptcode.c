/*
 * pg_ptcode: the page walker's A/D updates reach code that contains the
 * page-table entry (issue 16 item 3).  A page table whose page also holds
 * code: each function is "mov eax, imm32; ret 0", and its imm32 is a PTE.
 * After the function has run (so it is translated), an access through
 * that PTE makes the walker set A (a read) and then D (a write); the next
 * call must return the new PTE, as on a real CPU and in QEMU.
 *
 * Layout of the page-table page (PTE index: value):
 *   2j-1: 0xb80000c2   not present; bytes c2 00 00 = "ret 0" of slot j-1,
 *                      top byte b8 = "mov eax, imm32" of slot j
 *   2j:   a mapping    the imm32 of slot j (4 KiB page, P W U)
 * so slot j's code starts at byte 8j - 1.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_ptcode";

#define PTC_VA 0x48000000u
#define SLOTS 8

static uint32_t ptcode[1024] __attribute__((aligned(4096)));

/* Slot j's function: returns PTE 2j. */
static uint32_t call_slot(int j)
{
    return ((uint32_t (*)(void))((uint8_t *)ptcode + 8 * j - 1))();
}

void kmain(void)
{
    uint32_t a = PTE_A, d = PTE_D, sum = 0;

    pg_setup32();
    for (int i = 0; i < 1024; i++) {
        ptcode[i] = (i & 1) ? 0xb80000c2u : 0;
    }
    for (int j = 1; j <= SLOTS; j++) {
        ptcode[2 * j] = PG_FRAME(j) | PTE_P | PTE_W | PTE_U;
        *(volatile uint32_t *)PG_FRAME(j) = 0x1000u + (uint32_t)j;
    }
    pg_pd[PTC_VA >> 22] = (uint32_t)ptcode | PTE_P | PTE_W | PTE_U;
    write_cr3(read_cr3());

    for (int j = 1; j <= SLOTS; j++) {
        volatile uint32_t *p = (volatile uint32_t *)(PTC_VA + 2u * j * 4096u);
        uint32_t v0, v1, v2, v3, x;

        /* run it a few times: translated (and chained, where it is) */
        for (int r = 0; r < 3; r++) {
            v0 = call_slot(j);
        }
        x = p[0];                   /* walk: sets A in PTE 2j */
        v1 = call_slot(j);
        p[1] = x + 1;               /* TLB hit, D clear: sets D */
        v2 = call_slot(j);
        /* clear A/D by a normal store (SMC), flush, read again */
        ptcode[2 * j] &= ~(a | d);
        invlpg((uint32_t)p);
        v3 = call_slot(j);
        x += p[1];
        sum += x;
        resultf("ptcode.slot%d fresh=%x after_read=%x after_write=%x "
                "cleared=%x", j, v0 & 0xfff, v1 & 0xfff, v2 & 0xfff,
                v3 & 0xfff);
        check("ptcode.a", v1 & (a | d), a);
        check("ptcode.ad", v2 & (a | d), a | d);
        check("ptcode.cleared", v3 & (a | d), 0);
    }
    result("ptcode.sum", sum);
    finish(0x8f1e1d9c);
}
