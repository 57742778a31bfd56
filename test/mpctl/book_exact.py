#!/usr/bin/python3
"""book_exact.py SIMPORT VENUE SYMBOL LEVELS STOREBOOK - the book stored.py
holds (store_book.py output, file STOREBOOK) equals mpsim's own book
(GET /_sim/book) at the same update id: the best LEVELS levels a side the
same prices and sizes.  Exit 0 when equal, else 1 with the first difference."""
import json
import sys
import urllib.request
from decimal import Decimal as D

port, venue, symbol, n, path = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
sim = json.load(urllib.request.urlopen(
    "http://127.0.0.1:%s/_sim/book?venue=%s&symbol=%s&depth=%d" % (port, venue, symbol, n), timeout=5))
st = json.load(open(path))
if int(st["last_id"]) != int(sim["update_id"]):
    print("ids differ: store %s sim %s" % (st["last_id"], sim["update_id"]))
    sys.exit(1)
for side in ("bids", "asks"):
    a = [(D(p), D(q)) for p, q in sim[side][:n]]
    b = [(D(p), D(q)) for p, q in st[side][:n]]
    if a != b:
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                print("%s level %d: sim %s/%s store %s/%s" % (side, i + 1, x[0], x[1], y[0], y[1]))
                sys.exit(1)
        print("%s: sim %d levels, store %d" % (side, len(a), len(b)))
        sys.exit(1)
print("equal")
