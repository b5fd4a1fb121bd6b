/*
 * digest.c - a DNS message's digest (digest.h): made from one full parse,
 * and standing in for it wherever the analysis does not read the records.
 */
#include "digest.h"

#include <string.h>

#include "../common/wire.h"

/* Every field of g zeroed, one by one (a memset compiles to a string
 * instruction slow to start, made for every DNS message), but the suffix
 * hashes: only the first nsuffix are read. */
static void digest_clear(digest_t *g)
{
	g->txn_hash = g->src_hash = g->dst_hash = 0;
	g->nsuffix = 0;
	g->status = DB_OK;
	g->stage = DNS_STAGE_NONE;
	g->in_place = g->qname_len = g->qname_labels = g->n_ede = 0;
	g->sum.rrsig = g->sum.answer = 0;
	g->flags = g->rcode = 0;
}

size_t digest_make(digest_t *g, dns_msg_t *m, dns_parser_t *p, const cap_event_t *ev,
		   const digest_seeds_t *seeds)
{
	const cap_dns_t *d = &ev->u.dns;
	digest_clear(g);
	g->status = (int8_t)dns_parse(p, d->msg, d->len, m);
	g->stage = m->stage;
	g->src_hash = roles_hash_seeded(seeds->roles, &ev->flow.src);
	g->dst_hash = roles_hash_seeded(seeds->roles, &ev->flow.dst);
	if (m->stage < DNS_STAGE_HEADER)
		return digest_size(g);
	g->txn_hash = txn_flow_hash_seeded(seeds->txn, &ev->flow, !m->qr, m->id);
	g->flags = m->flags;
	g->rcode = m->rcode;
	g->n_ede = (uint8_t)m->edns.n_ede;
	if (m->stage < DNS_STAGE_QUESTION)
		return digest_size(g);
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
	return digest_size(g);
}

int digest_msg(const digest_t *g, const cap_dns_t *d, dns_msg_t *m)
{
	if (g->stage < DNS_STAGE_QUESTION || !g->in_place || g->n_ede)
		return 0;
	/* The header's other fields from the bytes (the parse got past the
	 * header, so all of it is there).  A message without a question is
	 * parsed whole (its stage may still say FULL). */
	wire_t w;
	wire_init(&w, d->msg, d->len);
	uint16_t id = wire_u16(&w);
	wire_skip(&w, 2);
	uint16_t qdcount = wire_u16(&w);
	if (!qdcount)
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
	m->id = id;
	m->qdcount = qdcount;
	m->ancount = wire_u16(&w);
	m->nscount = wire_u16(&w);
	m->arcount = wire_u16(&w);
	/* The first question was read: its type and class follow its
	 * name, in place. */
	wire_skip(&w, g->qname_len);
	m->qtype = wire_u16(&w);
	m->qclass = wire_u16(&w);
	m->flags = g->flags;
	dns_read_flags(m);
	m->rcode = g->rcode;
	m->qname.len = g->qname_len;
	m->qname.labels = g->qname_labels;
	dns_octets_copy(m->qname.wire, d->msg + DNS_HDR_LEN, g->qname_len);
	m->stage = g->stage;
	m->status = (db_status_t)g->status;
	return 1;
}
