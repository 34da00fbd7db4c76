#!/usr/bin/env python3
# hamt86 translator unit test: record golden vectors for the ALU family.
#
# Generates random ALU-family instructions (all forms of x86-insn.def's ALU
# rows, register and memory operands, 16/32-bit operand sizes), each followed
# by 4 CMOVcc and 16 SETcc that observe the flags, runs them on the real CPU
# through the i686 oracle (oracle.c, built with clang-16) and writes
# alu-vectors.bin for alu-test.c.  Cases that would raise #DE are recorded
# with the expected state unchanged.
#
#   usage: gen-vectors.py ORACLE OUT.bin [nsingle nmulti seed]
#
# Record layout (little-endian):
#   u8 len, u8 ninsn, u8 de, u8 pad
#   u32 regs_in[8], eflags_in, mem_seed
#   u32 regs_out[8], eflags_out, mem_hash, setcc_bits
#   u8 code[len]            (the 16 SETcc are appended by the test)
# The 256-byte data window at 0x10000800 is filled from mem_seed with
# xorshift32; mem_hash is FNV-1a over the window minus the SETcc bytes
# 0xE0..0xEF, whose values are setcc_bits.
import random, struct, subprocess, sys
ORACLE, OUT = sys.argv[1], sys.argv[2]
NSINGLE = int(sys.argv[3]) if len(sys.argv) > 3 else 1500
NMULTI = int(sys.argv[4]) if len(sys.argv) > 4 else 500
R = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)

def xorshift_fill(seed):
    x, b = seed, bytearray()
    for _ in range(256):
        x ^= (x << 13) & 0xffffffff; x ^= x >> 17; x ^= (x << 5) & 0xffffffff
        b.append(x & 0xff)
    return b

def fnv(b):
    h = 0x811c9dc5
    for i, v in enumerate(b):
        if 0xe0 <= i < 0xf0: continue
        h = ((h ^ v) * 0x01000193) & 0xffffffff
    return h
MEMWIN = 0x10000800
SETCC_BASE = MEMWIN + 0xE0

def s8(v): v &= 0xff; return v - 0x100 if v & 0x80 else v
def s16(v): v &= 0xffff; return v - 0x10000 if v & 0x8000 else v
def s32(v): v &= 0xffffffff; return v - 0x100000000 if v & 0x80000000 else v

# (name, map, opcode, mr, operand pattern, imm) ; mr: 'R' reg field, int digit, 'N', 'ZR'
F = []
for op in range(8):
    b = op * 8
    F += [(f"alu{op}", 0, b + 0, 'R', 'b', None), (f"alu{op}", 0, b + 1, 'R', 'v', None),
          (f"alu{op}", 0, b + 2, 'R', 'b', None), (f"alu{op}", 0, b + 3, 'R', 'v', None),
          (f"alu{op}", 0, b + 4, 'N', 'b', 'Ib'), (f"alu{op}", 0, b + 5, 'N', 'v', 'Iz'),
          (f"alu{op}i", 0, 0x80, op, 'b', 'Ib'), (f"alu{op}i", 0, 0x81, op, 'v', 'Iz'),
          (f"alu{op}i", 0, 0x83, op, 'v', 'Ib')]
F += [("incr", 0, 0x40, 'ZR', 'v', None), ("decr", 0, 0x48, 'ZR', 'v', None)]
for d in range(2):
    F += [("incdec", 0, 0xfe, d, 'b', None), ("incdec", 0, 0xff, d, 'v', None)]
for d in range(8):
    F += [("grp3", 0, 0xf6, d, 'b', 'Ib' if d < 2 else None), ("grp3", 0, 0xf7, d, 'v', 'Iz' if d < 2 else None)]
F += [("imul3", 0, 0x69, 'R', 'v', 'Iz'), ("imul3", 0, 0x6b, 'R', 'v', 'Ib'), ("imul2", 1, 0xaf, 'R', 'v', None)]
for d in range(8):
    F += [("sh", 0, 0xc0, d, 'b', 'Ib'), ("sh", 0, 0xc1, d, 'v', 'Ib'), ("sh", 0, 0xd0, d, 'b', None),
          ("sh", 0, 0xd1, d, 'v', None), ("sh", 0, 0xd2, d, 'b', None), ("sh", 0, 0xd3, d, 'v', None)]
F += [("bt", 1, 0xa3, 'R', 'v', None), ("bt", 1, 0xab, 'R', 'v', None), ("bt", 1, 0xb3, 'R', 'v', None),
      ("bt", 1, 0xbb, 'R', 'v', None)]
