#!/usr/bin/python3
"""refresh_real.py - the Binance deep refresh on the real spot recording.

Usage: refresh_real.py MPREPLAY CAPTURE_TEXT TMPDIR

An independent rebuild of the book (Decimal arithmetic, the documented
procedure: snapshot L, drop u <= L, first U <= L+1 <= u, then every update)
gives the book's state after chosen updates; each becomes a REST refresh line
(lastUpdateId = that update's u, every level of the rebuilt book) inserted
into the capture:
  * "late" ones 40 updates after their id, so later updates overwrote some of
    their values (the splice must keep the local ones),
  * "early" ones 3 updates before the stream reaches their id (held until it
    does).
mpreplay must end with the rebuild's book, the exact floor/ceiling the model
predicts (min / max over the snapshot and every refresh), every refresh
spliced and 0 discrepancies.  A second run has one deliberately wrong level
(inside the exact range, untouched after L) in the last refresh: exactly one
discrepancy, one resync.  Prints ok / not ok lines.
"""
import json
import subprocess
import sys
from decimal import Decimal as D

mpreplay, cap, tmp = sys.argv[1:4]
lines = open(cap).read().splitlines()


def ok(name, cond, why=""):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why or "failed")))
    return cond


# ---- independent rebuild ----
snap_i = next(i for i, l in enumerate(lines) if l.split(" ", 3)[2].startswith("rest:/api/v3/depth"))
snap = json.loads(lines[snap_i].split(" ", 3)[3])
L0 = snap["lastUpdateId"]
book = {"b": {D(p): D(q) for p, q in snap["bids"] if D(q) != 0},
        "a": {D(p): D(q) for p, q in snap["asks"] if D(q) != 0}}
events = []          # (line index, U, u, set of (side, px)) applied, in order
states = {}          # event number -> copy of the book after it
book_id = L0
first = True
for i, l in enumerate(lines):
    recv, ex, kind, payload = l.split(" ", 3)
    if kind != "ws" or '"depthUpdate"' not in payload:
        continue
    d = json.loads(payload)["data"]
    U, u = d["U"], d["u"]
    if u <= book_id:
        continue
    if first:
        assert U <= L0 + 1 <= u, "first update does not straddle the snapshot"
        first = False
    else:
        assert U == book_id + 1, "gap in the recording at %d" % U
    touched = set()
    for side, key in (("b", "b"), ("a", "a")):
        for p, q in d[key]:
            p, q = D(p), D(q)
            touched.add((side, p))
            if q == 0:
                book[side].pop(p, None)
            else:
                book[side][p] = q
    book_id = u
    events.append((i, U, u, touched))
    states[len(events) - 1] = {"b": dict(book["b"]), "a": dict(book["a"])}
final = book
n = len(events)
ok("rebuild_applied_3432", n == 3432, "rebuild applied %d" % n)

