#!/usr/bin/env bash
# bench/bm-fill-cost.sh: host instructions per HAMT fill on the bare-metal
# builds, counted exactly by a TCG plugin (bench/plugin/range-insns.c)
# under qemu-system-loongarch64 / qemu-system-mips64el (wall time there
# says little: QEMU emulates the host TLB in software).
#
# usage: bench/bm-fill-cost.sh [-b BUILD] [-a loongarch64|mips64el]
#        [kernel ...]   (default: LoongArch; mem_linear mem_random
#        mem_chase from build/bench, `make bench-kernels`; BM_MMUS="hamt"
#        runs one memory path)
# LoongArch, per kernel and memory path: every host instruction of the
# run, and for hamt the instructions per host fault (general-exception
# vector entry to its ertn: page-modify / page-invalid exceptions into
# hamt_fault, and the 1 ms timer interrupt, which takes the same vector),
# per TLB refill (refill vector to its one ertn: every kind), and per
# refill that left the vector's fast path (bm_tlbr_slow to the same ertn:
# the C side, HAMT's table lookup and, on a miss, hamt_fault = a whole
# HAMT fill or the move to the slow-path stub), with the fault outcomes
# from --stats; per refill served from HAMT's table without hamt_fault
# (hits: from bm_tlbr_slow: registers C may clobber, lookup, tlbfill,
# ertn); and per refill the vector served from the refill cache (rc hits:
# vector entry to ertn, t0-t2 only).
# MIPS: every host instruction, and for hamt the general vector (EBase +
# 0x180 to bm_mips_exc's eret: TLBL/TLBS/Mod/AdE faults and the timer),
# refills served by the refill cache (XTLB refill vector EBase + 0x080 to
# its own eret: k0/k1 only), refills served from HAMT's table (the same
# entry to bm_mips_refill_entry's eret: caller-saved frame, hamt_tlb_pair,
# tlbwr) and refills that missed (the same entry to the miss path's eret:
# hamt_fault inside).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=$ROOT/build
ARCH=loongarch64
while [ $# -gt 0 ]; do
    case $1 in
    -b) BUILD=$2; shift 2 ;;
    -a) ARCH=$2; shift 2 ;;
    *) break ;;
    esac
done
PLUGDIR=$("$ROOT/bench/plugin/build.sh" "$BUILD/plugin") || exit 1
PLUGIN=$PLUGDIR/range-insns.so
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(mem_linear mem_random mem_chase)

