#!/usr/bin/env bats
# glibc's res_* resolver under the hijack goes through the kernel's
# network (hijack/hj_wrap_resolv.c, hj_ressend.c), not the host's:
# res_query, res_search, res_querydomain, res_send and their res_n* forms
# return what the host's glibc returns for the same zone served by the
# test DNS server (tests/hijack/dnsd.py) in the same place: the same
# answer bytes (the queries' too, echoed back), lengths, h_errno and
# errno, for NXDOMAIN, no data, SERVFAIL, timeouts, refused ports,
# truncation and the TCP fallback, RES_USEVC and EDNS0; and the host side
# never sees a query.  Each run is in a mount and network namespace of its
# own (unshare -mn), where /etc/resolv.conf is the test's file and
# 127.0.0.1 is the namespace's (or the kernel's) loopback.

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
	v6.test AAAA 2001:db8::6
	alias.test CNAME www.test
	3.2.1.10.in-addr.arpa PTR www.test
	badid.test A 10.1.2.7
	short.test A 10.1.2.7
	other.test A 10.1.2.7
	a.b.test A 10.1.2.8
	www.other A 10.1.2.9
	EOF
	# more A records than a 512-byte UDP answer holds: TC, then TCP
	for i in $(seq 36); do echo "big.test A 10.9.0.$i"; done >>"$D/zone"
	printf 'nameserver 127.0.0.1\nsearch test\noptions timeout:1 attempts:1\n' \
	    >"$D/resolv.conf"
}

teardown() {
	rm -rf "$D"
}

# calls WHERE ARG...: resqp's (or DNSPROG's) output in WHERE (dnsrun.bash).
calls() {
	DNSPROG=${DNSPROG:-resqp} unshare -mn bash "$BATS_TEST_DIRNAME/hijack/dnsrun.bash" \
	    "$B" "$D" "$@"
}

# The same calls on the host and under rumphijack: the same lines.
same() {
	calls host "$@" >"$D/host.out" &
	calls hijack "$@" >"$D/kernel.out"
	wait
	[ -s "$D/host.out" ] || { echo "no host output"; false; }
	run diff "$D/host.out" "$D/kernel.out"
	assert_success
}

@test "res_query, res_querydomain, res_send and res_n* through the kernel answer as the host's glibc (rumphijack)" {
	same q www.test A q www.test AAAA q alias.test A q 3.2.1.10.in-addr.arpa PTR \
	    q nx.test A q v6.test A q fail.test A d www test A d www test. A \
	    m www.test AAAA q echo.test A set:edns q echo.test TXT \
	    set:buf=300 q echo.x.test A set:buf=4096 set:noedns \
	    q big.test A set:buf=512 q big.test A m big.test A set:buf=4096 \
	    set:vc q www.test A q echo.vc.test A q silent.test A set:novc \
	    q silent.test A q badid.test A q short.test A q other.test A \
	    nq alias.test A nm www.test A nd echo n.test A \
	    set:retry=2 q fail.test A set:retry=1 \
	    set:buf=8 q www.test A m www.test A set:buf=4096 \
	    q "$(printf 'x%.0s' $(seq 70)).test" A \
	    q "$(printf 'abcdefghi.%.0s' $(seq 30))test" A \
	    d "$(printf 'abcdefghi.%.0s' $(seq 60))" "$(printf 'abcdefghi.%.0s' $(seq 60))test" A \
	    set:port=54 q www.test A nq www.test A m www.test A
	# what the zone says, seen at all (not two empty outputs)
	grep -q "^q www.test A: rv=50 h_errno=-5 state=-5 ans=0000858000010001.*0a010203$" "$D/host.out"
	grep -q "^q nx.test A: rv=-1 h_errno=1 state=1 errno=0 " "$D/host.out"
	grep -q "^q v6.test A: rv=-1 h_errno=4 " "$D/host.out"
	grep -q "^q fail.test A: rv=-1 h_errno=2 state=2 errno=Connection timed out" "$D/host.out"
	grep -q "^q big.test A: rv=890 h_errno=-5 state=-5 (longer than the buffer) ans=00008780" "$D/host.out"
	grep -q "^q silent.test A: rv=-1 h_errno=2 state=2 errno=Connection timed out" "$D/host.out"
	grep -q "^q www.test A: rv=-1 h_errno=2 state=2 errno=Connection refused" "$D/host.out"
	grep -q "^q www.test A: rv=-1 h_errno=2 state=2 errno=Invalid argument" "$D/host.out"
	grep -q "^q xxxxxxxxxx.*: rv=-1 h_errno=3 state=3 " "$D/host.out"
	grep -q "^d abcdefghi.*: rv=-1 h_errno=3 state=3 " "$D/host.out"
}

