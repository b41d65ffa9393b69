#!/usr/bin/env bats
# The hijack end to end: unmodified Debian programs (coreutils, tar, gzip,
# sed, bash, python3, sqlite3) and tests/hijack/fdrules run on /rump paths,
# and the same command lines on a host directory as the reference.
#
# Most tests are a command family run twice by both(): once on the host
# with W a host temporary directory, once in a kernel with W=/rump/w.N;
# the outputs (stdout, stderr, exit status) must be equal once the two
# directory names are replaced by @W.  Every family runs in two modes:
#   (rumphijack)  under build-gcc/hijack/rumphijack: a private kernel
#   (rump_server) LD_PRELOAD=librumphijack.so RUMP_SERVER=unix://... cmd,
#                 a rump_server started by the test.
# After each kernel run the host must be unchanged: no /rump, the same
# top-level listing of /, and the test's temporary tree as it was (except
# O, the host directory a command line may copy out to).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	RH=$B/hijack/rumphijack
	SHIM=$B/hijack/librumphijack.so
	SERVER=$B/server/rump_server
	T=${HIJACK_TIMEOUT:-60}
	export FDRULES=$B/tests/hijack/fdrules
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

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

wait_gone() {
	local i
	for ((i = 0; i < ${2:-50}; i++)); do
		alive "$1" || return 0
		sleep 0.1
	done
	return 1
}

# find_pid ARGV...: the process whose command line is exactly ARGV.
find_pid() {
	local want="$* " p
	for p in /proc/[0-9]*; do
		if [ "$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" = "$want" ]; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 1
}

teardown() {
	local p pids=()

	[ -n "$SPID" ] && pids+=("$SPID")
	for p in /proc/[0-9]*; do
		case "$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" in
		*"$TMP"*) pids+=("${p#/proc/}") ;;
		esac
	done
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait_gone "$p" || kill -KILL "$p" 2>/dev/null || true
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

