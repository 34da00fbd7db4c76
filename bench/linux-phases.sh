#!/usr/bin/env bash
# bench/linux-phases.sh: millions of host instructions per phase of one
# counted Linux boot (bench/linux-count.sh), from its marks file: the boot
# (to "Linux version", "Freeing SMP alternatives", "Run /init") and each
# workload phase, ended by the /init's "HAMT86-T NAME" timing lines
# (tests/linux/init); "-" for a line never printed (a run still going or
# stopped).  Works on a run still in progress.
#
# usage: bench/linux-phases.sh [-b BUILD] LABEL
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
while getopts "b:" o; do
    case $o in
    b) BUILD=$OPTARG ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,9p' "$0"; exit 2; }
d=$BUILD/linux/count
log=$d/$1.out marks=$d/$1.marks
# Instructions executed before the output reached the end of marker $1.
at() {
    local off
    off=$(grep -abo -m1 "$1" "$log" | head -n1 | cut -d: -f1)
    [ -n "$off" ] || { echo -; return; }
    awk -v end=$((off + ${#1})) '$1 >= end { print $2; exit }' "$marks"
}
prev=0
printf '%-28s %10s %10s\n' phase-end "M insns" cumulative
for m in "Linux version" "Freeing SMP alternatives" "Run /init" \
         "HAMT86-T init" "HAMT86-T forkexec" "HAMT86-T pipes" "HAMT86-T awk" \
         "HAMT86-T sort" "HAMT86-T md5" "HAMT86-T mapper" "HAMT86-LX done"; do
    v=$(at "$m")
    if [ "$v" = - ] || [ -z "$v" ]; then
        printf '%-28s %10s\n' "$m" -
        continue
    fi
    printf '%-28s %10d %10d\n' "$m" $(((v - prev) / 1000000)) $((v / 1000000))
    prev=$v
done
