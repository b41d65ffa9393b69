# Command families of the hijack's end-to-end tests, each one test per mode
# (../hijack.bats, ../hijack_server.bats), run through both() of
# common.bash: the commands on names, trees and metadata: ls, cat, cp, mv,
# rm, mkdir, ln, readlink and realpath, stat, touch, chmod and chown, find,
# du, df.

fam_ls() {
	both -f lsnorm <<'EOF'
mkdir "$W/d" "$W/d/sub" "$W/empty"
printf 'hello\n' >"$W/d/f"
printf '%s\n' 1 2 3 >"$W/d/sub/g"
printf 'x\n' >"$W/d/name with spaces"
ln -s f "$W/d/l"
ln -s /nonexistent "$W/d/dangling"
chmod 0700 "$W/d/sub"
chmod 0640 "$W/d/f"
ls "$W"
ls -la --time-style=+T "$W"
ls -laR --time-style=+T "$W"
ls -la --time-style=+T "$W/d/f" "$W/d/l"
ls -1 "$W/d"
ls -d "$W/d"
ls -F "$W/d"
ls -lL --time-style=+T "$W/d"
ls "$W/nonexistent"
echo "exit $?"
EOF
}

fam_cat() {
	both <<'EOF'
printf 'one\ntwo\n' >"$W/a"
cat "$W/a"
cat "$W/a" "$S/a/f1" "$W/a" >"$W/b"
cat -n "$W/b"
cat "$S/a/b/c/bin" >"$W/bin"
cmp "$S/a/b/c/bin" "$W/bin" && echo same
cat "$W/bin" | cmp - "$S/a/b/c/bin" && echo same through a pipe
cat "$W/b" >>"$W/a"
cat -A "$W/a"
cat "$W/nonexistent"
echo "exit $?"
cat "$W"
echo "exit $?"
EOF
}

fam_cp() {
	both -f lsnorm <<'EOF'
cp -a "$S" "$W/t"
ls -laR --time-style=full-iso "$W/t"
diff -r --no-dereference "$S" "$W/t" && echo same in the kernel
[ "$W/t/a/f1" -ef "$W/t/a/hard" ] && echo hard link kept
cp -a "$W/t" "$O/back"
ls -laR --time-style=full-iso "$O/back"
diff -r --no-dereference "$S" "$O/back" && echo same back on the host
[ "$O/back/a/f1" -ef "$O/back/a/hard" ] && echo hard link kept
cp -r "$W/t/a" "$W/plain"
ls -la --time-style=+T "$W/plain"
cp "$W/t/a/f1" "$W/t/a/b/nums" "$O/"
ls "$O"
cp "$W/t/a/f1" "$W/copy"
cat "$W/copy"
cp -v "$W/copy" "$W/copy2"
cp "$W/t/a/b" "$W/x"
echo "exit $?"
cp "$W/nonexistent" "$W/x"
echo "exit $?"
EOF
}

fam_mv() {
	both -f lsnorm <<'EOF'
printf 'a\n' >"$W/a"
mv "$W/a" "$W/b"
ls "$W"
mkdir -p "$W/d/sub"
mv "$W/b" "$W/d/"
ls -R "$W"
cp -p "$S/a/f1" "$O/h"
mv "$O/h" "$W/fromhost"
ls -la --time-style=full-iso "$W/fromhost"
ls "$O"
mv "$W/fromhost" "$O/tohost"
ls -la --time-style=full-iso "$O/tohost"
ls "$W"
cp -a "$S/a" "$O/tree"
mv "$O/tree" "$W/tree"
[ -e "$O/tree" ] || echo gone from the host
diff -r --no-dereference "$S/a" "$W/tree" && echo same in the kernel
mv "$W/tree" "$O/tree2"
diff -r --no-dereference "$S/a" "$O/tree2" && echo same on the host
ls "$W"
mv -v "$W/d/b" "$W/d/sub/c"
mv "$W/d" "$W/d/sub"
echo "exit $?"
mv "$W/nonexistent" "$W/x"
echo "exit $?"
EOF
}

