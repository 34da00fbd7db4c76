/*
 * hamt86 - the 8254 programmable interval timer (ports 0x40..0x43) and the
 * port 0x61 bits that gate and read channel 2.
 *
 * The counters run at 1.193182 MHz of guest time (hw/timer.c).  A channel
 * is a reload value and the guest time it was loaded at; the counter and
 * the OUT pin are computed from the elapsed input ticks d:
 *
 *   mode   counter                 OUT
 *   0      count - d (wraps)       low until d >= count (IRQ: rising edge)
 *   1      count - d               low until d >= count (gate rising restarts)
 *   2      count - d % count       low for the last tick of each period
 *   3      count - 2d % count      high the first half, low the second
 *   4, 5   count - d               low only at d == count (5: gate restarts)
 *
 * (modes 6, 7 are 2, 3).  As on QEMU's model, BCD counting is accepted but
 * counts in binary, and gate changes restart modes 1, 2, 3, 5 on a rising
 * edge without pausing the count while low.  Channel 0's OUT is IRQ 0: a
 * timer fires at each rising edge and pulses the (edge-triggered) line, so
 * an edge is never lost when the callback runs late.
 *
 * Control word (port 0x43):
 *   | SC1 SC0 | RW1 RW0 | M2 M1 M0 | BCD |
 *   SC = 3: read-back  | 1 1 | /COUNT | /STATUS | CNT2 CNT1 CNT0 | 0 |
 *   RW = 0: counter latch; 1: LSB; 2: MSB; 3: LSB then MSB
 * Status byte (read-back): | OUT | NULL | RW1 RW0 | M2 M1 M0 | BCD |
 *
 * Port 0x61: bit 0 gate 2, bit 1 speaker data (read back), bit 4 refresh
 * (toggles on every read, as on QEMU), bit 5 OUT2.
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"

#define PIT_FREQ 1193182u

typedef struct PITChannel {
    uint32_t count;        /* reload value, 1..65536 */
    uint8_t mode, rw, bcd;
    bool running;          /* a count was loaded (from reset on) */
    bool write_hi;         /* next write is the MSB (rw 3) */
    bool read_hi;          /* next read is the MSB (rw 3) */
    uint8_t write_lo;
    bool latched;          /* count latched (first latch wins) */
    uint16_t latch;
    bool latch_hi;
    bool status_latched;
    uint8_t status;
    bool gate;
    uint64_t load_ns;      /* guest time of the count load */
    uint64_t edges_done;   /* channel 0: IRQ edges already raised */
} PITChannel;

typedef struct PITState {
    PITChannel ch[3];
    HWTimer irq_timer;
    uint8_t port61;        /* bits 0-1 as written */
    uint8_t refresh;       /* bit 4 toggle */
} PITState;

static PITState pit_state;

/* Input clock ticks since ch's count was loaded. */
static uint64_t pit_ticks(const PITChannel *ch, uint64_t now)
{
    uint64_t d = now > ch->load_ns ? now - ch->load_ns : 0;

    return (d / 1000000000u) * PIT_FREQ +
           (d % 1000000000u) * PIT_FREQ / 1000000000u;
}

/* Guest time at which tick number t after the load happens. */
static uint64_t pit_tick_ns(const PITChannel *ch, uint64_t t)
{
    return ch->load_ns + (t / PIT_FREQ) * 1000000000u +
           ((t % PIT_FREQ) * 1000000000u + PIT_FREQ - 1) / PIT_FREQ;
}

/* Mode with 6 and 7 folded onto 2 and 3. */
static unsigned pit_mode(const PITChannel *ch)
{
    return ch->mode >= 6 ? ch->mode - 4u : ch->mode;
}

/* Current counter value. */
static uint16_t pit_counter(const PITChannel *ch, uint64_t now)
{
    uint64_t t;

    if (!ch->running) {
        return (uint16_t)ch->count;
    }
    t = pit_ticks(ch, now);
    switch (pit_mode(ch)) {
    case 2:
        return (uint16_t)(ch->count - t % ch->count);
    case 3:
        return (uint16_t)(ch->count - (2 * t) % ch->count);
    default:
        return (uint16_t)(ch->count - t);
    }
}

/* Level of the channel's OUT pin. */
static bool pit_out(const PITChannel *ch, uint64_t now)
{
    uint64_t t;

    if (!ch->running) {
        return pit_mode(ch) != 0;
    }
    t = pit_ticks(ch, now);
    switch (pit_mode(ch)) {
    case 0:
    case 1:
        return t >= ch->count;
    case 2:
        return (t % ch->count) != ch->count - 1;
    case 3:
        return (t % ch->count) < (ch->count + 1) / 2;
    default:
        return t != ch->count;
    }
}

