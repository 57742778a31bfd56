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
extern const struct cfg_key cfg_keys_routerd[];  /* [routerd], [nats], [ml] */
extern const struct cfg_key cfg_keys_stored[];   /* [stored], [clickhouse] */
extern const struct cfg_key cfg_keys_mpctl[];    /* [mpctl], [alerts] */

/* Value checks the tables name (cfg_check.c; see cfg_check_fn in cfg.h). */
int cfg_check_prefix(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_log_level(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_ring_capacity(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_ring_policy(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_severity(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_storage(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_legacy_update(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_ch_schema(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_ch_compression(const char *text, int64_t v, char *why, size_t whylen);
/* [ml] features: a comma list of price, volume, micro, liquidity, all (the
 * names routerd/mlfeat.c parses; test_mlfeat keeps the two equal). */
int cfg_check_ml_features(const char *text, int64_t v, char *why, size_t whylen);
/* [ml] basis_spot: comma list of venue:SYMBOL=venue:SYMBOL or venue:SYMBOL=none
 * (the syntax; routerd/mlbasis.c resolves the names against the registry). */
int cfg_check_ml_basis_spot(const char *text, int64_t v, char *why, size_t whylen);
int cfg_check_nats_url(const char *text, int64_t v, char *why, size_t whylen);
/* 1 when p is usable as the ring directory /dev/shm/<p>: printable, at most
 * 64 characters, no '/', not "." or "..". */
int cfg_prefix_ok(const char *p);

/* All of the above, NULL-terminated: what every program passes to cfg_load. */
extern const struct cfg_key *const cfg_all_schemas[];

#endif
