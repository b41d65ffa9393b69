#!/bin/sh
# The main job: builds the tree and runs the examples on an embedded kernel.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh gcc meson ninja-build pkg-config libcmocka-dev binutils python3
[ -f build-gcc/build.ninja ] || CC=gcc meson setup build-gcc >/dev/null
if ! log=$(ninja -C build-gcc 2>&1); then
	printf '%s\n' "$log" | tail -n 60 >&2
	echo "build failed" >&2
	exit 1
fi
echo "== listdir: files made and listed inside the kernel"
./build-gcc/examples/listdir
echo "== kcp: a host file copied into the kernel and back"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 3000000 /dev/urandom >"$tmp/data"
./build-gcc/examples/kcp "$tmp/data"
