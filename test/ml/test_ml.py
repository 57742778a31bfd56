"""test_ml.py - the research formats and the Python package (tools/mlpy) on two
exports made by test/ml/ml.sh:

  ML_GEN:  a store written by bin/test/mpexport_gen (with an announced gap and
           an unannounced break), its plain-text dump in ML_GEN_DUMP
  ML_REAL: the real Binance recording ../shared/data/binance-spot-ethusdt-
           20240808.cap.zst replayed into a store by mpreplay --store

Run by ml.sh with /usr/bin/python3 -m unittest -v.  test/ml/ml_parity.sh runs
TestTrainingSim with ML_SIM: an export of its short mpsim run (the whole
pipeline under mpctl, then mpexport of the store).
"""
import io
import os
import re
import sys
import unittest

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'mlpy'))

from marketprism import load_export, read_lobster, LABEL_MISSING    # noqa: E402
from marketprism.lobster import ASK_NONE, BID_NONE                   # noqa: E402

GEN, REAL, DUMP = os.environ.get('ML_GEN'), os.environ.get('ML_REAL'), os.environ.get('ML_GEN_DUMP')
SIM = os.environ.get('ML_SIM')
BREAKING = {21, 22, 24, 30, 32}   # EV_GAP, EV_RESYNC, EV_CHECKSUM_FAIL, EV_RING_LOSS, EV_NATS_LOSS
LEVELS = 10


def rebuild(dump, t_from, t_to):
    """Independent rebuild from the generator's dump: {time: (asks, bids)} top
    LEVELS (LOBSTER units: price mantissa / 1e4, size mantissa) after the last
    applied delta at each time in [t_from, t_to)."""
    bids, asks, last, in_epoch, out = {}, {}, None, False, {}
    with open(dump) as fh:
        lines = fh.readlines()
    for line in lines:
        p = line.split()
        k, t = p[0], int(p[1])
        if k == 'S':
            kind, reason, lid, nb, na = int(p[2]), int(p[3]), int(p[4]), int(p[7]), int(p[8])
            if kind != 4:               # SNAP_FULL only (top-N snapshots do not change the book)
                continue
            v = list(map(int, p[9:]))
            lv = [(v[2 * i], v[2 * i + 1]) for i in range(nb + na)]
            sync = reason in (1, 2)
            if sync or not in_epoch or lid != last:
                bids = {a: b for a, b in lv[:nb] if b}
                asks = {a: b for a, b in lv[nb:] if b}
                last, in_epoch = lid, True
        elif k == 'E':
            if int(p[2]) in BREAKING:
                in_epoch = False
        elif k == 'D':
            lid, prev, nb, na = int(p[3]), int(p[4]), int(p[6]), int(p[7])
            if not in_epoch:
                continue
            if prev != last:
                in_epoch = False
                continue
            v = list(map(int, p[8:]))
            for i in range(nb + na):
                d = bids if i < nb else asks
                px, q = v[2 * i], v[2 * i + 1]
                if q:
                    d[px] = q
                else:
                    d.pop(px, None)
            last = lid
            if t_from <= t < t_to:
                out[t] = (sorted(asks.items())[:LEVELS], sorted(bids.items(), reverse=True)[:LEVELS])
    return out


