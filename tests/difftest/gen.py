#!/usr/bin/env python3
"""hamt86 difftest: generate random instruction sequences from x86-insn.def.

usage: gen.py [--seed S] [--count N] [--batch B] [--def PATH] BLOB META

Every sequence is a few user-mode-safe instructions (rows picked from
translator/x86-insn.def) plus the setup instructions they need (base
registers pointing into the scratch area, shift counts, divisors, string
pointers ...), run with random initial registers and EFLAGS.  BLOB is read
by the runners (layout in runner.h); META has one line per sequence:

    <index> <undefined-flags> <eflags> <eax,ecx,...,edi> <code> <description>

(numbers in hex)

where the undefined flags are those still undefined at the end of the
sequence (the generator tracks them row by row, and inserts a CMP before a
row that would read an undefined flag).  Prints the seed it used.
"""
import argparse
import os
import random
import re
import struct
import sys

SCRATCH = 0x02000000
STACK_TOP = SCRATCH + 0x600
FC, FP, FA, FZ, FS, FD, FO = 0x1, 0x4, 0x10, 0x40, 0x80, 0x400, 0x800
ARITH = FC | FP | FA | FZ | FS | FO

SAFE = set("""gen_add gen_or gen_adc gen_sbb gen_and gen_sub gen_xor gen_cmp
gen_test gen_inc gen_dec gen_neg gen_not gen_mul gen_imul gen_div gen_idiv
gen_rol gen_ror gen_rcl gen_rcr gen_shl gen_shr gen_sar gen_shld gen_shrd
gen_bt gen_bts gen_btr gen_btc gen_bsf gen_bsr gen_bswap gen_xadd gen_cmpxchg
gen_cmpxchg8b gen_daa gen_das gen_aaa gen_aas gen_aam gen_aad gen_cbw gen_cwd
gen_salc gen_mov gen_movzx gen_movsx gen_lea gen_xchg gen_push gen_pop
gen_pusha gen_popa gen_lahf gen_sahf gen_xlat gen_cmovcc gen_setcc gen_movs
gen_cmps gen_scas gen_lods gen_stos gen_nop gen_clc gen_stc gen_cmc gen_cld
gen_std""".split())
# Branches: generated as a forward branch over one random instruction (or,
# for CALL rel32, a call to the next instruction), so both paths converge.
BRANCH = {"gen_jcc", "gen_jmp", "gen_loop", "gen_loope", "gen_loopne",
          "gen_jcxz"}
STACK = {"gen_push", "gen_pop", "gen_pusha", "gen_popa", "gen_call"}
ROWS = []

SIZE_OPS = {"Ev", "Gv", "Iz", "Ibs", "Zv", "eAX", "Xv", "Yv", "Ov", "Evw"}


def parse_def(path):
    """Rows of x86-insn.def as dicts (same order as x86_insn_defs[])."""
    text = open(path).read()
    defs = {}
    for m in re.finditer(r"^#define\s+([fa]\w+)\s+(0x[0-9a-fA-F]+)", text, re.M):
        defs[m.group(1)] = int(m.group(2), 16)

    def val(expr):
        v = 0
        for tok in expr.split("|"):
            tok = tok.strip()
            v |= int(tok, 0) if tok[0].isdigit() else defs[tok]
        return v

    rows = []
    for line in text.splitlines():
        if not line.startswith("X86_INSN("):
            continue
        body = line[len("X86_INSN("):line.rindex(")")]
        f = [x.strip() for x in body.split(",")]
        rows.append(dict(id=len(rows), map=f[0], opc=int(f[1], 16), mr=f[2],
                         pfx=f[3], mnem=f[4].strip('"'), ops=f[5:8],
                         rd=val(f[8]), wr=val(f[9]), ud=val(f[10]),
                         attrs=val(f[11]), gen=f[12]))
    return rows


def le(v, n):
    return list((v & ((1 << (8 * n)) - 1)).to_bytes(n, "little"))


class Seq:
    """State while generating one sequence."""

    def __init__(self, rng):
        self.rng = rng
        self.code = []
        self.desc = []
        self.undef = 0
        self.esp = 0          # ESP - STACK_TOP

    def setup(self, b, d):
        self.code += b
        self.desc.append(d)


