#!/usr/bin/env bash
# rest.sh - mpsim's REST endpoints driven with curl: shapes, weights and the
# X-MBX-USED-WEIGHT-1M header, 429 then 418 with Retry-After past the
# 6000/min budget, OKX books/books-full/instruments and the books-full limit,
# errors, injected REST faults, and the control API.
. "$(dirname "$0")/../lib.sh"

start_sim() { # args...: sets B, O
	local out="$T_TMP/ready.$RANDOM"
	bg "$BIN/mpsim" --binance-port 0 --okx-port 0 "$@" >"$out" 2>>"$T_TMP/mpsim.log"
	wait_for 10 grep -q 'mpsim ready' "$out" || { not_ok mpsim_start "no ready line"; exit 1; }
	B=$(sed -n 's/.*binance=\([0-9]*\).*/\1/p' "$out")
	O=$(sed -n 's/.*okx=\([0-9]*\).*/\1/p' "$out")
}
# hget PORT PATH: headers to $T_TMP/h, body to $T_TMP/b, prints status
hget() { curl -s -o "$T_TMP/b" -D "$T_TMP/h" -w '%{http_code}' "http://127.0.0.1:$1$2"; }
hpost() { curl -s -o "$T_TMP/b" -D "$T_TMP/h" -w '%{http_code}' -X POST "http://127.0.0.1:$1$2"; }
hdr() { grep -i "^$1:" "$T_TMP/h" | head -1 | sed 's/^[^:]*: *//; s/\r$//'; }
# res NAME: ok/not ok from the status of the command list just run
res() { if [ "$?" = 0 ]; then ok "$1"; else not_ok "$1" "${2:-condition failed}"; fi; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T_TMP/b')); print($1)"; }

# Timer rate 1: the 60 s weight window cannot roll over during this test.
start_sim --seed 5 --timer-rate 1

# exchangeInfo
st=$(hget "$B" /api/v3/exchangeInfo)
[ "$st" = 200 ] && [ "$(hdr X-MBX-USED-WEIGHT-1M)" = 20 ] &&
	[ "$(jq_ "[r['limit'] for r in d['rateLimits'] if r['rateLimitType']=='REQUEST_WEIGHT'][0]")" = 6000 ] &&
	[ "$(jq_ "[f['tickSize'] for s in d['symbols'] if s['symbol']=='BTCUSDT' for f in s['filters'] if f['filterType']=='PRICE_FILTER'][0]")" = 0.01000000 ] &&
	[ "$(jq_ "[f['stepSize'] for s in d['symbols'] if s['symbol']=='BTCUSDT' for f in s['filters'] if f['filterType']=='LOT_SIZE'][0]")" = 0.00001000 ]; res binance_exchangeinfo
st=$(hget "$B" '/api/v3/exchangeInfo?symbol=ETHUSDT')
[ "$st" = 200 ] && [ "$(jq_ "[s['symbol'] for s in d['symbols']]")" = "['ETHUSDT']" ]; res binance_exchangeinfo_symbol
st=$(hget "$B" '/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D')
[ "$st" = 200 ] && [ "$(jq_ "len(d['symbols'])")" = 2 ]; res binance_exchangeinfo_symbols

# depth: shape, strings, weights by limit
st=$(hget "$B" '/api/v3/depth?symbol=BTCUSDT&limit=5000')
[ "$st" = 200 ] && [ "$(jq_ "(len(d['bids']), len(d['asks']))")" = "(5000, 5000)" ] &&
	[ "$(jq_ "all(len(p.split('.')[1])==8 and len(q.split('.')[1])==8 for p,q in d['bids']+d['asks'])")" = True ] &&
	[ "$(jq_ "all(float(d['bids'][i][0])>float(d['bids'][i+1][0]) for i in range(4999)) and all(float(d['asks'][i][0])<float(d['asks'][i+1][0]) for i in range(4999)) and float(d['bids'][0][0])<float(d['asks'][0][0])")" = True ] &&
	[ "$(jq_ "isinstance(d['lastUpdateId'], int) and sorted(d.keys())==['asks','bids','lastUpdateId']")" = True ]; res binance_depth_5000
w0=$(hdr X-MBX-USED-WEIGHT-1M)
prev=$w0; okw=1
for lw in "100 5" "500 25" "1000 50" "1001 250" "7000 250"; do
	set -- $lw
	st=$(hget "$B" "/api/v3/depth?symbol=ETHUSDT&limit=$1")
	now=$(hdr X-MBX-USED-WEIGHT-1M)
	[ "$st" = 200 ] && [ $((now - prev)) = "$2" ] || { okw=0; echo "limit $1: status $st weight $prev -> $now" >&2; }
	prev=$now
done
[ "$okw" = 1 ] && [ "$(jq_ "len(d['bids'])")" = 5000 ]; res binance_depth_weights
st=$(hget "$B" '/api/v3/depth?symbol=NOPEUSDT')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = -1121 ]; res binance_depth_bad_symbol
st=$(hget "$B" '/api/v3/depth')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = -1102 ]; res binance_depth_missing_symbol
st=$(hget "$B" '/api/v3/depth?symbol=BTCUSDT&limit=abc')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = -1100 ]; res binance_depth_bad_limit

