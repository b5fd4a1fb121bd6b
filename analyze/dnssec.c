/*
 * dnssec.c - offline DNSSEC verification.  The contract is in dnssec.h;
 * this file says why.
 *
 * Everything DNS about a check is here: canonical RRsets, the signed data,
 * key tags, the order of RFC 4035's checks and the validity window.  The
 * cryptography itself (digests, the signature check of one key over one
 * buffer) is crypto.c's, the one file that talks to OpenSSL.  Reading DNS
 * octets goes through the sticky-error reader of common/wire.h.
 */
#include "dnssec.h"

#include <stdlib.h>
#include <string.h>

#include "../common/wire.h"
#include "crypto.h"

#define DNSKEY_FLAG_ZONE 0x0100 /* RFC 4034 2.1.1, bit 7 */
#define DNSKEY_PROTOCOL 3       /* RFC 4034 2.1.2 */
#define RRSIG_FIXED 18          /* RRSIG rdata before the signer name */

const char *dnssec_result_str(dnssec_result_t r)
{
	switch (r) {
	case DNSSEC_SECURE: return "secure";
	case DNSSEC_BOGUS: return "bogus";
	case DNSSEC_INDETERMINATE: return "indeterminate";
	}
	return "unknown";
}

const char *dnssec_reason_str(dnssec_reason_t r)
{
	switch (r) {
	case DNSSEC_R_NONE: return "none";
	case DNSSEC_R_BAD_SIGNATURE: return "bad signature";
	case DNSSEC_R_SIG_EXPIRED: return "signature expired";
	case DNSSEC_R_SIG_NOT_YET_VALID: return "signature not yet valid";
	case DNSSEC_R_KEY_TAG_MISMATCH: return "key tag mismatch";
	case DNSSEC_R_ALGORITHM_MISMATCH: return "algorithm mismatch";
	case DNSSEC_R_SIGNER_MISMATCH: return "signer name mismatch";
	case DNSSEC_R_RRSIG_MISMATCH: return "RRSIG does not cover the RRset";
	case DNSSEC_R_NOT_ZONE_KEY: return "DNSKEY is not a zone key";
	case DNSSEC_R_MALFORMED_KEY: return "malformed key";
	case DNSSEC_R_MALFORMED_SIGNATURE: return "malformed signature";
	case DNSSEC_R_DIGEST_MISMATCH: return "DS digest mismatch";
	case DNSSEC_R_UNSUPPORTED_ALGORITHM: return "unsupported algorithm";
	case DNSSEC_R_UNSUPPORTED_DIGEST: return "unsupported digest type";
	case DNSSEC_R_CRYPTO_UNAVAILABLE: return "algorithm unavailable in OpenSSL";
	case DNSSEC_R_RESOURCES: return "out of resources";
	}
	return "unknown";
}

static dnssec_result_t verdict(dnssec_reason_t r, dnssec_reason_t *why)
{
	if (why)
		*why = r;
	if (r == DNSSEC_R_NONE)
		return DNSSEC_SECURE;
	if (r >= DNSSEC_R_UNSUPPORTED_ALGORITHM)
		return DNSSEC_INDETERMINATE;
	return DNSSEC_BOGUS;
}

/* --- key tag and DS ------------------------------------------------- */

/*
 * RFC 4034 Appendix B over the four fixed octets (flags, protocol,
 * algorithm) and the key, without copying them together: the rdata summed
 * as 16-bit big-endian words, a last odd octet as the high half of one.
 * The sum of 65535 octets stays below 2^32, so the 64-bit accumulator
 * folds exactly as the RFC's unsigned long does.
 */
