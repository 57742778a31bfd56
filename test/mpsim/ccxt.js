// ccxt.js - a client nobody here wrote keeps books from mpsim: ccxt pro's
// watchOrderBook, with ccxt's own REST start-up (markets, snapshot), its own
// live-subscribe protocol and its own sync and recovery logic, against mpsim
// on loopback, for every venue and market ccxt supports and mpsim serves
// (Binance spot, USD-M, COIN-M, OKX spot/swap/future, Bybit spot/linear/
// inverse, Deribit perpetual/future; VENUES below, and what ccxt itself
// cannot do, skipped with its reason).  Per venue and instrument: after N updates the book ccxt holds
// equals GET /_sim/book at the same update id (the market is paused, the
// simulator's last id read, and ccxt's nonce waited for: compared at an id,
// not at a time); then a gap and a disconnect once each: ccxt notices (its
// error), recovers by itself (the test only calls watchOrderBook again, as
// any ccxt user does), and is equal again; unwatching unsubscribes.
//
// Usage: node ccxt.js NPM_DIR   (NPM_DIR/node_modules/ccxt, see ccxt.sh)
'use strict';
const { createRequire } = require('module');
const { check, notOk, skip, sleep, until, untilAsync, startSim, get, post, done } = require('./lib');

const NPM_DIR = process.argv[2];
const ccxt = createRequire(`${NPM_DIR}/`)('ccxt');
const N = 30;  // updates ccxt applies before each comparison

// Every REST and WebSocket URL of the client goes to mpsim's port.
function toLoopback(urls, port) {
  for (const k of Object.keys(urls)) {
    if (typeof urls[k] === 'string') urls[k] = urls[k].replace(/^(https|wss):\/\/[^/]+/, (m, s) => `${s === 'https' ? 'http' : 'ws'}://127.0.0.1:${port}`);
    else if (urls[k] && typeof urls[k] === 'object') toLoopback(urls[k], port);
  }
}

// The venues ccxt supports and mpsim serves.  name: the test's name for it;
// sim: mpsim's venue (default name); port: its port.  symbols: [ccxt symbol,
// mpsim symbol, limit given to watchOrderBook (undefined: ccxt's default)].
// depth: the levels /_sim/book is read to, or 0 for every level.  window: the
// book channel keeps the top `depth` levels exactly (mpsim's OKX and Bybit
// window rule: levels leaving the window come as deletes), so the whole window
// is compared; otherwise the range the REST snapshot covers.  gapError: what
// ccxt throws on a gap, or noGap: why a gap is not tested (ccxt does not check
// the venue's sequence).  tapId: where the book's update id is, for a ccxt
// book whose nonce is not the venue's id (the test reads it from the message
// ccxt's handleOrderBook gets, after ccxt handled it; ccxt's behaviour is not
// changed): (message) => [venue symbol, id] or null.
const bybitNoGap = 'ccxt 4.5.84 does not check Bybit\'s sequence (js/src/pro/bybit.js handleOrderBook applies ' +
  'every delta without comparing u to the last one), so a gap is never noticed; not tested';
