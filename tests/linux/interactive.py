#!/usr/bin/env python3
"""tests/linux/interactive.py: the interactive console through a
pseudo-terminal.  Boots Linux (hamt86=shell) under hamt86 with its stdin,
stdout and stderr on a pty, waits for the shell, types a command, checks
the answer, then types Ctrl-A x and checks that hamt86 exits and leaves
the terminal's settings as they were before it started.

usage: interactive.py TIMEOUT INITRD EMULATOR...
(the kernel and command line: tests/linux/linux.sh's defaults, passed in
LINUX_KERNEL / LINUX_APPEND by check.sh's environment or the defaults)
"""
import os
import pty
import select
import sys
import termios
import time

DEPS = os.environ.get("HAMT86_DEPS", "/opt/hamt86-deps")
KERNEL = os.environ.get("LINUX_KERNEL", DEPS + "/linux-i386/vmlinuz")
APPEND = os.environ.get(
    "LINUX_APPEND", "console=ttyS0 acpi=off noapic nolapic reboot=k "
    "dis_ucode_ldr lpj=4000000 noisapnp")


def main():
    timeout, initrd, emu = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    argv = emu + ["-m", "128", "-nographic", "-kernel", KERNEL, "-initrd",
                  initrd, "-append", APPEND + " hamt86=shell"]
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.execvp(argv[0], argv)
    out = b""
    deadline = time.time() + timeout

    def wait_for(text):
        nonlocal out
        while text not in out:
            if time.time() > deadline:
                raise SystemExit("timed out waiting for %r; output tail:\n%s"
                                 % (text, out[-2000:].decode(errors="replace")))
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    raise SystemExit("hamt86 went away; output tail:\n%s"
                                     % out[-2000:].decode(errors="replace"))
                out += chunk
                sys.stdout.write(chunk.decode(errors="replace"))
                sys.stdout.flush()

    wait_for(b"HAMT86-LX shell ready")
    time.sleep(1)
    os.write(master, b"echo answer=$((6 * 7))\r")
    wait_for(b"answer=42")
    os.write(master, b"\x01x")
    t0 = time.time()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() - t0 > 30:
            os.kill(pid, 9)
            raise SystemExit("Ctrl-A x did not end hamt86 within 30 s")
        try:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                out += os.read(master, 4096)
        except OSError:
            pass
    after = termios.tcgetattr(slave)
    if after != before:
        raise SystemExit("the terminal settings changed: %r -> %r"
                         % (before, after))
    print("\ninteractive: answer seen, Ctrl-A x left, terminal restored "
          "(exit status %d)" % os.waitstatus_to_exitcode(status))


main()
