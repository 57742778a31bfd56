#!/usr/bin/env python3
"""sim_agree.py DEADLINE_S VENUE:PORT:FOLLOWFILE...

Pause the given mpsim venues, then wait (at most DEADLINE_S seconds) until the
book that book_follow rebuilt from bookd's output equals mpsim's own book for
each venue: the same update id; every follower level present in the simulator
with the same size; every simulator level inside the range the exchange
exact range (bid_floor_px .. ask_ceil_px as bookd published it) present in
the follower with the same size (at least 400 levels a side compared on
Binance; 200 on OKX, whose exact range is the 400-level WS window at sync and
shrinks as the price drifts: books-full levels beyond it are not exact).
While waiting the market is stepped once a second (a Binance book syncs only
on an event after its snapshot, and feedd's watchdog wants traffic).  Resume
the venues.  Exit 0 when all agree, else 1 with the last difference per venue.
"""
import json, sys, time, urllib.request
from decimal import Decimal as D


def post(port, what):
    req = urllib.request.Request("http://127.0.0.1:%s/_sim/%s" % (port, what), data=b"", method="POST")
    urllib.request.urlopen(req, timeout=5).read()


exact = {}   # levels inside the exact range at the last agreeing comparison, per venue and side


def compare(port, venue, path):
    sim = json.load(urllib.request.urlopen(
        "http://127.0.0.1:%s/_sim/book?venue=%s&symbol=BTC-USDT" % (port, venue), timeout=5))
    try:
        with open(path) as f:
            fol = json.load(f)
    except Exception as e:
        return "no follower state (%s)" % e
    if not fol["synced"]:
        return "not synced"
    if int(fol["last_id"]) != int(sim["update_id"]):
        return "ids differ: follower %s sim %s" % (fol["last_id"], sim["update_id"])
    floor = D(fol["floor"]) if fol["floor"] else None
    ceil = D(fol["ceil"]) if fol["ceil"] else None
    for side, inside in (("bids", lambda p: floor is None or p >= floor),
                         ("asks", lambda p: ceil is None or p <= ceil)):
        s = {D(p): D(q) for p, q in sim[side]}
        f = {D(p): D(q) for p, q in fol[side]}
        for p, q in f.items():
            if s.get(p) != q:
                return "%s %s: follower %s sim %s" % (side, p, q, s.get(p))
        n = 0
        for p, q in s.items():
            if inside(p):
                n += 1
                if f.get(p) != q:
                    return "%s %s inside the exact range: sim %s follower %s" % (side, p, q, f.get(p))
        if n < (400 if venue == "binance" else 200):
            return "%s: only %d levels inside the exact range" % (side, n)
        exact[venue + " " + side] = n
    return None


def main():
    deadline = time.time() + float(sys.argv[1])
    venues = [a.split(":", 2) for a in sys.argv[2:]]
    for v, port, _ in venues:
        post(port, "pause")
    left = {v: "not compared" for v, _, _ in venues}
    last_step = time.time()
    try:
        while left and time.time() < deadline:
            for v, port, path in venues:
                if v in left:
                    why = compare(port, v, path)
                    if why is None:
                        del left[v]
                    else:
                        left[v] = why
            if left and time.time() - last_step >= 1.0:
                last_step = time.time()
                for v, port, _ in venues:
                    if v in left:
                        post(port, "step?n=1")
            if left:
                time.sleep(0.2)
    finally:
        for v, port, _ in venues:
            post(port, "resume")
    if left:
        print("; ".join("%s: %s" % kv for kv in left.items()))
        sys.exit(1)
    print("equal; exact levels: %s" % ", ".join("%s %d" % kv for kv in sorted(exact.items())))


main()
