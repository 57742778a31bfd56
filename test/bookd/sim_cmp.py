#!/usr/bin/env python3
# cmp.py SIMPORT VENUE SYMBOL FOLLOWFILE: exit 0 when the followed book equals
# mpsim's own book: same update id, every sim level inside the covered range
# [floor, ceil] present with the same size, and every followed level in the sim book.
import json, sys, urllib.request
from decimal import Decimal as D
port, venue, sym, path = sys.argv[1:5]
sim = json.load(urllib.request.urlopen("http://127.0.0.1:%s/_sim/book?venue=%s&symbol=%s" % (port, venue, sym), timeout=5))
try:
    fol = json.load(open(path))
except Exception as e:
    print("no follower state: %s" % e); sys.exit(1)
if not fol["synced"]:
    print("not synced"); sys.exit(1)
if int(fol["last_id"]) != int(sim["update_id"]):
    print("ids differ: follower %s sim %s" % (fol["last_id"], sim["update_id"])); sys.exit(1)
floor = D(fol["floor"]) if fol["floor"] else None
ceil = D(fol["ceil"]) if fol["ceil"] else None
for side, inside in (("bids", lambda p: floor is None or p >= floor), ("asks", lambda p: ceil is None or p <= ceil)):
    s = {D(p): D(q) for p, q in sim[side]}
    f = {D(p): D(q) for p, q in fol[side]}
    for p, q in f.items():
        if s.get(p) != q:
            print("%s %s: follower %s sim %s" % (side, p, q, s.get(p))); sys.exit(1)
    n = 0
    for p, q in s.items():
        if inside(p):
            n += 1
            if f.get(p) != q:
                print("%s %s inside the covered range: sim %s follower %s" % (side, p, q, f.get(p))); sys.exit(1)
    if n < 400:
        print("%s: only %d levels compared" % (side, n)); sys.exit(1)
print("equal: %s %s id %s, %d bids %d asks held, sim %d/%d" % (venue, sym, sim["update_id"], len(fol["bids"]), len(fol["asks"]), len(sim["bids"]), len(sim["asks"])))
