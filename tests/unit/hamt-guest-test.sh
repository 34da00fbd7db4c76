#!/usr/bin/env bash
# tests/unit/hamt-guest-test.sh: HAMT features that need a guest kernel.
#
# usage: tests/unit/hamt-guest-test.sh [EMULATOR CMD] [GUEST DIR]
#   e.g. tests/unit/hamt-guest-test.sh build/native/hamt86
#        tests/unit/hamt-guest-test.sh "qemu-mips64el build/mips64el/hamt86"
#   GUEST DIR defaults to build/guest (make guest).
# Checks:
#   - --list-mmu: hamt first (the default), softmmu, the hamt16k pseudo-mode;
#   - --watch under hamt and hamt16k logs exactly the softmmu's watchpoint
#     lines (watched pages are never mapped in a window), and some at all;
#   - --cosim --mmu=hamt runs pg_user to DONE with TBs compared and no
#     divergence, and --cosim-inject makes it report one (the check bites);
#   - pg_split's crossing stores never reach the host MMU (--stats);
#   - the adaptive fill policy: with --hamt-adapt=off the stress kernels
#     (pgstress, pg_hamtstress: CR3 switches, INVLPG, remapping) run with
#     every site a host access (no site patched or retranslated) and print
#     what the softmmu prints; with the default policy a JIT host retranslates
#     churning sites of pg_hamtstress (refill storms) and prints the same;
#   - cached guest contexts: pg_ctx (edits of inactive contexts' page
#     tables) prints what the softmmu prints with --hamt-contexts=1 and 8
#     (every site a host access), switches to cached contexts, sees
#     page-table writes, never faults in another context's window, and
#     needs fewer fills with 8 contexts than with 1; without host address
#     space for more windows it falls back to one context (native);
#   - recycled contexts keep global mappings (pg_ctxglobal: 12 CR3s).
# Prints ok/not ok lines; exit status 1 on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EMU=${1:-$ROOT/build/native/hamt86}
G=${2:-$ROOT/build/guest}
fail=0
t() { if [ "$1" = 0 ]; then echo "ok $2"; else echo "not ok $2"; fail=1; fi; }

modes=$($EMU --list-mmu | tr '\n' ' ')
[ "$modes" = "hamt softmmu hamt16k " ]; t $? "list-mmu order: $modes"

# watchpoints: paging.elf counts n_pass at 0x113000 (nm: 'b n_pass')
W=0x$(nm "$G/paging.elf" | awk '$3 == "n_pass" {print $1}')
ref=$($EMU -m 64 --mmu=softmmu --watch "$W:4" --kernel "$G/paging.elf" 2>&1 >/dev/null | grep 'watchpoint:')
n=$(printf '%s\n' "$ref" | grep -c 'watchpoint:')
[ "$n" -gt 10 ]; t $? "softmmu logs watchpoint hits ($n)"
for m in hamt hamt16k; do
    out=$($EMU -m 64 --mmu=$m --watch "$W:4" --kernel "$G/paging.elf" 2>&1 >/dev/null | grep 'watchpoint:')
    [ "$out" = "$ref" ]; t $? "--watch under $m logs the same $n hits"
done

# cosim with hamt
out=$($EMU -m 64 --mmu=hamt --cosim --stats --kernel "$G/pg_user.elf" 2>&1)
cmp=$(printf '%s\n' "$out" | awk '/cosim TBs compared/ {print $NF}')
printf '%s\n' "$out" | grep -q '^DONE pg_user passed=[0-9]* failed=0' &&
    ! printf '%s\n' "$out" | grep -q 'divergence' && [ "${cmp:-0}" -gt 1000 ]
t $? "--cosim --mmu=hamt: pg_user passes, ${cmp:-0} TBs compared, no divergence"
out=$($EMU -m 64 --mmu=hamt --cosim-inject=200 --kernel "$G/pg_user.elf" 2>&1)
printf '%s\n' "$out" | grep -q 'cosim: divergence'
t $? "--cosim-inject under hamt reports a divergence"
# crossing stores (pg_split: 12 cases x 80 rounds into a faulting page) must
# never reach the host MMU as a guest #PF: the lowering sends them to the
# slow path first (LoongArch), or the host raises SIGBUS (MIPS), or the
# interpreter splits them; a host that wrote part of such a store before
# faulting would count one host #PF fault per round
for m in hamt hamt16k; do
    out=$($EMU -m 64 --mmu=$m --stats --kernel "$G/pg_split.elf" 2>&1)
    npf=$(printf '%s\n' "$out" | awk '/fault: guest #PF/ {print $NF}')
    printf '%s\n' "$out" | grep -q '^DONE pg_split passed=[0-9]* failed=0' &&
        [ -n "$npf" ] && [ "$npf" -lt 80 ]
    t $? "pg_split under $m: crossing stores fault before the host access (host #PF faults: ${npf:-none})"
done

# adaptive fill policy (stat STATS NAME: the counter's value)
stat() { printf '%s\n' "$1" | awk -v n="$2" 'index($0, "  " n " ") == 1 {print $NF}'; }
filt() { printf '%s\n' "$1" | grep -E '^(PASS|FAIL|INFO|DONE)'; }
for k in pgstress pg_hamtstress; do
    ref=$(filt "$($EMU -m 64 --mmu=softmmu --kernel "$G/$k.elf" 2>/dev/null)")
    out=$($EMU -m 64 --mmu=hamt --hamt-adapt=off --stats --kernel "$G/$k.elf" 2>&1)
    p=$(stat "$out" "sites patched to slow")
    r=$(stat "$out" "retranslations")
    f=$(stat "$out" "host faults")
    [ "$(filt "$out")" = "$ref" ] && printf '%s\n' "$ref" | grep -q "^DONE $k passed=[0-9]* failed=0" &&
        [ "$p" = 0 ] && [ "$r" = 0 ] && [ "${f:-0}" -gt 100 ]
    t $? "--hamt-adapt=off: $k as under softmmu, ${f:-no} host faults, patched ${p:-?}, retranslated ${r:-?}"
