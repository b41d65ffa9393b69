#!/usr/bin/env bats
# ext2 images end to end: filled through the hijack (rumphijack --image,
# or rump_server -d plus an unmodified mount(8)), then checked by the
# host's own tools: e2fsck -fn finds nothing, debugfs rdump gives the same
# tree back (contents, modes, owners, times).  Refusals of images with
# features the driver lacks, read-only images, and a kill -9 of the server
# right after an fsync.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

setup() {
	B=${RUMP_BUILD:-$BATS_TEST_DIRNAME/../build-gcc}
	RH=$B/hijack/rumphijack
	SHIM=$B/hijack/librumphijack.so
	SERVER=$B/server/rump_server
	command -v mke2fs >/dev/null && command -v e2fsck >/dev/null &&
	    command -v debugfs >/dev/null ||
	    skip "e2fsprogs (mke2fs, e2fsck, debugfs) not installed"
	TMP=$(mktemp -d)
	unset RUMP_SERVER RUMPHIJACK LD_PRELOAD
	export TZ=UTC LC_ALL=C.UTF-8
	SPID=
}

teardown() {
	[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
	rm -rf "$TMP"
}

# The reference tree: symlinks (fast and slow), hard links, a sparse
# file, modes, owners (when root), fixed times.
make_tree() {
	local t=$1
	mkdir -p "$t/d/e" "$t/empty"
	seq 1 20000 >"$t/d/numbers"
	head -c 300000 /dev/urandom >"$t/d/e/random"
	echo small >"$t/small"
	ln "$t/small" "$t/d/hardlink"
	ln -s ../small "$t/d/fast"
	ln -s "$(printf 'long%.0s' $(seq 60))" "$t/slow"
	truncate -s 20M "$t/sparse"
	echo tail >>"$t/sparse"
	printf head | dd of="$t/sparse" conv=notrunc status=none
	chmod 0750 "$t/d"
	chmod 0604 "$t/small"
	if [ "$(id -u)" = 0 ]; then
		chown 1234:5678 "$t/d/numbers"
		chown -h 77777:88888 "$t/d/fast"
	fi
	find "$t" -exec touch -h -d '2021-02-03 04:05:06' {} +
}

# Same names, types, modes, owners, sizes, file times and contents
# (a symlink's owner is not compared: debugfs rdump does not set it).
same_tree() {
	local a=$1 b=$2
	diff -r --no-dereference -x lost+found "$a" "$b"
	diff <(cd "$a" && find . -path './lost+found' -prune -o ! -type l \
	    -printf '%P %y %m %U %G %s\n' -o -type l -printf '%P %y %l\n' | sort) \
	    <(cd "$b" && find . -path './lost+found' -prune -o ! -type l \
	    -printf '%P %y %m %U %G %s\n' -o -type l -printf '%P %y %l\n' | sort)
	diff <(cd "$a" && find . -type f -printf '%P %T@\n' | sort) \
	    <(cd "$b" && find . -type f -printf '%P %T@\n' | sort)
}

fsck_clean() {
	run e2fsck -fn "$1"
	echo "$output"
	assert_success
	run dumpe2fs -h "$1"
	assert_output --regexp 'Filesystem state: +clean'
}

rdump() {
	mkdir "$TMP/out"
	debugfs -R "rdump / $TMP/out" "$1" >/dev/null 2>&1
}

@test "ext2: cp -a, tar x and concurrent mkdir/rm/mv through rumphijack --image; e2fsck -fn clean, debugfs rdump the same" {
	make_tree "$TMP/tree"
	# 10 000 files in 100 directories.
	python3 -c 'import os, sys
for i in range(100):
    d = os.path.join(sys.argv[1], "dir%d" % i)
    os.makedirs(d)
    for j in range(100):
        open(os.path.join(d, "f%d" % j), "w").write("%d %d\n" % (i, j) * (j % 7))
' "$TMP/tarsrc"
	tar -C "$TMP/tarsrc" -cf "$TMP/many.tar" .
	mke2fs -q -F -t ext2 -b 1024 "$TMP/img" 64M
	run timeout 120 "$RH" --image "$TMP/img:/mnt" -- sh -c '
		set -e
		cp -a "$1/tree" /rump/mnt/tree
		mkdir /rump/mnt/many && tar -C /rump/mnt/many -xf "$1/many.tar"
		for p in 1 2 3 4; do (
			for i in $(seq 1 40); do
				mkdir -p /rump/mnt/storm/p$p/d$i
				echo $i >/rump/mnt/storm/p$p/d$i/f
				mv /rump/mnt/storm/p$p/d$i /rump/mnt/storm/p$p/m$i
				[ $((i % 3)) = 0 ] && rm -rf /rump/mnt/storm/p$p/m$i
			done ) &
		done
		wait
		ls /rump/mnt/storm/p1 | wc -l' sh "$TMP"
	echo "$output"
	assert_success
	assert_output 27
	fsck_clean "$TMP/img"
	rdump "$TMP/img"
	same_tree "$TMP/tree" "$TMP/out/tree"
	if [ "$(id -u)" = 0 ]; then
		run debugfs -R "stat /tree/d/fast" "$TMP/img"
		assert_output --regexp 'User: +77777 +Group: +88888'
	fi
	diff -r "$TMP/tarsrc" "$TMP/out/many"
	[ "$(ls "$TMP/out/storm/p3" | wc -l)" = 27 ]
}

@test "ext2: rump_server -d with an unmodified mount(8) and umount(8); df, stat -f and /proc/mounts show it" {
	mke2fs -q -F -t ext2 -b 4096 "$TMP/img" 32M
	URL=unix://$TMP/sock
	"$SERVER" -d "key=/dev/hd0,hostpath=$TMP/img" "$URL"
	SPID=$(pgrep -f -n "$SERVER.*$TMP/sock")
	run env LD_PRELOAD="$SHIM" RUMP_SERVER="$URL" sh -c '
		mkdir /rump/mnt &&
		mount -t ext2 /rump/dev/hd0 /rump/mnt &&
		echo hello >/rump/mnt/greeting &&
		stat -f -c "%T %S" /rump/mnt &&
		df -k /rump/mnt | tail -n 1 | awk "{print (\$2 > 20000) ? \"big\" : \"small\"}" &&
		grep " /mnt " /rump/proc/mounts &&
		umount /rump/mnt && cat /rump/mnt/greeting'
	echo "$output"
	assert_failure
	assert_line "ext2/ext3 4096"
	assert_line big
	assert_line "/dev/hd0 /mnt ext2 rw 0 0"
	assert_output --partial "No such file"
	run debugfs -R "cat /greeting" "$TMP/img"
	assert_output --partial hello
	fsck_clean "$TMP/img"
}

@test "ext2: --image IMG:/mnt:ro is read-only, and the image is untouched" {
	make_tree "$TMP/tree"
	mke2fs -q -F -t ext2 -b 1024 -d "$TMP/tree" "$TMP/img" 64M
	sum=$(md5sum <"$TMP/img")
	run timeout 60 "$RH" --image "$TMP/img:/ro:ro" -- sh -c '
		cat /rump/ro/small; touch /rump/ro/new; rm /rump/ro/small;
		cp -a /rump/ro "$1/back"' sh "$TMP"
	echo "$output"
	assert_line small
	assert_output --partial "Read-only file system"
	[ "$(md5sum <"$TMP/img")" = "$sum" ]
	same_tree "$TMP/tree" "$TMP/back"
}

@test "ext2: images with unsupported features are refused, naming the feature" {
	for f in "-t ext4:extent" "-t ext2 -O flex_bg:flex_bg" \
	    "-t ext2 -O metadata_csum:metadata_csum" \
	    "-t ext2 -O inline_data:inline_data" "-t ext2 -O encrypt:encrypt" \
	    "-t ext2 -O 64bit,extent:64bit"; do
		mke2fs -q -F ${f%%:*} "$TMP/img" 16M
		run -127 "$RH" --image "$TMP/img:/mnt" -- true
		echo "$output"
		assert_failure 127
		assert_output --partial "feature"
		assert_output --partial "${f##*:}"
	done
	mke2fs -q -F -t ext2 -O huge_file "$TMP/img" 16M
	run -127 "$RH" --image "$TMP/img:/mnt" -- true
	assert_failure 127
	assert_output --partial "huge_file"
	run "$RH" --image "$TMP/img:/mnt:ro" -- ls /rump/mnt
	assert_success
	assert_output lost+found
	run -2 "$RH" --image "$TMP/img" -- true
	assert_failure 2
	assert_output --partial "IMAGE:KDIR"
}

@test "ext2: kill -9 of rump_server right after fsync: fsync'd files intact, no cross-linked blocks" {
	mke2fs -q -F -t ext2 -b 1024 "$TMP/img" 64M
	head -c 3000000 /dev/urandom >"$TMP/data"
	URL=unix://$TMP/sock
	"$SERVER" -d "key=/dev/hd0,hostpath=$TMP/img" "$URL"
	SPID=$(pgrep -f -n "$SERVER.*$TMP/sock")
	run env LD_PRELOAD="$SHIM" RUMP_SERVER="$URL" sh -c '
		mkdir /rump/mnt && mount -t ext2 /rump/dev/hd0 /rump/mnt &&
		for i in 1 2 3; do
			dd if="$1" of=/rump/mnt/f$i bs=64k conv=fsync status=none
		done &&
		mkdir /rump/mnt/d && seq 1 1000 >/rump/mnt/d/unsynced' sh "$TMP/data"
	assert_success
	kill -KILL "$SPID"
	SPID=
	run e2fsck -fn "$TMP/img"
	echo "$output"
	refute_output --partial "ultiply-claimed"
	refute_output --partial "shared with"
	for i in 1 2 3; do
		debugfs -R "dump /f$i $TMP/f$i" "$TMP/img" 2>/dev/null
		cmp "$TMP/data" "$TMP/f$i"
	done
}
