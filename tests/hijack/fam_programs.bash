# Command families of the hijack's end-to-end tests, each one test per mode
# (../hijack.bats, ../hijack_server.bats), run through both() of
# common.bash: bash itself (redirections, cd and globbing), a command tree
# sharing one kernel, python3 and sqlite3, and fdrules (fdrules.c: the
# descriptor rules of dup2, fork, exec, close_range, select, poll, epoll).

fam_redirect() {
	both <<'EOF'
echo one >"$W/r"
echo two >>"$W/r"
cat <"$W/r"
ls "$W/missing" >"$W/err" 2>&1
echo "ls: $?"
cat "$W/err"
cat <<HERE >"$W/hd"
here $((6 * 7))
  indented
HERE
cat "$W/hd"
cat <<-'HERE' >>"$W/hd"
	quoted $HOME
	HERE
cat "$W/hd"
tr a-z A-Z <<<"here string" >"$W/hs"
cat "$W/hs"
exec 3>"$W/fd3"
echo "via fd 3" >&3
echo again >&3
exec 3>&-
cat "$W/fd3"
exec 4<"$W/r"
read -r line <&4
echo "read: $line"
read -r line <&4
echo "read: $line"
exec 4<&-
{ echo a; echo b >&2; } >"$W/grp" 2>&1
wc -l <"$W/grp"
while read -r l; do echo "got $l"; done <"$W/r"
set -C
echo x >"$W/r"
echo "noclobber: $?"
set +C
echo "$(cat "$W/r")"
cat "$W/r" | sort -r >"$W/sorted"
cat "$W/sorted"
exec 5<>"$W/rw"
echo hi >&5
exec 5>&-
cat "$W/rw"
echo data >"$O/h"
cat <"$O/h" >"$W/k"
cat "$W/k"
cat <"$W/missing"
echo "exit $?"
EOF
}

