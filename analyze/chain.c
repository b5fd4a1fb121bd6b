/*
 * chain.c - the DNSSEC chain of one failed query, from the capture.
 *
 * Pass 1 collects every DNSKEY and DS record of the answers (copies: the
 * messages are parsed one at a time).  Pass 2 checks the keys: each DNSKEY
 * set against its own RRSIGs (RFC 4035 5.2: a key the DS points to signs
 * the set), each DS set against the parent's keys, and each DS against the
 * child's keys (RFC 4034 5: no DS matching any key is a broken delegation).
 * Pass 3 checks every other signed RRset against its signer's keys, and
 * flags authoritative answers of a zone the parent's DS says is signed that
 * carry no RRSIG at all (an unsigned child under a DS).  The failure
 * reported is the one highest in the tree: what broke first on the way
 * down, as a validator would meet it.
 */
#include "chain.h"

#include <stdlib.h>
#include <string.h>

#include "dnssec.h"
#include "../common/table.h"
#include "../common/wire.h"

#define CH_MAX_KEYS 64
#define CH_MAX_DS 64
#define CH_MAX_INSECURE 16
#define CH_MAX_SIGS 8

typedef struct ch_key {
	dns_name_t zone;
	uint8_t *rdata;
	uint16_t len;
	dns_dnskey_t key;
	uint16_t tag;
} ch_key_t;

typedef struct ch_ds {
	dns_name_t zone;
	uint8_t *rdata;
	uint16_t len;
	dns_ds_t ds;
} ch_ds_t;

/* Results of single signature checks, so that many failures in one zone
 * (a DNSSEC outage) cost one verification each, not one per failure. */
typedef struct ch_memo {
	tbl_entry_t e;
	uint64_t key;
	uint8_t result, reason;
} ch_memo_t;

struct chain {
	dns_parser_t parser;
	tbl_t memo;
	dnssec_rrset_t *set;
	ch_key_t keys[CH_MAX_KEYS];
	size_t nkeys;
	ch_ds_t ds[CH_MAX_DS];
	size_t nds;
	dns_name_t insecure[CH_MAX_INSECURE]; /* delegations proven to have no DS */
	size_t ninsecure;
	/* The answers keys[k0..k1), ds[d0..d1) and an insecure delegation
	 * were collected from (chain_result_t.src). */
	struct ch_src {
		const txn_t *x;
		uint8_t k0, k1, d0, d1, insecure;
	} src[CH_MAX_KEYS];
	size_t nsrc;
};

chain_t *chain_new(void)
{
	chain_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	dns_parser_init(&c->parser);
	c->set = dnssec_rrset_new();
	if (!c->set || tbl_init(&c->memo, sizeof(ch_memo_t), offsetof(ch_memo_t, key),
				sizeof(uint64_t), 65536) < 0) {
		dnssec_rrset_free(c->set);
		dns_parser_free(&c->parser);
		free(c);
		return NULL;
	}
	return c;
}

static void reset(chain_t *c)
{
	for (size_t i = 0; i < c->nkeys; i++)
		free(c->keys[i].rdata);
	for (size_t i = 0; i < c->nds; i++)
		free(c->ds[i].rdata);
	c->nkeys = c->nds = c->ninsecure = c->nsrc = 0;
}

void chain_free(chain_t *c)
{
	if (!c)
		return;
	reset(c);
	dns_parser_free(&c->parser);
	dnssec_rrset_free(c->set);
	tbl_free(&c->memo);
	free(c);
}

static const uint8_t *msg_of(const msgstore_t *store, const txn_t *x)
{
	if (x->pinned)
		return x->pinned;
	return x->msg_ref ? msgstore_get(store, x->msg_ref, x->msg_len) : NULL;
}

/* The rdata of rr, a record of m, in m's buffer; NULL if it is not all
 * there (never for a record dns_parse gave). */
static const uint8_t *rdata_of(const dns_msg_t *m, const dns_rr_t *rr)
{
	wire_t w;
	wire_init(&w, m->wire, m->len);
	wire_seek(&w, rr->rdata_off);
	return wire_take(&w, rr->rdlen);
}

