#!/usr/bin/python3
"""usdm_as_spot.py - a Binance USD-M capture (stdin) in the spot form (stdout).

The project syncs Binance spot books; the futures depth stream chains events
by "pu" (each event's pu is the previous event's u) where spot chains them by
U == previous u + 1.  Rewriting every event's U as pu + 1, the venue name
binance-usdm as binance and /fapi/v1/depth as /api/v3/depth turns the futures
recording into one the spot keeper syncs and follows, so the book engine can
be replayed on it end to end (mpreplay).  Nothing else changes.
"""
import re
import sys

U_PU = re.compile(r'"U":(\d+),"u":(\d+),"pu":(-?\d+)')


def fix(m):
    return '"U":%d,"u":%s,"pu":%s' % (int(m.group(3)) + 1, m.group(2), m.group(3))


for line in sys.stdin:
    parts = line.split(" ", 3)
    if len(parts) == 4:
        if parts[1] == "binance-usdm":
            parts[1] = "binance"
        if parts[2].startswith("rest:/fapi/v1/depth?"):
            parts[2] = "rest:/api/v3/depth?" + parts[2][len("rest:/fapi/v1/depth?"):]
        parts[3] = U_PU.sub(fix, parts[3], count=1)
        line = " ".join(parts)
    sys.stdout.write(line)
