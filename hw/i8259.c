/*
 * hamt86 - the 8259A programmable interrupt controller pair.
 *
 *   master 0x20/0x21, slave 0xA0/0xA1 cascaded on master IRQ 2
 *
 * Modelled: ICW1..ICW4 initialisation, IMR, edge-triggered IRR, ISR with
 * fixed priority (IRQ 0 highest), OCW2 non-specific / specific EOI,
 * OCW3 IRR/ISR read select, auto-EOI.  Not modelled: rotation, special
 * mask and poll modes, level-triggered inputs.
 *
 *   ICW1 (port 0, bit 4 set):  ... | 1 | LTIM | ADI | SNGL | IC4 |
 *   OCW2 (port 0, bits 4:3 = 00): | R | SL | EOI | 0 | 0 | L2 L1 L0 |
 *   OCW3 (port 0, bits 4:3 = 01): | 0 | ESMM SMM | 0 | 1 | P | RR | RIS |
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"

typedef struct PICState {
    uint8_t irr, imr, isr;
    uint8_t last_level;   /* input levels, for edge detection */
    uint8_t base;         /* ICW2 vector base */
    uint8_t init_step;    /* 0: ready, 2/3/4: expecting ICWn */
    bool icw4, single, auto_eoi, read_isr;
} PICState;

static PICState pics[2];

/* Highest-priority set bit (0 first), or 8 if none. */
static int pic_prio(uint8_t m)
{
    for (int i = 0; i < 8; i++) {
        if (m & (1u << i)) {
            return i;
        }
    }
    return 8;
}

/* The IRQ this chip would present to its output, or -1. */
static int pic_pending(const PICState *p)
{
    int irq = pic_prio(p->irr & ~p->imr);
    int in_service = pic_prio(p->isr);

    if (irq == 8 || irq >= in_service) {
        return -1;
    }
    return irq;
}

/* Propagate: slave output to master IRQ 2, master output to the CPU. */
static void pic_update(void)
{
    bool slave_out = pic_pending(&pics[1]) >= 0;

    if (slave_out && !(pics[0].last_level & 4)) {
        pics[0].irr |= 4;
    }
    if (slave_out) {
        pics[0].last_level |= 4;
    } else {
        pics[0].last_level &= (uint8_t)~4;
        pics[0].irr &= (uint8_t)~4;
    }
    cpu_set_irq(pic_pending(&pics[0]) >= 0);
}

/* A device drives interrupt line irq (0..15) to level. */
void pic_set_irq(int irq, bool level)
{
    PICState *p = &pics[irq >> 3];
    uint8_t bit = (uint8_t)(1u << (irq & 7));

    if (level) {
        if (!(p->last_level & bit)) {
            p->irr |= bit;
        }
        p->last_level |= bit;
    } else {
        p->last_level &= (uint8_t)~bit;
    }
    pic_update();
}

/* Is IRQ irq unmasked all the way to the CPU? */
bool pic_irq_enabled(int irq)
{
    if (irq >= 8) {
        return !(pics[1].imr & (1u << (irq & 7))) && !(pics[0].imr & 4);
    }
    return !(pics[0].imr & (1u << irq));
}

/* Acknowledge irq on chip p: IRR -> ISR. */
static void pic_ack_one(PICState *p, int irq)
{
    if (!p->auto_eoi) {
        p->isr |= (uint8_t)(1u << irq);
    }
    p->irr &= (uint8_t)~(1u << irq);
}

/* INTA cycle: the vector of the highest-priority pending interrupt. */
int hw_irq_ack(void)
{
    int irq, vec;

    pit_poll();
    irq = pic_pending(&pics[0]);
    if (irq < 0) {
        return -1;
    }
    pic_ack_one(&pics[0], irq);
    if (irq == 2 && !pics[0].single) {
        int irq2 = pic_pending(&pics[1]);
        if (irq2 < 0) {
            irq2 = 7;   /* spurious on the slave */
        } else {
            pic_ack_one(&pics[1], irq2);
        }
        vec = pics[1].base + irq2;
    } else {
        vec = pics[0].base + irq;
    }
    pic_update();
    return vec;
}

/* Command port (0x20 / 0xA0) write. */
static void pic_write_cmd(PICState *p, uint8_t v)
{
    if (v & 0x10) {
        /* ICW1: reset and start the initialisation sequence */
        p->imr = 0;
        p->isr = 0;
        p->irr = 0;
        p->last_level = 0;
        p->read_isr = false;
        p->auto_eoi = false;
        p->icw4 = v & 1;
        p->single = (v & 2) != 0;
        p->init_step = 2;
    } else if (v & 0x08) {
        /* OCW3 */
        if (v & 0x02) {
            p->read_isr = v & 1;
        }
    } else {
        /* OCW2 */
        int cmd = v >> 5;
        if (cmd == 1 || cmd == 5) {          /* non-specific EOI */
            int i = pic_prio(p->isr);
            if (i < 8) {
                p->isr &= (uint8_t)~(1u << i);
            }
        } else if (cmd == 3 || cmd == 7) {   /* specific EOI */
            p->isr &= (uint8_t)~(1u << (v & 7));
        }
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
        p->init_step = 0;
        break;
    default:
        p->imr = v;
        break;
    }
    pic_update();
}

/* Port read. */
static uint32_t pic_read(void *opaque, uint16_t port, unsigned size)
{
    PICState *p = opaque;

    (void)size;
    pit_poll();
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

static const IOPortHandler pic_ports[2] = {
    { .base = 0x20, .count = 2, .name = "pic-master", .opaque = &pics[0],
      .read = pic_read, .write = pic_write },
    { .base = 0xa0, .count = 2, .name = "pic-slave", .opaque = &pics[1],
      .read = pic_read, .write = pic_write },
};

/* Register both PICs (BIOS state: vectors 0x08 / 0x70, all masked). */
void pic_init(void)
{
    pics[0].base = 0x08;
    pics[1].base = 0x70;
    pics[0].imr = 0xff;
    pics[1].imr = 0xff;
    io_register(&pic_ports[0]);
    io_register(&pic_ports[1]);
}
