#!/bin/sh
# check_boundary.sh: the hypercall boundary (ARCHITECTURE.md, invariant 1).
#
# usage: check_boundary.sh KERNEL_OBJECT...
#   (build/kernel/rumpkern.o rumpvfs.o rumpdev.o rumpfs_tmpfs.o ...)
#
# Lists the undefined symbols of the kernel objects, drops those that one
# of them defines (the rump_ns_* cross-references between factions), and
# fails on anything left that is not a rumpuser_* hypercall or on the
# allow-list below.  Output is TAP; exit status 1 on failure.
#
# The allow-list is the written-down set of freestanding helpers kernel
# code may call (k/kernel.h) plus what compilers emit on their own.  Keep
# it short: a new entry is a hole in the boundary and needs a reason.
set -u

allowed() {
	case $1 in
	rumpuser_*)
		return 0 ;;
	# freestanding helpers, also what gcc/clang emit for struct copies
	memcpy|memmove|memset|memcmp|strlen|strcmp|strncmp|strchr)
		return 0 ;;
	# clang lowers memcmp(...) == 0 to bcmp, which libc provides
	bcmp)
		return 0 ;;
	# PIC code and -fstack-protector (the guard is a variable on aarch64)
	_GLOBAL_OFFSET_TABLE_|__stack_chk_fail|__stack_chk_guard)
		return 0 ;;
	# instrumentation of the ASan+UBSan build
	__asan_*|__ubsan_*|__sanitizer_*)
		return 0 ;;
	esac
	return 1
}

NM=${NM:-nm}
echo "1..2"
if [ $# -eq 0 ]; then
	echo "not ok 1 - kernel objects reach the host only through rumpuser_*"
	echo "# usage: $0 KERNEL_OBJECT..."
	echo "not ok 2 - every kernel object was read"
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/defined"
: > "$tmp/offenders"
: > "$tmp/unreadable"

for o in "$@"; do
	if ! "$NM" --defined-only "$o" > "$tmp/nm.out" 2> "$tmp/nm.err"; then
		echo "$o: $(cat "$tmp/nm.err")" >> "$tmp/unreadable"
		continue
	fi
	if ! awk 'NF >= 3 { found = 1 } END { exit !found }' "$tmp/nm.out"
	then
		echo "$o: defines no symbols" >> "$tmp/unreadable"
	fi
	awk 'NF >= 3 { print $3 }' "$tmp/nm.out" >> "$tmp/defined"
done
sort -u "$tmp/defined" > "$tmp/defined.sorted"

for o in "$@"; do
	"$NM" -u "$o" 2> /dev/null | awk 'NF { print $NF }' | sort -u \
	    > "$tmp/undef" || continue
	comm -23 "$tmp/undef" "$tmp/defined.sorted" > "$tmp/external"
	while read -r sym; do
		allowed "$sym" || echo "$sym (${o##*/})" >> "$tmp/offenders"
	done < "$tmp/external"
done

status=0
if [ -s "$tmp/offenders" ]; then
	echo "not ok 1 - kernel objects reach the host only through rumpuser_*"
	echo "# symbols outside rumpuser_* and the allow-list:"
	sed 's/^/#   /' "$tmp/offenders"
	status=1
else
	echo "ok 1 - kernel objects reach the host only through rumpuser_*"
fi
if [ -s "$tmp/unreadable" ]; then
	echo "not ok 2 - every kernel object was read"
	sed 's/^/#   /' "$tmp/unreadable"
	status=1
else
	echo "ok 2 - every kernel object was read"
fi
exit $status
