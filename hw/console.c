/*
 * hamt86 - the console: host stdin into COM1's receiver, with QEMU's
 * Ctrl-A escape keys.
 *
 *   Ctrl-A h       print the keys
 *   Ctrl-A x       quit (exit status 0)
 *   Ctrl-A b       send a break to the guest (Linux: magic SysRq)
 *   Ctrl-A Ctrl-A  send Ctrl-A
 *
 * stdin is read without blocking, only as much as the UART can take, from
 * a 10 ms device timer and while the CPU halts (hw_idle sleeps in ppoll on
 * stdin).  A terminal is put in raw mode by os_console_open and restored on
 * every exit path (os/); a pipe or file is read to its end.
 */
#include "hw/hw.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

#define CONSOLE_POLL_NS 10000000ull
#define CONSOLE_ESCAPE  0x01   /* Ctrl-A */

typedef struct Console {
    bool eof;          /* stdin ended: stop reading */
    bool escape;       /* the last byte was Ctrl-A */
    HWTimer poll_timer;
} Console;

static Console console;

/* Write a message to the terminal. */
static void console_say(const char *s)
{
    os_write(1, s, strlen(s));
}

/* One byte typed by the user. */
static void console_key(Console *c, uint8_t b)
{
    if (!c->escape) {
        if (b == CONSOLE_ESCAPE) {
            c->escape = true;
        } else {
            serial_receive(b);
        }
        return;
    }
    c->escape = false;
    switch (b) {
    case 'x':
    case 'X':
        console_say("hamt86: terminated (Ctrl-A x)\r\n");
        machine_request_exit(0);
        break;
    case 'h':
    case 'H':
    case '?':
        console_say("\r\n"
                    "C-a h    print this help\r\n"
                    "C-a x    exit emulator\r\n"
                    "C-a b    send break (magic sysrq)\r\n"
                    "C-a C-a  sends C-a\r\n");
        break;
    case 'b':
    case 'B':
        serial_receive_break();
        break;
    case CONSOLE_ESCAPE:
        serial_receive(b);
        break;
    default:
        break;   /* unknown escapes are dropped, as on QEMU */
    }
}

/* Move what stdin has (up to the UART's room) into the UART. */
void console_poll(void)
{
    Console *c = &console;
    uint8_t buf[16];
    unsigned room;
    int n;

    if (c->eof) {
        return;
    }
    room = serial_rx_room();
    if (room == 0) {
        return;
    }
    n = os_console_read(buf, room < sizeof(buf) ? room : sizeof(buf));
    if (n < 0) {
        c->eof = true;
        return;
    }
    for (int i = 0; i < n; i++) {
        console_key(c, buf[i]);
    }
}

/* Can typing wake a halted CPU? */
bool console_can_wake(void)
{
    return !console.eof && serial_rx_room() > 0 && serial_rx_irq_enabled();
}

/* The poll timer: read, re-arm while stdin is open. */
static void console_timer_cb(void *opaque, uint64_t now)
{
    Console *c = opaque;

    console_poll();
    if (!c->eof) {
        timer_mod(&c->poll_timer, now + CONSOLE_POLL_NS);
    }
}

/* Start polling stdin (hw_start puts a terminal in raw mode). */
void console_init(void)
{
    Console *c = &console;

    c->poll_timer.cb = console_timer_cb;
    c->poll_timer.opaque = c;
    c->poll_timer.name = "console";
    timer_add(&c->poll_timer);
    timer_mod(&c->poll_timer, CONSOLE_POLL_NS);
}
