/*
 * test_crypto.c - unit tests for analyze/crypto.c, without DNS parsing.
 *
 * Known answers: the digests of FIPS 180-4's "abc" and of the empty
 * string, the DS digests of RFC 4034 5.4, RFC 4509 2.3 and RFC 6605 6.2
 * over owner | DNSKEY rdata, and one signature per algorithm: RFC 5702 6
 * (8, 10), RFC 6605 6 (13, 14), RFC 8080 6 as corrected by erratum 4935
 * (15, 16), and the zones of tests/unit/data/dnssec/ signed by BIND (5, 7).
 * Keys and signatures are written as published (base64); the signed data
 * (RFC 4034 3.1.8.1) is written field by field.  Every vector was checked
 * with a second implementation (Python's cryptography package) before it
 * went in.  Inputs are copied into buffers of their exact size, so that
 * AddressSanitizer sees any read past a length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/crypto.h"
#include "../../../common/flow.h"

/* zonetext.h's base64, hex and name writers; its zone files are not read. */
#define SEC 1000000LL
#define DATA_DIR "tests/unit/data/dnssec/"
#include "../zonetext.h"

/* --- helpers ----------------------------------------------------------- */

typedef struct bytes {
	uint8_t *p;
	size_t n;
} bytes_t;

/* A malloc'ed copy of exactly n octets (at least one octet allocated, so
 * that p is never NULL). */
static bytes_t dup_bytes(const uint8_t *p, size_t n)
{
	bytes_t b = { malloc(n ? n : 1), n };
	assert_non_null(b.p);
	if (n)
		memcpy(b.p, p, n);
	return b;
}

static bytes_t from_tbuf(void (*put)(tbuf_t *, const char *), const char *s)
{
	uint8_t tmp[4096];
	tbuf_t t = { tmp, sizeof(tmp), 0, 0 };
	put(&t, s);
	assert_false(t.err);
	return dup_bytes(tmp, t.n);
}

static bytes_t b64(const char *s) { return from_tbuf(put_b64, s); }
static bytes_t hex(const char *s) { return from_tbuf(put_hex, s); }

