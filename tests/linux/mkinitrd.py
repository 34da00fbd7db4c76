#!/usr/bin/env python3
"""tests/linux/mkinitrd.py: write a newc cpio archive (the initramfs format)
from a list of entries, with no need for root (device nodes included) and
reproducible bytes (uid/gid 0, mtime 0, fixed inode numbers).

usage: mkinitrd.py OUT ENTRY...
  ENTRY  dir:PATH            a directory (0755)
         file:PATH:HOSTFILE  a regular file (mode 0755)
         link:PATH:TARGET    a symbolic link
         char:PATH:MAJ:MIN   a character device (0600)
"""
import sys


def header(ino, mode, nlink, size, rmaj, rmin, name):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin,
              len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad4(n):
    return (4 - n % 4) % 4


def main():
    out, entries = sys.argv[1], sys.argv[2:]
    data = bytearray()
    ino = 1
    for e in entries + ["trailer:TRAILER!!!"]:
        kind, rest = e.split(":", 1)
        body, rmaj, rmin, nlink = b"", 0, 0, 1
        if kind == "dir":
            name, mode, nlink = rest, 0o040755, 2
        elif kind == "file":
            name, host = rest.split(":", 1)
            mode = 0o100755
            with open(host, "rb") as f:
                body = f.read()
        elif kind == "link":
            name, target = rest.split(":", 1)
            mode, body = 0o120777, target.encode()
        elif kind == "char":
            name, rmaj, rmin = rest.split(":")
            mode, rmaj, rmin = 0o020600, int(rmaj), int(rmin)
        elif kind == "trailer":
            name, mode, nlink, ino = rest, 0, 1, 0
        else:
            sys.exit("mkinitrd.py: bad entry %r (expected dir:, file:, "
                     "link: or char:)" % e)
        nm = name.encode()
        h = header(ino, mode, nlink, len(body), rmaj, rmin, nm)
        data += h + nm + b"\0"
        data += b"\0" * pad4(len(h) + len(nm) + 1)
        data += body + b"\0" * pad4(len(body))
        ino += 1
    data += b"\0" * ((512 - len(data) % 512) % 512)
    with open(out, "wb") as f:
        f.write(data)


main()