/* Rising edges of OUT from the load up to tick t. */
static uint64_t pit_edges(const PITChannel *ch, uint64_t t)
{
    switch (pit_mode(ch)) {
    case 0:
    case 1:
        return t >= ch->count ? 1 : 0;
    case 2:
    case 3:
        return t / ch->count;
    default:
        return t >= ch->count + 1u ? 1 : 0;
    }
}

/* Tick of rising edge number n + 1 (UINT64_MAX: none). */
static uint64_t pit_next_edge_tick(const PITChannel *ch, uint64_t n)
{
    switch (pit_mode(ch)) {
    case 0:
    case 1:
        return n == 0 ? ch->count : UINT64_MAX;
    case 2:
    case 3:
        return (n + 1) * ch->count;
    default:
        return n == 0 ? ch->count + 1u : UINT64_MAX;
    }
}

/* Channel 0: raise IRQ 0 for new rising edges, arm the next one. */
static void pit_irq_update(PITState *s, uint64_t now)
{
    PITChannel *ch = &s->ch[0];
    uint64_t n, next;

    if (!ch->running) {
        pic_set_irq(0, pit_out(ch, now));
        timer_mod(&s->irq_timer, UINT64_MAX);
        return;
    }
    n = pit_edges(ch, pit_ticks(ch, now));
    if (n > ch->edges_done) {
        ch->edges_done = n;
        pic_set_irq(0, false);
        pic_set_irq(0, true);
    }
    pic_set_irq(0, pit_out(ch, now));
    next = pit_next_edge_tick(ch, ch->edges_done);
    timer_mod(&s->irq_timer,
              next == UINT64_MAX ? UINT64_MAX : pit_tick_ns(ch, next));
}

/* The IRQ 0 timer. */
static void pit_irq_timer_cb(void *opaque, uint64_t now)
{
    pit_irq_update(opaque, now);
}

/* Can channel 0 interrupt a halted CPU? */
static bool pit_may_interrupt(void *opaque)
{
    (void)opaque;
    return pic_irq_enabled(0);
}

/* Load a new count into ch (0 means 65536) and start it. */
static void pit_load(PITState *s, PITChannel *ch, uint32_t v)
{
    ch->count = v ? v : 65536;
    if ((pit_mode(ch) == 2 || pit_mode(ch) == 3) && ch->count == 1) {
        ch->count = 2;   /* 1 is illegal in the periodic modes */
    }
    ch->load_ns = clock_ns();
    ch->edges_done = 0;
    ch->running = true;
    if (ch == &s->ch[0]) {
        pit_irq_update(s, ch->load_ns);
    }
}

/* Latch ch's counter (first latch wins until read). */
static void pit_latch(PITChannel *ch, uint64_t now)
{
    if (!ch->latched) {
        ch->latch = pit_counter(ch, now);
        ch->latched = true;
        ch->latch_hi = false;
    }
}

/* Latch ch's status byte (first latch wins until read). */
static void pit_latch_status(PITChannel *ch, uint64_t now)
{
    if (!ch->status_latched) {
        /* NULL COUNT reads 0, as on QEMU */
        ch->status = (uint8_t)((pit_out(ch, now) ? 0x80 : 0) |
                               (ch->rw << 4) | (ch->mode << 1) | ch->bcd);
        ch->status_latched = true;
    }
}

/* Data port read. */
static uint32_t pit_read(void *opaque, uint16_t port, unsigned size)
{
    PITState *s = opaque;
    PITChannel *ch = &s->ch[port & 3];
    uint16_t v;

    (void)size;
    if ((port & 3) == 3) {
        return 0;      /* the control register is write-only (QEMU: 0) */
    }
    timers_run();
    if (ch->status_latched) {
        ch->status_latched = false;
        return ch->status;
    }
    if (ch->latched) {
        v = ch->latch;
        if (ch->rw == 3 && !ch->latch_hi) {
            ch->latch_hi = true;
            return v & 0xff;
        }
        ch->latched = false;
        return ch->rw == 2 || ch->rw == 3 ? v >> 8 : v & 0xff;
    }
    v = pit_counter(ch, clock_ns());
    switch (ch->rw) {
    case 1:
        return v & 0xff;
    case 2:
        return v >> 8;
    default:
        ch->read_hi = !ch->read_hi;
        return ch->read_hi ? v & 0xff : v >> 8;
    }
}

