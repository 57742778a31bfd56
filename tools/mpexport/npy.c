/* npy.c - streaming .npy writer (npy.h). */
#include "npy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = { '\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0 };

size_t
mpx_npy_itemsize(const char *descr)
{
	if (!descr || strlen(descr) < 3 || (descr[0] != '<' && descr[0] != '|'))
		return 0;
	return (size_t)atoi(descr + 2);
}

size_t
mpx_npy_header(char *buf, size_t cap, const char *descr, int ndim, const uint64_t *shape, size_t total)
{
	char dict[256];
	size_t o, need, dl;
	int i, k;

	if (ndim < 1 || ndim > MPX_NPY_MAXDIM)
		return 0;
	k = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
	o = (size_t)k;
	for (i = 0; i < ndim; i++) {
		k = snprintf(dict + o, sizeof dict - o, "%s%" PRIu64, i ? ", " : "", shape[i]);
		o += (size_t)k;
	}
	k = snprintf(dict + o, sizeof dict - o, "%s), }", ndim == 1 ? "," : "");
	o += (size_t)k;
	if (o >= sizeof dict - 1)
		return 0;
	dl = o;
	/* magic(8) + len(2) + dict + at least the '\n' */
	need = 10 + dl + 1;
	if (!total)
		total = (need + 63) / 64 * 64;
	if (need > total || total > cap || total - 10 > 65535)
		return 0;
	memcpy(buf, magic, 8);
	buf[8] = (char)((total - 10) & 0xff);
	buf[9] = (char)((total - 10) >> 8);
	memcpy(buf + 10, dict, dl);
	memset(buf + 10 + dl, ' ', total - 10 - dl - 1);
	buf[total - 1] = '\n';
	return total;
}

int
mpx_npy_open(struct mpx_npy *n, const char *path, const char *descr, int ndim, const uint64_t *inner,
    char *err, size_t errlen)
{
	char hdr[512];
	uint64_t big[MPX_NPY_MAXDIM];
	size_t item = mpx_npy_itemsize(descr);
	int i;

	memset(n, 0, sizeof *n);
	if (!item || ndim < 1 || ndim > MPX_NPY_MAXDIM || strlen(descr) >= sizeof n->descr) {
		snprintf(err, errlen, "%s: bad array description %s/%d", path, descr, ndim);
		return -1;
	}
	snprintf(n->path, sizeof n->path, "%s", path);
	snprintf(n->descr, sizeof n->descr, "%s", descr);
	n->ndim = ndim;
	n->row_bytes = item;
	for (i = 1; i < ndim; i++) {
		n->shape[i] = inner[i - 1];
		n->row_bytes *= (size_t)inner[i - 1];
	}
	/* Reserve room for the widest row count so close() can rewrite in place. */
	memcpy(big, n->shape, sizeof big);
	big[0] = UINT64_MAX;
	n->hdr_len = mpx_npy_header(hdr, sizeof hdr, descr, ndim, big, 0);
	if (!n->hdr_len) {
		snprintf(err, errlen, "%s: header does not fit", path);
		return -1;
	}
	n->f = fopen(path, "wb");
	if (!n->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(n->f, NULL, _IOFBF, 1 << 20);
	if (fwrite(hdr, 1, n->hdr_len, n->f) != n->hdr_len) {
		n->failed = 1;
		n->err_no = errno;
	}
	return 0;
}

int
mpx_npy_append(struct mpx_npy *n, const void *rows, uint64_t nrows)
{
	size_t len = (size_t)nrows * n->row_bytes;

	if (!n->f || n->failed)
		return -1;
	if (len && fwrite(rows, 1, len, n->f) != len) {
		n->failed = 1;
		n->err_no = errno;
		return -1;
	}
	n->shape[0] += nrows;
	return 0;
}

int
mpx_npy_close(struct mpx_npy *n, char *err, size_t errlen)
{
	char hdr[512];
	int rc = 0;

	if (!n->f)
		return 0;
	if (!n->failed) {
		if (!mpx_npy_header(hdr, sizeof hdr, n->descr, n->ndim, n->shape, n->hdr_len)) {
			n->failed = 1;
			n->err_no = EOVERFLOW;
		} else if (fflush(n->f) != 0 || fseek(n->f, 0, SEEK_SET) != 0 ||
		    fwrite(hdr, 1, n->hdr_len, n->f) != n->hdr_len) {
			n->failed = 1;
			n->err_no = errno;
		}
	}
	if (fclose(n->f) != 0 && !n->failed) {
		n->failed = 1;
		n->err_no = errno;
	}
	n->f = NULL;
	if (n->failed) {
		snprintf(err, errlen, "%s: write failed: %s", n->path, strerror(n->err_no));
		rc = -1;
	}
	return rc;
}
