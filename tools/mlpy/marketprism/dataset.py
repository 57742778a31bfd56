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
    """One heatmap frame per item: x float32 [2, bins] (side, bin) of row w."""

    def __init__(self, export, horizon=None, split=None, access_log=None):
        if export.heatmap is None or export.labels is None:
            raise ValueError('the export needs heatmap.npy and labels.npy')
        self.e = export
        self.k = int(horizon if horizon is not None else export.horizons[0])
        self.h = export.horizon_index(self.k)
        self.ends = export.window_ends(1, self.k, split)
        self.log = access_log

    def __len__(self):
        return len(self.ends)

    def __getitem__(self, i):
        w = int(self.ends[i])
        x = np.nan_to_num(np.array(self.e.heatmap[w], dtype=np.float32), nan=0.0).T
        if self.log is not None:
            self.log.append((w, w, w, self.k))
        return torch.from_numpy(np.ascontiguousarray(x)), int(self.e.labels[w, self.h]) + 1


class StackDataset(Dataset):
    """Stacks of heatmap frames: x float32 [frames, bins, 2] (stack.npy), labelled
    with the last sample row at or before the stack's last frame (its label
    only reads rows after that time)."""

    def __init__(self, export, horizon=None, split=None, access_log=None):
        if export.stack is None or export.labels is None:
            raise ValueError('the export needs stack.npy and labels.npy')
        self.e = export
        self.k = int(horizon if horizon is not None else export.horizons[0])
        self.h = export.horizon_index(self.k)
        ts = np.asarray(export.timestamps)
        st = np.asarray(export.stack_timestamps)
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
        x = np.nan_to_num(np.array(self.e.stack[s], dtype=np.float32), nan=0.0)
        if self.log is not None:
            self.log.append((w, w, w, self.k))
        return torch.from_numpy(x), int(self.e.labels[w, self.h]) + 1
