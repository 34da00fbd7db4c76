/*
 * hamt86 - decoder / disassembler test against objdump.
 *
 * Generates many instructions: every row of translator/x86-insn.def with
 * several prefix / ModRM / SIB / immediate choices, plus random byte
 * strings.  Each instruction our decoder accepts is written into its own
 * 64-byte slot of a blob (the rest of the slot is 0x90, so objdump
 * resynchronises), in 32-bit and in 16-bit code, and the blob is run
 * through `objdump -D -b binary -m i386|i8086 -M intel`.  For every slot,
 * objdump's length must equal ours and its text (whitespace-normalised)
 * must equal x86_disas() output, except for x87 rows (length only) and
 * random strings carrying prefixes objdump prints as separate words.
 *
 * usage: decode-test [-s seed] [-n random_count] [-v] [-k]   (-k keeps files)
 * Exit status 0 when everything matched.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>
#include <ctype.h>
#include <unistd.h>

#include "core/cpu.h"
#include "translator/decode.h"
#include "translator/x86-insn.def"

#define SLOT 64
#define MAX_CASES 200000

typedef struct Case {
    uint8_t bytes[16];
    uint8_t len;
    bool random;      /* from a random byte string */
    bool rel16;       /* relative target with 16-bit operand size */
    bool prefixed0f;  /* F2/F3/66 + 0F map: SSE space on later CPUs */
    char text[128];
} Case;

static Case *cases;
static unsigned ncases;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static bool verbose;
static bool ud_dump;
static bool loose_skip = false;

/* xorshift64* */
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* Fetch relative to a base EIP. */
typedef struct RBuf {
    const uint8_t *p;
    uint32_t base;
    unsigned n;
} RBuf;

static bool fetch_rbuf(void *opaque, uint32_t eip, uint8_t *b)
{
    RBuf *r = opaque;
    uint32_t off = eip - r->base;

    if (off >= r->n) {
        return false;
    }
    *b = r->p[off];
    return true;
}

/* Decode bytes at slot_eip; record a case when it is valid. */
static DecodeStatus add_case(const uint8_t *bytes, unsigned n, bool code32,
                             bool random)
{
    RBuf r = { bytes, (uint32_t)ncases * SLOT, n };
    X86Insn insn;
    DecodeStatus st;
    Case *c;

    if (ncases >= MAX_CASES) {
        return DECODE_UD;
    }
    st = x86_decode(&insn, r.base, code32, fetch_rbuf, &r);
    if (st != DECODE_OK) {
        return st;
    }
    if (insn.len > 15 || insn.eip != r.base) {
        fprintf(stderr, "bad insn.len/eip\n");
        exit(1);
    }
    c = &cases[ncases++];
    memcpy(c->bytes, insn.bytes, insn.len);
    c->len = insn.len;
    c->random = random;
    c->rel16 = false;
    for (unsigned k = 0; k < insn.nops; k++) {
        if (insn.op[k].kind == OPK_REL && insn.opsize == 2) {
            c->rel16 = true;
        }
    }
    c->prefixed0f = insn.opmap == 1 &&
        (insn.prefixes & (PFX_REP | PFX_REPNE | PFX_OPSIZE)) != 0;
    x86_disas(&insn, c->text, sizeof(c->text));
    return DECODE_OK;
}

