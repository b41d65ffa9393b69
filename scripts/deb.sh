#!/bin/sh
# Builds the Debian packages (librump0, librump-dev, rump-tools) from a
# copy of the tree with dpkg-buildpackage -us -uc -b, runs lintian on
# them (errors fail the build), and leaves the .debs in OUT (default
# build-deb/).  Installs the build dependencies with apt-get when
# missing.  Not part of scripts/test.sh (a package build is a full
# build more); tests/deb.bats runs it when RUMP_TEST_DEB=1.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
sh "$top/scripts/deps.sh" debhelper dpkg-dev lintian meson ninja-build \
    pkg-config gcc libcmocka-dev
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A clean copy: the tree's sources only (no build directories).
mkdir "$work/rump"
git -C "$top" ls-files -z --cached --others --exclude-standard |
    (cd "$top" && xargs -0 cp --parents -t "$work/rump" 2>/dev/null) || {
	echo "deb.sh: cannot copy the tree (git ls-files)" >&2; exit 1; }
(cd "$work/rump" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed" >&2
	exit 1
}
mkdir -p "$out"
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
lintian --fail-on error "$out"/*.changes
ls "$out"/*.deb
