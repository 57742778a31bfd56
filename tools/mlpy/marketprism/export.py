"""export.py - mpexport's output directory: memory-mapped .npy files + metadata.json.

The arrays are described in tools/mpexport/README.md and in the directory's
metadata.json (shapes, dtypes, columns, gaps, segments, labels, splits).
"""
import json
import os

import numpy as np

LABEL_MISSING = -128

_ARRAYS = ('timestamps', 'ids', 'mid', 'segment', 'deeplob', 'deeplob_windows', 'deeplob_x', 'features',
           'heatmap', 'stack', 'stack_timestamps', 'labels', 'label_returns', 'mlfeatures',
           # the requirement's own artefacts (mpexport --what req, tools/mpexport/req.h)
           'reqheatmap', 'reqheatmap_range', 'depthimage', 'deltaflow', 'market',
           'reqstack', 'reqstack_features', 'reqstack_timestamps')


class Export:
    """One book's export.  Arrays are attributes (None when not written), opened
    with numpy.load(mmap_mode='r') so nothing is read until it is used."""

    def __init__(self, path, mmap=True):
        self.path = path
        with open(os.path.join(path, 'metadata.json')) as f:
            self.meta = json.load(f)
        for name in _ARRAYS:
            p = os.path.join(path, name + '.npy')
            setattr(self, name, np.load(p, mmap_mode='r' if mmap else None) if os.path.exists(p) else None)
        self.rows = int(self.meta['samples'])

    @property
    def ml_columns(self):
        """Column names of mlfeatures.npy (mpexport --what mlfeatures: the ml_features routerd publishes)."""
        return list(self.meta['mlfeatures']['columns']) if 'mlfeatures' in self.meta else []

    # ---- labels ----
    @property
    def horizons(self):
        """Label horizons in samples, in the column order of labels.npy."""
        return list(self.meta['labels']['horizons']) if 'labels' in self.meta else []

    def horizon_index(self, horizon):
        return self.horizons.index(int(horizon))

    # ---- splits ----
    def split_range(self, name):
        """(first_row, rows) of split 'train', 'val' or 'test'; the whole export for None."""
        if name is None:
            return 0, self.rows
        sp = self.meta.get('splits')
        if not sp:
            raise ValueError('the export has no splits (mpexport --split A,B,C)')
        return int(sp[name]['first_row']), int(sp[name]['rows'])

    def norm_stats(self, what='deeplob'):
        """(mean, std) float64 arrays of the training split (metadata splits.normalization)."""
        n = self.meta['splits']['normalization'][what]
        mean = np.array([np.nan if v is None else v for v in n['mean']], dtype=np.float64)
        std = np.array([np.nan if v is None else v for v in n['std']], dtype=np.float64)
        return mean, std

    # ---- windows ----
    def window_ends(self, window, horizon=None, split=None):
        """Rows w such that rows w-window+1 .. w are one gap-free segment, and
        (horizon given) the label of w for that horizon exists and every row
        it reads (up to w+horizon) is inside the split as well.  int64 array."""
        first, rows = self.split_range(split)
        seg = np.asarray(self.segment)
        lo, hi = first, first + rows          # [lo, hi)
        w = np.arange(lo + window - 1, hi, dtype=np.int64)
        if len(w) == 0:
            return w
        w = w[seg[w] == seg[w - window + 1]]  # segments are runs: equal ends => one segment
        if horizon is not None:
            k = int(horizon)
            h = self.horizon_index(k)
            w = w[w + k < hi]
            w = w[np.asarray(self.labels)[w, h] != LABEL_MISSING]
        return w


def load_export(path, mmap=True):
    """The export in directory path (for a multi-book export, OUT/<exchange>/<SYMBOL>)."""
    return Export(path, mmap=mmap)
