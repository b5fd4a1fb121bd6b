#include "txn.h"

#include <stdlib.h>
#include <string.h>

/* The name index: one head per query name hash, holding its transactions
 * in the order they were indexed; a transaction is under at most one head,
 * so the index never holds more heads than the table holds transactions.
 * A transaction that leaves is cleared from its array (NULL), and the
 * array's ends are trimmed of cleared entries, so that it spans no more
 * than the transactions of that name still in the table: at most a
 * window's worth. */
#define NAME_IN_LOG 2
#define NAME_IN (1 << NAME_IN_LOG)

typedef struct name_head {
	tbl_entry_t e; /* e.ts: the newest transaction's e.ts (the table's age
	                * order serves only to free the arrays) */
	uint64_t qhash;
	txn_t **v;     /* v[lo..hi): oldest first; NULL: left the index */
	uint32_t seq0; /* the name_seq of v[0] (modulo 2^32) */
	uint32_t lo, hi;
	uint8_t cap_log;    /* v holds 1 << cap_log entries */
	uint8_t disordered; /* a transaction joined with an older e.ts than the newest's */
	/* v while it fits: most names have a few attempts at a time, and an
	 * allocation per name would cost more than the index saves. */
	txn_t *in[NAME_IN];
} name_head_t;

/* Room for one more at v[hi]: the live span moved to the front when the
 * cleared ones before it are half the array, else the array doubled.
 * Returns 0, or -1 when out of memory. */
static int name_room(name_head_t *h)
{
	if (!h->v) {
		h->v = h->in;
		h->cap_log = NAME_IN_LOG;
	}
	uint32_t cap = 1u << h->cap_log;
	if (h->hi < cap)
		return 0;
	if (h->lo >= cap / 2) {
		memmove(h->v, h->v + h->lo, (size_t)(h->hi - h->lo) * sizeof(*h->v));
		h->seq0 += h->lo;
		h->hi -= h->lo;
		h->lo = 0;
		return 0;
	}
	if (h->cap_log >= 31)
		return -1;
	size_t size = ((size_t)cap << 1) * sizeof(*h->v);
	txn_t **v = h->v == h->in ? malloc(size) : realloc(h->v, size);
	if (!v)
		return -1;
	if (h->v == h->in)
		memcpy(v, h->in, sizeof(h->in));
	h->v = v;
	h->cap_log++;
	return 0;
}

/* Frees what h holds beside its entry. */
static void name_release(name_head_t *h)
{
	if (h->v != h->in)
		free(h->v);
}

int txn_init(txn_table_t *tt, db_time_t window, size_t max, txn_close_fn fn, void *user)
{
	memset(tt, 0, sizeof(*tt));
	tt->window = window;
	tt->on_close = fn;
	tt->user = user;
	if (tbl_init(&tt->tbl, sizeof(txn_t), offsetof(txn_t, key), sizeof(txn_key_t), max) < 0)
		return -1;
	if (tbl_init(&tt->names, sizeof(name_head_t), offsetof(name_head_t, qhash),
		     sizeof(uint64_t), max) < 0) {
		tbl_free(&tt->tbl);
		return -1;
	}
	return 0;
}

/* The queues, one mechanism for both links. */
static struct txn_qlink *link_of(txn_t *t, size_t off)
{
	return (struct txn_qlink *)((char *)t + off);
}

/* On the queue: it has a predecessor, or it is the head. */
static int q_on(const txn_queue_t *q, size_t off, txn_t *t)
{
	return link_of(t, off)->prev || q->head == t;
}

static void q_append(txn_queue_t *q, size_t off, txn_t *t, db_time_t at)
{
	struct txn_qlink *l = link_of(t, off);
	l->at = at;
	l->next = NULL;
	l->prev = q->tail;
	if (q->tail)
		link_of(q->tail, off)->next = t;
	else
		q->head = t;
	q->tail = t;
}

