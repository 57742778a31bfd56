#!/usr/bin/python3
"""train_deeplob.py - train a small DeepLOB-style CNN on an mpexport export (CPU).

usage: train_deeplob.py EXPORT_DIR [--horizon K] [--window T] [--epochs N]
                        [--batch B] [--lr X] [--max-train N] [--seed S]

The export needs deeplob, labels and --split (train/val/test rows and the
training-split statistics used to normalize every split).  Trains on the train
split, reports accuracy per label class on the test split next to the
majority-class baseline (the most frequent training class, predicted always).
Deterministic: torch.manual_seed, one thread, a seeded shuffle.  The last line
is exactly:  trained: <n> windows, accuracy <a>, majority baseline <b>
"""
import argparse
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from marketprism import load_export                 # noqa: E402
from marketprism.dataset import DeepLOBDataset      # noqa: E402

CLASSES = ('down', 'stationary', 'up')


class DeepLOBSmall(nn.Module):
    """DeepLOB's shape (Zhang et al. 2019) scaled down: three conv blocks that
    fold (price, size) pairs, then sides, then levels; a small inception module;
    an LSTM over time; a linear layer to the 3 classes."""

    def __init__(self, levels, ch=8, hidden=16):
        super().__init__()
        act = nn.LeakyReLU(0.01)

        def block(cin, kernel, stride):
            return nn.Sequential(nn.Conv2d(cin, ch, kernel, stride=stride), act,
                                 nn.Conv2d(ch, ch, (4, 1), padding=(2, 0)), act)
        self.conv = nn.Sequential(block(1, (1, 2), (1, 2)), block(ch, (1, 2), (1, 2)), block(ch, (1, levels), 1))
        self.inc1 = nn.Sequential(nn.Conv2d(ch, ch, 1), act, nn.Conv2d(ch, ch, (3, 1), padding=(1, 0)), act)
        self.inc2 = nn.Sequential(nn.MaxPool2d((3, 1), stride=1, padding=(1, 0)), nn.Conv2d(ch, ch, 1), act)
        self.lstm = nn.LSTM(2 * ch, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 3)

    def forward(self, x):                      # x [B, 1, T, 4L]
        z = self.conv(x)                       # [B, ch, T', 1]
        z = torch.cat([self.inc1(z), self.inc2(z)], dim=1)
        z = z.squeeze(3).permute(0, 2, 1)      # [B, T', 2ch]
        h, _ = self.lstm(z)
        return self.out(h[:, -1])


def even_subset(n, m):
    """m indices spread evenly over range(n) (all when m >= n)."""
    if m is None or m >= n:
        return list(range(n))
    return [int(i) for i in np.linspace(0, n - 1, m).round()]


def run(export_dir, horizon=None, window=None, epochs=4, batch=64, lr=2e-3, max_train=None, seed=0,
        out=sys.stdout, access_log=None):
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    e = load_export(export_dir)
    if 'splits' not in e.meta:
        raise SystemExit('train_deeplob: %s has no splits: export with --split 0.7,0.15,0.15' % export_dir)
    k = int(horizon if horizon is not None else e.horizons[0])
    tr = DeepLOBDataset(e, window=window, horizon=k, split='train', normalize='train', access_log=access_log)
    te = DeepLOBDataset(e, window=window, horizon=k, split='test', normalize='train')
    if len(tr) == 0 or len(te) == 0:
        raise SystemExit('train_deeplob: %d training and %d test windows: the export is too short' % (len(tr), len(te)))
    idx = even_subset(len(tr), max_train)
    train = Subset(tr, idx)
    levels = e.meta['deeplob']['levels']
    model = DeepLOBSmall(levels)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    lossf = nn.CrossEntropyLoss()
    g = torch.Generator()
    g.manual_seed(seed)
    dl = DataLoader(train, batch_size=batch, shuffle=True, generator=g)
    print('export %s: horizon %d samples, window %d, %d train / %d test windows'
          % (export_dir, k, tr.T, len(train), len(te)), file=out)
    losses = []
    for ep in range(epochs):
        model.train()
        tot, n = 0.0, 0
        for x, y in dl:
            opt.zero_grad()
            loss = lossf(model(x), y)
            loss.backward()
            opt.step()
            tot += float(loss) * len(y)
            n += len(y)
        losses.append(tot / n)
        print('epoch %d loss %.4f' % (ep + 1, losses[-1]), file=out)
    model.eval()
    pred, ys = [], []
    with torch.no_grad():
        for x, y in DataLoader(te, batch_size=256):
            pred.append(model(x).argmax(1).numpy())
            ys.append(y.numpy())
    pred, ys = np.concatenate(pred), np.concatenate(ys)
    ytr = tr.labels()[idx]
    major = int(np.bincount(ytr, minlength=3).argmax())
    acc = float((pred == ys).mean())
    base = float((ys == major).mean())
    for c in range(3):
        m = ys == c
        print('class %-10s test n=%5d accuracy %s' % (CLASSES[c], int(m.sum()),
              '%.4f' % float((pred[m] == c).mean()) if m.any() else 'n/a'), file=out)
    print('majority class (train): %s' % CLASSES[major], file=out)
    print('trained: %d windows, accuracy %.4f, majority baseline %.4f' % (len(train), acc, base), file=out)
    return dict(losses=losses, accuracy=acc, baseline=base, windows=len(train), horizon=k, window=tr.T,
                train_range=e.split_range('train'), train_items=[int(tr.ends[i]) for i in idx])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('export')
    ap.add_argument('--horizon', type=int, help='label horizon in samples (default: the first exported)')
    ap.add_argument('--window', type=int, help='window length T (default: the export\'s)')
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--max-train', type=int, help='at most this many training windows (spread evenly)')
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    run(a.export, a.horizon, a.window, a.epochs, a.batch, a.lr, a.max_train, a.seed)


if __name__ == '__main__':
    main()