static uint8_t *dup_rdata(const dns_msg_t *m, const dns_rr_t *rr)
{
	const uint8_t *rd = rdata_of(m, rr);
	uint8_t *p = rd ? malloc(rr->rdlen ? rr->rdlen : 1) : NULL;
	if (p)
		memcpy(p, rd, rr->rdlen);
	return p;
}

/* A referral (RFC 4035 3.1.4) that delegates a zone with no DS and proves
 * it: an NSEC at the cut whose bitmap has NS but no DS, or NSEC3 records
 * (whose hashed owners are not matched here).  The child is insecure; its
 * unsigned answers are no failure. */
static void collect_insecure(chain_t *c, const dns_msg_t *m)
{
	if (m->aa || m->ancount != 0 || c->ninsecure >= CH_MAX_INSECURE)
		return;
	const dns_name_t *cut = NULL;
	int ds = 0, nsec3 = 0, nsec_proof = 0;
	for (size_t i = 0; i < m->nrr; i++) {
		const dns_rr_t *rr = &m->rr[i];
		if (rr->section != DNS_SEC_AUTHORITY)
			continue;
		if (rr->type == DNS_T_NS && !cut)
			cut = &rr->owner;
		else if (rr->type == DNS_T_DS)
			ds = 1;
		else if (rr->type == DNS_T_NSEC3)
			nsec3 = 1;
	}
	if (!cut || ds)
		return;
	for (size_t i = 0; i < m->nrr && !nsec_proof; i++) {
		const dns_rr_t *rr = &m->rr[i];
		dns_nsec_t nsec;
		nsec_proof = rr->section == DNS_SEC_AUTHORITY && rr->type == DNS_T_NSEC &&
			     dns_name_eq(&rr->owner, cut) && dns_rr_nsec(m, rr, &nsec) == DB_OK &&
			     dns_nsec_has_type(&nsec, DNS_T_NS) &&
			     !dns_nsec_has_type(&nsec, DNS_T_DS);
	}
	if (!nsec_proof && !nsec3)
		return;
	dns_name_t z;
	dns_name_set(&z, cut);
	dns_name_lower(&z);
	for (size_t i = 0; i < c->ninsecure; i++)
		if (dns_name_eq(&c->insecure[i], &z))
			return;
	c->insecure[c->ninsecure++] = z;
}

static void collect(chain_t *c, const dns_msg_t *m)
{
	collect_insecure(c, m);
	for (size_t i = 0; i < m->nrr; i++) {
		const dns_rr_t *rr = &m->rr[i];
		if (rr->section == DNS_SEC_ADDITIONAL)
			continue;
		if (rr->type == DNS_T_DNSKEY && c->nkeys < CH_MAX_KEYS) {
			dns_dnskey_t k;
			if (dns_rr_dnskey(m, rr, &k) != DB_OK)
				continue;
			uint16_t tag = dnssec_dnskey_tag(&k);
			int dup = 0;
			for (size_t j = 0; j < c->nkeys && !dup; j++)
				dup = c->keys[j].tag == tag && c->keys[j].len == rr->rdlen &&
				      dns_name_eq(&c->keys[j].zone, &rr->owner);
			if (dup)
				continue;
			ch_key_t *ck = &c->keys[c->nkeys];
			if (!(ck->rdata = dup_rdata(m, rr)))
				continue;
			ck->zone = rr->owner;
			dns_name_lower(&ck->zone);
			ck->len = rr->rdlen;
			ck->key = k;
			ck->key.key = ck->rdata + 4;
			ck->tag = tag;
			c->nkeys++;
		} else if (rr->type == DNS_T_DS && c->nds < CH_MAX_DS) {
			dns_ds_t d;
			const uint8_t *rd = rdata_of(m, rr);
			if (dns_rr_ds(m, rr, &d) != DB_OK || !rd)
				continue;
			int dup = 0;
			for (size_t j = 0; j < c->nds && !dup; j++)
				dup = c->ds[j].len == rr->rdlen &&
				      dns_name_eq(&c->ds[j].zone, &rr->owner) &&
				      memcmp(c->ds[j].rdata, rd, rr->rdlen) == 0;
			if (dup)
				continue;
			ch_ds_t *cd = &c->ds[c->nds];
			if (!(cd->rdata = dup_rdata(m, rr)))
				continue;
			cd->zone = rr->owner;
			dns_name_lower(&cd->zone);
			cd->len = rr->rdlen;
			cd->ds = d;
			cd->ds.digest = cd->rdata + 4;
			c->nds++;
		}
	}
}

