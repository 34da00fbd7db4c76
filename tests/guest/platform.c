/*
 * platform: what the isapc machine shows a guest, compared with
 * qemu-system-i386 -M isapc -cpu pentium2: CPUID leaves (FPU/MMX/FXSR
 * masked: another workstream adds them), the MSRs Linux reads or probes
 * (unknown ones #GP), MTRR/PAT read-back, CMOS bytes (no time fields),
 * the RTC in SET mode (BCD/binary, 12/24 hour), the i8042 controller
 * commands, port 0x92, unclaimed ports (COM2-4, PCI config, PnP, SuperIO),
 * the PIT read-back and latch commands, ELCR, PIC poll mode and the
 * 16550A's loopback, FIFO and interrupt identification.
 */
#include "lib/lib.h"
#include "lib/pc.h"
#include "lib/cpu.h"

const char kernel_name[] = "platform";

static uint32_t msr_num;
static uint64_t msr_val;

/* RDMSR msr_num into msr_val (under trap_catch). */
static void do_rdmsr(void *arg)
{
    (void)arg;
    msr_val = rdmsr(msr_num);
}

/* WRMSR msr_val into msr_num (under trap_catch). */
static void do_wrmsr(void *arg)
{
    (void)arg;
    wrmsr(msr_num, msr_val);
}

/* Print "msr N vector value" (value 0 on a fault). */
static void show_msr(uint32_t msr)
{
    int v;

    msr_num = msr;
    msr_val = 0;
    v = trap_catch(do_rdmsr, NULL);
    resultf("msr %x vec %d %x:%x", msr, v, (uint32_t)(msr_val >> 32),
            (uint32_t)msr_val);
}

/* WRMSR then read back. */
static void write_msr(uint32_t msr, uint64_t v)
{
    int vec;

    msr_num = msr;
    msr_val = v;
    vec = trap_catch(do_wrmsr, NULL);
    resultf("wrmsr %x vec %d", msr, vec);
    show_msr(msr);
}

static void cpuid_part(void)
{
    static const uint32_t leaves[] = { 0, 1, 2, 3, 4, 0x80000000u, 0x80000001u };
    uint32_t a, b, c, d;

    for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        cpuid(leaves[i], &a, &b, &c, &d);
        if (leaves[i] == 1) {
            /* FPU MMX FXSR: another workstream; APIC: QEMU offers it
             * without a usable local APIC on isapc, hamt86 has none */
            d &= ~((1u << 0) | (1u << 9) | (1u << 23) | (1u << 24));
            c &= ~(1u << 31);   /* QEMU's "hypervisor": not a Pentium II */
        }
        resultf("cpuid %x: %x %x %x %x", leaves[i], a, b, c, d);
    }
}

static void msr_part(void)
{
    static const uint32_t msrs[] = {
        0x00, 0x01, 0x17, 0x2a, 0x8b, 0xc1, 0xc2, 0xfe,
        0x174, 0x175, 0x176, 0x179, 0x17a, 0x17b, 0x186, 0x187, 0x1a0,
        0x1d9, 0x200, 0x201, 0x20e, 0x20f, 0x250, 0x258, 0x259,
        0x268, 0x26f, 0x277, 0x2ff, 0x400, 0x401, 0x402, 0x403, 0x404,
        0x427, 0xc0000080u,
    };

    for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        show_msr(msrs[i]);
    }
    write_msr(0x2ff, 0xc06);
    write_msr(0x200, 0x12345006ull);
    write_msr(0x201, 0xffff0800ull);
    write_msr(0x250, 0x0606060606060606ull);
    write_msr(0x26f, 0x0505050505050505ull);
    write_msr(0x277, 0x0007010600070106ull);
    write_msr(0x17b, 0xffffffffffffffffull);
    write_msr(0x400, 0xffffffffffffffffull);
    write_msr(0x401, 0);
}


