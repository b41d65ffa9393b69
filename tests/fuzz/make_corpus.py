#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_sysproxy.c: small valid and
near-valid inputs for each of its modes, in the layout its header comment
describes.  Nothing binary is checked in; the fuzz tests run this into a
temporary directory each time.  By hand:

    python3 tests/fuzz/make_corpus.py [OUTDIR [SYSCALLS_MASTER]]

OUTDIR defaults to tests/fuzz/corpus (ignored by git).  System call numbers
come from syscalls.master, the table the wire uses.  The layouts are those
of sysproxy/sp_proto.h (little-endian); struct sizes are x86_64 Linux ones,
which only matters for how valid a seed is, never for safety."""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

SP_MAGIC = 0x504D5552
SP_HELLO, SP_WELCOME, SP_REFUSE, SP_SYSCALL, SP_REPLY, SP_PREFORK = 1, 2, 3, 4, 5, 6
SP_NULLSEG = 2**64 - 1
MODE_SCALL, MODE_HELLO, MODE_REPLY, MODE_STREAM, MODE_ROUNDTRIP = range(5)
# The calls of modes 2 and 4 (setup_call() in fuzz_client.c).
CALLS = ["read", "write", "stat", "readv", "writev", "fcntl", "ioctl",
         "poll", "getdents64", "prlimit64", "getgroups", "ppoll", "open",
         "utimensat", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
         "getsockname"]
FIONREAD, FIONBIO, TCGETS = 0x541B, 0x5421, 0x5401
F_GETLK, F_GETFD = 5, 1
EIO = 5


def sysnums(master):
    nums = {}
    pat = re.compile(r"^(\d+)\s+\S+\s+\S+\s+.*?(\w+)\(")
    with open(master, encoding="utf-8") as f:
        for line in f:
            m = pat.match(line)
            if m:
                nums[m.group(2)] = int(m.group(1))
    return nums


def u64(v):
    return struct.pack("<Q", v & (2**64 - 1))


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


def seg(data):
    """A request/reply segment: its length, the bytes, padding."""
    return u64(len(data)) + pad8(data)


def call(num, args, *segs):
    return struct.pack("<II", num, len(args)) + b"".join(
        u64(a) for a in args) + b"".join(segs)


def hello(kind=1, secret=b"s3cret", name=b"prog", version=1, magic=SP_MAGIC,
          cookie=b"\0" * 16, zero=0, secretlen=None, namelen=None):
    return struct.pack("<IHH16sHHI", magic, version, kind, cookie,
                       len(secret) if secretlen is None else secretlen,
                       len(name) if namelen is None else namelen,
                       zero) + secret + name


def msgrec(namelen=0, present=0, iovlen=0, controllen=0):
    """struct sp_msgrec (sysproxy/sp_proto.h)."""
    return struct.pack("<IIQQQ", namelen, present, iovlen, controllen, 0)


def reply(retval=0, error=0, *segs):
    return struct.pack("<qiI", retval, error, 0) + b"".join(segs)


def frame(ftype, body):
    return struct.pack("<IHH", 8 + len(body), ftype, 0) + body


def seeds(n):
    out = {}
    PTR = 0x7F0000001000        # a client pointer: the server ignores it
    iov2 = u64(10) + u64(20)
    bodies = {
        "read": call(n["read"], [3, PTR, 100], seg(b"")),
        "write": call(n["write"], [1, PTR, 5], seg(b"hello")),
        "open": call(n["open"], [PTR, 0, 0], seg(b"/tmp/x\0")),
        "stat": call(n["stat"], [PTR, PTR], seg(b"/\0"), seg(b"")),
        "readv": call(n["readv"], [3, PTR, 2], seg(iov2)),
        "writev": call(n["writev"], [3, PTR, 2], seg(iov2 + b"a" * 10 +
                                                      b"b" * 20)),
        "ioctl-fionread": call(n["ioctl"], [3, FIONREAD, PTR], seg(b"")),
        "ioctl-fionbio": call(n["ioctl"], [3, FIONBIO, PTR],
                              seg(struct.pack("<i", 1))),
        "ioctl-tcgets": call(n["ioctl"], [3, TCGETS, PTR]),
        "fcntl-getlk": call(n["fcntl"], [3, F_GETLK, PTR], seg(b"\0" * 32)),
        "fcntl-getfd": call(n["fcntl"], [3, F_GETFD, 0]),
        "poll": call(n["poll"], [PTR, 2, 0], seg(b"\0" * 16)),
        "getgroups-null": call(n["getgroups"], [0, 0], u64(SP_NULLSEG)),
        "prlimit64": call(n["prlimit64"], [0, 7, 0, PTR], u64(SP_NULLSEG),
                          seg(b"")),
        "getdents64": call(n["getdents64"], [3, PTR, 4096], seg(b"")),
        # Socket arguments (sp_msg.c): msghdr records and @valres rooms.
        "sendmsg": call(n["sendmsg"], [3, PTR, 0], seg(
            msgrec(16, 3, 2, 24) + pad8(b"\2\0" + b"n" * 14) +
            pad8(b"c" * 24) + iov2 + pad8(b"a" * 10 + b"b" * 20))),
        "recvmsg": call(n["recvmsg"], [3, PTR, 0], seg(
            msgrec(128, 7, 2, 64) + iov2)),
        "recvmmsg": call(n["recvmmsg"], [3, PTR, 2, 0, 0], seg(
            (msgrec(16, 3, 1, 0) + u64(100)) * 2), u64(SP_NULLSEG)),
        "sendmmsg": call(n["sendmmsg"], [3, PTR, 2, 0], seg(
            (msgrec(0, 2, 1, 0) + u64(3) + pad8(b"xyz")) * 2)),
        "sendmmsg-refused": call(n["sendmmsg"], [3, PTR, 2, 0], seg(
            msgrec(0, 2, 1, 0) + u64(3) + pad8(b"xyz") +
            msgrec(0, 2, 5000, 0))),
        "getsockname": call(n["getsockname"], [3, PTR, PTR], seg(b""),
                            seg(struct.pack("<I", 1 << 20))),
        "accept-null": call(n["accept"], [3, 0, 0], u64(SP_NULLSEG),
                            u64(SP_NULLSEG)),
        "unknown": call(511, []),
        "outofrange": call(100000, [1, 2]),
    }
    for name, body in bodies.items():
        out["scall-" + name] = bytes([MODE_SCALL, 2]) + body
    # Near-valid ones: each breaks one rule.
    near = {
        "truncated": bodies["write"][:-3],
        "nopad": call(n["write"], [1, PTR, 5], u64(5) + b"hello"),
        "nonul": call(n["open"], [PTR, 0, 0], seg(b"/tmp/x")),
        "nargs": call(n["read"], [3, PTR], seg(b"")),
        "seglen": call(n["write"], [1, PTR, 5], u64(2**63) + b"hello\0\0\0"),
        "iovcount": call(n["readv"], [3, PTR, 1 << 20], seg(iov2)),
        "iovbytes": call(n["writev"], [3, PTR, 2], seg(iov2 + b"a" * 8)),
        "bigread": call(n["read"], [3, PTR, 1 << 25], seg(b"")),
        "trailing": bodies["fcntl-getfd"] + b"\0" * 8,
        "msg-iovlen": call(n["sendmsg"], [3, PTR, 0], seg(
            msgrec(0, 2, 1 << 40, 0))),
        "msg-short": call(n["recvmsg"], [3, PTR, 0], seg(
            msgrec(0, 2, 3, 0) + u64(5))),
        "msg-rooms": call(n["recvmsg"], [3, PTR, 0], seg(
            msgrec(0, 2, 2, 0) + u64(2**63) + u64(2**63))),
        "mmsg-vlen": call(n["recvmmsg"], [3, PTR, 2**32 - 1, 0, 0],
                          seg(msgrec()), u64(SP_NULLSEG)),
        "valres-negative": call(n["getsockname"], [3, PTR, PTR], seg(b""),
                                seg(struct.pack("<I", 2**31))),
    }
    for name, body in near.items():
        out["scall-bad-" + name] = bytes([MODE_SCALL, 1]) + body

    hellos = {
        "new": hello(),
        "thread": hello(kind=3, cookie=bytes(range(16))),
        "exec": hello(kind=4, secret=b"", name=b"a-longer-program-name"),
        "ctrl": hello(name=b"a\x01b\x7f\xff"),
        "badmagic": hello(magic=0x12345678),
        "badlen": hello(namelen=40),
        "bigsecret": hello(secret=b"x" * 300),
        "short": hello()[:20],
    }
    for name, body in hellos.items():
        out["hello-" + name] = bytes([MODE_HELLO]) + body

    # Replies for the calls of setup_call(): [call][8 params][body].
    def creq(name, params, body):
        return bytes([MODE_REPLY, CALLS.index(name)]) + bytes(
            params).ljust(8, b"\0") + body
    out["reply-read"] = creq("read", [16], reply(16, 0, seg(b"r" * 16)))
    out["reply-read-short"] = creq("read", [16], reply(5, 0, seg(b"r" * 5)))
    out["reply-read-long"] = creq("read", [16], reply(32, 0, seg(b"r" * 32)))
    out["reply-error"] = creq("read", [16], reply(0, EIO))
    out["reply-stat"] = creq("stat", [0, 3], reply(0, 0, seg(b"s" * 144)))
    out["reply-readv"] = creq("readv", [2, 4, 8], reply(
        12, 0, seg(b"v" * 12)))
    out["reply-poll"] = creq("poll", [0, 0, 2], reply(
        1, 0, seg(b"p" * 16)))
    out["reply-fcntl"] = creq("fcntl", [0, 0, 0], reply(0, 0, seg(b"l" * 32)))
    out["reply-prlimit"] = creq("prlimit64", [0, 0, 2], reply(
        0, 0, seg(b"l" * 16)))
    out["reply-badseg"] = creq("read", [16], reply(16, 0) + u64(2**64 - 8))
    # recvmsg of [iovlen 2, 0, name+control+iov, namelen 16, controllen 24]:
    # one sp_msgres and its pieces.
    res = struct.pack("<IIIIQQ", 16, 0, 8, 0, 24, 8)
    out["reply-recvmsg"] = creq("recvmsg", [2, 0, 7, 16, 24], reply(
        8, 0, seg(res + b"n" * 16 + b"c" * 24 + b"d" * 8)))
    out["reply-recvmsg-long"] = creq("recvmsg", [2, 0, 7, 16, 24], reply(
        8, 0, seg(struct.pack("<IIIIQQ", 16, 0, 8, 0, 24, 1 << 40) +
                  b"n" * 16)))
    out["reply-sendmmsg"] = creq("sendmmsg", [2, 0, 4, 0, 0, 0, 2], reply(
        2, 0, seg(struct.pack("<II", 5, 6))))
    out["reply-getsockname"] = creq("getsockname", [30, 0], reply(
        0, 0, seg(b"a" * 16), seg(struct.pack("<I", 16))))

    hello_f = frame(SP_HELLO, hello())
    out["stream-session"] = bytes([MODE_STREAM]) + hello_f + frame(
        SP_SYSCALL, bodies["write"]) + frame(SP_PREFORK, b"") + frame(
        SP_SYSCALL, bodies["readv"]) + frame(SP_HELLO, hello(kind=4))
    out["stream-huge"] = bytes([MODE_STREAM]) + hello_f + struct.pack(
        "<IHH", 0xFFFFFFFF, SP_SYSCALL, 0)
    out["stream-nohello"] = bytes([MODE_STREAM]) + frame(
        SP_SYSCALL, bodies["read"])

    # Round trips: [call][8 params][kernel answer][input data].
    for i, name in enumerate(CALLS):
        # The third has empty buffers, of iovecs with a NULL base.
        for k, params in enumerate(([33, 0, 1, 2, 3, 4, 0, 0],
                                    [3, 7, 3, 1, 200, 16, 0, 0],
                                    [2, 0, 9, 2, 5, 3, 0, 0])):
            out["roundtrip-%s-%d" % (name, k)] = bytes(
                [MODE_ROUNDTRIP, i]) + bytes(params) + bytes(
                [(9, 0xC5, 9)[k]]) + b"some input data\0/with/a/path"
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    master = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        TOP, "syscalls.master")
    nums = sysnums(master)
    os.makedirs(outdir, exist_ok=True)
    made = seeds(nums)
    for name, data in sorted(made.items()):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(made), outdir), file=sys.stderr)


if __name__ == "__main__":
    main()
