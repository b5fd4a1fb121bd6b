/*
 * crypto.h - the cryptography DNSSEC needs, and the only file of dnsblame
 * that talks to OpenSSL (crypto.c): the digest of a buffer by DS digest
 * type, and the check of one signature by DNSSEC algorithm number.
 *
 * Everything DNS about a check stays in dnssec.c: the canonical RRset, the
 * signed data, key tags, the validity window and the verdict.  What is
 * left here is "is sig the signature of key over data", with the key and
 * the signature in the octet layout the DNS carries them in:
 *
 *   algorithm  name                   key (DNSKEY public key field)   signature
 *    5, 7      RSASHA1[-NSEC3-SHA1]   RFC 3110 2                      RFC 3110 3
 *    8         RSASHA256              RFC 3110 2 (RFC 5702 2)         RFC 5702 3
 *   10         RSASHA512              RFC 3110 2 (RFC 5702 2)         RFC 5702 3
 *   13         ECDSAP256SHA256        RFC 6605 4: X | Y, 64 octets    RFC 6605 4: r | s, 64
 *   14         ECDSAP384SHA384        RFC 6605 4: X | Y, 96 octets    RFC 6605 4: r | s, 96
 *   15         ED25519                RFC 8080 3: 32 octets           RFC 8080 4: 64 octets
 *   16         ED448                  RFC 8080 3: 57 octets           RFC 8080 4: 114 octets
 *
 * RSA signatures are PKCS #1 v1.5 over the digest named (RFC 3110 3,
 * RFC 5702 3) and as long as the modulus; ECDSA hashes with the curve's
 * digest (RFC 6605 4); EdDSA signs the data itself (RFC 8032, RFC 8080 4).
 *
 * Nothing here reads the clock, keeps state between calls or keeps a
 * pointer to its arguments; every OpenSSL object is freed before a call
 * returns, and a call that fails clears OpenSSL's error queue.  Inputs may be hostile:
 * lengths are checked before any octet is read, and a NULL pointer is
 * allowed with a length of 0.
 */
#ifndef DNSBLAME_CRYPTO_H
#define DNSBLAME_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"

/* DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers"). */
enum dnssec_alg {
	DNSSEC_ALG_RSAMD5 = 1,
	DNSSEC_ALG_DSA = 3,
	DNSSEC_ALG_RSASHA1 = 5,
	DNSSEC_ALG_DSA_NSEC3_SHA1 = 6,
	DNSSEC_ALG_RSASHA1_NSEC3_SHA1 = 7,
	DNSSEC_ALG_RSASHA256 = 8,
	DNSSEC_ALG_RSASHA512 = 10,
	DNSSEC_ALG_ECC_GOST = 12,
	DNSSEC_ALG_ECDSAP256SHA256 = 13,
	DNSSEC_ALG_ECDSAP384SHA384 = 14,
	DNSSEC_ALG_ED25519 = 15,
	DNSSEC_ALG_ED448 = 16,
};

/* DS digest types (IANA "Delegation Signer (DS) Resource Record (RR)
 * Type Digest Algorithms"). */
enum dnssec_digest {
	DNSSEC_DIGEST_SHA1 = 1,   /* RFC 4034 5.1.4 */
	DNSSEC_DIGEST_SHA256 = 2, /* RFC 4509 2.1 */
	DNSSEC_DIGEST_GOST = 3,   /* RFC 5933; not implemented */
	DNSSEC_DIGEST_SHA384 = 4, /* RFC 6605 2 */
};

#define CRYPTO_MAX_DIGEST 48 /* octets: SHA-384 */

/*
 * The digest length of a DS digest type: 20 (SHA-1), 32 (SHA-256) or
 * 48 (SHA-384); 0 for any other type, which crypto_digest refuses.
 */
size_t crypto_digest_size(uint8_t digest_type);

/*
 * out = H(data[0 .. len)), H chosen by the DS digest type as above.  out
 * must hold CRYPTO_MAX_DIGEST octets; *out_len is set to the digest length
 * on success and left alone otherwise.  Returns DB_OK; DB_EUNSUPP for a
 * type crypto_digest_size() gives 0 for; DB_ENOMEM when OpenSSL fails (no
 * memory, or a provider or policy refusing the digest).
 */
db_status_t crypto_digest(uint8_t digest_type, const uint8_t *data, size_t len, uint8_t *out,
			  size_t *out_len) DB_MUST_CHECK;

typedef enum crypto_verdict {
	CRYPTO_VALID = 0,   /* sig is key's signature over data */
	CRYPTO_INVALID,     /* well-formed, but it is not */
	CRYPTO_BAD_KEY,     /* the key octets are not a public key of the
			       algorithm (wrong size, RSA fields running past
			       the end, an empty or over-long modulus, a point
			       off the curve) */
	CRYPTO_BAD_SIG,     /* the signature has the wrong length for the
			       algorithm, or for an RSA key its modulus' */
	CRYPTO_UNSUPPORTED, /* an algorithm number not in the table above */
	CRYPTO_UNAVAILABLE, /* the linked OpenSSL refuses the algorithm
			       (provider or crypto policy, e.g. SHA-1) */
	CRYPTO_NOMEM,       /* out of memory */
} crypto_verdict_t;

/* Is the algorithm number one of the table above?  crypto_verify answers
 * CRYPTO_UNSUPPORTED exactly when this is 0. */
int crypto_alg_supported(uint8_t algorithm);

/*
 * Checks sig over data with key, all three as the DNS carries them (the
 * table above).  The checks, in order: the algorithm (UNSUPPORTED), a
 * fixed signature length (BAD_SIG: ECDSA and EdDSA), the key (BAD_KEY;
 * UNAVAILABLE when OpenSSL has no such key type), an RSA signature as long
 * as the modulus without its leading zero octets (BAD_SIG), then the
 * signature itself (VALID or INVALID; UNAVAILABLE when OpenSSL refuses to
 * verify with that digest).  RSA moduli over 2048 octets are BAD_KEY:
 * OpenSSL refuses them anyway, and the bound caps the work a hostile key
 * can ask for.
 */
crypto_verdict_t crypto_verify(uint8_t algorithm, const uint8_t *key, size_t key_len,
			       const uint8_t *data, size_t data_len, const uint8_t *sig,
			       size_t sig_len);

/* Static strings, never NULL: "valid", "invalid", "malformed key", ... */
const char *crypto_verdict_str(crypto_verdict_t v);

#endif
