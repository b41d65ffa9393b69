#!/usr/bin/env python3
"""dnsd.py ADDR PORT ZONE [LOG]: a small authoritative DNS server for tests.

ZONE has lines "NAME TYPE VALUE" (TYPE A, AAAA, CNAME or PTR).  Answers
over UDP and TCP; a name not in the zone is NXDOMAIN, a name with other
types only is NOERROR with no answer, a name starting "fail." is
SERVFAIL and "silent." gets no answer.  Hostile answers: "badid." gets
one with a wrong id before the right one, "loop." one whose answer name
is a compression pointer to itself, "short." one cut inside the header,
"other." the answer to another question.  "echo." is answered with a TXT
record holding the query's bytes in hex (its id zeroed), so what a
resolver sends can be compared too.  An answer that does not fit in
512 bytes is sent truncated (TC) over UDP, whole over TCP.  Writes
"ready" to stdout once both sockets listen.  With LOG, each question's
name is appended to that file as it comes (UDP or TCP).  Runs until
killed.
"""
import socket
import struct
import sys
import threading

A, CNAME, PTR, TXT, AAAA = 1, 5, 12, 16, 28
TYPES = {"A": A, "AAAA": AAAA, "CNAME": CNAME, "PTR": PTR}


def load(path):
    zone = {}
    for line in open(path):
        f = line.split()
        if len(f) != 3 or f[0].startswith("#"):
            continue
        zone.setdefault(f[0].lower().rstrip("."), []).append((TYPES[f[1]], f[2]))
    return zone


def enc_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dec_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += 1 + n


def rdata(t, value):
    if t == A:
        return socket.inet_pton(socket.AF_INET, value)
    if t == AAAA:
        return socket.inet_pton(socket.AF_INET6, value)
    if t == TXT:
        return bytes([len(value)]) + value.encode()
    return enc_name(value)


LOG = None


def log(query):
    if LOG:
        with open(LOG, "a") as f:
            f.write(dec_name(query, 12)[0] + "\n")


def answer(zone, query, limit):
    qid, flags = struct.unpack("!HH", query[:4])
    qname, off = dec_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    name = qname.lower()
    if name.startswith("silent."):
        return None
    rcode, answers = 0, []
    if name.startswith("fail."):
        rcode = 2
    elif name.startswith("echo."):
        answers = [(name, TXT, (b"\0\0" + query[2:]).hex())]
    elif name not in zone:
        rcode = 3
    else:
        cur, seen = name, set()
        while cur in zone and cur not in seen:
            seen.add(cur)
            nxt = None
            for t, v in zone[cur]:
                if t == qtype or (t == CNAME and qtype != CNAME):
                    answers.append((cur, t, v))
                    if t == CNAME:
                        nxt = v.lower().rstrip(".")
            if nxt is None:
                break
            cur = nxt
    body = b""
    for owner, t, v in answers:
        rd = rdata(t, v)
        body += enc_name(owner) + struct.pack("!HHIH", t, 1, 60, len(rd)) + rd
    hflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    msg = struct.pack("!HHHHHH", qid, hflags, 1, len(answers), 0, 0) + question + body
    if limit and len(msg) > limit:
        msg = struct.pack("!HHHHHH", qid, hflags | 0x0200, 1, 0, 0, 0) + question
    return msg


def hostile(zone, q, name):
    """The bad messages sent before (or instead of) the answer."""
    if name.startswith("badid."):
        r = answer(zone, q[:12] + enc_name("www.test") + q[-4:], 512)
        return [bytes([r[0] ^ 0x55]) + r[1:]]
    if name.startswith("loop."):
        r = answer(zone, q, 512)
        hdr = bytearray(r[:12])
        hdr[7] = 1
        qend = 12 + len(enc_name(name)) + 4
        # an answer record whose name points at itself
        rr = struct.pack("!H", 0xC000 | qend) + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(4)
        return [bytes(hdr) + r[12:qend] + rr], True
    if name.startswith("short."):
        return [q[:5]], True
    if name.startswith("other."):
        r = answer(zone, q[:12] + enc_name("www.test") + q[-4:], 512)
        return [r], True
    return []


def udp(zone, s):
    while True:
        q, peer = s.recvfrom(4096)
        try:
            log(q)
            name = dec_name(q, 12)[0].lower()
            bad = hostile(zone, q, name)
            only = isinstance(bad, tuple)
            for m in (bad[0] if only else bad):
                s.sendto(m, peer)
            if only:
                continue
            r = answer(zone, q, 512)
        except Exception:
            continue
        if r is not None:
            s.sendto(r, peer)


def tcp_client(zone, c):
    with c:
        while True:
            h = c.recv(2, socket.MSG_WAITALL)
            if len(h) < 2:
                return
            q = c.recv(struct.unpack("!H", h)[0], socket.MSG_WAITALL)
            log(q)
            r = answer(zone, q, 0)
            if r is None:
                return
            c.sendall(struct.pack("!H", len(r)) + r)


def main():
    global LOG
    addr, port, zone = sys.argv[1], int(sys.argv[2]), load(sys.argv[3])
    LOG = sys.argv[4] if len(sys.argv) > 4 else None
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, port))
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, port))
    t.listen(8)
    threading.Thread(target=udp, args=(zone, u), daemon=True).start()
    print("ready", flush=True)
    while True:
        c, _ = t.accept()
        threading.Thread(target=tcp_client, args=(zone, c), daemon=True).start()


main()
