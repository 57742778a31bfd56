// replay.js - mpsim --replay from a client: a small capture (written by
// replay.sh) with a malformed line, an OKX line, two Binance streams and two
// snapshot answers.  The combined stream carries exactly the requested
// stream's frames, byte for byte, in order, not before their recorded pace
// allows; /api/v3/depth answers the snapshot nearest the recording's
// present; an unknown symbol gets -1121; the raw-stream path is refused;
// /_sim/stats counts it all.  Then a USD-M capture: served by the
// binance-usdm venue only (spot stays simulated), its @depth@0ms frames to a
// @depth@100ms request (not to @depth5), /fapi/v1/depth.
'use strict';
const { check, until, startSim, get, connect, done } = require('./lib');

const cap = process.argv[2];
const D = (n) => `{"stream":"ethusdt@depth@100ms","data":{"e":"depthUpdate","n":${n}}}`;
const stats = async (sim) => (await get(sim.b, '/_sim/stats')).json.replay;

async function usdm(file) {
  const U = (n) => `{"stream":"ethusdt@depth@0ms","data":{"e":"depthUpdate","n":${n}}}`;
  const sim = await startSim(['--replay', file, '--speed', '2']);
  let s = (await get(sim.u, '/_sim/stats')).json.replay;
  check('replay_usdm_loaded', s && s.venue === 'binance-usdm' && s.frames === 4 && s.snapshots === 1 &&
    s.malformed_lines === 0, JSON.stringify(s));
  let r = await get(sim.u, '/fapi/v1/depth?symbol=ETHUSDT&limit=1000');
  check('replay_usdm_depth', r.status === 200 && r.body === '{"lastUpdateId":7,"bids":[],"asks":[]}', r.body);
  r = await get(sim.b, '/api/v3/depth?symbol=ETHUSDT&limit=1000');
  check('replay_usdm_spot_simulated', r.status === 200 && r.json && r.json.lastUpdateId !== 9, r.body.slice(0, 80));
  // one connection (the recording's clock starts with it): the depth frames
  // at any speed, not the partial-depth stream of another name
  const w = await connect(sim.u, '/stream?streams=ethusdt@depth5/ethusdt@depth@100ms');
  await until(() => w.texts.length >= 2, 5000);
  for (let i = 0; i < 500 && !(s = (await get(sim.u, '/_sim/stats')).json.replay).done; i++)
    await new Promise((z) => setTimeout(z, 20));
  check('replay_usdm_depth_any_speed', w.texts.length === 2 && w.texts[0] === U(1) && w.texts[1] === U(2),
    JSON.stringify(w.texts));
  check('replay_usdm_others_unheard', s.done && s.sent === 2 && s.unheard === 2, JSON.stringify(s));
  w.close();
}

(async () => {
  const sim = await startSim(['--replay', cap, '--speed', '2']);
  let s = await stats(sim);
  check('replay_loaded', s && s.frames === 5 && s.snapshots === 2 && s.malformed_lines === 1 && !s.started,
    JSON.stringify(s));
  let r = await get(sim.b, '/api/v3/depth?symbol=ETHUSDT&limit=5000');
  check('replay_depth_before_start', r.status === 200 && r.body === '{"lastUpdateId":1,"bids":[],"asks":[]}', r.body);
  r = await get(sim.b, '/api/v3/depth?symbol=BTCUSDT');
  check('replay_depth_unknown_symbol', r.status === 400 && r.json && r.json.code === -1121, r.body);
  r = await get(sim.b, '/api/v3/exchangeInfo?symbol=ETHUSDT');
  check('replay_exchangeinfo_simulated', r.status === 200, r.status);

  // the recording's clock starts when the server has accepted the upgrade,
  // so after t0: the third frame (recorded 1.0 s after the first, speed 2)
  // cannot arrive before t0 + 500 ms (a lower bound only: a busy machine may
  // delay a frame, never hasten it)
  const t0 = Date.now();
  const w = await connect(sim.b, '/stream?streams=ethusdt@depth@100ms');
  await until(() => w.texts.length >= 3, 10000);
  const t3 = Date.now() - t0;
  const third = w.texts.length === 3 ? JSON.parse(w.texts[2]) : null;
  check('replay_requested_stream_only', w.texts.length === 3 && w.texts[0] === D(1) && w.texts[1] === D(2) &&
    third && third.stream === 'ethusdt@depth@100ms' && third.data.n === 3, JSON.stringify(w.texts));
  check('replay_pace', t3 >= 490, `third frame after ${t3} ms`);
  // its "E" (recorded 1 s after the first receive time) on the replay's clock:
  // wall time at the start + 500 ms, so between t0 + 500 and its arrival
  const E = third && third.data.E;
  check('replay_retimed', E >= t0 + 450 && E <= t0 + t3 + 50, `E ${E}, t0 ${t0}, arrival ${t0 + t3}`);
  let fin = false;
  for (let i = 0; i < 500 && !fin; i++) { s = await stats(sim); fin = s.done; if (!fin) await new Promise((z) => setTimeout(z, 20)); }
  check('replay_done', fin && s.sent === 3 && s.unheard === 2, JSON.stringify(s));
  r = await get(sim.b, '/api/v3/depth?symbol=ethusdt');
  check('replay_depth_nearest', r.status === 200 && r.body === '{"lastUpdateId":2,"bids":[],"asks":[]}', r.body);
  let refused = null;
  try { await connect(sim.b, '/ws/ethusdt@trade'); refused = false; } catch (e) { refused = true; }
  check('replay_raw_path_refused', refused === true, 'the raw-stream path was accepted');
  w.close();
  await usdm(process.argv[3]);
  done();
})().catch((e) => { console.log(`not ok replay_js - ${e.message}`); process.exit(1); });
