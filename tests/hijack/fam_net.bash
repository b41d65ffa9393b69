# Network cases of the hijack's end-to-end tests (../hijack_net.bats),
# each run by kern() of common.bash in the test's mode: one rumphijack
# tree, or processes on a rump_server of the test's own, each process its
# own connection.  Only loopback addresses.  Every case checks from the
# host, while its servers run, that none of their ports is bound on the
# host (host_check: `ss -ltnu` and a connection attempt, both run without
# the shim), and stops by itself (bounded retries, timeout in kern).
# A case that needs a socket family the kernel does not make yet skips
# with "kernel has no AF_... yet" (need_family).

# The helpers the case scripts run, host files.  H_CHECK PORT prints
# "host: PORT free", or what the host has on PORT (connecting to it too,
# so a host server waiting for one connection ends).  listen.py PORT UP
# serve|DONE: listens on 127.0.0.1:PORT (or says why it cannot), creates
# UP, then serves one connection, or waits until DONE exists (bounded).
net_setup() {
	export TMP H_CHECK=$TMP/host_check
	cat >"$H_CHECK" <<'EOF'
#!/bin/sh
# Run by a hijacked script: ss and curl themselves without the shim.
p=$1 rv=0
l=$(env -u LD_PRELOAD ss -Hltnu "( sport = :$p )")
if [ -n "$l" ]; then
	echo "host: $p bound: $l"
	rv=1
fi
env -u LD_PRELOAD curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$p/"
rc=$?
if [ "$rc" != 7 ]; then
	echo "host: connecting to 127.0.0.1:$p gave curl status $rc, not 7"
	rv=1
fi
[ "$rv" = 0 ] && echo "host: $p free"
exit "$rv"
EOF
	chmod +x "$H_CHECK"
	cat >"$TMP/listen.py" <<'EOF'
import os, socket, sys, time
s = None
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
    print("listening")
except OSError as e:
    print("refused:", e.strerror)
sys.stdout.flush()
open(sys.argv[2], "w").close()
if sys.argv[3] == "serve":
    c, _ = s.accept()
    c.sendall(b"HTTP/1.0 200 OK\r\n\r\nfrom the host network\n")
    c.close()
else:
    for i in range(300):
        if os.path.exists(sys.argv[3]):
            break
        time.sleep(0.1)
EOF
}

# free_port: a port nothing on the host uses now.
free_port() {
	local p
	for ((;;)); do
		p=$((20000 + RANDOM % 30000))
		if [ -z "$(ss -Htanu "( sport = :$p )")" ]; then
			echo "$p"
			return 0
		fi
	done
}

# need_family AF TYPE [PROTO]: skips the test unless the kernel of MODE
# makes such sockets (a unix one: bound under /rump).
need_family() {
	local out
	out=$(kern "$PY" -c '
import errno, socket, sys
try:
    s = socket.socket(getattr(socket, sys.argv[1]), getattr(socket, sys.argv[2]))
    if s.family == socket.AF_UNIX:
        s.bind("/rump/.probe")
    s.close()
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
    sys.exit(0)
print("ok")
' "$1" "$2" 2>&1)
	case "$out" in
	ok) ;;
	EAFNOSUPPORT | ENOSYS | EPROTONOSUPPORT | ESOCKTNOSUPPORT)
		skip "kernel has no $1 $2 yet ($out)" ;;
	*)
		echo "probe of $1 $2: $out"
		return 1 ;;
	esac
}

# --- http.server and curl, in one tree ----------------------------------------

net_http() {
	net_setup
	need_family AF_INET SOCK_STREAM
	export PORT=$(free_port)
	run kern bash -c '
mkdir -p /rump/www && echo "hello from the kernel" >/rump/www/index.txt ||
    exit 1
"$PY" -m http.server --bind 127.0.0.1 --directory /rump/www "$PORT" \
    >/rump/www.log 2>&1 &
srv=$!
for i in $(seq 1 100); do
	out=$(curl -sS --max-time 5 "http://127.0.0.1:$PORT/index.txt" \
	    2>/dev/null) && break
	sleep 0.1
done
echo "curl: $out"
curl -sS -o /dev/null -w "missing: %{http_code}\n" \
    "http://127.0.0.1:$PORT/missing"
"$H_CHECK" "$PORT"
kill "$srv"
wait "$srv"
grep -c "GET /index.txt" /rump/www.log
'
	echo "$output"
	assert_success
	assert_line "curl: hello from the kernel"
	assert_line "missing: 404"
	assert_line "host: $PORT free"
	assert_line 1
}

# --- nc: TCP and UDP, IPv4 and IPv6 -----------------------------------------------

