#!/usr/bin/env python3
"""tests/layering/check-deps.py: the folder rules of docs/ARCHITECTURE.md
("Who includes whom"), checked on the sources.

  check-deps.py [ROOT]       check the tree at ROOT (default: this repo)
  check-deps.py --self-test  plant one violation of each rule in a copy of
                             the tree and require that each one is caught

Rules (source folders only; tests/, bench/ and cross/ may reach anywhere):
  1. includes: a folder includes its own headers, core/ and ir/, plus the
     edges of EXTRA below; ir/ and fpu/ include only core/ (and
     themselves); no *-internal.h outside its folder; frontend/ (the
     composition root: front ends name every MemPath, backend and device)
     includes any folder's public headers.
  2. no weak symbols: `__attribute__((weak))` or `#pragma weak`, anywhere
     in the tree (tests included).
  3. no switch on a memory-path or backend kind outside core/: MEM_KIND_*,
     BACKEND_KIND_*, `mem_path->kind`, `backend->kind`.  (A bare `kind ==`
     is not the criterion: IR temps, x86 operands, x80 values and OS faults
     have kinds of their own.)
  4. no file existence as a feature flag: `__has_include` in C, `fs.exists`
     in a meson.build.
  5. no compile-time debug switch: `#ifdef DEBUG_*` / `#ifndef DEBUG_*` /
     `#define DEBUG_X ...` (every trace is a run-time -d item).
Prints one line per violation, then "N passed, N failed" (one check per
rule); exit status 1 if any failed.
"""
import os
import re
import shutil
import sys
import tempfile

SRC_DIRS = ['core', 'ir', 'translator', 'host-common', 'host-interp',
            'host-mips', 'host-loongarch', 'hamt', 'softmmu-fallback', 'hw',
            'os', 'fpu', 'frontend']
ALWAYS = {'core', 'ir'}
# folder -> {included folder or header path: why}
EXTRA = {
    'ir': {},
    'fpu': {},
    'translator': {'fpu': 'the x87 helpers use the soft-float library'},
    'host-mips': {'host-common': 'the shared instruction selector'},
    'host-loongarch': {'host-common': 'the shared instruction selector'},
    'host-common': {
        'host-mips/mips-target.h': 'host-target.h: the target of this build',
        'host-loongarch/la-target.h': 'host-target.h: the target of this build',
    },
    # os/bm/ only (see SUBDIR): the bare-metal HAMT driver's OS side
    'os/bm': {'hamt/hamt-tlb.h': 'the TLB entry encoders of its mapper',
              'hamt/hamt.h': 'the HamtDriver it installs',
              # the one reach into HAMT's internals, on purpose: the
              # refill lookup is inline in the board's refill handler (as
              # a call it costs 24 more host instructions per refill on
              # MIPS: 306 against the 300 budget of issue 15; measured
              # 2026-12-07, docs/BENCH.md); it reads the table only
              'hamt/hamt-tlb-refill.h': 'the inline TLB-refill lookup'},
}
SUBDIR = ['os/bm']   # folders with edges of their own (EXTRA[sub])
ONLY = {'ir': {'core', 'ir'}, 'fpu': {'core', 'fpu'}}
SKIP_PARTS = {'build', '.git'}

INC_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
WEAK_RE = re.compile(r'__attribute__\s*\(\(\s*(__)?weak(__)?\b|#\s*pragma\s+weak\b')
KIND_RE = re.compile(r'\bMEM_KIND_|\bBACKEND_KIND_|mem_path\s*->\s*kind\b|'
                     r'backend\s*->\s*kind\b')
HAS_INC_RE = re.compile(r'__has_include')
FS_EXISTS_RE = re.compile(r'\bfs\.exists\s*\(')
DEBUG_RE = re.compile(r'^\s*#\s*(ifn?def\s+DEBUG_\w+|if\s+defined\s*\(?\s*DEBUG_\w+|'
                      r'define\s+DEBUG_\w+(\s|$)|if\s+\w*DEBUG)')
C_EXT = ('.c', '.h', '.def', '.inc')
THIS = os.path.relpath(os.path.abspath(__file__),
                       os.path.dirname(os.path.dirname(os.path.dirname(
                           os.path.abspath(__file__)))))


def files(root):
    """Tracked-looking source files under root (relative paths)."""
    for d, dirs, fs in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_PARTS and
                   not x.startswith('build')]
        for f in fs:
            if f.endswith(C_EXT) or f == 'meson.build':
                yield os.path.relpath(os.path.join(d, f), root)


