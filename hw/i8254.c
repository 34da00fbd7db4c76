/*
 * hamt86 - the 8254 programmable interval timer (ports 0x40..0x43) and the
 * port 0x61 speaker/gate bits that read channel 2.
 *
 * The counters run at 1.193182 MHz of guest time.  Guest time is host
 * monotonic time plus a warp: when the CPU halts with interrupts enabled
 * and the only thing that can wake it is the timer, hw_idle() jumps guest
 * time forward to the next channel 0 interrupt instead of sleeping.
 *
 * Control word (port 0x43):
 *   | SC1 SC0 | RW1 RW0 | M2 M1 M0 | BCD |
 *   SC = 3: read-back (latch count of the selected channels)
 *   RW = 0: counter latch; 1: LSB; 2: MSB; 3: LSB then MSB
 *
 * Channel 0 drives IRQ 0 in modes 2 and 3 (periodic, one pulse per
 * period; missed periods are coalesced) and mode 0 (once at terminal
 * count).  BCD counting is not modelled.
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/os.h"

#define PIT_FREQ 1193182u

typedef struct PITChannel {
    uint32_t count;        /* reload value, 1..65536 */
    uint8_t mode, rw;      /* rw: 1 lsb, 2 msb, 3 lsb/msb */
    bool running;
    bool write_hi;         /* next write is the MSB (rw 3) */
    bool read_hi;          /* next read is the MSB (rw 3) */
    uint8_t write_lo;
    bool latched;
    uint16_t latch;
    bool latch_hi;         /* next latched read is the MSB */
    uint64_t load_ns;      /* guest time of the count load */
    uint64_t periods_done; /* IRQ pulses already raised (channel 0) */
    bool gate;
} PITChannel;

static PITChannel pit[3];
static uint64_t time_warp;
static uint8_t port61;

/* Guest time in nanoseconds. */
static uint64_t guest_ns(void)
{
    return os_clock_ns() + time_warp;
}

/* Input clock ticks since ch's count was loaded. */
static uint64_t pit_ticks(const PITChannel *ch, uint64_t now)
{
    uint64_t d = now - ch->load_ns;
    /* d * f / 1e9 without overflow for long runs */
    return (d / 1000000000u) * PIT_FREQ + (d % 1000000000u) * PIT_FREQ / 1000000000u;
}

/* Guest time at which tick number t after the load happens. */
static uint64_t pit_tick_ns(const PITChannel *ch, uint64_t t)
{
    return ch->load_ns + (t / PIT_FREQ) * 1000000000u +
           ((t % PIT_FREQ) * 1000000000u + PIT_FREQ - 1) / PIT_FREQ;
}

/* Current counter value. */
static uint16_t pit_counter(const PITChannel *ch, uint64_t now)
{
    uint64_t t;

    if (!ch->running) {
        return (uint16_t)ch->count;
    }
    t = pit_ticks(ch, now);
    switch (ch->mode) {
    case 2:
    case 3:
    case 6:
    case 7:
        return (uint16_t)(ch->count - t % ch->count);
    default:
        /* modes 0, 1, 4, 5: count down once, then wrap through 0xffff */
        return (uint16_t)(ch->count - t);
    }
}

/* Output level of channel 2 (port 0x61 bit 5). */
static bool pit_out(const PITChannel *ch, uint64_t now)
{
    uint64_t t;

    if (!ch->running) {
        return ch->mode != 0;
    }
    t = pit_ticks(ch, now);
    switch (ch->mode) {
    case 0:
        return t >= ch->count;
    case 3:
    case 7:
        return (t % ch->count) < (ch->count + 1) / 2;
    default:
        return (t % ch->count) != ch->count - 1;
    }
}

/* Number of IRQ-raising events of channel 0 up to now. */
static uint64_t pit_events(const PITChannel *ch, uint64_t now)
{
    uint64_t t = pit_ticks(ch, now);

    if (ch->mode == 0 || ch->mode == 4) {
        return t >= ch->count ? 1 : 0;
    }
    return t / ch->count;
}

/* Raise IRQ 0 for channel 0 periods that elapsed since the last poll. */
void pit_poll(void)
{
    PITChannel *ch = &pit[0];
    uint64_t n;

    if (!ch->running) {
        return;
    }
    n = pit_events(ch, guest_ns());
    if (n > ch->periods_done) {
        ch->periods_done = n;
        pic_set_irq(0, true);
        pic_set_irq(0, false);
    }
}

