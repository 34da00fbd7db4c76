#!/usr/bin/env python3
"""hamt86 bare-metal console demultiplexer (used by cross/run-bm).

The bare-metal build has one UART.  Its OS layer (os/bm/os-bm-la.c) writes
the guest's serial output raw and frames hamt86's own messages (its stderr)
as STX (0x02) ... ETX (0x03); os_exit frames the line
"hamt86-bm: exit status N".  usage: bm-console.py [--rm DIR] QEMU-COMMAND...
It runs the QEMU command (stdin /dev/null), reads the board's serial output
from its stdout, copies the raw bytes to stdout and the framed ones to stderr, drops
the exit-status line and exits with N.  If the board stops without one
(QEMU failed, or the board hung and was killed), it says so on stderr and
exits 125.
"""
import os
import re
import shutil
import signal
import subprocess
import sys

STX, ETX = 0x02, 0x03
EXIT_RE = re.compile(rb"hamt86-bm: exit status (\d+)\n")


def main():
    out = sys.stdout.buffer
    err = sys.stderr.buffer
    framed = False
    msg = bytearray()
    status = None
    cmd = sys.argv[1:]
    tmpdir = None
    if cmd[:1] == ["--rm"]:
        tmpdir, cmd = cmd[1], cmd[2:]
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE)

    def cleanup():
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)

    def stop(signum, frame):
        qemu.kill()
        cleanup()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    fd = qemu.stdout.fileno()
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        raw = bytearray()
        for b in chunk:
            if not framed:
                if b == STX:
                    framed = True
                    msg.clear()
                else:
                    raw.append(b)
            elif b == ETX:
                framed = False
                m = EXIT_RE.fullmatch(bytes(msg))
                if m:
                    status = int(m.group(1))
                else:
                    if raw:
                        out.write(raw)
                        out.flush()
                        raw.clear()
                    err.write(msg)
                    err.flush()
            else:
                msg.append(b)
        if raw:
            out.write(raw)
            out.flush()
    rc = qemu.wait()
    cleanup()
    if status is None:
        err.write(b"hamt86-bm: the board stopped without an exit status "
                  b"(qemu exit status %d)\n" % rc)
        err.flush()
        sys.exit(125)
    sys.exit(status)


if __name__ == "__main__":
    main()
