#!/bin/sh
# cross_fcopy.sh [ARCH...]: builds tests/fcopy/fcopy_check for each ARCH
# (default aarch64) with Debian's cross compiler, statically, and runs it
# under qemu-user: the fault path of rumpuser/fcopy.c where it has no
# instruction fixups (the recovery point), which the x86_64 suite cannot
# reach.  Needs gcc-ARCH-linux-gnu, libc6-dev-ARCH-cross (arm64 for
# aarch64) and qemu-user-static (about a minute to install; the run takes
# a second).  Not part of the suite: run it by hand or in a CI job of its
# own.  Exit status: that of the last failing run, 0 if all passed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/cross_fcopy.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
status=0
for arch in ${@:-aarch64}; do
	cc=$arch-linux-gnu-gcc
	qemu=qemu-$arch-static
	if ! command -v "$cc" >/dev/null || ! command -v "$qemu" >/dev/null; then
		echo "$arch: skipped: $cc or $qemu not installed" >&2
		status=77
		continue
	fi
	"$cc" -static -O2 -Wall -Wextra -Werror -std=c11 -pthread \
	    -o "$out/fcopy_check.$arch" "$here/tests/fcopy/fcopy_check.c" ||
	    { status=1; continue; }
	if "$qemu" "$out/fcopy_check.$arch" >"$out/log" 2>&1; then
		echo "$arch: $(tail -n 1 "$out/log")"
	else
		echo "$arch: FAILED" >&2
		cat "$out/log" >&2
		status=1
	fi
done
exit "$status"
