// lib.js - helpers for mpsim's protocol tests: start mpsim on free ports, a
// small independent RFC 6455 client (raw sockets, so tests can refuse to pong,
// flood, and see truncated frames), HTTP, and the ok/not ok reporting.
'use strict';
const net = require('net');
const tls = require('tls');
const http = require('http');
const crypto = require('crypto');
const { spawn } = require('child_process');
const path = require('path');

const BIN = process.env.BIN || 'bin';
const ROOT = process.env.MP_ROOT || path.resolve(__dirname, '../..');
const procs = [];
let failed = 0;

function ok(name) { console.log(`ok ${name}`); }
function notOk(name, why) { failed++; console.log(`not ok ${name} - ${String(why).replace(/\n/g, ' ')}`); }
function skip(name, why) { console.log(`skip ${name} - ${why}`); }
// check(name, cond, why): one case
function check(name, cond, why) { if (cond) ok(name); else notOk(name, why || 'failed'); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Deadlines of waits for a condition are multiplied by T_WAIT_SCALE (default 3,
// as in test/lib.sh): they only bound a wait, and a machine busy with other
// work must not turn a late message into a failure.  No test relies on a wait
// timing out.
const SCALE = Number(process.env.T_WAIT_SCALE) > 0 ? Number(process.env.T_WAIT_SCALE) : 3;
// until(pred, ms): poll pred every 20 ms until it is truthy or ms (scaled) pass;
// resolves pred's last value.  For conditions over what was received so far.
async function until(pred, ms = 5000) {
  const end = Date.now() + ms * SCALE;
  for (;;) {
    const v = pred();
    if (v || Date.now() >= end) return v;
    await sleep(20);
  }
}

// untilAsync(pred, ms): the same for an async pred (e.g. one that asks /_sim/stats).
async function untilAsync(pred, ms = 5000) {
  const end = Date.now() + ms * SCALE;
  for (;;) {
    const v = await pred();
    if (v || Date.now() >= end) return v;
    await sleep(20);
  }
}

// Start mpsim with args; resolves {b, o, proc, url(venue, path)} once it printed its ready line.
function startSim(args) {
  return new Promise((resolve, reject) => {
    const exe = path.isAbsolute(BIN) ? path.join(BIN, 'mpsim') : path.join(ROOT, BIN, 'mpsim');
    const p = spawn(exe, ['--binance-port', '0', '--okx-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let out = '', err = '';
    p.stderr.on('data', (d) => { err += d; if (err.length > 100000) err = err.slice(-50000); });
    p.stdout.on('data', (d) => {
      out += d;
      // the whole line: every venue's port (b, o, y = bybit, u = binance-usdm, c = binance-coinm, d = deribit)
      const m = out.match(/mpsim ready binance=(\d+) okx=(\d+)[^\n]*\n/);
      if (m) {
        const port = (k) => { const x = m[0].match(new RegExp(` ${k}=(\\d+)`)); return x ? +x[1] : 0; };
        resolve({ b: +m[1], o: +m[2], y: port('bybit'), u: port('binance-usdm'), c: port('binance-coinm'), d: port('deribit'),
          proc: p, stderr: () => err });
      }
    });
    p.on('exit', (code) => reject(new Error(`mpsim exited ${code}: ${err.slice(-500)}`)));
    // a bound, scaled like every wait here (an ASan mpsim on a busy machine starts slowly)
    setTimeout(() => reject(new Error('mpsim did not get ready')), 10000 * SCALE).unref();
  });
}

function stopAll() { for (const p of procs) { try { p.kill('SIGTERM'); } catch (e) { /* gone */ } } }
process.on('exit', stopAll);

// HTTP request -> {status, headers, body, json}
function req(port, method, p) {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: p, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        let json = null;
        try { json = JSON.parse(body); } catch (e) { /* not json */ }
        resolve({ status: res.statusCode, headers: res.headers, body, json });
      });
    });
    r.on('error', reject);
    r.end();
  });
}
const get = (port, p) => req(port, 'GET', p);
const post = (port, p) => req(port, 'POST', p);

