#!/usr/bin/env bats
# The man pages (doc/man): each lints clean with mandoc -Tlint, has the
# sections its kind has, and every example of its EXAMPLES runs: the
# block after a ".\" run: sh" comment as a shell script (PATH has the
# built commands), after ".\" run: c PKG" as a C program built with
# pkg-config PKG against the build tree.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	M=$BATS_TEST_DIRNAME/../doc/man
	TMP=$(mktemp -d)
	command -v mandoc >/dev/null || skip "mandoc is not installed (apt-get install mandoc)"
}

teardown() {
	rm -rf "$TMP"
}

# examples PAGE: writes each example of PAGE to $TMP/ex.N.KIND[.PKG].
examples() {
	awk -v dir="$TMP" '
	/^\.\\" run: / { kind = $3; pkg = $4; n++; next }
	kind != "" && /^\.Bd/ { on = 1; f = dir "/ex." n "." kind (pkg ? "." pkg : ""); next }
	on && /^\.Ed/ { on = 0; kind = ""; pkg = ""; close(f); next }
	on { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print > f }' "$1"
}

@test "every man page lints clean with mandoc -Tlint" {
	for p in "$M"/*.[1-8]; do
		run mandoc -Tlint -W warning "$p"
		assert_success
		assert_output ""
	done
}

@test "every page has NAME, SYNOPSIS or DESCRIPTION, EXAMPLES and SEE ALSO; commands their OPTIONS and EXIT STATUS" {
	for p in "$M"/*.[1-8]; do
		for s in NAME DESCRIPTION EXAMPLES "SEE ALSO"; do
			grep -q "^\.Sh $s\$" "$p" || { echo "$p: no $s"; return 1; }
		done
		case $p in
		*.1) for s in SYNOPSIS OPTIONS ENVIRONMENT "EXIT STATUS"; do
			grep -q "^\.Sh $s\$" "$p" || { echo "$p: no $s"; return 1; }
		     done ;;
		*.3) for s in SYNOPSIS "RETURN VALUES"; do
			grep -q "^\.Sh $s\$" "$p" || { echo "$p: no $s"; return 1; }
		     done ;;
		esac
	done
}

@test "the commands' pages name every option --help lists" {
	for cmd in server/rump_server hijack/rumphijack; do
		page=$M/$(basename "$cmd").1
		for long in $("$B/$cmd" --help | grep -oE '^  -[[:alpha:]], --[a-z-]+' | sed 's/.*--//'); do
			grep -q "Fl \\\\-$long" "$page" || { echo "$page lacks --$long"; return 1; }
		done
	done
}

@test "every page's EXAMPLES run" {
	export PATH="$B/server:$B/hijack:$B/examples:$PATH"
	export PKG_CONFIG_PATH="$B/meson-uninstalled"
	libpath=$(pkg-config --libs-only-L rump | sed 's/-L//g; s/ /:/g')
	total=0
	for p in "$M"/*.[1-8]; do
		rm -f "$TMP"/ex.*
		examples "$p"
		n=$(ls "$TMP" | grep -c '^ex\.' || true)
		[ "$n" -ge 1 ] || { echo "$p: no runnable example"; return 1; }
		for ex in "$TMP"/ex.*; do
			mkdir -p "$TMP/run" && rm -rf "$TMP/run"/*
			case $ex in
			*.sh) run env -u RUMP_SERVER sh -ec "cd '$TMP/run'; . '$ex'" ;;
			*.c.*)
				pkg=${ex##*.}
				cc -std=c11 -Wall -Werror -x c -o "$TMP/run/prog" "$ex" \
				    $(pkg-config --cflags --libs "$pkg")
				run env LD_LIBRARY_PATH="$libpath" "$TMP/run/prog" ;;
			esac
			[ "$status" -eq 0 ] || { echo "$p: $ex:"; cat "$ex"; echo "$output"; return 1; }
			total=$((total + 1))
		done
	done
	[ "$total" -ge 7 ]
}

@test "the example outputs are what the pages say they do" {
	export PATH="$B/server:$B/hijack:$B/examples:$PATH"
	examples "$M/rumphijack.1"
	run env -u RUMP_SERVER sh -ec "cd '$TMP'; . '$TMP/ex.1.sh'"
	assert_success
	assert_line hi
	assert_line dev
	mkdir "$TMP/r2"
	run env -u RUMP_SERVER sh -ec "cd '$TMP/r2'; . '$TMP/ex.2.sh'"
	assert_output data
}
