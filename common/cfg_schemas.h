/*
 * cfg_schemas.h - the key tables of every part of the system.  Each daemon's
 * keys live in common/cfg_keys_<part>.c (data only), so that every program can
 * validate the whole shared config file, not just its own sections.
 */
#ifndef MP_CFG_SCHEMAS_H
#define MP_CFG_SCHEMAS_H

#include "cfg.h"

extern const struct cfg_key cfg_keys_system[];   /* [system], [instruments], [ring.*] */
extern const struct cfg_key cfg_keys_feedd[];    /* [feedd.*] */
extern const struct cfg_key cfg_keys_bookd[];    /* [bookd] */
extern const struct cfg_key cfg_keys_routerd[];  /* [routerd], [nats] */
extern const struct cfg_key cfg_keys_stored[];   /* [stored], [clickhouse] */
extern const struct cfg_key cfg_keys_mpctl[];    /* [mpctl], [alerts] */

/* All of the above, NULL-terminated: what every program passes to cfg_load. */
extern const struct cfg_key *const cfg_all_schemas[];

#endif
