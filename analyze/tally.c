/*
 * tally.c - bounded aggregates of the verdicts (see tally.h).
 */
#include "tally.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/handoff.h"

int tally_init(tally_t *t, size_t max_list)
{
	memset(t, 0, sizeof(*t));
	t->newest_bucket = -1;
	for (size_t i = 0; i < TALLY_BUCKETS; i++)
		t->buckets[i].bucket = -1;
	if (tbl_init(&t->groups, sizeof(tally_group_t), offsetof(tally_group_t, key),
		     sizeof(tally_gkey_t), TALLY_MAX_GROUPS) < 0)
		return -1;
	if (tbl_init(&t->servers, sizeof(tally_server_t), offsetof(tally_server_t, addr),
		     sizeof(db_addr_t), TALLY_MAX_SERVERS) < 0 ||
	    tbl_init(&t->health, sizeof(tally_health_t), offsetof(tally_health_t, addr),
		     sizeof(db_addr_t), TALLY_MAX_HEALTH) < 0 ||
	    vdlist_init(&t->list, max_list, 1) < 0 ||
	    vdlist_init(&t->pending, TALLY_PENDING, 0) < 0 ||
	    !(t->ex_scratch = malloc(sizeof(verdict_t)))) {
		tally_free(t);
		return -1;
	}
	return 0;
}

void tally_free(tally_t *t)
{
	tally_here(t);
	for (tally_group_t *g = t->groups.oldest ? (tally_group_t *)t->groups.oldest : NULL; g;
	     g = (tally_group_t *)g->e.newer)
		for (uint8_t i = 0; i < g->nex; i++)
			free(g->ex[i]);
	if (t->groups.slots)
		tbl_free(&t->groups);
	if (t->servers.slots)
		tbl_free(&t->servers);
	if (t->health.slots)
		tbl_free(&t->health);
	vdlist_free(&t->list);
	vdlist_free(&t->pending);
	free(t->ex_scratch);
	t->ex_scratch = NULL;
}

/* The records handed to the tally's thread (tally_apart). */
enum { TALLY_REC_VERDICT = 1, TALLY_REC_ATTEMPT = 2 };

/* The bit of a client in a group's linear counter. */
static size_t client_bit(const db_addr_t *a)
{
	/* FNV-1a over the address bytes: the counter needs spread, not
	 * secrecy (the count only feeds a report). */
	const uint8_t *p = (const uint8_t *)a;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof(*a); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	/* splitmix64's finaliser: every input bit reaches every output bit. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)(h % TALLY_CLIENT_BITS);
}

uint64_t tally_clients(const tally_group_t *g)
{
	size_t zero = 0;
	for (size_t i = 0; i < sizeof(g->clients); i++)
		zero += (size_t)(8 - __builtin_popcount(g->clients[i]));
	if (zero == 0)
		zero = 1; /* saturated: the estimate's ceiling */
	/* Linear counting (Whang et al. 1990): n = -m ln(V), V the share of
	 * bits still zero; exact in practice while n is small against m. */
	double m = TALLY_CLIENT_BITS, est = -m * log((double)zero / m);
	uint64_t n = (uint64_t)(est + 0.5);
	return n > g->count ? g->count : n;
}

static void group_servers(tally_group_t *g, const verdict_t *v)
{
	for (uint16_t i = 0; i < v->n_up; i++) {
		const vd_upstream_t *u = &v->up[i];
		if (u->outcome == VD_OUT_ANSWERED || u->outcome == VD_OUT_PENDING)
			continue;
		uint8_t k = 0;
		while (k < g->nservers && !db_addr_eq(&g->servers[k], &u->server))
			k++;
		if (k < g->nservers)
			continue;
		if (g->nservers < TALLY_GROUP_SERVERS)
			g->servers[g->nservers++] = u->server;
		else
			g->servers_more = 1;
	}
}

static void add_group(tally_t *t, const verdict_t *v)
{
	tally_gkey_t k;
	memset(&k, 0, sizeof(k));
	k.kind = v->kind;
	k.cause = v->cause;
	k.zone = dns_name_hash(&v->zone);
	for (const char *d = v->detail ? v->detail : ""; *d; d++)
		k.detail = (k.detail ^ (uint8_t)*d) * 1099511628211ULL;
	uint64_t h = tbl_hash(&t->groups, &k);
	tally_group_t *g = tbl_find(&t->groups, &k, h);
	if (!g && !(g = tbl_insert(&t->groups, &k, h, v->time))) {
		t->other[v->kind][v->cause]++;
		t->groups_dropped++;
		return;
	}
	if (!g->count) {
		g->zone = v->zone;
		g->detail = v->detail ? v->detail : "";
		g->first = g->last = v->time;
	}
	g->count++;
	if (v->time < g->first)
		g->first = v->time;
	if (v->time > g->last)
		g->last = v->time;
	if (v->via < TALLY_NVIA)
		g->via[v->via]++;
	if (v->capture_loss)
		g->over_loss++;
	size_t b = client_bit(&v->client);
	g->clients[b / 8] |= (uint8_t)(1u << (b % 8));
	group_servers(g, v);
	if (g->nex < TALLY_EXAMPLES) {
		size_t bytes = 0;
		uint8_t *c = t->example_bytes < TALLY_EXAMPLE_BYTES ? vd_pack(v, &bytes) : NULL;
		if (c) {
			if (v->via == VD_VIA_UPSTREAM && v->n_failed)
				g->ex_root |= (uint8_t)(1u << g->nex);
			g->ex[g->nex++] = c;
			t->example_bytes += bytes;
		} else {
			t->examples_dropped++;
		}
	}
}

