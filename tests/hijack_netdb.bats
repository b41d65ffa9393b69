#!/usr/bin/env bats
# Name lookups and interface queries of hijacked programs go through the
# kernel's network (hijack/hj_resolv.c, hj_wrap_ifaddrs.c), not the
# host's: getaddrinfo, getnameinfo and gethostbyname answer exactly as the
# host's glibc does for the same zone served by a test DNS server
# (tests/hijack/dnsd.py) in the same place, hostile answers included, and
# a lookup never reaches a server on the host side; getifaddrs and the
# if_* calls list the kernel's interfaces as the host lists its own.
# Each run is in a mount and network namespace of its own (unshare -mn or
# -n), where /etc/resolv.conf is the test's file and 127.0.0.1 is the
# namespace's (or the kernel's) loopback.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	D=$(mktemp -d)
	unshare -mn true 2>/dev/null ||
	    skip "unshare -mn is not permitted (needs CAP_SYS_ADMIN)"
	command -v ip >/dev/null || skip "iproute2 is not installed"
	cat >"$D/zone" <<-EOF
	www.test A 10.1.2.3
	www.test AAAA 2001:db8::3
	v4.test A 10.1.2.4
	v6.test AAAA 2001:db8::6
	alias.test CNAME www.test
	chain.test CNAME alias.test
	mx.test PTR other.test
	3.2.1.10.in-addr.arpa PTR www.test
	badid.test A 10.1.2.7
	loop.test A 10.1.2.7
	short.test A 10.1.2.7
	other.test A 10.1.2.7
	web.test A 127.0.0.1
	EOF
	# more A records than a 512-byte UDP answer holds: TC, then TCP
	for i in $(seq 36); do echo "big.test A 10.9.0.$i"; done >>"$D/zone"
	printf 'nameserver 127.0.0.1\nsearch test\noptions timeout:1 attempts:1\n' \
	    >"$D/resolv.conf"
}

teardown() {
	rm -rf "$D"
}

# lookups WHERE NAME...: netdbp's output in WHERE (dnsrun.bash).
lookups() {
	unshare -mn bash "$BATS_TEST_DIRNAME/hijack/dnsrun.bash" "$B" "$D" "$@"
}

NAMES="www.test v4.test v6.test alias.test chain.test mx.test nx.test www
    big.test fail.test localhost badid.test -1loop.test -1short.test
    -1other.test -r10.1.2.3 -r10.1.2.9 -r::1"

@test "getaddrinfo, getnameinfo, gethostbyname(_r), gethostbyaddr through the kernel answer as the host's glibc (rumphijack)" {
	# shellcheck disable=SC2086
	lookups host $NAMES >"$D/host.out" &
	# shellcheck disable=SC2086
	lookups hijack $NAMES >"$D/kernel.out"
	wait
	# what the zone says, seen at all (not two empty outputs)
	grep -q "gai unspec www.test: canon=www.test 2001:db8::3/80/t1/p6" "$D/host.out"
	grep -q "ghbn chain.test: name=www.test aliases=chain.test,alias.test" "$D/host.out"
	grep -q "gai inet big.test: 10.9.0.1/80/t1/p6 .* 10.9.0.36/80/t1/p6$" "$D/host.out"
	grep -q "gni 10.1.2.3: ok www.test ssh" "$D/host.out"
	grep -q "gai inet short.test: error Temporary failure" "$D/host.out"
	run diff "$D/host.out" "$D/kernel.out"
	assert_success
}

@test "lookups by one client of a rump_server reach a DNS server that is another client" {
	set -- www.test alias.test nx.test big.test -r10.1.2.3
	lookups host "$@" >"$D/host.out" &
	lookups server "$@" >"$D/kernel.out"
	wait
	grep -q "gai mapped-all www.test: 2001:db8::3/80" "$D/host.out"
	run diff "$D/host.out" "$D/kernel.out"
	assert_success
}

@test "a hijacked lookup never asks the host side: getent, python and curl by name reach the kernel's servers" {
	# The host side's server answers www.test with another address: had
	# a lookup gone past the kernel, it would show.
	sed 's/^www.test A 10.1.2.3/www.test A 10.66.66.66/' "$D/zone" \
	    >"$D/hostzone"
	cat >"$D/run.sh" <<-EOF
	mount --bind "$D/resolv.conf" /etc/resolv.conf
	ip link set lo up
	python3 "$BATS_TEST_DIRNAME/hijack/dnsd.py" 127.0.0.1 53 "$D/hostzone" >/dev/null 3>&- &
	hostdns=\$!
	"$B/hijack/rumphijack" -- bash -c '
	    python3 "$BATS_TEST_DIRNAME/hijack/dnsd.py" 127.0.0.1 53 "$D/zone" >"$D/ready" &
	    cd "$D" && echo served-by-kernel >page.txt &&
	    python3 -m http.server --bind 127.0.0.1 8000 >/dev/null 2>&1 &
	    for _ in \$(seq 100); do grep -q ready "$D/ready" && break; sleep 0.1; done
	    for _ in \$(seq 100); do curl -s -o /dev/null http://127.0.0.1:8000/ && break; sleep 0.1; done
	    getent hosts www.test
	    getent ahosts www.test
	    python3 -c "import socket; print(socket.gethostbyname(\"www.test\"), socket.getaddrinfo(\"v6.test\", 80)[0][4][0])"
	    curl -s --max-time 10 http://web.test:8000/page.txt
	    kill %1 %2'
	kill \$hostdns
	EOF
	run timeout 60 unshare -mn bash "$D/run.sh"
	assert_success
	assert_line "2001:db8::3     www.test"
	assert_line --regexp "^10\.1\.2\.3 +STREAM *$"
	assert_line "10.1.2.3 2001:db8::6"
	assert_line "served-by-kernel"
	refute_output --partial "10.66.66.66"
}

@test "getifaddrs, if_nameindex, if_nametoindex, if_indextoname show the kernel's interfaces as the host shows its own (rumphijack)" {
	cfg="ip link set lo up; ip addr add 10.5.0.1/24 brd + dev lo
	    ip addr add 10.7.0.1 peer 10.7.0.2/32 dev lo
	    ip -6 addr add fd00::5/64 dev lo
	    ip -6 addr add fd00:1::1 peer fd00:2::/64 dev lo
	    ping -c 1 -q 127.0.0.1 >/dev/null
	    $B/tests/hijack/ifaddrsp"
	run unshare -n sh -c "$cfg"
	assert_success
	host=$output
	# the kernel's, configured alike; the namespace's own lo stays down
	run unshare -n "$B/hijack/rumphijack" -- sh -c "$cfg"
	assert_success
	assert_line "ifa lo fam=2 flags=0x10049 addr=10.5.0.1 mask=255.255.255.0 brd=10.5.0.255"
	assert_line "ifa lo fam=10 flags=0x10049 addr=fd00::5%0 mask=ffff:ffff:ffff:ffff::%0 brd=-"
	# a peer is the entry's ifa_dstaddr (glibc's ifa_broadaddr union)
	assert_line "ifa lo fam=2 flags=0x10049 addr=10.7.0.1 mask=255.255.255.255 brd=10.7.0.2"
	assert_line "ifa lo fam=10 flags=0x10049 addr=fd00:1::1%0 mask=ffff:ffff:ffff:ffff::%0 brd=fd00:2::%0"
	assert_line --regexp "^ifa lo fam=17 .* stats=counting$"
	assert_line "nameindex 1 lo"
	# the same entries in the same order
	[ "$host" = "$output" ] || { diff <(echo "$host") <(echo "$output"); false; }
}