/* Records a failure if it is higher in the tree than the one held. */
static void fail(chain_result_t *out, const char *detail, const dns_name_t *zone,
		 const dns_name_t *owner, uint16_t type, const dns_rrsig_t *sig, db_time_t at)
{
	out->failed++;
	/* At one zone, a missing signature on its data says more than a
	 * missing key set: together they mean an unsigned zone under a DS. */
	int better = out->found && out->zone.labels == zone->labels &&
		     strcmp(out->detail, "dnskey_missing") == 0 &&
		     strcmp(detail, "rrsig_missing") == 0;
	if (out->found && out->zone.labels <= zone->labels && !better)
		return;
	out->found = 1;
	out->detail = detail;
	dns_name_set(&out->zone, zone);
	dns_name_set(&out->owner, owner);
	out->type = type;
	out->checked_at = at;
	out->n_ds = 0;
	if (sig) {
		dns_name_set(&out->signer, &sig->signer);
		out->key_tag = sig->key_tag;
		out->algorithm = sig->algorithm;
		out->inception = sig->inception;
		out->expiration = sig->expiration;
	} else {
		memset(&out->signer, 0, sizeof(out->signer));
		out->key_tag = 0;
		out->algorithm = 0;
		out->inception = out->expiration = 0;
	}
}

static const char *reason_detail(dnssec_reason_t r)
{
	switch (r) {
	case DNSSEC_R_SIG_EXPIRED: return "signature_expired";
	case DNSSEC_R_SIG_NOT_YET_VALID: return "signature_not_yet_valid";
	case DNSSEC_R_UNSUPPORTED_ALGORITHM: return "unsupported_algorithm";
	default: return "bad_signature";
	}
}

/* Verifies the RRset (owner, type) of section sec of m against every RRSIG
 * over it, with the captured keys of the signer. */
/* One signature over one RRset with one key, remembered by the stored
 * message it came from (whose capture time fixes the validity check). */
/* The memo is keyed by content, not by message: the canonical RRset
 * (owner, type, canonical rdata, RFC 4034 6), the RRSIG's fields and
 * signature, the key, and where the capture time falls in the signature's
 * validity.  Under load a resolver fetches the same signed RRset again and
 * again; each copy then costs a hash, not a public-key operation. */
static uint64_t memo_key(const chain_t *c, const dns_name_t *owner, const ch_key_t *ck,
			 const dns_rrsig_t *sig, db_time_t at)
{
	uint64_t k = DB_HASH_INIT, oh = dns_name_hash(owner);
	k = db_hash_bytes(k, &oh, sizeof(oh));
	size_t n = dnssec_rrset_count(c->set);
	for (size_t i = 0; i < n; i++) {
		uint16_t len = 0;
		const uint8_t *rd = dnssec_rrset_rdata(c->set, i, &len);
		k = db_hash_bytes(k, &len, sizeof(len));
		if (rd)
			k = db_hash_bytes(k, rd, len);
	}
	uint32_t f[5] = { sig->type_covered, (uint32_t)sig->algorithm << 8 | sig->labels,
			  sig->original_ttl, sig->expiration, sig->inception };
	k = db_hash_bytes(k, f, sizeof(f));
	k = db_hash_bytes(k, sig->signer.wire, sig->signer.len);
	k = db_hash_bytes(k, &sig->key_tag, sizeof(sig->key_tag));
	if (sig->signature)
		k = db_hash_bytes(k, sig->signature, sig->sig_len);
	k = db_hash_bytes(k, ck->rdata, ck->len);
	/* RFC 4034 3.1.5: serial number arithmetic against capture time. */
	uint32_t now = (uint32_t)(at / 1000000);
	uint8_t when = (uint8_t)(((int32_t)(now - sig->inception) < 0) |
				 ((int32_t)(sig->expiration - now) < 0) << 1);
	return db_hash_bytes(k, &when, 1);
}

