/*
 * hamt86 - MMX (Pentium II): the 57 instructions of 0F 60..FF.
 *
 * MMi is the significand of physical x87 register R i.  Every MMX
 * instruction but EMMS sets TOP = 0 and tags all registers valid; a write
 * to MMi also sets R i's sign/exponent to all ones.  EMMS empties all tags
 * (and sets TOP = 0 too, as the CPU does).
 * CR0.EM: #UD; CR0.TS: #NM; a pending unmasked x87 exception: #MF (or
 * FERR#), as for a waiting x87 instruction.
 *
 * helper_mmx(ctl, addr): ctl = second opcode byte | ModRM << 8 |
 * imm8 << 16; addr = linear address of a memory operand.
 */
#include "core/cpu.h"
#include "core/mem.h"
#include "translator/fpu-internal.h"

/* Read MMi. */
static uint64_t mmx_get(CPUX86State *env, unsigned i)
{
    return env->fpu.st[i & 7].mant;
}

/* Write MMi (exponent and sign all ones). */
static void mmx_set(CPUX86State *env, unsigned i, uint64_t v)
{
    env->fpu.st[i & 7].mant = v;
    env->fpu.st[i & 7].sexp = 0xffff;
}

/* Element k of width w bits (w = 8, 16, 32) of v, zero-extended. */
static uint64_t el(uint64_t v, unsigned w, unsigned k)
{
    return (v >> (w * k)) & ((1ull << w) - 1);
}

/* Signed element. */
static int64_t els(uint64_t v, unsigned w, unsigned k)
{
    uint64_t x = el(v, w, k);

    return (int64_t)(x << (64 - w)) >> (64 - w);
}

/* Saturate x to a signed / unsigned w-bit element. */
static uint64_t sat_s(int64_t x, unsigned w)
{
    int64_t hi = (1ll << (w - 1)) - 1, lo = -(1ll << (w - 1));

    x = x > hi ? hi : x < lo ? lo : x;
    return (uint64_t)x & ((1ull << w) - 1);
}

static uint64_t sat_u(int64_t x, unsigned w)
{
    int64_t hi = (int64_t)((1ull << w) - 1);

    x = x > hi ? hi : x < 0 ? 0 : x;
    return (uint64_t)x;
}

/* Element-wise op over 64 / w lanes. */
enum { EW_ADD, EW_SUB, EW_ADDS, EW_SUBS, EW_ADDUS, EW_SUBUS, EW_CMPEQ,
       EW_CMPGT, EW_MULL, EW_MULH };

static uint64_t mmx_ew(uint64_t a, uint64_t b, unsigned w, int op)
{
    uint64_t r = 0, m = (1ull << w) - 1;
    unsigned k, n = 64 / w;

    for (k = 0; k < n; k++) {
        int64_t x = els(a, w, k), y = els(b, w, k);
        uint64_t ux = el(a, w, k), uy = el(b, w, k), v;

        switch (op) {
        case EW_ADD: v = (ux + uy) & m; break;
        case EW_SUB: v = (ux - uy) & m; break;
        case EW_ADDS: v = sat_s(x + y, w); break;
        case EW_SUBS: v = sat_s(x - y, w); break;
        case EW_ADDUS: v = sat_u((int64_t)(ux + uy), w); break;
        case EW_SUBUS: v = sat_u((int64_t)ux - (int64_t)uy, w); break;
        case EW_CMPEQ: v = ux == uy ? m : 0; break;
        case EW_CMPGT: v = x > y ? m : 0; break;
        case EW_MULL: v = (uint64_t)(x * y) & m; break;
        default: v = (uint64_t)((x * y) >> 16) & m; break;
        }
        r |= v << (w * k);
    }
    return r;
}

/* Shift each w-bit lane by count (kind: 0 logical right, 1 arithmetic
 * right, 2 left). */
static uint64_t mmx_shift(uint64_t a, uint64_t count, unsigned w, int kind)
{
    uint64_t r = 0, m = w == 64 ? ~0ull : (1ull << w) - 1;
    unsigned k, n = 64 / w;

    for (k = 0; k < n; k++) {
        uint64_t ux = w == 64 ? a : el(a, w, k), v;

        if (kind == 1) {
            int64_t x = w == 64 ? (int64_t)a : els(a, w, k);

            v = (uint64_t)(x >> (count >= w ? w - 1 : count)) & m;
        } else if (count >= w) {
            v = 0;
        } else {
            v = (kind == 0 ? ux >> count : ux << count) & m;
        }
        r |= w == 64 ? v : v << (w * k);
    }
    return r;
}

