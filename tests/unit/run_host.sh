#!/bin/sh
# run_host.sh: runs the unit tests built with -DTEST_ON_HOST (the *_host
# executables) against the host kernel, to check the tests' expectations.
# Needs root (each test unshares a mount namespace with a tmpfs root).
# usage: run_host.sh EXE...   (ninja -C build unit-host)
set -u
if [ "$(id -u)" != 0 ]; then
	echo "run_host.sh: the host-mode tests need root" >&2
	exit 1
fi
failed=0
for exe in "$@"; do
	echo "== ${exe##*/}"
	if ! "$exe"; then
		failed=$((failed + 1))
	fi
done
echo "host mode: $# executables, $failed with failures"
[ "$failed" -eq 0 ]
