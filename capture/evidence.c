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

int evsel_match(evsel_t *e, db_time_t ts, const db_addr_t *src, const db_addr_t *dst, int icmp)
{
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
			hit |= icmp;
		else if (s->kind == CAP_SPAN_PEER)
			hit |= db_addr_eq(src, &s->a) || db_addr_eq(dst, &s->a);
		else
			hit |= (db_addr_eq(src, &s->a) && db_addr_eq(dst, &s->b)) ||
			       (db_addr_eq(src, &s->b) && db_addr_eq(dst, &s->a));
		i++;
	}
	return hit;
}