# ---- refreshes ----
LATE, EARLY = 40, 3
picks = [("late", n * 10 // 100), ("early", n * 25 // 100), ("late", n * 40 // 100),
         ("early", n * 55 // 100), ("late", n * 70 // 100), ("late", n * 90 // 100)]


def rest_line(recv, j, st):
    bids = sorted(st["b"].items(), reverse=True)
    asks = sorted(st["a"].items())
    body = {"lastUpdateId": events[j][2],
            "bids": [[str(p), str(q)] for p, q in bids], "asks": [[str(p), str(q)] for p, q in asks]}
    return "%s binance rest:/api/v3/depth?symbol=ETHUSDT&limit=5000 %s" % (recv, json.dumps(body, separators=(",", ":")))


def build(wrong):
    """The capture with the refreshes; returns (path, expected floor, ceil, info)."""
    inserts = {}      # line index -> line to insert after it
    floor = min(p for p, _ in snap["bids"])
    ceil = max(p for p, _ in snap["asks"])
    floor, ceil = D(floor), D(ceil)
    overwritten = 0
    held_ok = True
    wrong_px = None
    for kind, j in picks:
        st = {"b": dict(states[j]["b"]), "a": dict(states[j]["a"])}
        at = j + LATE if kind == "late" else j - EARLY
        # the book when the line arrives (after event `at`) vs the refresh
        now = states[at]
        overwritten += sum(1 for s in "ba" for p in set(st[s]) | set(now[s]) if st[s].get(p) != now[s].get(p))
        if kind == "early":
            held_ok &= events[at][2] < events[j][2]
        if wrong and (kind, j) == picks[-1]:
            later = set().union(*(events[x][3] for x in range(j + 1, at + 1)))
            wrong_px = next(p for p in sorted(st["b"], reverse=True)[10:] if ("b", p) not in later and p >= floor)
            st["b"][wrong_px] += D("1")
        recv = lines[events[at][0]].split(" ", 1)[0]
        inserts[events[at][0]] = rest_line(recv, j, st)
        floor = min(floor, min(st["b"]))
        ceil = max(ceil, max(st["a"]))
    out = []
    for i, l in enumerate(lines):
        out.append(l)
        if i in inserts:
            out.append(inserts[i])
    path = "%s/refresh_%s.cap" % (tmp, "wrong" if wrong else "good")
    open(path, "w").write("\n".join(out) + "\n")
    return path, floor, ceil, overwritten, held_ok, wrong_px


def replay(path):
    r = subprocess.run([mpreplay, "--records", "--levels", "5000", path], capture_output=True, text=True)
    summ = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{"exchange"')]
    events_disc = sum(1 for l in r.stdout.splitlines() if '"refresh_discrepancy"' in l)
    return r.returncode, (summ[0] if summ else {}), events_disc, r.stderr


path, floor, ceil, overwritten, held_ok, _ = build(False)
ok("refresh_values_overwritten_later", overwritten > 0, "no refresh value was overwritten: the case is not exercised")
ok("refresh_early_ones_ahead_of_stream", held_ok)
rc, s, nev, err = replay(path)
if ok("refresh_replay_runs", rc == 0 and s, "exit %d: %s" % (rc, err[-300:])):
    got = {"b": {D(p): D(q) for p, q in s["bids"]}, "a": {D(p): D(q) for p, q in s["asks"]}}
    diff = [(sd, p, got[sd].get(p), final[sd].get(p)) for sd in "ba"
            for p in set(got[sd]) | set(final[sd]) if got[sd].get(p) != final[sd].get(p)]
    ok("refresh_final_book_equals_rebuild", not diff and len(got["b"]) == len(final["b"]),
       "%d levels differ, first %s" % (len(diff), diff[:1]))
    ok("refresh_all_spliced", s.get("refreshes") == len(picks), "refreshes %s" % s.get("refreshes"))
    ok("refresh_held_early_ones", s.get("refresh_held") == 2, "refresh_held %s" % s.get("refresh_held"))
    ok("refresh_no_discrepancy", s.get("refresh_discrepancies") == 0 and nev == 0,
       "refresh_discrepancies %s events %d" % (s.get("refresh_discrepancies"), nev))
    ok("refresh_no_resync", s.get("resyncs") == 0 and s.get("gaps") == 0 and s.get("synced") is True,
       "resyncs %s gaps %s" % (s.get("resyncs"), s.get("gaps")))
    ok("refresh_exact_floor", s.get("bid_exact_floor") is not None and D(s["bid_exact_floor"]) == floor,
       "got %s want %s" % (s.get("bid_exact_floor"), floor))
    ok("refresh_exact_ceil", s.get("ask_exact_ceil") is not None and D(s["ask_exact_ceil"]) == ceil,
       "got %s want %s" % (s.get("ask_exact_ceil"), ceil))
    nb = sum(1 for p in final["b"] if p >= floor)
    na = sum(1 for p in final["a"] if p <= ceil)
    ok("refresh_exact_levels", s.get("exact_levels_bid") == nb and s.get("exact_levels_ask") == na,
       "got %s/%s want %d/%d" % (s.get("exact_levels_bid"), s.get("exact_levels_ask"), nb, na))

path, _, _, _, _, wrong_px = build(True)
rc, s, nev, err = replay(path)
if ok("refresh_wrong_replay_runs", rc == 0 and s, "exit %d: %s" % (rc, err[-300:])):
    ok("refresh_wrong_level_one_discrepancy", s.get("refresh_discrepancies") == 1 and nev == 1,
       "refresh_discrepancies %s events %d (wrong bid %s)" % (s.get("refresh_discrepancies"), nev, wrong_px))
    ok("refresh_wrong_level_resyncs", s.get("resyncs") == 1 and s.get("refreshes") == len(picks) - 1,
       "resyncs %s refreshes %s" % (s.get("resyncs"), s.get("refreshes")))
