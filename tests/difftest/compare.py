#!/usr/bin/env python3
"""hamt86 difftest: compare a runner's output with the reference.

usage: compare.py META REF OUT [--name NAME]

REF and OUT hold "S <index> <eax> ... <edi> <eflags> <memhash>" lines and,
for x87/MMX sequences, "F <index> <fcw> <fsw> <ftw> <st0> ... <st7>" lines
(the FNSAVE image, runner.c); other lines are ignored, so serial noise is
fine.  A sequence that ends in a transcendental (gen.py) may differ from the
real CPU by 1 ulp of the 64-bit significand (and then in FSW.C1 / PE): such
differences are counted and printed, anything larger fails.  EFLAGS are compared under the
mask of flags gen.py recorded as undefined at the end of each sequence.
Reports the first mismatch with the seed, batch, sequence index, its
disassembly (objdump) and initial state, and the differing register or
flag; exit status 1 on any mismatch or missing line.
"""
import os
import re
import subprocess
import sys
import tempfile

REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
FLAGS = [(0x800, "OF"), (0x400, "DF"), (0x80, "SF"), (0x40, "ZF"),
         (0x10, "AF"), (0x4, "PF"), (0x1, "CF")]


def load(path):
    res, fpu = {}, {}
    for line in open(path, errors="replace"):
        m = re.search(r"\bS((?: [0-9a-f]{8}){11})\s*$", line)
        if m:
            f = [int(x, 16) for x in m.group(1).split()]
            res[f[0]] = f[1:]
            continue
        m = re.search(r"\bF((?: [0-9a-f]{8}){4}(?: [0-9a-f]{20}){8})\s*$", line)
        if m:
            f = [int(x, 16) for x in m.group(1).split()]
            fpu[f[0]] = f[1:]
    return res, fpu


FPU_NAMES = ["fcw", "fsw", "ftw"] + ["R%d" % i for i in range(8)]


# FSW bits where this machine's CPU (AMD) and the SDM's P6 are known to
# differ and hamt86 follows the SDM: C1 after a stack overflow, after
# FCOMI and for FIST/FRNDINT rounding of negative values; DE for
# pseudo-denormal operands.  Counted and printed, not failures.
HOST_DEV = 0x0202


def within_ulp(a, b):
    """80-bit values a, b (sign|exp << 64 | mant) of one sign within 1 ulp
    of the 64-bit significand of the smaller binade."""
    if (a >> 79) != (b >> 79):
        return False
    ea, eb = (a >> 64) & 0x7fff, (b >> 64) & 0x7fff
    if 0x7fff in (ea, eb):
        return False
    ma, mb = a & (2**64 - 1), b & (2**64 - 1)
    e = min(ea, eb)
    return abs((ma << (ea - e)) - (mb << (eb - e))) <= 1


def fpu_diffs(r, o, trans, name, dev):
    """Differences of two F lines; (list of strings, ulp differences)."""
    diffs, ulps = [], 0
    for k in range(11):
        a, b = r[k], o[k]
        if a == b:
            continue
        if k == 1 and ((a ^ b) & ~HOST_DEV) == 0:
            dev[0] += 1
            continue
        if trans and k == 1 and ((a ^ b) & ~0x82a0) == 0:
            # C1 / PE (and ES, B when PE is unmasked) of an inexact result
            ulps += 1
            continue
        if trans and k >= 3 and within_ulp(a, b):
            ulps += 1
            continue
        w = 8 if k < 3 else 20
        diffs.append("%s ref=%0*x %s=%0*x" % (FPU_NAMES[k], w, a, name, w, b))
    return diffs, ulps


def disas(code_hex):
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as t:
        t.write(bytes.fromhex(code_hex))
        name = t.name
    try:
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386",
                              "-M", "intel", name], capture_output=True,
                             text=True).stdout
    except OSError:
        out = ""
    finally:
        os.unlink(name)
    lines = [l for l in out.splitlines() if re.match(r"\s+[0-9a-f]+:\t", l)]
    return "\n".join("      " + l.strip() for l in lines) or "      " + code_hex


def flag_names(v):
    return " ".join(n for b, n in FLAGS if v & b) or "-"


def main():
    args = sys.argv[1:]
    name = "emulator"
    if "--name" in args:
        i = args.index("--name")
        name = args[i + 1]
        del args[i:i + 2]
    meta_path, ref_path, out_path = args
    seed = batch = "?"
    meta = {}
    for line in open(meta_path):
        if line.startswith("#"):
            m = re.match(r"# seed (\d+) batch (\d+)", line)
            if m:
                seed, batch = m.groups()
            continue
        f = line.rstrip("\n").split(" ", 5)
        meta[int(f[0])] = dict(undef=int(f[1], 16), eflags=int(f[2], 16),
                               regs=f[3], code=f[4],
                               desc=f[5] if len(f) > 5 else "")
    (ref, fref), (out, fout) = load(ref_path), load(out_path)
    bad = 0
    ulps = 0
    hostdev = [0]
    first = None
    for idx in sorted(meta):
        m = meta[idx]
        if idx not in ref:
            print("difftest: reference has no result for sequence %d" % idx)
            return 2
        r = ref[idx]
        o = out.get(idx)
        why = None
        if o is None:
            why = "no result (crashed or hung before it)"
        else:
            diffs = []
            for k in range(8):
                if r[k] != o[k]:
                    if k == 0 and idx in fref and "fnstsw" in m["desc"] and \
                            ((r[k] ^ o[k]) & ~HOST_DEV) == 0:
                        hostdev[0] += 1       # FNSTSW AX of such an FSW
                        continue
                    diffs.append("%s ref=%08x %s=%08x" % (REGS[k], r[k], name, o[k]))
            mask = ~m["undef"] & 0xffffffff
            if (r[8] ^ o[8]) & mask:
                d = (r[8] ^ o[8]) & mask
                diffs.append("eflags ref=%04x %s=%04x differ in %s (undefined: %s)"
                             % (r[8], name, o[8], flag_names(d),
                                flag_names(m["undef"])))
            if r[9] != o[9]:
                diffs.append("scratch memory hash ref=%08x %s=%08x" % (r[9], name, o[9]))
            if idx in fref:
                if idx not in fout:
                    diffs.append("no x87 state line")
                else:
                    d, u = fpu_diffs(fref[idx], fout[idx],
                                     (m["eflags"] & 0x40000000) != 0, name,
                                     hostdev)
                    diffs += d
                    ulps += u
            if diffs:
                why = "; ".join(diffs)
        if why and os.environ.get("DIFFTEST_ALL"):
            print("ALL %d [%s] %s" % (idx, m["desc"], why))
        if why:
            bad += 1
            if first is None:
                first = idx
                print("FAIL difftest seed %s batch %s sequence %d: %s"
                      % (seed, batch, idx, why))
                print("    initial eax..edi=%s eflags=%04x (esp=stack top)"
                      % (m["regs"], m["eflags"]))
                print("    rows: %s" % m["desc"])
                print(disas(m["code"]))
            if o is None:
                bad += len([i for i in meta if i > idx and i not in out])
                break
    print("difftest seed %s batch %s: %d sequences, %d mismatches%s%s"
          % (seed, batch, len(meta), bad,
             ", %d transcendental results 1 ulp off the CPU" % ulps
             if ulps else "",
             ", %d FSW C1/DE differences where the host CPU is not the SDM's"
             " P6" % hostdev[0] if hostdev[0] else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
