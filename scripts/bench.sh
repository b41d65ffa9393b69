#!/bin/sh
# Runs every benchmark in bench/ on an optimized build; prints ratios.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh gcc meson ninja-build pkg-config libcmocka-dev binutils python3
[ -f build-release/build.ninja ] || CC=gcc meson setup build-release --buildtype=release >/dev/null
if ! log=$(ninja -C build-release 2>&1); then
	printf '%s\n' "$log" | tail -n 60 >&2
	echo "build failed" >&2
	exit 1
fi
./build-release/bench/fsbench
echo
./build-release/bench/spbench build-release/server/rump_server \
    build-release/bench/spbench_local
echo
./build-release/bench/hjbench build-release/hijack/librumphijack.so \
    build-release/hijack/rumphijack
echo
./build-release/bench/netbench
echo
./build-release/bench/netproc build-release/hijack/rumphijack
