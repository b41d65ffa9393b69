#!/usr/bin/env python3
"""garbage.py SOCKETPATH: feeds a rump_server bad and truncated frames.

Each case opens its own connection.  The server must drop the connection
(EOF within a few seconds) and never answer garbage; a valid hello and a
valid call on the way must be answered correctly.  Exit 0 when every case
behaved; otherwise one line per failed case on stderr and exit 1.
"""
import fcntl
import mmap
import os
import socket
import struct
import sys
import time

SP_MAGIC = 0x504D5552
SP_HELLO, SP_WELCOME, SP_REFUSE, SP_SYSCALL, SP_REPLY = 1, 2, 3, 4, 5
SP_KIND_NEW = 1
SP_SHM, SP_RING = 8, 9
SHM_SIZE = 4096 + (256 << 10) + 4096   # control page + one frame
EINVAL, EBADF, EBUSY = 22, 9, 16
EMSGSIZE, ENOBUFS = 90, 105
NR_GETPID, NR_MKDIR = 39, 83   # Linux x86_64 numbers (syscalls.master)
NR_SOCKET, NR_SENDMSG, NR_RECVMSG, NR_GETSOCKNAME = 41, 46, 47, 51
NR_RECVMMSG, NR_SENDMMSG = 299, 307
SP_MSG_NAME, SP_MSG_IOV, SP_MSG_CONTROL = 1, 2, 4
WAIT = 5.0                     # seconds the server has to react

path = sys.argv[1]
failures = []


def frame(ftype, body=b"", length=None):
    if length is None:
        length = 8 + len(body)
    return struct.pack("<IHH", length, ftype, 0) + body


def hello_frame(name=b"garbage", secret=b"", magic=SP_MAGIC, kind=SP_KIND_NEW):
    body = struct.pack("<IHH16sHHI", magic, 1, kind, bytes(16),
                       len(secret), len(name), 0)
    return frame(SP_HELLO, body + secret + name)


def call_frame(num, args, segments=b"", nargs=None):
    if nargs is None:
        nargs = len(args)
    body = struct.pack("<II", num, nargs)
    body += b"".join(struct.pack("<q", a) for a in args)
    return frame(SP_SYSCALL, body + segments)


def segment(data, length=None):
    if length is None:
        length = len(data)
    pad = b"\0" * (-len(data) % 8)
    return struct.pack("<Q", length) + data + pad


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(WAIT)
    s.connect(path)
    return s