# the budget: spend up to 6000, then 429 with Retry-After, then 418 (ban)
used=$(hget "$B" /api/v3/ping >/dev/null; hdr X-MBX-USED-WEIGHT-1M)
n=0
while [ $((used + 250)) -le 6000 ]; do
	st=$(hget "$B" '/api/v3/depth?symbol=BTCUSDT&limit=1001'); used=$(hdr X-MBX-USED-WEIGHT-1M); n=$((n + 1))
	[ "$st" = 200 ] || break
done
[ "$st" = 200 ] && [ "$used" -le 6000 ] && [ "$used" -gt 5750 ]; res binance_budget_spent_without_429
st=$(hget "$B" '/api/v3/depth?symbol=BTCUSDT&limit=1001')
ra=$(hdr Retry-After)
[ "$st" = 429 ] && [ "$(jq_ "d['code']")" = -1003 ] && [ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 60 ]; res binance_429_retry_after
st=$(hget "$B" '/api/v3/depth?symbol=BTCUSDT&limit=5')
ra=$(hdr Retry-After)
[ "$st" = 418 ] && [ -n "$ra" ] && [ "$ra" -ge 100 ] && [ "$ra" -le 120 ]; res binance_418_after_ignoring_429
st=$(hget "$B" /api/v3/ping)
[ "$st" = 418 ] && [ -n "$(hdr Retry-After)" ]; res binance_418_while_banned
hget "$B" /_sim/stats >/dev/null
[ "$(jq_ "d['binance']['http_429'], d['binance']['http_418'] >= 2, d['binance']['weight_used_1m_max'] > 6000, d['binance']['banned_until_ms'] > 0, d['binance']['rest_by_path']['/api/v3/depth'] > 20")" = "1 True True True True" ]; res binance_stats_budget

# OKX REST
st=$(hget "$O" '/api/v5/public/instruments?instType=SPOT')
[ "$st" = 200 ] && [ "$(jq_ "d['code']")" = 0 ] &&
	[ "$(jq_ "[(i['instId'], i['tickSz'], i['lotSz']) for i in d['data']]")" = "[('BTC-USDT', '0.1', '0.00000001'), ('ETH-USDT', '0.01', '0.000001')]" ]; res okx_instruments
st=$(hget "$O" '/api/v5/public/instruments')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = 50014 ]; res okx_instruments_needs_type
# the other kinds exist (clients such as ccxt ask for all of them); the market has none of them
st=$(hget "$O" '/api/v5/public/instruments?instType=SWAP')
[ "$st" = 200 ] && [ "$(jq_ "(d['code'], d['data'])")" = "('0', [])" ]; res okx_instruments_swap_empty
st=$(hget "$O" '/api/v5/public/instruments?instType=OPTION&uly=BTC-USD')
[ "$st" = 200 ] && [ "$(jq_ "(d['code'], d['data'])")" = "('0', [])" ]; res okx_instruments_option_empty
st=$(hget "$O" '/api/v5/public/instruments?instType=OPTION')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = 50014 ]; res okx_instruments_option_needs_family
st=$(hget "$O" '/api/v5/public/instruments?instType=PERP')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = 51000 ]; res okx_instruments_bad_type
st=$(hget "$O" '/api/v5/market/books?instId=BTC-USDT&sz=400')
[ "$st" = 200 ] && [ "$(jq_ "(len(d['data'][0]['bids']), len(d['data'][0]['asks']), isinstance(d['data'][0]['seqId'], int))")" = "(400, 400, True)" ] &&
	[ "$(jq_ "all(len(l)==4 and not ('.' in x and x.endswith('0')) and not x.endswith('.') for l in d['data'][0]['bids'] for x in l[:2])")" = True ]; res okx_books_400
