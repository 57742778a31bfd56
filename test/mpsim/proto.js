// proto.js - mpsim's WebSocket protocols and faults, seen from a client:
// Binance raw/combined streams, SUBSCRIBE/UNSUBSCRIBE/LIST/properties and
// errors, pings and the no-pong drop, the 5 messages/s rule, serverShutdown;
// OKX channels, subscribe/unsubscribe/error events, text ping/pong, the idle
// close, heartbeats, 64008; every fault kind as it shows on the wire.
'use strict';
const { ok, notOk, check, sleep, until, startSim, get, post, connect, WS, done } = require('./lib');

const parse = (t) => { try { return JSON.parse(t); } catch (e) { return null; } };
const is8 = (s) => /^\d+\.\d{8}$/.test(s);
const isTrim = (s) => /^\d+(\.\d*[1-9])?$/.test(s);
const stats = async (sim) => (await get(sim.b, '/_sim/stats')).json;

async function binanceStreams(sim) {
  const raw = await connect(sim.b, '/ws/btcusdt@trade/btcusdt@aggTrade');
  const t = await raw.waitJson((m) => m.e === 'trade', 4000);
  check('binance_raw_trade', t && t.s === 'BTCUSDT' && is8(t.p) && is8(t.q) && typeof t.t === 'number' &&
    typeof t.m === 'boolean' && t.T > 0, JSON.stringify(t));
  const a = await raw.waitJson((m) => m.e === 'aggTrade', 4000);
  check('binance_raw_aggtrade', a && a.f <= a.l && is8(a.p) && typeof a.a === 'number', JSON.stringify(a));
  raw.close();

  const cmb = await connect(sim.b, '/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker/ethusdt@kline_1m/btcusdt@depth5@100ms');
  const of = (st) => cmb.texts.filter((t) => t.includes(`"stream":"${st}"`)).length;
  await until(() => of('btcusdt@depth@100ms') > 10 && of('btcusdt@bookTicker') > 3 && of('ethusdt@kline_1m') > 0 &&
    of('btcusdt@depth5@100ms') > 3, 10000);
  const msgs = cmb.texts.map(parse);
  const depth = msgs.filter((m) => m.stream === 'btcusdt@depth@100ms').map((m) => m.data);
  const bt = msgs.filter((m) => m.stream === 'btcusdt@bookTicker').map((m) => m.data);
  const kl = msgs.filter((m) => m.stream === 'ethusdt@kline_1m').map((m) => m.data);
  const pd = msgs.filter((m) => m.stream === 'btcusdt@depth5@100ms').map((m) => m.data);
  check('binance_combined_wrapper', msgs.every((m) => m && m.stream && m.data) && depth.length > 10, `${msgs.length} messages`);
  const d0 = depth[0];
  check('binance_depth_event_shape', d0.e === 'depthUpdate' && d0.s === 'BTCUSDT' && d0.U <= d0.u && Array.isArray(d0.b) &&
    Array.isArray(d0.a) && d0.b.concat(d0.a).every(([p, q]) => is8(p) && is8(q)), JSON.stringify(d0).slice(0, 200));
  let contiguous = true, multi = 0;
  for (let i = 1; i < depth.length; i++) { if (depth[i].U !== depth[i - 1].u + 1) contiguous = false; }
  for (const d of depth) if (d.u > d.U) multi++;
  check('binance_depth_ids_contiguous', contiguous && multi > depth.length / 2, `contiguous ${contiguous}, multi-id events ${multi}/${depth.length}`);
  const us = new Set(depth.map((d) => d.u));
  check('binance_bookticker_same_id_space', bt.length > 3 && bt.filter((b) => b.u >= depth[0].u).every((b) => us.has(b.u)) &&
    is8(bt[0].b) && is8(bt[0].A), `${bt.length} bookTickers`);
  check('binance_kline_1m', kl.length > 0 && kl[0].e === 'kline' && kl[0].k.i === '1m' && kl[0].k.s === 'ETHUSDT' &&
    typeof kl[0].k.x === 'boolean', JSON.stringify(kl[0]));
  check('binance_partial_depth5', pd.length > 3 && pd[0].bids.length === 5 && pd[0].asks.length === 5 && us.has(pd[pd.length - 1].lastUpdateId),
    JSON.stringify(pd[0]));
  cmb.close();
}

