/*
 * dnssec.h - offline DNSSEC verification: key tags, DS digests, the
 * canonical form of an RRset and RRSIG verification (RFC 4034, RFC 4035,
 * RFC 6840; algorithms of RFC 3110, RFC 5702, RFC 6605, RFC 8080).
 *
 * The judgement is made here; the cryptography (a digest, one signature
 * over one buffer) is crypto.h's, the only part of dnsblame that talks to
 * OpenSSL.  Every verdict is one of three: secure, bogus with a reason, or
 * indeterminate (we cannot tell: an algorithm we or the linked OpenSSL do
 * not implement, or no memory).  Nothing here reads the clock: the
 * signature validity window is judged against a time the caller passes,
 * the capture time of the answer.  No global state.
 *
 * Inputs come from analyze/dns.h: names are dns_name_t, keys, signatures
 * and DS records are the parser's typed views.  Those views point into a
 * message; nothing here keeps a pointer to them after a call.
 */
#ifndef DNSBLAME_DNSSEC_H
#define DNSBLAME_DNSSEC_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"
#include "../common/status.h"
#include "crypto.h"
#include "dns.h"

/* The algorithm numbers (enum dnssec_alg) and DS digest types (enum
 * dnssec_digest) of the IANA registries are in crypto.h, with the table of
 * those implemented. */
#define DNSSEC_MAX_DIGEST CRYPTO_MAX_DIGEST /* octets: SHA-384 */

/* Limits of one canonical RRset (see dnssec_rrset_add). */
#define DNSSEC_RRSET_MAX_RRS 1024
#define DNSSEC_RRSET_MAX_OCTETS (256u * 1024u) /* canonical rdata, summed */

typedef enum dnssec_result {
	DNSSEC_SECURE = 0,   /* the signature (or DS) checks out */
	DNSSEC_BOGUS,        /* it does not; the reason says why */
	DNSSEC_INDETERMINATE /* cannot tell; the reason says why */
} dnssec_result_t;

typedef enum dnssec_reason {
	DNSSEC_R_NONE = 0, /* with DNSSEC_SECURE */
	/* With DNSSEC_BOGUS. */
	DNSSEC_R_BAD_SIGNATURE,       /* the crypto says no */
	DNSSEC_R_SIG_EXPIRED,         /* now is after the expiration */
	DNSSEC_R_SIG_NOT_YET_VALID,   /* now is before the inception */
	DNSSEC_R_KEY_TAG_MISMATCH,    /* RRSIG/DS key tag is not the key's */
	DNSSEC_R_ALGORITHM_MISMATCH,  /* RRSIG/DS algorithm is not the key's */
	DNSSEC_R_SIGNER_MISMATCH,     /* signer is not the key owner, or not
					  the RRset owner or an ancestor */
	DNSSEC_R_RRSIG_MISMATCH,      /* type covered or labels do not fit
					  the RRset */
	DNSSEC_R_NOT_ZONE_KEY,        /* Zone Key flag clear or protocol != 3 */
	DNSSEC_R_MALFORMED_KEY,       /* key octets do not make a key */
	DNSSEC_R_MALFORMED_SIGNATURE, /* signature of the wrong size */
	DNSSEC_R_DIGEST_MISMATCH,     /* DS digest differs from the key's */
	/* With DNSSEC_INDETERMINATE. */
	DNSSEC_R_UNSUPPORTED_ALGORITHM, /* not one of 5 7 8 10 13 14 15 16 */
	DNSSEC_R_UNSUPPORTED_DIGEST,    /* DS digest type not 1, 2 or 4 */
	DNSSEC_R_CRYPTO_UNAVAILABLE,    /* OpenSSL refused the algorithm
					   (provider or policy, e.g. SHA-1) */
	DNSSEC_R_RESOURCES,             /* out of memory, or an empty RRset */
} dnssec_reason_t;

/* Static strings, never NULL: "secure", "bogus", "indeterminate"; and
 * "bad signature", "signature expired", ... */
const char *dnssec_result_str(dnssec_result_t r);
const char *dnssec_reason_str(dnssec_reason_t r);

/*
 * The key tag of RFC 4034 Appendix B over DNSKEY rdata (flags, protocol,
 * algorithm, key), including the algorithm 1 rule of B.1.  Rdata shorter
 * than 4 octets gives 0; no read goes past len.
 */
uint16_t dnssec_key_tag(const uint8_t *dnskey_rdata, size_t len);
/* The same for a parsed key. */
uint16_t dnssec_dnskey_tag(const dns_dnskey_t *key);

/*
 * The DS digest (RFC 4034 5.1.4) of a DNSKEY: digest(owner | rdata), with
 * the owner in canonical (lower-case) form.  out must hold
 * DNSSEC_MAX_DIGEST octets; *out_len is set to the digest length.
 * Returns DB_OK; DB_EUNSUPP for a digest type other than 1, 2 and 4;
 * DB_EMALFORMED for rdata shorter than 4 octets; DB_ENOMEM when out of
 * memory or OpenSSL fails.
 */
