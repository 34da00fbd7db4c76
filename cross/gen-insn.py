#!/usr/bin/env python3
#
# hamt86 - host instruction table compiler (MIPS64r2 and LoongArch64).
#
# Reads an instruction table (host-mips/mips-insn.def or
# host-loongarch/la-insn.def) and writes one C header with:
#   - pure, range-checked encoders      <p>_enc_<insn>(operands) -> uint32_t
#   - emitters into a HostAsm buffer     <p>_<insn>(HostAsm *s, operands)
#   - field patch helpers                <p>_patch_<insn>() / <p>_patch_field_<f>()
#   - opcode constants                   <P>_OPC_<INSN> (enum <P>Opc, 0: none)
#     and one format emitter per operand shape, <p>_emit_<shape>(s, opc, ...)
#     with shape a string of r (register) and i (immediate) in assembler
#     order, so that instruction-selection tables can be data (opcode
#     pairs, as LuaJIT's asm_bitop(as, ir, MIPSI_AND, MIPSI_ANDI))
#   - (under #ifdef <P>_INSN_WANT_DISAS) the disassembler match table and a
#     per-row formatter used by host-*/<p>-disas.c
# and optionally a round-trip test include for tests/encoder/.
#
# Usage:
#   gen-insn.py mips|loongarch TABLE.def OUT.h [OUT-test.inc]
#   (OUT.h may be '-' to write only the test include)
#
# Table syntax (one instruction per line, '#' starts a comment):
#   isa NAME                          mips | loongarch
#   field NAME WIDTH KIND PRINT [shift=N]
#       KIND  : reg (unsigned register number), u (unsigned), s (signed)
#       PRINT : reg hex dec mbr mj26 lsimm lsbr
#   NAME | ENCODING | SYNTAX [; CLAUSE]...
#       ENCODING: tokens from bit 31 down to bit 0; a binary literal, a field
#                 name (whole field) or name[hi:lo] (a slice of its value).
#       SYNTAX  : the operand text exactly as objdump prints it; identifiers
#                 that name fields or declared operands are operands, in
#                 assembler order (this is the emitter's argument order).
#       CLAUSE  :
#                 range OP LO HI PRINT   operand that is not itself a field
#                 set FIELD EXPR         field computed from operands
#                 get OP EXPR            operand recomputed from fields (disas)
#                 check EXPR             extra constraint on the operands
#                 dis NAME               mnemonic objdump prints
#                 disonly / emitonly     row used only by one side
#   EXPR is a C (and Python) expression over + - ( ) and comparisons.

import re
import sys

ISA_INFO = {
    'mips': {'prefix': 'mips', 'guard': 'MIPS', 'regfmt': '$%u'},
    'loongarch': {'prefix': 'la', 'guard': 'LA', 'regfmt': '$r%u'},
}

KINDS = ('reg', 'u', 's')
PRINTS = ('reg', 'hex', 'dec', 'mbr', 'mj26', 'lsimm', 'lsbr')


class GenError(Exception):
    pass


class Field:
    def __init__(self, name, width, kind, prt, shift):
        self.name, self.width, self.kind, self.prt, self.shift = \
            name, width, kind, prt, shift

    def lo(self):
        return -(1 << (self.width - 1)) if self.kind == 's' else 0

    def hi(self):
        if self.kind == 's':
            return (1 << (self.width - 1)) - 1
        return (1 << self.width) - 1


class Operand:
    """One assembler operand: a field, or a declared pseudo-operand."""

    def __init__(self, name, lo, hi, prt, signed, field=None):
        self.name, self.lo, self.hi, self.prt = name, lo, hi, prt
        self.signed, self.field = signed, field

    def ctype(self):
        if self.field is not None and self.field.kind == 'reg':
            return 'unsigned'
        return 'int32_t' if self.signed else 'uint32_t'


class Row:
    def __init__(self, lineno, name):
        self.lineno, self.name = lineno, name
        self.slices = []        # (field, value_hi, value_lo, insn_pos)
        self.mask = 0
        self.match = 0
        self.syntax = ''
        self.operands = []      # Operand, assembler order
        self.sets = {}          # field name -> expr
        self.gets = {}          # operand name -> expr
        self.checks = []
        self.disname = name
        self.disonly = False
        self.emitonly = False
        self.fields = []        # fields used, in encoding order

    def cname(self):
        return self.name.replace('.', '_')


def err(lineno, msg):
    raise GenError('line %d: %s' % (lineno, msg))


IDENT = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')


