// futures.js - mpsim's Binance USD-M and COIN-M futures seen from a client:
// depthUpdate with E, T, U, u and pu (pu = the previous event's u, broken by
// exactly one gap fault), the @depth@500ms and @depth (250 ms) streams' own pu chains, bookTicker,
// aggTrade, markPrice (perpetual and dated), !markPrice@arr[@1s], forceOrder; REST depth limits
// and weights, exchangeInfo's 2400 weight, openInterest, premiumIndex,
// /_sim/book equal to a REST snapshot while paused; spot pairs refused.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const { ok, notOk, check, until, startSim, get, post, connect, done } = require('./lib');

const parse = (t) => { try { return JSON.parse(t); } catch (e) { return null; } };
const dec = (n) => new RegExp(n ? `^\\d+\\.\\d{${n}}$` : '^\\d+$');
const data = (ws, st) => ws.texts.map(parse).filter((m) => m && m.stream === st).map((m) => m.data);

async function usdmStreams(sim) {
  const w = await connect(sim.u, '/stream?streams=btcusdt@depth@100ms/btcusdt@depth@500ms/btcusdt@depth/btcusdt@bookTicker/' +
    'btcusdt@aggTrade/btcusdt@markPrice@1s/btcusdt@forceOrder/btcusdt@markPrice');
  await until(() => data(w, 'btcusdt@depth@100ms').length > 30 && data(w, 'btcusdt@depth@500ms').length > 5 &&
    data(w, 'btcusdt@depth').length > 10 &&
    data(w, 'btcusdt@markPrice@1s').length > 2 && data(w, 'btcusdt@forceOrder').length > 0 &&
    data(w, 'btcusdt@aggTrade').length > 0 && data(w, 'btcusdt@markPrice').length > 0, 20000);
  const d = data(w, 'btcusdt@depth@100ms');
  const d0 = d[0] || {};
  check('usdm_depth_shape', d0.e === 'depthUpdate' && d0.s === 'BTCUSDT' && d0.E > 0 && d0.T > 0 && d0.U <= d0.u &&
    typeof d0.pu === 'number' && d0.b.concat(d0.a).every(([p, q]) => dec(1).test(p) && dec(3).test(q)),
    JSON.stringify(d0).slice(0, 300));
  let chain = d.length > 30;
  for (let i = 1; i < d.length; i++) if (d[i].pu !== d[i - 1].u || d[i].U !== d[i - 1].u + 1) chain = false;
  check('usdm_depth_pu_chain', chain, `${d.length} events`);
  const s = data(w, 'btcusdt@depth@500ms');
  let schain = s.length > 5;
  for (let i = 1; i < s.length; i++) if (s[i].pu !== s[i - 1].u || s[i].U !== s[i - 1].u + 1) schain = false;
  check('usdm_depth500_pu_chain', schain, `${s.length} events: ${JSON.stringify(s.slice(0, 2).map((x) => [x.U, x.u, x.pu]))}`);
  // @depth: the futures' default 250 ms (events after 3, 2, 3, 2 ... steps),
  // its own pu chain, about twice the @depth@500ms events
  const q = data(w, 'btcusdt@depth');
  let qchain = q.length > 10;
  for (let i = 1; i < q.length; i++) if (q[i].pu !== q[i - 1].u || q[i].U !== q[i - 1].u + 1) qchain = false;
  const n5 = data(w, 'btcusdt@depth@500ms').length;
  check('usdm_depth250_pu_chain', qchain && q.length > n5 && q.length <= 2 * n5 + 3,
    `${q.length} events (@depth@500ms ${n5}): ${JSON.stringify(q.slice(0, 2).map((x) => [x.U, x.u, x.pu]))}`);
  const bt = data(w, 'btcusdt@bookTicker')[0] || {};
  check('usdm_bookticker', bt.e === 'bookTicker' && bt.s === 'BTCUSDT' && bt.u > 0 && bt.T > 0 && bt.E > 0 &&
    dec(1).test(bt.b) && dec(3).test(bt.A), JSON.stringify(bt));
  const a = data(w, 'btcusdt@aggTrade')[0] || {};
  check('usdm_aggtrade', a.e === 'aggTrade' && a.f <= a.l && !('M' in a) && typeof a.m === 'boolean', JSON.stringify(a));
  const mk = data(w, 'btcusdt@markPrice@1s');
  const m0 = mk[0] || {};
  check('usdm_markprice', m0.e === 'markPriceUpdate' && m0.s === 'BTCUSDT' && dec(8).test(m0.p) && dec(8).test(m0.i) &&
    dec(8).test(m0.P) && /^-?\d+\.\d{8}$/.test(m0.r) && m0.T > Date.now() && m0.T % (8 * 3600 * 1000) === 0 &&
    Math.abs(Number(m0.p) - Number(m0.i)) < 1, JSON.stringify(m0));
  check('usdm_markprice_rates', mk.length > 2 && data(w, 'btcusdt@markPrice').length < mk.length, `1s ${mk.length}, 3s ${data(w, 'btcusdt@markPrice').length}`);
  const f = (data(w, 'btcusdt@forceOrder')[0] || {}).o || {};
  check('usdm_forceorder', f.s === 'BTCUSDT' && (f.S === 'BUY' || f.S === 'SELL') && dec(1).test(f.p) && f.ap === f.p &&
    dec(3).test(f.q) && Number(f.q) > 0 && f.X === 'FILLED' && f.T > 0, JSON.stringify(f));
  w.close();

  // the all-market mark price arrays: every instrument of the venue, the
  // settlement on each one's interval; 1 s more often than 3 s; raw too
  const am = await connect(sim.u, '/stream?streams=!markPrice@arr@1s/!markPrice@arr');
  const raw = await connect(sim.u, '/ws/!markPrice@arr@1s');
  await until(() => data(am, '!markPrice@arr@1s').length > 2 && data(am, '!markPrice@arr').length > 0 &&
    raw.texts.length > 0, 20000);
  const arr = data(am, '!markPrice@arr@1s')[0] || [];
  const syms = Array.isArray(arr) ? arr.map((x) => x.s).sort().join(',') : '';
  const sol = (Array.isArray(arr) ? arr : []).find((x) => x.s === 'SOLUSDT') || {};
  check('usdm_markprice_arr', syms === 'BNBUSDT,BTCUSDT,ETHUSDT,SOLUSDT' && arr.every((x) => x.e === 'markPriceUpdate' &&
    dec(8).test(x.p) && x.T > Date.now()) && sol.T % (4 * 3600 * 1000) === 0 &&
    data(am, '!markPrice@arr').length < data(am, '!markPrice@arr@1s').length, JSON.stringify(arr).slice(0, 400));
  const r0 = parse(raw.texts[0]);
  check('usdm_markprice_arr_raw', Array.isArray(r0) && r0.length === 4 && r0[0].e === 'markPriceUpdate', raw.texts[0].slice(0, 200));
  am.close();
  raw.close();

  // a gap: exactly one event missing, seen as pu != the previous u
  // on each depth stream (the fault applies to every increment stream)
  const g = await connect(sim.u, '/ws/btcusdt@depth@100ms');
  const g2 = await connect(sim.u, '/ws/btcusdt@depth');
  await g.waitJson((m) => m.e === 'depthUpdate', 5000);
  await g2.waitJson((m) => m.e === 'depthUpdate', 5000);
  await post(sim.u, '/_sim/fault?kind=gap&venue=binance-usdm&symbol=BTC-USDT-SWAP');
  await until(() => g.texts.length > 40 && g2.texts.length > 12, 15000);
  const breaks = (ws) => {
    const ev = ws.texts.map(parse).filter((m) => m && m.e === 'depthUpdate');
    let n = 0;
    for (let i = 1; i < ev.length; i++) if (ev[i].pu !== ev[i - 1].u) n++;
    return [n, ev.length];
  };
  const [b1, n1] = breaks(g), [b2, n2] = breaks(g2);
  check('usdm_gap_breaks_pu_once', b1 === 1, `${b1} breaks in ${n1} events`);
  check('usdm_gap_breaks_depth250_once', b2 === 1, `${b2} breaks in ${n2} events`);
  g.close();
  g2.close();

  // USD-M's routed paths (/public, /market): raw and combined streams as on /ws
  const r = await connect(sim.u, '/public/ws/btcusdt@depth@100ms');
  const rm = await r.waitJson((m) => m.e === 'depthUpdate', 5000);
  check('usdm_route_public_ws', rm && rm.s === 'BTCUSDT', JSON.stringify(rm));
  r.close();
  const rc = await connect(sim.u, '/market/stream?streams=btcusdt@markPrice@1s');
  const cm = await rc.waitJson((m) => m.stream === 'btcusdt@markPrice@1s' && m.data.e === 'markPriceUpdate', 10000);
  check('usdm_route_market_stream', !!cm, rc.texts.slice(0, 2).join(' '));
  rc.close();
}

