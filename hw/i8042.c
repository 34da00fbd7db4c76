/*
 * hamt86 - the i8042 keyboard controller (0x60 data, 0x64 status/command)
 * with a PS/2 keyboard and mouse that answer commands but never type, and
 * port 0x92 (system control port A).
 *
 *   status (0x64 read): | PERR | TIMEOUT | AUX_OBF | UNLOCKED | CMD |
 *                       | SYS | IBF (always 0) | OBF |
 *   command byte ("mode", 0x20/0x60):
 *                       | 0 | XLATE | AUX_DIS | KBD_DIS | 0 | SYS |
 *                       | AUX_INT | KBD_INT |
 *   output port (0xD0/0xD1): | AUX_OBF | KBD_OBF... | A20 | /RESET |
 *   port 0x92: | ... | A20 | FAST_RESET |
 *
 * Replies queue in one output FIFO, each byte tagged keyboard or AUX; the
 * head sets OBF (and AUX_OBF) and raises IRQ 1 or IRQ 12 when the command
 * byte enables it.  Reading 0x60 lowers the line and raises it again if
 * more data waits, so the edge-triggered PIC sees every byte.
 *
 * The state after power-on is what SeaBIOS leaves on QEMU's isapc
 * (tests/guest/platform.c): self-test passed (SYS), command byte 0x61.
 *
 * Resets: command 0xFE (pulse output port bit 0), a write to the output
 * port with bit 0 clear, and port 0x92 bit 0 rising end the machine with
 * status 0, as qemu-system-i386 -no-reboot does.  The A20 bits are stored
 * and read back but the gate is not applied: A20 is always on (Linux and
 * multiboot kernels never turn it off).
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/os.h"
#include "core/libc.h"

#define KBD_STAT_OBF      0x01
#define KBD_STAT_SYS      0x04
#define KBD_STAT_CMD      0x08
#define KBD_STAT_UNLOCKED 0x10
#define KBD_STAT_AUX_OBF  0x20
#define KBD_MODE_KBD_INT  0x01
#define KBD_MODE_AUX_INT  0x02
#define KBD_MODE_KBD_DIS  0x10
#define KBD_MODE_AUX_DIS  0x20
#define KBD_MODE_XLATE    0x40
#define KBD_OUT_RESET     0x01
#define KBD_OUT_A20       0x02
#define KBD_OUT_OBF       0x10
#define KBD_OUT_AUX_OBF   0x20
#define KBD_ACK           0xfa
#define KBD_QUEUE         32

typedef struct I8042State {
    uint8_t status, mode, outport, port92;
    uint8_t pending_cmd;      /* controller command waiting for its data */
    uint8_t kbd_arg_cmd;      /* keyboard command waiting for its argument */
    uint8_t aux_arg_cmd;      /* mouse command waiting for its argument */
    uint8_t kbd_scancode_set;
    uint8_t q[KBD_QUEUE];
    bool q_aux[KBD_QUEUE];
    unsigned q_head, q_count;
} I8042State;

static I8042State kbc;

/* Drive IRQ 1 / IRQ 12 from the head of the output FIFO. */
static void kbc_update_irq(I8042State *s)
{
    bool kbd = false, aux = false;

    s->status &= (uint8_t)~(KBD_STAT_OBF | KBD_STAT_AUX_OBF);
    if (s->q_count > 0) {
        s->status |= KBD_STAT_OBF;
        if (s->q_aux[s->q_head]) {
            s->status |= KBD_STAT_AUX_OBF;
            aux = (s->mode & KBD_MODE_AUX_INT) != 0;
        } else {
            kbd = (s->mode & KBD_MODE_KBD_INT) != 0;
        }
    }
    pic_set_irq(1, kbd);
    pic_set_irq(12, aux);
}

/* Queue one byte for the CPU (dropped when the FIFO is full). */
static void kbc_queue(I8042State *s, uint8_t b, bool aux)
{
    if (s->q_count < KBD_QUEUE) {
        unsigned i = (s->q_head + s->q_count) % KBD_QUEUE;
        s->q[i] = b;
        s->q_aux[i] = aux;
        s->q_count++;
    }
    kbc_update_irq(s);
}

/* A reset line was pulsed: stop the machine (status 0). */
void hw_reset_request(const char *why)
{
    DEBUG_LOG(LOG_INT, "reset requested (%s): exit 0 as with -no-reboot\n",
              why);
    machine_request_exit(0);
}

/* The output port as the CPU reads it (OBF bits reflect the FIFO). */
static uint8_t kbc_outport(const I8042State *s)
{
    uint8_t v = s->outport & (uint8_t)~(KBD_OUT_OBF | KBD_OUT_AUX_OBF);

    if (s->status & KBD_STAT_OBF) {
        v |= (s->status & KBD_STAT_AUX_OBF) ? KBD_OUT_AUX_OBF : KBD_OUT_OBF;
    }
    return v;
}

