/*
 * hamt86 - the 8259A programmable interrupt controller pair and the ELCR.
 *
 *   master 0x20/0x21, slave 0xA0/0xA1 cascaded on master IRQ 2
 *   ELCR   0x4D0 (IRQ 0-7), 0x4D1 (IRQ 8-15): 1 = level-triggered
 *          (writable bits as on QEMU: 0xF8 master, 0xDE slave)
 *
 * Modelled: ICW1..ICW4, IMR, edge- and level-triggered IRR, ISR with
 * rotating priority (rotate on EOI, set priority), non-specific and
 * specific EOI, auto-EOI (and its rotation), special mask mode, poll mode,
 * special fully nested mode, spurious IRQ 7 / IRQ 15 when an INTA finds
 * nothing pending.
 *
 *   ICW1 (port 0, bit 4 set):  ... | 1 | LTIM | ADI | SNGL | IC4 |
 *   ICW4 (port 1):             | 0 0 0 | SFNM | BUF M/S | AEOI | uPM |
 *   OCW2 (port 0, bits 4:3 = 00): | R | SL | EOI | 0 | 0 | L2 L1 L0 |
 *       001 non-specific EOI  011 specific EOI   101 rotate on EOI
 *       111 rotate on specific EOI  110 set priority (lowest = L)
 *       100/000 rotate in auto-EOI mode set/clear
 *   OCW3 (port 0, bits 4:3 = 01): | 0 | ESMM SMM | 0 | 1 | P | RR | RIS |
 *
 * Priorities are relative to priority_add: IRQ (priority_add + k) & 7 has
 * priority k (0 highest).
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

typedef struct PICState {
    uint8_t irr, imr, isr;
    uint8_t last_irr;     /* input levels, for edge detection */
    uint8_t elcr, elcr_mask;
    uint8_t base;         /* ICW2 vector base */
    uint8_t priority_add;
    uint8_t init_step;    /* 0: ready, 2/3/4: expecting ICWn */
    bool icw4, single, auto_eoi, rotate_on_auto_eoi, read_isr, poll;
    bool special_mask, special_fully_nested;
    bool master;
} PICState;

typedef struct PICPair {
    PICState chip[2];
    uint64_t irq_count[16];   /* --stats: acknowledged per line */
    uint64_t spurious;
} PICPair;

static PICPair pic;

/* Priority (0 highest) of the highest set bit of mask, or 8 if none. */
static int pic_priority(const PICState *p, uint8_t mask)
{
    if (mask == 0) {
        return 8;
    }
    for (int k = 0; k < 8; k++) {
        if (mask & (1u << ((k + p->priority_add) & 7))) {
            return k;
        }
    }
    return 8;
}

/* The IRQ this chip would present to its output, or -1. */
static int pic_pending(const PICState *p)
{
    int pr = pic_priority(p, p->irr & ~p->imr);
    uint8_t in_service = p->isr;
    int cur;

    if (pr == 8) {
        return -1;
    }
    if (p->special_mask) {
        in_service &= ~p->imr;   /* masked levels do not block */
    }
    if (p->special_fully_nested && p->master) {
        in_service &= (uint8_t)~4;   /* the slave may nest */
    }
    cur = pic_priority(p, in_service);
    if (pr >= cur) {
        return -1;
    }
    return (pr + p->priority_add) & 7;
}

/* Propagate: slave output to master IRQ 2, master output to the CPU. */
static void pic_update(void)
{
    PICState *m = &pic.chip[0];
    bool slave_out = pic_pending(&pic.chip[1]) >= 0;

    if (slave_out) {
        if (!(m->last_irr & 4) || (m->elcr & 4)) {
            m->irr |= 4;
        }
        m->last_irr |= 4;
    } else {
        m->last_irr &= (uint8_t)~4;
        m->irr &= (uint8_t)~4;   /* the cascade input is a level */
    }
    cpu_set_irq(pic_pending(m) >= 0);
}

/* Set one input of chip p: edge inputs latch a rising edge, level inputs
 * follow the line. */
static void pic_set_input(PICState *p, int irq, bool level)
{
    uint8_t bit = (uint8_t)(1u << irq);

    if (p->elcr & bit) {
        if (level) {
            p->irr |= bit;
            p->last_irr |= bit;
        } else {
            p->irr &= (uint8_t)~bit;
            p->last_irr &= (uint8_t)~bit;
        }
    } else if (level) {
        if (!(p->last_irr & bit)) {
            p->irr |= bit;
        }
        p->last_irr |= bit;
    } else {
        p->last_irr &= (uint8_t)~bit;
    }
}