# kern CMD [ARGS...]: CMD on the kernel of MODE, from the empty host
# directory $TMP/cwd, stdin /dev/null, under a timeout.
kern() {
	if [ "$MODE" = server ]; then
		start_server || return 1
		(cd "$TMP/cwd" && timeout "$T" env LD_PRELOAD="$SHIM" \
		    RUMP_SERVER="$URL" "$@" </dev/null 3>&-)
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
		printf '%s\n' "$hout" >"$HIJACK_DEBUG/$BATS_TEST_NUMBER.$n.host"
		printf '%s\n' "$kout" >"$HIJACK_DEBUG/$BATS_TEST_NUMBER.$n.kern"
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

# --- the families ------------------------------------------------------

fam_ls() {
	both -f lsnorm <<'EOF'
mkdir "$W/d" "$W/d/sub" "$W/empty"
printf 'hello\n' >"$W/d/f"
printf '%s\n' 1 2 3 >"$W/d/sub/g"
printf 'x\n' >"$W/d/name with spaces"
ln -s f "$W/d/l"
ln -s /nonexistent "$W/d/dangling"
chmod 0700 "$W/d/sub"
chmod 0640 "$W/d/f"
ls "$W"
ls -la --time-style=+T "$W"
ls -laR --time-style=+T "$W"
ls -la --time-style=+T "$W/d/f" "$W/d/l"
ls -1 "$W/d"
ls -d "$W/d"
ls -F "$W/d"
ls -lL --time-style=+T "$W/d"
ls "$W/nonexistent"
echo "exit $?"
EOF
}

fam_cat() {
	both <<'EOF'
printf 'one\ntwo\n' >"$W/a"
cat "$W/a"
cat "$W/a" "$S/a/f1" "$W/a" >"$W/b"
cat -n "$W/b"
cat "$S/a/b/c/bin" >"$W/bin"
cmp "$S/a/b/c/bin" "$W/bin" && echo same
cat "$W/bin" | cmp - "$S/a/b/c/bin" && echo same through a pipe
cat "$W/b" >>"$W/a"
cat -A "$W/a"
cat "$W/nonexistent"
echo "exit $?"
cat "$W"
echo "exit $?"
EOF
}

fam_cp() {
	both -f lsnorm <<'EOF'
cp -a "$S" "$W/t"
ls -laR --time-style=full-iso "$W/t"
diff -r --no-dereference "$S" "$W/t" && echo same in the kernel
[ "$W/t/a/f1" -ef "$W/t/a/hard" ] && echo hard link kept
cp -a "$W/t" "$O/back"
ls -laR --time-style=full-iso "$O/back"
diff -r --no-dereference "$S" "$O/back" && echo same back on the host
[ "$O/back/a/f1" -ef "$O/back/a/hard" ] && echo hard link kept
cp -r "$W/t/a" "$W/plain"
ls -la --time-style=+T "$W/plain"
cp "$W/t/a/f1" "$W/t/a/b/nums" "$O/"
ls "$O"
cp "$W/t/a/f1" "$W/copy"
cat "$W/copy"
cp -v "$W/copy" "$W/copy2"
cp "$W/t/a/b" "$W/x"
echo "exit $?"
cp "$W/nonexistent" "$W/x"
echo "exit $?"
EOF
}

fam_mv() {
	both -f lsnorm <<'EOF'
printf 'a\n' >"$W/a"
mv "$W/a" "$W/b"
ls "$W"
mkdir -p "$W/d/sub"
mv "$W/b" "$W/d/"
ls -R "$W"
cp -p "$S/a/f1" "$O/h"
mv "$O/h" "$W/fromhost"
ls -la --time-style=full-iso "$W/fromhost"
ls "$O"
mv "$W/fromhost" "$O/tohost"
ls -la --time-style=full-iso "$O/tohost"
ls "$W"
cp -a "$S/a" "$O/tree"
mv "$O/tree" "$W/tree"
[ -e "$O/tree" ] || echo gone from the host
diff -r --no-dereference "$S/a" "$W/tree" && echo same in the kernel
mv "$W/tree" "$O/tree2"
diff -r --no-dereference "$S/a" "$O/tree2" && echo same on the host
ls "$W"
mv -v "$W/d/b" "$W/d/sub/c"
mv "$W/d" "$W/d/sub"
echo "exit $?"
mv "$W/nonexistent" "$W/x"
echo "exit $?"
EOF
}

fam_rm() {
	both <<'EOF'
mkdir -p "$W/t/a/b/c" "$W/t/x/y"
for i in $(seq 1 400); do
	echo "$i" >"$W/t/a/b/c/a-file-with-a-rather-long-name-$i"
done
echo leaf >"$W/t/x/y/leaf"
ln -s a "$W/t/l"
chmod 0500 "$W/t/x"
rm "$W/t/a/b/c/a-file-with-a-rather-long-name-1"
ls "$W/t/a/b/c" | wc -l
rm "$W/t/a/b/c"
echo "exit $?"
rm -r "$W/t/l"
ls "$W/t"
rm -rf "$W/t"
ls -a "$W"
[ -e "$W/t" ] || echo gone
rm -rf "$W/nonexistent"
echo "exit $?"
rm "$W/nonexistent"
echo "exit $?"
mkdir "$W/e"
rmdir "$W/e"
mkdir -p "$W/p/q"
rmdir "$W/p"
echo "exit $?"
rm -rv "$W/p"
EOF
}

fam_mkdir() {
	both <<'EOF'
mkdir -p "$W/a/b/c"
mkdir -p "$W/a/b/c"
echo "again: $?"
mkdir "$W/a"
echo "exit $?"
mkdir -m 0700 "$W/m"
mkdir -p -m 0750 "$W/p/q/r"
mkdir "$W/nonexistent/x"
echo "exit $?"
mkdir -pv "$W/v/w"
printf x >"$W/file"
mkdir -p "$W/file/sub"
echo "exit $?"
stat -c '%n %a %F %h' "$W/a" "$W/a/b" "$W/a/b/c" "$W/m" "$W/p" "$W/p/q" \
    "$W/p/q/r"
EOF
}

fam_ln() {
	both <<'EOF'
printf 'data\n' >"$W/f"
ln "$W/f" "$W/hard"
ln -s f "$W/rel"
ln -s "$W/f" "$W/abs"
ln -s nonexistent "$W/dangling"
mkdir "$W/d"
ln -s ../f "$W/d/up"
ln -sr "$W/f" "$W/d/relative"
stat -c '%n %h %F %s' "$W/f" "$W/hard" "$W/rel" "$W/d/up"
# An absolute link's size is its target's length, which holds $W.
stat -c '%n %h %F' "$W/abs"
[ "$W/f" -ef "$W/hard" ] && echo same inode
cat "$W/rel" "$W/d/up" "$W/d/relative"
readlink "$W/rel" "$W/abs" "$W/d/relative" "$W/dangling"
ln "$W/f" "$W/hard"
echo "exit $?"
ln -sf g "$W/rel"
readlink "$W/rel"
ln "$W/d" "$W/dlink"
echo "exit $?"
echo more >>"$W/hard"
cat "$W/f"
ln -v "$W/f" "$W/d/hard2"
stat -c '%n %h' "$W/f"
EOF
	# A hard link between the host and the kernel cannot be.
	run kern ln "$S/a/f1" /rump/xdev
	assert_failure
	assert_output --partial "Invalid cross-device link"
}

fam_readlink() {
	both <<'EOF'
mkdir -p "$W/d/e"
ln -s d/e "$W/l"
ln -s ../.. "$W/d/e/up"
printf x >"$W/d/e/f"
ln -s loop2 "$W/loop1"
ln -s loop1 "$W/loop2"
readlink -f "$W/l"
readlink -f "$W/l/f"
readlink -f "$W/l/../e/./f"
readlink -f "$W/l/nonexistent"
readlink -e "$W/l/nonexistent"
echo "exit $?"
readlink -m "$W/x/y/../z"
readlink "$W/l"
readlink -f "$W/loop1"
echo "exit $?"
realpath "$W/l" "$W/l/up" "$W/d/e/up/l"
realpath -s "$W/l/../x"
realpath -e "$W/nope"
echo "exit $?"
realpath --relative-to="$W/d" "$W/l/f"
realpath -m "$W/nope/../d"
EOF
	# Above the top of the kernel is the host's /.
	run kern bash -c 'mkdir -p /rump/x/y && readlink -f /rump/x/y/../.. &&
	    realpath /rump/x && realpath /rump/ && readlink -f /rump/x/../../rump'
	assert_success
	assert_output "$(printf '%s\n' /rump /rump/x /rump /rump)"
}

fam_stat() {
	both -f statnorm <<'EOF'
printf abc >"$W/f"
chmod 640 "$W/f"
touch -d '2001-02-03 04:05:06.123456789' "$W/f"
mkdir "$W/d"
ln -s f "$W/l"
touch -d '2002-01-01 00:00:00' "$W/d"
touch -h -d '2003-01-01 12:00:00' "$W/l"
stat "$W/f" "$W/d" "$W/l"
stat -L "$W/l"
stat -c '%n|%s|%a|%A|%F|%h|%u|%g|%U|%G|%x|%y|%X|%Y|%o|%N' "$W/f"
stat -c '%n|%a|%A|%F|%h|%u|%g|%x|%y|%X|%Y|%o' "$W/d"
stat -c '%n|%s|%a|%A|%F|%h|%u|%g|%y|%Y|%N' "$W/l"
stat "$W/nonexistent"
echo "exit $?"
EOF
	run kern bash -c 'mkdir /rump/d && stat -f -c %T /rump/d'
	assert_success
	assert_output tmpfs
}

fam_touch() {
	both <<'EOF'
touch "$W/new"
[ -f "$W/new" ] && echo created
now=$(date +%s) m=$(stat -c %Y "$W/new")
[ $((m - now)) -le 5 ] && [ $((now - m)) -le 60 ] && echo mtime is now
touch -d '2001-02-03 04:05:06' "$W/new"
stat -c '%n %x %y' "$W/new"
touch -m -d @1000000000 "$W/new"
stat -c '%X %Y' "$W/new"
touch -a -d @1100000000.5 "$W/new"
stat -c '%X %Y %x' "$W/new"
touch -t 202001021530.45 "$W/t"
stat -c '%y' "$W/t"
touch -r "$W/new" "$W/ref"
stat -c '%X %Y' "$W/ref"
ln -s new "$W/l"
touch -h -d @1200000000 "$W/l"
stat -c '%n %Y' "$W/l" "$W/new"
touch -c "$W/nonexistent"
[ -e "$W/nonexistent" ] || echo not created
touch "$W/nodir/x"
echo "exit $?"
mkdir "$W/d"
touch -d @1 "$W/d"
touch "$W/d/child"
[ "$(stat -c %Y "$W/d")" -gt 1000 ] && echo the directory mtime moved
EOF
}

fam_chmod() {
	both <<'EOF'
printf x >"$W/f"
mkdir -p "$W/d/e"
printf y >"$W/d/e/g"
ln -s f "$W/l"
chmod 751 "$W/f"
stat -c '%n %a %A' "$W/f"
chmod u-x,g+w,o= "$W/f"
stat -c '%n %a %A' "$W/f"
chmod -R go-rwx "$W/d"
stat -c '%n %a' "$W/d" "$W/d/e" "$W/d/e/g"
chmod 600 "$W/l"
stat -c '%n %a' "$W/f"
chmod --reference="$W/d" "$W/f"
stat -c '%n %a' "$W/f"
chown 1234:5678 "$W/f"
stat -c '%n %u %g' "$W/f"
chown -h 42:43 "$W/l"
stat -c '%n %u %g' "$W/l" "$W/f"
chown -R 7:8 "$W/d"
stat -c '%n %u %g' "$W/d" "$W/d/e" "$W/d/e/g"
chgrp 99 "$W/f"
stat -c '%n %u %g' "$W/f"
chmod 1777 "$W/d"
chmod 4755 "$W/f"
stat -c '%n %a %A' "$W/d" "$W/f"
chmod 644 "$W/nonexistent"
echo "exit $?"
(umask 027 && mkdir "$W/u" && : >"$W/u/f" && stat -c '%n %a' "$W/u" "$W/u/f")
EOF
}

fam_find() {
	both <<'EOF'
mkdir -p "$W/t/a/b" "$W/t/c"
printf 1 >"$W/t/a/one.txt"
printf 22 >"$W/t/a/b/two.txt"
printf 333 >"$W/t/c/three.log"
ln -s a/one.txt "$W/t/link"
: >"$W/t/c/empty"
touch -d 2001-01-01 "$W/t/a/one.txt"
find "$W/t" | sort
find "$W/t" -name '*.txt' -exec cat {} \; -exec echo \; | sort
find "$W/t" -type f -exec sha256sum {} + | sort -k2
find "$W/t" -type l -printf '%p -> %l\n'
find "$W/t" -empty | sort
find "$W/t" -type f -size -2c | sort
find "$W/t" -newer "$W/t/a/one.txt" -type f | sort
find "$W/t" -maxdepth 1 -type d | sort
find "$W/t" -printf '%d %y %m %P\n' | sort -k4
find "$W/t" -type f -printf '%s %P\n' | sort -k2
find -L "$W/t" -type f | sort
find "$W/t" -name '*.log' -execdir sh -c 'echo "$(/bin/pwd) $1"' sh {} \;
find "$W/t" -name '*.txt' -delete
find "$W/t" | sort
find "$W/nonexistent"
echo "exit $?"
EOF
}

fam_du() {
	[ "$HOSTFS" = tmpfs ] || skip "the host's temporary directory is not on a tmpfs"
	both <<'EOF'
mkdir -p "$W/d/e" "$W/s"
head -c 10000 "$S/a/b/c/bin" >"$W/d/f10k"
head -c 100000 "$S/a/b/c/bin" >"$W/d/e/f100k"
printf x >"$W/d/e/small"
: >"$W/d/empty"
truncate -s 1M "$W/s/sparse"
du -ab "$W" | sort -k2
du -sb "$W"
du -ak "$W/d" | sort -k2
du -sh "$W/d/e"
du -c "$W/d/f10k" "$W/d/e/f100k"
du "$W/nonexistent"
echo "exit $?"
EOF
}

fam_df() {
	# Host paths are as df always saw them.
	both 'df -P -k "$S" | tail -n 1 | awk "{ print \$1, \$6 }"'
	# A kernel path: its size is the kernel's file system, mounted on /rump.
	run kern bash -c 'mkdir /rump/d && df -P -k /rump/d | tail -n 1 &&
	    stat -f -c "%T %b %S" /rump/d'
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	local total bsize fsblocks
	read -r _ total _ _ _ mnt <<<"${lines[0]}"
	read -r fstype fsblocks bsize <<<"${lines[1]}"
	[ "$fstype" = tmpfs ]
	[ "$total" -eq $((fsblocks * bsize / 1024)) ]
	[ "$mnt" = /rump ]
}

fam_tar() {
	both -f lsnorm <<'EOF'
tar --sort=name -C "$S" -cf "$W/t.tar" .
sha256sum <"$W/t.tar"
tar -tvf "$W/t.tar"
mkdir "$W/x"
tar -C "$W/x" -xf "$W/t.tar"
diff -r --no-dereference "$S" "$W/x" && echo extracted in the kernel
ls -laR --time-style=full-iso "$W/x"
tar --sort=name -C "$W/x" -cf - . | sha256sum
tar -czf "$W/t.tgz" -C "$W" x
tar -tzf "$W/t.tgz" | sort
tar -C "$O" -xzf "$W/t.tgz"
diff -r --no-dereference "$S" "$O/x" && echo extracted on the host
tar --sort=name -C "$W" -cf - x/a | tar -tvf -
tar -tf "$W/nonexistent.tar"
echo "exit $?"
EOF
}

fam_gzip() {
	both <<'EOF'
cp -p "$S/a/b/nums" "$W/n"
gzip "$W/n"
ls "$W"
sha256sum <"$W/n.gz"
stat -c '%n %a %Y' "$W/n.gz"
gzip -l "$W/n.gz"
gunzip -c "$W/n.gz" | sha256sum
sha256sum <"$S/a/b/nums"
gunzip "$W/n.gz"
ls "$W"
cmp "$W/n" "$S/a/b/nums" && echo same
stat -c '%n %a %Y' "$W/n"
gzip -9 -c "$S/a/b/c/bin" >"$W/bin.gz"
gzip -t "$W/bin.gz" && echo intact
zcat "$W/bin.gz" | cmp - "$S/a/b/c/bin" && echo same
gzip -k "$W/n"
ls "$W"
gunzip <"$W/n.gz" >"$O/n"
cmp "$O/n" "$S/a/b/nums" && echo same on the host
gzip "$W/n"
echo "exit $?"
gzip -c "$W/missing"
echo "exit $?"
EOF
}

fam_sha256sum() {
	both <<'EOF'
cp "$S/a/b/c/bin" "$W/bin"
cp "$S/a/b/nums" "$W/nums"
sha256sum "$W/bin" "$W/nums" "$S/a/b/c/bin"
sha256sum "$W/bin" "$W/nums" >"$W/SUMS"
sha256sum -c "$W/SUMS"
echo corrupt >>"$W/nums"
sha256sum -c "$W/SUMS"
echo "exit $?"
sha256sum --tag "$W/bin"
md5sum "$W/bin"
head -c 5000000 /dev/zero >"$W/big"
sha256sum "$W/big"
sha256sum <"$W/big"
sha256sum "$W/missing"
echo "exit $?"
EOF
}

fam_sort() {
	both <<'EOF'
seq 20 -1 1 >"$W/n"
sort -n -o "$W/n" "$W/n"
cat "$W/n" | tr '\n' ' '
echo
sort -c -n "$W/n" && echo sorted
sort -r -o "$W/r" "$S/a/b/nums"
head -n 3 "$W/r"
mkdir "$W/tmp"
seq 1 200000 | sort -S 100K -T "$W/tmp" -nr -o "$W/big"
sha256sum <"$W/big"
ls -A "$W/tmp" | wc -l
sort -m "$W/n" "$W/n" | uniq -c | head -n 3
sort -n "$W/missing"
echo "exit $?"
EOF
}

fam_sed() {
	both <<'EOF'
printf 'alpha\nbeta\ngamma\n' >"$W/f"
chmod 640 "$W/f"
sed -i 's/beta/BETA/' "$W/f"
cat "$W/f"
stat -c '%n %a' "$W/f"
sed -i.bak -e 1d "$W/f"
ls "$W"
cat "$W/f" "$W/f.bak"
sed -n 2p "$W/f"
ln -s f "$W/l"
sed -i --follow-symlinks 's/gamma/G/' "$W/l"
readlink "$W/l"
cat "$W/f"
sed -i 's/a/A/g' "$W/f" "$W/f.bak"
cat "$W/f" "$W/f.bak"
sed 's/^/> /' <"$W/f" >"$O/quoted"
cat "$O/quoted"
ls "$W"
sed -i 's/x/y/' "$W/missing"
echo "exit $?"
EOF
}

fam_headtail() {
	both <<'EOF'
seq 1 1000 >"$W/n"
head -n 3 "$W/n"
tail -n 2 "$W/n"
head -c 10 "$W/n" | od -An -c
tail -c 7 "$W/n"
tail -n +998 "$W/n"
head -n -997 "$W/n"
head -n 2 "$W/n" "$S/a/b/nums"
tail -q -n 1 "$W/n" "$W/n"
seq 1 100000 >"$W/big"
tail -n 1 "$W/big"
tail -c 100 "$W/big" | wc -l
head -c 100000 "$W/big" | tail -n 1
tail -n 3 <"$W/n"
head -n 1 <"$W/big"
tail -n 1 "$W/missing"
echo "exit $?"
EOF
}

fam_dd() {
	both <<'EOF'
dd if="$S/a/b/c/bin" of="$W/d" bs=4096 count=10 status=none
stat -c %s "$W/d"
cmp -n 40960 "$W/d" "$S/a/b/c/bin" && echo same
dd if="$W/d" of="$W/e" bs=1000 skip=3 count=7 status=none
dd if="$S/a/b/c/bin" bs=1000 skip=3 count=7 status=none | cmp - "$W/e" &&
    echo skip works
printf 0123456789 >"$W/k"
printf XY | dd of="$W/k" bs=1 seek=3 conv=notrunc status=none
cat "$W/k"
echo
dd if=/dev/zero of="$W/z" bs=1k count=5 status=noxfer
sha256sum <"$W/z"
dd if="$W/z" of="$O/z" bs=512 status=none
cmp "$W/z" "$O/z" && echo copied out
dd if="$W/k" bs=4 skip=1 status=none | od -An -c
dd if="$W/missing" of=/dev/null status=none
echo "exit $?"
EOF
	# The kernel's own devices.
	run kern bash -c 'dd if=/rump/dev/zero of=/rump/z bs=1k count=3 status=none &&
	    stat -c %s /rump/z && head -c 16 /rump/dev/urandom | wc -c'
	assert_success
	assert_output "$(printf '3072\n16')"
}

fam_truncate() {
	both <<'EOF'
printf 0123456789 >"$W/f"
truncate -s 4 "$W/f"
cat "$W/f"
echo
truncate -s +6 "$W/f"
stat -c %s "$W/f"
od -An -c "$W/f"
truncate -s %4 "$W/f"
stat -c %s "$W/f"
truncate -s 1M "$W/sp"
stat -c %s "$W/sp"
cmp -n 1048576 "$W/sp" /dev/zero && echo zeros
truncate -s 0 "$W/sp"
stat -c %s "$W/sp"
truncate -s 5 "$W/new"
stat -c %s "$W/new"
truncate -c -s 5 "$W/missing"
[ -e "$W/missing" ] || echo not created
truncate -s 1 "$W"
echo "exit $?"
EOF
}

fam_install() {
	both <<'EOF'
install -m 0640 "$S/a/f1" "$W/i1"
stat -c '%n %a %s' "$W/i1"
install -d -m 0711 "$W/d1/d2"
stat -c '%n %a %F' "$W/d1" "$W/d1/d2"
install -D -m 600 "$S/a/b/nums" "$W/deep/er/n"
stat -c '%n %a %s' "$W/deep/er/n"
cmp "$S/a/b/nums" "$W/deep/er/n" && echo same
install -o 12 -g 34 -m 755 "$S/a/f1" "$W/own"
stat -c '%n %a %u %g' "$W/own"
install -p "$S/a/f1" "$W/keep"
stat -c '%n %a %Y' "$W/keep"
install -t "$W/d1" "$S/a/f1" "$S/a/b/nums"
ls "$W/d1"
install -v -m 644 "$W/i1" "$O/back"
stat -c '%n %a' "$O/back"
cat "$O/back"
install "$W/missing" "$W/x"
echo "exit $?"
EOF
}

fam_redirect() {
	both <<'EOF'
echo one >"$W/r"
echo two >>"$W/r"
cat <"$W/r"
ls "$W/missing" >"$W/err" 2>&1
echo "ls: $?"
cat "$W/err"
cat <<HERE >"$W/hd"
here $((6 * 7))
  indented
HERE
cat "$W/hd"
cat <<-'HERE' >>"$W/hd"
	quoted $HOME
	HERE
cat "$W/hd"
tr a-z A-Z <<<"here string" >"$W/hs"
cat "$W/hs"
exec 3>"$W/fd3"
echo "via fd 3" >&3
echo again >&3
exec 3>&-
cat "$W/fd3"
exec 4<"$W/r"
read -r line <&4
echo "read: $line"
read -r line <&4
echo "read: $line"
exec 4<&-
{ echo a; echo b >&2; } >"$W/grp" 2>&1
wc -l <"$W/grp"
while read -r l; do echo "got $l"; done <"$W/r"
set -C
echo x >"$W/r"
echo "noclobber: $?"
set +C
echo "$(cat "$W/r")"
cat "$W/r" | sort -r >"$W/sorted"
cat "$W/sorted"
exec 5<>"$W/rw"
echo hi >&5
exec 5>&-
cat "$W/rw"
echo data >"$O/h"
cat <"$O/h" >"$W/k"
cat "$W/k"
cat <"$W/missing"
echo "exit $?"
EOF
}

fam_cd_glob() {
	both <<'EOF'
cd "$W" || exit 1
pwd
/bin/pwd
mkdir sub
cd sub
pwd
/bin/pwd
echo rel >file
cat file "$W/sub/file"
cd ..
pwd
ls
ln -s sub lnk
cd lnk && pwd && /bin/pwd && pwd -P
cd "$W"
touch a.txt b.txt c.log 'with space.txt'
echo *.txt
echo *.log
echo "$W"/*.txt
echo [ab].*
echo ?.txt
echo nomatch*
shopt -s nullglob
echo nomatch*
shopt -u nullglob
mkdir -p deep/er/est
touch deep/er/est/x.txt deep/y.txt
shopt -s globstar
echo **/*.txt
shopt -u globstar
echo */
for f in *.txt; do echo "file: $f"; done
(cd sub && pwd && cat file)
bash -c 'pwd; ls'
realpath .
cd "$S" && pwd && ls
cd "$W" && pwd
ls -d "$PWD"/*
EOF
	# cd into the kernel's root and back out to the host.
	run kern bash -c 'mkdir /rump/cdtest && cd /rump && pwd && /bin/pwd &&
	    echo * && cd cdtest && pwd && cd / && pwd && /bin/pwd &&
	    [ -d /rump/cdtest ] && [ -d /proc/self ] && echo back on the host'
	assert_success
	assert_line --index 0 /rump
	assert_line --index 1 /rump
	[[ " ${lines[2]} " == *" cdtest "* ]]
	assert_line --index 3 /rump/cdtest
	assert_line --index 4 /
	assert_line --index 5 /
	assert_line --index 6 "back on the host"
}

fam_tree() {
	# Every process of the command tree sees the same kernel.
	both <<'EOF'
echo shared >"$W/x"
bash -c 'cat "$W/x"'
(cat "$W/x")
cat "$W/x" | cat
echo "$W/x" | xargs cat
sh -c 'cat "$1"' sh "$W/x"
env cat "$W/x"
(echo subshell >"$W/y")
cat "$W/y"
bash -c 'echo nested >"$W/z"; sh -c "echo deeper >>\"\$W/z\""'
cat "$W/z"
cat "$W/x" "$W/y" | tee "$W/tee" | wc -l
cat "$W/tee"
timeout 10 cat "$W/x"
nohup cat "$W/x" 2>/dev/null
EOF
}

fam_python() {
	both <<'EOF'
"$PY" - "$W" "$S" <<'PYEOF'
import glob, os, shutil, sys, tempfile
w, s = sys.argv[1], sys.argv[2]
def rel(p): return os.path.relpath(p, w)
with open(os.path.join(w, "p.txt"), "w") as f:
    f.write("hello\n" * 3)
with open(os.path.join(w, "p.txt"), "a") as f:
    print("appended", file=f)
with open(os.path.join(w, "p.txt")) as f:
    print(repr(f.read()))
with open(os.path.join(w, "b.bin"), "wb") as f:
    f.write(bytes(range(256)) * 1000)
with open(os.path.join(w, "b.bin"), "rb") as f:
    f.seek(1000)
    print(f.read(4).hex(), f.tell())
    f.seek(-3, 2)
    print(f.read().hex(), f.tell())
try:
    open(os.path.join(w, "p.txt"), "x")
except FileExistsError as e:
    print("EEXIST", e.errno, rel(e.filename))
try:
    open(os.path.join(w, "missing"))
except FileNotFoundError as e:
    print("ENOENT", e.errno, rel(e.filename))
shutil.copytree(s, os.path.join(w, "ct"), symlinks=True)
for root, dirs, files in os.walk(w):
    dirs.sort()
    print(rel(root), dirs, sorted(files))
up = [(rel(r), len(d), len(f))
      for r, d, f in os.walk(os.path.join(w, "ct"), topdown=False)]
print("bottom-up", up[-1], sorted(up))
fd, name = tempfile.mkstemp(dir=w, prefix="tmp", suffix=".x")
os.write(fd, b"abc")
os.close(fd)
print("mkstemp", os.path.dirname(name) == w,
      os.path.basename(name).startswith("tmp"), os.path.getsize(name),
      oct(os.stat(name).st_mode))
os.unlink(name)
d = tempfile.mkdtemp(dir=w)
print("mkdtemp", os.path.isdir(d), oct(os.stat(d).st_mode))
os.rmdir(d)
with tempfile.NamedTemporaryFile(dir=w) as t:
    t.write(b"x")
    t.flush()
    print("named", os.path.exists(t.name), os.path.getsize(t.name))
    tn = t.name
print("named gone", not os.path.exists(tn))
with os.scandir(os.path.join(w, "ct", "a", "b")) as it:
    for e in sorted(it, key=lambda e: e.name):
        print(e.name, e.is_dir(), e.is_file(), e.is_symlink(),
              e.is_dir() or e.stat(follow_symlinks=False).st_size)
print(sorted(os.listdir(os.path.join(w, "ct"))))
st = os.stat(os.path.join(w, "ct", "a", "b", "nums"))
print(st.st_size, oct(st.st_mode), st.st_mtime, st.st_nlink)
print(rel(os.path.realpath(os.path.join(w, "ct", "a", "b", "l1"))))
print(sorted(rel(p) for p in glob.glob(w + "/ct/**/*", recursive=True)))
os.makedirs(os.path.join(w, "x", "y", "z"), exist_ok=True)
os.makedirs(os.path.join(w, "x", "y", "z"), exist_ok=True)
os.replace(os.path.join(w, "p.txt"), os.path.join(w, "x", "p2.txt"))
shutil.copy2(os.path.join(w, "x", "p2.txt"), os.path.join(w, "p3.txt"))
shutil.move(os.path.join(w, "p3.txt"), os.path.join(os.environ["O"], "p3"))
print(open(os.path.join(os.environ["O"], "p3")).read().count("hello"))
shutil.rmtree(os.path.join(w, "ct"))
print(sorted(os.listdir(w)))
os.chdir(w)
print(rel(os.getcwd()), sorted(os.listdir(".")))
PYEOF
EOF
}

fam_sqlite() {
	both <<'EOF'
"$PY" - "$W" <<'PYEOF'
import os, sqlite3, sys
w = sys.argv[1]
p = os.path.join(w, "db.sqlite")
db = sqlite3.connect(p)
db.execute("create table t (k integer primary key, v text)")
with db:
    db.executemany("insert into t values (?, ?)",
                   [(i, ("v%d" % i) * 10) for i in range(5000)])
print(db.execute("select count(*), sum(k), max(length(v)) from t").fetchone())
db.execute("create index iv on t(v)")
db.commit()
with db:
    db.execute("delete from t where k % 2 = 0")
db.execute("vacuum")
db.close()
db = sqlite3.connect(p)
print(db.execute("select count(*), sum(k) from t").fetchone())
print(db.execute("pragma integrity_check").fetchone())
print(db.execute("select substr(v, 1, 5) from t where k = 4321").fetchone())
try:
    with db:
        db.execute("insert into t values (1, 'dup')")
except sqlite3.IntegrityError as e:
    print("IntegrityError", e)
db.close()
print(sorted(os.listdir(w)))
PYEOF
sqlite3 "$W/db.sqlite" 'select count(*) from t; insert into t values (100000, "cli"); select v from t where k = 100000;'
sqlite3 "$W/db.sqlite" '.tables'
ls "$W"
EOF
}

fam_sqlite_wal() {
	# WAL: the -shm file is shared memory, a kernel file mmap'd shared
	# and writable, which the shim refuses with ENODEV (README: not done).
	skip "writable MAP_SHARED of kernel files is not done (ENODEV)"
	both <<'EOF'
sqlite3 "$W/db" 'pragma journal_mode=wal; create table t (k, v); insert into t values (1, "a"), (2, "b"); select count(*) from t;'
sqlite3 "$W/db" 'select * from t; pragma wal_checkpoint(truncate);'
"$PY" -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); print(db.execute("select sum(k) from t").fetchone()); db.close()' "$W/db"
sqlite3 "$W/db" 'pragma journal_mode=delete;'
ls "$W"
EOF
}

