#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Image-level checks of the example firmware built for the emulated cores.

usage: test-firmware-images.py UPROC FIRMWARE_DIR PLATFORM...

For every example (echo, tty, console, crash, flood) built for each PLATFORM
(cortex-m, riscv32, mips32be, mips32le), checks with `uproc inspect` and readelf
that the image is what uproc/emulated.h expects: the machine and byte order, the
segments inside the core's RAM at their device addresses, the resource table (a
trace buffer at the top of RAM and the example's vdev), the entry point and what
the core reads at reset (Cortex-M vector table: SP, Reset_Handler, SysTick and the
mailbox's IRQ 0; MIPS: the exception vector at 0x80100180), nothing undefined,
and the crash example's per-architecture fault functions.
"""
import re
import struct
import subprocess
import sys

RAM_DA, RAM_SIZE, TRACE_SIZE = 0x00100000, 0x00200000, 0x4000
EXAMPLES = {"echo": 7, "tty": 7, "crash": 7, "flood": 7, "console": 3}
MACHINE = {
    "cortex-m": ("little-endian", "ARM (40)"),
    "riscv32": ("little-endian", "RISC-V (243)"),
    "mips32be": ("big-endian", "MIPS (8)"),
    "mips32le": ("little-endian", "MIPS (8)"),
}

failures = []


def fail(path, msg):
    failures.append(f"{path}: {msg}")


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def symbols(path):
    """name -> (value, section index or 'UND'/'ABS')"""
    rc, out = run("readelf", "-W", "-s", path)
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[0][:-1].isdigit():
            syms.setdefault(f[7], (int(f[1], 16), f[6]))
            if f[6] == "UND" and f[7] and int(f[0][:-1]) != 0:
                syms[f[7]] = (0, "UND")
    return syms


def undefined(path):
    rc, out = run("readelf", "-W", "-s", path)
    und = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[6] == "UND" and f[0] != "0:":
            und.append(f[7])
    return und


def entry(path):
    rc, out = run("readelf", "-W", "-h", path)
    m = re.search(r"Entry point address:\s+0x([0-9a-f]+)", out)
    return int(m.group(1), 16) if m else None


def read_at_da(path, da, n, le):
    """n 32-bit words of the image at device address da (from its segments)."""
    with open(path, "rb") as f:
        data = f.read()
    cls_le = data[5] == 1
    end = "<" if cls_le else ">"
    phoff, = struct.unpack_from(end + "I", data, 28)
    phentsize, phnum = struct.unpack_from(end + "HH", data, 42)
    for i in range(phnum):
        p_type, off, vaddr, paddr, filesz = struct.unpack_from(end + "IIIII", data,
                                                               phoff + i * phentsize)
        if p_type == 1 and paddr <= da and da + 4 * n <= paddr + filesz:
            at = off + da - paddr
            return list(struct.unpack_from(end + f"{n}I", data, at))
    return None


def check(platform, name, vdev_id, path):
    order, machine = MACHINE[platform]
    rc, out = run(UPROC, "inspect", path)
    if rc != 0:
        fail(path, f"uproc inspect failed ({rc}): {out.strip()[:300]}")
        return
    if f"ELF32 {order}, machine {machine}" not in out:
        fail(path, f"not ELF32 {order} {machine}: {out.splitlines()[0]}")
    for m in re.finditer(r"da (0x[0-9a-f]+) memsz (0x[0-9a-f]+)", out):
        da, memsz = int(m.group(1), 16), int(m.group(2), 16)
        if da < RAM_DA or da + memsz > RAM_DA + RAM_SIZE:
            fail(path, f"segment at da {da:#x} (+{memsz:#x}) outside RAM")
    if "Entry 0 is of type trace" not in out or \
            f"Device Address {RAM_DA + RAM_SIZE - TRACE_SIZE:#x}" not in out:
        fail(path, "no trace buffer at the top of RAM in the resource table")
    if "Entry 1 is of type vdev" not in out or f"  ID {vdev_id}\n" not in out:
        fail(path, f"no vdev of id {vdev_id} in the resource table")
    und = undefined(path)
    if und:
        fail(path, f"undefined symbols: {und}")

    syms = symbols(path)
    e = entry(path)
    if platform == "cortex-m":
        reset = syms.get("Reset_Handler", (None,))[0]
        if e != reset or not (e & 1):
            fail(path, f"entry {e:#x} is not Reset_Handler (Thumb) {reset}")
        vec = read_at_da(path, RAM_DA, 17, True)
        if vec is None:
            fail(path, "no vector table at the start of RAM")
        else:
            want = {0: "__uproc_stack_top", 1: "Reset_Handler", 15: "SysTick_Handler",
                    16: "Mailbox_IRQHandler"}
            for i, s in want.items():
                if vec[i] != syms.get(s, (None,))[0]:
                    fail(path, f"vector {i} = {vec[i]:#x}, not {s}")
            if vec[0] != RAM_DA + RAM_SIZE - TRACE_SIZE:
                fail(path, f"initial SP {vec[0]:#x} is not below the trace buffer")
            if not all(vec[i] & 1 for i in (1, 15, 16)):
                fail(path, "a handler in the vector table without the Thumb bit")
    elif platform == "riscv32":
        if e != RAM_DA or syms.get("_start", (None,))[0] != RAM_DA:
            fail(path, f"entry {e:#x} is not _start at the start of RAM")
        trap = syms.get("uproc_fw_trap_entry", (None,))[0]
        if trap is None or trap % 4:
            fail(path, "no 4-byte aligned trap entry for mtvec")
    else:
        if e != 0x80000000 + RAM_DA or syms.get("_start", (None,))[0] != e:
            fail(path, f"entry {e:#x} is not _start at kseg0 0x80100000")
        if syms.get("uproc_fw_exception_vector", (None,))[0] != 0x80100180:
            fail(path, "the exception vector is not at 0x80100180")
        # The vector's first instruction is in the image at device 0x100180.
        if read_at_da(path, RAM_DA + 0x180, 1, platform == "mips32le") is None:
            fail(path, "the exception vector has no bytes in the image")
    if name == "crash":
        for s in ("crash_null_store", "crash_misaligned"):
            if s not in syms:
                fail(path, f"crash example without {s}")


if len(sys.argv) < 3:
    sys.exit(__doc__)
UPROC, FW_DIR = sys.argv[1], sys.argv[2]
platforms = sys.argv[3:]
if not platforms:
    print("no emulated platform can be built here: nothing to check")
    sys.exit(0)
count = 0
for platform in platforms:
    for name, vdev_id in EXAMPLES.items():
        check(platform, name, vdev_id, f"{FW_DIR}/{name}-{platform}.elf")
        count += 1
for f in failures:
    print("FAIL", f)
print(f"{count} images, {len(failures)} failures")
sys.exit(1 if failures else 0)
