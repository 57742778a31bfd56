#!/usr/bin/env bash
# test/feedd/feedd_binance.sh - feedd --exchange binance against mpsim: every
# channel arrives as records, snapshots within the weight budget (asserted on
# the simulator's counters), and every injected fault gets its reaction.
# mpsim runs protocol timers 20x fast (ping 1 s, weight window 3 s); feedd's
# weight_window matches.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/feedd_lib.sh"

sim_start --seed 7 --timer-rate 20 || { not_ok binance_sim_start "mpsim did not start"; exit 1; }
feedd_start binance --set feedd.binance.weight_window=3s --set feedd.binance.stale_after=1500ms \
    --set feedd.binance.reconnect_min=100ms --set feedd.binance.reconnect_max=1600ms \
    --set feedd.binance.reconnect_jitter_pct=0 --set feedd.binance.backoff_reset=500ms \
    --set feedd.binance.connect_timeout=2s ||
    { not_ok binance_start "feedd or its peer did not start"; exit 1; }

# --- every subscribed channel of both instruments arrives as records
all_channels() {
	for k in delta_1 delta_2 trade_1 trade_2 ticker_1 ticker_2 kline_1 kline_2; do
		st_ge $k 1 || return 1
	done
}
if wait_for 15 all_channels && [ "$(st ev_connected)" = 2 ] && [ "$(st bad)" = 0 ] &&
    [ "$(st stage_missing)" = 0 ] && [ "$(st seq_errors)" = 0 ] && [ "$(st id_gaps)" = 0 ]; then
	ok binance_all_channels
else
	not_ok binance_all_channels "$(cat "$F_STATS")"
fi

# --- raw frames on raw.binance and in the capture file, in the capture format
if wait_st raw_rest 1 && st_ge raw_ws 10 && [ "$(st raw_bad)" = 0 ] &&
    ! grep -qvE '^[0-9]{19} binance (ws|rest:/api/v3/[^ ]+) \{' "$F_CAP" &&
    grep -qE '^[0-9]{19} binance ws \{"stream":"btcusdt@depth@100ms","data":\{"e":"depthUpdate"' "$F_CAP" &&
    grep -q ' binance rest:/api/v3/exchangeInfo' "$F_CAP"; then
	ok binance_capture
else
	not_ok binance_capture "raw_ws=$(st raw_ws) raw_rest=$(st raw_rest) $(grep -cvE '^[0-9]{19} binance ' "$F_CAP") odd lines"
fi

# --- keep-alive: the simulator's pings are answered
if wait_for 10 bash -c "[ \$(curl -s http://127.0.0.1:$SIM_BN/_sim/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"binance\"][\"pongs_received\"])') -ge 2 ]" &&
    [ "$(sim_stat binance clients_dropped_no_pong)" = 0 ]; then
	ok binance_pongs
else
	not_ok binance_pongs "pings=$(sim_stat binance pings_sent) pongs=$(sim_stat binance pongs_received)"
fi

# --- a storm of 5000-level snapshot requests (two chains of 12, each request
# sent as soon as the previous is answered): all answered, no 429/418, and the
# simulator never saw more than the 80 % budget of its 6000/window
cmd chain 1 5000 12
cmd chain 2 5000 12
if wait_st ok 24 40 && [ "$(st failed)" = 0 ] && [ "$(sim_stat binance http_429)" = 0 ] &&
    [ "$(sim_stat binance http_418)" = 0 ] && [ "$(sim_stat binance weight_used_1m_max)" -le 4800 ] &&
    [ "$(sim_stat binance weight_used_1m_max)" -ge 4000 ] && [ "$(st snap_bids_max)" = 5000 ] &&
    [ "$(st dup_answers)" = 0 ]; then
	ok binance_weight_budget_storm
else
	not_ok binance_weight_budget_storm "ok=$(st ok) failed=$(st failed) 429=$(sim_stat binance http_429) max=$(sim_stat binance weight_used_1m_max)"
fi

