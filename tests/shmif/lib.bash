# lib.bash: helpers of shmif.bats, sourced inside the test's own network
# namespace (unshare -n): kernels in rump_servers, commands under the
# hijack against one of them, and a trap that stops every server started.
set -u
B=$1 D=$2
SERVERS=()
stop_all() {
	for p in "${SERVERS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${SERVERS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break; sleep 0.2
		done
		kill -KILL "$p" 2>/dev/null
	done
	jobs -p | xargs -r kill 2>/dev/null
}
trap stop_all EXIT
# kernel NAME [rump_server options]: a server on $D/NAME.
kernel() {
	local n=$1; shift
	"$B/server/rump_server" "$@" "unix://$D/$n" || return 1
	SERVERS+=("$(pgrep -f "rump_server .*unix://$D/$n\$" | head -1)")
}
# on NAME CMD...: CMD under the hijack on kernel NAME (30 s at most).
on() {
	local n=$1; shift
	LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=unix://$D/$n \
	    timeout 30 "$@"
}
