// A consumer written with the official `nats` package from npm, reading the
// streams with durable consumers as the requirement's examples do
// (strategy_full_orderbook, strategy_delta_orderbook, strategy_trades,
// ml_pure_delta).  Prints {"counts": {...}, "errors": [...]}.
// usage: node npm_consumer.cjs NODE_MODULES_DIR NATS_URL
const { connect, AckPolicy } = require(process.argv[2] + "/nats");

const consumers = [
	["ORDERBOOK_FULL", "strategy_full_orderbook", "orderbook.full.*.*", "full"],
	["ORDERBOOK_DELTA", "strategy_delta_orderbook", "orderbook.delta.*.*", "delta"],
	["ORDERBOOK_DELTA", "ml_pure_delta", "orderbook.pure_delta.*.*", "pure_delta"],
	["MARKET_TRADES", "strategy_trades", "market.*.*.trade", "trade"],
];
const dec = /^[0-9]+(\.[0-9]+)?$/;
const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function check(kind, m, errors) {
	const need = {
		full: ["exchange_name", "symbol_name", "update_type", "last_update_id", "bids", "asks", "depth_levels",
			"checksum", "is_valid", "validation_errors", "timestamp", "collected_at", "processed_at"],
		delta: ["exchange_name", "symbol_name", "update_type", "last_update_id", "first_update_id",
			"prev_update_id", "sequence_id", "bid_changes", "ask_changes", "removed_bids", "removed_asks"],
		pure_delta: ["exchange_name", "symbol_name", "update_id", "prev_update_id", "bid_updates", "ask_updates",
			"total_bid_changes", "total_ask_changes", "timestamp", "collected_at"],
		trade: ["exchange_name", "symbol_name", "trade_id", "price", "quantity", "side", "timestamp"],
	}[kind];
	for (const k of need)
		if (!(k in m)) errors.push(kind + ": missing " + k);
	const lv = kind === "full" ? m.bids : kind === "delta" ? m.bid_changes : kind === "pure_delta" ? m.bid_updates : [];
	for (const l of lv || [])
		if (!dec.test(l.price) || !dec.test(l.quantity)) { errors.push(kind + ": level " + JSON.stringify(l)); break; }
	if (kind === "trade" && !dec.test(m.price)) errors.push("trade: price " + m.price);
	if (!iso.test(m.timestamp)) errors.push(kind + ": timestamp " + m.timestamp);
}

(async () => {
	const nc = await connect({ servers: process.argv[3] });
	const jsm = await nc.jetstreamManager();
	const js = nc.jetstream();
	const counts = {}, errors = [];
	for (const [stream, durable, filter, kind] of consumers) {
		await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: filter });
		const c = await js.consumers.get(stream, durable);
		counts[kind] = 0;
		for (;;) {
			const iter = await c.fetch({ max_messages: 500, expires: 1000 });
			let n = 0;
			for await (const msg of iter) {
				n++;
				check(kind, msg.json(), errors);
				msg.ack();
			}
			counts[kind] += n;
			const info = await c.info();
			if (n === 0 && info.num_pending === 0) break;
		}
	}
	await nc.drain();
	console.log(JSON.stringify({ counts, errors: errors.slice(0, 5), nerrors: errors.length }));
})().catch((e) => { console.log(JSON.stringify({ fatal: String(e) })); process.exit(1); });
