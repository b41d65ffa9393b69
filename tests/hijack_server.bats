#!/usr/bin/env bats
# The hijack end to end on a rump_server: the command families of
# hijack.bats (hijack/fam_*.bash) in the rump_server mode, each command
# line as LD_PRELOAD=librumphijack.so RUMP_SERVER=unix://... cmd against a
# rump_server started by the test (server_mode in hijack/common.bash), the
# same command line on a host directory as the reference; and that the
# server's kernel outlives its clients.
#
# Most tests are a command family run twice by both(): once on the host
# with W a host temporary directory, once in the kernel with W=/rump/w.N;
# the outputs (stdout, stderr, exit status) must be equal once the two
# directory names are replaced by @W.  After each kernel run the host must
# be unchanged: no /rump, the same top-level listing of /, and the test's
# temporary tree as it was (except O, the host directory a command line
# may copy out to).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0
load 'hijack/common'
load 'hijack/fam_fs'
load 'hijack/fam_content'
load 'hijack/fam_programs'

# --- the matrix: every family on a rump_server -----------------------------

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
@test "find and du over all of /rump, /proc included (rump_server)" { server_mode; fam_procwalk; }
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
@test "python3 threads: the first to use the kernel exits, the rest go on (rump_server)" { server_mode; fam_threads; }
@test "python3 sqlite3 and sqlite3(1) (rump_server)" { server_mode; fam_sqlite; }
@test "sqlite3 WAL mode (rump_server)" { server_mode; fam_sqlite_wal; }
@test "sqlite3 WAL, two writer processes (rump_server)" { server_mode; fam_sqlite_wal2; }
@test "python mmap r+b with another process (rump_server)" { server_mode; fam_pymmap; }
@test "shared mappings: mmapp (rump_server)" { server_mode; fam_mmap; }
# A server 65534 may reach (abstract socket) and is served by (-U).
open_server_mode() {
	MODE=server
	URL=unix://@$TMP/open-srv
	timeout 30 "$SERVER" -U "$URL" >"$TMP/open-srv.log" 2>&1 3>&-
	SPID=$(find_pid "$SERVER" -U "$URL")
}

@test "identities: a program that drops to 65534 (rump_server)" { open_server_mode; fam_identity; }
@test "fdrules: dup2 onto stdout (rump_server)" { server_mode; fdrules dup2; }
@test "fdrules: fork (rump_server)" { server_mode; fdrules fork; }
@test "fdrules: exec keeps non-cloexec, closes cloexec (rump_server)" { server_mode; fdrules exec; }
@test "bad pointers: every path wrapper answers EFAULT (rump_server)" { server_mode; fam_badptr; }
@test "fdrules: F_DUPFD, dup (rump_server)" { server_mode; fdrules dupfd; }
@test "fdrules: close_range (rump_server)" { server_mode; fdrules closerange; }
@test "fdrules: select (rump_server)" { server_mode; fdrules select; }
@test "fdrules: poll of a host pipe and a kernel file (rump_server)" { server_mode; fdrules pollfile; }
@test "fdrules: epoll of a host pipe and a kernel fifo (rump_server)" { server_mode; fdrules epoll; }
@test "fdrules: EPOLLET and EPOLLONESHOT on a kernel fifo (rump_server)" { server_mode; fdrules epollet; }
@test "fdrules: a dup of an epoll descriptor keeps its kernel fifo (rump_server)" { server_mode; fdrules epolldup; }
@test "fdrules: poll of a host pipe and a kernel fifo (rump_server)" { server_mode; fdrules pollfifo; }
@test "fdlowest: the lowest free number across host and kernel descriptors (rump_server)" { server_mode; fam_fdlowest; }
@test "splice, tee, vmsplice, sendfile, copy_file_range, kernel and host (rump_server)" { server_mode; fam_splice; }
@test "preadv2, pwritev2 and their flags (rump_server)" { server_mode; fam_rwv2; }
@test "execvp, execlp, posix_spawnp through a PATH entry in the kernel (rump_server)" { server_mode; fam_execpath; }
@test "fts_open, fts_read, fts_children, fts_set over the kernel (rump_server)" { server_mode; fam_fts; }
@test "fwprintf, fgetws, fwscanf and the wide stdio on kernel streams (rump_server)" { server_mode; fam_wstdio; }
@test "remove, setmntent, ftok, tempnam, dlopen, execveat, tc*, sockatmark, bindresvport on the kernel (rump_server)" { server_mode; fam_glibc; }

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

