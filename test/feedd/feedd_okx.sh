#!/usr/bin/env bash
# test/feedd/feedd_okx.sh - feedd --exchange okx against mpsim: books (WS
# snapshot + updates), trades, tickers and candles (business link) arrive as
# records; REST snapshots, deep books and resubscribes on request; text
# ping/pong keep-alive; every injected fault gets its reaction.  mpsim runs
# protocol timers 10x fast (idle close 3 s, REST windows 200 ms).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/feedd_lib.sh"

sim_start --seed 11 --timer-rate 10 || { not_ok okx_sim_start "mpsim did not start"; exit 1; }
feedd_start okx --set feedd.okx.okx_rate_window=200ms --set feedd.okx.ping_interval=1s \
    --set feedd.okx.pong_timeout=1s --set feedd.okx.stale_after=2s --set feedd.okx.deep_interval=0 \
    --set feedd.okx.reconnect_min=100ms --set feedd.okx.reconnect_max=1s ||
    { not_ok okx_start "feedd or its peer did not start"; exit 1; }

# --- every channel of both instruments; the business link is up too
all_channels() {
	for k in snap_ws_3 snap_ws_4 delta_3 delta_4 trade_3 trade_4 ticker_3 ticker_4 kline_3 kline_4; do
		st_ge $k 1 || return 1
	done
}
if wait_for 15 all_channels && [ "$(st ev_connected)" = 2 ] && st_ge ev_subscribed 1 && [ "$(st bad)" = 0 ] &&
    [ "$(st stage_missing)" = 0 ] && [ "$(st seq_errors)" = 0 ] && [ "$(st id_gaps)" = 0 ]; then
	ok okx_all_channels
else
	not_ok okx_all_channels "$(cat "$F_STATS")"
fi

# --- capture format
if wait_st raw_ws 10 && ! grep -qvE '^[0-9]{19} okx (ws|rest:/api/v5/[^ ]+) [{p]' "$F_CAP" &&
    grep -qE '^[0-9]{19} okx ws \{"arg":\{"channel":"books","instId":"BTC-USDT"\},"action":"snapshot"' "$F_CAP"; then
	ok okx_capture
else
	not_ok okx_capture "raw_ws=$(st raw_ws)"
fi

# --- keep-alive: across more than one idle-close window (3 s) nothing is
# closed for silence, because feedd pings and gets pongs.  The window is
# counted in pongs (4 more, 1 s apart), not slept, so a slow machine only
# makes it longer.
c0=$(st ev_connected)
pongs() { grep -c '^[0-9]* okx ws pong$' "$F_CAP"; }
p0=$(pongs)
pongs_ge() { [ "$(pongs)" -ge "$1" ]; }
if wait_for 60 pongs_ge $((p0 + 4)) && [ "$(sim_stat okx clients_closed_idle)" = 0 ] &&
    [ "$(st ev_connected)" = "$c0" ]; then
	ok okx_ping_pong
else
	not_ok okx_ping_pong "closed_idle=$(sim_stat okx clients_closed_idle) pongs $p0 -> $(pongs) connected $c0 -> $(st ev_connected)"
fi

# --- REST snapshots (GET /api/v5/market/books) answer their requests
ok0=$(st ok)
cmd chain 3 400 3
cmd chain 4 400 3
if wait_st ok $((ok0 + 6)) && [ "$(st failed)" = 0 ] && [ "$(sim_stat okx http_429)" = 0 ]; then
	ok okx_rest_snapshots
else
	not_ok okx_rest_snapshots "ok=$(st ok) failed=$(st failed)"
fi

# --- a storm of REST snapshots (two chains of 60, each request sent when the
# previous is answered): feedd keeps to its 20-per-window share of the
# venue's 40 per window, so no 429, and every request is answered
ok0=$(st ok); f0=$(st failed); h0=$(sim_stat okx http_429)
cmd chain 3 400 60
cmd chain 4 400 60
if wait_st ok $((ok0 + 120)) 30 && [ "$(st failed)" = "$f0" ] && [ "$(sim_stat okx http_429)" = "$h0" ]; then
	ok okx_rest_budget_storm
else
	not_ok okx_rest_budget_storm "ok=$(( $(st ok) - ok0 )) failed=$(st failed) 429=$(sim_stat okx http_429)"
fi

# --- deep book (books-full, 5000 levels) on request
dp0=$(st snap_deep)
cmd deep 3 5000
if wait_st snap_deep $((dp0 + 1)) && [ "$(st snap_bids_max)" = 5000 ]; then
	ok okx_deep_books
else
	not_ok okx_deep_books "deep=$(st snap_deep) bids_max=$(st snap_bids_max)"
fi

# --- resubscribe (bookd's way to get a fresh WS snapshot)
w0=$(st snap_ws_4)
cmd resubscribe 4
if wait_st snap_ws_4 $((w0 + 1)); then
	ok okx_resubscribe_snapshot
else
	not_ok okx_resubscribe_snapshot "snap_ws_4=$(st snap_ws_4)"
fi

