#!/usr/bin/env bats
# The remote kernel end to end: rump_server serving client processes
# (rcp, the helpers in tests/remote/) over unix sockets and TCP on the
# loopback, as a user runs them.  Every test starts its own servers and
# kills whatever it started in teardown.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'procs'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	SERVER=$B/server/rump_server
	RCP=$B/examples/rcp
	H=$B/tests/remote
	TMP=$(mktemp -d)
	NSERVERS=0
	: >"$TMP/pids"
	unset RUMP_SERVER RUMPCLIENT_SECRET RUMPHIJACK_RETRYCONNECT
}

# wait_file PATH: 0 once PATH exists (within 10 s).
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

teardown() {
	local p PIDS=()

	# The servers started here, and every process naming our directory.
	while read -r p; do
		[ -n "$p" ] && PIDS+=("$p")
	done <"$TMP/pids"
	pids_naming "$TMP"
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}

# start_server [OPTIONS] URL: starts a (detaching) rump_server; when it
# returns 0 the server listens.  Sets SPID and SLOG (its stderr).
start_server() {
	NSERVERS=$((NSERVERS + 1))
	SLOG=$TMP/server-$NSERVERS.log
	timeout 30 "$SERVER" "$@" >"$SLOG" 2>&1 3>&- || return 1
	SPID=$(find_pid "$SERVER" "$@") || return 1
	echo "$SPID" >>"$TMP/pids"
}

# start_unix [OPTIONS]: a server on $TMP/sock, and RUMP_SERVER for it.
start_unix() {
	start_server "$@" "unix://$TMP/sock" || {
		cat "$SLOG" >&2
		return 1
	}
	export RUMP_SERVER=unix://$TMP/sock
}

# start_tcp ADDR [OPTIONS]: a server on a free port of ADDR (127.0.0.1 or
# [::1]); sets URL.  Tries another port when one is taken.
start_tcp() {
	local addr=$1 i
	shift
	for ((i = 0; i < 10; i++)); do
		URL="tcp://$addr:$((20000 + RANDOM % 20000))"
		start_server "$@" "$URL" && return 0
		grep -q "in use" "$SLOG" || break
	done
	cat "$SLOG" >&2
	return 1
}

# wait_listening PATH: a foreground server's unix socket takes connections.
wait_listening() {
	timeout 10 python3 -c '
import socket, sys, time
while True:
    try:
        socket.socket(socket.AF_UNIX).connect(sys.argv[1])
        break
    except OSError:
        time.sleep(0.05)' "$1"
}

# make_tree DIR: a few directories, a 3 MB random file, small files and
# an empty file and directory.
make_tree() {
	mkdir -p "$1/a/b/c" "$1/d" "$1/emptydir"
	head -c 3145728 /dev/urandom >"$1/a/b/big"
	echo hello >"$1/a/small"
	seq 1 2000 >"$1/a/b/c/numbers"
	printf x >"$1/d/one"
	head -c 4097 /dev/urandom >"$1/d/odd"
	: >"$1/empty"
}

@test "rcp copies a tree into a server on a unix socket and later clients read it back byte-exact" {
	start_unix
	make_tree "$TMP/tree"

	run timeout 60 "$RCP" in "$TMP/tree" /tree
	assert_success
	assert_output ""

	run timeout 60 "$RCP" out /tree "$TMP/back"
	assert_success
	diff -r "$TMP/tree" "$TMP/back"
	[ -f "$TMP/back/empty" ] && [ ! -s "$TMP/back/empty" ]
	[ -d "$TMP/back/emptydir" ]

	# Another client, another day: the same bytes.
	run timeout 60 "$RCP" out /tree/a/b/big "$TMP/big.again"
	assert_success
	cmp "$TMP/tree/a/b/big" "$TMP/big.again"
	run timeout 60 "$RCP" out /tree "$TMP/back2"
	assert_success
	diff -r "$TMP/tree" "$TMP/back2"
}

