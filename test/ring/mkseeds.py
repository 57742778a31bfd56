#!/usr/bin/env python3
"""mkseeds.py - write the seed corpus of fuzz_ring_attach (valid 4 KiB rings).

Usage: test/ring/mkseeds.py [OUTDIR]   (default test/fuzz/corpus/fuzz_ring_attach)

Each seed is a compact image (see test/ring/fuzz_image.h): 256 header bytes,
512 hot-slot bytes, then the data area.  The rings are written by a small
Python model of the producer protocol (ring.h, common/ring_impl.h); the unit
test t_fuzz_seeds in test_ring.c checks that the ring code accepts every one.
"""
import os
import struct
import sys

MAGIC = 0x474E49524D50524D
CAP = 4096
MASK = CAP - 1
PAD, GAP, TORN = 0xFFFF, 0xFFFE, 0xFFFD


def a16(n):
    return (n + 15) & ~15


class Ring:
    def __init__(self, policy=0, schema=0x5EED, max_record=1024):
        self.data = bytearray(CAP)
        self.policy, self.schema, self.max_record = policy, schema, max_record
        self.tail = self.head = self.last_seq = self.read_seq = 0
        self.written = self.written_bytes = self.read = 0
        self.dropped = self.full = self.gaps = self.torn = 0
        self.gap_first = self.gap_count = 0

    def hdr(self, pos, length, typ, seq):
        struct.pack_into('<iHHQ', self.data, pos & MASK, length, typ, 0, seq)

    def room(self, end):
        return end + 16 <= self.head + CAP

    def place(self, fs):
        off = self.tail & MASK
        if off + fs > CAP:
            self.hdr(self.tail + CAP - off, 0, 0, 0)
            self.hdr(self.tail, CAP - off, PAD, 0)
            self.tail += CAP - off

    def frame(self, typ, payload, seq, claim=False):
        flen = 16 + len(payload)
        self.place(a16(flen))
        off = self.tail & MASK
        self.data[off + 16:off + 16 + len(payload)] = payload
        if claim:
            self.hdr(self.tail, -flen, 0, seq)
            return
        self.hdr(self.tail + a16(flen), 0, 0, 0)
        self.hdr(self.tail, flen, typ, seq)
        self.tail += a16(flen)

    def fits(self, n):
        end, off = self.tail, self.tail & MASK
        if self.gap_count:
            end += 32
        fs = a16(16 + n)
        if ((end & MASK) + fs) > CAP:
            end += CAP - (end & MASK)
        return self.room(end + fs)

    def write(self, payload, typ=0x100):
        if not self.fits(len(payload)):
            self.full += 1
            if self.policy == 1:
                if not self.gap_count:
                    self.gap_first = self.last_seq + 1
                self.gap_count += 1
                self.dropped += 1
                return False
            raise RuntimeError('full')
        if self.gap_count:
            seq = self.gap_first + self.gap_count
            self.frame(GAP, struct.pack('<QQ', self.gap_first, self.gap_count), seq)
            self.last_seq, self.gap_count = seq, 0
            self.gaps += 1
        self.frame(typ, payload, self.last_seq + 1)
        self.last_seq += 1
        self.written += 1
        self.written_bytes += len(payload)
        return True

    def consume(self, leave=0):
        """Release every committed frame but the last `leave` data frames."""
        frames, pos = [], self.head
        while True:
            length, typ, _, seq = struct.unpack_from('<iHHQ', self.data, pos & MASK)
            if length <= 0:
                break
            frames.append((pos, a16(length), typ, seq))
            pos += a16(length)
        data = [f for f in frames if f[2] not in (PAD, TORN)]
        keep = data[max(0, len(data) - leave)] if leave and data else None
        for pos, fs, typ, seq in frames:
            if keep and pos >= keep[0]:
                break
            self.head = pos + fs
            if typ not in (PAD, TORN):
                self.read_seq = seq
                self.read += typ != GAP

    def image(self, tail=None):
        tail = self.tail if tail is None else tail
        h = struct.pack('<QIIIIQQQIIiIqII64s', MAGIC, 1, 4096, 4096, 128, 8192, CAP, self.schema,
                        self.max_record, self.policy, 4242, 7, 1795490000000000000, 16, 16, b'seed')
        prod = struct.pack('<11Qqii', tail, tail + 16, self.last_seq, self.written, self.written_bytes,
                           self.dropped, self.full, self.gaps, self.torn, self.gap_first, self.gap_count,
                           0, 0, 1)
        cons = struct.pack('<4Qii', self.head, self.read, self.read_seq, 0, 0, 1)
        hot = prod.ljust(128, b'\0') + cons.ljust(128, b'\0') + bytes(256)
        return h.ljust(256, b'\0') + hot + bytes(self.data)


def payload(seq, n):
    return bytes((seq * 7 + i) & 0xFF for i in range(n))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'test/fuzz/corpus/fuzz_ring_attach'
    os.makedirs(out, exist_ok=True)
    seeds = {}

    r = Ring()
    for s in range(1, 6):
        r.write(payload(s, 10 * s))
    seeds['simple'] = r.image()

    r = Ring()
    s = 0
    while r.tail < 3 * CAP + CAP - 300:
        s += 1
        if not r.fits(40 + s % 90):
            r.consume()
        r.write(payload(s, 40 + s % 90))
    r.consume(leave=3)
    for k in range(6):
        s += 1
        r.write(payload(s, 100))        # across the wrap: a padding frame
    seeds['wrapped'] = r.image()

    r = Ring(policy=1)
    s = 0
    while True:
        s += 1
        if not r.write(payload(s, 200)):
            break
    r.write(payload(s, 200))
    r.consume(leave=2)
    r.write(payload(s + 1, 30))         # the gap frame, then this record
    r.write(payload(s + 2, 30))
    seeds['gap'] = r.image()

    r = Ring()
    for s in range(1, 4):
        r.write(payload(s, 50))
    r.frame(0, payload(4, 60), 4, claim=True)   # producer killed mid-write
    seeds['claimed'] = r.image()

    r = Ring()
    r.write(payload(1, 20))
    r.frame(TORN, payload(2, 33), 2)
    r.torn += 1
    r.write(payload(2, 20))
    seeds['torn'] = r.image()

    r = Ring()
    r.write(payload(1, 20))
    t1 = r.tail
    r.write(payload(2, 20))
    r.write(payload(3, 20))
    r.last_seq = 1
    seeds['unpublished'] = r.image(tail=t1)     # killed before publishing its tail

    for name, img in seeds.items():
        with open(os.path.join(out, 'seed_' + name), 'wb') as f:
            f.write(img)
    print('wrote %d seeds to %s' % (len(seeds), out))


if __name__ == '__main__':
    main()
