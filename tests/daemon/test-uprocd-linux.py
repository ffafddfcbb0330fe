#!/usr/bin/env python3
"""test-uprocd-linux.py UPROCD FIRMWARE_DIR - uprocd's tree and devices behave as
Linux's sysfs, debugfs, /dev/remoteprocN, /dev/rpmsg* and ttyRPMSG do, driven as a
program written for a Linux board drives them: open/read/write/poll/ioctl with
Linux's numbers and structs, the errnos Linux gives, termios on the tty.

Needs root and /dev/fuse (exit 77 otherwise). Every wait is for a condition with a
generous bound; the daemon runs with --stop-on-exit so no core outlives the test."""
import errno
import fcntl
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
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


def errno_of(fn, *args):
    """0 when fn(*args) succeeds, else the errno it fails with."""
    try:
        fn(*args)
        return 0
    except OSError as e:
        return e.errno


def cdev(fd, cmd):
    """write(2) of @cmd to /dev/remoteprocN: 0 or -errno."""
    return -errno_of(os.write, fd, cmd.encode())


def readable(fd, timeout=WAIT):
    p = select.poll()
    p.register(fd, select.POLLIN)
    return bool(p.poll(timeout * 1000))


def read_msg(fd, size=512):
    """One message, waiting at most WAIT for it."""
    if not readable(fd):
        raise TimeoutError("no message")
    return os.read(fd, size)


def poll_now(fd, events=select.POLLIN | select.POLLOUT):
    p = select.poll()
    p.register(fd, events)
    r = p.poll(0)
    return r[0][1] if r else 0


if os.geteuid() != 0 or not os.path.exists("/dev/fuse"):
    print("SKIP: needs root and /dev/fuse")
    sys.exit(SKIP)
for f in ("echo", "tty", "raw", "dual"):
    if not os.path.exists(f"{fwdir}/{f}.elf"):
        print(f"SKIP: no {fwdir}/{f}.elf")
        sys.exit(SKIP)

T = tempfile.mkdtemp(prefix="uprocd-linux.")
os.chmod(T, 0o755)
ROOT, RUN, FW = f"{T}/root", f"{T}/run", f"{T}/fw"
os.makedirs(FW)
os.makedirs(RUN)
for f in ("echo", "tty", "raw", "dual"):
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

[remoteproc echoq]
backend = native
firmware = echo.elf
firmware_path = {FW}
rpmsg_queue_closed = 8

