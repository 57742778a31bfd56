#!/usr/bin/python3
"""test/mpctl/mp_conns.py - hostile HTTP clients for mpctl_http_flood.sh.

  mp_conns.py hold ADDR N OUT [DATA]
      open N connections to ADDR, send DATA (default: an unfinished request
      line) on each and keep them open; write "open K" to OUT when done (K =
      connections that were established within 20 s); on SIGUSR1 append
      "held H" (H = connections the server has not closed yet); exit on SIGTERM.
  mp_conns.py probe ADDR DATA SECONDS
      connect, send DATA (may be empty), read until the server closes or
      SECONDS pass; print "eof <first response line>" or "timeout".

ADDR is a TCP port on 127.0.0.1 or the path of a unix socket.  DATA is
Python-escaped text ("GET / HTTP/1.1\\r\\n", "\\x16\\x03\\x01...").
"""
import errno
import os
import select
import signal
import socket
import sys
import time


def connect(addr, deadline):
    if addr.isdigit():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = ("127.0.0.1", int(addr))
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr
    s.setblocking(False)
    while True:
        err = s.connect_ex(target)
        if err in (0, errno.EISCONN):
            return s
        if err == errno.EAGAIN and not addr.isdigit():
            # a unix socket whose backlog is full: retry until the deadline
            if time.monotonic() > deadline:
                s.close()
                return None
            time.sleep(0.05)
            continue
        if err in (errno.EINPROGRESS, errno.EALREADY):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [s], [], left)[1]:
                s.close()
                return None
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                return s
        s.close()
        return None


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def still_open(s):
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def hold(addr, n, out, data):
    deadline = time.monotonic() + 20
    socks = []
    for _ in range(n):
        s = connect(addr, deadline)
        if s is None:
            continue
        try:
            s.send(data)
        except OSError:
            pass
        socks.append(s)

    def report(*_):
        with open(out, "a") as f:
            f.write("held %d\n" % sum(1 for s in socks if still_open(s)))

    signal.signal(signal.SIGUSR1, report)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(out + ".tmp", "w") as f:
        f.write("open %d\n" % len(socks))
    os.rename(out + ".tmp", out)
    while True:
        signal.pause()


def probe(addr, data, seconds):
    deadline = time.monotonic() + seconds
    s = connect(addr, deadline)
    if s is None:
        print("noconnect")
        return
    if data:
        s.send(data)
    got = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            print("timeout")
            return
        try:
            chunk = s.recv(65536)
        except BlockingIOError:
            continue
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            break
        got += chunk
    print("eof " + got.split(b"\r\n", 1)[0].decode("latin-1"))


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]), sys.argv[4],
             unescape(sys.argv[5]) if len(sys.argv) > 5 else b"GET / HTTP/1.1\r\n")
    elif len(sys.argv) == 5 and sys.argv[1] == "probe":
        probe(sys.argv[2], unescape(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


main()
