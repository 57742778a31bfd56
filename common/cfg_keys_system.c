/* cfg_keys_system.c - keys shared by every process: [system], [instruments], [ring.*]. */
#include "cfg_schemas.h"
#include "inst.h"
#include "venue.h"

const struct cfg_key cfg_keys_system[] = {
	{"system", "ring_prefix", CFG_STR, "", 0, 0,
	    "directory under /dev/shm holding this instance's rings (default mp-<user>; no '/', not . or ..)",
	    cfg_check_prefix},
	{"system", "data_dir", CFG_STR, "var", 0, 0,
	    "directory for the local store, logs, pid and status files"},
	{"system", "log_level", CFG_STR, "info", 0, 0, "debug, info, warn or error", cfg_check_log_level},
	{"system", "max_instruments", CFG_INT, "1024", 1, INST_LIMIT,
	    "most instruments of all venues together; every per-instrument table (books, metrics, "
	    "links) is sized from the instruments listed, this is the ceiling"},
	/* one key per venue (the venue list of venue.h) */
#define INST_KEY(name, def, help) {"instruments", name, CFG_LIST, def, 0, 0, help},
	VENUE_CFG(INST_KEY)
#undef INST_KEY
	/* the rings of common/pipe.c (test_pipe checks the two lists agree) */
	{"ring.*", "", CFG_SECTION, VENUE_RINGS "book.router, book.store", 0, 0,
	    "one section per ring whose size or policy is not the built-in"},
	{"ring.*", "capacity", CFG_SIZE, "0", 0, (int64_t)1 << 34,
	    "ring data area (power of two of at least 64KiB; 0 = the built-in size for that ring)",
	    cfg_check_ring_capacity},
	{"ring.*", "policy", CFG_STR, "", 0, 0,
	    "when full: block (producer waits) or drop (counted, gap record); empty = built-in",
	    cfg_check_ring_policy},
	{0},
};

const struct cfg_key *const cfg_all_schemas[] = {
	cfg_keys_system, cfg_keys_feedd, cfg_keys_bookd, cfg_keys_routerd,
	cfg_keys_stored, cfg_keys_mpctl, NULL,
};
