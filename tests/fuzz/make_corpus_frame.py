#!/usr/bin/env python3
"""make_corpus_frame.py DIR [IGNORED]: seed frames for fuzz_frame.

Each file is one Ethernet frame for etest0 (02:00:00:00:00:01, 10.0.0.1/24,
2001:db8::1/64): ARP requests and replies, gratuitous ARP, an IPv4 UDP
datagram and ICMP echo, IPv6 neighbour solicitations (unicast, DAD) and
advertisements with link-layer address options, an ICMPv6 echo, and a
few broken ones (truncated ARP, a zero-length ND option)."""
import os
import struct
import sys

ME = bytes([2, 0, 0, 0, 0, 1])
PEER = bytes([2, 0, 0, 0, 0, 2])
BC = b"\xff" * 6
A4 = bytes([10, 0, 0, 1])
P4 = bytes([10, 0, 0, 2])
A6 = bytes.fromhex("20010db8000000000000000000000001")
P6 = bytes.fromhex("20010db8000000000000000000000002")
SN = bytes.fromhex("ff0200000000000000000001ff000001")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, typ, payload, src=PEER):
    return dst + src + struct.pack("!H", typ) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def ip4(proto, payload, src=P4, dst=A4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(nh, payload, src=P6, dst=A6, hlim=255):
    if nh == 58:
        ps = src + dst + struct.pack("!IxxxB", len(payload), 58)
        c = csum(ps + payload[:2] + b"\0\0" + payload[4:])
        payload = payload[:2] + struct.pack("!H", c) + payload[4:]
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, hlim) + \
        src + dst + payload


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    s = {}
    s["arp_req"] = eth(BC, 0x0806, arp(1, PEER, P4, bytes(6), A4))
    s["arp_reply"] = eth(ME, 0x0806, arp(2, PEER, P4, ME, A4))
    s["arp_grat"] = eth(BC, 0x0806, arp(1, PEER, P4, BC, P4))
    s["arp_short"] = eth(BC, 0x0806, arp(1, PEER, P4, bytes(6), A4)[:20])
    u = struct.pack("!HHHH", 40000, 7, 12, 0) + b"ping"
    s["udp4"] = eth(ME, 0x0800, ip4(17, u))
    icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"echo"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    s["icmp4"] = eth(ME, 0x0800, ip4(1, icmp))
    sll = b"\x01\x01" + PEER
    tll = b"\x02\x01" + PEER
    ns = struct.pack("!BBHI", 135, 0, 0, 0) + A6 + sll
    s["ns"] = eth(b"\x33\x33\xff\x00\x00\x01", 0x86dd, ip6(58, ns, dst=SN))
    dad = struct.pack("!BBHI", 135, 0, 0, 0) + A6
    s["ns_dad"] = eth(b"\x33\x33\xff\x00\x00\x01", 0x86dd,
                      ip6(58, dad, src=bytes(16), dst=SN))
    na = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + P6 + tll
    s["na"] = eth(ME, 0x86dd, ip6(58, na))
    bad = struct.pack("!BBHI", 135, 0, 0, 0) + A6 + b"\x01\x00" + PEER
    s["ns_opt0"] = eth(b"\x33\x33\xff\x00\x00\x01", 0x86dd,
                       ip6(58, bad, dst=SN))
    echo6 = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"six"
    s["icmp6"] = eth(ME, 0x86dd, ip6(58, echo6, hlim=64))
    for name, f in s.items():
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(f)


main()
