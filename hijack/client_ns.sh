#!/bin/sh
# Links a static archive into one relocatable object whose every global
# symbol gets PREFIX, so librumpclient's rump_sys_* and rump_syscall can
# sit in rumphijack beside the kernel's (which keep the plain names).
# usage: client_ns.sh PREFIX in.a out.o
set -eu
prefix=$1 a=$2 o=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ld -r --whole-archive "$a" -o "$tmp/all.o"
nm -g --defined-only "$tmp/all.o" |
    awk -v p="$prefix" 'NF == 3 { print $3, p $3 }' | sort -u > "$tmp/syms"
objcopy --redefine-syms="$tmp/syms" "$tmp/all.o" "$o"
