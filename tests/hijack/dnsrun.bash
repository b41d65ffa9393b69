# dnsrun.bash B D WHERE NAME...: inside a mount and network namespace of
# its own (the caller's unshare -mn), /etc/resolv.conf is D/resolv.conf;
# a test DNS server (dnsd.py, zone D/zone) listens on 127.0.0.1:53 (or
# DNSADDR's port 53) and tests/hijack/netdbp (or DNSPROG, another
# program there) looks NAME... up.  WHERE: "host" (both on the host),
# "hijack" (both in one rumphijack tree's kernel, RH_OPTS its options),
# "server" (a rump_server, the DNS server and the lookups two of its
# clients).  The program's output on stdout, nothing else.
set -u
B=$1 D=$2 WHERE=$3
shift 3
mount --bind "$D/resolv.conf" /etc/resolv.conf || exit 1
ip link set lo up
DNSD="python3 $(dirname "$0")/dnsd.py ${DNSADDR:-127.0.0.1} 53 $D/zone"
NETDBP="$B/tests/hijack/${DNSPROG:-netdbp}"
wait_ready() {
	for _ in $(seq 100); do
		grep -q ready "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "dnsd did not start" >&2
	return 1
}
case $WHERE in
host)
	$DNSD >"$D/ready.host" 2>&2 &
	wait_ready "$D/ready.host" && "$NETDBP" "$@"
	kill $!
	;;
hijack)
	export R="$D/ready.hijack"
	# shellcheck disable=SC2086
	"$B/hijack/rumphijack" ${RH_OPTS:-} -- bash -c '
	    '"$DNSD"' >"$R" &
	    for _ in $(seq 100); do grep -q ready "$R" && break; sleep 0.1; done
	    '"$NETDBP"' "$@"; kill $!' netdbp "$@"
	;;
server)
	# it answers once it serves, in the background
	"$B/server/rump_server" --pidfile "$D/server.pid" unix://"$D/sock" ||
	    exit 1
	LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=unix://$D/sock \
	    $DNSD >"$D/ready.server" &
	dpid=$!
	wait_ready "$D/ready.server" &&
	    LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=unix://$D/sock \
	    "$NETDBP" "$@"
	kill $dpid; wait $dpid 2>/dev/null
	kill "$(cat "$D/server.pid")"
	;;
esac
exit 0
