#!/usr/bin/env bats
# tap: a rump kernel on a host TAP device, inside a network namespace the
# test creates (unshare -n): the host side's ping, curl and nc against
# servers in the kernel and the kernel's curl against a server on the
# host side, 100 MiB byte-exact both ways, and again through netem (loss,
# delay, reordering) where the host has it.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	D=$(mktemp -d)
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	unshare -n ip tuntap add dev tapt mode tap 2>/dev/null ||
	    skip "cannot make a TAP device in a namespace (needs CAP_NET_ADMIN)"
	command -v curl >/dev/null && command -v nc >/dev/null &&
	    command -v python3 >/dev/null || skip "curl, nc or python3 missing"
	HOSTBEFORE=$(ip -j addr; ip -j route; ip -j -6 route)
}

teardown() {
	rm -rf "$D"
	if [ -n "${HOSTBEFORE:-}" ]; then
		[ "$HOSTBEFORE" = "$(ip -j addr; ip -j route; ip -j -6 route)" ] ||
		    { echo "the host's addresses or routes changed" >&2; return 1; }
	fi
}

ns() {
	run timeout 200 unshare -n bash -c "source '$BATS_TEST_DIRNAME/shmif/lib.bash' '$B' '$D'; $1"
}

# The namespace's side of the tap and a kernel on it.
TAPUP='
	ip link set lo up && ip tuntap add dev tap7 mode tap &&
	ip addr add 10.10.0.1/24 dev tap7 &&
	ip -6 addr add fd10::1/64 dev tap7 nodad && ip link set tap7 up || exit 1
	kernel k --net tap:tap7,10.10.0.2/24,fd10::2/64,gw=10.10.0.1 || exit 1
	(cd $D/www && exec timeout 40 python3 -m http.server --bind 10.10.0.1 8081) </dev/null >/dev/null 2>&1 3>&- &
	(cd $D/www && LD_PRELOAD=$B/hijack/librumphijack.so RUMP_SERVER=unix://$D/k exec timeout 40 python3 -m http.server --bind :: 8080) </dev/null >/dev/null 2>&1 3>&- &
	for i in $(seq 50); do curl -s -m 2 -o /dev/null http://10.10.0.2:8080/ &&
	    on k curl -s -m 2 -o /dev/null http://10.10.0.1:8081/ && break; sleep 0.2; done
'

@test "tap: ping both ways, nc and curl from the host side, the kernel's curl to the host side, 100 MiB byte-exact" {
	mkdir "$D/www"
	head -c 104857600 /dev/urandom > "$D/www/big"
	want=$(sha256sum < "$D/www/big")
	ns "$TAPUP"'
	ping -c 2 -i 0.2 10.10.0.2 | grep "packets transmitted"
	on k ping -c 2 -i 0.2 10.10.0.1 | grep "packets transmitted"
	on k nc -l -p 9000 </dev/null >$D/nc.out 2>/dev/null 3>&- & sleep 0.5
	echo "hello over tap" | nc -q 1 10.10.0.2 9000; sleep 0.5
	echo "== nc: $(cat $D/nc.out)"
	curl -s -m 60 -o $D/from_k http://10.10.0.2:8080/big; echo "== host curl $?"
	curl -s -m 60 -o $D/from_k6 "http://[fd10::2]:8080/big"; echo "== host curl6 $?"
	on k curl -s -m 25 -o $D/from_h http://10.10.0.1:8081/big; echo "== kernel curl $?"
	for f in from_k from_k6 from_h; do echo "== $f $(sha256sum < $D/$f)"; done
	'
	assert_success
	[ "$(grep -c '2 packets transmitted, 2 received' <<<"$output")" -eq 2 ]
	assert_output --partial "== nc: hello over tap"
	assert_output --partial "== from_k $want"
	assert_output --partial "== from_k6 $want"
	assert_output --partial "== from_h $want"
}

@test "tap: through netem (loss 2%, delay 5ms, reorder 25%) still byte-exact both ways" {
	command -v tc >/dev/null || skip "tc (iproute2) missing"
	unshare -n sh -c 'ip tuntap add dev t0 mode tap && ip link set t0 up &&
	    tc qdisc add dev t0 root netem loss 2% delay 5ms reorder 25%' \
	    2>/dev/null || skip "netem is not available (sch_netem)"
	mkdir "$D/www"
	# 20 MiB: with 2% loss TCP runs at a few MB/s, by design.
	head -c 20971520 /dev/urandom > "$D/www/big"
	want=$(sha256sum < "$D/www/big")
	ns "$TAPUP"'
	tc qdisc add dev tap7 root netem loss 2% delay 5ms reorder 25% || exit 1
	curl -s -m 120 -o $D/from_k http://10.10.0.2:8080/big; echo "== host curl $?"
	on k timeout 120 curl -s -o $D/from_h http://10.10.0.1:8081/big; echo "== kernel curl $?"
	for f in from_k from_h; do echo "== $f $(sha256sum < $D/$f)"; done
	tc -s qdisc show dev tap7 | grep -o "dropped [0-9]*" | sed "s/^/== netem /"
	'
	assert_success
	assert_output --partial "== from_k $want"
	assert_output --partial "== from_h $want"
	refute_output --partial "== netem dropped 0"
}
