# unixsocks.py CMD: under the hijack with unix sockets routed, makes in the
# kernel an abstract listener "@rumpnt" with one accepted connection and a
# datagram socket bound to /nt.dgram, then runs CMD (sh -c) while they
# exist (hijack_nettools.bats: netstat -x, ss -x, /proc/net/unix).
import socket
import subprocess
import sys

lsn = socket.socket(socket.AF_UNIX)
lsn.bind("\0rumpnt")
lsn.listen(3)
cli = socket.socket(socket.AF_UNIX)
cli.connect("\0rumpnt")
acc, _ = lsn.accept()
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dg.bind("/nt.dgram")
sys.exit(subprocess.run(["sh", "-c", sys.argv[1]]).returncode)
