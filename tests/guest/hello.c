/*
 * hello: serial output, printf formats, checks and the exit port.
 */
#include "lib/lib.h"

const char kernel_name[] = "hello";

void kmain(void)
{
    printf("INFO hello from %s\n", kernel_name);
    printf("INFO fmt %d %d %u %x %08x %X %s %c %5d|%-5d|%05d %lld %llx\n",
           0, -12345, 4000000000u, 0xbeef, 0x1234, 0xabcdef, "str", 'Z',
           42, 42, -42, -1234567890123ll, 0x123456789abcdefull);
    check("hello.add", 2 + 2, 4);
    result("hello.const", 0xdeadbeef);
    finish(0x90879fcb);
}