fdrules() {
	both "\"\$FDRULES\" \"\$W\" $1"
}

# --- the matrix: every family on rumphijack and on a rump_server -------

@test "ls -la, ls -laR (rumphijack)" { fam_ls; }
@test "cat (rumphijack)" { fam_cat; }
@test "cp -a host -> kernel -> host (rumphijack)" { fam_cp; }
@test "mv (rumphijack)" { fam_mv; }
@test "rm -rf, rmdir (rumphijack)" { fam_rm; }
@test "mkdir -p (rumphijack)" { fam_mkdir; }
@test "ln, ln -s (rumphijack)" { fam_ln; }
@test "readlink -f, realpath (rumphijack)" { fam_readlink; }
@test "stat (rumphijack)" { fam_stat; }
@test "touch -d (rumphijack)" { fam_touch; }
@test "chmod, chown (rumphijack)" { fam_chmod; }
@test "find -exec (rumphijack)" { fam_find; }
@test "du (rumphijack)" { fam_du; }
@test "df (rumphijack)" { fam_df; }
@test "tar c/x (rumphijack)" { fam_tar; }
@test "gzip, gunzip (rumphijack)" { fam_gzip; }
@test "sha256sum (rumphijack)" { fam_sha256sum; }
@test "sort -o (rumphijack)" { fam_sort; }
@test "sed -i (rumphijack)" { fam_sed; }
@test "head, tail (rumphijack)" { fam_headtail; }
@test "dd (rumphijack)" { fam_dd; }
@test "truncate (rumphijack)" { fam_truncate; }
@test "install (rumphijack)" { fam_install; }
@test "bash: >, >>, <, 2>&1, here-documents (rumphijack)" { fam_redirect; }
@test "bash: cd, globbing (rumphijack)" { fam_cd_glob; }
@test "a command tree shares one kernel (rumphijack)" { fam_tree; }
@test "python3: open, os.walk, copytree, mkstemp, scandir (rumphijack)" { fam_python; }
@test "python3 sqlite3 and sqlite3(1) (rumphijack)" { fam_sqlite; }
@test "sqlite3 WAL mode (rumphijack)" { fam_sqlite_wal; }
@test "fdrules: dup2 onto stdout (rumphijack)" { fdrules dup2; }
@test "fdrules: fork (rumphijack)" { fdrules fork; }
@test "fdrules: exec keeps non-cloexec, closes cloexec (rumphijack)" { fdrules exec; }
@test "fdrules: F_DUPFD, dup (rumphijack)" { fdrules dupfd; }
@test "fdrules: close_range (rumphijack)" { fdrules closerange; }
@test "fdrules: select (rumphijack)" { fdrules select; }
@test "fdrules: poll of a host pipe and a kernel file (rumphijack)" { fdrules pollfile; }
@test "fdrules: epoll of a host pipe and a kernel fifo (rumphijack)" { fdrules epoll; }
@test "fdrules: poll of a host pipe and a kernel fifo (rumphijack)" { fdrules pollfifo; }

