/*
 * mem_fork: page-table-heavy fork-like remapping.  A 1 MiB "parent" image
 * (256 pages at VA 0x40000000) is forked GENS times: each fork builds a
 * fresh page directory and page table mapping the parent's frames
 * read-only (copy-on-write), switches CR3 to it, reads every page, and
 * writes a quarter of them; each first write faults (#PF with CR0.WP=1),
 * the "kernel" copies the frame, maps the copy writable, INVLPGs and
 * retries.  Then it switches back to the parent.
 * Prints "INFO fork gens=<n> faults=<n> accesses=<n> sum=<hash>".
 */
#include "benchmem.h"

const char kernel_name[] = "mem_fork";

#define IMG_VA   0x40000000u
#define NPG      256
#define PARENT   BM_DATA                     /* 256 frames */
#define CHILD    (BM_DATA + 0x00200000u)     /* 256 frames for copies */
#define GENS     (200 * BM_SCALE)

static uint32_t fk_pd[2][1024] __attribute__((aligned(4096)));
static uint32_t fk_pt[2][1024] __attribute__((aligned(4096)));

static void wr(void *p)
{
    PgAccess *a = p;
    *(volatile uint32_t *)a->addr += a->val;
}

void kmain(void)
{
    uint32_t faults = 0, sum = 0, n = 0;

    bm_paging_on();
    for (uint32_t i = 0; i < NPG * 1024; i++) {
        ((volatile uint32_t *)PARENT)[i] = i * 0x01000193u;
    }
    write_cr0(read_cr0() | CR0_WP);
    for (uint32_t g = 0; g < GENS; g++) {
        int c = g & 1;
        /* fork: new directory + table */
        memcpy(fk_pd[c], bm_pd, 4096);
        for (int i = 0; i < NPG; i++) {
            fk_pt[c][i] = (PARENT + (uint32_t)i * 4096) | PTE_P | PTE_U;   /* COW */
        }
        memset(&fk_pt[c][NPG], 0, (1024 - NPG) * 4);
        fk_pd[c][IMG_VA >> 22] = (uint32_t)fk_pt[c] | PTE_P | PTE_W | PTE_U;
        write_cr3((uint32_t)fk_pd[c]);
        /* child runs */
        for (uint32_t i = 0; i < NPG; i++) {
            sum = sum * 7 + *(volatile uint32_t *)(IMG_VA + i * 4096 + ((i * 68 + g * 4) & 0xffc));
        }
        n += NPG;
        for (uint32_t i = (g & 3); i < NPG; i += 4) {
            PgAccess a = { IMG_VA + i * 4096 + ((g * 12) & 0xffc), g + i };
            while (trap_catch(wr, &a) == 14) {
                /* copy-on-write fault: copy the frame, map it writable */
                uint32_t va = read_cr2() & ~0xfffu, pg = (va - IMG_VA) >> 12;
                uint32_t src = fk_pt[c][pg] & ~0xfffu, dst = CHILD + pg * 4096;
                memcpy((void *)dst, (void *)src, 4096);
                fk_pt[c][pg] = dst | PTE_P | PTE_W | PTE_U;
                invlpg(va);
                faults++;
                n += 2048;
            }
            n += 2;
        }
        /* child exits: back to the parent's directory */
        write_cr3((uint32_t)bm_pd);
    }
    write_cr0(read_cr0() & ~CR0_WP);
    resultf("fork gens=%u faults=%u accesses=%u sum=%08x", GENS, faults, n, sum);
    resultf("mem_fork accesses=%u", n);
    finish(0);
}
