#!/usr/bin/env bash
# bench/qemu-peer.sh: QEMU 7.2's own mips64el qemu-system-i386 (Debian 12's
# qemu-system-x86:mips64el) run under qemu-mips64el: the peer hamt86's
# mips64el build is compared with (../shared/FACTS.md).  The first call
# unpacks the packages into $HAMT86_DEPS/qemu-peer-mips64el (apt-get
# download, no installation); later calls only run it.
#
# usage: bench/qemu-peer.sh QEMU-ARGS...
#   runs: qemu-mips64el -L ROOT ROOT/usr/bin/qemu-system-i386 -L (seabios,
#         qemu data) -M isapc -cpu pentium2,-tsc -accel tcg,thread=single
#         -display none -monitor none -serial stdio QEMU-ARGS
#   ("-nographic" in QEMU-ARGS is dropped: -display none -serial stdio say
#   the same, and the two together are refused).  -tsc: qemu-user returns 0
#   for the MIPS cycle counter QEMU reads, so a guest TSC would stand
#   still; without a TSC the guest times with the PIT.  PEER_ICOUNT=1 adds
#   -icount shift=auto instead.  PEER_QEMU_USER_ARGS: options for
#   qemu-mips64el itself (bench/linux-count.sh: a TCG plugin).
set -euo pipefail
DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
ROOT=$DEPS/qemu-peer-mips64el
if [ ! -f "$ROOT/.done" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx mips64el; then
        echo "bench/qemu-peer.sh: mips64el is not a dpkg architecture (run cross/setup)" >&2
        exit 1
    fi
    tmp=$(mktemp -d)
    libs="libaio1 libbpf1 libcapstone4 libfdt1 libfuse3-3 libglib2.0-0 libgmp10
          libgnutls30 libhogweed6 libibverbs1 libjpeg62-turbo libnettle8 libnuma1
          libpixman-1-0 libpng16-16 librdmacm1 libsasl2-2 libseccomp2 libslirp0
          libudev1 liburing2 libvdeplug2 libzstd1 zlib1g libc6 libgcc-s1
          libp11-kit0 libtasn1-6 libunistring2 libidn2-0 libffi8 libpcre2-8-0
          libmount1 libselinux1 libblkid1 libnl-3-200 libnl-route-3-200 libelf1
          libsasl2-modules-db libdb5.3 liblzma5 libbz2-1.0"
    pkgs="qemu-system-x86:mips64el qemu-system-common:mips64el qemu-system-data seabios"
    for l in $libs; do
        pkgs="$pkgs $l:mips64el"
    done
    # shellcheck disable=SC2086
    ( cd "$tmp" && apt-get download -q $pkgs >/dev/null )
    rm -rf "$ROOT"
    mkdir -p "$ROOT"
    for d in "$tmp"/*.deb; do
        dpkg -x "$d" "$ROOT"
    done
    ln -sfn ../lib/mips64el-linux-gnuabi64/ld.so.1 "$ROOT/lib64/ld.so.1"
    rm -rf "$tmp"
    touch "$ROOT/.done"
fi
args=()
for a in "$@"; do
    [ "$a" = -nographic ] || args+=("$a")
done
icount=()
[ "${PEER_ICOUNT:-0}" = 0 ] || icount=(-icount shift=auto)
# shellcheck disable=SC2086
exec qemu-mips64el ${PEER_QEMU_USER_ARGS:-} -L "$ROOT" "$ROOT/usr/bin/qemu-system-i386" \
    -L "$ROOT/usr/share/seabios" -L "$ROOT/usr/share/qemu" \
    -M isapc -cpu pentium2,-tsc -accel tcg,thread=single "${icount[@]}" \
    -display none -monitor none -serial stdio "${args[@]}"