/* HLT: skip guest time to the next channel 0 interrupt, if one can come. */
bool pit_warp_to_next_irq(void)
{
    PITChannel *ch = &pit[0];
    uint64_t now, next_tick, at;

    if (!ch->running || !pic_irq_enabled(0)) {
        return false;
    }
    if ((ch->mode == 0 || ch->mode == 4) && ch->periods_done >= 1) {
        return false;
    }
    now = guest_ns();
    next_tick = (ch->mode == 0 || ch->mode == 4) ? ch->count :
                (ch->periods_done + 1) * ch->count;
    at = pit_tick_ns(ch, next_tick);
    if (at > now) {
        time_warp += at - now;
    }
    pit_poll();
    return true;
}

/* Load a new count into ch (0 means 65536) and start it. */
static void pit_load(PITChannel *ch, uint32_t v)
{
    ch->count = v ? v : 65536;
    if ((ch->mode == 2 || ch->mode == 3 || ch->mode == 6 || ch->mode == 7) &&
        ch->count == 1) {
        ch->count = 2;   /* 1 is illegal in the periodic modes */
    }
    ch->load_ns = guest_ns();
    ch->periods_done = 0;
    ch->running = true;
}

/* Latch ch's counter (first latch wins until read). */
static void pit_latch(PITChannel *ch)
{
    if (!ch->latched) {
        ch->latch = pit_counter(ch, guest_ns());
        ch->latched = true;
        ch->latch_hi = false;
    }
}

/* Data port read. */
static uint32_t pit_read(void *opaque, uint16_t port, unsigned size)
{
    PITChannel *ch = &pit[port & 3];
    uint16_t v;
    uint8_t b;

    (void)opaque;
    (void)size;
    if ((port & 3) == 3) {
        return 0xff;
    }
    pit_poll();
    if (ch->latched) {
        v = ch->latch;
        if (ch->rw == 3 && !ch->latch_hi) {
            ch->latch_hi = true;
            return v & 0xff;
        }
        ch->latched = false;
        return ch->rw == 2 || ch->rw == 3 ? v >> 8 : v & 0xff;
    }
    v = pit_counter(ch, guest_ns());
    switch (ch->rw) {
    case 1:
        b = (uint8_t)v;
        break;
    case 2:
        b = (uint8_t)(v >> 8);
        break;
    default:
        b = ch->read_hi ? (uint8_t)(v >> 8) : (uint8_t)v;
        ch->read_hi = !ch->read_hi;
        break;
    }
    return b;
}

/* Data or control port write. */
static void pit_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    uint8_t v = (uint8_t)val;

    (void)opaque;
    (void)size;
    pit_poll();
    if ((port & 3) == 3) {
        unsigned sc = v >> 6, rw = (v >> 4) & 3;
        PITChannel *ch;
        if (sc == 3) {
            /* read-back: latch count of the selected channels */
            if (!(v & 0x20)) {
                for (int i = 0; i < 3; i++) {
                    if (v & (2u << i)) {
                        pit_latch(&pit[i]);
                    }
                }
            }
            return;
        }
        ch = &pit[sc];
        if (rw == 0) {
            pit_latch(ch);
            return;
        }
        ch->rw = (uint8_t)rw;
        ch->mode = (v >> 1) & 7;
        ch->write_hi = false;
        ch->read_hi = false;
        ch->latched = false;
        ch->running = false;
        return;
    }
    {
        PITChannel *ch = &pit[port & 3];
        switch (ch->rw) {
        case 1:
            pit_load(ch, v);
            break;
        case 2:
            pit_load(ch, (uint32_t)v << 8);
            break;
        default:
            if (!ch->write_hi) {
                ch->write_lo = v;
                ch->write_hi = true;
            } else {
                ch->write_hi = false;
                pit_load(ch, ch->write_lo | ((uint32_t)v << 8));
            }
            break;
        }
    }
}

/* Port 0x61: bit 0 gate 2, bit 1 speaker, bit 4 refresh toggle, bit 5 OUT2. */
static uint32_t port61_read(void *opaque, uint16_t port, unsigned size)
{
    uint64_t now = guest_ns();

    (void)opaque;
    (void)port;
    (void)size;
    return (port61 & 3) | (((now / 15085u) & 1) << 4) |
           (pit_out(&pit[2], now) ? 0x20 : 0);
}

/* Port 0x61 write: gate and speaker enable. */
static void port61_write(void *opaque, uint16_t port, uint32_t val,
                         unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    port61 = (uint8_t)(val & 3);
}

static const IOPortHandler pit_ports = {
    .base = 0x40, .count = 4, .name = "pit",
    .read = pit_read, .write = pit_write,
};
static const IOPortHandler port61_handler = {
    .base = 0x61, .count = 1, .name = "port61",
    .read = port61_read, .write = port61_write,
};

/* Register the PIT (all channels stopped, as a multiboot kernel expects
 * nothing about them). */
void pit_init(void)
{
    for (int i = 0; i < 3; i++) {
        pit[i].count = 65536;
        pit[i].rw = 3;
    }
    io_register(&pit_ports);
    io_register(&port61_handler);
}
