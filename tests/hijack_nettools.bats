#!/usr/bin/env bats
# The unmodified Linux tools on what the kernel keeps beyond links,
# addresses and routes: neighbours (ip neigh add/show/del/flush, arp -n),
# routes through net-tools' ioctls (route add/del), ip route get's source,
# the kernel's own TCP sockets in ss and netstat, and the /proc/net
# counter files (netstat -s, /proc/net/snmp, sockstat).  Under the hijack
# on one rump_server (tests/hijack/netcfg.bash), each test inside a network
# namespace of its own (unshare -n); outputs are checked for what was
# configured and the host's addresses and routes for being unchanged.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	D=$(mktemp -d)
	unshare -n true 2>/dev/null ||
	    skip "unshare -n is not permitted (needs CAP_SYS_ADMIN)"
	command -v ip >/dev/null && command -v route >/dev/null &&
	    command -v ss >/dev/null && command -v netstat >/dev/null &&
	    command -v arp >/dev/null ||
	    skip "iproute2 and net-tools are not installed"
}

teardown() {
	rm -rf "$D"
}

steps() {
	run unshare -n bash "$BATS_TEST_DIRNAME/hijack/netcfg.bash" "$B" "$D" \
	    "$@"
	assert_success
	assert_output --partial "== host unchanged"
	refute_output --partial "== host CHANGED"
}