done
# cached guest contexts
ref=$(filt "$($EMU -m 64 --mmu=softmmu --kernel "$G/pg_ctx.elf" 2>/dev/null)")
o1=$($EMU -m 64 --mmu=hamt --hamt-adapt=off --hamt-contexts=1 --stats --kernel "$G/pg_ctx.elf" 2>&1)
o8=$($EMU -m 64 --mmu=hamt --hamt-adapt=off --stats --kernel "$G/pg_ctx.elf" 2>&1)
printf '%s\n' "$ref" | grep -q "^DONE pg_ctx passed=[0-9]* failed=0" &&
    [ "$(filt "$o1")" = "$ref" ] && [ "$(filt "$o8")" = "$ref" ]
t $? "pg_ctx with 1 and 8 cached contexts (--hamt-adapt=off) as under softmmu"
f1=$(stat "$o1" "fills")
f8=$(stat "$o8" "fills")
sw=$(stat "$o8" "ctx: switches to a cached one")
pw=$(stat "$o8" "pt: frames written")
pd=$(stat "$o8" "pt: mappings dropped")
oc=$(stat "$o8" "fault: other context")
[ "${sw:-0}" -gt 100 ] && [ "${pw:-0}" -gt 0 ] && [ "${pd:-0}" -gt 0 ] && [ "$oc" = 0 ] &&
    [ "$(stat "$o1" "ctx: switches to a cached one")" = 0 ]
t $? "pg_ctx: ${sw:-no} switches to cached contexts, ${pw:-no} page-table frames written, ${pd:-no} mappings dropped, ${oc:-?} faults in another context"
[ "${f8:-0}" -gt 0 ] && [ "${f8:-0}" -lt "${f1:-0}" ]
t $? "pg_ctx: cached contexts save refills (fills ${f8:-?} with 8, ${f1:-?} with 1)"
# recycled contexts keep global mappings: pg_ctxglobal (12 CR3s sharing
# global pages) prints what the softmmu prints and keeps some
gref=$(filt "$($EMU -m 64 --mmu=softmmu --kernel "$G/pg_ctxglobal.elf" 2>/dev/null)")
og=$($EMU -m 64 --mmu=hamt --stats --kernel "$G/pg_ctxglobal.elf" 2>&1)
gk=$(stat "$og" "ctx: global mappings kept (recycled)")
printf '%s\n' "$gref" | grep -q "^DONE pg_ctxglobal passed=[0-9]* failed=0" &&
    [ "$(filt "$og")" = "$gref" ] && [ "${gk:-0}" -gt 0 ]
t $? "pg_ctxglobal: recycled contexts keep ${gk:-no} global mappings, output as under softmmu"
# no host address space for more windows (native only: qemu-user has its
# own).  Each context's window is 4 GiB; the process itself takes well under
# 1 GiB (more or less with the build, so neither limit sits near a boundary):
# 6 GiB hold one context only (falls back to one), 13 GiB two or three (caches
# fewer than the default 8).
case $EMU in
qemu-*) echo "ok pg_ctx without address space for 8 contexts # skip: qemu-user" ;;
*)
    ol=$( (ulimit -v $((6 * 1024 * 1024)) && $EMU -m 64 --mmu=hamt --kernel "$G/pg_ctx.elf") 2>&1)
    [ "$(filt "$ol")" = "$ref" ] && printf '%s\n' "$ol" | grep -q 'one context from now on'
    t $? "pg_ctx with address space for one context only: falls back to one, output as under softmmu"
    ol=$( (ulimit -v $((13 * 1024 * 1024)) && $EMU -m 64 --mmu=hamt --kernel "$G/pg_ctx.elf") 2>&1)
    n=$(printf '%s\n' "$ol" | sed -n 's/^hamt: no host address space for the windows of context [0-9]*: caching \([0-9]*\) contexts$/\1/p' | tail -1)
    [ "$(filt "$ol")" = "$ref" ] && [ "${n:-0}" -ge 2 ] && [ "${n:-0}" -lt 8 ] &&
        ! printf '%s\n' "$ol" | grep -q 'one context from now on'
    t $? "pg_ctx with address space for a few contexts: caches ${n:-?} (fewer than 8, more than 1), output as under softmmu"
    ;;
esac

out=$($EMU -m 64 --mmu=hamt --stats --kernel "$G/pg_hamtstress.elf" 2>&1)
if printf '%s\n' "$out" | grep -q 'statistics (interp backend'; then
    echo "ok adaptive policy: # skip: the interpreter has no JIT sites to retranslate"
else
    c=$(stat "$out" "sites retranslated (churn)")
    [ "$(filt "$out")" = "$(filt "$($EMU -m 64 --mmu=softmmu --kernel "$G/pg_hamtstress.elf" 2>/dev/null)")" ] &&
        [ "${c:-0}" -gt 0 ]
    t $? "adaptive policy: pg_hamtstress retranslates ${c:-no} churning sites, output as under softmmu"
fi
exit $fail
