/*
 * rec_desc.h - the description of every record struct in rec.h, field by
 * field.  rec_schema_hash() hashes it; the unit test proves it covers every
 * struct exactly (no field left out, no hole, no overlap), so a layout change
 * that is not described here fails the build's tests, and one that is
 * described changes the hash.
 *
 * Adding or changing a record field: change rec.h, describe it in
 * rec_desc.c, and bump REC_FORMAT_VERSION if the meaning of a field changed
 * without its name, size or offset changing.
 */
#ifndef MP_REC_DESC_H
#define MP_REC_DESC_H

#include <stddef.h>
#include <stdint.h>

#define REC_FORMAT_VERSION 1

struct rec_desc_field {
	const char *name;
	size_t off;
	size_t size;
};

struct rec_desc_struct {
	const char *name;                     /* "rec_delta" */
	size_t size;                          /* sizeof the struct */
	const struct rec_desc_field *f;
	int nf;
	const char *tail;                     /* trailing array member, or NULL */
	size_t tail_off;                      /* offsetof it (== size) */
	size_t tail_elem;                     /* its element size */
};

/* The built-in description (every struct of rec.h); *n = its length. */
const struct rec_desc_struct *rec_desc(int *n);
/* FNV-1a 64 over REC_FORMAT_VERSION and a description (what rec_schema_hash()
 * computes over rec_desc(); exposed so tests can hash altered copies). */
uint64_t rec_desc_hash(const struct rec_desc_struct *d, int n);

#endif