fam_rm() {
	both <<'EOF'
mkdir -p "$W/t/a/b/c" "$W/t/x/y"
for i in $(seq 1 400); do
	echo "$i" >"$W/t/a/b/c/a-file-with-a-rather-long-name-$i"
done
echo leaf >"$W/t/x/y/leaf"
ln -s a "$W/t/l"
chmod 0500 "$W/t/x"
rm "$W/t/a/b/c/a-file-with-a-rather-long-name-1"
ls "$W/t/a/b/c" | wc -l
rm "$W/t/a/b/c"
echo "exit $?"
rm -r "$W/t/l"
ls "$W/t"
rm -rf "$W/t"
ls -a "$W"
[ -e "$W/t" ] || echo gone
rm -rf "$W/nonexistent"
echo "exit $?"
rm "$W/nonexistent"
echo "exit $?"
mkdir "$W/e"
rmdir "$W/e"
mkdir -p "$W/p/q"
rmdir "$W/p"
echo "exit $?"
rm -rv "$W/p"
EOF
}

fam_mkdir() {
	both <<'EOF'
mkdir -p "$W/a/b/c"
mkdir -p "$W/a/b/c"
echo "again: $?"
mkdir "$W/a"
echo "exit $?"
mkdir -m 0700 "$W/m"
mkdir -p -m 0750 "$W/p/q/r"
mkdir "$W/nonexistent/x"
echo "exit $?"
mkdir -pv "$W/v/w"
printf x >"$W/file"
mkdir -p "$W/file/sub"
echo "exit $?"
stat -c '%n %a %F %h' "$W/a" "$W/a/b" "$W/a/b/c" "$W/m" "$W/p" "$W/p/q" \
    "$W/p/q/r"
EOF
}

fam_ln() {
	both <<'EOF'
printf 'data\n' >"$W/f"
ln "$W/f" "$W/hard"
ln -s f "$W/rel"
ln -s "$W/f" "$W/abs"
ln -s nonexistent "$W/dangling"
mkdir "$W/d"
ln -s ../f "$W/d/up"
ln -sr "$W/f" "$W/d/relative"
stat -c '%n %h %F %s' "$W/f" "$W/hard" "$W/rel" "$W/d/up"
# An absolute link's size is its target's length, which holds $W.
stat -c '%n %h %F' "$W/abs"
[ "$W/f" -ef "$W/hard" ] && echo same inode
cat "$W/rel" "$W/d/up" "$W/d/relative"
readlink "$W/rel" "$W/abs" "$W/d/relative" "$W/dangling"
# Absolute targets under the prefix resolve in the kernel (vfs.linkprefix).
cat "$W/abs"
ln -s "$W/d" "$W/absdir"
ls "$W/absdir"
readlink -f "$W/absdir/up"
ln "$W/f" "$W/hard"
echo "exit $?"
ln -sf g "$W/rel"
readlink "$W/rel"
ln "$W/d" "$W/dlink"
echo "exit $?"
echo more >>"$W/hard"
cat "$W/f"
ln -v "$W/f" "$W/d/hard2"
stat -c '%n %h' "$W/f"
EOF
	# A hard link between the host and the kernel cannot be.
	run kern ln "$S/a/f1" /rump/xdev
	assert_failure
	assert_output --partial "Invalid cross-device link"
}