def recv_exact(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            raise EOFError("server closed after %d of %d bytes" % (len(got), n))
        got += chunk
    return got


def read_frame(s):
    length, ftype, zero = struct.unpack("<IHH", recv_exact(s, 8))
    if length < 8 or zero != 0:
        raise ValueError("bad frame header from the server")
    return ftype, recv_exact(s, length - 8)


def expect_eof(s, case):
    """The server must end the connection, with nothing (but a refusal)."""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return
            # A REFUSE frame is a fair answer to a bad hello; anything
            # else means the garbage was taken for something.
            if len(data) >= 8 and struct.unpack("<IHH", data[:8])[1] == SP_REFUSE:
                continue
            failures.append("%s: server answered %r" % (case, data[:32]))
            return
    except socket.timeout:
        failures.append("%s: connection still open after %gs" % (case, WAIT))
    except ConnectionResetError:
        return


def send_quietly(s, data):
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass   # the server already hung up: fine


def greeted():
    """A connection that said a valid hello and was welcomed."""
    s = connect()
    s.sendall(hello_frame())
    ftype, body = read_frame(s)
    if ftype != SP_WELCOME or len(body) != 24:
        raise ValueError("hello not welcomed: type %d, %d bytes" % (ftype, len(body)))
    version, _, pid = struct.unpack("<HHi", body[:8])
    if version != 1 or pid <= 0:
        raise ValueError("odd welcome: version %d pid %d" % (version, pid))
    return s, pid


def case(name, fn):
    try:
        fn(name)
    except Exception as e:   # noqa: BLE001 - report every kind of failure
        failures.append("%s: %s: %s" % (name, type(e).__name__, e))


def random_bytes(name):
    for _ in range(5):
        s = connect()
        send_quietly(s, os.urandom(4096))
        expect_eof(s, name)
        s.close()


def huge_length(name):
    s = connect()
    send_quietly(s, struct.pack("<IHH", 0xFFFFFFFF, SP_HELLO, 0))
    expect_eof(s, name + " (hello)")
    s.close()
    s, _ = greeted()
    send_quietly(s, struct.pack("<IHH", 0xFFFFFFF0, SP_SYSCALL, 0))
    expect_eof(s, name + " (call)")
    s.close()


def truncated(name):
    s = connect()
    whole = hello_frame()
    send_quietly(s, whole[:20])
    s.close()                      # gone mid-hello
    s = connect()
    send_quietly(s, frame(SP_HELLO, b"", length=200) + b"x" * 10)
    s.shutdown(socket.SHUT_WR)     # a half frame, then EOF
    expect_eof(s, name + " (half hello)")
    s.close()
    s, _ = greeted()
    send_quietly(s, call_frame(NR_MKDIR, [0, 0o755], segment(b"/half\0"))[:30])
    s.close()                      # gone mid-call
    s, _ = greeted()
    send_quietly(s, frame(SP_SYSCALL, b"", length=4096) + b"y" * 100)
    s.shutdown(socket.SHUT_WR)
    expect_eof(s, name + " (half call)")
    s.close()


def bad_hellos(name):
    for what, data in (
            ("magic", hello_frame(magic=0x12345678)),
            ("lengths", frame(SP_HELLO, struct.pack(
                "<IHH16sHHI", SP_MAGIC, 1, SP_KIND_NEW, bytes(16), 0, 50, 0)
                + b"short")),
            ("secret too long", frame(SP_HELLO, struct.pack(
                "<IHH16sHHI", SP_MAGIC, 1, SP_KIND_NEW, bytes(16), 60000, 0, 0)
                + bytes(300))),
            ("unknown kind", hello_frame(kind=77)),
            ("nonzero header", struct.pack("<IHH", 40, SP_HELLO, 7) + bytes(32)),
            ("call before hello", call_frame(NR_GETPID, []))):
        s = connect()
        send_quietly(s, data)
        expect_eof(s, "%s (%s)" % (name, what))
        s.close()


def good_call(name):
    s, pid = greeted()
    s.sendall(call_frame(NR_GETPID, []))
    ftype, body = read_frame(s)
    retval, error, _ = struct.unpack("<qiI", body[:16])
    if ftype != SP_REPLY or error != 0 or retval != pid:
        failures.append("%s: getpid answered type %d retval %d error %d (pid %d)"
                        % (name, ftype, retval, error, pid))
    # A number this kernel does not have: ENOSYS, connection lives on.
    s.sendall(call_frame(100000, []))
    ftype, body = read_frame(s)
    retval, error, _ = struct.unpack("<qiI", body[:16])
    if ftype != SP_REPLY or error != 38:
        failures.append("%s: unknown call answered type %d error %d" % (name, ftype, error))
    s.close()


def malformed_calls(name):
    cases = (
        ("nargs 99", call_frame(NR_GETPID, [0] * 4, nargs=99)),
        ("nargs 99, args present", call_frame(NR_MKDIR, [0] * 99)),
        ("segment beyond frame",
         call_frame(NR_MKDIR, [0, 0o755], struct.pack("<Q", 1 << 20) + b"/x\0\0\0\0\0\0")),
        ("segment length 2^63",
         call_frame(NR_MKDIR, [0, 0o755], struct.pack("<Q", 1 << 63) + b"/x\0\0\0\0\0\0")),
        ("path without NUL", call_frame(NR_MKDIR, [0, 0o755], segment(b"/abcdefg"))),
        ("missing segment", call_frame(NR_MKDIR, [0, 0o755])),
        ("wrong nargs", call_frame(NR_MKDIR, [0], segment(b"/y\0"))),
        ("trailing bytes on unknown call", call_frame(100000, [], b"z" * 16)),
        ("args cut short", frame(SP_SYSCALL, struct.pack("<II", NR_MKDIR, 2) + b"\1\2\3")),
        ("body shorter than a call header", frame(SP_SYSCALL, b"\1\2")),
        ("unknown frame type", frame(99, b"\0" * 16)),
        ("reply type from a client", frame(SP_REPLY, b"\0" * 16)),
        ("nonzero header field", struct.pack("<IHH", 16, SP_SYSCALL, 1) + bytes(8)),
    )
    for what, data in cases:
        s, _ = greeted()
        send_quietly(s, data)
        expect_eof(s, "%s (%s)" % (name, what))
        s.close()


def msgrec(namelen=0, present=0, iovlen=0, controllen=0, zero=0):
    """struct sp_msgrec: one message of a msghdr segment (PROTOCOL.md)."""
    return struct.pack("<IIQQQ", namelen & 0xFFFFFFFF, present, iovlen,
                       controllen, zero)


def call_answer(s, data):
    """Sends a call; (retval, error, rest of the body) of its reply."""
    s.sendall(data)
    ftype, body = read_frame(s)
    if ftype != SP_REPLY:
        raise ValueError("call answered with type %d" % ftype)
    retval, error, _ = struct.unpack("<qiI", body[:16])
    return retval, error, body[16:]


def hostile_socket_lengths(name):
    """Well-framed socket calls whose msghdr/socklen_t values are hostile:
    each is answered an errno (as the kernel would), nothing is allocated
    for it, and the connection keeps serving."""
    s, pid = greeted()
    AF_UNIX, SOCK_DGRAM = 1, 2
    fd, error, _ = call_answer(s, call_frame(NR_SOCKET, [AF_UNIX, SOCK_DGRAM, 0]))
    if error != 0:
        failures.append("%s: socket() failed with %d" % (name, error))
        return
    P = 0x10000   # a pointer value; the server never follows it
    # Bit 63 of a length marks a room the client cannot write
    # (SP_LEN_FAULT); the rest is still past any size the server takes.
    huge = struct.pack("<QQ", (1 << 64) - 1, (1 << 63) - 1)
    cases = (
        ("sendmsg iovlen 2^40", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_IOV, iovlen=1 << 40)), EMSGSIZE),
        ("sendmsg iovlen 1025", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_IOV, iovlen=1025)), EMSGSIZE),
        ("sendmsg namelen 4096", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(namelen=4096, present=SP_MSG_NAME)), EINVAL),
        ("sendmsg namelen -1", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(namelen=-1, present=SP_MSG_NAME)), EINVAL),
        ("sendmsg controllen 2^62", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_CONTROL, controllen=1 << 62)), ENOBUFS),
        ("sendmsg iov lengths past the segment", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_IOV, iovlen=2) +
                 struct.pack("<QQ", 1000, 1000) + b"x" * 8), EINVAL),
        ("sendmsg iovecs missing", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_IOV, iovlen=3)), EINVAL),
        ("sendmsg record cut short", NR_SENDMSG, [fd, P, 0],
         segment(msgrec()[:20]), EINVAL),
        ("sendmsg unknown present bits", NR_SENDMSG, [fd, P, 0],
         segment(msgrec(present=0x80)), EINVAL),
        ("recvmsg iov rooms past any size", NR_RECVMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_IOV, iovlen=2) + huge), EINVAL),
        ("recvmsg iov rooms 2 x 16 MiB", NR_RECVMSG, [fd, P, 0],
         segment(msgrec(present=SP_MSG_IOV, iovlen=2) +
                 struct.pack("<QQ", 16 << 20, 16 << 20)), EINVAL),
        ("recvmsg namelen -2^31", NR_RECVMSG, [fd, P, 0],
         segment(msgrec(namelen=-(1 << 31), present=SP_MSG_NAME)), EINVAL),
        ("recvmmsg vlen 2^32-1", NR_RECVMMSG, [fd, P, 0xFFFFFFFF, 0, 0],
         segment(msgrec()) + struct.pack("<Q", (1 << 64) - 1), EINVAL),
        ("recvmmsg over the call's budget", NR_RECVMMSG, [fd, P, 2, 0, 0],
         segment((msgrec(present=SP_MSG_IOV, iovlen=1) +
                  struct.pack("<Q", 12 << 20)) * 2) +
         struct.pack("<Q", (1 << 64) - 1), EINVAL),
        ("sendmmsg vlen 5, one record", NR_SENDMMSG, [fd, P, 5, 0],
         segment(msgrec()), EINVAL),
        ("getsockname addrlen 2^31", NR_GETSOCKNAME, [fd, P, P],
         segment(b"") + segment(struct.pack("<I", 1 << 31)), EINVAL),
    )
    for what, num, args, segs, want in cases:
        try:
            _, error, _ = call_answer(s, call_frame(num, args, segs))
        except Exception as e:   # noqa: BLE001
            failures.append("%s (%s): %s: %s" % (name, what, type(e).__name__, e))
            return
        if error != want:
            failures.append("%s (%s): error %d, not %d" % (name, what, error, want))
        getpid_ok(s, pid, "%s (%s)" % (name, what))
    # A room past any address is clamped, not allocated: the real length.
    _, error, rest = call_answer(s, call_frame(
        NR_GETSOCKNAME, [fd, P, P], segment(b"") +
        segment(struct.pack("<I", 0x7FFFFFFF))))
    if error != 0 or len(rest) < 16:
        failures.append("%s (getsockname addrlen 2^31-1): error %d" % (name, error))
    else:
        n = struct.unpack("<Q", rest[:8])[0]
        addrlen = struct.unpack("<I", rest[8 + ((n + 7) & ~7) + 8:][:4])[0]
        if n != addrlen or n > 128:
            failures.append("%s (getsockname addrlen 2^31-1): %d bytes, length %d"
                            % (name, n, addrlen))
    s.close()