def rnd_val(rng):
    r = rng.random()
    if r < 0.15:
        return rng.choice([0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                           0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe])
    if r < 0.3:
        return rng.randrange(0, 64)
    return rng.getrandbits(32)


def mov_reg_imm(s, reg, v, size=4):
    """Setup: mov reg, imm (no flag changes)."""
    if size == 1:
        s.setup([0xb0 + reg] + le(v, 1), "mov r8/%d,0x%x" % (reg, v & 0xff))
    elif size == 2:
        s.setup([0x66, 0xb8 + reg] + le(v, 2), "mov r16/%d,0x%x" % (reg, v & 0xffff))
    else:
        s.setup([0xb8 + reg] + le(v, 4), "mov r32/%d,0x%x" % (reg, v & 0xffffffff))


def mem_operand(s, reg_field, reserved, lea=False):
    """ModRM (+SIB, disp) bytes for a memory operand whose address lies in
    the scratch area (setup loads the base / index registers first).
    For LEA any registers and values are fine (no access)."""
    rng = s.rng
    if lea:
        mod = rng.randrange(3)
        rm = rng.randrange(8)
        out = [(mod << 6) | (reg_field << 3) | rm]
        if rm == 4:
            out.append(rng.randrange(256))
            if (out[-1] & 7) == 5 and mod == 0:
                out += le(rng.getrandbits(32), 4)
        if mod == 0 and rm == 5:
            out += le(rng.getrandbits(32), 4)
        if mod == 1:
            out += le(rng.getrandbits(8), 1)
        if mod == 2:
            out += le(rng.getrandbits(32), 4)
        return out
    free = [r for r in (0, 1, 2, 3, 5, 6, 7) if r not in reserved]
    form = rng.randrange(6)
    if form == 5 and -0x100 <= s.esp <= 0x100:
        # [esp+disp8] in the stack area
        return [(1 << 6) | (reg_field << 3) | 4, 0x24] + le(rng.randrange(0, 0x60), 1)
    if form == 4:
        # absolute disp32
        return [(reg_field << 3) | 5] + le(SCRATCH + rng.randrange(0, 0x3f0), 4)
    base = rng.choice(free)
    mov_reg_imm(s, base, SCRATCH + 0x100 + rng.randrange(0, 0x200))
    if form == 0 and base != 5:
        return [(reg_field << 3) | base]
    if form == 1 or (form == 0 and base == 5):
        return [(1 << 6) | (reg_field << 3) | base] + le(rng.randrange(-128, 128), 1)
    if form == 2:
        return [(2 << 6) | (reg_field << 3) | base] + le(rng.randrange(-256, 256), 4)
    # SIB: [base + index*scale + disp8]
    idx = rng.choice([r for r in free if r != base] or [base])
    if idx == base:
        return [(1 << 6) | (reg_field << 3) | base] + le(rng.randrange(-128, 128), 1)
    mov_reg_imm(s, idx, rng.randrange(0, 16))
    scale = rng.randrange(4)
    return ([(1 << 6) | (reg_field << 3) | 4, (scale << 6) | (idx << 3) | base] +
            le(rng.randrange(-128, 128), 1))


def pick_reg(rng, size, exclude=()):
    regs = [r for r in range(8) if r not in exclude and (size == 1 or r != 4)]
    return rng.choice(regs)