# --- a burst for one book: the newest request wins, every older one is
# answered EV_SNAPSHOT_FAILED (superseded); nothing is left unanswered
# feedd is stopped while the 20 requests are written, so all of them are
# pending when it looks (a busy machine could otherwise let it answer the
# first before the second is written, and nothing would be superseded)
sent0=$(st sent)
kill -STOP "$F_FEEDD_PID"
cmd burst 1 100 20
wait_st sent $((sent0 + 20))
kill -CONT "$F_FEEDD_PID"
all_answered() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
exit(0 if d["sent"] >= int(sys.argv[2]) and d["ok"] + d["failed"] == d["sent"] else 1)' "$F_STATS" "$1"
}
if wait_for 15 all_answered $((sent0 + 20)) && st_ge failed 1 && [ "$(st dup_answers)" = 0 ]; then
	ok binance_burst_all_answered
else
	not_ok binance_burst_all_answered "sent=$(st sent) ok=$(st ok) failed=$(st failed)"
fi

# --- 429 with Retry-After: rate-limited event, the request fails, the next
# one (after the pause) succeeds, and no ban ever happens
rl0=$(st ev_rate_limited); f0=$(st failed); ok0=$(st ok)
fault binance rest_429 "n=1&ms=1500"
cmd chain 1 1000 2
if wait_st ev_rate_limited $((rl0 + 1)) && wait_st ok $((ok0 + 1)) && [ "$(st failed)" = $((f0 + 1)) ] &&
    [ "$(st rate_limited_ms_max)" -ge 1000 ] && [ "$(sim_stat binance http_418)" = 0 ]; then
	ok binance_429_retry_after
else
	not_ok binance_429_retry_after "rate_limited=$(st ev_rate_limited) ok=$(st ok) failed=$(st failed)"
fi

# --- 418 (banned): the same, as an error
rl0=$(st ev_rate_limited); ok0=$(st ok)
fault binance rest_418 "n=1&ms=1000"
cmd chain 2 1000 2
if wait_st ev_rate_limited $((rl0 + 1)) && wait_st ok $((ok0 + 1)) && [ "$(st last_fail_status)" = 418 ]; then
	ok binance_418_waits
else
	not_ok binance_418_waits "rate_limited=$(st ev_rate_limited) ok=$(st ok) last=$(st last_fail_status)"
fi

# --- 5xx: EV_SNAPSHOT_FAILED with the status, bookd asks again
f0=$(st failed)
fault binance rest_5xx "n=1&code=503"
cmd chain 1 100 1
if wait_st failed $((f0 + 1)) && [ "$(st last_fail_status)" = 503 ]; then
	ok binance_5xx_reported
else
	not_ok binance_5xx_reported "failed=$(st failed) last=$(st last_fail_status)"
fi

# --- malformed and truncated frames: counted, an event, no crash, data goes on
pe0=$(st ev_parse_error); d0=$(st delta_1)
fault binance malformed "symbol=BTC-USDT"
fault binance truncate "symbol=ETH-USDT"
if wait_st ev_parse_error $((pe0 + 2)) && wait_st delta_1 $((d0 + 5)) && alive &&
    grep -q 'msg="malformed frame".*sample=' "$F_LOG"; then
	ok binance_malformed_counted
else
	not_ok binance_malformed_counted "parse_errors=$(st ev_parse_error)"
fi
# every event names its venue (issue 14 defect 8: parse errors had none), and
# the cut-off update of ETH-USDT names the instrument its frame started with
if [ "$(st ev_wrong_exchange)" = 0 ] && st_ge parse_error_named 1; then
	ok binance_events_name_venue
else
	not_ok binance_events_name_venue "wrong_exchange=$(st ev_wrong_exchange) parse_error_named=$(st parse_error_named)"
fi

# --- a dropped update is forwarded as the gap it is (bookd resyncs on it)
g0=$(st id_gaps); c0=$(st ev_connected)
fault binance gap "symbol=BTC-USDT"
if wait_st id_gaps $((g0 + 1)) && [ "$(st ev_connected)" = "$c0" ]; then
	ok binance_gap_forwarded