def allowed(folder, inc, rel=''):
    """Whether a file of folder (at rel) may include inc ("dir/file.h")."""
    parts = inc.split('/')
    if len(parts) < 2:
        return True                        # same-directory include
    top = parts[0]
    if folder == 'frontend':
        return not inc.endswith('-internal.h') or top == 'frontend'
    if top == folder:
        return True
    if inc.endswith('-internal.h'):
        return False
    if folder in ONLY:
        return top in ONLY[folder]
    if top in ALWAYS:
        return True
    extra = dict(EXTRA.get(folder, {}))
    for sub_ in SUBDIR:
        if rel.startswith(sub_ + '/'):
            extra.update(EXTRA[sub_])
    return top in extra or inc in extra


def check(root):
    bad = {1: [], 2: [], 3: [], 4: [], 5: []}
    for rel in sorted(files(root)):
        if rel == THIS:
            continue
        top = rel.split('/')[0]
        try:
            text = open(os.path.join(root, rel), encoding='utf-8',
                        errors='replace').read()
        except OSError:
            continue
        for n, line in enumerate(text.split('\n'), 1):
            where = '%s:%d: ' % (rel, n)
            if rel.endswith('meson.build'):
                if FS_EXISTS_RE.search(line):
                    bad[4].append(where + 'fs.exists as a feature flag')
                continue
            m = INC_RE.match(line)
            if m and top in SRC_DIRS and not allowed(top, m.group(1), rel):
                bad[1].append(where + 'includes "%s" (not an allowed edge of %s/)'
                              % (m.group(1), top))
            if WEAK_RE.search(line):
                bad[2].append(where + 'weak symbol')
            if top in SRC_DIRS and top != 'core' and KIND_RE.search(line):
                bad[3].append(where + 'switch on a path/backend kind')
            if HAS_INC_RE.search(line):
                bad[4].append(where + '__has_include as a feature flag')
            if top in SRC_DIRS and DEBUG_RE.match(line):
                bad[5].append(where + 'compile-time DEBUG_ switch '
                              '(use a -d item)')
    return bad


def report(bad):
    names = {1: 'includes', 2: 'weak symbols', 3: 'kind switches',
             4: '__has_include', 5: 'DEBUG_ switches'}
    for k in sorted(bad):
        for v in bad[k]:
            print('check-deps: %s: %s' % (names[k], v))
    failed = sum(1 for k in bad if bad[k])
    print('%d passed, %d failed' % (len(bad) - failed, failed))
    return failed


def self_test(root):
    """Each planted violation must fail its rule, and only that rule."""
    plants = [
        (1, 'hamt/zz-plant.c', '#include "softmmu-fallback/softmmu.h"\n'),
        (1, 'core/zz-plant.c', '#include "translator/decode.h"\n'),
        (1, 'host-mips/zz-plant.c', '#include "hamt/hamt-internal.h"\n'),
        (1, 'ir/zz-plant.c', '#include "translator/cc.h"\n'),
        (1, 'os/zz-plant.c', '#include "hamt/hamt.h"\n'),
        (2, 'translator/zz-plant.c', 'extern int x __attribute__((weak));\n'),
        (2, 'tests/zz-plant.c', '#pragma weak foo\n'),
        (3, 'host-loongarch/zz-plant.c', 'if (mem_path->kind == 1) {}\n'),
        (4, 'frontend/zz-plant.c', '#if __has_include("core/cosim.h")\n#endif\n'),
        (4, 'hw/meson.build', "if fs.exists('zz.c')\nendif\n"),
        (5, 'hamt/zz-plant.c', '#ifndef DEBUG_HAMT\n#define DEBUG_HAMT 0\n#endif\n'),
        (5, 'core/zz-plant.c', '#define DEBUG_CORE HAMT86_TRACES\n'),
    ]
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, 'tree')
        for rel in files(root):
            os.makedirs(os.path.dirname(os.path.join(copy, rel)), exist_ok=True)
            shutil.copy(os.path.join(root, rel), os.path.join(copy, rel))
        base = check(copy)
        if any(base.values()):
            print('self-test: the tree itself fails; fix that first')
            return 1
        for rule, path, text in plants:
            p = os.path.join(copy, path)
            saved = open(p).read() if os.path.exists(p) else None
            with open(p, 'a' if saved is not None else 'w') as f:
                f.write(text)
            got = check(copy)
            if saved is None:
                os.remove(p)
            else:
                with open(p, 'w') as f:
                    f.write(saved)
            hit = [k for k in got if got[k]]
            ok = hit == [rule]
            print('self-test: %-28s rule %d %s' % (path, rule,
                  'caught' if ok else 'NOT caught (got rules %s)' % hit))
            fails += not ok
    print('%d passed, %d failed' % (len(plants) - fails, fails))
    return fails


def main():
    here = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    args = sys.argv[1:]
    if args and args[0] == '--self-test':
        sys.exit(1 if self_test(args[1] if len(args) > 1 else here) else 0)
    sys.exit(1 if report(check(args[0] if args else here)) else 0)


if __name__ == '__main__':
    main()
