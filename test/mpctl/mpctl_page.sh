#!/usr/bin/env bash
# test/mpctl/mpctl_page.sh - the live page in headless Chromium: it must render the
# process, book and ring tables from live /health data and draw a depth chart
# per book from /api/book (books published on NATS by the stand-in feedd, the
# way routerd publishes orderbook.snapshot.*).  Screenshot:
# build/test-logs/mpctl_page.png.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROME" ] || { skip page "chromium not installed (make deps)"; exit 0; }
command -v nats-server >/dev/null || { skip page "nats-server not installed"; exit 0; }
mp_sandbox
NATS_PORT=$(free_port)
MP_EXTRA=(--set mpctl.nats_embedded=true --set "nats.url=nats://127.0.0.1:$NATS_PORT")
echo "nats://127.0.0.1:$NATS_PORT" >"$CD/feedd.binance.publish"
echo "book.router 100" >"$CD/bookd.produce"
cat >>"$CD/bookd.metrics" <<'EOF'
counter mp_book_received_updates_total exchange="binance",symbol="BTC-USDT" 9990
counter mp_book_lost_updates_total exchange="binance",symbol="BTC-USDT" 10
counter mp_book_expected_updates_total exchange="binance",symbol="BTC-USDT" 10000
counter mp_book_refreshes_total exchange="binance",symbol="BTC-USDT" 4
counter mp_book_refresh_discrepancies_total exchange="binance",symbol="BTC-USDT" 0
gauge mp_book_exact_levels_bid exchange="okx",symbol="BTC-USDT" 300
gauge mp_book_exact_levels_ask exchange="okx",symbol="BTC-USDT" 280
gauge mp_book_asof_levels_bid exchange="okx",symbol="BTC-USDT" 4700
gauge mp_book_asof_levels_ask exchange="okx",symbol="BTC-USDT" 4620
gauge mp_book_deep_as_of_ns exchange="okx",symbol="BTC-USDT" 1765000000123000000
counter mp_book_top_agree_total exchange="okx",symbol="BTC-USDT" 12
counter mp_book_top_disagree_total exchange="okx",symbol="BTC-USDT" 0
counter mp_book_top_not_comparable_total exchange="okx",symbol="BTC-USDT" 1
counter mp_book_window_agree_total exchange="okx",symbol="BTC-USDT" 3
EOF
mp_start
wait_for 30 mp_all_ready || not_ok page_setup "$(mpctl status 2>&1)"