fam_readlink() {
	both <<'EOF'
mkdir -p "$W/d/e"
ln -s d/e "$W/l"
ln -s ../.. "$W/d/e/up"
printf x >"$W/d/e/f"
ln -s loop2 "$W/loop1"
ln -s loop1 "$W/loop2"
readlink -f "$W/l"
readlink -f "$W/l/f"
readlink -f "$W/l/../e/./f"
readlink -f "$W/l/nonexistent"
readlink -e "$W/l/nonexistent"
echo "exit $?"
readlink -m "$W/x/y/../z"
readlink "$W/l"
readlink -f "$W/loop1"
echo "exit $?"
realpath "$W/l" "$W/l/up" "$W/d/e/up/l"
realpath -s "$W/l/../x"
realpath -e "$W/nope"
echo "exit $?"
realpath --relative-to="$W/d" "$W/l/f"
realpath -m "$W/nope/../d"
EOF
	# Above the top of the kernel is the host's /.
	run kern bash -c 'mkdir -p /rump/x/y && readlink -f /rump/x/y/../.. &&
	    realpath /rump/x && realpath /rump/ && readlink -f /rump/x/../../rump'
	assert_success
	assert_output "$(printf '%s\n' /rump /rump/x /rump /rump)"
}

fam_stat() {
	both -f statnorm <<'EOF'
printf abc >"$W/f"
chmod 640 "$W/f"
touch -d '2001-02-03 04:05:06.123456789' "$W/f"
mkdir "$W/d"
ln -s f "$W/l"
touch -d '2002-01-01 00:00:00' "$W/d"
touch -h -d '2003-01-01 12:00:00' "$W/l"
stat "$W/f" "$W/d" "$W/l"
stat -L "$W/l"
stat -c '%n|%s|%a|%A|%F|%h|%u|%g|%U|%G|%x|%y|%X|%Y|%o|%N' "$W/f"
stat -c '%n|%a|%A|%F|%h|%u|%g|%x|%y|%X|%Y|%o' "$W/d"
stat -c '%n|%s|%a|%A|%F|%h|%u|%g|%y|%Y|%N' "$W/l"
stat "$W/nonexistent"
echo "exit $?"
EOF
	run kern bash -c 'mkdir /rump/d && stat -f -c %T /rump/d'
	assert_success
	assert_output tmpfs
}

fam_touch() {
	both <<'EOF'
touch "$W/new"
[ -f "$W/new" ] && echo created
now=$(date +%s) m=$(stat -c %Y "$W/new")
[ $((m - now)) -le 5 ] && [ $((now - m)) -le 60 ] && echo mtime is now
touch -d '2001-02-03 04:05:06' "$W/new"
stat -c '%n %x %y' "$W/new"
touch -m -d @1000000000 "$W/new"
stat -c '%X %Y' "$W/new"
touch -a -d @1100000000.5 "$W/new"
stat -c '%X %Y %x' "$W/new"
touch -t 202001021530.45 "$W/t"
stat -c '%y' "$W/t"
touch -r "$W/new" "$W/ref"
stat -c '%X %Y' "$W/ref"
ln -s new "$W/l"
touch -h -d @1200000000 "$W/l"
stat -c '%n %Y' "$W/l" "$W/new"
touch -c "$W/nonexistent"
[ -e "$W/nonexistent" ] || echo not created
touch "$W/nodir/x"
echo "exit $?"
mkdir "$W/d"
touch -d @1 "$W/d"
touch "$W/d/child"
[ "$(stat -c %Y "$W/d")" -gt 1000 ] && echo the directory mtime moved
EOF
}

fam_chmod() {
	both <<'EOF'
printf x >"$W/f"
mkdir -p "$W/d/e"
printf y >"$W/d/e/g"
ln -s f "$W/l"
chmod 751 "$W/f"
stat -c '%n %a %A' "$W/f"
chmod u-x,g+w,o= "$W/f"
stat -c '%n %a %A' "$W/f"
chmod -R go-rwx "$W/d"
stat -c '%n %a' "$W/d" "$W/d/e" "$W/d/e/g"
chmod 600 "$W/l"
stat -c '%n %a' "$W/f"
chmod --reference="$W/d" "$W/f"
stat -c '%n %a' "$W/f"
chown 1234:5678 "$W/f"
stat -c '%n %u %g' "$W/f"
chown -h 42:43 "$W/l"
stat -c '%n %u %g' "$W/l" "$W/f"
chown -R 7:8 "$W/d"
stat -c '%n %u %g' "$W/d" "$W/d/e" "$W/d/e/g"
chgrp 99 "$W/f"
stat -c '%n %u %g' "$W/f"
chmod 1777 "$W/d"
chmod 4755 "$W/f"
stat -c '%n %a %A' "$W/d" "$W/f"
chmod 644 "$W/nonexistent"
echo "exit $?"
(umask 027 && mkdir "$W/u" && : >"$W/u/f" && stat -c '%n %a' "$W/u" "$W/u/f")
EOF
}

