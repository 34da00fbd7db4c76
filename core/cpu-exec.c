/*
 * hamt86 - the execution loop.
 *
 *   setjmp  <------------------------------------------- cpu_loop_exit
 *     |
 *     v
 *   pending exception?  -> x86_cpu_do_interrupt
 *   machine exit?       -> return the exit status
 *   hardware interrupt (IF=1, no STI/MOV SS shadow)? -> deliver
 *   halted?             -> wait for an interrupt (or stop: IF=0)
 *   find TB (jump cache, phys hash) or translate it
 *   chain the previous TB's exit slot to it
 *   run: backend->exec (or cosim_exec)  -> (last TB | IR_EXIT_*)
 */
#include "core/exec.h"
#include "core/machine.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

#include "core/cosim.h"

Machine machine;
bool cpu_in_exec;

/* Stop the machine with status (isa-debug-exit, fatal device error...). */
void machine_request_exit(int status)
{
    if (!machine.exit_requested) {
        machine.exit_code = status;
        machine.exit_requested = true;
    }
    cpu_exit_tb(&machine.cpu);
}

/* A device changed the level of the CPU's INTR line. */
void cpu_set_irq(bool level)
{
    if (level) {
        machine.cpu.interrupt_request |= CPU_INTERRUPT_HARD;
        cpu_exit_tb(&machine.cpu);
    } else {
        machine.cpu.interrupt_request &= ~CPU_INTERRUPT_HARD;
    }
}

/* -d cpu: the register file at TB entry. */
static void log_cpu_state(CPUX86State *env)
{
    uint32_t ef = cpu_compute_eflags(env);

    hlog("EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
         "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n"
         "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%u HFL=%08x\n",
         env->regs[R_EAX], env->regs[R_EBX], env->regs[R_ECX],
         env->regs[R_EDX], env->regs[R_ESI], env->regs[R_EDI],
         env->regs[R_EBP], env->regs[R_ESP], env->eip, ef,
         ef & DF_MASK ? 'D' : '-', ef & CC_O ? 'O' : '-',
         ef & CC_S ? 'S' : '-', ef & CC_Z ? 'Z' : '-', ef & CC_A ? 'A' : '-',
         ef & CC_P ? 'P' : '-', ef & CC_C ? 'C' : '-',
         env->hflags & HF_CPL_MASK, env->hflags);
    hlog("ES=%04x CS=%04x SS=%04x DS=%04x FS=%04x GS=%04x CR0=%08x CR2=%08x CR3=%08x\n",
         env->segs[R_ES].selector, env->segs[R_CS].selector,
         env->segs[R_SS].selector, env->segs[R_DS].selector,
         env->segs[R_FS].selector, env->segs[R_GS].selector,
         env->cr[0], env->cr[2], env->cr[3]);
}

/* Deliver env->exception_index through the guest's IDT/IVT. */
static void do_interrupt(CPUX86State *env)
{
    x86_cpu_do_interrupt(env);   /* translator/seg-helper.c */
    env->exception_index = -1;
}

/*
 * The loop proper.  Returns the exit status.  Called again after every
 * cpu_loop_exit (a longjmp back into cpu_exec_loop), so it keeps no state
 * in locals across TB executions that a longjmp could lose.
 */