fam_cd_glob() {
	both <<'EOF'
cd "$W" || exit 1
pwd
/bin/pwd
mkdir sub
cd sub
pwd
/bin/pwd
echo rel >file
cat file "$W/sub/file"
cd ..
pwd
ls
ln -s sub lnk
cd lnk && pwd && /bin/pwd && pwd -P
cd "$W"
touch a.txt b.txt c.log 'with space.txt'
echo *.txt
echo *.log
echo "$W"/*.txt
echo [ab].*
echo ?.txt
echo nomatch*
shopt -s nullglob
echo nomatch*
shopt -u nullglob
mkdir -p deep/er/est
touch deep/er/est/x.txt deep/y.txt
shopt -s globstar
echo **/*.txt
shopt -u globstar
echo */
for f in *.txt; do echo "file: $f"; done
(cd sub && pwd && cat file)
bash -c 'pwd; ls'
realpath .
cd "$S" && pwd && ls
cd "$W" && pwd
ls -d "$PWD"/*
EOF
	# cd into the kernel's root and back out to the host.
	run kern bash -c 'mkdir /rump/cdtest && cd /rump && pwd && /bin/pwd &&
	    echo * && cd cdtest && pwd && cd / && pwd && /bin/pwd &&
	    [ -d /rump/cdtest ] && [ -d /proc/self ] && echo back on the host'
	assert_success
	assert_line --index 0 /rump
	assert_line --index 1 /rump
	[[ " ${lines[2]} " == *" cdtest "* ]]
	assert_line --index 3 /rump/cdtest
	assert_line --index 4 /
	assert_line --index 5 /
	assert_line --index 6 "back on the host"
}

fam_tree() {
	# Every process of the command tree sees the same kernel.
	both <<'EOF'
echo shared >"$W/x"
bash -c 'cat "$W/x"'
(cat "$W/x")
cat "$W/x" | cat
echo "$W/x" | xargs cat
sh -c 'cat "$1"' sh "$W/x"
env cat "$W/x"
(echo subshell >"$W/y")
cat "$W/y"
bash -c 'echo nested >"$W/z"; sh -c "echo deeper >>\"\$W/z\""'
cat "$W/z"
cat "$W/x" "$W/y" | tee "$W/tee" | wc -l
cat "$W/tee"
timeout 10 cat "$W/x"
nohup cat "$W/x" 2>/dev/null
EOF
}

# The first thread to reach the kernel exits; the others and the main
# thread go on in the same process (its lwp is kept for them).
fam_threads() {
	both <<'EOF'
"$PY" - "$W" <<'PYEOF'
import os, sys, threading
w = sys.argv[1]
def work(n):
    for i in range(50):
        with open(os.path.join(w, "t%d_%d" % (n, i)), "w") as f:
            f.write(str(i))
first = threading.Thread(target=work, args=(0,))
first.start()
first.join()
ts = [threading.Thread(target=work, args=(n,)) for n in range(1, 8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
names = os.listdir(w)
print(len(names), sum(int(open(os.path.join(w, x)).read()) for x in names))
PYEOF
EOF
}

fam_python() {
	both <<'EOF'
"$PY" - "$W" "$S" <<'PYEOF'
import glob, os, shutil, sys, tempfile
w, s = sys.argv[1], sys.argv[2]
def rel(p): return os.path.relpath(p, w)
with open(os.path.join(w, "p.txt"), "w") as f:
    f.write("hello\n" * 3)
with open(os.path.join(w, "p.txt"), "a") as f:
    print("appended", file=f)
with open(os.path.join(w, "p.txt")) as f:
    print(repr(f.read()))
with open(os.path.join(w, "b.bin"), "wb") as f:
    f.write(bytes(range(256)) * 1000)
with open(os.path.join(w, "b.bin"), "rb") as f:
    f.seek(1000)
    print(f.read(4).hex(), f.tell())
    f.seek(-3, 2)
    print(f.read().hex(), f.tell())
try:
    open(os.path.join(w, "p.txt"), "x")
except FileExistsError as e:
    print("EEXIST", e.errno, rel(e.filename))
try:
    open(os.path.join(w, "missing"))
except FileNotFoundError as e:
    print("ENOENT", e.errno, rel(e.filename))
shutil.copytree(s, os.path.join(w, "ct"), symlinks=True)
for root, dirs, files in os.walk(w):
    dirs.sort()
    print(rel(root), dirs, sorted(files))
up = [(rel(r), len(d), len(f))
      for r, d, f in os.walk(os.path.join(w, "ct"), topdown=False)]
print("bottom-up", up[-1], sorted(up))
fd, name = tempfile.mkstemp(dir=w, prefix="tmp", suffix=".x")
os.write(fd, b"abc")
os.close(fd)
print("mkstemp", os.path.dirname(name) == w,
      os.path.basename(name).startswith("tmp"), os.path.getsize(name),
      oct(os.stat(name).st_mode))
os.unlink(name)
d = tempfile.mkdtemp(dir=w)
print("mkdtemp", os.path.isdir(d), oct(os.stat(d).st_mode))
os.rmdir(d)
with tempfile.NamedTemporaryFile(dir=w) as t:
    t.write(b"x")
    t.flush()
    print("named", os.path.exists(t.name), os.path.getsize(t.name))
    tn = t.name
print("named gone", not os.path.exists(tn))
with os.scandir(os.path.join(w, "ct", "a", "b")) as it:
    for e in sorted(it, key=lambda e: e.name):
        print(e.name, e.is_dir(), e.is_file(), e.is_symlink(),
              e.is_dir() or e.stat(follow_symlinks=False).st_size)
print(sorted(os.listdir(os.path.join(w, "ct"))))
st = os.stat(os.path.join(w, "ct", "a", "b", "nums"))
print(st.st_size, oct(st.st_mode), st.st_mtime, st.st_nlink)
print(rel(os.path.realpath(os.path.join(w, "ct", "a", "b", "l1"))))
print(sorted(rel(p) for p in glob.glob(w + "/ct/**/*", recursive=True)))
os.makedirs(os.path.join(w, "x", "y", "z"), exist_ok=True)
os.makedirs(os.path.join(w, "x", "y", "z"), exist_ok=True)
os.replace(os.path.join(w, "p.txt"), os.path.join(w, "x", "p2.txt"))
shutil.copy2(os.path.join(w, "x", "p2.txt"), os.path.join(w, "p3.txt"))
shutil.move(os.path.join(w, "p3.txt"), os.path.join(os.environ["O"], "p3"))
print(open(os.path.join(os.environ["O"], "p3")).read().count("hello"))
shutil.rmtree(os.path.join(w, "ct"))
print(sorted(os.listdir(w)))
os.chdir(w)
print(rel(os.getcwd()), sorted(os.listdir(".")))
PYEOF
EOF
}

fam_sqlite() {
	both <<'EOF'
"$PY" - "$W" <<'PYEOF'
import os, sqlite3, sys
w = sys.argv[1]
p = os.path.join(w, "db.sqlite")
db = sqlite3.connect(p)
db.execute("create table t (k integer primary key, v text)")
with db:
    db.executemany("insert into t values (?, ?)",
                   [(i, ("v%d" % i) * 10) for i in range(5000)])
print(db.execute("select count(*), sum(k), max(length(v)) from t").fetchone())
db.execute("create index iv on t(v)")
db.commit()
with db:
    db.execute("delete from t where k % 2 = 0")
db.execute("vacuum")
db.close()
db = sqlite3.connect(p)
print(db.execute("select count(*), sum(k) from t").fetchone())
print(db.execute("pragma integrity_check").fetchone())
print(db.execute("select substr(v, 1, 5) from t where k = 4321").fetchone())
try:
    with db:
        db.execute("insert into t values (1, 'dup')")
except sqlite3.IntegrityError as e:
    print("IntegrityError", e)
db.close()
print(sorted(os.listdir(w)))
PYEOF
sqlite3 "$W/db.sqlite" 'select count(*) from t; insert into t values (100000, "cli"); select v from t where k = 100000;'
sqlite3 "$W/db.sqlite" '.tables'
ls "$W"
EOF
}