@test "rump_server refuses bad options with a message and leaves no socket" {
	run timeout 30 "$SERVER" -d bogus "unix://$TMP/s1"
	assert_failure 2
	assert_output --partial "bad -d"
	run timeout 30 "$SERVER" -s -c 0 "unix://$TMP/s2"
	assert_failure 1
	assert_output --partial "RUMP_NCPU"
	run timeout 30 "$SERVER" -s "ftp://$TMP/s3"
	assert_failure 2
	assert_output --partial "bad URL"
	[ ! -e "$TMP/s1" ] && [ ! -e "$TMP/s2" ]
}

@test "a call with a buffer the client cannot read answers EFAULT and the connection goes on" {
	start_unix
	run timeout 30 "$H/badptr"
	assert_success
	assert_output "EFAULT, then served"
}

@test "RUMPCLIENT_STATS: each client process appends one line of its calls" {
	start_unix
	echo data >"$TMP/f"
	RUMPCLIENT_STATS=$TMP/stats run timeout 30 "$RCP" in "$TMP/f" /f
	assert_success
	RUMPCLIENT_STATS=$TMP/stats run timeout 30 "$RCP" out /f "$TMP/g"
	assert_success
	cmp "$TMP/f" "$TMP/g"
	run cat "$TMP/stats"
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 --regexp '^pid [0-9]+ rcp: [0-9]+ calls; .* write 1 x [0-9.]+ us'
	assert_line --index 1 --regexp '^pid [0-9]+ rcp: [0-9]+ calls; .* read [0-9]+ x [0-9.]+ us'
}

@test "a client offers its region right behind HELLO, and still works with a server from before regions" {
	# Today's server: one connection, HELLO then SHM, calls through it.
	start_unix
	RUMPCLIENT_STATS=$TMP/stats run timeout 30 "$RCP" in /etc/hostname /h
	assert_success
	run cat "$TMP/stats"
	assert_output --regexp 'region: [1-9][0-9]* posted'
	# An old one (WELCOME flags 0; SHM ends the connection): the client
	# dials again without the offer, and its calls go on the socket.
	python3 "$BATS_TEST_DIRNAME/remote/oldserver.py" "$TMP/old.sock" \
	    "$TMP/old.log" &
	echo $! >>"$TMP/pids"
	wait_file "$TMP/old.sock"
	RUMP_SERVER=unix://$TMP/old.sock run timeout 30 python3 -c '
import ctypes, sys
c = ctypes.CDLL(sys.argv[1])
assert c.rumpclient_init() == 0, "rumpclient_init failed"
print(c.rump_sys_getpid())' "$B/client/librumpclient.so"
	assert_success
	assert_output 4242
	for ((i = 0; i < 100; i++)); do	# conn 2 is logged as it ends
		[ "$(wc -l <"$TMP/old.log")" -ge 2 ] && break
		sleep 0.1
	done
	run sort "$TMP/old.log"
	assert_line --index 0 "conn 1: 1 8"
	assert_line --index 1 "conn 2: 1 4"
	[ "${#lines[@]}" -eq 2 ]
}

@test "files written by one client process are there for the next one" {
	start_unix
	mkdir "$TMP/first"
	echo "written by the first client" >"$TMP/first/note"

	run timeout 30 "$RCP" in "$TMP/first" /keep
	assert_success
	run timeout 30 "$H/fileworker" /keep 7 3
	assert_success
	assert_output "worker 7 ok"
	echo "written by the third client" >"$TMP/third"
	run timeout 30 "$RCP" in "$TMP/third" /keep/third
	assert_success

	run timeout 30 "$RCP" out /keep "$TMP/out"
	assert_success
	cmp "$TMP/first/note" "$TMP/out/note"
	cmp "$TMP/third" "$TMP/out/third"
	# fileworker leaves only "final": 1000 bytes of its own pattern.
	[ "$(ls "$TMP/out/w7")" = final ]
	yes "worker 7 round -1|" | tr -d '\n' | head -c 1000 |
	    cmp - "$TMP/out/w7/final"
}

