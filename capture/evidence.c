/*
 * evidence.c - the spans of capture time whose packets are evidence (see
 * evidence.h).  Spans start in time order; a packet is checked against the
 * spans under way only.
 */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

#include "../common/wire.h"
#include "ip6.h"
#include "link.h"
#include "tunnel.h"

static int by_from(const void *x, const void *y)
{
	const cap_span_t *a = x, *b = y;
	return (a->from > b->from) - (a->from < b->from);
}

int evsel_init(evsel_t *e, cap_span_t *s, size_t n)
{
	e->ntrains = 0;
	e->s = s;
	e->n = n;
	e->next = 0;
	e->nactive = 0;
	e->active = malloc((n ? n : 1) * sizeof(*e->active));
	if (!e->active)
		return -1;
	qsort(s, n, sizeof(*s), by_from);
	return 0;
}

void evsel_free(evsel_t *e)
{
	free(e->active);
	e->active = NULL;
}

/* src:sp to dst:dp is a:ap to b:bp, a port of 0 standing for any. */
static int way(const db_addr_t *src, uint16_t sp, const db_addr_t *dst, uint16_t dp,
	       const db_addr_t *a, uint16_t ap, const db_addr_t *b, uint16_t bp)
{
	if (!db_addr_eq(src, a) || !db_addr_eq(dst, b))
		return 0;
	if (!sp && !dp)
		return 1;
	return (!ap || ap == sp) && (!bp || bp == dp);
}

static int pair(const db_addr_t *src, uint16_t sp, const db_addr_t *dst, uint16_t dp,
		const cap_span_t *s)
{
	return way(src, sp, dst, dp, &s->a, s->aport, &s->b, s->bport) ||
	       way(src, sp, dst, dp, &s->b, s->bport, &s->a, s->aport);
}

static int train_kept(const evsel_t *e, const cap_pkt_t *p)
{
	size_t n = e->ntrains < EVSEL_TRAINS ? e->ntrains : EVSEL_TRAINS;
	for (size_t i = 0; i < n; i++) {
		const struct evsel_train *t = &e->trains[i];
		if (t->id == p->frag_id && db_addr_eq(&t->src, &p->src) &&
		    db_addr_eq(&t->dst, &p->dst))
			return 1;
	}
	return 0;
}

int evsel_match(evsel_t *e, db_time_t ts, const cap_pkt_t *p)
{
	/* A fragment after the first: kept with its train. */
	if (p->frag && !p->sport && !p->dport && !p->icmp)
		return train_kept(e, p);
	while (e->next < e->n && e->s[e->next].from <= ts)
		e->active[e->nactive++] = e->next++;
	int hit = 0;
	for (size_t i = 0; i < e->nactive;) {
		cap_span_t *s = &e->s[e->active[i]];
		if (s->to < ts) {
			e->active[i] = e->active[--e->nactive];
			continue;
		}
		switch (s->kind) {
		case CAP_SPAN_FIRST:
			if (s->a.family &&
			    !(db_addr_eq(&p->src, &s->a) && (!s->aport || p->sport == s->aport)))
				break;
			hit = 1;
			s->to = s->from - 1; /* one packet: over at the next */
			break;
		case CAP_SPAN_ANY: hit = 1; break;
		case CAP_SPAN_ICMP:
			hit |= p->quoted && pair(&p->qsrc, p->qsport, &p->qdst, p->qdport, s);
			break;
		case CAP_SPAN_PEER:
			hit |= db_addr_eq(&p->src, &s->a) || db_addr_eq(&p->dst, &s->a);
			break;
		default: hit |= pair(&p->src, p->sport, &p->dst, p->dport, s); break;
		}
		i++;
	}
	if (hit && p->frag) {
		struct evsel_train *t = &e->trains[e->ntrains++ % EVSEL_TRAINS];
		t->src = p->src;
		t->dst = p->dst;
		t->id = p->frag_id;
	}
	return hit;
}

/* One IP header at w (version 4 or 6): its addresses, the protocol that
 * follows, and, for a fragment, its train; w is left on what follows (for
 * a first fragment or a whole datagram, the transport header).  0 when the
 * addresses could not be read. */
typedef struct ip_view {
	db_addr_t src, dst;
	uint8_t proto;
	uint8_t first; /* not a fragment, or the first of its train */
	uint8_t frag;
	uint32_t frag_id;
} ip_view_t;