def parse(path):
    isa = None
    fields = {}
    rows = []
    with open(path) as f:
        lines = f.readlines()
    for lineno, line in enumerate(lines, 1):
        line = line.split('#', 1)[0].strip() if not line.lstrip().startswith('#') \
            else ''
        if not line:
            continue
        if '|' not in line:
            w = line.split()
            if w[0] == 'isa':
                isa = w[1]
                if isa not in ISA_INFO:
                    err(lineno, 'unknown isa %s' % isa)
            elif w[0] == 'field':
                if len(w) < 5:
                    err(lineno, 'field NAME WIDTH KIND PRINT [shift=N]')
                shift = 0
                for extra in w[5:]:
                    if extra.startswith('shift='):
                        shift = int(extra[6:])
                    else:
                        err(lineno, 'bad field option %s' % extra)
                if w[3] not in KINDS or w[4] not in PRINTS:
                    err(lineno, 'bad field kind/print')
                fields[w[1]] = Field(w[1], int(w[2]), w[3], w[4], shift)
            else:
                err(lineno, 'unknown directive %s' % w[0])
            continue
        rows.append(parse_row(lineno, line, fields))
    if isa is None:
        raise GenError('%s: no isa line' % path)
    check_rows(rows)
    return isa, fields, rows


def parse_row(lineno, line, fields):
    cols = [c.strip() for c in line.split('|', 2)]
    if len(cols) != 3:
        err(lineno, 'expected NAME | ENCODING | SYNTAX [; CLAUSE...]')
    syn_cl = cols[2].split(';', 1)
    cols[2] = syn_cl[0].strip()
    cols.append(syn_cl[1] if len(syn_cl) > 1 else '')
    row = Row(lineno, cols[0])
    # --- encoding ---------------------------------------------------------
    pos = 32
    covered = {}
    for tok in cols[1].split():
        if re.fullmatch(r'[01]+', tok):
            n = len(tok)
            pos -= n
            row.mask |= ((1 << n) - 1) << pos
            row.match |= int(tok, 2) << pos
            continue
        m = re.fullmatch(r'([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+):(\d+)\])?', tok)
        if not m or m.group(1) not in fields:
            err(lineno, 'bad encoding token %s' % tok)
        fld = fields[m.group(1)]
        if m.group(2) is not None:
            vhi, vlo = int(m.group(2)), int(m.group(3))
        else:
            vhi, vlo = fld.width - 1, 0
        n = vhi - vlo + 1
        pos -= n
        row.slices.append((fld, vhi, vlo, pos))
        if fld not in row.fields:
            row.fields.append(fld)
        bits = covered.setdefault(fld.name, set())
        for b in range(vlo, vhi + 1):
            if b in bits:
                err(lineno, 'field %s bit %d twice' % (fld.name, b))
            bits.add(b)
    if pos != 0:
        err(lineno, 'encoding is %d bits, not 32' % (32 - pos))
    for fld in row.fields:
        if covered[fld.name] != set(range(fld.width)):
            err(lineno, 'field %s not fully encoded' % fld.name)
    # --- clauses ----------------------------------------------------------
    ranges = {}
    for cl in [c.strip() for c in cols[3].split(';') if c.strip()]:
        w = cl.split(None, 1)
        key, rest = w[0], (w[1] if len(w) > 1 else '')
        if key == 'range':
            r = rest.split()
            if len(r) != 4 or r[3] not in PRINTS:
                err(lineno, 'range OP LO HI PRINT')
            ranges[r[0]] = (int(r[1], 0), int(r[2], 0), r[3])
        elif key == 'set':
            fn, expr = rest.split(None, 1)
            row.sets[fn] = expr
        elif key == 'get':
            on, expr = rest.split(None, 1)
            row.gets[on] = expr
        elif key == 'check':
            row.checks.append(rest)
        elif key == 'dis':
            row.disname = rest.strip()
        elif key == 'disonly':
            row.disonly = True
        elif key == 'emitonly':
            row.emitonly = True
        else:
            err(lineno, 'unknown clause %s' % key)
    # --- syntax / operands ------------------------------------------------
    row.syntax = cols[2]
    fnames = {f.name for f in row.fields}
    for m in IDENT.finditer(row.syntax):
        nm = m.group(0)
        if m.start() > 0 and row.syntax[m.start() - 1] == '$':
            continue            # literal register such as $r0
        if nm in ranges:
            lo, hi, prt = ranges[nm]
            fld = fields.get(nm) if nm in fnames else None
            row.operands.append(Operand(nm, lo, hi, prt, lo < 0, fld))
        elif nm in fnames:
            fld = fields[nm]
            row.operands.append(Operand(nm, fld.lo(), fld.hi(), fld.prt,
                                        fld.kind == 's', fld))
        else:
            err(lineno, 'syntax names unknown operand %s' % nm)
    onames = [o.name for o in row.operands]
    if len(set(onames)) != len(onames):
        err(lineno, 'operand named twice')
    for fld in row.fields:
        if fld.name not in onames and fld.name not in row.sets:
            err(lineno, 'field %s is neither an operand nor set' % fld.name)
    for o in row.operands:
        if o.field is None and o.name not in row.gets and not row.emitonly:
            err(lineno, 'operand %s needs a get clause' % o.name)
    return row