const bybitTap = (m) => (m && m.data && m.data.s && m.data.u !== undefined ? [m.data.s, m.data.u] : null);
const bybit = (market, symbols) => ({
  name: `bybit_${market}`,
  sim: 'bybit',
  port: (sim) => sim.y,
  // one market type per client: ccxt keys Bybit books by symbol, and loads
  // only that type's instruments (mpsim answers option with an empty list)
  make: () => new ccxt.pro.bybit({ options: { fetchMarkets: { types: [market] } } }),
  symbols,  // limit 1000: mpsim serves orderbook.1000 only (ccxt's default is 50)
  depth: 1000,
  window: true,
  noGap: bybitNoGap,
  tapId: bybitTap,
  // ccxt unsubscribes orderbook.50 (spot) or .500 unless told the limit it watched
  unwatchParams: (w) => ({ limit: w.limit }),
});
const binanceFut = (sim, port, symbols) => ({
  name: sim.replace('-', '_'), sim, port, symbols,
  make: () => new ccxt.pro[sim.replace('-', '')]({}),
  depth: 0,
  gapError: 'ChecksumError',
});
const VENUES = [
  {
    name: 'binance',
    port: (sim) => sim.b,
    // the spot host only: USD-M/COIN-M markets live on other hosts
    make: () => new ccxt.pro.binance({ options: { fetchMarkets: { types: ['spot'] } } }),
    symbols: [['BTC/USDT', 'BTC-USDT', 5000], ['ETH/USDT', 'ETH-USDT', undefined]],
    depth: 0,
    gapError: 'ChecksumError',
  },
  {
    name: 'okx',
    port: (sim) => sim.o,
    make: () => new ccxt.pro.okx({}),
    symbols: [['BTC/USDT', 'BTC-USDT', undefined], ['ETH/USDT', 'ETH-USDT', undefined],
      ['BTC/USDT:USDT', 'BTC-USDT-SWAP', undefined], ['BTC/USD:BTC', 'BTC-USD-SWAP', undefined],
      ['BTC/USD:BTC-261225', 'BTC-USD-261225', undefined]],
    depth: 400,
    window: true,
    gapError: 'InvalidNonce',
  },
  binanceFut('binance-usdm', (sim) => sim.u, [['BTC/USDT:USDT', 'BTC-USDT-SWAP', undefined], ['BTC/USDT:USDT-261225', 'BTC-USDT-261225', undefined]]),
  binanceFut('binance-coinm', (sim) => sim.c, [['BTC/USD:BTC', 'BTC-USD-SWAP', undefined], ['BTC/USD:BTC-261225', 'BTC-USD-261225', undefined]]),
  bybit('spot', [['BTC/USDT', 'BTC-USDT', 1000]]),
  bybit('linear', [['BTC/USDT:USDT', 'BTC-USDT-SWAP', 1000]]),
  bybit('inverse', [['BTC/USD:BTC', 'BTC-USD-SWAP', 1000]]),
  {
    name: 'deribit',
    port: (sim) => sim.d,
    make: () => new ccxt.pro.deribit({}),
    symbols: [['BTC/USD:BTC', 'BTC-USD-SWAP', undefined], ['BTC/USD:BTC-261225', 'BTC-USD-261225', undefined]],
    depth: 0,
    noGap: 'ccxt 4.5.84 does not check Deribit\'s prev_change_id (js/src/pro/deribit.js handleOrderBook applies ' +
      'every message as deltas and sets nonce to its timestamp), so a gap is never noticed; not tested',
    // after a reconnect ccxt applies the new snapshot onto the book it held
    staleAfterReconnect: 'ccxt 4.5.84 keeps the Deribit book across a reconnect (js/src/pro/deribit.js handleOrderBook ' +
      'ignores type "snapshot" and stores its levels as deltas into the old book), so levels that went away while ' +
      'it was disconnected stay in its book',
    // ccxt's nonce is the message's timestamp: the book's id is change_id
    tapId: (m) => {
      const d = m && m.params && m.params.data;
      return d && d.instrument_name && d.change_id !== undefined ? [d.instrument_name, d.change_id] : null;
    },
  },
];

// One watchOrderBook loop, as a ccxt user writes it.  It also tracks the price
// range ccxt can know: a REST snapshot of `limit` levels knows nothing beyond
// its worst level, and ccxt trims its book to its depth at every answer (so
// what lay beyond the trimmed-off level is forgotten).
class Watcher {
  constructor(ex, sym, simSym, limit) {
    Object.assign(this, { ex, sym, simSym, limit });
    this.ob = null; this.nonce = undefined; this.updates = 0; this.sinceError = 0; this.tapped = undefined;
    this.errors = []; this.snapshots = 0; this.floor = -Infinity; this.ceil = Infinity; this.stopped = false;
  }
  start() { this.finished = this.loop(); }
  async loop() {
    while (!this.stopped) {
      try {
        const ob = await this.ex.watchOrderBook(this.sym, this.limit);
        if (this.stopped) break;
        this.ob = ob;
        const depth = this.window ? 0 : ob.bids.depth;
        if (depth && ob.bids.length >= depth) this.floor = Math.max(this.floor, ob.bids[depth - 1][0]);
        if (depth && ob.asks.length >= depth) this.ceil = Math.min(this.ceil, ob.asks[depth - 1][0]);
        if (this.id() !== this.nonce) { this.nonce = this.id(); this.updates++; this.sinceError++; }
      } catch (e) {
        if (this.stopped) break;
        this.errors.push(`${e.constructor.name}: ${String(e.message).slice(0, 160)}`);
        this.sinceError = 0;
        if (this.errors.length > 50) break;
        await sleep(50);  // a client's pause before it asks again, not a wait for a condition
      }
    }
  }
  // the update id of the book ccxt holds: its nonce, or the id tapped from
  // the last message its handler applied (tapId)
  id() { return this.tap ? this.tapped : this.ob && this.ob.nonce; }
  snapshot(s, asked) {
    // a snapshot shorter than asked holds the whole side
    this.snapshots++;
    this.floor = s.bids.length >= asked ? s.bids[s.bids.length - 1][0] : -Infinity;
    this.ceil = s.asks.length >= asked ? s.asks[s.asks.length - 1][0] : Infinity;
  }
}