@test "ls -la, ls -laR (rump_server)" { server_mode; fam_ls; }
@test "cat (rump_server)" { server_mode; fam_cat; }
@test "cp -a host -> kernel -> host (rump_server)" { server_mode; fam_cp; }
@test "mv (rump_server)" { server_mode; fam_mv; }
@test "rm -rf, rmdir (rump_server)" { server_mode; fam_rm; }
@test "mkdir -p (rump_server)" { server_mode; fam_mkdir; }
@test "ln, ln -s (rump_server)" { server_mode; fam_ln; }
@test "readlink -f, realpath (rump_server)" { server_mode; fam_readlink; }
@test "stat (rump_server)" { server_mode; fam_stat; }
@test "touch -d (rump_server)" { server_mode; fam_touch; }
@test "chmod, chown (rump_server)" { server_mode; fam_chmod; }
@test "find -exec (rump_server)" { server_mode; fam_find; }
@test "du (rump_server)" { server_mode; fam_du; }
@test "df (rump_server)" { server_mode; fam_df; }
@test "tar c/x (rump_server)" { server_mode; fam_tar; }
@test "gzip, gunzip (rump_server)" { server_mode; fam_gzip; }
@test "sha256sum (rump_server)" { server_mode; fam_sha256sum; }
@test "sort -o (rump_server)" { server_mode; fam_sort; }
@test "sed -i (rump_server)" { server_mode; fam_sed; }
@test "head, tail (rump_server)" { server_mode; fam_headtail; }
@test "dd (rump_server)" { server_mode; fam_dd; }
@test "truncate (rump_server)" { server_mode; fam_truncate; }
@test "install (rump_server)" { server_mode; fam_install; }
@test "bash: >, >>, <, 2>&1, here-documents (rump_server)" { server_mode; fam_redirect; }
@test "bash: cd, globbing (rump_server)" { server_mode; fam_cd_glob; }
@test "a command tree shares one kernel (rump_server)" { server_mode; fam_tree; }
@test "python3: open, os.walk, copytree, mkstemp, scandir (rump_server)" { server_mode; fam_python; }
@test "python3 sqlite3 and sqlite3(1) (rump_server)" { server_mode; fam_sqlite; }
@test "sqlite3 WAL mode (rump_server)" { server_mode; fam_sqlite_wal; }
@test "fdrules: dup2 onto stdout (rump_server)" { server_mode; fdrules dup2; }
@test "fdrules: fork (rump_server)" { server_mode; fdrules fork; }
@test "fdrules: exec keeps non-cloexec, closes cloexec (rump_server)" { server_mode; fdrules exec; }
@test "fdrules: F_DUPFD, dup (rump_server)" { server_mode; fdrules dupfd; }
@test "fdrules: close_range (rump_server)" { server_mode; fdrules closerange; }
@test "fdrules: select (rump_server)" { server_mode; fdrules select; }
@test "fdrules: poll of a host pipe and a kernel file (rump_server)" { server_mode; fdrules pollfile; }
@test "fdrules: epoll of a host pipe and a kernel fifo (rump_server)" { server_mode; fdrules epoll; }
@test "fdrules: poll of a host pipe and a kernel fifo (rump_server)" { server_mode; fdrules pollfifo; }