for d in range(4, 8):
    F += [("bti", 1, 0xba, d, 'v', 'Ib')]
F += [("bsf", 1, 0xbc, 'R', 'v', None), ("bsr", 1, 0xbd, 'R', 'v', None)]
F += [("shd", 1, 0xa4, 'R', 'v', 'Ib'), ("shd", 1, 0xa5, 'R', 'v', None), ("shd", 1, 0xac, 'R', 'v', 'Ib'),
      ("shd", 1, 0xad, 'R', 'v', None)]
F += [("xadd", 1, 0xc0, 'R', 'b', None), ("xadd", 1, 0xc1, 'R', 'v', None),
      ("cmpxchg", 1, 0xb0, 'R', 'b', None), ("cmpxchg", 1, 0xb1, 'R', 'v', None),
      ("cx8", 1, 0xc7, 1, 'm', None), ("bswap", 1, 0xc8, 'ZR', 'd', None)]
F += [("bcd", 0, 0x27, 'N', '-', None), ("bcd", 0, 0x2f, 'N', '-', None), ("bcd", 0, 0x37, 'N', '-', None),
      ("bcd", 0, 0x3f, 'N', '-', None), ("aam", 0, 0xd4, 'N', '-', 'Ib'), ("aad", 0, 0xd5, 'N', '-', 'Ib'),
      ("salc", 0, 0xd6, 'N', '-', None), ("cbw", 0, 0x98, 'N', 'v', None), ("cwd", 0, 0x99, 'N', 'v', None)]

def rnd32():
    k = R.random()
    if k < 0.2: return R.choice([0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe])
    if k < 0.4: return R.getrandbits(8)
    if k < 0.5: return R.getrandbits(16)
    return R.getrandbits(32)

forms = F
oracle_in = bytearray(); recs = []
MULTI = [f for f in F if f[0].startswith('alu') or f[0] in ('incr', 'decr', 'incdec', 'xadd', 'cmpxchg')
         or (f[0] == 'grp3' and f[3] in (2, 3))]
