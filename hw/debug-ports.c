/*
 * hamt86 - the small debug devices of the PC machine.
 *
 *   0x80  POST code port: writes are ignored, reads return all-ones
 *   0xE9  debug console (bochs/QEMU isa-debugcon): a written byte goes to
 *         stdout; reads return 0xE9 so guests can detect it
 *   0xF4  isa-debug-exit: writing v stops the machine with exit status
 *         (v << 1) | 1, as QEMU's -device isa-debug-exit,iobase=0xf4
 */
#include "hw/hw.h"
#include "core/mem.h"
#include "core/machine.h"
#include "core/log.h"
#include "core/os.h"

/* POST writes are dropped. */
static void post_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)val;
    (void)size;
}

/* Debug console: presence byte. */
static uint32_t debugcon_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xe9;
}

/* Debug console: one byte to stdout. */
static void debugcon_write(void *opaque, uint16_t port, uint32_t val,
                           unsigned size)
{
    uint8_t b = (uint8_t)val;

    (void)opaque;
    (void)port;
    (void)size;
    os_write(1, &b, 1);
}

/* Exit port: stop with (v << 1) | 1; the value is as wide as the access. */
static void debug_exit_write(void *opaque, uint16_t port, uint32_t val,
                             unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    DEBUG_LOG(LOG_INT, "isa-debug-exit: 0x%x\n", val);
    machine_request_exit((int)(((val << 1) | 1) & 0xff));
}

static const IOPortHandler post_port = {
    .base = 0x80, .count = 1, .name = "post", .write = post_write,
};
static const IOPortHandler debugcon_port = {
    .base = 0xe9, .count = 1, .name = "debugcon",
    .read = debugcon_read, .write = debugcon_write,
};
static const IOPortHandler debug_exit_port = {
    .base = 0xf4, .count = 1, .name = "isa-debug-exit",
    .write = debug_exit_write,
};

/* Register the debug ports. */
void debug_ports_init(void)
{
    io_register(&post_port);
    io_register(&debugcon_port);
    io_register(&debug_exit_port);
}