# --- rump_server: the kernel outlives its clients ----------------------

@test "rump_server: a file written in one run is there for the next" {
	server_mode
	run kern sh -c 'mkdir /rump/keep && echo persistent >/rump/keep/f'
	assert_success
	run kern cat /rump/keep/f
	assert_success
	assert_output persistent
	run kern "$PY" -c 'import os; print(sorted(os.listdir("/rump/keep")))'
	assert_success
	assert_output "['f']"
	run kern sh -c 'echo more >>/rump/keep/f'
	assert_success
	run kern cat /rump/keep/f
	assert_output "$(printf 'persistent\nmore')"
	[ ! -e /rump ]
}

# --- rumphijack itself ---------------------------------------------------

@test "rumphijack: the exit status is the command's" {
	run timeout "$T" "$RH" -- true
	assert_success
	run timeout "$T" "$RH" -- false
	assert_failure 1
	run timeout "$T" "$RH" -- sh -c 'exit 7'
	assert_failure 7
	run timeout "$T" "$RH" -- sh -c 'kill -TERM $$'
	assert_failure 143
	run timeout "$T" "$RH" -- "$TMP/no such command"
	assert_failure 127
}

@test "rumphijack: --copy-in and --copy-out round trip a tree byte-exact" {
	run timeout "$T" "$RH" --copy-in "$S:/in" --copy-out "/in:$TMP/out" -- \
	    sh -c 'cat /rump/in/a/f1 && echo new >/rump/in/new'
	assert_success
	assert_output hello
	[ "$(cat "$TMP/out/new")" = new ]
	rm "$TMP/out/new"
	diff -r --no-dereference "$S" "$TMP/out"
	tree() { (cd "$1" && find . -printf '%P %y %m %s %l\n' | sort); }
	[ "$(tree "$S")" = "$(tree "$TMP/out")" ]
	while IFS= read -r -d '' f; do
		cmp "$S/$f" "$TMP/out/$f"
	done < <(cd "$S" && find . -type f -print0)
	# Again from that copy, with the short options.
	run timeout "$T" "$RH" -i "$TMP/out:/x" -o "/x:$TMP/out2" -- true
	assert_success
	diff -r --no-dereference "$S" "$TMP/out2"
	[ "$(tree "$S")" = "$(tree "$TMP/out2")" ]
}