@test "ip neigh add/show/get/del/flush and arp -n on the kernel's table (rump_server)" {
	steps "ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev lo" \
	    "ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev lo" \
	    "ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a dev lo nud stale" \
	    "ip neigh add fd00::5 lladdr 02:00:00:00:00:05 dev lo" \
	    "ip neigh show" "ip -s neigh show 10.0.0.10" \
	    "ip neigh get 10.0.0.9 dev lo" "arp -n" \
	    "ip neigh del 10.0.0.9 dev lo" "ip neigh del 10.0.0.9 dev lo" \
	    "ip neigh flush dev lo" "echo AFTER; ip neigh show" \
	    "ip neigh add 10.0.0.11 lladdr 02:00 dev lo"
	assert_line "10.0.0.9 dev lo lladdr 02:00:00:00:00:09 PERMANENT "
	assert_line "10.0.0.10 dev lo lladdr 02:00:00:00:00:0a STALE "
	assert_line "fd00::5 dev lo lladdr 02:00:00:00:00:05 PERMANENT "
	assert_output --partial "RTNETLINK answers: File exists"
	assert_output --regexp "10\.0\.0\.10 dev lo lladdr 02:00:00:00:00:0a +ref 1 used [0-9]+/[0-9]+/[0-9]+ ?probes 0 STALE"
	assert_line --regexp "^10\.0\.0\.9 +loop +02:00:00:00:00:09 +CM +lo$"
	assert_output --partial "RTNETLINK answers: No such file or directory"
	assert_output --partial "Error: Invalid link address."
	# flush took the stale entry, kept the permanent IPv6 one
	after=${output##*AFTER}
	[[ "$after" == *"fd00::5 dev lo lladdr 02:00:00:00:00:05 PERMANENT"* ]]
	[[ "$after" != *"10.0.0.10"* ]]
}

@test "route add/del -net, -host, default gw through SIOCADDRT; ip route get's src (rump_server)" {
	steps "ip addr add 10.77.0.1/24 dev lo" \
	    "route add -net 10.1.0.0 netmask 255.255.0.0 gw 10.77.0.2" \
	    "route add -net 10.1.0.0 netmask 255.255.0.0 gw 10.77.0.2" \
	    "route add default gw 10.77.0.2" "route add -host 10.3.0.1 dev lo" \
	    "route add -net 10.2.0.0 netmask 255.255.0.0 dev nosuch0" \
	    "route -n" "ip route get 10.1.2.3" "ip route get 10.3.0.1" \
	    "route del -net 10.1.0.0 netmask 255.255.0.0" \
	    "route del -net 10.1.0.0 netmask 255.255.0.0" "route del default" \
	    "echo AFTER; ip route show table main"
	assert_line --regexp '^0\.0\.0\.0 +10\.77\.0\.2 +0\.0\.0\.0 +UG +0 +0 +0 lo$'
	assert_line --regexp '^10\.1\.0\.0 +10\.77\.0\.2 +255\.255\.0\.0 +UG +0 +0 +0 lo$'
	assert_line --regexp '^10\.3\.0\.1 +0\.0\.0\.0 +255\.255\.255\.255 +UH +0 +0 +0 lo$'
	assert_output --partial "SIOCADDRT: File exists"
	assert_output --partial "SIOCADDRT: No such device"
	assert_output --partial "SIOCDELRT: No such process"
	assert_line --regexp '^10\.1\.2\.3 via 10\.77\.0\.2 dev lo src 10\.77\.0\.1 uid 0 $'
	assert_line --regexp '^10\.3\.0\.1 dev lo src 127\.0\.0\.1 uid 0 $'
	after=${output##*AFTER}
	[[ "$after" == *"10.3.0.1 dev lo scope link"* ]]
	[[ "$after" != *"10.1.0.0"* && "$after" != *default* ]]
}

@test "ss -tan/-tlnp and netstat -tan/-tlnp show the kernel's listener and connection (rump_server)" {
	steps "python3 $BATS_TEST_DIRNAME/hijack/tcpconn.py 8471 'echo SS; ss -tan; echo SSL; ss -tlnp; echo SSP; ss -tnp; echo NS; netstat -tan; echo NSL; netstat -tlnp; cat /proc/net/sockstat'" \
	    "echo GONE; ss -tan"
	# sock_diag: a listener's Send-Q is its backlog, as Linux's
	assert_line --regexp '^LISTEN +0 +4 +127\.0\.0\.1:8471 +0\.0\.0\.0:\* *$'
	refute_output --partial "Cannot open netlink socket"
	assert_line --regexp '^ESTAB +5 +0 +127\.0\.0\.1:8471 +127\.0\.0\.1:[0-9]+ *$'
	assert_line --regexp '^ESTAB +0 +0 +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:8471 *$'
	assert_line --regexp '^tcp +0 +0 127\.0\.0\.1:8471 +0\.0\.0\.0:\* +LISTEN *$'
	assert_line --regexp '^tcp +5 +0 127\.0\.0\.1:8471 +127\.0\.0\.1:[0-9]+ +ESTABLISHED *$'
	# -p: the host pid and the numbers the program sees (tcpconn.py's)
	holder=$(printf '%s\n' "$output" | sed -n 's/^HOLDER //p')
	[[ "$holder" =~ ^pid=([0-9]+)\ lsn=([0-9]+)\ acc=([0-9]+)\ cli=([0-9]+)$ ]]
	pid=${BASH_REMATCH[1]} lsn=${BASH_REMATCH[2]}
	acc=${BASH_REMATCH[3]} cli=${BASH_REMATCH[4]}
	assert_line --regexp "^LISTEN +0 +4 +127\\.0\\.0\\.1:8471 +0\\.0\\.0\\.0:\\* +users:\\(\\(\"python3\",pid=$pid,fd=$lsn\\)\\) *\$"
	assert_line --regexp "^ESTAB +5 +0 +127\\.0\\.0\\.1:8471 +127\\.0\\.0\\.1:[0-9]+ +users:\\(\\(\"python3\",pid=$pid,fd=$acc\\)\\) *\$"
	assert_line --regexp "^ESTAB +0 +0 +127\\.0\\.0\\.1:[0-9]+ +127\\.0\\.0\\.1:8471 +users:\\(\\(\"python3\",pid=$pid,fd=$cli\\)\\) *\$"
	assert_line --regexp "^tcp +0 +0 127\\.0\\.0\\.1:8471 +0\\.0\\.0\\.0:\\* +LISTEN +$pid/python3 *\$"
	assert_line "TCP: inuse 3 orphan 0 tw 0 alloc 3 mem 0"
	# the sockets went with the process
	gone=${output##*GONE}
	[[ "$gone" != *8471* ]]
}

@test "netstat -s, /proc/net/snmp and ip -s link count the kernel's traffic (rump_server)" {
	steps "ping -c 2 127.0.0.1 >/dev/null; python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect((\"127.0.0.1\", 9)); s.send(b\"x\"); s.recv(1)' 2>&1 | grep -o ConnectionRefusedError; cat /proc/net/snmp" \
	    "netstat -s" "ip -s link show lo" "cat /proc/net/sockstat6"
	# the port unreachable came back (and was counted) before the read
	assert_line ConnectionRefusedError
	assert_line --regexp '^Ip: 2 64 [1-9][0-9]* '
	assert_line --regexp '^Udp: [0-9]+ 1 0 1 0 0 0 0 0$'
	# ping's two echoes to itself and the port unreachable, each in
	# and out (Icmp's InEchos, InEchoReps ... and IcmpMsg's types)
	assert_line --regexp '^Icmp: 5 0 0 1 0 0 0 0 2 2 0 0 0 0 5 0 0 0 1 0 0 0 0 2 2 0 0 0 0$'
	assert_line 'IcmpMsg: InType0 InType3 InType8 OutType0 OutType3 OutType8'
	assert_line 'IcmpMsg: 2 1 2 2 1 2'
	assert_line --regexp '^ +echo requests: 2$'
	assert_line --regexp '^ +[1-9][0-9]* total packets received$'
	assert_line --regexp '^ +1 packets to unknown port received$'
	assert_line --regexp '^ +[1-9][0-9]* +[1-9][0-9]* +0 +0 +0 +0 *$'
	assert_line "TCP6: inuse 0"
}

@test "ss -6 -tln and ss -uan show the kernel's IPv6 listener and UDP socket through sock_diag (rump_server)" {
	steps "python3 -c 'import socket, subprocess; a = socket.socket(socket.AF_INET6); a.bind((\"::1\", 8472)); a.listen(7); u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((\"127.0.0.1\", 5353)); subprocess.run([\"sh\", \"-c\", \"ss -6 -tln; ss -uan; echo ONLY4; ss -4 -tln\"])'"
	assert_line --regexp '^LISTEN +0 +7 +\[::1\]:8472 +\*:\* *$'
	assert_line --regexp '^UNCONN +0 +0 +127\.0\.0\.1:5353 +0\.0\.0\.0:\* *$'
	v4=${output##*ONLY4}
	[[ "$v4" != *8472* ]]
}

@test "netstat -xn, ss -xa and /proc/net/unix list the kernel's unix sockets (rump_server)" {
	steps "RUMPHIJACK=path=/rump,socket=all python3 $BATS_TEST_DIRNAME/hijack/unixsocks.py 'cat /proc/net/unix; netstat -xan; ss -xa; ss -xlp'"
	assert_line --regexp '^0000000000000000: 00000002 00000000 00010000 0001 01 +[0-9]+ @rumpnt$'
	assert_line --regexp '^0000000000000000: 00000002 00000000 00000000 0002 01 +[0-9]+ /nt\.dgram$'
	assert_line --regexp '^unix +2 +\[ ACC \] +STREAM +LISTENING +[0-9]+ +@rumpnt$'
	assert_line --regexp '^unix +2 +\[ \] +STREAM +CONNECTED +[0-9]+ +@rumpnt$'
	assert_line --regexp '^unix +2 +\[ \] +DGRAM +[0-9]+ +/nt\.dgram$'
	# ss -x asks unix_diag: a listener's Send-Q is its backlog, peers
	# are inodes, and -p names the holder
	assert_line --regexp '^u_str +LISTEN +0 +3 +@rumpnt [0-9]+ +\* 0 *$'
	assert_line --regexp '^u_dgr +UNCONN +0 +0 +/nt\.dgram [0-9]+ +\* 0 *$'
	ino=$(printf '%s\n' "$output" | sed -n 's/^u_str  *ESTAB .* @rumpnt \([0-9]*\) .*/\1/p' | head -1)
	[ -n "$ino" ]
	assert_line --regexp "^u_str +ESTAB +0 +0 +\\* [0-9]+ +\\* $ino *\$"
	assert_line --regexp '^u_str +LISTEN +0 +3 +@rumpnt [0-9]+ +\* 0 +users:\(\("python3",pid=[0-9]+,fd=[0-9]+\)\) *$'
}

@test "ls and cat /sys/class/net show the kernel's interfaces; ip link set mtu and address show in them; ip link del; the host's stay (rump_server)" {
	hostnets=$(ls /sys/class/net | tr '\n' ' ')
	steps "ip link add shmif0 type shmif" \
	    "echo LS; ls /sys/class/net | tr '\n' ' '; echo" \
	    "readlink /sys/class/net/shmif0; ip link set dev shmif0 mtu 1280; echo MTU; cat /sys/class/net/shmif0/mtu" \
	    "ip -br link show shmif0; echo ADDR; cat /sys/class/net/shmif0/address /sys/devices/virtual/net/shmif0/type" \
	    "echo 1400 > /sys/class/net/shmif0/mtu; ip link show shmif0; cat /sys/class/net/lo/speed" \
	    "ip link set dev shmif0 address 02:00:5e:10:20:30; echo NEWMAC; cat /sys/class/net/shmif0/address; ip link set dev shmif0 address 01:00:5e:10:20:30; ip link show shmif0" \
	    "echo HOST; env -u LD_PRELOAD ls /sys/class/net | tr '\n' ' '; echo" \
	    "ip addr add 10.55.0.1/24 dev shmif0; ip link set shmif0 up; ip link del shmif0; echo DELETED; ls /sys/class/net | tr '\n' ' '; echo; ip link show shmif0; ip route show 10.55.0.0/24; ip link del lo"
	assert_line --regexp '^lo shmif0 $'
	assert_line "../../devices/virtual/net/shmif0"
	assert_line --regexp '^MTU$'
	assert_line 1280
	# the address ip shows is the one in the file
	mac=$(printf '%s\n' "$output" | sed -n 's/^shmif0 .* \([0-9a-f:]\{17\}\) .*/\1/p')
	[ -n "$mac" ]
	assert_line "$mac"
	assert_line 1
	assert_line --regexp '^2: shmif0: <BROADCAST,MULTICAST> mtu 1400 '
	assert_line "cat: /sys/class/net/lo/speed: Invalid argument"
	# ip link set address: the file and ip follow; a multicast address
	# is refused as Linux refuses it
	run_out=${output##*NEWMAC}
	[[ "$run_out" == $'\n02:00:5e:10:20:30\n'* ]]
	assert_line "RTNETLINK answers: Cannot assign requested address"
	assert_line --regexp '^ +link/ether 02:00:5e:10:20:30 brd ff:ff:ff:ff:ff:ff'
	# the host's interfaces, seen without the hijack, and after
	assert_line "$hostnets"
	[ "$(ls /sys/class/net | tr '\n' ' ')" = "$hostnets" ]
	[[ "$hostnets" != *shmif0* ]]
	# ip link del: the link, its /sys entry and its route go; lo cannot
	deleted=${output##*DELETED}
	[[ "$deleted" == $'\nlo \n'* ]]
	[[ "$deleted" == *'Device "shmif0" does not exist.'* ]]
	[[ "$deleted" != *10.55.0.0* ]]
	[[ "$deleted" == *"RTNETLINK answers: Operation not supported"* ]]
}
