#!/bin/sh
# Runs every benchmark in bench/ on an optimized build; prints ratios.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh gcc meson ninja-build pkg-config libcmocka-dev binutils python3
[ -f build-release/build.ninja ] || CC=gcc meson setup build-release --buildtype=release >/dev/null
ninja -C build-release >/dev/null
./build-release/bench/fsbench
