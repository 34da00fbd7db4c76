#!/usr/bin/env bash
# cross/build-loongarch-binutils.sh: idempotent build of GNU binutils 2.40
# (Debian 12 source package) for loongarch64-linux-gnu.  Only its objdump is
# needed: the LoongArch encoder round-trip test (tests/encoder/run.sh)
# compares our encodings against it.  Installs into
#   $HAMT86_DEPS/binutils-la   (default /opt/hamt86-deps/binutils-la)
# and leaves a .done marker; a second run returns at once.
set -euo pipefail
DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
PREFIX=$DEPS/binutils-la
OBJDUMP=$PREFIX/bin/loongarch64-linux-gnu-objdump
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ -f "$PREFIX/.done" ] && [ -x "$OBJDUMP" ]; then
    echo "build-loongarch-binutils: already installed ($OBJDUMP)"
    exit 0
fi

# --- build dependencies ---------------------------------------------------
need_apt=0
for p in texinfo bison flex libgmp-dev make gcc xz-utils dpkg-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || { need_apt=1; break; }
done

# --- deb-src entries mirroring debian.sources -----------------------------
SRCLIST=/etc/apt/sources.list.d/hamt86-src.sources
need_update=0
if [ ! -f "$SRCLIST" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        | $SUDO tee "$SRCLIST" >/dev/null
    need_update=1
fi
if [ $need_update = 1 ] || [ $need_apt = 1 ]; then
    $SUDO apt-get update -q
fi
if [ $need_apt = 1 ]; then
    $SUDO apt-get install -y -q --no-install-recommends \
        texinfo bison flex libgmp-dev make gcc xz-utils dpkg-dev
fi

# --- fetch and unpack the source ------------------------------------------
WORK=$DEPS/src/binutils-la
mkdir -p "$WORK"
cd "$WORK"
if ! ls binutils_*.orig.tar.* >/dev/null 2>&1; then
    apt-get source --download-only binutils
fi
TARBALL=$(ls binutils_*.orig.tar.* | head -n1)
SRCDIR=$WORK/src
if [ ! -f "$SRCDIR/configure" ]; then
    rm -rf "$SRCDIR"
    mkdir -p "$SRCDIR"
    tar -xf "$TARBALL" -C "$SRCDIR" --strip-components=1
fi

# --- configure, build, install --------------------------------------------
BLD=$WORK/build
mkdir -p "$BLD"
cd "$BLD"
if [ ! -f Makefile ]; then
    "$SRCDIR/configure" --target=loongarch64-linux-gnu --prefix="$PREFIX" \
        --disable-nls --disable-gdb --disable-gdbserver --disable-sim \
        --disable-gprofng --disable-werror --disable-docs \
        MAKEINFO=true >configure.log 2>&1
fi
make -j"$(nproc)" MAKEINFO=true all-ld all-gas all-binutils >make.log 2>&1
make MAKEINFO=true install-ld install-gas install-binutils >install.log 2>&1
test -x "$OBJDUMP"
touch "$PREFIX/.done"
echo "build-loongarch-binutils: installed $OBJDUMP"
