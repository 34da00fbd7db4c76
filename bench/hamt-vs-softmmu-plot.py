#!/usr/bin/env python3
"""bench/hamt-vs-softmmu-plot.py TSV SVG EMU SCALE: the markdown table (stdout)
and a grouped bar chart (SVG, no external dependencies) of the speed-up of
--mmu=hamt over --mmu=softmmu per kernel, cold and warm."""
import math
import sys


def load(path):
    rows = {}
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            rows.setdefault(r["kernel"], {})[r["mode"]] = r
    return rows


def num(s):
    try:
        v = float(s)
        return v if math.isfinite(v) else None
    except ValueError:
        return None


def ratio(soft, hamt):
    if soft is None or hamt is None or hamt <= 0:
        return None
    return soft / hamt


def geomean(vals):
    vals = [v for v in vals if v and v > 0]  # noise can make a warm time negative
    return math.exp(sum(math.log(v) for v in vals) / len(vals)) if vals else None


# The memory-bound mix of the system-architecture issue (the HAMT target is
# its warm geomean); mem_ctxsw (cached contexts) is reported besides it.
MIX = ("mem_linear", "mem_random", "mem_chase", "mem_fork", "mem_syscall")


def fmt(v, spec="%.2f"):
    return "n/a" if v is None else spec % v


def counts_table(rows, scale):
    """The exact-count table (hamt-vs-softmmu.sh -c count/both), or []."""
    if not any(num(m.get("host_insns", "nan")) for ms in rows.values() for m in ms.values()):
        return []
    out = ["", "Exact counts (TCG plugin bench/plugin/range-insns.c in the qemu-user "
           "that runs the emulator; one run per kernel, mode and scale). cold = "
           "BM_SCALE=1; warm = (N(BM_SCALE=%s) - N(1)) / %d. Per guest insn and per "
           "guest access: warm host instructions over warm guest instructions / "
           "guest data accesses (the interpreter's --stats: guest insns executed, "
           "softmmu TLB fast-path hits + misses). gen = share of the warm host "
           "instructions in generated code (the rest is C). C per fill: cold C "
           "instructions / HAMT fills (an upper bound of a fill's C cost). "
           "x = softmmu warm host insns / hamt warm host insns." % (scale, int(scale) - 1),
           "",
           "**The counts miss host-kernel work**: the delivery of each host fault "
           "(SIGSEGV) and the mmap/mprotect behind a fill run in the kernel, not "
           "in the process; the host faults (--stats) and system calls (plugin, "
           "cold run) are given beside the counts for that reason.", "",
           "| kernel | mode | host insns cold | host insns warm | per guest insn | "
           "per guest access | host ld+st per access | gen | C per fill | host faults | "
           "syscalls | x |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def div(a, b, spec="%.1f"):
        a, b = num(a), num(b)
        return fmt(a / b if a is not None and b else None, spec)

    for k, ms in rows.items():
        sw = num(ms.get("softmmu", {}).get("host_insns_warm", "nan"))
        for mode in ("softmmu", "hamt"):
            m = ms.get(mode)
            if not m:
                continue
            hw = m.get("host_insns_warm", "nan")
            ldst = None
            if num(m.get("host_loads_warm", "nan")) is not None and num(m.get("host_stores_warm", "nan")) is not None:
                ldst = str(num(m["host_loads_warm"]) + num(m["host_stores_warm"]))
            gen = div(m.get("gen_insns_warm", "nan"), hw, "%.3f")
            gen = "n/a" if gen == "n/a" else "%.1f%%" % (100 * float(gen))
            perfill = div(m.get("c_insns", "nan"), m.get("fills", "nan"), "%.0f") if mode == "hamt" else ""
            x = fmt(ratio(sw, num(hw))) if mode == "hamt" else ""
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                k, mode, m.get("host_insns", "n/a"), hw,
                div(hw, m.get("guest_insns_warm", "nan")),
                div(hw, m.get("guest_accesses_warm", "nan")),
                div(ldst or "nan", m.get("guest_accesses_warm", "nan")),
                gen, perfill, m.get("host_faults", "") if mode == "hamt" else "-",
                m.get("host_syscalls", "n/a"), x))
    return out


