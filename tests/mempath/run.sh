#!/usr/bin/env bash
# tests/mempath/run.sh: memory-path debugging features end to end.
#
# usage: tests/mempath/run.sh [-b BUILD] NAME=COMMAND ...
#   NAME=COMMAND   an emulator, e.g. native=build/native/hamt86 or
#                  mips64el="qemu-mips64el build/mips64el/hamt86"
#   -b BUILD       build root (default: build); files go to BUILD/mempath
#
# Builds the tiny kernel watch.c (each watched access is one instruction at
# a label whose address the kernel prints) and checks, per emulator:
#   --watch ADDR[:LEN]     every access is logged with size, linear
#                          address, value (old value of a store) and the
#                          guest EIP of the instruction; paged addresses
#                          are linear; an identity alias is not logged;
#                          a page-crossing store logs its byte
#   --watch ADDR:LEN:stop  the run stops right after the instruction, with
#                          status 6 and a message (the kernel's next line
#                          is not printed); bad specs are usage errors
#   --stats                TLB fast-path hits counted (with a hit rate),
#                          also by generated code; misses, fills, flushes
#   --cosim                no divergence on paging kernels (BUILD/guest:
#                          paging, pg_ad, pg_invlpg when built), and
#   --cosim-inject=N       a corrupted result IS reported (status 3), but
#                          not with a -dfilter range the guest never runs
#                          (no TB compared)
# Every run uses --mmu=softmmu (watchpoints and the TLB counters are the
# softmmu's).  Prints "ok"/"not ok" per case x emulator; the last line is
# "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../lib/suite.sh"
suite_init mempath 28 600 "$@"
suite_kernel watch
K=$OUT/watch.elf

# run NAME LOG ARGS...: sets RC
run() {
    local log=$1
    shift
    timeout "$TIMEOUT" "${cmd[@]}" --mmu=softmmu "$@" </dev/null >"$log" 2>&1
    RC=$?
}
# expect CASE LOG RE...: every ERE must match a line of LOG
expect() {
    local name=$1 log=$2 re
    shift 2
    for re in "$@"; do
        if ! grep -qE -- "$re" "$log"; then
            notok "$name" "no line matching /$re/" "$log"
            return 1
        fi
    done
    return 0
}
# status CASE WANT: RC must be WANT (and never a signal or timeout)
status() {
    if [ "$RC" != "$2" ]; then
        notok "$1" "exit status $RC, expected $2" "${3:-}"
        return 1
    fi
    return 0
}