static int __attribute__((noinline)) cpu_exec_inner(CPUX86State *env)
{
    TranslationBlock *last_tb = NULL;
    int last_slot = -1;

    cpu_in_exec = false;   /* back here through cpu_loop_exit */
    for (;;) {
        TranslationBlock *tb;
        uint32_t pc, cs_base, flags, cflags;
        uintptr_t ret;
        unsigned code;
        bool inhibit;
        uint64_t nflush;

        /* 1. an exception raised by the last TB (or by delivery itself) */
        if (env->exception_index >= 0) {
            int e = env->exception_index;
            if (e >= EXCP_INTERRUPT) {
                env->exception_index = -1;
                if (e == EXCP_HLT || e == EXCP_HALTED) {
                    env->halted = true;
                } else if (e == EXCP_FATAL) {
                    return 2;
                }
            } else {
                stats.exceptions++;
                if (log_enabled(LOG_INT)) {
                    hlog("exception %d err=0x%x is_int=%d at EIP 0x%08x%s"
                         " (next 0x%08x)\n", e, env->error_code,
                         env->exception_is_int, env->eip, LOG_SYM(env->eip),
                         env->exception_next_eip);
                }
                do_interrupt(env);
                last_tb = NULL;
            }
        }

        /* 2. machine shutdown; device time; the x87's FERR# line follows
         * env->fpu.ferr (helpers only change CPU state, so --cosim can
         * replay them) */
        cpu_exit_tb_clear(env);
        if (unlikely(env->fpu.ferr != env->fpu.ferr_line)) {
            env->fpu.ferr_line = env->fpu.ferr;
            if (machine.set_ferr) {
                machine.set_ferr(env->fpu.ferr != 0);
            }
        }
        hw_poll();
        if (machine.exit_requested) {
            return machine.exit_code;
        }

        /* 3. hardware interrupts */
        if ((env->interrupt_request & CPU_INTERRUPT_HARD) &&
            (env->eflags & IF_MASK) && !(env->hflags & HF_INHIBIT_IRQ)) {
            int vec = hw_irq_ack();
            if (vec >= 0) {
                env->halted = false;
                stats.interrupts++;
                DEBUG_LOG(LOG_INT, "hardware interrupt vector 0x%02x at EIP 0x%08x%s\n",
                          vec, env->eip, LOG_SYM(env->eip));
                /* external: no error code even for vectors 8..17 */
                x86_cpu_do_hw_interrupt(env, vec);
                env->exception_index = -1;
                last_tb = NULL;
                continue;
            }
        }

        /* 4. HLT */
        if (env->halted) {
            if (!(env->eflags & IF_MASK)) {
                char buf[256];
                int n = h_snprintf(buf, sizeof(buf),
                                   "hamt86: guest halted with interrupts "
                                   "disabled at EIP 0x%08x%s\n", env->eip,
                                   LOG_SYM(env->eip));
                os_write(2, buf, (size_t)n);
                return 2;
            }
            /* an interrupt ends the STI shadow of STI; HLT */
            env->hflags &= ~HF_INHIBIT_IRQ;
            if (!hw_idle(env)) {
                char buf[256];
                int n = h_snprintf(buf, sizeof(buf),
                                   "hamt86: guest halted at EIP 0x%08x%s "
                                   "waiting for an interrupt no device can "
                                   "raise\n", env->eip, LOG_SYM(env->eip));
                os_write(2, buf, (size_t)n);
                return 2;
            }
            continue;
        }

        /* 5. find or translate the next TB */
        pc = env->eip;
        cs_base = env->segs[R_CS].base;
        flags = cpu_tb_flags(env);
        cflags = tb_next_cflags;
        tb_next_cflags = 0;
        if ((env->hflags & HF_INHIBIT_IRQ) && (env->eflags & IF_MASK) &&
            (env->interrupt_request & CPU_INTERRUPT_HARD)) {
            /* run only the shadowed instruction, then take the interrupt */
            cflags |= CF_NOCACHE | CF_SINGLE;
        }
        nflush = stats.tb_flushes;
        tb = NULL;
        if (!(cflags & CF_NOCACHE)) {
            tb = tb_lookup(env, pc, cs_base, flags);
        }
        if (tb == NULL) {
            tb = tb_gen_code(env, pc, cs_base, flags, cflags);
        }
        if (tb->icount == 0) {
            uint32_t phys = cs_base + pc;
            mem_raise_fetch_fault(env);   /* #PF on the fetch, if paged */
            char buf[256];
            int n;
            mem_path->get_phys_code(env, cs_base + pc, &phys, NULL);
            n = h_snprintf(buf, sizeof(buf), "hamt86: guest jumped to unmapped "
                           "memory at EIP 0x%08x%s (phys 0x%08x)\n", pc,
                           LOG_SYM(cs_base + pc), phys);
            os_write(2, buf, (size_t)n);
            return 2;
        }
        if (stats.tb_flushes != nflush) {
            last_tb = NULL;   /* the flush freed it */
        }
        if (last_tb != NULL) {
            tb_add_jump(last_tb, last_slot, tb);
        }

        /* 6. run it */
        if (unlikely(log_enabled(LOG_EXEC)) && log_in_filter(pc)) {
            hlog("Trace 0x%08x%s [%08x]\n", pc, LOG_SYM(cs_base + pc), flags);
            if (log_enabled(LOG_CPU)) {
                log_cpu_state(env);
            }
        }
        stats.tb_execs++;
        inhibit = (env->hflags & HF_INHIBIT_IRQ) != 0;
        cpu_in_exec = true;
        if (machine.opt.cosim) {
            ret = cosim_exec(env, tb);
        } else {
            ret = host_backend->exec(env, tb);
        }
        cpu_in_exec = false;
        code = (unsigned)(ret & 7);
        if (inhibit && !(code == IR_EXIT_REQUEST && env->eip == pc)) {
            /* the shadow covers exactly the instruction after STI/MOV SS;
             * a TB that left at its entry check (the kick) ran nothing,
             * so the shadowed instruction is still to come */
            env->hflags &= ~HF_INHIBIT_IRQ;
        }
        last_tb = NULL;
        if (tb->cflags & CF_NOCACHE) {
            tb_discard_nocache(tb);
        } else if (code == IR_EXIT_SLOT0 || code == IR_EXIT_SLOT1) {
            last_tb = (TranslationBlock *)(ret & ~(uintptr_t)7);
            last_slot = (int)code - 1;
        }
    }
}

