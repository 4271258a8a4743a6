#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpus of fuzz_stored: scripts of xenstore frames (see
tests/fuzz/fuzz_stored.c for the chunk format) covering every message type,
both connections, transactions, watches and domain operations."""
import os
import struct
import sys

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5, TX_START=6,
         TX_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13,
         SET_PERMS=14, IS_INTRODUCED=17, RESUME=18, SET_TARGET=19, RESET_WATCHES=21,
         DIRECTORY_PART=22)


def frame(t, payload, tx=0):
    return struct.pack("<IIII", T[t], 1, tx, len(payload)) + payload


def script(frames):
    """frames: list of (conn, bytes); chunks of at most 127 bytes."""
    out = b""
    for conn, data in frames:
        for i in range(0, len(data), 127):
            part = data[i:i + 127]
            out += bytes([(conn << 7) | len(part)]) + part
    return out


P, G = 0, 1
seeds = {
    "basic": [(P, frame("WRITE", b"/a/b\0value")), (P, frame("READ", b"/a/b\0")),
              (P, frame("DIRECTORY", b"/a\0")), (P, frame("RM", b"/a\0")),
              (P, frame("MKDIR", b"rel\0")), (P, frame("GET_PERMS", b"/\0"))],
    "guest": [(P, frame("MKDIR", b"/local/domain/5/data\0")),
              (P, frame("SET_PERMS", b"/local/domain/5/data\0n5\0")),
              (G, frame("WRITE", b"data/x\0y")), (G, frame("READ", b"data/x\0")),
              (G, frame("WRITE", b"/tool/x\0y")), (G, frame("SET_PERMS", b"data/x\0n0\0")),
              (G, frame("SET_PERMS", b"data/x\0n5\0r7\0"))],
    "watch": [(P, frame("WATCH", b"/w\0tok\0")), (P, frame("WRITE", b"/w/a\0x")),
              (P, frame("WATCH", b"/w\0d\0" b"0\0")), (P, frame("RM", b"/w\0")),
              (P, frame("UNWATCH", b"/w\0tok\0")), (G, frame("WATCH", b"@releaseDomain\0r\0")),
              (G, frame("RESET_WATCHES", b"\0"))],
    "transaction": [(P, frame("TX_START", b"\0")), (P, frame("WRITE", b"/t/a\0x", 1)),
                    (P, frame("READ", b"/t/a\0", 1)), (P, frame("RM", b"/t\0", 1)),
                    (P, frame("WRITE", b"/t/b\0y", 1)), (P, frame("TX_END", b"T\0", 1)),
                    (G, frame("TX_START", b"\0")), (G, frame("WRITE", b"data/q\0x", 1)),
                    (G, frame("RESET_WATCHES", b"\0", 1)), (G, frame("TX_END", b"F\0", 1))],
    "domain": [(P, frame("INTRODUCE", b"7\0" b"1\0" b"1\0")),
               (P, frame("IS_INTRODUCED", b"7\0")), (P, frame("SET_TARGET", b"7\0" b"5\0")),
               (P, frame("GET_DOMAIN_PATH", b"7\0")), (P, frame("RESUME", b"7\0")),
               (P, frame("RELEASE", b"7\0")), (P, frame("CONTROL", b"check\0")),
               (P, frame("CONTROL", b"quota\0set\0nodes\0" b"5\0")),
               (P, frame("CONTROL", b"memreport\0json\0"))],
    "directory_part": [(P, frame("WRITE", b"/d/aaaaaaaa\0")), (P, frame("WRITE", b"/d/bbbb\0")),
                       (P, frame("DIRECTORY_PART", b"/d\0" b"0\0")),
                       (P, frame("DIRECTORY_PART", b"/d\0" b"9\0"))],
    "bad": [(P, struct.pack("<IIII", 2, 1, 0, 5000)), (G, struct.pack("<IIII", 999, 1, 0, 0)),
            (G, frame("READ", b"no-nul")), (G, frame("WRITE", b"//x\0")),
            (G, frame("READ", b"/x\0", 77))],
}
outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus", "stored")
os.makedirs(outdir, exist_ok=True)
for name, frames in seeds.items():
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(script(frames))
