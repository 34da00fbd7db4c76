/*
 * tests/linux/mapper: a static i386 Linux program (no libc: raw int 0x80
 * system calls) for the Linux workload.  It maps anonymous memory, fills
 * it, checks it and unmaps it again, many times and with several sizes,
 * then forks a child that does the same and reaps it: page faults, page
 * table teardown and TLB shootdowns in the guest kernel, and for hamt86
 * many guest mappings that come and go.  Prints one line:
 *
 *   HAMT86-LX mapper rounds=R pages=P sum=0xXXXXXXXX
 *
 * The numbers do not depend on where the kernel puts the mappings.
 * Build: clang-16 --target=i686-linux-gnu -O2 -ffreestanding -nostdlib
 *        -static -fuse-ld=lld (tests/linux/mkinitrd.sh).
 */
typedef unsigned int u32;

#define NR_exit      1
#define NR_fork      2
#define NR_write     4
#define NR_waitpid   7
#define NR_munmap    91
#define NR_mprotect  125
#define NR_mmap2     192

#define PROT_READ    1
#define PROT_WRITE   2
#define MAP_PRIVATE  0x02
#define MAP_ANON     0x20
#define PAGE         4096u

/* One system call with up to six arguments. */
static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    long r;

    __asm__ volatile("push %%ebp\n\t"
                     "mov %7, %%ebp\n\t"
                     "int $0x80\n\t"
                     "pop %%ebp"
                     : "=a"(r)
                     : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e),
                       "m"(f)
                     : "memory");
    return r;
}

/* Write a NUL-terminated string to stdout. */
static void puts1(const char *s)
{
    long n = 0;

    while (s[n]) {
        n++;
    }
    sys6(NR_write, 1, (long)s, n, 0, 0, 0);
}

/* Append v in hex (8 digits) or decimal to *p. */
static char *put_hex(char *p, u32 v)
{
    for (int i = 28; i >= 0; i -= 4) {
        *p++ = "0123456789abcdef"[(v >> i) & 15];
    }
    return p;
}

static char *put_dec(char *p, u32 v)
{
    char t[12];
    int n = 0;

    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *p++ = t[--n];
    }
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s) {
        *p++ = *s++;
    }
    return p;
}

/* The map / fill / check / unmap loop; returns a checksum or 0 on error. */
static u32 churn(u32 rounds, u32 *pages)
{
    u32 sum = 0x12345678u;

    for (u32 r = 0; r < rounds; r++) {
        u32 np = 1 + (r * 7) % 24;              /* 1..24 pages */
        long a = sys6(NR_mmap2, 0, np * PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANON, -1, 0);
        u32 *m = (u32 *)a;

        if (a < 0 && a > -4096) {
            return 0;
        }
        for (u32 p = 0; p < np; p++) {          /* touch every page */
            m[p * (PAGE / 4) + (r % 1024)] = r * 2654435761u + p;
        }
        for (u32 p = 0; p < np; p++) {
            u32 v = m[p * (PAGE / 4) + (r % 1024)];
            if (v != r * 2654435761u + p || m[p * (PAGE / 4) +
                                              ((r + 1) % 1024)] != 0) {
                return 0;
            }
            sum = (sum ^ v) * 16777619u;
        }
        if (r % 8 == 0 &&                       /* read-only, then unmap */
            sys6(NR_mprotect, a, np * PAGE, PROT_READ, 0, 0, 0) != 0) {
            return 0;
        }
        if (sys6(NR_munmap, a, np * PAGE, 0, 0, 0, 0) != 0) {
            return 0;
        }
        *pages += np;
    }
    return sum;
}

void _start(void)
{
    char line[96], *p = line;
    u32 pages = 0, child_pages = 0, sum, csum;
    long pid;
    int status = 0;

    sum = churn(3000, &pages);
    pid = sys6(NR_fork, 0, 0, 0, 0, 0, 0);
    if (pid == 0) {
        csum = churn(1000, &child_pages);
        sys6(NR_exit, csum == 0 ? 1 : 0, 0, 0, 0, 0, 0);
    }
    if (pid < 0 || sys6(NR_waitpid, pid, (long)&status, 0, 0, 0, 0) != pid ||
        status != 0 || sum == 0) {
        puts1("HAMT86-LX mapper FAILED\n");
        sys6(NR_exit, 1, 0, 0, 0, 0, 0);
    }
    p = put_str(p, "HAMT86-LX mapper rounds=3000+1000 pages=");
    p = put_dec(p, pages);
    p = put_str(p, " sum=0x");
    p = put_hex(p, sum);
    *p++ = '\n';
    *p = '\0';
    puts1(line);
    sys6(NR_exit, 0, 0, 0, 0, 0, 0);
    for (;;) {
    }
}
