#!/usr/bin/env bats
# The hijack's sockets end to end: unmodified python3 (http.server,
# asyncio), curl, nc (netcat-openbsd) and socat on a kernel's network,
# each case once in one rumphijack tree and once as separate processes on
# a rump_server (every process its own connection); and the routing
# policy: under the default socket=all:nolocal nothing is bound on the
# host, host unix sockets stay the host's, a unix socket under /rump is
# the kernel's; --host-net and socket=none give the host's network back.
# Cases that need a family the kernel does not make yet skip, saying so.
# The cases are in hijack/fam_net.bash, the harness in hijack/common.bash.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'hijack/common'
load 'hijack/fam_net'
bats_require_minimum_version 1.5.0

@test "python3 -m http.server and curl in one tree, not on the host (rumphijack)" { net_http; }
@test "python3 -m http.server and curl, not on the host (rump_server)" { server_mode; net_http; }
@test "nc over TCP, IPv4 (rumphijack)" { net_nc_tcp 4 127.0.0.1; }
@test "nc over TCP, IPv4 (rump_server)" { server_mode; net_nc_tcp 4 127.0.0.1; }
@test "nc over TCP, IPv6 (rumphijack)" { net_nc_tcp 6 ::1; }
@test "nc over TCP, IPv6 (rump_server)" { server_mode; net_nc_tcp 6 ::1; }
@test "nc over UDP, IPv4 (rumphijack)" { net_nc_udp 4 127.0.0.1; }
@test "nc over UDP, IPv4 (rump_server)" { server_mode; net_nc_udp 4 127.0.0.1; }
@test "nc over UDP, IPv6 (rumphijack)" { net_nc_udp 6 ::1; }
@test "nc over UDP, IPv6 (rump_server)" { server_mode; net_nc_udp 6 ::1; }
@test "asyncio echo server (epoll) and 100 concurrent clients (rumphijack)" { net_asyncio; }
@test "asyncio echo server (epoll) and 100 concurrent clients (rump_server)" { server_mode; net_asyncio; }
@test "a unix socket on /rump between processes, SCM_RIGHTS, socat (rumphijack)" { net_unix_rump; }
@test "a unix socket on /rump between processes, SCM_RIGHTS, socat (rump_server)" { server_mode; net_unix_rump; }
@test "netrules: sockets under DIR, accept, SCM_RIGHTS, poll, fork, EPIPE (rumphijack)" { net_setup; need_family AF_UNIX SOCK_STREAM; net_rules unix; }
@test "netrules: sockets under DIR, accept, SCM_RIGHTS, poll, fork, EPIPE (rump_server)" { server_mode; net_setup; need_family AF_UNIX SOCK_STREAM; net_rules unix; }
@test "netrules unix with socket=all: kernel sockets from socket() on (rumphijack)" { net_setup; need_family AF_UNIX SOCK_STREAM; net_rules unix path=/rump,socket=all; }
@test "netrules: no kernel descriptor through a host socket (rumphijack)" { net_rules hostrights; }
@test "netrules: no kernel descriptor through a host socket (rump_server)" { server_mode; net_rules hostrights; }
@test "netrules: write on a kernel fifo without readers raises SIGPIPE (rumphijack)" { net_rules fifopipe; }
@test "netrules: write on a kernel fifo without readers raises SIGPIPE (rump_server)" { server_mode; net_rules fifopipe; }
@test "a host unix socket stays the host's under the default (rumphijack)" { net_unix_host; }
@test "a host unix socket stays the host's under the default (rump_server)" { server_mode; net_unix_host; }
@test "a hijacked server never binds on the host (rumphijack)" { net_sandbox; }
@test "a hijacked server never binds on the host (rump_server)" { server_mode; net_sandbox; }
@test "rumphijack --host-net: the host's network" { net_hostnet; }
@test "socket=none: the host's network (rump_server)" { server_mode; net_hostnet; }

@test "rumphijack's usage says the default loses the host's network and names --host-net" {
	run "$RH"
	assert_failure 2
	assert_output --partial "--host-net"
	assert_output --partial "does not reach the host's network"
}

@test "RUMPHIJACK=socket=all:netlink:nopacket is accepted" {
	run env RUMPHIJACK=path=/rump,socket=all:netlink:nopacket \
	    LD_PRELOAD="$SHIM" true
	assert_success
	assert_output ""
}

