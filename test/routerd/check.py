#!/usr/bin/env python3
"""Helpers of the routerd tests.

  check.py validate DUMP            every message of an `mpsub --dump` file against
                                    routerd/schema/*.schema.json (by subject);
                                    prints {"validated": N, "errors": [...], ...}
  check.py expect FEEDER.json...    the subject counts the routing rules of
                                    routerd/README.md predict for what
                                    routerd_feeder wrote (written here
                                    independently of routerd's own table)
  check.py compare EXPECT SUMMARY   exit 0 if mpsub's summary has exactly the
                                    expected subject counts, no gaps, no
                                    mismatches and no duplicates; else print why
"""
import decimal
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_DIR = os.path.join(ROOT, "routerd", "schema")
DEC = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def schema_for(subject):
    t = subject.split(".")
    if t[0] == "orderbook" and t[1] in ("full", "snapshot", "delta", "update"):
        return "enhanced_orderbook"
    if t[0] == "orderbook" and t[1] == "pure_delta":
        return "orderbook_delta"
    if t[0] == "orderbook" and t[1] == "event":
        return "event"
    if t[0] == "market" and t[3] in ("trade", "ticker", "kline", "funding_rate", "open_interest",
                                     "mark_price", "liquidation"):
        return t[3]
    return None


def validate(path):
    import jsonschema
    validators = {}
    for f in os.listdir(SCHEMA_DIR):
        if f.endswith(".schema.json"):
            with open(os.path.join(SCHEMA_DIR, f)) as fh:
                s = json.load(fh)
            jsonschema.Draft7Validator.check_schema(s)
            validators[f[:-len(".schema.json")]] = jsonschema.Draft7Validator(s)
    n, errors, per = 0, [], {}
    with open(path) as fh:
        for line in fh:
            subject, _, body = line.rstrip("\n").partition("\t")
            if subject.startswith("system.alert."):
                continue    # mpctl's alerts, not routerd's messages
            name = schema_for(subject)
            if name is None:
                errors.append("%s: no schema for this subject" % subject)
                continue
            try:
                msg = json.loads(body)
            except ValueError as e:
                errors.append("%s: not JSON: %s" % (subject, e))
                continue
            # jsonschema is slow on 10000-level books: validate the structure on
            # the outer levels and check every level's strings with one regex
            slim = msg
            if name == "enhanced_orderbook" and len(msg["bids"]) + len(msg["asks"]) > 200:
                for side in ("bids", "asks"):
                    for lv in msg[side]:
                        if not (isinstance(lv, dict) and len(lv) == 2 and DEC.match(str(lv.get("price")))
                                and DEC.match(str(lv.get("quantity")))):
                            errors.append("%s: bad level %r" % (subject, lv))
                            break
                slim = dict(msg)
                slim["bids"] = msg["bids"][:50] + msg["bids"][-50:]
                slim["asks"] = msg["asks"][:50] + msg["asks"][-50:]
            for e in validators[name].iter_errors(slim):
                errors.append("%s: %s at %s" % (subject, e.message[:200], list(e.path)))
            # the subject's tokens are the lower-case names of the body
            t = subject.split(".")
            ex, sym = (t[2], t[3]) if t[0] == "orderbook" else (t[1], t[2])
            # (a venue-wide event: orderbook.event.<ex>.all, symbol_name null)
            if msg.get("exchange_name") is not None or ex != "all":
                if msg.get("exchange_name") != ex or (msg.get("symbol_name") or "all").lower() != sym:
                    errors.append("%s: exchange/symbol %s/%s do not match the subject" %
                                  (subject, msg.get("exchange_name"), msg.get("symbol_name")))
            if name == "enhanced_orderbook":
                kind = t[1]
                ut = msg["update_type"]
                want = {"full": ("snapshot", "full_refresh"), "snapshot": ("snapshot",),
                        "delta": ("update",), "update": ("snapshot", "full_refresh", "update")}[kind]
                if ut not in want:
                    errors.append("%s: update_type %s" % (subject, ut))
                bids = [float(x["price"]) for x in msg["bids"]]
                asks = [float(x["price"]) for x in msg["asks"]]
                if bids != sorted(bids, reverse=True) or asks != sorted(asks):
                    errors.append("%s: bids/asks out of order" % subject)
                if kind == "full" and msg["depth_levels"] != len(bids) + len(asks):
                    errors.append("%s: depth_levels %d != %d" % (subject, msg["depth_levels"], len(bids) + len(asks)))
                if ut in ("snapshot", "full_refresh"):
                    # exact_levels counts the message's levels inside the exact range
                    fl, ce = msg["bid_exact_floor"], msg["ask_exact_ceil"]
                    eb = 0 if fl is None else sum(1 for x in msg["bids"] if decimal.Decimal(x["price"]) >= decimal.Decimal(fl))
                    ea = 0 if ce is None else sum(1 for x in msg["asks"] if decimal.Decimal(x["price"]) <= decimal.Decimal(ce))
                    if msg["exact_levels"] != {"bids": eb, "asks": ea}:
                        errors.append("%s: exact_levels %r, the levels say %r" % (subject, msg["exact_levels"], {"bids": eb, "asks": ea}))
            per[name] = per.get(name, 0) + 1
            n += 1
    return {"validated": n, "errors": len(errors), "first_errors": errors[:5], "per_schema": per}