// A raw WebSocket client.  Events are kept in order in this.events:
// {t:'text', data} {t:'ping', data} {t:'close', code, reason} {t:'end', leftover}
class WS {
  constructor(port, p, opts = {}) {
    this.autoPong = opts.autoPong !== false;
    this.events = [];
    this.texts = [];
    this.waiters = [];
    this.buf = Buffer.alloc(0);
    this.open = false;
    this.closed = false;
    this.frag = null;
    // opts.ca: connect with TLS (wss://), trusting that certificate
    this.sock = opts.ca ? tls.connect({ host: '127.0.0.1', port, ca: opts.ca }) : net.connect(port, '127.0.0.1');
    this.key = crypto.randomBytes(16).toString('base64');
    this.ready = new Promise((resolve, reject) => { this._resolve = resolve; this._reject = reject; });
    this.sock.on(opts.ca ? 'secureConnect' : 'connect', () => {
      this.sock.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    this.sock.on('data', (d) => this._data(d));
    this.sock.on('close', () => {
      this.closed = true;
      this._push({ t: 'end', leftover: this.buf.length });
      if (!this.open) this._reject(new Error('closed before upgrade: ' + (this.httpStatus || '')));
    });
    this.sock.on('error', () => {});
  }
  _push(ev) {
    this.events.push(ev);
    if (ev.t === 'text') this.texts.push(ev.data);
    const w = this.waiters; this.waiters = [];
    for (const f of w) f();
  }
  _data(d) {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.open) {
      const i = this.buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      const head = this.buf.slice(0, i).toString();
      this.httpStatus = +head.split(' ')[1];
      this.httpHead = head;
      const exp = crypto.createHash('sha1').update(this.key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      if (this.httpStatus !== 101 || !head.toLowerCase().includes(`sec-websocket-accept: ${exp.toLowerCase()}`)) {
        this.httpBody = this.buf.slice(i + 4).toString();
        this._reject(new Error(`upgrade refused: ${this.httpStatus} ${this.httpBody}`));
        this.sock.destroy();
        return;
      }
      this.buf = this.buf.slice(i + 4);
      this.open = true;
      this._resolve(this);
    }
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0], b1 = this.buf[1];
      let len = b1 & 0x7f, hl = 2;
      if (b1 & 0x80) { this._push({ t: 'protocol-error', why: 'masked server frame' }); }
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); hl = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); hl = 10; }
      if (this.buf.length < hl + len) return;
      const op = b0 & 0x0f, fin = b0 & 0x80, payload = this.buf.slice(hl, hl + len);
      this.buf = this.buf.slice(hl + len);
      if (op === 0x9) {
        this._push({ t: 'ping', data: payload });
        if (this.autoPong) this.send(payload, 0xA);
      } else if (op === 0xA) {
        this._push({ t: 'pong', data: payload });
      } else if (op === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this._push({ t: 'close', code, reason: payload.slice(2).toString() });
        if (!this.sentClose) this.send(payload.slice(0, 2), 0x8);
      } else if (op === 0x1 || op === 0x2 || op === 0x0) {
        if (!fin) { this.frag = Buffer.concat([this.frag || Buffer.alloc(0), payload]); continue; }
        const all = this.frag ? Buffer.concat([this.frag, payload]) : payload;
        this.frag = null;
        this._push({ t: 'text', data: all.toString() });
      }
    }
  }
  send(data, op = 0x1) {
    if (this.closed) return;
    const p = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const mask = crypto.randomBytes(4);
    let h;
    if (p.length < 126) { h = Buffer.alloc(2); h[1] = 0x80 | p.length; }
    else if (p.length < 65536) { h = Buffer.alloc(4); h[1] = 0x80 | 126; h.writeUInt16BE(p.length, 2); }
    else { h = Buffer.alloc(10); h[1] = 0x80 | 127; h.writeBigUInt64BE(BigInt(p.length), 2); }
    h[0] = 0x80 | op;
    const m = Buffer.alloc(p.length);
    for (let i = 0; i < p.length; i++) m[i] = p[i] ^ mask[i & 3];
    if (op === 0x8) this.sentClose = true;
    this.sock.write(Buffer.concat([h, mask, m]));
  }
  json(o) { this.send(JSON.stringify(o)); }
  close() { try { this.send(Buffer.from([3, 232]), 0x8); } catch (e) { /* ignore */ } this.sock.end(); }
  destroy() { this.sock.destroy(); }
  // Wait until pred(event) is true for some event at index >= from; resolves the event or null on timeout.
  async waitFor(pred, ms = 5000, from = 0) {
    const end = Date.now() + ms * SCALE;
    let i = from;
    for (;;) {
      for (; i < this.events.length; i++) if (pred(this.events[i])) return this.events[i];
      const left = end - Date.now();
      if (left <= 0) return null;
      await new Promise((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }
  // Wait for a text message whose parsed JSON satisfies pred.
  async waitJson(pred, ms = 5000, from = 0) {
    const ev = await this.waitFor((e) => {
      if (e.t !== 'text') return false;
      try { return pred(JSON.parse(e.data)); } catch (x) { return false; }
    }, ms, from);
    return ev ? JSON.parse(ev.data) : null;
  }
}

function connect(port, p, opts) { const w = new WS(port, p, opts); return w.ready.then(() => w); }

function done() { stopAll(); process.exit(failed ? 1 : 0); }

module.exports = { ok, notOk, skip, check, sleep, until, untilAsync, startSim, stopAll, get, post, connect, WS, done };
