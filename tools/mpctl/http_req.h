/*
 * http_req.h - is this the start of an HTTP/1.x request?  The check mpctl's
 * tiny HTTP server (http.c) runs on every read, so that garbage is answered
 * at once instead of holding a connection slot until a deadline.
 */
#ifndef MP_MPCTL_HTTP_REQ_H
#define MP_MPCTL_HTTP_REQ_H

#include <stddef.h>

/*
 * in[0..n) (NUL-terminated at n) as received so far:
 *   1  a complete request: a well-formed request line and headers up to an
 *      empty line;
 *   0  incomplete, and so far it can still become one;
 *  -1  it never will: the request line is not METHOD SP TARGET SP HTTP/1.d
 *      (METHOD 1..16 upper-case letters, TARGET visible ASCII), or a header
 *      byte is a control character other than CR, LF or TAB.
 */
int http_req_check(const char *in, size_t n);

#endif
