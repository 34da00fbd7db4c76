#!/usr/bin/env python3
"""Pack hamt86's arguments and the files they name into a boot block for
the bare-metal build (used by cross/run-bm; the format is described in
frontend/main-bm.c, version 2).

usage: bm-pack.py OUT LIMIT_MIB [hamt86 arguments...]

The file options, as frontend/options.def spells them: -k, --kernel,
-kernel, --kernel=F; --initrd, -initrd, --initrd=F ("--" ends the options).
Each file is packed under its path exactly as written; the board's front
end finds it by that name.  A file that cannot be read, or a block larger
than LIMIT_MIB, is an error (exit 1) worded as the Linux builds' loader.
Test hooks: HAMT86_BM_CORRUPT_AT=N / HAMT86_BM_CORRUPT_INITRD_AT=N flip
byte N of the kernel / initrd after its CRC is taken.
"""
import os
import struct
import sys
import zlib

VERSION = 2
HDR = 64
ENTRY = 16
MAX_FILES = 4
ROLES = {"-k": "kernel", "--kernel": "kernel", "-kernel": "kernel",
         "--initrd": "initrd", "-initrd": "initrd"}


def up16(n):
    return (n + 15) & ~15


def file_options(args):
    """(role, path) of every file option, in order."""
    files = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            break
        if a in ROLES and i + 1 < len(args):
            files.append((ROLES[a], args[i + 1]))
            i += 2
            continue
        for opt in ("--kernel=", "-kernel=", "--initrd=", "-initrd="):
            if a.startswith(opt):
                files.append((opt.strip("-="), a[len(opt):]))
        i += 1
    return files


def main():
    out, limit, args = sys.argv[1], int(sys.argv[2]) << 20, sys.argv[3:]
    table, seen = [], set()
    for role, path in file_options(args):
        if path in seen:
            continue
        seen.add(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            sys.stderr.write("hamt86: %s: cannot read: Failed to open file "
                             "\u201c%s\u201d: %s\n" % (path, path, e.strerror))
            return 1
        table.append((role, path, data))
    if len(table) > MAX_FILES:
        sys.stderr.write("run-bm: at most %d files fit the boot block\n"
                         % MAX_FILES)
        return 2
    # header, file table, arguments, names, then the files
    argb = b"".join(a.encode() + b"\0" for a in args)
    head_len = HDR + ENTRY * len(table) + len(argb)
    names, name_offs = b"", []
    for _, path, _ in table:
        name_offs.append(head_len + len(names))
        names += path.encode() + b"\0"
    block = bytearray(head_len + len(names))
    entries = b""
    for (role, path, data), name_off in zip(table, name_offs):
        off = up16(len(block))
        if off + len(data) > limit:
            sys.stderr.write("hamt86: %s: guest image too big for the board "
                             "(the %s has %d bytes; the boot block holds at "
                             "most %d MiB of options, kernel and initrd)\n"
                             % (path, role, len(data), limit >> 20))
            return 1
        crc = zlib.crc32(data) & 0xffffffff
        flip = os.environ.get("HAMT86_BM_CORRUPT_AT" if role == "kernel"
                              else "HAMT86_BM_CORRUPT_INITRD_AT")
        if flip and int(flip) < len(data):
            data = bytearray(data)
            data[int(flip)] ^= 0xff
        entries += struct.pack("<IIII", off, len(data), crc, name_off)
        block += b"\0" * (off - len(block)) + data
    hdr = struct.pack("<8sIIII40x", b"HAMT86BM", VERSION, HDR, len(argb),
                      len(table))
    block[0:head_len + len(names)] = hdr + entries + argb + names
    with open(out, "wb") as f:
        f.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
