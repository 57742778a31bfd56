#!/usr/bin/python3
"""mlfeat_ref.py - the requirement's book features (routerd/README.md
"ml_features") computed independently of routerd/mlfeat.c: exact rational
arithmetic (fractions) from the definitions, numpy for the level arrays.

  mlfeat_ref.py gen DIR           write the fixed hand-made books DIR/*.book
  mlfeat_ref.py check BOOK DUMP   compare test_mlfeat --dump output with the
                                  exact values: each C double must be the
                                  exact value to within 4 ulp (the formulas
                                  round at most 3 times), counts exactly;
                                  prints how many are bit-identical to the
                                  correctly rounded exact value.  The dump
                                  also holds the requirement's heatmap and
                                  depth image (routerd/mlimg.h): one rounding
                                  each, so those must be bit-identical.
  mlfeat_ref.py flowgen FILE      write a fixed delta sequence (test_mlfeat --flow)
  mlfeat_ref.py flowcheck FILE DUMP   the delta flows (routerd/mlflow.h) after
                                  every delta, exactly, bit for bit
"""
import sys
from fractions import Fraction as F

import numpy as np


def books():
    """(name, px_exp, qty_exp, bids[[px, qty]], asks) - fixed, no randomness at run time."""
    out = []
    # small: mid 10000.00, levels exactly on the 10 bps edges, a dust level
    out.append(('small', -2, -8,
                [[999900, 150000000], [999500, 200000000], [999000, 50000000], [998999, 70000000]],
                [[1000100, 100000000], [1000500, 30000000], [1001000, 40000000], [1001001, 60000000],
                 [1010000, 5]]))
    # deep: 5000 x 4999 levels, BTC-like prices at 1e-2 and sizes at 1e-8 with a fixed LCG,
    # a few very large sizes (sums beyond 2^53, so a double accumulator would round)
    x = 12345
    def lcg():
        nonlocal x
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return x >> 33
    bb, ba = 6500000, 6500013
    bids, asks = [], []
    p = bb
    for i in range(5000):
        q = lcg() % 500000000 + 1
        if i % 997 == 3:
            q *= 100000
        bids.append([p, q])
        p -= 1 + lcg() % 7
    p = ba
    for i in range(4999):
        q = lcg() % 300000000 + 1
        if i % 1009 == 5:
            q *= 100000
        asks.append([p, q])
        p += 1 + lcg() % 5
    out.append(('deep', -2, -8, bids, asks))
    # one level a side, other exponents (ETH-like 1e-2 / 1e-4)
    out.append(('one', -2, -4, [[300012, 12345]], [[300013, 1]]))
    return out


