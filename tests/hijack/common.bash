# The harness of the hijack's end-to-end tests (../hijack.bats, the
# rumphijack mode and the launcher; ../hijack_server.bats, the rump_server
# mode), loaded by both: setup and teardown (a temporary tree with the
# source tree S, and afterwards no process of the test left and the host's
# root as it was), kern (a command on the kernel of the test's mode:
# rumphijack, LD_PRELOAD on a rump_server that server_mode starts, or
# rumphijack --server on one that rhserver_mode starts),
# both (a command line on the host and on the kernel, outputs compared
# once the directory names are normalized, and the host unchanged but for
# O), and the filters lsnorm and statnorm.  The command families that both
# runs are in fam_fs.bash, fam_content.bash and fam_programs.bash.

source "${BASH_SOURCE[0]%/*}/../procs.bash"

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	RH=$B/hijack/rumphijack
	SHIM=$B/hijack/librumphijack.so
	SERVER=$B/server/rump_server
	T=${HIJACK_TIMEOUT:-60}
	export FDRULES=$B/tests/hijack/fdrules FDLOWEST=$B/tests/hijack/fdlowest \
	    SPLICEP=$B/tests/hijack/splicep \
	    RWV2P=$B/tests/hijack/rwv2p \
	    EXECP=$B/tests/hijack/execp \
	    FTSP=$B/tests/hijack/ftsp FTSP32=$B/tests/hijack/ftsp32 \
	    WSTDIOP=$B/tests/hijack/wstdiop GLIBCP=$B/tests/hijack/glibcp \
	    DLTESTLIB=$B/tests/hijack/libdltest.so
	export BADPTR=$B/tests/hijack/badptr_wrappers
	export MMAPP=$B/tests/hijack/mmapp
	export IDPROBE=$B/tests/hijack/idprobe IDCLIENT=$B/tests/hijack/idclient
	export PY=/usr/bin/python3
	[ -x "$PY" ] || PY=$(command -v python3)
	# The host side on a tmpfs when there is one, like the kernel's root:
	# then even directory sizes and block counts compare equal.
	TMP=$(mktemp -d -p /dev/shm 2>/dev/null) &&
	    [ "$(stat -f -c %T "$TMP")" = tmpfs ] || {
		[ -n "$TMP" ] && rm -rf "$TMP"
		TMP=$(mktemp -d)
	}
	export HOSTFS=$(stat -f -c %T "$TMP")
	unset RUMP_SERVER RUMPHIJACK RUMPHIJACK_RETRYCONNECT RUMPCLIENT_SECRET \
	    LD_PRELOAD
	export TZ=UTC LC_ALL=C.UTF-8
	MODE=hijack
	NBOTH=0
	SPID=
	ROOTLS=$(ls -a /)
	mkdir "$TMP/cwd" "$TMP/sync"
	make_src
}

# S: a host tree every family may read (never writes): files, an empty
# file, a name with spaces, a binary file, relative, absolute and dangling
# symlinks, a hard link, modes other than the default, fixed times.
make_src() {
	export S=$TMP/src
	mkdir -p "$S/a/b/c" "$S/e/empty-dir"
	printf 'hello\n' >"$S/a/f1"
	seq 1 1000 >"$S/a/b/nums"
	head -c 200000 /dev/urandom >"$S/a/b/c/bin"
	: >"$S/e/empty"
	printf 'with spaces\n' >"$S/e/name with spaces"
	ln -s ../f1 "$S/a/b/l1"
	ln -s nums "$S/a/b/lnums"
	ln -s /nonexistent/target "$S/e/dangling"
	ln "$S/a/f1" "$S/a/hard"
	chmod 0750 "$S/a/b"
	chmod 0600 "$S/e/empty"
	chmod 0755 "$S/a/b/c/bin"
	find "$S" -depth -exec touch -h -d '2001-02-03 04:05:06' {} +
}

teardown() {
	local p PIDS=()

	[ -n "$SPID" ] && PIDS+=("$SPID")
	pids_naming "$TMP"
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
	# Whatever ran, the host's root is as it was.
	[ ! -e /rump ]
	[ ! -L /rump ]
	[ "$(ls -a /)" = "$ROOTLS" ]
}

# A rump_server for this test (server mode), on $TMP/srv/sock.
start_server() {
	[ -n "$SPID" ] && return 0
	mkdir -p "$TMP/srv"
	URL=unix://$TMP/srv/sock
	timeout 30 "$SERVER" "$URL" >"$TMP/srv/log" 2>&1 3>&- || {
		cat "$TMP/srv/log" >&2
		return 1
	}
	SPID=$(find_pid "$SERVER" "$URL") || return 1
}

# server_mode: the test runs on a rump_server of its own.
server_mode() {
	MODE=server
	start_server
}

# rhserver_mode: the test runs `rumphijack --server` on a rump_server of
# its own.
rhserver_mode() {
	MODE=rhserver
	start_server
}

