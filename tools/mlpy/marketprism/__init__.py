"""marketprism - read MarketPrism-C's research exports from Python.

- load_export(dir): mpexport's .npy arrays (memory-mapped) and metadata.json
- read_lobster(dir): the LOBSTER message/orderbook files of an export
- DeepLOBDataset, HeatmapDataset, StackDataset (need torch): windows that never
  cross a gap-free segment or a split, rows with missing labels (-128) skipped

Only numpy is needed for the loader and the LOBSTER reader; torch only for the
datasets (marketprism.dataset).
"""
from .export import Export, load_export, LABEL_MISSING
from .lobster import LobsterFile, read_lobster, read_lobster_pair

__all__ = ['Export', 'load_export', 'LABEL_MISSING', 'LobsterFile', 'read_lobster', 'read_lobster_pair']
