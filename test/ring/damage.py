#!/usr/bin/python3
"""damage.py - write random bytes into the unread part of a ring file (a test
of the consumers' corruption recovery, issue 14.2/14.3).

Usage: damage.py RING [BYTES [SEED]]   (default 4096 bytes, seed 14)

The bytes go a third of the way from the consumer's head to the producer's
tail, wholly before the tail (the ring must hold more than 3 x BYTES unread).
Prints "HEAD TAIL AT".  Offsets are those of common/ring_impl.h: capacity at
32 in the header, tail first in the producer line (4096), head first in the
consumer line (4224), data at 8192.
"""
import mmap
import random
import struct
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 14
with open(path, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    cap = struct.unpack_from("<Q", m, 32)[0]
    tail = struct.unpack_from("<Q", m, 4096)[0]
    head = struct.unpack_from("<Q", m, 4096 + 128)[0]
    if tail - head <= 3 * n:
        sys.exit("damage.py: only %d bytes unread, need more than %d" % (tail - head, 3 * n))
    at = (head + (tail - head) // 3) & ~15
    rnd = random.Random(seed)
    for i in range(n):
        m[8192 + ((at + i) & (cap - 1))] = rnd.randrange(256)
    m.flush()
print(head, tail, at)