fam_sqlite_wal() {
	# WAL: the -shm file is a kernel file mmap'd shared and writable by
	# every connection (doc/DESIGN.md, "Shared mappings").
	both <<'EOF'
sqlite3 "$W/db" 'pragma journal_mode=wal; create table t (k, v); insert into t values (1, "a"), (2, "b"); select count(*) from t;'
sqlite3 "$W/db" 'select * from t; pragma wal_checkpoint(truncate);'
"$PY" -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); print(db.execute("select sum(k) from t").fetchone()); db.close()' "$W/db"
sqlite3 "$W/db" 'pragma journal_mode=delete;'
ls "$W"
EOF
}

# Two writer processes on one WAL database, each with its connection open
# all along, inserting in turns (pipes hand the turn over, so each must
# see the other's rows through the shared -shm index), then both counted
# and the database checked; and two sqlite3 shells inserting at once.
fam_sqlite_wal2() {
	both <<'EOF'
cat >"$O/w.py" <<'PYEOF'
import os, sqlite3, sys
path, me, rfd, wfd = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
db = sqlite3.connect(path, timeout=30, isolation_level=None)
db.execute("pragma journal_mode=wal")
for i in range(20):
    if me == "b" or i > 0:
        os.read(rfd, 1)
    seen = db.execute("select count(*) from t").fetchone()[0]
    db.execute("insert into t values (?, ?)", (me, i))
    if seen != (2 * i if me == "a" else 2 * i + 1):
        print(me, "saw", seen, "at", i)
    os.write(wfd, b"x")
db.close()
PYEOF
cat >"$O/run.py" <<'PYEOF'
import os, subprocess, sys
ab_r, ab_w = os.pipe()
ba_r, ba_w = os.pipe()
a = subprocess.Popen([sys.executable, sys.argv[2], sys.argv[1], "a", str(ba_r), str(ab_w)], pass_fds=(ba_r, ab_w))
b = subprocess.Popen([sys.executable, sys.argv[2], sys.argv[1], "b", str(ab_r), str(ba_w)], pass_fds=(ab_r, ba_w))
print(a.wait(), b.wait())
PYEOF
sqlite3 "$W/db" 'pragma journal_mode=wal; create table t (p, i);'
"$PY" "$O/run.py" "$W/db" "$O/w.py"
for p in c d; do
	( for i in 1 2 3 4 5 6 7 8 9 10; do sqlite3 "$W/db" ".timeout 20000" "insert into t values ('$p', $i);" || echo fail; done ) &
done
wait
sqlite3 "$W/db" 'select p, count(*) from t group by p; pragma integrity_check;'
rm -f "$O/w.py" "$O/run.py"
EOF
}