static uint16_t tag_parts(uint16_t flags, uint8_t protocol, uint8_t algorithm, const uint8_t *key,
			  size_t klen)
{
	wire_t k;
	wire_init(&k, key, klen);
	/* B.1: for RSA/MD5 the tag is the most significant 16 of the least
	 * significant 24 bits of the modulus, which ends the key. */
	if (algorithm == DNSSEC_ALG_RSAMD5) {
		if (klen < 3)
			return 0;
		wire_skip(&k, klen - 3);
		return wire_u16(&k);
	}
	uint64_t ac = (uint64_t)flags + (uint16_t)((protocol << 8) | algorithm);
	while (wire_left(&k) >= 2)
		ac += wire_u16(&k);
	if (wire_left(&k) == 1)
		ac += (uint64_t)wire_u8(&k) << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

static void dnskey_hdr(const dns_dnskey_t *key, uint8_t hdr[4])
{
	hdr[0] = (uint8_t)(key->flags >> 8);
	hdr[1] = (uint8_t)key->flags;
	hdr[2] = key->protocol;
	hdr[3] = key->algorithm;
}

uint16_t dnssec_key_tag(const uint8_t *dnskey_rdata, size_t len)
{
	wire_t w;
	wire_init(&w, dnskey_rdata, len);
	uint16_t flags = wire_u16(&w);
	uint8_t protocol = wire_u8(&w);
	uint8_t algorithm = wire_u8(&w);
	if (!wire_ok(&w))
		return 0;
	return tag_parts(flags, protocol, algorithm, wire_cur(&w), wire_left(&w));
}

uint16_t dnssec_dnskey_tag(const dns_dnskey_t *key)
{
	return tag_parts(key->flags, key->protocol, key->algorithm, key->key,
			 key->key ? key->key_len : 0);
}

enum ds_rc {
	DS_OK,
	DS_UNSUPP, /* a digest type crypto.c does not implement */
	DS_NOMEM,  /* no memory for the digested octets */
	DS_FAIL,   /* OpenSSL failed: no memory, or it refused the digest */
};

/*
 * RFC 4034 5.1.4: digest = hash(canonical owner | DNSKEY rdata).  The
 * parts are copied together, as crypto_digest takes one buffer; the
 * unsupported type is told before anything is allocated.
 */
static enum ds_rc ds_digest_parts(const dns_name_t *owner, const uint8_t hdr[4], const uint8_t *key,
				  size_t klen, uint8_t type, uint8_t *out, size_t *out_len)
{
	if (crypto_digest_size(type) == 0)
		return DS_UNSUPP;
	dns_name_t lc = *owner;
	dns_name_lower(&lc);

	size_t n = (size_t)lc.len + 4 + klen;
	uint8_t *buf = malloc(n);
	if (!buf)
		return DS_NOMEM;
	memcpy(buf, lc.wire, lc.len);
	memcpy(buf + lc.len, hdr, 4);
	if (klen)
		memcpy(buf + lc.len + 4, key, klen);
	db_status_t st = crypto_digest(type, buf, n, out, out_len);
	free(buf);
	return st == DB_OK ? DS_OK : DS_FAIL;
}

db_status_t dnssec_ds_digest(const dns_name_t *owner, const uint8_t *dnskey_rdata, size_t len,
			     uint8_t digest_type, uint8_t *out, size_t *out_len)
{
	wire_t w;
	wire_init(&w, dnskey_rdata, len);
	const uint8_t *hdr = wire_take(&w, 4); /* flags, protocol, algorithm */
	if (!hdr)
		return DB_EMALFORMED;
	const uint8_t *key = wire_cur(&w);
	switch (ds_digest_parts(owner, hdr, key, wire_left(&w), digest_type, out, out_len)) {
	case DS_OK: return DB_OK;
	case DS_UNSUPP: return DB_EUNSUPP;
	case DS_NOMEM:
	case DS_FAIL: break;
	}
	return DB_ENOMEM;
}

dnssec_result_t dnssec_ds_matches(const dns_name_t *key_owner, const dns_ds_t *ds,
				  const dns_dnskey_t *key, dnssec_reason_t *why)
{
	uint8_t hdr[4], d[DNSSEC_MAX_DIGEST];
	size_t dlen = 0;

	if (ds->key_tag != dnssec_dnskey_tag(key))
		return verdict(DNSSEC_R_KEY_TAG_MISMATCH, why);
	if (ds->algorithm != key->algorithm)
		return verdict(DNSSEC_R_ALGORITHM_MISMATCH, why);
	dnskey_hdr(key, hdr);
	switch (ds_digest_parts(key_owner, hdr, key->key, key->key ? key->key_len : 0,
				ds->digest_type, d, &dlen)) {
	case DS_OK: break;
	case DS_UNSUPP: return verdict(DNSSEC_R_UNSUPPORTED_DIGEST, why);
	case DS_NOMEM: return verdict(DNSSEC_R_RESOURCES, why);
	case DS_FAIL: return verdict(DNSSEC_R_CRYPTO_UNAVAILABLE, why);
	}
	if (!ds->digest || ds->digest_len != dlen || memcmp(ds->digest, d, dlen) != 0)
		return verdict(DNSSEC_R_DIGEST_MISMATCH, why);
	return verdict(DNSSEC_R_NONE, why);
}

/* --- canonical RRset ------------------------------------------------ */

/* A bounded writer with a sticky error, the output twin of wire_t. */
typedef struct out {
	uint8_t *p;
	size_t cap, len;
	int err;
} out_t;

static void out_put(out_t *o, const void *src, size_t n)
{
	if (o->err || o->cap - o->len < n) {
		o->err = 1;
		return;
	}
	if (n)
		memcpy(o->p + o->len, src, n);
	o->len += n;
}

static void out_u8(out_t *o, uint8_t v) { out_put(o, &v, 1); }

static void out_u16(out_t *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	out_put(o, b, 2);
}

static void out_u32(out_t *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	out_put(o, b, 4);
}

/* Copies the next n octets of r to o. */
static void copy_n(wire_t *r, out_t *o, size_t n)
{
	const uint8_t *p = wire_take(r, n);
	if (p)
		out_put(o, p, n);
}

enum name_mode {
	NAME_PTR,   /* RFC 3597 4 well-known type: may be compressed; lower */
	NAME_LOWER, /* must not be compressed; lower-cased (RFC 4034 6.2) */
	NAME_KEEP,  /* NSEC next name: neither (RFC 6840 5.1) */
};

/*
 * Copies the name at r's position in uncompressed form.  r reads
 * msg[0..rdata end), so the name's own octets cannot pass the rdata while
 * its pointers may reach back into the message.  A name whose in-place
 * octets are fewer than its length used a pointer.
 */
static db_status_t canon_name(wire_t *r, const uint8_t *msg, enum name_mode mode, int allow_ptr,
			      out_t *o)
{
	dns_name_t n;
	size_t off = r->pos;

	if (!wire_ok(r) || dns_name_read(msg, r->len, &off, &n) != DB_OK)
		return DB_EMALFORMED;
	if ((mode != NAME_PTR || !allow_ptr) && off - r->pos != n.len)
		return DB_EMALFORMED;
	wire_seek(r, off);
	if (mode != NAME_KEEP)
		dns_name_lower(&n);
	out_put(o, n.wire, n.len);
	return DB_OK;
}

/*
 * Writes the canonical form (RFC 4034 6.2) of the rdata msg[start..end) of
 * the given type.  The types with embedded names are those of RFC 4034 6.2
 * item 3; HINFO is on that list but holds no name.  Compression is
 * followed only where RFC 3597 4 lets a receiver meet it (the RFC 1035
 * types) and in SRV, as analyze/dns.c accepts it there.
 */
static db_status_t canon_rdata(uint16_t type, const uint8_t *msg, size_t start, size_t end,
			       int allow_ptr, out_t *o)
{
	wire_t r;
	db_status_t st = DB_OK;

	wire_init(&r, msg, end);
	wire_seek(&r, start);

#define NAME(mode)                                                                                 \
	do {                                                                                       \
		if (st == DB_OK)                                                                   \
			st = canon_name(&r, msg, (mode), allow_ptr, o);                            \
	} while (0)

	switch (type) {
	case 2:
	case 3:
	case 4:
	case 5:
	case 7:
	case 8:
	case 9:
	case 12:
		/* NS MD MF CNAME MB MG MR PTR */
		NAME(NAME_PTR);
		break;
	case 6: /* SOA */
		NAME(NAME_PTR);
		NAME(NAME_PTR);
		copy_n(&r, o, 20);
		break;
	case 14: /* MINFO */
		NAME(NAME_PTR);
		NAME(NAME_PTR);
		break;
	case 15: /* MX */
		copy_n(&r, o, 2);
		NAME(NAME_PTR);
		break;
	case 17: /* RP */
		NAME(NAME_LOWER);
		NAME(NAME_LOWER);
		break;
	case 18:
	case 21:
	case 36: /* AFSDB RT KX */
		copy_n(&r, o, 2);
		NAME(NAME_LOWER);
		break;
	case 26: /* PX */
		copy_n(&r, o, 2);
		NAME(NAME_LOWER);
		NAME(NAME_LOWER);
		break;
	case 24:
	case 46: /* SIG RRSIG: RFC 6840 5.1 keeps RRSIG on the list */
		copy_n(&r, o, RRSIG_FIXED);
		NAME(NAME_LOWER);
		copy_n(&r, o, wire_left(&r));
		break;
	case 30: /* NXT */
		NAME(NAME_LOWER);
		copy_n(&r, o, wire_left(&r));
		break;
	case 33: /* SRV */
		copy_n(&r, o, 6);
		NAME(NAME_PTR);
		break;
	case 35: /* NAPTR: order, preference, flags, services, regexp */
		copy_n(&r, o, 4);
		for (int i = 0; i < 3; i++) {
			uint8_t l = wire_u8(&r);
			out_u8(o, l);
			copy_n(&r, o, l);
		}
		NAME(NAME_LOWER);
		break;
	case 38: { /* A6, RFC 2874 3.1 */
		uint8_t plen = wire_u8(&r);
		if (plen > 128)
			return DB_EMALFORMED;
		out_u8(o, plen);
		copy_n(&r, o, (size_t)(128 - plen + 7) / 8);
		if (plen > 0)
			NAME(NAME_LOWER);
		break;
	}
	case 39: /* DNAME */ NAME(NAME_LOWER); break;
	case 47: /* NSEC */
		NAME(NAME_KEEP);
		copy_n(&r, o, wire_left(&r));
		break;
	default: copy_n(&r, o, wire_left(&r)); break;
	}
#undef NAME
	if (st != DB_OK)
		return st;
	if (!wire_ok(&r) || wire_left(&r) != 0)
		return DB_EMALFORMED;
	return o->err ? DB_ELIMIT : DB_OK;
}

typedef struct rd_ref {
	uint32_t off;
	uint16_t len;
} rd_ref_t;

struct dnssec_rrset {
	dns_name_t owner; /* lower-cased */
	uint16_t type, rclass;
	size_t n, rd_cap;
	rd_ref_t *rd; /* canonical order */
	uint8_t *buf;
	size_t used, buf_cap;
};

dnssec_rrset_t *dnssec_rrset_new(void) { return calloc(1, sizeof(dnssec_rrset_t)); }

void dnssec_rrset_free(dnssec_rrset_t *set)
{
	if (!set)
		return;
	free(set->rd);
	free(set->buf);
	free(set);
}

void dnssec_rrset_clear(dnssec_rrset_t *set)
{
	set->n = 0;
	set->used = 0;
}

size_t dnssec_rrset_count(const dnssec_rrset_t *set) { return set->n; }

const uint8_t *dnssec_rrset_rdata(const dnssec_rrset_t *set, size_t i, uint16_t *len)
{
	if (i >= set->n) {
		*len = 0;
		return NULL;
	}
	*len = set->rd[i].len;
	return set->buf + set->rd[i].off;
}

/* RFC 4034 6.3: rdata as left-justified unsigned octet sequences, a
 * missing octet sorting before a zero octet. */
static int rd_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return (al > bl) - (al < bl);
}

