/*
 * pg_rmw: the #PF of a read-modify-write destination.  The CPU checks such
 * a destination as a write before it reads it:
 *   - on a not-present page, ADD/OR/INC/NOT/XCHG/XADD/CMPXCHG/CMPXCHG8B,
 *     LOCK ADD, shifts and rotates (also by 0), SHLD/SHRD and BTS report
 *     W=1 in the error code; CMP/TEST/BT (reads only) report W=0;
 *   - on a present read-only page from ring 3, a shift or rotate by 0
 *     (immediate or CL), which leaves memory unchanged, still faults with
 *     W=1 (U|W|P); a CMP does not fault.
 * Measured on an x86_64 CPU (AMD EPYC; the SIGSEGV error code of the same
 * instructions on PROT_NONE / PROT_READ pages, docs/RELIABILITY.md).
 * QEMU 7.2 reads first and reports W=0 on a not-present page, so the error
 * codes of the read-modify-write cases are checked on "SDM" lines, which
 * run.sh does not compare with QEMU but wants ok on hamt86; the vector,
 * CR2 and the read-only cases are compared with QEMU as usual.
 */
#include "lib/lib.h"
#include "lib/pgt.h"

const char kernel_name[] = "pg_rmw";

#define W(i) (PG_WIN + (uint32_t)(i) * 4096u)
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Append a, b and c to n (a buffer of 48). */
static void strcat3(char *n, const char *a, const char *b, const char *c)
{
    const char *parts[] = { a, b, c };
    size_t l = strlen(n);

    for (int i = 0; i < 3; i++) {
        for (const char *p = parts[i]; *p && l + 1 < 48; p++) {
            n[l++] = *p;
        }
    }
    n[l] = 0;
}

/* One read-modify-write (or read) form on the address in a->addr. */
#define RMW_FN(fn, insn, ...)                                   \
    static void fn(void *p)                                     \
    {                                                           \
        PgAccess *a = p;                                        \
        __asm__ volatile(insn : : "r"(a->addr), ##__VA_ARGS__   \
                         : "memory", "cc");                     \
    }

RMW_FN(op_add, "addl $1, (%0)")
RMW_FN(op_or8, "orb $1, (%0)")
RMW_FN(op_inc16, "incw (%0)")
RMW_FN(op_not, "notl (%0)")
RMW_FN(op_lock_add, "lock addl $1, (%0)")
RMW_FN(op_xchg, "xchgl %%ecx, (%0)", "c"(5))
RMW_FN(op_xadd, "xaddl %%ecx, (%0)", "c"(5))
RMW_FN(op_cmpxchg, "cmpxchgl %%ecx, (%0)", "a"(0), "c"(5))
RMW_FN(op_cmpxchg8b, "cmpxchg8b (%0)", "a"(0), "d"(0), "b"(1), "c"(2))
RMW_FN(op_shl1, "shll $1, (%0)")
RMW_FN(op_rol0, "roll $0, (%0)")
RMW_FN(op_shlcl0, "shll %%cl, (%0)", "c"(0))
RMW_FN(op_rcl9, "rclb $9, (%0)")
RMW_FN(op_shld0, "shldl $0, %%ecx, (%0)", "c"(0))
RMW_FN(op_shrdcl, "shrdl %%cl, %%edx, (%0)", "c"(3), "d"(0))
RMW_FN(op_bts, "btsl $3, (%0)")
RMW_FN(op_cmp, "cmpl $1, (%0)")
RMW_FN(op_test, "testl %%ecx, (%0)", "c"(1))
RMW_FN(op_bt, "btl $3, (%0)")

typedef struct RmwCase {
    const char *name;
    void (*fn)(void *);
    bool rmw;              /* read-modify-write: W=1 on a not-present page */
} RmwCase;

static const RmwCase cases[] = {
    { "add", op_add, true },
    { "or8", op_or8, true },
    { "inc16", op_inc16, true },
    { "not", op_not, true },
    { "lock_add", op_lock_add, true },
    { "xchg", op_xchg, true },
    { "xadd", op_xadd, true },
    { "cmpxchg", op_cmpxchg, true },
    { "cmpxchg8b", op_cmpxchg8b, true },
    { "shl1", op_shl1, true },
    { "rol0", op_rol0, true },
    { "shlcl0", op_shlcl0, true },
    { "rcl9", op_rcl9, true },
    { "shld0", op_shld0, true },
    { "shrdcl", op_shrdcl, true },
    { "bts", op_bts, true },
    { "cmp", op_cmp, false },
    { "test", op_test, false },
    { "bt", op_bt, false },
};

/* Run c on addr at ring: vector and CR2 compared with QEMU, the error
 * code of a read-modify-write on an SDM line (pg_expect_sdm). */
static void try_case(const char *what, const RmwCase *c, int ring,
                     uint32_t addr, uint32_t want_err)
{
    PgAccess a = { addr, 0 };
    char n[48] = "rmw.";

    strcat3(n, what, ".", c->name);
    if (c->rmw) {
        pg_expect_sdm(n, ring, c->fn, &a, 14, want_err, addr);
    } else {
        pg_expect(n, ring, c->fn, &a, 14, want_err & ~(uint32_t)PFE_W, addr);
    }
}

void kmain(void)
{
    pg_setup32();
    for (int i = 0; i < 4; i++) {
        pg_fill_frame(i);
    }
    /* window: page 0 RW user, 1 RO user, 4 not present */
    pg_pt_win[0] = PG_FRAME(0) | PTE_P | PTE_W | PTE_U;
    pg_pt_win[1] = PG_FRAME(1) | PTE_P | PTE_U;
    pg_pt_win[4] = 0;
    write_cr3((uint32_t)pg_pd);

    for (int i = 0; i < NELEM(cases); i++) {
        /* not present, ring 0 and ring 3 (in the middle of the page) */
        try_case("np.r0", &cases[i], 0, W(4) + 0x100, PFE_W);
        try_case("np.r3", &cases[i], 3, W(4) + 0x200, PFE_U | PFE_W);
    }

    /* read-only user page from ring 3: forms that leave memory unchanged
     * still fault as writes; a read does not fault */
    {
        static const RmwCase ro[] = {
            { "rol0", op_rol0, true },
            { "shlcl0", op_shlcl0, true },
            { "shld0", op_shld0, true },
            { "rcl9", op_rcl9, true },
            { "add", op_add, true },
        };
        PgAccess a = { W(1) + 0x40, 0 };
        int vec;

        for (int i = 0; i < NELEM(ro); i++) {
            try_case("ro.r3", &ro[i], 3, W(1) + 0x40,
                     PFE_U | PFE_W | PFE_P);
        }
        vec = ring3_run(op_cmp, &a);
        check("rmw.ro.r3.cmp.vec", (uint32_t)(vec == 0x80 ? -1 : vec),
              (uint32_t)-1);
        check("rmw.ro.r3.unchanged", *(volatile uint32_t *)(PG_FRAME(1) + 0x40),
              pg_pat(1, 0x40));
    }
    sdm_done();
    finish(0x811c9dc5);
}
