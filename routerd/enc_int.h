/*
 * enc_int.h - the pieces of enc.c that the other encoders of routerd share
 * (enc_market.c), so every message spells names, times, prices and sizes the
 * same way (enc.h "Conventions").  Internal to routerd.
 */
#ifndef MP_ROUTERD_ENC_INT_H
#define MP_ROUTERD_ENC_INT_H

#include <stdint.h>

#include "inst.h"
#include "rec.h"
#include "sbuf.h"

/* Opens the object: {"exchange_name":"okx","symbol_name":"BTC-USDT-SWAP" */
void enc_put_names(struct sbuf *b, const struct inst *in);
/* ,"timestamp":...,"collected_at":...,"processed_at":... */
void enc_put_times(struct sbuf *b, const struct rec_hdr *h);
/* A quoted price / size in the instrument's string style. */
void enc_put_px(struct sbuf *b, const struct inst *in, int64_t v);
void enc_put_qty(struct sbuf *b, const struct inst *in, int64_t v);

#endif