/*
 * Every record type has at most two names in its rdata; decompressing one
 * turns a 2-octet pointer into at most 255 octets, so the canonical form is
 * at most this much longer than the rdata on the wire.
 */
#define CANON_GROWTH (2 * DNS_MAX_NAME)

static db_status_t rrset_reserve(dnssec_rrset_t *set, size_t want)
{
	if (want <= set->buf_cap)
		return DB_OK;
	size_t cap = set->buf_cap ? set->buf_cap : 4096;
	while (cap < want)
		cap *= 2;
	uint8_t *b = realloc(set->buf, cap);
	if (!b)
		return DB_ENOMEM;
	set->buf = b;
	set->buf_cap = cap;
	return DB_OK;
}

static db_status_t rrset_add(dnssec_rrset_t *set, const dns_name_t *owner, uint16_t type,
			     uint16_t rclass, const uint8_t *msg, size_t start, size_t end,
			     int allow_ptr)
{
	if (set->n > 0 &&
	    (type != set->type || rclass != set->rclass || !dns_name_eq(owner, &set->owner)))
		return DB_EINVAL;
	if (set->n >= DNSSEC_RRSET_MAX_RRS || set->used > DNSSEC_RRSET_MAX_OCTETS)
		return DB_ELIMIT;
	if (set->n == set->rd_cap) {
		size_t cap = set->rd_cap ? set->rd_cap * 2 : 8;
		rd_ref_t *rd = realloc(set->rd, cap * sizeof(*rd));
		if (!rd)
			return DB_ENOMEM;
		set->rd = rd;
		set->rd_cap = cap;
	}
	db_status_t st = rrset_reserve(set, set->used + (end - start) + CANON_GROWTH);
	if (st != DB_OK)
		return st;

	/* Write past the records already kept; only a record that is kept
	 * advances set->used, so an error leaves the set as it was. */
	out_t o = { set->buf + set->used, set->buf_cap - set->used, 0, 0 };
	st = canon_rdata(type, msg, start, end, allow_ptr, &o);
	if (st != DB_OK)
		return st;
	if (o.len > UINT16_MAX || set->used + o.len > DNSSEC_RRSET_MAX_OCTETS)
		return DB_ELIMIT;

	/* Binary search for the insertion point; an equal record is a
	 * duplicate, which RFC 4034 6.3 drops. */
	size_t lo = 0, hi = set->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rd_cmp(set->buf + set->rd[mid].off, set->rd[mid].len, o.p, o.len);
		if (c == 0)
			return DB_OK;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (set->n == 0) {
		set->owner = *owner;
		dns_name_lower(&set->owner);
		set->type = type;
		set->rclass = rclass;
	}
	memmove(set->rd + lo + 1, set->rd + lo, (set->n - lo) * sizeof(*set->rd));
	set->rd[lo].off = (uint32_t)set->used;
	set->rd[lo].len = (uint16_t)o.len;
	set->n++;
	set->used += o.len;
	return DB_OK;
}

