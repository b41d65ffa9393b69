#!/usr/bin/env bats
# shmif: rump kernels in separate rump_servers on virtual Ethernet buses
# in host files, configured and used by the unmodified Debian tools under
# the hijack (ip, ifconfig, ping, curl, python3 -m http.server); a third
# kernel routing between two buses; corrupt bus files and bogus frames.
# Each test runs inside a network namespace of its own (unshare -n) and
# checks that the host's addresses and routes did not change.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	D=$(mktemp -d)
	unshare -n true 2>/dev/null ||
	    skip "unshare -n is not permitted (needs CAP_SYS_ADMIN)"
	command -v ping >/dev/null && command -v ip >/dev/null &&
	    command -v ifconfig >/dev/null && command -v curl >/dev/null ||
	    skip "iputils-ping, iproute2, net-tools or curl not installed"
	HOSTBEFORE=$(ip -j addr; ip -j route; ip -j -6 route)
}

teardown() {
	rm -rf "$D"
	if [ -n "${HOSTBEFORE:-}" ]; then
		[ "$HOSTBEFORE" = "$(ip -j addr; ip -j route; ip -j -6 route)" ] ||
		    { echo "the host's addresses or routes changed" >&2; return 1; }
	fi
}

# ns SCRIPT: runs SCRIPT (bash, with tests/shmif/lib.bash) in a new
# network namespace.
ns() {
	run timeout 120 unshare -n bash -c "source '$BATS_TEST_DIRNAME/shmif/lib.bash' '$B' '$D'; $1"
}

