#!/bin/bash
# netif.sh [BUILD]: TCP throughput and round trips per second between two
# kernels over shmif and between a kernel and the host over tap, each next
# to host-to-host over a veth pair, and ping RTT over shmif; printed side
# by side with the ratio to veth.  Two kinds of rows:
#   hijacked:   unmodified nc, python3 and ping under the hijack against
#               rump_servers (every socket call a remote call: the stack
#               and sysproxy together), veth: the same tools on the host;
#   in-process: bench/netwire, the socket calls made in the process that
#               runs the kernel (the stack and the driver alone), veth:
#               netwire with the host's sockets.
# NETIF_RUNS rounds (default 3); each figure is the median, with the
# lowest and highest in brackets.  NETIF_MB MiB per bulk run (200).
# Runs in network namespaces it makes (unshare -n, ip netns); needs root.
# A benchmark, not a test.
set -u
B=${1:-$(dirname "$0")/../build-gcc}
B=$(cd "$B" && pwd)
MB=${NETIF_MB:-200}
RUNS=${NETIF_RUNS:-3}
exec unshare -n bash -s "$B" "$MB" "$RUNS" <<'INNER'
set -u
B=$1 MB=$2 RUNS=$3 D=$(mktemp -d)
ip link set lo up
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	ip netns del nb 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
H() { LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=unix://$D/$1 "${@:2}"; }
NW=$B/bench/netwire
now() { date +%s.%N; }
# thr SRVCMD-PREFIX CLIENT-PREFIX ADDR: MB/s of MB MiB through nc.
thr() {
	local s=$1 c=$2 a=$3 t0 t1
	$s timeout 60 nc -l -p 5001 >/dev/null </dev/null & sleep 0.5
	t0=$(now)
	head -c $((MB << 20)) /dev/zero | $c timeout 60 nc -q 0 -N "$a" 5001 2>/dev/null ||
	    head -c $((MB << 20)) /dev/zero | $c timeout 60 nc -q 0 "$a" 5001
	wait
	t1=$(now)
	echo "$MB / ($t1 - $t0)" | bc -l
}
# rtt SRV CLIENT ADDR: round trips per second of 1-byte messages.
rtt() {
	local s=$1 c=$2 a=$3
	$s timeout 30 python3 -c '
import socket
l=socket.socket(socket.AF_INET); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 5002)); l.listen(1); c,_=l.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    b=c.recv(1)
    if not b: break
    c.sendall(b)' & sleep 1
	$c timeout 30 python3 -c '