/* Write the output port: bit 0 low resets, bit 1 is A20. */
static void kbc_write_outport(I8042State *s, uint8_t v)
{
    s->outport = v;
    s->port92 = (uint8_t)((s->port92 & ~KBD_OUT_A20) | (v & KBD_OUT_A20));
    if (!(v & KBD_OUT_RESET)) {
        hw_reset_request("i8042 output port");
    }
}

/* A byte the keyboard received from the CPU. */
static void kbd_write(I8042State *s, uint8_t v)
{
    uint8_t cmd = s->kbd_arg_cmd;

    if (cmd != 0) {
        s->kbd_arg_cmd = 0;
        if (cmd == 0xf0 && v == 0) {
            /* get scancode set (translated as the controller would) */
            kbc_queue(s, KBD_ACK, false);
            kbc_queue(s, (s->mode & KBD_MODE_XLATE) ?
                      (s->kbd_scancode_set == 1 ? 0x43 :
                       s->kbd_scancode_set == 2 ? 0x41 : 0x3f) :
                      s->kbd_scancode_set, false);
            return;
        }
        if (cmd == 0xf0 && v >= 1 && v <= 3) {
            s->kbd_scancode_set = v;
        }
        kbc_queue(s, KBD_ACK, false);
        return;
    }
    switch (v) {
    case 0xff:   /* reset: ACK, self-test passed */
        s->kbd_scancode_set = 2;
        kbc_queue(s, KBD_ACK, false);
        kbc_queue(s, 0xaa, false);
        break;
    case 0xf2:   /* identify: MF2 keyboard (0x41 translated, else 0x83) */
        kbc_queue(s, KBD_ACK, false);
        kbc_queue(s, 0xab, false);
        kbc_queue(s, (s->mode & KBD_MODE_XLATE) ? 0x41 : 0x83, false);
        break;
    case 0xee:   /* echo */
        kbc_queue(s, 0xee, false);
        break;
    case 0xed:   /* LEDs, typematic rate, scancode set: one argument */
    case 0xf3:
    case 0xf0:
        s->kbd_arg_cmd = v;
        kbc_queue(s, KBD_ACK, false);
        break;
    case 0xf4:
    case 0xf5:
    case 0xf6:
    case 0xf7: case 0xf8: case 0xf9: case 0xfa:
        kbc_queue(s, KBD_ACK, false);
        break;
    default:
        kbc_queue(s, 0xfe, false);   /* resend */
        break;
    }
}

/* A byte the mouse received (controller command 0xD4). */
static void aux_write(I8042State *s, uint8_t v)
{
    if (s->aux_arg_cmd != 0) {
        s->aux_arg_cmd = 0;
        kbc_queue(s, KBD_ACK, true);
        return;
    }
    switch (v) {
    case 0xff:   /* reset: ACK, passed, ID 0 */
        kbc_queue(s, KBD_ACK, true);
        kbc_queue(s, 0xaa, true);
        kbc_queue(s, 0x00, true);
        break;
    case 0xf2:   /* identify: standard PS/2 mouse */
        kbc_queue(s, KBD_ACK, true);
        kbc_queue(s, 0x00, true);
        break;
    case 0xe9:   /* status: stream mode, resolution 2, rate 100 */
        kbc_queue(s, KBD_ACK, true);
        kbc_queue(s, 0x00, true);
        kbc_queue(s, 0x02, true);
        kbc_queue(s, 0x64, true);
        break;
    case 0xeb:   /* read data: no motion */
        kbc_queue(s, KBD_ACK, true);
        kbc_queue(s, 0x08, true);
        kbc_queue(s, 0x00, true);
        kbc_queue(s, 0x00, true);
        break;
    case 0xe8:   /* resolution, sample rate: one argument */
    case 0xf3:
        s->aux_arg_cmd = v;
        kbc_queue(s, KBD_ACK, true);
        break;
    default:
        kbc_queue(s, KBD_ACK, true);
        break;
    }
}

