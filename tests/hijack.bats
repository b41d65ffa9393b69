#!/usr/bin/env bats
# The hijack end to end under rumphijack: unmodified Debian programs
# (coreutils, tar, gzip, sed, bash, python3, sqlite3) and
# tests/hijack/fdrules run on /rump paths, and the same command lines on a
# host directory as the reference; then the launcher rumphijack itself
# (exit status, --copy-in and --copy-out, private kernels) and the
# refusal of a bad RUMPHIJACK.  hijack_server.bats runs the same families
# on a rump_server.
#
# Most tests are a command family run twice by both(): once on the host
# with W a host temporary directory, once in a kernel with W=/rump/w.N;
# the outputs (stdout, stderr, exit status) must be equal once the two
# directory names are replaced by @W.  Here the mode is rumphijack: each
# command line runs under build-gcc/hijack/rumphijack, a private kernel.
# After each kernel run the host must be unchanged: no /rump, the same
# top-level listing of /, and the test's temporary tree as it was (except
# O, the host directory a command line may copy out to).  The harness is
# hijack/common.bash, the families hijack/fam_*.bash.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0
load 'hijack/common'
load 'hijack/fam_fs'
load 'hijack/fam_content'
load 'hijack/fam_programs'

# --- the matrix: every family on rumphijack --------------------------------

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
@test "find and du over all of /rump, /proc included (rumphijack)" { fam_procwalk; }
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
@test "python3 threads: the first to use the kernel exits, the rest go on (rumphijack)" { fam_threads; }
@test "python3 sqlite3 and sqlite3(1) (rumphijack)" { fam_sqlite; }
@test "sqlite3 WAL mode (rumphijack)" { fam_sqlite_wal; }
@test "sqlite3 WAL, two writer processes (rumphijack)" { fam_sqlite_wal2; }
@test "python mmap r+b with another process (rumphijack)" { fam_pymmap; }
@test "shared mappings: mmapp (rumphijack)" { fam_mmap; }
@test "identities: a program that drops to 65534 (rumphijack)" { fam_identity; }
@test "fdrules: dup2 onto stdout (rumphijack)" { fdrules dup2; }
@test "fdrules: fork (rumphijack)" { fdrules fork; }
@test "fdrules: exec keeps non-cloexec, closes cloexec (rumphijack)" { fdrules exec; }
@test "fdrules: F_DUPFD, dup (rumphijack)" { fdrules dupfd; }
@test "fdrules: close_range (rumphijack)" { fdrules closerange; }
@test "fdrules: select (rumphijack)" { fdrules select; }
@test "fdrules: poll of a host pipe and a kernel file (rumphijack)" { fdrules pollfile; }
@test "fdrules: epoll of a host pipe and a kernel fifo (rumphijack)" { fdrules epoll; }
@test "fdrules: EPOLLET and EPOLLONESHOT on a kernel fifo (rumphijack)" { fdrules epollet; }
@test "fdrules: a dup of an epoll descriptor keeps its kernel fifo (rumphijack)" { fdrules epolldup; }
@test "fdrules: poll of a host pipe and a kernel fifo (rumphijack)" { fdrules pollfifo; }
@test "fdlowest: the lowest free number across host and kernel descriptors (rumphijack)" { fam_fdlowest; }
@test "fdlowest: the lowest free number, embedded kernel (LD_PRELOAD)" { fam_fdlowest_embedded; }
@test "splice, tee, vmsplice, sendfile, copy_file_range, kernel and host (rumphijack)" { fam_splice; }
@test "preadv2, pwritev2 and their flags (rumphijack)" { fam_rwv2; }
@test "execvp, execlp, posix_spawnp through a PATH entry in the kernel (rumphijack)" { fam_execpath; }
@test "fts_open, fts_read, fts_children, fts_set over the kernel (rumphijack)" { fam_fts; }
@test "fwprintf, fgetws, fwscanf and the wide stdio on kernel streams (rumphijack)" { fam_wstdio; }
@test "remove, setmntent, ftok, tempnam, dlopen, execveat, tc*, sockatmark, bindresvport on the kernel (rumphijack)" { fam_glibc; }
@test "bad pointers: every path wrapper answers EFAULT (rumphijack)" { fam_badptr; }

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
	run -127 timeout "$T" "$RH" -- "$TMP/no such command"
}

# The kernel boots beside the command: one that cannot boot (a bad
# parameter) says why, its socket refuses the command's calls at once
# (no hang), and the tree's status is 127 whatever the command's is.
@test "rumphijack: a kernel that cannot boot is status 127 with its reason, and the command's calls fail" {
	run -127 env RUMP_NCPU=abc timeout "$T" "$RH" -- sh -c \
	    'ls /rump >/dev/null 2>&1; echo "ls=$?"; exit 0'
	assert_line --partial 'RUMP_NCPU="abc": not a number'
	assert_line --partial 'rumphijack: rump_init: Invalid argument'
	assert_line 'ls=2'
	run -127 env RUMP_NCPU=abc timeout "$T" "$RH" -- true
}

