/*
 * fuzz_cfg.c - the config loader on arbitrary files (and one arbitrary
 * --set): it must never crash or leak, and a config it accepts must wire up
 * (instruments, ring options) without crashing either; their errors are fine.
 * Input: the file's bytes, optionally followed by NUL and a --set argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "pipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	const uint8_t *nul = memchr(data, 0, size);
	size_t flen = nul ? (size_t)(nul - data) : size;
	char path[64], err[512], *set = NULL;
	char *sets[1];
	struct cfg *c;

	if (fd < 0 && (fd = memfd_create("fuzz_cfg", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, flen, 0) != (ssize_t)flen)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (nul) {
		set = strndup((const char *)nul + 1, size - flen - 1);
		if (!set)
			return 0;
		sets[0] = set;
	}
	c = cfg_load(path, cfg_all_schemas, sets, set ? 1 : 0, err, sizeof err);
	if (!c) {
		if (!memchr(err, 0, sizeof err) || !err[0])
			abort();        /* every refusal says why */
	} else {
		struct inst_registry reg;
		struct ring_opts o;
		char names[16][32], prefix[128];
		const char *secs[8];
		int n = pipe_ring_names(c, names, 16);

		if (pipe_instruments(c, &reg, err, sizeof err) == 0)
			inst_reg_free(&reg);
		pipe_prefix(c, prefix, sizeof prefix);
		for (int i = 0; i < n; i++)
			pipe_ring_opts(c, names[i], &o, err, sizeof err);
		n = cfg_sections(c, "feedd.*", secs, 8);
		for (int i = 0; i < n; i++)
			(void)cfg_origin(c, secs[i], "ws_url");
		cfg_free(c);
	}
	free(set);
	return 0;
}
