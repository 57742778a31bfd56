/*
 * fuzz_mpsim_http.c - libFuzzer target for everything mpsim parses from its
 * clients: HTTP requests (REST and /_sim/ control), the WebSocket upgrade,
 * WebSocket frames, and the Binance/OKX subscription messages.  The first
 * input byte picks the venue; the rest is fed to one connection as if read
 * from its socket (a socketpair whose other end is never read).
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../tools/mpsim/http.h"
#include "../../tools/mpsim/sim.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct sim_conn *c;
	int sv[2];

	if (!ready) {
		log_init("fuzz_mpsim_http");
		log_set_level(LOG_ERROR);
		sim.loop = uv_default_loop();
		sim.seed = 1;
		sim.rate = sim.timer_rate = 1;
		sim.max_write_queue = 1 << 20;
		sim.start_ms = sim_mono_ms();
		if (sim_setup_instruments("BTC-USDT", 1000) < 0)
			return 0;
		ready = 1;
	}
	/* /_sim/step can ask for 100000 steps: valid, but slow to fuzz */
	if (size < 1 || memmem(data, size, "step", 4) != NULL)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return 0;
	c = http_adopt(data[0] & 1, sv[0]);
	if (c == NULL) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	http_feed(c, data + 1, size - 1);
	conn_drop(c);
	close(sv[1]);
	uv_run(sim.loop, UV_RUN_NOWAIT);
	return 0;
}