static void q_unlink(txn_queue_t *q, size_t off, txn_t *t)
{
	struct txn_qlink *l = link_of(t, off);
	if (!q_on(q, off, t))
		return;
	if (l->prev)
		link_of(l->prev, off)->next = l->next;
	else
		q->head = l->next;
	if (l->next)
		link_of(l->next, off)->prev = l->prev;
	else
		q->tail = l->prev;
	l->next = l->prev = NULL;
}

#define DUE offsetof(txn_t, due)
#define LIFE offsetof(txn_t, life)

/* A transaction's window is over (or it leaves the table early): count it
 * and hand it to the owner, exactly once. */
enum { JUDGE_WINDOW = 0, JUDGE_OPEN = 1, JUDGE_EVICTED = 2 };

static void judge(txn_table_t *tt, txn_t *t, int why)
{
	q_unlink(&tt->due, DUE, t);
	if (t->judged)
		return;
	t->judged = 1;
	if (tt->cursor == &t->e)
		tt->cursor = t->e.newer;
	/* A query evicted before its window was over was not watched long
	 * enough to call it unanswered: it counts as evicted only. */
	if (!t->answered && why == JUDGE_OPEN)
		tt->st.open_at_end++;
	else if (!t->answered && why == JUDGE_WINDOW)
		tt->st.unanswered++;
	if (tt->on_close)
		tt->on_close(t, tt->user);
}

static void unlink_name(txn_table_t *tt, txn_t *t)
{
	if (!t->named)
		return;
	t->named = 0;
	name_head_t *h = t->name_head;
	uint32_t i = t->name_seq - h->seq0;
	if (i < h->lo || i >= h->hi || h->v[i] != t)
		return; /* never: the index holds every named transaction */
	h->v[i] = NULL;
	while (h->lo < h->hi && !h->v[h->lo])
		h->lo++;
	if (i + 1 == h->hi) {
		while (h->hi > h->lo && !h->v[h->hi - 1])
			h->hi--;
		if (h->hi > h->lo)
			h->e.ts = h->v[h->hi - 1]->e.ts;
	}
	if (h->lo == h->hi) {
		name_release(h);
		tbl_remove(&tt->names, h);
	}
}

txn_learn_t *txn_learn(txn_t *t)
{
	if (!t->learn && (t->learn = calloc(1, sizeof(*t->learn))))
		t->owns = 1;
	return t->learn;
}

txn_ede_t *txn_ede(txn_t *t)
{
	if (!t->ede && (t->ede = calloc(1, sizeof(*t->ede))))
		t->owns = 1;
	return t->ede;
}

/* Where a query name that fits is kept: in the entry (txn_t.qname_in). */
static dns_name_t *name_in_place(txn_t *t) { return (dns_name_t *)(void *)t->qname_in; }

/* What a transaction owns beside its entry. */
static void release(txn_t *t)
{
	if (!t->owns)
		return;
	free(t->ede);
	free(t->learn);
	if (t->qname != name_in_place(t))
		free(t->qname);
}

void txn_set_attempt_life(txn_table_t *tt, db_time_t answered, db_time_t brief)
{
	tt->life_answered = answered;
	tt->life_brief = brief < answered ? brief : answered;
}

void txn_keep_short(txn_table_t *tt, txn_t *t)
{
	if (!tt->life_answered || t->short_life)
		return;
	t->short_life = TXN_LIFE_SHORT;
	if (t->answered)
		q_append(&tt->life, LIFE, t, t->answer_ts + tt->life_answered);
}

void txn_keep_brief(txn_table_t *tt, txn_t *t)
{
	/* Each queue is in the order of its times: the same delay after
	 * answers that come in time order. */
	if (t->short_life != TXN_LIFE_SHORT || !t->answered)
		return;
	q_unlink(&tt->life, LIFE, t);
	t->short_life = TXN_LIFE_BRIEF;
	q_append(&tt->brief, LIFE, t, t->answer_ts + tt->life_brief);
}