/* Interleave the low (hi=0) or high halves of a and b in w-bit lanes. */
static uint64_t mmx_unpack(uint64_t a, uint64_t b, unsigned w, bool hi)
{
    unsigned k, n = 32 / w, base = hi ? n : 0;
    uint64_t r = 0;

    for (k = 0; k < n; k++) {
        r |= el(a, w, base + k) << (2 * w * k);
        r |= el(b, w, base + k) << (2 * w * k + w);
    }
    return r;
}

/* Pack the w-bit lanes of a then b into w/2-bit lanes, saturating. */
static uint64_t mmx_pack(uint64_t a, uint64_t b, unsigned w, bool uns)
{
    unsigned k, n = 64 / w, h = w / 2;
    uint64_t r = 0;

    for (k = 0; k < n; k++) {
        int64_t x = els(a, w, k), y = els(b, w, k);

        r |= (uns ? sat_u(x, h) : sat_s(x, h)) << (h * k);
        r |= (uns ? sat_u(y, h) : sat_s(y, h)) << (h * (k + n));
    }
    return r;
}

/* PMADDWD: pairs of signed 16x16 products summed into 32-bit lanes. */
static uint64_t mmx_pmaddwd(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    unsigned k;

    for (k = 0; k < 2; k++) {
        int64_t s = els(a, 16, 2 * k) * els(b, 16, 2 * k) +
                    els(a, 16, 2 * k + 1) * els(b, 16, 2 * k + 1);

        r |= ((uint64_t)s & 0xffffffffu) << (32 * k);
    }
    return r;
}

