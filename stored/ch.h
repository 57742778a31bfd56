/*
 * ch.h - the ClickHouse sink: a thread inside stored that follows the local
 * store and ships it over HTTP (libcurl) as RowBinary INSERTs.
 *
 * It never reads the rings: it reads what the store holds, block by block,
 * and remembers how far it shipped in a cursor file (<store>/clickhouse.cursor
 * by default), so a ClickHouse outage of any length loses nothing -- the sink
 * waits, retries with backoff, and catches up from the store.
 *
 * Idempotency: before sending a batch the sink writes its extent (start and
 * end block per stream) to the cursor file as an "intent"; a restart resends
 * exactly that extent with the same bytes and the same
 * insert_deduplication_token (modern servers dedup it; tables have
 * non_replicated_deduplication_window).  Legacy servers (18.16) have no token;
 * there the tables are ReplacingMergeTree on a natural key, so a re-sent row
 * collapses on merge / with FINAL.  See stored/README.md.
 */
#ifndef MP_CH_H
#define MP_CH_H

#include <stddef.h>

#include "cfg.h"
#include "metrics.h"

struct ch_sink;

/* Start the sink thread (config [clickhouse]); NULL with err on a bad config. */
struct ch_sink *ch_sink_start(const struct cfg *c, const char *store_root, struct metrics *m,
    char *err, size_t errlen);
/* Stop the thread after the request in flight (bounded by [clickhouse]
 * timeout).  A batch not yet acknowledged keeps its intent in the cursor
 * file, so the next start resends exactly it; nothing shipped is lost. */
void ch_sink_stop(struct ch_sink *s);

#endif
