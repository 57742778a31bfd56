#!/usr/bin/python3
"""test/fuzz/seed.py - turn recordings and a short mpsim run into libFuzzer
seeds, one file per input, under OUT/<target>/ (see seed.sh).

  seed.py frames OUT TAG FILE...   capture lines "<ns> <exchange> ws|rest:<path>
                                   <payload>" (.zst read with zstd -dc): a
                                   sample of every frame kind per venue, for the
                                   venue parsers; their numbers for fuzz_fx;
                                   their REST paths as requests for mpsim
  seed.py records OUT RINGFILE...  records from ring files' data areas: a few
                                   of each record type, for fuzz_rec
  seed.py messages OUT DUMP        routerd's JSON (mpsub --dump: subject TAB
                                   body): books, updates, for fuzz_mpsub_parse
  seed.py segment OUT FILE NAME    the head of a store segment, for fuzz_store
  seed.py ringimg OUT RINGFILE...  a real ring cut to 16 KiB and 64 KiB of data
                                   (capacity, max_record and the positions set to
                                   match; no live pids) in the compact image form
                                   of fuzz_ring_attach (test/ring/fuzz_image.h)
  seed.py bookops OUT FILE...      Binance depth/bookTicker frames as programs
                                   of fuzz_bookd_sync (its op encoding: ids
                                   relative to the book's, prices as ticks
                                   around its mid), for that target

Sampling is deterministic (the first frames of each kind and then evenly
spaced ones), so the corpus is the same on every run.
"""
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

PER_KIND = 4         # frames kept per (venue, kind)
MAX_SEED = 16 << 10  # larger inputs slow a fuzzer down: JSON books are cut below this
SEG_SEED = 64 << 10  # store segment heads and ring images


