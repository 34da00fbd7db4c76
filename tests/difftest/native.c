/*
 * hamt86 difftest: the native runner, a static Linux i386 program without
 * libc (int $0x80 system calls).  usage: difftest-native BLOB
 * Runs every sequence of BLOB on the real CPU and prints the S lines.
 * Built with -DDT_NATIVE64 it is the x86_64 runner (runner.S built for x86_64, syscall
 * instruction) for the x87/MMX sequences on hosts without IA-32 support.
 */
#include "runner.h"

#ifdef DT_NATIVE64
/* i386 system call numbers -> x86_64 ones (read, write, open, exit). */
static long sys3(long nr, long a, long b, long c)
{
    long r;

    nr = nr == 3 ? 0 : nr == 4 ? 1 : nr == 5 ? 2 : nr == 1 ? 60 : nr;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}
#else
static long sys3(long nr, long a, long b, long c)
{
    long r;

    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "memory");
    return r;
}
#endif

static char outbuf[65536];
static size_t outlen;
static uint8_t blob[8 << 20];

static void flush(void)
{
    size_t o = 0;

    while (o < outlen) {
        long r = sys3(4, 1, (long)(outbuf + o), (long)(outlen - o));
        if (r <= 0) {
            break;
        }
        o += (size_t)r;
    }
    outlen = 0;
}

static void emit(const char *s, size_t n)
{
    if (outlen + n > sizeof(outbuf)) {
        flush();
    }
    while (n--) {
        outbuf[outlen++] = *s++;
    }
}

static void die(const char *msg)
{
    size_t n = 0;

    while (msg[n]) {
        n++;
    }
    sys3(4, 2, (long)msg, (long)n);
    sys3(1, 2, 0, 0);
}

#ifdef DT_NATIVE64
/* mmap(2), six register arguments. */
static void map_fixed(uint32_t addr, uint32_t len, uint32_t prot)
{
    long r;
    register long r10 __asm__("r10") = 0x32;    /* PRIVATE|FIXED|ANON */
    register long r8 __asm__("r8") = -1;
    register long r9 __asm__("r9") = 0;

    __asm__ volatile("syscall" : "=a"(r) : "a"(9L), "D"((long)addr),
                     "S"((long)len), "d"((long)prot), "r"(r10), "r"(r8),
                     "r"(r9) : "rcx", "r11", "memory");
    if ((uint32_t)r != addr) {
        die("difftest-native: mmap failed\n");
    }
}
#else
/* old_mmap(2): one pointer to the six arguments. */
static void map_fixed(uint32_t addr, uint32_t len, uint32_t prot)
{
    uint32_t args[6] = { addr, len, prot, 0x32 /* PRIVATE|FIXED|ANON */,
                         (uint32_t)-1, 0 };

    if ((uint32_t)sys3(90, (long)args, 0, 0) != addr) {
        die("difftest-native: mmap failed\n");
    }
}
#endif

int native_main(int argc, char **argv);
int native_main(int argc, char **argv)
{
    long fd, r;
    size_t len = 0;

    if (argc < 2) {
        die("usage: difftest-native BLOB\n");
    }
    fd = sys3(5, (long)argv[1], 0, 0);
    if (fd < 0) {
        die("difftest-native: cannot open blob\n");
    }
    while ((r = sys3(3, fd, (long)(blob + len), (long)(sizeof(blob) - len))) > 0) {
        len += (size_t)r;
    }
    map_fixed(DT_SCRATCH, 0x1000, 3);
    map_fixed(DT_CODE, DT_CODE_SIZE, 7);
    if (dt_run_all(blob, len, emit) < 0) {
        die("difftest-native: bad blob\n");
    }
    emit("E\n", 2);
    flush();
    return 0;
}

#ifdef DT_NATIVE64
__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "    movq (%rsp), %rdi\n"
    "    leaq 8(%rsp), %rsi\n"
    "    andq $-16, %rsp\n"
    "    call native_main\n"
    "    movl %eax, %edi\n"
    "    movl $60, %eax\n"
    "    syscall\n");
#else
__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "    movl (%esp), %eax\n"
    "    leal 4(%esp), %ecx\n"
    "    andl $-16, %esp\n"
    "    pushl %ecx\n"
    "    pushl %eax\n"
    "    call native_main\n"
    "    movl %eax, %ebx\n"
    "    movl $1, %eax\n"
    "    int $0x80\n");
#endif

/* The compiler may emit calls to these even in freestanding code. */
void *memcpy(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

void *memset(void *d, int c, size_t n);
void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;

    while (n--) {
        *dp++ = (uint8_t)c;
    }
    return d;
}
