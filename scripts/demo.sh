#!/bin/sh
# The main job: builds the tree and runs unmodified programs on a private
# rump kernel (rumphijack), then the two small library examples.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh gcc meson ninja-build pkg-config libcmocka-dev binutils python3 \
    curl iproute2
[ -f build-gcc/build.ninja ] || CC=gcc meson setup build-gcc >/dev/null
if ! log=$(ninja -C build-gcc 2>&1); then
	printf '%s\n' "$log" | tail -n 60 >&2
	echo "build failed" >&2
	exit 1
fi
echo "== rumphijack: unmodified sh, mkdir, ls, cat, ln, tar, python3 on a private kernel"
./build-gcc/hijack/rumphijack -- sh -c '
	mkdir /rump/etc
	echo hi > /rump/etc/motd
	ls -la /rump/etc
	cat /rump/etc/motd
	ln -s /rump/etc/motd /rump/etc/link && cat /rump/etc/link
	tar cf /rump/etc.tar -C /rump etc && tar tf /rump/etc.tar
	cd /rump/etc && python3 -c "import os; print(\"python3 sees\", os.getcwd(), sorted(os.listdir(\".\")))"'
echo "== the host never saw /rump: $( [ -e /rump ] && echo 'it exists!' || echo 'no /rump here')"
echo "== sockets: python3 -m http.server and curl on the kernel's own TCP/IP stack"
port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
./build-gcc/hijack/rumphijack -- sh -c '
	port=$1
	mkdir /rump/www && echo "served by a rump kernel" >/rump/www/index.html
	cd /rump/www && python3 -m http.server -b 127.0.0.1 "$port" 2>/dev/null &
	for i in $(seq 50); do curl -s "http://127.0.0.1:$port/" && break; sleep 0.1; done
	echo "the host sees on port $port: $(env -u LD_PRELOAD ss -Hltn "( sport = :$port )" | wc -l) listener(s)"
	kill $!' sh "$port"
echo "== listdir: files made and listed inside an embedded kernel"
./build-gcc/examples/listdir
echo "== kcp: a host file copied into the kernel and back"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 3000000 /dev/urandom >"$tmp/data"
./build-gcc/examples/kcp "$tmp/data"