# --- rump_server: a peer takes no identity its host identity could not ----

@test "rump_server: a non-root unix client cannot become root in the kernel" {
	local url=unix://@$TMP/idsrv
	timeout 30 "$SERVER" -U "$url" >"$TMP/idsrv.log" 2>&1 3>&-
	# Dropped to 65534 before connecting: 65534 in the kernel, for good.
	run timeout "$T" env RUMP_SERVER="$url" "$IDCLIENT" new
	assert_success
	assert_output "$(cat <<'EOS'
kernel euid 65534
setuid 0                         EPERM
setresuid 0 0 0                  EPERM
seteuid 0                        EPERM
setgroups 0                      EPERM
setfsuid 0 -> old 65534
setfsuid -1 -> 65534
setresuid 65534                  ok
setresgid 65534                  ok
kernel euid 65534
setuid 0 after                   EPERM
EOS
)"
	# Root at connect time, then 65534 on the host behind the kernel's
	# back: the server reads the host identity again and refuses root.
	run timeout "$T" env RUMP_SERVER="$url" "$IDCLIENT" stale
	assert_success
	assert_line --index 0 "kernel euid 0"
	assert_line --index 1 "setuid 0                         EPERM"
	assert_line --index 2 "setresuid 0 0 0                  EPERM"
	assert_line --index 4 "setgroups 0                      EPERM"
	assert_line --index 7 "setresuid 65534                  ok"
	assert_line --index 9 "kernel euid 65534"
	assert_line --index 10 "setuid 0 after                   EPERM"
}

# --- rumphijack --server: the tree on a rump_server's kernel ------------

@test "cat (rumphijack --server)" { rhserver_mode; fam_cat; }
@test "cp -a host -> kernel -> host (rumphijack --server)" { rhserver_mode; fam_cp; }
@test "a command tree shares one kernel (rumphijack --server)" { rhserver_mode; fam_tree; }
@test "fdrules: fork (rumphijack --server)" { rhserver_mode; fdrules fork; }
@test "fdrules: exec keeps non-cloexec, closes cloexec (rumphijack --server)" { rhserver_mode; fdrules exec; }
@test "fdrules: F_DUPFD, dup (rumphijack --server)" { rhserver_mode; fdrules dupfd; }

# LD_PRELOAD cat on the server of this test.
server_cat() {
	(cd "$TMP/cwd" && timeout "$T" env LD_PRELOAD="$SHIM" \
	    RUMP_SERVER="$URL" cat "$@" </dev/null 3>&-)
}

@test "rumphijack --server: what the tree writes is on the server for a later client" {
	start_server
	run timeout "$T" "$RH" --server "$URL" -- sh -c \
	    'mkdir /rump/rh && echo "from the tree" >/rump/rh/f && cat /rump/rh/f'
	assert_success
	assert_output "from the tree"
	run server_cat /rump/rh/f
	assert_success
	assert_output "from the tree"
	# -S is --server; a second tree sees the first's file.
	run timeout "$T" "$RH" -S "$URL" -- cat /rump/rh/f
	assert_success
	assert_output "from the tree"
	[ ! -e /rump ]
}

