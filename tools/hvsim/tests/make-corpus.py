#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""make-corpus.py OUTDIR: write the seed corpus of fuzz_hvsim.

Each seed is one caller byte (0 privileged, 1 dom0, 2 guest 1, 3 guest 2,
4 a missing domain) followed by xmem-hvsim requests (lib/hvsim_proto.h,
little-endian); a request's req_id picks the caller of the next one.
"""
import os
import struct
import sys

MAGIC, VERSION = 0x4D535648, 2
(PING, PHYSINFO, LIST, MAXMEM, CLAIM, CREATE, DESTROY, CHECK, INCREASE, DECREASE,
 POPULATE, CUR_RES, MAX_RES, SET_FLAGS) = range(1, 15)
PRIV, D0, D1, D2 = 0, 1, 2, 3


def msg(op, payload=b"", next_caller=PRIV, magic=MAGIC, version=VERSION, length=None):
    n = len(payload) if length is None else length
    return struct.pack("<IHHIiII", magic, version, op, next_caller, 0, n, 0) + payload


def memop(n, order, frames=None):
    body = struct.pack("<QII", n, order, 0)
    if frames is not None:
        body += b"".join(struct.pack("<Q", f) for f in frames)
    return body


seeds = {
    "ping": bytes([PRIV]) + msg(PING),
    "physinfo-list": bytes([PRIV]) + msg(PHYSINFO) + msg(LIST, struct.pack("<II", 0, 16)),
    "create-destroy": bytes([PRIV]) + msg(CREATE, struct.pack("<IIQQ", 5, 0, 100, 10))
    + msg(DESTROY, struct.pack("<II", 5, 0)) + msg(CHECK),
    "maxmem-claim": bytes([PRIV]) + msg(MAXMEM, struct.pack("<IIQ", 1, 0, 8192))
    + msg(CLAIM, struct.pack("<IIQ", 2, 0, 1000)) + msg(CLAIM, struct.pack("<IIQ", 2, 0, 0)),
    "guest-balloon": bytes([D1]) + msg(INCREASE, memop(4, 0), next_caller=D1)
    + msg(POPULATE, memop(2, 1, [0x100, 0x102]), next_caller=D1)
    + msg(DECREASE, memop(2, 0, [0x200, 0x201]), next_caller=D1)
    + msg(CUR_RES, next_caller=D1) + msg(MAX_RES),
    "guest-order9": bytes([D2]) + msg(INCREASE, memop(1, 9), next_caller=D2)
    + msg(INCREASE, memop(1, 10), next_caller=D2) + msg(DECREASE, memop(1, 9, [512])),
    "mixed-callers": bytes([PRIV]) + msg(CLAIM, struct.pack("<IIQ", 1, 0, 2000), next_caller=D1)
    + msg(INCREASE, memop(8, 0), next_caller=D2) + msg(INCREASE, memop(8, 2), next_caller=PRIV)
    + msg(DESTROY, struct.pack("<II", 2, 0), next_caller=D2) + msg(CUR_RES),
    "set-flags": bytes([PRIV]) + msg(SET_FLAGS, struct.pack("<II", 1, 4))
    + msg(SET_FLAGS, struct.pack("<II", 2, 1)) + msg(LIST, struct.pack("<II", 0, 8)),
    "bad-magic": bytes([PRIV]) + msg(PING, magic=0x12345678),
    "bad-version": bytes([D1]) + msg(PING, version=7),
    "oversize": bytes([D1]) + msg(DECREASE, length=0xFFFFFFFF),
    "truncated": bytes([D1]) + msg(DECREASE, memop(4, 0, [1, 2, 3, 4]))[:40],
    "wrong-size": bytes([PRIV]) + msg(CREATE, b"\x01\x02\x03") + msg(PING),
    "huge-extents": bytes([D1]) + msg(INCREASE, memop(2**64 - 1, 0)),
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
