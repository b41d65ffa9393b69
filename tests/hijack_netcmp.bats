#!/usr/bin/env bats
# The network tools on the kernel and on the host's Linux, side by side:
# each command runs inside a network namespace of its own (unshare -n)
# once on that namespace's lo (Linux, the reference) and once under the
# hijack on a rump_server's lo (tests/hijack/netcmp.bash); the outputs and
# statuses must be equal.  Point-to-point peers (ip addr add A peer P,
# ifconfig pointopoint; IPv6 ones), ip -6 addr's link lines, and net-tools' IPv6
# route and address ioctls (route -A inet6, ifconfig inet6 add/del).  A
# user's EPERM is test_in6ioctl's and test_netpeer's (a unix-socket server
# serves its own uid only).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	D=$(mktemp -d)
	unshare -n true 2>/dev/null ||
	    skip "unshare -n is not permitted (needs CAP_SYS_ADMIN)"
	command -v ip >/dev/null && command -v ifconfig >/dev/null &&
	    command -v route >/dev/null ||
	    skip "iproute2 and net-tools are not installed"
	HOSTBEFORE=$(ip -j addr; ip -j route; ip -j -6 route)
}

teardown() {
	rm -rf "$D"
	if [ -n "${HOSTBEFORE:-}" ]; then
		[ "$HOSTBEFORE" = "$(ip -j addr; ip -j route; ip -j -6 route)" ] ||
		    echo "the host's addresses or routes changed" >&2
	fi
}

compare() {
	run unshare -n bash "$BATS_TEST_DIRNAME/hijack/netcmp.bash" "$B" "$D" \
	    "$@"
	assert_success
	refute_output --partial "rump_server did not start"
	refute_output --partial "== DIFF"
	[ "$HOSTBEFORE" = "$(ip -j addr; ip -j route; ip -j -6 route)" ]
}

@test "ip addr add A peer P, ifconfig pointopoint/dstaddr/netmask, ip addr del: as Linux (rump_server)" {
	compare "ip addr add 10.7.0.1 peer 10.7.0.2/32 dev lo" \
	    "ip -4 addr show dev lo" \
	    "ip route show table local | grep 10.7" \
	    "ifconfig lo pointopoint 127.0.0.9" \
	    "ip -4 addr show dev lo" \
	    "ip addr del 10.7.0.1 peer 10.7.0.3 dev lo" \
	    "ip addr del 10.7.0.1 peer 10.7.0.2/32 dev lo" \
	    "ip -4 addr show dev lo" "ip route show table local | grep 10.7" \
	    "ifconfig lo dstaddr 224.0.0.1" "ifconfig lo dstaddr 127.0.0.1" \
	    "ip -4 addr show dev lo" \
	    "ifconfig lo netmask 255.255.0.0" "ip route show table local" \
	    "ifconfig lo netmask 255.0.0.0" "ip route show table local" \
	    "ip addr add 10.1.0.1/24 dev lo" "ip addr add 10.1.0.2/24 dev lo" \
	    "ip route show table local | grep 10.1.0.2" \
	    "ip addr del 10.1.0.1/24 dev lo" "ip -4 addr show dev lo" \
	    "ip route show table local"
	# a secondary's local route has the primary's source; it goes with it
	assert_line "local 10.1.0.2 dev lo proto kernel scope host src 10.1.0.1 "
	# the routes follow a new netmask
	assert_line "local 127.0.0.0/16 dev lo proto kernel scope host src 127.0.0.1 "
	assert_line "    inet 10.7.0.1 peer 10.7.0.2/32 scope global lo"
	assert_line "local 10.7.0.2 dev lo proto kernel scope host src 10.7.0.1 "
	assert_line "    inet 127.0.0.1 peer 127.0.0.9/8 scope host lo"
	assert_line "Error: ipv4: Address not found."
	assert_line "SIOCSIFDSTADDR: Invalid argument"
}

