/*
 * hamt86 - MC146818 real-time clock and CMOS RAM (0x70 index, 0x71 data),
 * IRQ 8.
 *
 *   0x70 write: | NMI off | index (7 bits) |      0x71: the indexed byte
 *
 *   0x00 sec  0x01 sec alarm  0x02 min  0x03 min alarm  0x04 hour
 *   0x05 hour alarm  0x06 weekday (1 = Sunday)  0x07 day  0x08 month
 *   0x09 year (2 digits)  0x32 century (and 0x37, as QEMU fills them)
 *   0x0A A: | UIP | DV2 DV1 DV0 | RS3..RS0 |
 *   0x0B B: | SET | PIE | AIE | UIE | SQWE | DM (1 binary) | 24/12 | DSE |
 *   0x0C C: | IRQF | PF | AF | UF | 0000 |   (read clears, lowers IRQ 8)
 *   0x0D D: | VRT | 0... |
 *
 * The clock is the host's wall clock (UTC, like QEMU's default -rtc
 * base=utc) at machine start plus guest time, plus whatever offset the
 * guest sets by writing the time.  Time registers are encoded on each read
 * from that clock (BCD or binary, 12-hour with bit 7 = PM or 24-hour);
 * while B.SET is 1 they are plain storage and leaving SET mode loads the
 * clock from them.  UIP reads 1 during the last 244 us before each second
 * ends.  Interrupts: periodic (rate RS from the 32.768 kHz base, while PIE
 * is on), update-ended and alarm each second (alarm fields 0xC0-0xFF match
 * anything).  Not modelled: the divider chain reset (DV = 11x), daylight
 * saving, the square wave output.
 *
 * CMOS contents are those qemu-system-i386 -M isapc (7.2) with SeaBIOS
 * leaves for a guest (checked by tests/guest/platform.c): memory sizes at
 * 0x15-0x18, 0x30/0x31, 0x34/0x35, the equipment byte 0x14 (floppy, FPU,
 * PS/2 mouse), floppy type 0x10, boot order 0x38/0x3D.
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define REG_A_UIP  0x80
#define REG_B_SET  0x80
#define REG_B_PIE  0x40
#define REG_B_AIE  0x20
#define REG_B_UIE  0x10
#define REG_B_DM   0x04
#define REG_B_24H  0x02
#define REG_C_IRQF 0x80
#define REG_C_PF   0x40
#define REG_C_AF   0x20
#define REG_C_UF   0x10
#define NS_PER_SEC 1000000000ull
#define RTC_UIP_NS 244000ull

typedef struct RTCState {
    uint8_t cmos[128];
    uint8_t index;
    bool nmi_masked;
    uint64_t wall_base_ns;   /* RTC time (ns since 1970) at guest time 0 */
    HWTimer periodic, second;
    uint64_t irqs;
    uint32_t ram_bytes;      /* for the CMOS memory sizes */
} RTCState;

static RTCState rtc;

/* RTC time in ns since 1970 at guest time now. */
static uint64_t rtc_now_ns(const RTCState *s, uint64_t now)
{
    return s->wall_base_ns + now;
}

/* Value -> register encoding (BCD unless B.DM). */
static uint8_t rtc_to_reg(const RTCState *s, unsigned v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM) {
        return (uint8_t)v;
    }
    return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* Register encoding -> value. */
static unsigned rtc_from_reg(const RTCState *s, uint8_t r)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM) {
        return r;
    }
    return (r >> 4) * 10u + (r & 15u);
}

/* Days since 1970-01-01 -> civil date (proleptic Gregorian). */
static void rtc_civil(int64_t days, unsigned *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (unsigned)(yoe + era * 400) + (*m <= 2);
}

/* Civil date -> days since 1970-01-01. */
static int64_t rtc_days(unsigned y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned)(yy - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t)doe - 719468;
}

