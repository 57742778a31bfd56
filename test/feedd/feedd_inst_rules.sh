#!/usr/bin/env bash
# test/feedd/feedd_inst_rules.sh - instrument rules (feedd/meta.c) from
# mpsim's OKX /api/v5/public/instruments: one REC_INSTRUMENT per instrument
# at start; with the endpoint failing (rest_5xx on the first answers) the
# failures are counted (mp_feed_instrument_info_failed_total) and logged,
# the books run meanwhile, and the rules come on a later attempt
# (instrument_retry); a resync request from bookd brings them again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/feedd_lib.sh"

MET=/dev/shm/$F_PREFIX/metrics.feedd.okx
m() { "$BIN/test/metrics_dump" "$MET" 2>/dev/null | awk -v k="$1" 'index($1, k) == 1 { s += $2 } END { print s + 0 }'; }
m_ge() { [ "$(m "$1")" -ge "$2" ]; }

sim_start --seed 4 --timer-rate 10 || { not_ok rules_sim_start "mpsim did not start"; exit 1; }
# the first 3 REST answers fail: the instrument requests of both instruments at least once
fault okx rest_5xx "n=3&code=503"
feedd_start okx --set feedd.okx.okx_rate_window=200ms --set feedd.okx.deep_interval=0 \
    --set feedd.okx.instrument_retry=1s --set feedd.okx.okx_books5=false ||
    { not_ok rules_start "feedd or its peer did not start"; exit 1; }

# the books do not wait for the rules
if wait_st snap_ws_3 1 15 && wait_st snap_ws_4 1 15; then ok rules_books_run_meanwhile
else not_ok rules_books_run_meanwhile "$(cat "$F_STATS")"; fi
if wait_for 15 m_ge mp_feed_instrument_info_failed_total 2 && grep -q 'instrument rules not read' "$F_LOG" &&
    grep 'instrument rules not read' "$F_LOG" | grep -q 'status=503'; then ok rules_failure_counted_logged
else not_ok rules_failure_counted_logged "failed=$(m mp_feed_instrument_info_failed_total) log: $(grep -c 'instrument rules' "$F_LOG")"; fi
# retried: both instruments get their rules, no bookd event was made of the failures
if wait_st instrument 2 20 && [ "$(m mp_feed_instrument_info_ok_total)" -ge 2 ] && [ "$(st ev_parse_error)" = 0 ] &&
    [ "$(st ev_snapshot_failed)" = 0 ]; then ok rules_after_retry
else not_ok rules_after_retry "instrument=$(st instrument) ok=$(m mp_feed_instrument_info_ok_total) $(cat "$F_STATS")"; fi
# the capture has the answers, so a replay gives the same records
if grep -qE '^[0-9]{19} okx rest:/api/v5/public/instruments\?instType=SPOT&instId=BTC-USDT \{"code":"0"' "$F_CAP"; then
	ok rules_captured
else not_ok rules_captured "$(grep -c instruments "$F_CAP") instrument lines"; fi

# a resync request (what a restarted bookd sends first) brings the rules again, a refresh does not
n=$(st instrument)
cmd resubscribe 3
if wait_st instrument $((n + 1)) 10; then ok rules_resent_on_resync
else not_ok rules_resent_on_resync "instrument=$(st instrument) before $n"; fi
alive && ok rules_feedd_alive || not_ok rules_feedd_alive "$(tail -3 "$F_LOG")"
