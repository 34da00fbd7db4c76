/*
 * hamt86 - 16550A UART (COM1 at 0x3F8, IRQ 4).
 *
 * Register map (offset from the base; DLAB = LCR bit 7):
 *
 *   off  read              write
 *   0    RBR               THR -> host stdout      DLAB: DLL
 *   1    IER               IER                     DLAB: DLM
 *   2    IIR               FCR
 *   3    LCR               LCR
 *   4    MCR               MCR
 *   5    LSR               (factory test: ignored)
 *   6    MSR               (ignored)
 *   7    SCR               SCR
 *
 * The transmitter is infinitely fast: a THR write goes to the host at once
 * (or, in loopback, to the receiver) and the THR is empty again.  The
 * receiver is a 16-byte FIFO (1 byte with FIFOs off) fed by the console
 * (hw/console.c) or by loopback.  Interrupt identification, by priority:
 *
 *   IIR  cause                       cleared by
 *   0x6  line status (OE/BI) + ELSI  reading LSR
 *   0x4  RX data >= trigger + ERBFI  reading RBR below the trigger
 *   0xC  RX timeout (data below the trigger, FIFO mode) + ERBFI
 *   0x2  THR empty + ETBEI           reading IIR (when it says 0x2), THR write
 *   0x0  modem status delta + EDSSI  reading MSR
 *   0x1  none                        (bits 7:6 = 11 while FIFOs are on)
 *
 * The RX timeout is reported as soon as data sits below the trigger level
 * (no character-time delay).  IRQ 4 is high while IIR bit 0 is clear
 * (as on QEMU, MCR.OUT2 does not gate it).  Modem inputs read
 * DCD|DSR|CTS and never change; in loopback (MCR
 * bit 4) they are MCR's DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD, without
 * delta bits (as on QEMU; a real 16550 sets them).
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_FIFOE 0x80
#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR  0x01
#define UART_MCR_LOOP 0x10
#define UART_FCR_FE   0x01
#define UART_FIFO_LEN 16

typedef struct SerialState {
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm, lsr, msr, iir;
    bool thr_ipending;
    uint8_t rx[UART_FIFO_LEN];
    unsigned rx_head, rx_count;
    int out_fd;
    int irq;
    uint64_t tx_bytes, rx_bytes;
} SerialState;

static SerialState com1 = { .out_fd = 1, .irq = 4 };

/* Receiver capacity: 16 with FIFOs on, else 1. */
static unsigned serial_rx_cap(const SerialState *s)
{
    return (s->fcr & UART_FCR_FE) ? UART_FIFO_LEN : 1;
}

/* RX trigger level from FCR bits 7:6. */
static unsigned serial_rx_trigger(const SerialState *s)
{
    static const uint8_t level[4] = { 1, 4, 8, 14 };

    return (s->fcr & UART_FCR_FE) ? level[s->fcr >> 6] : 1;
}

/* Recompute IIR and the IRQ line. */
static void serial_update_irq(SerialState *s)
{
    uint8_t iir = 0x01;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & (UART_LSR_OE | UART_LSR_BI))) {
        iir = 0x06;
    } else if ((s->ier & UART_IER_RDI) && s->rx_count > 0) {
        iir = s->rx_count >= serial_rx_trigger(s) ? 0x04 : 0x0c;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        iir = 0x02;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & 0x0f)) {
        iir = 0x00;
    }
    s->iir = iir;
    pic_set_irq(s->irq, !(iir & 1));
}

/* Modem status as read: in loopback the MCR outputs (no delta bits, as
 * on QEMU), else the host line's DCD|DSR|CTS and its (never set) deltas. */
static uint8_t serial_msr(const SerialState *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        return (uint8_t)(((s->mcr & 0x0c) << 4) | ((s->mcr & 0x01) << 5) |
                         ((s->mcr & 0x02) << 3));
    }
    return s->msr;
}

/* Put one byte in the receiver (overrun if full). */
static void serial_rx_push(SerialState *s, uint8_t b)
{
    if (s->rx_count >= serial_rx_cap(s)) {
        s->lsr |= UART_LSR_OE;
    } else {
        s->rx[(s->rx_head + s->rx_count) % UART_FIFO_LEN] = b;
        s->rx_count++;
        s->rx_bytes++;
    }
    s->lsr |= UART_LSR_DR;
    serial_update_irq(s);
}

/* Room for host input in COM1: none in loopback (the line is cut) and
 * none until the guest shows it listens (DTR or the RX interrupt on), so
 * that typed-ahead input is not lost to its FIFO reset. */
unsigned serial_rx_room(void)
{
    SerialState *s = &com1;

    if ((s->mcr & UART_MCR_LOOP) ||
        !((s->mcr & UART_MCR_DTR) || (s->ier & UART_IER_RDI))) {
        return 0;
    }
    return serial_rx_cap(s) - s->rx_count;
}

/* Does received data interrupt the CPU? */
bool serial_rx_irq_enabled(void)
{
    return (com1.ier & UART_IER_RDI) != 0;
}