@test "fork and exec inside a client keep descriptors and cwd; close-on-exec ones close" {
	start_unix

	run timeout 30 "$H/forkexec" /fe
	assert_success
	assert_line --regexp '^child: pid [0-9]+ cwd /fe ok$'
	assert_line --regexp '^parent: pid [0-9]+ ok$'
	# The child is another kernel process than the parent.
	cpid=$(sed -n 's/^child: pid \([0-9]*\) .*/\1/p' <<<"$output")
	ppid=$(sed -n 's/^parent: pid \([0-9]*\) .*/\1/p' <<<"$output")
	[ "$cpid" != "$ppid" ]

	# The exec'd child's write is in the file for everyone.
	run timeout 30 "$RCP" out /fe/data "$TMP/data"
	assert_success
	[ "$(cat "$TMP/data")" = "$(printf 'parent\nchild')" ]
}

@test "64 parallel clients see only their own files, and a new client is served meanwhile" {
	start_unix
	mkdir "$TMP/par"
	run timeout 30 "$RCP" in "$TMP/par" /par
	assert_success

	pids=()
	for i in $(seq 1 64); do
		timeout 120 "$H/fileworker" /par "$i" 100 \
		    >"$TMP/w$i.out" 2>&1 3>&- &
		pids+=($!)
	done
	# While they work: a new client gets in and out.
	head -c 1000000 /dev/urandom >"$TMP/probe"
	run timeout 60 "$RCP" in "$TMP/probe" /probe
	assert_success
	run timeout 60 "$RCP" out /probe "$TMP/probe.back"
	assert_success
	cmp "$TMP/probe" "$TMP/probe.back"
	echo "workers still running after the new client: $(jobs -rp | wc -l)" >&2

	failed=0
	for i in $(seq 1 64); do
		if ! wait "${pids[$((i - 1))]}" ||
		    [ "$(cat "$TMP/w$i.out")" != "worker $i ok" ]; then
			echo "worker $i: $(cat "$TMP/w$i.out")" >&2
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ]

	# Each directory holds its worker's last file and nothing else.
	run timeout 60 "$RCP" out /par "$TMP/parout"
	assert_success
	[ "$(ls "$TMP/parout" | wc -l)" -eq 64 ]
	for i in $(seq 1 64); do
		[ "$(ls "$TMP/parout/w$i")" = final ]
		yes "worker $i round -1|" | tr -d '\n' | head -c 1000 |
		    cmp - "$TMP/parout/w$i/final"
	done
	run timeout 30 "$RCP" out /probe "$TMP/probe.after"
	assert_success
	cmp "$TMP/probe" "$TMP/probe.after"
}

@test "a unix-socket server refuses another uid, and keeps serving root" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as nobody"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	"${nobody[@]}" test -x "$RCP" || skip "nobody cannot run $RCP"
	start_unix -v	# -v: a detached server keeps stderr for messages
	echo "from nobody" >"$TMP/nobody.txt"
	chmod 644 "$TMP/nobody.txt"

	# connect() needs write permission on the socket file: without it
	# the client is kept out by the host, and says so.
	chmod 755 "$TMP" "$TMP/sock"
	"${nobody[@]}" test -x "$TMP" || skip "nobody cannot reach $TMP"
	run timeout 30 "${nobody[@]}" "$RCP" in "$TMP/nobody.txt" /nobody.txt
	assert_failure
	[ "$status" -ne 124 ]
	assert_output --partial "cannot reach unix://$TMP/sock: Permission denied"

	# With it, the refusal is the server's, on both sides.
	chmod 777 "$TMP/sock"

	run timeout 30 "${nobody[@]}" "$RCP" in "$TMP/nobody.txt" /nobody.txt
	assert_failure
	[ "$status" -ne 124 ]
	assert_output --partial "the server refused us"
	assert_output --partial "uid $(id -u nobody) is not served here"
	grep -q "refused a client: uid $(id -u nobody)" "$SLOG"

	# Root still is, and nobody's file never arrived.
	echo "from root" >"$TMP/root.txt"
	run timeout 30 "$RCP" in "$TMP/root.txt" /root.txt
	assert_success
	run timeout 30 "$RCP" out /root.txt "$TMP/root.back"
	assert_success
	cmp "$TMP/root.txt" "$TMP/root.back"
	run timeout 30 "$RCP" out /nobody.txt "$TMP/nobody.back"
	assert_failure
	[ ! -e "$TMP/nobody.back" ]
}