/* Run one MMX instruction. */
static void mmx_exec(CPUX86State *env, uint32_t ctl, uint32_t addr,
                     uintptr_t ra)
{
    unsigned opc = ctl & 0xff, modrm = (ctl >> 8) & 0xff;
    unsigned reg = (modrm >> 3) & 7, rm = modrm & 7, imm = (ctl >> 16) & 0xff;
    bool mem = (modrm >> 6) != 3;
    uint64_t a, b = 0, r;

    if (env->cr[0] & CR0_EM) {
        raise_exception_ra(env, EXCP06_UD, ra);
    }
    if (env->cr[0] & CR0_TS) {
        raise_exception_ra(env, EXCP07_NM, ra);
    }
    fpu_check_wait(env, ra);
    env->fpu.top = 0;
    if (opc == 0x77) {                                 /* EMMS */
        env->fpu.tag_valid = 0;
        return;
    }
    env->fpu.tag_valid = 0xff;

    /* stores and moves out */
    if (opc == 0x7e) {                                 /* MOVD r/m32, mm */
        r = mmx_get(env, reg);
        if (mem) {
            cpu_probe_store(env, addr, 8, ra);
            cpu_stl(env, addr, (uint32_t)r, ra);
        } else {
            env->regs[rm] = (uint32_t)r;
        }
        return;
    }
    if (opc == 0x7f) {                                 /* MOVQ mm/m64, mm */
        r = mmx_get(env, reg);
        if (mem) {
            cpu_stl(env, addr, (uint32_t)r, ra);
            cpu_stl(env, addr + 4, (uint32_t)(r >> 32), ra);
        } else {
            mmx_set(env, rm, r);
        }
        return;
    }
    if (opc == 0x6e) {                                 /* MOVD mm, r/m32 */
        mmx_set(env, reg, mem ? cpu_ldl(env, addr, ra) : env->regs[rm]);
        return;
    }
    if (opc >= 0x71 && opc <= 0x73) {                  /* shift by imm8 */
        static const unsigned widths[3] = { 16, 32, 64 };
        unsigned w = widths[opc - 0x71];

        a = mmx_get(env, rm);
        mmx_set(env, rm, mmx_shift(a, imm, w, reg == 2 ? 0 : reg == 4 ? 1 : 2));
        return;
    }
    /* source operand: mm or m64 (m32 for the low unpacks) */
    if (!mem) {
        b = mmx_get(env, rm);
    } else if (opc >= 0x60 && opc <= 0x62) {
        b = cpu_ldl(env, addr, ra);
    } else {
        b = (uint64_t)cpu_ldl(env, addr, ra) |
            (uint64_t)cpu_ldl(env, addr + 4, ra) << 32;
    }
    a = mmx_get(env, reg);
    switch (opc) {
    case 0x60: r = mmx_unpack(a, b, 8, false); break;
    case 0x61: r = mmx_unpack(a, b, 16, false); break;
    case 0x62: r = mmx_unpack(a, b, 32, false); break;
    case 0x63: r = mmx_pack(a, b, 16, false); break;
    case 0x64: r = mmx_ew(a, b, 8, EW_CMPGT); break;
    case 0x65: r = mmx_ew(a, b, 16, EW_CMPGT); break;
    case 0x66: r = mmx_ew(a, b, 32, EW_CMPGT); break;
    case 0x67: r = mmx_pack(a, b, 16, true); break;
    case 0x68: r = mmx_unpack(a, b, 8, true); break;
    case 0x69: r = mmx_unpack(a, b, 16, true); break;
    case 0x6a: r = mmx_unpack(a, b, 32, true); break;
    case 0x6b: r = mmx_pack(a, b, 32, false); break;
    case 0x6f: r = b; break;
    case 0x74: r = mmx_ew(a, b, 8, EW_CMPEQ); break;
    case 0x75: r = mmx_ew(a, b, 16, EW_CMPEQ); break;
    case 0x76: r = mmx_ew(a, b, 32, EW_CMPEQ); break;
    case 0xd1: r = mmx_shift(a, b, 16, 0); break;
    case 0xd2: r = mmx_shift(a, b, 32, 0); break;
    case 0xd3: r = mmx_shift(a, b, 64, 0); break;
    case 0xd5: r = mmx_ew(a, b, 16, EW_MULL); break;
    case 0xd8: r = mmx_ew(a, b, 8, EW_SUBUS); break;
    case 0xd9: r = mmx_ew(a, b, 16, EW_SUBUS); break;
    case 0xdb: r = a & b; break;
    case 0xdc: r = mmx_ew(a, b, 8, EW_ADDUS); break;
    case 0xdd: r = mmx_ew(a, b, 16, EW_ADDUS); break;
    case 0xdf: r = ~a & b; break;
    case 0xe1: r = mmx_shift(a, b, 16, 1); break;
    case 0xe2: r = mmx_shift(a, b, 32, 1); break;
    case 0xe5: r = mmx_ew(a, b, 16, EW_MULH); break;
    case 0xe8: r = mmx_ew(a, b, 8, EW_SUBS); break;
    case 0xe9: r = mmx_ew(a, b, 16, EW_SUBS); break;
    case 0xeb: r = a | b; break;
    case 0xec: r = mmx_ew(a, b, 8, EW_ADDS); break;
    case 0xed: r = mmx_ew(a, b, 16, EW_ADDS); break;
    case 0xef: r = a ^ b; break;
    case 0xf1: r = mmx_shift(a, b, 16, 2); break;
    case 0xf2: r = mmx_shift(a, b, 32, 2); break;
    case 0xf3: r = mmx_shift(a, b, 64, 2); break;
    case 0xf5: r = mmx_pmaddwd(a, b); break;
    case 0xf8: r = mmx_ew(a, b, 8, EW_SUB); break;
    case 0xf9: r = mmx_ew(a, b, 16, EW_SUB); break;
    case 0xfa: r = mmx_ew(a, b, 32, EW_SUB); break;
    case 0xfc: r = mmx_ew(a, b, 8, EW_ADD); break;
    case 0xfd: r = mmx_ew(a, b, 16, EW_ADD); break;
    default: r = mmx_ew(a, b, 32, EW_ADD); break;     /* 0xfe */
    }
    mmx_set(env, reg, r);
}

/* An MMX instruction that does not write guest memory. */
void helper_mmx(CPUX86State *env, uint32_t ctl, uint32_t addr)
{
    mmx_exec(env, ctl, addr, GETPC());
}

/* MOVD r32, mm. */
void helper_mmx_gpr(CPUX86State *env, uint32_t ctl, uint32_t addr)
{
    mmx_exec(env, ctl, addr, GETPC());
}

/* MOVD m32, mm / MOVQ m64, mm. */
void helper_mmx_st(CPUX86State *env, uint32_t ctl, uint32_t addr)
{
    mmx_exec(env, ctl, addr, GETPC());
}
