// bench_mpsim.js - mpsim throughput at --rate 1000 (10,000 steps/s requested):
// CPU per simulated step with every stream of every instrument subscribed,
// next to the baseline of the same market with no client, same run.
'use strict';
const fs = require('fs');
const { startSim, get, connect, sleep, stopAll } = require('./lib');

const cpuMs = (pid) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };

async function measure(withClients, secs) {
  const sim = await startSim(['--rate', '1000', '--log-level', 'warn']);
  const ws = [];
  if (withClients) {
    const streams = [];
    for (const s of ['btcusdt', 'ethusdt']) for (const k of ['depth@100ms', 'depth', 'trade', 'aggTrade', 'bookTicker', 'kline_1m']) streams.push(`${s}@${k}`);
    ws.push(await connect(sim.b, `/stream?streams=${streams.join('/')}`));
    const o = await connect(sim.o, '/ws/v5/public');
    const args = [];
    for (const i of ['BTC-USDT', 'ETH-USDT']) for (const c of ['books', 'books5', 'bbo-tbt', 'trades', 'tickers']) args.push({ channel: c, instId: i });
    o.json({ op: 'subscribe', args });
    ws.push(o);
  }
  await sleep(500);
  const s0 = (await get(sim.b, '/_sim/stats')).json, c0 = cpuMs(sim.proc.pid), t0 = Date.now();
  await sleep(secs * 1000);
  const s1 = (await get(sim.b, '/_sim/stats')).json, c1 = cpuMs(sim.proc.pid), dt = (Date.now() - t0) / 1000;
  for (const w of ws) w.destroy();
  sim.proc.kill('SIGTERM');
  const steps = s1.steps - s0.steps;
  const frames = s1.binance.ws_frames_sent + s1.okx.ws_frames_sent - s0.binance.ws_frames_sent - s0.okx.ws_frames_sent;
  const bytes = s1.binance.ws_bytes_sent + s1.okx.ws_bytes_sent - s0.binance.ws_bytes_sent - s0.okx.ws_bytes_sent;
  return { steps_per_s: steps / dt, us_per_step: ((c1 - c0) * 1000) / steps, frames_per_s: frames / dt, mb_per_s: bytes / dt / 1e6, lag: s1.lag_rebases };
}

(async () => {
  const base = await measure(false, 3);
  const full = await measure(true, 3);
  const r2 = (x) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({ bench: 'mpsim_cpu_per_step_all_streams', value: r2(full.us_per_step), unit: 'us/step',
    baseline: r2(base.us_per_step), baseline_what: 'same market, no client', steps_per_s: Math.round(full.steps_per_s),
    requested_steps_per_s: 10000, instruments: 4, frames_per_s: Math.round(full.frames_per_s), mb_per_s: r2(full.mb_per_s), lag_rebases: full.lag }));
  console.log(JSON.stringify({ bench: 'mpsim_steps_per_s_all_streams', value: Math.round(full.steps_per_s), unit: 'steps/s',
    baseline: Math.round(base.steps_per_s), baseline_what: 'same market, no client', requested: 10000 }));
  stopAll();
  process.exit(0);
})().catch((e) => { console.log(JSON.stringify({ bench: 'mpsim', error: String(e) })); stopAll(); process.exit(1); });
