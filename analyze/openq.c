#include "openq.h"

#include <stdlib.h>
#include <string.h>

#include "../common/flow.h"
#include "../common/table.h"

/* The log's room at first. */
#define OPENQ_LOG_MIN 16384
/* The log grows when what it holds after a compaction fills more than
 * this share of it, up to its bound (log_max): a compaction then writes
 * the new positions of at most one record in this many appended since
 * the last into their queries. */
#define OPENQ_LOG_SPARE 8
/* The maps' slots at first. */
#define OPENQ_SLOTS_MIN 1024

static const unsigned map_bit[2] = { OPENQ_QUESTION, OPENQ_ZONE };

/* A key mixed with the map's seed.  Keys are hashes of names, but of
 * names the wire chose: mixed (a bijection, so no two keys are confused)
 * before the low bits pick the home slot and the top bits the tag. */
static uint64_t mix(const openq_map_t *m, uint64_t k) { return db_hash_final(k ^ m->seed); }

static uint8_t tag_of(uint64_t mixed) { return (uint8_t)(0x80 | mixed >> 57); }

static int map_init(openq_map_t *m, size_t max)
{
	memset(m, 0, sizeof(*m));
	m->max = max;
	m->nslots = OPENQ_SLOTS_MIN;
	m->seed = tbl_seed_new(m);
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	m->tags = calloc(m->nslots, 1);
	return m->slots && m->tags ? 0 : -1;
}

/* The slot holding key k, or NULL.  The tags are read first: a key that
 * is not there (most registrations) costs no read of the slots. */
static openq_slot_t *find(const openq_map_t *m, uint64_t k)
{
	size_t mask = m->nslots - 1;
	uint64_t x = mix(m, k);
	uint8_t tag = tag_of(x);
	for (size_t i = x & mask;; i = (i + 1) & mask) {
		if (!m->tags[i])
			return NULL;
		if (m->tags[i] == tag && m->slots[i].key == k)
			return &m->slots[i];
	}
}

static void place(openq_slot_t *slots, uint8_t *tags, size_t nslots, const openq_map_t *m,
		  uint64_t k, txn_t *q)
{
	size_t mask = nslots - 1;
	uint64_t x = mix(m, k);
	size_t i = x & mask;
	while (tags[i])
		i = (i + 1) & mask;
	tags[i] = tag_of(x);
	slots[i].key = k;
	slots[i].q = q;
}

/* The slots and tags, n of them (more than now). */
static int grow(openq_map_t *m, size_t n)
{
	openq_slot_t *s = calloc(n, sizeof(*s)), *old = m->slots;
	uint8_t *tags = calloc(n, 1), *old_tags = m->tags;
	if (!s || !tags) {
		free(s);
		free(tags);
		return -1;
	}
	size_t nold = m->nslots;
	for (size_t i = 0; i < nold; i++)
		if (old_tags[i])
			place(s, tags, n, m, old[i].key, old[i].q);
	m->slots = s;
	m->tags = tags;
	m->nslots = n;
	free(old);
	free(old_tags);
	return 0;
}

/* Empties slot s and moves later slots of its run back into the gap
 * (Knuth's algorithm R), so that no probe stops short of a key. */
static void vacate(openq_map_t *m, openq_slot_t *s)
{
	size_t mask = m->nslots - 1, i = (size_t)(s - m->slots), j = i;
	m->count--;
	for (;;) {
		m->tags[i] = 0; /* the tag says empty; the slot is left as it was */
		for (;;) {
			j = (j + 1) & mask;
			if (!m->tags[j])
				return;
			if (tbl_may_fill(mix(m, m->slots[j].key) & mask, i, j))
				break;
		}
		m->slots[i] = m->slots[j];
		m->tags[i] = m->tags[j];
		i = j;
	}
}

int openq_init(openq_t *o, size_t max_questions, size_t max_zones)
{
	memset(o, 0, sizeof(*o));
	o->cap = OPENQ_LOG_MIN;
	/* Twice what the maps can hold at once: compacted, the log is then
	 * at most half full, whatever the traffic. */
	o->log_max = OPENQ_LOG_MIN;
	while (o->log_max < 2 * (max_questions + max_zones))
		o->log_max *= 2;
	o->log = malloc(o->cap * sizeof(*o->log));
	if (!o->log || map_init(&o->map[0], max_questions) < 0 ||
	    map_init(&o->map[1], max_zones) < 0) {
		openq_free(o);
		return -1;
	}
	return 0;
}

/* The fewest slots (a power of two) that hold max keys at half load. */
static size_t slots_for(size_t max)
{
	size_t n = OPENQ_SLOTS_MIN;
	while (n < 2 * max + 2)
		n *= 2;
	return n;
}

int openq_reserve(openq_t *o)
{
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		openq_map_t *m = &o->map[i];
		size_t n = slots_for(m->max);
		if (n > m->nslots && grow(m, n) < 0)
			rc = -1;
		tbl_prefault(m->slots, m->nslots * sizeof(*m->slots));
		tbl_prefault(m->tags, m->nslots);
	}
	size_t cap = o->log_max;
	if (cap > o->cap) {
		openq_rec_t *l = realloc(o->log, cap * sizeof(*l));
		if (l) {
			o->log = l;
			o->cap = cap;
		} else {
			rc = -1;
		}
	}
	tbl_prefault(o->log, o->cap * sizeof(*o->log));
	return rc;
}

void openq_free(openq_t *o)
{
	for (int i = 0; i < 2; i++) {
		free(o->map[i].slots);
		free(o->map[i].tags);
	}
	free(o->log);
	memset(o, 0, sizeof(*o));
}