@test "ip -6 addr add A peer P, /128 addresses, their routes and deletes: as Linux (rump_server)" {
	# Linux adds an IPv6 peer's route from its address work, after ip
	# returns: wait for the two (the kernel's are there at once).
	WAITPEERS='for i in $(seq 100); do [ "$(ip -6 route | grep -c "^2001:db8::2 \|^2001:db8:2:: ")" = 2 ] && break; sleep 0.05; done'
	compare "ip -6 addr add 2001:db8::1 peer 2001:db8::2/128 dev lo" \
	    "ip -6 addr add 2001:db8:1::1 peer 2001:db8:2::/64 dev lo" \
	    "ip -6 addr add 2001:db8::9/128 dev lo" \
	    "ip -6 addr add 2001:db8::7 peer 2001:db8::7/128 dev lo" \
	    "ip -6 addr show dev lo" "$WAITPEERS; ip -6 route show table all" \
	    "ip -6 addr del 2001:db8::1 peer 2001:db8::3/128 dev lo" \
	    "ip -6 addr del 2001:db8::9/128 dev lo" \
	    "ip -6 route show table all" "ip -6 addr show dev lo"
	assert_line "    inet6 2001:db8:1::1 peer 2001:db8:2::/64 scope global "
	assert_line "2001:db8:2:: dev lo proto kernel metric 256 pref medium"
	assert_line "2001:db8::9 dev lo proto kernel metric 256 pref medium"
}

@test "ip -6 addr: Linux's short IPv6 link lines (rump_server)" {
	compare "ip -6 addr" "ip -6 addr show dev lo" "ip -4 addr show dev lo"
	assert_line "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN qlen 1000"
}

@test "route -A inet6 add/del and ifconfig inet6 add/del: as Linux (rump_server)" {
	compare "route -A inet6 add 2001:db8:5::/48 dev lo" \
	    "route -A inet6 add 2001:db8:5::/48 dev lo" \
	    "ip -6 route show 2001:db8:5::/48" \
	    "route -A inet6 del 2001:db8:5::/48 dev lo" \
	    "route -A inet6 del 2001:db8:5::/48 dev lo" \
	    "ip -6 route show 2001:db8:5::/48" \
	    "route -A inet6 add 2001:db8:5::/48 dev nosuch0" \
	    "ifconfig lo inet6 add 2001:db8::1/64" \
	    "ifconfig lo inet6 add 2001:db8::1/64" \
	    "ip -6 addr show dev lo" "ifconfig lo | grep inet6 | sort" \
	    "ip -6 route show dev lo" \
	    "ifconfig lo inet6 del 2001:db8::1/48" \
	    "ifconfig lo inet6 del 2001:db8::1/64" \
	    "ip -6 addr show dev lo" "ip -6 route show dev lo" \
	    "ifconfig nosuch0 inet6 add 2001:db8::1/64" \
	    "ifconfig lo inet6 add 2001:db8::1/64" \
	    "route -A inet6 add 2001:db8:6::/48 gw 2001:db8::99 dev lo" \
	    "route -A inet6 add 2001:db8:6::/48 gw 2001:db8::99" \
	    "route -A inet6 add 2001:db8:7::/48 gw fe80::1 dev lo" \
	    "ip -6 route add 2001:db8:7::/48 via fe80::1 dev lo" \
	    "route -A inet6 add 2001:db8:8::/48 dev lo metric 7" \
	    "ip -6 route show 2001:db8:8::/48" \
	    "route -A inet6 del 2001:db8:8::/48 dev lo" \
	    "route -A inet6 del 2001:db8:8::/48 dev lo metric 7" \
	    "ifconfig lo inet6 del 2001:db8::1/64" \
	    "ip -6 addr show dev lo; ip -6 route show dev lo"
	assert_line "2001:db8:5::/48 dev lo metric 1 pref medium"
	assert_line "SIOCADDRT: File exists"
	assert_line "SIOCDELRT: No such process"
	assert_line "    inet6 2001:db8::1/64 scope global "
	assert_line "SIOCDIFADDR: Cannot assign requested address"
	assert_line "SIOCSIFADDR: File exists"
	# IPv6 routes through lo are Linux's reject routes: no gateway there
	assert_line "SIOCADDRT: No route to host"
	assert_line "Error: Egress device can not be loopback device for this route."
	assert_line "2001:db8:8::/48 dev lo metric 7 pref medium"
}