void txn_set_close_ahead(txn_table_t *tt, txn_ahead_fn fn) { tt->close_ahead = fn; }

void txn_set_midway(txn_table_t *tt, db_time_t delay, txn_midway_fn fn)
{
	tt->midway = delay;
	tt->on_midway = fn;
}

static void close_txn_at(txn_table_t *tt, txn_t *t, int open)
{
	/* Queued for an early judgement not yet due: judged now, as it leaves. */
	judge(tt, t, open);
	if (tt->cursor == &t->e)
		tt->cursor = t->e.newer;
	if (tt->midway_cursor == &t->e)
		tt->midway_cursor = t->e.newer;
	q_unlink(t->short_life == TXN_LIFE_BRIEF ? &tt->brief : &tt->life, LIFE, t);
	unlink_name(tt, t);
	release(t);
	tbl_remove(&tt->tbl, t);
}

void txn_index_name(txn_table_t *tt, txn_t *t)
{
	if (t->named || tt->tbl.newest != &t->e)
		return;
	uint64_t hv = tbl_hash(&tt->names, &t->qhash);
	name_head_t *h = tbl_find(&tt->names, &t->qhash, hv);
	/* Never full: at most one head per transaction in the table. */
	if (!h && !(h = tbl_insert(&tt->names, &t->qhash, hv, t->e.ts)))
		return;
	if (name_room(h) < 0) {
		if (h->lo == h->hi) /* just made */
			tbl_remove(&tt->names, h);
		return;
	}
	if (h->hi > h->lo && h->e.ts > t->e.ts)
		h->disordered = 1;
	h->e.ts = t->e.ts;
	t->named = 1;
	t->name_head = h;
	t->name_seq = h->seq0 + h->hi;
	h->v[h->hi++] = t;
}

size_t txn_by_name(const txn_table_t *tt, uint64_t hq, const txn_t *const **v, int *in_order)
{
	const name_head_t *h = tbl_find(&tt->names, &hq, tbl_hash(&tt->names, &hq));
	*in_order = h ? !h->disordered : 1;
	*v = h ? (const txn_t *const *)h->v + h->lo : NULL;
	return h ? h->hi - h->lo : 0;
}

/* The key's hash from its fields, wherever they are: a query's and an
 * answer's come from the packet's flow, read long after it was written.
 * tbl_hash over a key just built on the stack would load words that
 * straddle the stores that built it, and wait for them each time.  With
 * the table's secret seed, like tbl_hash. */
static uint64_t hash_fields(uint64_t seed, const db_addr_t *client, const db_addr_t *server,
			    uint16_t cport, uint16_t sport, uint16_t id, uint8_t transport)
{
	uint64_t w[4];
	memcpy(&w[0], client->a, 8);
	memcpy(&w[1], client->a + 8, 8);
	memcpy(&w[2], server->a, 8);
	memcpy(&w[3], server->a + 8, 8);
	uint64_t h = seed ^ 0x243f6a8885a308d3ULL;
	for (int i = 0; i < 4; i++)
		h = db_hash_mix(h, w[i]);
	h = db_hash_mix(h, (uint64_t)cport | (uint64_t)sport << 16 | (uint64_t)id << 32 |
			       (uint64_t)transport << 48 | (uint64_t)(client->family & 0xf) << 56 |
			       (uint64_t)(server->family & 0xf) << 60);
	return db_hash_final(h);
}

uint64_t txn_key_hash(const txn_table_t *tt, const txn_key_t *k)
{
	return hash_fields(tt->tbl.seed, &k->client, &k->server, k->cport, k->sport, k->id,
			   k->transport);
}

/* The key's hash from the flow it is made of (key_from's). */
uint64_t txn_flow_hash(const txn_table_t *tt, const db_flow_t *f, int is_query, uint16_t id)
{
	return txn_flow_hash_seeded(tt->tbl.seed, f, is_query, id);
}

uint64_t txn_seed(const txn_table_t *tt) { return tt->tbl.seed; }

