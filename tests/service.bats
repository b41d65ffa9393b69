#!/usr/bin/env bats
# rump_server under a service manager, without systemd: the test plays
# systemd's part.  Socket activation (a listening socket handed over at
# descriptor 3 with LISTEN_FDS=1 and LISTEN_PID the server's pid: served
# as it is, never re-bound nor removed), readiness on NOTIFY_SOCKET, and
# --pidfile.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	SERVER=$B/server/rump_server
	HIJACK=$B/hijack/rumphijack
	TMP=$(mktemp -d)
}

teardown() {
	if [ -n "${SRV:-}" ]; then kill -TERM "$SRV" 2>/dev/null; wait "$SRV" || true; fi
	rm -rf "$TMP"
}

# activate ADDR ARGS...: as systemd does, binds and listens on ADDR (a
# unix path, or 127.0.0.1:PORT), writes $TMP/listening, then execs
# rump_server ARGS with the socket at descriptor 3 and LISTEN_PID its own
# pid (exec keeps the pid).  Runs in the background: SRV is its pid.
activate() {
	addr=$1; shift
	python3 - "$addr" "$TMP/listening" "$SERVER" "$@" <<'PY' &
import os, socket, sys
addr, mark, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if addr.startswith("/"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(addr)
else:
    host, port = addr.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, int(port)))
    open(mark + ".port", "w").write(str(s.getsockname()[1]))
s.listen(16)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
open(mark, "w").close()
os.execv(argv[0], argv)
PY
	SRV=$!
	while [ ! -e "$TMP/listening" ]; do
		kill -0 "$SRV" 2>/dev/null || return 1
		sleep 0.05
	done
}

@test "socket activation: a unix socket handed over is served, then left to its owner" {
	activate "$TMP/k" -s -v 2>"$TMP/log"
	ino=$(stat -c %i "$TMP/k")
	# The socket listened before the server was up: no wait is needed.
	run env RUMP_SERVER="unix://$TMP/k" timeout 30 "$HIJACK" -- \
	    sh -c 'echo activated > /rump/f; cat /rump/f'
	assert_success
	assert_output activated
	run env RUMP_SERVER="unix://$TMP/k" timeout 30 "$HIJACK" -- cat /rump/f
	assert_output activated
	# The same socket: not re-bound.
	[ "$(stat -c %i "$TMP/k")" = "$ino" ]
	kill -TERM "$SRV"
	wait "$SRV"
	SRV=
	# systemd's socket: the server does not remove it.
	[ -S "$TMP/k" ]
	grep -q "serving on inherited socket 3" "$TMP/log"
}

@test "socket activation: a TCP socket handed over needs the secret as tcp:// does" {
	printf 'sekrit\n' >"$TMP/secret"
	activate 127.0.0.1:0 -s -k "$TMP/secret"
	port=$(cat "$TMP/listening.port")
	run env RUMP_SERVER="tcp://127.0.0.1:$port" RUMPCLIENT_SECRET="$TMP/secret" \
	    timeout 30 "$HIJACK" -- ls /rump
	assert_success
	assert_output --partial proc
	kill -TERM "$SRV"; wait "$SRV"; SRV=
	rm -f "$TMP/listening"
	# Without -k or -i: refused at start, status 1.
	activate 127.0.0.1:0 -s 2>"$TMP/log"
	st=0; wait "$SRV" || st=$?
	SRV=
	[ "$st" -eq 1 ]
	grep -q "shared secret" "$TMP/log"
}

@test "socket activation: LISTEN_PID of another process is not ours; a URL besides is a usage error" {
	python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.bind("'"$TMP/other"'")'
	# Not for us: the URL is needed, and the variables are ignored.
	run env LISTEN_FDS=1 LISTEN_PID=1 "$SERVER" -s
	assert_failure 2
	assert_output --partial "no URL"
	activate "$TMP/k2" -s "unix://$TMP/k3" 2>"$TMP/log"
	st=0; wait "$SRV" || st=$?
	SRV=
	[ "$st" -eq 2 ]
	grep -q "inherited socket" "$TMP/log"
	[ ! -e "$TMP/k3" ]
}

@test "NOTIFY_SOCKET gets READY=1 with the serving pid once it listens, and --pidfile names it" {
	# The service manager's end: a datagram socket, read by python.
	python3 - "$TMP/notify" "$TMP/msgs" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".up", "w").close()
with open(sys.argv[2], "w") as f:
    for _ in range(2):
        f.write(s.recv(4096).decode() + "\n--\n")
        f.flush()
PY
	reader=$!
	while [ ! -e "$TMP/msgs.up" ]; do sleep 0.05; done
	# Detached (the default): returns once listening, pid file written.
	NOTIFY_SOCKET="$TMP/notify" "$SERVER" --pidfile "$TMP/pid" "unix://$TMP/k"
	[ -s "$TMP/pid" ]
	pid=$(cat "$TMP/pid")
	kill -0 "$pid"
	[ "$(cat /proc/$pid/comm)" = rump_server ]
	run env RUMP_SERVER="unix://$TMP/k" "$HIJACK" -- ls /rump
	assert_success
	grep -q "^READY=1$" "$TMP/msgs"
	grep -q "^MAINPID=$pid$" "$TMP/msgs"
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	wait "$reader"
	grep -q "^STOPPING=1$" "$TMP/msgs"
	# Halted: the pid file and the socket are gone.
	[ ! -e "$TMP/pid" ] && [ ! -e "$TMP/k" ]
}

@test "--pidfile in a directory that does not exist: a run-time failure, nothing left" {
	run "$SERVER" -s --pidfile "$TMP/no/dir/pid" "unix://$TMP/k"
	assert_failure 1
	assert_output --partial "$TMP/no/dir/pid"
	[ ! -e "$TMP/k" ]
}

@test "the unit's ExecStart, with the default file's options, serves an activated socket" {
	unit=$B/doc/systemd/rump_server.service
	[ -f "$unit" ]
	grep -q '^Type=notify$' "$unit"
	grep -q '^ListenStream=/run/rump_server.sock$' "$BATS_TEST_DIRNAME/../doc/systemd/rump_server.socket"
	# ExecStart as systemd runs it: $RUMP_SERVER_OPTS from the defaults
	# file, with the build tree's rump_server for the installed one.
	. "$BATS_TEST_DIRNAME/../doc/systemd/rump_server.default"
	RUMP_SERVER_OPTS="$RUMP_SERVER_OPTS --memlimit 64m"
	exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
	set -- $(echo "$exec_start" | sed "s|\$RUMP_SERVER_OPTS|$RUMP_SERVER_OPTS|")
	[ "$(basename "$1")" = rump_server ]
	shift
	activate "$TMP/k" "$@"
	run env RUMP_SERVER="unix://$TMP/k" timeout 30 "$HIJACK" -- cat /rump/proc/sys/kern/hostname
	assert_success
}
