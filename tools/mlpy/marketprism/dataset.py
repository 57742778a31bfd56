"""dataset.py - torch Datasets over an mpexport export (needs torch).

Every item is (x, y) with y = label + 1 (0 down, 1 stationary, 2 up) for one
horizon.  The rows an item reads never cross a gap-free segment or the split:
for a window ending at row w and horizon k, rows w-T+1 .. w are the input and
the label (computed by mpexport from rows w-k+1 .. w+k) needs rows up to w+k
inside the same split, so a training label never looks into validation or
test rows.  Rows whose label is -128 (not available) are skipped.

Normalization (normalize='train'): (x - mean) / std with the training-split
statistics of metadata.json (mpexport --split), the same for every split;
NaN (a missing level's price) becomes 0 after normalization.

access_log: when a list is given, every __getitem__ appends
(first_row, last_row, label_row, horizon) so a test can check what was read.
"""
import numpy as np
import torch
from torch.utils.data import Dataset

from .export import LABEL_MISSING


def _norm(export, what, normalize):
    if normalize is None:
        return None, None
    if normalize != 'train':
        raise ValueError("normalize must be None or 'train'")
    mean, std = export.norm_stats(what)
    std = np.where(np.isfinite(std) & (std > 1e-12), std, 1.0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    return mean.astype(np.float32), std.astype(np.float32)


class DeepLOBDataset(Dataset):
    """DeepLOB windows: x float32 [1, T, 4L] (deeplob.npy rows w-T+1 .. w)."""

    def __init__(self, export, window=None, horizon=None, split=None, normalize=None, access_log=None):
        if export.deeplob is None or export.labels is None:
            raise ValueError('the export needs deeplob.npy and labels.npy')
        self.e = export
        self.T = int(window or export.meta['deeplob']['window'])
        self.k = int(horizon if horizon is not None else export.horizons[0])
        self.h = export.horizon_index(self.k)
        self.split = split
        self.ends = export.window_ends(self.T, self.k, split)
        self.mean, self.std = _norm(export, 'deeplob', normalize)
        self.log = access_log

    def __len__(self):
        return len(self.ends)

    def labels(self):
        """Class indices (label + 1) of every item, in item order."""
        return np.asarray(self.e.labels)[self.ends, self.h].astype(np.int64) + 1

    def __getitem__(self, i):
        w = int(self.ends[i])
        x = np.array(self.e.deeplob[w - self.T + 1:w + 1], dtype=np.float32)
        if self.mean is not None:
            x = (x - self.mean) / self.std
        x = np.nan_to_num(x, nan=0.0)
        y = int(self.e.labels[w, self.h])
        assert y != LABEL_MISSING
        if self.log is not None:
            self.log.append((w - self.T + 1, w, w, self.k))
        return torch.from_numpy(x).unsqueeze(0), y + 1


class HeatmapDataset(Dataset):
    """One image per item: x float32 [2, bins] (side, bin) of row w.  source:
    'heatmap' (mpexport's bps bins around mid), 'reqheatmap' (the requirement's
    100-level x 200-bin price-range heatmap) or 'depthimage' (the depth x 2
    image: x [2, levels])."""

    def __init__(self, export, horizon=None, split=None, access_log=None, source='heatmap'):
        if source not in ('heatmap', 'reqheatmap', 'depthimage'):
            raise ValueError("source must be 'heatmap', 'reqheatmap' or 'depthimage'")
        if getattr(export, source) is None or export.labels is None:
            raise ValueError('the export needs %s.npy and labels.npy' % source)
        self.e = export
        self.img = getattr(export, source)
        self.k = int(horizon if horizon is not None else export.horizons[0])
        self.h = export.horizon_index(self.k)
        self.ends = export.window_ends(1, self.k, split)
        self.log = access_log

    def __len__(self):
        return len(self.ends)

    def __getitem__(self, i):
        w = int(self.ends[i])
        x = np.nan_to_num(np.array(self.img[w], dtype=np.float32), nan=0.0).T
        if self.log is not None:
            self.log.append((w, w, w, self.k))
        return torch.from_numpy(np.ascontiguousarray(x)), int(self.e.labels[w, self.h]) + 1


class StackDataset(Dataset):
    """Stacks of heatmap frames: x float32 [frames, bins, 2], labelled with the
    last sample row at or before the stack's last frame (its label only reads
    rows after that time).  source='stack' (stack.npy) or 'reqstack' (the
    requirement's snapshot stacks, reqstack.npy); with features=True (reqstack
    only) an item is ((x, f), y), f float32 [frames, F] the ml_features of each
    frame's book (reqstack_features.npy, NaN -> 0)."""

    def __init__(self, export, horizon=None, split=None, access_log=None, source='stack', features=False):
        if source not in ('stack', 'reqstack'):
            raise ValueError("source must be 'stack' or 'reqstack'")
        if getattr(export, source) is None or export.labels is None:
            raise ValueError('the export needs %s.npy and labels.npy' % source)
        if features and source != 'reqstack':
            raise ValueError('per-frame features come with reqstack only')
        self.e = export
        self.src = getattr(export, source)
        self.feat = export.reqstack_features if features else None
        self.k = int(horizon if horizon is not None else export.horizons[0])
        self.h = export.horizon_index(self.k)
        ts = np.asarray(export.timestamps)
        st = np.asarray(getattr(export, source + '_timestamps'))
        row = np.searchsorted(ts, st, side='right') - 1
        first, rows = export.split_range(split)
        lab = np.asarray(export.labels)
        keep = (row >= first) & (row + self.k < first + rows)
        idx = np.nonzero(keep)[0]
        r = row[idx]
        ok = lab[r, self.h] != LABEL_MISSING
        self.items, self.rows = idx[ok], r[ok]
        self.log = access_log

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        s, w = int(self.items[i]), int(self.rows[i])
        x = torch.from_numpy(np.nan_to_num(np.array(self.src[s], dtype=np.float32), nan=0.0))
        if self.log is not None:
            self.log.append((w, w, w, self.k))
        y = int(self.e.labels[w, self.h]) + 1
        if self.feat is not None:
            return (x, torch.from_numpy(np.nan_to_num(np.array(self.feat[s], dtype=np.float32), nan=0.0))), y
        return x, y