for n in range(NSINGLE + NMULTI):
  multi = n >= NSINGLE
  regs = [rnd32() for _ in range(8)]
  regs[4] = 0
  seed = R.getrandbits(32) | 1
  mem = xorshift_fill(seed)
  eflags = 0x2 | (R.getrandbits(12) & 0x8d5)
  code = bytearray()
  k = R.randrange(2, 5) if multi else 1
  if multi: regs[5] = MEMWIN + 0x20 + R.randrange(0x60)
  for ki in range(k):
    name, mp, opc, mr, pat, imm = R.choice(MULTI if multi else forms)
    if name == 'cmpxchg' and R.random() < 0.5:
        pass
    opsize = 4
    if pat in ('v',) and R.random() < 0.35:
        code.append(0x66); opsize = 2
    size = 1 if pat == 'b' else opsize
    if pat in ('d', 'm'): size = 4
    if mp == 1: code.append(0x0f)
    nonbyte = size != 1
    ea = None
    def okreg(r): return not (nonbyte and r == 4) and not (multi and r == 5)
    if mr == 'ZR':
        r = R.choice([x for x in range(8) if x != 4 and okreg(x)]); code.append(opc + r)
    elif mr == 'N':
        code.append(opc)
    else:
        code.append(opc)
        regf = mr if isinstance(mr, int) else R.choice([x for x in range(8) if okreg(x)])
        if name == 'bt' or name == 'shd' or name in ('xadd', 'cmpxchg', 'bsf', 'bsr', 'imul2', 'imul3'):
            regf = R.choice([x for x in range(8) if okreg(x) and x != 4]) if isinstance(mr, str) else mr
        usemem = pat == 'm' or R.random() < 0.4
        if not usemem:
            rm = R.choice([x for x in range(8) if okreg(x)])
            if name in ('bt', 'shd', 'bsf', 'bsr', 'imul2', 'imul3', 'xadd', 'cmpxchg'): rm = R.choice([x for x in [0,1,2,3,5,6,7] if okreg(x)])
            code.append(0xc0 | regf << 3 | rm)
        else:
            base = 5 if multi else R.choice([0, 2, 3, 5, 6, 7] if name in ('sh', 'shd') else [0, 1, 2, 3, 5, 6, 7])
            while base == regf and name in ('bt',):
                base = R.choice([0, 1, 2, 3, 5, 6, 7])
            if not multi: regs[base] = MEMWIN + 0x20 + R.randrange(0x60)
            disp = R.randrange(-16, 17)
            if R.random() < 0.3 and not multi:
                idx = R.choice([x for x in [0, 1, 2, 3, 5, 6, 7] if x != base and x != regf and not (name in ('sh', 'shd') and x == 1)])
                sc = R.randrange(4)
                iv = R.randrange(0, 4)
                regs[idx] = iv
                code.append(0x44 | regf << 3); code.append(sc << 6 | idx << 3 | base); code.append(disp & 0xff)
                ea = regs[base] + (iv << sc) + disp
            else:
                code.append(0x40 | regf << 3 | base); code.append(disp & 0xff)
                ea = regs[base] + disp
            if name == 'bt':
                regs[regf] = R.randrange(-0x80, 0x200) & 0xffffffff
                if opsize == 2: regs[regf] = (regs[regf] & 0xffff) | (R.getrandbits(16) << 16)
    if name == 'aam' and R.random() < 0.1:
        code.append(0)
    elif imm == 'Ib':
        v = R.getrandbits(8)
        if name in ('sh', 'shd') and R.random() < 0.5: v = R.choice([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33])
        code.append(v)
    elif imm == 'Iz':
        code += struct.pack("<I", rnd32())[:opsize]
    if name in ('sh', 'shd') and R.random() < 0.5:
        regs[1] = (regs[1] & ~0xff) | R.choice([0, 1, 2, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 255])
    # #DE precheck
    de = False
    if (name == 'grp3' and mr in (6, 7)) or name == 'aam':
        if name == 'aam':
            de = code[-1] == 0
        else:
            if ea is None:
                rm = code[-1] & 7 if imm is None else None
                rm = code[-1] & 7
                if size == 1: src = (regs[rm & 3] >> (8 if rm >= 4 else 0)) & 0xff
                else: src = regs[rm] & ((1 << (8 * size)) - 1)
            else:
                off = ea - MEMWIN
                src = int.from_bytes(mem[off:off + size], 'little')
            if size == 1: num = regs[0] & 0xffff
            elif size == 2: num = ((regs[2] & 0xffff) << 16) | (regs[0] & 0xffff)
            else: num = (regs[2] << 32) | regs[0]
            bits = 8 * size
            if src == 0: de = True
            elif mr == 6: de = num // src >= (1 << bits)
            else:
                sn = num - (1 << (2 * bits)) if num >> (2 * bits - 1) else num
                sd = src - (1 << bits) if src >> (bits - 1) else src
                q = abs(sn) // abs(sd)
                if (sn < 0) != (sd < 0): q = -q
                de = not (-(1 << (bits - 1)) <= q < (1 << (bits - 1)))
  ninsn = k
  if not de:
      # 4 cmovs then 16 setcc
      for i in range(4):
          cc = R.randrange(16); d = R.choice([3, 5, 6, 7]); s_ = R.choice([0, 1, 2])
          code += bytes([0x0f, 0x40 + cc, 0xc0 | d << 3 | s_])
      ninsn = k + 20
  suffix = bytearray()
  if not de:
      for cc in range(16):
          suffix += bytes([0x0f, 0x90 + cc, 0x05]) + struct.pack("<I", SETCC_BASE + cc)
  full = code + suffix
  assert len(full) <= 160 and len(code) < 256
  oracle_in += struct.pack("<8III", *regs, eflags, 0 if de else len(full)) + bytes(full) + bytes(160 - len(full)) + bytes(mem)
  recs.append((len(code), ninsn, 1 if de else 0, regs, eflags, seed, bytes(code)))

res = subprocess.run([ORACLE], input=bytes(oracle_in), capture_output=True, check=True).stdout
assert len(res) == 292 * len(recs), "oracle died"
out = bytearray()
for i, (ln, ninsn, de, regs, eflags, seed, code) in enumerate(recs):
    r = res[292 * i: 292 * (i + 1)]
    oregs = struct.unpack("<8I", r[:32]); ofl = struct.unpack("<I", r[32:36])[0]; omem = r[36:]
    bits = 0
    for cc in range(16):
        if omem[0xe0 + cc]: bits |= 1 << cc
    out += struct.pack("<BBBB8III8IIII", ln, ninsn, de, 0, *regs, eflags, seed, *oregs, ofl, fnv(omem), bits) + code
open(OUT, "wb").write(out)
print(f"{len(recs)} vectors, {len(out)} bytes")