# tcp_secret ADDR: a server with -k on ADDR admits the right secret only.
tcp_secret() {
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/secret"
	echo "not-the-secret" >"$TMP/wrong"
	chmod 600 "$TMP/secret"
	start_tcp "$1" -v -k "$TMP/secret"
	export RUMP_SERVER=$URL
	make_tree "$TMP/tree"

	run timeout 60 env RUMPCLIENT_SECRET="$TMP/secret" \
	    "$RCP" in "$TMP/tree" /tree
	assert_success
	run timeout 60 env RUMPCLIENT_SECRET="$TMP/secret" \
	    "$RCP" out /tree "$TMP/back"
	assert_success
	diff -r "$TMP/tree" "$TMP/back"

	run timeout 30 env RUMPCLIENT_SECRET="$TMP/wrong" \
	    "$RCP" out /tree "$TMP/wrong.out"
	assert_failure
	[ "$status" -ne 124 ]
	assert_output --partial "wrong or missing shared secret"
	[ ! -e "$TMP/wrong.out" ]

	run timeout 30 env -u RUMPCLIENT_SECRET \
	    "$RCP" out /tree "$TMP/none.out"
	assert_failure
	[ "$status" -ne 124 ]
	assert_output --partial "wrong or missing shared secret"
	[ ! -e "$TMP/none.out" ]
	[ "$(grep -c 'refused a client: wrong or missing shared secret' \
	    "$SLOG")" -eq 2 ]

	# Refusals cost the server nothing.
	run timeout 30 env RUMPCLIENT_SECRET="$TMP/secret" \
	    "$RCP" out /tree/a/b/big "$TMP/big.again"
	assert_success
	cmp "$TMP/tree/a/b/big" "$TMP/big.again"
}

@test "tcp on 127.0.0.1 with -k: the secret admits, a wrong or missing one is refused" {
	tcp_secret 127.0.0.1
}

@test "tcp on [::1] with -k: the secret admits, a wrong or missing one is refused" {
	grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null ||
	    ip -6 addr show lo 2>/dev/null | grep -q '::1' ||
	    skip "no IPv6 loopback"
	tcp_secret '[::1]'
}

@test "a tcp server without -k or -i refuses to start" {
	for addr in 127.0.0.1 '[::1]'; do
		url="tcp://$addr:$((20000 + RANDOM % 20000))"
		rc=0
		timeout 30 "$SERVER" "$url" >"$TMP/start.out" 2>&1 3>&- || rc=$?
		if [ "$rc" -eq 0 ]; then
			find_pid "$SERVER" "$url" >>"$TMP/pids"
			false "a server started on $url without a secret"
		fi
		[ "$rc" -ne 124 ]
		grep -q "needs a shared secret (-k FILE), or -i" "$TMP/start.out"
	done
}

@test "garbage and truncated frames leave the server serving and its files intact" {
	start_unix
	make_tree "$TMP/tree"
	run timeout 60 "$RCP" in "$TMP/tree" /before
	assert_success

	run timeout 120 python3 "$BATS_TEST_DIRNAME/remote/garbage.py" \
	    "$TMP/sock"
	assert_success
	assert_output --partial "0 failures"
	alive "$SPID"

	run timeout 60 "$RCP" out /before "$TMP/back"
	assert_success
	diff -r "$TMP/tree" "$TMP/back"
	run timeout 60 "$RCP" in "$TMP/tree/a/small" /after
	assert_success
	run timeout 60 "$RCP" out /after "$TMP/after"
	assert_success
	cmp "$TMP/tree/a/small" "$TMP/after"
	alive "$SPID"
}