fam_find() {
	both <<'EOF'
mkdir -p "$W/t/a/b" "$W/t/c"
printf 1 >"$W/t/a/one.txt"
printf 22 >"$W/t/a/b/two.txt"
printf 333 >"$W/t/c/three.log"
ln -s a/one.txt "$W/t/link"
: >"$W/t/c/empty"
touch -d 2001-01-01 "$W/t/a/one.txt"
find "$W/t" | sort
find "$W/t" -name '*.txt' -exec cat {} \; -exec echo \; | sort
find "$W/t" -type f -exec sha256sum {} + | sort -k2
find "$W/t" -type l -printf '%p -> %l\n'
find "$W/t" -empty | sort
find "$W/t" -type f -size -2c | sort
find "$W/t" -newer "$W/t/a/one.txt" -type f | sort
find "$W/t" -maxdepth 1 -type d | sort
find "$W/t" -printf '%d %y %m %P\n' | sort -k4
find "$W/t" -type f -printf '%s %P\n' | sort -k2
find -L "$W/t" -type f | sort
find "$W/t" -name '*.log' -execdir sh -c 'echo "$(/bin/pwd) $1"' sh {} \;
find "$W/t" -name '*.txt' -delete
find "$W/t" | sort
find "$W/nonexistent"
echo "exit $?"
EOF
}

fam_du() {
	[ "$HOSTFS" = tmpfs ] || skip "the host's temporary directory is not on a tmpfs"
	both <<'EOF'
mkdir -p "$W/d/e" "$W/s"
head -c 10000 "$S/a/b/c/bin" >"$W/d/f10k"
head -c 100000 "$S/a/b/c/bin" >"$W/d/e/f100k"
printf x >"$W/d/e/small"
: >"$W/d/empty"
truncate -s 1M "$W/s/sparse"
du -ab "$W" | sort -k2
du -sb "$W"
du -ak "$W/d" | sort -k2
du -sh "$W/d/e"
du -c "$W/d/f10k" "$W/d/e/f100k"
du "$W/nonexistent"
echo "exit $?"
EOF
}

# The whole of /rump, its /proc included, walked by find, find -ls
# (readlink too) and du while processes come and go: two churners open and
# close descriptors and fork children that open one and end, and two walks
# run side by side, so each sees the other's descriptors change.  Every
# name readdir lists must answer lstat (procfs remembers what it listed to
# each reader), so every walk exits 0.
fam_procwalk() {
	run kern bash -c '
	mkdir -p /rump/d/e && echo x >/rump/d/e/f || exit 9
	churn() {
		while [ ! -e /rump/stop ]; do
			exec 5</rump/d/e/f 6</rump/d
			exec 5<&- 6<&-
			(exec 7</rump/d/e/f; :)
			/bin/true </rump/d/e/f
		done
	}
	churn & c1=$!
	churn & c2=$!
	exec 8</rump/d/e/f
	bad=0 n=0
	for i in 1 2 3 4 5 6; do
		find /rump >/dev/null & p=$!
		du -sh /rump >/dev/null; r=$?
		wait $p; f=$?
		find /rump -ls >/dev/null; l=$?
		[ "$f$r$l" = 000 ] || { echo "round $i: find $f du $r find -ls $l"; bad=1; }
		n=$((n + $(du -a /rump | grep -c "^[0-9]*	/rump/proc/[0-9]*/fd/[0-9]")))
	done
	: >/rump/stop
	wait $c1 $c2
	echo "walks ok $bad"
	# The shell'"'"'s fd 8 at least was listed and found every round.
	[ "$n" -ge 6 ] && echo "fd entries seen"'
	assert_success
	assert_output "walks ok 0
fd entries seen"
}