async function binanceControl(sim) {
  const w = await connect(sim.b, '/ws');
  // Messages go at most one per 350 ms (the venue drops a client sending more
  // than 5 a second): that spacing is pacing, not a wait.
  const pace = async (t0) => { const left = 350 - (Date.now() - t0); if (left > 0) await sleep(left); };
  // the reply to o: the first message with an "id" after it was sent (waited for, not slept)
  const reply = async (o) => {
    const n = w.texts.length, t0 = Date.now();
    w.json(o);
    const got = await until(() => w.texts.slice(n).find((t) => t.includes('"id"')), 5000);
    await pace(t0);
    return parse(got || 'null');
  };
  let r = await reply({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'ethusdt@depth'], id: 1 });
  check('binance_subscribe_result', r && r.result === null && r.id === 1, JSON.stringify(r));
  r = await reply({ method: 'LIST_SUBSCRIPTIONS', id: 'abc' });
  check('binance_list_subscriptions', r && r.id === 'abc' && JSON.stringify([...r.result].sort()) === '["btcusdt@aggTrade","ethusdt@depth"]', JSON.stringify(r));
  r = await reply({ method: 'UNSUBSCRIBE', params: ['btcusdt@aggTrade'], id: 2 });
  const r2 = await reply({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
  check('binance_unsubscribe', r && r.result === null && r2 && JSON.stringify(r2.result) === '["ethusdt@depth"]', JSON.stringify(r2));
  r = await reply({ method: 'SUBSCRIBE', params: ['btcusdt@nonsense'], id: 4 });
  check('binance_subscribe_bad_stream_error', r && r.error && r.error.code === 2 && r.id === 4, JSON.stringify(r));
  const n0 = w.texts.length, t0 = Date.now(); w.send('{not json');
  r = parse(await until(() => w.texts.slice(n0).find((t) => t.includes('error')), 5000) || 'null');
  await pace(t0);
  check('binance_invalid_json_error', r && r.error && r.error.code === 3, JSON.stringify(r));
  r = await reply({ method: 'FROB', id: 5 });
  check('binance_unknown_method_error', r && r.error && r.error.code === 2 && /unknown variant/.test(r.error.msg), JSON.stringify(r));
  r = await reply({ method: 'SET_PROPERTY', params: ['combined', true], id: 6 });
  const g = await reply({ method: 'GET_PROPERTY', params: ['combined'], id: 7 });
  check('binance_set_get_property', r && r.result === null && g && g.result === true, JSON.stringify(g));
  const m = await w.waitJson((x) => x.stream === 'ethusdt@depth', 3000, w.events.length);
  check('binance_combined_after_set_property', m && m.data.e === 'depthUpdate', 'no wrapped event');
  w.close();
  // refused upgrades
  let why = '';
  try { await connect(sim.b, '/nope'); } catch (e) { why = e.message; }
  check('binance_bad_path_refused', /refused: 404/.test(why), why);
  why = '';
  try { await connect(sim.b, '/ws/btcusdt@bogus'); } catch (e) { why = e.message; }
  check('binance_bad_stream_url_refused', /refused: 400/.test(why), why);
  // a name without '@' is no market stream (a listen key; ccxt opens /ws/0 and
  // subscribes later): the connection is kept and SUBSCRIBE works on it
  const s0 = await stats(sim);
  const w0 = await connect(sim.b, '/ws/0');
  w0.json({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 9 });
  const a0 = await w0.waitJson((x) => x.id === 9, 3000);
  const tr0 = await w0.waitJson((x) => x.e === 'trade', 4000);
  const s1 = await stats(sim);
  check('binance_plain_url_name_then_subscribe', a0 && a0.result === null && tr0 && tr0.s === 'BTCUSDT' &&
    s1.binance.ws_url_plain_names === s0.binance.ws_url_plain_names + 1, `${JSON.stringify(a0)} ${!!tr0}`);
  w0.close();
}

async function binancePings(sim) {
  // timer-rate 20: ping every 1 s, pong deadline 3 s
  const good = await connect(sim.b, '/ws/btcusdt@bookTicker');
  const bad = await connect(sim.b, '/ws/btcusdt@bookTicker', { autoPong: false });
  const closeEv = await bad.waitFor((e) => e.t === 'close', 8000);
  const pings = bad.events.filter((e) => e.t === 'ping');
  check('binance_pings_sent', pings.length >= 2 && pings[0].data.length > 0, `${pings.length} pings`);
  check('binance_no_pong_disconnect', closeEv && closeEv.code === 1008 && /pong/.test(closeEv.reason), JSON.stringify(closeEv));
  await until(() => good.events.filter((e) => e.t === 'ping').length >= 3, 5000);
  check('binance_pong_keeps_connection', !good.closed && good.events.filter((e) => e.t === 'ping').length >= 3, `closed ${good.closed}`);
  const s = await stats(sim);
  check('binance_ping_stats', s.binance.clients_dropped_no_pong >= 1 && s.binance.pongs_received >= 3 && s.binance.pings_sent >= 5,
    JSON.stringify({ d: s.binance.clients_dropped_no_pong, p: s.binance.pongs_received }));
  good.close();
}

async function binanceRate(sim) {
  const w = await connect(sim.b, '/ws');
  for (let i = 0; i < 7; i++) w.json({ method: 'LIST_SUBSCRIPTIONS', id: i });
  const c = await w.waitFor((e) => e.t === 'close', 3000);
  check('binance_5_msgs_per_second_drop', c && c.code === 1008, JSON.stringify(c));
  const s = await stats(sim);
  check('binance_rate_drop_counted', s.binance.clients_dropped_rate >= 1, JSON.stringify(s.binance.clients_dropped_rate));
  // 4 messages a second is fine
  const w2 = await connect(sim.b, '/ws');
  for (let i = 0; i < 6; i++) { w2.json({ method: 'LIST_SUBSCRIPTIONS', id: i }); await sleep(350); }
  check('binance_3_msgs_per_second_ok', !w2.closed && w2.texts.filter((t) => t.includes('"result"')).length === 6, `closed ${w2.closed}`);
  w2.close();
}

async function binanceShutdown(sim) {
  const w = await connect(sim.b, '/stream?streams=ethusdt@trade');
  await post(sim.b, '/_sim/fault?kind=shutdown_notice&venue=binance&symbol=ETH-USDT&ms=300');
  const ev = await w.waitJson((m) => m.stream === '!serverShutdown', 3000);
  const c = await w.waitFor((e) => e.t === 'close' || e.t === 'end', 3000);
  check('binance_server_shutdown', ev && ev.data.e === 'serverShutdown' && ev.data.E > 0 && c, JSON.stringify(ev));
  const w2 = await connect(sim.b, '/ws/ethusdt@trade');
  await post(sim.b, '/_sim/fault?kind=rollover&venue=binance');
  const c2 = await w2.waitFor((e) => e.t === 'close', 3000);
  check('binance_rollover_close', c2 && c2.code === 1000 && /24h/.test(c2.reason), JSON.stringify(c2));
}

async function okxChannels(sim) {
  const w = await connect(sim.o, '/ws/v5/public');
  w.json({ op: 'subscribe', args: ['books5', 'bbo-tbt', 'trades', 'tickers'].map((channel) => ({ channel, instId: 'BTC-USDT' })) });
  const has = (ch) => w.texts.some((t) => t.includes(`"channel":"${ch}"`) && t.includes('"data"'));
  await until(() => w.texts.filter((t) => t.includes('"event":"subscribe"')).length >= 4 &&
    ['books5', 'bbo-tbt', 'trades', 'tickers'].every(has), 10000);
  const ms = w.texts.map(parse);
  const acks = ms.filter((m) => m.event === 'subscribe');
  const of = (ch) => ms.filter((m) => m.arg && m.arg.channel === ch && m.data).map((m) => m.data[0]);
  check('okx_subscribe_acks', acks.length === 4 && acks.every((a) => a.connId && a.arg.instId === 'BTC-USDT'), JSON.stringify(acks[0]));
  const b5 = of('books5'), bbo = of('bbo-tbt'), tr = of('trades'), tk = of('tickers');
  check('okx_books5', b5.length > 0 && b5[0].asks.length === 5 && b5[0].bids.length === 5 && b5[0].instId === 'BTC-USDT' &&
    typeof b5[0].seqId === 'number' && !('checksum' in b5[0]) && b5[0].asks.every((l) => l.length === 4 && isTrim(l[0]) && isTrim(l[1])), JSON.stringify(b5[0]));
  check('okx_bbo_tbt', bbo.length > 0 && bbo[0].asks.length === 1 && bbo[0].bids.length === 1 && Number(bbo[0].bids[0][0]) < Number(bbo[0].asks[0][0]), JSON.stringify(bbo[0]));
  check('okx_trades', tr.length > 0 && ['buy', 'sell'].includes(tr[0].side) && isTrim(tr[0].px) && isTrim(tr[0].sz) &&
    typeof tr[0].tradeId === 'string' && tr[0].source === '0', JSON.stringify(tr[0]));
  check('okx_tickers', tk.length > 0 && tk[0].instType === 'SPOT' && isTrim(tk[0].last) && Number(tk[0].bidPx) < Number(tk[0].askPx), JSON.stringify(tk[0]));
  // unsubscribe stops the channel
  w.json({ op: 'unsubscribe', args: [{ channel: 'trades', instId: 'BTC-USDT' }] });
  const u = await w.waitJson((m) => m.event === 'unsubscribe', 2000);
  await sleep(100);
  const n1 = w.texts.filter((t) => t.includes('"channel":"trades"') && t.includes('"data"')).length;
  await sleep(800);
  const n2 = w.texts.filter((t) => t.includes('"channel":"trades"') && t.includes('"data"')).length;
  check('okx_unsubscribe', u && u.arg.channel === 'trades' && n1 === n2, `${n1} -> ${n2}`);
  // errors
  const err = async (o, code, name) => {
    const n = w.texts.length;
    if (typeof o === 'string') w.send(o); else w.json(o);
    const e = await w.waitJson((m) => m.event === 'error', 2000, w.events.length - (w.texts.length - n));
    check(name, e && e.code === code && e.msg && e.connId, JSON.stringify(e));
  };
  await err({ op: 'subscribe', args: [{ channel: 'candle1m', instId: 'BTC-USDT' }] }, '64001', 'okx_business_channel_on_public_error');
  await err({ op: 'subscribe', args: [{ channel: 'nope', instId: 'BTC-USDT' }] }, '60018', 'okx_unknown_channel_error');
  await err({ op: 'subscribe', args: [{ channel: 'books', instId: 'DOGE-USDT' }] }, '60018', 'okx_unknown_inst_error');
  await err({ op: 'subscribe', args: [{ channel: 'books-l2-tbt', instId: 'BTC-USDT' }] }, '64003', 'okx_l2_tbt_tier_error');
  await err('{oops', '60012', 'okx_invalid_json_error');
  await err({ op: 'frob', args: [] }, '60019', 'okx_unknown_op_error');
  const n = w.texts.length;
  w.send('ping');
  await w.waitFor((e) => e.t === 'text' && e.data === 'pong', 2000);
  check('okx_text_ping_pong', w.texts.slice(n).includes('pong'), 'no pong');
  w.close();
  const bz = await connect(sim.o, '/ws/v5/business');
  bz.json({ op: 'subscribe', args: [{ channel: 'candle1m', instId: 'ETH-USDT' }, { channel: 'books', instId: 'ETH-USDT' }] });
  const c = await bz.waitJson((m) => m.arg && m.arg.channel === 'candle1m' && m.data, 3000);
  const e2 = await bz.waitJson((m) => m.event === 'error', 2000);
  check('okx_business_candle1m', c && c.data[0].length === 9 && /^\d+$/.test(c.data[0][0]) && ['0', '1'].includes(c.data[0][8]), JSON.stringify(c));
  check('okx_public_channel_on_business_error', e2 && e2.code === '64002', JSON.stringify(e2));
  bz.close();
}

async function okxKeepalive(sim) {
  // timer-rate 20: idle close after 1.5 s, heartbeat after 3 s of no change
  const idle = await connect(sim.o, '/ws/v5/public');
  const c = await idle.waitFor((e) => e.t === 'close', 5000);
  check('okx_idle_close_4004', c && c.code === 4004, JSON.stringify(c));
  await post(sim.o, '/_sim/pause');
  const w = await connect(sim.o, '/ws/v5/public');
  w.json({ op: 'subscribe', args: [{ channel: 'books', instId: 'ETH-USDT' }] });
  const snap = await w.waitJson((m) => m.action === 'snapshot', 2000);
  const pinger = setInterval(() => w.send('ping'), 500);
  const hb = await w.waitJson((m) => m.action === 'update', 6000);
  clearInterval(pinger);
  await post(sim.o, '/_sim/resume');
  const d = hb && hb.data[0];
  check('okx_heartbeat_update', snap && d && d.asks.length === 0 && d.bids.length === 0 && d.prevSeqId === d.seqId &&
    d.seqId === snap.data[0].seqId, JSON.stringify(d));
  check('okx_ping_keeps_idle_connection', !w.closed, 'closed');
  await post(sim.o, '/_sim/fault?kind=shutdown_notice&venue=okx&ms=300');
  const nt = await w.waitJson((m) => m.event === 'notice', 2000);
  const cl = await w.waitFor((e) => e.t === 'close' || e.t === 'end', 3000);
  check('okx_64008_notice_then_close', nt && nt.code === '64008' && /service upgrade/.test(nt.msg) && cl, JSON.stringify(nt));
}

// --- faults on the wire ---
async function binanceFault(sim, kind, judge) {
  const w = await connect(sim.b, '/ws/btcusdt@depth@100ms');
  await w.waitJson((m) => m.e === 'depthUpdate', 3000);
  await sleep(100);
  const from = w.texts.length;
  await post(sim.b, `/_sim/fault?kind=${kind}&venue=binance&symbol=BTC-USDT`);
  // until the fault shows (then a little longer for what must follow it)
  await until(() => judge(w.texts, from, w) === true, 5000);
  await sleep(300);
  const res = judge(w.texts, from, w);
  check(`fault_${kind}_binance`, res === true, res);
  w.destroy();
}
function pairs(texts, from, f) {
  const ev = texts.slice(Math.max(0, from - 1)).map(parse).filter((m) => m && m.e === 'depthUpdate');
  for (let i = 1; i < ev.length; i++) if (f(ev[i - 1], ev[i])) return true;
  return false;
}

async function faults(sim) {
  await binanceFault(sim, 'gap', (t, from) => pairs(t, from, (a, b) => b.U > a.u + 1) || 'no gap seen');
  await binanceFault(sim, 'dup', (t, from) => pairs(t, from, (a, b) => a.U === b.U && a.u === b.u) || 'no duplicate seen');
  await binanceFault(sim, 'reorder', (t, from) => pairs(t, from, (a, b) => b.U < a.U) || 'no reordering seen');
  await binanceFault(sim, 'malformed', (t, from) => {
    const bad = t.slice(from).filter((x) => parse(x) === null);
    return (bad.length === 1 && t.slice(from).filter((x) => parse(x)).length > 3) || `${bad.length} unparsable frames`;
  });
  await binanceFault(sim, 'truncate', (t, from) => {
    const bad = t.slice(from).filter((x) => parse(x) === null);
    return (bad.length === 1 && bad[0].startsWith('{"e":"depthUpdate"')) || `${bad.length} unparsable frames`;
  });
  await binanceFault(sim, 'truncate_wire', (t, from, w) => {
    const end = w.events.find((e) => e.t === 'end');
    const close = w.events.find((e) => e.t === 'close');
    return (end && end.leftover > 0 && !close) || `end ${JSON.stringify(end)} close ${!!close}`;
  });
  await binanceFault(sim, 'disconnect', (t, from, w) => {
    const end = w.events.find((e) => e.t === 'end');
    return (end && !w.events.find((e) => e.t === 'close')) || 'socket not closed abruptly';
  });
  // stall: the socket stays open and silent, pings included, until unstall
  const w = await connect(sim.b, '/ws/btcusdt@depth@100ms');
  await w.waitJson((m) => m.e === 'depthUpdate', 3000);
  await post(sim.b, '/_sim/fault?kind=stall&venue=binance');
  await sleep(100);
  const n1 = w.events.length;
  await sleep(700);
  const n2 = w.events.length;
  await post(sim.b, '/_sim/fault?kind=unstall&venue=binance');
  const again = await w.waitJson((m) => m.e === 'depthUpdate', 2000, n2);
  const s = await stats(sim);
  check('fault_stall_binance', n1 === n2 && !w.closed && again && s.binance.messages_dropped_stalled > 0, `${n1} -> ${n2}, resumed ${!!again}`);
  w.close();

  // OKX books
  const o = await connect(sim.o, '/ws/v5/public');
  o.json({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
  await o.waitJson((m) => m.action === 'snapshot', 3000);
  const okxPairs = (from, f) => {
    const ev = o.texts.slice(from).map(parse).filter((m) => m && m.action === 'update').map((m) => m.data[0]);
    for (let i = 1; i < ev.length; i++) if (f(ev[i - 1], ev[i])) return true;
    return false;
  };
  for (const [kind, f] of [['gap', (a, b) => b.prevSeqId !== a.seqId && b.prevSeqId > a.seqId],
    ['dup', (a, b) => a.seqId === b.seqId && a.prevSeqId === b.prevSeqId],
    ['okx_seq_reset', (a, b) => b.prevSeqId === a.seqId && b.seqId < b.prevSeqId]]) {
    await sleep(100);
    const from = o.texts.length - 1;
    await post(sim.o, `/_sim/fault?kind=${kind}&venue=okx&symbol=BTC-USDT`);
    check(`fault_${kind}_okx`, await until(() => okxPairs(from, f), 5000), 'not seen on the wire');
  }
  o.close();
  const st = await stats(sim);
  const fi = st.binance.faults_injected, fo = st.okx.faults_injected;
  check('fault_counters_per_kind', fi.gap >= 1 && fi.dup >= 1 && fi.reorder >= 1 && fi.malformed >= 1 && fi.truncate >= 1 &&
    fi.truncate_wire >= 1 && fi.disconnect >= 1 && fi.stall >= 1 && fo.gap >= 1 && fo.okx_seq_reset === 1, JSON.stringify(fi));
}

async function lifetime() {
  const sim = await startSim(['--seed', '12', '--rate', '10', '--conn-lifetime', '1']);
  const w = await connect(sim.b, '/ws/btcusdt@trade');
  const c = await w.waitFor((e) => e.t === 'close', 5000);
  const s = await stats(sim);
  check('binance_conn_lifetime_rollover', c && c.code === 1000 && /24h/.test(c.reason) && s.binance.clients_closed_rollover === 1, JSON.stringify(c));
}

async function moreFaults(sim) {
  // clear: pending faults never happen
  await post(sim.b, '/_sim/pause');
  const before = (await stats(sim)).binance.faults_injected.gap;
  await post(sim.b, '/_sim/fault?kind=gap&venue=binance&symbol=ETH-USDT&n=100');
  const pend = (await stats(sim)).binance.faults_pending;
  check('fault_pending_counted', pend.gap === 200, JSON.stringify(pend));  // @depth@100ms and @depth
  await post(sim.b, '/_sim/fault?kind=clear&venue=binance');
  check('fault_clear_pending', JSON.stringify((await stats(sim)).binance.faults_pending) === '{}', 'still pending');
  await post(sim.b, '/_sim/resume');
  const w = await connect(sim.b, '/ws/ethusdt@depth@100ms');
  await until(() => w.texts.length > 5, 5000);
  const ev = w.texts.map(parse);
  let contiguous = ev.length > 5;
  for (let i = 1; i < ev.length; i++) if (ev[i].U !== ev[i - 1].u + 1) contiguous = false;
  const after = (await stats(sim)).binance.faults_injected.gap;
  check('fault_clear', contiguous && after === before, `contiguous ${contiguous} gaps ${before} -> ${after}`);
  w.close();
  // okx_snapshot undoes okx_no_snapshot
  await post(sim.o, '/_sim/fault?kind=okx_no_snapshot&venue=okx');
  await post(sim.o, '/_sim/fault?kind=okx_snapshot&venue=okx');
  const o = await connect(sim.o, '/ws/v5/public');
  o.json({ op: 'subscribe', args: [{ channel: 'books', instId: 'ETH-USDT' }] });
  const first = await o.waitJson((m) => m.action, 3000);
  check('fault_okx_snapshot_restores', first && first.action === 'snapshot', JSON.stringify(first && first.action));
  // OKX wire faults share the fan-out path with Binance: reorder, malformed, truncate_wire
  await sleep(100);
  let from = o.texts.length - 1;
  await post(sim.o, '/_sim/fault?kind=reorder&venue=okx&symbol=ETH-USDT');
  const reordered = await until(() => {
    const up = o.texts.slice(from).map(parse).filter((m) => m && m.action === 'update').map((m) => m.data[0]);
    for (let i = 1; i < up.length; i++) if (up[i].seqId < up[i - 1].seqId) return true;
    return false;
  }, 5000);
  check('fault_reorder_okx', reordered, 'no reordering seen');
  from = o.texts.length;
  await post(sim.o, '/_sim/fault?kind=malformed&venue=okx&symbol=ETH-USDT');
  // the invalid frame, then valid ones after it (so a second one would show)
  await until(() => { const t = o.texts.slice(from); const k = t.findIndex((x) => parse(x) === null); return k >= 0 && t.length - k > 3; }, 5000);
  check('fault_malformed_okx', o.texts.slice(from).filter((t) => parse(t) === null).length === 1, 'no single invalid frame');
  await post(sim.o, '/_sim/fault?kind=truncate_wire&venue=okx&symbol=ETH-USDT');
  const end = await o.waitFor((e) => e.t === 'end', 3000);
  check('fault_truncate_wire_okx', end && end.leftover > 0 && !o.events.find((e) => e.t === 'close'), JSON.stringify(end));
}

async function slowClient() {
  // a client that stops reading is dropped once 64 MiB wait for it (rate 1000: ~30 MB/s)
  const sim = await startSim(['--seed', '13', '--rate', '1000', '--timer-rate', '1']);
  const streams = ['btcusdt', 'ethusdt'].flatMap((x) => ['depth@100ms', 'depth', 'trade', 'bookTicker', 'depth20@100ms'].map((k) => `${x}@${k}`));
  const w = await connect(sim.b, `/stream?streams=${streams.join('/')}`);
  await w.waitFor((e) => e.t === 'text', 3000);
  w.sock.pause();
  let s;
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    s = await stats(sim);
    if (s.binance.clients_dropped_slow > 0) break;
  }
  check('binance_slow_client_dropped', s.binance.clients_dropped_slow === 1 && s.binance.connections_open <= 1,
    JSON.stringify({ slow: s.binance.clients_dropped_slow, open: s.binance.connections_open }));
  w.destroy();
  sim.proc.kill('SIGTERM');
}

async function tlsStreams() {
  const os = require('os'), fs = require('fs'), path = require('path');
  const certPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mpsim-tls-')), 'cert.pem');
  const sim = await startSim(['--seed', '14', '--rate', '10', '--tls', '--tls-cert-out', certPath]);
  const ca = fs.readFileSync(certPath);
  const w = await connect(sim.b, '/stream?streams=btcusdt@depth@100ms', { ca });
  const e = await w.waitJson((m) => m.stream === 'btcusdt@depth@100ms', 3000);
  check('tls_wss_binance', e && e.data.e === 'depthUpdate' && w.sock.authorized === true, `authorized ${w.sock.authorized}`);
  const o = await connect(sim.o, '/ws/v5/public', { ca });
  o.json({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
  const snap = await o.waitJson((m) => m.action === 'snapshot', 3000);
  check('tls_wss_okx_books', snap && snap.data[0].bids.length === 400, 'no snapshot over wss');
  const plain = await connect(sim.b, '/ws/btcusdt@trade');
  const t = await plain.waitJson((m) => m.e === 'trade', 3000);
  check('tls_port_still_serves_plain_ws', !!t, 'no trade over plain ws on a --tls port');
  await post(sim.b, '/_sim/fault?kind=truncate_wire&venue=binance&symbol=BTC-USDT');
  const end = await w.waitFor((ev) => ev.t === 'end', 3000);
  check('tls_truncate_wire', end && end.leftover > 0, JSON.stringify(end));
  for (const x of [o, plain]) x.close();
  fs.rmSync(path.dirname(certPath), { recursive: true, force: true });
}

async function badClients(sim) {
  const net = require('net');
  const rawReq = (port, bytes) => new Promise((resolve) => {
    const sk = net.connect(port, '127.0.0.1', () => sk.write(bytes));
    let got = '';
    sk.on('data', (d) => { got += d.toString('latin1'); });
    sk.on('close', () => resolve(got));
    sk.on('error', () => resolve(got));
    setTimeout(() => { sk.destroy(); resolve(got); }, 3000);
  });
  const s0 = await stats(sim);
  const r = await rawReq(sim.b, 'NONSENSE\r\n\r\n');
  // an unmasked frame right after a valid upgrade
  const w = await connect(sim.o, '/ws/v5/public');
  w.sock.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
  const c = await w.waitFor((e) => e.t === 'close', 3000);
  const s1 = await stats(sim);
  check('http_bad_request_counted', /^HTTP\/1.1 400/.test(r) && s1.binance.http_bad_requests === s0.binance.http_bad_requests + 1, r.slice(0, 40));
  check('ws_unmasked_frame_refused', c && c.code === 1002 && s1.okx.ws_protocol_errors === s0.okx.ws_protocol_errors + 1, JSON.stringify(c));
}

async function faultsFlag() {
  const sim = await startSim(['--seed', '11', '--rate', '10', '--faults', 'gap@binance:BTC-USDT:after=300ms,disconnect@okx:after=600ms']);
  const bw = await connect(sim.b, '/ws/btcusdt@depth@100ms');  // to see the gap
  const w = await connect(sim.o, '/ws/v5/public');
  w.json({ op: 'subscribe', args: [{ channel: 'books', instId: 'ETH-USDT' }] });
  const end = await w.waitFor((e) => e.t === 'end', 3000);
  const s = await stats(sim);
  const gapSeen = pairs(bw.texts, 0, (a, b) => b.U > a.u + 1);
  check('faults_flag', end && gapSeen && s.binance.faults_injected.gap >= 1 && s.okx.faults_injected.disconnect === 1, JSON.stringify(s.okx.faults_injected));
  bw.close();
}

// Bybit answers echo req_id as given, a number as a string (the venue's
// form; ccxt matches its numeric unsubscribe id against it)
async function bybitReqId() {
  const sim = await startSim(['--seed', '11', '--rate', '10', '--bybit-symbols', 'BTC-USDT']);
  const w = await connect(sim.y, '/v5/public/spot');
  w.json({ op: 'subscribe', req_id: 7, args: ['orderbook.1000.BTCUSDT'] });
  const a = await w.waitJson((m) => m.op === 'subscribe', 5000);
  w.json({ op: 'unsubscribe', req_id: 'x8', args: ['orderbook.1000.BTCUSDT'] });
  const u = await w.waitJson((m) => m.op === 'unsubscribe', 5000);
  check('bybit_req_id_number_echoed_as_string', a && a.success === true && a.req_id === '7', JSON.stringify(a));
  check('bybit_req_id_string_echoed', u && u.success === true && u.req_id === 'x8', JSON.stringify(u));
  w.close();
}

(async () => {
  try {
    await bybitReqId();
    const sim = await startSim(['--seed', '9', '--rate', '10', '--timer-rate', '20']);
    // the keepalive test pauses its market, so it gets its own simulator
    const sim2 = await startSim(['--seed', '10', '--rate', '10', '--timer-rate', '20']);
    await Promise.all([binancePings(sim), okxKeepalive(sim2), lifetime(), slowClient(), (async () => {
      await binanceStreams(sim);
      await binanceControl(sim);
      await okxChannels(sim);
    })()]);
    await binanceRate(sim);
    await binanceShutdown(sim);
    await faults(sim);
    await moreFaults(sim);
    await badClients(sim);
    await faultsFlag();
    await tlsStreams();
  } catch (e) {
    notOk('proto_suite', e.stack);
  }
  done();
})();
