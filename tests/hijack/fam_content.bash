# Command families of the hijack's end-to-end tests, each one test per mode
# (../hijack.bats, ../hijack_server.bats), run through both() of
# common.bash: the commands on the contents of files: tar, gzip, sha256sum,
# sort, sed -i, head and tail, dd, truncate, install.

fam_tar() {
	both -f lsnorm <<'EOF'
tar --sort=name -C "$S" -cf "$W/t.tar" .
sha256sum <"$W/t.tar"
tar -tvf "$W/t.tar"
mkdir "$W/x"
tar -C "$W/x" -xf "$W/t.tar"
diff -r --no-dereference "$S" "$W/x" && echo extracted in the kernel
ls -laR --time-style=full-iso "$W/x"
tar --sort=name -C "$W/x" -cf - . | sha256sum
tar -czf "$W/t.tgz" -C "$W" x
tar -tzf "$W/t.tgz" | sort
tar -C "$O" -xzf "$W/t.tgz"
diff -r --no-dereference "$S" "$O/x" && echo extracted on the host
tar --sort=name -C "$W" -cf - x/a | tar -tvf -
tar -tf "$W/nonexistent.tar"
echo "exit $?"
EOF
}

fam_gzip() {
	both <<'EOF'
cp -p "$S/a/b/nums" "$W/n"
gzip "$W/n"
ls "$W"
sha256sum <"$W/n.gz"
stat -c '%n %a %Y' "$W/n.gz"
gzip -l "$W/n.gz"
gunzip -c "$W/n.gz" | sha256sum
sha256sum <"$S/a/b/nums"
gunzip "$W/n.gz"
ls "$W"
cmp "$W/n" "$S/a/b/nums" && echo same
stat -c '%n %a %Y' "$W/n"
gzip -9 -c "$S/a/b/c/bin" >"$W/bin.gz"
gzip -t "$W/bin.gz" && echo intact
zcat "$W/bin.gz" | cmp - "$S/a/b/c/bin" && echo same
gzip -k "$W/n"
ls "$W"
gunzip <"$W/n.gz" >"$O/n"
cmp "$O/n" "$S/a/b/nums" && echo same on the host
gzip "$W/n"
echo "exit $?"
gzip -c "$W/missing"
echo "exit $?"
EOF
}

fam_sha256sum() {
	both <<'EOF'
cp "$S/a/b/c/bin" "$W/bin"
cp "$S/a/b/nums" "$W/nums"
sha256sum "$W/bin" "$W/nums" "$S/a/b/c/bin"
sha256sum "$W/bin" "$W/nums" >"$W/SUMS"
sha256sum -c "$W/SUMS"
echo corrupt >>"$W/nums"
sha256sum -c "$W/SUMS"
echo "exit $?"
sha256sum --tag "$W/bin"
md5sum "$W/bin"
head -c 5000000 /dev/zero >"$W/big"
sha256sum "$W/big"
sha256sum <"$W/big"
sha256sum "$W/missing"
echo "exit $?"
EOF
}

fam_sort() {
	both <<'EOF'
seq 20 -1 1 >"$W/n"
sort -n -o "$W/n" "$W/n"
cat "$W/n" | tr '\n' ' '
echo
sort -c -n "$W/n" && echo sorted
sort -r -o "$W/r" "$S/a/b/nums"
head -n 3 "$W/r"
mkdir "$W/tmp"
seq 1 200000 | sort -S 100K -T "$W/tmp" -nr -o "$W/big"
sha256sum <"$W/big"
ls -A "$W/tmp" | wc -l
sort -m "$W/n" "$W/n" | uniq -c | head -n 3
sort -n "$W/missing"
echo "exit $?"
EOF
}

fam_sed() {
	both <<'EOF'
printf 'alpha\nbeta\ngamma\n' >"$W/f"
chmod 640 "$W/f"
sed -i 's/beta/BETA/' "$W/f"
cat "$W/f"
stat -c '%n %a' "$W/f"
sed -i.bak -e 1d "$W/f"
ls "$W"
cat "$W/f" "$W/f.bak"
sed -n 2p "$W/f"
ln -s f "$W/l"
sed -i --follow-symlinks 's/gamma/G/' "$W/l"
readlink "$W/l"
cat "$W/f"
sed -i 's/a/A/g' "$W/f" "$W/f.bak"
cat "$W/f" "$W/f.bak"
sed 's/^/> /' <"$W/f" >"$O/quoted"
cat "$O/quoted"
ls "$W"
sed -i 's/x/y/' "$W/missing"
echo "exit $?"
EOF
}

