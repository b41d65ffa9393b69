#!/bin/sh
# Builds the tree two ways (gcc; clang with AddressSanitizer and
# UndefinedBehaviorSanitizer, which also builds the libFuzzer targets),
# runs every cmocka test in both and every bats test against the gcc
# build, and ends with one line: "N passed, N failed".  Exit status 0
# only if none failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh gcc clang meson ninja-build pkg-config libcmocka-dev \
    bats bats-assert binutils python3 libc6-dev strace e2fsprogs iputils-ping \
    curl netcat-openbsd iproute2 net-tools socat sqlite3 mandoc \
    traceroute || exit 1

jobs=${JOBS:-$(nproc)}
results=$(mktemp -d)
# RUMP_TEST_KEEP=DIR keeps the logs (bats' has each case's time).
trap '[ -n "${RUMP_TEST_KEEP:-}" ] && mkdir -p "$RUMP_TEST_KEEP" &&
    cp -r "$results"/. "$RUMP_TEST_KEEP"/; rm -rf "$results"' EXIT
status=0

# build DIR CC [meson options...]: configure once, then compile.
build() {
	dir=$1; compiler=$2; shift 2
	if [ ! -f "$dir/build.ninja" ]; then
		CC=$compiler meson setup "$dir" "$@" >"$results/setup-$(basename "$dir").log" 2>&1 || {
			cat "$results/setup-$(basename "$dir").log" >&2
			echo "configure of $dir failed" >&2
			return 1
		}
	fi
	ninja -C "$dir" -j "$jobs" >"$results/build-$(basename "$dir").log" 2>&1 || {
		tail -n 60 "$results/build-$(basename "$dir").log" >&2
		echo "build of $dir failed" >&2
		return 1
	}
}

# unit DIR LABEL: meson test with TAP output from cmocka, counted per case.
unit() {
	dir=$1; label=$2
	CMOCKA_MESSAGE_OUTPUT=TAP meson test -C "$dir" --num-processes "$jobs" \
	    --print-errorlogs >"$results/unit-$label.log" 2>&1
	python3 scripts/count-tap.py "$label" "$dir/meson-logs/testlog.json" \
	    >>"$results/counts"
}

# stage DIR CC [meson options...]: build one way, then run its unit
# tests (a build whose directory ends in "san" under the sanitizers'
# options: stop at the first error, report leaks).
stage() {
	dir=$1; label=${1#build-}
	if ! build "$@"; then
		echo "$label build 0 1 0" >>"$results/counts"
		return
	fi
	case $label in
	*san) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    unit "$dir" "$label" ;;
	*) unit "$dir" "$label" ;;
	esac
}

# End-to-end tests (bats), against the gcc build.  They mostly wait on
# servers and timeouts, so they run beside the unit tests and the
# sanitizer stage instead of after them, in three groups at once (the
# hijack's big files apart, the rest together; sized by their times in
# the log): each test keeps to its own directories, ports and network
# namespaces.
e2e() {
	g1="tests/hijack.bats"
	g2="tests/hijack_server.bats tests/remote.bats"
	g3=
	for f in tests/*.bats; do
		case " $g1 $g2 " in *" $f "*) ;; *) g3="$g3 $f" ;; esac
	done
	n=0
	for g in "$g1" "$g2" "$g3"; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		RUMP_BUILD="$top/build-gcc" bats --tap --timing $g \
		    >"$results/bats-$n.log" 2>&1 &
	done
	wait
	cat "$results"/bats-[123].log >"$results/bats.log"
	p=$(grep -c '^ok ' "$results/bats.log")
	f=$(grep -c '^not ok ' "$results/bats.log")
	s=$(grep -c '^ok .*# skip' "$results/bats.log")
	echo "bats bats $((p - s)) $f $s" >"$results/counts-bats"
}

# The gcc build first: bats needs it, and starts as soon as it is built.
e2e_pid=
if build build-gcc gcc; then
	if ls tests/*.bats >/dev/null 2>&1; then
		e2e </dev/null &
		e2e_pid=$!
	fi
	unit build-gcc gcc
else
	echo "gcc build 0 1 0" >>"$results/counts"
fi
# clang, sanitized: one build is the clang build and the ASan+UBSan run.
stage build-clang-san clang -Db_sanitize=address,undefined -Db_lundef=false
if [ -n "$e2e_pid" ]; then
	wait "$e2e_pid"
	if [ -f "$results/counts-bats" ]; then
		cat "$results/counts-bats" >>"$results/counts"
	else
		echo "bats bats 0 1 0" >>"$results/counts"
	fi
	# Each failed case with its diagnostics (the "# " lines after it).
	awk '/^not ok /{p=1; print; next} /^ok /{p=0} p' "$results/bats.log" |
	    head -n 200 >&2
fi

passed=0; failed=0; skipped=0
while read -r label kind p f s; do
	echo "$label/$kind: $p passed, $f failed, $s skipped" >&2
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done <"$results/counts"
[ "$failed" -eq 0 ] || status=1
for log in "$results"/unit-*.log; do
	[ "$status" -eq 0 ] || grep -E '^(not ok|.*(FAIL|TIMEOUT|ERROR))' "$log" | head -n 40 >&2
done
# Skipped cases (embedding-only tests in the remote build) are said
# before the closing line, which stays exactly "N passed, N failed".
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
exit $status