fam_df() {
	# Host paths are as df always saw them.
	both 'df -P -k "$S" | tail -n 1 | awk "{ print \$1, \$6 }"'
	# A kernel path: its size is the kernel's file system, mounted on /rump.
	run kern bash -c 'mkdir /rump/d && df -P -k /rump/d | tail -n 1 &&
	    stat -f -c "%T %b %S" /rump/d'
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	local total bsize fsblocks
	read -r _ total _ _ _ mnt <<<"${lines[0]}"
	read -r fstype fsblocks bsize <<<"${lines[1]}"
	[ "$fstype" = tmpfs ]
	[ "$total" -eq $((fsblocks * bsize / 1024)) ]
	[ "$mnt" = /rump ]
}

# Absolute links that leave the kernel reach the host, as Linux resolves
# them from the process root: files, directories, cd, mkdir and rm
# through them, readlink -f, a link under /rump that leads back in.
fam_links_out() {
	mkdir -p "$TMP/hostdir"
	echo "a host file" >"$TMP/hostdir/file"
	export HD=$TMP/hostdir
	run kern sh -c '
ln -s "$HD/file" /rump/f && cat /rump/f
readlink /rump/f; readlink -f /rump/f
stat -L -c "%F %s" /rump/f; stat -c %F /rump/f
ln -s "$HD" /rump/d && ls /rump/d
cd /rump/d && pwd -P && cat file; cd /
mkdir /rump/d/made && echo made >/rump/d/made/x && rm /rump/d/made/x && rmdir /rump/d/made
chmod 600 /rump/d/file && touch -d 2001-02-03 /rump/d/file && stat -c "%a %y" "$HD/file" | cut -c1-14
python3 -c "import os; print(os.path.realpath(\"/rump/d/file\"), open(\"/rump/f\").read().strip())"
echo kernel >/rump/k && ln -s /rump/k /rump/back && cat /rump/back
ln -s /nonexistent/x /rump/gone; cat /rump/gone 2>&1 | sed "s/.*: //"'
	echo "$output"
	assert_success
	assert_line --index 0 "a host file"
	assert_line --index 1 "$HD/file"
	assert_line --index 2 "$HD/file"
	assert_line "regular file 12"
	assert_line "symbolic link"
	assert_line "file"
	assert_line "$HD"
	assert_line "$HD/file a host file"
	assert_line "kernel"
	assert_line "No such file or directory"
	assert_line "600 2001-02-03"
	[ ! -e "$HD/made" ]
}

# The name calls through a link out of the kernel, as on the host: W/out
# is an absolute link to the host directory O (a link out in the
# kernel, a plain link on the host), and rename, link, symlink, mknod,
# mkfifo, mkdir, mkstemp, statvfs and pathconf through it, and between
# it and O itself, act on O.
fam_links_out_names() {
	both <<'EOS'
ln -s "$O" "$W/out" && echo a >"$W/out/a"
python3 - <<'PY'
import ctypes, errno, os, stat
W, O = os.environ["W"], os.environ["O"]
libc = ctypes.CDLL(None, use_errno=True)
def t(name, f):
    try:
        r = f()
        print(name, "ok" if r is None else r)
    except OSError as e:
        print(name, errno.errorcode[e.errno])
def mkstemp(tmpl):
    b = ctypes.create_string_buffer(tmpl.encode())
    fd = libc.mkstemp(b)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "mkstemp")
    os.write(fd, b"t")
    os.close(fd)
    return os.path.dirname(b.value.decode()) == os.path.dirname(tmpl)
