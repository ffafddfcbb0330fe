#!/usr/bin/env python3
"""test-cli-run-tty.py UPROC FIRMWARE_DIR - "uproc run" on a terminal, as a person
types at it: by default a line at a time, echoed as typed and sent on Enter
(Backspace edits); with --raw keystrokes go out as typed. Answers come back
case-inverted, trace lines never split a line of the remote's output, Ctrl-D ends
the run (status 0), Ctrl-C stops it (status 130), the prompt comes back on a fresh
line and the terminal's mode is restored."""
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


def start(args):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(uproc, [uproc, "run"] + args)
    seen = read_until(fd, b"joined channel")
    check("joined", b"joined channel" in seen, repr(seen[-200:]))
    return pid, fd


def finish(pid, fd, final_key):
    """Send @final_key; the exit status and what the screen showed meanwhile."""
    os.write(fd, final_key)
    end = time.monotonic() + 10
    status = None
    tail = b""
    while time.monotonic() < end:
        tail += read_until(fd, b"\0", 0.1)
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    tail += read_until(fd, b"\0", 0.2)
    os.close(fd)
    return status, tail


def run(keys_after_join, final_key, args=()):
    pid, fd = start(list(args) + ["--no-trace", f"{fwdir}/tty.elf"])
    # The terminal is raw now: the run echoes (line mode) or not (--raw) itself.
    attrs = termios.tcgetattr(fd)
    check("raw mode (no ICANON, no ECHO)",
          not (attrs[3] & termios.ICANON) and not (attrs[3] & termios.ECHO))
    os.write(fd, keys_after_join)
    answer = read_until(fd, b"hELLO, tERMINAL")
    check("case-inverted answer", b"hELLO, tERMINAL" in answer, repr(answer[-200:]))
    return finish(pid, fd, final_key)[0]


for mode in ([], ["--raw"]):
    check(f"{mode} Ctrl-D ends the run with status 0",
          run(b"Hello, Terminal\n", b"\x04", mode) == 0)
    check(f"{mode} Ctrl-C stops the run with status 130",
          run(b"Hello, Terminal\n", b"\x03", mode) == 130)

# Line mode: keys are echoed as typed and nothing goes out before Enter; Backspace
# edits the line; the line sent is the edited one.
pid, fd = start(["--no-trace", f"{fwdir}/tty.elf"])
os.write(fd, b"Hellx")
echo = read_until(fd, b"Hellx")
check("line mode echoes what is typed", b"Hellx" in echo, repr(echo[-200:]))
os.write(fd, b"\x7fo, Line\r")
answer = read_until(fd, b"hELLO, lINE")
check("Enter sends the edited line", b"hELLO, lINE" in answer and b"hELLX" not in answer,
      repr(answer[-300:]))
check("the typed line stays on the screen above its answer",
      answer.find(b"\r\n", answer.rfind(b"o, Line")) < answer.find(b"hELLO, lINE"),
      repr(answer[-300:]))
# A half-typed line, then Ctrl-C: the prompt must come back on a fresh line.
os.write(fd, b"half a line")
read_until(fd, b"half a line")
status, tail = finish(pid, fd, b"\x03")
check("Ctrl-C with a half-typed line: status 130", status == 130)
check("the prompt returns on a fresh line", tail.endswith(b"\n"), repr(tail[-100:]))

# Trace lines never split a line of output: "abc" comes back as "ABC" with no
# newline, and the firmware traces each message; its trace line must not land
# after "ABC" on the same line (it waits for the line's end, or goes below it).
pid, fd = start(["--raw", f"{fwdir}/tty.elf"])
os.write(fd, b"abc")
shown = read_until(fd, b"ABC")
os.write(fd, b"def\n")
shown += read_until(fd, b"DEF\r\n")
shown += read_until(fd, b"tty: 2:", 5)
check("the trace of each message is shown", b"[trace] tty: 2:" in shown, repr(shown[-300:]))
check("no trace line splits the output line",
      b"ABC[trace]" not in shown
      and all(i == 0 or shown[i - 1:i] == b"\n"
              for i in range(len(shown)) if shown.startswith(b"[trace]", i)),
      repr(shown[-400:]))
status, tail = finish(pid, fd, b"\x04")
check("--raw Ctrl-D: status 0", status == 0)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
