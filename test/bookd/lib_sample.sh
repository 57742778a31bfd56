# lib_sample.sh - sourced by decay_sim.sh and okx_widen_sim.sh (after
# test/lib.sh): one system (mpsim, one feedd, bookd, book_follow) on its own
# ports, rings and dirs, one book of it sampled against mpsim by
# test/bookd/decay_sample.py.
#
# The caller sets SYM, SIMARGS (mpsim's arguments), STEPS, EVERY and TEST (the
# prefix of the case names) and defines conf_body BINANCE_PORT OKX_PORT ARGS...,
# which prints the config after [system].

# run_half NAME VENUE ARGS...: the system with conf_body's config (ARGS passed
# on), VENUE's SYM sampled into $T_TMP/NAME/samples.json; its lines, and what
# bookd logged about resyncs, failed checks and discrepancies, are printed as
# comments.  Case TEST_NAME_sampled.
run_half() {
	local name=$1 venue=$2 d=$T_TMP/$1 P1 P2 prefix port simpid fpid bpid lpid rc
	shift 2
	P1=$(free_port); P2=$(free_port)
	while [ "$P2" = "$P1" ]; do P2=$(free_port); done
	prefix="mpt-$TEST-$$-$name"
	mkdir -p "$d/var" "$d/follow"
	{ printf '[system]\nring_prefix = %s\ndata_dir = %s\n' "$prefix" "$d/var"; conf_body "$P1" "$P2" "$@"; } >"$d/conf.ini"
	if [ "$venue" = binance ]; then port=$P1; else port=$P2; fi
	bg "$BIN/mpsim" --binance-port "$P1" --okx-port "$P2" "${SIMARGS[@]}" >"$d/sim.out" 2>"$d/sim.err"
	simpid=$T_LASTPID
	wait_port "$port" 10 || { not_ok "${TEST}_${name}_start" "mpsim did not listen"; kill "$simpid"; return 1; }
	bg "$BIN/feedd" -c "$d/conf.ini" --exchange "$venue" 2>"$d/feedd.err"
	fpid=$T_LASTPID
	bg "$BIN/bookd" -c "$d/conf.ini" 2>"$d/bookd.err"
	bpid=$T_LASTPID
	bg "$BIN/test/helpers/book_follow" -c "$d/conf.ini" --dir "$d/follow" 2>"$d/follow.err"
	lpid=$T_LASTPID
	/usr/bin/python3 test/bookd/decay_sample.py "$port" "$d/follow/$venue-$SYM.json" "$SYM" \
		"$STEPS" "$EVERY" $((20 * T_WAIT_SCALE)) "$d/samples.json" "$venue" >"$d/samples.txt" 2>&1
	rc=$?
	sed "s/^/# $name: /" "$d/samples.txt"
	grep -E "resync|validation|discrepanc" "$d/bookd.err" | head -5 | sed "s/^/# $name bookd: /"
	for p in $lpid $bpid $fpid $simpid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "/dev/shm/${prefix:?}"
	if [ $rc != 0 ]; then
		not_ok "${TEST}_${name}_sampled" "$(tail -1 "$d/samples.txt"); bookd: $(tail -1 "$d/bookd.err")"
		return 1
	fi
	ok "${TEST}_${name}_sampled"
}
