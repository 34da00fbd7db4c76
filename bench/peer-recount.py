#!/usr/bin/env python3
"""bench/peer-recount.py: the peer table of bench/peer.sh for new hamt86
binaries, against the peer counts of an earlier bench/peer.sh run.

usage: bench/peer-recount.py OLD.tsv LOGDIR [NULL]

OLD.tsv is a bench/peer.sh result (bench/results/peer-*.tsv: peer and
hamt86 host-instruction counts per kernel, gross).  LOGDIR holds
bench/count.sh outputs named KERNEL.HOST.log (HOST mips64el or
loongarch64), run as bench/peer.sh runs hamt86:
    bench/count.sh qemu-HOST BUILD/HOST/hamt86 --backend=jit --mmu=hamt \\
        -m 128 --kernel BUILD/bench/KERNEL.elf > LOGDIR/KERNEL.HOST.log 2>&1
Every count is net of the NULL kernel's (default fp_null) on the same
engine.  Prints a markdown table: per host the old and new hamt86 counts,
the change, and peer / hamt86 before and after, with their geometric means
(the peer's counts are OLD.tsv's for both, so before and after share them).
A log without a "range-insns: total" line is "missing"; the result lines
are not checked here (bench/peer.sh does that).
"""
import math
import re
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tsv, logdir = sys.argv[1], sys.argv[2]
    null = sys.argv[3] if len(sys.argv) > 3 else 'fp_null'
    rows = {}
    with open(tsv) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        for line in f:
            v = line.rstrip('\n').split('\t')
            rows[v[0]] = dict(zip(hdr, v))

    def new(k, h):
        try:
            s = open(f'{logdir}/{k}.{h}.log', errors='replace').read()
        except OSError:
            return None
        m = re.search(r'range-insns: total (\d+)', s)
        return int(m.group(1)) if m else None

    hosts = [h for h in ('mips64el', 'loongarch64') if f'{h}-jit' in hdr]
    kernels = [k for k in rows if k != null]
    print('| kernel | guest insns | peer host insns | ' +
          ' | '.join(f'{h} before | after | change | **x peer before** | **x peer after**'
                     for h in hosts) + ' |')
    print('| --- | ---: | ---: | ' + ' | '.join('---: | ---: | ---: | ---: | ---:' for _ in hosts) + ' |')
    logs = {h: ([], []) for h in hosts}
    z = rows[null]
    for k in kernels:
        r = rows[k]
        if 'FAIL' in (r['peer'], z['peer']):
            continue
        p = int(r['peer']) - int(z['peer'])
        cells = [k, f"{(int(r['guest_insns']) - int(z['guest_insns'])) / 1e6:.1f} M", str(p)]
        for h in hosts:
            b = int(r[f'{h}-jit']) - int(z[f'{h}-jit'])
            logs[h][0].append(math.log(p / b))
            n, nz = new(k, h), new(null, h)
            if n is None or nz is None:
                cells += [str(b), 'missing', '', f'**{p / b:.2f}**', '-']
                continue
            a = n - nz
            logs[h][1].append(math.log(p / a))
            cells += [str(b), str(a), f'{100 * (a - b) / b:+.1f}%', f'**{p / b:.2f}**',
                      f'**{p / a:.2f}**']
        print('| ' + ' | '.join(cells) + ' |')
    g = ['**geomean**', '', '']
    for h in hosts:
        b, a = logs[h]
        g += ['', '', '', f'**{math.exp(sum(b) / len(b)):.2f}** ({len(b)})',
              f'**{math.exp(sum(a) / len(a)):.2f}** ({len(a)})' if a else '-']
    print('| ' + ' | '.join(g) + ' |')


main()