uint64_t txn_flow_hash_seeded(uint64_t seed, const db_flow_t *f, int is_query, uint16_t id)
{
	return is_query ? hash_fields(seed, &f->src, &f->dst, f->sport, f->dport, id, f->proto)
			: hash_fields(seed, &f->dst, &f->src, f->dport, f->sport, id, f->proto);
}

void txn_prefetch(const txn_table_t *tt, uint64_t hash, int stage)
{
	if (!stage) {
		tbl_prefetch(&tt->tbl, hash);
		return;
	}
	/* Beyond the key's lines: an answer compares the name (line 2) and
	 * writes what it left (line 3). */
	const uint8_t *e = tbl_prefetch_entry(&tt->tbl, hash);
	if (e) {
		__builtin_prefetch(e + offsetof(txn_t, qname));
		__builtin_prefetch(e + offsetof(txn_t, learn), 1);
	}
}

uint64_t txn_name_hash(const txn_table_t *tt, uint64_t qhash)
{
	return tbl_hash(&tt->names, &qhash);
}

void txn_name_prefetch(const txn_table_t *tt, uint64_t hash, int stage)
{
	if (!stage) {
		tbl_prefetch(&tt->names, hash);
		return;
	}
	/* The head's second line: its array's bounds and first entries. */
	const uint8_t *e = tbl_prefetch_entry(&tt->names, hash);
	if (e)
		__builtin_prefetch(e + sizeof(name_head_t) - 1, 1);
}

txn_t *txn_find(const txn_table_t *tt, const txn_key_t *k)
{
	txn_t *best = NULL;
	for (txn_t *t = tbl_find(&tt->tbl, k, txn_key_hash(tt, k)); t;
	     t = tbl_find_next(&tt->tbl, t))
		if (!best || t->e.ts > best->e.ts)
			best = t;
	return best;
}

static void close_txn(txn_table_t *tt, txn_t *t) { close_txn_at(tt, t, 0); }

void txn_set_retention(txn_table_t *tt, db_time_t extra) { tt->retain = extra; }

void txn_free(txn_table_t *tt)
{
	for (tbl_entry_t *e = tt->tbl.oldest; e; e = e->newer)
		release((txn_t *)e);
	tbl_free(&tt->tbl);
	for (tbl_entry_t *e = tt->names.oldest; e; e = e->newer)
		name_release((name_head_t *)e);
	tbl_free(&tt->names);
	tt->cursor = NULL;
}

/* The key as the client sees it: the query's source is the client. */
static void key_from(txn_key_t *k, const db_flow_t *f, int is_query, uint16_t id)
{
	memset(k, 0, sizeof(*k));
	k->client = is_query ? f->src : f->dst;
	k->server = is_query ? f->dst : f->src;
	k->cport = is_query ? f->sport : f->dport;
	k->sport = is_query ? f->dport : f->sport;
	k->id = id;
	k->transport = f->proto;
}

static int same_question(const txn_t *t, const dns_msg_t *m)
{
	return t->qtype == m->qtype && t->qclass == m->qclass && dns_name_eq(t->qname, &m->qname);
}

txn_t *txn_query(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m)
{
	return txn_query_hashed(tt, ts, flow, m, txn_flow_hash(tt, flow, 1, m->id),
				dns_name_hash(&m->qname));
}

