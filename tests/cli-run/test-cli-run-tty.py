#!/usr/bin/env python3
"""test-cli-run-tty.py UPROC FIRMWARE_DIR - "uproc run" on a terminal, as a person
types at it: keystrokes go out raw, answers come back case-inverted, Ctrl-D ends the
run (status 0), Ctrl-C stops it (status 130), and the terminal's mode is restored."""
import os
import pty
import select
import sys
import termios
import time

uproc, fwdir = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name} {detail}", file=sys.stderr)


def read_until(fd, want, timeout=10.0):
    """Everything the terminal shows until @want appears (or the time runs out)."""
    out = b""
    end = time.monotonic() + timeout
    while want not in out and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def run(keys_after_join, final_key):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(uproc, [uproc, "run", "--no-trace", f"{fwdir}/tty.elf"])
    seen = read_until(fd, b"joined channel")
    check("joined", b"joined channel" in seen, repr(seen[-200:]))
    # The terminal is raw now: no echo, no line discipline.
    attrs = termios.tcgetattr(fd)
    check("raw mode (no ICANON, no ECHO)",
          not (attrs[3] & termios.ICANON) and not (attrs[3] & termios.ECHO))
    os.write(fd, keys_after_join)
    answer = read_until(fd, b"hELLO, tERMINAL")
    check("case-inverted answer", b"hELLO, tERMINAL" in answer, repr(answer[-200:]))
    os.write(fd, final_key)
    end = time.monotonic() + 10
    status = None
    while time.monotonic() < end:
        read_until(fd, b"\0", 0.1)
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return status


check("Ctrl-D ends the run with status 0", run(b"Hello, Terminal\n", b"\x04") == 0)
check("Ctrl-C stops the run with status 130", run(b"Hello, Terminal\n", b"\x03") == 130)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
