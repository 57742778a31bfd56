/* cfg_keys_bookd.c - configuration keys of bookd: [bookd]. */
#include "cfg_schemas.h"

const struct cfg_key cfg_keys_bookd[] = {
	{0},
};