# --- sequence reset and missing snapshots are forwarded as they are
r0=$(st id_resets); pe0=$(st ev_parse_error)
fault okx okx_seq_reset "symbol=BTC-USDT"
if wait_st id_resets $((r0 + 1)) && [ "$(st ev_parse_error)" = "$pe0" ]; then
	ok okx_seq_reset_forwarded
else
	not_ok okx_seq_reset_forwarded "resets=$(st id_resets)"
fi
w0=$(st snap_ws_3); d0=$(st delta_3)
fault okx okx_no_snapshot "symbol=BTC-USDT&n=1"
cmd resubscribe 3
if wait_st delta_3 $((d0 + 10)) && [ "$(st snap_ws_3)" = "$w0" ]; then
	ok okx_no_snapshot_forwarded
else
	not_ok okx_no_snapshot_forwarded "snap_ws_3=$(st snap_ws_3) was $w0"
fi

# --- 429 (50011): paused, reported, and the next request succeeds
rl0=$(st ev_rate_limited); ok0=$(st ok)
fault okx rest_429 "n=1&ms=500"
cmd chain 3 400 2
if wait_st ev_rate_limited $((rl0 + 1)) && wait_st ok $((ok0 + 1)); then
	ok okx_429_paused
else
	not_ok okx_429_paused "rate_limited=$(st ev_rate_limited) ok=$(st ok)"
fi

# --- malformed frames: counted, no crash
pe0=$(st ev_parse_error); d0=$(st delta_3)
fault okx malformed
if wait_st ev_parse_error $((pe0 + 1)) && wait_st delta_3 $((d0 + 5)) && alive; then
	ok okx_malformed_counted
else
	not_ok okx_malformed_counted "parse_errors=$(st ev_parse_error)"
fi
if [ "$(st ev_wrong_exchange)" = 0 ]; then
	ok okx_events_name_venue
else
	not_ok okx_events_name_venue "wrong_exchange=$(st ev_wrong_exchange)"
fi

# --- 64008 service-upgrade notice: roll over without a disconnected gap
ro0=$(st ev_rollover); c0=$(st ev_connected); dc0=$(st ev_disconnected); w0=$(st snap_ws_4)
fault okx shutdown_notice
if wait_st ev_rollover $((ro0 + 2)) && wait_st ev_connected $((c0 + 2)) && wait_st snap_ws_4 $((w0 + 1)) &&
    [ "$(st ev_disconnected)" = "$dc0" ]; then
	ok okx_upgrade_notice_rollover
else
	not_ok okx_upgrade_notice_rollover "rollover=$(st ev_rollover) connected=$(st ev_connected) disconnected=$(st ev_disconnected)"
fi

# --- stall: no data and no pong: the watchdog reconnects, books resync
s0=$(st ev_stale); c0=$(st ev_connected)
fault okx stall
if wait_st ev_stale $((s0 + 1)) && wait_st ev_connected $((c0 + 2)); then
	ok okx_stall_reconnects
else
	not_ok okx_stall_reconnects "stale=$(st ev_stale) connected=$(st ev_connected)"
fi
fault okx unstall

# --- disconnect: both links come back
c0=$(st ev_connected); dc0=$(st ev_disconnected); k0=$(st kline_3)
fault okx disconnect
if wait_st ev_disconnected $((dc0 + 2)) && wait_st ev_connected $((c0 + 2)) && wait_st kline_3 $((k0 + 2)); then
	ok okx_disconnect_reconnects
else
	not_ok okx_disconnect_reconnects "connected=$(st ev_connected) klines=$(st kline_3)"
fi

# --- restarted with periodic deep books (books-full) and a 1.5 s connection
# age limit: deep books arrive without requests, and the links roll over
# (new connection first) without a disconnected gap
kill -TERM "$F_FEEDD_PID"; wait "$F_FEEDD_PID"
F_FEEDD_PID=
dp0=$(st snap_deep); h0=$(sim_stat okx http_429); c0=$(st ev_connected)
"$BIN/feedd" -c "$F_CONF" --exchange okx --set feedd.okx.deep_interval=300ms --set feedd.okx.okx_rate_window=200ms \
    --set feedd.okx.ping_interval=1s --set feedd.okx.max_conn_age=1500ms 2>>"$F_LOG" &
F_FEEDD_PID=$!
T_PIDS+=("$F_FEEDD_PID")
if wait_st snap_deep $((dp0 + 4)) && [ "$(sim_stat okx http_429)" = "$h0" ]; then
	ok okx_deep_schedule
else
	not_ok okx_deep_schedule "deep=$(st snap_deep) 429=$(sim_stat okx http_429)"
fi
wait_st ev_connected $((c0 + 2))
ro0=$(st ev_rollover); dc0=$(st ev_disconnected); c0=$(st ev_connected)
if wait_st ev_rollover $((ro0 + 4)) && wait_st ev_connected $((c0 + 4)) && [ "$(st ev_disconnected)" = "$dc0" ]; then
	ok okx_age_rollover
else
	not_ok okx_age_rollover "rollover=$(st ev_rollover) connected=$(st ev_connected) disconnected=$(st ev_disconnected)/$dc0"
fi
kill -TERM "$F_FEEDD_PID"
wait "$F_FEEDD_PID" && ok okx_clean_stop || not_ok okx_clean_stop "exit status $?"
F_FEEDD_PID=