@test "res_search walks the search list and ndots as the host's glibc (rumphijack)" {
	printf 'nameserver 127.0.0.1\nsearch other test\noptions ndots:2 timeout:1 attempts:1\n' \
	    >"$D/resolv.conf"
	printf 'myalias www.test\n' >"$D/aliases"
	export HOSTALIASES=$D/aliases
	same s www A s www AAAA s a.b A s a.b.test A s www.test. A s nx A \
	    s nx.test A s fail A s v6 A s myalias A ns www A \
	    set:ndots=1 s a.b A s www.test A set:nosearch s www A s www.test A \
	    set:port=54 s www A
	grep -q "^s www A: rv=52 h_errno=1 state=1 ans=.*0a010209$" "$D/host.out"
	grep -q "^s www AAAA: rv=62 " "$D/host.out"
	grep -q "^s myalias A: rv=50 " "$D/host.out"
	grep -q "^s fail A: rv=-1 h_errno=2 " "$D/host.out"
}

@test "a program that sees the kernel's resolv.conf (blanket=) asks its servers with its search list and options" {
	# the host's file names no server that answers and another domain
	printf 'nameserver 127.0.0.1\nsearch test\noptions ndots:2 timeout:1 attempts:1 use-vc edns0\n' \
	    >"$D/kconf"
	set -- s www A s a.b A q echo.t.test A q www.test A nq echo.n.test A
	cp "$D/kconf" "$D/resolv.conf"
	calls host "$@" >"$D/host.out"
	mkdir "$D/etc" && cp "$D/kconf" "$D/etc/resolv.conf"
	printf 'nameserver 127.0.0.9\nsearch nowhere\noptions attempts:1 timeout:1\n' \
	    >"$D/resolv.conf"
	export RH_OPTS="-i $D/etc:/etc -H path=/rump,socket=all:nolocal,blanket=/etc/resolv.conf"
	calls hijack "$@" >"$D/kernel.out"
	grep -q "^s www A: rv=50 " "$D/host.out"
	run diff "$D/host.out" "$D/kernel.out"
	assert_success
}

@test "a hijacked res_query never asks the host side: the host's server sees no query" {
	# The host side's server answers www.test with another address: had
	# a query gone past the kernel, it would show, and its log would too.
	sed 's/^www.test A 10.1.2.3/www.test A 10.66.66.66/' "$D/zone" \
	    >"$D/hostzone"
	cat >"$D/run.sh" <<-EOF
	mount --bind "$D/resolv.conf" /etc/resolv.conf
	ip link set lo up
	python3 "$BATS_TEST_DIRNAME/hijack/dnsd.py" 127.0.0.1 53 "$D/hostzone" "$D/host.log" >"$D/hready" 3>&- &
	hostdns=\$!
	for _ in \$(seq 100); do grep -q ready "$D/hready" && break; sleep 0.1; done
	"$B/hijack/rumphijack" -- bash -c '
	    python3 "$BATS_TEST_DIRNAME/hijack/dnsd.py" 127.0.0.1 53 "$D/zone" "$D/kernel.log" >"$D/ready" &
	    for _ in \$(seq 100); do grep -q ready "$D/ready" && break; sleep 0.1; done
	    "$B/tests/hijack/resqp" q www.test A s www A m www.test A set:vc q www.test A
	    kill %1'
	"$B/tests/hijack/resqp" q www.test A
	kill \$hostdns
	EOF
	run timeout 60 unshare -mn bash "$D/run.sh"
	assert_success
	assert_line --regexp "^q www.test A: rv=50 .*0a010203$"
	assert_line --regexp "^s www A: rv=50 .*0a010203$"
	assert_line --regexp "^m www.test A: rv=50 .*0a010203$"
	# the host's own call, after: its server was there all along
	assert_line --regexp "^q www.test A: rv=50 .*0a424242$"
	run cat "$D/host.log"
	assert_output "www.test"
	run cat "$D/kernel.log"
	assert_output "$(printf 'www.test\nwww.test\nwww.test\nwww.test')"
}