# net_nc_tcp 4|6 ADDR
net_nc_tcp() {
	net_setup
	need_family "AF_INET${1/4/}" SOCK_STREAM
	export PORT=$(free_port) V=$1 ADDR=$2
	run kern bash -c '
nc -"$V" -k -l "$ADDR" "$PORT" >/rump/got &
srv=$!
for i in $(seq 1 100); do
	nc -"$V" -z "$ADDR" "$PORT" && break
	sleep 0.1
done
"$H_CHECK" "$PORT"
seq 1 20000 | nc -"$V" -N "$ADDR" "$PORT"
echo "client: $?"
for i in $(seq 1 100); do
	[ "$(wc -l </rump/got)" -ge 20000 ] && break
	sleep 0.1
done
kill "$srv"
wait "$srv"
seq 1 20000 | cmp - /rump/got && echo "received: all 20000 lines"
'
	echo "$output"
	assert_success
	assert_line "host: $PORT free"
	assert_line "client: 0"
	assert_line "received: all 20000 lines"
}

# net_nc_udp 4|6 ADDR: the server does not connect (-k): every client is
# a new source port.
net_nc_udp() {
	net_setup
	need_family "AF_INET${1/4/}" SOCK_DGRAM
	export PORT=$(free_port) V=$1 ADDR=$2
	run kern bash -c '
nc -"$V" -u -k -l "$ADDR" "$PORT" >/rump/got &
srv=$!
for i in $(seq 1 100); do
	echo ping | nc -"$V" -u -q0 "$ADDR" "$PORT"
	grep -q ping /rump/got && break
	sleep 0.1
done
"$H_CHECK" "$PORT"
echo "over udp" | nc -"$V" -u -q0 "$ADDR" "$PORT"
for i in $(seq 1 100); do
	grep -q "over udp" /rump/got && break
	sleep 0.1
done
kill "$srv"
wait "$srv"
grep "over udp" /rump/got
'
	echo "$output"
	assert_success
	assert_line "host: $PORT free"
	assert_line "over udp"
}

# --- asyncio: an epoll server and 100 concurrent clients --------------------------

net_asyncio() {
	net_setup
	need_family AF_INET SOCK_STREAM
	export PORT=$(free_port)
	cat >"$TMP/echo_server.py" <<'EOF'
import asyncio, selectors, sys

async def handle(r, w):
    while data := await r.read(65536):
        w.write(data)
        await w.drain()
    w.close()

async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]),
                                     backlog=128)
    with open(sys.argv[2], "w") as f:
        f.write(type(selectors.DefaultSelector()).__name__ + "\n")
    async with srv:
        await srv.serve_forever()

asyncio.run(main())
EOF
	cat >"$TMP/echo_clients.py" <<'EOF'
import asyncio, sys

async def one(i, port):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    msg = ("client %d " % i).encode() * (100 + i * 50)
    w.write(msg)
    await w.drain()
    w.write_eof()
    got = await r.read()
    w.close()
    await w.wait_closed()
    return got == msg

async def main():
    res = await asyncio.gather(*(one(i, int(sys.argv[1])) for i in range(100)))
    print("%d of %d echoed" % (sum(res), len(res)))

asyncio.run(main())
EOF
	run kern bash -c '
"$PY" "$TMP/echo_server.py" "$PORT" /rump/ready &
srv=$!
for i in $(seq 1 100); do
	[ -s /rump/ready ] && break
	sleep 0.1
done
cat /rump/ready
"$H_CHECK" "$PORT"
"$PY" "$TMP/echo_clients.py" "$PORT"
kill "$srv"
wait "$srv"
echo "server: $?"
'
	echo "$output"
	assert_success
	# Killed by the TERM it was sent, nothing else.
	assert_line "server: 143"
	assert_line EpollSelector
	assert_line "host: $PORT free"
	assert_line "100 of 100 echoed"
}

# --- unix sockets on /rump -------------------------------------------------------------

