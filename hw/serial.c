/*
 * hamt86 - 16550A UART (COM1 at 0x3F8), output only.
 *
 * Register map (offset from the base; DLAB = LCR bit 7):
 *
 *   off  read              write
 *   0    RBR (0: no input) THR -> host stdout       DLAB: DLL
 *   1    IER                IER                     DLAB: DLM
 *   2    IIR                FCR
 *   3    LCR                LCR
 *   4    MCR                MCR
 *   5    LSR (0x60: THRE|TEMT, transmitter always empty, no data ready)
 *   6    MSR (DCD|DSR|CTS)
 *   7    SCR                SCR
 *
 * The transmitter is infinitely fast, so a THR write completes at once.
 * IIR reports "THR empty" (0x02) while IER.ETBEI is set and that event has
 * not been read yet; otherwise "none" (0x01).  FIFO-enabled IIR bits 7:6
 * follow FCR bit 0.
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/os.h"

#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_IER_THRI 0x02
#define UART_LCR_DLAB 0x80

typedef struct SerialState {
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    bool thr_ipending;
    int out_fd;
} SerialState;

static SerialState com1 = { .dll = 0x0c, .out_fd = 1 };

/* Read one UART register. */
static uint32_t serial_read(void *opaque, uint16_t port, unsigned size)
{
    SerialState *s = opaque;
    unsigned off = port & 7;

    (void)size;
    switch (off) {
    case 0:
        return (s->lcr & UART_LCR_DLAB) ? s->dll : 0;
    case 1:
        return (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
    case 2: {
        uint32_t iir = (s->fcr & 1) ? 0xc0 : 0x00;
        if (s->thr_ipending && (s->ier & UART_IER_THRI)) {
            s->thr_ipending = false;
            return iir | 0x02;
        }
        return iir | 0x01;
    }
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        return UART_LSR_THRE | UART_LSR_TEMT;
    case 6:
        if (s->mcr & 0x10) {
            /* loopback: MCR outputs appear on the modem inputs */
            return ((s->mcr & 0x0c) << 4) | ((s->mcr & 0x01) << 5) |
                   ((s->mcr & 0x02) << 3);
        }
        return 0xb0;
    default:
        return s->scr;
    }
}

/* Write one UART register. */
static void serial_write(void *opaque, uint16_t port, uint32_t val,
                         unsigned size)
{
    SerialState *s = opaque;
    unsigned off = port & 7;
    uint8_t b = (uint8_t)val;

    (void)size;
    switch (off) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            s->dll = b;
        } else {
            if (!(s->mcr & 0x10)) {
                os_write(s->out_fd, &b, 1);
            }
            s->thr_ipending = true;
        }
        break;
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            s->dlm = b;
        } else {
            if ((b & UART_IER_THRI) && !(s->ier & UART_IER_THRI)) {
                s->thr_ipending = true;
            }
            s->ier = b & 0x0f;
        }
        break;
    case 2:
        s->fcr = b & 0xc9;
        break;
    case 3:
        s->lcr = b;
        break;
    case 4:
        s->mcr = b & 0x1f;
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

/* Register COM1. */
void serial_init(void)
{
    io_register(&serial_ports);
}
