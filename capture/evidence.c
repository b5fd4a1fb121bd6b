/*
 * evidence.c - the spans of capture time whose packets are evidence (see
 * evidence.h).  Spans start in time order; a packet is checked against the
 * spans under way only.
 */
#include "evidence.h"

#include <stdlib.h>

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
static int way(const db_addr_t *src, uint16_t sp, const db_addr_t *dst, uint16_t dp, const db_addr_t *a,
	       uint16_t ap, const db_addr_t *b, uint16_t bp)
{
	if (!db_addr_eq(src, a) || !db_addr_eq(dst, b))
		return 0;
	if (!sp && !dp)
		return 1;
	return (!ap || ap == sp) && (!bp || bp == dp);
}

static int pair(const db_addr_t *src, uint16_t sp, const db_addr_t *dst, uint16_t dp, const cap_span_t *s)
{
	return way(src, sp, dst, dp, &s->a, s->aport, &s->b, s->bport) ||
	       way(src, sp, dst, dp, &s->b, s->bport, &s->a, s->aport);
}

static int train_kept(const evsel_t *e, const cap_pkt_t *p)
{
	size_t n = e->ntrains < EVSEL_TRAINS ? e->ntrains : EVSEL_TRAINS;
	for (size_t i = 0; i < n; i++) {
		const struct evsel_train *t = &e->trains[i];
		if (t->id == p->frag_id && db_addr_eq(&t->src, &p->src) && db_addr_eq(&t->dst, &p->dst))
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
		const cap_span_t *s = &e->s[e->active[i]];
		if (s->to < ts) {
			e->active[i] = e->active[--e->nactive];
			continue;
		}
		if (s->kind == CAP_SPAN_ICMP)
			hit |= p->quoted && pair(&p->qsrc, p->qsport, &p->qdst, p->qdport, s);
		else if (s->kind == CAP_SPAN_PEER)
			hit |= db_addr_eq(&p->src, &s->a) || db_addr_eq(&p->dst, &s->a);
		else
			hit |= pair(&p->src, p->sport, &p->dst, p->dport, s);
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