/* Control word write. */
static void pit_write_control(PITState *s, uint8_t v)
{
    unsigned sc = v >> 6, rw = (v >> 4) & 3;
    uint64_t now = clock_ns();
    PITChannel *ch;

    if (sc == 3) {
        for (int i = 0; i < 3; i++) {
            if (v & (2u << i)) {
                if (!(v & 0x20)) {
                    pit_latch(&s->ch[i], now);
                }
                if (!(v & 0x10)) {
                    pit_latch_status(&s->ch[i], now);
                }
            }
        }
        return;
    }
    ch = &s->ch[sc];
    if (rw == 0) {
        pit_latch(ch, now);
        return;
    }
    ch->rw = (uint8_t)rw;
    ch->mode = (v >> 1) & 7;
    ch->bcd = v & 1;
    ch->write_hi = false;
    ch->read_hi = false;
    ch->latched = false;
    ch->status_latched = false;
    /* as on QEMU the counter goes on with its old count and load time in
     * the new mode until a count is written (a real 8254 stops and sets
     * OUT to the mode's initial level) */
    if (sc == 0) {
        pit_irq_update(s, now);
    }
}

/* Data or control port write. */
static void pit_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    PITState *s = opaque;
    PITChannel *ch = &s->ch[port & 3];
    uint8_t v = (uint8_t)val;

    (void)size;
    timers_run();
    if ((port & 3) == 3) {
        pit_write_control(s, v);
        return;
    }
    switch (ch->rw) {
    case 1:
        pit_load(s, ch, v);
        break;
    case 2:
        pit_load(s, ch, (uint32_t)v << 8);
        break;
    default:
        if (!ch->write_hi) {
            ch->write_lo = v;
            ch->write_hi = true;
        } else {
            ch->write_hi = false;
            pit_load(s, ch, ch->write_lo | ((uint32_t)v << 8));
        }
        break;
    }
}

/* Port 0x61 read: gate 2, speaker data, refresh toggle, OUT2. */
static uint32_t port61_read(void *opaque, uint16_t port, unsigned size)
{
    PITState *s = opaque;

    (void)port;
    (void)size;
    s->refresh ^= 0x10;
    return (s->port61 & 3) | s->refresh |
           (pit_out(&s->ch[2], clock_ns()) ? 0x20 : 0);
}

/* Port 0x61 write: gate 2 (a rising edge restarts modes 1, 2, 3, 5). */
static void port61_write(void *opaque, uint16_t port, uint32_t val,
                         unsigned size)
{
    PITState *s = opaque;
    PITChannel *ch = &s->ch[2];
    bool gate = val & 1;

    (void)port;
    (void)size;
    if (gate && !ch->gate && ch->running && pit_mode(ch) != 0 &&
        pit_mode(ch) != 4) {
        ch->load_ns = clock_ns();
    }
    ch->gate = gate;
    s->port61 = (uint8_t)(val & 3);
}

static const IOPortHandler pit_ports = {
    .base = 0x40, .count = 4, .name = "pit", .opaque = &pit_state,
    .read = pit_read, .write = pit_write,
};
static const IOPortHandler port61_handler = {
    .base = 0x61, .count = 1, .name = "port61", .opaque = &pit_state,
    .read = port61_read, .write = port61_write,
};

/* The PIT's power-on state: every channel runs mode 3 with count 65536
 * from reset as on QEMU (channel 2's gate low), port 0x61 clear. */
void pit_reset(void)
{
    PITState *s = &pit_state;

    memset(s->ch, 0, sizeof(s->ch));
    s->port61 = 0;
    s->refresh = 0;
    for (int i = 0; i < 3; i++) {
        s->ch[i].rw = 3;
        s->ch[i].mode = 3;
        s->ch[i].gate = i != 2;
        pit_load(s, &s->ch[i], 0);
    }
}

/* Create the PIT: its timer, power-on state, ports. */
void pit_init(void)
{
    PITState *s = &pit_state;

    s->irq_timer.cb = pit_irq_timer_cb;
    s->irq_timer.opaque = s;
    s->irq_timer.name = "pit";
    s->irq_timer.may_interrupt = pit_may_interrupt;
    timer_add(&s->irq_timer);
    pit_reset();
    io_register(&pit_ports);
    io_register(&port61_handler);
}
