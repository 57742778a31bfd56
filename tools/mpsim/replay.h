/*
 * replay.h - mpsim --replay CAPTURE [--speed X]: a Binance venue serves a
 * recording (the capture format of feedd and mpstore capture,
 * "<recv_ns> <exchange> ws|rest:<path> <payload>" a line, plain or zstd)
 * instead of the simulated market.  The venue is the recording's exchange:
 * binance (spot), binance-usdm or binance-coinm (the rows of venues.c with a
 * replay_depth path); the first line of one of them picks it, lines of
 * other exchanges are skipped.
 *   - WebSocket: on the combined-stream path (/stream?streams=a/b/...) every
 *     recorded frame whose "stream" is one of the requested streams goes out
 *     byte for byte, at its recorded pace divided by the speed, except for
 *     their venue times ("E", "T"), which move onto the replay's clock the
 *     same way (wall time at the start + distance from the recording's first
 *     receive time / speed).  A diff-depth stream of any speed
 *     (<sym>@depth, <sym>@depth@100ms) gets the symbol's recorded one
 *     whatever its speed (the USD-M recording's is @depth@0ms).  The
 *     recording's clock starts when the first such connection opens and runs
 *     whether or not a client is connected (frames sent while nobody listens
 *     are lost, as from a venue);
 *   - REST GET <api>/depth?symbol=S (/api/v3, /fapi/v1, /dapi/v1): the
 *     recorded snapshot answer of S whose receive time is nearest to the
 *     recording's present (the only one of a recording with one), whatever
 *     limit is asked; a symbol with none gets Binance's -1121 "Invalid
 *     symbol.".
 * The rest of that venue's API (exchangeInfo, ping, time, openInterest, ...)
 * and the other venues stay the simulator's.
 */
#ifndef MPSIM_REPLAY_H
#define MPSIM_REPLAY_H

#include <stddef.h>

#include "sim.h"

/* Load the capture at path (.zst or plain) for replay at speed x (> 0).
 * 0, or -1 with err set (unreadable, no WebSocket frame of a Binance venue). */
int replay_load(const char *path, double speed, char *err, size_t cap);
/* Whether --replay is on and serves sim venue v (SIM_BINANCE, ...). */
int replay_serves(int venue);
/* A WebSocket upgrade of that venue in replay mode: 0 to accept, else a status
 * (body in why). */
int replay_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
/* The upgrade went out: the connection starts receiving frames. */
void replay_ws_ready(struct sim_conn *c);
/* A connection is going away. */
void replay_closed(struct sim_conn *c);
/* A REST request of that venue in replay mode: 1 if answered (depth), 0 to let
 * the simulator answer it. */
int replay_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
/* JSON fields for /_sim/stats: frames sent, position, done. */
void replay_stats(struct sb *b);
void replay_free(void);

#endif
