#!/bin/bash
# netif.sh [BUILD]: TCP throughput and round trips per second between two
# kernels over shmif and between a kernel and the host over tap, each next
# to host-to-host over a veth pair, and ping RTT over shmif; printed side
# by side with the ratio to veth.  Runs in network namespaces it makes
# (unshare -n, ip netns); needs root.  A benchmark, not a test.
set -u
B=${1:-$(dirname "$0")/../build-gcc}
B=$(cd "$B" && pwd)
MB=${NETIF_MB:-200}
exec unshare -n bash -s "$B" "$MB" <<'INNER'
set -u
B=$1 MB=$2 D=$(mktemp -d)
ip link set lo up
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	ip netns del nb 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
H() { LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=unix://$D/$1 "${@:2}"; }
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
# veth: host to host, one end in a netns.
ip netns add nb
ip link add vb0 type veth peer name vb1
ip link set vb1 netns nb
ip addr add 10.9.0.1/24 dev vb0; ip link set vb0 up
ip -n nb addr add 10.9.0.2/24 dev vb1; ip -n nb link set vb1 up; ip -n nb link set lo up
NB="ip netns exec nb"
v_thr=$(thr "$NB" "" 10.9.0.2); v_rtt=$(rtt "$NB" "" 10.9.0.2)
# shmif: two kernels.
"$B/server/rump_server" --net shmif:$D/bus,10.0.0.1/24 unix://$D/a
"$B/server/rump_server" --net shmif:$D/bus,10.0.0.2/24 unix://$D/b
PIDS+=($(pgrep -f "unix://$D/a\$") $(pgrep -f "unix://$D/b\$"))
s_thr=$(thr "H b" "H a" 10.0.0.2); s_rtt=$(rtt "H b" "H a" 10.0.0.2)
s_ping=$(H a ping -c 50 -i 0.01 -q 10.0.0.2 | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
v_ping=$(ping -c 50 -i 0.01 -q 10.9.0.2 | sed -n 's/.*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
# tap: a kernel and the host.
ip tuntap add dev tap9 mode tap; ip addr add 10.10.0.1/24 dev tap9; ip link set tap9 up
"$B/server/rump_server" --net tap:tap9,10.10.0.2/24 unix://$D/t
PIDS+=($(pgrep -f "unix://$D/t\$"))
ip neigh replace 10.10.0.2 lladdr "$(H t ip -br link show tap0 | awk '{print $3}')" dev tap9
H t ping -c 1 -W 1 10.10.0.1 >/dev/null
t_thr=$(thr "H t" "" 10.10.0.2); t_rtt=$(rtt "H t" "" 10.10.0.2)
printf "%-34s %12s %12s %7s\n" "" "rump" "veth" "ratio"
printf "%-34s %12.1f %12.1f %7.2f\n" "TCP MB/s, shmif kernel-kernel" "$s_thr" "$v_thr" "$(echo "$s_thr / $v_thr" | bc -l)"
printf "%-34s %12.1f %12.1f %7.2f\n" "TCP MB/s, tap kernel-host" "$t_thr" "$v_thr" "$(echo "$t_thr / $v_thr" | bc -l)"
printf "%-34s %12.0f %12.0f %7.2f\n" "round trips/s, shmif" "$s_rtt" "$v_rtt" "$(echo "$s_rtt / $v_rtt" | bc -l)"
printf "%-34s %12.0f %12.0f %7.2f\n" "round trips/s, tap" "$t_rtt" "$v_rtt" "$(echo "$t_rtt / $v_rtt" | bc -l)"
printf "%-34s %12s %12s %7.2f\n" "ping RTT ms (avg), shmif" "$s_ping" "$v_ping" "$(echo "$s_ping / $v_ping" | bc -l)"
INNER
