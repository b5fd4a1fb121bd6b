#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Entries per chunk when the table allocates as it goes. */
#define CHUNK 256
/* Chunks and the slab start on a cache line: an entry whose size is a
 * multiple of it (txn_t) then has its fields on the lines it planned. */
#define LINE 64

static void *lines_alloc(size_t n) { return aligned_alloc(LINE, (n + LINE - 1) / LINE * LINE); }

uint64_t tbl_seed_new(const void *salt)
{
	uint64_t s;
	if (getentropy(&s, sizeof(s)) != 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)salt;
	}
	return s;
}

int tbl_init(tbl_t *t, size_t entsize, size_t keyoff, size_t keylen, size_t max)
{
	memset(t, 0, sizeof(*t));
	/* Load factor at most 1/2, but never a huge array up front for a
	 * generous limit: the slots grow with the table. */
	size_t n = 1024;
	t->slots = calloc(n, sizeof(*t->slots));
	t->tags = calloc(n, 1);
	if (!t->slots || !t->tags) {
		free(t->slots);
		free(t->tags);
		t->slots = NULL;
		t->tags = NULL;
		return -1;
	}
	t->nslots = n;
	t->seed = tbl_seed_new(t);
	t->max = max ? max : 1;
	t->entsize = entsize;
	t->keyoff = keyoff;
	t->keylen = keylen;
	return 0;
}

void tbl_prefault(void *p, size_t n)
{
	volatile uint8_t *v = p;
	for (size_t i = 0; i < n; i += 4096)
		v[i] = 0;
	if (n)
		v[n - 1] = 0;
}

int tbl_reserve(tbl_t *t)
{
	if (t->count || t->slab || t->nchunks)
		return -1;
	size_t n = t->nslots;
	while (n < 2 * t->max)
		n *= 2;
	tbl_slot_t *s = calloc(n, sizeof(*s));
	uint8_t *tags = calloc(n, 1);
	uint8_t *slab = lines_alloc(t->max * t->entsize);
	if (!s || !tags || !slab) {
		free(s);
		free(tags);
		free(slab);
		return -1;
	}
	/* Written now: the pages are resident from the start. */
	tbl_prefault(s, n * sizeof(*s));
	tbl_prefault(tags, n);
	tbl_prefault(slab, t->max * t->entsize); /* tbl_insert clears an entry it takes */
	free(t->slots);
	free(t->tags);
	t->slots = s;
	t->tags = tags;
	t->nslots = n;
	t->slab = slab;
	/* The free list in address order, lowest first. */
	for (size_t i = t->max; i-- > 0;) {
		tbl_entry_t *e = (tbl_entry_t *)(slab + i * t->entsize);
		e->older = t->free_list;
		t->free_list = e;
	}
	return 0;
}

void tbl_free(tbl_t *t)
{
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slab);
	free(t->slots);
	free(t->tags);
	memset(t, 0, sizeof(*t));
}

/* Eight bytes per step (the keys are 8 to 42 bytes, looked up for every
 * packet), each word mixed in by a multiply, then MurmurHash3's 64-bit
 * finaliser so that the low bits, which pick the slot, depend on all of
 * the key.  Every step is invertible, so a key of up to 8 bytes has a hash
 * of its own (probe relies on it). */
uint64_t tbl_hash(const tbl_t *t, const void *key)
{
	return tbl_hash_seeded(t->seed, t->keylen, key);
}

uint64_t tbl_hash_seeded(uint64_t seed, size_t keylen, const void *key)
{
	const uint8_t *p = key;
	size_t n = keylen;
	uint64_t h = seed ^ DB_HASH_INIT ^ (n * 0x9e3779b97f4a7c15ULL);
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = db_hash_mix(h, w);
	}
	if (n) {
		/* The tail assembled in a register, octet by octet: copied
		 * into a word in memory and loaded whole, it would wait for
		 * the octets' stores each time (no store forwarding from
		 * several stores to one load). */
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)p[i] << (8 * i);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	}
	return db_hash_final(h);
}