# Under socket=all, ss asks the kernel: NETLINK_SOCK_DIAG is not there
# yet (ss says "Cannot open netlink socket" and reads the kernel's
# /proc/net instead), and finds none of the host's listeners.
@test "ss under the hijack answers from the kernel (rumphijack)" {
	run --separate-stderr kern ss -Hltn
	assert_success
	assert_output ""
}
@test "ss under the hijack answers from the kernel (rump_server)" {
	server_mode
	run --separate-stderr kern ss -Hltn
	assert_success
	assert_output ""
}

# LD_PRELOAD alone: the kernel is embedded in the one process.
@test "an embedded kernel (LD_PRELOAD alone): TCP over 127.0.0.1 and UDP over ::1 in one process, not on the host" {
	net_setup
	export PORT=$(free_port)
	cat >"$TMP/embedded.py" <<'PYEOF'
import os, socket, subprocess, sys, threading
port = int(os.environ["PORT"])
l = socket.socket()
l.bind(("127.0.0.1", port))
l.listen(5)
def serve():
    c, _ = l.accept()
    c.sendall(c.recv(100).upper())
    c.close()
t = threading.Thread(target=serve)
t.start()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"hello kernel")
print("tcp:", s.recv(100).decode())
t.join()
# While it listens in the kernel, the host has nothing on the port.
print(subprocess.run([os.environ["H_CHECK"], str(port)], env={"PATH": os.environ["PATH"]},
                     capture_output=True, text=True).stdout.strip())
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.bind(("::1", 0))
v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v.sendto(b"dgram", u.getsockname())
data, src = u.recvfrom(10)
print("udp:", data.decode(), src[0])
PYEOF
	run timeout "$T" env LD_PRELOAD="$SHIM" "$PY" "$TMP/embedded.py"
	echo "$output"
	assert_success
	assert_line "tcp: HELLO KERNEL"
	assert_line "host: $PORT free"
	assert_line "udp: dgram ::1"
}

@test "blocking accept, recv and select in threads leave the others free (embedded)" {
	net_setup; net_threads_py
	run timeout "$T" env LD_PRELOAD="$SHIM" "$PY" "$TMP/threads.py"
	echo "$output"
	assert_success
	assert_line "main thread: free while 0 returned"
	assert_line "accept: b'hello' recv: b'ping' poll ready: 1"
}
@test "blocking accept, recv and select in threads leave the others free (rumphijack)" {
	net_setup; net_threads_py
	run kern "$PY" "$TMP/threads.py"
	echo "$output"
	assert_success
	assert_line "main thread: free while 0 returned"
	assert_line "accept: b'hello' recv: b'ping' poll ready: 1"
}
@test "blocking accept, recv and select in threads leave the others free (rump_server)" {
	server_mode; net_setup; net_threads_py
	run kern "$PY" "$TMP/threads.py"
	echo "$output"
	assert_success
	assert_line "main thread: free while 0 returned"
	assert_line "accept: b'hello' recv: b'ping' poll ready: 1"
}

@test "getaddrinfo of localhost and numeric addresses, a server on localhost (rumphijack)" {
	net_setup
	export PORT=$(free_port)
	cat >"$TMP/localhost.py" <<'PYEOF'
import os, socket, subprocess, threading
port = int(os.environ["PORT"])
fams = sorted({ai[0].name for ai in socket.getaddrinfo("localhost", port, type=socket.SOCK_STREAM)})
print("localhost:", " ".join(fams))
print("numeric:", socket.getaddrinfo("127.0.0.1", port)[0][4][0], socket.getaddrinfo("::1", port)[0][4][0])
l = socket.create_server(("localhost", port))
t = threading.Thread(target=lambda: l.accept()[0].sendall(b"via localhost"))
t.start()
print(socket.create_connection(("localhost", port)).recv(100).decode())
t.join()
print(subprocess.run([os.environ["H_CHECK"], str(port)], env={"PATH": os.environ["PATH"]},
                     capture_output=True, text=True).stdout.strip())
PYEOF
	run kern "$PY" "$TMP/localhost.py"
	echo "$output"
	assert_success
	assert_line --regexp "^localhost: .*AF_INET"
	assert_line "numeric: 127.0.0.1 ::1"
	assert_line "via localhost"
	assert_line "host: $PORT free"
}