txn_t *txn_query_hashed(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m,
			uint64_t h, uint64_t qhash)
{
	txn_key_t k;
	key_from(&k, flow, 1, m->id);
	for (txn_t *t = tbl_find(&tt->tbl, &k, h); t; t = tbl_find_next(&tt->tbl, t)) {
		if (!same_question(t, m))
			continue;
		if (!t->answered) {
			t->queries++;
			t->last_query = ts;
			tt->st.retransmissions++;
			return t;
		}
		/* Asked again after the answer: a new transaction that reuses
		 * the id; the old one is complete. */
		close_txn(tt, t);
		break;
	}
	txn_t *t = tbl_insert(&tt->tbl, &k, h, ts);
	if (!t) {
		txn_t *old = tbl_oldest(&tt->tbl);
		if (!old)
			return NULL;
		tt->st.evicted++;
		close_txn_at(tt, old, old->judged ? JUDGE_WINDOW : JUDGE_EVICTED);
		t = tbl_insert(&tt->tbl, &k, h, ts);
		if (!t)
			return NULL;
	}
	dns_name_t *qname = name_in_place(t);
	size_t bytes = offsetof(dns_name_t, wire) + m->qname.len;
	if (bytes <= sizeof(t->qname_in)) {
		dns_name_copy_lower(qname, &m->qname);
	} else if ((qname = dns_name_dup(&m->qname))) {
		t->owns = 1;
		dns_name_lower(qname);
	} else {
		tbl_remove(&tt->tbl, t);
		return NULL;
	}
	tt->st.transactions++;
	if (!tt->cursor)
		tt->cursor = &t->e;
	if (!tt->midway_cursor)
		tt->midway_cursor = &t->e;
	t->qname = qname;
	t->qhash = qhash;
	t->qtype = m->qtype;
	t->qclass = m->qclass;
	t->rd = m->rd;
	t->cd = m->cd;
	t->queries = 1;
	t->last_query = ts;
	return t;
}

txn_t *txn_response(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m,
		    int *first)
{
	return txn_response_hashed(tt, ts, flow, m, txn_flow_hash(tt, flow, 0, m->id), first);
}

txn_t *txn_response_hashed(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m,
			   uint64_t h, int *first)
{
	*first = 0;
	txn_key_t k;
	key_from(&k, flow, 0, m->id);
	int has_q = m->stage >= DNS_STAGE_QUESTION && m->qdcount > 0;
	txn_t *match = NULL;
	for (txn_t *t = tbl_find(&tt->tbl, &k, h); t; t = tbl_find_next(&tt->tbl, t)) {
		/* A response without a question (some FORMERR and NOTIMP
		 * answers) can only be matched on the id. */
		if (has_q && !same_question(t, m))
			continue;
		if (!match || (match->answered && !t->answered))
			match = t;
	}
	if (!match) {
		tt->st.unmatched_responses++;
		return NULL;
	}
	if (match->answered) {
		match->responses++;
		tt->st.duplicate_responses++;
		return match;
	}
	*first = 1;
	if (match->short_life)
		q_append(&tt->life, LIFE, match, ts + tt->life_answered);
	match->answered = 1;
	match->responses = 1;
	match->answer_ts = ts;
	match->rcode = m->rcode;
	tt->st.answered++;
	return match;
}

void txn_close(txn_table_t *tt, txn_t *t) { close_txn_at(tt, t, JUDGE_WINDOW); }

void txn_judge_at(txn_table_t *tt, txn_t *t, db_time_t due, int drop)
{
	if (t->judged || q_on(&tt->due, DUE, t))
		return;
	t->drop_judged = (uint8_t)(drop != 0);
	q_append(&tt->due, DUE, t, due);
}

/* The loops below walk lists that run through the table in no order of
 * memory (the age list, the queues): each step would wait for memory
 * several times in a row.  So each step asks, two transactions ahead, for
 * n2's lines (reading n1's link to find it: n1's lines were asked for a
 * step before), and for what closing n1, the next, will read beyond n1
 * itself: its slot, its name's head, its neighbours on the age list and
 * on its queue.  Hints only. */
static void prefetch_lines(const txn_t *t, size_t lines)
{
	if (t)
		for (size_t i = 0; i < lines; i++)
			__builtin_prefetch((const uint8_t *)t + 64 * i);
}