/* Build instances of every row. */
static void gen_rows(bool code32)
{
    static const uint8_t segs[6] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
    unsigned i, v;

    for (i = 0; i < x86_nb_insn_defs; i++) {
        const X86InsnForm *f = &x86_insn_forms[i];
        const X86InsnDef *d = &x86_insn_defs[i];
        unsigned nopc = f->mr == MR_ZR ? 8 :
                        (f->mr == MR_CN || f->mr == MR_CR) ? 16 : 1;

        for (v = 0; v < 48; v++) {
            uint8_t b[32];
            unsigned n = 0, k;
            unsigned pf = rnd() % 8;

            /* prefixes */
            if (f->pfx == XP_PF3) {
                b[n++] = 0xf3;
            }
            if (pf == 1 && f->pfx != XP_PNO66) {
                b[n++] = 0x66;
            } else if (pf == 2) {
                b[n++] = 0x67;
            } else if (pf == 3) {
                b[n++] = segs[rnd() % 6];
            } else if (pf == 4 && (d->attrs & XA_LOCKABLE)) {
                b[n++] = 0xf0;
            } else if (pf == 5 && (d->attrs & XA_STRING)) {
                b[n++] = (rnd() & 1) ? 0xf3 : 0xf2;
            } else if (pf == 6) {
                b[n++] = 0x66;
                b[n++] = 0x67;
            }
            if (f->map == XM_X87) {
                /* x87 register form: escape, ModRM (+ ST(i)) */
                b[n++] = 0xd8 + (f->opc >> 8);
                b[n++] = (f->opc & 0xff) + (nopc > 1 ? rnd() % nopc : 0);
                for (k = 0; k < 14; k++) {
                    b[n + k] = rnd();
                }
                add_case(b, n + 14, code32, false);
                continue;
            }
            if (f->map == XM_M0F) {
                b[n++] = 0x0f;
            }
            b[n++] = f->opc + (nopc > 1 ? rnd() % nopc : 0);
            if (f->mr != MR_N && f->mr != MR_ZR && f->mr != MR_CN) {
                uint8_t modrm = rnd();

                if (v < 4) {
                    modrm = (modrm & 0x3f) | (v << 6);   /* every mod */
                }
                if (f->mr >= MR_D0 && f->mr <= MR_D7) {
                    modrm = (modrm & ~0x38) | ((f->mr - MR_D0) << 3);
                }
                b[n++] = modrm;
            }
            for (k = 0; k < 14; k++) {
                b[n + k] = rnd();
            }
            /* small displacements / immediates now and then */
            if (v & 8) {
                for (k = 1; k < 14; k++) {
                    b[n + k] = 0;
                }
            }
            add_case(b, n + 14, code32, false);
        }
    }
}

/* Random byte strings, biased towards prefixes and the 0F map. */
static void gen_random(bool code32, unsigned count)
{
    static const uint8_t pfx[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
                                   0x66, 0x67, 0xf0, 0xf2, 0xf3 };
    unsigned i, k;

    for (i = 0; i < count; i++) {
        uint8_t b[32];
        unsigned n = 0;

        while ((rnd() % 4) == 0 && n < 4) {
            b[n++] = pfx[rnd() % sizeof(pfx)];
        }
        if (rnd() % 3 == 0) {
            b[n++] = 0x0f;
        }
        for (k = n; k < 32; k++) {
            b[k] = rnd();
        }
        if (add_case(b, 32, code32, true) == DECODE_UD && ud_dump &&
            ncases < MAX_CASES) {
            /* -u: list what objdump makes of the bytes we reject */
            Case *c = &cases[ncases++];

            memcpy(c->bytes, b, 15);
            c->len = 0;
            c->random = true;
            c->text[0] = 0;
        }
    }
}

/* Normalise: collapse whitespace, strip trailing blanks and comments. */
static void normalise(char *s)
{
    char *d = s, *p = s;
    bool sp = false;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    for (; *p; p++) {
        if (*p == '#' || *p == '<') {
            break;
        }
        if (isspace((unsigned char)*p)) {
            sp = true;
            continue;
        }
        if (sp && d != s) {
            *d++ = ' ';
        }
        sp = false;
        *d++ = *p;
    }
    while (d > s && d[-1] == ' ') {
        d--;
    }
    *d = 0;
}

/* Mask the last hex number of s to 16 bits (objdump does not truncate
 * relative targets of 16-bit operand size; the CPU does). */
static void mask_last_hex(char *s)
{
    char *p = strrchr(s, 'x'), tail[64];
    unsigned long v;
    char *end;

    if (!p || p == s || p[-1] != '0') {
        return;
    }
    v = strtoul(p + 1, &end, 16);
    snprintf(tail, sizeof(tail), "%s", end);
    sprintf(p + 1, "%lx%s", v & 0xffff, tail);
}

/* Does objdump's text start with a prefix word it could not attach? */
static bool has_loose_prefix(const char *t)
{
    static const char *const words[] = {
        "data16", "addr16", "data32", "addr32", "es ", "cs ", "ss ", "ds ",
        "fs ", "gs ", "rep ", "repz ", "repnz ", "lock ", "bnd ", "notrack ",
        "xacquire ", "xrelease ", NULL
    };
    unsigned i;

    for (i = 0; words[i]; i++) {
        if (strncmp(t, words[i], strlen(words[i])) == 0) {
            return true;
        }
        /* also after other prefixes: "lock data16 ..." */
        if (strstr(t, words[i]) && i < 4) {
            return true;
        }
    }
    return false;
}