@test "rumphijack: two concurrent runs have private kernels" {
	priv() {
		timeout "$T" "$RH" -- bash -c '
			me=$1 other=$2 sync=$3
			echo "$me" >/rump/mine && : >/rump/only-$me &&
			    : >"$sync/ready-$me" || exit 10
			for i in $(seq 600); do
				[ -e "$sync/ready-$other" ] && break
				sleep 0.05
			done
			[ -e "$sync/ready-$other" ] || exit 11
			read -r x </rump/mine && echo "$x"
			[ -e /rump/only-$me ] && echo "sees its own file"
			[ -e /rump/only-$other ] && echo "sees $other"
			: >"$sync/done-$me"
			for i in $(seq 600); do
				[ -e "$sync/done-$other" ] && break
				sleep 0.05
			done
			exit 0' sh "$1" "$2" "$TMP/sync" </dev/null 3>&-
	}
	priv A B >"$TMP/A.out" 2>&1 &
	local pa=$! pb sa sb
	priv B A >"$TMP/B.out" 2>&1 &
	pb=$!
	wait "$pa" && sa=0 || sa=$?
	wait "$pb" && sb=0 || sb=$?
	echo "A: $sa $(cat "$TMP/A.out")"
	echo "B: $sb $(cat "$TMP/B.out")"
	[ "$sa" -eq 0 ]
	[ "$sb" -eq 0 ]
	[ "$(cat "$TMP/A.out")" = "$(printf 'A\nsees its own file')" ]
	[ "$(cat "$TMP/B.out")" = "$(printf 'B\nsees its own file')" ]
}

# bad_config STRING PART: RUMPHIJACK=STRING is refused before main with
# one line naming PART and exit status 1, under rumphijack and under
# LD_PRELOAD alone; the command did not run.
bad_config() {
	run timeout "$T" "$RH" -H "$1" -- sh -c ': >"$0"' "$TMP/ran"
	assert_failure 1
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "$2"
	[ ! -e "$TMP/ran" ]
	run timeout "$T" env RUMPHIJACK="$1" LD_PRELOAD="$SHIM" \
	    sh -c ': >"$0"' "$TMP/ran"
	assert_failure 1
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "$2"
	[ ! -e "$TMP/ran" ]
}

@test "RUMPHIJACK=path=relative is refused" { bad_config path=relative relative; }
@test "RUMPHIJACK=bogus=1 is refused" { bad_config bogus=1 bogus; }
@test "RUMPHIJACK=socket=nosuchfamily is refused" {
	bad_config socket=nosuchfamily nosuchfamily
}
@test "RUMPHIJACK=path=/rump,, is refused" { bad_config path=/rump,, ',,'; }
@test "RUMPHIJACK=path=/rump,socket=inet:nobogus is refused" {
	bad_config path=/rump,socket=inet:nobogus nobogus
}
