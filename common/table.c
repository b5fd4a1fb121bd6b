#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int tbl_init(tbl_t *t, size_t entsize, size_t keyoff, size_t keylen, size_t max)
{
	memset(t, 0, sizeof(*t));
	/* Load factor at most 1 when full, but never a huge array up front
	 * for a generous limit: buckets grow with the table. */
	size_t n = 1024;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -1;
	t->nbuckets = n;
	/* Where to put an entry depends on a secret, so that a capture made to
	 * collide (spoofed ports and ids are the sender's choice) cannot turn
	 * lookups into list walks.  Only speed depends on it, never output. */
	if (getentropy(&t->seed, sizeof(t->seed)) != 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t->seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)t;
	}
	t->max = max ? max : 1;
	t->entsize = entsize;
	t->keyoff = keyoff;
	t->keylen = keylen;
	return 0;
}

static int in_slab(const tbl_t *t, const void *e)
{
	return t->slab && (const uint8_t *)e >= t->slab &&
	       (const uint8_t *)e < t->slab + t->max * t->entsize;
}

int tbl_reserve(tbl_t *t)
{
	if (t->count || t->slab)
		return -1;
	size_t n = t->nbuckets;
	while (n < 2 * t->max)
		n *= 2;
	tbl_entry_t **b = calloc(n, sizeof(*b));
	uint8_t *slab = malloc(t->max * t->entsize);
	if (!b || !slab) {
		free(b);
		free(slab);
		return -1;
	}
	/* Written now: the pages are resident from the start. */
	memset(b, 0, n * sizeof(*b));
	memset(slab, 0, t->max * t->entsize);
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
	t->slab = slab;
	/* The free list in address order, lowest first. */
	for (size_t i = t->max; i-- > 0;) {
		tbl_entry_t *e = (tbl_entry_t *)(slab + i * t->entsize);
		e->hnext = t->free_list;
		t->free_list = e;
	}
	return 0;
}

void tbl_free(tbl_t *t)
{
	tbl_entry_t *e = t->oldest;
	while (e) {
		tbl_entry_t *n = e->newer;
		if (!in_slab(t, e))
			free(e);
		e = n;
	}
	free(t->slab);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

/* Eight bytes per step (the keys are 8 to 42 bytes, looked up for every
 * packet), each word mixed in by a multiply, then MurmurHash3's 64-bit
 * finaliser so that the low bits, which pick the bucket, depend on all of
 * the key. */
uint64_t tbl_hash(const tbl_t *t, const void *key)
{
	const uint8_t *p = key;
	size_t n = t->keylen;
	uint64_t h = t->seed ^ DB_HASH_INIT ^ (n * 0x9e3779b97f4a7c15ULL);
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static const void *key_of(const tbl_t *t, const tbl_entry_t *e)
{
	return (const uint8_t *)e + t->keyoff;
}

void *tbl_find(const tbl_t *t, const void *key, uint64_t hash)
{
	for (tbl_entry_t *e = t->buckets[hash & (t->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == hash && memcmp(key_of(t, e), key, t->keylen) == 0)
			return e;
	return NULL;
}

void *tbl_find_next(const tbl_t *t, const void *ev)
{
	const tbl_entry_t *cur = ev;
	for (tbl_entry_t *e = cur->hnext; e; e = e->hnext)
		if (e->hash == cur->hash &&
		    memcmp(key_of(t, e), key_of(t, cur), t->keylen) == 0)
			return e;
	return NULL;
}

static void grow(tbl_t *t)
{
	size_t n = t->nbuckets * 2;
	tbl_entry_t **b = calloc(n, sizeof(*b));
	if (!b)
		return; /* keep working with longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		tbl_entry_t *e = t->buckets[i];
		while (e) {
			tbl_entry_t *next = e->hnext;
			tbl_entry_t **head = &b[e->hash & (n - 1)];
			e->hnext = *head;
			if (*head)
				(*head)->hpprev = &e->hnext;
			e->hpprev = head;
			*head = e;
			e = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

void *tbl_insert(tbl_t *t, const void *key, uint64_t hash, db_time_t ts)
{
	if (t->count >= t->max)
		return NULL;
	/* Load factor at most 1/2: a lookup that misses (every new query)
	 * walks the whole chain, and each step is a cache miss. */
	if (t->count >= t->nbuckets / 2)
		grow(t);
	tbl_entry_t *e;
	if (t->free_list) {
		e = t->free_list;
		t->free_list = e->hnext;
		memset(e, 0, t->entsize);
	} else if (!(e = calloc(1, t->entsize))) {
		return NULL;
	}
	memcpy((uint8_t *)e + t->keyoff, key, t->keylen);
	e->hash = hash;
	e->ts = ts;
	tbl_entry_t **head = &t->buckets[hash & (t->nbuckets - 1)];
	e->hnext = *head;
	if (*head)
		(*head)->hpprev = &e->hnext;
	e->hpprev = head;
	*head = e;
	e->older = t->newest;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
	t->count++;
	return e;
}

void *tbl_insert_lru(tbl_t *t, const void *key, uint64_t hash, db_time_t ts, uint64_t *dropped)
{
	if (t->count >= t->max && t->oldest) {
		tbl_remove(t, t->oldest);
		if (dropped)
			(*dropped)++;
	}
	return tbl_insert(t, key, hash, ts);
}

static void unlink_age(tbl_t *t, tbl_entry_t *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	e->older = e->newer = NULL;
}

void tbl_remove(tbl_t *t, void *ev)
{
	tbl_entry_t *e = ev;
	*e->hpprev = e->hnext;
	if (e->hnext)
		e->hnext->hpprev = e->hpprev;
	unlink_age(t, e);
	t->count--;
	if (in_slab(t, e)) {
		e->hnext = t->free_list;
		t->free_list = e;
	} else {
		free(e);
	}
}

void *tbl_oldest(const tbl_t *t) { return t->oldest; }

void tbl_touch(tbl_t *t, void *ev, db_time_t ts)
{
	tbl_entry_t *e = ev;
	e->ts = ts;
	if (t->newest == e)
		return;
	unlink_age(t, e);
	e->older = t->newest;
	t->newest->newer = e;
	t->newest = e;
}