db_status_t dnssec_rrset_add(dnssec_rrset_t *set, const dns_msg_t *m, const dns_rr_t *rr)
{
	size_t end = (size_t)rr->rdata_off + rr->rdlen;
	if (!m->wire || end > m->len)
		return DB_EMALFORMED;
	return rrset_add(set, &rr->owner, rr->type, rr->rclass, m->wire, rr->rdata_off, end, 1);
}

db_status_t dnssec_rrset_add_rdata(dnssec_rrset_t *set, const dns_name_t *owner, uint16_t type,
				   uint16_t rclass, const uint8_t *rdata, size_t rdlen)
{
	static const uint8_t none[1]; /* a readable base for empty rdata */

	if (rdlen > UINT16_MAX || (!rdata && rdlen))
		return DB_EINVAL;
	return rrset_add(set, owner, type, rclass, rdata ? rdata : none, 0, rdlen, 0);
}

/* --- RRSIG verification --------------------------------------------- */

/* RFC 1982 serial comparison of 32-bit times: a - b as a signed distance. */
static int32_t serial_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/*
 * RFC 4034 3.1.8.1: RRSIG rdata without the signature, signer lower-cased,
 * then each RR as owner | type | class | original TTL | rdlength | rdata,
 * in canonical order.  Returns a malloc'ed buffer or NULL.
 */
