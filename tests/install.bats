#!/usr/bin/env bats
# An installed tree works from its installed paths only: meson install
# into a DESTDIR, the examples built against the installed pkg-config
# files (no build-tree header or library in sight), run with the
# installed libraries; rumphijack runs from the installed bin/; the
# libraries carry versioned sonames and rump_version() says meson.build's
# version, as pkg-config --modversion does.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup_file() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	ROOT=$(mktemp -d)
	DESTDIR="$ROOT" meson install -C "$B" --no-rebuild --quiet >/dev/null
	prefix=$(meson introspect "$B" --buildoptions |
	    python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
	export ROOT PREFIX="$ROOT$prefix"
}

teardown_file() {
	rm -rf "$ROOT"
}

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	S=$BATS_TEST_DIRNAME/..
	TMP=$(mktemp -d)
	VERSION=$(meson introspect "$B" --projectinfo |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
	LIBDIR=$(dirname "$(find "$PREFIX" -name 'librump.so.0' | head -n 1)")
	export PKG_CONFIG_PATH="$LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT"
	export PKG_CONFIG_LIBDIR=/nonexistent	# only the installed .pc files
}

teardown() {
	if [ -n "${SRV:-}" ]; then kill -TERM "$SRV" 2>/dev/null; wait "$SRV" || true; fi
	rm -rf "$TMP"
}

# build NAME PKG...: examples/NAME.c against the installed PKGs only.
build() {
	name=$1; shift
	cc -std=c11 -Wall -Werror -o "$TMP/$name" "$S/examples/$name.c" \
	    $(pkg-config --cflags --libs "$@")
}

@test "install: versioned libraries, headers, pkg-config files with the version" {
	for lib in rump rumpuser rumpvfs rumpdev rumpfs_tmpfs rumpfs_procfs \
	    rumpfs_ext2 rumpnet rumpnet_unix rumpnet_netinet rumpserver \
	    rumpclient rumphijack; do
		[ -f "$LIBDIR/lib$lib.so.$VERSION" ]
		[ -L "$LIBDIR/lib$lib.so.0" ]
		[ -L "$LIBDIR/lib$lib.so" ]
		soname=$(readelf -d "$LIBDIR/lib$lib.so.$VERSION" |
		    sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
		[ "$soname" = "lib$lib.so.0" ]
	done
	for h in rump.h rump_syscalls.h rumpuser.h rumpclient.h rump_version.h; do
		[ -f "$PREFIX/include/rump/$h" ]
	done
	for pc in rump rumpclient rumpserver; do
		[ "$(pkg-config --modversion $pc)" = "$VERSION" ]
	done
	[ -x "$PREFIX/bin/rump_server" ] && [ -x "$PREFIX/bin/rumphijack" ]
	# Man pages, completions, units, the defaults file.
	for f in share/man/man1/rump_server.1 share/man/man1/rumphijack.1 \
	    share/man/man3/rump.3 share/man/man3/rump_sys.3 \
	    share/man/man3/rumpclient.3 share/man/man3/rumpuser.3 \
	    share/man/man7/rump_sp.7 \
	    share/bash-completion/completions/rump_server \
	    share/bash-completion/completions/rumphijack \
	    lib/systemd/system/rump_server.service \
	    lib/systemd/system/rump_server.socket; do
		[ -f "$PREFIX/$f" ] || { echo "not installed: $f"; return 1; }
	done
	grep -q "^ExecStart=${PREFIX#$ROOT}/bin/rump_server " "$PREFIX/lib/systemd/system/rump_server.service"
	[ -n "$(find "$ROOT" -path '*/default/rump_server')" ]
	grep -q "RUMP_VERSION_STRING	\"$VERSION\"" "$PREFIX/include/rump/rump_version.h"
}

@test "install: a program says rump_version() and RUMP_VERSION_STRING alike" {
	cat >"$TMP/ver.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <rump/rump.h>
int main(void) {
	printf("%s %s\n", rump_version(), RUMP_VERSION_STRING);
	return strcmp(rump_version(), RUMP_VERSION_STRING) != 0 ||
	    RUMP_VERSION < RUMP_MAKE_VERSION(0, 0, 1);
}
C
	cc -std=c11 -Wall -Werror -o "$TMP/ver" "$TMP/ver.c" $(pkg-config --cflags --libs rump)
	run env LD_LIBRARY_PATH="$LIBDIR" "$TMP/ver"
	assert_success
	assert_output "$VERSION $VERSION"
	# It runs on the installed library: the build tree's is not loaded.
	run env LD_LIBRARY_PATH="$LIBDIR" ldd "$TMP/ver"
	assert_output --partial "$LIBDIR/librump.so.0"
	refute_output --partial "$B/"
}

@test "install: examples built against the installed pkg-config files run" {
	build listdir rump
	build kcp rump
	build rcp rumpclient
	build kserve rumpserver
	export LD_LIBRARY_PATH="$LIBDIR"
	run "$TMP/listdir"
	assert_success
	assert_output --partial "host sees /demo: no"
	head -c 100000 /dev/urandom >"$TMP/x"
	run "$TMP/kcp" "$TMP/x"
	assert_success
	cmp "$TMP/x" "$TMP/x.back"
	# The installed rump_server, and the installed client against it.
	"$PREFIX/bin/rump_server" -s "unix://$TMP/k" 2>"$TMP/log" &
	SRV=$!
	for i in $(seq 200); do [ -S "$TMP/k" ] && break; sleep 0.05; done
	echo "installed" >"$TMP/note"
	RUMP_SERVER="unix://$TMP/k" timeout 30 "$TMP/rcp" in "$TMP/note" /note
	RUMP_SERVER="unix://$TMP/k" timeout 30 "$TMP/rcp" out /note "$TMP/back"
	cmp "$TMP/note" "$TMP/back"
	RUMP_SERVER="unix://$TMP/k" "$PREFIX/bin/rumphijack" -- rm /rump/note
	kill -TERM "$SRV"
	wait "$SRV"
	SRV=
	[ ! -e "$TMP/k" ]
	# kserve: an embedded kernel served with the installed librumpserver.
	"$TMP/kserve" "unix://$TMP/ks" >/dev/null 2>&1 &
	SRV=$!
	for i in $(seq 200); do [ -S "$TMP/ks" ] && break; sleep 0.05; done
	run env RUMP_SERVER="unix://$TMP/ks" timeout 30 "$TMP/rcp" out /motd "$TMP/motd"
	assert_success
	grep -q "served by an embedded kernel" "$TMP/motd"
}

@test "install: rumphijack -- ls /rump runs from the installed paths" {
	# Its shim and librumpclient are found in the installed libdir.
	run env LD_LIBRARY_PATH="$LIBDIR" "$PREFIX/bin/rumphijack" -- ls /rump
	assert_success
	assert_output --partial "dev"
	assert_output --partial "proc"
	run env LD_LIBRARY_PATH="$LIBDIR" "$PREFIX/bin/rumphijack" -- \
	    sh -c 'grep -c rumphijack /proc/self/maps >/dev/null && grep -o "[^ ]*librumphijack[^ ]*" /proc/self/maps | sort -u'
	assert_success
	assert_output "$LIBDIR/librumphijack.so.$VERSION"
}
