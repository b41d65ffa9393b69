#!/usr/bin/env bats
# The build as a user sees it: examples run, a client builds against the
# build tree and against an installed tree with pkg-config, and the
# libraries export nothing but rump_*/rumpuser_*/rumpclient_* names.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	TMP=$(mktemp -d)
}

teardown() {
	if [ -n "${SRV:-}" ]; then kill -TERM "$SRV" 2>/dev/null; wait "$SRV" || true; fi
	rm -rf "$TMP"
}

@test "listdir example makes and lists files inside the kernel only" {
	run "$B/examples/listdir"
	assert_success
	assert_output --partial "alpha"
	assert_output --partial "gamma"
	assert_output --partial "host sees /demo: no"
	[ ! -e /demo ]
}

@test "kcp example copies a host file into the kernel and back byte-exact" {
	head -c 1500000 /dev/urandom >"$TMP/data"
	run "$B/examples/kcp" "$TMP/data"
	assert_success
	cmp "$TMP/data" "$TMP/data.back"
}

@test "a client builds against the build tree with the uninstalled rump.pc" {
	export PKG_CONFIG_PATH="$B/meson-uninstalled"
	run pkg-config --cflags --libs rump
	assert_success
	cc -std=c11 -Wall -Werror -o "$TMP/listdir" \
	    "$BATS_TEST_DIRNAME/../examples/listdir.c" \
	    $(pkg-config --cflags --libs rump)
	# The uninstalled libraries live where -L points, one dir per library.
	libpath=$(pkg-config --libs-only-L rump | sed 's/-L//g; s/ /:/g')
	run env LD_LIBRARY_PATH="$libpath" "$TMP/listdir"
	assert_success
	assert_output --partial "beta"
}