static dnssec_result_t verify_memo(chain_t *c, uint64_t ref, const dns_name_t *owner,
				   const ch_key_t *ck, const dns_rrsig_t *sig, db_time_t at,
				   dnssec_reason_t *why)
{
	uint64_t k = memo_key(c, owner, ck, sig, at);
	uint64_t h = tbl_hash(&c->memo, &k);
	ch_memo_t *e = ref ? tbl_find(&c->memo, &k, h) : NULL;
	if (e) {
		*why = (dnssec_reason_t)e->reason;
		return (dnssec_result_t)e->result;
	}
	dnssec_result_t r = dnssec_verify_rrset(c->set, sig, &ck->zone, &ck->key, at, why);
	if (!ref)
		return r;
	e = tbl_insert_lru(&c->memo, &k, h, 0, NULL);
	if (e) {
		e->result = (uint8_t)r;
		e->reason = (uint8_t)*why;
	}
	return r;
}

static void verify_set(chain_t *c, uint64_t ref, const dns_msg_t *m, const dns_name_t *owner,
		       uint16_t type, uint8_t sec, db_time_t at, chain_result_t *out)
{
	dnssec_rrset_clear(c->set);
	for (size_t i = 0; i < m->nrr; i++) {
		const dns_rr_t *rr = &m->rr[i];
		if (rr->section == sec && rr->type == type && dns_name_eq(&rr->owner, owner))
			if (dnssec_rrset_add(c->set, m, rr) != DB_OK)
				return;
	}
	if (dnssec_rrset_count(c->set) == 0)
		return;
	int secure = 0;
	dnssec_reason_t worst = DNSSEC_R_NONE;
	dns_rrsig_t bad;
	memset(&bad, 0, sizeof(bad));
	for (size_t i = 0; i < m->nrr && !secure; i++) {
		const dns_rr_t *rr = &m->rr[i];
		dns_rrsig_t sig;
		if (rr->section != sec || rr->type != DNS_T_RRSIG ||
		    !dns_name_eq(&rr->owner, owner) || dns_rr_rrsig(m, rr, &sig) != DB_OK ||
		    sig.type_covered != type)
			continue;
		int tried = 0;
		for (size_t k = 0; k < c->nkeys && !secure; k++) {
			const ch_key_t *ck = &c->keys[k];
			if (ck->tag != sig.key_tag || ck->key.algorithm != sig.algorithm ||
			    !dns_name_eq(&ck->zone, &sig.signer))
				continue;
			tried = 1;
			dnssec_reason_t why = DNSSEC_R_NONE;
			dnssec_result_t r = verify_memo(c, ref, owner, ck, &sig, at, &why);
			if (r == DNSSEC_SECURE) {
				secure = 1;
			} else if (r == DNSSEC_BOGUS && worst == DNSSEC_R_NONE) {
				worst = why;
				bad = sig;
			} else if (r == DNSSEC_INDETERMINATE) {
				out->undecided++;
			}
		}
		if (!tried)
			out->undecided++; /* the signer's keys are not in the capture */
	}
	if (secure) {
		out->verified++;
	} else if (worst != DNSSEC_R_NONE) {
		dns_name_t zone = bad.signer;
		fail(out, reason_detail(worst), &zone, owner, type, &bad, at);
	}
}

/* The DNSKEY set of zone, checked against its own signatures. */
static void check_keys(chain_t *c, uint64_t ref, const dns_msg_t *m, db_time_t at,
		       chain_result_t *out)
{
	for (size_t i = 0; i < m->nrr; i++) {
		const dns_rr_t *rr = &m->rr[i];
		if (rr->type != DNS_T_DNSKEY || rr->section != DNS_SEC_ANSWER)
			continue;
		int first = 1;
		for (size_t j = 0; j < i && first; j++)
			first = !(m->rr[j].type == DNS_T_DNSKEY &&
				  m->rr[j].section == DNS_SEC_ANSWER &&
				  dns_name_eq(&m->rr[j].owner, &rr->owner));
		if (first)
			verify_set(c, ref, m, &rr->owner, DNS_T_DNSKEY, DNS_SEC_ANSWER, at, out);
	}
}

