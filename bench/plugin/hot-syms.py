#!/usr/bin/env python3
"""bench/plugin/hot-syms.py: sum hot-pcs.so output per function.

usage: hot-syms.py BINARY [N] < plugin-output
Reads "hot-pcs: <hex pc> <insns>" lines, maps each pc to the function of
BINARY (a static executable: `nm -n`) that contains it (pcs outside every
function, e.g. hamt86's JIT code buffer, are "[generated code]"), and
prints the N (default 15) largest as "insns  share  function".
"""
import bisect
import subprocess
import sys


def main():
    binary = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    syms = []
    for line in subprocess.run(["nm", "-n", "-S", binary], capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tTwW":
            syms.append((int(f[0], 16), int(f[1], 16), f[3]))
    syms.sort()
    starts = [s[0] for s in syms]
    per = {}
    total = 0
    for line in sys.stdin:
        f = line.split()
        if len(f) != 3 or f[0] != "hot-pcs:":
            continue
        if f[1] == "total":
            total = int(f[2])
            continue
        pc, n = int(f[1], 16), int(f[2])
        i = bisect.bisect_right(starts, pc) - 1
        name = "[generated code]"
        if i >= 0 and pc < syms[i][0] + max(syms[i][1], 1):
            name = syms[i][2]
        per[name] = per.get(name, 0) + n
    total = total or sum(per.values()) or 1
    for name, n in sorted(per.items(), key=lambda x: -x[1])[:top]:
        print("%12d  %5.1f%%  %s" % (n, 100.0 * n / total, name))


main()