def gen_branch(s, row):
    """A forward branch over one random non-stack instruction."""
    rng = s.rng
    gen = row["gen"]
    if gen == "gen_call":
        if s.esp - 4 < -0x180:
            return False
        if row["rd"] & s.undef:
            pass
        s.code += [0xe8, 0, 0, 0, 0]
        s.desc.append("call +0")
        s.esp -= 4
        return True
    sub = Seq(rng)
    sub.esp = s.esp
    sub.undef = s.undef
    cands = [r for r in ROWS if r["gen"] not in BRANCH and r["gen"] not in STACK]
    while not gen_insn(sub, rng.choice(cands)):
        pass
    block = sub.code
    opc = row["opc"] + (rng.randrange(16) if row["mr"] == "CN" else 0)
    code = ([0x0f] if row["map"] == "M0F" else []) + [opc]
    if "Jb" in row["ops"]:
        if len(block) > 127:
            return False
        code += le(len(block), 1)
    else:
        code += le(len(block), 4)
    if row["rd"] & s.undef:
        s.setup([0x3d] + le(rnd_val(rng), 4), "cmp eax,imm32")
        s.undef = 0
        sub.undef = 0
        # the block was generated assuming the old flags; regenerate
        return gen_branch(s, row)
    s.code += code + block
    s.desc.append("%s +%d {%s}" % (row["mnem"], len(block), "; ".join(sub.desc)))
    s.undef |= sub.undef
    return True


