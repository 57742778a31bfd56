#!/usr/bin/env python3
"""ref.py - an independent rebuild of what mpexport must write, from the
generator's plain-text dump (gen_store.c), compared with mpexport's .npy files
loaded by numpy.  The book here is two Python dicts; the sampling, features,
heatmap, labels and prior-days normalization are re-implemented from the
specification in metadata.json / export.h, not from mpexport's C code.

usage: ref.py DUMP OUTDIR --from NS --to NS [--sample-ns N] [--levels L]
              [--window T] [--bins B --bin-bps W] [--bands ...]
              [--horizons ...] [--threshold-bps X] [--norm-days N]
              [--stack-len S --stack-ns N --stack-stride K]
Prints "ok NAME" / "not ok NAME - why" lines.
"""
import argparse
import json
import math
import sys

import numpy as np

DIV = 1e8          # generator: px_exp = qty_exp = -8
DAY = 86400 * 10**9
BREAKING = {21, 22, 24, 30, 32}   # EV_GAP, EV_RESYNC, EV_CHECKSUM_FAIL, EV_RING_LOSS, EV_NATS_LOSS


def parse_dump(path):
    recs = []
    for line in open(path):
        p = line.split()
        k, t = p[0], int(p[1])
        if k == 'D':
            first, last, prev, hb, nb, na = map(int, p[2:8])
            v = list(map(int, p[8:]))
            lv = [(v[2 * i], v[2 * i + 1]) for i in range(nb + na)]
            recs.append(('D', t, dict(last=last, prev=prev, hb=hb, bids=lv[:nb], asks=lv[nb:])))
        elif k == 'S':
            kind, reason, last, floor, ceil, nb, na = map(int, p[2:9])
            v = list(map(int, p[9:]))
            lv = [(v[2 * i], v[2 * i + 1]) for i in range(nb + na)]
            recs.append(('S', t, dict(reason=reason, last=last, floor=floor, ceil=ceil,
                                      bids=lv[:nb], asks=lv[nb:])))
        elif k == 'N':
            recs.append(('N', t, dict(last=int(p[2]))))
        elif k == 'T':
            recs.append(('T', t, dict(side=int(p[2]), qty=int(p[3]))))
        elif k == 'E':
            recs.append(('E', t, dict(code=int(p[2]))))
    return recs


class Flow:
    def __init__(self):
        self.ba = self.br = self.aa = self.ar = self.ofi = 0.0
        self.buy = self.sell = 0.0
        self.nupd = self.nchg = self.ntr = 0


def compute(a, bids, asks, known, fl):
    """Return (mid, deeplob row, features row, heat [bins][2]) from the dict book."""
    sb = sorted(bids.items(), key=lambda x: -x[0])
    sa = sorted(asks.items())
    if not sb or not sa:
        return None
    bbp, bbq = sb[0]
    bap, baq = sa[0]
    mid = float(bbp + bap) / DIV * 0.5
    dl = []
    for i in range(a.levels):
        for side in (sa, sb):
            if i < len(side):
                p = float(side[i][0]) / DIV
                dl.append((p - mid) / mid * 1e4)
                dl.append(float(side[i][1]) / DIV)
            else:
                dl += [math.nan, 0.0]
    heat = [[0.0, 0.0] for _ in range(a.bins)]
    per = []
    # the scan's formulas (feat.c scan_side): multiply by inverses
    pm, qm, inv, iw = 1.0 / DIV, 1.0 / DIV, 1e4 / mid, 1.0 / a.bin_bps
    for s, lv in ((0, sb), (1, sa)):
        tot = top = 0.0
        band = [0.0] * len(a.bands)
        d = 0.0
        for i, (px, qty) in enumerate(lv):
            p = float(px) * pm
            q = float(qty) * qm
            d = (mid - p) * inv if s == 0 else -(mid - p) * inv
            tot += q
            if i < a.levels:
                top += q
            for j in range(len(a.bands) - 1, -1, -1):
                if d <= a.bands[j]:
                    band[j] += q
                else:
                    break
            if d < 0:
                heat[0][s] += q
            elif d * iw < a.bins:
                heat[int(d * iw)][s] += q
        bound = known[s] if known[s] else lv[-1][0]
        dbound = (mid - float(bound) * pm) * inv if s == 0 else -(mid - float(bound) * pm) * inv
        for j in range(a.bins):
            if dbound < (j + 1) * a.bin_bps:
                heat[j][s] = math.nan
        bands = [band[j] if dbound >= a.bands[j] else math.nan for j in range(len(a.bands))]
        per.append(dict(tot=tot, top=top, bands=bands, n=len(lv), rng=d))
    bp_, ap_ = float(bbp) / DIV, float(bap) / DIV
    bq_, aq_ = float(bbq) / DIV, float(baq) / DIV
    b, s_ = per
    bn, an = fl.ba - fl.br, fl.aa - fl.ar
    den = abs(bn) + abs(an)
    spread = float(bap - bbp) / DIV
    ft = [mid, spread, spread / mid * 1e4,
          ((bp_ * aq_ + ap_ * bq_) / (bq_ + aq_) - mid) / mid * 1e4,
          (bq_ - aq_) / (bq_ + aq_),
          (b['top'] - s_['top']) / (b['top'] + s_['top']) if b['top'] + s_['top'] > 0 else 0.0]
    ft += b['bands'] + s_['bands']
    ft += [b['tot'], s_['tot'], b['n'], s_['n'], b['rng'], s_['rng'],
           b['top'] / b['tot'] if b['tot'] > 0 else 0.0, s_['top'] / s_['tot'] if s_['tot'] > 0 else 0.0,
           fl.ba, fl.br, fl.aa, fl.ar, bn - an, (bn - an) / den if den > 0 else 0.0, fl.ofi,
           fl.nupd, fl.nchg, fl.buy, fl.sell, fl.ntr]
    return mid, dl, ft, heat


