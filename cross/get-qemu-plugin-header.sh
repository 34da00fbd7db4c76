#!/usr/bin/env bash
# cross/get-qemu-plugin-header.sh: idempotent fetch of QEMU's TCG plugin
# API header (include/qemu/qemu-plugin.h) from Debian's qemu source
# package, the version of the installed qemu-user (7.2, plugin API 1).
# The bench plugins (bench/plugin/*.c, built by bench/plugin/build.sh)
# compile against it; Debian ships no plugin header in a binary package.
# Installs
#   $HAMT86_DEPS/qemu-plugin/include/qemu-plugin.h   (default /opt/hamt86-deps)
#   $HAMT86_DEPS/qemu-plugin/VERSION                 the source package version
# and leaves a .done marker; a second run returns at once.  Downloads
# the source package (about 24 MB) into $HAMT86_DEPS/src/qemu and
# extracts only the header; deb-src entries mirroring debian.sources
# are added if missing (as cross/build-loongarch-binutils.sh does).
set -euo pipefail
DEPS=${HAMT86_DEPS:-/opt/hamt86-deps}
DEST=$DEPS/qemu-plugin
HDR=$DEST/include/qemu-plugin.h
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ -f "$DEST/.done" ] && [ -f "$HDR" ]; then
    echo "get-qemu-plugin-header: already installed ($HDR)"
    exit 0
fi

# --- deb-src entries mirroring debian.sources -----------------------------
SRCLIST=/etc/apt/sources.list.d/hamt86-src.sources
if [ ! -f "$SRCLIST" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        | $SUDO tee "$SRCLIST" >/dev/null
    $SUDO apt-get update -q
fi
dpkg -s xz-utils >/dev/null 2>&1 ||
    $SUDO apt-get install -y -q --no-install-recommends xz-utils

# --- fetch the source package (no unpacking, no build dependencies) -------
WORK=$DEPS/src/qemu
mkdir -p "$WORK"
cd "$WORK"
if ! ls qemu_*.orig.tar.* >/dev/null 2>&1; then
    apt-get source --download-only qemu
fi
TARBALL=$(ls qemu_*.orig.tar.* | head -n1)
DSC=$(ls qemu_*.dsc | head -n1)

# --- extract the one header ------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xf "$TARBALL" -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h'
src=$(find "$tmp" -path '*/include/qemu/qemu-plugin.h' | head -n1)
[ -n "$src" ] || { echo "get-qemu-plugin-header: no include/qemu/qemu-plugin.h in $TARBALL" >&2; exit 1; }
grep -q 'QEMU_PLUGIN_VERSION' "$src" ||
    { echo "get-qemu-plugin-header: $src has no QEMU_PLUGIN_VERSION" >&2; exit 1; }
mkdir -p "$DEST/include"
cp "$src" "$HDR"
basename "$DSC" .dsc >"$DEST/VERSION"
touch "$DEST/.done"
echo "get-qemu-plugin-header: installed $HDR ($(cat "$DEST/VERSION"))"