static void bytes_free(bytes_t *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

#define assert_verdict(got, want)                                                                  \
	do {                                                                                       \
		crypto_verdict_t g_ = (got), w_ = (want);                                          \
		if (g_ != w_)                                                                      \
			fail_msg("got %s, want %s", crypto_verdict_str(g_),                        \
				 crypto_verdict_str(w_));                                          \
	} while (0)

/* --- digests ------------------------------------------------------------ */

static void digest_is(uint8_t type, const uint8_t *data, size_t len, const char *want_hex)
{
	uint8_t out[CRYPTO_MAX_DIGEST];
	size_t out_len = 0;
	bytes_t want = hex(want_hex);
	bytes_t in = dup_bytes(data, len);

	assert_int_equal(crypto_digest(type, data ? in.p : NULL, len, out, &out_len), DB_OK);
	assert_int_equal(out_len, want.n);
	assert_int_equal(crypto_digest_size(type), want.n);
	assert_memory_equal(out, want.p, want.n);
	bytes_free(&in);
	bytes_free(&want);
}

/* FIPS 180-4 (examples of NIST's Cryptographic Standards and Guidelines):
 * "abc" and the empty message. */
static void test_digest_fips180(void **state)
{
	(void)state;
	const uint8_t *abc = (const uint8_t *)"abc";

	digest_is(DNSSEC_DIGEST_SHA1, abc, 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	digest_is(DNSSEC_DIGEST_SHA256, abc, 3,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_is(DNSSEC_DIGEST_SHA384, abc, 3,
		  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
		  "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	/* An empty buffer, with and without a pointer. */
	digest_is(DNSSEC_DIGEST_SHA1, abc, 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	digest_is(DNSSEC_DIGEST_SHA256, NULL, 0,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_is(DNSSEC_DIGEST_SHA384, NULL, 0,
		  "38b060a751ac96384cd9327eb1b1e36a21fdb71114be0743"
		  "4c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");
}

/* RFC 4034 5.1.4: the DS digest is over owner | DNSKEY rdata; crypto.c
 * hashes whatever buffer it is given, here built by hand. */
static bytes_t ds_input(const char *owner, uint16_t flags, uint8_t alg, const char *key)
{
	uint8_t tmp[1024];
	tbuf_t t = { tmp, sizeof(tmp), 0, 0 };
	put_name(&t, owner);
	tput16(&t, flags);
	tput8(&t, 3);
	tput8(&t, alg);
	put_b64(&t, key);
	assert_false(t.err);
	return dup_bytes(tmp, t.n);
}

static void test_digest_ds_vectors(void **state)
{
	(void)state;
	/* RFC 4034 5.4 (SHA-1) and RFC 4509 2.3 (SHA-256), key tag 60485. */
	bytes_t in = ds_input("dskey.example.com.", 256, 5,
			      "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxe"
			      "YCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2"
			      "wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==");
	digest_is(DNSSEC_DIGEST_SHA1, in.p, in.n, "2BB183AF5F22588179A53B0A98631FAD1A292118");
	digest_is(DNSSEC_DIGEST_SHA256, in.p, in.n,
		  "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A");
	bytes_free(&in);

	/* RFC 6605 6.1 (SHA-256, key tag 55648) and 6.2 (SHA-384, 10771). */
	in = ds_input("example.net.", 257, 13,
		      "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MA"
		      "nLr+Wi9xMWyQLc8NAA==");
	digest_is(DNSSEC_DIGEST_SHA256, in.p, in.n,
		  "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
	bytes_free(&in);
	in = ds_input("example.net.", 257, 14,
		      "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ"
		      "6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40");
	digest_is(DNSSEC_DIGEST_SHA384, in.p, in.n,
		  "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9"
		  "495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6");
	bytes_free(&in);
}

/* GOST (3, RFC 5933) and unassigned types: refused, nothing written. */
static void test_digest_unsupported(void **state)
{
	(void)state;
	uint8_t out[CRYPTO_MAX_DIGEST];
	size_t out_len = 7;
	size_t n = 0;

	for (unsigned type = 0; type <= 255; type++) {
		int known = type == 1 || type == 2 || type == 4;
		if (known) {
			n++;
			continue;
		}
		memset(out, 0xA5, sizeof(out));
		assert_int_equal(crypto_digest_size((uint8_t)type), 0);
		assert_int_equal(
		    crypto_digest((uint8_t)type, (const uint8_t *)"abc", 3, out, &out_len),
		    DB_EUNSUPP);
		assert_int_equal(out_len, 7);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xA5);
	}
	assert_int_equal(n, 3);
	assert_int_equal(crypto_digest_size(DNSSEC_DIGEST_SHA1), 20);
	assert_int_equal(crypto_digest_size(DNSSEC_DIGEST_SHA256), 32);
	assert_int_equal(crypto_digest_size(DNSSEC_DIGEST_SHA384), 48);
}

/* --- signatures ---------------------------------------------------------- */

typedef struct sigvec {
	const char *what;
	uint8_t alg;
	const char *key; /* the DNSKEY's public key field, base64 */
	const char *sig; /* the RRSIG's signature field, base64 */
	/* The signed data: RRSIG rdata up to the signer, then one RR. */
	uint16_t type;
	uint8_t labels;
	uint32_t ttl;
	const char *expiration, *inception;
	uint16_t key_tag;
	const char *signer, *owner;
	const char *rdata; /* hex */
} sigvec_t;

static const sigvec_t sigvecs[] = {
	{ "RFC 5702 6.1 RSA/SHA-256", DNSSEC_ALG_RSASHA256,
	  "AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp"
	  "6p/DlUmObdk=",
	  "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiV"
	  "YP4bwg==",
	  DNS_T_A, 3, 3600, "20300101000000", "20000101000000", 9033, "example.net.",
	  "www.example.net.", "c000025b" /* 192.0.2.91 */ },
	{ "RFC 5702 6.2 RSA/SHA-512", DNSSEC_ALG_RSASHA512,
	  "AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13"
	  "tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY1"
	  "2ZTSncorffcGmhOL",
	  "tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzE"
	  "Wzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk"
	  "0fthPgxdDLw=",
	  DNS_T_A, 3, 3600, "20300101000000", "20000101000000", 3740, "example.net.",
	  "www.example.net.", "c000025b" },
	{ "RFC 6605 6.1 ECDSA P-256", DNSSEC_ALG_ECDSAP256SHA256,
	  "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQ"
	  "Lc8NAA==",
	  "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep"
	  "666VCw==",
	  DNS_T_A, 3, 3600, "20100909100439", "20100812100439", 55648, "example.net.",
	  "www.example.net.", "c0000201" /* 192.0.2.1 */ },
	{ "RFC 6605 6.2 ECDSA P-384", DNSSEC_ALG_ECDSAP384SHA384,
	  "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrb"
	  "YQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	  "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKay"
	  "JNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm",
	  DNS_T_A, 3, 3600, "20100909102025", "20100812102025", 10771, "example.net.",
	  "www.example.net.", "c0000201" },
	{ "RFC 8080 6.1 Ed25519 (erratum 4935)", DNSSEC_ALG_ED25519,
	  "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	  "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngw"
	  "crqNAg==",
	  DNS_T_MX, 2, 3600, "1440021600", "1438207200", 3613, "example.com.", "example.com.",
	  "000a"
	  "046d61696c"
	  "076578616d706c65"
	  "03636f6d"
	  "00" /* 10 mail.example.com. */ },
	{ "RFC 8080 6.2 Ed448 (erratum 4935)", DNSSEC_ALG_ED448,
	  "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA",
	  "3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGIL"
	  "n/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA",
	  DNS_T_MX, 2, 3600, "1440021600", "1438207200", 9713, "example.com.", "example.com.",
	  "000a"
	  "046d61696c"
	  "076578616d706c65"
	  "03636f6d"
	  "00" },
	{ "bind-rsasha1.zone mail A, RSA/SHA-1", DNSSEC_ALG_RSASHA1,
	  "AwEAAeIPeScuKo7wDTCtEC9LwUlnfDMgks+rWG8cclNaGiXp973z3fKJNYREcX+DSFchCreVTKIZUQZu"
	  "wtUW4LBjFrcGfJ9+X04e0bjpudY7rW3D+Wb1fyEhn+vf0s2ejRP6fnbAC3GsZpCzSd7zI6sqxKs1c9NR"
	  "/SAdHn3sSzVRw0kf",
	  "BY6fkPgZpmAHA8fi05m4Ua8SFov7s5FvwICZyKOe+B0Q450cLN8DtqvL294onH8JCtODzCKssqcfGmwC"
	  "8qjICSe44ozNeEEh4uxnOevCtaFyPEjC95TQe34t/k3j6cSAYtBZWD7ZKxuniUZGgiTb66SzJP9B3hRs"
	  "gdtL7wpeNKw=",
	  DNS_T_A, 3, 3600, "20340101000000", "20240101000000", 8863, "example.org.",
	  "mail.example.org.", "c0000219" /* 192.0.2.25 */ },
	{ "bind-nsec3rsasha1.zone mail A, RSA/SHA-1 (NSEC3)", DNSSEC_ALG_RSASHA1_NSEC3_SHA1,
	  "AwEAAdu7EdR6mq9acH8yHTq1rmmbZcVu0koGaMyUZZ7cKPh/koy/ODkrsc+YujZC65mR75jlB51CyPDj"
	  "7NJiUw3rV4O2gZbiG3gFdndl81kPP5aB+i7S4lgp41uBjevtwfxJMhilOsxGpwRxMoq/Nac5BbjZosqs"
	  "4g2aEaMVUHZ4w4Gh",
	  "ylvvx4NDnPcbaRIpYDufZiYVHYVDBnfUH3jDrat1FObUVP/9SHgydL/x3edDkDvILEbobADYf7upHw5s"
	  "fhFu2yt7WP0/WqAe1D90KB9bnRMD4DFhSbwQYh+2pX7mMeu9EGezliccMZW1Cdz9zhELUOGiSPCTdoup"
	  "GHHoQT1QsoA=",
	  DNS_T_A, 3, 3600, "20340101000000", "20240101000000", 18534, "example.org.",
	  "mail.example.org.", "c0000219" },
};

#define NSIGVEC (sizeof(sigvecs) / sizeof(sigvecs[0]))

typedef struct loaded {
	bytes_t key, sig, data;
} loaded_t;

/* RFC 4034 3.1.8.1: RRSIG rdata without the signature | owner | type |
 * class | original TTL | rdlength | rdata. */
static loaded_t load(const sigvec_t *v)
{
	uint8_t tmp[1024];
	tbuf_t t = { tmp, sizeof(tmp), 0, 0 };
	bytes_t rd = hex(v->rdata);
	loaded_t l;

	tput16(&t, v->type);
	tput8(&t, v->alg);
	tput8(&t, v->labels);
	tput32(&t, v->ttl);
	tput32(&t, time_from(v->expiration));
	tput32(&t, time_from(v->inception));
	tput16(&t, v->key_tag);
	put_name(&t, v->signer);
	put_name(&t, v->owner);
	tput16(&t, v->type);
	tput16(&t, 1); /* IN */
	tput32(&t, v->ttl);
	tput16(&t, (unsigned)rd.n);
	tput(&t, rd.p, rd.n);
	assert_false(t.err);
	bytes_free(&rd);
	l.data = dup_bytes(tmp, t.n);
	l.key = b64(v->key);
	l.sig = b64(v->sig);
	return l;
}

static void unload(loaded_t *l)
{
	bytes_free(&l->key);
	bytes_free(&l->sig);
	bytes_free(&l->data);
}

static crypto_verdict_t verify(uint8_t alg, const loaded_t *l)
{
	return crypto_verify(alg, l->key.p, l->key.n, l->data.p, l->data.n, l->sig.p, l->sig.n);
}

static void test_verify_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSIGVEC; i++) {
		const sigvec_t *v = &sigvecs[i];
		loaded_t l = load(v);
		print_message("%s\n", v->what);
		assert_true(crypto_alg_supported(v->alg));
		assert_verdict(verify(v->alg, &l), CRYPTO_VALID);
		unload(&l);
	}
}

/* One changed octet of the data or of the signature: invalid.  Of the
 * key: invalid for RSA (another modulus), not a key for ECDSA (the point
 * leaves the curve), one or the other for EdDSA (as the changed point
 * decodes or not). */
static void test_verify_flipped(void **state)
{
	(void)state;
	for (size_t i = 0; i < NSIGVEC; i++) {
		const sigvec_t *v = &sigvecs[i];
		loaded_t l = load(v);
		print_message("%s\n", v->what);
		const size_t at[] = { 0, l.data.n / 2, l.data.n - 1 };
		for (size_t k = 0; k < 3; k++) {
			l.data.p[at[k]] ^= 0x01;
			assert_verdict(verify(v->alg, &l), CRYPTO_INVALID);
			l.data.p[at[k]] ^= 0x01;
		}
		l.sig.p[l.sig.n - 1] ^= 0x01;
		assert_verdict(verify(v->alg, &l), CRYPTO_INVALID);
		l.sig.p[l.sig.n - 1] ^= 0x01;
		l.sig.p[l.sig.n / 2 - 1] ^= 0x80; /* the last octet of ECDSA's r */
		assert_verdict(verify(v->alg, &l), CRYPTO_INVALID);
		l.sig.p[l.sig.n / 2 - 1] ^= 0x80;

		l.key.p[l.key.n - 1] ^= 0x02;
		crypto_verdict_t r = verify(v->alg, &l);
		switch (v->alg) {
		case DNSSEC_ALG_ECDSAP256SHA256:
		case DNSSEC_ALG_ECDSAP384SHA384: assert_verdict(r, CRYPTO_BAD_KEY); break;
		case DNSSEC_ALG_ED25519:
		case DNSSEC_ALG_ED448:
			assert_true(r == CRYPTO_INVALID || r == CRYPTO_BAD_KEY);
			break;
		default: assert_verdict(r, CRYPTO_INVALID); break;
		}
		l.key.p[l.key.n - 1] ^= 0x02;
		assert_verdict(verify(v->alg, &l), CRYPTO_VALID);
		unload(&l);
	}
}

/* The algorithm number picks the digest and the key's form: the same
 * octets under another number do not verify. */
static void test_verify_other_algorithm(void **state)
{
	(void)state;
	loaded_t l = load(&sigvecs[0]); /* RSA/SHA-256 */
	assert_verdict(verify(DNSSEC_ALG_RSASHA1, &l), CRYPTO_INVALID);
	assert_verdict(verify(DNSSEC_ALG_RSASHA512, &l), CRYPTO_INVALID);
	/* Its 64-octet signature has P-256's length, not its 68-octet key. */
	assert_verdict(verify(DNSSEC_ALG_ECDSAP256SHA256, &l), CRYPTO_BAD_KEY);
	assert_verdict(verify(DNSSEC_ALG_ECDSAP384SHA384, &l), CRYPTO_BAD_SIG);
	assert_verdict(verify(DNSSEC_ALG_ED25519, &l), CRYPTO_BAD_KEY);
	unload(&l);

	l = load(&sigvecs[2]); /* ECDSA P-256 */
	assert_verdict(verify(DNSSEC_ALG_ECDSAP384SHA384, &l), CRYPTO_BAD_SIG);
	assert_verdict(verify(DNSSEC_ALG_ED25519, &l), CRYPTO_BAD_KEY); /* 64-octet key */
	unload(&l);

	l = load(&sigvecs[4]); /* Ed25519 */
	assert_verdict(verify(DNSSEC_ALG_ED448, &l), CRYPTO_BAD_SIG);
	assert_verdict(verify(DNSSEC_ALG_ECDSAP256SHA256, &l), CRYPTO_BAD_KEY);
	unload(&l);
}

/* Exactly the algorithms of crypto.h's table; any other number is
 * unsupported, whatever the octets (RSAMD5, DSA, GOST, private ones). */
static void test_verify_unsupported(void **state)
{
	(void)state;
	static const uint8_t want[] = { 5, 7, 8, 10, 13, 14, 15, 16 };
	loaded_t l = load(&sigvecs[2]);
	size_t n = 0;

	for (unsigned alg = 0; alg <= 255; alg++) {
		int known = memchr(want, (int)alg, sizeof(want)) != NULL;
		assert_int_equal(crypto_alg_supported((uint8_t)alg), known);
		if (known) {
			n++;
			continue;
		}
		assert_verdict(verify((uint8_t)alg, &l), CRYPTO_UNSUPPORTED);
		assert_verdict(crypto_verify((uint8_t)alg, NULL, 0, NULL, 0, NULL, 0),
			       CRYPTO_UNSUPPORTED);
	}
	assert_int_equal(n, sizeof(want));
	unload(&l);
}

static crypto_verdict_t verify_with(uint8_t alg, const uint8_t *key, size_t klen, const loaded_t *l,
				    const uint8_t *sig, size_t slen)
{
	bytes_t k = dup_bytes(key, klen), s = dup_bytes(sig, slen);
	crypto_verdict_t r = crypto_verify(alg, key ? k.p : NULL, klen, l->data.p, l->data.n,
					   sig ? s.p : NULL, slen);
	bytes_free(&k);
	bytes_free(&s);
	return r;
}

/* Fixed sizes of RFC 6605 4 and RFC 8080 3-4, checked before the key. */
static void test_verify_fixed_sizes(void **state)
{
	(void)state;
	static const struct {
		size_t vec, key_len, sig_len;
	} sizes[] = { { 2, 64, 64 }, { 3, 96, 96 }, { 4, 32, 64 }, { 5, 57, 114 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const sigvec_t *v = &sigvecs[sizes[i].vec];
		loaded_t l = load(v);
		const uint8_t *k = l.key.p, *s = l.sig.p;
		size_t kl = l.key.n, sl = l.sig.n;
		print_message("%s\n", v->what);
		assert_int_equal(kl, sizes[i].key_len);
		assert_int_equal(sl, sizes[i].sig_len);

		assert_verdict(verify_with(v->alg, k, kl, &l, s, sl - 1), CRYPTO_BAD_SIG);
		assert_verdict(verify_with(v->alg, k, kl, &l, s, 0), CRYPTO_BAD_SIG);
		assert_verdict(verify_with(v->alg, k, kl, &l, NULL, 0), CRYPTO_BAD_SIG);
		/* The signature is judged first: a bad key with it. */
		assert_verdict(verify_with(v->alg, k, kl - 1, &l, s, sl - 1), CRYPTO_BAD_SIG);
		assert_verdict(verify_with(v->alg, k, kl - 1, &l, s, sl), CRYPTO_BAD_KEY);
		assert_verdict(verify_with(v->alg, k, 0, &l, s, sl), CRYPTO_BAD_KEY);
		assert_verdict(verify_with(v->alg, NULL, 0, &l, s, sl), CRYPTO_BAD_KEY);

		uint8_t big[128] = { 0 };
		memcpy(big, k, kl);
		assert_verdict(verify_with(v->alg, big, kl + 1, &l, s, sl), CRYPTO_BAD_KEY);
		memcpy(big, s, sl);
		assert_verdict(verify_with(v->alg, k, kl, &l, big, sl + 1), CRYPTO_BAD_SIG);
		unload(&l);
	}
}

/* ECDSA's r | s becomes DER for OpenSSL: values with leading zero octets
 * and with the top bit set encode, and zero or out-of-range values are
 * well-formed signatures that never verify. */
static void test_verify_ecdsa_values(void **state)
{
	(void)state;
	loaded_t l = load(&sigvecs[2]);
	uint8_t s[64];

	memset(s, 0, sizeof(s));
	assert_verdict(verify_with(DNSSEC_ALG_ECDSAP256SHA256, l.key.p, l.key.n, &l, s, 64),
		       CRYPTO_INVALID);
	memset(s, 0xFF, sizeof(s)); /* r, s >= the group order */
	assert_verdict(verify_with(DNSSEC_ALG_ECDSAP256SHA256, l.key.p, l.key.n, &l, s, 64),
		       CRYPTO_INVALID);
	memset(s, 0, sizeof(s));
	s[31] = 1;
	s[63] = 0x80;
	assert_verdict(verify_with(DNSSEC_ALG_ECDSAP256SHA256, l.key.p, l.key.n, &l, s, 64),
		       CRYPTO_INVALID);
	/* The point at X = 0, Y = 0 is not on the curve. */
	memset(s, 0, sizeof(s));
	assert_verdict(verify_with(DNSSEC_ALG_ECDSAP256SHA256, s, 64, &l, l.sig.p, l.sig.n),
		       CRYPTO_BAD_KEY);
	unload(&l);
}

/* RFC 3110 2: the exponent length in one octet, or 0 and two octets. */
static void test_verify_rsa_keys(void **state)
{
	(void)state;
	loaded_t l = load(&sigvecs[0]); /* 03 01 00 01 <64-octet modulus> */
	const uint8_t *mod = l.key.p + 4;
	size_t mlen = l.key.n - 4;
	uint8_t k[3000];

	assert_int_equal(l.key.p[0], 3);
	assert_int_equal(mlen, 64);
	assert_int_equal(l.sig.n, 64);

	/* The long form of the exponent length. */
	k[0] = 0;
	k[1] = 0;
	k[2] = 3;
	memcpy(k + 3, l.key.p + 1, l.key.n - 1);
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, k, l.key.n + 2, &l, l.sig.p, l.sig.n),
		       CRYPTO_VALID);
	/* Leading zero octets of the modulus do not count in its length. */
	memcpy(k, l.key.p, 4);
	k[4] = 0;
	k[5] = 0;
	memcpy(k + 6, mod, mlen);
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, k, l.key.n + 2, &l, l.sig.p, l.sig.n),
		       CRYPTO_VALID);

	/* A signature not as long as the modulus, either way. */
	uint8_t s[65] = { 0 };
	memcpy(s + 1, l.sig.p, 64);
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, l.key.p, l.key.n, &l, s, 65),
		       CRYPTO_BAD_SIG);
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, l.key.p, l.key.n, &l, l.sig.p, 63),
		       CRYPTO_BAD_SIG);
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, l.key.p, l.key.n, &l, NULL, 0),
		       CRYPTO_BAD_SIG);

	static const uint8_t past[] = { 0x05, 0x01, 0x00, 0x01 };    /* exponent runs past */
	static const uint8_t nomod[] = { 0x03, 0x01, 0x00, 0x01 };   /* no modulus */
	static const uint8_t zeromod[] = { 0x01, 0x03, 0x00, 0x00 }; /* modulus 0 */
	static const uint8_t noexp[] = { 0x00, 0x00, 0x00, 0xAB };   /* exponent length 0 */
	static const uint8_t cut[] = { 0x00, 0x01 };                 /* long form cut */
	static const uint8_t one[] = { 0x03 };
	const struct {
		const uint8_t *k;
		size_t n;
	} bad[] = {
		{ past, sizeof(past) },
		{ nomod, sizeof(nomod) },
		{ zeromod, sizeof(zeromod) },
		{ noexp, sizeof(noexp) },
		{ cut, sizeof(cut) },
		{ one, sizeof(one) },
		{ NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_verdict(
		    verify_with(DNSSEC_ALG_RSASHA256, bad[i].k, bad[i].n, &l, l.sig.p, l.sig.n),
		    CRYPTO_BAD_KEY);

	/* 2048 octets of modulus (16384 bits, OpenSSL's ceiling) make a key;
	 * 2049 do not. */
	k[0] = 1;
	k[1] = 3;
	memset(k + 2, 0xFF, 2049);
	uint8_t *sig = calloc(1, 2049);
	assert_non_null(sig);
	sig[2047] = 2;
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, k, 2 + 2048, &l, sig, 2048),
		       CRYPTO_INVALID);
	assert_verdict(verify_with(DNSSEC_ALG_RSASHA256, k, 2 + 2049, &l, sig, 2049),
		       CRYPTO_BAD_KEY);
	free(sig);
	unload(&l);
}