/* Encode an hour (0..23) per B's 24/12 and DM bits. */
static uint8_t rtc_hour_reg(const RTCState *s, unsigned h)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_to_reg(s, h);
    }
    return (uint8_t)(rtc_to_reg(s, h % 12 == 0 ? 12 : h % 12) |
                     (h >= 12 ? 0x80 : 0));
}

/* Decode an hour register to 0..23. */
static unsigned rtc_hour_val(const RTCState *s, uint8_t r)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_from_reg(s, r);
    }
    return rtc_from_reg(s, r & 0x7f) % 12 + ((r & 0x80) ? 12 : 0);
}

/* Store the clock's current time into the time registers 0,2,4,6-9,0x32. */
static void rtc_fill_time(RTCState *s, uint64_t now)
{
    uint64_t sec = rtc_now_ns(s, now) / NS_PER_SEC;
    int64_t days = (int64_t)(sec / 86400);
    unsigned tod = (unsigned)(sec % 86400), y, m, d;

    rtc_civil(days, &y, &m, &d);
    s->cmos[0] = rtc_to_reg(s, tod % 60);
    s->cmos[2] = rtc_to_reg(s, tod / 60 % 60);
    s->cmos[4] = rtc_hour_reg(s, tod / 3600);
    s->cmos[6] = rtc_to_reg(s, (unsigned)((days + 4) % 7) + 1);
    s->cmos[7] = rtc_to_reg(s, d);
    s->cmos[8] = rtc_to_reg(s, m);
    s->cmos[9] = rtc_to_reg(s, y % 100);
    s->cmos[0x32] = rtc_to_reg(s, y / 100);
}

/* Set the clock from the time registers (leaving SET mode). */
static void rtc_load_time(RTCState *s, uint64_t now)
{
    unsigned y = rtc_from_reg(s, s->cmos[0x32]) * 100 +
                 rtc_from_reg(s, s->cmos[9]);
    int64_t days = rtc_days(y, rtc_from_reg(s, s->cmos[8]),
                            rtc_from_reg(s, s->cmos[7]));
    int64_t sec = days * 86400 + rtc_hour_val(s, s->cmos[4]) * 3600 +
                  rtc_from_reg(s, s->cmos[2]) * 60 +
                  rtc_from_reg(s, s->cmos[0]);
    uint64_t frac = rtc_now_ns(s, now) % NS_PER_SEC;

    s->wall_base_ns = (uint64_t)sec * NS_PER_SEC + frac - now;
}

/* IRQ 8 follows C.IRQF. */
static void rtc_update_irq(RTCState *s)
{
    uint8_t b = s->cmos[RTC_REG_B], c = s->cmos[RTC_REG_C];
    bool irqf = ((b & REG_B_PIE) && (c & REG_C_PF)) ||
                ((b & REG_B_AIE) && (c & REG_C_AF)) ||
                ((b & REG_B_UIE) && (c & REG_C_UF));

    if (irqf && !(c & REG_C_IRQF)) {
        s->irqs++;
    }
    s->cmos[RTC_REG_C] = (uint8_t)(irqf ? (c | REG_C_IRQF) : (c & ~REG_C_IRQF));
    pic_set_irq(8, irqf);
}

/* Periodic interrupt period in ns (0: off). */
static uint64_t rtc_period_ns(const RTCState *s)
{
    unsigned rs = s->cmos[RTC_REG_A] & 15;

    if (rs == 0 || !(s->cmos[RTC_REG_B] & REG_B_PIE)) {
        return 0;
    }
    if (rs <= 2) {
        rs += 7;
    }
    return (NS_PER_SEC << (rs - 1)) / 32768u;
}

/* Arm the periodic timer at the next period boundary. */
static void rtc_periodic_arm(RTCState *s, uint64_t now)
{
    uint64_t p = rtc_period_ns(s);

    timer_mod(&s->periodic, p ? (now / p + 1) * p : UINT64_MAX);
}

