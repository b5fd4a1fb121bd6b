/*
 * fuzz_dnssec.c - the DNSSEC verifier (analyze/dnssec.c) on fuzzed keys,
 * signatures, DS records and RRsets.
 *
 * Input:
 *   byte 0     flags: bits 0-1 key owner passed to dnssec_verify_rrset
 *              (0 NULL, 1 the RRSIG signer, 2-3 the RRset owner); bit 2
 *              "now" is the middle of the signature's validity window (else
 *              bytes 1-4); bit 3 the DNSKEY rdata is also the RRset's first
 *              record (a self-signed DNSKEY set); bits 4-5 class (IN, CH,
 *              ANY, 0)
 *   bytes 1-4  now, seconds, big endian
 *   then chunks of (16-bit big-endian length, bytes):
 *     0  owner name, wire form
 *     1  DNSKEY rdata
 *     2  RRSIG rdata
 *     3  DS rdata
 *     4+ rdata of the signed RRset (type = the RRSIG's type covered), at
 *        most 32
 * DNSKEY, RRSIG and DS are wrapped in a DNS message (owner, then two
 * compression pointers to it) and read back through dns_parse and the typed
 * views, as the analysis does.  Checked: a DS computed with
 * dnssec_ds_digest for the key must match it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyze/dns.h"
#include "../analyze/dnssec.h"
#include "fuzz.h"

/* Results the harness has no use for (they are DB_MUST_CHECK). */
static void ignore(db_status_t s) { (void)s; }

#define MAX_CHUNKS 36

typedef struct chunk {
	const uint8_t *p;
	size_t n;
} chunk_t;

static uint8_t *put_rr(uint8_t *w, uint16_t type, const chunk_t *c)
{
	*w++ = type >> 8;
	*w++ = type & 0xff;
	*w++ = 0;
	*w++ = 1; /* IN */
	memcpy(w, "\x00\x00\x0e\x10", 4);
	w += 4;
	*w++ = (uint8_t)(c->n >> 8);
	*w++ = (uint8_t)c->n;
	if (c->n)
		memcpy(w, c->p, c->n);
	return w + c->n;
}

static void check(const dns_name_t *owner, const dns_dnskey_t *key, const uint8_t *rdata,
		  size_t rdlen, const dns_ds_t *fuzzed)
{
	static const uint8_t types[] = { DNSSEC_DIGEST_SHA1, DNSSEC_DIGEST_SHA256,
					 DNSSEC_DIGEST_GOST, DNSSEC_DIGEST_SHA384 };
	dnssec_reason_t why;
	(void)dnssec_ds_matches(owner, fuzzed, key, &why);
	for (size_t i = 0; i < sizeof(types); i++) {
		uint8_t dg[DNSSEC_MAX_DIGEST];
		size_t dlen = 0;
		if (dnssec_ds_digest(owner, rdata, rdlen, types[i], dg, &dlen) != DB_OK)
			continue;
		if (dlen > DNSSEC_MAX_DIGEST)
			abort();
		dns_ds_t ds = {
			.key_tag = dnssec_dnskey_tag(key),
			.algorithm = key->algorithm,
			.digest_type = types[i],
			.digest = dg,
			.digest_len = (uint16_t)dlen,
		};
		if (dnssec_ds_matches(owner, &ds, key, NULL) == DNSSEC_BOGUS)
			abort(); /* the DS made from this very key */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	uint8_t *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	uint8_t flags = buf[0];
	uint32_t now_s = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 |
			 buf[4];
	chunk_t ch[MAX_CHUNKS];
	size_t nch = 0, off = 5;
	while (nch < MAX_CHUNKS && size - off >= 2) {
		size_t n = (size_t)buf[off] << 8 | buf[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		ch[nch].p = buf + off;
		ch[nch].n = n;
		nch++;
		off += n;
	}
	if (nch < 4) {
		if (nch > 1)
			(void)dnssec_key_tag(ch[1].p, ch[1].n);
		free(buf);
		return 0;
	}
	(void)dnssec_key_tag(ch[1].p, ch[1].n);

	/* The wrapper message: header, DNSKEY, RRSIG, DS, owned by chunk 0. */
	size_t mlen = 12 + ch[0].n + 4 + 3 * 10 + ch[1].n + ch[2].n + ch[3].n;
	uint8_t *msg = malloc(mlen);
	dnssec_rrset_t *set = dnssec_rrset_new();
	dns_parser_t p;
	dns_parser_init(&p);
	if (!msg || !set)
		goto out;
	static const uint8_t hdr[12] = { 0, 0, 0x81, 0x80, 0, 0, 0, 3, 0, 0, 0, 0 };
	static const uint8_t ptr[2] = { 0xc0, 0x0c };
	const chunk_t cptr = { ptr, 2 };
	uint8_t *w = msg;
	memcpy(w, hdr, 12);
	w += 12;
	memcpy(w, ch[0].p, ch[0].n);
	w = put_rr(w + ch[0].n, DNS_T_DNSKEY, &ch[1]);
	memcpy(w, cptr.p, 2);
	w = put_rr(w + 2, DNS_T_RRSIG, &ch[2]);
	memcpy(w, cptr.p, 2);
	w = put_rr(w + 2, DNS_T_DS, &ch[3]);

	dns_msg_t m;
	if (dns_parse(&p, msg, (size_t)(w - msg), &m) != DB_OK || m.nrr != 3)
		goto out;
	dns_dnskey_t key;
	dns_rrsig_t sig;
	dns_ds_t ds;
	if (dns_rr_dnskey(&m, &m.rr[0], &key) != DB_OK ||
	    dns_rr_rrsig(&m, &m.rr[1], &sig) != DB_OK || dns_rr_ds(&m, &m.rr[2], &ds) != DB_OK)
		goto out;
	const dns_name_t *owner = &m.rr[0].owner;
	const uint8_t *krd = m.wire + m.rr[0].rdata_off;
	check(owner, &key, krd, m.rr[0].rdlen, &ds);

	static const uint16_t classes[4] = { 1, 3, 255, 0 };
	uint16_t rclass = classes[(flags >> 4) & 3];
	if ((flags & 8) && dnssec_rrset_add_rdata(set, owner, sig.type_covered, rclass, krd,
						  m.rr[0].rdlen) != DB_OK)
		goto out;
	for (size_t i = 4; i < nch; i++)
		ignore(
		    dnssec_rrset_add_rdata(set, owner, sig.type_covered, rclass, ch[i].p, ch[i].n));
	for (size_t i = 0; i < dnssec_rrset_count(set); i++) {
		uint16_t l;
		(void)dnssec_rrset_rdata(set, i, &l);
	}
	if (flags & 4)
		now_s = sig.inception + (uint32_t)(sig.expiration - sig.inception) / 2;
	const dns_name_t *kowner = (flags & 3) == 0 ? NULL : (flags & 3) == 1 ? &sig.signer : owner;
	dnssec_reason_t why;
	dnssec_result_t r = dnssec_verify_rrset(set, &sig, kowner, &key, (db_time_t)now_s * 1000000,
						&why);
	(void)dnssec_result_str(r);
	(void)dnssec_reason_str(why);
#ifdef FUZZ_VERBOSE
	fprintf(stderr, "%s %s\n", dnssec_result_str(r), dnssec_reason_str(why));
#endif
out:
	dns_parser_free(&p);
	dnssec_rrset_free(set);
	free(msg);
	free(buf);
	return 0;
}