import socket, time, sys
c=socket.create_connection((sys.argv[1], 5002)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
n=3000; t=time.time()
for i in range(n):
    c.sendall(b"x"); c.recv(1)
print(n/(time.time()-t))' "$a"
	wait
}
ping_avg() { sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p'; }
# nw SRV-PREFIX SRV-NET CLIENT-PREFIX CLIENT-NET ADDR: "MB/s RT/s PING-ms".
nw() {
	local out
	$1 "$NW" serve ${2:+--net "$2"} 5003 & sleep 0.5
	out=$($3 env NETWIRE_MB="$MB" "$NW" client ${4:+--net "$4"} "$5" 5003)
	wait
	echo "$out"
}
declare -A V
add() { V[$1]="${V[$1]:-} $2"; }
# veth: host to host, one end in a netns.
ip netns add nb
ip link add vb0 type veth peer name vb1
ip link set vb1 netns nb
ip addr add 10.9.0.1/24 dev vb0; ip link set vb0 up
ip -n nb addr add 10.9.0.2/24 dev vb1; ip -n nb link set vb1 up; ip -n nb link set lo up
NB="ip netns exec nb"
# shmif: two kernels; tap: a kernel and the host.
"$B/server/rump_server" --net shmif:$D/bus,10.0.0.1/24 unix://$D/a
"$B/server/rump_server" --net shmif:$D/bus,10.0.0.2/24 unix://$D/b
PIDS+=($(pgrep -f "unix://$D/a\$") $(pgrep -f "unix://$D/b\$"))
ip tuntap add dev tap9 mode tap; ip addr add 10.10.0.1/24 dev tap9; ip link set tap9 up
ip tuntap add dev tap8 mode tap; ip addr add 10.11.0.1/24 dev tap8; ip link set tap8 up
"$B/server/rump_server" --net tap:tap9,10.10.0.2/24 unix://$D/t
PIDS+=($(pgrep -f "unix://$D/t\$"))
ip neigh replace 10.10.0.2 lladdr "$(H t ip -br link show tap0 | awk '{print $3}')" dev tap9
H t ping -c 1 -W 1 10.10.0.1 >/dev/null
for r in $(seq "$RUNS"); do
	add v_thr "$(thr "$NB" "" 10.9.0.2)"; add v_rtt "$(rtt "$NB" "" 10.9.0.2)"
	add v_ping "$(ping -c 50 -i 0.01 -q 10.9.0.2 | ping_avg)"
	add s_thr "$(thr "H b" "H a" 10.0.0.2)"; add s_rtt "$(rtt "H b" "H a" 10.0.0.2)"
	add s_ping "$(H a ping -c 50 -i 0.01 -q 10.0.0.2 | ping_avg)"
	add t_thr "$(thr "H t" "" 10.10.0.2)"; add t_rtt "$(rtt "H t" "" 10.10.0.2)"
	read -r a b c <<<"$(nw "$NB" "" "" "" 10.9.0.2)"
	add nv_thr "$a"; add nv_rtt "$b"; add nv_ping "$c"
	read -r a b c <<<"$(nw "" "shmif:$D/nbus,10.1.0.2/24" "" "shmif:$D/nbus,10.1.0.1/24" 10.1.0.2)"
	add ns_thr "$a"; add ns_rtt "$b"; add ns_ping "$c"
	ip neigh flush dev tap8
	read -r a b c <<<"$(nw "" "tap:tap8,10.11.0.2/24" "" "" 10.11.0.2)"
	add nti_thr "$a"; add nti_rtt "$b"
	ip neigh flush dev tap8
	read -r a b c <<<"$(nw "" "" "" "tap:tap8,10.11.0.2/24" 10.11.0.1)"
	add nto_thr "$a"; add nto_ping "$c"
done
# med KEY: "median [min-max]" of the runs; val KEY: the median alone.
med() { tr ' ' '\n' <<<"${V[$1]}" | grep . | sort -g | awk -v f="$2" '
	{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)];
	  printf "%s [%s-%s]", sprintf(f, m), sprintf(f, v[1]), sprintf(f, v[NR]) }'; }
val() { tr ' ' '\n' <<<"${V[$1]}" | grep . | sort -g | awk '{ v[NR] = $1 }
	END { print v[int((NR + 1) / 2)] }'; }
row() {	# LABEL KEY REF FORMAT
	printf "%-40s %22s %22s %6.2f\n" "$1" "$(med "$2" "$4")" "$(med "$3" "$4")" \
	    "$(echo "$(val "$2") / $(val "$3")" | bc -l)"
}
echo "$RUNS runs of $MB MiB; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
printf "%-40s %22s %22s %6s\n" "" "rump" "veth" "ratio"
echo "hijacked (nc, python3, ping under the hijack: stack + sysproxy)"
row "  TCP MB/s, shmif kernel-kernel" s_thr v_thr %.1f
row "  TCP MB/s, tap host->kernel" t_thr v_thr %.1f
row "  round trips/s, shmif" s_rtt v_rtt %.0f
row "  round trips/s, tap" t_rtt v_rtt %.0f
row "  ping RTT ms (avg), shmif" s_ping v_ping %.3f
echo "in-process (bench/netwire: stack + driver)"
row "  TCP MB/s, shmif kernel-kernel" ns_thr nv_thr %.1f
row "  TCP MB/s, tap host->kernel" nti_thr nv_thr %.1f
row "  TCP MB/s, tap kernel->host" nto_thr nv_thr %.1f
row "  round trips/s, shmif" ns_rtt nv_rtt %.0f
row "  round trips/s, tap" nti_rtt nv_rtt %.0f
row "  ICMP echo RTT ms, shmif (busy, no -i)" ns_ping nv_ping %.3f
row "  ICMP echo RTT ms, tap kernel->host" nto_ping nv_ping %.3f
INNER