/* A device drives interrupt line irq (0..15) to level. */
void pic_set_irq(int irq, bool level)
{
    pic_set_input(&pic.chip[irq >> 3], irq & 7, level);
    pic_update();
}

/* Is IRQ irq unmasked all the way to the CPU? */
bool pic_irq_enabled(int irq)
{
    if (irq >= 8) {
        return !(pic.chip[1].imr & (1u << (irq & 7))) &&
               !(pic.chip[0].imr & 4);
    }
    return !(pic.chip[0].imr & (1u << irq));
}

/* Acknowledge irq on chip p: IRR -> ISR (or auto-EOI). */
static void pic_ack_one(PICState *p, int irq)
{
    if (p->auto_eoi) {
        if (p->rotate_on_auto_eoi) {
            p->priority_add = (uint8_t)((irq + 1) & 7);
        }
    } else {
        p->isr |= (uint8_t)(1u << irq);
    }
    /* a level-triggered input stays requested while its line is high */
    if (!(p->elcr & (1u << irq))) {
        p->irr &= (uint8_t)~(1u << irq);
    }
}

/* INTA cycle: the vector of the highest-priority pending interrupt (IRQ 7
 * of the chip, not put in service, when nothing is pending: spurious). */
int hw_irq_ack(void)
{
    PICState *m = &pic.chip[0], *sl = &pic.chip[1];
    int irq, irq2, vec;

    timers_run();
    irq = pic_pending(m);
    if (irq < 0) {
        pic.spurious++;
        DEBUG_LOG(LOG_INT, "pic: spurious IRQ 7\n");
        return m->base + 7;
    }
    pic_ack_one(m, irq);
    if (irq == 2 && !m->single) {
        irq2 = pic_pending(sl);
        if (irq2 < 0) {
            pic.spurious++;
            DEBUG_LOG(LOG_INT, "pic: spurious IRQ 15\n");
            irq2 = 7;
        } else {
            pic_ack_one(sl, irq2);
            pic.irq_count[8 + irq2]++;
        }
        vec = sl->base + irq2;
    } else {
        pic.irq_count[irq]++;
        vec = m->base + irq;
    }
    pic_update();
    return vec;
}

/* Poll command read: 0x80 | IRQ of the highest request (acknowledged),
 * or 0 if none. */
static uint8_t pic_poll_read(PICState *p)
{
    int irq = pic_pending(p);

    if (irq < 0) {
        pic_update();
        return 0;
    }
    /* a slave request polled at the master shows as IRQ 2 (the slave's
     * own poll tells which) */
    pic_ack_one(p, irq);
    pic_update();
    return (uint8_t)(0x80 | irq);
}

/* OCW2: EOI and rotation commands. */
static void pic_write_ocw2(PICState *p, uint8_t v)
{
    int cmd = v >> 5, pr;

    switch (cmd) {
    case 0:   /* clear rotate in auto-EOI mode */
    case 4:   /* set rotate in auto-EOI mode */
        p->rotate_on_auto_eoi = cmd >> 2;
        break;
    case 1:   /* non-specific EOI */
    case 5:   /* rotate on non-specific EOI */
        pr = pic_priority(p, p->isr);
        if (pr != 8) {
            int irq = (pr + p->priority_add) & 7;
            p->isr &= (uint8_t)~(1u << irq);
            if (cmd == 5) {
                p->priority_add = (uint8_t)((irq + 1) & 7);
            }
        }
        break;
    case 3:   /* specific EOI */
        p->isr &= (uint8_t)~(1u << (v & 7));
        break;
    case 6:   /* set priority: IRQ L gets the lowest */
        p->priority_add = (uint8_t)((v + 1) & 7);
        break;
    case 7:   /* rotate on specific EOI */
        p->isr &= (uint8_t)~(1u << (v & 7));
        p->priority_add = (uint8_t)((v + 1) & 7);
        break;
    default:  /* 2: no operation */
        break;
    }
}