@test "a client builds against an installed tree with rump.pc" {
	DESTDIR="$TMP/root" meson install -C "$B" --no-rebuild >/dev/null
	prefix=$(meson introspect "$B" --buildoptions |
	    python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
	root="$TMP/root$prefix"
	pc=$(dirname "$(find "$root" -name rump.pc | head -n 1)")
	[ -f "$root/include/rump/rump_syscalls.h" ]
	[ -f "$root/include/rump/rumpuser.h" ]
	export PKG_CONFIG_PATH="$pc" PKG_CONFIG_SYSROOT_DIR="$TMP/root"
	cc -std=c11 -Wall -Werror -o "$TMP/kcp" \
	    "$BATS_TEST_DIRNAME/../examples/kcp.c" $(pkg-config --cflags --libs rump)
	libdir=$(dirname "$(find "$root" -name 'librump.so' | head -n 1)")
	head -c 10000 /dev/urandom >"$TMP/x"
	run env LD_LIBRARY_PATH="$libdir" "$TMP/kcp" "$TMP/x"
	assert_success
}

@test "the libraries export only rump_*, rumpuser_* and rumpclient_* symbols" {
	for lib in "$B"/rumpuser/librumpuser.so "$B"/kernel/librump*.so \
	    "$B"/client/librumpclient.so "$B"/server/librumpserver.so; do
		bad=$(nm -D --defined-only "$lib" | awk '{print $3}' |
		    grep -Ev '^(rump_|rumpuser_|rumpclient_)' |
		    grep -Ev '^(_init|_fini|__bss_start|_edata|_end)$' || true)
		if [ -n "$bad" ]; then
			echo "$lib exports: $bad"
			return 1
		fi
	done
}

@test "the shim's linked-in librumpclient calls the host's libc, never the shim's wrappers, and is not exported" {
	shim="$B"/hijack/librumphijack.so
	exports=$(nm -D --defined-only "$shim" | awk '{print $3}' |
	    sed 's/@.*//' | sort -u)
	calls=$(nm -u "$B"/hijack/librumpclient_shim.a | awk '{print $2}' |
	    sort -u)
	both=$(comm -12 <(echo "$exports") <(echo "$calls"))
	if [ -n "$both" ]; then
		echo "the client calls the shim's own: $both" \
		    "(add them to hijack/client_libc.list)"
		return 1
	fi
	run grep -E '^(hjc_|hj_libc_|sp_)' <<<"$exports"
	assert_failure
	# The client really is inside: the shell that wrote to the kernel
	# (a remote client of the tree's kernel) loaded no librumpclient.
	run env -u RUMP_SERVER "$B"/hijack/rumphijack -- sh -c \
	    'echo x > /rump/f; cat /rump/f; grep -c librumpclient /proc/$$/maps || :'
	assert_success
	assert_output "x
0"
}

@test "a remote client builds against the build tree with the uninstalled rumpclient.pc" {
	export PKG_CONFIG_PATH="$B/meson-uninstalled"
	run pkg-config --cflags --libs rumpclient
	assert_success
	cc -std=c11 -Wall -Werror -o "$TMP/rcp" \
	    "$BATS_TEST_DIRNAME/../examples/rcp.c" \
	    $(pkg-config --cflags --libs rumpclient)
	libpath=$(pkg-config --libs-only-L rumpclient | sed 's/-L//g; s/ /:/g')
	# Without a server it says so and fails, it does not hang.
	run env -u RUMP_SERVER LD_LIBRARY_PATH="$libpath" timeout 10 "$TMP/rcp" out /x "$TMP/x"
	assert_failure 1
	assert_output --partial "RUMP_SERVER is not set"
}

@test "an embedded kernel serves other processes (rump_init_server)" {
	"$B/examples/kserve" "unix://$TMP/k" >"$TMP/kserve.out" 2>&1 &
	pid=$!
	for i in $(seq 100); do [ -S "$TMP/k" ] && break; sleep 0.05; done
	run env RUMP_SERVER="unix://$TMP/k" timeout 10 "$B/examples/rcp" out /motd "$TMP/motd"
	assert_success
	grep -q "served by an embedded kernel" "$TMP/motd"
	# A second client writes; a third reads it back from the same kernel.
	echo "from a client" >"$TMP/note"
	RUMP_SERVER="unix://$TMP/k" timeout 10 "$B/examples/rcp" in "$TMP/note" /note
	RUMP_SERVER="unix://$TMP/k" timeout 10 "$B/examples/rcp" out /note "$TMP/note.back"
	cmp "$TMP/note" "$TMP/note.back"
	kill -TERM "$pid"
	wait "$pid"
	[ ! -e "$TMP/k" ]
}

# A program written against glibc's <fcntl.h>, <sys/ioctl.h> and
# <sys/socket.h> (_GNU_SOURCE: bind takes a sockaddr_un * uncast).
libc_program() {
	cat >"$TMP/prog.c" <<'PROG'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/s" };
	struct sockaddr_un got;
	socklen_t len = sizeof(got);
	int fd, dfd, n = 0, s;

	if ((fd = open("/f", O_CREAT | O_WRONLY | O_TRUNC, 0644)) < 0 ||
	    write(fd, "abc", 3) != 3 || close(fd) != 0)
		return 1;
	if ((fd = open("/f", O_RDWR)) < 0 || (dfd = open("/", O_RDONLY |
	    O_DIRECTORY)) < 0 || close(openat(dfd, "f", O_RDONLY)) != 0 ||
	    close(openat(dfd, "g", O_CREAT | O_RDWR, 0600)) != 0)
		return 2;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0 ||
	    !(fcntl(fd, F_GETFL) & O_NONBLOCK) ||
	    fcntl(fd, F_SETLK, &fl) != 0 || fcntl(fd, F_GETFD) != 0)
		return 3;
	if (ioctl(fd, FIOCLEX) != 0 || fcntl(fd, F_GETFD) != FD_CLOEXEC ||
	    ioctl(fd, FIONREAD, &n) != 0 || n != 3)
		return 4;
	/* glibc's sockaddr union: a sockaddr_un * needs no cast. */
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(s, &sun, sizeof(sun)) != 0 ||
	    getsockname(s, &got, &len) != 0 || close(s) != 0 ||
	    strcmp(got.sun_path, "/s") != 0)
		return 5;
	printf("ok %d\n", n);
	return 0;
}
PROG
	cc -std=c11 -Wall -Wextra -Werror -c -o "$TMP/prog.o" "$TMP/prog.c"
	# Every call renamed, nothing else changed but the header.
	sed -E 's/\<(open|openat|fcntl|ioctl|write|close|socket|bind|getsockname)\(/rump_sys_\1(/g;
	    s|#include <unistd.h>|&\n#include <rump/rump.h>\n#include <rump/rump_syscalls.h>|' \
	    "$TMP/prog.c" >"$TMP/rprog.c"
	grep -q 'rump_sys_open("/f", O_RDWR)' "$TMP/rprog.c"
}