if [ "$ARCH" = mips64el ]; then
    ELF=$BUILD/mips64el-bm/hamt86.elf
    OBJDUMP=mips64el-linux-gnuabi64-objdump
    # the first eret at or after a symbol (16-digit hex compares as text)
    DIS=$(mktemp)
    trap 'rm -f "$DIS"' EXIT
    "$OBJDUMP" -d "$ELF" >"$DIS"
    eret_after() {
        local a
        a=$(mips64el-linux-gnuabi64-nm "$ELF" | awk -v s="$1" '$3 == s {print $1}')
        awk -v a="$a" '$3 == "eret" { x = $1; sub(":", "", x)
            if (length(x) == 16 && x >= a) { print "0x" x; exit } }' "$DIS"
    }
    vexc=0xffffffff80000180
    vrfl=0xffffffff80000080
    # the refill vector runs as its copy at EBase + 0x080
    at_vec() {  # address in the stub -> its copy
        local s
        s=$(mips64el-linux-gnuabi64-nm "$ELF" | awk '$3 == "bm_vec_refill" {print $1}')
        printf '0x%x' $((vrfl + 0x$1 - 0x$s))
    }
    stub=$(awk '/<bm_vec_refill_end>:/ {exit} on && $3 == "ehb" {x = $1}
                on && $3 == "eret" {y = $1} /<bm_vec_refill>:|<bm_vec_general_end>:/ {on = 1}
                END {sub(":", "", x); sub(":", "", y); print x, y}' "$DIS")
    rc_ehb=$(at_vec "${stub% *}")
    rc_eret=$(at_vec "${stub#* }")
    hit_eret=$(eret_after bm_mips_refill_entry)
    # the first instruction only a table hit runs (after beqz and its slot)
    chit=$(awk -v s="$(mips64el-linux-gnuabi64-nm "$ELF" | awk '$3 == "bm_mips_refill_entry" {print $1}')" '
        $3 == "beqz" { x = $1; sub(":", "", x); if (x >= s) { n = 1; next } }
        n == 1 { n = 2; next } n == 2 { sub(":", "", $1); print "0x" $1; exit }' "$DIS")
    ranges="arg=fault:$vexc:$(eret_after bm_mips_exc)"
    ranges+=",arg=rc:$vrfl:$rc_eret,arg=rchit:$rc_ehb:$rc_eret"
    ranges+=",arg=hit:$vrfl:$hit_eret,arg=chit:$chit:$hit_eret"
    ranges+=",arg=miss:$vrfl:$(eret_after bm_mips_refill_miss)"
    printf '%-12s %-8s %14s %8s %8s %10s %9s %9s %9s %9s %9s %10s\n' kernel \
        mmu "host insns" faults fills "insns/flt" "rc hits" "insns/rc" \
        "tbl hits" "insns/tbl" misses "insns/miss"
    for k in "${kernels[@]}"; do
        for mmu in ${BM_MMUS:-softmmu hamt}; do
            out=$(HAMT86_BM_QEMU="-d plugin -plugin $PLUGIN,$ranges" \
                  cross/run-bm mips64el --mmu=$mmu --stats \
                  --kernel "$BUILD/bench/$k.elf" 2>&1 >/dev/null || true)
            total=$(echo "$out" | awk '/range-insns: total/ {print $3}')
            if [ "$mmu" = hamt ]; then
                faults=$(echo "$out" | awk '/^  host faults/ {print $3}')
                fills=$(echo "$out" | awk '/^  fills / {print $2}')
                pf=$(echo "$out" | awk '/range-insns: fault/ {print $9}')
                # a range's entries count every refill; only its own
                # kind reaches its exit, so insns / that kind's count
                per() {  # range count -> insns per event
                    echo "$out" | awk -v r="$1" -v n="$2" '
                        $2 == r && $3 == "entries" {
                            if (n > 0) printf "%.1f", $6 / n; else print "-" }'
                }
                cnt() { echo "$out" | awk -v r="$1" '$2 == r && $3 == "entries" {print $4}'; }
                nrc=$(cnt rchit); nh=$(cnt chit)
                nm=$(echo "$out" | awk '/host TLB refills to hamt_fault/ {print $NF}')
                prc=$(per rc "$nrc"); ph=$(per hit "$nh"); pm=$(per miss "$nm")
            else
                faults=-; fills=-; pf=-; nrc=-; prc=-; nh=-; ph=-; nm=-; pm=-
            fi
            printf '%-12s %-8s %14s %8s %8s %10s %9s %9s %9s %9s %9s %10s\n' \
                "$k" "$mmu" "$total" "$faults" "$fills" "$pf" "$nrc" "$prc" \
                "$nh" "$ph" "$nm" "$pm"
        done
    done
    exit 0
fi

ELF=$BUILD/loongarch64-bm/hamt86.elf
OBJDUMP=/opt/hamt86-deps/binutils-la/bin/loongarch64-linux-gnu-objdump
# entry and ertn of a vector (the refill vector runs at its physical address)
vec() {  # symbol -> "entry:ertn"
    "$OBJDUMP" -d "$ELF" | awk -v s="<$1>:" '
        $2 == s { on = 1; entry = $1; next }
        on && /ertn/ { sub(":", "", $1); print "0x" entry ":0x" $1; on = 0 }'
}
exc=$(vec bm_exc_entry)
tlbr=$(vec bm_tlbr_entry)
tlbr_phys=$(echo "$tlbr" | sed 's/0x9000000000/0x0000000000/g')
slow_phys=$(vec bm_tlbr_slow | sed 's/0x9000000000/0x0000000000/g')
# the refill from HAMT's table alone: bm_tlbr_slow to the instruction
# after its beqz (bm_la_refill_fast returned true: only table hits run
# it), then that to ertn
hit_fn=$("$OBJDUMP" -d "$ELF" | awk '/<bm_tlbr_slow>:/ { on = 1; next }
    on && n == 1 { sub(":", "", $1); print "0x" $1; n = 2 }
    on && !n && $3 == "beqz" { n = 1 }' | sed 's/0x9000000000/0x0000000000/')
ertn_phys=${tlbr_phys#*:}
# a refill-cache hit: the vector's first instructions up to its bne
# (counted here), then from the one after it (only hits run it) to ertn
read -r rc_pre rc_at < <("$OBJDUMP" -d "$ELF" | awk '
    /<bm_tlbr_entry>:/ { on = 1; next }
    on { n++; if (seen) { sub(":", "", $1); print pre, "0x" $1; exit }
         if ($3 == "bne") { seen = 1; pre = n } }')
rc_phys=$(echo "$rc_at" | sed 's/0x9000000000/0x0000000000/')

printf '%-12s %-8s %14s %8s %8s %10s %9s %10s %9s %10s %8s %9s %8s %9s\n' \
    kernel mmu "host insns" faults fills "insns/flt" refills "insns/rfl" \
    "C refills" "insns/Crfl" "hits" "insns/hit" "rc hits" "insns/rc"
for k in "${kernels[@]}"; do
    for mmu in ${BM_MMUS:-softmmu hamt}; do
        out=$(HAMT86_BM_QEMU="-d plugin -plugin $PLUGIN,arg=fault:$exc,arg=refill:$tlbr_phys,arg=slow:$slow_phys,arg=hit:${slow_phys%:*}:$hit_fn,arg=tail:$hit_fn:$ertn_phys,arg=rc:$rc_phys:$ertn_phys" \
              cross/run-bm loongarch64 --mmu=$mmu --stats \
              --kernel "$BUILD/bench/$k.elf" 2>&1 >/dev/null || true)
        total=$(echo "$out" | awk '/range-insns: total/ {print $3}')
        if [ "$mmu" = hamt ]; then
            faults=$(echo "$out" | awk '/^  host faults/ {print $3}')
            fills=$(echo "$out" | awk '/^  fills / {print $2}')
            pf=$(echo "$out" | awk '/range-insns: fault/ {print $9}')
            nr=$(echo "$out" | awk '/range-insns: refill/ {print $4}')
            pr=$(echo "$out" | awk '/range-insns: refill/ {print $9}')
            ns=$(echo "$out" | awk '/range-insns: slow/ {print $4}')
            ps=$(echo "$out" | awk '/range-insns: slow/ {print $9}')
            # table hits (C): entries of the vector's hit-only instruction
            hits=$(echo "$out" | awk '/range-insns: tail/ {print $4}')
            nrc=$(echo "$out" | awk '/range-insns: rc / {print $4}')
            prc=$(echo "$out" | awk -v p="$rc_pre" '/range-insns: rc / {
                if ($4 > 0) printf "%.1f", $9 + p; else print "-" }')
            hi=$(echo "$out" | awk '/range-insns: hit / {print $6}')
            tail=$(echo "$out" | awk '/range-insns: tail/ {print $9}')
            ph=$(awk -v i="$hi" -v n="$hits" -v t="$tail" \
                 'BEGIN { if (n > 0) printf "%.1f", i / n + t - 1; else print "-" }')
        else
            faults=-; fills=-; pf=-; nr=-; pr=-; ns=-; ps=-; hits=-; ph=-
            nrc=-; prc=-
        fi
        printf '%-12s %-8s %14s %8s %8s %10s %9s %10s %9s %10s %8s %9s %8s %9s\n' \
            "$k" "$mmu" "$total" "$faults" "$fills" "$pf" "$nr" "$pr" "$ns" \
            "$ps" "$hits" "$ph" "$nrc" "$prc"
    done
done
