/*
 * fuzz_dns.c - the DNS parser: dns_parse on the input, then everything a
 * consumer reads from a parsed message (owner names in presentation form,
 * the typed rdata views, the canonical RRset builder of dnssec.c), and the
 * message's digest (digest.c), which must say what the parse says wherever
 * it stands in for it (abort() otherwise: a finding).
 *
 * The input is copied into a buffer of exactly its size, so ASan sees any
 * read past the message.
 */
#include <stdlib.h>
#include <string.h>

#include "../analyze/digest.h"
#include "../analyze/dns.h"
#include "../analyze/dnssec.h"
#include "fuzz.h"

/* Results the harness has no use for (they are DB_MUST_CHECK). */
static void ignore(db_status_t s) { (void)s; }

static void views(const dns_msg_t *m, const dns_rr_t *rr, dnssec_rrset_t *set)
{
	char s[DNS_NAME_STRLEN];
	dns_name_t n;
	dns_soa_t soa;
	dns_rrsig_t sig;
	dns_dnskey_t key;
	dns_ds_t ds;
	dns_nsec_t nsec;

	dns_name_str(&rr->owner, s);
	switch (rr->type) {
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_MX:
	case DNS_T_SRV:
		if (dns_rr_target(m, rr, &n) == DB_OK)
			dns_name_str(&n, s);
		break;
	case DNS_T_SOA:
		if (dns_rr_soa(m, rr, &soa) == DB_OK) {
			dns_name_str(&soa.mname, s);
			dns_name_str(&soa.rname, s);
		}
		break;
	case DNS_T_RRSIG:
		if (dns_rr_rrsig(m, rr, &sig) == DB_OK) {
			dns_name_str(&sig.signer, s);
			volatile uint8_t x = 0;
			for (uint16_t i = 0; i < sig.sig_len; i++)
				x ^= sig.signature[i];
			(void)x;
		}
		break;
	case DNS_T_DNSKEY:
		if (dns_rr_dnskey(m, rr, &key) == DB_OK) {
			(void)dnssec_dnskey_tag(&key);
			(void)dnssec_key_tag(m->wire + rr->rdata_off, rr->rdlen);
		}
		break;
	case DNS_T_DS:
		if (dns_rr_ds(m, rr, &ds) == DB_OK) {
			volatile uint8_t x = 0;
			for (uint16_t i = 0; i < ds.digest_len; i++)
				x ^= ds.digest[i];
			(void)x;
		}
		break;
	case DNS_T_NSEC:
		if (dns_rr_nsec(m, rr, &nsec) == DB_OK) {
			dns_name_str(&nsec.next, s);
			for (unsigned t = 0; t < 300; t++)
				(void)dns_nsec_has_type(&nsec, (uint16_t)t);
		}
		break;
	default: break;
	}
	/* Views of the wrong type must refuse, not misread. */
	(void)dns_rr_target(m, rr, &n);
	(void)dns_rr_rrsig(m, rr, &sig);
	(void)dns_rr_nsec(m, rr, &nsec);
	if (set) {
		dnssec_rrset_clear(set);
		ignore(dnssec_rrset_add(set, m, rr));
		ignore(dnssec_rrset_add(set, m, rr)); /* a duplicate */
	}
}

/* The digest of the message m was parsed from, and the message rebuilt
 * from it, against m. */
static void digest_agrees(const uint8_t *buf, size_t size, const dns_msg_t *m)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_DNS;
	ev.u.dns.msg = buf;
	ev.u.dns.len = ev.u.dns.wire_len = size;
	digest_seeds_t seeds = { 1, 2 };
	dns_parser_t p;
	dns_parser_init(&p);
	digest_t g;
	dns_msg_t full, lite;
	digest_make(&g, &full, &p, &ev, &seeds);
	if (g.stage != m->stage || g.status != (int32_t)m->status)
		abort();
	dns_sum_t sum;
	dns_summarize(m, m->qtype, &sum);
	if (g.stage >= DNS_STAGE_QUESTION && memcmp(&sum, &g.sum, sizeof(sum)) != 0)
		abort();
	if (digest_msg(&g, &ev.u.dns, &lite) &&
	    (lite.id != m->id || lite.flags != m->flags || lite.rcode != m->rcode ||
	     lite.qr != m->qr || lite.rd != m->rd || lite.ra != m->ra || lite.aa != m->aa ||
	     lite.tc != m->tc || lite.cd != m->cd || lite.qdcount != m->qdcount ||
	     lite.ancount != m->ancount || lite.nscount != m->nscount ||
	     lite.arcount != m->arcount || lite.qtype != m->qtype || lite.qclass != m->qclass ||
	     lite.stage != m->stage || lite.status != m->status || m->edns.n_ede != 0 ||
	     lite.qname.len != m->qname.len || lite.qname.labels != m->qname.labels ||
	     memcmp(lite.qname.wire, m->qname.wire, m->qname.len) != 0))
		abort();
	dns_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	dns_parser_t p;
	dns_msg_t m;
	dns_parser_init(&p);
	memset(&m, 0, sizeof(m));
	(void)dns_parse(&p, buf, size, &m);
	char s[DNS_NAME_STRLEN];
	if (m.stage >= DNS_STAGE_QUESTION)
		dns_name_str(&m.qname, s);
	digest_agrees(buf, size, &m);
	dnssec_rrset_t *set = dnssec_rrset_new();
	/* m.rr is meaningful at every stage: nrr counts what was read. */
	for (size_t i = 0; i < m.nrr; i++)
		views(&m, &m.rr[i], set);
	/* The whole set of the first owner/type, as a validator builds it. */
	if (set && m.nrr > 0) {
		dnssec_rrset_clear(set);
		for (size_t i = 0; i < m.nrr; i++)
			ignore(dnssec_rrset_add(set, &m, &m.rr[i]));
		for (size_t i = 0; i < dnssec_rrset_count(set); i++) {
			uint16_t l;
			(void)dnssec_rrset_rdata(set, i, &l);
		}
	}
	dnssec_rrset_free(set);
	dns_parser_free(&p);
	free(buf);
	return 0;
}