/* Records that hold nothing leave the front of the log. */
static void trim(openq_t *o)
{
	while (o->head < o->n && !o->log[o->head].holds)
		o->head++;
	for (int i = 0; i < 2; i++)
		if (o->map[i].cursor < o->head)
			o->map[i].cursor = o->head;
}

/* Record r lets go of map i. */
static void let_go(openq_t *o, openq_rec_t *r, int i)
{
	openq_map_t *m = &o->map[i];
	openq_slot_t *s = find(m, r->key[i]);
	if (s && s->q == r->q) /* always: a record holds a map while its key's slot names it */
		vacate(m, s);
	r->holds &= (uint8_t)~map_bit[i];
}

/* The oldest record that holds map i, or NULL; the map's cursor moves up
 * to it. */
static openq_rec_t *oldest(openq_t *o, int i)
{
	openq_map_t *m = &o->map[i];
	while (m->cursor < o->n && !(o->log[m->cursor].holds & map_bit[i]))
		m->cursor++;
	return m->cursor < o->n ? &o->log[m->cursor] : NULL;
}

/* Room for one more record: when the log is full, the records still held
 * move to the front (each query's open_at follows), and the log doubles,
 * up to log_max, when they fill more than 1/OPENQ_LOG_SPARE of it.
 * Returns -1 when it is full and cannot grow. */
static int make_room(openq_t *o)
{
	if (o->n < o->cap)
		return 0;
	size_t w = 0, cur[2] = { 0, 0 };
	int set[2] = { 0, 0 };
	for (size_t r = o->head; r < o->n; r++) {
		for (int i = 0; i < 2; i++)
			if (!set[i] && r == o->map[i].cursor) {
				cur[i] = w;
				set[i] = 1;
			}
		if (!o->log[r].holds)
			continue;
		o->log[w] = o->log[r];
		o->log[w].q->open_at = (uint32_t)w;
		w++;
	}
	for (int i = 0; i < 2; i++)
		o->map[i].cursor = set[i] ? cur[i] : w;
	o->head = 0;
	o->n = w;
	if (o->n > o->cap / OPENQ_LOG_SPARE && o->cap < o->log_max) {
		openq_rec_t *l = realloc(o->log, 2 * o->cap * sizeof(*l));
		if (l) {
			o->log = l;
			o->cap *= 2;
		}
	}
	return o->n < o->cap ? 0 : -1;
}

/* Whether map i takes key k: not when a query holds it, nor when the
 * map is full and its oldest cannot be let go, nor when its slots are
 * full and cannot grow. */
static int takes(openq_t *o, int i, uint64_t k)
{
	openq_map_t *m = &o->map[i];
	if (find(m, k))
		return 0;
	if (m->count >= m->max) {
		openq_rec_t *r = oldest(o, i);
		if (!r)
			return 0;
		let_go(o, r, i);
	}
	if (m->count + 1 > m->nslots / 2 && grow(m, 2 * m->nslots) < 0 && m->count + 1 >= m->nslots)
		return 0;
	return 1;
}

unsigned openq_note(openq_t *o, txn_t *q, uint64_t kq, uint64_t kz)
{
	uint64_t key[2] = { kq, kz };
	unsigned bits = 0;
	for (int i = 0; i < 2; i++)
		if ((i == 0 || kz) && takes(o, i, key[i]))
			bits |= map_bit[i];
	if (!bits)
		return 0;
	trim(o);
	if (make_room(o) < 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (bits & map_bit[i]) {
			place(o->map[i].slots, o->map[i].tags, o->map[i].nslots, &o->map[i], key[i],
			      q);
			o->map[i].count++;
		}
	openq_rec_t *r = &o->log[o->n];
	r->q = q;
	r->key[0] = kq;
	r->key[1] = kz;
	r->holds = (uint8_t)bits;
	q->open_at = (uint32_t)o->n++;
	return bits;
}

void openq_drop(openq_t *o, const txn_t *q)
{
	if (q->open_at >= o->n)
		return;
	/* Its record is gone when evictions or the expiry took both its
	 * entries and a compaction then dropped it: the index may name
	 * another query's record now, or none. */
	openq_rec_t *r = &o->log[q->open_at];
	if (r->q != q)
		return;
	for (int i = 0; i < 2; i++)
		if (r->holds & map_bit[i])
			let_go(o, r, i);
}

void openq_ahead(const openq_t *o, const txn_t *q, uint64_t kq, uint64_t kz)
{
	if (q->open_at < o->n)
		__builtin_prefetch(&o->log[q->open_at], 1);
	size_t i = mix(&o->map[0], kq) & (o->map[0].nslots - 1);
	__builtin_prefetch(&o->map[0].tags[i], 1);
	__builtin_prefetch(&o->map[0].slots[i], 1);
	if (kz) {
		i = mix(&o->map[1], kz) & (o->map[1].nslots - 1);
		__builtin_prefetch(&o->map[1].tags[i], 1);
		__builtin_prefetch(&o->map[1].slots[i], 1);
	}
}

txn_t *openq_get(const openq_t *o, unsigned map, uint64_t k)
{
	const openq_slot_t *s = find(&o->map[map == OPENQ_ZONE], k);
	return s ? s->q : NULL;
}

void openq_expire(openq_t *o, db_time_t now, db_time_t window)
{
	for (int i = 0; i < 2; i++) {
		openq_rec_t *r;
		/* A record that holds a map names a query not judged yet. */
		while ((r = oldest(o, i)) && r->q->e.ts + window < now)
			let_go(o, r, i);
	}
	trim(o);
}
