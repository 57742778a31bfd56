// test/feedd/wsbig.js PORT BYTES - a one-shot Binance stand-in for
// feedd_big_frame.sh: accepts WebSocket upgrades on 127.0.0.1:PORT and sends
// each client a text frame of BYTES bytes (larger than feedd takes), then a
// valid depthUpdate of BTCUSDT, then a valid one every 200 ms.  Plain HTTP
// requests (feedd's REST calls) get 404.  Prints "ready" once listening.
'use strict';
const http = require('http');
const crypto = require('crypto');

const port = Number(process.argv[2]);
const big = Number(process.argv[3]);

function frame(payload) {
	const n = payload.length;
	let head;
	if (n < 126) {
		head = Buffer.from([0x81, n]);
	} else if (n < 65536) {
		head = Buffer.alloc(4);
		head[0] = 0x81; head[1] = 126; head.writeUInt16BE(n, 2);
	} else {
		head = Buffer.alloc(10);
		head[0] = 0x81; head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2);
	}
	return Buffer.concat([head, payload]);
}

let id = 1000;
function depth() {
	const U = id + 1, u = id + 2;
	id = u;
	return Buffer.from(JSON.stringify({stream: 'btcusdt@depth@100ms', data: {e: 'depthUpdate', E: Date.now(),
		s: 'BTCUSDT', U, u, b: [['100.00000000', '1.00000000']], a: []}}));
}

const srv = http.createServer((req, res) => { res.writeHead(404); res.end('{}'); });
srv.on('upgrade', (req, sock) => {
	const accept = crypto.createHash('sha1')
		.update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
	sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
		'Sec-WebSocket-Accept: ' + accept + '\r\n\r\n');
	sock.on('data', () => {});      // the client's frames (pings, close) are not needed
	sock.on('error', () => {});
	// a frame of JSON-looking text that never ends, as a hostile venue would send
	const payload = Buffer.alloc(big, 0x20);
	payload.write('{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","b":[');
	sock.write(frame(payload));
	sock.write(frame(depth()));
	const t = setInterval(() => sock.write(frame(depth())), 200);
	sock.on('close', () => clearInterval(t));
});
srv.listen(port, '127.0.0.1', () => console.log('ready'));