@test "kill -9 of a client mid-write leaves the server and other clients fine" {
	start_unix
	# Another client, connected all along, and one busy with files.
	timeout 60 "$H/waitcall" "$TMP/other.ready" "$TMP/other.go" \
	    >"$TMP/other.out" 2>&1 3>&- &
	other=$!
	wait_file "$TMP/other.ready"
	"$H/writeloop" /victim "$TMP/ready" >"$TMP/writeloop.out" 2>&1 3>&- &
	wpid=$!
	echo "$wpid" >>"$TMP/pids"
	wait_file "$TMP/ready"
	timeout 120 "$H/fileworker" / busy 3000 >"$TMP/busy.out" 2>&1 3>&- &
	busy=$!
	sleep 0.2
	alive "$wpid"
	kill -KILL "$wpid"
	rc=0
	wait "$wpid" || rc=$?
	[ "$rc" -eq 137 ]

	touch "$TMP/other.go"
	rc=0
	wait "$other" || rc=$?
	cat "$TMP/other.out" >&2
	[ "$rc" -eq 0 ]
	grep -q "calls still work" "$TMP/other.out"
	rc=0
	wait "$busy" || rc=$?
	cat "$TMP/busy.out" >&2
	[ "$rc" -eq 0 ]
	[ "$(cat "$TMP/busy.out")" = "worker busy ok" ]
	alive "$SPID"

	# The victim's file holds whole writes only; new clients work.
	run timeout 30 "$RCP" out /victim "$TMP/victim"
	assert_success
	size=$(stat -c %s "$TMP/victim")
	[ "$size" -gt 0 ] && [ "$size" -le 1048576 ] && [ $((size % 4096)) -eq 0 ]
	[ -z "$(tr -d w <"$TMP/victim")" ]
	head -c 2000000 /dev/urandom >"$TMP/big"
	run timeout 30 "$RCP" in "$TMP/big" /big
	assert_success
	run timeout 30 "$RCP" out /big "$TMP/big.back"
	assert_success
	cmp "$TMP/big" "$TMP/big.back"
}

@test "kill -9 of the server: a connected client's call fails with ENOTCONN, no hang" {
	start_unix
	timeout 10 "$H/waitcall" "$TMP/ready" "$TMP/go" \
	    >"$TMP/waitcall.out" 2>&1 3>&- &
	cpid=$!
	wait_file "$TMP/ready"
	kill -KILL "$SPID"
	wait_gone "$SPID"
	touch "$TMP/go"
	rc=0
	wait "$cpid" || rc=$?
	cat "$TMP/waitcall.out" >&2
	[ "$rc" -ne 124 ]	# not timed out
	[ "$rc" -eq 2 ]
	grep -q "call failed: errno [0-9]* ENOTCONN" "$TMP/waitcall.out"

	# RUMPHIJACK_RETRYCONNECT=die: exit 1 with a message instead.
	rm -f "$TMP/ready" "$TMP/go"
	start_unix
	RUMPHIJACK_RETRYCONNECT=die timeout 10 "$H/waitcall" "$TMP/ready" \
	    "$TMP/go" >"$TMP/die.out" 2>&1 3>&- &
	cpid=$!
	wait_file "$TMP/ready"
	kill -KILL "$SPID"
	wait_gone "$SPID"
	touch "$TMP/go"
	rc=0
	wait "$cpid" || rc=$?
	cat "$TMP/die.out" >&2
	[ "$rc" -eq 1 ]
	grep -q "the server went away; exiting (RUMPHIJACK_RETRYCONNECT=die)" \
	    "$TMP/die.out"
}