/* Empty signed data is allowed, and fails. */
static void test_verify_empty_data(void **state)
{
	(void)state;
	static const size_t which[] = { 0, 2, 4, 5 };
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const sigvec_t *v = &sigvecs[which[i]];
		loaded_t l = load(v);
		assert_verdict(crypto_verify(v->alg, l.key.p, l.key.n, NULL, 0, l.sig.p, l.sig.n),
			       CRYPTO_INVALID);
		assert_verdict(
		    crypto_verify(v->alg, l.key.p, l.key.n, l.data.p, 0, l.sig.p, l.sig.n),
		    CRYPTO_INVALID);
		unload(&l);
	}
}

static void test_strings(void **state)
{
	(void)state;
	for (int v = CRYPTO_VALID; v <= CRYPTO_NOMEM; v++)
		assert_string_not_equal(crypto_verdict_str((crypto_verdict_t)v), "unknown");
	assert_string_equal(crypto_verdict_str(CRYPTO_VALID), "valid");
	assert_string_equal(crypto_verdict_str(CRYPTO_INVALID), "invalid");
	assert_string_equal(crypto_verdict_str((crypto_verdict_t)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_fips180),
		cmocka_unit_test(test_digest_ds_vectors),
		cmocka_unit_test(test_digest_unsupported),
		cmocka_unit_test(test_verify_vectors),
		cmocka_unit_test(test_verify_flipped),
		cmocka_unit_test(test_verify_other_algorithm),
		cmocka_unit_test(test_verify_unsupported),
		cmocka_unit_test(test_verify_fixed_sizes),
		cmocka_unit_test(test_verify_ecdsa_values),
		cmocka_unit_test(test_verify_rsa_keys),
		cmocka_unit_test(test_verify_empty_data),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
