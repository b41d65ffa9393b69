#!/bin/sh
# Renames every global symbol that the kernel archives define, except the
# rump* API, to rump_ns_<name>, consistently across all archives, so the
# kernel never shadows or is shadowed by an application symbol.
# usage: namespace.sh in1.a:out1.o [in2.a:out2.o ...]
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pair in "$@"; do
	a=${pair%%:*}; o=${pair#*:}
	ld -r --whole-archive "$a" -o "$tmp/$(basename "$o")"
done
nm -g --defined-only "$tmp"/*.o |
    awk 'NF == 3 && $3 !~ /^rump/ { print $3, "rump_ns_" $3 }' |
    sort -u > "$tmp/syms"
for pair in "$@"; do
	o=${pair#*:}
	objcopy --redefine-syms="$tmp/syms" "$tmp/$(basename "$o")" "$o"
done
