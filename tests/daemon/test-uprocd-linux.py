#!/usr/bin/env python3
"""test-uprocd-linux.py UPROCD FIRMWARE_DIR - uprocd's tree and devices behave as
Linux's sysfs, debugfs, /dev/remoteprocN, /dev/rpmsg* and ttyRPMSG do, driven as a
program written for a Linux board drives them (open/write/read and their errnos,
sockets standing for the character devices, termios on the tty).

Needs root and /dev/fuse (exit 77 otherwise). Every wait is for a condition with a
generous bound; the daemon runs with --stop-on-exit so no core outlives the test."""
import errno
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

SKIP = 77
WAIT = 30.0
uprocd, fwdir = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAIL: {name} {detail}")


def wait_for(cond, timeout=WAIT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def write(path, data):
    """What write(2) of @data to @path returns: 0, or the errno."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, data if isinstance(data, bytes) else data.encode())
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def read(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def seqpacket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(WAIT)
    s.connect(path)
    return s


def cdev(s, cmd):
    s.send(cmd if isinstance(cmd, bytes) else cmd.encode())
    return int(s.recv(64).decode().strip())


if os.geteuid() != 0 or not os.path.exists("/dev/fuse"):
    print("SKIP: needs root and /dev/fuse")
    sys.exit(SKIP)
for f in ("echo", "tty", "raw"):
    if not os.path.exists(f"{fwdir}/{f}.elf"):
        print(f"SKIP: no {fwdir}/{f}.elf")
        sys.exit(SKIP)

T = tempfile.mkdtemp(prefix="uprocd-linux.")
os.chmod(T, 0o755)
ROOT, RUN, FW = f"{T}/root", f"{T}/run", f"{T}/fw"
os.makedirs(FW)
os.makedirs(RUN)
for f in ("echo", "tty", "raw"):
    shutil.copy(f"{fwdir}/{f}.elf", FW)
with open(f"{T}/uprocd.conf", "w") as c:
    c.write(f"""[uprocd]
root = {ROOT}
runtime_dir = {RUN}

[remoteproc echo]
backend = native
firmware = echo.elf
firmware_path = {FW}
recovery = disabled

[remoteproc tty]
backend = native
firmware = tty.elf
firmware_path = {FW}

[remoteproc raw]
backend = native
firmware = raw.elf
firmware_path = {FW}
""")
log = open(f"{T}/uprocd.log", "w")
daemon = subprocess.Popen([uprocd, "-c", f"{T}/uprocd.conf", "--stop-on-exit", "-v"],
                          stdout=log, stderr=subprocess.STDOUT)
R0 = f"{ROOT}/class/remoteproc/remoteproc0"
R1 = f"{ROOT}/class/remoteproc/remoteproc1"
R2 = f"{ROOT}/class/remoteproc/remoteproc2"
D0 = f"{ROOT}/debug/remoteproc/remoteproc0"
DEV = f"{RUN}/dev"


def state(r=R0):
    return read(f"{r}/state").strip()


def cleanup():
    for r in (R0, R1, R2):
        for _ in range(4):
            if os.path.exists(f"{r}/state") and state(r) in ("running", "attached", "crashed"):
                write(f"{r}/state", "stop")
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(WAIT)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()
    if os.path.ismount(ROOT):
        subprocess.call(["umount", "-l", ROOT])
    if failed:
        print("=== uprocd log")
        print(open(f"{T}/uprocd.log").read()[-4000:])
    shutil.rmtree(T, ignore_errors=True)


def test_state_start_takes_a_power_reference():
    """Linux 5.19+: start on a running processor succeeds and takes a reference."""
    check("start", write(f"{R0}/state", "start\n") == 0)
    check("running", state() == "running")
    check("start on running: 0", write(f"{R0}/state", "start") == 0)
    check("one stop leaves it running", write(f"{R0}/state", "stop") == 0 and state() == "running")
    check("the second stops it", write(f"{R0}/state", "stop") == 0 and state() == "offline")
    check("stop on offline: EINVAL", write(f"{R0}/state", "stop") == errno.EINVAL)


def test_firmware_name_accepted_while_offline():
    """Linux: any name while offline, the file is looked for at start."""
    check("missing name accepted", write(f"{R0}/firmware", "later.elf\n") == 0)
    check("shown as written", read(f"{R0}/firmware").strip() == "later.elf")
    check("start fails: ENOENT", write(f"{R0}/state", "start") == errno.ENOENT)
    check("still offline", state() == "offline")
    shutil.copy(f"{FW}/echo.elf", f"{FW}/later.elf")
    check("start once it is there", write(f"{R0}/state", "start") == 0 and state() == "running")
    check("firmware: EBUSY while running", write(f"{R0}/firmware", "echo.elf") == errno.EBUSY)
    check("stop", write(f"{R0}/state", "stop") == 0)
    check("outside the firmware path: EACCES", write(f"{R0}/firmware", "../uprocd.conf") == errno.EACCES)
    check("empty: EINVAL", write(f"{R0}/firmware", "\n") == errno.EINVAL)
    check("back to echo.elf", write(f"{R0}/firmware", "echo.elf") == 0)


def test_cdev():
    """/dev/remoteprocN: strncmp over the written length, no newline; the
    shutdown-on-release flag belongs to the processor and any close acts on it."""
    a = seqpacket(f"{DEV}/remoteproc0")
    check("'start\\n': EINVAL", cdev(a, "start\n") == -errno.EINVAL)
    check("'st' starts", cdev(a, "st") == 0 and state() == "running")
    check("'sto' stops", cdev(a, "sto") == 0 and state() == "offline")
    check("longer than 10 bytes: EINVAL", cdev(a, "start     x") == -errno.EINVAL)
    check("'s' is start", cdev(a, "s") == 0 and state() == "running")
    check("'detach' on running: EINVAL", cdev(a, "detach") == -errno.EINVAL)
    b = seqpacket(f"{DEV}/remoteproc0")
    check("b sees the flag off", cdev(b, "get_shutdown_on_release") == 0)
    check("a sets it", cdev(a, "set_shutdown_on_release 1") == 0)
    check("b sees it set", cdev(b, "get_shutdown_on_release") == 1)
    b.close()  # any opener's close stops a running processor
    check("b's close stopped it", wait_for(lambda: state() == "offline"))
    check("the flag stays set", cdev(a, "get_shutdown_on_release") == 1)
    check("start again", cdev(a, "start") == 0)
    check("clear it", cdev(a, "set_shutdown_on_release 0") == 0)
    a.close()
    time.sleep(0.2)
    check("a close without the flag leaves it running", state() == "running")
    write(f"{R0}/state", "stop")


RPMSG_CREATE_EPT, RPMSG_CREATE_DEV, RPMSG_RELEASE_DEV = 0x4028b501, 0x4028b503, 0x4028b504


def ctrl_req(s, cmd, name, src, dst):
    s.send(struct.pack("<I32sII", cmd, name.encode(), src, dst))
    return struct.unpack("<iI", s.recv(8))


def echo_endpoint():
    """An endpoint on the echo firmware's channel, and its socket."""
    ctrl = seqpacket(f"{DEV}/rpmsg_ctrl0")
    res, m = ctrl_req(ctrl, RPMSG_CREATE_EPT, "rpmsg-client-sample", 0x600, 0xFFFFFFFF)
    ctrl.close()
    check("CREATE_EPT", res == 0, str(res))
    return seqpacket(f"{DEV}/rpmsg{m}")


def test_ctrl_errnos():
    """rpmsg_ctrl: Linux's errnos for CREATE_DEV, RELEASE_DEV, unknown requests."""
    check("start echo", write(f"{R0}/state", "start") == 0)
    check("rpmsg_ctrl0 appears", wait_for(lambda: os.path.exists(f"{DEV}/rpmsg_ctrl0")))
    c = seqpacket(f"{DEV}/rpmsg_ctrl0")
    check("CREATE_DEV", ctrl_req(c, RPMSG_CREATE_DEV, "compat-chan", 0x500, 0x501)[0] == 0)
    check("CREATE_DEV again: ENXIO",
          ctrl_req(c, RPMSG_CREATE_DEV, "compat-chan", 0x500, 0x501)[0] == -errno.ENXIO)
    check("RELEASE_DEV", ctrl_req(c, RPMSG_RELEASE_DEV, "compat-chan", 0x500, 0x501)[0] == 0)
    check("RELEASE_DEV of a missing one: EINVAL",
          ctrl_req(c, RPMSG_RELEASE_DEV, "compat-chan", 0x500, 0x501)[0] == -errno.EINVAL)
    check("unknown request: EINVAL", ctrl_req(c, 0x1234, "x", 1, 2)[0] == -errno.EINVAL)
    c.close()


def test_carveouts_and_trace():
    """debugfs: carveout_memories in Linux's formats; trace follows the buffer."""
    import re
    text = read(f"{D0}/carveout_memories")
    entry = (r"Carveout memory entry:\n\tName: \S+\n\tVirtual address: [0-9a-f]{16}\n"
             r"\tDMA address: 0x[0-9a-f]{16}\n\tDevice address: 0x[0-9a-f]{1,8}\n"
             r"\tLength: 0x[0-9a-f]+ Bytes\n\n")
    check("carveout_memories format", re.fullmatch(f"({entry})+", text) is not None, text[:300])
    check("vdev0vring0 listed", "\tName: vdev0vring0\n" in text)
    fd = os.open(f"{D0}/trace0", os.O_RDONLY)
    before = os.pread(fd, 1 << 16, 0)
    ept = echo_endpoint()
    for i in range(9):  # the echo firmware traces its first 8 messages
        ept.send(b"ping %d" % i)
        check(f"echo {i}", ept.recv(512) == b"ping %d" % i)
    ept.close()
    after = os.pread(fd, 1 << 16, 0)
    os.close(fd)
    check("the open trace file shows what was traced since",
          len(after) > len(before) and b"echo: message 8" in after, repr(after[-200:]))


def test_tty_termios():
    """ttyRPMSG: tty_std_termios less ECHO, ICANON, OPOST, ONLCR."""
    check("start tty", write(f"{R1}/state", "start") == 0)
    tty = f"{DEV}/ttyRPMSG0"
    check("ttyRPMSG0 appears", wait_for(lambda: os.path.exists(tty)))
    fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    iflag, oflag, cflag, lflag, ispeed, ospeed, cc = termios.tcgetattr(fd)
    os.close(fd)
    check("ECHO, ICANON off", not lflag & (termios.ECHO | termios.ICANON))
    check("ISIG, IEXTEN on", lflag & termios.ISIG and lflag & termios.IEXTEN)
    check("ICRNL, IXON on", iflag & termios.ICRNL and iflag & termios.IXON)
    check("OPOST, ONLCR off", not oflag & (termios.OPOST | termios.ONLCR))
    check("CS8, CREAD, 38400", cflag & termios.CSIZE == termios.CS8 and cflag & termios.CREAD
          and ospeed == termios.B38400)
    write(f"{R1}/state", "stop")


def test_inline_coredump():
    """While recovery waits for an inline dump the state reads offline; a reader
    that copies the dump's size and closes (GNU cp) releases it."""
    if state() != "running":
        write(f"{R0}/state", "start")
    check("inline", write(f"{R0}/coredump", "inline") == 0)
    check("recovery enabled", write(f"{R0}/recovery", "enabled") == 0)
    check("crash", write(f"{D0}/crash", "2") == 0)
    dcdir = f"{ROOT}/class/devcoredump"
    check("dump offered", wait_for(lambda: os.listdir(dcdir)))
    time.sleep(0.3)
    check("state offline while it waits", state() == "offline", state())
    data = f"{dcdir}/{os.listdir(dcdir)[0]}/data"
    fd = os.open(data, os.O_RDONLY)
    size = os.fstat(fd).st_size
    got = b""
    while len(got) < size:  # the file's size and no more, as cp does
        chunk = os.read(fd, min(65536, size - len(got)))
        if not chunk:
            break
        got += chunk
    check("an ELF core of its size", got[:4] == b"\x7fELF" and len(got) == size and size > 0)
    check("not released while open", state() == "offline")
    os.close(fd)
    check("released by the close: recovery went on", wait_for(lambda: state() == "running"))
    write(f"{R0}/coredump", "disabled")
    write(f"{R0}/state", "stop")


def test_rpmsg_raw_device():
    """A channel the remote announces as rpmsg-raw gets an endpoint device by
    itself (Linux's rpmsg_chrdev), gone with the channel."""
    def raw_eps():
        return sorted(n for n in os.listdir(DEV) if n.startswith("rpmsg") and n[5:].isdigit())
    before = raw_eps()
    check("start raw", write(f"{R2}/state", "start") == 0)
    check("an rpmsgM appears", wait_for(lambda: len(raw_eps()) == len(before) + 1))
    new = [n for n in raw_eps() if n not in before]
    if not new:
        return
    ept = seqpacket(f"{DEV}/{new[0]}")
    ept.send(b"abc")
    check("it talks to the channel", ept.recv(512) == b"cba")
    ept.close()
    check("stop", write(f"{R2}/state", "stop") == 0)
    check("it goes with the channel", wait_for(lambda: new[0] not in raw_eps()))


try:
    if not wait_for(lambda: os.path.exists(f"{R0}/state")):
        check("uprocd came up", False)
    else:
        for t in [test_state_start_takes_a_power_reference,
                  test_firmware_name_accepted_while_offline,
                  test_cdev,
                  test_ctrl_errnos,
                  test_carveouts_and_trace,
                  test_tty_termios,
                  test_inline_coredump,
                  test_rpmsg_raw_device]:
            print(f"--- {t.__name__}: {t.__doc__.splitlines()[0]}")
            try:
                t()
            except Exception as e:  # a failed step must not hide the others
                check(t.__name__, False, repr(e))
finally:
    cleanup()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
