#!/usr/bin/env python3
"""A server of protocol version 1 from before shared regions (doc/PROTOCOL.md,
"Versioning"): its WELCOME flags are 0 and any frame it does not know (SHM)
ends the connection.  It answers getpid (39) with 4242 and every other call
with ENOSYS, so that a client of today can be checked against it.

    oldserver.py SOCKET LOG

LOG gets a line per connection: "conn N: TYPE TYPE ..." (the frame types it
read).  It serves until killed."""
import os
import socket
import struct
import sys
import threading

HELLO, WELCOME, SYSCALL, REPLY = 1, 2, 4, 5
lock = threading.Lock()
nconn = 0


def frames(conn):
    buf = b""
    while True:
        while len(buf) >= 8:
            length, ftype, zero = struct.unpack("<IHH", buf[:8])
            if length < 8 or zero != 0:
                return
            if len(buf) < length:
                break
            yield ftype, buf[8:length]
            buf = buf[length:]
        # SCM_RIGHTS descriptors that come along are closed, unread.
        data, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(64))
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                for fd in struct.unpack("%di" % (len(payload) // 4),
                                        payload[:len(payload) // 4 * 4]):
                    os.close(fd)
        if not data:
            return
        buf += data


def send(conn, ftype, body):
    conn.sendall(struct.pack("<IHH", 8 + len(body), ftype, 0) + body)


def serve(conn, log):
    global nconn
    with lock:
        nconn += 1
        n = nconn
    seen = []
    try:
        for ftype, body in frames(conn):
            seen.append(str(ftype))
            if ftype == HELLO and len(seen) == 1:
                send(conn, WELCOME, struct.pack("<HHi16s", 1, 0, 7, b"t" * 16))
            elif ftype == SYSCALL:
                num, = struct.unpack("<I", body[:4])
                rv, err = (4242, 0) if num == 39 else (-1, 38)
                send(conn, REPLY, struct.pack("<qiI", rv, err, 0))
            else:
                break       # what an old server does with SHM: EPROTO
    except OSError:
        pass
    finally:
        conn.close()
        with open(log, "a") as f:
            f.write("conn %d: %s\n" % (n, " ".join(seen)))


def main():
    path, log = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, log), daemon=True).start()


main()