static uint8_t *signed_data(const dnssec_rrset_t *set, const dns_rrsig_t *sig, size_t *len)
{
	dns_name_t owner, signer = sig->signer;
	dns_name_lower(&signer);

	/* RFC 4035 5.3.2: a wildcard expansion is signed as the wildcard. */
	if (sig->labels < set->owner.labels) {
		dns_name_t suffix;
		dns_name_suffix(&set->owner, sig->labels, &suffix);
		owner.wire[0] = 1;
		owner.wire[1] = '*';
		memcpy(owner.wire + 2, suffix.wire, suffix.len);
		owner.len = (uint8_t)(suffix.len + 2);
		owner.labels = (uint8_t)(suffix.labels + 1);
	} else {
		owner = set->owner;
	}

	size_t total = RRSIG_FIXED + signer.len + set->used + set->n * ((size_t)owner.len + 10);
	uint8_t *buf = malloc(total);
	if (!buf)
		return NULL;
	out_t o = { buf, total, 0, 0 };
	out_u16(&o, sig->type_covered);
	out_u8(&o, sig->algorithm);
	out_u8(&o, sig->labels);
	out_u32(&o, sig->original_ttl);
	out_u32(&o, sig->expiration);
	out_u32(&o, sig->inception);
	out_u16(&o, sig->key_tag);
	out_put(&o, signer.wire, signer.len);
	for (size_t i = 0; i < set->n; i++) {
		out_put(&o, owner.wire, owner.len);
		out_u16(&o, set->type);
		out_u16(&o, set->rclass);
		out_u32(&o, sig->original_ttl);
		out_u16(&o, set->rd[i].len);
		out_put(&o, set->buf + set->rd[i].off, set->rd[i].len);
	}
	if (o.err) { /* cannot happen: total is exact */
		free(buf);
		return NULL;
	}
	*len = o.len;
	return buf;
}