static int ip_header(wire_t *w, int v6, ip_view_t *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->first = 1;
	if (v6) {
		/* The extension header chain, as the IPv6 path walks it. */
		ip6_hdr_t h;
		db_status_t st = ip6_parse(w, &h);
		if (!h.have_addrs)
			return 0;
		ip->src = h.src;
		ip->dst = h.dst;
		ip->proto = h.frag ? h.frag_nh : h.nh;
		if (h.frag) {
			ip->frag = 1;
			ip->frag_id = h.frag_id;
			ip->first = h.frag_offset == 0;
		}
		return st == DB_OK || st == DB_ETRUNC;
	}
	size_t ihl = (size_t)(wire_u8(w) & 0x0f) * 4;
	wire_skip(w, 3);
	uint16_t id = wire_u16(w), off = wire_u16(w);
	wire_skip(w, 1);
	ip->proto = wire_u8(w);
	wire_skip(w, 2);
	const uint8_t *a = wire_take(w, 4), *b = wire_take(w, 4);
	if (!wire_ok(w) || ihl < 20)
		return 0;
	db_addr_set4(&ip->src, a);
	db_addr_set4(&ip->dst, b);
	ip->first = (off & 0x1fff) == 0;
	if ((off & 0x3fff) != 0) { /* more fragments, or not the first */
		ip->frag = 1;
		ip->frag_id = id;
	}
	wire_skip(w, ihl - 20);
	return 1;
}

/* The UDP or TCP ports at w, or 0 and 0 when cut. */
static void ports(wire_t *w, uint16_t *sp, uint16_t *dp)
{
	uint16_t s = wire_u16(w), d = wire_u16(w);
	*sp = wire_ok(w) ? s : 0;
	*dp = wire_ok(w) ? d : 0;
}

int cap_pkt_parse(int dlt, const uint8_t *frame, size_t caplen, cap_pkt_t *p)
{
	memset(p, 0, sizeof(*p));
	link_result_t lr;
	if (link_decode(dlt, frame, caplen, &lr) != DB_OK || lr.l3 == LINK_L3_NONE)
		return 0;
	wire_t w;
	wire_init(&w, frame + lr.offset, caplen - lr.offset);
	int v6 = lr.l3 == LINK_L3_IPV6;
	ip_view_t ip;
	/* A packet in a tunnel is the evidence of what it carries: its inner
	 * packet's addresses and ports are those the analysis saw (as
	 * dispatch.c opens tunnels, at most TUNNEL_MAX_DEPTH deep).  An inner
	 * packet too short for its IP header leaves the outer one. */
	if (!ip_header(&w, v6, &ip))
		return 0;
	for (int depth = 0; depth < TUNNEL_MAX_DEPTH && ip.first; depth++) {
		tunnel_inner_t in;
		if (!tunnel_maybe(ip.proto, wire_cur(&w), wire_left(&w)) ||
		    !tunnel_decode(ip.proto, wire_cur(&w), wire_left(&w), &in) ||
		    in.l3 == LINK_L3_NONE)
			break;
		wire_t iw;
		ip_view_t inner;
		wire_init(&iw, in.p, in.len);
		if (!ip_header(&iw, in.l3 == LINK_L3_IPV6, &inner))
			break;
		w = iw;
		ip = inner;
	}
	p->src = ip.src;
	p->dst = ip.dst;
	p->frag = ip.frag;
	p->frag_id = ip.frag_id;
	p->icmp = ip.proto == 1 || ip.proto == 58;
	if (!ip.first)
		return 1;
	if (ip.proto == 6 || ip.proto == 17) {
		ports(&w, &p->sport, &p->dport);
		return 1;
	}
	if (!p->icmp)
		return 1;
	/* An error (ICMP 3, 11; ICMPv6 1 to 4) quotes the packet that caused
	 * it: its addresses and ports. */
	uint8_t type = wire_u8(&w);
	wire_skip(&w, 7);
	int error = ip.proto == 1 ? type == 3 || type == 11 : type >= 1 && type <= 4;
	ip_view_t q;
	if (!wire_ok(&w) || !error || !ip_header(&w, ip.proto == 58, &q))
		return 1;
	p->quoted = 1;
	p->qsrc = q.src;
	p->qdst = q.dst;
	if (q.first && (q.proto == 6 || q.proto == 17))
		ports(&w, &p->qsport, &p->qdport);
	return 1;
}
