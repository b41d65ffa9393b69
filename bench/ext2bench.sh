#!/bin/sh
# ext2bench.sh RUMPHIJACK: ext2 images through the kernel (rumphijack
# --image) against the same kind of image mounted by the host with
# `mount -o loop` (a row says why it is skipped where that is not
# allowed), side by side: untar of a 10 000-file archive, sequential write
# and read of a 256 MiB file.  Each row ends with e2fsck -fn of the image
# (it must say clean).  Times include unmounting (the write-back).
#   ninja -C build ext2bench
set -u
rh=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ext2bench.XXXXXX") || exit 1
trap 'umount "$tmp/m" 2>/dev/null; rm -rf "$tmp"' EXIT
for t in mke2fs e2fsck tar dd; do
	command -v $t >/dev/null || { echo "ext2bench: no $t"; exit 0; }
done

now() { date +%s.%N; }
elapsed() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }

mkdir "$tmp/src"
i=0
while [ $i -lt 100 ]; do
	mkdir "$tmp/src/d$i"
	j=0
	while [ $j -lt 100 ]; do
		echo "file $i $j" >"$tmp/src/d$i/f$j"
		j=$((j + 1))
	done
	i=$((i + 1))
done
tar -C "$tmp/src" -cf "$tmp/files.tar" .

fresh() { mke2fs -q -F -t ext2 -b 4096 "$tmp/img" 1G >/dev/null 2>&1; }
fsck() {
	if e2fsck -fn "$tmp/img" >/dev/null 2>&1; then echo clean;
	else echo "E2FSCK ERRORS"; fi
}
row() { printf '%-34s %-8s %10s s   %s\n' "$1" "$2" "$3" "$4"; }

loop_ok=no
mkdir "$tmp/m"
fresh
if [ "$(id -u)" = 0 ] && mount -o loop -t ext2 "$tmp/img" "$tmp/m" 2>/dev/null; then
	umount "$tmp/m"
	loop_ok=yes
fi

printf '%-34s %-8s %12s   %s\n' "what" "where" "time" "e2fsck -fn"
# untar
fresh
t0=$(now)
"$rh" --image "$tmp/img:/mnt" -- tar -C /rump/mnt -xf "$tmp/files.tar"
t1=$(now)
row "untar 10000 files" kernel "$(elapsed "$t0" "$t1")" "$(fsck)"
if [ $loop_ok = yes ]; then
	fresh
	t0=$(now)
	mount -o loop -t ext2 "$tmp/img" "$tmp/m" &&
	    tar -C "$tmp/m" -xf "$tmp/files.tar" && umount "$tmp/m"
	t1=$(now)
	row "untar 10000 files" host "$(elapsed "$t0" "$t1")" "$(fsck)"
else
	echo "untar 10000 files                  host     skipped: mount -o loop not permitted here"
fi
# sequential write, then read
fresh
t0=$(now)
"$rh" --image "$tmp/img:/mnt" -- dd if=/dev/zero of=/rump/mnt/big bs=1M \
    count=256 status=none
t1=$(now)
row "write 256 MiB (dd bs=1M)" kernel "$(elapsed "$t0" "$t1")" "$(fsck)"
t0=$(now)
"$rh" --image "$tmp/img:/mnt:ro" -- dd if=/rump/mnt/big of=/dev/null bs=1M \
    status=none
t1=$(now)
row "read 256 MiB (dd bs=1M)" kernel "$(elapsed "$t0" "$t1")" "$(fsck)"
if [ $loop_ok = yes ]; then
	fresh
	t0=$(now)
	mount -o loop -t ext2 "$tmp/img" "$tmp/m" &&
	    dd if=/dev/zero of="$tmp/m/big" bs=1M count=256 status=none &&
	    umount "$tmp/m"
	t1=$(now)
	row "write 256 MiB (dd bs=1M)" host "$(elapsed "$t0" "$t1")" "$(fsck)"
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	t0=$(now)
	mount -o loop,ro -t ext2 "$tmp/img" "$tmp/m" &&
	    dd if="$tmp/m/big" of=/dev/null bs=1M status=none && umount "$tmp/m"
	t1=$(now)
	row "read 256 MiB (dd bs=1M)" host "$(elapsed "$t0" "$t1")" "$(fsck)"
else
	echo "write/read 256 MiB                 host     skipped: mount -o loop not permitted here"
fi