static const void *key_of(const tbl_t *t, const tbl_entry_t *e)
{
	return (const uint8_t *)e + t->keyoff;
}

/* The tag of a hash: its top 7 bits (the slot comes from the low bits),
 * and the top bit set so that no tag is 0 (an empty slot). */
static inline uint8_t tag_of(uint64_t hash) { return (uint8_t)(0x80 | (hash >> 57)); }

/* memcmp(a, b, n) == 0 for the keys of a table, eight octets at a time
 * and inline: a call to memcmp costs more than the compare of a key of
 * some tens of octets, made for nearly every lookup. */
static inline int same_key(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;
	uint64_t diff = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, p + i, 8);
		memcpy(&y, q + i, 8);
		diff |= x ^ y;
	}
	for (; i < n; i++)
		diff |= (uint64_t)(p[i] ^ q[i]);
	return diff == 0;
}

/* The first slot at or after i (cyclically) that holds key/hash, or -1 at
 * the empty slot that ends the run.  A key of at most 8 bytes is never
 * compared: tbl_hash is then one-to-one (a word XORed with a constant, a
 * multiplication by an odd number, xor-shifts: each step can be undone),
 * so equal hashes are equal keys, and a lookup that only asks whether a
 * key is there (a zone cut, most often) does not read the entry. */
static size_t probe(const tbl_t *t, size_t i, const void *key, uint64_t hash, int *found)
{
	size_t mask = t->nslots - 1;
	int short_key = t->keylen <= 8;
	uint8_t tag = tag_of(hash);
	for (;; i = (i + 1) & mask) {
		uint8_t g = t->tags[i];
		if (!g)
			break;
		if (g != tag)
			continue;
		const tbl_slot_t *s = &t->slots[i];
		if (s->hash == hash && (short_key || same_key(key_of(t, s->e), key, t->keylen))) {
			*found = 1;
			return i;
		}
	}
	*found = 0;
	return i;
}

void *tbl_find(const tbl_t *t, const void *key, uint64_t hash)
{
	int found;
	size_t i = probe(t, hash & (t->nslots - 1), key, hash, &found);
	return found ? t->slots[i].e : NULL;
}

void tbl_prefetch(const tbl_t *t, uint64_t hash)
{
	size_t i = hash & (t->nslots - 1);
	__builtin_prefetch(&t->tags[i]);
	__builtin_prefetch(&t->slots[i]);
}

const void *tbl_prefetch_entry(const tbl_t *t, uint64_t hash)
{
	size_t i = hash & (t->nslots - 1);
	if (t->tags[i] != tag_of(hash))
		return NULL;
	const uint8_t *e = (const uint8_t *)t->slots[i].e;
	__builtin_prefetch(e);
	__builtin_prefetch(e + t->keyoff + t->keylen - 1);
	return e;
}

/* The slot holding e (it is in the table). */
static size_t slot_of(const tbl_t *t, const tbl_entry_t *e)
{
	size_t mask = t->nslots - 1, i = e->hash & mask;
	uint8_t tag = tag_of(e->hash);
	while (t->tags[i] != tag || t->slots[i].e != e)
		i = (i + 1) & mask;
	return i;
}

void *tbl_find_next(const tbl_t *t, const void *ev)
{
	const tbl_entry_t *cur = ev;
	int found;
	size_t i = probe(t, (slot_of(t, cur) + 1) & (t->nslots - 1), key_of(t, cur), cur->hash,
			 &found);
	return found ? t->slots[i].e : NULL;
}

/* Places e in the first empty slot of its run. */
static void place(tbl_slot_t *slots, uint8_t *tags, size_t nslots, tbl_entry_t *e)
{
	size_t mask = nslots - 1, i = e->hash & mask;
	while (tags[i])
		i = (i + 1) & mask;
	tags[i] = tag_of(e->hash);
	slots[i].hash = e->hash;
	slots[i].e = e;
}

