# netcmp.bash B DIR STEP...: run inside a network namespace of its own
# (unshare -n) by hijack_netcmp.bats.  Runs each STEP (a shell command
# line, about lo only) twice: on the namespace's own kernel (the host's
# Linux, the reference) and under the hijack against a rump_server, then
# prints "== STEP", both outputs and statuses, and "== same" or "== DIFF".
# The host's state outside the namespace is never touched.
set -u
B=$1 D=$2
shift 2
URL=unix://$D/sock
ip link set lo up
"$B/server/rump_server" "$URL" >"$D/server.log" 2>&1 || {
	echo "rump_server did not start"; cat "$D/server.log"; exit 1; }
for step in "$@"; do
	echo "== $step"
	host=$(timeout 30 bash -c "$step" 2>&1; echo "status $?")
	rump=$(LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=$URL \
	    timeout 30 bash -c "$step" 2>&1; echo "status $?")
	echo "-- host"; echo "$host"
	if [ "$host" = "$rump" ]; then
		echo "== same"
	else
		echo "-- rump"; echo "$rump"; echo "== DIFF"
	fi
done
pid=$(pgrep -f "rump_server $URL" | head -1)
[ -n "$pid" ] && kill -TERM "$pid"
exit 0