async function usdmRest(sim) {
  const r1 = await get(sim.u, '/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
  const w1 = +r1.headers['x-mbx-used-weight-1m'];
  const r2 = await get(sim.u, '/fapi/v1/depth?symbol=BTCUSDT&limit=5');
  const w2 = +r2.headers['x-mbx-used-weight-1m'];
  check('usdm_rest_depth_1000', r1.status === 200 && r1.json.bids.length === 1000 && r1.json.asks.length === 1000 &&
    r1.json.E > 0 && r1.json.T > 0 && r1.json.lastUpdateId > 0, `${r1.status} ${r1.body.slice(0, 120)}`);
  check('usdm_rest_depth_weights', w2 - w1 === 2 && w1 >= 20, `after 1000: ${w1}, after 5: ${w2}`);
  const bad = await get(sim.u, '/fapi/v1/depth?symbol=BTCUSDT&limit=7');
  check('usdm_rest_depth_bad_limit', bad.status === 400 && bad.json && bad.json.code === -1130, bad.body);
  const info = await get(sim.u, '/fapi/v1/exchangeInfo');
  const rl = info.json && info.json.rateLimits.find((x) => x.rateLimitType === 'REQUEST_WEIGHT');
  const sy = info.json && info.json.symbols.find((x) => x.symbol === 'BTCUSDT');
  check('usdm_rest_exchangeinfo', rl && rl.limit === 2400 && sy && sy.contractType === 'PERPETUAL' && sy.status === 'TRADING' &&
    sy.filters.find((x) => x.filterType === 'PRICE_FILTER').tickSize === '0.1', info.body.slice(0, 300));
  const oi = await get(sim.u, '/fapi/v1/openInterest?symbol=BTCUSDT');
  check('usdm_rest_open_interest', oi.status === 200 && oi.json.symbol === 'BTCUSDT' && dec(3).test(oi.json.openInterest) &&
    oi.json.time > 0, oi.body);
  const miss = await get(sim.u, '/fapi/v1/openInterest');
  check('usdm_rest_open_interest_no_symbol', miss.status === 400 && miss.json.code === -1102, miss.body);
  const pi = await get(sim.u, '/fapi/v1/premiumIndex?symbol=BTCUSDT');
  const pa = await get(sim.u, '/fapi/v1/premiumIndex');
  check('usdm_rest_premium_index', pi.status === 200 && pi.json.symbol === 'BTCUSDT' && dec(8).test(pi.json.markPrice) &&
    dec(8).test(pi.json.lastFundingRate) && pi.json.nextFundingTime > Date.now() && Array.isArray(pa.json) && pa.json.length === 4,
    `${pi.body} / ${pa.body.slice(0, 100)}`);
  // fundingInfo lists the adjusted perpetuals only (weight 0: the used weight
  // does not grow; a new window may reset it): SOL at 4 h,
  // BNB at 8 h with its cap adjusted; BTC and ETH keep the default 8 h
  // unlisted.  Settlement times follow each one's interval.
  const fb = +(await get(sim.u, '/fapi/v1/ping')).headers['x-mbx-used-weight-1m'];
  const fi = await get(sim.u, '/fapi/v1/fundingInfo');
  const fa = +fi.headers['x-mbx-used-weight-1m'];
  const fl = (fi.json || []).map((x) => `${x.symbol}:${x.fundingIntervalHours}:${x.adjustedFundingRateCap}`).sort();
  check('usdm_rest_funding_info', fi.status === 200 && JSON.stringify(fl) === '["BNBUSDT:8:0.02000000","SOLUSDT:4:0.03000000"]' &&
    fa <= fb, `${fi.body} weight ${fb} -> ${fa}`);
  const h = 3600 * 1000;
  const nf = Object.fromEntries((pa.json || []).map((x) => [x.symbol, x.nextFundingTime]));
  check('usdm_funding_times_by_interval', nf.SOLUSDT % (4 * h) === 0 && nf.SOLUSDT - Date.now() <= 4 * h &&
    nf.BTCUSDT % (8 * h) === 0 && nf.BNBUSDT % (8 * h) === 0, JSON.stringify(nf));
  // paused: REST depth and /_sim/book give the same book at the same id
  await post(sim.u, '/_sim/pause');
  const bk = await get(sim.u, '/_sim/book?venue=binance-usdm&symbol=BTC-USDT-SWAP&depth=500');
  const rs = await get(sim.u, '/fapi/v1/depth?symbol=BTCUSDT&limit=500');
  check('usdm_sim_book_equals_rest', bk.status === 200 && rs.status === 200 && bk.json.update_id === rs.json.lastUpdateId &&
    JSON.stringify(bk.json.bids) === JSON.stringify(rs.json.bids) && JSON.stringify(bk.json.asks) === JSON.stringify(rs.json.asks),
    `${bk.body.slice(0, 120)} / ${rs.body.slice(0, 120)}`);
  await post(sim.u, '/_sim/resume');
}

async function coinm(sim) {
  const w = await connect(sim.c, '/stream?streams=btcusd_perp@depth@100ms/btcusd_perp@bookTicker/btcusd_perp@markPrice@1s/' +
    'btcusd_240927@markPrice@1s/btcusd_perp@forceOrder');
  await until(() => data(w, 'btcusd_perp@depth@100ms').length > 10 && data(w, 'btcusd_240927@markPrice@1s').length > 1 &&
    data(w, 'btcusd_perp@markPrice@1s').length > 1 && data(w, 'btcusd_perp@forceOrder').length > 0, 20000);
  const d = data(w, 'btcusd_perp@depth@100ms');
  const d0 = d[0] || {};
  let chain = d.length > 10;
  for (let i = 1; i < d.length; i++) if (d[i].pu !== d[i - 1].u) chain = false;
  check('coinm_depth_shape', d0.e === 'depthUpdate' && d0.s === 'BTCUSD_PERP' && d0.ps === 'BTCUSD' && d0.T > 0 &&
    d0.b.concat(d0.a).every(([p, q]) => dec(1).test(p) && dec(0).test(q)) && chain, JSON.stringify(d0).slice(0, 300));
  const bt = data(w, 'btcusd_perp@bookTicker')[0] || {};
  check('coinm_bookticker', bt.e === 'bookTicker' && bt.ps === 'BTCUSD' && dec(0).test(bt.B), JSON.stringify(bt));
  const mp = data(w, 'btcusd_perp@markPrice@1s')[0] || {};
  const md = data(w, 'btcusd_240927@markPrice@1s')[0] || {};
  check('coinm_markprice_perpetual', mp.s === 'BTCUSD_PERP' && dec(8).test(mp.p) && dec(8).test(mp.r) && mp.T > 0, JSON.stringify(mp));
  check('coinm_markprice_dated', md.s === 'BTCUSD_240927' && dec(8).test(md.p) && md.r === '' && md.T === 0, JSON.stringify(md));
  const f = (data(w, 'btcusd_perp@forceOrder')[0] || {}).o || {};
  check('coinm_forceorder', f.s === 'BTCUSD_PERP' && f.ps === 'BTCUSD' && dec(0).test(f.q), JSON.stringify(f));
  w.close();
  const oi = await get(sim.c, '/dapi/v1/openInterest?symbol=BTCUSD_PERP');
  check('coinm_rest_open_interest', oi.status === 200 && oi.json.pair === 'BTCUSD' && oi.json.contractType === 'PERPETUAL' &&
    dec(0).test(oi.json.openInterest), oi.body);
  const pi = await get(sim.c, '/dapi/v1/premiumIndex?symbol=BTCUSD_240927');
  check('coinm_rest_premium_index', pi.status === 200 && Array.isArray(pi.json) && pi.json.length === 1 &&
    pi.json[0].lastFundingRate === '' && pi.json[0].nextFundingTime === 0, pi.body);
  const fi = await get(sim.c, '/dapi/v1/fundingInfo');
  check('coinm_rest_funding_info_none_adjusted', fi.status === 200 && fi.body === '[]', fi.body);
  const dp = await get(sim.c, '/dapi/v1/depth?symbol=BTCUSD_PERP&limit=50');
  check('coinm_rest_depth', dp.status === 200 && dp.json.symbol === 'BTCUSD_PERP' && dp.json.pair === 'BTCUSD' &&
    dp.json.bids.length === 50 && +dp.headers['x-mbx-used-weight-1m'] >= 2, dp.body.slice(0, 200));
  const sp = await get(sim.c, '/api/v3/depth?symbol=BTCUSD_PERP');
  check('coinm_rest_spot_path_404', sp.status === 404, `${sp.status}`);
  // the routes are USD-M's: COIN-M refuses them like any unknown path
  const cr = await connect(sim.c, '/public/ws/btcusd_perp@depth@100ms').then(() => 'upgraded', (e) => e.message);
  check('coinm_no_routes', /^upgrade refused: 404/.test(cr), cr);
  const bk = await get(sim.c, '/_sim/book?venue=binance-coinm&symbol=BTC-USD-240927&depth=3');
  check('coinm_sim_book', bk.status === 200 && bk.json.symbol === 'BTC-USD-240927' && bk.json.bids.length === 3, bk.body);
}

(async () => {
  const exe = path.isAbsolute(process.env.BIN || 'bin') ? path.join(process.env.BIN, 'mpsim') :
    path.join(process.env.MP_ROOT || path.resolve(__dirname, '../..'), process.env.BIN || 'bin', 'mpsim');
  const r = spawnSync(exe, ['--binance-usdm-symbols', 'BTC-USDT'], { encoding: 'utf8', timeout: 20000 });
  check('futures_spot_symbol_refused', r.status === 2 && /not a perpetual/.test(r.stderr), `${r.status} ${r.stderr}`);
  let sim;
  try {
    sim = await startSim(['--levels', '1500', '--binance-usdm-symbols', 'BTC-USDT-SWAP,ETH-USDT-SWAP,SOL-USDT-SWAP,BNB-USDT-SWAP',
      '--binance-coinm-symbols', 'BTC-USD-SWAP,BTC-USD-240927']);
  } catch (e) { notOk('futures_sim_start', e.message); return done(); }
  check('futures_ready_ports', sim.u > 0 && sim.c > 0 && sim.u !== sim.c, JSON.stringify({ u: sim.u, c: sim.c }));
  for (const t of [usdmStreams, usdmRest, coinm]) {
    try { await t(sim); } catch (e) { notOk(t.name, e.stack); }
  }
  done();
})();
