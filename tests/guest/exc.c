/*
 * exc: exceptions and software interrupts, with the faulting / return EIP
 * and the register state at the fault (precise exceptions):
 *   #UD from ud2, an unassigned opcode, lock on a register operand;
 *   #DE from div by zero and idiv overflow; #BR from bound;
 *   int3, int n (0x40, 0x80), into with OF set and clear.
 */
#include "lib/lib.h"

const char kernel_name[] = "exc";

/* Every test first sets the registers expect() prints. */
#define SETREGS "pushl $0; popfl; movl $0xa1, %%eax; movl $0xc1, %%ecx; movl $0xd1, %%edx; " \
                "movl $0xb1, %%ebx; movl $0x51, %%esi\n\t"
#define SETREGS_CLOBBER "eax", "ecx", "edx", "ebx", "esi", "cc"

/* Addresses of the instructions that fault, and of the ones after them. */
extern const char ud2_at[], ud_op_at[], ud_lock_at[], de_at[], de2_at[];
extern const char br_at[], int3_after[], int40_after[], into_after[];
extern const char int80_after[], int3_cd_after[];

static void t_ud2(void *p)
{
    __asm__ volatile(SETREGS "movl $0x1111, %%eax; movl $0x2222, %%ebx; incl %%eax\n"
                     "ud2_at: ud2\n\tmovl $0x9999, %%eax" : : : SETREGS_CLOBBER);
}

static void t_ud_op(void *p)
{
    __asm__ volatile(SETREGS "movl $0x3333, %%ecx\n"
                     "ud_op_at: .byte 0x0f, 0x04\n\tnop" : : : SETREGS_CLOBBER);
}

static void t_ud_lock(void *p)
{
    __asm__ volatile(SETREGS "movl $0x4444, %%edx\n"
                     "ud_lock_at: .byte 0xf0; addl %%eax, %%edx\n\tnop" : : : SETREGS_CLOBBER);
}

static void t_de(void *p)
{
    __asm__ volatile(SETREGS "movl $7, %%eax; xorl %%edx, %%edx; movl $0, %%ecx; movl $0x5555, %%esi\n"
                     "de_at: divl %%ecx\n\tnop" : : : SETREGS_CLOBBER);
}

static void t_de2(void *p)
{
    __asm__ volatile(SETREGS "movl $0x80000000, %%eax; movl $0xffffffff, %%edx; movl $-1, %%ecx\n"
                     "de2_at: idivl %%ecx\n\tnop" : : : SETREGS_CLOBBER);
}

static int32_t bounds[2] = { 10, 20 };
static void t_br(void *p)
{
    __asm__ volatile(SETREGS "movl %0, %%eax\n"
                     "br_at: bound %%eax, %1\n\tnop"
                     : : "D"(*(int *)p), "m"(bounds) : SETREGS_CLOBBER);
}

/* Run fn under trap_catch and print what was recorded. */
static void expect(const char *name, void (*fn)(void *), void *arg,
                   int want_vec, const char *want_eip)
{
    char buf[48];
    int vec;

    last_trap.eip = 0;
    vec = trap_catch(fn, arg);
    memcpy(buf, name, strlen(name) + 1);
    check(name, (uint32_t)vec, (uint32_t)want_vec);
    if (want_eip) {
        memcpy(buf + strlen(name), ".eip", 5);
        check(buf, last_trap.eip, (uint32_t)want_eip);
    }
    resultf("%s vec=%d err=%x eax=%08x ecx=%08x edx=%08x ebx=%08x esi=%08x fl=%03x",
            name, vec, last_trap.err, last_trap.eax, last_trap.ecx, last_trap.edx,
            last_trap.ebx, last_trap.esi, last_trap.eflags & FL_ARITH);
}

void kmain(void)
{
    int idx;
    uint32_t n0, a, b;

    expect("exc.ud2", t_ud2, NULL, 6, ud2_at);
    expect("exc.ud.opcode", t_ud_op, NULL, 6, ud_op_at);
    expect("exc.ud.lock", t_ud_lock, NULL, 6, ud_lock_at);
    expect("exc.de.div0", t_de, NULL, 0, de_at);
    expect("exc.de.idiv", t_de2, NULL, 0, de2_at);
    idx = 15;
    expect("exc.bound.in", t_br, &idx, -1, NULL);
    idx = 21;
    expect("exc.bound.out", t_br, &idx, 5, br_at);
    idx = 9;
    expect("exc.bound.low", t_br, &idx, 5, br_at);

    /* traps resume after the instruction (handler returns via iret) */
    n0 = last_trap.count;
    __asm__ volatile("movl $0x77, %%eax\nint3\nint3_after: addl $1, %%eax" : "=a"(a) : : "cc");
    check("exc.int3.count", last_trap.count - n0, 1);
    check("exc.int3.vec", last_trap.vector, 3);
    check("exc.int3.eip", last_trap.eip, (uint32_t)int3_after);
    check("exc.int3.resume", a, 0x78);
    __asm__ volatile(".byte 0xcd, 3\nint3_cd_after:" : : : "memory");
    check("exc.int_3.eip", last_trap.eip, (uint32_t)int3_cd_after);
    __asm__ volatile("movl $0xabc, %%ebx; int $0x40\nint40_after: nop" : "=b"(b) : : "memory");
    check("exc.int40.vec", last_trap.vector, 0x40);
    check("exc.int40.eip", last_trap.eip, (uint32_t)int40_after);
    check("exc.int40.ebx", last_trap.ebx, 0xabc);
    check("exc.int40.keep", b, 0xabc);
    __asm__ volatile("movl $0x11, %%eax; int $0x80\nint80_after: nop" : : : "eax", "memory");
    check("exc.int80.vec", last_trap.vector, 0x80);
    check("exc.int80.eip", last_trap.eip, (uint32_t)int80_after);

    /* into: no trap with OF clear, #OF (4) with OF set */
    n0 = last_trap.count;
    __asm__ volatile("movl $1, %%eax; addl $1, %%eax; into" : : : "eax", "cc");
    check("exc.into.clear", last_trap.count - n0, 0);
    __asm__ volatile("movl $0x7fffffff, %%eax; addl $1, %%eax; into\ninto_after: nop"
                     : : : "eax", "cc");
    check("exc.into.set", last_trap.count - n0, 1);
    check("exc.into.vec", last_trap.vector, 4);
    check("exc.into.eip", last_trap.eip, (uint32_t)into_after);
    resultf("into flags %03x", last_trap.eflags & FL_ARITH);

    /* many faults in a row (exception path reuse) */
    uint32_t sum = 0;
    for (int i = 0; i < 200; i++) {
        sum += (uint32_t)trap_catch(i & 1 ? t_de : t_ud2, NULL);
    }
    check("exc.repeat", sum, 100 * 6 + 100 * 0);
    finish(0x16c14a0a);
}
