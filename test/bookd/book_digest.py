#!/usr/bin/python3
"""book_digest.py - what the book engine decides, out of `mpreplay --records`.

Reads the JSON records on stdin and prints one line: the number of deltas and
snapshots and a SHA-256 over, in order, every delta's ids, resulting level
counts and best levels, and every snapshot's kind, ids, covered range and
levels (the fields the engine determines; times, lengths and flags are left
out so that changes elsewhere in the record do not count).
"""
import hashlib
import json
import sys

h = hashlib.sha256()
n = {"delta": 0, "snapshot": 0}
for line in sys.stdin:
    if not line.startswith('{"type":'):
        continue
    o = json.loads(line)
    t = o.get("type")
    if t == "delta":
        keys = ("last_id", "prev_id", "book_bids", "book_asks", "best_bid_px", "best_bid_qty",
                "best_ask_px", "best_ask_qty")
    elif t == "snapshot":
        keys = ("kind", "reason", "last_id", "chunk", "n_bids", "n_asks", "bid_floor_px", "ask_ceil_px",
                "bids", "asks")
    else:
        continue
    n[t] += 1
    h.update(json.dumps([t] + [o.get(k) for k in keys], separators=(",", ":")).encode())
    h.update(b"\n")
print("deltas %d snapshots %d sha256 %s" % (n["delta"], n["snapshot"], h.hexdigest()))
