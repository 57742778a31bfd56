/*
 * npy.h - a streaming writer of numpy .npy files (format version 1.0).
 *
 * The format (numpy.lib.format): the magic "\x93NUMPY", version bytes 1 0, a
 * little-endian uint16 header length, then a Python dict literal
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (N, 40), }
 * padded with spaces and ended by '\n' so that the data starts at a multiple
 * of 64 bytes, then the array in C order.  The number of rows is not known
 * while exporting, so the header is written with room for the largest
 * possible first dimension and rewritten, same length, by mpx_npy_close().
 * Only little-endian descrs ("<f4", "<f8", "<i8", "<i4", "|i1", "|b1", ...)
 * are written; the file is readable by numpy.load (and np.load(mmap_mode='r')).
 */
#ifndef MPX_NPY_H
#define MPX_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MPX_NPY_MAXDIM 4

struct mpx_npy {
	FILE *f;
	char path[1024];
	char descr[8];
	int ndim;
	uint64_t shape[MPX_NPY_MAXDIM]; /* shape[0] counts rows appended so far */
	size_t row_bytes;               /* bytes of one row (product of shape[1..] x item size) */
	size_t hdr_len;                 /* bytes before the data */
	int failed;                     /* a write failed (errno kept in err_no) */
	int err_no;
};

/* Bytes of one item of descr ("<f4" -> 4); 0 if unknown. */
size_t mpx_npy_itemsize(const char *descr);

/*
 * Format the header for (descr, ndim, shape) into buf, padded to exactly
 * total bytes (0 = the smallest multiple of 64 that fits).  Returns the
 * header length, or 0 if it does not fit in cap or in total.
 */
size_t mpx_npy_header(char *buf, size_t cap, const char *descr, int ndim, const uint64_t *shape, size_t total);

/* Create path for an array of rows shaped inner[0..ndim-2] (ndim 1..4). 0 or -1 with err. */
int mpx_npy_open(struct mpx_npy *n, const char *path, const char *descr, int ndim, const uint64_t *inner,
    char *err, size_t errlen);
/* Append nrows rows (nrows x row_bytes bytes).  0, or -1 (the error is reported by close). */
int mpx_npy_append(struct mpx_npy *n, const void *rows, uint64_t nrows);
/* Rewrite the header with the final row count and close.  0, or -1 with err
 * (a failed write or close, e.g. a full disk).  Safe on a never-opened writer. */
int mpx_npy_close(struct mpx_npy *n, char *err, size_t errlen);

#endif
