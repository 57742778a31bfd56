/* cfg_keys_routerd.c - configuration keys of routerd: [routerd], [nats]. */
#include "cfg_schemas.h"

const struct cfg_key cfg_keys_routerd[] = {
	{0},
};
