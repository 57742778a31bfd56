/*
 * ctl.h - the control API served under /_sim/ on every venue port:
 *   GET  /_sim/book?venue=binance|okx&symbol=BTC-USDT[&depth=N]
 *   GET  /_sim/stats
 *   GET  /_sim/info
 *   POST /_sim/pause, /_sim/resume, /_sim/step?n=N
 *   POST /_sim/fault?kind=K&venue=V[&symbol=S][&n=N][&ms=MS][&code=C]
 * Answers are JSON; errors are {"error":"..."} with status 400/404/405.
 */
#ifndef MPSIM_CTL_H
#define MPSIM_CTL_H

#include "sim.h"

void ctl_request(struct sim_conn *c, const char *method, const char *path, const char *query);

#endif