[remoteproc dual]
backend = native
firmware = dual.elf
firmware_path = {FW}
""")
log = open(f"{T}/uprocd.log", "w")
daemon = subprocess.Popen([uprocd, "-c", f"{T}/uprocd.conf", "--stop-on-exit", "-v"],
                          stdout=log, stderr=subprocess.STDOUT)
R0 = f"{ROOT}/class/remoteproc/remoteproc0"
R1 = f"{ROOT}/class/remoteproc/remoteproc1"
R2 = f"{ROOT}/class/remoteproc/remoteproc2"
R3 = f"{ROOT}/class/remoteproc/remoteproc3"
R4 = f"{ROOT}/class/remoteproc/remoteproc4"
D0 = f"{ROOT}/debug/remoteproc/remoteproc0"
DEV = f"{RUN}/dev"


def state(r=R0):
    return read(f"{r}/state").strip()


def cleanup():
    for r in (R0, R1, R2, R3, R4):
        for _ in range(4):
            if os.path.exists(f"{r}/state") and state(r) in ("running", "attached", "crashed"):
                write(f"{r}/state", "stop")
    held = None
    if os.path.exists(f"{DEV}/remoteproc0"):
        held = os.open(f"{DEV}/remoteproc0", os.O_RDWR)  # open across the exit
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(WAIT)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()
    check("uprocd exits cleanly on SIGTERM, a device file open", daemon.returncode == 0,
          str(daemon.returncode))
    if held is not None:
        check("the file open across the exit fails, it does not hang",
              errno_of(os.write, held, b"start") != 0)
        os.close(held)
    text = open(f"{T}/uprocd.log").read()
    check("no sanitizer report in uprocd's log",
          "Sanitizer" not in text and "runtime error:" not in text)
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


RPROC_SET_SHUTDOWN_ON_RELEASE, RPROC_GET_SHUTDOWN_ON_RELEASE = 0x4004B701, 0x8004B702


def get_sor(fd):
    return struct.unpack("i", fcntl.ioctl(fd, RPROC_GET_SHUTDOWN_ON_RELEASE, bytes(4)))[0]


def test_cdev():
    """/dev/remoteprocN: strncmp over the written length, no newline; the
    shutdown-on-release flag (its ioctls) belongs to the processor and any close acts on it."""
    a = os.open(f"{DEV}/remoteproc0", os.O_RDWR)
    check("'start\\n': EINVAL", cdev(a, "start\n") == -errno.EINVAL)
    check("'st' starts", cdev(a, "st") == 0 and state() == "running")
    check("'sto' stops", cdev(a, "sto") == 0 and state() == "offline")
    check("longer than 10 bytes: EINVAL", cdev(a, "start     x") == -errno.EINVAL)
    check("'s' is start", cdev(a, "s") == 0 and state() == "running")
    check("'detach' on running: EINVAL", cdev(a, "detach") == -errno.EINVAL)
    check("read: EINVAL", errno_of(os.read, a, 16) == errno.EINVAL)
    check("unknown ioctl: EINVAL", errno_of(fcntl.ioctl, a, 0x8004B703, bytes(4)) == errno.EINVAL)
    b = os.open(f"{DEV}/remoteproc0", os.O_RDWR)
    check("b sees the flag off", get_sor(b) == 0)
    fcntl.ioctl(a, RPROC_SET_SHUTDOWN_ON_RELEASE, struct.pack("i", 1))
    check("b sees it set by a", get_sor(b) == 1)
    os.close(b)  # any opener's close stops a running processor
    check("b's close stopped it", wait_for(lambda: state() == "offline"))
    check("the flag stays set", get_sor(a) == 1)
    check("start again", cdev(a, "start") == 0)
    fcntl.ioctl(a, RPROC_SET_SHUTDOWN_ON_RELEASE, struct.pack("i", 0))
    os.close(a)
    time.sleep(0.2)
    check("a close without the flag leaves it running", state() == "running")
    write(f"{R0}/state", "stop")


RPMSG_CREATE_EPT, RPMSG_CREATE_DEV, RPMSG_RELEASE_DEV = 0x4028b501, 0x4028b503, 0x4028b504
RPMSG_DESTROY_EPT = 0xb502
RPMSG_GET_OUTGOING_FLOWCONTROL, RPMSG_SET_INCOMING_FLOWCONTROL = 0x8004b505, 0x8004b506


def ctrl_req(fd, cmd, name, src, dst):
    """ioctl(2) on /dev/rpmsg_ctrlN with a struct rpmsg_endpoint_info: 0 or -errno."""
    return -errno_of(fcntl.ioctl, fd, cmd, struct.pack("32sII", name.encode(), src, dst))


def ept_numbers():
    return {int(n[5:]) for n in os.listdir(DEV) if n.startswith("rpmsg") and n[5:].isdigit()}


def create_ept(ctrl_path, name, src, dst=0xFFFFFFFF):
    """CREATE_EPT, then the rpmsgM that appeared (a program on Linux looks the same way)."""
    before = ept_numbers()
    c = os.open(ctrl_path, os.O_RDWR)
    res = ctrl_req(c, RPMSG_CREATE_EPT, name, src, dst)
    os.close(c)
    check(f"CREATE_EPT {name}", res == 0, str(res))
    new = ept_numbers() - before
    check("one rpmsgM appeared, the lowest free number", len(new) == 1 and
          min(new) == min(set(range(256)) - before), str(new))
    return f"{DEV}/rpmsg{min(new)}"


def echo_endpoint():
    """An endpoint on the echo firmware's channel, opened."""
    return os.open(create_ept(f"{DEV}/rpmsg_ctrl0", "rpmsg-client-sample", 0x600), os.O_RDWR)