/* Periodic timer: PF. */
static void rtc_periodic_cb(void *opaque, uint64_t now)
{
    RTCState *s = opaque;

    s->cmos[RTC_REG_C] |= REG_C_PF;
    rtc_update_irq(s);
    rtc_periodic_arm(s, now);
}

/* Does alarm register r match the time register t? */
static bool rtc_alarm_match(uint8_t r, uint8_t t)
{
    return (r & 0xc0) == 0xc0 || r == t;
}

/* The end of a second: UF, AF on an alarm match. */
static void rtc_second_cb(void *opaque, uint64_t now)
{
    RTCState *s = opaque;
    uint64_t t = rtc_now_ns(s, now);

    if (!(s->cmos[RTC_REG_B] & REG_B_SET)) {
        rtc_fill_time(s, now);
        s->cmos[RTC_REG_C] |= REG_C_UF;
        if (rtc_alarm_match(s->cmos[1], s->cmos[0]) &&
            rtc_alarm_match(s->cmos[3], s->cmos[2]) &&
            rtc_alarm_match(s->cmos[5], s->cmos[4])) {
            s->cmos[RTC_REG_C] |= REG_C_AF;
        }
        rtc_update_irq(s);
    }
    timer_mod(&s->second, now + NS_PER_SEC - t % NS_PER_SEC);
}

/* Data port read. */
static uint32_t rtc_read(void *opaque, uint16_t port, unsigned size)
{
    RTCState *s = opaque;
    uint64_t now;
    uint8_t v;

    (void)size;
    if (!(port & 1)) {
        return 0xff;   /* the index register is write-only */
    }
    timers_run();
    now = clock_ns();
    switch (s->index) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case 0x32:
        if (!(s->cmos[RTC_REG_B] & REG_B_SET)) {
            rtc_fill_time(s, now);
        }
        return s->cmos[s->index];
    case RTC_REG_A:
        v = s->cmos[RTC_REG_A] & 0x7f;
        if (!(s->cmos[RTC_REG_B] & REG_B_SET) &&
            NS_PER_SEC - rtc_now_ns(s, now) % NS_PER_SEC <= RTC_UIP_NS) {
            v |= REG_A_UIP;
        }
        return v;
    case RTC_REG_C:
        v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        pic_set_irq(8, false);
        return v;
    default:
        return s->cmos[s->index];
    }
}

/* Register B write. */
static void rtc_write_b(RTCState *s, uint8_t v, uint64_t now)
{
    uint8_t old = s->cmos[RTC_REG_B];

    if ((v & REG_B_SET) && !(old & REG_B_SET)) {
        rtc_fill_time(s, now);   /* freeze the registers */
    }
    if (v & REG_B_SET) {
        v &= (uint8_t)~REG_B_UIE;   /* SET clears UIE */
    }
    s->cmos[RTC_REG_B] = v;
    if (!(v & REG_B_SET) && (old & REG_B_SET)) {
        rtc_load_time(s, now);
    }
    rtc_periodic_arm(s, now);
    rtc_update_irq(s);
}

/* Index or data port write. */
static void rtc_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    RTCState *s = opaque;
    uint8_t v = (uint8_t)val;
    uint64_t now;

    (void)size;
    if (!(port & 1)) {
        s->index = v & 0x7f;
        s->nmi_masked = (v & 0x80) != 0;
        return;
    }
    timers_run();
    now = clock_ns();
    switch (s->index) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case 0x32:
        if (s->cmos[RTC_REG_B] & REG_B_SET) {
            s->cmos[s->index] = v;
        } else {
            rtc_fill_time(s, now);
            s->cmos[s->index] = v;
            rtc_load_time(s, now);
        }
        break;
    case RTC_REG_A:
        s->cmos[RTC_REG_A] = (uint8_t)((v & 0x7f) |
                                       (s->cmos[RTC_REG_A] & REG_A_UIP));
        rtc_periodic_arm(s, now);
        break;
    case RTC_REG_B:
        rtc_write_b(s, v, now);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break;   /* read-only */
    default:
        s->cmos[s->index] = v;
        break;
    }
}

