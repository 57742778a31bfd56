#!/usr/bin/python3
"""store_book.py - the final book of one instrument rebuilt from `mpstore print
--levels -1 --types snapshot,delta --symbol S` (stdin): from the last full
snapshot (all its chunks) on, every delta applied (size 0 deletes the level).
Prints one JSON object: last_id, n_bids, n_asks, bids, asks (best first,
exact strings), book_bids/book_asks as the last delta states them."""
import json
import sys
from decimal import Decimal

book = None
last_id = None
stated = (None, None)
for line in sys.stdin:
    r = json.loads(line)["record"]
    if r["type"] == "snapshot":
        if r.get("kind") != "full":
            continue
        if r["chunk"] == 0:
            book = {"bids": {}, "asks": {}}
        for side in ("bids", "asks"):
            for px, qty in r[side]:
                book[side][px] = qty
        last_id = r["last_id"]
    elif r["type"] == "delta" and book is not None:
        if r["last_id"] <= last_id:
            continue            # before the snapshot that reset the book
        for side in ("bids", "asks"):
            for px, qty in r[side]:
                if Decimal(qty) == 0:
                    book[side].pop(px, None)
                else:
                    book[side][px] = qty
        last_id = r["last_id"]
        stated = (r.get("book_bids"), r.get("book_asks"))
if book is None:
    sys.exit("no full snapshot in the input")
bids = sorted(book["bids"].items(), key=lambda x: -Decimal(x[0]))
asks = sorted(book["asks"].items(), key=lambda x: Decimal(x[0]))
print(json.dumps({"last_id": last_id, "n_bids": len(bids), "n_asks": len(asks), "book_bids": stated[0],
                  "book_asks": stated[1], "bids": bids, "asks": asks}))