st=$(hget "$O" '/api/v5/market/books?instId=BTC-USDT')
[ "$st" = 200 ] && [ "$(jq_ "len(d['data'][0]['bids'])")" = 1 ]; res okx_books_default_sz_1
st=$(hget "$O" '/api/v5/market/books?instId=BTC-USDT&sz=401')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = 51000 ]; res okx_books_sz_limit
st=$(hget "$O" '/api/v5/market/books?instId=XXX-USDT&sz=5')
[ "$st" = 400 ] && [ "$(jq_ "d['code']")" = 51001 ]; res okx_books_bad_inst
st=$(hget "$O" '/api/v5/market/books-full?instId=BTC-USDT&sz=5000')
[ "$st" = 200 ] && [ "$(jq_ "(len(d['data'][0]['bids']), len(d['data'][0]['asks']), len(d['data'][0]['bids'][0]), 'seqId' in d['data'][0])")" = "(5000, 5000, 3, False)" ]; res okx_books_full_5000
st=$(hget "$O" '/api/v5/market/books-full?instId=BTC-USDT&sz=5001')
[ "$st" = 400 ]; res okx_books_full_sz_limit
# 10 requests / 2 s (two already used above in this window or the last)
# 25 requests on one connection: even split across two 2 s windows, one side has more than 10
urls=(); for i in $(seq 1 25); do urls+=("http://127.0.0.1:$O/api/v5/market/books-full?instId=ETH-USDT&sz=1"); done
codes=$(curl -s -o /dev/null -w '%{http_code} ' "${urls[@]}")
for i in $(seq 1 15); do st=$(hget "$O" '/api/v5/market/books-full?instId=ETH-USDT&sz=1'); [ "$st" = 429 ] && break; done
case "$codes" in *429*) true ;; *) false ;; esac && [ "$st" = 429 ] && [ "$(jq_ "d['code']")" = 50011 ]; res okx_books_full_rate_limit

# injected REST faults
hpost "$B" '/_sim/fault?kind=rest_5xx&venue=binance&code=502' >/dev/null
st=$(hget "$B" /api/v3/time)
[ "$st" = 502 ]; res fault_rest_5xx
hpost "$O" '/_sim/fault?kind=rest_429&venue=okx&ms=3000' >/dev/null
st=$(hget "$O" '/api/v5/public/time')
[ "$st" = 429 ] && [ "$(jq_ "d['code']")" = 50011 ]; res fault_rest_429_okx
hpost "$O" '/_sim/fault?kind=rest_418&venue=okx' >/dev/null
st=$(hget "$O" '/api/v5/public/time')
[ "$st" = 418 ]; res fault_rest_418_okx
hpost "$O" '/_sim/fault?kind=rest_slow&venue=okx&ms=700' >/dev/null
t0=$(date +%s%N); st=$(hget "$O" '/api/v5/public/time'); t1=$(date +%s%N)
[ "$st" = 200 ] && [ $(((t1 - t0) / 1000000)) -ge 700 ]; res fault_rest_slow
st=$(hget "$O" '/api/v5/public/time')
[ "$st" = 200 ]; res fault_rest_once

# second instance for the Binance injected 429/418 (the first one is banned)
start_sim --seed 6
hpost "$B" '/_sim/fault?kind=rest_429&venue=binance&ms=4000' >/dev/null
st=$(hget "$B" '/api/v3/depth?symbol=BTCUSDT&limit=5')
[ "$st" = 429 ] && [ "$(hdr Retry-After)" = 4 ]; res fault_rest_429_binance
hpost "$B" '/_sim/fault?kind=rest_418&venue=binance&n=2' >/dev/null
s1=$(hget "$B" /api/v3/ping); s2=$(hget "$B" /api/v3/ping); s3=$(hget "$B" /api/v3/ping)
[ "$s1 $s2 $s3" = "418 418 200" ] && [ -n "$(hdr X-MBX-USED-WEIGHT-1M)" ]; res fault_rest_418_binance_n2
hget "$B" /_sim/stats >/dev/null
[ "$(jq_ "d['binance']['faults_injected']['rest_429'], d['binance']['faults_injected']['rest_418']")" = "1 2" ]; res fault_counters