/* Command port (0x20 / 0xA0) write. */
static void pic_write_cmd(PICState *p, uint8_t v)
{
    if (v & 0x10) {
        /* ICW1: reset and start the initialisation sequence */
        uint8_t elcr = p->elcr, mask = p->elcr_mask;
        bool master = p->master;
        memset(p, 0, sizeof(*p));
        p->elcr = elcr;
        p->elcr_mask = mask;
        p->master = master;
        p->icw4 = v & 1;
        p->single = (v & 2) != 0;
        p->init_step = 2;
        if (v & 0x08) {
            DEBUG_LOG(LOG_UNIMP, "unimp: pic: LTIM (use the ELCR)\n");
        }
    } else if (v & 0x08) {
        /* OCW3 */
        if (v & 0x04) {
            p->poll = true;
        }
        if (v & 0x02) {
            p->read_isr = v & 1;
        }
        if (v & 0x40) {
            p->special_mask = (v >> 5) & 1;
        }
    } else {
        pic_write_ocw2(p, v);
    }
    pic_update();
}

/* Data port (0x21 / 0xA1) write: ICW2..4 during init, else IMR. */
static void pic_write_data(PICState *p, uint8_t v)
{
    switch (p->init_step) {
    case 2:
        p->base = v & 0xf8;
        p->init_step = p->single ? (p->icw4 ? 4 : 0) : 3;
        break;
    case 3:
        p->init_step = p->icw4 ? 4 : 0;
        break;
    case 4:
        p->auto_eoi = (v & 2) != 0;
        p->special_fully_nested = (v & 0x10) != 0;
        p->init_step = 0;
        break;
    default:
        p->imr = v;
        break;
    }
    pic_update();
}

/* Port read: IMR, or IRR/ISR per OCW3, or the poll byte. */
static uint32_t pic_read(void *opaque, uint16_t port, unsigned size)
{
    PICState *p = opaque;

    (void)size;
    timers_run();
    if (p->poll) {
        p->poll = false;
        return pic_poll_read(p);
    }
    if (port & 1) {
        return p->imr;
    }
    return p->read_isr ? p->isr : p->irr;
}

/* Port write. */
static void pic_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    (void)size;
    if (port & 1) {
        pic_write_data(opaque, (uint8_t)val);
    } else {
        pic_write_cmd(opaque, (uint8_t)val);
    }
}

/* ELCR read (0x4D0 master, 0x4D1 slave). */
static uint32_t elcr_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)size;
    return pic.chip[port & 1].elcr;
}

/* ELCR write: the writable trigger-mode bits. */
static void elcr_write(void *opaque, uint16_t port, uint32_t val,
                       unsigned size)
{
    PICState *p = &pic.chip[port & 1];

    (void)opaque;
    (void)size;
    p->elcr = (uint8_t)val & p->elcr_mask;
    pic_update();
}

static const IOPortHandler pic_ports[3] = {
    { .base = 0x20, .count = 2, .name = "pic-master", .opaque = &pic.chip[0],
      .read = pic_read, .write = pic_write },
    { .base = 0xa0, .count = 2, .name = "pic-slave", .opaque = &pic.chip[1],
      .read = pic_read, .write = pic_write },
    { .base = 0x4d0, .count = 2, .name = "elcr",
      .read = elcr_read, .write = elcr_write },
};

/* --stats: interrupts per line. */
void pic_stats_print(void)
{
    char buf[512];
    int n = h_snprintf(buf, sizeof(buf), "  %-28s", "IRQs (line:count)");

    for (int i = 0; i < 16; i++) {
        if (pic.irq_count[i]) {
            n += h_snprintf(buf + n, sizeof(buf) - (size_t)n, " %d:%llu", i,
                            (unsigned long long)pic.irq_count[i]);
        }
    }
    n += h_snprintf(buf + n, sizeof(buf) - (size_t)n, " spurious:%llu\n",
                    (unsigned long long)pic.spurious);
    os_write(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Both PICs back to the BIOS state (vectors 0x08 / 0x70, all masked,
 * nothing pending or in service); the --stats counters stay. */
void pic_reset(void)
{
    memset(pic.chip, 0, sizeof(pic.chip));
    pic.chip[0].master = true;
    pic.chip[0].base = 0x08;
    pic.chip[1].base = 0x70;
    pic.chip[0].imr = 0xff;
    pic.chip[1].imr = 0xff;
    pic.chip[0].elcr_mask = 0xf8;
    pic.chip[1].elcr_mask = 0xde;
    pic_update();
}

/* Create the pair: power-on state, ports. */
void pic_init(void)
{
    pic_reset();
    for (unsigned i = 0; i < ARRAY_SIZE(pic_ports); i++) {
        io_register(&pic_ports[i]);
    }
}
