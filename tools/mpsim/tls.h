/*
 * tls.h - optional TLS on the venue ports (--tls), so clients can test their
 * wss:// and https:// paths.  With TLS on, a connection whose first byte is a
 * TLS handshake record (0x16) is served over TLS and any other stays plain, so
 * one port serves http/ws and https/wss alike.  OpenSSL runs on memory BIOs
 * under libuv; http.c passes every byte through here.
 *
 * Without --tls-cert/--tls-key a self-signed certificate for 127.0.0.1,
 * ::1 and localhost is made at start (EC P-256, valid 30 days);
 * --tls-cert-out writes it (PEM) for clients to trust (curl --cacert, lws
 * client_ssl_ca_filepath, Node's ca option).
 */
#ifndef MPSIM_TLS_H
#define MPSIM_TLS_H

#include <stddef.h>

#include "buf.h"

struct ssl_st;

/* Set up the server context; 0 or -1 (logged). */
int tls_init(const char *cert_file, const char *key_file, const char *cert_out);
int tls_enabled(void);
void tls_shutdown(void);
/* A server-side session, or NULL. */
struct ssl_st *tls_new(void);
void tls_free(struct ssl_st *s);
/* Feed ciphertext in; plaintext is appended to plain, anything the session
 * must send (handshake, alerts) to out.  -1 on a fatal error. */
int tls_input(struct ssl_st *s, const void *p, size_t n, struct sb *plain, struct sb *out);
/* Encrypt plaintext into out.  -1 on error. */
int tls_output(struct ssl_st *s, const void *p, size_t n, struct sb *out);
/* close_notify into out. */
void tls_close(struct ssl_st *s, struct sb *out);

#endif
