/* cfg_keys_mpctl.c - configuration keys of mpctl: [mpctl], [alerts]. */
#include "cfg_schemas.h"

const struct cfg_key cfg_keys_mpctl[] = {
	{0},
};
