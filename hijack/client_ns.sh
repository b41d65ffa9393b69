#!/bin/sh
# Links static archives into one relocatable object whose every global
# symbol gets PREFIX, so librumpclient's rump_sys_* and rump_syscall can
# sit in rumphijack and in the shim beside other definitions of them.
# With -r LIST, the object's calls of the functions named in LIST (one a
# line, # comments) go to hj_libc_NAME instead: the shim wraps those
# names, and the client must reach the host's (hj_clientlibc.c).
# usage: client_ns.sh [-r LIST] PREFIX out.o|out.a in.a [more.a ...]
#   in.a is linked whole, the others only for what it needs; out.a is an
#   archive of the one object (for the linker's --exclude-libs).
set -eu
list=
if [ "$1" = -r ]; then list=$2; shift 2; fi
prefix=$1 o=$2 a=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ld -r --whole-archive "$a" --no-whole-archive "$@" -o "$tmp/all.o"
nm -g --defined-only "$tmp/all.o" |
    awk -v p="$prefix" 'NF == 3 { print $3, p $3 }' | sort -u > "$tmp/syms"
if [ -n "$list" ]; then
	sed 's/#.*//' "$list" | awk 'NF == 1 { print $1, "hj_libc_" $1 }' \
	    >> "$tmp/syms"
fi
case $o in
*.a)	objcopy --redefine-syms="$tmp/syms" "$tmp/all.o" "$tmp/client.o"
	rm -f "$o"
	ar rcs "$o" "$tmp/client.o" ;;
*)	objcopy --redefine-syms="$tmp/syms" "$tmp/all.o" "$o" ;;
esac