# control API
st=$(hget "$O" '/_sim/book?venue=binance&symbol=BTCUSDT&depth=3')
[ "$st" = 200 ] && [ "$(jq_ "(d['venue'], d['symbol'], len(d['bids']), len(d['asks']))")" = "('binance', 'BTC-USDT', 3, 3)" ]; res ctl_book_depth
st=$(hget "$B" '/_sim/book?venue=okx&symbol=ETH-USDT')
[ "$st" = 200 ] && [ "$(jq_ "len(d['bids']) >= 6000 and len(d['asks']) >= 6000")" = True ]; res ctl_book_full
st=$(hget "$B" '/_sim/book?venue=kraken&symbol=BTC-USDT')
[ "$st" = 400 ]; res ctl_book_bad_venue
st=$(hget "$B" '/_sim/fault?kind=gap&venue=binance')
[ "$st" = 405 ]; res ctl_fault_needs_post
st=$(hpost "$B" '/_sim/fault?kind=nonsense&venue=binance')
[ "$st" = 400 ]; res ctl_fault_bad_kind
hpost "$B" /_sim/pause >/dev/null
a=$(curl -s "http://127.0.0.1:$B/_sim/book?venue=binance&symbol=BTC-USDT&depth=20")
sleep 0.3
b=$(curl -s "http://127.0.0.1:$B/_sim/book?venue=binance&symbol=BTC-USDT&depth=20")
[ "$a" = "$b" ]; res ctl_pause_freezes
st=$(hpost "$B" '/_sim/step?n=5')
c=$(curl -s "http://127.0.0.1:$B/_sim/book?venue=binance&symbol=BTC-USDT&depth=20")
[ "$st" = 200 ] && [ "$c" != "$b" ]; res ctl_step_advances
hpost "$B" /_sim/resume >/dev/null
[ "$(jq_ "d['paused']")" = False ]; res ctl_resume

# HTTP details: keep-alive (two requests, one connection), unknown path
out=$(curl -sv "http://127.0.0.1:$B/api/v3/ping" "http://127.0.0.1:$B/api/v3/time" 2>&1)
case "$out" in *"Re-using existing connection"*) true ;; *) false ;; esac; res http_keepalive
st=$(hget "$B" /api/v3/nothing)
[ "$st" = 404 ]; res http_unknown_path

# Reference data clients load at start (ccxt's loadMarkets): Deribit
# currencies and instruments by currency/kind, Bybit options (none), OKX
# futures' expiry
out="$T_TMP/ready.ref"
bg "$BIN/mpsim" --binance-port 0 --okx-port 0 --symbols BTC-USDT,BTC-USD-261225 --bybit-symbols BTC-USDT \
	--deribit-port 0 --deribit-symbols BTC-USD-SWAP,BTC-USD-261225,BTC-261225-60000-C,ETH-USDC-SWAP >"$out" 2>>"$T_TMP/mpsim.log"
wait_for 10 grep -q 'mpsim ready' "$out" || { not_ok mpsim_start "no ready line"; exit 1; }
RO=$(sed -n 's/.*okx=\([0-9]*\).*/\1/p' "$out"); RY=$(sed -n 's/.*bybit=\([0-9]*\).*/\1/p' "$out")
RD=$(sed -n 's/.*deribit=\([0-9]*\).*/\1/p' "$out")
st=$(hget "$RD" /api/v2/public/get_currencies)
[ "$st" = 200 ] && [ "$(jq_ "[c['currency'] for c in d['result']]")" = "['BTC', 'USDC']" ]; res deribit_get_currencies
st=$(hget "$RD" '/api/v2/public/get_instruments?currency=BTC&kind=future')
[ "$st" = 200 ] && [ "$(jq_ "[(i['instrument_name'], i['settlement_currency'], i['counter_currency'], i['instrument_type'], i['expiration_timestamp']) for i in d['result']]")" = \
	"[('BTC-PERPETUAL', 'BTC', 'USD', 'reversed', 32503708800000), ('BTC-25DEC26', 'BTC', 'USD', 'reversed', 1798185600000)]" ]; res deribit_instruments_currency_kind
