#!/usr/bin/env bash
# tests/console/check.sh: the interactive console and deterministic time, on
# every built hamt86 (picked up by tests/run-all.sh as tests/*/check.sh;
# BUILD as there, default build/; needs BUILD/guest from `make guest`).
#
#   pipe      printf 'ab\001hq' | hamt86 console.elf: the guest echoes a, b,
#             q (received through IRQ 4 while it halts), Ctrl-A h prints
#             the key list, exit status 1 (the guest's own exit)
#   tty       hamt86 in a tmux pseudo-terminal: typed keys reach the guest
#             (raw mode: no echo, no line buffering), Ctrl-A x quits with
#             status 0 and `stty -g` is the same before and after
#   sigterm   the same, ended by SIGTERM: status 0, terminal restored
#   eof       stdin at EOF (</dev/null): the guest just times out
#   icount    --icount=4: two runs of the tickloop and irq kernels give the
#             same -d int log (interrupts at the same guest EIPs), and
#             every host gives the native build's log
#
# The tty cases are skipped (reported as ok with "skipped") without tmux.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
G=$BUILD/guest
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
notok() { echo "not ok $1 # $2"; fail=$((fail + 1)); }

# Wait (up to $2 s) until file $1 contains pattern $3.
wait_for() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        grep -q "$3" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# The tty cases for emulator command $1, case name $2, ending $3 (ctrl-a-x
# or sigterm).
tty_case() {
    local emu=$1 name=$2 how=$3 s=hamt86-console-$$-$RANDOM
    rm -f "$T"/before "$T"/after "$T"/out "$T"/rc "$T"/pid
    tmux new-session -d -s "$s" -x 80 -y 24 \
        "stty -g >$T/before; sh -c 'echo \$\$ >$T/pid; exec $emu -m 64 --kernel $G/console.elf' >$T/out 2>&1; echo \$? >$T/rc; stty -g >$T/after"
    if ! wait_for "$T/out" 60 'console ready'; then
        notok "$name" "guest never got ready: $(head -c 300 "$T/out")"
        tmux kill-session -t "$s" 2>/dev/null
        return
    fi
    tmux send-keys -t "$s" x y
    wait_for "$T/out" 20 'rx 79' || true
    if [ "$how" = ctrl-a-x ]; then
        tmux send-keys -t "$s" C-a h
        wait_for "$T/out" 20 'C-a x' || true
        tmux send-keys -t "$s" C-a x
    else
        kill -TERM "$(cat "$T/pid")"
    fi
    wait_for "$T/rc" 30 . || true
    tmux kill-session -t "$s" 2>/dev/null
    if [ "$(cat "$T/rc" 2>/dev/null)" != 0 ]; then
        notok "$name" "exit status $(cat "$T/rc" 2>/dev/null), expected 0: $(tail -c 300 "$T/out")"
    elif ! grep -q 'INFO rx 78' "$T/out" || ! grep -q 'INFO rx 79' "$T/out"; then
        notok "$name" "typed keys did not reach the guest: $(tail -c 300 "$T/out")"
    elif [ "$how" = ctrl-a-x ] && ! grep -q 'C-a x    exit emulator' "$T/out"; then
        notok "$name" "no Ctrl-A h key list"
    elif ! cmp -s "$T/before" "$T/after"; then
        notok "$name" "terminal not restored: $(cat "$T/before") -> $(cat "$T/after")"
    else
        ok "$name"
    fi
}

for host in native mips64el loongarch64; do
    bin=$BUILD/$host/hamt86
    [ -x "$bin" ] || continue
    case $host in
    native) emu=$bin ;;
    *) emu="qemu-$host $bin" ;;
    esac
    out=$(printf 'ab\001hq' | timeout 60 $emu -m 64 --kernel "$G/console.elf" 2>&1)
    rc=$?
    if [ $rc != 1 ]; then
        notok "pipe [$host]" "exit status $rc, expected 1: $out"
    elif [ "$(grep -o 'INFO rx [0-9a-f]*' <<<"$out" | tr '\n' ' ')" != "INFO rx 61 INFO rx 62 INFO rx 71 " ]; then
        notok "pipe [$host]" "wrong bytes: $out"
    elif ! grep -q 'C-a h    print this help' <<<"$out"; then
        notok "pipe [$host]" "no Ctrl-A h key list: $out"
    else
        ok "pipe [$host]"
    fi
    out=$(timeout 60 $emu -m 64 --kernel "$G/console.elf" </dev/null 2>&1)
    rc=$?
    if [ $rc = 1 ] && grep -q 'console received 0 bytes' <<<"$out"; then
        ok "eof [$host]"
    else
        notok "eof [$host]" "status $rc: $out"
    fi
    for k in tickloop irq; do
        for i in 1 2; do
            timeout 120 $emu -m 64 --icount=4 -d int --kernel "$G/$k.elf" \
                </dev/null >"$T/ic.$k.$host.$i" 2>&1
        done
        if ! grep -q "^DONE $k passed=[1-9][0-9]* failed=0" "$T/ic.$k.$host.1"; then
            notok "icount $k [$host]" "run failed: $(tail -c 300 "$T/ic.$k.$host.1")"
        elif ! cmp -s "$T/ic.$k.$host.1" "$T/ic.$k.$host.2"; then
            notok "icount $k [$host]" "two runs differ: $(diff "$T/ic.$k.$host.1" "$T/ic.$k.$host.2" | head -3)"
        elif [ -f "$T/ic.$k.native.1" ] && ! cmp -s "$T/ic.$k.native.1" "$T/ic.$k.$host.1"; then
            notok "icount $k [$host]" "differs from the native build's log"
        else
            ok "icount $k [$host]"
        fi
    done
    if command -v tmux >/dev/null; then
        tty_case "$emu" "tty ctrl-a-x [$host]" ctrl-a-x
        tty_case "$emu" "tty sigterm [$host]" sigterm
    else
        ok "tty [$host] (skipped: no tmux)"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
