"""lobster.py - a reader for LOBSTER message/orderbook CSV files.

LOBSTER (lobsterdata.com, "Output structure"): the message file has six columns
(time in seconds after midnight, event type, order id, size, price x 10000,
direction); row k of the orderbook file is the book after message k: ask price
1, ask size 1, bid price 1, bid size 1, ... with empty levels written as ask
price 9999999999 / bid price -9999999999, size 0.  The reader works on any
LOBSTER pair; read_lobster() reads the pairs an mpexport run wrote
(metadata.json lobster.files).
"""
import json
import os
import re

import numpy as np

ASK_NONE = 9999999999
BID_NONE = -9999999999
_NAME = re.compile(r'^(?P<ticker>[^_]+)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<start>\d+)_(?P<end>\d+)_message_(?P<levels>\d+)\.csv$')


class LobsterFile:
    """One message/orderbook pair as numpy arrays.

    time_ns: int64 nanoseconds after midnight (exact, parsed from the decimal
    text); time: float64 seconds; type, order_id, size, price, direction:
    int64; book: int64 [rows, 4 * levels]; ask_px/ask_sz/bid_px/bid_sz: views
    [rows, levels]."""

    def __init__(self, message, orderbook, date=None, ticker=None):
        self.message_path, self.orderbook_path = message, orderbook
        m = _NAME.match(os.path.basename(message))
        self.ticker = ticker or (m.group('ticker') if m else None)
        self.date = date or (m.group('date') if m else None)
        t, cols = [], []
        with open(message) as f:
            for line in f:
                p = line.rstrip('\n').split(',')
                if len(p) != 6:
                    raise ValueError('%s: %d columns, LOBSTER messages have 6' % (message, len(p)))
                s, _, frac = p[0].partition('.')
                t.append(int(s) * 10**9 + int((frac + '000000000')[:9]))
                cols.append([int(x) for x in p[1:]])
        self.time_ns = np.array(t, dtype=np.int64)
        self.time = self.time_ns / 1e9
        c = np.array(cols, dtype=np.int64).reshape(-1, 5)
        self.type, self.order_id, self.size, self.price, self.direction = (c[:, i] for i in range(5))
        self.book = np.loadtxt(orderbook, delimiter=',', dtype=np.int64, ndmin=2)
        if len(self.book) != len(self.time_ns):
            raise ValueError('%s has %d rows, %s %d' % (orderbook, len(self.book), message, len(self.time_ns)))
        if self.book.shape[1] % 4:
            raise ValueError('%s: %d columns, not 4 per level' % (orderbook, self.book.shape[1]))
        self.levels = self.book.shape[1] // 4
        self.ask_px, self.ask_sz = self.book[:, 0::4], self.book[:, 1::4]
        self.bid_px, self.bid_sz = self.book[:, 2::4], self.book[:, 3::4]

    def __len__(self):
        return len(self.time_ns)

    def epoch_ns(self):
        """Absolute times (ns since the Unix epoch), from the file's date."""
        day = np.datetime64(self.date, 'D').astype('datetime64[ns]').astype(np.int64)
        return self.time_ns + day


def read_lobster_pair(message, orderbook=None):
    """One pair; the orderbook path defaults to the message path with 'message' -> 'orderbook'."""
    if orderbook is None:
        d, b = os.path.split(message)
        orderbook = os.path.join(d, b.replace('_message_', '_orderbook_'))
    return LobsterFile(message, orderbook)


def read_lobster(export_dir):
    """Every LOBSTER pair of an mpexport directory, in time order (metadata.json lobster.files)."""
    with open(os.path.join(export_dir, 'metadata.json')) as f:
        meta = json.load(f)
    lob = meta.get('lobster')
    if lob is None:
        raise ValueError('%s: no LOBSTER files (mpexport --what ...,lobster)' % export_dir)
    d = os.path.join(export_dir, lob.get('directory', 'lobster'))
    return [LobsterFile(os.path.join(d, x['message']), os.path.join(d, x['orderbook']), date=x['date'])
            for x in lob['files']]