def expect(paths, legacy="all", pure=True, topn=True):
    out = {}

    def add(s, n):
        if n:
            out[s] = out.get(s, 0) + n
    for p in paths:
        with open(p) as fh:
            f = json.load(fh)
        for key, c in f["instruments"].items():
            ex, sym = key.split(".", 1)
            ob = "orderbook.%s." + ex + "." + sym
            add(ob % "full", c["full"])
            if topn:
                add(ob % "snapshot", c["topn"])
            add(ob % "delta", c["delta"])
            if pure:
                add(ob % "pure_delta", c["delta_changes"])
            if legacy == "all":
                add(ob % "update", c["full"] + (c["topn"] if topn else 0) + c["delta"])
            elif legacy == "deltas":
                add(ob % "update", c["delta"])
            mk = "market." + ex + "." + sym + "."
            add(mk + "trade", c["trade"])
            add(mk + "ticker", c["ticker"])
            add(mk + "kline.1m", c["kline"])
            add("orderbook.event.%s.%s" % (ex, sym), c["event"])
    return out


def compare(expect_path, summary_path):
    with open(expect_path) as fh:
        want = json.load(fh)
    with open(summary_path) as fh:
        got = json.load(fh)
    why = []
    subj = {k: v for k, v in got["subjects"].items() if not k.startswith("orderbook.event.all.")}
    for k in sorted(set(want) | set(subj)):
        if want.get(k, 0) != subj.get(k, 0):
            why.append("%s: expected %d, got %d" % (k, want.get(k, 0), subj.get(k, 0)))
    for k in ("gaps", "mismatches", "duplicates", "bad_messages"):
        if got.get(k, 0):
            why.append("%s = %d" % (k, got[k]))
    for b in got["books"]:
        if not b["synced"]:
            why.append("%s %s not synced" % (b["exchange"], b["symbol"]))
        if b["verified"] == 0:
            why.append("%s %s: no full book verified" % (b["exchange"], b["symbol"]))
    if why:
        print("; ".join(why[:8]))
        return 1
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "validate":
        r = validate(sys.argv[2])
        print(json.dumps(r))
        return 1 if r["errors"] or r["validated"] == 0 else 0
    if cmd == "expect":
        args = sys.argv[2:]
        opts = {}
        while args and args[0].startswith("--"):
            k, _, v = args.pop(0)[2:].partition("=")
            opts[k] = v
        print(json.dumps(expect(args, legacy=opts.get("legacy", "all"),
                                pure=opts.get("pure", "1") == "1", topn=opts.get("topn", "1") == "1")))
        return 0
    if cmd == "compare":
        return compare(sys.argv[2], sys.argv[3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
