#!/usr/bin/env python3
"""make_corpus_netlink.py DIR [IGNORED]: seed requests for fuzz_netlink.

Each file is one input: a byte choosing the socket (0: NETLINK_ROUTE,
1: NETLINK_SOCK_DIAG) and one datagram of requests as iproute2 and ss
send them: link, address, route and neighbour dumps, RTM_GETLINK by name,
RTM_NEWADDR/DELADDR, RTM_NEWROUTE, ip route get, RTM_NEWNEIGH/GETNEIGH/
DELNEIGH, an inet_diag dump of TCP and of UDP."""
import os
import socket
import struct
import sys

REQ, ACK, DUMP, CREATE, EXCL = 1, 4, 0x300, 0x400, 0x200


def attr(t, data):
    a = struct.pack("HH", 4 + len(data), t) + data
    return a + bytes((-len(a)) % 4)


def msg(t, flags, body, seq=1):
    body += bytes((-len(body)) % 4)
    return struct.pack("IHHII", 16 + len(body), t, flags, seq, 0) + body


def ifi(index=0):
    return struct.pack("BxHiII", 0, 0, index, 0, 0)


def ifa(fam, plen, index):
    return struct.pack("BBBBI", fam, plen, 0, 0, index)


def rtm(fam, dlen, table=254, proto=3, scope=0, typ=1):
    return struct.pack("BBBBBBBBI", fam, dlen, 0, 0, table, proto, scope,
                       typ, 0)


def ndm(fam, index, state, flags=0):
    return struct.pack("BBHiHBB", fam, 0, 0, index, state, flags, 0)


def diag(fam, proto, states=0xffffffff):
    return struct.pack("BBBBI", fam, proto, 0, 0, states) + bytes(48)


a4 = socket.inet_aton
a6 = lambda s: socket.inet_pton(socket.AF_INET6, s)
seeds = {
    "links": (0, msg(18, REQ | DUMP, ifi())),
    "link_lo": (0, msg(18, REQ, ifi() + attr(3, b"lo\0"))),
    "addrs": (0, msg(22, REQ | DUMP, ifa(0, 0, 0))),
    "newaddr": (0, msg(20, REQ | ACK | CREATE | EXCL, ifa(2, 24, 1) +
                       attr(2, a4("10.66.0.1")) + attr(1, a4("10.66.0.1")))),
    "deladdr": (0, msg(21, REQ | ACK, ifa(2, 24, 1) +
                       attr(2, a4("10.66.0.1")))),
    "routes": (0, msg(26, REQ | DUMP, rtm(0, 0, 0, 0, 0, 0))),
    "newroute": (0, msg(24, REQ | ACK | CREATE | EXCL, rtm(2, 16, scope=253)
                        + attr(1, a4("10.88.0.0")) +
                        attr(4, struct.pack("I", 1)))),
    "routeget": (0, msg(26, REQ, rtm(2, 32, 0, 0, 0, 0) +
                        attr(1, a4("127.0.0.5")))),
    "routeget6": (0, msg(26, REQ, rtm(10, 128, 0, 0, 0, 0) +
                         attr(1, a6("::1")))),
    "neighs": (0, msg(30, REQ | DUMP, ndm(0, 0, 0) +
                      attr(8, struct.pack("I", 1)))),
    "newneigh": (0, msg(28, REQ | ACK | CREATE | EXCL, ndm(2, 1, 0x80) +
                        attr(1, a4("10.0.0.9")) +
                        attr(2, bytes([2, 0, 0, 0, 0, 9])))),
    "newneigh6": (0, msg(28, REQ | ACK | CREATE, ndm(10, 1, 0x04) +
                         attr(1, a6("fd00::5")) +
                         attr(2, bytes([2, 0, 0, 0, 0, 5])))),
    "getneigh": (0, msg(30, REQ, ndm(2, 1, 0) + attr(1, a4("10.0.0.9")))),
    "delneigh": (0, msg(29, REQ | ACK, ndm(2, 1, 0) +
                        attr(1, a4("10.0.0.9")))),
    "rules": (0, msg(34, REQ | DUMP, rtm(0, 0, 0, 0, 0, 0))),
    "two": (0, msg(18, REQ | DUMP, ifi()) + msg(22, REQ | DUMP,
                                                 ifa(0, 0, 0), 2)),
    "diag_tcp": (1, msg(20, REQ | DUMP, diag(2, 6))),
    "diag_tcp6": (1, msg(20, REQ | DUMP, diag(10, 6, 1 << 10))),
    "diag_udp": (1, msg(20, REQ | DUMP, diag(2, 17))),
}
os.makedirs(sys.argv[1], exist_ok=True)
for name, (sock, data) in seeds.items():
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(bytes([sock]) + data)