static void cmos_part(void)
{
    /* everything but the clock (0-9), A's UIP bit and C's flags */
    resultf("cmos a %x b %x d %x", cmos(0x0a) & 0x7f, cmos(0x0b), cmos(0x0d));
    for (unsigned i = 0x0e; i < 0x7e; i += 8) {
        resultf("cmos %x: %x %x %x %x %x %x %x %x", i, cmos(i), cmos(i + 1),
                cmos(i + 2), cmos(i + 3), cmos(i + 4), cmos(i + 5),
                cmos(i + 6), cmos(i + 7));
    }
    /* SET mode freezes the clock: write a time, read it in each format */
    cmos_write(0x0b, 0x82);                  /* SET, 24h, BCD */
    cmos_write(0, 0x59);
    cmos_write(2, 0x59);
    cmos_write(4, 0x23);
    cmos_write(6, 0x07);
    cmos_write(7, 0x31);
    cmos_write(8, 0x12);
    cmos_write(9, 0x99);
    resultf("rtc set bcd24 %x %x %x %x %x %x %x", cmos(0), cmos(2), cmos(4),
            cmos(6), cmos(7), cmos(8), cmos(9));
    cmos_write(0x0b, 0x80);                  /* SET, 12h, BCD */
    cmos_write(4, 0x91);                     /* 11 PM */
    resultf("rtc set bcd12 %x", cmos(4));
    cmos_write(0x0b, 0x86);                  /* SET, 24h, binary */
    cmos_write(4, 21);
    cmos_write(0x0a, 0x26);
    resultf("rtc set bin %x %x b %x", cmos(4), cmos(0), cmos(0x0b));
    /* alarm registers are plain storage */
    cmos_write(1, 0xc5);
    cmos_write(3, 0x12);
    cmos_write(5, 0xff);
    resultf("rtc alarm %x %x %x", cmos(1), cmos(3), cmos(5));
    /* clear C, leave SET mode with interrupts off in BCD 24h as the BIOS had */
    cmos(0x0c);
    cmos_write(0x0b, 0x02);
    resultf("rtc c after clear %x", cmos(0x0c));
    /* scratch CMOS RAM is writable, including the NMI-masked index */
    outb(0x70, 0x80 | 0x40);
    outb(0x71, 0x5a);
    resultf("cmos 40 via nmi-off index %x", cmos(0x40));
    cmos_write(0x40, 0);
}

/* Wait for the i8042 input buffer to drain. */
static void kbc_wait_in(void)
{
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++) {
    }
}

/* Read one output-buffer byte (0x1ff if none): status bit 5 tells AUX. */
static uint32_t kbc_read(void)
{
    for (int i = 0; i < 100000; i++) {
        uint8_t st = inb(0x64);
        if (st & 1) {
            uint32_t aux = (st & 0x20) ? 0x100 : 0;
            return aux | inb(0x60);
        }
    }
    return 0x1ff;
}

/* Controller command, returning up to n bytes of answer. */
static void kbc_cmd(uint8_t c, int n)
{
    kbc_wait_in();
    outb(0x64, c);
    for (int i = 0; i < n; i++) {
        resultf("kbc cmd %x -> %x", c, kbc_read());
    }
}

static void kbc_part(void)
{
    uint32_t cfg;

    /* flush whatever the BIOS left */
    for (int i = 0; i < 16 && (inb(0x64) & 1); i++) {
        inb(0x60);
    }
    resultf("kbc status %x", inb(0x64) & ~0x08u);
    kbc_cmd(0x20, 1);
    kbc_wait_in();
    outb(0x64, 0x20);
    cfg = kbc_read() & 0xff;
    /* interrupts off while probing */
    kbc_wait_in();
    outb(0x64, 0x60);
    kbc_wait_in();
    outb(0x60, cfg & ~3u);
    kbc_cmd(0xaa, 1);
    kbc_cmd(0xab, 1);
    kbc_cmd(0xa9, 1);
    kbc_cmd(0xa7, 0);
    kbc_cmd(0x20, 1);
    kbc_cmd(0xa8, 0);
    kbc_cmd(0x20, 1);
    kbc_cmd(0xd0, 1);
    /* AUX loopback: the byte comes back as AUX data */
    kbc_cmd(0xd3, 0);
    kbc_wait_in();
    outb(0x60, 0x5a);
    resultf("kbc aux loop -> %x", kbc_read());
    /* keyboard identify and mouse identify */
    kbc_wait_in();
    outb(0x60, 0xf2);
    resultf("kbd id %x %x %x", kbc_read(), kbc_read(), kbc_read());
    kbc_wait_in();
    outb(0x64, 0xd4);
    kbc_wait_in();
    outb(0x60, 0xf2);
    resultf("aux id %x %x", kbc_read(), kbc_read());
    kbc_wait_in();
    outb(0x64, 0x60);
    kbc_wait_in();
    outb(0x60, cfg & ~3u);
    kbc_cmd(0x20, 1);
    resultf("port92 %x", inb(0x92));
}

