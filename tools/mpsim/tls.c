/* tls.c - see tls.h. */
#include "tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>

#include "log.h"

static SSL_CTX *ctx;

static void
log_ssl(const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof buf);
	log_error(what, "err=%s", log_q(buf));
	ERR_clear_error();
}

static int
add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ex;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, crt, crt, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ex == NULL)
		return -1;
	X509_add_ext(crt, ex, -1);
	X509_EXTENSION_free(ex);
	return 0;
}

/* A self-signed certificate for the loopback names. */
static int
make_cert(EVP_PKEY **pkey, X509 **crt)
{
	X509_NAME *name;

	*pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	*crt = X509_new();
	if (*pkey == NULL || *crt == NULL)
		return -1;
	X509_set_version(*crt, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(*crt), 1);
	X509_gmtime_adj(X509_getm_notBefore(*crt), -3600);
	X509_gmtime_adj(X509_getm_notAfter(*crt), 30L * 86400);
	X509_set_pubkey(*crt, *pkey);
	name = X509_get_subject_name(*crt);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"mpsim", -1, -1, 0);
	X509_set_issuer_name(*crt, name);
	if (add_ext(*crt, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(*crt, NID_key_usage, "critical,digitalSignature,keyCertSign") < 0 ||
	    add_ext(*crt, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost") < 0 ||
	    add_ext(*crt, NID_ext_key_usage, "serverAuth") < 0)
		return -1;
	if (X509_sign(*crt, *pkey, EVP_sha256()) == 0)
		return -1;
	return 0;
}

int
tls_init(const char *cert_file, const char *key_file, const char *cert_out)
{
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		log_ssl("cannot create TLS context");
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cert_file && key_file) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
			log_ssl("cannot load TLS certificate or key");
			return -1;
		}
		return 0;
	}
	EVP_PKEY *pkey = NULL;
	X509 *crt = NULL;
	int rc = -1;
	if (make_cert(&pkey, &crt) < 0) {
		log_ssl("cannot make a self-signed certificate");
		goto out;
	}
	if (SSL_CTX_use_certificate(ctx, crt) != 1 || SSL_CTX_use_PrivateKey(ctx, pkey) != 1) {
		log_ssl("cannot use the self-signed certificate");
		goto out;
	}
	if (cert_out) {
		FILE *f = fopen(cert_out, "w");
		if (f == NULL || PEM_write_X509(f, crt) != 1) {
			log_error("cannot write the certificate", "path=%s", log_q(cert_out));
			if (f)
				fclose(f);
			goto out;
		}
		fclose(f);
	}
	rc = 0;
out:
	X509_free(crt);
	EVP_PKEY_free(pkey);
	return rc;
}

int
tls_enabled(void)
{
	return ctx != NULL;
}

void
tls_shutdown(void)
{
	SSL_CTX_free(ctx);
	ctx = NULL;
}

SSL *
tls_new(void)
{
	SSL *s = SSL_new(ctx);
	BIO *rb, *wb;

	if (s == NULL)
		return NULL;
	rb = BIO_new(BIO_s_mem());
	wb = BIO_new(BIO_s_mem());
	if (rb == NULL || wb == NULL) {
		BIO_free(rb);
		BIO_free(wb);
		SSL_free(s);
		return NULL;
	}
	SSL_set_bio(s, rb, wb);
	SSL_set_accept_state(s);
	return s;
}

void
tls_free(SSL *s)
{
	SSL_free(s);
}

static void
drain(SSL *s, struct sb *out)
{
	BIO *wb = SSL_get_wbio(s);
	int n;

	while (BIO_ctrl_pending(wb) > 0) {
		sb_reserve(out, 16384);
		n = BIO_read(wb, out->p + out->len, 16384);
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
}

int
tls_input(SSL *s, const void *p, size_t n, struct sb *plain, struct sb *out)
{
	int rc = 0;

	if (n && BIO_write(SSL_get_rbio(s), p, (int)n) != (int)n)
		return -1;
	for (;;) {
		int k;
		sb_reserve(plain, 16384);
		k = SSL_read(s, plain->p + plain->len, 16384);
		if (k > 0) {
			plain->len += (size_t)k;
			continue;
		}
		int e = SSL_get_error(s, k);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			if (e != SSL_ERROR_ZERO_RETURN)
				ERR_clear_error();
			rc = -1;
		}
		break;
	}
	drain(s, out);
	return rc;
}

int
tls_output(SSL *s, const void *p, size_t n, struct sb *out)
{
	if (n > 0 && SSL_write(s, p, (int)n) <= 0) {
		ERR_clear_error();
		return -1;
	}
	drain(s, out);
	return 0;
}

void
tls_close(SSL *s, struct sb *out)
{
	SSL_shutdown(s);
	ERR_clear_error();
	drain(s, out);
}
