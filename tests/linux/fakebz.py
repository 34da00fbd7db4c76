#!/usr/bin/env python3
"""tests/linux/fakebz.py: write a minimal bzImage-shaped file, for the
loader's tests (tests/badinput, tests/linux/bootproto.S).

usage: fakebz.py OUT [PMFILE] [key=value ...]
  PMFILE        raw protected-mode code (loaded at 0x100000); default: a
                HLT loop
  version=0x20f loadflags=1 setup_sects=1 init_size=0x10000
  pref=0x100000 relocatable=0 cmdline_size=2048 initrd_max=0x37ffffff
  code32=0x100000 truncate=N (cut the file to N bytes)
The setup sectors hold only the setup header (Documentation/arch/x86/
boot.rst); nothing runs them: hamt86 uses the 32-bit boot protocol.
"""
import struct
import sys


def main():
    out = sys.argv[1]
    args = sys.argv[2:]
    pm = b"\xfa\xf4\xeb\xfd"            # cli; hlt; jmp $-1
    if args and "=" not in args[0]:
        with open(args.pop(0), "rb") as f:
            pm = f.read()
    o = dict(version=0x20F, loadflags=1, setup_sects=1, init_size=0x10000,
             pref=0x100000, relocatable=0, cmdline_size=2048,
             initrd_max=0x37FFFFFF, code32=0x100000, truncate=-1)
    for a in args:
        k, v = a.split("=", 1)
        if k not in o:
            sys.exit("fakebz.py: unknown key %r" % k)
        o[k] = int(v, 0)
    setup = bytearray((o["setup_sects"] + 1) * 512)
    setup[0x1F1] = o["setup_sects"]
    struct.pack_into("<H", setup, 0x1FE, 0xAA55)
    setup[0x200] = 0xEB                  # jmp short past the header
    setup[0x201] = 0x268 - 0x202         # header ends at 0x268
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, o["version"])
    setup[0x211] = o["loadflags"]
    struct.pack_into("<I", setup, 0x214, o["code32"])
    struct.pack_into("<I", setup, 0x22C, o["initrd_max"])
    struct.pack_into("<I", setup, 0x230, 0x1000)       # kernel_alignment
    setup[0x234] = o["relocatable"]
    struct.pack_into("<I", setup, 0x238, o["cmdline_size"])
    struct.pack_into("<Q", setup, 0x258, o["pref"])
    struct.pack_into("<I", setup, 0x260, o["init_size"])
    data = bytes(setup) + pm
    if o["truncate"] >= 0:
        data = data[:o["truncate"]]
    with open(out, "wb") as f:
        f.write(data)


main()