/* A server queried again since it was put at the recent end of the age
 * list is spared (and unmarked), as is one a verdict named (kept). */
static int health_spare(void *e)
{
	tally_health_t *o = e;
	int keep = o->kept || o->seen;
	o->seen = 0;
	return keep;
}

_Static_assert(TALLY_MAX_SERVERS < TALLY_MAX_HEALTH,
	       "the servers a verdict names, kept, leave room for others' health");

/* server (hash h) followed from now on (put in the age list at ts), its
 * earliest query counted at since, or NULL when the table is full.  At
 * the limit the first server neither queried again nor kept goes (second
 * chance); none when all are kept (which TALLY_MAX_SERVERS, below the
 * limit, prevents). */
static tally_health_t *health_new(tally_t *t, const db_addr_t *server, uint64_t h, db_time_t ts,
				  db_time_t since)
{
	if (t->health.count >= t->health.max) {
		tally_health_t *o = tbl_second_chance(&t->health, health_spare);
		if (o) {
			tbl_remove(&t->health, o);
			t->health_forgotten++;
		}
	}
	tally_health_t *s = tbl_insert(&t->health, server, h, ts);
	if (s)
		s->since = since;
	return s;
}

/* server is listed in the report (a failed attempt of a verdict went to
 * it): its health is never let go, and followed from now on if it was
 * not (no query counted yet: the report shows none). */
static void keep_health(tally_t *t, const db_addr_t *server)
{
	uint64_t h = tbl_hash(&t->health, server);
	tally_health_t *s = tbl_find(&t->health, server, h);
	if (s || (s = health_new(t, server, h, 0, INT64_MAX)))
		s->kept = 1;
}

static void add_servers(tally_t *t, const verdict_t *v)
{
	for (uint16_t i = 0; i < v->n_up; i++) {
		const vd_upstream_t *u = &v->up[i];
		if (u->outcome == VD_OUT_ANSWERED || u->outcome == VD_OUT_PENDING)
			continue;
		uint64_t h = tbl_hash(&t->servers, &u->server);
		tally_server_t *s = tbl_find(&t->servers, &u->server, h);
		if (!s && !(s = tbl_insert(&t->servers, &u->server, h, u->ts))) {
			t->servers_dropped++;
			continue;
		}
		if (!s->verdicts || u->ts < s->first)
			s->first = u->ts;
		if (u->ts > s->last)
			s->last = u->ts;
		/* Counted once per verdict, however many attempts went to it. */
		int earlier = 0;
		for (uint16_t j = 0; j < i && !earlier; j++)
			earlier = db_addr_eq(&v->up[j].server, &u->server) &&
				  v->up[j].outcome != VD_OUT_ANSWERED &&
				  v->up[j].outcome != VD_OUT_PENDING;
		if (!earlier) {
			s->verdicts++;
			keep_health(t, &u->server);
		}
		if (u->outcome < TALLY_NOUTCOMES)
			s->outcomes[u->outcome]++;
	}
}

static void add_bucket(tally_t *t, const verdict_t *v)
{
	int64_t m = v->time / TALLY_BUCKET_US;
	if (m > t->newest_bucket)
		t->newest_bucket = m;
	if (m <= t->newest_bucket - TALLY_BUCKETS) {
		t->buckets_dropped++;
		return;
	}
	tally_bucket_t *b = &t->buckets[(uint64_t)m % TALLY_BUCKETS];
	if (b->bucket != m) {
		memset(b, 0, sizeof(*b));
		b->bucket = m;
	}
	b->n[v->kind][v->cause]++;
}

static void add_here(tally_t *t, const verdict_t *v)
{
	if (v->kind >= VD_NKINDS || v->cause >= VD_NCAUSES)
		return;
	add_group(t, v);
	add_servers(t, v);
	add_bucket(t, v);
	vdlist_add(v->kind == VD_KIND_PENDING ? &t->pending : &t->list, v);
	/* For a summary made while the tally is apart. */
	atomic_store_explicit(&t->dropped_seen[0], t->list.dropped, memory_order_relaxed);
	atomic_store_explicit(&t->dropped_seen[1], t->pending.dropped, memory_order_relaxed);
}

