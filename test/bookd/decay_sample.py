#!/usr/bin/python3
"""decay_sample.py PORT FOLLOWFILE SYMBOL STEPS EVERY WAIT_S OUT.json [VENUE]

Samples one book (VENUE binance, the default, or okx) (rebuilt by book_follow from bookd's book.router
output) against mpsim over STEPS steps of market time, one sample every EVERY
steps.  A sample: pause the market, wait (at most WAIT_S seconds) until the
follower's last update id equals the simulator's, then
  - count the follower's levels inside the exact range per side (bids at or
    above bid_exact_floor, asks at or below ask_exact_ceil);
  - compare every level inside that range both ways with GET /_sim/book at
    that same id (a missing, extra or different level is a mismatch);
and resume.  The exact range is the one of a top-N snapshot taken after
the follower reached that id.  The market clock is mpsim's step counter, so the schedule does
not depend on how fast this machine runs.  Writes a JSON summary to OUT and
prints one line per sample; exits 1 only when it could not sample (ids never
met, follower not synced): the judging is the caller's.
"""
import json, sys, time, urllib.request
from decimal import Decimal as D

port, path, symbol = sys.argv[1], sys.argv[2], sys.argv[3]
steps, every, wait_s, out = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
venue = sys.argv[8] if len(sys.argv) > 8 else "binance"
base = "http://127.0.0.1:%s/_sim/" % port


def get(what):
    return json.load(urllib.request.urlopen(base + what, timeout=10))


def post(what):
    urllib.request.urlopen(urllib.request.Request(base + what, data=b"", method="POST"), timeout=10).read()


def follower():
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wait_until(cond, why):
    end = time.time() + wait_s
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    print("sampling failed: %s within %.0f s" % (why, wait_s))
    sys.exit(1)


def sample():
    post("pause")
    try:
        sim = get("book?venue=%s&symbol=%s" % (venue, symbol))
        sid = int(sim["update_id"])

        def caught_up():
            f = follower()
            return f if f and f["synced"] and int(f["last_id"]) == sid else None
        f = wait_until(caught_up, "follower at the simulator's id %d" % sid)
        # the exact range comes with top-N snapshots (snapshot_interval) at
        # the book's own id: one taken before the last updates can be wider
        # than the range now, so wait for the next one (the market is paused)
        n0 = f["topn"]
        f = wait_until(lambda: (lambda g: g if g and int(g["last_id"]) == sid and g["topn"] > n0 else None)(follower()),
                       "a top-N snapshot at the simulator's id %d" % sid)
    finally:
        post("resume")
    floor = D(f["floor"]) if f["floor"] else None
    ceil = D(f["ceil"]) if f["ceil"] else None
    res = {"step": int(sim["step"]), "id": sid, "mismatch": None}
    for side, inside in (("bids", lambda p: floor is not None and p >= floor),
                         ("asks", lambda p: ceil is not None and p <= ceil)):
        s = {D(p): D(q) for p, q in sim[side] if inside(D(p))}
        fl = {D(p): D(q) for p, q in f[side] if inside(D(p))}
        res["exact_" + side] = len(fl)
        if s != fl and res["mismatch"] is None:
            p = min(set(s.items()) ^ set(fl.items()))[0]
            res["mismatch"] = "%s %s inside the exact range: sim %s follower %s" % (side, p, s.get(p), fl.get(p))
    res["events"] = f["events"]
    res["fulls"] = f["fulls"]
    return res


def main():
    wait_until(lambda: (follower() or {}).get("synced"), "follower synced")
    start = int(get("stats")["steps"])
    samples = []
    for k in range(1, steps // every + 1):
        target = start + k * every
        # the market runs on; poll its step counter (cheap) until the sample is due
        wait_until(lambda: int(get("stats")["steps"]) >= target, "market step %d" % target)
        r = sample()
        samples.append(r)
        print("sample %2d step %d id %d exact bids %d asks %d%s" % (
            k, r["step"] - start, r["id"], r["exact_bids"], r["exact_asks"],
            "" if r["mismatch"] is None else " MISMATCH " + r["mismatch"]))
        sys.stdout.flush()
    with open(out, "w") as o:
        json.dump({"start_step": start, "samples": samples}, o)


main()