@test "shmif: ip link add, the bus sysctl and ifconfig through the hijack; ping and ping -6 between two kernels; counters grow" {
	ns '
	kernel a && kernel b || exit 1
	for k in a:1 b:2; do n=${k%:*} i=${k#*:}
		on $n ip link add shmif0 type shmif || exit 1
		on $n sh -c "echo $D/bus > /rump/proc/sys/net/shmif/shmif0/bus" || exit 1
		on $n ifconfig shmif0 10.0.0.$i netmask 255.255.255.0 up || exit 1
		on $n ip -6 addr add fd00::$i/64 dev shmif0 || exit 1
	done
	# Duplicate address detection: the addresses are tentative for a
	# second, as on Linux (ping would say "Cannot assign requested address").
	for n in a b; do for i in $(seq 50); do
		on $n ip -6 addr show dev shmif0 | grep -q tentative || break; sleep 0.1
	done; done
	on a ip -6 addr show dev shmif0 | grep -c tentative | sed "s/^/== tentative /"
	echo "== bus: $(cat /proc/sys/kernel/hostname >/dev/null; on a cat /rump/proc/sys/net/shmif/shmif0/bus)"
	on a ifconfig shmif0
	on a ip -s link show shmif0 | sed -n "4p" | awk "{print \"== rx before\", \$2}"
	on a ping -c 3 -i 0.2 10.0.0.2
	on b ping -6 -c 3 -i 0.2 fd00::1
	on a ip -s link show shmif0 | sed -n "4p" | awk "{print \"== rx after\", \$2}"
	on a ip neigh
	'
	assert_success
	assert_output --partial "== bus: $D/bus"
	assert_output --partial "inet 10.0.0.1  netmask 255.255.255.0  broadcast 10.0.0.255"
	assert_output --partial "64 bytes from 10.0.0.2: icmp_seq=3"
	assert_output --partial "3 packets transmitted, 3 received, 0% packet loss"
	assert_output --partial "64 bytes from fd00::1: icmp_seq=3"
	assert_output --partial "== tentative 0"
	assert_output --partial "== rx before 0"
	refute_output --partial "== rx after 0"
	[ "$(grep -c '3 packets transmitted, 3 received' <<<"$output")" -eq 2 ]
}

@test "shmif: curl in one kernel against python3 -m http.server in another, IPv4 and IPv6, content checked" {
	command -v python3 >/dev/null || skip "python3 not installed"
	head -c 3000000 /dev/urandom > "$D/blob"
	ns '
	kernel a --net shmif:$D/bus,10.0.0.1/24,fd00::1/64 &&
	kernel b --net shmif:$D/bus,10.0.0.2/24,fd00::2/64 || exit 1
	(cd $D && on b python3 -m http.server --bind :: 8080) </dev/null >/dev/null 2>&1 3>&- &
	for i in $(seq 50); do on a curl -s -o /dev/null http://10.0.0.2:8080/ && break; sleep 0.1; done
	on a curl -s -o $D/got4 http://10.0.0.2:8080/blob; echo "== curl4 $?"
	on a curl -s -o $D/got6 "http://[fd00::2]:8080/blob"; echo "== curl6 $?"
	sha256sum < $D/blob | sed "s/^/== want /"
	sha256sum < $D/got4 | sed "s/^/== got4 /"
	sha256sum < $D/got6 | sed "s/^/== got6 /"
	'
	assert_success
	assert_output --partial "== curl4 0"
	assert_output --partial "== curl6 0"
	want=$(sha256sum < "$D/blob")
	assert_output --partial "== got4 $want"
	assert_output --partial "== got6 $want"
}

@test "shmif: a third kernel routes between two buses: TTL decremented, time exceeded from the router, traceroute" {
	command -v traceroute >/dev/null || skip "traceroute not installed"
	ns '
	kernel a --net shmif:$D/bus1,10.1.0.2/24,fd01::2/64,gw=10.1.0.1,gw=fd01::1 &&
	kernel r --net shmif:$D/bus1,10.1.0.1/24,fd01::1/64 --net shmif:$D/bus2,10.2.0.1/24,fd02::1/64 &&
	kernel c --net shmif:$D/bus2,10.2.0.2/24,fd02::2/64,gw=10.2.0.1,gw=fd02::1 || exit 1
	echo "== before forwarding"; on a ping -c 1 -W 1 10.2.0.2 | grep -c "bytes from"
	on r sh -c "echo 1 > /rump/proc/sys/net/ipv4/ip_forward; echo 1 > /rump/proc/sys/net/ipv6/conf/all/forwarding"
	# The far kernel answers with its default TTL, one less on arrival.
	t=$(on c cat /rump/proc/sys/net/ipv4/ip_default_ttl)
	h=$(on c cat /rump/proc/sys/net/ipv6/conf/all/hop_limit)
	on a ping -c 3 -i 0.2 10.2.0.2 | tee /dev/stderr | grep -c " ttl=$((t - 1)) " | sed "s/^/== v4 replies with ttl default-1: /"
	on a ping -6 -c 3 -i 0.2 fd02::2 2>&1 | tee /dev/stderr | grep -c " ttl=$((h - 1)) " | sed "s/^/== v6 replies with hop limit default-1: /"
	tx() { on $1 ip -s link show $2 | sed -n "6p" | awk "{print \$2}"; }
	rx() { on $1 ip -s link show $2 | sed -n "4p" | awk "{print \$2}"; }
	r0=$(tx r shmif0) c0=$(rx c shmif0)
	on a ping -c 1 -t 1 -W 1 10.2.0.2
	echo "== ttl1: router answered $(( $(tx r shmif0) - r0 )), c got $(( $(rx c shmif0) - c0 ))"
	# TTL 2 is 1 after the router: it still reaches c.
	on a ping -c 1 -t 2 -W 1 10.2.0.2 | grep -c "bytes from 10.2.0.2" | sed "s/^/== ttl2 replies: /"
	on a ping -6 -c 1 -t 1 -W 1 fd02::2
	on a ping -c 1 -W 1 10.9.0.2
	on a traceroute -n -q 1 -w 2 10.2.0.2
	on a traceroute -6 -n -q 1 -w 2 fd02::2
	on r ip route
	'
	assert_success
	assert_output --partial "== before forwarding
0"
	assert_output --partial "== v4 replies with ttl default-1: 3"
	assert_output --partial "== v6 replies with hop limit default-1: 3"
	# The router answers a TTL-1 packet (time exceeded, read by ping
	# from its socket's error queue) instead of forwarding it.
	assert_output --partial "From 10.1.0.1 icmp_seq=1 Time to live exceeded"
	assert_output --partial "1 packets transmitted, 0 received, +1 errors"
	assert_output --partial "== ttl1: router answered 1, c got 0"
	assert_output --partial "== ttl2 replies: 1"
	assert_output --partial "From fd01::1 icmp_seq=1 Time exceeded: Hop limit"
	# No route at the router: net unreachable, from it.
	assert_output --partial "From 10.1.0.1 icmp_seq=1 Destination Net Unreachable"
	# traceroute (UDP probes, errors from IP_RECVERR UDP sockets).
	assert_output --regexp " 1  10\.1\.0\.1  [0-9.]+ ms"
	assert_output --regexp " 2  10\.2\.0\.2  [0-9.]+ ms"
	assert_output --regexp " 1  fd01::1  [0-9.]+ ms"
	assert_output --regexp " 2  fd02::2  [0-9.]+ ms"
	assert_output --partial "10.2.0.0/24 dev shmif1 proto kernel scope link src 10.2.0.1"
}

@test "shmif: a file that is not a bus is refused with an error; bogus frames are dropped and counted, the kernels go on" {
	printf 'not a bus%.0s' $(seq 500) > "$D/junk"
	run "$B/server/rump_server" --net "shmif:$D/junk,10.0.0.1/24" "unix://$D/j"
	assert_failure 1
	assert_output --partial "not a shmif bus"
	[ ! -e "$D/j" ]
	ns '
	kernel a --net shmif:$D/bus,10.0.0.1/24 && kernel b --net shmif:$D/bus,10.0.0.2/24 || exit 1
	on a ping -c 1 -W 2 10.0.0.2 >/dev/null
	python3 '"$BATS_TEST_DIRNAME"'/shmif/busfake.py $D/bus
	# The frame right after a bogus record may go with it (the reader
	# cannot know where the next record starts): one ping to resync.
	on b ping -c 1 -W 1 10.0.0.1 >/dev/null
	on b ping -c 2 -i 0.3 10.0.0.1 | grep "packets transmitted"
	on a ip -s link show shmif0 | sed -n "4p" | awk "{print \"== rx errors\", \$3}"
	on a bash -c "echo $D/junk > /rump/proc/sys/net/shmif/shmif0/bus"; echo "== rebus $?"
	on a cat /rump/proc/sys/net/shmif/shmif0/bus
	'
	assert_success
	assert_output --partial "2 packets transmitted, 2 received"
	assert_output --partial "== rx errors 1"
	assert_output --partial "Invalid argument"
	refute_output --partial "== rebus 0"
	assert_output --partial "$D/bus"
}

@test "--net: a bad string is one line naming the bad part, exit 1, nothing started" {
	run "$B/server/rump_server" --net "shmif:$D/bus,10.0.0.300/24" "unix://$D/x"
	assert_failure 1
	assert_output "rump_server: --net shmif:$D/bus,10.0.0.300/24: bad part (ADDR/PLEN, gw=, dns=, mtu=68..65535, ifname= expected): 10.0.0.300/24"
	[ ! -e "$D/x" ] && [ ! -e "$D/bus" ]
	run "$B/hijack/rumphijack" --net "ethernet:eth0" -- true
	assert_failure 1
	assert_output "rumphijack: --net ethernet:eth0: unknown kind (shmif or tap): ethernet"
	run "$B/hijack/rumphijack" --net "tap:tap0,mtu=9" -- touch "$D/ran"
	assert_failure 1
	assert_output --partial ": mtu=9"
	[ ! -e "$D/ran" ]
	run "$B/hijack/rumphijack" --help
	assert_output --partial "--net SPEC"
	assert_output --partial "KIND:LINK[,ADDR/PLEN]"
}

@test "rumphijack --net: a command with its own stack on a bus; dns= is its /etc/resolv.conf and its lookups go to that server through the bus" {
	ns '
	kernel b --net shmif:$D/bus,10.0.0.2/24 || exit 1
	echo "web.test A 10.0.0.2" >$D/zone
	on b python3 '"$BATS_TEST_DIRNAME"'/hijack/dnsd.py 10.0.0.2 53 $D/zone >$D/dns.ready 3>&- &
	(cd $D && echo page-from-b >page && on b python3 -m http.server --bind 10.0.0.2 8000) >/dev/null 2>&1 3>&- &
	for i in $(seq 100); do grep -q ready $D/dns.ready && break; sleep 0.1; done
	'"$B"'/hijack/rumphijack --net shmif:$D/bus,10.0.0.7/24,gw=10.0.0.2,dns=10.0.0.2 -- sh -c "
	    ping -c 2 -i 0.2 10.0.0.2; cat /etc/resolv.conf; ip route; getent hosts web.test
	    '"$B"'/tests/hijack/resqp q web.test A s web A
	    for i in \$(seq 100); do curl -s --max-time 5 http://web.test:8000/page && break; sleep 0.1; done"
	echo "== host resolv: $(grep -c 10.0.0.2 /etc/resolv.conf)"
	'
	assert_success
	assert_output --partial "2 packets transmitted, 2 received"
	assert_output --partial "nameserver 10.0.0.2"
	assert_output --partial "default via 10.0.0.2 dev shmif0"
	assert_line --regexp "^10\.0\.0\.2 +web\.test$"
	# res_query and res_search too, to that server (no search list there)
	assert_line --regexp "^q web.test A: rv=50 h_errno=-5 state=-5 ans=0000858000010001.*0a000002$"
	assert_line --regexp "^s web A: rv=-1 h_errno=1 state=1 errno=0 ans=000085830001000000000000$"
	assert_line "page-from-b"
	assert_output --partial "== host resolv: 0"
}