void tally_add(tally_t *t, const verdict_t *v)
{
	if (t->apart)
		handoff_put(t->apart, TALLY_REC_VERDICT, v, vd_used_bytes(v));
	else
		add_here(t, v);
}

/* An upstream query's outcome, handed over (tally_attempt). */
typedef struct attempt_rec {
	db_addr_t server;
	db_time_t asked, rtt;
	uint8_t answered, icmp;
} attempt_rec_t;

static void attempt_here(tally_t *t, const db_addr_t *server, db_time_t asked, int answered,
			 db_time_t rtt, int icmp);

/* The tally's thread: each record as tally_add or tally_attempt would
 * have done it here. */
static void take(void *user, unsigned type, const void *rec, size_t len)
{
	tally_t *t = user;
	if (type == TALLY_REC_VERDICT) {
		/* Copied out whole: the ring holds only its used bytes.
		 * Into the examples' scratch: no report reads one while the
		 * tally is apart. */
		memcpy(t->ex_scratch, rec, len);
		add_here(t, t->ex_scratch);
	} else {
		attempt_rec_t a;
		memcpy(&a, rec, sizeof(a));
		attempt_here(t, &a.server, a.asked, a.answered, a.rtt, a.icmp);
	}
}

int tally_apart(tally_t *t)
{
	if (t->apart)
		return 0;
	atomic_store(&t->dropped_seen[0], t->list.dropped);
	atomic_store(&t->dropped_seen[1], t->pending.dropped);
	t->apart = handoff_start("dnsblame-tally", take, t, sizeof(verdict_t), 0);
	return t->apart ? 0 : -1;
}

void tally_here(tally_t *t)
{
	if (!t->apart)
		return;
	handoff_stop(t->apart);
	t->apart = NULL;
}

void tally_list_dropped(const tally_t *t, uint64_t *list, uint64_t *pending)
{
	if (t->apart) {
		*list = atomic_load_explicit(&t->dropped_seen[0], memory_order_relaxed);
		*pending = atomic_load_explicit(&t->dropped_seen[1], memory_order_relaxed);
		return;
	}
	*list = t->list.dropped;
	*pending = t->pending.dropped;
}

const tally_group_t *tally_group_first(const tally_t *t) { return tbl_oldest(&t->groups); }

const tally_group_t *tally_group_next(const tally_group_t *g)
{
	return (const tally_group_t *)g->e.newer;
}

const tally_server_t *tally_server_first(const tally_t *t) { return tbl_oldest(&t->servers); }

const tally_server_t *tally_server_next(const tally_server_t *s)
{
	return (const tally_server_t *)s->e.newer;
}

