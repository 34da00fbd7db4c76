/*
 * hamt86 - bare-metal MIPS64r2: entry point and exception vectors
 * (assembly; os/bm/bm.h has the frame layout, bm-mips.h the address map).
 *
 * _start runs where QEMU's malta boot code leaves an ELF -kernel: kernel
 * mode at the KSEG0 entry.  It sets Status (CU0, CU1, FR, KX/SX/UX; BEV,
 * ERL, EXL and IE clear), takes the boot stack and calls bm_main, which
 * copies the vector stubs to EBase (0xffffffff80000000):
 *
 *   +0x000  TLB refill, +0x080  XTLB refill   -> bm_mips_refill_entry
 *   +0x180  general exception                 -> bm_mips_exc
 *
 * The refill (xuseg, where HAMT's windows are: Status.UX selects +0x080)
 * first looks in the refill cache (os/bm/mips-hamt.c: a direct-mapped
 * array of written entries indexed by VPN2, tagged with EntryHi, emptied
 * by the same invalidations as the TLB) with k0/k1 only: a hit tlbwr's
 * the slot and erets (the vector is 26 instructions, inside the 32 before
 * +0x100).  Otherwise bm_mips_refill_entry saves only what C may clobber
 * and calls bm_mips_refill_fast, which tlbwr's the pair from HAMT's table
 * (and caches it); a miss there completes the frame (kind BM_EXC_REFILL)
 * and calls bm_mips_refill, which runs hamt_fault on it.
 *
 * The general stub loads the handler address into k0, sets the kind in k1
 * (delay slot) and jumps to bm_mips_exc, which saves the frame on the current
 * stack (kernel mode only: the interrupted code is hamt86's own), calls
 * bm_exception(frame), restores pc/registers from the frame and erets.
 * k0/k1 are the only registers it clobbers (the ABI reserves them); their
 * frame slots (26, 27) hold HI and LO instead, which the C side may
 * clobber (ddivu in os_clock_ns) under an interrupted mult/div.
 */
#include "os/bm/bm.h"

_Static_assert(sizeof(BMRcSlot) == 32 && BM_RC_SLOTS <= 0x10000,
               "refill cache slots as the refill vector indexes them");

/* What C may clobber (n64): at, v0-v1, a0-a7, t0-t3, t8-t9, gp, ra. */
#define BM_MIPS_CALLER_SAVED "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,24,25,28,31"

_Static_assert(BM_FRAME_BYTES == 288 && BM_FRAME_STATUS * 8 == 256 &&
               BM_FRAME_CAUSE * 8 == 264 && BM_FRAME_BADV * 8 == 272 &&
               BM_FRAME_KIND * 8 == 280 && BM_SP_REG * 8 == 232,
               "frame offsets used by the code below");

