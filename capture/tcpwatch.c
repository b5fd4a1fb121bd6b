#include "tcpwatch.h"

#include <string.h>

typedef struct pend {
	tbl_entry_t e;
	db_flow_t key; /* client -> server, as the SYN travelled */
	db_time_t last_syn;
} pend_t;

int tcpwatch_init(tcpwatch_t *tw, db_time_t window, size_t max_pending)
{
	memset(tw, 0, sizeof(*tw));
	tw->window = window;
	return tbl_init(&tw->pending, sizeof(pend_t), offsetof(pend_t, key), sizeof(db_flow_t),
			max_pending);
}

void tcpwatch_free(tcpwatch_t *tw) { tbl_free(&tw->pending); }

static void emit(db_time_t ts, const db_flow_t *flow, uint8_t kind, cap_event_fn fn, void *user)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_TCP;
	ev.ts = ts;
	ev.flow = *flow;
	ev.u.tcp.kind = kind;
	fn(&ev, user);
}

static void key_of(db_flow_t *k, const db_flow_t *f)
{
	memset(k, 0, sizeof(*k));
	k->src = f->src;
	k->dst = f->dst;
	k->sport = f->sport;
	k->dport = f->dport;
	k->proto = DB_PROTO_TCP;
}

void tcpwatch_segment(tcpwatch_t *tw, db_time_t ts, const db_flow_t *flow, uint8_t flags,
		      cap_event_fn fn, void *user)
{
	db_flow_t k;
	if ((flags & (TCPW_SYN | TCPW_ACK)) == TCPW_SYN) {
		emit(ts, flow, CAP_TCP_SYN, fn, user);
		key_of(&k, flow);
		uint64_t h = tbl_hash(&tw->pending, &k);
		pend_t *p = tbl_find(&tw->pending, &k, h);
		if (!p)
			p = tbl_insert_lru(&tw->pending, &k, h, ts, &tw->evicted);
		if (p)
			p->last_syn = ts;
		return;
	}
	if ((flags & (TCPW_SYN | TCPW_ACK)) == (TCPW_SYN | TCPW_ACK) || (flags & TCPW_RST)) {
		emit(ts, flow, (flags & TCPW_RST) ? CAP_TCP_RST : CAP_TCP_SYNACK, fn, user);
		/* The answer travels server -> client: look up the reverse. */
		db_flow_t rev = *flow;
		db_flow_reverse(&rev);
		key_of(&k, &rev);
		if (tw->pending.count) {
			pend_t *p = tbl_find(&tw->pending, &k, tbl_hash(&tw->pending, &k));
			if (p)
				tbl_remove(&tw->pending, p);
		}
		return;
	}
	if (flags & TCPW_FIN)
		emit(ts, flow, CAP_TCP_FIN, fn, user);
}

void tcpwatch_expire(tcpwatch_t *tw, db_time_t now, cap_event_fn fn, void *user)
{
	pend_t *p;
	while ((p = tbl_oldest(&tw->pending)) &&
	       (now == INT64_MAX || p->e.ts + tw->window <= now)) {
		emit(now == INT64_MAX ? p->last_syn : now, &p->key, CAP_TCP_SYN_UNANSWERED, fn,
		     user);
		tw->unanswered++;
		tbl_remove(&tw->pending, p);
	}
}