/* A byte from the host. */
void serial_receive(uint8_t b)
{
    serial_rx_push(&com1, b);
}

/* A break from the host: a zero byte with BI. */
void serial_receive_break(void)
{
    com1.lsr |= UART_LSR_BI;
    serial_rx_push(&com1, 0);
}

/* Drop the receive FIFO. */
static void serial_rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= (uint8_t)~UART_LSR_DR;
}

/* Read one UART register. */
static uint32_t serial_read(void *opaque, uint16_t port, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v;

    (void)size;
    switch (port & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            return s->dll;
        }
        v = 0;
        if (s->rx_count > 0) {
            v = s->rx[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART_FIFO_LEN;
            s->rx_count--;
        }
        if (s->rx_count == 0) {
            s->lsr &= (uint8_t)~(UART_LSR_DR | UART_LSR_BI);
        }
        serial_update_irq(s);
        return v;
    case 1:
        return (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
    case 2:
        v = s->iir | ((s->fcr & UART_FCR_FE) ? 0xc0 : 0);
        if ((s->iir & 0x0f) == 0x02) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        return v;
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        v = s->lsr;
        if ((s->fcr & UART_FCR_FE) && (s->lsr & UART_LSR_BI)) {
            v |= UART_LSR_FIFOE;
        }
        s->lsr &= (uint8_t)~(UART_LSR_OE | UART_LSR_BI);
        if (s->rx_count == 0) {
            s->lsr &= (uint8_t)~UART_LSR_DR;
        }
        serial_update_irq(s);
        return v;
    case 6:
        v = serial_msr(s);
        if (!(s->mcr & UART_MCR_LOOP)) {
            s->msr &= 0xf0;
            serial_update_irq(s);
        }
        return v;
    default:
        return s->scr;
    }
}

/* Transmit one byte: host stdout, or the receiver in loopback. */
static void serial_transmit(SerialState *s, uint8_t b)
{
    s->tx_bytes++;
    if (s->mcr & UART_MCR_LOOP) {
        serial_rx_push(s, b);
    } else {
        os_write(s->out_fd, &b, 1);
    }
    s->thr_ipending = true;
    serial_update_irq(s);
}

/* Write one UART register. */
static void serial_write(void *opaque, uint16_t port, uint32_t val,
                         unsigned size)
{
    SerialState *s = opaque;
    uint8_t b = (uint8_t)val;

    (void)size;
    switch (port & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            s->dll = b;
        } else {
            s->thr_ipending = false;
            serial_update_irq(s);   /* the line drops until the THR empties */
            serial_transmit(s, b);
        }
        break;
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            s->dlm = b;
            break;
        }
        /* enabling ETBEI while the THR is empty raises "THR empty" */
        if ((b & UART_IER_THRI) && !(s->ier & UART_IER_THRI) &&
            (s->lsr & UART_LSR_THRE)) {
            s->thr_ipending = true;
        }
        s->ier = b & 0x0f;
        serial_update_irq(s);
        break;
    case 2:
        if ((b ^ s->fcr) & UART_FCR_FE) {
            serial_rx_clear(s);   /* enabling or disabling clears both */
        }
        if (b & 0x02) {
            serial_rx_clear(s);
        }
        s->fcr = b & 0xc9;
        if (!(s->fcr & UART_FCR_FE)) {
            s->fcr = 0;
        }
        serial_update_irq(s);
        break;
    case 3:
        s->lcr = b;
        break;
    case 4:
        s->mcr = b & 0x1f;
        serial_update_irq(s);
        break;
    case 7:
        s->scr = b;
        break;
    default:
        /* LSR and MSR are read-only */
        break;
    }
}

static const IOPortHandler serial_ports = {
    .base = 0x3f8, .count = 8, .name = "serial0", .opaque = &com1,
    .read = serial_read, .write = serial_write,
};

/* --stats: bytes through COM1. */
void serial_stats_print(void)
{
    char buf[128];
    int n = h_snprintf(buf, sizeof(buf), "  %-28s %llu out, %llu in\n",
                       "serial bytes",
                       (unsigned long long)com1.tx_bytes,
                       (unsigned long long)com1.rx_bytes);
    os_write(2, buf, (size_t)n);
}

/* COM1's power-on registers (9600 baud divisor, transmitter empty, CTS
 * DSR DCD, no interrupt); the host side (output, --stats) stays. */
void serial_reset(void)
{
    SerialState *s = &com1;

    s->ier = s->lcr = s->mcr = s->scr = s->fcr = s->dlm = 0;
    s->dll = 0x0c;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = 0xb0;
    s->iir = 0x01;
    s->thr_ipending = false;
    s->rx_head = s->rx_count = 0;
    serial_update_irq(s);
}

/* Create COM1 (COM2-COM4 stay unclaimed: they read 0xFF). */
void serial_init(void)
{
    serial_reset();
    io_register(&serial_ports);
}