def exact(pe, qe, bids, asks):
    b = np.array(bids, dtype=object)
    a = np.array(asks, dtype=object)
    pd, qd = F(10) ** -pe, F(10) ** -qe
    pb, qb, pa, qa = b[:, 0], b[:, 1], a[:, 0], a[:, 1]
    m2 = pb[0] + pa[0]
    mid = F(m2) / pd / 2
    r = {}
    r['best_bid'] = F(pb[0]) / pd
    r['best_ask'] = F(pa[0]) / pd
    r['mid'] = mid
    r['spread'] = F(pa[0] - pb[0]) / pd
    r['spread_bps'] = r['spread'] / mid * 10000
    r['bid_levels'] = F(len(b))
    r['ask_levels'] = F(len(a))
    r['price_range'] = F(pa[-1] - pb[-1]) / pd
    r['price_range_bps'] = r['price_range'] / mid * 10000
    r['bid_price_range'] = F(pb[0] - pb[-1]) / pd
    r['ask_price_range'] = F(pa[-1] - pa[0]) / pd
    sb, sa = sum(qb), sum(qa)
    r['bid_volume'] = F(sb) / qd
    r['ask_volume'] = F(sa) / qd
    r['volume_imbalance'] = F(sb - sa, sb + sa)
    r['bid_avg_size'] = F(sb) / qd / len(b)
    r['ask_avg_size'] = F(sa) / qd / len(a)
    r['bid_concentration'] = sum(F(q, sb) ** 2 for q in qb)
    r['ask_concentration'] = sum(F(q, sa) ** 2 for q in qa)
    r['bid_top10_share'] = F(sum(qb[:10]), sb)
    r['ask_top10_share'] = F(sum(qa[:10]), sa)
    bp, ap, bq, aq = F(pb[0]) / pd, F(pa[0]) / pd, F(qb[0]), F(qa[0])
    micro = (bp * aq + ap * bq) / (bq + aq)
    r['microprice'] = micro
    r['microprice_offset_bps'] = (micro - mid) / mid * 10000
    for k in (1, 5, 10):
        x, y = sum(qb[:k]), sum(qa[:k])
        r['imbalance_l%d' % k] = F(x - y, x + y)
    vb = sum(F(p) / pd * q for p, q in zip(pb[:10], qb[:10])) / sum(qb[:10])
    va = sum(F(p) / pd * q for p, q in zip(pa[:10], qa[:10])) / sum(qa[:10])
    r['bid_vwap10_bps'] = (mid - vb) / mid * 10000
    r['ask_vwap10_bps'] = (va - mid) / mid * 10000
    for k in (10, 50, 100):
        # within k bps of mid, inclusive, by the real distance
        r['bid_depth_%dbps' % k] = sum(F(q) for p, q in zip(pb, qb) if (mid - F(p) / pd) / mid * 10000 <= k) / qd
        r['ask_depth_%dbps' % k] = sum(F(q) for p, q in zip(pa, qa) if (F(p) / pd - mid) / mid * 10000 <= k) / qd
    r['bid_notional'] = sum(F(p) / pd * F(q) / qd for p, q in zip(pb, qb))
    r['ask_notional'] = sum(F(p) / pd * F(q) / qd for p, q in zip(pa, qa))
    r.update(images(pe, qe, bids, asks))
    return r


def images(pe, qe, bids, asks, levels=100, bins=200):
    """The requirement's heatmap and depth image from their definitions (mlimg.h), exactly."""
    b = np.array(bids[:levels], dtype=object)
    a = np.array(asks[:levels], dtype=object)
    pd, qd = F(10) ** -pe, F(10) ** -qe
    lo, hi = b[-1, 0], a[-1, 0]
    r = {'heat_lo': F(lo) / pd, 'heat_hi': F(hi) / pd}
    heat = np.zeros((bins, 2), dtype=object)
    for side, lv in ((0, b), (1, a)):
        for p, q in lv:
            # the bin whose price interval [lo + k w / bins, lo + (k + 1) w / bins) holds p; hi in the last
            k = min(bins - 1, max(0, int((F(p - lo) * bins / (hi - lo)).__floor__())))
            heat[k, side] += q
    for k in range(bins):
        r['heat_b_%d' % k] = F(heat[k, 0]) / qd
        r['heat_a_%d' % k] = F(heat[k, 1]) / qd
    qmax = max(max(b[:, 1]), max(a[:, 1]))
    for i in range(levels):
        r['img_b_%d' % i] = F(b[i, 1], qmax) if i < len(b) else F(0)
        r['img_a_%d' % i] = F(a[i, 1], qmax) if i < len(a) else F(0)
    return r


def flow_deltas():
    """A fixed delta sequence: 400 deltas on 60 prices a side, adds, changes and removals (LCG, qty_exp -8)."""
    x = 777
    def lcg():
        nonlocal x
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return x >> 33
    out = []
    for _ in range(400):
        d = []
        for _ in range(1 + lcg() % 6):
            side = lcg() % 2
            px = (1000000 - 1 - lcg() % 60) if side == 0 else (1000000 + lcg() % 60)
            qty = 0 if lcg() % 4 == 0 else lcg() % 10**12 * (10**6 if lcg() % 50 == 0 else 1)
            d.append((side, px, qty))
        out.append(d)
    return out