@test "rumphijack with RUMP_SERVER exported runs on that server; --private does not" {
	start_server
	run env RUMP_SERVER="$URL" timeout "$T" "$RH" -- sh -c \
	    'echo exported >/rump/e'
	assert_success
	assert_output ""
	run server_cat /rump/e
	assert_success
	assert_output exported
	# --private: a kernel of its own, which has no /e, and the same tree
	# sees RUMP_SERVER as its private kernel's, not the exported one.
	run env RUMP_SERVER="$URL" timeout "$T" "$RH" --private -- sh -c \
	    'cat /rump/e; echo "[$?]"; echo private >/rump/p'
	assert_success
	assert_output "cat: /rump/e: No such file or directory
[1]"
	run server_cat /rump/p
	assert_failure
	# An empty RUMP_SERVER is no server: a private kernel.
	run env RUMP_SERVER= timeout "$T" "$RH" -- sh -c 'echo ok >/rump/x && cat /rump/x'
	assert_success
	assert_output ok
	# The private kernel's parameters make no sense on a server.
	run env RUMP_SERVER="$URL" timeout "$T" "$RH" -c 2 -- true
	assert_failure 2
	assert_line --index 0 --partial "rumphijack: -c and -r are a private kernel's parameters"
	run env RUMP_SERVER="$URL" timeout "$T" "$RH" -P -c 2 -- true
	assert_success
}

@test "rumphijack --server: --copy-in before, --copy-out after, on the server's kernel" {
	start_server
	run timeout "$T" "$RH" --server "$URL" --copy-in "$S:/in" \
	    --copy-out "/in:$TMP/out" -- sh -c \
	    'cat /rump/in/a/f1 && echo added >/rump/in/new'
	assert_success
	assert_output hello
	# Out: the tree as copied in, and what the command added.
	[ "$(cat "$TMP/out/new")" = added ]
	rm "$TMP/out/new"
	diff -r --no-dereference "$S" "$TMP/out"
	# In: on the server's kernel, for later clients too.
	run server_cat /rump/in/a/b/nums
	assert_success
	assert_output "$(seq 1 1000)"
	# A copy-in that fails: no command, status 127.
	run -127 timeout "$T" "$RH" --server "$URL" --copy-in "$TMP/none:/x" -- \
	    touch "$TMP/ran"
	assert_failure 127
	assert_output --partial "rumphijack: stat $TMP/none"
	[ ! -e "$TMP/ran" ]
	[ ! -e /rump ]
}

@test "rumphijack --server: a bad or unreachable URL is a clear error, and the command never runs" {
	local url
	for url in foo unix:// tcp://nohost http://x/y; do
		run timeout "$T" "$RH" --server "$url" -- touch "$TMP/ran"
		assert_failure 2
		assert_output "rumphijack: --server $url: not a server URL (unix:///path, unix://@name or tcp://addr:port)"
		run env RUMP_SERVER="$url" timeout "$T" "$RH" -- touch "$TMP/ran"
		assert_failure 2
		assert_output "rumphijack: RUMP_SERVER $url: not a server URL (unix:///path, unix://@name or tcp://addr:port)"
	done
	run timeout "$T" "$RH" --server "unix://$TMP/$(printf 'x%.0s' $(seq 120))" -- touch "$TMP/ran"
	assert_failure 2
	assert_output --partial "the socket path is too long"
	# Well-formed, nobody there: the tree cannot start (127).
	run -127 timeout "$T" "$RH" --server "unix://$TMP/nobody" -- touch "$TMP/ran"
	assert_failure 127
	assert_output --partial "cannot reach unix://$TMP/nobody"
	run timeout "$T" "$RH" --server unix://@$TMP/nobody -P -- touch "$TMP/ran"
	assert_failure 2
	assert_line --index 0 "rumphijack: --server and --private exclude each other"
	run timeout "$T" "$RH" --server
	assert_failure 2
	[ ! -e "$TMP/ran" ]
	# --help: the usage on stdout, status 0.
	run "$RH" --help
	assert_success
	assert_line --index 0 --partial "usage: rumphijack"
	assert_output --partial "an exported RUMP_SERVER is used the same way"
}
