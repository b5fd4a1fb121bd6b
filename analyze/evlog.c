#include "evlog.h"

#include <stdlib.h>
#include <string.h>

typedef struct evserver {
	tbl_entry_t e;
	db_addr_t addr;
	uint64_t newest; /* seq */
} evserver_t;

const db_addr_t *evlog_server_of(const evrec_t *r)
{
	const db_flow_t *f = &r->flow;
	if (r->kind == CAP_EV_FRAG_EXPIRED && !r->have_first)
		return &f->src;
	if (f->sport == 53 && f->dport != 53)
		return &f->src;
	if (f->dport == 53)
		return &f->dst;
	return &f->src;
}

static const evrec_t *by_seq(const evlog_t *l, uint64_t seq)
{
	if (!seq)
		return NULL;
	const evrec_t *r = &l->ring[(seq - 1) % l->size];
	return r->seq == seq ? r : NULL;
}

const evrec_t *evlog_server_newest(const evlog_t *l, const db_addr_t *server)
{
	const evserver_t *s = tbl_find(&l->servers, server, tbl_hash(&l->servers, server));
	return s ? by_seq(l, s->newest) : NULL;
}

const evrec_t *evlog_server_older(const evlog_t *l, const evrec_t *r)
{
	/* NULL at the chain's end, or where the ring overwrote it. */
	return by_seq(l, r->prev);
}

/* The ring starts at this many records and doubles, up to cap, whenever
 * the record it would overwrite may still be read. */
#define EVLOG_FIRST 1024

int evlog_init(evlog_t *l, size_t cap, db_time_t window, db_time_t keep)
{
	memset(l, 0, sizeof(*l));
	l->window = window;
	l->keep = keep > window ? keep : window;
	l->cap = cap ? cap : 1;
	l->size = l->cap < EVLOG_FIRST ? l->cap : EVLOG_FIRST;
	l->ring = calloc(l->size, sizeof(*l->ring));
	if (!l->ring)
		return -1;
	if (tbl_init(&l->servers, sizeof(evserver_t), offsetof(evserver_t, addr), sizeof(db_addr_t),
		     l->cap) < 0) {
		free(l->ring);
		l->ring = NULL;
		return -1;
	}
	return 0;
}

/* The ring at size n (> size, <= cap), each record moved to its place
 * there; touch: every page written (calloc's may not be yet).  -1, the
 * ring unchanged, when out of memory. */
static int resize(evlog_t *l, size_t n, int touch)
{
	evrec_t *ring = calloc(n, sizeof(*ring));
	if (!ring)
		return -1;
	if (touch)
		tbl_prefault(ring, n * sizeof(*ring));
	for (uint64_t seq = l->seq - l->count + 1; seq <= l->seq; seq++)
		ring[(seq - 1) % n] = l->ring[(seq - 1) % l->size];
	free(l->ring);
	l->ring = ring;
	l->size = n;
	return 0;
}

int evlog_reserve(evlog_t *l)
{
	if (l->size < l->cap)
		return resize(l, l->cap, 1);
	if (!l->count)
		tbl_prefault(l->ring, l->size * sizeof(*l->ring));
	return 0;
}

void evlog_free(evlog_t *l)
{
	free(l->ring);
	if (l->servers.slots)
		tbl_free(&l->servers);
	memset(l, 0, sizeof(*l));
}

void evlog_add(evlog_t *l, const cap_event_t *ev)
{
	/* Handshakes are judged at the moment the resolver gave up, so SYN,
	 * SYN-ACK and RST are kept; FIN says nothing. */
	if (ev->kind == CAP_EV_TCP && ev->u.tcp.kind != CAP_TCP_RST &&
	    ev->u.tcp.kind != CAP_TCP_SYN && ev->u.tcp.kind != CAP_TCP_SYNACK)
		return;
	if (ev->kind != CAP_EV_ICMP && ev->kind != CAP_EV_TCP && ev->kind != CAP_EV_FRAG_EXPIRED &&
	    ev->kind != CAP_EV_STREAM_LOSS)
		return;
	/* The ring stays in time order, because walks stop at the first
	 * record older than they need: an event reported late with an
	 * earlier time (a train or stream flushed at the end of the input,
	 * stamped with its last packet) is logged at the time it arrived. */
	const evrec_t *newest = evlog_back(l, 0);
	db_time_t ts = newest && ev->ts < newest->ts ? newest->ts : ev->ts;
	if (l->count == l->size && l->size < l->cap && ts - l->ring[l->seq % l->size].ts < l->keep)
		(void)resize(l, l->size > l->cap / 2 ? l->cap : 2 * l->size, 0);
	evrec_t *r = &l->ring[l->seq % l->size];
	if (l->count == l->size && ts - r->ts < l->window)
		l->lost++;
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->kind = ev->kind;
	r->flow = ev->flow;
	if (ev->kind == CAP_EV_TCP) {
		r->tcp_kind = ev->u.tcp.kind;
	} else if (ev->kind == CAP_EV_ICMP) {
		const cap_icmp_t *ic = &ev->u.icmp;
		r->flow = ic->quoted;
		r->reporter = ic->reporter;
		r->icmp_version = ic->version;
		r->icmp_type = ic->type;
		r->icmp_code = ic->code;
		if (ic->has_dns_id) {
			r->has_qid = 1;
			r->qid = ic->dns_id;
		}
	} else if (ev->kind == CAP_EV_FRAG_EXPIRED) {
		r->have_first = ev->u.frag.have_first;
	}
	r->seq = ++l->seq;
	const db_addr_t *srv = evlog_server_of(r);
	uint64_t h = tbl_hash(&l->servers, srv);
	evserver_t *s = tbl_find(&l->servers, srv, h);
	if (s) {
		r->prev = s->newest;
		tbl_touch(&l->servers, s, ts);
	} else {
		s = tbl_insert_lru(&l->servers, srv, h, ts, &l->servers_evicted);
	}
	if (s)
		s->newest = r->seq;
	if (l->count < l->size)
		l->count++;
	else
		l->overwritten++;
}

const evrec_t *evlog_back(const evlog_t *l, size_t i)
{
	if (i >= l->count)
		return NULL;
	return &l->ring[(l->seq - 1 - i) % l->size];
}