# The command is started as execvp(3) starts it (as env(1) does): found
# in PATH, and a script without "#!" runs under /bin/sh; a file that
# cannot be executed is 126.  The host is the reference: env runs it.
@test "rumphijack: the command is found and run as execvp runs it" {
	mkdir "$TMP/bin"
	printf 'echo "script $1"\nexit 4\n' >"$TMP/bin/noshebang"
	chmod +x "$TMP/bin/noshebang"
	printf 'not a program\n' >"$TMP/bin/noexec"
	run env PATH="$TMP/bin:$PATH" noshebang arg
	local want=$output ws=$status
	run timeout "$T" env PATH="$TMP/bin:$PATH" "$RH" -- noshebang arg
	[ "$status" -eq "$ws" ]
	[ "$output" = "$want" ]
	[ "$output" = "script arg" ]
	run timeout "$T" "$RH" -- "$TMP/bin/noexec"
	assert_failure 126
}

# With nothing to copy out the launcher exits as soon as the command has,
# without stopping its kernel first: a process of the tree that outlives
# the command finds the kernel gone (an error, not a hang), and the
# command's status is the tree's.
@test "rumphijack: a process that outlives the command finds no kernel" {
	mkfifo "$TMP/go" "$TMP/bg"
	run timeout "$T" "$RH" -- sh -c '
		( read x <"$1"; ls /rump; echo "ls $?" >"$2" ) \
		    >/dev/null 2>&1 &
		exit 6' sh "$TMP/go" "$TMP/bg"
	assert_failure 6
	echo go >"$TMP/go"
	run timeout "$T" cat "$TMP/bg"
	assert_output "ls 2"
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

@test "rumphijack: forked and exec'd processes keep umask, links out and ids without asking, and see no private variables" {
	run timeout "$T" "$RH" -- sh -c '
		cd /rump && umask 027 && ln -s /usr/bin/true t && : >a &&
		sh -c ": >b; ./t && echo out-ok; env" && stat -c "%n %a %u" a b
		setpriv --reuid 65534 --regid 65534 --clear-groups \
		    sh -c "id -u; : >c" </dev/null
		stat -c "%n %u" c'
	assert_line out-ok
	assert_line "a 640 0"
	assert_line "b 640 0"
	assert_line 65534
	assert_line --partial "Permission denied"
	assert_line --partial "cannot statx 'c'"
	refute_output --partial RUMPHIJACK__
	refute_output --partial RUMPCLIENT__
}

@test "rumphijack: a child that execs next (dash's vfork, posix_spawn) gets its kernel process in the image it runs" {
	# dash vforks each command: a redirection into the kernel before the
	# exec, an exec that fails, an exec that works, all from a kernel cwd.
	run timeout "$T" "$RH" -- sh -c '
		cd /rump && echo a >f && stat -c "%n %s" f >g && cat g
		/etc/passwd; echo "status $?"
		cat f'
	assert_line "f 2"
	assert_line --partial "Permission denied"
	assert_line "status 126"
	assert_line a
	# posix_spawn: an inheritable kernel descriptor reaches the new
	# image, a close-on-exec one is closed there (the EXEC behind the
	# claim), as on the host.
	run timeout "$T" "$RH" -- python3 -c '
import os
os.chdir("/rump")
keep = os.open("kept", os.O_WRONLY | os.O_CREAT, 0o644)
os.set_inheritable(keep, True)
shut = os.open("shut", os.O_WRONLY | os.O_CREAT, 0o644)
for fd in (keep, shut):
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", "echo spawned >&%d" % fd],
                         os.environ)
    print(fd == keep, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
print(repr(open("kept").read()), repr(open("shut").read()))'
	assert_line "True 0"
	assert_line "False 2"
	assert_line "'spawned\\n' ''"
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

@test "absolute links out of the kernel reach the host (rumphijack)" { fam_links_out; }
@test "absolute links out of the kernel reach the host (rump_server)" { server_mode; fam_links_out; }
@test "rename, link, symlink, mknod, mkstemp through links out of the kernel, as on the host (rumphijack)" { fam_links_out_names; }
@test "rename, link, symlink, mknod, mkstemp through links out of the kernel, as on the host (rump_server)" { server_mode; fam_links_out_names; }
@test "python3 -m venv on /rump, its python and pip run (rumphijack)" {
	fam_venv
	assert_line --regexp "^pip [0-9]"
}
@test "python3 -m venv --without-pip on /rump (rump_server)" { server_mode; fam_venv --without-pip; }
