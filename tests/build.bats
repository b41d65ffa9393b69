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