# kern CMD [ARGS...]: CMD on the kernel of MODE, from the empty host
# directory $TMP/cwd, stdin /dev/null, under a timeout.
kern() {
	if [ "$MODE" = server ]; then
		start_server || return 1
		(cd "$TMP/cwd" && timeout "$T" env LD_PRELOAD="$SHIM" \
		    RUMP_SERVER="$URL" "$@" </dev/null 3>&-)
	elif [ "$MODE" = rhserver ]; then
		start_server || return 1
		(cd "$TMP/cwd" && timeout "$T" "$RH" --server "$URL" -- "$@" \
		    </dev/null 3>&-)
	else
		(cd "$TMP/cwd" && timeout "$T" "$RH" -- "$@" </dev/null 3>&-)
	fi
}

# The host as the kernel runs must leave it: $TMP except O and the
# server's directory, and the top level of /.
snapshot() {
	find "$TMP" -mindepth 1 \( -path "$1" -o -path "$TMP/srv" \) -prune \
	    -o -printf '%p %y %m %s %T@ %l\n' | sort
	ls -a /
	if [ -e /rump ] || [ -L /rump ]; then
		echo "/rump exists on the host"
	fi
}

# both [-f FILTER] [SCRIPT]: runs `bash -c SCRIPT` (SCRIPT: the argument,
# or stdin) twice, with the environment
#   W  the work directory (made first): $TMP/h.N on the host, /rump/w.N
#      in the kernel
#   O  a host directory (made first) to copy out to: $TMP/o-host.N and
#      $TMP/o-kern.N
#   S  the host source tree (read-only), FDRULES, PY, HOSTFS
# and compares stdout+stderr and the exit status, with the names of W,
# O and $TMP replaced by @W, @O and @T, and then through FILTER (a shell
# function).  The kernel run must change nothing on the host but O.
both() {
	local filter=cat script n hw kw ho ko hout kout before after pre
	if [ "$1" = -f ]; then
		filter=$2
		shift 2
	fi
	if [ $# -gt 0 ]; then script=$1; else script=$(cat); fi
	n=$((++NBOTH))
	hw=$TMP/h.$n kw=/rump/w.$n ho=$TMP/o-host.$n ko=$TMP/o-kern.$n
	pre='mkdir "$W" "$O" || exit 99
'
	hout=$(export W=$hw O=$ho
		cd "$TMP/cwd" && timeout "$T" bash -c "$pre$script" \
		    </dev/null 3>&- 2>&1
		echo "[exit $?]")
	before=$(snapshot "$ko")
	kout=$(export W=$kw O=$ko
		kern bash -c "$pre$script" 2>&1
		echo "[exit $?]")
	after=$(snapshot "$ko")
	hout=$(normalize "$hout" | $filter)
	kout=$(normalize "$kout" | $filter)
	if [ -n "${HIJACK_DEBUG:-}" ]; then
		mkdir -p "$HIJACK_DEBUG"
		printf '%s\n' "$hout" >"$HIJACK_DEBUG/$BATS_SUITE_TEST_NUMBER.$n.host"
		printf '%s\n' "$kout" >"$HIJACK_DEBUG/$BATS_SUITE_TEST_NUMBER.$n.kern"
	fi
	if [[ "$hout" == *"[exit 99]" ]]; then
		echo "the host run could not make its directories:"
		echo "$hout"
		return 1
	fi
	if [ "$hout" != "$kout" ]; then
		echo "# normalized output differs: -host +kernel ($MODE)"
		diff -u <(printf '%s\n' "$hout") <(printf '%s\n' "$kout") |
		    tail -n +3
		return 1
	fi
	if [ "$before" != "$after" ]; then
		echo "# the kernel run changed the host:"
		diff -u <(printf '%s\n' "$before") <(printf '%s\n' "$after") |
		    tail -n +3
		return 1
	fi
}

normalize() {
	local s=$1
	s=${s//"$hw"/@W}
	s=${s//"$kw"/@W}
	s=${s//"$ho"/@O}
	s=${s//"$ko"/@O}
	s=${s//"$TMP"/@T}
	printf '%s\n' "$s"
}

# Filters.  lsnorm: ls -l output without "..", which is outside the
# tree (the host's $TMP, the kernel's root); when the host is not a
# tmpfs, directory sizes and "total" lines too.
lsnorm() {
	if [ "$HOSTFS" = tmpfs ]; then
		grep -v ' \.\.$'
	else
		awk '/ \.\.$/ { next } /^total / { print "total -"; next }
		    /^d/ { $5 = "-" } { $1 = $1; print }'
	fi
}

# statnorm: stat(1) output without device, inode, block count, change
# and birth time (and directory sizes when the host is not a tmpfs).
statnorm() {
	local dirsize=
	[ "$HOSTFS" = tmpfs ] ||
	    dirsize='/directory$/ s/Size: [0-9]+ */Size: - /'
	sed -E -e "$dirsize" -e 's/Device: [^ 	]*/Device: -/' -e 's/Inode: [0-9]+ */Inode: - /' \
	    -e 's/Blocks: [0-9]+ */Blocks: - /' -e 's/^Change: .*/Change: -/' \
	    -e 's/^ Birth: .*/ Birth: -/'
}