const num = (levels) => levels.map(([p, q]) => [Number(p), Number(q)]);
function firstDiff(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!a[i] || !b[i] || a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return `#${i}: sim ${JSON.stringify(a[i])} ccxt ${JSON.stringify(b[i])}`;
  }
  return null;
}

// Pause the market, read the simulator's book and id, wait for ccxt to reach
// that id, compare (within the range ccxt can know), resume.
async function compareAt(sim, v, ws, tag) {
  const port = v.port(sim);
  await post(port, '/_sim/pause');
  try {
    for (const w of ws) {
      const name = `ccxt_${v.name}_${w.simSym}_${tag}`;
      const q = `/_sim/book?venue=${simName(v)}&symbol=${w.simSym}${v.depth ? `&depth=${v.depth}` : ''}`;
      const sb = (await get(port, q)).json;
      if (!sb || !sb.paused) { notOk(name, `no paused book: ${JSON.stringify(sb).slice(0, 200)}`); continue; }
      const at = await until(() => w.id() === sb.update_id, 10000);
      check(`${name}_same_update_id`, at, `ccxt ${w.tap ? 'tapped id' : 'nonce'} ${w.id()}, sim update_id ${sb.update_id}`);
      if (!at) continue;
      const sBids = num(sb.bids).filter(([p]) => p >= w.floor), sAsks = num(sb.asks).filter(([p]) => p <= w.ceil);
      const cBids = w.ob.bids.filter(([p]) => p >= w.floor), cAsks = w.ob.asks.filter(([p]) => p <= w.ceil);
      const d = firstDiff(sBids, cBids) || firstDiff(sAsks, cAsks);
      const whole = w.floor === -Infinity && w.ceil === Infinity;
      // the compared range must be a real book, not a handful of levels
      const enough = sBids.length >= 200 && sAsks.length >= 200 && (!v.depth || (sBids.length === v.depth && sAsks.length === v.depth));
      console.log(`# ${name}: update_id ${sb.update_id}, compared ${sBids.length}/${sAsks.length} of ` +
        `${sb.bids.length}/${sb.asks.length} levels (${v.window ? `the top ${v.depth}` : whole ? 'whole book' : `range ${w.floor}..${w.ceil}`})`);
      if (d && tag === 'after_disconnect' && v.staleAfterReconnect) {
        skip(`${name}_book_equal`, `${v.staleAfterReconnect}: ${d}`);
        // what ccxt holds is then the simulator's book plus levels at prices
        // the new snapshot does not have (mpsim's snapshot itself is right)
        const sides = [[sBids, cBids], [sAsks, cAsks]].map(([sl, cl]) => {
          const qty = new Map(sl.map(([p, q]) => [p, q])), have = new Map(cl.map(([p, q]) => [p, q]));
          return { missing: sl.filter(([p, q]) => have.get(p) !== q).length, stale: cl.filter(([p]) => !qty.has(p)).length };
        });
        check(`${name}_stale_levels_only`, sides.every((x) => x.missing === 0),
          `simulator levels absent or different in ccxt's book: bids ${sides[0].missing}, asks ${sides[1].missing}`);
        console.log(`# ${name}: ccxt holds ${sides[0].stale}/${sides[1].stale} stale levels besides the simulator's book`);
        continue;
      }
      check(`${name}_book_equal`, !d && enough,
        `${d || 'too few levels compared'}; compared ${sBids.length}/${sAsks.length} of sim ${sb.bids.length}/${sb.asks.length}` +
        ` levels (${whole ? 'whole book' : `range ${w.floor}..${w.ceil}`})`);
      if (w.limit && w.limit > sb.bids.length + 300)
        check(`${name}_whole_book`, whole && sBids.length === sb.bids.length && sAsks.length === sb.asks.length,
          `snapshot limit ${w.limit} covers the book but range ${w.floor}..${w.ceil}`);
    }
  } finally {
    await post(port, '/_sim/resume');
  }
}