static int below(const dns_name_t *name, const dns_name_t *zone)
{
	if (name->labels < zone->labels)
		return 0;
	dns_name_t s;
	dns_name_suffix(name, zone->labels, &s);
	return dns_name_eq(&s, zone);
}

/* Whether a source gave keys or DS records of zone z or of a zone above
 * it, or proved a delegation insecure. */
static int src_above(const chain_t *c, const struct ch_src *s, const dns_name_t *z)
{
	int hit = s->insecure;
	for (size_t k = s->k0; k < s->k1 && !hit; k++)
		hit = below(z, &c->keys[k].zone);
	for (size_t d = s->d0; d < s->d1 && !hit; d++)
		hit = below(z, &c->ds[d].zone);
	return hit;
}

/* The exchanges the keys came from, for the evidence: with a failure, those
 * that gave keys of its zone or above (what proves it again); else the
 * first few. */
static void note_sources(const chain_t *c, chain_result_t *out)
{
	for (size_t i = 0; i < c->nsrc && out->n_src < CHAIN_MAX_SRC; i++) {
		const struct ch_src *s = &c->src[i];
		if (out->found && !src_above(c, s, &out->zone))
			continue;
		const txn_t *x = s->x;
		out->src[out->n_src++] = (chain_src_t){ x->e.ts,       x->answer_ts,
							x->key.server, x->key.client,
							x->key.cport,  x->key.transport };
	}
}

/* An authoritative answer with data but no signature, from a zone whose
 * parent published a DS: the child is unsigned (or lost its signatures)
 * while the chain says it must be signed.  (Data or a negative answer: an
 * unsigned NODATA or NXDOMAIN lacks the signatures over its SOA and NSEC
 * records.) */
static void unsigned_answer(const chain_t *c, const txn_t *x, db_time_t at, chain_result_t *out)
{
	const dns_name_t *deepest = NULL;
	for (size_t d = 0; d < c->nds; d++)
		if (below(x->qname, &c->ds[d].zone) &&
		    (!deepest || c->ds[d].zone.labels > deepest->labels))
			deepest = &c->ds[d].zone;
	/* Unless a delegation below that zone was proven to have no DS: the
	 * answer comes from an insecure zone. */
	for (size_t k = 0; deepest && k < c->ninsecure; k++)
		if (below(x->qname, &c->insecure[k]) && c->insecure[k].labels > deepest->labels)
			deepest = NULL;
	if (deepest)
		fail(out, "rrsig_missing", deepest, x->qname, x->qtype, NULL, at);
}

