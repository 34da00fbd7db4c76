/* i686 freestanding oracle: runs test cases on the real CPU. */
typedef unsigned int u32; typedef unsigned char u8;
struct Case { u32 regs[8]; u32 eflags; u32 codelen; u8 code[160]; u8 mem[256]; };
struct Res { u32 regs[8]; u32 eflags; u8 mem[256]; };
static long sys(long n, long a, long b, long c, long d, long e, long f) {
    long r; __asm__ volatile("push %%ebp; mov %7, %%ebp; int $0x80; pop %%ebp" : "=a"(r)
        : "0"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), "m"(f) : "memory"); return r; }
#define MEMWIN ((u8 *)0x10000800)
static struct Case cs; static struct Res rs; static u32 saved[9];
static int readall(void *p, int n) { int got = 0; while (got < n) { long r = sys(3, 0, (long)p + got, n - got, 0, 0, 0); if (r <= 0) return 0; got += r; } return 1; }
static void writeall(void *p, int n) { int got = 0; while (got < n) { long r = sys(4, 1, (long)p + got, n - got, 0, 0, 0); if (r <= 0) return; got += r; } }
static u8 *cp;
static void b1(u8 v) { *cp++ = v; }
static void b4(u32 v) { b1(v); b1(v >> 8); b1(v >> 16); b1(v >> 24); }
void _start(void) {
    sys(192, 0x10000000, 0x1000, 3, 0x32, -1, 0);
    sys(192, 0x20000000, 0x1000, 7, 0x32, -1, 0);
    while (readall(&cs, sizeof(cs))) {
        for (int i = 0; i < 256; i++) MEMWIN[i] = cs.mem[i];
        cp = (u8 *)0x20000000;
        b1(0x60);                               /* pushad */
        b1(0x68); b4(cs.eflags); b1(0x9d);      /* push imm; popfd */
        for (int r = 0; r < 8; r++) if (r != 4) { b1(0x8b); b1(0x05 | r << 3); b4((u32)&cs.regs[r]); }
        for (u32 i = 0; i < cs.codelen; i++) b1(cs.code[i]);
        for (int r = 0; r < 8; r++) if (r != 4) { b1(0x89); b1(0x05 | r << 3); b4((u32)&rs.regs[r]); }
        b1(0x9c); b1(0x8f); b1(0x05); b4((u32)&rs.eflags);
        b1(0x61); b1(0xc3);
        ((void (*)(void))0x20000000)();
        rs.regs[4] = cs.regs[4];
        for (int i = 0; i < 256; i++) rs.mem[i] = MEMWIN[i];
        writeall(&rs, sizeof(rs));
    }
    sys(1, 0, 0, 0, 0, 0, 0);
    for (;;) {}
}