db_status_t dnssec_ds_digest(const dns_name_t *owner, const uint8_t *dnskey_rdata, size_t len,
			     uint8_t digest_type, uint8_t *out, size_t *out_len) DB_MUST_CHECK;

/*
 * Does the DS (owned by the same name as the key, key_owner) name this
 * DNSKEY?  SECURE when key tag, algorithm and digest all match; BOGUS with
 * KEY_TAG_MISMATCH, ALGORITHM_MISMATCH or DIGEST_MISMATCH (a digest of the
 * wrong length is a mismatch); INDETERMINATE with UNSUPPORTED_DIGEST,
 * CRYPTO_UNAVAILABLE (OpenSSL failed to digest) or RESOURCES.  why may be
 * NULL.
 */
dnssec_result_t dnssec_ds_matches(const dns_name_t *key_owner, const dns_ds_t *ds,
				  const dns_dnskey_t *key, dnssec_reason_t *why);

/*
 * An RRset in canonical form (RFC 4034 6): owner lower-cased, rdata with
 * embedded names decompressed and, for the types of RFC 4034 6.2 item 3 as
 * corrected by RFC 6840 5.1, lower-cased (not NSEC's next name), records
 * sorted by canonical rdata order (6.3) and duplicates dropped.  Opaque; it
 * owns its memory, which grows on demand up to DNSSEC_RRSET_MAX_RRS records
 * and DNSSEC_RRSET_MAX_OCTETS octets of rdata.
 */
typedef struct dnssec_rrset dnssec_rrset_t;

/* Returns an empty set, or NULL when out of memory. */
dnssec_rrset_t *dnssec_rrset_new(void);
/* Frees the set; NULL is allowed. */
void dnssec_rrset_free(dnssec_rrset_t *set);
/* Empties the set for reuse, keeping its memory. */
void dnssec_rrset_clear(dnssec_rrset_t *set);

/*
 * Adds record rr of parsed message m (its rdata is read from m->wire,
 * compression pointers included).  The first record fixes the owner, type
 * and class; later ones must have the same (owner compared without case),
 * else DB_EINVAL.  The TTL is ignored: the signed form uses the RRSIG's
 * original TTL.  Returns DB_OK (also for a duplicate, which is dropped),
 * DB_EMALFORMED when the rdata does not parse for its type (a compression
 * pointer where RFC 4034 forbids one, a name running past the rdata),
 * DB_ELIMIT at the set's limits, DB_ENOMEM.  On error the set is unchanged.
 */
db_status_t dnssec_rrset_add(dnssec_rrset_t *set, const dns_msg_t *m,
			     const dns_rr_t *rr) DB_MUST_CHECK;

/*
 * The same for rdata given on its own, in uncompressed wire form (names in
 * it may not use compression pointers: DB_EMALFORMED).  For test vectors
 * and records that did not come from a message.
 */
db_status_t dnssec_rrset_add_rdata(dnssec_rrset_t *set, const dns_name_t *owner, uint16_t type,
				   uint16_t rclass, const uint8_t *rdata,
				   size_t rdlen) DB_MUST_CHECK;

/* Number of distinct records; the canonical rdata of record i (i < count)
 * in canonical order, valid until the set is next changed. */
size_t dnssec_rrset_count(const dnssec_rrset_t *set);
const uint8_t *dnssec_rrset_rdata(const dnssec_rrset_t *set, size_t i, uint16_t *len);

/*
 * Verifies one RRSIG over set with one DNSKEY (RFC 4035 5.3).  sig is the
 * parsed RRSIG whose owner and class the caller has matched to the set's;
 * key is a DNSKEY owned by key_owner (NULL: the owner is not checked).
 * now is the capture time of the answer; the validity window is compared
 * with serial number arithmetic (RFC 4034 3.1.5, RFC 1982), the bounds
 * inclusive.
 *
 * The checks, in order: type covered and labels against the set
 * (RRSIG_MISMATCH), signer an ancestor-or-self of the owner and equal to
 * key_owner (SIGNER_MISMATCH), Zone Key flag and protocol 3 (NOT_ZONE_KEY),
 * algorithm (ALGORITHM_MISMATCH), key tag (KEY_TAG_MISMATCH), the window
 * (SIG_EXPIRED, SIG_NOT_YET_VALID), then the algorithm is implemented
 * (else INDETERMINATE), the key and signature decode (MALFORMED_KEY,
 * MALFORMED_SIGNATURE) and the signature over the RRSIG rdata and the
 * canonical RRs verifies (BAD_SIGNATURE).  With fewer RRSIG labels than
 * owner labels the owner is signed as the wildcard "*.<rightmost labels>"
 * (RFC 4035 5.3.2); whether that wildcard could match is the caller's
 * question (the denial of the closer name).  The RFC 5011 REVOKE flag is
 * not looked at: a revoked key has another key tag.  why may be NULL.
 */
dnssec_result_t dnssec_verify_rrset(const dnssec_rrset_t *set, const dns_rrsig_t *sig,
				    const dns_name_t *key_owner, const dns_dnskey_t *key,
				    db_time_t now, dnssec_reason_t *why);

#endif