const stats = async (port, venue) => (await get(port, '/_sim/stats')).json[venue];
const simName = (v) => v.sim || v.name;

// Inject a fault on the first instrument, wait until ccxt noticed it and every
// book that saw an error (a disconnect also ends the other instruments'
// books where ccxt shares the connection) applied N updates after it.
async function fault(sim, v, ws, kind, errName) {
  const port = v.port(sim), w = ws[0], name = `ccxt_${v.name}_${kind}`;
  const e0 = ws.map((x) => x.errors.length), s0 = await stats(port, simName(v));
  const r = await post(port, `/_sim/fault?kind=${kind}&venue=${simName(v)}&symbol=${w.simSym}&n=1`);
  if (r.status !== 200) return notOk(name, `fault refused: ${r.body}`);
  const noticed = await until(() => w.errors.length > e0[0], 10000);
  const err = w.errors.slice(e0[0]).join('; ');
  check(`${name}_noticed`, noticed && err.startsWith(errName), err || 'ccxt saw nothing');
  const back = await until(() => ws.every((x, i) => x.errors.length === e0[i] || x.sinceError >= N), 20000);
  const s1 = await stats(port, simName(v));
  // (a Binance increment fault also applies to the @depth stream: counted per stream)
  check(`${name}_recovered`, back && s1.faults_injected[kind] > s0.faults_injected[kind] &&
    (kind !== 'disconnect' || s1.connections_total > s0.connections_total),
  `updates after the error ${ws.map((x) => x.sinceError)}; sim faults ${s0.faults_injected[kind]} -> ` +
    `${s1.faults_injected[kind]}, connections ${s0.connections_total} -> ${s1.connections_total}; ${err}`);
  if (kind === 'gap') {
    const others = ws.slice(1).flatMap((x, i) => x.errors.slice(e0[i + 1]));
    check(`${name}_only_its_symbol`, others.length === 0, others.join('; '));
  }
}