def row_book(r):
    """A LOBSTER orderbook row -> (asks, bids) lists of (price x 1e4, size), sentinels dropped."""
    a = [(int(r[4 * i]), int(r[4 * i + 1])) for i in range(len(r) // 4) if r[4 * i] != ASK_NONE]
    b = [(int(r[4 * i + 2]), int(r[4 * i + 3])) for i in range(len(r) // 4) if r[4 * i + 2] != BID_NONE]
    return a, b


def covered(side, full, ask):
    """Prices a row shows all of: everything when the side is not full, else up to its worst level."""
    if not full:
        return lambda p: True
    worst = side[-1][0]
    return (lambda p: p <= worst) if ask else (lambda p: p >= worst)


def check_messages(tc, f):
    """Every message explains the change between consecutive orderbook rows
    (where both rows show the price), and nothing else changes there."""
    L = f.levels
    bad = 0
    for k in range(1, len(f)):
        oa, ob = row_book(f.book[k - 1])
        na, nb = row_book(f.book[k])
        typ, size, px, d = int(f.type[k]), int(f.size[k]), int(f.price[k]), int(f.direction[k])
        for old, new, ask in ((oa, na, True), (ob, nb, False)):
            co, cn = covered(old, len(old) == L, ask), covered(new, len(new) == L, ask)
            od, nd = dict(old), dict(new)
            mine = (d == -1) == ask
            for p in set(od) | set(nd):
                if not (co(p) and cn(p)):
                    continue
                delta = nd.get(p, 0) - od.get(p, 0)
                if mine and p == px and typ in (1, 2, 3):
                    want = size if typ == 1 else -size
                    if delta != want or (typ == 3 and p in nd) or (typ == 2 and p not in nd):
                        bad += 1
                elif delta:
                    bad += 1
    tc.assertEqual(bad, 0, '%s: %d level changes not explained by their message' % (f.message_path, bad))


class TestLobsterReader(unittest.TestCase):
    def test_reads_a_lobster_style_pair(self):
        # a pair in LOBSTER's own naming and layout (real order ids, 1 level), written here
        import tempfile
        from marketprism import read_lobster_pair
        with tempfile.TemporaryDirectory() as d:
            m = os.path.join(d, 'AAPL_2012-06-21_34200000_57600000_message_1.csv')
            with open(m, 'w') as f:
                f.write('34713.685155243,1,206833312,100,118600,-1\n34714.133632201,3,206833312,100,118600,-1\n')
            with open(m.replace('_message_', '_orderbook_'), 'w') as f:
                f.write('118600,100,118500,8800\n9999999999,0,118500,8800\n')
            x = read_lobster_pair(m)
            self.assertEqual((x.ticker, x.date, x.levels, len(x)), ('AAPL', '2012-06-21', 1, 2))
            self.assertEqual(x.time_ns.tolist(), [34713685155243, 34714133632201])
            self.assertEqual(x.order_id.tolist(), [206833312] * 2)
            self.assertEqual(x.ask_px[:, 0].tolist(), [118600, ASK_NONE])
            self.assertEqual(int(x.epoch_ns()[0]), 1340236800 * 10**9 + 34713685155243)
            with open(m, 'a') as f:
                f.write('34715.0,1,1,1,1\n')
            with self.assertRaises(ValueError):
                read_lobster_pair(m)


@unittest.skipUnless(GEN and REAL, 'run by test/ml/ml.sh')
class TestLobster(unittest.TestCase):
    def test_lobster_format(self):
        for d in (GEN, REAL):
            files = read_lobster(d)
            self.assertTrue(files, d)
            for f in files:
                self.assertTrue(set(np.unique(f.type)) <= {1, 2, 3, 4})
                self.assertTrue((f.order_id == 0).all() and (f.size > 0).all())
                self.assertTrue(set(np.unique(f.direction)) <= {-1, 1})
                self.assertTrue((np.diff(f.time_ns) >= 0).all(), 'time runs backwards')
                self.assertTrue((f.time_ns >= 0).all() and (f.time_ns < 86400 * 10**9).all())
                self.assertEqual(f.book.shape[1], 4 * LEVELS)
                self.assertTrue(((f.ask_px == ASK_NONE) == (f.ask_sz == 0)).all())
                self.assertTrue(((f.bid_px == BID_NONE) == (f.bid_sz == 0)).all())
                ok = (f.ask_px[:, 0] > f.bid_px[:, 0]) | (f.ask_px[:, 0] == ASK_NONE) | (f.bid_px[:, 0] == BID_NONE)
                self.assertTrue(ok.all(), 'a crossed row')
                self.assertTrue(re.match(r'^[A-Z]+_\d{4}-\d\d-\d\d_\d+_\d+_message_10\.csv$',
                                         os.path.basename(f.message_path)))

    def test_lobster_round_trip_every_level(self):
        # export, read back: at every delta the rebuild applied inside a file's time span, the
        # file's book (its last row at or before that time) equals the rebuild at every level
        e = load_export(GEN)
        ref = rebuild(DUMP, e.meta['range']['from_ns'], e.meta['range']['to_ns'])
        files = read_lobster(GEN)
        self.assertGreaterEqual(len(files), 3, 'one file pair per gap-free epoch (the store has 2 breaks)')
        seen = 0
        times = np.array(sorted(ref), dtype=np.int64)
        for f in files:
            t = f.epoch_ns()
            inside = times[(times >= t[0]) & (times <= t[-1])]
            rows = np.searchsorted(t, inside, side='right') - 1
            for tt, i in zip(inside, rows):
                a, b = ref[int(tt)]
                want = ([(p // 10**4, q) for p, q in a], [(p // 10**4, q) for p, q in b])
                self.assertEqual(row_book(f.book[i]), want, 'row %d of %s (time %d)' % (i, f.message_path, tt))
                seen += 1
            # every depth row is at a time the rebuild applied a delta
            dep = t[f.type != 4]
            self.assertTrue(np.isin(dep, times).all(), 'a depth row at a time the rebuild did not apply')
        samples = set(int(x) for x in e.timestamps)
        self.assertTrue(samples <= set(ref), 'the rebuild and the export disagree on applied deltas')
        self.assertGreater(seen, 0.9 * len(samples), '%d of %d samples compared' % (seen, len(samples)))
        for f in files:
            with self.subTest(f=f.message_path):
                check_messages(self, f)

    def test_lobster_never_crosses_a_gap(self):
        e = load_export(GEN)
        gaps = [(g['from_ns'], g['to_ns']) for g in e.meta['gaps']]
        for f in read_lobster(GEN):
            t = f.epoch_ns()
            for g0, g1 in gaps:
                self.assertFalse(t[0] < g1 and t[-1] > g0 and ((t > g0) & (t < g1)).any(),
                                 '%s has rows inside a gap' % f.message_path)
                self.assertFalse(t[0] < g0 and t[-1] > g1, '%s spans a gap' % f.message_path)

    def test_lobster_real_matches_deeplob_best(self):
        # the real recording: at every sample inside a file's span, the file's best levels
        # (its last row at or before the sample) agree with deeplob.npy (relative prices)
        e = load_export(REAL)
        ts = np.asarray(e.timestamps)
        dl, mid = np.asarray(e.deeplob), np.asarray(e.mid)
        n = 0
        for f in read_lobster(REAL):
            t = f.epoch_ns()
            inside = np.nonzero((ts >= t[0]) & (ts <= t[-1]))[0]
            rows = np.searchsorted(t, ts[inside], side='right') - 1
            for r, i in zip(inside, rows):
                ask = mid[r] * (1 + dl[r, 0] / 1e4)
                bid = mid[r] * (1 + dl[r, 2] / 1e4)
                self.assertAlmostEqual(f.ask_px[i, 0] / 1e4, ask, delta=1e-3)
                self.assertAlmostEqual(f.bid_px[i, 0] / 1e4, bid, delta=1e-3)
                self.assertAlmostEqual(f.ask_sz[i, 0] * 1e-8, float(dl[r, 1]), delta=1e-6 * max(1, dl[r, 1]))
                self.assertAlmostEqual(f.bid_sz[i, 0] * 1e-8, float(dl[r, 3]), delta=1e-6 * max(1, dl[r, 3]))
                n += 1
            check_messages(self, f)
        self.assertGreater(n, 3400, 'the recording applies 3,432 depth updates')
        c = e.meta['lobster']['counts']
        self.assertGreater(c['outside_levels'], 0, 'changes deeper than 10 levels are not messages')
        self.assertEqual(c['mirror_resyncs'] + c['mirror_visible_resyncs'] + c['inexact_prices'] + c['trades_dropped_in_gaps'], 0)


@unittest.skipUnless(GEN and REAL, 'run by test/ml/ml.sh')
class TestMetadata(unittest.TestCase):
    def test_split_statistics_from_train_only(self):
        for d in (GEN, REAL):
            e = load_export(d)
            sp = e.meta['splits']
            n = e.rows
            self.assertEqual(sp['train']['rows'], int(np.floor(sp['fractions'][0] * n)))
            self.assertEqual(sp['train']['rows'] + sp['val']['rows'] + sp['test']['rows'], n)
            self.assertEqual(sp['val']['first_row'], sp['train']['rows'])
            tr = np.asarray(e.deeplob[:sp['train']['rows']], dtype=np.float64)
            mean, std = e.norm_stats('deeplob')
            np.testing.assert_allclose(mean, np.nanmean(tr, axis=0), rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(std, np.nanstd(tr, axis=0), rtol=1e-7, atol=1e-9)
            full = np.nanmean(np.asarray(e.deeplob, dtype=np.float64), axis=0)
            self.assertFalse(np.allclose(mean, full, rtol=1e-6), 'the statistics must not be those of all rows')
            fm, _ = e.norm_stats('features')
            np.testing.assert_allclose(fm, np.nanmean(np.asarray(e.features[:sp['train']['rows']], dtype=np.float64),
                                                      axis=0), rtol=1e-9, atol=1e-9)

    def test_horizon_sets_and_labels(self):
        g, r = load_export(GEN), load_export(REAL)
        self.assertEqual(g.horizons, [10, 20, 30, 50, 100])
        self.assertEqual(g.meta['labels']['horizon_set'], 'fi2010')
        self.assertEqual(r.horizons, [10, 20, 50, 100])
        self.assertEqual(r.meta['labels']['horizon_set'], 'tlob')
        self.assertEqual(g.meta['labels']['method'], 'deeplob')
        self.assertEqual(r.meta['labels']['method'], 'tlob')
        for e in (g, r):
            lab = e.meta['labels']
            tlob = lab['method'] == 'tlob'
            self.assertEqual(lab['smoothing_window'], [5] * 4 if tlob else lab['horizons'])
            self.assertAlmostEqual(lab['threshold'], lab['threshold_bps'] / 1e4)
            # the labels recomputed from mid.npy and segment.npy: DeepLOB (k = h) or TLOB (window k, horizon h)
            mid, seg, L = np.asarray(e.mid), np.asarray(e.segment), np.asarray(e.labels)
            thr = lab['threshold']
            for hi, h in enumerate(e.horizons):
                k = lab['smoothing_window'][hi]
                lo, up = (k, h) if tlob else (k - 1, k)     # the label of t reads rows t-lo .. t+up
                for t in range(0, e.rows, 7):
                    if t - lo < 0 or t + up >= e.rows or seg[t - lo] != seg[t] or seg[t + up] != seg[t]:
                        self.assertEqual(L[t, hi], LABEL_MISSING)
                        continue
                    if tlob:
                        mm, mp = mid[t - k:t + 1].mean(), mid[t + h - k:t + h + 1].mean()
                    else:
                        mm, mp = mid[t + 1 - k:t + 1].mean(), mid[t + 1:t + k + 1].mean()
                    x = (mp - mm) / mm
                    if abs(abs(x) - thr) > 1e-12:
                        self.assertEqual(L[t, hi], 1 if x > thr else -1 if x < -thr else 0, 'row %d h %d' % (t, h))
            self.assertTrue(len(set(np.unique(L[:, 0])) - {LABEL_MISSING}) == 3, 'all three classes occur')


@unittest.skipUnless(GEN and REAL, 'run by test/ml/ml.sh')
class TestDatasets(unittest.TestCase):
    def check_items(self, e, ds, log, split):
        first, rows = e.split_range(split)
        seg = np.asarray(e.segment)
        for a, b, w, k in log:
            self.assertTrue(first <= a <= b == w and w + k < first + rows, (a, b, w, k))
            self.assertEqual(seg[a], seg[b], 'a window crosses a segment')
            self.assertNotEqual(int(e.labels[w, e.horizon_index(k)]), LABEL_MISSING)

    def test_deeplob_dataset(self):
        import torch
        from marketprism.dataset import DeepLOBDataset
        for d in (GEN, REAL):
            e = load_export(d)
            for split in ('train', 'val', 'test'):
                log = []
                ds = DeepLOBDataset(e, horizon=e.horizons[0], split=split, normalize='train', access_log=log)
                self.assertGreater(len(ds), 10, (d, split))
                for i in range(0, len(ds), max(1, len(ds) // 50)):
                    x, y = ds[i]
                    self.assertEqual(tuple(x.shape), (1, ds.T, 4 * LEVELS))
                    self.assertTrue(torch.isfinite(x).all() and y in (0, 1, 2))
                self.check_items(e, ds, log, split)
        # windows of the whole export are exactly mpexport's deeplob_windows with a label
        e = load_export(GEN)
        w = e.window_ends(e.meta['deeplob']['window'])
        self.assertTrue(np.array_equal(w, np.asarray(e.deeplob_windows)))

    def test_heatmap_and_stack_datasets(self):
        from marketprism.dataset import HeatmapDataset, StackDataset
        e = load_export(GEN)
        log = []
        hd = HeatmapDataset(e, horizon=10, split='train', access_log=log)
        x, y = hd[0]
        self.assertEqual(tuple(x.shape), (2, e.meta['heatmap']['bins']))
        self.check_items(e, hd, log, 'train')
        log = []
        sd = StackDataset(e, horizon=10, split='test', access_log=log)
        self.assertGreater(len(sd), 0)
        for i in range(len(sd)):
            x, y = sd[i]
            s, w = int(sd.items[i]), int(sd.rows[i])
            self.assertLessEqual(int(e.timestamps[w]), int(e.stack_timestamps[s]))
        self.assertEqual(tuple(x.shape), tuple(e.stack.shape[1:]))
        self.check_items(e, sd, log, 'test')

    def test_requirement_image_and_stack_datasets(self):
        # The requirement's heatmap (100 levels, 200 bins), depth image and snapshot stacks with
        # per-frame features, through the same Datasets: shapes, values, and no label looks ahead.
        # (a comment, not a docstring: unittest -v would print it and ml.sh parses the lines)
        from marketprism.dataset import HeatmapDataset, StackDataset
        e = load_export(GEN)
        req = e.meta['requirement_artefacts']
        self.assertEqual((req['heatmap']['levels'], req['heatmap']['bins']), (100, 200))
        for src, width in (('reqheatmap', 200), ('depthimage', 100)):
            log = []
            ds = HeatmapDataset(e, horizon=10, split='train', access_log=log, source=src)
            self.assertGreater(len(ds), 10)
            for i in range(0, len(ds), max(1, len(ds) // 20)):
                x, y = ds[i]
                self.assertEqual(tuple(x.shape), (2, width))
                w = log[-1][0]
                # the item is the row's image, sides first
                self.assertTrue(np.array_equal(x.numpy(), np.asarray(getattr(e, src)[w], dtype=np.float32).T))
            self.check_items(e, ds, log, 'train')
        # heatmap mass = the size of the best 100 levels per side; depth image in [0, 1] with a 1
        rh, di = np.asarray(e.reqheatmap), np.asarray(e.depthimage)
        ok = np.isfinite(rh[:, 0, 0])
        self.assertTrue(ok.sum() > 100)
        self.assertTrue(np.allclose(rh[ok].sum(axis=1) > 0, True))
        self.assertTrue(((di[ok] >= 0) & (di[ok] <= 1)).all() and np.allclose(di[ok].max(axis=(1, 2)), 1.0))
        lo, hi = np.asarray(e.reqheatmap_range)[ok].T
        self.assertTrue((hi > lo).all())
        log = []
        sd = StackDataset(e, horizon=10, split='test', access_log=log, source='reqstack', features=True)
        self.assertGreater(len(sd), 0)
        for i in range(len(sd)):
            (x, f), y = sd[i]
            s, w = int(sd.items[i]), int(sd.rows[i])
            self.assertLessEqual(int(e.timestamps[w]), int(e.reqstack_timestamps[s]))
        self.assertEqual(tuple(x.shape), (req['stack']['frames'], 200, 2))
        self.assertEqual(tuple(f.shape), (req['stack']['frames'], len(req['stack']['frame_features'])))
        self.check_items(e, sd, log, 'test')
        # a frame's features describe the book of that frame: its mid column lies between the heatmap range
        mid = req['stack']['frame_features'].index('mid')
        fr = np.asarray(e.reqstack_features)[:, :, mid]
        self.assertTrue(np.isfinite(fr).all() and (fr > 0).all())
        # the delta flows: window length reached, counts cover the deltas, ratio in [-1, 1]
        fl = np.asarray(e.deltaflow)
        self.assertEqual(fl.shape, (e.rows, 7))
        self.assertEqual(fl[:, 6].max(), 100)
        self.assertTrue((np.abs(fl[:, 3]) <= 1).all())
        self.assertTrue(np.allclose(fl[:, 2], fl[:, 0] - fl[:, 1], rtol=1e-12, atol=1e-9))


class Trainer:
    def train(self, d, **kw):
        import train_deeplob
        log, out = [], io.StringIO()
        r = train_deeplob.run(d, epochs=4, max_train=300, access_log=log, out=out, **kw)
        lines = out.getvalue().strip().split('\n')
        self.assertRegex(lines[-1], r'^trained: \d+ windows, accuracy [0-9.]+, majority baseline [0-9.]+$')
        self.assertLess(r['losses'][-1], r['losses'][0], 'the loss must decrease: %s' % r['losses'])
        # no look-ahead: every row a training step read is at or before its label row,
        # and the label's own future (w + k) is still inside the training split
        e = load_export(d)
        first, rows = e.split_range('train')
        self.assertTrue(log)
        for a, b, w, k in log:
            self.assertTrue(first <= a <= b <= w and w + k < first + rows, (a, b, w, k))
        self.assertEqual(sorted(set(x[2] for x in log)), sorted(set(r['train_items'])))
        return r


@unittest.skipUnless(GEN and REAL, 'run by test/ml/ml.sh')
class TestTraining(Trainer, unittest.TestCase):
    def test_train_gen_store(self):
        self.train(GEN)

    def test_train_real_recording(self):
        self.train(REAL, window=50)


@unittest.skipUnless(SIM, 'run by test/ml/ml_parity.sh')
class TestTrainingSim(Trainer, unittest.TestCase):
    def test_train_mpsim_run(self):
        self.train(SIM, horizon=10)


if __name__ == '__main__':
    unittest.main()