def test_ctrl_errnos():
    """rpmsg_ctrl: Linux's errnos for CREATE_DEV, RELEASE_DEV, unknown requests."""
    check("start echo", write(f"{R0}/state", "start") == 0)
    check("rpmsg_ctrl0 appears", wait_for(lambda: os.path.exists(f"{DEV}/rpmsg_ctrl0")))
    c = os.open(f"{DEV}/rpmsg_ctrl0", os.O_RDWR)
    check("CREATE_DEV", ctrl_req(c, RPMSG_CREATE_DEV, "compat-chan", 0x500, 0x501) == 0)
    check("CREATE_DEV again: ENXIO",
          ctrl_req(c, RPMSG_CREATE_DEV, "compat-chan", 0x500, 0x501) == -errno.ENXIO)
    check("RELEASE_DEV", ctrl_req(c, RPMSG_RELEASE_DEV, "compat-chan", 0x500, 0x501) == 0)
    check("RELEASE_DEV of a missing one: EINVAL",
          ctrl_req(c, RPMSG_RELEASE_DEV, "compat-chan", 0x500, 0x501) == -errno.EINVAL)
    check("unknown request: EINVAL", ctrl_req(c, 0x4028b5ff, "x", 1, 2) == -errno.EINVAL)
    check("DESTROY_EPT is the endpoint's: EINVAL here",
          errno_of(fcntl.ioctl, c, RPMSG_DESTROY_EPT) == errno.EINVAL)
    check("read: EINVAL", errno_of(os.read, c, 40) == errno.EINVAL)
    check("write: EINVAL", errno_of(os.write, c, b"x") == errno.EINVAL)
    os.close(c)


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
        os.write(ept, b"ping %d" % i)
        check(f"echo {i}", read_msg(ept) == b"ping %d" % i)
    os.close(ept)
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
    wait_for(lambda: state() == "offline")
    time.sleep(0.3)  # and still so a moment later
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
    before = ept_numbers()
    check("start raw", write(f"{R2}/state", "start") == 0)
    check("an rpmsgM appears", wait_for(lambda: len(ept_numbers()) == len(before) + 1))
    new = ept_numbers() - before
    if not new:
        return
    path = f"{DEV}/rpmsg{min(new)}"
    ept = os.open(path, os.O_RDWR)
    os.write(ept, b"abc")
    check("it talks to the channel", read_msg(ept) == b"cba")
    check("its endpoint is the channel's: DESTROY_EPT is EINVAL",
          errno_of(fcntl.ioctl, ept, RPMSG_DESTROY_EPT) == errno.EINVAL)
    os.close(ept)
    check("stop", write(f"{R2}/state", "stop") == 0)
    check("it goes with the channel", wait_for(lambda: min(new) not in ept_numbers()))


def core_pid():
    """The one core process uprocd runs now (the test keeps one running here)."""
    kids = []
    for t in os.listdir(f"/proc/{daemon.pid}/task"):
        with open(f"/proc/{daemon.pid}/task/{t}/children") as f:
            kids += f.read().split()
    return int(kids[0]) if len(kids) == 1 else None


def unknown_address_warnings():
    return open(f"{T}/uprocd.log").read().count("unknown address")


