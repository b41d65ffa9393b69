#!/usr/bin/env python3
"""make_corpus_inet.py DIR [IGNORED]: seed packets for fuzz_inet.

Each file is one input: a flag byte (bit 0: trusted loopback traffic) and
an IPv4 or IPv6 packet to 127.0.0.1 / ::1 - UDP to port 7, ICMP and
ICMPv6 echo, ICMP errors quoting UDP and TCP, fragments, IPv6 extension
headers, TCP SYN with options to port 80 - with correct checksums."""
import os
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


LO4 = bytes([127, 0, 0, 1])
LO6 = bytes(15) + b"\x01"


def ip4(proto, payload, src=LO4, dst=LO4, ident=1, off=0, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    off, ttl, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def l4sum4(proto, seg, src=LO4, dst=LO4):
    return csum(src + dst + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def l4sum6(proto, seg, src=LO6, dst=LO6):
    return csum(src + dst + struct.pack("!IxxxB", len(seg), proto) + seg)


def udp(sport, dport, data, v6=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    s = l4sum6(17, seg) if v6 else l4sum4(17, seg)
    return seg[:6] + struct.pack("!H", s or 0xFFFF) + seg[8:]


def tcp_syn(sport, dport, v6=False):
    opts = (struct.pack("!BBH", 2, 4, 1460) + b"\x01\x03\x03\x07" +
            b"\x04\x02\x08\x0a" + struct.pack("!II", 1, 0) + b"\x01\x01")
    off = (20 + len(opts)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, off << 4, 0x02,
                      65535, 0, 0) + opts
    s = l4sum6(6, seg) if v6 else l4sum4(6, seg)
    return seg[:16] + struct.pack("!H", s) + seg[18:]


def icmp(t, code, rest, body):
    m = struct.pack("!BBH4s", t, code, 0, rest) + body
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def icmp6(t, code, rest, body):
    m = struct.pack("!BBH4s", t, code, 0, rest) + body
    return m[:2] + struct.pack("!H", l4sum6(58, m)) + m[4:]


def ip6(nxt, payload, src=LO6, dst=LO6, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nxt, hlim,
                       src, dst) + payload


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    seeds = {}
    u = udp(40000, 7, b"hello fuzz")
    seeds["udp4"] = ip4(17, u)
    seeds["udp4_badport"] = ip4(17, udp(40000, 9, b"x"))
    seeds["icmp_echo"] = ip4(1, icmp(8, 0, b"\x00\x01\x00\x01", b"ping"))
    seeds["icmp_unreach"] = ip4(1, icmp(3, 3, bytes(4), ip4(17, u)[:28]))
    seeds["icmp_fragneeded"] = ip4(1, icmp(3, 4, b"\x00\x00\x05\x00",
                                           ip4(6, tcp_syn(80, 5555))[:28]))
    seeds["tcp4_syn"] = ip4(6, tcp_syn(5555, 80))
    big = udp(40001, 7, bytes(range(256)) * 4)
    p1, p2 = big[:512], big[512:]
    seeds["frag4_a"] = ip4(17, p1, ident=77, off=0x2000)
    seeds["frag4_b"] = ip4(17, p2, ident=77, off=512 // 8)
    u6 = udp(40000, 7, b"hello six", v6=True)
    seeds["udp6"] = ip6(17, u6)
    seeds["icmp6_echo"] = ip6(58, icmp6(128, 0, b"\x00\x01\x00\x01",
                                        b"ping6"))
    seeds["icmp6_toobig"] = ip6(58, icmp6(2, 0, struct.pack("!I", 1280),
                                          ip6(17, u6)[:48]))
    seeds["tcp6_syn"] = ip6(6, tcp_syn(5555, 80, v6=True))
    hbh = struct.pack("!BB", 17, 0) + b"\x01\x04\x00\x00\x00\x00"
    seeds["udp6_hbh"] = ip6(0, hbh + u6)
    fr = struct.pack("!BBHI", 17, 0, 0x0001, 99)
    fr2 = struct.pack("!BBHI", 17, 0, 16, 99)
    seeds["frag6_a"] = ip6(44, fr + u6[:16])
    seeds["frag6_b"] = ip6(44, fr2 + u6[16:])
    for name, pkt in seeds.items():
        for flag in (0, 1):
            with open(os.path.join(d, "%s_%d" % (name, flag)), "wb") as f:
                f.write(bytes([flag]) + pkt)


main()