#if defined(__loongarch__)
/*
 * cpu_setjmp_la(buf) / cpu_longjmp_la(buf): setjmp/longjmp for LoongArch64
 * (clang-16 has no __builtin_setjmp there).  buf holds ra, sp, fp, s0-s8
 * and fs0-fs7; setjmp returns 0, the return through longjmp returns 1.
 */
BUILD_ASSERT(CPU_JMP_ENV_WORDS >= 20);
__asm__(".text\n"
        ".globl cpu_setjmp_la\n"
        ".type cpu_setjmp_la, @function\n"
        "cpu_setjmp_la:\n"
        "    st.d $ra, $a0, 0\n"
        "    st.d $sp, $a0, 8\n"
        "    st.d $fp, $a0, 16\n"
        "    st.d $s0, $a0, 24\n"
        "    st.d $s1, $a0, 32\n"
        "    st.d $s2, $a0, 40\n"
        "    st.d $s3, $a0, 48\n"
        "    st.d $s4, $a0, 56\n"
        "    st.d $s5, $a0, 64\n"
        "    st.d $s6, $a0, 72\n"
        "    st.d $s7, $a0, 80\n"
        "    st.d $s8, $a0, 88\n"
        "    fst.d $fs0, $a0, 96\n"
        "    fst.d $fs1, $a0, 104\n"
        "    fst.d $fs2, $a0, 112\n"
        "    fst.d $fs3, $a0, 120\n"
        "    fst.d $fs4, $a0, 128\n"
        "    fst.d $fs5, $a0, 136\n"
        "    fst.d $fs6, $a0, 144\n"
        "    fst.d $fs7, $a0, 152\n"
        "    move $a0, $zero\n"
        "    jirl $zero, $ra, 0\n"
        ".size cpu_setjmp_la, .-cpu_setjmp_la\n"
        ".globl cpu_longjmp_la\n"
        ".type cpu_longjmp_la, @function\n"
        "cpu_longjmp_la:\n"
        "    ld.d $ra, $a0, 0\n"
        "    ld.d $sp, $a0, 8\n"
        "    ld.d $fp, $a0, 16\n"
        "    ld.d $s0, $a0, 24\n"
        "    ld.d $s1, $a0, 32\n"
        "    ld.d $s2, $a0, 40\n"
        "    ld.d $s3, $a0, 48\n"
        "    ld.d $s4, $a0, 56\n"
        "    ld.d $s5, $a0, 64\n"
        "    ld.d $s6, $a0, 72\n"
        "    ld.d $s7, $a0, 80\n"
        "    ld.d $s8, $a0, 88\n"
        "    fld.d $fs0, $a0, 96\n"
        "    fld.d $fs1, $a0, 104\n"
        "    fld.d $fs2, $a0, 112\n"
        "    fld.d $fs3, $a0, 120\n"
        "    fld.d $fs4, $a0, 128\n"
        "    fld.d $fs5, $a0, 136\n"
        "    fld.d $fs6, $a0, 144\n"
        "    fld.d $fs7, $a0, 152\n"
        "    addi.d $a0, $zero, 1\n"
        "    jirl $zero, $ra, 0\n"
        ".size cpu_longjmp_la, .-cpu_longjmp_la\n");
#endif

/* Run the guest until the machine stops; returns its exit status. */
int cpu_exec_loop(CPUX86State *env)
{
    uint64_t t0 = os_clock_ns();
    int status;

    env->machine = &machine;
    tb_jc_attach(env);
    hw_start();
    if (cpu_setjmp(env->jmp_env) != 0) {
        /* back from cpu_loop_exit: the state is exact, go on */
    }
    status = cpu_exec_inner(env);
    hw_stop();
    stats.ns_total += os_clock_ns() - t0;
    return status;
}