def test_rpmsg_char():
    """/dev/rpmsgM as rpmsg_char: one opener, the endpoint from open to close,
    EMSGSIZE, EAGAIN under O_NONBLOCK, blocking reads and writes, EINTR, EPIPE,
    POLLERR, the flow-control ioctls, DESTROY_EPT."""
    check("start echo", write(f"{R0}/state", "start") == 0)
    check("rpmsg_ctrl0", wait_for(lambda: os.path.exists(f"{DEV}/rpmsg_ctrl0")))
    st = os.stat(f"{DEV}/rpmsg_ctrl0")
    check("rpmsg_ctrl0: root's, 0600", st.st_uid == 0 and st.st_mode & 0o777 == 0o600)
    path = create_ept(f"{DEV}/rpmsg_ctrl0", "rpmsg-client-sample", 0x610)
    fd = os.open(path, os.O_RDWR)
    check("a second opener: EBUSY", errno_of(os.open, path, os.O_RDWR) == errno.EBUSY)
    os.write(fd, b"hello")
    check("one message per read", read_msg(fd) == b"hello")
    os.write(fd, b"0123456789")
    check("a short buffer gets the start of the message", read_msg(fd, 4) == b"0123")
    check("the rest is gone", poll_now(fd, select.POLLIN) == 0 or
          errno_of(os.read, fd, 512) == errno.EAGAIN)
    check("write beyond the MTU (496): EMSGSIZE",
          errno_of(os.write, fd, b"x" * 497) == errno.EMSGSIZE)
    os.write(fd, b"y" * 496)
    check("496 bytes go", read_msg(fd) == b"y" * 496)
    check("poll: POLLOUT, no POLLIN", poll_now(fd) == select.POLLOUT)
    os.set_blocking(fd, False)
    check("O_NONBLOCK read with nothing: EAGAIN", errno_of(os.read, fd, 512) == errno.EAGAIN)
    os.set_blocking(fd, True)
    out = struct.unpack("i", fcntl.ioctl(fd, RPMSG_GET_OUTGOING_FLOWCONTROL, bytes(4)))[0]
    check("GET_OUTGOING_FLOWCONTROL: 0", out == 0)
    check("SET_INCOMING_FLOWCONTROL 1: EOPNOTSUPP (virtio)",
          errno_of(fcntl.ioctl, fd, RPMSG_SET_INCOMING_FLOWCONTROL, 1) == errno.EOPNOTSUPP)
    check("SET_INCOMING_FLOWCONTROL 2: EINVAL",
          errno_of(fcntl.ioctl, fd, RPMSG_SET_INCOMING_FLOWCONTROL, 2) == errno.EINVAL)
    check("unknown ioctl: EINVAL", errno_of(fcntl.ioctl, fd, 0xb5ff) == errno.EINVAL)

    # a blocking read waits for a message written by another thread
    t = threading.Thread(target=lambda: (time.sleep(0.3), os.write(fd, b"late")))
    t.start()
    check("a blocked read gets the message another thread's write brought", os.read(fd, 512) == b"late")
    t.join()

    # a signal answers a blocked read with EINTR (the handler raises)
    class Alarm(Exception):
        pass

    def on_alarm(sig, frame):
        raise Alarm()
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        os.read(fd, 512)
        check("a signal ends a blocked read", False)
    except Alarm:
        check("a signal ends a blocked read", True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)

    # SIGKILL of a program blocked in read ends it (no unkillable wait)
    os.close(fd)
    reader = subprocess.Popen([sys.executable, "-c", "import os, sys; fd = os.open(sys.argv[1], "
                               "os.O_RDWR); print('open', flush=True); os.read(fd, 512)", path],
                              stdout=subprocess.PIPE)
    check("a reader opens it", reader.stdout.readline() == b"open\n")
    time.sleep(0.2)  # into its read (if not yet, the kill ends it all the same)
    reader.kill()
    try:
        reader.wait(WAIT)
        check("SIGKILL ends a blocked reader", True)
    except subprocess.TimeoutExpired:
        check("SIGKILL ends a blocked reader", False)
    check("its close lets the next opener in",
          wait_for(lambda: errno_of(lambda: os.close(os.open(path, os.O_RDWR))) == 0))

    # the remote has no buffer: EAGAIN under O_NONBLOCK, a blocking write waits
    pid = core_pid()
    check("the echo core's process", pid is not None)
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    if pid:
        os.kill(pid, signal.SIGSTOP)
        sent = 0
        while sent < 4096 and errno_of(os.write, fd, b"m") == 0:
            sent += 1
        check(f"a frozen remote takes {sent} messages, then EAGAIN",
              0 < sent < 4096 and errno_of(os.write, fd, b"m") == errno.EAGAIN)
        check("poll: no POLLOUT", poll_now(fd, select.POLLOUT) == 0)
        os.set_blocking(fd, True)
        done = []
        w = threading.Thread(target=lambda: done.append(os.write(fd, b"blocked")))
        w.start()
        os.kill(pid, signal.SIGCONT)
        w.join(WAIT)
        check("the blocked write completes once the remote takes buffers", done == [7])
        got = 0
        while got < sent + 1 and readable(fd):
            os.read(fd, 512)
            got += 1
        check(f"all {sent + 1} echoes come back", got == sent + 1)
        os.set_blocking(fd, False)
        check("POLLOUT again", poll_now(fd, select.POLLOUT) == select.POLLOUT)
    os.close(fd)

    # the endpoint exists while open: what the remote sends after the close is dropped
    if pid:
        fd = os.open(path, os.O_RDWR)
        os.kill(pid, signal.SIGSTOP)
        warned = unknown_address_warnings()
        os.write(fd, b"dropped")
        os.close(fd)
        os.kill(pid, signal.SIGCONT)
        check("the answer to a closed endpoint is dropped (unknown address)",
              wait_for(lambda: unknown_address_warnings() > warned))
        fd = os.open(path, os.O_RDWR)
        os.write(fd, b"after")
        check("the next opener reads only its own", read_msg(fd) == b"after")
        os.close(fd)

    # the channel goes: EPIPE, POLLERR
    fd = os.open(path, os.O_RDWR)
    check("stop", write(f"{R0}/state", "stop") == 0)
    check("read after the channel went: EPIPE", errno_of(os.read, fd, 512) == errno.EPIPE)
    check("write after the channel went: EPIPE", errno_of(os.write, fd, b"x") == errno.EPIPE)
    check("poll: POLLERR", poll_now(fd) & select.POLLERR)
    check("the device went", not os.path.exists(path))
    os.close(fd)

    # DESTROY_EPT on the endpoint
    check("start echo", write(f"{R0}/state", "start") == 0)
    check("rpmsg_ctrl0", wait_for(lambda: os.path.exists(f"{DEV}/rpmsg_ctrl0")))
    path = create_ept(f"{DEV}/rpmsg_ctrl0", "rpmsg-client-sample", 0x620)
    fd = os.open(path, os.O_RDWR)
    check("DESTROY_EPT", errno_of(fcntl.ioctl, fd, RPMSG_DESTROY_EPT) == 0)
    check("its device goes", not os.path.exists(path))
    check("read after DESTROY_EPT: EPIPE", errno_of(os.read, fd, 512) == errno.EPIPE)
    os.close(fd)
    write(f"{R0}/state", "stop")


