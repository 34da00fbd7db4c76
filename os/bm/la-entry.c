/*
 * hamt86 - bare-metal LoongArch64: entry point and exception vectors
 * (assembly; os/bm/bm.h has the frame layout, bm-la.h the address map).
 *
 * _start runs where qemu-system-loongarch64 -M virt leaves a -kernel ELF:
 * PLV0, direct address mode (CRMD.DA), physical pc.  It sets the two
 * direct-mapped windows (DMW0 uncached 0x8..., DMW1 cached 0x9...), jumps
 * to its link address in DMW1, turns paging on (CRMD.PG; everything
 * outside the DMWs now goes through the TLB), takes the boot stack and
 * calls bm_main.
 *
 * Three vectors, each 4 KiB aligned:
 *   bm_exc_entry   general exceptions (EENTRY, ECFG.VS = 0): saves the
 *                  frame on the current stack (PLV0 only: the interrupted
 *                  code is hamt86's own), calls bm_exception(frame), then
 *                  restores pc/PRMD/registers from the frame (the fault
 *                  handler may have edited them) and returns with ertn.
 *   bm_tlbr_entry  TLB refill (TLBRENTRY; runs in direct address mode, so
 *                  it can never refill itself): a pair the refill cache
 *                  holds (os/bm/bm-rcache.c, tag = pair | CSR.ASID) is
 *                  tlbfill'ed at once; otherwise it walks the 3-level table
 *                  whose root is in PGDL (os/bm/la-tlbmap.c), loads the
 *                  even/odd PTE pair into TLBRELO0/1 and does tlbfill
 *                  (PS = BM_PAGE_BITS from TLBREHI, set once).  A hole
 *                  (every HAMT window page: the privileged driver keeps
 *                  its entries in HAMT's table, os/bm/la-hamt.c) saves
 *                  the registers C may clobber and calls
 *                  bm_la_refill_fast, which tlbfills from HAMT's table;
 *                  when the page is not there it completes the frame and
 *                  calls bm_la_refill, which runs hamt_fault, or fills an
 *                  invalid pair (the retried access raises PIL/PIS/PIF
 *                  into bm_exception).
 *                  Uses TLBRSAVE, SAVE1, SAVE2 as scratch; no memory but
 *                  the table (through its direct-mapped address).
 *   bm_merr_entry  machine error (MERRENTRY): frame kind BM_EXC_MERR;
 *                  bm_exception reports it and powers off.
 */
#include "os/bm/bm.h"

/* What C may clobber (LP64): ra, a0-a7, t0-t8 ($r21 and tp it leaves). */
#define BM_LA_CALLER_SAVED "1,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20"

_Static_assert(sizeof(BMRcSlot) == 32 && BM_RC_SLOTS <= 0x1000,
               "the refill vector indexes 32-byte slots with a 12-bit andi");
_Static_assert(BM_FRAME_BYTES % 16 == 0, "frame keeps sp 16-byte aligned");
_Static_assert(BM_FRAME_STATUS * 8 == 256 && BM_FRAME_CAUSE * 8 == 264 &&
               BM_FRAME_BADV * 8 == 272 && BM_FRAME_KIND * 8 == 280,
               "frame offsets used by the vectors below");