void chain_check(chain_t *c, const msgstore_t *store, const txn_t *const *att, size_t n,
		 chain_result_t *out)
{
	memset(out, 0, sizeof(*out));
	reset(c);
	dns_msg_t m;

	/* Pass 1: keys and DS records. */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = msg_of(store, att[i]);
		if (!att[i]->msg_ref)
			continue;
		if (!b) {
			out->missing++;
			continue;
		}
		out->messages++;
		if (dns_parse(&c->parser, b, att[i]->msg_len, &m) == DB_OK) {
			size_t nk = c->nkeys, nd = c->nds, ni = c->ninsecure;
			collect(c, &m);
			if ((c->nkeys > nk || c->nds > nd || c->ninsecure > ni) &&
			    c->nsrc < CH_MAX_KEYS)
				c->src[c->nsrc++] = (struct ch_src){
					att[i],      (uint8_t)nk,     (uint8_t)c->nkeys,
					(uint8_t)nd, (uint8_t)c->nds, c->ninsecure > ni
				};
		}
	}
	for (size_t k = 0; k < c->nkeys; k++)
		if (!out->have_top || c->keys[k].zone.labels < out->top.labels) {
			dns_name_set(&out->top, &c->keys[k].zone);
			out->have_top = 1;
		}

	/* Pass 2a: each zone's DS set against its keys, when both are here. */
	for (size_t i = 0; i < c->nds; i++) {
		const dns_name_t *z = &c->ds[i].zone;
		int first = 1, have_keys = 0, match = 0, judged = 0;
		for (size_t j = 0; j < i && first; j++)
			first = !dns_name_eq(&c->ds[j].zone, z);
		if (!first)
			continue;
		for (size_t k = 0; k < c->nkeys; k++) {
			if (!dns_name_eq(&c->keys[k].zone, z))
				continue;
			have_keys = 1;
			for (size_t j = i; j < c->nds && !match; j++) {
				dnssec_reason_t why;
				if (!dns_name_eq(&c->ds[j].zone, z))
					continue;
				uint8_t dt = c->ds[j].ds.digest_type;
				if (dt != DNSSEC_DIGEST_SHA1 && dt != DNSSEC_DIGEST_SHA256 &&
				    dt != DNSSEC_DIGEST_SHA384)
					continue;
				judged = 1;
				match = dnssec_ds_matches(z, &c->ds[j].ds, &c->keys[k].key, &why) ==
					DNSSEC_SECURE;
			}
		}
		/* A DS whose digest type cannot be computed proves nothing:
		 * a validator that supports none of a zone's DS digests treats
		 * the zone as insecure (RFC 4035 5.2). */
		if (have_keys && !match && !judged)
			out->undecided++;
		else if (have_keys && !match) {
			fail(out, "ds_mismatch", z, z, DNS_T_DS, NULL, 0);
			if (dns_name_eq(&out->zone, z))
				for (size_t j = i; j < c->nds && out->n_ds < CHAIN_MAX_DS; j++)
					if (dns_name_eq(&c->ds[j].zone, z))
						out->ds_tags[out->n_ds++] = c->ds[j].ds.key_tag;
		}
	}

	/* Pass 2b and 3: signatures, and signed zones answering unsigned. */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = msg_of(store, att[i]);
		db_time_t at = att[i]->answer_ts;
		if (!b) {
			/* Not stored: an unsigned answer, summarised. */
			if (att[i]->unsigned_data)
				unsigned_answer(c, att[i], at, out);
			continue;
		}
		if (dns_parse(&c->parser, b, att[i]->msg_len, &m) != DB_OK)
			continue;
		check_keys(c, att[i]->msg_ref, &m, at, out);
		int any_sig = 0;
		for (size_t r = 0; r < m.nrr; r++) {
			const dns_rr_t *rr = &m.rr[r];
			if (rr->type == DNS_T_RRSIG && rr->section != DNS_SEC_ADDITIONAL) {
				any_sig = 1;
				dns_rrsig_t sig;
				if (dns_rr_rrsig(&m, rr, &sig) == DB_OK &&
				    sig.type_covered != DNS_T_DNSKEY) {
					int first = 1;
					for (size_t j = 0; j < r && first; j++) {
						dns_rrsig_t s2;
						first = !(m.rr[j].type == DNS_T_RRSIG &&
							  m.rr[j].section == rr->section &&
							  dns_name_eq(&m.rr[j].owner, &rr->owner) &&
							  dns_rr_rrsig(&m, &m.rr[j], &s2) ==
							      DB_OK &&
							  s2.type_covered == sig.type_covered);
					}
					if (first)
						verify_set(c, att[i]->msg_ref, &m, &rr->owner,
							   sig.type_covered, rr->section, at, out);
				}
			}
		}
		if (!any_sig && m.aa && (m.ancount > 0 || m.nscount > 0))
			unsigned_answer(c, att[i], at, out);
		/* Asked for the DNSKEY set of a zone under a DS, got none. */
		if (att[i]->qtype == DNS_T_DNSKEY && m.aa && m.ancount == 0 &&
		    (m.rcode & 0xf) == 0) {
			for (size_t d = 0; d < c->nds; d++)
				if (dns_name_eq(att[i]->qname, &c->ds[d].zone)) {
					fail(out, "dnskey_missing", &c->ds[d].zone, att[i]->qname,
					     DNS_T_DNSKEY, NULL, at);
					break;
				}
		}
	}
	note_sources(c, out);
}
