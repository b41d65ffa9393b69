#!/bin/sh
# run_remote.sh RUMP_SERVER_BIN TEST_BIN: runs a unit test built against
# librumpclient on a rump_server of its own, started with the RUMP_*
# environment the test asks for, and halts the server afterwards.
set -u
server=$1 test=$2
dir=$(mktemp -d) || exit 1
sock=$dir/sock
"$server" -s "unix://$sock" 2>"$dir/server.log" &
spid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do
	kill -0 "$spid" 2>/dev/null || break
	sleep 0.05; i=$((i + 1))
done
if [ ! -S "$sock" ]; then
	echo "1..1"
	echo "not ok 1 - rump_server did not start"
	sed 's/^/# /' "$dir/server.log"
	rm -rf "$dir"
	exit 1
fi
# The server's RUMP_* stay with it; the client needs only RUMP_SERVER.
# cmocka 1.1 prints a skip as "not ok N # SKIP", which TAP readers
# count as failures: say "ok N # SKIP".
env -u RUMP_NCPU -u RUMP_MEMLIMIT -u RUMP_NVNODES RUMP_SERVER="unix://$sock" \
    "$test" >"$dir/out"
rv=$?
sed 's/^not ok \([0-9]*\) # SKIP/ok \1 # SKIP/' "$dir/out"
kill -TERM "$spid"
wait "$spid"
srv=$?
if [ $srv -ne 0 ]; then
	echo "# rump_server exited with $srv"
	sed 's/^/# /' "$dir/server.log"
	[ $rv -eq 0 ] && rv=1
fi
rm -rf "$dir"
exit $rv