static void unclaimed_part(void)
{
    static const uint16_t ports[] = {
        0x2f8, 0x2fd, 0x3e8, 0x3ed, 0x2e8, 0x2ed, 0x279, 0x2e, 0x2f, 0x4e,
        0x3bc, 0x4d2, 0x4d4, 0x2f9, 0xa79, 0xcf9, 0x92 + 1,
    };

    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        resultf("port %x %x", ports[i], inb(ports[i]));
    }
    outl(0xcf8, 0x80000000u);
    resultf("pci cf8 %x cfc %x", inl(0xcf8), inl(0xcfc));
    resultf("pci cfc word %x", inw(0xcfc));
}

static void pit_part(void)
{
    /* channel 2 mode 0, gate off: the status byte and the loaded count */
    outb(0x61, inb(0x61) & ~3u);
    outb(0x43, 0xb0);                 /* ch2, lsb/msb, mode 0, binary */
    outb(0x43, 0xe8);                 /* read-back status ch2 */
    resultf("pit ch2 status before count %x", inb(0x42) & 0x3f);
    outb(0x42, 0x34);
    outb(0x42, 0x12);
    outb(0x43, 0xe8);
    resultf("pit ch2 status after count %x", inb(0x42) & 0x3f);
    outb(0x43, 0x96);                 /* ch2, lsb only, mode 3 */
    outb(0x43, 0xe8);
    resultf("pit ch2 status mode3 %x", inb(0x42) & 0x3f);
    outb(0x43, 0x54);                 /* ch1, lsb, mode 2 */
    outb(0x43, 0xe4);
    resultf("pit ch1 status %x", inb(0x41) & 0x3f);
    resultf("pit 43 read %x", inb(0x43));
}

static void pic_part(void)
{
    /* ELCR: writable bits */
    outb(0x4d0, 0xff);
    outb(0x4d1, 0xff);
    resultf("elcr %x %x", inb(0x4d0), inb(0x4d1));
    outb(0x4d0, 0);
    outb(0x4d1, 0);
    resultf("elcr cleared %x %x", inb(0x4d0), inb(0x4d1));
    /* the UART's THR-empty interrupt (masked) in IRR; poll it */
    outb(0x21, 0xff);
    outb(0x3f9, 0);
    outb(0x3fc, 0x08);
    outb(0x3f9, 0x02);
    outb(0x20, 0x0a);
    resultf("pic irr with thre %x", inb(0x20) & 0x10);
    outb(0x20, 0x0c);
    resultf("pic poll masked %x", inb(0x20));
    outb(0x21, 0xef);                 /* IRQ 4 unmasked, IF stays 0 */
    outb(0x20, 0x0c);                 /* poll */
    resultf("pic poll %x", inb(0x20));
    outb(0x20, 0x0b);
    resultf("pic isr after poll %x", inb(0x20));
    outb(0x20, 0x64);                 /* specific EOI 4 */
    resultf("pic isr after eoi %x", inb(0x20));
    outb(0x20, 0x0a);
    outb(0x3f9, 0);
    outb(0x20, 0x0c);
    resultf("pic poll nothing %x", inb(0x20) & 0x80);
    outb(0x21, 0xff);
}

/* Special mask mode and EOI order with IRQ 0 (PIT) and IRQ 4 (UART THR
 * empty) both requested, IF = 0, through poll commands. */