# Python's mmap of a file opened r+b: stores through the mapping read back
# by another process with read(), and the other way round.
fam_pymmap() {
	both <<'EOF'
printf 'abcdefghij' >"$W/m"
cat >"$O/m.py" <<'PYEOF'
import mmap, subprocess, sys
p = sys.argv[1]
with open(p, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    m[0:3] = b"XYZ"
    print(subprocess.run(["cat", p], capture_output=True).stdout)
    subprocess.run(["sh", "-c", 'printf 123 | dd of="$1" bs=1 seek=5 conv=notrunc status=none', "sh", p])
    print(m[:])
    m.flush()
    m.close()
print(open(p, "rb").read())
PYEOF
"$PY" "$O/m.py" "$W/m"
rm -f "$O/m.py"
EOF
}

# tests/hijack/mmapp: coherence with read/write, fork and another process,
# msync, munmap, ftruncate (SIGBUS past the end), unlink while mapped, bad
# arguments' errno, a key-value store's pattern; equal to the host's.
fam_mmap() {
	both '"$MMAPP" "$W"'
}

fdrules() {
	both "\"\$FDRULES\" \"\$W\" $1"
}

# Linux's lowest-free-number rule with the shim's cache of free
# placeholders: tests/hijack/fdlowest mixes kernel and host opens and
# closes (pipe, socket, eventfd, tmpfile, fopen, opendir, recvmsg
# SCM_RIGHTS, close_range, dup2, fork, exec ...) and prints each number
# relative to the first free one; the host's run is the reference.
fam_fdlowest() {
	both '"$FDLOWEST" "$W"'
}

# The same with the shim's embedded kernel (no rumphijack, no server).
fam_fdlowest_embedded() {
	local w
	w=$(mktemp -d -p "$TMP")
	run "$FDLOWEST" "$w"
	assert_success
	local host=$output
	run env LD_PRELOAD="$B/hijack/librumphijack.so" "$FDLOWEST" /rump
	assert_success
	assert_output "$host"
}

# splice, tee, vmsplice between kernel FIFOs (in W) and host pipes and
# files (in O), and sendfile and copy_file_range in every direction:
# tests/hijack/splicep, its lines and checksums equal to the host's.
fam_splice() {
	both '"$SPLICEP" "$W" "$O"'
}

# preadv2/pwritev2 and their RWF_* flags on a file and a FIFO in W:
# tests/hijack/rwv2p prints each errno, compared with the host's.
fam_rwv2() {
	both '"$RWV2P" "$W"'
}

# execvp, execvpe, execlp and posix_spawnp by name through PATH=$W/bin:...
# (tests/hijack/execp: a script, a copied binary, a script without "#!",
# a file that is not executable, a missing name), and env and xargs,
# which find their programs with execvp.
# glibc's fts (fts64_* and fts_*) over a tree in W: tests/hijack/ftsp's
# walks (physical, logical with a cycle, FTS_SEEDOT, FTS_NOSTAT, fts_set
# and fts_children, FTS_COMFOLLOW) line for line as the host's.
fam_fts() {
	both '"$FTSP" "$W" && mkdir "$W/32" && "$FTSP32" "$W/32"'
}

# Wide-character stdio on kernel streams: tests/hijack/wstdiop writes and
# reads with fwprintf, fputwc, fputws, fgetwc, fgetws, ungetwc and fwscanf
# (",ccs=UTF-8" and ISO-8859-1, the locale's charset, an invalid byte, a
# character cut by the end), then wscanf, fgetws, wprintf and putwchar on
# stdin and stdout redirected to kernel files: line for line as the host.
fam_wstdio() {
	both '"$WSTDIOP" "$W" &&
printf "3 4 tail\303\251\n\303\270" >"$W/in" &&
"$WSTDIOP" "$W" in <"$W/in" >"$W/out" && cat "$W/out"'
}

# glibc functions that work with glibc's internal calls, redone by the
# shim for the kernel (hijack/hj_wrap_glibc.c): tests/hijack/glibcp runs
# remove, setmntent/getmntent, ftok, tempnam, dlopen of a library copied
# into W, the tc* controls, backtrace_symbols_fd, eventfd_read/write,
# sockatmark, bindresvport and execveat, line for line as the host.
fam_glibc() {
	both '"$GLIBCP" "$W" "$DLTESTLIB"'
}

fam_execpath() {
	both '"$EXECP" "$W"'
	both <<'EOS'
mkdir "$W/b2" && printf '#!/bin/sh\necho "hi $*"\n' >"$W/b2/hi" && chmod +x "$W/b2/hi"
cp /bin/true "$W/b2/ktrue"
PATH=$W/b2:$PATH env hi from env
echo x y | PATH=$W/b2:$PATH xargs hi
PATH=$W/b2:$PATH env ktrue && echo ktrue ran
PATH=$W/b2:$PATH env nosuch; echo "exit $?"
EOS
}

# Bad pointers: tests/hijack/badptr_wrappers calls every path wrapper
# with a path in a PROT_NONE page and a file of W with buffers there:
# each answers EFAULT (the program says so and exits 0), and its NULL
# cases answer as the host's.
fam_badptr() {
	both '"$BADPTR" "$W/bp"'
}

# Identities: tests/hijack/idprobe creates files as root, drops to 65534
# and probes them (each errno, then owners and modes); and setpriv (an
# su-style helper: setgroups, setresgid, setresuid, then exec) runs a
# shell as 65534 whose forks and execs create and read files.  Relative
# paths: the host's work directory lies under a directory 65534 cannot
# enter.
fam_identity() {
	both '"$IDPROBE" "$W"'
	both <<'EOS'
cd "$W" && mkdir q && chmod 777 q && echo secret >q/root && chmod 600 q/root && cd q
setpriv --reuid=65534 --regid=65534 --clear-groups bash -c '
id -u; id -g; id -G
echo x >f; stat -c "%u:%g %a" f
(echo y >g); bash -c "stat -c %u:%g g; cat root; rm root"
exec sh -c "echo z >root2; stat -c %u:%g root2"'
stat -c "%u:%g %a" f g root root2
EOS
}