static int by_size(const void *x, const void *y)
{
	const tally_group_t *a = *(const tally_group_t *const *)x,
			    *b = *(const tally_group_t *const *)y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

size_t tally_ranked(const tally_t *t, uint8_t kind, const tally_group_t **out, size_t n)
{
	/* At most TALLY_MAX_GROUPS: sorting them all is cheap, and done
	 * once a report. */
	const tally_group_t **all = malloc(TALLY_MAX_GROUPS * sizeof(*all));
	size_t na = 0;
	for (const tally_group_t *g = tally_group_first(t); g; g = tally_group_next(g))
		if (g->key.kind == kind && all && na < TALLY_MAX_GROUPS)
			all[na++] = g;
	if (!all)
		return 0;
	qsort(all, na, sizeof(*all), by_size);
	memcpy(out, all, (na < n ? na : n) * sizeof(*out));
	free(all);
	return na;
}

/* The log bucket of a round trip: 4 a doubling. */
static size_t rtt_bucket(db_time_t us)
{
	if (us < 1)
		return 0;
	size_t b = 0;
	/* 2^(b/4) >= us, in integer steps: the doubling, then the quarter. */
	int lg = 63 - __builtin_clzll((unsigned long long)us);
	b = (size_t)lg * 4;
	double frac = (double)us / (double)(1ULL << lg);
	while (b < TALLY_RTT_BUCKETS - 1 && frac > 1.0) {
		frac /= 1.189207115002721; /* 2^(1/4) */
		b++;
	}
	return b < TALLY_RTT_BUCKETS ? b : TALLY_RTT_BUCKETS - 1;
}

void tally_attempt_ahead(const tally_t *t, const db_addr_t *server)
{
	if (t->apart)
		return; /* the table is the tally's thread's */
	tbl_prefetch(&t->health, tbl_hash(&t->health, server));
}

void tally_attempt(tally_t *t, const db_addr_t *server, db_time_t asked, int answered,
		   db_time_t rtt, int icmp)
{
	if (t->apart) {
		attempt_rec_t a;
		memset(&a, 0, sizeof(a));
		a.server = *server;
		a.asked = asked;
		a.rtt = rtt;
		a.answered = (uint8_t)(answered != 0);
		a.icmp = (uint8_t)(icmp != 0);
		handoff_put(t->apart, TALLY_REC_ATTEMPT, &a, sizeof(a));
		return;
	}
	attempt_here(t, server, asked, answered, rtt, icmp);
}

static void attempt_here(tally_t *t, const db_addr_t *server, db_time_t asked, int answered,
			 db_time_t rtt, int icmp)
{
	uint64_t h = tbl_hash(&t->health, server);
	tally_health_t *s = tbl_find(&t->health, server, h);
	if (s) {
		s->seen = 1;
	} else if (!(s = health_new(t, server, h, asked, asked))) {
		t->health_dropped++;
		return;
	}
	if (asked < s->since)
		s->since = asked;
	s->attempts++;
	if (icmp)
		s->icmp++;
	if (answered) {
		s->answered++;
		s->rtt[rtt_bucket(rtt)]++;
	}
}

const tally_health_t *tally_health(const tally_t *t, const db_addr_t *server)
{
	const tally_health_t *s = tbl_find(&t->health, server, tbl_hash(&t->health, server));
	return s && s->attempts ? s : NULL;
}

db_time_t tally_rtt(const tally_health_t *h, double p)
{
	if (!h->answered)
		return -1;
	uint64_t want = (uint64_t)((double)h->answered * p + 0.999999), seen = 0;
	for (size_t b = 0; b < TALLY_RTT_BUCKETS; b++) {
		seen += h->rtt[b];
		if (seen >= want && seen)
			return (db_time_t)(pow(2.0, (double)b / 4.0) + 0.5);
	}
	return (db_time_t)(pow(2.0, (double)(TALLY_RTT_BUCKETS - 1) / 4.0));
}

const verdict_t *tally_example(const tally_t *t, const tally_group_t *g)
{
	if (!g->nex)
		return NULL;
	uint8_t i = 0;
	while (i < g->nex && !(g->ex_root & (1u << i)))
		i++;
	vd_unpack(g->ex[i < g->nex ? i : 0], t->ex_scratch);
	return t->ex_scratch;
}

static uint64_t zone_total(const tally_zone_t *z)
{
	return z->count[VD_KIND_SERVFAIL] + z->count[VD_KIND_UNANSWERED];
}

static int by_zone_total(const void *x, const void *y)
{
	const tally_zone_t *a = x, *b = y;
	uint64_t ta = zone_total(a), tb = zone_total(b);
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return (a->first > b->first) - (a->first < b->first);
}

size_t tally_zones(const tally_t *t, tally_zone_t *out, size_t n)
{
	/* At most TALLY_MAX_GROUPS zones: gathered once a report. */
	tally_zone_t *all = calloc(TALLY_MAX_GROUPS, sizeof(*all));
	if (!all)
		return 0;
	size_t na = 0;
	for (const tally_group_t *g = tally_group_first(t); g; g = tally_group_next(g)) {
		size_t i = 0;
		while (i < na && !dns_name_eq(all[i].zone, &g->zone))
			i++;
		if (i == na) {
			all[na].zone = &g->zone;
			all[na].first = g->first;
			all[na].last = g->last;
			na++;
		}
		tally_zone_t *z = &all[i];
		z->count[g->key.kind] += g->count;
		if (g->key.kind != VD_KIND_PENDING)
			z->by_cause[g->key.cause] += g->count;
		if (g->first < z->first)
			z->first = g->first;
		if (g->last > z->last)
			z->last = g->last;
	}
	qsort(all, na, sizeof(*all), by_zone_total);
	memcpy(out, all, (na < n ? na : n) * sizeof(*out));
	free(all);
	return na;
}

static int by_verdicts(const void *x, const void *y)
{
	const tally_server_t *a = *(const tally_server_t *const *)x,
			     *b = *(const tally_server_t *const *)y;
	if (a->verdicts != b->verdicts)
		return a->verdicts > b->verdicts ? -1 : 1;
	return (a->first > b->first) - (a->first < b->first);
}

size_t tally_servers_ranked(const tally_t *t, const tally_server_t **out, size_t n)
{
	/* At most TALLY_MAX_SERVERS, sorted once a report. */
	const tally_server_t **all = malloc(TALLY_MAX_SERVERS * sizeof(*all));
	if (!all)
		return 0;
	size_t na = 0;
	for (const tally_server_t *s = tally_server_first(t); s && na < TALLY_MAX_SERVERS;
	     s = tally_server_next(s))
		all[na++] = s;
	qsort(all, na, sizeof(*all), by_verdicts);
	memcpy(out, all, (na < n ? na : n) * sizeof(*out));
	free(all);
	return na;
}
