# netcfg.bash B DIR STEP...: run inside a network namespace of its own
# (unshare -n) by hijack_netcfg.bats.  Starts a rump_server on DIR/sock,
# runs each STEP (a shell command line) under the hijack against it,
# printing "== STEP" and its output and status, then the host's
# `ip -j addr` and `ip -j route` before and after (they must be equal),
# and stops the server.
set -u
B=$1 D=$2
shift 2
URL=unix://$D/sock
host_state() { ip -j addr; ip -j route; ip -j -6 route; }
before=$(host_state)
"$B/server/rump_server" "$URL" >"$D/server.log" 2>&1 || {
	echo "rump_server did not start"; cat "$D/server.log"; exit 1; }
for step in "$@"; do
	echo "== $step"
	LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=$URL \
	    timeout 30 bash -c "$step" 2>&1
	echo "== status $?"
done
after=$(host_state)
if [ "$before" = "$after" ]; then
	echo "== host unchanged"
else
	echo "== host CHANGED"; echo "$before"; echo "$after"
fi
pkill_pid=$(pgrep -f "rump_server $URL" | head -1)
[ -n "$pkill_pid" ] && kill -TERM "$pkill_pid"
exit 0