def check_rows(rows):
    seen = {}
    for r in rows:
        if not r.disonly:
            if r.cname() in seen:
                err(r.lineno, 'emitter %s defined twice' % r.name)
            seen[r.cname()] = r
    dis = [r for r in rows if not r.emitonly]
    for i, a in enumerate(dis):
        for b in dis[i + 1:]:
            if a.mask == b.mask and a.match == b.match:
                err(b.lineno, 'same mask/match as line %d' % a.lineno)


# --------------------------------------------------------------------------
# Python model: encode / decode / format (used for the test expectations)

def py_eval(expr, env):
    return int(eval(expr, {'__builtins__': {}}, dict(env)))


def py_encode(row, args):
    env = dict(zip([o.name for o in row.operands], args))
    for o in row.operands:
        if not (o.lo <= env[o.name] <= o.hi):
            return None
    for c in row.checks:
        if not py_eval(c, env):
            return None
    word = row.match
    for fld, vhi, vlo, pos in row.slices:
        v = env[fld.name] if fld.name in env and fld.name not in row.sets \
            else py_eval(row.sets[fld.name], env)
        if not (fld.lo() <= v <= fld.hi()):
            return None
        v &= (1 << fld.width) - 1
        word |= ((v >> vlo) & ((1 << (vhi - vlo + 1)) - 1)) << pos
    return word


def py_fields(row, word):
    vals = {}
    for fld in row.fields:
        vals[fld.name] = 0
    for fld, vhi, vlo, pos in row.slices:
        n = vhi - vlo + 1
        vals[fld.name] |= ((word >> pos) & ((1 << n) - 1)) << vlo
    for fld in row.fields:
        if fld.kind == 's' and vals[fld.name] >> (fld.width - 1):
            vals[fld.name] -= 1 << fld.width
    return vals


def py_fmt_operand(isa, prt, val, fld, pc):
    if prt == 'reg':
        return ISA_INFO[isa]['regfmt'] % val
    if prt == 'hex':
        return '0x%x' % (val & 0xffffffff)
    if prt == 'dec':
        return '%d' % val
    if prt == 'mbr':
        return '0x%x' % ((pc + 4 + (val << 2)) & 0xffffffffffffffff)
    if prt == 'mj26':
        return '0x%x' % (((pc + 4) & ~0x0fffffff & 0xffffffffffffffff)
                         | (val << 2))
    if prt in ('lsimm', 'lsbr'):
        sh = fld.shift if fld else 0
        imm = val << sh
        uimm = (val & ((1 << fld.width) - 1)) << sh if fld else val
        s = '%d' % imm if imm == 0 else '%d(0x%x)' % (imm, uimm & 0xffffffff)
        if prt == 'lsbr':
            s += '\t# 0x%x' % ((pc + imm) & 0xffffffffffffffff)
        return s
    raise GenError('print %s' % prt)


def py_text(isa, row, opvals, pc):
    out = []
    last = 0
    idx = 0
    for m in IDENT.finditer(row.syntax):
        if m.start() > 0 and row.syntax[m.start() - 1] == '$':
            continue
        o = row.operands[idx]
        idx += 1
        out.append(row.syntax[last:m.start()])
        out.append(py_fmt_operand(isa, o.prt, opvals[o.name], o.field, pc))
        last = m.end()
    out.append(row.syntax[last:])
    ops = ''.join(out)
    return mnem(isa, row.disname, ops)


def mnem(isa, name, ops):
    if isa == 'loongarch':
        return '%-12s' % name + ('\t' + ops if ops else '')
    return name + ('\t' + ops if ops else '')


def dis_rows(rows):
    d = [r for r in rows if not r.emitonly]
    return sorted(d, key=lambda r: -bin(r.mask).count('1'))


def py_disas(isa, rows, word, pc):
    for r in dis_rows(rows):
        if (word & r.mask) == r.match:
            fv = py_fields(r, word)
            ov = {}
            for o in r.operands:
                if o.field is not None:
                    ov[o.name] = fv[o.name]
                else:
                    ov[o.name] = py_eval(r.gets[o.name], fv) & 0xffffffff \
                        if not o.signed else py_eval(r.gets[o.name], fv)
            return r, py_text(isa, r, ov, pc)
    if isa == 'mips':
        return None, '.word\t0x%08x' % word
    return None, '0x%08x' % word