typedef struct ObjLine {
    unsigned len;
    char text[160];
} ObjLine;

/* Run objdump over the blob and compare. Returns failures. */
static unsigned run_objdump(bool code32, const char *dir, bool keep)
{
    char bin[256], cmd[512], line[512];
    ObjLine *ol;
    FILE *fp;
    unsigned i, fails = 0, checked_text = 0;
    unsigned size = ncases * SLOT;
    uint8_t *blob = malloc(size);
    long cur = -1;

    memset(blob, 0x90, size);
    for (i = 0; i < ncases; i++) {
        memcpy(blob + i * SLOT, cases[i].bytes, cases[i].len ? cases[i].len : 15);
    }
    snprintf(bin, sizeof(bin), "%s/decode-test-%d-%d.bin", dir,
             (int)getpid(), code32 ? 32 : 16);
    fp = fopen(bin, "wb");
    if (!fp || fwrite(blob, 1, size, fp) != size) {
        perror(bin);
        exit(2);
    }
    fclose(fp);
    snprintf(cmd, sizeof(cmd),
             "objdump -D -b binary -m %s -M intel %s", code32 ? "i386" : "i8086",
             bin);
    fp = popen(cmd, "r");
    if (!fp) {
        perror("popen objdump");
        exit(2);
    }
    ol = calloc(size + 16, sizeof(*ol));
    while (fgets(line, sizeof(line), fp)) {
        char *p = line, *tab1, *tab2;
        unsigned long addr;
        unsigned nb = 0;

        while (*p == ' ') {
            p++;
        }
        addr = strtoul(p, &tab1, 16);
        if (tab1 == p || tab1[0] != ':' || tab1[1] != '\t') {
            continue;
        }
        tab1 += 2;
        tab2 = strchr(tab1, '\t');
        for (p = tab1; *p && *p != '\t' && *p != '\n'; p++) {
            if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
                nb++;
                p++;
            }
        }
        if (addr >= size) {
            continue;
        }
        if (tab2) {
            cur = (long)addr;
            ol[cur].len = nb;
            snprintf(ol[cur].text, sizeof(ol[cur].text), "%s", tab2 + 1);
            normalise(ol[cur].text);
        } else if (cur >= 0) {
            ol[cur].len += nb;   /* continuation line */
        }
    }
    pclose(fp);

    for (i = 0; i < ncases; i++) {
        Case *c = &cases[i];
        ObjLine *o = &ol[i * SLOT];
        char ours[160];
        const char *why = NULL;

        snprintf(ours, sizeof(ours), "%s", c->text);
        normalise(ours);
        if (c->rel16) {
            mask_last_hex(ours);
            mask_last_hex(o->text);
        }
        if (c->len == 0) {
            /* rejected by us (-u): show objdump's view */
            if (o->len && !strstr(o->text, "(bad)")) {
                unsigned k;
                printf("UD %s:", code32 ? "32" : "16");
                for (k = 0; k < o->len && k < 15; k++) {
                    printf(" %02x", c->bytes[k]);
                }
                printf(" | objdump '%s'\n", o->text);
            }
            continue;
        }
        if (o->len == 0) {
            why = "objdump has no instruction at the slot";
        } else if (c->prefixed0f && strstr(o->text, "(bad)")) {
            /* mandatory-prefix (SSE) space of later CPUs */
        } else if (strstr(o->text, "bnd") &&
                   memmem(c->bytes, c->len, "\x0f\x1a", 2) != NULL) {
            /* MPX spellings (objdump mis-sizes 16-bit addressing) */
        } else if (strstr(o->text, "bnd") &&
                   memmem(c->bytes, c->len, "\x0f\x1b", 2) != NULL) {
            /* same */
        } else if (o->len != c->len) {
            why = "length differs";
        } else if ((c->random && loose_skip && has_loose_prefix(o->text)) ||
                   strstr(o->text, "notrack ") || strstr(o->text, "bnd") ||
                   strstr(o->text, "cldemote")) {
            /* length only (x87, prefix words, CET / MPX spellings) */
        } else if (c->prefixed0f) {
            /* mandatory-prefix (SSE) space of later CPUs: length only */
        } else if (c->bytes[c->len - 1] == 0xd6 &&
                   strstr(o->text, "(bad)")) {
            /* SALC: objdump does not know it */
        } else if (strcmp(o->text, ours) != 0) {
            why = "text differs";
        } else {
            checked_text++;
        }
        if (why) {
            unsigned k;

            fails++;
            if (fails <= 60 || verbose) {
                printf("FAIL %s %s: bytes", code32 ? "32" : "16", why);
                for (k = 0; k < c->len; k++) {
                    printf(" %02x", c->bytes[k]);
                }
                printf(" | ours(%u) '%s' | objdump(%u) '%s'\n", c->len, ours,
                       o->len, o->text);
            }
        }
    }
    printf("%s-bit: %u instructions, %u text-compared, %u failures\n",
           code32 ? "32" : "16", ncases, checked_text, fails);
    if (!keep) {
        unlink(bin);
    } else {
        printf("kept %s\n", bin);
    }
    free(ol);
    free(blob);
    return fails;
}

