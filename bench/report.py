#!/usr/bin/env python3
"""bench/report.py: tables (markdown) and an SVG bar chart from bench/run.sh's TSV.

usage: report.py --tsv FILE [--md OUT.md] [--svg OUT.svg] [--title T] [--command C]
                 [--counts COUNTS.tsv]

Medians over the repetitions of every (kernel, engine, mode).  Guest
instruction counts come from the interpreter engines' exact counter; they
must agree between all interpreter runs of a kernel (else exit status 1).
--counts adds the exact host-instruction table of bench/run.sh's counted
runs (TCG plugin bench/plugin/range-insns.c).
No dependencies beyond the standard library.
"""
import argparse
import collections
import statistics
import sys


def num(s):
    try:
        return float(s.rstrip('%'))
    except (ValueError, AttributeError):
        return None


def fmt_s(x):
    return '-' if x is None else ('%.3f' % x if x < 10 else '%.2f' % x)


def fmt_f(x, d=1):
    return '-' if x is None else '%.*f' % (d, x)


def counts_table(path, rows, insns):
    """Markdown lines of the counted runs: host instructions per guest
    instruction, per guest memory access and per HAMT fill."""
    with open(path) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        crows = [dict(zip(hdr, line.rstrip('\n').split('\t'))) for line in f]
    if not crows:
        return []
    # guest memory accesses: the kernel's own "accesses=" line, else the
    # interpreter's softmmu TLB lookups (every guest data access)
    acc = {}
    for r in rows:
        k = r['kernel']
        if num(r.get('accesses')):
            acc[k] = num(r['accesses'])
        elif k not in acc and num(r.get('data_accesses')):
            acc[k] = num(r['data_accesses'])

    def per(x, y, d=1):
        return fmt_f(x / y, d) if x is not None and y else '-'

    out = ['Exact counts: one more run per workload, engine and mmu under '
           'qemu-user with the TCG plugin bench/plugin/range-insns.c (same '
           'options, without --stats, which adds TLB hit counters to softmmu code). '
           'Host insns = every instruction of the '
           'emulator process; gen = the share in generated code (the rest is its '
           'C code); per guest insn: over the interpreter\'s exact guest '
           'instruction count; per access: over the guest memory accesses (the '
           'kernel\'s "accesses=" line, else the interpreter\'s softmmu TLB '
           'lookups); per fill: over --stats\' HAMT fills. **The counts miss '
           'host-kernel work** (SIGSEGV delivery for HAMT faults, the mmap of a '
           'fill): host faults (--stats) and host system calls (plugin) are '
           'given beside them.', '',
           '| workload | engine | mmu | host insns | gen | per guest insn | per access '
           '| per fill | host ld+st per guest insn | host faults | fills | syscalls |',
           '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for c in crows:
        t = num(c['host_insns'])
        n = insns.get(c['kernel'])
        fills = num(c['fills'])
        mem = (num(c['host_loads']) or 0) + (num(c['host_stores']) or 0)
        out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            c['kernel'], c['engine'], c['mode'], c['host_insns'],
            '%.1f%%' % (100 * num(c['gen_insns']) / t) if t else '-',
            per(t, n), per(t, acc.get(c['kernel'])),
            per(t, fills, 0) if c['mode'].startswith('hamt') else '-',
            per(mem, n, 2), c['host_faults'], c['fills'], c['host_syscalls']))
    out.append('')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tsv', required=True)
    ap.add_argument('--md')
    ap.add_argument('--svg')
    ap.add_argument('--title', default='hamt86 benchmarks')
    ap.add_argument('--command', default='')
    ap.add_argument('--counts')
    a = ap.parse_args()

    rows = []
    with open(a.tsv) as f:
        hdr = f.readline().rstrip('\n').split('\t')
        for line in f:
            rows.append(dict(zip(hdr, line.rstrip('\n').split('\t'))))
    if not rows:
        sys.exit('report: no runs in ' + a.tsv)

    kernels, engines, modes = [], [], []
    for r in rows:
        for lst, key in ((kernels, 'kernel'), (engines, 'engine'), (modes, 'mode')):
            if r[key] not in lst:
                lst.append(r[key])

    runs = collections.defaultdict(list)
    for r in rows:
        runs[(r['kernel'], r['engine'], r['mode'])].append(r)

    # exact instruction counts (interp engines), cross-checked
    insns = {}
    bad = False
    for k in kernels:
        counts = {}
        for r in rows:
            if r['kernel'] == k and r['insns'] not in ('-', '', '0'):
                counts.setdefault(int(r['insns']), []).append(r['engine'] + '/' + r['mode'])
        if len(counts) > 1:
            print('report: FATAL: %s: interpreter instruction counts differ: %s'
                  % (k, counts), file=sys.stderr)
            bad = True
        insns[k] = next(iter(counts)) if counts else None

    med = {}
    failed = set()
    for key, rs in runs.items():
        if any(r['seconds'] == 'FAIL' for r in rs):
            failed.add(key)     # crashed or wrong checksum: no timing
            continue
        ts = [float(r['seconds']) for r in rs]
        med[key] = (statistics.median(ts), min(ts), max(ts), rs[-1])

    out = ['# ' + a.title, '']
    if a.command:
        out += ['Command: `%s`' % a.command, '']
    reps = max(len(v) for v in runs.values())
    out += ['Median of %d interleaved runs (rep > kernel > engine > mode); wall time of the '
            'whole emulator process (startup, translation, run). Guest MIPS = exact '
            'guest instructions (interpreter counter) / median wall time. Every run\'s '
            'checksum equalled qemu-system-i386\'s, except runs marked FAIL.' % reps, '']

    # --- table 1: every engine x mode
    out += ['| workload | guest insns | engine | mmu | median s | min..max s | guest MIPS '
            '| TBs | chains | host B/insn | ns/access | TLB hit |',
            '|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for k in kernels:
        for e in engines:
            for m in modes:
                if (k, e, m) in failed:
                    out.append('| %s | - | %s | %s | **FAIL** (crash or wrong checksum) '
                               '| | | | | | | |' % (k, e, m))
                    continue
                if (k, e, m) not in med:
                    continue
                t, lo, hi, last = med[(k, e, m)]
                n = insns.get(k)
                mips = n / t / 1e6 if n else None
                acc = num(last['accesses'])
                nspa = t * 1e9 / acc if acc else None
                out.append('| %s | %s | %s | %s | %s | %s..%s | %s | %s | %s | %s | %s | %s |' % (
                    k, '%.1fM' % (n / 1e6) if n else '-', e, m, fmt_s(t), fmt_s(lo), fmt_s(hi),
                    fmt_f(mips), last['tbs'], last['chains'], last['bytes_per_insn'],
                    fmt_f(nspa), last['tlb_hit']))
    out.append('')

    # --- table 2: ratios
    hosts = []
    for e in engines:
        h = e.rsplit('-', 1)[0]
        if h not in hosts:
            hosts.append(h)
    ratio_cols = []
    for h in hosts:
        for m in modes:
            if any((k, h + '-jit', m) in med and (k, h + '-interp', m) in med for k in kernels):
                ratio_cols.append(('JIT speedup %s %s (interp s / jit s)' % (h, m),
                                   (h + '-interp', m), (h + '-jit', m)))
    base = 'softmmu' if 'softmmu' in modes else modes[0]
    for e in engines:
        for m in modes:
            if m != base and any((k, e, base) in med and (k, e, m) in med for k in kernels):
                ratio_cols.append(('%s: %s s / %s s' % (e, base, m), (e, base), (e, m)))
    if ratio_cols:
        out += ['Ratios of median wall times (> 1: the second is faster):', '',
                '| workload | ' + ' | '.join(c[0] for c in ratio_cols) + ' |',
                '|---|' + '---:|' * len(ratio_cols)]
        for k in kernels:
            cells = []
            for _, (e1, m1), (e2, m2) in ratio_cols:
                if (k, e1, m1) in med and (k, e2, m2) in med:
                    cells.append('%.2f' % (med[(k, e1, m1)][0] / med[(k, e2, m2)][0]))
                else:
                    cells.append('-')
            out.append('| %s | %s |' % (k, ' | '.join(cells)))
        # geometric means
        cells = []
        for _, (e1, m1), (e2, m2) in ratio_cols:
            rs = [med[(k, e1, m1)][0] / med[(k, e2, m2)][0] for k in kernels
                  if (k, e1, m1) in med and (k, e2, m2) in med]
            cells.append('%.2f' % statistics.geometric_mean(rs) if rs else '-')
        out.append('| **geomean** | %s |' % ' | '.join(cells))
        out.append('')

    if a.counts:
        out += counts_table(a.counts, rows, insns)

    text = '\n'.join(out)
    print(text)
    if a.md:
        with open(a.md, 'w') as f:
            f.write(text)
    if a.svg:
        write_svg(a.svg, a.title, kernels, engines, modes, med, insns)
    sys.exit(1 if bad else 0)


def write_svg(path, title, kernels, engines, modes, med, insns):
    """Grouped bars: guest MIPS per workload, one bar per engine x mmu."""
    series = [(e, m) for e in engines for m in modes
              if any((k, e, m) in med for k in kernels)]
    vals = {}
    for k in kernels:
        for s in series:
            if (k, *s) in med and insns.get(k):
                vals[(k, s)] = insns[k] / med[(k, *s)][0] / 1e6
    vmax = max(vals.values(), default=1.0) or 1.0
    colors = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948',
              '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']
    bw, gap, left, top, h = 16, 24, 60, 40, 260
    gw = bw * len(series) + gap
    width = left + gw * len(kernels) + 20 + 220
    height = top + h + 60
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="11">' % (width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14">%s: guest MIPS (higher is better)</text>'
         % (left, title)]
    for i in range(5):
        v = vmax * i / 4
        y = top + h - h * i / 4
        o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                 % (left, left + gw * len(kernels), y, y))
        o.append('<text x="%d" y="%.1f" text-anchor="end">%.0f</text>' % (left - 4, y + 4, v))
    for ki, k in enumerate(kernels):
        x0 = left + ki * gw + gap / 2
        for si, s in enumerate(series):
            v = vals.get((k, s))
            if v is None:
                continue
            bh = h * v / vmax
            o.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s">'
                     '<title>%s %s %s: %.1f MIPS</title></rect>'
                     % (x0 + si * bw, top + h - bh, bw - 2, bh, colors[si % len(colors)],
                        k, s[0], s[1], v))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                 % (x0 + bw * len(series) / 2, top + h + 16, k))
    lx = left + gw * len(kernels) + 20
    for si, s in enumerate(series):
        y = top + si * 16
        o.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                 % (lx, y, colors[si % len(colors)]))
        o.append('<text x="%d" y="%d">%s %s</text>' % (lx + 14, y + 9, s[0], s[1]))
    o.append('</svg>')
    with open(path, 'w') as f:
        f.write('\n'.join(o) + '\n')


if __name__ == '__main__':
    main()
