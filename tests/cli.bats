#!/usr/bin/env bats
# rump_server and rumphijack as system tools: --help on stdout with status
# 0, --version with meson.build's version, a wrong option named in one
# line plus the usage on stderr with status 2, a long option for every
# short one, and the exit statuses of rumphijack(1) and rump_server(1).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	S=$BATS_TEST_DIRNAME/..
	SERVER=$B/server/rump_server
	HIJACK=$B/hijack/rumphijack
	TMP=$(mktemp -d)
	# The version as meson.build says it, read by meson itself.
	VERSION=$(meson introspect "$B" --projectinfo |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
}

teardown() {
	rm -rf "$TMP"
}

# streams CMD...: runs CMD with stdout and stderr apart, in $TMP/out and
# $TMP/err; the status in $rc.
streams() {
	rc=0
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}

@test "--help and -h print the usage on stdout, nothing on stderr, and exit 0" {
	for cmd in "$SERVER" "$HIJACK"; do
		for opt in --help -h; do
			streams "$cmd" "$opt"
			[ "$rc" -eq 0 ]
			grep -q "^usage: $(basename "$cmd") " "$TMP/out"
			[ ! -s "$TMP/err" ]
		done
	done
}

@test "--version and -V print meson.build's version on stdout and exit 0" {
	[ -n "$VERSION" ]
	for cmd in "$SERVER" "$HIJACK"; do
		for opt in --version -V; do
			streams "$cmd" "$opt"
			[ "$rc" -eq 0 ]
			[ "$(cat "$TMP/out")" = "$(basename "$cmd") (rump) $VERSION" ]
			[ ! -s "$TMP/err" ]
		done
	done
}

@test "a wrong option: one line naming it, then the usage, on stderr; status 2" {
	for cmd in "$SERVER" "$HIJACK"; do
		for opt in --no-such-option -Z; do
			streams "$cmd" "$opt" unix:///nonexistent/x
			[ "$rc" -eq 2 ]
			[ ! -s "$TMP/out" ]
			name=${opt#--}; name=${name#-}
			head -n 1 "$TMP/err" | grep -q -- "$name"
			sed -n 2p "$TMP/err" | grep -q "^usage: $(basename "$cmd") "
		done
		# An option without its argument is a usage error too.
		streams "$cmd" --cpus
		[ "$rc" -eq 2 ]
		head -n 1 "$TMP/err" | grep -q "requires an argument"
	done
}

@test "every short option has a long one, and --help lists both" {
	for cmd in "$SERVER" "$HIJACK"; do
		"$cmd" --help >"$TMP/help"
		# Each option line is "  -x, --long ..."; none is short only.
		n=$(grep -cE '^  -[[:alpha:]], --[a-z-]+' "$TMP/help")
		[ "$n" -ge 10 ]
		! grep -E '^  -[[:alpha:]] ' "$TMP/help"
	done
	for long in --foreground --verbose --cpus --memlimit --load --disk \
	    --secret --insecure --uid --any-uid; do
		grep -q -- "$long" <("$SERVER" --help)
	done
	for long in --server --private --hijack --host-net --copy-in \
	    --copy-out --image --cpus --memlimit --verbose; do
		grep -q -- "$long" <("$HIJACK" --help)
	done
}

@test "long options do what the short ones do" {
	# rumphijack: --cpus and --memlimit reach the kernel's sysctls.
	run "$HIJACK" --cpus 3 --memlimit 64m --hijack path=/rump -- \
	    cat /rump/proc/sys/kern/ncpu
	assert_success
	assert_output 3
	run "$HIJACK" --verbose -- true
	assert_success
	# rump_server: --foreground stays, --verbose says it serves.
	"$SERVER" --foreground --verbose --cpus 2 "unix://$TMP/k" 2>"$TMP/log" &
	pid=$!
	for i in $(seq 200); do [ -S "$TMP/k" ] && break; sleep 0.05; done
	run env RUMP_SERVER="unix://$TMP/k" "$HIJACK" -- cat /rump/proc/sys/kern/ncpu
	kill -TERM "$pid"
	wait "$pid"
	assert_output 2
	grep -q "serving on unix://$TMP/k" "$TMP/log"
}

@test "rumphijack's statuses: the command's, 126 and 127 as the shells use them" {
	run "$HIJACK" -- sh -c 'exit 7'
	assert_failure 7
	run -127 "$HIJACK" -- /nonexistent/command
	assert_failure 127
	assert_output --partial "/nonexistent/command"
	printf 'no exec bit\n' >"$TMP/noexec"
	chmod 644 "$TMP/noexec"
	run "$HIJACK" -- "$TMP/noexec"
	assert_failure 126
	# The shell's own answers for the same two cases.
	run -127 sh -c "/nonexistent/command"
	assert_failure 127
	run sh -c "$TMP/noexec"
	assert_failure 126
	run "$HIJACK"
	assert_failure 2
	assert_output --partial "no command"
}

@test "rump_server's statuses: 2 for usage, 1 for a run-time failure" {
	run "$SERVER"
	assert_failure 2
	assert_output --partial "no URL"
	run "$SERVER" -s "unix://$TMP/a" "unix://$TMP/b"
	assert_failure 2
	run "$SERVER" -s --uid nobody "unix://$TMP/a"
	assert_failure 2
	# A run-time failure: the directory of the socket does not exist.
	run "$SERVER" -s "unix://$TMP/no/such/dir/k"
	assert_failure 1
	assert_output --partial "$TMP/no/such/dir/k"
	[ ! -e "$TMP/a" ] && [ ! -e "$TMP/b" ]
}

@test "bash completion offers the long options and is installed" {
	export PATH="$B/server:$B/hijack:$PATH"
	run bash -c "source '$S/doc/completion/rump_server'
		COMP_WORDS=(rump_server --fore); COMP_CWORD=1; _rump_server
		echo \${COMPREPLY[*]}"
	assert_success
	assert_output "--foreground"
	run bash -c "source '$S/doc/completion/rumphijack'
		COMP_WORDS=(rumphijack --copy-); COMP_CWORD=1; _rumphijack
		echo \${COMPREPLY[*]}"
	assert_output "--copy-in --copy-out"
	meson introspect "$B" --installed | grep -q 'bash-completion/completions/rumphijack'
	meson introspect "$B" --installed | grep -q 'bash-completion/completions/rump_server'
}
