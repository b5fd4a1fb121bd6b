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
	const evrec_t *r = &l->ring[(seq - 1) % l->cap];
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

int evlog_init(evlog_t *l, size_t cap, db_time_t window)
{
	memset(l, 0, sizeof(*l));
	l->window = window;
	l->ring = calloc(cap ? cap : 1, sizeof(*l->ring));
	l->cap = cap ? cap : 1;
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
	evrec_t *r = &l->ring[l->head];
	if (l->count == l->cap && ts - r->ts < l->window)
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
	l->head = (l->head + 1) % l->cap;
	if (l->count < l->cap)
		l->count++;
	else
		l->overwritten++;
}

const evrec_t *evlog_back(const evlog_t *l, size_t i)
{
	if (i >= l->count)
		return NULL;
	return &l->ring[(l->head + l->cap - 1 - i) % l->cap];
}