fam_headtail() {
	both <<'EOF'
seq 1 1000 >"$W/n"
head -n 3 "$W/n"
tail -n 2 "$W/n"
head -c 10 "$W/n" | od -An -c
tail -c 7 "$W/n"
tail -n +998 "$W/n"
head -n -997 "$W/n"
head -n 2 "$W/n" "$S/a/b/nums"
tail -q -n 1 "$W/n" "$W/n"
seq 1 100000 >"$W/big"
tail -n 1 "$W/big"
tail -c 100 "$W/big" | wc -l
head -c 100000 "$W/big" | tail -n 1
tail -n 3 <"$W/n"
head -n 1 <"$W/big"
tail -n 1 "$W/missing"
echo "exit $?"
EOF
}

fam_dd() {
	both <<'EOF'
dd if="$S/a/b/c/bin" of="$W/d" bs=4096 count=10 status=none
stat -c %s "$W/d"
cmp -n 40960 "$W/d" "$S/a/b/c/bin" && echo same
dd if="$W/d" of="$W/e" bs=1000 skip=3 count=7 status=none
dd if="$S/a/b/c/bin" bs=1000 skip=3 count=7 status=none | cmp - "$W/e" &&
    echo skip works
printf 0123456789 >"$W/k"
printf XY | dd of="$W/k" bs=1 seek=3 conv=notrunc status=none
cat "$W/k"
echo
dd if=/dev/zero of="$W/z" bs=1k count=5 status=noxfer
sha256sum <"$W/z"
dd if="$W/z" of="$O/z" bs=512 status=none
cmp "$W/z" "$O/z" && echo copied out
dd if="$W/k" bs=4 skip=1 status=none | od -An -c
dd if="$W/missing" of=/dev/null status=none
echo "exit $?"
EOF
	# The kernel's own devices.
	run kern bash -c 'dd if=/rump/dev/zero of=/rump/z bs=1k count=3 status=none &&
	    stat -c %s /rump/z && head -c 16 /rump/dev/urandom | wc -c'
	assert_success
	assert_output "$(printf '3072\n16')"
}

fam_truncate() {
	both <<'EOF'
printf 0123456789 >"$W/f"
truncate -s 4 "$W/f"
cat "$W/f"
echo
truncate -s +6 "$W/f"
stat -c %s "$W/f"
od -An -c "$W/f"
truncate -s %4 "$W/f"
stat -c %s "$W/f"
truncate -s 1M "$W/sp"
stat -c %s "$W/sp"
cmp -n 1048576 "$W/sp" /dev/zero && echo zeros
truncate -s 0 "$W/sp"
stat -c %s "$W/sp"
truncate -s 5 "$W/new"
stat -c %s "$W/new"
truncate -c -s 5 "$W/missing"
[ -e "$W/missing" ] || echo not created
truncate -s 1 "$W"
echo "exit $?"
EOF
}

fam_install() {
	both <<'EOF'
install -m 0640 "$S/a/f1" "$W/i1"
stat -c '%n %a %s' "$W/i1"
install -d -m 0711 "$W/d1/d2"
stat -c '%n %a %F' "$W/d1" "$W/d1/d2"
install -D -m 600 "$S/a/b/nums" "$W/deep/er/n"
stat -c '%n %a %s' "$W/deep/er/n"
cmp "$S/a/b/nums" "$W/deep/er/n" && echo same
install -o 12 -g 34 -m 755 "$S/a/f1" "$W/own"
stat -c '%n %a %u %g' "$W/own"
install -p "$S/a/f1" "$W/keep"
stat -c '%n %a %Y' "$W/keep"
install -t "$W/d1" "$S/a/f1" "$S/a/b/nums"
ls "$W/d1"
install -v -m 644 "$W/i1" "$O/back"
stat -c '%n %a' "$O/back"
cat "$O/back"
install "$W/missing" "$W/x"
echo "exit $?"
EOF
}