def flows_exact(deltas, window=100):
    last = [{}, {}]
    per, rows = [], []
    for d in deltas:
        f, n = [0, 0], [0, 0]
        for side, px, qty in d:
            f[side] += qty - last[side].get(px, 0)
            n[side] += 1
            last[side][px] = qty
        per.append((f[0], f[1], n[0], n[1]))
        w = per[-window:]
        bsum, asum = sum(t[0] for t in w), sum(t[1] for t in w)
        qd = F(10) ** 8
        den = abs(bsum) + abs(asum)
        rows.append([F(bsum) / qd, F(asum) / qd, F(bsum - asum) / qd,
                     F(bsum - asum, den) if den else F(0),
                     F(sum(t[2] for t in w)), F(sum(t[3] for t in w)), F(len(w))])
    return rows


def ulp(x):
    return float(np.spacing(np.float64(abs(x)))) if x else 5e-324


def main():
    if sys.argv[1] == 'gen':
        for name, pe, qe, b, a in books():
            with open('%s/%s.book' % (sys.argv[2], name), 'w') as f:
                f.write('%d %d\n' % (pe, qe))
                f.writelines('b %d %d\n' % (p, q) for p, q in b)
                f.writelines('a %d %d\n' % (p, q) for p, q in a)
        return 0
    if sys.argv[1] == 'flowgen':
        with open(sys.argv[2], 'w') as f:
            f.write('-8\n')
            for d in flow_deltas():
                f.writelines('%s %d %d\n' % ('ba'[s], p, q) for s, p, q in d)
                f.write('d\n')
        return 0
    if sys.argv[1] == 'flowcheck':
        want = flows_exact(flow_deltas())
        got = [[float(v) for v in l.split()] for l in open(sys.argv[3])]
        # flow_ratio rounds twice (numerator and denominator to double, then the division): 2 ulp
        bad = ['delta %d col %d: C %r, exact %r' % (i, j, g[j], float(w[j]))
               for i, (g, w) in enumerate(zip(got, want)) for j in range(7)
               if (j != 3 and g[j] != float(w[j])) or (j == 3 and abs(F(g[j]) - w[j]) > 2 * F(ulp(float(w[j]))))]
        same = sum(g[3] == float(w[3]) for g, w in zip(got, want))
        if len(got) != len(want) or bad:
            print('not ok mlflow_ref - %d rows of %d; %s' % (len(got), len(want), '; '.join(bad[:3])))
            return 1
        print('ok mlflow_ref (%d deltas x 7 columns exact; flow_ratio bit-identical in %d)' % (len(got), same))
        return 0
    book, dump = sys.argv[2], sys.argv[3]
    name = book.rsplit('/', 1)[-1].split('.')[0]
    want = None
    for n, pe, qe, b, a in books():
        if n == name:
            want = exact(pe, qe, b, a)
    got = {}
    for line in open(dump):
        k, v = line.split()
        got[k] = float(v)
    bad = []
    if set(got) != set(want):
        bad.append('names differ: only C %s, only ref %s' % (sorted(set(got) - set(want)), sorted(set(want) - set(got))))
    same = 0
    for k in sorted(set(got) & set(want)):
        e = want[k]
        fe = float(e)
        if got[k] == fe:
            same += 1
        # counts exactly; the images (one correctly rounded division each) bit-identical below
        tol = 0 if k.endswith('_levels') else 4 * ulp(fe)
        if k.startswith(('heat_', 'img_')) and got[k] != fe:
            bad.append('%s: C %r, the correctly rounded exact value %r' % (k, got[k], fe))
        elif abs(F(got[k]) - e) > F(tol):
            bad.append('%s: C %r, exact %r (%.3g ulp)' % (k, got[k], fe, float(abs(F(got[k]) - e)) / ulp(fe)))
    if bad:
        print('not ok mlfeat_ref_%s - %s' % (name, '; '.join(bad)))
        return 1
    print('ok mlfeat_ref_%s (%d values: 35 features, heatmap 200 x 2 + range, depth image 100 x 2; %d bit-identical to the rounded exact value)' % (name, len(got), same))
    return 0


sys.exit(main())