book_ok() {
	curl -sf "http://127.0.0.1:$MP_PORT/api/book?exchange=binance&symbol=BTC-USDT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d["bids"]) == 20 and len(d["asks"]) == 20 and float(d["bids"][0][0]) < float(d["asks"][0][0]), d'
}
if wait_for 15 book_ok; then ok api_book_from_nats; else not_ok api_book_from_nats "$(curl -s "http://127.0.0.1:$MP_PORT/api/book?exchange=binance&symbol=BTC-USDT")"; fi
# the full book with every level and its exact range; the heatmap frames against an independent
# computation of the requirement's heatmap (best 100 levels, 200 bins over their range) in numpy
full_ok() {
	curl -sf "http://127.0.0.1:$MP_PORT/api/book?depth=full&exchange=binance&symbol=BTC-USDT" >"$T_TMP/full.json" &&
	curl -sf "http://127.0.0.1:$MP_PORT/api/heatmap?exchange=binance&symbol=BTC-USDT" >"$T_TMP/heat.json" &&
	/usr/bin/python3 - "$T_TMP/full.json" "$T_TMP/heat.json" <<'EOF'
import json, sys
from fractions import Fraction as F
import numpy as np
d, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(d["bids"]) == 300 and len(d["asks"]) == 300 and d["update_type"] == "full_refresh", (len(d["bids"]), d.get("update_type"))
assert d["bid_exact_floor"] == d["bids"][199][0] and d["ask_exact_ceil"] == d["asks"][199][0], (d["bid_exact_floor"], d["ask_exact_ceil"])
b = [(F(p), F(q)) for p, q in d["bids"][:100]]
a = [(F(p), F(q)) for p, q in d["asks"][:100]]
lo, hi = b[-1][0], a[-1][0]
want = np.zeros((200, 2))
for side, lv in ((0, b), (1, a)):
    for p, q in lv:
        want[min(199, int((p - lo) * 200 // (hi - lo))), side] += float(q)
fr = [f for f in h["frames"] if f["source"] == "full" and f["price_lo"] == float(lo) and f["price_hi"] == float(hi)]
assert h["bins"] == 200 and h["levels"] == 100 and h["bad_messages"] == 0 and fr, (h["bins"], h["bad_messages"], len(fr))
got = np.array([fr[-1]["bid"], fr[-1]["ask"]]).T
assert np.array_equal(got, want.astype(np.float32).astype(float)), np.argwhere(got != want)[:3]
assert any(f["source"] == "snapshot" for f in h["frames"])
EOF
}
if wait_for 15 full_ok; then ok api_full_book_and_heatmap
else not_ok api_full_book_and_heatmap "$(head -c 300 "$T_TMP/full.json"; head -c 300 "$T_TMP/heat.json")"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MP_PORT/api/heatmap?exchange=okx&symbol=XRP-USDT")
[ "$code" = 404 ] && ok api_heatmap_unknown_404 || not_ok api_heatmap_unknown_404 "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MP_PORT/api/book?exchange=okx&symbol=XRP-USDT")
[ "$code" = 404 ] && ok api_book_unknown_404 || not_ok api_book_unknown_404 "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MP_PORT/ctl/stop")
[ "$code" = 403 ] && ok no_control_over_tcp || not_ok no_control_over_tcp "HTTP $code"

chrome() {
	timeout $((60 * T_WAIT_SCALE)) "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T_TMP/chrome-$1" --window-size=1400,2500 --virtual-time-budget=6000 "${@:2}" \
		"http://127.0.0.1:$MP_PORT/" 2>>"$T_TMP/chrome.err"
}
chrome dom --dump-dom >"$T_TMP/dom.html"
if python3 - "$T_TMP/dom.html" <<'EOF'
import re, sys
dom = open(sys.argv[1]).read()
def row(id_):
    m = re.search(r'<tr id="%s">(.*?)</tr>' % re.escape(id_), dom, re.S)
    assert m, "no row " + id_
    return re.findall(r'<td[^>]*>(.*?)</td>', m.group(1))
for p in ("nats-server", "stored", "routerd", "bookd", "feedd.binance", "feedd.okx"):
    cells = row("proc-" + p)
    assert cells[0] == p and cells[2] == "ready" and int(cells[1]) > 0, cells
b = row("book-binance-BTC-USDT"); assert b[1] == "yes" and b[2] == "5000", b
assert b[10] == "10 / 10000" and b[12] == "0.10%", b     # loss: missing / expected, since start (b[4]: exact bid / ask)
# deep-book truth (issue 10): known depth beside exact, the audits a venue counts, as-of levels and their time
assert b[15] == "refreshes 4, 0 differ" and b[16] == "-", b
o = row("book-okx-BTC-USDT")
assert o[4] == "300 / 280" and o[5] == "5.60% (known 98.00%)", o
assert o[15] == "books5 12 ok, 0 differ, 1 n/c; REST window 3 ok, 0 differ", o
assert re.fullmatch(r"4700 / 4620 @ \d\d:\d\d:\d\d\.123Z", o[16]), o
r = row("ring-book.router"); assert r[1] == "100", r
assert 'id="status" class="ok"' in dom, "status not ok"
m = re.search(r'id="chart-binance-BTC-USDT".*?class="info">(.*?)</span>', dom, re.S)
assert m and re.match(r"bid \d+\.5 / ask \d+\.5 . 300\+300 levels \(full_refresh\) . exact \d+\.50 \.\. \d+\.50$", m.group(1)), m and m.group(1)
# what the canvases drew (the page counts the pixels): the shaded exact range in the depth chart, the heatmap
m = re.search(r'id="chart-binance-BTC-USDT"([^>]*)>', dom)
at = dict(re.findall(r'data-([a-z-]+)="([0-9]+)"', m.group(1)))
assert at.get("depth-levels") == "600", at
# exact range: levels 0..199 of 300 a side, about 2/3 of the 600 px width x 186 px height
assert int(at.get("shaded-px", 0)) > 30000, at
assert int(at.get("heat-frames", 0)) >= 3 and int(at.get("heat-px", 0)) > 5000, at
assert re.search(r'data-polls="[1-9]', dom), "page did not poll"
crit = re.findall(r'<tr id="crit-([a-z0-9_]+)">', dom)
assert len(crit) == 14 and "incremental_loss_rate" in crit and "disk_write_bytes_per_s" in crit, crit
m = row("crit-memory_bytes"); assert m[1] == "&lt; 2000 MB" and m[3] == "yes", m
assert "counts since 20" in dom, "no counters_since in the header"
EOF
then ok page_renders_live_data; else not_ok page_renders_live_data "see $T_TMP/dom.html"; cp "$T_TMP/dom.html" "$MP_ROOT/build/test-logs/mpctl_page.dom.html"; fi

shot="$MP_ROOT/build/test-logs/mpctl_page.png"
rm -f "$shot"
chrome shot --screenshot="$shot" >/dev/null
if [ -s "$shot" ] && python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n" and len(d) > 20000, len(d)' "$shot"; then ok page_screenshot
else not_ok page_screenshot "$(tail -3 "$T_TMP/chrome.err")"; fi
mpctl stop >/dev/null
