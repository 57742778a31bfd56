#!/usr/bin/python3
"""lat_window.py - routerd's per-stage latency over a window of a demo.

Usage: lat_window.py BEFORE AFTER [BEFORE AFTER]...
BEFORE and AFTER are two /metrics texts of mpctl taken some seconds apart;
with several pairs (runs of the same setup) the windows' increases are
added up before the quantiles are taken.
Prints one JSON object: for every class and stage of
mp_router_stage_latency_seconds (routerd/lat.h) the count, p50, p95, p99
(interpolated inside the buckets of the window's increase, in ms, as
metrics_quantile does) and max (the largest value since routerd started,
from the _max gauge, in ms; "max_window_le" the upper bound of the highest
bucket the window touched), plus the encode times per route and bookd's
loop phases (mp_bookd_loop_seconds and, for the rare long ones, the CPU
time mp_bookd_loop_cpu_seconds, bookd/README.md "Loop"; absent from a bookd
that does not export them).
"""
import json
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+)$')


def parse(path):
    out = {}
    with open(path) as f:
        for ln in f:
            m = LINE.match(ln.strip())
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            out.setdefault(m.group(1), []).append((labels, float(m.group(3))))
    return out


def buckets(d, name, want):
    """{le: cumulative count} of the series of name whose labels include want."""
    b = {}
    for labels, v in d.get(name + "_bucket", []):
        if all(labels.get(k) == x for k, x in want.items()):
            le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            b[le] = b.get(le, 0) + v
    return b


def gauge(d, name, want):
    for labels, v in d.get(name, []):
        if all(labels.get(k) == x for k, x in want.items()):
            return v
    return None


def quantiles(cum):
    les = sorted(cum)
    counts, prev = [], 0
    for le in les:
        counts.append(cum[le] - prev)
        prev = cum[le]
    total = sum(counts)
    res = {"count": int(total)}
    if total <= 0:
        return res
    for q in (0.5, 0.95, 0.99):
        rank, acc = q * total, 0
        for i, c in enumerate(counts):
            if c == 0 or acc + c < rank:
                acc += c
                continue
            lo = 0 if i == 0 else les[i - 1]
            hi = les[i]
            v = lo if hi == float("inf") else lo + (hi - lo) * (rank - acc) / c
            res["p%d" % round(q * 100)] = round(v * 1e3, 3)
            break
    top = max(i for i, c in enumerate(counts) if c > 0)
    res["max_window_le"] = None if les[top] == float("inf") else round(les[top] * 1e3, 3)
    return res


def window(pairs, name, want):
    inc = {}
    for a, b in pairs:
        ca, cb = buckets(a, name, want), buckets(b, name, want)
        for le in cb:
            inc[le] = inc.get(le, 0) + cb[le] - ca.get(le, 0)
    return quantiles(inc)


def main():
    files = [parse(f) for f in sys.argv[1:]]
    pairs = list(zip(files[0::2], files[1::2]))
    b = pairs[-1][1]
    out = {}
    name = "mp_router_stage_latency_seconds"
    for cls in ("steady", "sync", "snapshot"):
        for st in ("recv_feed", "feed_book", "book_publish", "publish_ack", "whole"):
            want = {"stage": st, "class": cls}
            if not buckets(b, name, want):
                continue
            r = window(pairs, name, want)
            mx = [gauge(y, name + "_max", want) for _, y in pairs]
            mx = [m for m in mx if m is not None]
            r["max_since_start"] = round(max(mx) * 1e3, 3) if mx else None
            out.setdefault(cls, {})[st] = r
    enc = {}
    for labels, _ in b.get("mp_router_encode_seconds_count", []):
        r = window(pairs, "mp_router_encode_seconds", {"route": labels["route"]})
        if r["count"]:
            enc[labels["route"]] = r
    out["encode"] = enc
    for key, name in (("bookd_loop", "mp_bookd_loop_seconds"), ("bookd_loop_cpu", "mp_bookd_loop_cpu_seconds")):
        loop = {}
        for labels, _ in b.get(name + "_count", []):
            r = window(pairs, name, {"phase": labels["phase"]})
            if r["count"]:
                mx = [gauge(y, name + "_max", {"phase": labels["phase"]}) for _, y in pairs]
                mx = [m for m in mx if m is not None]
                r["max_since_start"] = round(max(mx) * 1e3, 3) if mx else None
                loop[labels["phase"]] = r
        out[key] = loop
    json.dump(out, sys.stdout)
    print()


main()