st=$(hget "$RD" '/api/v2/public/get_instruments?currency=USDC')
[ "$st" = 200 ] && [ "$(jq_ "[(i['instrument_name'], i['settlement_currency'], i['instrument_type']) for i in d['result']]")" = "[('ETH_USDC-PERPETUAL', 'USDC', 'linear')]" ]; res deribit_instruments_linear
st=$(hget "$RD" '/api/v2/public/get_instruments?kind=option')
[ "$st" = 200 ] && [ "$(jq_ "[(i['instrument_name'], i['strike'], i['option_type']) for i in d['result']]")" = "[('BTC-25DEC26-60000-C', 60000, 'call')]" ]; res deribit_instruments_option
st=$(hget "$RD" '/api/v2/public/get_instruments?currency=any&expired=true')
[ "$st" = 200 ] && [ "$(jq_ "d['result']")" = "[]" ]; res deribit_instruments_expired_none
st=$(hget "$RD" '/api/v2/public/get_instruments?kind=perp')
[ "$st" = 400 ] && [ "$(jq_ "d['error']['code']")" = -32602 ]; res deribit_instruments_bad_kind
st=$(hget "$RY" '/v5/market/instruments-info?category=option&baseCoin=BTC')
[ "$st" = 200 ] && [ "$(jq_ "(d['retCode'], d['result']['category'], d['result']['list'])")" = "(0, 'option', [])" ]; res bybit_instruments_option_empty
st=$(hget "$RY" '/v5/market/instruments-info?category=futures')
[ "$st" = 200 ] && [ "$(jq_ "d['retCode']")" = 10001 ]; res bybit_instruments_bad_category
st=$(hget "$RO" '/api/v5/public/instruments?instType=FUTURES')
[ "$st" = 200 ] && [ "$(jq_ "[(i['instId'], i['expTime']) for i in d['data']]")" = "[('BTC-USD-261225', '1798185600000')]" ]; res okx_futures_exptime

# TLS: https with the self-signed certificate on the same ports as plain http
start_sim --seed 7 --tls --tls-cert-out "$T_TMP/cert.pem"
st=$(curl -s -o "$T_TMP/b" -w '%{http_code}' --cacert "$T_TMP/cert.pem" "https://127.0.0.1:$B/api/v3/depth?symbol=BTCUSDT&limit=5")
[ "$st" = 200 ] && [ "$(jq_ "len(d['bids'])")" = 5 ]; res tls_https_binance
st=$(curl -s -o "$T_TMP/b" -w '%{http_code}' --cacert "$T_TMP/cert.pem" "https://localhost:$O/api/v5/market/books?instId=ETH-USDT&sz=2")
[ "$st" = 200 ] && [ "$(jq_ "d['data'][0]['seqId'] > 0")" = True ]; res tls_https_okx_localhost
st=$(hget "$B" /api/v3/ping)
[ "$st" = 200 ]; res tls_port_still_serves_http
curl -s -o /dev/null "https://127.0.0.1:$B/api/v3/ping"; r=$?
[ "$r" = 60 ]; res tls_unknown_ca_rejected_by_client

# --help documents every option; bad flags are refused
help=$("$BIN/mpsim" --help)
okh=1
for o in --binance-port --okx-port --bind --seed --rate --timer-rate --symbols --levels --okx-legacy-checksum --okx-legacy-format \
	--okx-no-snapshot --paused --faults --log-level --volatility --conn-lifetime --tls --tls-cert --tls-key --tls-cert-out; do
	echo "$help" | grep -q -- "$o" || { okh=0; echo "missing $o" >&2; }
done
[ "$okh" = 1 ]; res help_documents_options
"$BIN/mpsim" --bind 10.0.0.1 >/dev/null 2>&1; r1=$?
"$BIN/mpsim" --faults 'gap@nowhere' >/dev/null 2>&1; r2=$?
"$BIN/mpsim" --rate 0 >/dev/null 2>&1; r3=$?
"$BIN/mpsim" --tls-cert-out x.pem >/dev/null 2>&1; r4=$?
[ "$r1 $r2 $r3 $r4" = "2 2 2 2" ]; res bad_flags_refused