async function venue(sim, v) {
  const port = v.port(sim), ex = v.make();
  toLoopback(ex.urls, port);
  await ex.loadHttpProxyAgent();  // ccxt needs its http agent for ws:// (no TLS) URLs
  const ws = v.symbols.map(([sym, simSym, limit]) => Object.assign(new Watcher(ex, sym, simSym, limit), { window: !!v.window, tap: !!v.tapId }));
  if (v.tapId) {
    // read the update id of each message ccxt's handler applied (after it did)
    await ex.loadMarkets();
    const byId = new Map(ws.map((w) => [ex.market(w.sym).id, w]));
    const orig = ex.handleOrderBook.bind(ex);
    ex.handleOrderBook = (client, message) => {
      const r = orig(client, message);
      const t = v.tapId(message), w = t && byId.get(t[0]);
      if (w) w.tapped = t[1];
      return r;
    };
  }
  if (typeof ex.fetchRestOrderBookSafe === 'function') {
    // see which snapshots ccxt takes (what it asks and gets), to know its range
    const orig = ex.fetchRestOrderBookSafe.bind(ex);
    ex.fetchRestOrderBookSafe = async (symbol, limit, params) => {
      const s = await orig(symbol, limit, params);
      const w = ws.find((x) => x.sym === symbol);
      if (w) w.snapshot(s, limit);
      return s;
    };
  }
  const s0 = await stats(port, simName(v));
  ws.forEach((w) => w.start());
  const fed = await until(() => ws.every((w) => w.updates >= N) || ws.some((w) => w.errors.length), 30000);
  const errs = ws.flatMap((w) => w.errors);
  check(`ccxt_${v.name}_watch_order_book`, fed && errs.length === 0,
    `updates ${ws.map((w) => w.updates)}; errors: ${errs.join('; ') || 'none'}`);
  if (!fed || errs.length) { ws.forEach((w) => { w.stopped = true; }); await ex.close(); return; }
  const s1 = await stats(port, simName(v));
  check(`ccxt_${v.name}_start_requests`, s1.http_4xx === s0.http_4xx && s1.http_5xx === s0.http_5xx &&
    s1.subscribe_errors === s0.subscribe_errors && s1.subscriptions >= s0.subscriptions + ws.length,
  `4xx ${s1.http_4xx - s0.http_4xx}, 5xx ${s1.http_5xx - s0.http_5xx}, subscribe errors ${s1.subscribe_errors - s0.subscribe_errors}; ` +
    `paths ${JSON.stringify(s1.rest_by_path)}`);
  if (v.name === 'binance')
    check('ccxt_binance_snapshots', ws.every((w) => w.snapshots === 1), `snapshots ${ws.map((w) => w.snapshots)}`);
  await compareAt(sim, v, ws, 'synced');
  if (v.noGap) skip(`ccxt_${v.name}_gap`, v.noGap);
  else {
    await fault(sim, v, ws, 'gap', v.gapError);
    await compareAt(sim, v, ws, 'after_gap');
  }
  await fault(sim, v, ws, 'disconnect', 'NetworkError');
  await compareAt(sim, v, ws, 'after_disconnect');
  // unwatching unsubscribes every stream/channel ccxt subscribed
  if (!ex.has.unWatchOrderBook) {
    skip(`ccxt_${v.name}_unwatch_unsubscribes`, `ccxt ${ccxt.version} ${ex.id} has no unWatchOrderBook`);
    ws.forEach((w) => { w.stopped = true; });
    await ex.close();
    return;
  }
  const s2 = await stats(port, simName(v));
  const unerr = [];
  for (const w of ws) {
    w.stopped = true;
    await ex.unWatchOrderBook(w.sym, v.unwatchParams ? v.unwatchParams(w) : {}).catch((e) => { unerr.push(`${e.constructor.name}: ${e.message}`); });
  }
  let s3 = s2;
  const unsub = await untilAsync(async () => { s3 = await stats(port, simName(v)); return s3.subscriptions <= s2.subscriptions - ws.length; }, 10000);
  check(`ccxt_${v.name}_unwatch_unsubscribes`, unsub && s3.subscribe_errors === s2.subscribe_errors && !unerr.length,
    `subscriptions ${s2.subscriptions} -> ${s3.subscriptions}, errors ${s3.subscribe_errors - s2.subscribe_errors}; ${unerr.join('; ')}`);
  await ex.close();
}

// ccxt may throw from its own timers (a send on a socket closed under it):
// a failure of this test, reported, not the end of the other venues' cases
process.on('uncaughtException', (e) => notOk('ccxt_uncaught_exception', e.stack));

(async () => {
  // --levels 1500: Bybit's 1000-level window is full (a side keeps >= 92 %)
  const sim = await startSim(['--seed', '7', '--rate', '10', '--timer-rate', '1', '--levels', '1500',
    '--symbols', 'BTC-USDT,ETH-USDT,BTC-USDT-SWAP,BTC-USD-SWAP,BTC-USD-261225',
    '--binance-usdm-symbols', 'BTC-USDT-SWAP,BTC-USDT-261225', '--binance-coinm-symbols', 'BTC-USD-SWAP,BTC-USD-261225',
    '--bybit-symbols', 'BTC-USDT,BTC-USDT-SWAP,BTC-USD-SWAP', '--deribit-port', '0', '--deribit-symbols', 'BTC-USD-SWAP,BTC-USD-261225']);
  check('ccxt_version_pinned', ccxt.version === process.env.CCXT_VERSION, `ccxt ${ccxt.version}, pinned ${process.env.CCXT_VERSION}`);
  for (const v of VENUES) {
    const t0 = Date.now();
    try { await venue(sim, v); } catch (e) { notOk(`ccxt_${v.name}`, e.stack); }
    console.log(`# ccxt_${v.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  done();
})();