for emu in "${EMUS[@]}"; do
    ename=${emu%%=*}
    read -r -a cmd <<<"${emu#*=}"

    # plain run: the kernel passes and tells where its accesses are
    c="plain $ename"; log=$OUT/plain.$ename.log
    run "$log" -m 64 --kernel "$K"
    eips=$(grep -aoE 'INFO eip st1 .*' "$log")
    if status "$c" 1 "$log" && expect "$c" "$log" '^DONE watch passed=[1-9][0-9]* failed=0' &&
       [ -n "$eips" ]; then
        ok "$c"
    else
        [ -n "$eips" ] || notok "$c" "no INFO eip line" "$log"
        continue
    fi
    read -r _ _ _ st1 _ ld1 _ st2 _ st3 _ st4 <<<"$eips"

    c="watch-log $ename"; log=$OUT/watch.$ename.log
    run "$log" -m 64 --watch 0x500000:4 --watch 0x40005004:4 \
        --watch 0x40006000 --kernel "$K"
    if status "$c" 1 "$log" &&
       expect "$c" "$log" \
           "^hamt86: watchpoint: st32 0x00500000 <- 0xdeadbeef \(was 0x0\) at EIP $st1\$" \
           "^hamt86: watchpoint: ld32 0x00500000 -> 0xdeadbeef at EIP $ld1\$" \
           "^hamt86: watchpoint: st32 0x40005004 <- 0x12345678 \(was 0x0\) at EIP $st2\$" \
           "^hamt86: watchpoint: st8 0x40006000 <- 0xa1 \(was 0x0\) at EIP $st4\$" \
           '^DONE watch passed=[1-9][0-9]* failed=0'; then
        if grep -q "at EIP $st3\$" "$log"; then
            notok "$c" "the identity alias (st3) was logged" "$log"
        else
            ok "$c"
        fi
    fi

    c="watch-stop $ename"; log=$OUT/stop.$ename.log
    run "$log" -m 64 --watch 0x500000:4:stop --kernel "$K"
    if status "$c" 6 "$log" &&
       expect "$c" "$log" \
           "^hamt86: watchpoint: st32 0x00500000 <- 0xdeadbeef \(was 0x0\) at EIP $st1\$" \
           "^hamt86: watchpoint: stopping the guest after the instruction at EIP $st1 \(status 6\)\$"; then
        if grep -q 'after-st1' "$log"; then
            notok "$c" "the guest ran past the watched instruction" "$log"
        elif [ "$(grep -c '^hamt86: watchpoint: st32' "$log")" != 1 ]; then
            notok "$c" "the access was logged more than once" "$log"
        else
            ok "$c"
        fi
    fi

    c="watch-stop-paged $ename"; log=$OUT/stop2.$ename.log
    run "$log" -m 64 --watch 0x40005006:stop --kernel "$K"
    if status "$c" 6 "$log" &&
       expect "$c" "$log" "^hamt86: watchpoint: stopping the guest after the instruction at EIP $st2 "; then
        ok "$c"
    fi

    c="watch-bad-spec $ename"; log=$OUT/badspec.$ename.log
    run "$log" -m 64 --watch 0x500000:4:halt --kernel "$K"
    if [ "$RC" = 1 ] && expect "$c" "$log" '--watch 0x500000:4:halt: expected ADDR\[:LEN\]\[:stop\]'; then
        ok "$c"
    elif [ "$RC" != 1 ]; then
        notok "$c" "exit status $RC, expected 1" "$log"
    fi

    c="stats-tlb $ename"; log=$OUT/stats.$ename.log
    run "$log" -m 64 --stats --kernel "$K"
    if status "$c" 1 "$log" &&
       expect "$c" "$log" '^  TLB fast-path hits +[1-9][0-9]* \([0-9]+\.[0-9]%\)$' \
           '^    hits kernel +[1-9]' '^    hits phys +[1-9]' \
           '^  TLB misses \(data\) +[1-9][0-9]* \(' '^  TLB fills +[1-9]' \
           '^  TLB flush: all +[1-9]' '^  MMIO accesses ' '^  I/O port accesses +[1-9]'; then
        ok "$c"
    fi

    c="cosim-watch $ename"; log=$OUT/cosim-watch.$ename.log
    run "$log" -m 64 --cosim --watch 0x40005004:4 --kernel "$K"
    if status "$c" 1 "$log" &&
       expect "$c" "$log" "^hamt86: watchpoint: st32 0x40005004 <- 0x12345678 \(was 0x0\) at EIP $st2\$" \
           '^DONE watch passed=[1-9][0-9]* failed=0'; then
        ok "$c"
    fi

    for k in paging pg_ad pg_invlpg; do
        [ -f "$BUILD/guest/$k.elf" ] || continue
        c="cosim-$k $ename"; log=$OUT/cosim-$k.$ename.log
        run "$log" -m 64 --cosim --stats --kernel "$BUILD/guest/$k.elf"
        if status "$c" 1 "$log" &&
           expect "$c" "$log" "^DONE $k passed=[1-9][0-9]* failed=0" \
               '^  cosim TBs compared +[1-9]'; then
            if grep -q '^cosim: divergence' "$log"; then
                notok "$c" "false divergence" "$log"
            else
                ok "$c"
            fi
        fi
    done

    c="cosim-inject $ename"; log=$OUT/cosim-inject.$ename.log
    run "$log" -m 64 --cosim-inject=3000 --kernel "$K"
    if status "$c" 3 "$log" &&
       expect "$c" "$log" '^cosim: injected: flipped bit 0 of ' \
           '^cosim: divergence after TB at EIP 0x[0-9a-f]{8}: (EAX|mem\[phys)'; then
        ok "$c"
    fi

    c="cosim-dfilter $ename"; log=$OUT/cosim-dfilter.$ename.log
    run "$log" -m 64 --cosim-inject=3000 --stats -dfilter 0xfffff000 --kernel "$K"
    if status "$c" 1 "$log" &&
       expect "$c" "$log" '^  cosim TBs compared +0$'; then
        ok "$c"
    fi
done
suite_done
