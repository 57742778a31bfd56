/* cfg_keys_stored.c - configuration keys of stored: [stored], [clickhouse]. */
#include "cfg_schemas.h"

const struct cfg_key cfg_keys_stored[] = {
	{0},
};