@test "SIGTERM halts the server: exit 0, data synced, socket removed, path reusable" {
	truncate -s 1M "$TMP/disk.img"
	"$SERVER" -s -d "key=/dev/hd0,hostpath=$TMP/disk.img" \
	    "unix://$TMP/sock" >"$TMP/fg.log" 2>&1 3>&- &
	spid=$!
	echo "$spid" >>"$TMP/pids"
	wait_listening "$TMP/sock"
	export RUMP_SERVER=unix://$TMP/sock

	# Written through the kernel to its disk; the host sees it by halt.
	head -c 65536 /dev/urandom >"$TMP/blocks"
	run timeout 30 "$RCP" in "$TMP/blocks" /dev/hd0
	assert_success
	echo "kept" >"$TMP/f"
	run timeout 30 "$RCP" in "$TMP/f" /f
	assert_success

	# A client stays connected through the halt.
	timeout 20 "$H/waitcall" "$TMP/ready" "$TMP/go" \
	    >"$TMP/waitcall.out" 2>&1 3>&- &
	cpid=$!
	wait_file "$TMP/ready"

	kill -TERM "$spid"
	wait_gone "$spid"
	rc=0
	wait "$spid" || rc=$?
	cat "$TMP/fg.log" >&2
	[ "$rc" -eq 0 ]
	[ ! -e "$TMP/sock" ]
	cmp -n 65536 "$TMP/blocks" "$TMP/disk.img"
	touch "$TMP/go"
	rc=0
	wait "$cpid" || rc=$?
	cat "$TMP/waitcall.out" >&2
	[ "$rc" -eq 2 ]
	grep -q "call failed: errno [0-9]* ENOTCONN" "$TMP/waitcall.out"

	# A new server on the same path, and a client of it.
	start_unix
	run timeout 30 "$RCP" in "$TMP/f" /f
	assert_success
	run timeout 30 "$RCP" out /f "$TMP/f.back"
	assert_success
	cmp "$TMP/f" "$TMP/f.back"
}

@test "a second server on a live socket refuses to start; a stale socket does not block" {
	start_unix
	first=$SPID
	rc=0
	timeout 30 "$SERVER" "unix://$TMP/sock" >"$TMP/second.out" 2>&1 3>&- ||
	    rc=$?
	if [ "$rc" -eq 0 ]; then
		find_pid "$SERVER" "unix://$TMP/sock" >>"$TMP/pids"
	fi
	cat "$TMP/second.out" >&2
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
	grep -q "a live server already listens there" "$TMP/second.out"
	# The first one still serves.
	echo one >"$TMP/one"
	run timeout 30 "$RCP" in "$TMP/one" /one
	assert_success
	alive "$first"

	# Killed hard, it leaves its socket behind; a new server takes over.
	kill -KILL "$first"
	wait_gone "$first"
	[ -S "$TMP/sock" ]
	run timeout 30 "$RCP" out /one "$TMP/x"
	assert_failure
	start_unix
	[ "$SPID" != "$first" ]
	run timeout 30 "$RCP" in "$TMP/one" /one
	assert_success
	run timeout 30 "$RCP" out /one "$TMP/one.back"
	assert_success
	cmp "$TMP/one" "$TMP/one.back"
}

@test "over tcp a shared mapping of a kernel file answers ENODEV; a private one works" {
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/secret"
	chmod 600 "$TMP/secret"
	start_tcp 127.0.0.1 -k "$TMP/secret"
	run timeout 60 env RUMP_SERVER="$URL" RUMPCLIENT_SECRET="$TMP/secret" \
	    LD_PRELOAD="$B/hijack/librumphijack.so" python3 -c '
import errno, mmap
with open("/rump/f", "w+b") as f:
    f.write(b"tcp data")
    f.flush()
    try:
        mmap.mmap(f.fileno(), 0)
        print("shared: mapped")
    except OSError as e:
        print("shared:", errno.errorcode[e.errno])
    m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE)
    print("private:", m[:])
'
	assert_success
	assert_output "shared: ENODEV
private: b'tcp data'"
}
