/* cfg_keys_feedd.c - configuration keys of feedd: [feedd.*] (one section per venue: feedd.binance, feedd.okx). */
#include "cfg_schemas.h"

const struct cfg_key cfg_keys_feedd[] = {
	{0},
};