t("rename out/a out/b", lambda: os.rename(W + "/out/a", W + "/out/b"))
t("link out/b out/c", lambda: os.link(W + "/out/b", W + "/out/c"))
t("symlink out/s", lambda: os.symlink("b", W + "/out/s"))
t("mkfifo out/p", lambda: os.mkfifo(W + "/out/p", 0o600))
t("mknod out/n", lambda: os.mknod(W + "/out/n", 0o600 | stat.S_IFREG))
t("mkdir out/d", lambda: os.mkdir(W + "/out/d"))
t("rename O/c out/d/c", lambda: os.rename(O + "/c", W + "/out/d/c"))
t("rename out/d/c O/e", lambda: os.rename(W + "/out/d/c", O + "/e"))
t("link O/e out/f", lambda: os.link(O + "/e", W + "/out/f"))
t("link out/f O/g", lambda: os.link(W + "/out/f", O + "/g"))
t("rename out/s out/d/s", lambda: os.rename(W + "/out/s", W + "/out/d/s"))
t("mkstemp out/tXXXXXX", lambda: mkstemp(W + "/out/tXXXXXX"))
t("rename out/missing out/x", lambda: os.rename(W + "/out/missing", W + "/out/x"))
t("symlink out/b again", lambda: os.symlink("b", W + "/out/b"))
t("statvfs out", lambda: os.statvfs(W + "/out").f_namemax == os.statvfs(O).f_namemax)
t("pathconf out", lambda: os.pathconf(W + "/out", "PC_NAME_MAX") == os.pathconf(O, "PC_NAME_MAX"))
for n in sorted(os.listdir(O)):
    st = os.lstat(O + "/" + n)
    k = stat.S_IFMT(st.st_mode)
    kind = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFIFO: "fifo",
            stat.S_IFLNK: "link"}.get(k, "?")
    print(n if not n.startswith("t") or n == "d" else "t*", kind, st.st_nlink if k == stat.S_IFREG else "")
print("out/d:", sorted(os.listdir(W + "/out/d")), os.readlink(O + "/d/s"))
PY
EOS
	# One path in the kernel and one on the host through a link: EXDEV,
	# as Linux answers a rename or link across two mounts.
	mkdir -p "$TMP/hostdir2"
	export HD=$TMP/hostdir2
	run kern python3 -c '
import errno, os
HD = os.environ["HD"]
os.symlink(HD, "/rump/out")
open("/rump/k", "w").write("k")
open(HD + "/h", "w").write("h")
for name, f in [("rename k out/k", lambda: os.rename("/rump/k", "/rump/out/k")),
                ("rename out/h k2", lambda: os.rename("/rump/out/h", "/rump/k2")),
                ("link k out/k", lambda: os.link("/rump/k", "/rump/out/k")),
                ("link out/h k2", lambda: os.link("/rump/out/h", "/rump/k2"))]:
    try:
        f()
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
print(sorted(os.listdir(HD)))'
	echo "$output"
	assert_success
	assert_line "rename k out/k EXDEV"
	assert_line "rename out/h k2 EXDEV"
	assert_line "link k out/k EXDEV"
	assert_line "link out/h k2 EXDEV"
	assert_line "['h']"
}

# python3 -m venv in the kernel: bin/python3 is a link to the host's
# interpreter, and the venv's python and pip run from it.
fam_venv() {
	run kern sh -c '
python3 -m venv '"${1:-}"' /rump/venv || exit 1
/rump/venv/bin/python3 -c "import sys; print(\"prefix\", sys.prefix)"
[ -x /rump/venv/bin/pip ] && /rump/venv/bin/pip --version | cut -d" " -f1-2 || echo "no pip"'
	echo "$output"
	assert_success
	assert_line "prefix /rump/venv"
}