def gen_insn(s, row):
    """Append one instance of row (with its setup) to s; False to retry."""
    rng = s.rng
    gen, ops = row["gen"], [o for o in row["ops"] if o != "__"]
    if gen in BRANCH or gen == "gen_call":
        return gen_branch(s, row)
    wr, ud = row["wr"], row["ud"]
    pfx = []
    reserved = set()
    opsize = 4
    sized = any(o in SIZE_OPS for o in ops) or "/" in row["mnem"] or \
        gen in ("gen_pusha", "gen_popa")
    if gen == "gen_bswap":
        sized = False
    if sized and rng.random() < 0.3:
        pfx.append(0x66)
        opsize = 2

    def opbytes(o):
        return {"Eb": 1, "Gb": 1, "Zb": 1, "AL": 1, "Ew": 2, "Evw": 2,
                "Ed": 4}.get(o, opsize)

    dsize = opbytes(ops[0]) if ops else opsize
    # stack bookkeeping
    delta = 0
    if gen == "gen_push":
        delta = -opsize
    elif gen == "gen_pop":
        delta = opsize
    elif gen == "gen_pusha":
        delta = -8 * opsize
    elif gen == "gen_popa":
        delta = 8 * opsize
    if abs(s.esp + delta) > 0x180:
        return False

    code = []
    desc = row["mnem"]
    reg_field = None
    modrm_mem = None
    force_reg = gen in ("gen_div", "gen_idiv")
    mem_only = any(o in ("M", "Mb", "Mq", "Mp", "Ms", "Ma") for o in ops)
    has_modrm = row["mr"] not in ("N", "ZR", "CN")

    # --- row-specific setup (registers reserved before choosing bases) ---
    count = None
    if gen in ("gen_rol", "gen_ror", "gen_rcl", "gen_rcr", "gen_shl",
               "gen_shr", "gen_sar", "gen_shld", "gen_shrd"):
        lim = 32
        if gen in ("gen_shld", "gen_shrd"):
            lim = 16 if opsize == 2 else 32
        count = rng.randrange(lim)
        if "CL" in ops:
            s_cl = count | (rng.randrange(8) << 5 if lim == 32 else 0)
            mov_reg_imm(s, 1, s_cl, 1)
            reserved.add(1)
        if "I1" in ops:
            count = 1
    if gen in ("gen_div", "gen_idiv"):
        if gen == "gen_div":
            if dsize == 1:
                s.setup([0xb4, 0x00], "mov ah,0")
            elif dsize == 2:
                s.setup([0x66, 0xba, 0, 0], "mov dx,0")
            else:
                s.setup([0xba, 0, 0, 0, 0], "mov edx,0")
        else:
            s.setup({1: [0x66, 0x98], 2: [0x66, 0x99], 4: [0x99]}[dsize],
                    {1: "cbw", 2: "cwd", 4: "cdq"}[dsize])
        dreg = rng.choice([1, 2, 3, 5, 6, 7] if dsize == 1 else [1, 3, 5, 6, 7])
        if gen == "gen_div":
            dv = rng.randrange(1, 1 << (8 * dsize))
        else:
            dv = rng.randrange(2, 100) * rng.choice([1, -1])
        mov_reg_imm(s, dreg, dv, dsize)
        reserved.update((0, 2))
    if gen in ("gen_movs", "gen_cmps", "gen_scas", "gen_lods", "gen_stos"):
        mov_reg_imm(s, 6, SCRATCH + 0x100 + rng.randrange(0, 0x100))
        mov_reg_imm(s, 7, SCRATCH + 0x100 + rng.randrange(0, 0x100))
        r = rng.random()
        if r < 0.4:
            reps = rng.randrange(0, 8)
            mov_reg_imm(s, 1, reps)
            if reps == 0:
                wr = 0      # no iteration: flags untouched
            if gen in ("gen_cmps", "gen_scas"):
                pfx.append(rng.choice([0xf3, 0xf2]))
            else:
                pfx.append(0xf3)
        if rng.random() < 0.2 and gen != "gen_stos" and gen != "gen_scas":
            pfx.append(rng.choice([0x3e, 0x26, 0x36]))
    if gen == "gen_xlat":
        mov_reg_imm(s, 3, SCRATCH + rng.randrange(0, 0x100))

    # --- ModRM ---
    if has_modrm:
        mr = row["mr"]
        if mr.startswith("D"):
            reg_field = int(mr[1])
        else:
            greg = [o for o in ops if o[0] == "G"]
            gsize = opbytes(greg[0]) if greg else 4
            reg_field = pick_reg(rng, gsize, reserved if not greg else ())
            if greg and gen in ("gen_bt", "gen_bts", "gen_btr", "gen_btc"):
                reg_field = pick_reg(rng, gsize)
        use_mem = mem_only or (not force_reg and rng.random() < 0.5)
        if gen == "gen_lea":
            if rng.random() < 0.3:
                pfx.append(0x67)
                mod = rng.randrange(3)
                rm = rng.randrange(8)
                modrm_mem = [(mod << 6) | (reg_field << 3) | rm]
                if mod == 0 and rm == 6:
                    modrm_mem += le(rng.getrandbits(16), 2)
                elif mod == 1:
                    modrm_mem += le(rng.getrandbits(8), 1)
                elif mod == 2:
                    modrm_mem += le(rng.getrandbits(16), 2)
            else:
                modrm_mem = mem_operand(s, reg_field, reserved, lea=True)
        elif use_mem:
            if gen in ("gen_bt", "gen_bts", "gen_btr", "gen_btc") and "Gv" in ops:
                # keep the bit offset small and positive
                mov_reg_imm(s, reg_field, rng.randrange(0, 256))
                reserved.add(reg_field)
            modrm_mem = mem_operand(s, reg_field, reserved | {reg_field}
                                    if gen in ("gen_bt", "gen_bts", "gen_btr",
                                               "gen_btc") else reserved)
            if (row["attrs"] & 0x1) and rng.random() < 0.25:
                pfx.append(0xf0)
            if rng.random() < 0.1:
                pfx.append(rng.choice([0x3e, 0x26, 0x36]))
        else:
            esize = opbytes(ops[0]) if ops and ops[0][0] in "ER" else 4
            if len(ops) > 1 and ops[1][0] == "E":
                esize = opbytes(ops[1])
            excl = set()
            if force_reg:
                excl = {0, 2} if dsize > 1 else {0, 4}
                rm = dreg
            else:
                rm = pick_reg(rng, esize, excl)
            modrm_mem = [0xc0 | (reg_field << 3) | rm]

    # --- opcode ---
    opc = row["opc"]
    if row["mr"] == "ZR":
        excl = {4}
        if gen == "gen_xchg":
            excl = {0, 4}
        if gen == "gen_push":
            excl = set()
        size = 1 if "Zb" in ops else opsize
        opc += pick_reg(rng, size, excl)
    elif row["mr"] in ("CN", "CR"):
        opc += rng.randrange(16)
    if row["pfx"] == "PF3":
        pfx.append(0xf3)
    code += pfx
    if row["map"] == "M0F":
        code.append(0x0f)
    code.append(opc)
    if modrm_mem is not None:
        code += modrm_mem

    # --- immediates / moffs ---
    for o in ops:
        if o == "Ib":
            if count is not None:
                v = count | (rng.randrange(8) << 5 if gen not in ("gen_shld", "gen_shrd")
                             or opsize == 4 else 0)
            elif gen == "gen_aam":
                v = rng.randrange(1, 256)
            elif gen in ("gen_bt", "gen_bts", "gen_btr", "gen_btc"):
                v = rng.randrange(256)
            else:
                v = rnd_val(rng)
            code += le(v, 1)
        elif o == "Ibs":
            code += le(rnd_val(rng), 1)
        elif o == "Iz":
            code += le(rnd_val(rng), opsize)
        elif o == "Iw":
            code += le(rnd_val(rng), 2)
        elif o in ("Ob", "Ov"):
            code += le(SCRATCH + rng.randrange(0, 0x3f0), 4)

    # --- flags bookkeeping ---
    if count is not None:
        bits = 8 * dsize
        if count == 0:
            wr, ud = 0, 0
        elif gen in ("gen_rol", "gen_ror", "gen_rcl", "gen_rcr"):
            eff = count % (bits + 1) if gen in ("gen_rcl", "gen_rcr") and bits < 32 \
                else count % bits
            if eff == 0:
                ud |= FO | FC
                wr |= FO | FC
        elif gen in ("gen_shl", "gen_shr", "gen_sar") and count >= bits:
            ud |= FC
    if row["rd"] & s.undef:
        s.setup([0x3d] + le(rnd_val(rng), 4), "cmp eax,imm32")
        s.undef = 0
    s.code += code
    s.desc.append(desc + ("" if count is None else " #%d" % count))
    s.undef = (s.undef & ~wr) | ud
    s.esp += delta
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=lambda x: int(x, 0), default=None)
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--max-insns", type=int, default=6)
    ap.add_argument("--only", default="", help="comma-separated gen names")
    ap.add_argument("--exclude", default="", help="comma-separated gen names")
    ap.add_argument("--def", dest="defpath",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "..", "..", "translator", "x86-insn.def"))
    ap.add_argument("blob")
    ap.add_argument("meta")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().getrandbits(32)
    print("gen.py: seed %d batch %d count %d" % (seed, a.batch, a.count))
    # Undocumented aliases (F6/F7 /1 TEST) are left out: the reference
    # harness check under qemu-system-i386 raises #UD for them.
    rows = [r for r in parse_def(a.defpath)
            if (r["gen"] in SAFE or
                ((r["gen"] in BRANCH or r["gen"] == "gen_call") and
                 ("Jb" in r["ops"] or "Jz" in r["ops"]))) and
            not (r["opc"] in (0xf6, 0xf7) and r["mr"] == "D1" and r["map"] == "M1")]
    if a.exclude:
        rows = [r for r in rows if r["gen"] not in a.exclude.split(",")]
    ROWS[:] = rows
    if a.only:
        rows = [r for r in rows if r["gen"] in a.only.split(",")]
    # PUSH/POP of segment registers use their own gen names, so not here;
    # POP Ev with an ESP-based address is avoided by mem_operand's bases.
    rng = random.Random(seed * 1000003 + a.batch)
    blob = bytearray(b"DIFT" + struct.pack("<III", a.count, seed & 0xffffffff, a.batch))
    meta = []
    for i in range(a.count):
        s = Seq(rng)
        n = rng.randrange(1, a.max_insns + 1)
        while n:
            if gen_insn(s, rng.choice(rows)):
                n -= 1
        regs = [rnd_val(rng) for _ in range(8)]
        regs[4] = STACK_TOP
        eflags = (rng.getrandbits(32) & (ARITH | (FD if rng.random() < 0.3 else 0))) | 2
        memseed = rng.getrandbits(32)
        blob += struct.pack("<8IIIH", *regs, eflags, memseed, len(s.code))
        blob += bytes(s.code)
        while len(blob) % 4:
            blob.append(0)
        meta.append("%d %x %x %s %s %s" % (i, s.undef, eflags,
                                          ",".join("%x" % r for r in regs),
                                          bytes(s.code).hex(), "; ".join(s.desc)))
    open(a.blob, "wb").write(blob)
    open(a.meta, "w").write("# seed %d batch %d\n" % (seed, a.batch) +
                            "\n".join(meta) + "\n")


if __name__ == "__main__":
    main()