net_unix_rump() {
	net_setup
	need_family AF_UNIX SOCK_STREAM
	cat >"$TMP/unix_server.py" <<'EOF'
import os, socket, stat
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("/rump/run/s")
s.listen()
print("server name", s.getsockname())
print("fstat says socket:", stat.S_ISSOCK(os.fstat(s.fileno()).st_mode))
open("/rump/run/ready", "w").close()
c, peer = s.accept()
data = c.recv(100)
print("server got", data.decode())
fd = os.open("/rump/run/data", os.O_RDONLY)
socket.send_fds(c, [b"f"], [fd])
os.close(fd)
c.sendall(data.upper())
c.close()
EOF
	cat >"$TMP/unix_client.py" <<'EOF'
import os, socket
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect("/rump/run/s")
print("client peer", c.getpeername())
c.sendall(b"hello over /rump")
msg, fds, flags, addr = socket.recv_fds(c, 10, 4)
print("client fds", len(fds), os.read(fds[0], 100).decode().strip())
print("client got", c.recv(100).decode())
EOF
	run kern bash -c '
mkdir /rump/run && echo "a kernel file" >/rump/run/data || exit 1
"$PY" "$TMP/unix_server.py" &
srv=$!
for i in $(seq 1 100); do
	[ -e /rump/run/ready ] && break
	sleep 0.1
done
stat -c "%n: %F" /rump/run/s
"$PY" "$TMP/unix_client.py"
wait "$srv"
echo "server: $?"
socat -u UNIX-LISTEN:/rump/run/t OPEN:/rump/run/t.out,creat &
srv=$!
for i in $(seq 1 100); do
	echo "via socat" | socat -u - UNIX-CONNECT:/rump/run/t 2>/dev/null &&
	    break
	sleep 0.1
done
wait "$srv"
echo "socat: $?"
cat /rump/run/t.out
rm /rump/run/s && [ ! -e /rump/run/s ] && echo "unlinked: yes"
'
	echo "$output"
	assert_success
	assert_line "server name /rump/run/s"
	assert_line "fstat says socket: True"
	assert_line "/rump/run/s: socket"
	assert_line "client peer /rump/run/s"
	assert_line "server got hello over /rump"
	assert_line "client fds 1 a kernel file"
	assert_line "client got HELLO OVER /RUMP"
	assert_line "server: 0"
	assert_line "socat: 0"
	assert_line "via socat"
	assert_line "unlinked: yes"
}

# --- netrules: the descriptor rules of sockets --------------------------------

# netrules CHECK [RUMPHIJACK]: netrules.c on /rump/nr.
net_rules() {
	local nr=$B/tests/hijack/netrules
	[ -n "${2:-}" ] && export RUMPHIJACK=$2
	run kern bash -c "mkdir /rump/nr && '$nr' /rump/nr $1"
	unset RUMPHIJACK
	echo "$output"
	assert_success
	refute_line --partial FAIL
}

# --- the policy: what stays on the host ------------------------------------------------

# A unix socket outside the prefixes is the host's under the default.
net_unix_host() {
	run kern "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(s.getsockname())
' "$TMP/hostsock"
	echo "$output"
	assert_success
	assert_output "$TMP/hostsock"
	[ -S "$TMP/hostsock" ]
}

# A default hijacked server never binds on the host, whether or not its
# kernel can make the socket yet.
net_sandbox() {
	net_setup
	export PORT=$(free_port)
	run kern bash -c '
"$PY" "$TMP/listen.py" "$PORT" /rump/up /rump/done &
for i in $(seq 1 100); do
	[ -e /rump/up ] && break
	sleep 0.1
done
"$H_CHECK" "$PORT"
touch /rump/done
wait
'
	echo "$output"
	assert_success
	assert_line "host: $PORT free"
}

# The host's network one option away: the same server is the host's, and
# H_CHECK sees it.
net_hostnet() {
	net_setup
	export PORT=$(free_port)
	cat >"$TMP/hostnet.sh" <<'EOF'
"$PY" "$TMP/listen.py" "$PORT" /rump/up serve &
for i in $(seq 1 100); do
	[ -e /rump/up ] && break
	sleep 0.1
done
"$H_CHECK" "$PORT"
echo "check: $?"
wait
EOF
	if [ "$MODE" = server ]; then
		export RUMPHIJACK=path=/rump,socket=none
		run kern bash "$TMP/hostnet.sh"
		unset RUMPHIJACK
	else
		run bash -c "cd '$TMP/cwd' && timeout $T '$RH' --host-net -- \
		    bash '$TMP/hostnet.sh' </dev/null"
	fi
	echo "$output"
	assert_success
	assert_line listening
	assert_line --partial "host: $PORT bound: tcp LISTEN"
	assert_line "check: 1"
}

# A blocking accept, recv and poll in one thread leave the program's other
# threads free to use the kernel (embedded, in a tree, on a server).
net_threads_py() {
	cat >"$TMP/threads.py" <<'EOF2'
import select, socket, threading, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
p1, p2 = socket.socketpair()
got = {}
def blocker(name, fn):
    t = threading.Thread(target=lambda: got.__setitem__(name, fn()))
    t.start()
    return t
ts = [blocker("accept", lambda: l.accept()[0].recv(5)),
      blocker("recv", lambda: u.recv(10)),
      blocker("poll", lambda: [select.select([p2], [], [], 10)[0]])]
time.sleep(0.3)
# All three block in the kernel; this thread still gets answers.
a, b = socket.socketpair()
a.sendall(b"free")
print("main thread:", b.recv(4).decode(), "while", len(got), "returned")
c = socket.create_connection(l.getsockname())
c.sendall(b"hello")
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"ping", u.getsockname())
p1.send(b"!")
for t in ts:
    t.join(10)
print("accept:", got.get("accept"), "recv:", got.get("recv"),
      "poll ready:", len(got.get("poll", [[]])[0]))
EOF2
}
