/*
 * digest.c - a DNS message's digest (digest.h): made from one full parse,
 * and standing in for it wherever the analysis does not read the records.
 */
#include "digest.h"

#include <string.h>

/* Every field of g zeroed, one by one: a memset of its 96 octets compiles
 * to a string instruction slow to start, made for every DNS message. */
static void digest_clear(digest_t *g)
{
	g->txn_hash = g->src_hash = g->dst_hash = 0;
	for (size_t i = 0; i < DIGEST_SUFFIXES; i++)
		g->suffix[i] = 0;
	g->nsuffix = 0;
	g->status = DB_OK;
	g->stage = DNS_STAGE_NONE;
	g->in_place = g->qname_len = g->qname_labels = g->n_ede = 0;
	g->sum.rrsig = g->sum.answer = 0;
	g->id = g->flags = g->rcode = g->qdcount = g->ancount = g->nscount = g->arcount = 0;
	g->qtype = g->qclass = 0;
}

void digest_make(digest_t *g, dns_msg_t *m, dns_parser_t *p, const cap_event_t *ev,
		 const digest_seeds_t *seeds)
{
	const cap_dns_t *d = &ev->u.dns;
	digest_clear(g);
	g->status = dns_parse(p, d->msg, d->len, m);
	g->stage = m->stage;
	g->src_hash = roles_hash_seeded(seeds->roles, &ev->flow.src);
	g->dst_hash = roles_hash_seeded(seeds->roles, &ev->flow.dst);
	if (m->stage < DNS_STAGE_HEADER)
		return;
	g->txn_hash = txn_flow_hash_seeded(seeds->txn, &ev->flow, !m->qr, m->id);
	g->id = m->id;
	g->flags = m->flags;
	g->rcode = m->rcode;
	g->qdcount = m->qdcount;
	g->ancount = m->ancount;
	g->nscount = m->nscount;
	g->arcount = m->arcount;
	g->n_ede = (uint8_t)m->edns.n_ede;
	if (m->stage < DNS_STAGE_QUESTION)
		return;
	g->qtype = m->qtype;
	g->qclass = m->qclass;
	/* The ancestors only for a recursive query: a client's, whose zone
	 * the analysis looks up (attr_note_query). */
	g->nsuffix = (uint8_t)dns_name_suffix_hashes(&m->qname, g->suffix,
						     !m->qr && m->rd ? DIGEST_SUFFIXES : 1);
	g->qname_len = m->qname.len;
	g->qname_labels = m->qname.labels;
	/* Compared, not inferred from the walk: equal octets make the same
	 * name whatever pointers the question used. */
	g->in_place = DNS_HDR_LEN + (size_t)m->qname.len <= d->len &&
		      memcmp(d->msg + DNS_HDR_LEN, m->qname.wire, m->qname.len) == 0;
	dns_summarize(m, m->qtype, &g->sum);
}

int digest_msg(const digest_t *g, const cap_dns_t *d, dns_msg_t *m)
{
	if (g->stage < DNS_STAGE_QUESTION || !g->qdcount || !g->in_place || g->n_ede)
		return 0;
	/* Field by field, not a memset of the whole: the EDE array and the
	 * name's octets beyond its length are never read. */
	m->edns.present = 0;
	m->edns.version = 0;
	m->edns.do_bit = 0;
	m->edns.ext_rcode = 0;
	m->edns.udp_size = 0;
	m->edns.n_options = 0;
	m->edns.n_ede = 0;
	m->rr = NULL;
	m->nrr = 0;
	m->wire = d->msg;
	m->len = d->len;
	m->id = g->id;
	m->flags = g->flags;
	dns_read_flags(m);
	m->rcode = g->rcode;
	m->qdcount = g->qdcount;
	m->ancount = g->ancount;
	m->nscount = g->nscount;
	m->arcount = g->arcount;
	m->qname.len = g->qname_len;
	m->qname.labels = g->qname_labels;
	dns_octets_copy(m->qname.wire, d->msg + DNS_HDR_LEN, g->qname_len);
	m->qtype = g->qtype;
	m->qclass = g->qclass;
	m->stage = g->stage;
	m->status = g->status;
	return 1;
}