def main():
    tsv, svg, emu, scale = sys.argv[1:5]
    runs = sys.argv[5] if len(sys.argv) > 5 else "1"
    rows = load(tsv)
    out = ["# --mmu=hamt vs --mmu=softmmu, memory-bound kernels (bench/mem)", "",
           "Produced by `bench/hamt-vs-softmmu.sh` (emulator: `%s`, `-m 128`)." % emu,
           "Times are CPU seconds (user + sys) of the emulator process, the minimum of %s runs per kernel, mode and scale (both modes interleaved). " % runs +
           ("cold = the BM_SCALE=1 run (start-up and first touch "
           "included); warm = (T(BM_SCALE=%s) - T(1)) / %d, the steady state. "
           "Counters: an extra untimed --stats run at BM_SCALE=1 (timed runs omit --stats: it enables the softmmu TLB hit counters)." % (scale, int(scale) - 1)), "",
           "| kernel | softmmu cold s | hamt cold s | cold x | softmmu warm s | "
           "hamt warm s | warm x | hamt host faults | fills | fallbacks | "
           "evictions | syscalls | retranslations | of them churn | softmmu TLB fills |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
           "---: | ---: | ---: | ---: | ---: |"]
    bars = []
    for k, m in rows.items():
        s, h = m.get("softmmu", {}), m.get("hamt", {})
        sc, hc = num(s.get("cold_s", "")), num(h.get("cold_s", ""))
        sw, hw = num(s.get("warm_s", "")), num(h.get("warm_s", ""))
        rc, rw = ratio(sc, hc), ratio(sw, hw)
        bars.append((k, rc, rw))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            k, fmt(sc), fmt(hc), fmt(rc), fmt(sw), fmt(hw), fmt(rw),
            h.get("host_faults", ""), h.get("fills", ""), h.get("fallbacks", ""),
            h.get("evictions", ""), h.get("syscalls", ""),
            h.get("retranslations", ""), h.get("churn_sites", ""),
            s.get("tlb_fills", "")))
    mix = [b for b in bars if b[0] in MIX]
    if mix and len(mix) != len(bars):
        gc, gw = geomean([b[1] for b in mix]), geomean([b[2] for b in mix])
        out.append("| **geomean, mix** (%s) | | | **%s** | | | **%s** | | | | | | | | |"
                   % (", ".join(b[0] for b in mix), fmt(gc), fmt(gw)))
    gc, gw = geomean([b[1] for b in bars]), geomean([b[2] for b in bars])
    out.append("| **geomean, all** | | | **%s** | | | **%s** | | | | | | | | |" % (fmt(gc), fmt(gw)))
    out += counts_table(rows, scale)
    print("\n".join(out))

    # SVG: speed-up bars, cold and warm, with the 1x and 1.6x lines
    w, h, left, bottom, top = 640, 320, 50, 40, 30
    vmax = max([v for b in bars for v in b[1:] if v] + [2.0]) * 1.1
    ph = h - bottom - top
    gw_ = (w - left - 20) / max(len(bars), 1)
    y = lambda v: top + ph - ph * v / vmax
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'font-family="sans-serif" font-size="11">' % (w, h),
             '<text x="%d" y="16" font-size="13">hamt speed-up over softmmu '
             '(softmmu time / hamt time)</text>' % left]
    for v, col in ((1.0, "#888"), (1.6, "#c33")):
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" '
                     'stroke-dasharray="4 3"/>' % (left, w - 10, y(v), y(v), col))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%.1fx</text>'
                     % (left - 4, y(v) + 4, v))
    for i, (k, rc, rw) in enumerate(bars):
        x0 = left + i * gw_ + gw_ * 0.15
        bw = gw_ * 0.33
        for j, (v, col) in enumerate(((rc, "#7aa6d8"), (rw, "#1f5fa8"))):
            if v is None:
                continue
            parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                         'fill="%s"/>' % (x0 + j * bw, y(v), bw, top + ph - y(v), col))
            parts.append('<text x="%.1f" y="%.1f" text-anchor="middle">%.2f</text>'
                         % (x0 + j * bw + bw / 2, y(v) - 3, v))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                     % (x0 + bw, h - bottom + 16, k))
    parts.append('<rect x="%d" y="%d" width="10" height="10" fill="#7aa6d8"/>'
                 '<text x="%d" y="%d">cold</text>' % (w - 130, h - 14, w - 116, h - 5))
    parts.append('<rect x="%d" y="%d" width="10" height="10" fill="#1f5fa8"/>'
                 '<text x="%d" y="%d">warm</text>' % (w - 70, h - 14, w - 56, h - 5))
    parts.append("</svg>")
    with open(svg, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