/* Fetch from a fixed byte string at EIP 0x1000; fails past its end. */
typedef struct Fixed {
    const uint8_t *p;
    unsigned n;
} Fixed;

static bool fetch_fixed(void *opaque, uint32_t eip, uint8_t *b)
{
    Fixed *f = opaque;

    if (eip - 0x1000 >= f->n) {
        return false;
    }
    *b = f->p[eip - 0x1000];
    return true;
}

typedef struct SemCase {
    const char *bytes;     /* hex */
    bool code32;
    int status;            /* DecodeStatus */
    int len;
    int seg, base, index, scale;   /* -2: don't check */
    uint32_t disp_or_imm;  /* mem.disp, or op[0].imm for branches */
} SemCase;

/* Decoder semantics objdump cannot show: default segments, statuses,
 * branch targets. */
static unsigned semantic_checks(void)
{
    static const SemCase t[] = {
        /* mov eax,[ebp+8]: SS */
        { "8b4508", true, DECODE_OK, 3, R_SS, R_EBP, -1, 0, 8 },
        /* mov eax,[esp]: SS */
        { "8b0424", true, DECODE_OK, 3, R_SS, R_ESP, -1, 0, 0 },
        /* mov eax,[ebx+ebp*2]: DS (base decides) */
        { "8b046b", true, DECODE_OK, 3, R_DS, R_EBX, R_EBP, 1, 0 },
        /* mov eax,es:[ebp]: override wins */
        { "268b4500", true, DECODE_OK, 4, R_ES, R_EBP, -1, 0, 0 },
        /* last override wins */
        { "2e648b00", true, DECODE_OK, 4, R_FS, R_EAX, -1, 0, 0 },
        /* 16-bit [bp+si-2]: SS */
        { "8b42fe", false, DECODE_OK, 3, R_SS, R_EBP, R_ESI, 0, 0xfffffffe },
        /* 16-bit [bx+di]: DS */
        { "8b01", false, DECODE_OK, 2, R_DS, R_EBX, R_EDI, 0, 0 },
        /* 16-bit [0x1234] */
        { "8b063412", false, DECODE_OK, 4, R_DS, -1, -1, 0, 0x1234 },
        /* disp32 absolute */
        { "8b0578563412", true, DECODE_OK, 6, R_DS, -1, -1, 0, 0x12345678 },
        /* SIB no base: [ecx*8+0x10] */
        { "8b04cd10000000", true, DECODE_OK, 7, R_DS, -1, R_ECX, 3, 0x10 },
        /* moffs in 16-bit code with 67: 32-bit offset */
        { "67a178563412", false, DECODE_OK, 6, R_DS, -1, -1, 0, 0x12345678 },
        /* jmp rel8 at 0x1000: target 0x1000+2-2 */
        { "ebfe", true, DECODE_OK, 2, -2, -2, -2, -2, 0x1000 },
        /* 66 jmp rel16 in 32-bit code: truncated to 16 bits */
        { "66e9fdef", true, DECODE_OK, 4, -2, -2, -2, -2, 0x0001 },
        /* call rel32 */
        { "e810000000", true, DECODE_OK, 5, -2, -2, -2, -2, 0x1015 },
        /* lock add [eax],eax: OK; lock add eax,eax: UD; lock mov: UD */
        { "f00100", true, DECODE_OK, 3, -2, -2, -2, -2, 0 },
        { "f001c0", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        { "f08900", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        /* lea eax,eax / lds with mod 3 / cmpxchg8b reg: UD */
        { "8dc0", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        { "c5c0", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        { "0fc7c8", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        /* mov cr0 with mod 0: still a register form, 3 bytes */
        { "0f2000", true, DECODE_OK, 3, -2, -2, -2, -2, 0 },
        /* mov cs,ax: UD; mov cr1: UD */
        { "8ec8", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        { "0f20c8", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
        /* 15 bytes OK, 16 too long */
        { "6666666666666666666666666605", true, DECODE_FETCH, 0, -2, -2, -2, -2, 0 },
        { "262626262626262626260578000000", true, DECODE_OK, 15, -2, -2, -2, -2, 0 },
        { "26262626262626262626260578000000", true, DECODE_TOO_LONG, 0, -2, -2, -2, -2, 0 },
        /* fetch failure in the middle of the immediate */
        { "0578", true, DECODE_FETCH, 0, -2, -2, -2, -2, 0 },
        /* 0f 0b ud2 decodes (gen raises #UD); 0f ff does not */
        { "0f0b", true, DECODE_OK, 2, -2, -2, -2, -2, 0 },
        { "0fff", true, DECODE_UD, 0, -2, -2, -2, -2, 0 },
    };
    unsigned i, fails = 0;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t b[32];
        unsigned n = strlen(t[i].bytes) / 2, k;
        Fixed f = { b, n };
        X86Insn insn;
        DecodeStatus st;
        bool ok;

        for (k = 0; k < n; k++) {
            unsigned v;
            sscanf(t[i].bytes + 2 * k, "%2x", &v);
            b[k] = v;
        }
        st = x86_decode(&insn, 0x1000, t[i].code32, fetch_fixed, &f);
        ok = (int)st == t[i].status;
        if (ok && st == DECODE_OK) {
            ok = insn.len == t[i].len;
            if (t[i].seg != -2) {
                ok = ok && insn.mem.seg == t[i].seg &&
                     insn.mem.base == t[i].base &&
                     insn.mem.index == t[i].index &&
                     insn.mem.scale == t[i].scale &&
                     insn.mem.disp == t[i].disp_or_imm;
            } else if (insn.nops && insn.op[0].kind == OPK_REL) {
                ok = ok && insn.op[0].imm == t[i].disp_or_imm;
            }
        }
        if (!ok) {
            fails++;
            printf("FAIL semantic %s: status %d len %u seg %d base %d index %d "
                   "scale %d disp %x imm %x\n", t[i].bytes, st, insn.len,
                   insn.mem.seg, insn.mem.base, insn.mem.index, insn.mem.scale,
                   insn.mem.disp, insn.op[0].imm);
        }
    }
    printf("semantic checks: %u cases, %u failures\n",
           (unsigned)(sizeof(t) / sizeof(t[0])), fails);
    return fails;
}

int main(int argc, char **argv)
{
    unsigned nrandom = 20000, fails = 0;
    bool keep = false;
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    int opt, mode;

    while ((opt = getopt(argc, argv, "s:n:vku")) != -1) {
        switch (opt) {
        case 'u': ud_dump = true; break;
        case 's': rng_state = strtoull(optarg, NULL, 0) | 1; break;
        case 'n': nrandom = strtoul(optarg, NULL, 0); break;
        case 'v': verbose = true; break;
        case 'k': keep = true; break;
        default:
            fprintf(stderr, "usage: %s [-s seed] [-n random] [-v] [-k]\n",
                    argv[0]);
            return 2;
        }
    }
    cases = calloc(MAX_CASES, sizeof(*cases));
    printf("decode-test: %u rows\n", x86_nb_insn_defs);
    fails += semantic_checks();
    for (mode = 1; mode >= 0; mode--) {
        ncases = 0;
        gen_rows(mode);
        gen_random(mode, nrandom);
        fails += run_objdump(mode, dir, keep);
    }
    printf("%s\n", fails ? "FAILED" : "PASSED");
    return fails ? 1 : 0;
}
