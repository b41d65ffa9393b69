#!/usr/bin/env python3
# busfake.py BUS: appends a bogus record (a length no frame can have) to a
# shmif bus (kernel/net/if_shmif.h) under its lock, as a broken or
# hostile writer would, for shmif.bats: the receivers must count it and
# go on.  Only the test calls this; the format is the header's.
import mmap, struct, sys, time

HDR = 4096
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    magic, ver, lock, wake, waiters, hsz, rsize, _, head, tail, frames = \
        struct.unpack_from("<8I3Q", m, 0)
    assert magic == 0x46485352, "not a bus"
    # The lock: test-and-set as the kernels do (0 free, 1 held).
    while struct.unpack_from("<I", m, 8)[0] != 0:
        time.sleep(0.001)
    struct.pack_into("<I", m, 8, 1)
    rec = struct.pack("<IIQ", 0x7fffffff, 0x12345678, 42) + b"\xee" * 48
    off = tail % rsize
    for i, b in enumerate(rec):
        m[HDR + (off + i) % rsize] = b
    struct.pack_into("<Q", m, 40, tail + len(rec))
    struct.pack_into("<I", m, 8, 0)
    struct.pack_into("<I", m, 12, (wake + 1) & 0xffffffff)
    m.close()