static void pic_smm_part(void)
{
    uint32_t r[8];
    int k = 0;

    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, 0xee);                 /* IRQ 0 and 4 */
    outb(0xa1, 0xff);
    outb(0x43, 0x34);                 /* PIT: mode 2, count 100 */
    outb(0x40, 100);
    outb(0x40, 0);
    outb(0x20, 0x0a);
    for (int i = 0; i < 10000000 && !(inb(0x20) & 1); i++) {
    }
    outb(0x3f9, 0);
    outb(0x3f9, 0x02);                /* THR empty: IRQ 4 */
    outb(0x20, 0x0a);
    r[k++] = inb(0x20) & 0x11;
    outb(0x20, 0x0c);
    r[k++] = inb(0x20);               /* IRQ 0 acknowledged */
    outb(0x20, 0x0c);
    r[k++] = inb(0x20);               /* IRQ 4 blocked by IRQ 0 in service */
    outb(0x21, 0xef);                 /* mask IRQ 0 ... */
    outb(0x20, 0x68);                 /* ... and special mask mode on */
    outb(0x20, 0x0c);
    r[k++] = inb(0x20);               /* now IRQ 4 nests */
    outb(0x20, 0x0b);
    r[k++] = inb(0x20);
    outb(0x20, 0x48);                 /* special mask mode off */
    outb(0x20, 0x20);                 /* non-specific EOI: IRQ 0 */
    r[k++] = inb(0x20);
    outb(0x20, 0x20);
    r[k++] = inb(0x20);
    outb(0x3f9, 0);
    outb(0x21, 0xff);
    outb(0x43, 0x34);
    outb(0x40, 0);
    outb(0x40, 0);
    outb(0x20, 0x0a);
    for (int i = 0; i < k; i++) {
        resultf("pic smm %d: %x", i, r[i]);
    }
}

static void uart_part(void)
{
    uint32_t r[16], sum = 0;
    int k = 0;

    /* in loopback the guest's own output is cut: record, print later */
    outb(0x3fa, 0x07);                /* FIFO on, clear both */
    r[k++] = inb(0x3fa);
    outb(0x3fc, 0x1a);                /* loopback, RTS, OUT2 */
    r[k++] = inb(0x3fe) & 0xf0;
    outb(0x3fc, 0x1f);
    r[k++] = inb(0x3fe);
    r[k++] = inb(0x3fe);
    outb(0x3f9, 0x05);                /* RX + line status interrupts */
    for (int i = 0; i < 5; i++) {
        outb(0x3f8, (uint8_t)('a' + i));
    }
    r[k++] = inb(0x3fd);
    r[k++] = inb(0x3fa);
    outb(0x3fa, 0x81);                /* trigger 8 (FIFO stays on) */
    r[k++] = inb(0x3fd);
    for (int i = 0; i < 9; i++) {
        outb(0x3f8, (uint8_t)('0' + i));
    }
    r[k++] = inb(0x3fa);
    for (int i = 0; i < 20 && (inb(0x3fd) & 1); i++) {
        sum = sum * 31 + inb(0x3f8);
    }
    r[k++] = sum;
    r[k++] = inb(0x3fd);
    r[k++] = inb(0x3fa);
    for (int i = 0; i < 18; i++) {
        outb(0x3f8, (uint8_t)i);
    }
    r[k++] = inb(0x3fd);
    r[k++] = inb(0x3fa);
    r[k++] = inb(0x3fd);
    outb(0x3fa, 0x87);
    outb(0x3f9, 0);
    outb(0x3fc, 0x03);
    outb(0x3fa, 0);
    for (int i = 0; i < k; i++) {
        resultf("uart loop %d: %x", i, r[i]);
    }
    resultf("uart restored lsr %x iir %x msr %x", inb(0x3fd), inb(0x3fa),
            inb(0x3fe));
}

void kmain(void)
{
    cpuid_part();
    msr_part();
    cmos_part();
    kbc_part();
    unclaimed_part();
    pit_part();
    pic_part();
    pic_smm_part();
    uart_part();
    finish(0xa87f5510);
}