static void grow(tbl_t *t)
{
	size_t n = t->nslots * 2;
	tbl_slot_t *s = calloc(n, sizeof(*s));
	uint8_t *tags = calloc(n, 1);
	if (!s || !tags) {
		free(s);
		free(tags);
		return; /* keep working, with longer probes */
	}
	/* In age order, oldest first: entries with equal keys keep their
	 * order along a run (tbl_find returns the one placed first). */
	for (tbl_entry_t *e = t->oldest; e; e = e->newer)
		place(s, tags, n, e);
	free(t->slots);
	free(t->tags);
	t->slots = s;
	t->tags = tags;
	t->nslots = n;
}

static tbl_entry_t *take(tbl_t *t)
{
	tbl_entry_t *e = t->free_list;
	if (e) {
		t->free_list = e->older;
		/* The next insert's entry, asked for now: the free list is
		 * LIFO, but its head was freed in a batch of the expiry long
		 * ago in cache terms, and the insert clears all of it. */
		if (t->free_list)
			for (size_t i = 0; i < t->entsize; i += 64)
				__builtin_prefetch((const uint8_t *)t->free_list + i, 1);
		return e;
	}
	if (!t->nchunks || t->carved == CHUNK) {
		if (t->nchunks == t->chunks_cap) {
			size_t cap = t->chunks_cap ? 2 * t->chunks_cap : 16;
			uint8_t **c = realloc(t->chunks, cap * sizeof(*c));
			if (!c)
				return NULL;
			t->chunks = c;
			t->chunks_cap = cap;
		}
		uint8_t *chunk = lines_alloc(CHUNK * t->entsize);
		if (!chunk)
			return NULL;
		t->chunks[t->nchunks++] = chunk;
		t->carved = 0;
	}
	return (tbl_entry_t *)(t->chunks[t->nchunks - 1] + t->carved++ * t->entsize);
}

void *tbl_insert(tbl_t *t, const void *key, uint64_t hash, db_time_t ts)
{
	if (t->count >= t->max)
		return NULL;
	/* Load factor at most 1/2: a lookup that misses (every new query)
	 * probes to the end of its run. */
	if (t->count + 1 > t->nslots / 2)
		grow(t);
	if (t->count + 1 >= t->nslots)
		return NULL; /* could not grow and no room left */
	tbl_entry_t *e = take(t);
	if (!e)
		return NULL;
	memset(e, 0, t->entsize);
	memcpy((uint8_t *)e + t->keyoff, key, t->keylen);
	e->hash = hash;
	e->ts = ts;
	place(t->slots, t->tags, t->nslots, e);
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

/* Empties slot i and moves later entries of the run back into the gap
 * (Knuth's algorithm R), so that no probe ever stops short of an entry. */
static void vacate(tbl_t *t, size_t i)
{
	size_t mask = t->nslots - 1, j = i;
	for (;;) {
		t->slots[i].e = NULL;
		t->tags[i] = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!t->tags[j])
				return;
			if (tbl_may_fill(t->slots[j].hash & mask, i, j))
				break;
		}
		t->slots[i] = t->slots[j];
		t->tags[i] = t->tags[j];
		i = j;
	}
}

void tbl_remove(tbl_t *t, void *ev)
{
	tbl_entry_t *e = ev;
	vacate(t, slot_of(t, e));
	unlink_age(t, e);
	t->count--;
	e->older = t->free_list;
	t->free_list = e;
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

void *tbl_second_chance(tbl_t *t, int (*spare)(void *e))
{
	for (size_t i = 0; i < 2 * t->count; i++) {
		tbl_entry_t *o = t->oldest;
		if (!spare(o))
			return o;
		tbl_touch(t, o, o->ts);
	}
	return NULL;
}