def test_rpmsg_queue_closed():
    """rpmsg_queue_closed = N: the endpoint lives from CREATE_EPT to DESTROY_EPT
    and what arrives while nobody has it open waits for the next opener."""
    check("start echoq", write(f"{R3}/state", "start") == 0)
    # the only rpmsg bus up: its control device is rpmsg_ctrl0, as on Linux
    check("rpmsg_ctrl0", wait_for(lambda: os.path.exists(f"{DEV}/rpmsg_ctrl0")))
    path = create_ept(f"{DEV}/rpmsg_ctrl0", "rpmsg-client-sample", 0x630)
    fd = os.open(path, os.O_RDWR)
    for m in (b"a", b"b", b"c"):
        os.write(fd, m)
    os.close(fd)  # before any answer is read
    fd = os.open(path, os.O_RDWR)
    got = [read_msg(fd) for _ in range(3)]
    check("answers that came while closed wait for the next opener", got == [b"a", b"b", b"c"],
          str(got))
    os.close(fd)
    write(f"{R3}/state", "stop")


def ctrl_devices():
    return sorted(n for n in os.listdir(DEV) if n.startswith("rpmsg_ctrl"))


def answer_through(ctrl, msg):
    """An endpoint on @ctrl's bus for its rpmsg-client-sample channel: the answer to @msg."""
    fd = os.open(create_ept(f"{DEV}/{ctrl}", "rpmsg-client-sample", 0xFFFFFFFF), os.O_RDWR)
    os.write(fd, msg)
    got = read_msg(fd)
    fcntl.ioctl(fd, RPMSG_DESTROY_EPT)
    os.close(fd)
    return got


def test_ctrl_per_vdev():
    """A control device per rpmsg vdev, numbered as Linux numbers them: the lowest
    free number when the vdev's bus comes up, across processors."""
    check("nothing else up", ctrl_devices() == [], str(ctrl_devices()))
    check("start dual", write(f"{R4}/state", "start") == 0)
    check("two control devices, rpmsg_ctrl0 and 1",
          wait_for(lambda: ctrl_devices() == ["rpmsg_ctrl0", "rpmsg_ctrl1"]), str(ctrl_devices()))
    check("rpmsg_ctrl0 is vdev0's bus (echoes)", answer_through("rpmsg_ctrl0", b"abc") == b"abc")
    check("rpmsg_ctrl1 is vdev1's bus (tags)", answer_through("rpmsg_ctrl1", b"abc") == b"1:abc")
    check("start echo", write(f"{R0}/state", "start") == 0)
    check("echo's is rpmsg_ctrl2", wait_for(lambda: "rpmsg_ctrl2" in ctrl_devices()))
    check("stop dual", write(f"{R4}/state", "stop") == 0)
    check("its two go, echo's stays", wait_for(lambda: ctrl_devices() == ["rpmsg_ctrl2"]),
          str(ctrl_devices()))
    check("echo answers through rpmsg_ctrl2", answer_through("rpmsg_ctrl2", b"xy") == b"xy")
    check("start dual again", write(f"{R4}/state", "start") == 0)
    check("it takes the lowest free numbers again",
          wait_for(lambda: ctrl_devices() == ["rpmsg_ctrl0", "rpmsg_ctrl1", "rpmsg_ctrl2"]),
          str(ctrl_devices()))
    write(f"{R4}/state", "stop")
    write(f"{R0}/state", "stop")


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
                  test_rpmsg_raw_device,
                  test_rpmsg_char,
                  test_rpmsg_queue_closed,
                  test_ctrl_per_vdev]:
            print(f"--- {t.__name__}: {t.__doc__.splitlines()[0]}")
            try:
                t()
            except Exception as e:  # a failed step must not hide the others
                check(t.__name__, False, repr(e))
finally:
    cleanup()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