else
	not_ok binance_gap_forwarded "id_gaps=$(st id_gaps)"
fi

# --- disconnect: EV_DISCONNECTED, reconnect, EV_CONNECTED (= resync) per book
dc0=$(st ev_disconnected); c0=$(st ev_connected)
fault binance disconnect
if wait_st ev_disconnected $((dc0 + 2)) && wait_st ev_connected $((c0 + 2)); then
	ok binance_disconnect_reconnects
else
	not_ok binance_disconnect_reconnects "disconnected=$(st ev_disconnected) connected=$(st ev_connected)"
fi

# --- stall (open but silent): the watchdog fires, reconnect, resync
s0=$(st ev_stale); c0=$(st ev_connected)
fault binance stall
if wait_st ev_stale $((s0 + 1)) && wait_st ev_connected $((c0 + 2)); then
	ok binance_stall_watchdog
else
	not_ok binance_stall_watchdog "stale=$(st ev_stale) connected=$(st ev_connected)"
fi
fault binance unstall

# --- serverShutdown: roll over (new connection first): EV_ROLLOVER, then
# EV_CONNECTED, and never a disconnected gap
r0=$(st ev_rollover); c0=$(st ev_connected); dc0=$(st ev_disconnected)
fault binance shutdown_notice
if wait_st ev_rollover $((r0 + 2)) && wait_st ev_connected $((c0 + 2)) && sleep 0.5 &&
    [ "$(st ev_disconnected)" = "$dc0" ]; then
	ok binance_shutdown_rollover
else
	not_ok binance_shutdown_rollover "rollover=$(st ev_rollover) connected=$(st ev_connected) disconnected=$(st ev_disconnected)"
fi

# --- the venue's 24 h close: reconnect
c0=$(st ev_connected)
fault binance rollover
if wait_st ev_connected $((c0 + 2)); then
	ok binance_24h_close_reconnects
else
	not_ok binance_24h_close_reconnects "connected=$(st ev_connected)"
fi

# --- CTL_RECONNECT from bookd
c0=$(st ev_connected)
cmd reconnect
if wait_st ev_connected $((c0 + 2)); then
	ok binance_ctl_reconnect
else
	not_ok binance_ctl_reconnect "connected=$(st ev_connected)"
fi

# --- venue gone: reconnect attempts back off exponentially (100, 200, 400,
# 800 ms as logged), and the link comes back when the venue does
c0=$(st ev_connected)
kill -TERM "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
backoff_seen() { [ "$(grep -c 'msg="reconnect scheduled".*in_ms=800 attempt=4' "$F_LOG")" -ge 1 ]; }
if wait_for 15 backoff_seen; then
	attempts=$(grep 'msg="reconnect scheduled"' "$F_LOG" | grep -B3 'attempt=4$' | tail -4 |
	    sed 's/.*in_ms=\([0-9]*\).*/\1/' | tr '\n' ' ')
	sim_start --seed 7 --timer-rate 20 --binance-port "$SIM_BN" --okx-port "$SIM_OKX"
	if [ "$attempts" = "100 200 400 800 " ] && wait_st ev_connected $((c0 + 2)) 20; then
		ok binance_backoff_and_return
	else
		not_ok binance_backoff_and_return "delays: $attempts connected=$(st ev_connected)"
	fi
else
	not_ok binance_backoff_and_return "no 4th attempt logged"
	sim_start --seed 7 --timer-rate 20 --binance-port "$SIM_BN" --okx-port "$SIM_OKX"
fi

# --- SIGTERM: a clean stop with EV_DISCONNECTED for every book
dc0=$(st ev_disconnected)
kill -TERM "$F_FEEDD_PID"
if wait "$F_FEEDD_PID" && wait_st ev_disconnected $((dc0 + 2)) && grep -q 'msg="stopped"' "$F_LOG"; then
	ok binance_clean_stop
else
	not_ok binance_clean_stop "exit or events missing"
fi
F_FEEDD_PID=
