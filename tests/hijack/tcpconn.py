# tcpconn.py PORT CMD: under the hijack, makes a listener on 127.0.0.1:PORT
# in the kernel and one established connection to it with 5 bytes unread
# on the accepting side, then runs CMD (sh -c) while they exist, so ss and
# netstat can be checked for the kernel's own sockets
# (hijack_nettools.bats).
import os
import socket
import subprocess
import sys

port = int(sys.argv[1])
lsn = socket.socket()
lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsn.bind(("127.0.0.1", port))
lsn.listen(4)
cli = socket.create_connection(("127.0.0.1", port))
acc, _ = lsn.accept()
cli.sendall(b"hello")
# what ss -p must name: this process and the numbers it holds
print("HOLDER pid=%d lsn=%d acc=%d cli=%d" % (os.getpid(), lsn.fileno(),
    acc.fileno(), cli.fileno()), flush=True)
sys.exit(subprocess.run(["sh", "-c", sys.argv[2]]).returncode)