def region(size=SHM_SIZE, seal=True):
    fd = os.memfd_create("garbage", os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    if seal:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
    return fd


def offer(s, body, fd=None):
    """Sends SHM (with fd if given); the server's REPLY error."""
    data = frame(SP_SHM, body)
    if fd is None:
        s.sendall(data)
    else:
        socket.send_fds(s, [data], [fd])
    ftype, rbody = read_frame(s)
    if ftype != SP_REPLY:
        raise ValueError("SHM answered with type %d" % ftype)
    return struct.unpack("<qiI", rbody[:16])[1]


def getpid_ok(s, pid, what):
    s.sendall(call_frame(NR_GETPID, []))
    ftype, body = read_frame(s)
    retval, error, _ = struct.unpack("<qiI", body[:16])
    if ftype != SP_REPLY or error != 0 or retval != pid:
        failures.append("%s: getpid after it answered type %d retval %d error %d"
                        % (what, ftype, retval, error))


def bad_regions(name):
    """Refused regions are errors; the connection goes on on the socket."""
    r, w = os.pipe()
    cases = (
        ("no descriptor", struct.pack("<Q", SHM_SIZE), None, EBADF),
        ("a pipe", struct.pack("<Q", SHM_SIZE), r, EINVAL),
        ("not sealed", struct.pack("<Q", SHM_SIZE), region(seal=False), EINVAL),
        ("size disagrees", struct.pack("<Q", SHM_SIZE), region(SHM_SIZE - 4096), EINVAL),
        ("size field wrong", struct.pack("<Q", 1 << 40), region(), EINVAL),
        ("body too short", b"\1\2", region(), EINVAL),
    )
    for what, body, fd, want in cases:
        s, pid = greeted()
        error = offer(s, body, fd)
        if error != want:
            failures.append("%s (%s): error %d, not %d" % (name, what, error, want))
        getpid_ok(s, pid, "%s (%s)" % (name, what))
        s.close()
        if fd is not None and fd != r:
            os.close(fd)
    os.close(r)
    os.close(w)


def post(ctl, length):
    """Posts the frame at offset 4096 as the client side does."""
    seq = struct.unpack_from("<I", ctl, 0)[0] + 1
    struct.pack_into("<II", ctl, 4, 1, length)   # req_where INLINE, req_len
    struct.pack_into("<I", ctl, 0, seq)
    return seq


def wait_reply(s, ctl, seq):
    """Waits for rep_seq == seq, answering the server's RINGs; the frame."""
    deadline = time.monotonic() + WAIT
    while struct.unpack_from("<I", ctl, 64)[0] != seq:
        if time.monotonic() > deadline:
            raise TimeoutError("no reply in the region")
        time.sleep(0.001)
    where, length = struct.unpack_from("<II", ctl, 68)
    if where != 1:
        raise ValueError("reply posted with where %d" % where)
    return bytes(ctl[4096:4096 + length])


def ring_if_asleep(s, ctl):
    if struct.unpack_from("<I", ctl, 128)[0]:
        struct.pack_into("<I", ctl, 128, 0)
        s.sendall(frame(SP_RING))


def shm_calls(name):
    """A region in use: a call through it, then garbage posted in it."""
    s, pid = greeted()
    fd = region()
    error = offer(s, struct.pack("<Q", SHM_SIZE), fd)
    if error != 0:
        failures.append("%s: a good region refused with %d" % (name, error))
        return
    ctl = mmap.mmap(fd, SHM_SIZE)
    os.close(fd)
    if offer_again_refused(s, ctl, pid, name):
        # A garbage length in the region ends this connection alone.
        post(ctl, 1 << 30)
        ring_if_asleep(s, ctl)
        expect_eof(s, name + " (length past the region)")
    s.close()
    ctl.close()


def offer_again_refused(s, ctl, pid, name):
    """getpid through the region works; a second region is EBUSY."""
    call = call_frame(NR_GETPID, [])
    ctl[4096:4096 + len(call)] = call
    seq = post(ctl, len(call))
    ring_if_asleep(s, ctl)
    rep = wait_reply(s, ctl, seq)
    length, ftype, _ = struct.unpack("<IHH", rep[:8])
    retval, error, _ = struct.unpack("<qiI", rep[8:24])
    if ftype != SP_REPLY or length != len(rep) or error != 0 or retval != pid:
        failures.append("%s: getpid through the region: type %d retval %d error %d"
                        % (name, ftype, retval, error))
        return False
    fd2 = region()
    data = frame(SP_SHM, struct.pack("<Q", SHM_SIZE))
    ctl[4096:4096 + len(data)] = data
    seq = post(ctl, len(data))
    ring_if_asleep(s, ctl)
    # One region a connection (and no descriptor travels through it).
    rep = wait_reply(s, ctl, seq)
    error = struct.unpack("<qiI", rep[8:24])[1]
    os.close(fd2)
    if error != EBUSY:
        failures.append("%s: SHM through the region answered %d" % (name, error))
        return False
    return True


case("random bytes", random_bytes)
case("4 GB length", huge_length)
case("truncated frames", truncated)
case("bad hellos", bad_hellos)
case("valid hello and calls", good_call)
case("malformed calls", malformed_calls)
case("hostile socket lengths", hostile_socket_lengths)
case("refused shared regions", bad_regions)
case("calls and garbage through a shared region", shm_calls)
case("valid hello and calls after garbage", good_call)

for f in failures:
    print("garbage.py: " + f, file=sys.stderr)
print("garbage.py: %d failures" % len(failures))
sys.exit(1 if failures else 0)