@test "getaddrinfo_a (GAI_WAIT, GAI_NOWAIT with a thread's and a signal's notice), gai_error, gai_suspend, gai_cancel through the kernel answer as the host's glibc" {
	DNSPROG=gaiap calls host >"$D/host.out" &
	DNSPROG=gaiap calls hijack >"$D/kernel.out"
	wait
	grep -q "^wait www.test: ok 10.1.2.3/t1$" "$D/host.out"
	grep -q "^nowait thread: 0 told 42$" "$D/host.out"
	grep -q "^signal: code asyncnl=1 value 7$" "$D/host.out"
	grep -q "^nowait silent.test: Temporary failure" "$D/host.out"
	run diff "$D/host.out" "$D/kernel.out"
	assert_success
}

@test "res_query over two servers, the first refused, the second IPv6 (::1), as the host's glibc" {
	printf 'nameserver 127.0.0.1\nnameserver ::1\nsearch test\noptions timeout:1 attempts:2\n' \
	    >"$D/resolv.conf"
	export DNSADDR=::1
	same q www.test A s www AAAA q fail.test A q silent.test A \
	    set:vc q www.test A q big.test A q silent.test A
	grep -q "^q www.test A: rv=50 h_errno=-5 state=-5 ans=.*0a010203$" "$D/host.out"
	grep -q "^q fail.test A: rv=-1 h_errno=2 state=2 errno=Connection timed out" "$D/host.out"
}

@test "res_query by one client of a rump_server reaches a DNS server that is another client" {
	set -- q www.test A s www A q big.test A set:vc q alias.test A
	calls host "$@" >"$D/host.out" &
	calls server "$@" >"$D/kernel.out"
	wait
	grep -q "^s www A: rv=50 " "$D/host.out"
	run diff "$D/host.out" "$D/kernel.out"
	assert_success
}

@test "with the host's sockets (rumphijack -n) res_query and res_search are the host's" {
	cat >"$D/run.sh" <<-EOF
	mount --bind "$D/resolv.conf" /etc/resolv.conf
	ip link set lo up
	python3 "$BATS_TEST_DIRNAME/hijack/dnsd.py" 127.0.0.1 53 "$D/zone" "$D/host.log" >"$D/hready" 3>&- &
	for _ in \$(seq 100); do grep -q ready "$D/hready" && break; sleep 0.1; done
	"$B/hijack/rumphijack" -n -- "$B/tests/hijack/resqp" q www.test A s www A
	kill %1
	EOF
	run timeout 60 unshare -mn bash "$D/run.sh"
	assert_success
	assert_line --regexp "^q www.test A: rv=50 .*0a010203$"
	assert_line --regexp "^s www A: rv=50 .*0a010203$"
	run cat "$D/host.log"
	assert_output "$(printf 'www.test\nwww.test')"
}

@test "options no-aaaa: AAAA questions asked as A and answered empty, as the host's glibc" {
	printf 'nameserver 127.0.0.1\nsearch test\noptions timeout:1 attempts:1 no-aaaa\n' \
	    >"$D/resolv.conf"
	same q www.test AAAA q nx.test AAAA q www.test A m www.test AAAA \
	    m nx.test AAAA s www AAAA set:edns q www.test AAAA set:buf=20 \
	    q www.test A set:buf=4096 q silent.test AAAA
	grep -q "^q www.test AAAA: rv=-1 h_errno=4 state=4 " "$D/host.out"
	grep -q "^m www.test AAAA: rv=26 .*ans=0000858000010000000000000377777704746573740000" "$D/host.out"
}
