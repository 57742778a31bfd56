#!/usr/bin/python3
"""segtool.py - look inside store segments for the tests, independently of the
C reader (layouts of stored/store.h).

  segtool.py records SEG           records in the complete blocks of SEG
  segtool.py manifest DIR NAME     records the stream's MANIFEST says NAME had at seal
  segtool.py tear SEG              kill-9 a write: append the first half of SEG's last
                                   block again (a whole header, half its data); prints
                                   that block's record count
"""
import os
import struct
import sys


def blocks(path):
    data = open(path, "rb").read()
    hdr_len = struct.unpack_from("<I", data, 12)[0]
    off, out = hdr_len, []
    while off + 8 <= len(data):
        magic, bh_len = struct.unpack_from("<IH", data, off)
        if magic != 0x314B4C42 or off + bh_len > len(data):
            break
        n_records, raw_len, comp_len = struct.unpack_from("<III", data, off + 16)
        if off + bh_len + comp_len > len(data):
            break
        out.append((off, bh_len + comp_len, n_records))
        off += bh_len + comp_len
    return data, out


cmd = sys.argv[1]
if cmd == "records":
    print(sum(b[2] for b in blocks(sys.argv[2])[1]))
elif cmd == "manifest":
    n = None
    for ln in open(os.path.join(sys.argv[2], "MANIFEST")):
        f = ln.split()
        if len(f) >= 2 and f[1] == sys.argv[3]:
            n = int(dict(x.split("=") for x in f[2:] if "=" in x).get("records", -1)) if f[0] == "sealed" else None
    print(n)
elif cmd == "tear":
    data, bl = blocks(sys.argv[2])
    off, size, n = bl[-1]
    with open(sys.argv[2], "ab") as f:
        f.write(data[off:off + size // 2])
    print(n)