static void prefetch_close(const txn_table_t *tt, const txn_t *n1, const txn_t *n2)
{
	prefetch_lines(n2, sizeof(*n2) / 64);
	if (!n1)
		return;
	tbl_prefetch(&tt->tbl, n1->e.hash);
	if (n1->named) {
		/* Its head, with the array that holds it when in place, and
		 * the head's slot, which it vacates as the last one. */
		__builtin_prefetch(n1->name_head);
		__builtin_prefetch((const uint8_t *)n1->name_head + 64);
		tbl_prefetch(&tt->names, tbl_hash(&tt->names, &n1->qhash));
	}
	if (n1->e.older)
		__builtin_prefetch(n1->e.older);
	if (n1->e.newer)
		__builtin_prefetch(n1->e.newer);
	if (n1->life.prev)
		__builtin_prefetch(&n1->life.prev->life);
	if (n1->life.next)
		__builtin_prefetch(&n1->life.next->life);
	if (tt->close_ahead && !n1->judged)
		tt->close_ahead(n1, tt->user);
}

static const txn_t *newer_of(const txn_t *t) { return t ? (const txn_t *)t->e.newer : NULL; }

static const txn_t *life_next(const txn_t *t) { return t ? t->life.next : NULL; }

/* The midway look at the queries `midway` old by now, in query order. */
static void midway(txn_table_t *tt, db_time_t now)
{
	while (tt->midway_cursor && tt->midway_cursor->ts + tt->midway <= now) {
		txn_t *t = (txn_t *)tt->midway_cursor;
		tt->midway_cursor = tt->midway_cursor->newer;
		/* Its first two lines are all the look below reads. */
		prefetch_lines(newer_of(newer_of(t)), 2);
		if (!t->answered && !t->judged && !t->midway_done && !t->short_life) {
			t->midway_done = 1;
			tt->on_midway(t, t->e.ts + tt->midway, tt->user);
		}
	}
}

void txn_expire(txn_table_t *tt, db_time_t now)
{
	/* First judge every transaction whose window is over, or whose early
	 * judgement is due, in the order of those times, while the ones
	 * around it are still in the table; then drop those kept past their
	 * window for later lookups. */
	if (tt->on_midway)
		midway(tt, now);
	for (;;) {
		txn_t *w = tt->cursor && tt->cursor->ts + tt->window <= now ? (txn_t *)tt->cursor
									    : NULL;
		txn_t *d = tt->due.head && tt->due.head->due.at <= now ? tt->due.head : NULL;
		if (d && (!w || d->due.at < w->e.ts + tt->window))
			w = d;
		if (!w)
			break;
		if (w == (txn_t *)tt->cursor)
			tt->cursor = tt->cursor->newer;
		const txn_t *n1 = (const txn_t *)tt->cursor;
		prefetch_close(tt, n1, newer_of(n1));
		judge(tt, w, 0);
		if (w->drop_judged)
			close_txn(tt, w);
	}
	txn_t *t;
	while ((t = tbl_oldest(&tt->tbl)) && t->e.ts + tt->window + tt->retain <= now) {
		prefetch_close(tt, newer_of(t), newer_of(newer_of(t)));
		close_txn(tt, t);
	}
	/* Answered attempts whose short or brief life is over. */
	while ((t = tt->life.head) && t->life.at <= now) {
		prefetch_close(tt, t->life.next, life_next(t->life.next));
		close_txn(tt, t);
	}
	while ((t = tt->brief.head) && t->life.at <= now) {
		prefetch_close(tt, t->life.next, life_next(t->life.next));
		close_txn(tt, t);
	}
}

void txn_flush(txn_table_t *tt, db_time_t last)
{
	/* In the order of the queries, those queued for an early judgement
	 * among them: a failure is judged before the repeats asked after it. */
	for (tbl_entry_t *e = tt->cursor; e; e = e->newer) {
		txn_t *t = (txn_t *)e;
		judge(tt, t, t->e.ts + tt->window > last);
	}
	txn_t *t;
	while ((t = tbl_oldest(&tt->tbl)))
		close_txn_at(tt, t, t->e.ts + tt->window > last);
}
