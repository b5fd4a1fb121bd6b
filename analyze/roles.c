#include "roles.h"

#include <stdlib.h>
#include <string.h>

int roles_init(roles_t *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	return tbl_init(&r->tbl, sizeof(role_t), offsetof(role_t, addr), sizeof(db_addr_t), max);
}

void roles_free(roles_t *r) { tbl_free(&r->tbl); }

/* An address named with --resolver, or seen again since it was put at
 * the recent end, is spared (and unmarked). */
static int spare(void *e)
{
	role_t *o = e;
	int keep = o->forced || o->seen;
	o->seen = 0;
	return keep;
}

/* Makes room for one address: from the old end of the age list, the
 * first one not seen since it was put at the recent end goes; one seen
 * since is given a second chance (put at the recent end, unseen), as is
 * any the user named with --resolver. */
static void evict_one(roles_t *r)
{
	role_t *o = tbl_second_chance(&r->tbl, spare);
	if (!o)
		return;
	for (size_t k = 0; k < ROLES_HOT; k++)
		if (r->hot[k] == o)
			r->hot[k] = NULL;
	tbl_remove(&r->tbl, o);
	r->evicted++;
}

/* a's entry if it is at hand. */
static inline role_t *hot(const roles_t *r, const db_addr_t *a)
{
	for (size_t k = 0; k < ROLES_HOT; k++) {
		role_t *x = r->hot[k];
		if (x && x->addr.family == a->family && memcmp(x->addr.a, a->a, sizeof(a->a)) == 0)
			return x;
	}
	return NULL;
}

/* The entry of a, made when new.  Seen again, an entry is only marked:
 * moving it to the recent end of the age list on every message wrote its
 * neighbours (another client's entry, most often no longer cached); the
 * eviction moves it then, if it is still marked (second chance, as the
 * CLOCK page replacement).  So a flood of new client addresses (spoofed
 * ones included) still pushes out idle clients, not the resolvers that
 * keep talking.  A resolver's addresses, in most messages, are kept at
 * hand (hot): found by comparing them, without hashing or probing. */
static role_t *get(roles_t *r, const db_addr_t *a, uint64_t h)
{
	role_t *x = hot(r, a);
	if (!x && (x = tbl_find(&r->tbl, a, h)) && (x->rd_queries_in || x->iter_queries_out))
		r->hot[r->hot_next++ % ROLES_HOT] = x;
	if (x) {
		x->seen = 1;
		return x;
	}
	if (r->tbl.count >= r->tbl.max)
		evict_one(r);
	x = tbl_insert(&r->tbl, a, h, 0);
	if (!x)
		r->untracked++;
	return x;
}

uint64_t roles_hash(const roles_t *r, const db_addr_t *addr) { return tbl_hash(&r->tbl, addr); }

uint64_t roles_seed(const roles_t *r) { return r->tbl.seed; }

uint64_t roles_hash_seeded(uint64_t seed, const db_addr_t *addr)
{
	return tbl_hash_seeded(seed, sizeof(*addr), addr);
}

void roles_prefetch(const roles_t *r, uint64_t hash, int stage)
{
	if (stage)
		tbl_prefetch_entry(&r->tbl, hash);
	else
		tbl_prefetch(&r->tbl, hash);
}

void roles_force(roles_t *r, const db_addr_t *addr)
{
	role_t *x = get(r, addr, roles_hash(r, addr));
	if (x)
		x->forced = 1;
	r->forced = 1;
}

const role_t *roles_message(roles_t *r, const db_addr_t *src, const db_addr_t *dst, int qr, int rd,
			    int ra)
{
	return roles_message_hashed(r, src, roles_hash(r, src), dst, roles_hash(r, dst), qr, rd, ra,
				    NULL);
}

const role_t *roles_message_hashed(roles_t *r, const db_addr_t *src, uint64_t src_hash,
				   const db_addr_t *dst, uint64_t dst_hash, int qr, int rd, int ra,
				   const role_t **receiver)
{
	role_t *x, *from = NULL;
	if (receiver)
		*receiver = NULL;
	/* A host asking itself (dig on the server) is no evidence of a role. */
	if (db_addr_eq(src, dst))
		return qr ? NULL : roles_find(r, src);
	if (!qr) {
		if ((from = x = get(r, src, src_hash))) {
			x->queries_out++;
			if (!rd)
				x->iter_queries_out++;
		}
		uint64_t evicted = r->evicted;
		if (rd && (x = get(r, dst, dst_hash)))
			x->rd_queries_in++;
		/* Made or found just now: nothing has pushed it out since
		 * (NULL: the table could not take it). */
		if (rd && receiver)
			*receiver = x;
		/* Making room for dst may have pushed src out (a table of
		 * one or two addresses): then its entry is dst's now. */
		return r->evicted == evicted ? from : roles_find(r, src);
	}
	if (ra && (x = get(r, src, src_hash)))
		x->ra_answers_out++;
	return NULL;
}

static int resolver(const role_t *x, int forced)
{
	if (forced)
		return x->forced;
	return x->rd_queries_in > 0 && (x->ra_answers_out > 0 || x->queries_out > 0);
}

const role_t *roles_find(const roles_t *r, const db_addr_t *addr)
{
	const role_t *x = hot(r, addr);
	return x ? x : tbl_find(&r->tbl, addr, tbl_hash(&r->tbl, addr));
}

int roles_entry_is_resolver(const roles_t *r, const role_t *x)
{
	return x && resolver(x, r->forced);
}

int roles_is_resolver(const roles_t *r, const db_addr_t *addr)
{
	return roles_entry_is_resolver(r, roles_find(r, addr));
}

static int cmp_addr(const void *a, const void *b) { return db_addr_cmp(a, b); }

size_t roles_resolvers(const roles_t *r, db_addr_t *out, size_t max)
{
	size_t n = 0;
	for (const tbl_entry_t *e = r->tbl.oldest; e && n < max; e = e->newer) {
		const role_t *x = (const role_t *)e;
		if (resolver(x, r->forced))
			out[n++] = x->addr;
	}
	qsort(out, n, sizeof(*out), cmp_addr);
	return n;
}

enum roles_vantage roles_vantage(const roles_t *r)
{
	int any = 0, upstream = 0;
	/* Newest first: a resolver is among the most recently active
	 * addresses, so the usual answer comes after a few steps. */
	for (const tbl_entry_t *e = r->tbl.newest; e; e = e->older) {
		const role_t *x = (const role_t *)e;
		if (x->iter_queries_out > 0)
			upstream = 1;
		if (!resolver(x, r->forced))
			continue;
		any = 1;
		/* A resolver that queries onward itself (a forwarder's chain,
		 * or one address for both sides). */
		if (x->queries_out > 0 && x->rd_queries_in > 0)
			return VANTAGE_RESOLVER_HOST;
	}
	if (any && upstream)
		return VANTAGE_RESOLVER_HOST;
	return any ? VANTAGE_CLIENT_SIDE : VANTAGE_UNKNOWN;
}

uint64_t roles_iterative_queries(const roles_t *r)
{
	uint64_t n = 0;
	for (const tbl_entry_t *e = r->tbl.oldest; e; e = e->newer)
		n += ((const role_t *)e)->iter_queries_out;
	return n;
}

const char *roles_vantage_str(enum roles_vantage v)
{
	switch (v) {
	case VANTAGE_RESOLVER_HOST: return "resolver-host";
	case VANTAGE_CLIENT_SIDE: return "client-side";
	default: return "unknown";
	}
}
