#!/usr/bin/env bats
# The Debian packages: scripts/deb.sh builds them with dpkg-buildpackage
# -us -uc -b, lintian finds no error, and dpkg -c lists what each package
# must hold.  A package build is a whole build more, so it runs only
# with RUMP_TEST_DEB=1 (and the build dependencies installable or
# installed: debhelper, dpkg-dev, lintian).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup_file() {
	[ "${RUMP_TEST_DEB:-0}" = 1 ] || return 0
	OUT=$(mktemp -d)
	export OUT
	sh "$BATS_TEST_DIRNAME/../scripts/deb.sh" "$OUT" >"$OUT/deb.log" 2>&1 ||
	    { cat "$OUT/deb.log" >&2; return 1; }
}

teardown_file() {
	[ -z "${OUT:-}" ] || rm -rf "$OUT"
}

setup() {
	[ "${RUMP_TEST_DEB:-0}" = 1 ] ||
	    skip "package build: RUMP_TEST_DEB=1 (scripts/deb.sh, a few minutes)"
}

@test "deb: three packages, lintian without errors" {
	ls "$OUT"/librump0_*.deb "$OUT"/librump-dev_*.deb "$OUT"/rump-tools_*.deb
	run lintian --fail-on error "$OUT"/*.changes
	assert_success
	refute_output --partial "E: "
}

@test "deb: librump0 holds the versioned libraries and no unversioned link" {
	run dpkg -c "$OUT"/librump0_*.deb
	for lib in rump rumpuser rumpvfs rumpdev rumpfs_tmpfs rumpfs_procfs \
	    rumpfs_ext2 rumpnet rumpnet_unix rumpnet_netinet rumpserver \
	    rumpclient rumphijack; do
		assert_output --regexp "/lib$lib\\.so\\.0 -> "
		assert_output --regexp "/lib$lib\\.so\\.0\\.[0-9.]+"
	done
	refute_output --regexp '\.so$'
}

@test "deb: librump-dev holds headers, links, pkg-config files, section 3 and 7 pages" {
	run dpkg -c "$OUT"/librump-dev_*.deb
	for f in include/rump/rump.h include/rump/rump_syscalls.h \
	    include/rump/rump_version.h include/rump/rumpclient.h \
	    pkgconfig/rump.pc pkgconfig/rumpclient.pc pkgconfig/rumpserver.pc \
	    man3/rump.3 man3/rump_sys.3 man3/rumpclient.3 man3/rumpuser.3 \
	    man7/rump_sp.7; do
		assert_output --partial "$f"
	done
	assert_output --regexp "/librump\\.so -> "
}

@test "deb: rump-tools holds the commands, their pages, completions and units" {
	run dpkg -c "$OUT"/rump-tools_*.deb
	for f in usr/bin/rump_server usr/bin/rumphijack man1/rump_server.1 \
	    man1/rumphijack.1 completions/rump_server completions/rumphijack \
	    system/rump_server.service system/rump_server.socket \
	    etc/default/rump_server; do
		assert_output --partial "$f"
	done
}
