#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-rpmsg-rx (fuzz/rpmsg/corpus): small programs
of the target's operations (see fuzz_rpmsg_rx.c for the encoding)."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
os.makedirs(out, exist_ok=True)

def raw(dst, hlen, used, payload):
    return bytes([0]) + struct.pack(">HHHB", dst, hlen, used, len(payload)) + payload

def ns(name, addr, flags, size=40):
    body = name.ljust(32, b"\0")[:32] + struct.pack("<II", addr, flags)
    body = (body + b"\0" * 8)[:size]
    return bytes([1, size]) + body

PUMP = bytes([6])
seeds = {
    "good-message": b"\x01" + raw(0, 4, 20, b"ping") + PUMP,
    "hdr-len-beyond-buffer": b"\x01" + raw(0, 600, 512, b"x") + PUMP + raw(0, 2, 18, b"ok") + PUMP,
    "short-used-len": b"\x01" + raw(0, 0, 8, b"") + PUMP,
    "ns-create-destroy": b"\x01" + ns(b"fz", 2001, 0) + PUMP + ns(b"fz", 2001, 1) + PUMP,
    "ns-wrong-size": b"\x01" + ns(b"fz", 2001, 0, 39) + PUMP + ns(b"fz", 2001, 0, 41) + PUMP,
    "ns-no-terminator": b"\x01" + ns(b"A" * 32, 2002, 0) + PUMP,
    "used-bad-id": b"\x01" + bytes([2, 77, 0, 20, 1]) + PUMP + bytes([5, 0, 8]) + PUMP,
    "used-idx-jump": b"\x01" + bytes([2, 0, 0, 20, 0, 0x10, 0]) + PUMP,
    "desc-outside": b"\x01" + bytes([5, 0, 4, 3, 1, 0xff, 0xff, 0xf0, 0, 0, 64, 0, 0, 1]) + PUMP,
    "desc-loop": b"\x01" + bytes([5, 0, 4, 3, 0, 0, 0, 0x30, 0, 0, 64, 1, 0, 0]) + PUMP,
    "indirect": b"\x01" + bytes([5, 0, 4, 3, 2, 0, 0, 0x30, 0, 0, 32, 4, 0, 2]) + PUMP,
    "poke-rings": b"\x00" + bytes([4, 0x10, 0x02, 0xff, 4, 0x00, 0x0c, 0x03]) + PUMP + bytes([5, 0, 40]) + PUMP,
    "traffic": b"\x01" + bytes([5, 1, 0xf0, 6, 5, 0, 16, 6, 5, 2, 0, 6]),
}
for name, blob in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)