# --------------------------------------------------------------------------
# C generation

def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') \
        .replace('\t', '\\t').replace('%', '%%') + '"'


def c_lit(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') \
        .replace('\t', '\\t') + '"'


def range_check(row, o, indent='    '):
    nm = o.name
    if o.ctype() in ('unsigned', 'uint32_t'):
        if o.lo > 0:
            cond = '%s < %d || %s > %d' % (nm, o.lo, nm, o.hi)
        else:
            cond = '%s > %d' % (nm, o.hi)
        val = '(long long)%s' % nm
    else:
        cond = '%s < %d || %s > %d' % (nm, o.lo, nm, o.hi)
        val = '(long long)%s' % nm
    return ('%sif (unlikely(%s)) {\n%s    hostasm_range_error("%s", "%s", %s);\n'
            '%s}\n') % (indent, cond, indent, row.name, nm, val, indent)


def enc_expr(row, varof):
    parts = ['0x%08xu' % row.match]
    for fld, vhi, vlo, pos in row.slices:
        n = vhi - vlo + 1
        v = '(uint32_t)%s' % varof(fld.name)
        if vlo:
            v = '(%s >> %d)' % (v, vlo)
        v = '(%s & 0x%xu)' % (v, (1 << n) - 1)
        if pos:
            v = '(%s << %d)' % (v, pos)
        parts.append(v)
    return ' |\n           '.join(parts)


def gen_encoder(isa, row):
    p = ISA_INFO[isa]['prefix']
    args = ', '.join('%s %s' % (o.ctype(), o.name) for o in row.operands) \
        or 'void'
    out = []
    out.append('/* Encode %s %s (range-checked). */\n' % (row.name, row.syntax))
    out.append('static inline uint32_t %s_enc_%s(%s)\n{\n'
               % (p, row.cname(), args))
    for o in row.operands:
        out.append(range_check(row, o))
    for c in row.checks:
        out.append('    if (unlikely(!(%s))) {\n'
                   '        hostasm_range_error("%s", %s, 0);\n    }\n'
                   % (c, row.name, c_lit(c)))
    onames = {o.name for o in row.operands}
    for fn, expr in row.sets.items():
        fld = [f for f in row.fields if f.name == fn][0]
        t = 'int32_t' if fld.kind == 's' else 'uint32_t'
        out.append('    %s f_%s = (%s)(%s);\n' % (t, fn, t, expr))
        if fn not in onames:
            out.append('    if (unlikely(f_%s < %d || f_%s > %d)) {\n'
                       '        hostasm_range_error("%s", "%s", '
                       '(long long)f_%s);\n    }\n'
                       % (fn, fld.lo(), fn, fld.hi(), row.name, fn, fn)
                       if fld.kind == 's' else
                       '    if (unlikely(f_%s > %d)) {\n'
                       '        hostasm_range_error("%s", "%s", '
                       '(long long)f_%s);\n    }\n'
                       % (fn, fld.hi(), row.name, fn, fn))
    out.append('    return %s;\n}\n\n' % enc_expr(
        row, lambda n: ('f_' + n) if n in row.sets else n))
    out.append('/* Emit %s. */\n' % row.name)
    out.append('static inline void %s_%s(HostAsm *s%s)\n{\n'
               '    hostasm_put32(s, %s_enc_%s(%s));\n}\n\n'
               % (p, row.cname(),
                  ''.join(', %s %s' % (o.ctype(), o.name)
                          for o in row.operands),
                  p, row.cname(), ', '.join(o.name for o in row.operands)))
    return ''.join(out)


def field_clear_mask(row, fld):
    m = 0
    for f, vhi, vlo, pos in row.slices:
        if f is fld:
            m |= ((1 << (vhi - vlo + 1)) - 1) << pos
    return m


def patchable(row):
    """The single non-register plain operand field of a row, if any."""
    if row.disonly or row.sets:
        return None
    cand = [o for o in row.operands
            if o.field is not None and o.field.kind != 'reg']
    if len(cand) != 1:
        return None
    return cand[0]


def gen_patch(isa, row, o, name):
    p = ISA_INFO[isa]['prefix']
    fld = o.field
    out = ['/* Patch the %s field of a %s in place. */\n' % (fld.name, row.name),
           'static inline void %s_patch_%s(uint32_t *insn, %s %s)\n{\n'
           % (p, name, o.ctype(), o.name)]
    out.append(range_check(row, o))
    tmp = Row(0, row.name)
    tmp.slices = [s for s in row.slices if s[0] is fld]
    expr = enc_expr(tmp, lambda n: n).replace('0x00000000u |\n           ', '')
    out.append('    *insn = (*insn & ~0x%08xu) |\n           %s;\n}\n\n'
               % (field_clear_mask(row, fld), expr))
    return ''.join(out)


def c_operand_fmt(isa, o):
    """(format text, [C args]) printing operand o held in variable o.name."""
    v = 'v_' + o.name
    prt = o.prt
    if prt == 'reg':
        return ISA_INFO[isa]['regfmt'], ['(unsigned)%s' % v]
    if prt == 'hex':
        return '0x%x', ['(unsigned)%s' % v]
    if prt == 'dec':
        return '%d', ['(int)%s' % v]
    if prt == 'mbr':
        return '0x%llx', ['(unsigned long long)(pc + 4 + ((int64_t)%s << 2))'
                          % v]
    if prt == 'mj26':
        return '0x%llx', ['(unsigned long long)(((pc + 4) & ~(uint64_t)'
                          '0x0fffffff) | ((uint64_t)%s << 2))' % v]
    raise GenError('c print %s' % prt)


def gen_disas(isa, rows):
    p = ISA_INFO[isa]['prefix']
    G = ISA_INFO[isa]['guard']
    drows = dis_rows(rows)
    out = []
    out.append('#if defined(%s_INSN_WANT_DISAS) && !defined(%s_INSN_DISAS_DONE)\n'
               '#define %s_INSN_DISAS_DONE\n#include "core/libc.h"\n\n' % (G, G, G))
    out.append('/* Disassembler match table, most specific encodings first. */\n'
               'static const struct {\n    uint32_t mask, match;\n'
               '} %s_disas_table[] = {\n' % p)
    for r in drows:
        out.append('    { 0x%08xu, 0x%08xu },  /* %s */\n'
                   % (r.mask, r.match, r.name))
    out.append('};\n\n')
    out.append('/* Format row idx of %s_disas_table for insn at pc. */\n'
               'static int %s_disas_row(unsigned idx, uint32_t insn, uint64_t pc,\n'
               '                        char *buf, size_t size)\n{\n'
               '    (void)insn;\n    (void)pc;\n    switch (idx) {\n' % (p, p))
    for i, r in enumerate(drows):
        out.append('    case %d: {  /* %s */\n' % (i, r.name))
        for fld in r.fields:
            t = 'int32_t' if fld.kind == 's' else 'uint32_t'
            parts = []
            for f, vhi, vlo, pos in r.slices:
                if f is fld:
                    n = vhi - vlo + 1
                    e = '((insn >> %d) & 0x%xu)' % (pos, (1 << n) - 1)
                    if vlo:
                        e = '(%s << %d)' % (e, vlo)
                    parts.append(e)
            e = ' | '.join(parts)
            if fld.kind == 's':
                e = '(int32_t)((%s) ^ 0x%xu) - 0x%x' % (
                    e, 1 << (fld.width - 1), 1 << (fld.width - 1))
            out.append('        %s %s = %s;\n' % (t, fld.name, e))
        # operand variables
        for o in r.operands:
            t = 'int32_t' if o.signed else 'uint32_t'
            src = o.name if o.field is not None else '(%s)' % r.gets[o.name]
            out.append('        %s v_%s = (%s)%s;\n' % (t, o.name, t, src))
        for fld in r.fields:
            out.append('        (void)%s;\n' % fld.name)
        # build format
        fmt = []
        cargs = []
        last = 0
        idx = 0
        syn = r.syntax
        tail = ''
        tail_args = []
        for m in IDENT.finditer(syn):
            if m.start() > 0 and syn[m.start() - 1] == '$':
                continue
            o = r.operands[idx]
            idx += 1
            fmt.append(syn[last:m.start()].replace('%', '%%'))
            if o.prt in ('lsimm', 'lsbr'):
                sh = o.field.shift if o.field else 0
                mask = (1 << o.field.width) - 1
                fmt.append('%s')
                cargs.append('o_%s' % o.name)
                out.append('        char o_%s[48];\n'
                           '        int64_t imm_%s = (int64_t)v_%s * %d;\n'
                           '        if (imm_%s == 0) {\n'
                           '            h_snprintf(o_%s, sizeof(o_%s), "0");\n'
                           '        } else {\n'
                           '            h_snprintf(o_%s, sizeof(o_%s), "%%lld(0x%%x)",\n'
                           '                       (long long)imm_%s,\n'
                           '                       (unsigned)(((uint32_t)v_%s & 0x%xu) << %d));\n'
                           '        }\n'
                           % (o.name, o.name, o.name, 1 << sh, o.name,
                              o.name, o.name, o.name, o.name, o.name,
                              o.name, mask, sh))
                if o.prt == 'lsbr':
                    tail = '\t# 0x%llx'
                    tail_args.append('(unsigned long long)(pc + (uint64_t)imm_%s)'
                                     % o.name)
            else:
                f, a = c_operand_fmt(isa, o)
                fmt.append(f)
                cargs.extend(a)
            last = m.end()
        fmt.append(syn[last:].replace('%', '%%'))
        ops = ''.join(fmt)
        if tail:
            ops += tail
            cargs += tail_args
        if isa == 'loongarch':
            name = '%-12s' % r.disname
        else:
            name = r.disname
        fmtstr = c_lit(name).rstrip('"') + \
            (('\\t' + c_lit(ops)[1:-1]) if ops else '') + '"'
        out.append('        return h_snprintf(buf, size, %s%s);\n    }\n'
                   % (fmtstr, ''.join(', ' + a for a in cargs)))
    out.append('    default:\n        return -1;\n    }\n}\n\n')
    out.append('#endif /* %s_INSN_WANT_DISAS */\n' % G)
    return ''.join(out)



def shape(row):
    """Operand shape of an emitter row: 'r'/'i' per operand, assembler order."""
    return ''.join('r' if o.field is not None and o.field.kind == 'reg'
                   else 'i' for o in row.operands)


# Shapes that get a format emitter (the ones instruction selection uses).
SHAPES = ('rr', 'rrr', 'rri', 'rir', 'rrii')


def opc_name(isa, row):
    return '%s_OPC_%s' % (ISA_INFO[isa]['guard'], row.cname().upper())


def gen_opcodes(isa, rows):
    """enum <P>Opc (one constant per emitter row) and the format emitters."""
    p = ISA_INFO[isa]['prefix']
    G = ISA_INFO[isa]['guard']
    erows = [r for r in rows if not r.disonly]
    out = ['/* Opcode constants: one per emitter row, 0 is "no instruction". */\n'
           'typedef enum %sOpc {\n    %s_OPC_NONE = 0,\n' % (G.capitalize(), G)]
    for r in erows:
        out.append('    %s,\n' % opc_name(isa, r))
    out.append('    %s_OPC_NB\n} %sOpc;\n\n' % (G, G.capitalize()))
    for sh in SHAPES:
        if not any(shape(r) == sh for r in erows):
            continue            # no instruction of that shape in this ISA
        args = []
        for k, c in enumerate(sh):
            args.append(('unsigned r%d' if c == 'r' else 'int32_t i%d') % k)
        names = [('r%d' if c == 'r' else 'i%d') % k for k, c in enumerate(sh)]
        out.append('/* Emit opc, an instruction of operand shape %s (assembler\n'
                   ' * order); a range error for an opcode of another shape. */\n'
                   'static inline void %s_emit_%s(HostAsm *s, unsigned opc, %s)\n'
                   '{\n    switch (opc) {\n' % (sh, p, sh, ', '.join(args)))
        for r in erows:
            if shape(r) != sh:
                continue
            cargs = []
            for o, n in zip(r.operands, names):
                cargs.append(n if n[0] == 'r' else '(%s)%s' % (o.ctype(), n))
            out.append('    case %s:\n        %s_%s(s, %s);\n        return;\n'
                       % (opc_name(isa, r), p, r.cname(), ', '.join(cargs)))
        out.append('    default:\n        hostasm_range_error("%s_emit_%s", '
                   '"opc", (long long)opc);\n    }\n}\n\n' % (p, sh))
    return ''.join(out)


def gen_header(isa, rows, src):
    p = ISA_INFO[isa]['prefix']
    G = ISA_INFO[isa]['guard']
    out = ['/*\n * Generated by cross/gen-insn.py from %s: do not edit.\n *\n'
           ' * Range-checked encoders (%s_enc_*), HostAsm emitters (%s_*),\n'
           ' * field patchers (%s_patch_*); define %s_INSN_WANT_DISAS before\n'
           ' * including to also get the disassembler table.\n */\n'
           % (src, p, p, p, G),
           '#ifndef HAMT86_%s_INSN_H\n#define HAMT86_%s_INSN_H\n\n'
           '#include "core/hostasm.h"\n\n' % (G, G)]
    for r in rows:
        if not r.disonly:
            out.append(gen_encoder(isa, r))
    # per-row patchers
    for r in rows:
        o = patchable(r)
        if o is not None:
            out.append(gen_patch(isa, r, o, r.cname()))
    # generic per-field patchers: from the first row that uses each field
    done = set()
    for r in rows:
        o = patchable(r)
        if o is not None and o.field.name not in done:
            done.add(o.field.name)
            out.append(gen_patch(isa, r, o, 'field_' + o.field.name))
    out.append(gen_opcodes(isa, rows))
    out.append('#endif /* HAMT86_%s_INSN_H */\n\n' % G)
    out.append(gen_disas(isa, rows))
    return ''.join(out)


# --------------------------------------------------------------------------
# Round-trip test generation

def candidates(o):
    lo, hi = o.lo, o.hi
    if o.field is not None and o.field.kind == 'reg' and lo == 0 and hi == 31:
        return [0, 31, 1, 17, 2, 30, 5]
    c = [lo, hi]
    if lo < 0:
        c += [0, -1, 1, lo + 1, hi - 1, hi // 2 + 3 if hi > 8 else 1]
    else:
        c += [(lo + hi) // 2, lo + 1, hi - 1, (lo + hi) // 3]
    res = []
    for v in c:
        if lo <= v <= hi and v not in res:
            res.append(v)
    return res


def test_tuples(row):
    ops = row.operands
    if not ops:
        return [()]
    cands = [candidates(o) for o in ops]
    n = max(len(c) for c in cands)
    out = []
    for shift in range(0, 8):
        for i in range(n):
            t = tuple(c[(i + j * shift) % len(c)] for j, c in enumerate(cands))
            if t not in out and py_encode(row, t) is not None:
                out.append(t)
        if len(out) >= n:
            break
    # make sure every extreme of every operand appears
    for j, c in enumerate(cands):
        for v in c[:2]:
            if not any(t[j] == v for t in out):
                for t0 in list(out) or [tuple(cc[0] for cc in cands)]:
                    t = t0[:j] + (v,) + t0[j + 1:]
                    if py_encode(row, t) is not None:
                        out.append(t)
                        break
                else:
                    # search any valid tuple with this value
                    import itertools
                    for t in itertools.product(*[cc if k != j else [v]
                                                 for k, cc in enumerate(cands)]):
                        if py_encode(row, t) is not None:
                            out.append(t)
                            break
    # each register operand once as register 0 with the others non-zero
    # (objdump turns some of these into aliases even with no-aliases)
    for j, o in enumerate(ops):
        if o.field is not None and o.field.kind == 'reg':
            t = tuple(0 if k == j else cands[k][min(2, len(cands[k]) - 1)]
                      for k in range(len(ops)))
            if t not in out and py_encode(row, t) is not None:
                out.append(t)
    if not out:
        raise GenError('line %d: no valid test operands' % row.lineno)
    return out


def bad_values(o):
    vals = []
    if o.ctype() in ('unsigned', 'uint32_t'):
        vals.append(o.hi + 1)
        if o.lo > 0:
            vals.append(o.lo - 1)
        vals.append(0xffffffff)
    else:
        vals += [o.lo - 1, o.hi + 1]
    return [v for v in vals if not (o.lo <= v <= o.hi)]


def c_val(o, v):
    if o.ctype() in ('unsigned', 'uint32_t'):
        return '%du' % v if v < 0x80000000 else '0x%xu' % v
    if v == -(1 << 31):
        return '(-2147483647 - 1)'
    return '%d' % v


def gen_test(isa, rows):
    p = ISA_INFO[isa]['prefix']
    calls = []      # (c call, expect text, emitter name)
    pc = 0
    for r in rows:
        if r.disonly:
            continue
        for t in test_tuples(r):
            word = py_encode(r, t)
            drow, dtext = py_disas(isa, rows, word, pc)
            if drow is r or (drow is not None and drow.disname == r.disname
                             and drow.syntax == r.syntax
                             and not r.emitonly and not r.gets):
                text = py_text(isa, r, dict(zip([o.name for o in r.operands],
                                                t)), pc)
                if text != dtext and not r.emitonly:
                    raise GenError('line %d: %s formats as %r but decodes as %r'
                                   % (r.lineno, r.name, text, dtext))
            else:
                text = dtext
            args = ', '.join(c_val(o, v) for o, v in zip(r.operands, t))
            calls.append((r, args, text, word))
            pc += 4
    out = ['/* Generated by cross/gen-insn.py: round-trip test data. */\n',
           '#define TEST_ISA "%s"\n' % isa,
           '#define TEST_COUNT %d\n\n' % len(calls)]
    out.append('static const char *const test_expect[TEST_COUNT] = {\n')
    for r, a, text, w in calls:
        out.append('    %s,\n' % c_lit(text))
    out.append('};\n\nstatic const uint32_t test_word[TEST_COUNT] = {\n')
    for r, a, text, w in calls:
        out.append('    0x%08xu,  /* %s */\n' % (w, r.name))
    out.append('};\n\nstatic const char *const test_name[TEST_COUNT] = {\n')
    for r, a, text, w in calls:
        out.append('    "%s(%s)",\n' % (r.name, a))
    out.append('};\n\n/* Emit every test instruction through the emitters. */\n'
               'static void test_emit(HostAsm *s)\n{\n')
    for r, a, text, w in calls:
        out.append('    %s_%s(s%s);\n' % (p, r.cname(), ', ' + a if a else ''))
    out.append('}\n\n/* Pure encoders must agree with the emitted words. */\n'
               'static int test_enc(void)\n{\n    int bad = 0;\n    int i = 0;\n')
    for r, a, text, w in calls:
        out.append('    bad += %s_enc_%s(%s) != test_word[i++];\n'
                   % (p, r.cname(), a))
    out.append('    return bad;\n}\n\n')
    # range errors
    out.append('/* Every out-of-range operand must be refused. */\n'
               'static int test_ranges(void)\n{\n    volatile int bad = 0;\n')
    nrange = 0
    for r in rows:
        if r.disonly:
            continue
        good = test_tuples(r)[0]
        for j, o in enumerate(r.operands):
            for v in bad_values(o):
                t = list(good)
                t[j] = v
                args = ', '.join(c_val(oo, vv) for oo, vv in zip(r.operands, t))
                out.append('    EXPECT_RANGE_ERROR(%s_enc_%s(%s), "%s");\n'
                           % (p, r.cname(), args, r.name))
                nrange += 1
        # constraint violations
        if r.checks:
            import itertools
            cands = [candidates(o) for o in r.operands]
            for t in itertools.product(*cands):
                env = dict(zip([o.name for o in r.operands], t))
                if not all(py_eval(c, env) for c in r.checks):
                    args = ', '.join(c_val(oo, vv)
                                     for oo, vv in zip(r.operands, t))
                    out.append('    EXPECT_RANGE_ERROR(%s_enc_%s(%s), '
                               '"%s");\n' % (p, r.cname(), args, r.name))
                    nrange += 1
                    break
    out.append('    return bad;\n}\n#define TEST_RANGE_COUNT %d\n\n' % nrange)
    # patchers
    out.append('/* Patch helpers must produce the encoder\'s word. */\n'
               'static int test_patch(void)\n{\n    volatile int bad = 0;\n    uint32_t w;\n')
    npatch = 0
    for r in rows:
        o = patchable(r)
        if o is None:
            continue
        j = r.operands.index(o)
        tuples = test_tuples(r)
        base = list(tuples[0])
        for v in candidates(o)[:3]:
            t = list(base)
            t[j] = v
            if py_encode(r, t) is None:
                continue
            zero = list(base)
            zero[j] = 0 if o.lo <= 0 <= o.hi else o.lo
            a0 = ', '.join(c_val(oo, vv) for oo, vv in zip(r.operands, zero))
            a1 = ', '.join(c_val(oo, vv) for oo, vv in zip(r.operands, t))
            for nm in (r.cname(), 'field_' + o.field.name):
                out.append('    w = %s_enc_%s(%s);\n    %s_patch_%s(&w, %s);\n'
                           '    bad += w != %s_enc_%s(%s);\n'
                           % (p, r.cname(), a0, p, nm, c_val(o, v),
                              p, r.cname(), a1))
                npatch += 1
        bad = bad_values(o)
        if bad:
            out.append('    w = 0;\n    EXPECT_RANGE_ERROR(%s_patch_%s(&w, %s), "%s");\n'
                       % (p, r.cname(), c_val(o, bad[0]), r.name))
    out.append('    return bad;\n}\n#define TEST_PATCH_COUNT %d\n\n' % npatch)
    out.append('/* Disassemble with our own disassembler. */\n'
               '#define TEST_DISAS %s_disas_one\n' % p)
    return ''.join(out)


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write('usage: gen-insn.py mips|loongarch TABLE.def OUT.h '
                         '[OUT-test.inc]\n')
        return 2
    want, src, outh = argv[1], argv[2], argv[3]
    try:
        isa, fields, rows = parse(src)
        if isa != want:
            raise GenError('%s is for isa %s, not %s' % (src, isa, want))
        hdr = gen_header(isa, rows, src)
        test = gen_test(isa, rows) if len(argv) == 5 else None
    except GenError as e:
        sys.stderr.write('gen-insn.py: %s: %s\n' % (src, e))
        return 1
    if outh != '-':
        with open(outh, 'w') as f:
            f.write(hdr)
    if test is not None:
        with open(argv[4], 'w') as f:
            f.write(test)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