def best(d, bid):
    if not d:
        return 0, 0
    p = max(d) if bid else min(d)
    return p, d[p]


class Ref:
    def __init__(self, a):
        self.a = a
        self.bids, self.asks = {}, {}
        self.known = [0, 0]
        self.in_epoch = False
        self.epoch = 0
        self.id = None
        self.last_good = None
        self.fl = Flow()
        self.rows = []          # dicts: t, id, mid, dl, ft, heat, epoch
        self.prior = []         # (day, raw) of every sample, in range or not
        self.frames = []        # (t, epoch, heat) stack frames
        self.gaps = []
        self.gap = None         # open gap [from, reason]
        self.next_g = self.next_sg = None
        self.dropped_marks = set()   # row positions after which a sample was dropped

    def open_gap(self, t, reason):
        if self.gap is None:
            self.gap = [t, reason]

    def close_gap(self, t):
        if self.gap is None:
            return
        f, r = self.gap
        self.gap = None
        a = self.a
        if t <= a.frm or f >= a.to:
            return
        self.gaps.append((max(f, a.frm), min(t, a.to), r))

    def brk(self, t, reason):
        if self.in_epoch:
            self.in_epoch = False
            self.open_gap(self.last_good, reason)
        else:
            self.open_gap(t, reason)

    def sample(self, t):
        a = self.a
        r = compute(a, self.bids, self.asks, self.known, self.fl)
        self.fl = Flow()
        if r is None:
            self.rows.append(None)
            return
        mid, dl, ft, heat = r
        self.prior.append((t // DAY, dl + ft))
        if a.frm <= t < a.to:
            self.rows.append(dict(t=t, id=self.id, mid=mid, dl=dl, ft=ft, heat=heat, epoch=self.epoch))

    def frame(self, t):
        a = self.a
        if not (a.frm <= t < a.to):
            return
        r = compute(a, self.bids, self.asks, self.known, self.fl)
        self.frames.append((t, self.epoch, None if r is None else r[3]))

    def confirm(self, t):
        a = self.a
        lim = min(t, a.to)
        if a.sample_ns:
            while self.next_g < lim:
                self.sample(self.next_g)
                self.next_g += a.sample_ns
        if a.stack_ns:
            while self.next_sg < lim:
                self.frame(self.next_sg)
                self.next_sg += a.stack_ns

    def anchor(self, t, r):
        self.bids = {p: q for p, q in r['bids'] if q}
        self.asks = {p: q for p, q in r['asks'] if q}
        self.known = [r['floor'], r['ceil']]
        self.id = r['last']
        self.in_epoch = True
        self.epoch += 1
        self.last_good = t
        g = self.a.sample_ns
        self.next_g = -(-t // g) * g if g else t
        g = self.a.stack_ns
        self.next_sg = -(-t // g) * g if g else t
        self.fl = Flow()
        self.close_gap(t)

    def run(self, recs):
        a = self.a
        te = 0
        self.open_gap(a.start, 'not_synced')
        stopped = False
        for kind, t, r in recs:
            if t < a.start:
                continue
            if t >= a.to + 3600 * 10**9:
                break
            te = max(te, t)
            t = te
            if t >= a.to:
                relevant = kind in ('D', 'S', 'N') or (kind == 'E' and r['code'] in BREAKING)
                if not relevant:
                    continue
                if kind == 'D':
                    conf = self.in_epoch and r['prev'] == self.id
                elif kind == 'S':
                    conf = self.in_epoch and r['last'] == self.id and r['reason'] == 3
                elif kind == 'N':
                    conf = self.in_epoch and r['last'] == self.id
                else:
                    conf = False
                if conf:
                    self.confirm(a.to)
                elif self.in_epoch:
                    self.brk(a.to, 'end_of_range')
                stopped = True
                break
            if kind == 'D':
                if not self.in_epoch:
                    continue
                if r['prev'] != self.id:
                    self.brk(t, 'continuity_break')
                    continue
                self.confirm(t)
                before = best(self.bids, True) + best(self.asks, False)
                for side, lv in ((0, r['bids']), (1, r['asks'])):
                    d = self.bids if side == 0 else self.asks
                    for px, qty in lv:
                        old = d.get(px, 0)
                        if qty:
                            d[px] = qty
                        else:
                            d.pop(px, None)
                        x = float(qty - old) / DIV
                        if side == 0:
                            if x > 0:
                                self.fl.ba += x
                            else:
                                self.fl.br -= x
                        else:
                            if x > 0:
                                self.fl.aa += x
                            else:
                                self.fl.ar -= x
                        self.fl.nchg += 1
                after = best(self.bids, True) + best(self.asks, False)
                self.id = r['last']
                self.last_good = t
                if r['hb'] and not r['bids'] and not r['asks']:
                    continue
                if before[0] and after[0] and before[2] and after[2]:
                    e = 0.0
                    if after[0] >= before[0]:
                        e += float(after[1]) / DIV
                    if after[0] <= before[0]:
                        e -= float(before[1]) / DIV
                    if after[2] <= before[2]:
                        e -= float(after[3]) / DIV
                    if after[2] >= before[2]:
                        e += float(before[3]) / DIV
                    self.fl.ofi += e
                self.fl.nupd += 1
                if not a.sample_ns:
                    self.sample(t)
            elif kind == 'S':
                if r['reason'] in (1, 2):
                    if self.in_epoch:
                        self.brk(t, 'resync')
                    self.anchor(t, r)
                elif not self.in_epoch:
                    self.anchor(t, r)
                elif r['last'] != self.id:
                    self.brk(t, 'continuity_break')
                    self.anchor(t, r)
                else:
                    self.confirm(t)
                    self.known = [r['floor'], r['ceil']]
                    self.last_good = t
            elif kind == 'N':
                if self.in_epoch and r['last'] == self.id:
                    self.confirm(t)
                    self.last_good = t
                elif self.in_epoch:
                    self.brk(t, 'continuity_break')
            elif kind == 'E':
                if r['code'] in BREAKING:
                    self.brk(t, 'event')
            elif kind == 'T':
                if self.in_epoch:
                    q = float(r['qty']) / DIV
                    if r['side'] == 1:
                        self.fl.buy += q
                    elif r['side'] == 2:
                        self.fl.sell += q
                    self.fl.ntr += 1
        if not stopped:
            self.brk(te, 'end_of_data')
        self.close_gap(a.to)


def norm_stats(prior, day, ndays, ncol):
    rows = [v for d, v in prior if day - ndays <= d < day]
    if not rows:
        return None
    x = np.array(rows, dtype=np.float64)
    mean = np.zeros(ncol)
    std = np.ones(ncol)
    for j in range(ncol):
        c = x[:, j]
        c = c[~np.isnan(c)]
        if len(c):
            mean[j] = c.mean()
            s = c.std()
            std[j] = s if s > 1e-12 else 1.0
    return mean, std


def labels(mids, segs, hor, thr):
    n = len(mids)
    lab = np.full((n, len(hor)), -128, dtype=np.int8)
    ret = np.full((n, len(hor)), np.nan, dtype=np.float32)
    for t in range(n):
        for h, k in enumerate(hor):
            if t + 1 < k or t + k >= n or segs[t + 1 - k] != segs[t] or segs[t + k] != segs[t]:
                continue
            sm = 0.0
            for i in range(t + 1 - k, t + 1):
                sm += mids[i]
            sp = 0.0
            for i in range(t + 1, t + k + 1):
                sp += mids[i]
            mm, mp = sm / k, sp / k
            x = (mp - mm) / mm
            ret[t, h] = x
            lab[t, h] = 1 if x > thr else (-1 if x < -thr else 0)
    return lab, ret


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dump')
    ap.add_argument('out')
    ap.add_argument('--from', dest='frm', type=int, required=True)
    ap.add_argument('--to', type=int, required=True)
    ap.add_argument('--warmup-ns', type=int, default=120 * 10**9)
    ap.add_argument('--sample-ns', type=int, default=0)
    ap.add_argument('--levels', type=int, default=10)
    ap.add_argument('--window', type=int, default=100)
    ap.add_argument('--bins', type=int, default=200)
    ap.add_argument('--bin-bps', type=float, default=1.0)
    ap.add_argument('--bands', default='5,10,25,50,100')
    ap.add_argument('--horizons', default='10,50,100')
    ap.add_argument('--threshold-bps', type=float, default=2.0)
    ap.add_argument('--norm-days', type=int, default=0)
    ap.add_argument('--stack-len', type=int, default=0)
    ap.add_argument('--stack-ns', type=int, default=0)
    ap.add_argument('--stack-stride', type=int, default=1)
    ap.add_argument('--name', default='ref')
    a = ap.parse_args()
    a.bands = [float(x) for x in a.bands.split(',')]
    hor = [int(x) for x in a.horizons.split(',')]
    a.start = a.frm - a.warmup_ns
    if a.norm_days:
        a.start = min(a.start, (a.frm // DAY - a.norm_days) * DAY)
    failures = []

    def check(name, cond, why=''):
        print(('ok %s_%s' % (a.name, name)) if cond else ('not ok %s_%s - %s' % (a.name, name, why)))
        if not cond:
            failures.append(name)

    ref = Ref(a)
    ref.run(parse_dump(a.dump))
    ncol_dl = 4 * a.levels
    # Normalization (prior calendar days) and drops, as the specification says.
    rows, drop_after = [], False
    seg, segs, last_epoch = 0, [], None
    stats_cache = {}
    for r in ref.rows:
        if r is None:
            drop_after = True
            continue
        day = r['t'] // DAY
        raw = r['dl'] + r['ft']
        if a.norm_days:
            if day not in stats_cache:
                stats_cache[day] = norm_stats(ref.prior, day, a.norm_days, len(raw))
            st = stats_cache[day]
            if st is None:
                drop_after = True
                continue
            raw = list((np.array(raw) - st[0]) / st[1])
        if not rows or drop_after or r['epoch'] != last_epoch:
            seg += 1
        drop_after = False
        last_epoch = r['epoch']
        r = dict(r, raw=raw, seg=seg)
        rows.append(r)
        segs.append(seg)

    def load(name):
        return np.load('%s/%s' % (a.out, name))

    meta = json.load(open('%s/metadata.json' % a.out))
    ts = load('timestamps.npy')
    check('rows', len(ts) == len(rows) and len(rows) > 0, 'mpexport %d rows, reference %d' % (len(ts), len(rows)))
    n = min(len(ts), len(rows))
    check('timestamps', np.array_equal(ts[:n], np.array([r['t'] for r in rows[:n]], dtype=np.int64)),
          'first difference at row %s' % (np.nonzero(ts[:n] != np.array([r['t'] for r in rows[:n]]))[0][:1],))
    check('ids', np.array_equal(load('ids.npy')[:n], np.array([r['id'] for r in rows[:n]], dtype=np.int64)))
    check('mid', np.array_equal(load('mid.npy')[:n], np.array([r['mid'] for r in rows[:n]])))
    check('segments', np.array_equal(load('segment.npy')[:n], np.array(segs[:n], dtype=np.int32)))
    tol = dict(rtol=2e-5, atol=2e-5, equal_nan=True) if a.norm_days else dict(rtol=1e-6, atol=1e-7, equal_nan=True)
    dl = load('deeplob.npy')
    exp = np.array([r['raw'][:ncol_dl] for r in rows[:n]], dtype=np.float64).astype(np.float32)
    check('deeplob_shape', dl.shape == (len(rows), ncol_dl) and dl.dtype == np.float32, str(dl.shape))
    ok = dl.shape[0] >= n and np.allclose(dl[:n], exp, **tol)
    if not ok and dl.shape[0] >= n:
        bad = np.argwhere(~np.isclose(dl[:n], exp, **tol))[:3]
        why = '; '.join('row %d col %d: %r vs %r' % (i, j, dl[i, j], exp[i, j]) for i, j in bad)
    else:
        why = 'shape'
    check('deeplob_values', ok, why)
    ft = load('features.npy')
    exp = np.array([r['raw'][ncol_dl:] for r in rows[:n]], dtype=np.float64).astype(np.float32)
    names = meta['features']['columns']
    check('features_shape', ft.shape == exp.shape and len(names) == exp.shape[1], '%s vs %s' % (ft.shape, exp.shape))
    ok = ft.shape == exp.shape and np.allclose(ft, exp, **tol)
    if not ok and ft.shape == exp.shape:
        bad = np.argwhere(~np.isclose(ft, exp, **tol))[:3]
        why = '; '.join('row %d %s: %r vs %r' % (i, names[j], ft[i, j], exp[i, j]) for i, j in bad)
    else:
        why = 'shape'
    check('features_values', ok, why)
    try:
        hm = load('heatmap.npy')
        exp = np.array([r['heat'] for r in rows[:n]], dtype=np.float64).astype(np.float32)
        ok = hm.shape == (len(rows), a.bins, 2) and np.allclose(hm, exp, rtol=1e-6, atol=1e-7, equal_nan=True)
        check('heatmap', ok, 'shape %s or values' % (hm.shape,))
        check('heatmap_has_depth_and_unknown', np.nansum(hm) > 0 and np.isnan(hm).any() and (~np.isnan(hm)).any(),
              'the test data should exercise both')
    except FileNotFoundError:
        pass
    # windows: every T consecutive rows of one segment
    win = load('deeplob_windows.npy')
    exp = [i for i in range(len(segs)) if i + 1 >= a.window and segs[i + 1 - a.window] == segs[i]]
    check('windows', np.array_equal(win, np.array(exp, dtype=np.int64)), '%d vs %d windows' % (len(win), len(exp)))
    # labels
    lab, ret = labels([r['mid'] for r in rows], segs, hor, a.threshold_bps / 1e4)
    L = load('labels.npy')
    check('labels', L.dtype == np.int8 and np.array_equal(L, lab),
          '%d differences' % (int((L != lab).sum()) if L.shape == lab.shape else -1))
    check('label_returns', np.allclose(load('label_returns.npy'), ret, rtol=1e-6, atol=1e-9, equal_nan=True))
    kmax = max(hor)
    check('labels_end_marked', (L[-kmax:, hor.index(kmax)] == -128).all() and
          ((L[:, 0] != -128).sum() > 0), 'the last k rows must be -128')
    # gaps
    g = [(x['from_ns'], x['to_ns']) for x in meta['gaps']]
    eg = [(f, t) for f, t, _ in ref.gaps]
    check('gaps', g == eg, 'mpexport %s, reference %s' % (g, eg))
    # no row inside a gap
    inside = [x for x in ts if any(f < x < t for f, t in eg)]
    check('no_sample_in_gap', not inside, '%d rows inside gaps' % len(inside))
    # stacks
    if a.stack_len:
        S = a.stack_len
        exp_st, exp_ts = [], []
        run, last_e = 0, None
        buf = []
        for t, e, h in ref.frames:
            if h is None:
                run, buf, last_e = 0, [], None
                continue
            if e != last_e:
                run, buf = 0, []
            last_e = e
            buf.append(h)
            buf = buf[-S:]
            run += 1
            if run >= S and (run - S) % a.stack_stride == 0:
                exp_st.append(list(buf))
                exp_ts.append(t)
        st = load('stack.npy')
        sts = load('stack_timestamps.npy')
        check('stack_timestamps', np.array_equal(sts, np.array(exp_ts, dtype=np.int64)),
              '%d vs %d' % (len(sts), len(exp_ts)))
        ok = st.shape == (len(exp_st), S, a.bins, 2) and np.allclose(
            st, np.array(exp_st, dtype=np.float64).astype(np.float32).reshape(st.shape) if exp_st else st,
            rtol=1e-6, atol=1e-7, equal_nan=True)
        check('stack_values', ok, 'shape %s' % (st.shape,))
    if a.norm_days:
        per = {d['day']: d for d in meta['normalization']['per_day']}
        okn = True
        for day, st in stats_cache.items():
            if st is None:
                continue
            import datetime
            name = datetime.datetime.utcfromtimestamp(day * 86400).strftime('%Y-%m-%d')
            m = per.get(name)
            if not m:
                okn = False
                continue
            mm = np.array([np.nan if v is None else v for v in m['deeplob']['mean'] + m['features']['mean']])
            okn = okn and np.allclose(mm, st[0], rtol=1e-9, atol=1e-9)
        check('norm_stats', okn and stats_cache, 'per-day means differ from the prior-days reference')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