/* Controller command (write to 0x64). */
static void kbc_command(I8042State *s, uint8_t c)
{
    switch (c) {
    case 0x20:
        kbc_queue(s, s->mode, false);
        break;
    case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
        s->pending_cmd = c;
        break;
    case 0xa7:
        s->mode |= KBD_MODE_AUX_DIS;
        break;
    case 0xa8:
        s->mode &= (uint8_t)~KBD_MODE_AUX_DIS;
        break;
    case 0xa9:   /* AUX interface test: no error */
    case 0xab:   /* keyboard interface test: no error */
        kbc_queue(s, 0x00, false);
        break;
    case 0xaa:   /* self-test */
        s->status |= KBD_STAT_SYS;
        kbc_queue(s, 0x55, false);
        break;
    case 0xad:
        s->mode |= KBD_MODE_KBD_DIS;
        break;
    case 0xae:
        s->mode &= (uint8_t)~KBD_MODE_KBD_DIS;
        break;
    case 0xc0:   /* input port */
        kbc_queue(s, 0x80, false);
        break;
    case 0xd0:
        kbc_queue(s, kbc_outport(s), false);
        break;
    case 0xe0:   /* test inputs */
        kbc_queue(s, 0x00, false);
        break;
    default:
        if (c >= 0xf0) {
            /* pulse output port bits 0-3 low for each clear bit */
            if (!(c & 1)) {
                hw_reset_request("i8042 command 0xfe");
            }
        } else {
            DEBUG_LOG(LOG_UNIMP, "unimp: i8042 command 0x%02x\n", c);
        }
        break;
    }
}

/* Data byte (write to 0x60): the pending command's data or the keyboard. */
static void kbc_data(I8042State *s, uint8_t v)
{
    uint8_t c = s->pending_cmd;

    s->pending_cmd = 0;
    switch (c) {
    case 0x60:
        s->mode = v;
        kbc_update_irq(s);
        break;
    case 0xd1:
        kbc_write_outport(s, v);
        break;
    case 0xd2:
        kbc_queue(s, v, false);
        break;
    case 0xd3:
        kbc_queue(s, v, true);
        break;
    case 0xd4:
        aux_write(s, v);
        break;
    default:
        kbd_write(s, v);
        break;
    }
}

/* 0x60 / 0x64 read. */
static uint32_t kbc_read(void *opaque, uint16_t port, unsigned size)
{
    I8042State *s = opaque;
    uint8_t v;

    (void)size;
    if (port & 4) {
        return s->status;
    }
    if (s->q_count == 0) {
        return s->q[(s->q_head + KBD_QUEUE - 1) % KBD_QUEUE];   /* last byte */
    }
    v = s->q[s->q_head];
    s->q_head = (s->q_head + 1) % KBD_QUEUE;
    s->q_count--;
    /* a pulse per byte: lower, then raise again for the next one */
    pic_set_irq(1, false);
    pic_set_irq(12, false);
    kbc_update_irq(s);
    return v;
}

/* 0x60 / 0x64 write. */
static void kbc_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    I8042State *s = opaque;

    (void)size;
    if (port & 4) {
        s->status |= KBD_STAT_CMD;
        kbc_command(s, (uint8_t)val);
    } else {
        s->status &= (uint8_t)~KBD_STAT_CMD;
        kbc_data(s, (uint8_t)val);
    }
}

/* Port 0x92 read: A20 and the reset bit as written. */
static uint32_t port92_read(void *opaque, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    return ((I8042State *)opaque)->port92;
}

/* Port 0x92 write: bit 0 rising resets, bit 1 is A20. */
static void port92_write(void *opaque, uint16_t port, uint32_t val,
                         unsigned size)
{
    I8042State *s = opaque;
    uint8_t old = s->port92;

    (void)port;
    (void)size;
    s->port92 = (uint8_t)val;
    s->outport = (uint8_t)((s->outport & ~KBD_OUT_A20) | (val & KBD_OUT_A20));
    if ((val & 1) && !(old & 1)) {
        hw_reset_request("port 0x92 fast reset");
    }
}

static const IOPortHandler kbc_ports[3] = {
    { .base = 0x60, .count = 1, .name = "i8042-data", .opaque = &kbc,
      .read = kbc_read, .write = kbc_write },
    { .base = 0x64, .count = 1, .name = "i8042-cmd", .opaque = &kbc,
      .read = kbc_read, .write = kbc_write },
    { .base = 0x92, .count = 1, .name = "port92", .opaque = &kbc,
      .read = port92_read, .write = port92_write },
};

/* The controller's post-BIOS state: queue empty, no command pending,
 * IRQ 1 and 12 low. */
void i8042_reset(void)
{
    I8042State *s = &kbc;

    memset(s, 0, sizeof(*s));
    s->status = KBD_STAT_SYS | KBD_STAT_UNLOCKED | KBD_STAT_CMD;
    s->mode = KBD_MODE_XLATE | KBD_MODE_AUX_DIS | KBD_MODE_KBD_INT;
    s->outport = 0xcf;
    s->port92 = KBD_OUT_A20;
    s->kbd_scancode_set = 2;
    kbc_update_irq(s);
}

/* Create the controller: post-BIOS state, ports. */
void i8042_init(void)
{
    i8042_reset();
    for (unsigned i = 0; i < 3; i++) {
        io_register(&kbc_ports[i]);
    }
}