@test "a glibc program renamed to rump_sys_* compiles with -Wall -Werror and runs, kernel and remote" {
	export PKG_CONFIG_PATH="$B/meson-uninstalled"
	libc_program
	# Against the kernel: rump_init() first, the one line added.
	sed -i 's|int fd, dfd, n = 0;|&\n\n\tif (rump_init() != 0) return 9;|' \
	    "$TMP/rprog.c"
	cc -std=c11 -Wall -Wextra -Werror -o "$TMP/kprog" "$TMP/rprog.c" \
	    $(pkg-config --cflags --libs rump)
	libpath=$(pkg-config --libs-only-L rump | sed 's/-L//g; s/ /:/g')
	run env LD_LIBRARY_PATH="$libpath" "$TMP/kprog"
	assert_success
	assert_output "ok 3"
	# Against librumpclient and a server, from the same renamed source.
	sed -i '/rump_init/d' "$TMP/rprog.c"
	cc -std=c11 -Wall -Wextra -Werror -o "$TMP/cprog" "$TMP/rprog.c" \
	    $(pkg-config --cflags --libs rumpclient)
	"$B/server/rump_server" -s "unix://$TMP/k" &
	SRV=$!
	for i in $(seq 100); do [ -S "$TMP/k" ] && break; sleep 0.05; done
	libpath=$(pkg-config --libs-only-L rumpclient | sed 's/-L//g; s/ /:/g')
	run env RUMP_SERVER="unix://$TMP/k" LD_LIBRARY_PATH="$libpath" \
	    timeout 10 "$TMP/cprog"
	assert_success
	assert_output "ok 3"
}

@test "gensyscalls rejects a misplaced or unknown @va with file:line" {
	printf '1\tvfs\tSTD\tint f(int a @va(mode), int b)\n' >"$TMP/m1"
	run "$B/gen/gensyscalls" check "$TMP/m1"
	assert_failure 1
	assert_output --partial "$TMP/m1:1: f: argument a: only the last argument"
	printf '1\tvfs\tSTD\tint f(int a, int b @va(maybe))\n' >"$TMP/m2"
	run "$B/gen/gensyscalls" check "$TMP/m2"
	assert_failure 1
	assert_output --partial "$TMP/m2:1: f: argument b: @va(mode), @va(fcntl) or @va(ioctl) expected"
	printf '1\tvfs\tSTD\tint f(int a, long b @va(fcntl))\n' >"$TMP/m3"
	run "$B/gen/gensyscalls" check "$TMP/m3"
	assert_failure 1
	assert_output --partial "@va(fcntl) needs a scalar @fcntl(CMD) argument"
	printf '1\tvfs\tSTD\tint f(int a, void *b @ioctl(a) @va(ioctl) @va(ioctl))\n' >"$TMP/m4"
	run "$B/gen/gensyscalls" check "$TMP/m4"
	assert_failure 1
	assert_output --partial "@va given twice"
}

@test "every glibc function that takes a path or a descriptor is wrapped or listed in doc/HIJACK.md" {
	command -v clang >/dev/null || skip "clang is not installed (the check parses glibc's headers with it)"
	S=$BATS_TEST_DIRNAME/..
	run python3 "$S/tests/libc_audit.py" "$B/hijack/librumphijack.so" \
	    "$S/doc/HIJACK.md"
	assert_success
	assert_output --regexp '^[0-9]+ candidates in libc.so.6: [0-9]+ wrapped, [0-9]+ with a reason; 0 problems$'
	# The check itself finds what is missing: a list without one name.
	sed 's/`acct`, //' "$S/doc/HIJACK.md" >"$TMP/h.md"
	run python3 "$S/tests/libc_audit.py" "$B/hijack/librumphijack.so" \
	    "$TMP/h.md"
	assert_failure
	assert_line 'acct (takes a path): neither wrapped nor listed'
}