__asm__(
    ".section .text.boot, \"ax\"\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "    li.d      $t0, 0x8000000000000001\n"    /* DMW0: VSEG 8, PLV0, SUC */
    "    csrwr     $t0, " STR(CSR_DMW0) "\n"
    "    li.d      $t0, 0x9000000000000011\n"    /* DMW1: VSEG 9, PLV0, CC */
    "    csrwr     $t0, " STR(CSR_DMW1) "\n"
    "    la.abs    $t0, 1f\n"
    "    jirl      $zero, $t0, 0\n"
    "1:  li.w      $t0, 0xb0\n"                  /* PLV0, IE=0, PG, DATF/M=CC */
    "    csrwr     $t0, " STR(CSR_CRMD) "\n"
    "    li.w      $t0, 1\n"                     /* EUEN.FPE */
    "    csrwr     $t0, " STR(CSR_EUEN) "\n"
    "    la.abs    $sp, bm_boot_stack_top\n"
    "    move      $fp, $zero\n"
    "    bl        bm_main\n"
    "2:  idle      0\n"
    "    b         2b\n"

    /* Save the registers C may clobber (ra, a0-a7, t0-t8): sp already
     * lowered by BM_FRAME_BYTES. */
    ".macro BM_SAVE_CALLER\n"
    "    .irp n," BM_LA_CALLER_SAVED "\n"
    "    st.d      $r\\n, $sp, \\n * 8\n"
    "    .endr\n"
    ".endm\n"
    ".macro BM_LOAD_CALLER\n"
    "    .irp n," BM_LA_CALLER_SAVED "\n"
    "    ld.d      $r\\n, $sp, \\n * 8\n"
    "    .endr\n"
    ".endm\n"

    /* Save the frame: sp already lowered by BM_FRAME_BYTES. */
    ".macro BM_SAVE_FRAME era_csr, kind\n"
    "    BM_SAVE_CALLER\n"
    "    BM_SAVE_REST \\era_csr, \\kind\n"
    ".endm\n"
    /* The rest of the frame (after BM_SAVE_CALLER; t0 is scratch). */
    ".macro BM_SAVE_REST era_csr, kind\n"
    "    st.d      $r2, $sp, 16\n"
    "    .irp n,21,22,23,24,25,26,27,28,29,30,31\n"
    "    st.d      $r\\n, $sp, \\n * 8\n"
    "    .endr\n"
    "    addi.d    $t0, $sp, " STR(BM_FRAME_BYTES) "\n"
    "    st.d      $t0, $sp, 24\n"
    "    csrrd     $t0, \\era_csr\n"
    "    st.d      $t0, $sp, 0\n"
    "    csrrd     $t0, " STR(CSR_PRMD) "\n"
    "    st.d      $t0, $sp, 256\n"
    "    csrrd     $t0, " STR(CSR_ESTAT) "\n"
    "    st.d      $t0, $sp, 264\n"
    "    csrrd     $t0, " STR(CSR_BADV) "\n"
    "    st.d      $t0, $sp, 272\n"
    "    li.d      $t0, \\kind\n"
    "    st.d      $t0, $sp, 280\n"
    ".endm\n"

    /* Reload the GPRs BM_SAVE_FRAME saved, sp last (the frame goes). */
    ".macro BM_RESTORE_GPRS\n"
    "    ld.d      $r1, $sp, 8\n"
    "    ld.d      $r2, $sp, 16\n"
    "    .irp n,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "    ld.d      $r\\n, $sp, \\n * 8\n"
    "    .endr\n"
    "    ld.d      $sp, $sp, 24\n"
    ".endm\n"

    ".section .text.vectors, \"ax\"\n"
    ".balign 4096\n"
    ".globl bm_exc_entry\n"
    "bm_exc_entry:\n"
    "    addi.d    $sp, $sp, -" STR(BM_FRAME_BYTES) "\n"
    "    BM_SAVE_FRAME " STR(CSR_ERA) ", " STR(BM_EXC_GENERAL) "\n"
    "    move      $a0, $sp\n"
    "    la.abs    $t0, bm_exception\n"
    "    jirl      $ra, $t0, 0\n"
    "    ld.d      $t0, $sp, 0\n"
    "    csrwr     $t0, " STR(CSR_ERA) "\n"
    "    ld.d      $t0, $sp, 256\n"
    "    csrwr     $t0, " STR(CSR_PRMD) "\n"
    "    BM_RESTORE_GPRS\n"
    "    ertn\n"

    ".balign 4096\n"
    ".globl bm_tlbr_entry\n"
    "bm_tlbr_entry:\n"
    "    csrwr     $t0, " STR(CSR_TLBRSAVE) "\n"
    "    csrwr     $t1, " STR(CSR_SAVE1) "\n"
    "    csrwr     $t2, " STR(CSR_SAVE2) "\n"
    /* the refill cache: tag = pair base | ASID */
    "    csrrd     $t0, " STR(CSR_TLBRBADV) "\n"
    "    srli.d    $t0, $t0, " STR(BM_RC_PAIR_BITS) "\n"
    "    andi      $t1, $t0, " STR(BM_RC_SLOTS - 1) "\n"
    "    slli.d    $t1, $t1, 5\n"               /* 32-byte slots */
    "    la.abs    $t2, bm_rcache\n"
    "    add.d     $t1, $t1, $t2\n"
    "    slli.d    $t0, $t0, " STR(BM_RC_PAIR_BITS) "\n"
    "    csrrd     $t2, " STR(CSR_ASID) "\n"
    "    andi      $t2, $t2, 0x3ff\n"
    "    or        $t0, $t0, $t2\n"
    "    ld.d      $t2, $t1, 0\n"
    "    bne       $t0, $t2, 1f\n"
    "    ld.d      $t2, $t1, 8\n"
    "    csrwr     $t2, " STR(CSR_TLBRELO0) "\n"
    "    ld.d      $t2, $t1, 16\n"
    "    csrwr     $t2, " STR(CSR_TLBRELO1) "\n"
    "    tlbfill\n"
    "    la.abs    $t0, bm_rcache_hits\n"
    "    ld.d      $t0, $t0, 0\n"
    "    ld.d      $t1, $t0, 0\n"
    "    addi.d    $t1, $t1, 1\n"
    "    st.d      $t1, $t0, 0\n"
    "    csrrd     $t0, " STR(CSR_TLBRSAVE) "\n"
    "    csrrd     $t1, " STR(CSR_SAVE1) "\n"
    "    csrrd     $t2, " STR(CSR_SAVE2) "\n"
    "    b         9f\n"
    /* the self-tests' page table */
    "1:  csrrd     $t0, " STR(CSR_TLBRBADV) "\n"
    "    csrrd     $t1, " STR(CSR_PGDL) "\n"
    "    srli.d    $t2, $t0, " STR(BM_VA_BITS) "\n"   /* beyond: hole */
    "    bnez      $t2, 3f\n"
    "    bstrpick.d $t2, $t0, " STR(BM_VA_BITS - 1) ", "
                               STR(BM_VA_BITS - BM_TBL_BITS) "\n"
    "    alsl.d    $t1, $t2, $t1, 3\n"
    "    ld.d      $t1, $t1, 0\n"
    "    beqz      $t1, 3f\n"
    "    bstrpick.d $t2, $t0, " STR(BM_VA_BITS - BM_TBL_BITS - 1) ", "
                               STR(BM_PAGE_BITS + BM_TBL_BITS) "\n"
    "    alsl.d    $t1, $t2, $t1, 3\n"
    "    ld.d      $t1, $t1, 0\n"
    "    beqz      $t1, 3f\n"
    "    bstrpick.d $t2, $t0, " STR(BM_PAGE_BITS + BM_TBL_BITS - 1) ", "
                               STR(BM_PAGE_BITS + 1) "\n"   /* the pair */
    "    slli.d    $t2, $t2, 4\n"
    "    add.d     $t1, $t1, $t2\n"
    "    ld.d      $t2, $t1, 0\n"
    "    csrwr     $t2, " STR(CSR_TLBRELO0) "\n"
    "    ld.d      $t2, $t1, 8\n"
    "    csrwr     $t2, " STR(CSR_TLBRELO1) "\n"
    "    tlbfill\n"
    "    la.abs    $t0, bm_tlb_refills\n"
    "    ld.d      $t1, $t0, 0\n"
    "    addi.d    $t1, $t1, 1\n"
    "    st.d      $t1, $t0, 0\n"
    "    csrrd     $t0, " STR(CSR_TLBRSAVE) "\n"
    "    csrrd     $t1, " STR(CSR_SAVE1) "\n"
    "    csrrd     $t2, " STR(CSR_SAVE2) "\n"
    "    b         9f\n"
    /* bm_tlbr_slow, a hole: the C side (HAMT's table, or an invalid
     * pair), on the interrupted stack like the general vector; the pc
     * goes back to TLBRERA with IsTLBR (bit 0) set, so ertn leaves the
     * refill state.  Both paths leave through the one ertn (9:), which
     * bench/bm-fill-cost.sh counts to. */
    ".globl bm_tlbr_slow\n"
    "bm_tlbr_slow:\n"
    "3:  csrrd     $t0, " STR(CSR_TLBRSAVE) "\n"
    "    csrrd     $t1, " STR(CSR_SAVE1) "\n"
    "    csrrd     $t2, " STR(CSR_SAVE2) "\n"
    "    addi.d    $sp, $sp, -" STR(BM_FRAME_BYTES) "\n"
    "    BM_SAVE_CALLER\n"
    "    csrrd     $a0, " STR(CSR_TLBRBADV) "\n"
    "    la.abs    $t0, bm_la_refill_fast\n"
    "    jirl      $ra, $t0, 0\n"
    "    beqz      $a0, 4f\n"
    "    BM_LOAD_CALLER\n"
    "    addi.d    $sp, $sp, " STR(BM_FRAME_BYTES) "\n"
    "    b         9f\n"
    "4:  BM_SAVE_REST " STR(CSR_TLBRERA) ", " STR(BM_EXC_REFILL) "\n"
    "    csrrd     $t0, " STR(CSR_TLBRBADV) "\n"
    "    st.d      $t0, $sp, 272\n"
    "    csrrd     $t0, " STR(CSR_TLBRPRMD) "\n"
    "    st.d      $t0, $sp, 256\n"
    "    move      $a0, $sp\n"
    "    la.abs    $t0, bm_la_refill\n"
    "    jirl      $ra, $t0, 0\n"
    "    ld.d      $t0, $sp, 0\n"
    "    ori       $t0, $t0, 1\n"
    "    csrwr     $t0, " STR(CSR_TLBRERA) "\n"
    "    BM_RESTORE_GPRS\n"
    "9:  ertn\n"                                  /* the one exit */

    ".balign 4096\n"
    ".globl bm_merr_entry\n"
    "bm_merr_entry:\n"
    "    addi.d    $sp, $sp, -" STR(BM_FRAME_BYTES) "\n"
    "    BM_SAVE_FRAME " STR(CSR_MERRERA) ", " STR(BM_EXC_MERR) "\n"
    "    move      $a0, $sp\n"
    "    la.abs    $t0, bm_exception\n"
    "    jirl      $ra, $t0, 0\n"
    "5:  b         5b\n"
    ".text\n");
