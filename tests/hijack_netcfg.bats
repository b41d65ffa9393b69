#!/usr/bin/env bats
# The unmodified Linux network tools against a kernel's configuration:
# iproute2's ip (rtnetlink), net-tools' ifconfig and netstat (ioctls and
# /proc/net), ss (/proc/net: the kernel has no sock_diag yet), under the
# hijack on one rump_server that several commands configure.  Every
# output is checked for what was configured, and the host's addresses
# and routes for being unchanged.  Each test runs inside a network
# namespace of its own (unshare -n), so a mistake can never touch the
# machine's network; without the privilege for it the tests skip.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	D=$(mktemp -d)
	unshare -n true 2>/dev/null ||
	    skip "unshare -n is not permitted (needs CAP_SYS_ADMIN)"
	command -v ip >/dev/null && command -v ifconfig >/dev/null &&
	    command -v ss >/dev/null && command -v netstat >/dev/null ||
	    skip "iproute2 and net-tools are not installed"
	HOSTBEFORE=$(ip -j addr; ip -j route)
}

teardown() {
	rm -rf "$D"
	if [ -n "${HOSTBEFORE:-}" ]; then
		[ "$HOSTBEFORE" = "$(ip -j addr; ip -j route)" ] ||
		    echo "the host's addresses or routes changed" >&2
	fi
}

steps() {
	run unshare -n bash "$BATS_TEST_DIRNAME/hijack/netcfg.bash" "$B" "$D" \
	    "$@"
	assert_success
	assert_output --partial "== host unchanged"
	refute_output --partial "== host CHANGED"
}

@test "ip link, ip -s link show the kernel's lo (rump_server)" {
	steps "ip link" "ip -s link show lo" "ip link show nosuch0"
	assert_line --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN'
	assert_line --partial "link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00"
	assert_line --regexp '^ +RX: +bytes +packets'
	assert_output --partial 'Device "nosuch0" does not exist.'
}

@test "ip addr add, ip -4/-6 addr, ip addr del, ip link set mtu on one kernel (rump_server)" {
	steps "ip addr add 10.77.0.1/24 brd + dev lo" \
	    "ip addr add 10.77.0.1/24 dev lo" \
	    "ip addr add fd00:77::1/64 dev lo" \
	    "ip link set lo mtu 9000" \
	    "ip -4 addr" "ip -6 addr show dev lo" "ip link show lo" \
	    "ip addr del 10.77.0.1/24 dev lo" "ip -4 addr show dev lo" \
	    "ip link add foo0 type shmif"
	assert_output --partial "inet 127.0.0.1/8 scope host lo"
	assert_output --partial "inet 10.77.0.1/24 brd 10.77.0.255 scope global lo"
	assert_output --partial "RTNETLINK answers: File exists"
	assert_output --partial "inet6 fd00:77::1/64 scope global"
	assert_output --partial "inet6 ::1/128 scope host"
	assert_output --partial "lo: <LOOPBACK,UP,LOWER_UP> mtu 9000"
	# After the delete only 127.0.0.1 is left (the last -4 listing).
	run bash -c 'printf "%s\n" "$0" | sed -n "/^== ip -4 addr show dev lo/,/^== status/p"' "$output"
	assert_output --partial "127.0.0.1/8"
	refute_output --partial "10.77.0.1"
}

@test "ifconfig -a and ifconfig lo ... up: the kernel's lo (rump_server)" {
	steps "ifconfig -a" "ifconfig lo 127.0.0.1 netmask 255.255.0.0 up" \
	    "ifconfig lo" "ifconfig nosuch0"
	assert_output --partial "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536"
	assert_output --partial "inet 127.0.0.1  netmask 255.0.0.0"
	assert_output --partial "inet6 ::1  prefixlen 128  scopeid 0x10<host>"
	assert_output --partial "inet 127.0.0.1  netmask 255.255.0.0"
	assert_output --partial "nosuch0: error fetching interface information: Device not found"
}

@test "ss -tln and netstat -tan show a program's listening socket in the kernel (rump_server)" {
	steps "python3 -c 'import socket, subprocess
s = socket.socket(); s.bind((\"127.0.0.1\", 8097)); s.listen()
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind((\"::1\", 8098))
for c in ([\"ss\", \"-tln\"], [\"netstat\", \"-tan\"], [\"netstat\", \"-uan\"]):
    print(subprocess.run(c, capture_output=True, text=True).stdout)'"
	assert_line --regexp '^LISTEN +0 +[0-9]+ +127\.0\.0\.1:8097 +0\.0\.0\.0:\*'
	assert_line --regexp '^tcp +0 +0 127\.0\.0\.1:8097 +0\.0\.0\.0:\* +LISTEN'
	assert_line --regexp '^udp6 +0 +0 ::1:8098 +:::\*'
}

@test "ip route add/del/get/show, route -n, netstat -rn: the kernel's routing table (rump_server)" {
	# The lines expected are what Linux prints for the same commands
	# (checked on a host in a namespace of its own).
	steps "ip addr add 10.1.0.1/24 dev lo" \
	    "ip route add 10.2.0.0/16 via 10.1.0.5" \
	    "ip route add default via 10.1.0.9 metric 5" \
	    "ip -6 route add 2001:db8::/32 dev lo" \
	    "ip route add 10.2.0.0/16 via 10.1.0.5" \
	    "ip route add 10.9.0.0/16 via 10.7.0.1" \
	    "ip route show" "ip -6 route show" "ip route show table all" \
	    "ip route get 10.2.3.4" "route -n" "netstat -rn" \
	    "ip route del 10.2.0.0/16" "ip route del 10.2.0.0/16" \
	    "route -n" "ip neigh; echo rc=\$?"
	assert_line --regexp '^default via 10\.1\.0\.9 dev lo metric 5 *$'
	assert_line --regexp '^10\.2\.0\.0/16 via 10\.1\.0\.5 dev lo *$'
	assert_line --regexp '^2001:db8::/32 dev lo metric 1024'
	assert_line --regexp '^local 10\.1\.0\.0/24 dev lo table local proto kernel scope host src 10\.1\.0\.1 *$'
	assert_line --regexp '^broadcast 10\.1\.0\.255 dev lo table local proto kernel scope link src 10\.1\.0\.1 *$'
	assert_line --regexp '^10\.2\.3\.4 via 10\.1\.0\.5 dev lo'
	assert_line "RTNETLINK answers: File exists"
	assert_line "Error: Nexthop has invalid gateway."
	assert_line "RTNETLINK answers: No such process"
	assert_line --regexp '^0\.0\.0\.0 +10\.1\.0\.9 +0\.0\.0\.0 +UG +5 +0 +0 lo$'
	assert_line --regexp '^10\.2\.0\.0 +10\.1\.0\.5 +255\.255\.0\.0 +UG +0 +0 +0 lo$'
	assert_line --regexp '^10\.2\.0\.0 +10\.1\.0\.5 +255\.255\.0\.0 +UG +0 0 +0 lo$'
	assert_output --partial "rc=0"
	# After the delete, the last route -n lists only the default.
	run awk '/^== route -n/ { buf = ""; on = 1 } /^== ip neigh/ { on = 0 }
	    on { buf = buf $0 "\n" } END { printf "%s", buf }' <<<"$output"
	assert_output --partial "0.0.0.0         10.1.0.9"
	refute_output --partial "10.2.0.0"
}