__asm__(
    ".set push\n"
    ".set noreorder\n"
    ".set noat\n"
    ".section .text.boot, \"ax\"\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "    lui     $t0, 0x3400\n"            /* CU1 CU0 FR */
    "    ori     $t0, $t0, 0xe0\n"         /* KX SX UX */
    "    mtc0    $t0, $12\n"               /* Status */
    "    ehb\n"
    "    lui     $sp, %hi(bm_boot_stack_top)\n"
    "    daddiu  $sp, $sp, %lo(bm_boot_stack_top)\n"
    "    jal     bm_main\n"
    "    nop\n"
    "1:  wait\n"
    "    b       1b\n"
    "    nop\n"

    /* Reload HI/LO, EPC and the GPRs from the frame (the C side may
     * have edited them), sp last; eret. */
    ".macro BM_MIPS_RETURN\n"
    "    ld      $k0, 208($sp)\n"
    "    mthi    $k0\n"
    "    ld      $k0, 216($sp)\n"
    "    mtlo    $k0\n"
    "    ld      $k0, 0($sp)\n"
    "    dmtc0   $k0, $14\n"
    "    .irp n,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,28,30,31\n"
    "    ld      $\\n, \\n * 8($sp)\n"
    "    .endr\n"
    "    ld      $sp, 232($sp)\n"
    "    eret\n"
    "    nop\n"
    ".endm\n"

    ".text\n"
    /* Vector stubs, copied to EBase + 0x000/0x080/0x180 by bm_main. */
    ".globl bm_vec_general, bm_vec_general_end\n"
    "bm_vec_general:\n"
    "    lui     $k0, %hi(bm_mips_exc)\n"
    "    daddiu  $k0, $k0, %lo(bm_mips_exc)\n"
    "    jr      $k0\n"
    "    ori     $k1, $zero, " STR(BM_EXC_GENERAL) "\n"
    "bm_vec_general_end:\n"
    ".globl bm_vec_refill, bm_vec_refill_end\n"
    "bm_vec_refill:\n"
    "    dmfc0   $k1, $10\n"               /* EntryHi: VPN2 | ASID */
    "    dsrl    $k1, $k1, " STR(BM_RC_PAIR_BITS) "\n"
    "    andi    $k1, $k1, " STR(BM_RC_SLOTS - 1) "\n"
    "    dsll    $k1, $k1, 5\n"            /* 32-byte slots */
    "    lui     $k0, %hi(bm_rcache)\n"
    "    daddu   $k1, $k1, $k0\n"
    "    ld      $k0, %lo(bm_rcache + 8)($k1)\n"
    "    dmtc0   $k0, $2\n"                /* EntryLo0 */
    "    ld      $k0, %lo(bm_rcache + 16)($k1)\n"
    "    dmtc0   $k0, $3\n"                /* EntryLo1 */
    "    ld      $k0, %lo(bm_rcache)($k1)\n"
    "    dmfc0   $k1, $10\n"
    "    beq     $k0, $k1, 1f\n"           /* the slot's tag */
    "    nop\n"
    "    lui     $k0, %hi(bm_mips_refill_entry)\n"
    "    daddiu  $k0, $k0, %lo(bm_mips_refill_entry)\n"
    "    jr      $k0\n"
    "    nop\n"
    "1:  ehb\n"
    "    tlbwr\n"
    "    lui     $k0, %hi(bm_rcache_hits)\n"
    "    ld      $k0, %lo(bm_rcache_hits)($k0)\n"
    "    ld      $k1, 0($k0)\n"
    "    daddiu  $k1, $k1, 1\n"
    "    sd      $k1, 0($k0)\n"
    "    eret\n"                           /* the cache hit's exit */
    "bm_vec_refill_end:\n"

    "bm_mips_exc:\n"
    "    daddiu  $sp, $sp, -288\n"
    "    .irp n,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,28,30,31\n"
    "    sd      $\\n, \\n * 8($sp)\n"
    "    .endr\n"
    "    daddiu  $k0, $sp, 288\n"
    "    sd      $k0, 232($sp)\n"
    "    mfhi    $k0\n"                   /* HI/LO in the k0/k1 slots */
    "    sd      $k0, 208($sp)\n"
    "    mflo    $k0\n"
    "    sd      $k0, 216($sp)\n"
    "    dmfc0   $k0, $14\n"               /* EPC */
    "    sd      $k0, 0($sp)\n"
    "    mfc0    $k0, $12\n"               /* Status */
    "    sd      $k0, 256($sp)\n"
    "    mfc0    $k0, $13\n"               /* Cause */
    "    sd      $k0, 264($sp)\n"
    "    dmfc0   $k0, $8\n"                /* BadVAddr */
    "    sd      $k0, 272($sp)\n"
    "    sd      $k1, 280($sp)\n"
    "    move    $a0, $sp\n"
    "    jal     bm_exception\n"
    "    nop\n"
    "    BM_MIPS_RETURN\n"

    /* The TLB refill: the caller-saved registers (the fast path is C
     * that keeps the others), HI/LO, then bm_mips_refill_fast(BadVAddr).
     * A miss completes the frame and calls bm_mips_refill.  Each path
     * has its own eret (bench/bm-fill-cost.sh counts to them). */
    ".globl bm_mips_refill_entry, bm_mips_refill_miss\n"
    "bm_mips_refill_entry:\n"
    "    daddiu  $sp, $sp, -288\n"
    "    .irp n," BM_MIPS_CALLER_SAVED "\n"
    "    sd      $\\n, \\n * 8($sp)\n"
    "    .endr\n"
    "    mfhi    $k0\n"
    "    sd      $k0, 208($sp)\n"
    "    mflo    $k0\n"
    "    sd      $k0, 216($sp)\n"
    "    jal     bm_mips_refill_fast\n"
    "    dmfc0   $a0, $8\n"               /* BadVAddr (delay slot) */
    "    beqz    $v0, bm_mips_refill_miss\n"
    "    ld      $k0, 208($sp)\n"
    "    mthi    $k0\n"
    "    ld      $k0, 216($sp)\n"
    "    mtlo    $k0\n"
    "    .irp n," BM_MIPS_CALLER_SAVED "\n"
    "    ld      $\\n, \\n * 8($sp)\n"
    "    .endr\n"
    "    daddiu  $sp, $sp, 288\n"
    "    eret\n"                          /* the fast path's exit */
    "    nop\n"
    "bm_mips_refill_miss:\n"
    "    .irp n,16,17,18,19,20,21,22,23,30\n"
    "    sd      $\\n, \\n * 8($sp)\n"
    "    .endr\n"
    "    daddiu  $k0, $sp, 288\n"
    "    sd      $k0, 232($sp)\n"
    "    dmfc0   $k0, $14\n"               /* EPC */
    "    sd      $k0, 0($sp)\n"
    "    mfc0    $k0, $12\n"               /* Status */
    "    sd      $k0, 256($sp)\n"
    "    mfc0    $k0, $13\n"               /* Cause */
    "    sd      $k0, 264($sp)\n"
    "    dmfc0   $k0, $8\n"                /* BadVAddr */
    "    sd      $k0, 272($sp)\n"
    "    ori     $k1, $zero, " STR(BM_EXC_REFILL) "\n"
    "    sd      $k1, 280($sp)\n"
    "    move    $a0, $sp\n"
    "    jal     bm_mips_refill\n"
    "    nop\n"
    "    BM_MIPS_RETURN\n"                /* the miss path's exit */
    ".set pop\n");