def put(out, target, tag, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = "%s-%s" % (tag, hashlib.sha1(data).hexdigest()[:12])
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def lines_of(path):
    if path.endswith(".zst"):
        p = subprocess.run(["zstd", "-dc", path], check=True, stdout=subprocess.PIPE)
        data = p.stdout
    else:
        data = open(path, "rb").read()
    return data.split(b"\n")


def kind_of(exchange, where, payload):
    """A frame's kind: the REST path without its query, or the stream /
    channel and action of a WebSocket frame."""
    if where.startswith(b"rest:"):
        return where.split(b"?")[0].decode(errors="replace")
    try:
        j = json.loads(payload)
    except ValueError:
        return "text"
    if not isinstance(j, dict):
        return "other"
    if "stream" in j:   # Binance combined stream: drop the symbol
        return "ws:" + j["stream"].split("@", 1)[-1]
    if "e" in j:
        return "ws:e=" + str(j["e"])
    if "arg" in j:      # OKX
        return "ws:%s:%s" % (j["arg"].get("channel"), j.get("action", j.get("event", "")))
    return "ws:" + ",".join(sorted(j)[:3])


# level arrays: venue frames (bids/asks, b/a), routerd's books and updates
LEVEL_KEYS = ("bids", "asks", "b", "a", "bid_changes", "ask_changes", "bid_updates", "ask_updates")


def cut_book(obj, n):
    """The same JSON with at most n levels per side (bids/asks arrays
    anywhere in it), so a 5000-level snapshot stays a small seed."""
    if isinstance(obj, dict):
        return {k: (v[:n] if k in LEVEL_KEYS and isinstance(v, list) else cut_book(v, n))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [cut_book(x, n) for x in obj]
    return obj


NUM = re.compile(rb'"(-?[0-9]+\.[0-9]+|-?[0-9]+)"')


def frames(out, tag, files):
    kinds = {}
    for path in files:
        for ln in lines_of(path):
            parts = ln.split(b" ", 3)
            if len(parts) != 4:
                continue
            _, exchange, where, payload = parts
            venue = "okx" if exchange.startswith(b"okx") else \
                "binance_fut" if exchange.startswith(b"binance-") else "binance"
            kinds.setdefault((venue, kind_of(exchange, where, payload)), []).append((where, payload))
    nums = set()
    for (venue, kind), frs in sorted(kinds.items()):
        step = max(1, len(frs) // PER_KIND)
        pick = frs[:2] + frs[2::step][:PER_KIND - 2]
        target = "fuzz_feedd_parse_" + venue
        for where, payload in pick:
            if len(payload) > MAX_SEED:
                try:
                    payload = json.dumps(cut_book(json.loads(payload), 50), separators=(",", ":")).encode()
                except ValueError:
                    payload = payload[:MAX_SEED]
            put(out, target, tag + "-" + re.sub(r"[^a-z0-9]+", "_", kind.lower()), payload)
            # a Binance combined-stream frame also as the raw stream's form
            try:
                j = json.loads(payload)
                if isinstance(j, dict) and "stream" in j and "data" in j:
                    put(out, target, tag + "-raw", json.dumps(j["data"], separators=(",", ":")).encode())
            except ValueError:
                pass
            for m in NUM.findall(payload)[:40]:
                nums.add(m)
            if where.startswith(b"rest:"):
                # the same request, as a client would send it to mpsim
                req = b"GET " + where[5:] + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n"
                put(out, "fuzz_mpsim_http", tag + "-rest", (b"\x01" if venue == "okx" else b"\x00") + req)
    # numbers at their own exponent (the count of decimals), and one off
    for m in sorted(nums, key=lambda s: (len(s), s))[::max(1, len(nums) // 60)]:
        dec = len(m.split(b".")[1]) if b"." in m else 0
        put(out, "fuzz_fx", tag, bytes([dec]) + m)
        put(out, "fuzz_fx", tag, bytes([(dec + 1) % 19]) + m)
    print("%s: %d frame kinds, %d numbers" % (tag, len(kinds), len(nums)))


def records(out, files):
    RING_DATA_OFF, FRAME_HDR, ALIGN = 8192, 16, 16
    kept = {}
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        cap = len(data) - RING_DATA_OFF
        pos = 0
        while pos + FRAME_HDR <= cap:
            ln, typ, _flags, _seq = struct.unpack_from("<iHHQ", data, RING_DATA_OFF + pos)
            if ln <= 0 or pos + ln > cap:
                break
            if typ < 0xff00 and ln > FRAME_HDR:   # a record, not the ring's own frames
                rec = data[RING_DATA_OFF + pos + FRAME_HDR:RING_DATA_OFF + pos + ln]
                rlen = struct.unpack_from("<I", rec, 8)[0] if len(rec) >= 12 else 0
                k = kept.setdefault(typ, [])
                if len(k) < PER_KIND and 0 < rlen <= len(rec) and rlen <= SEG_SEED:
                    k.append(rec[:rlen])
            pos += (ln + ALIGN - 1) // ALIGN * ALIGN
    for typ, recs in sorted(kept.items()):
        for r in recs:
            put(out, "fuzz_rec", "ring-type%d" % typ, r)
    print("records: %s" % {t: len(r) for t, r in sorted(kept.items())})


def small(b, limit=MAX_SEED, levels=50):
    """A routerd message below limit: level arrays cut, counts kept true."""
    if len(b) <= limit:
        return b
    j = cut_book(json.loads(b), levels)
    if "depth_levels" in j:
        j["depth_levels"] = len(j.get("bids") or []) + len(j.get("asks") or [])
    for side in ("bid", "ask"):
        if "total_%s_changes" % side in j:
            j["total_%s_changes" % side] = len(j.get("%s_updates" % side) or [])
    return json.dumps(j, separators=(",", ":")).encode()


def messages(out, dump):
    """Single messages of every family, and per book a sequence (one message
    a line, as the target reads them): its first full book, then the deltas
    that follow it."""
    per, seqs = {}, {}
    for ln in open(dump, "rb").read().split(b"\n"):
        if b"\t" not in ln:
            continue
        subject, body = ln.split(b"\t", 1)
        if not subject.startswith(b"orderbook."):
            continue
        fam = subject.split(b".")[1].decode(errors="replace")
        book = b".".join(subject.split(b".")[2:])
        k = per.setdefault(fam, [])
        if len(k) < 2 * PER_KIND:
            k.append(body)
        q = seqs.get(book)
        if fam == "full" and q is None:
            seqs[book] = [small(body, 2048, 10)]
        elif fam == "delta" and q is not None and len(q) < 12:
            q.append(small(body, 1024, 5))
    for fam, bodies in sorted(per.items()):
        for b in bodies:
            put(out, "fuzz_mpsub_parse", "mpsim-" + fam, small(b))
    for book, q in sorted(seqs.items()):
        put(out, "fuzz_mpsub_parse", "mpsim-seq-" + book.decode(errors="replace"), b"\n".join(q))
    print("messages: %s, sequences: %d" % ({f: len(b) for f, b in sorted(per.items())}, len(seqs)))


def segment(out, path, name):
    with open(path, "rb") as f:
        head = f.read(SEG_SEED - 1)
    put(out, "fuzz_store", "mpsim-" + name, b"\x00" + head)
    print("segment %s: %d bytes" % (name, len(head)))


def ringimg(out, files):
    RING_DATA_OFF, HOT_OFF, FRAME_HDR, ALIGN = 8192, 4096, 16, 16
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        for cap in (16384, 65536):
            area = bytearray(data[RING_DATA_OFF:RING_DATA_OFF + cap])
            pos, first_seq, last_seq, n, nbytes = 0, None, 0, 0, 0
            while pos + FRAME_HDR <= cap:
                ln, typ, _fl, seq = struct.unpack_from("<iHHQ", area, pos)
                end = pos + (ln + ALIGN - 1) // ALIGN * ALIGN
                if ln <= 0 or end > cap:
                    break
                if first_seq is None:
                    first_seq = seq
                last_seq = seq
                if typ < 0xff00:
                    n += 1
                    nbytes += ln - FRAME_HDR
                pos = end
            if n == 0:
                continue
            area[pos:] = bytes(cap - pos)        # nothing after the tail
            hdr = bytearray(data[:256])
            struct.pack_into("<Q", hdr, 32, cap)                 # capacity
            struct.pack_into("<I", hdr, 48, cap // 4)            # max_record
            hot = bytearray(512)
            # producer line: tail, intent, last_seq, written, written_bytes
            struct.pack_into("<QQQQQ", hot, 0, pos, pos, last_seq, n, nbytes)
            # consumer line (slot 1): head 0, read 0, read_seq before the first frame
            struct.pack_into("<QQQ", hot, 128, 0, 0, first_seq - 1)
            name = os.path.basename(path)
            put(out, "fuzz_ring_attach", "real-%s-%dk" % (name, cap >> 10), bytes(hdr) + bytes(hot) + bytes(area))
            # and with half of it read
            half = 0
            p2 = 0
            while p2 < pos // 2:
                ln = struct.unpack_from("<i", area, p2)[0]
                p2 += (ln + ALIGN - 1) // ALIGN * ALIGN
                half = p2
            seq_half = struct.unpack_from("<Q", area, half + 8)[0] - 1 if half < pos else last_seq
            struct.pack_into("<QQQ", hot, 128, half, 0, seq_half)
            put(out, "fuzz_ring_attach", "real-%s-%dk-read" % (name, cap >> 10), bytes(hdr) + bytes(hot) + bytes(area))
    print("ringimg: %d files" % len(files))


def bookops(out, files):
    """The recording's sequence (snapshot, depth updates with their U/u,
    bookTickers, receive-time steps) in fuzz_bookd_sync's op encoding; see
    run_op() in test/bookd/fuzz_bookd_sync.c."""
    frs = []
    for path in files:
        for ln in lines_of(path):
            parts = ln.split(b" ", 3)
            if len(parts) == 4 and parts[1] == b"binance":
                frs.append((int(parts[0]), parts[2], parts[3]))
    snap = next((json.loads(p) for _, w, p in frs if w.startswith(b"rest:")), None)
    if not snap:
        print("bookops: no REST snapshot")
        return
    mid = (float(snap["bids"][0][0]) + float(snap["asks"][0][0])) / 2

    def lv(bids, asks):
        out_ = []
        for side, levels in ((0, bids), (1, asks)):
            for px, qty in levels[:6]:
                d = min(39, int(abs(float(px) - mid) / 0.01))
                out_ += [(d << 1) | side, 0 if float(qty) == 0 else 1 + int(float(qty) * 100) % 3]
        return bytes([len(out_) // 2]) + bytes(out_)

    snap_op = bytes([2]) + lv(snap["bids"], snap["asks"]) + bytes([0, 4, 1, 0])
    windows = [0, len(frs) // 3, 2 * len(frs) // 3]
    for w, start in enumerate(windows):
        prog = bytearray([0, 0, 0]) + snap_op
        last_u, last_t, ops = None, None, 0
        for t, where, payload in frs[start:]:
            if where.startswith(b"rest:"):
                continue
            try:
                d = json.loads(payload)["data"]
            except (ValueError, KeyError, TypeError):
                continue
            if last_t is not None and t - last_t >= 100000000:
                prog += bytes([7, min(63, (t - last_t) // 100000000)])
            last_t = t
            if d.get("e") == "depthUpdate":
                first = 3 if last_u is None else max(0, min(5, d["U"] - last_u + 2))
                prog += bytes([0]) + lv(d["b"], d["a"]) + bytes([first, min(3, d["u"] - d["U"]), 0])
                last_u = d["u"]
            elif "b" in d and "B" in d:     # bookTicker
                prog += bytes([6, 2, 0, 1, 0, 1])
            else:
                continue
            ops += 1
            if ops >= 150:
                break
        put(out, "fuzz_bookd_sync", "rec-binance-%d" % w, bytes(prog))
    print("bookops: %d programs" % len(windows))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, out = argv[1], argv[2]
    if cmd == "frames":
        frames(out, argv[3], argv[4:])
    elif cmd == "records":
        records(out, argv[3:])
    elif cmd == "messages":
        messages(out, argv[3])
    elif cmd == "ringimg":
        ringimg(out, argv[3:])
    elif cmd == "bookops":
        bookops(out, argv[3:])
    elif cmd == "segment":
        segment(out, argv[3], argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