static const IOPortHandler rtc_ports = {
    .base = 0x70, .count = 2, .name = "rtc", .opaque = &rtc,
    .read = rtc_read, .write = rtc_write,
};

/* Fill the CMOS as QEMU + SeaBIOS leave it for ram_bytes of RAM. */
static void rtc_fill_cmos(RTCState *s, uint32_t ram_bytes)
{
    uint32_t kib = ram_bytes / 1024, v;

    s->cmos[RTC_REG_A] = 0x26;
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_D] = 0x80;
    s->cmos[0x10] = 0x50;          /* floppy A: 2.88 MB drive, B: none */
    s->cmos[0x14] = 0x07;          /* floppy, FPU, PS/2 mouse */
    v = kib < 640 ? kib : 640;     /* base memory */
    s->cmos[0x15] = (uint8_t)v;
    s->cmos[0x16] = (uint8_t)(v >> 8);
    v = ram_bytes > (1u << 20) ? (ram_bytes - (1u << 20)) / 1024 : 0;
    v = v > 65535 ? 65535 : v;     /* extended memory, up to 64 MiB */
    s->cmos[0x17] = s->cmos[0x30] = (uint8_t)v;
    s->cmos[0x18] = s->cmos[0x31] = (uint8_t)(v >> 8);
    v = ram_bytes > (16u << 20) ? (ram_bytes - (16u << 20)) / 65536 : 0;
    v = v > 65535 ? 65535 : v;     /* 64 KiB units above 16 MiB */
    s->cmos[0x34] = (uint8_t)v;
    s->cmos[0x35] = (uint8_t)(v >> 8);
    s->cmos[0x37] = 0x20;          /* PS/2 century byte */
    s->cmos[0x38] = 0x30;          /* boot order (third device), no check */
    s->cmos[0x3d] = 0x12;          /* boot order: floppy, hard disk */
}

/* Can the RTC's timers interrupt a halted CPU? */
static bool rtc_may_interrupt(void *opaque)
{
    RTCState *s = opaque;

    return (s->cmos[RTC_REG_B] & (REG_B_PIE | REG_B_AIE | REG_B_UIE)) &&
           pic_irq_enabled(8);
}

/* Power-on state: the CMOS as QEMU fills it (the guest's writes undone),
 * the time from the host clock (--icount: a fixed date, 2026-01-01
 * 00:00:00 UTC, so runs repeat), no interrupt armed or pending. */
void rtc_reset(void)
{
    RTCState *s = &rtc;
    uint64_t now = clock_ns();

    memset(s->cmos, 0, sizeof(s->cmos));
    s->index = 0;
    s->nmi_masked = false;
    rtc_fill_cmos(s, s->ram_bytes);
    s->wall_base_ns = machine.opt.icount ?
                      (uint64_t)rtc_days(2026, 1, 1) * 86400u * NS_PER_SEC - now :
                      os_realtime_ns() - now;
    rtc_fill_time(s, now);
    timer_mod(&s->periodic, UINT64_MAX);
    timer_mod(&s->second, now + NS_PER_SEC - rtc_now_ns(s, now) % NS_PER_SEC);
    rtc_update_irq(s);
}

/* Create the RTC at 0x70/0x71 for ram_bytes of RAM: timers, power-on
 * state, ports. */
void rtc_init(uint32_t ram_bytes)
{
    RTCState *s = &rtc;

    s->ram_bytes = ram_bytes;
    s->periodic.cb = rtc_periodic_cb;
    s->periodic.opaque = s;
    s->periodic.name = "rtc-periodic";
    s->periodic.may_interrupt = rtc_may_interrupt;
    s->second.cb = rtc_second_cb;
    s->second.opaque = s;
    s->second.name = "rtc-second";
    s->second.may_interrupt = rtc_may_interrupt;
    timer_add(&s->periodic);
    timer_add(&s->second);
    rtc_reset();
    io_register(&rtc_ports);
}
