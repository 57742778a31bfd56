// test/feedd/tlsproxy.js - a TLS terminator in front of a plain TCP port, so
// feedd's wss:// and https:// paths can be tested against mpsim.
//   node tlsproxy.js LISTEN_PORT TARGET_PORT KEY.pem CERT.pem
// Prints "ready" once it listens on 127.0.0.1.
const tls = require('tls'), net = require('net'), fs = require('fs');
const [listen, target, key, cert] = process.argv.slice(2);
tls.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert)}, (s) => {
	const c = net.connect(Number(target), '127.0.0.1');
	s.pipe(c);
	c.pipe(s);
	s.on('error', () => c.destroy());
	c.on('error', () => s.destroy());
	s.on('close', () => c.destroy());
	c.on('close', () => s.destroy());
}).listen(Number(listen), '127.0.0.1', () => console.log('ready'));