/* Is a an ancestor of b, or b itself? */
static int name_at_or_below(const dns_name_t *b, const dns_name_t *a)
{
	if (a->labels > b->labels)
		return 0;
	dns_name_t s;
	dns_name_suffix(b, a->labels, &s);
	return dns_name_eq(&s, a);
}

/*
 * The crypto of one verification, after every cheap check has passed:
 * the signed data of RFC 4034 3.1.8.1 handed to crypto.c with the key and
 * the signature as they came.
 */
static dnssec_reason_t verify_crypto(const dnssec_rrset_t *set, const dns_rrsig_t *sig,
				     const dns_dnskey_t *key)
{
	size_t dlen = 0;
	uint8_t *data = signed_data(set, sig, &dlen);
	if (!data)
		return DNSSEC_R_RESOURCES;
	crypto_verdict_t v = crypto_verify(sig->algorithm, key->key, key->key ? key->key_len : 0,
					   data, dlen, sig->signature,
					   sig->signature ? sig->sig_len : 0);
	free(data);
	switch (v) {
	case CRYPTO_VALID: return DNSSEC_R_NONE;
	case CRYPTO_INVALID: return DNSSEC_R_BAD_SIGNATURE;
	case CRYPTO_BAD_KEY: return DNSSEC_R_MALFORMED_KEY;
	case CRYPTO_BAD_SIG: return DNSSEC_R_MALFORMED_SIGNATURE;
	case CRYPTO_UNSUPPORTED: return DNSSEC_R_UNSUPPORTED_ALGORITHM;
	case CRYPTO_UNAVAILABLE: return DNSSEC_R_CRYPTO_UNAVAILABLE;
	case CRYPTO_NOMEM: break;
	}
	return DNSSEC_R_RESOURCES;
}

dnssec_result_t dnssec_verify_rrset(const dnssec_rrset_t *set, const dns_rrsig_t *sig,
				    const dns_name_t *key_owner, const dns_dnskey_t *key,
				    db_time_t now, dnssec_reason_t *why)
{
	if (set->n == 0)
		return verdict(DNSSEC_R_RESOURCES, why);
	/* RFC 4035 5.3.1, in its order. */
	if (sig->type_covered != set->type || sig->labels > set->owner.labels)
		return verdict(DNSSEC_R_RRSIG_MISMATCH, why);
	if (!name_at_or_below(&set->owner, &sig->signer) ||
	    (key_owner && !dns_name_eq(key_owner, &sig->signer)))
		return verdict(DNSSEC_R_SIGNER_MISMATCH, why);
	if (key->protocol != DNSKEY_PROTOCOL || !(key->flags & DNSKEY_FLAG_ZONE))
		return verdict(DNSSEC_R_NOT_ZONE_KEY, why);
	if (sig->algorithm != key->algorithm)
		return verdict(DNSSEC_R_ALGORITHM_MISMATCH, why);
	if (sig->key_tag != dnssec_dnskey_tag(key))
		return verdict(DNSSEC_R_KEY_TAG_MISMATCH, why);

	/* RFC 4034 3.1.5: seconds since 1970 modulo 2^32, compared with
	 * RFC 1982 serial arithmetic so the window survives 2106. */
	uint32_t t = (uint32_t)(uint64_t)(now / 1000000);
	if (serial_diff(t, sig->inception) < 0)
		return verdict(DNSSEC_R_SIG_NOT_YET_VALID, why);
	if (serial_diff(sig->expiration, t) < 0)
		return verdict(DNSSEC_R_SIG_EXPIRED, why);

	/* Told before the signed data is built, as it costs nothing. */
	if (!crypto_alg_supported(sig->algorithm))
		return verdict(DNSSEC_R_UNSUPPORTED_ALGORITHM, why);
	return verdict(verify_crypto(set, sig, key), why);
}
