/*
 * test_table.c - the bounded hash table with an age list (common/table.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../common/table.h"

typedef struct ent {
	tbl_entry_t e;
	uint32_t key;
	int val;
} ent_t;

static void init(tbl_t *t, size_t max)
{
	assert_int_equal(tbl_init(t, sizeof(ent_t), offsetof(ent_t, key), sizeof(uint32_t), max),
			 0);
}

static ent_t *put(tbl_t *t, uint32_t key, int val, db_time_t ts)
{
	ent_t *e = tbl_insert(t, &key, tbl_hash(t, &key), ts);

	if (e)
		e->val = val;
	return e;
}

static ent_t *get(const tbl_t *t, uint32_t key) { return tbl_find(t, &key, tbl_hash(t, &key)); }

/* Keys longer than 8 bytes are compared, so a test can hand the table
 * hashes of its choice to make them collide (a key of 8 bytes or less is
 * not: its tbl_hash is its own, and the table relies on that). */
typedef struct wkey {
	uint32_t v;
	uint32_t pad[2];
} wkey_t;

typedef struct went {
	tbl_entry_t e;
	wkey_t key;
} went_t;

static void init_wide(tbl_t *t, size_t max)
{
	assert_int_equal(tbl_init(t, sizeof(went_t), offsetof(went_t, key), sizeof(wkey_t), max),
			 0);
}

static const wkey_t *wk(uint32_t v)
{
	static wkey_t k;
	memset(&k, 0, sizeof(k));
	k.v = v;
	return &k;
}

static void insert_find_remove(void **state)
{
	(void)state;
	tbl_t t;

	init(&t, 16);
	ent_t *a = put(&t, 1, 10, 100);
	ent_t *b = put(&t, 2, 20, 200);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->key, 1);
	assert_int_equal(a->e.ts, 100);
	assert_int_equal(t.count, 2);
	assert_ptr_equal(get(&t, 1), a);
	assert_ptr_equal(get(&t, 2), b);
	assert_null(get(&t, 3));
	tbl_remove(&t, a);
	assert_null(get(&t, 1));
	assert_ptr_equal(get(&t, 2), b);
	assert_int_equal(t.count, 1);
	assert_ptr_equal(tbl_oldest(&t), b);
	tbl_remove(&t, b);
	assert_null(tbl_oldest(&t));
	assert_int_equal(t.count, 0);
	tbl_free(&t);
}

static void duplicate_keys_find_next(void **state)
{
	(void)state;
	tbl_t t;
	int seen[3] = { 0 };
	int n = 0;

	init(&t, 16);
	put(&t, 5, 0, 1);
	put(&t, 6, 9, 2);
	put(&t, 5, 1, 3);
	put(&t, 5, 2, 4);
	for (ent_t *e = get(&t, 5); e; e = tbl_find_next(&t, e)) {
		assert_int_equal(e->key, 5);
		assert_true(e->val >= 0 && e->val < 3);
		seen[e->val]++;
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 1);
	/* Remove one duplicate: the other two stay reachable. */
	ent_t *e = get(&t, 5);
	int gone = e->val;
	tbl_remove(&t, e);
	n = 0;
	for (e = get(&t, 5); e; e = tbl_find_next(&t, e)) {
		assert_int_not_equal(e->val, gone);
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(get(&t, 6)->val, 9);
	tbl_free(&t);
}

static void colliding_hashes(void **state)
{
	(void)state;
	tbl_t t;
	went_t *e[4];

	/* Same hash for different keys: the key comparison tells them apart. */
	init_wide(&t, 16);
	for (uint32_t i = 0; i < 4; i++) {
		e[i] = tbl_insert(&t, wk(100 + i), 7, (db_time_t)i);
		assert_non_null(e[i]);
	}
	assert_ptr_equal(tbl_find(&t, wk(102), 7), e[2]);
	assert_null(tbl_find_next(&t, e[2]));
	tbl_remove(&t, e[2]);
	assert_null(tbl_find(&t, wk(102), 7));
	assert_ptr_equal(tbl_find(&t, wk(101), 7), e[1]);
	assert_ptr_equal(tbl_find(&t, wk(103), 7), e[3]);
	assert_ptr_equal(tbl_find(&t, wk(100), 7), e[0]);
	/* Right key, wrong hash: not found. */
	assert_null(tbl_find(&t, wk(100), 8));
	tbl_free(&t);
}

/* A key of 43 octets (five words and three more) under one hash: a key
 * that differs from another in any one octet, in a word or in the tail,
 * is told apart from it. */
typedef struct lent {
	tbl_entry_t e;
	uint8_t key[43];
} lent_t;

static void long_keys_compared_in_full(void **state)
{
	(void)state;
	tbl_t t;
	assert_int_equal(tbl_init(&t, sizeof(lent_t), offsetof(lent_t, key), 43, 64), 0);
	uint8_t base[43];
	for (size_t i = 0; i < sizeof(base); i++)
		base[i] = (uint8_t)(0x30 + i);
	lent_t *b = tbl_insert(&t, base, 99, 0);
	assert_non_null(b);
	for (size_t at = 0; at < sizeof(base); at++) {
		uint8_t k[43];
		memcpy(k, base, sizeof(k));
		k[at] ^= 0x01;
		assert_null(tbl_find(&t, k, 99));
		lent_t *e = tbl_insert(&t, k, 99, (db_time_t)at + 1);
		assert_non_null(e);
		assert_ptr_equal(tbl_find(&t, k, 99), e);
		assert_ptr_equal(tbl_find(&t, base, 99), b);
		tbl_remove(&t, e);
	}
	tbl_free(&t);
}

/* Short keys (8 bytes or less) are told apart by their hash alone: every
 * one of 200,000 keys inserted is found as itself, and as many keys never
 * inserted are not found, with the sequential keys and the keys one bit
 * apart that would collide in a weaker hash. */
static void short_keys_have_their_own_hash(void **state)
{
	(void)state;
	tbl_t t;
	typedef struct {
		tbl_entry_t e;
		uint64_t key;
	} e64_t;
	assert_int_equal(
	    tbl_init(&t, sizeof(e64_t), offsetof(e64_t, key), sizeof(uint64_t), 200000), 0);
	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t k[2] = { i, 1ULL << (i % 64) ^ (i << 20) };
		for (int j = 0; j < 2; j++)
			assert_non_null(tbl_insert(&t, &k[j], tbl_hash(&t, &k[j]), 0));
	}
	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t k[2] = { i, 1ULL << (i % 64) ^ (i << 20) };
		for (int j = 0; j < 2; j++) {
			const e64_t *e = tbl_find(&t, &k[j], tbl_hash(&t, &k[j]));
			assert_non_null(e);
			assert_true(e->key == k[j]);
		}
		uint64_t absent = (i << 32) | 0xdeadbeefULL;
		assert_null(tbl_find(&t, &absent, tbl_hash(&t, &absent)));
	}
	tbl_free(&t);
}

static void age_order_and_touch(void **state)
{
	(void)state;
	tbl_t t;

	init(&t, 16);
	ent_t *a = put(&t, 1, 0, 10);
	ent_t *b = put(&t, 2, 0, 20);
	ent_t *c = put(&t, 3, 0, 30);
	assert_ptr_equal(tbl_oldest(&t), a);
	tbl_touch(&t, a, 40);
	assert_int_equal(a->e.ts, 40);
	assert_ptr_equal(tbl_oldest(&t), b);
	assert_ptr_equal(t.newest, &a->e);
	/* Touching the newest only restamps it. */
	tbl_touch(&t, a, 50);
	assert_int_equal(a->e.ts, 50);
	assert_ptr_equal(t.newest, &a->e);
	assert_ptr_equal(tbl_oldest(&t), b);
	/* Touch from the middle. */
	tbl_touch(&t, c, 60);
	tbl_remove(&t, b);
	assert_ptr_equal(tbl_oldest(&t), a);
	tbl_remove(&t, a);
	assert_ptr_equal(tbl_oldest(&t), c);
	assert_ptr_equal(t.newest, &c->e);
	assert_null(c->e.older);
	assert_null(c->e.newer);
	/* The whole walk from oldest to newest, after mixed operations. */
	ent_t *d = put(&t, 4, 0, 70);
	ent_t *f = put(&t, 5, 0, 80);
	tbl_touch(&t, c, 90);
	const tbl_entry_t *w = &d->e;
	assert_ptr_equal(t.oldest, w);
	assert_ptr_equal(w->newer, &f->e);
	assert_ptr_equal(w->newer->newer, &c->e);
	assert_null(c->e.newer);
	assert_ptr_equal(c->e.older, &f->e);
	tbl_free(&t);
}

static void limit_returns_null(void **state)
{
	(void)state;
	tbl_t t;

	init(&t, 3);
	assert_non_null(put(&t, 1, 0, 1));
	assert_non_null(put(&t, 2, 0, 2));
	assert_non_null(put(&t, 3, 0, 3));
	assert_null(put(&t, 4, 0, 4));
	assert_int_equal(t.count, 3);
	assert_null(get(&t, 4));
	/* The owner evicts, then there is room. */
	tbl_remove(&t, tbl_oldest(&t));
	assert_non_null(put(&t, 4, 0, 4));
	assert_null(get(&t, 1));
	assert_int_equal(((ent_t *)tbl_oldest(&t))->key, 2);
	tbl_free(&t);

	/* max 0 is treated as 1. */
	init(&t, 0);
	assert_non_null(put(&t, 1, 0, 1));
	assert_null(put(&t, 2, 0, 2));
	tbl_free(&t);
}

static void growth_past_1024_keeps_finds(void **state)
{
	(void)state;
	tbl_t t;
	const uint32_t n = 5000;

	init(&t, 100000);
	assert_int_equal(t.nslots, 1024);
	for (uint32_t i = 0; i < n; i++)
		assert_non_null(put(&t, i * 2654435761u, (int)i, (db_time_t)i));
	assert_int_equal(t.count, n);
	assert_true(t.nslots >= n);
	assert_int_equal(t.nslots & (t.nslots - 1), 0);
	for (uint32_t i = 0; i < n; i++) {
		ent_t *e = get(&t, i * 2654435761u);
		assert_non_null(e);
		assert_int_equal(e->val, (int)i);
		assert_null(tbl_find_next(&t, e));
	}
	assert_null(get(&t, 1));
	/* Age order survives the rehash. */
	assert_int_equal(((ent_t *)tbl_oldest(&t))->val, 0);
	for (uint32_t i = 0; i < n; i += 2)
		tbl_remove(&t, get(&t, i * 2654435761u));
	assert_int_equal(t.count, n / 2);
	for (uint32_t i = 0; i < n; i++) {
		ent_t *e = get(&t, i * 2654435761u);
		if (i % 2)
			assert_non_null(e);
		else
			assert_null(e);
	}
	assert_int_equal(((ent_t *)tbl_oldest(&t))->val, 1);
	tbl_free(&t);
	assert_null(t.slots);
	assert_int_equal(t.count, 0);
}

/* The prefetches are hints: with any hash, before and after growth and
 * removals, they read only the table's own arrays (the sanitizers see
 * each read) and change nothing a lookup finds. */
static void prefetch_changes_nothing(void **state)
{
	(void)state;
	tbl_t t;
	init(&t, 10000);
	for (uint32_t i = 0; i < 3000; i++) {
		uint32_t k = i * 2654435761u;
		uint64_t h = tbl_hash(&t, &k);
		tbl_prefetch(&t, h);
		tbl_prefetch_entry(&t, h); /* not there yet */
		assert_non_null(put(&t, k, (int)i, (db_time_t)i));
		tbl_prefetch(&t, h);
		tbl_prefetch_entry(&t, h); /* there */
		tbl_prefetch_entry(&t, ~h);
	}
	for (uint32_t i = 0; i < 3000; i += 3)
		tbl_remove(&t, get(&t, i * 2654435761u));
	for (uint32_t i = 0; i < 3000; i++) {
		uint32_t k = i * 2654435761u;
		tbl_prefetch(&t, tbl_hash(&t, &k));
		tbl_prefetch_entry(&t, tbl_hash(&t, &k));
		ent_t *e = get(&t, k);
		if (i % 3) {
			assert_non_null(e);
			assert_int_equal(e->val, (int)i);
		} else {
			assert_null(e);
		}
	}
	assert_int_equal(t.count, 2000);
	tbl_free(&t);
}

static void hash_depends_on_key_only(void **state)
{
	(void)state;
	tbl_t t;
	uint32_t a = 0x01020304, b = 0x01020304, c = 0x01020305;

	init(&t, 4);
	assert_int_equal(tbl_hash(&t, &a), tbl_hash(&t, &b));
	assert_int_not_equal(tbl_hash(&t, &a), tbl_hash(&t, &c));
	/* Another table has another secret seed: the same key lands
	 * elsewhere (equal with probability 2^-64). */
	tbl_t u;
	init(&u, 4);
	assert_int_not_equal(tbl_hash(&t, &a), tbl_hash(&u, &a));
	tbl_free(&u);
	tbl_free(&t);
}

/* Keys that differ in a few bits (ports, ids) spread over the slots: no
 * run of occupied slots is long, whatever the table's random seed. */
static void keys_spread_over_slots(void **state)
{
	(void)state;
	tbl_t t;
	init(&t, 1u << 16);
	for (uint32_t k = 0; k < 20000; k++)
		assert_non_null(put(&t, k << 16 | (k & 7), 0, 0));
	size_t longest = 0, run = 0, used = 0;
	for (size_t i = 0; i < t.nslots; i++) {
		run = t.slots[i].e ? run + 1 : 0;
		used += t.slots[i].e != NULL;
		longest = run > longest ? run : longest;
	}
	assert_true(t.nslots >= 2 * t.count); /* load factor at most 1/2 */
	assert_int_equal(used, t.count);
	assert_true(longest <= 64);
	tbl_free(&t);
}

/* Removal moves later entries of a run back into the gap: after any
 * sequence of inserts and removals every entry is still found, including
 * runs that wrap around the end of the slot array. */
static void removal_keeps_runs_whole(void **state)
{
	(void)state;
	tbl_t t;
	init_wide(&t, 600);
	went_t *e[600];
	/* Hashes chosen to pile up at the end of the 1024 slots and wrap. */
	for (uint32_t i = 0; i < 600; i++) {
		e[i] = tbl_insert(&t, wk(i), 1000 + (i % 50), (db_time_t)i);
		assert_non_null(e[i]);
	}
	for (uint32_t i = 0; i < 600; i += 3)
		tbl_remove(&t, e[i]);
	for (uint32_t i = 0; i < 600; i++) {
		if (i % 3)
			assert_ptr_equal(tbl_find(&t, wk(i), 1000 + (i % 50)), e[i]);
		else
			assert_null(tbl_find(&t, wk(i), 1000 + (i % 50)));
	}
	tbl_free(&t);
}

/* Every slot's tag says whether it is used and carries the top bits of
 * its hash, through inserts, removals that shift runs back, and growth:
 * a lookup that reads the tags alone is right. */
static void tags_follow_the_slots(void **state)
{
	(void)state;
	tbl_t t;
	init(&t, 5000);
	ent_t *e[5000];
	for (uint32_t round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < 5000; i++)
			assert_non_null(e[i] = put(&t, i * 7919 + round, 0, 0));
		for (uint32_t i = 0; i < 5000; i += 1 + round)
			tbl_remove(&t, e[i]);
		for (size_t i = 0; i < t.nslots; i++) {
			if (!t.slots[i].e) {
				assert_int_equal(t.tags[i], 0);
				continue;
			}
			assert_int_equal(t.tags[i], 0x80 | (t.slots[i].hash >> 57));
			assert_true(t.slots[i].hash == t.slots[i].e->hash);
		}
		for (uint32_t i = 0; i < 5000; i++) {
			ent_t *f = get(&t, i * 7919 + round);
			assert_true(i % (1 + round) ? f == e[i] : f == NULL);
		}
		while (tbl_oldest(&t))
			tbl_remove(&t, tbl_oldest(&t));
		for (size_t i = 0; i < t.nslots; i++)
			assert_int_equal(t.tags[i], 0);
	}
	tbl_free(&t);
}

/* A reserved table takes its entries from the slab, reuses them once
 * removed, behaves as before, and frees cleanly (the sanitizer checks). */
static void reserved_slab(void **state)
{
	(void)state;
	tbl_t t;
	init(&t, 3000);
	assert_int_equal(tbl_reserve(&t), 0);
	assert_true(t.nslots >= 6000);
	size_t nb = t.nslots;
	for (int round = 0; round < 3; round++) {
		for (uint32_t k = 0; k < 3000; k++)
			assert_non_null(put(&t, k, (int)k + round, k));
		assert_null(put(&t, 3000, 0, 0));
		for (uint32_t k = 0; k < 3000; k++) {
			ent_t *e = get(&t, k);
			assert_non_null(e);
			assert_int_equal(e->val, (int)k + round);
			assert_true((uint8_t *)e >= t.slab &&
				    (uint8_t *)e < t.slab + 3000 * sizeof(ent_t));
		}
		assert_int_equal(t.nslots, nb);
		while (tbl_oldest(&t))
			tbl_remove(&t, tbl_oldest(&t));
	}
	/* Half full when freed: entries inside the slab are not freed one
	 * by one. */
	for (uint32_t k = 0; k < 1500; k++)
		put(&t, k, 0, k);
	tbl_free(&t);
}

/* Entries of a size that is a multiple of 64 start on a cache line,
 * whether they come from chunks or from the slab (txn_t plans its
 * fields by line). */
typedef struct line_ent {
	tbl_entry_t e;
	uint32_t key;
	uint8_t rest[128 - sizeof(tbl_entry_t) - sizeof(uint32_t)];
} line_ent_t;

static void entries_on_cache_lines(void **state)
{
	(void)state;
	for (int reserve = 0; reserve < 2; reserve++) {
		tbl_t t;
		assert_int_equal(tbl_init(&t, sizeof(line_ent_t), offsetof(line_ent_t, key),
					  sizeof(uint32_t), 1000),
				 0);
		if (reserve)
			assert_int_equal(tbl_reserve(&t), 0);
		for (uint32_t k = 0; k < 1000; k++) {
			line_ent_t *e = tbl_insert(&t, &k, tbl_hash(&t, &k), k);
			assert_non_null(e);
			assert_int_equal((uintptr_t)e % 64, 0);
		}
		tbl_free(&t);
	}
}

/* Pages of p[0..n) resident now (mincore), or -1 when it cannot tell. */
static long resident_pages(void *p, size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);
	size_t len = (size_t)((uintptr_t)p + n - a), np = (len + (size_t)pg - 1) / (size_t)pg;
	unsigned char *v = malloc(np);
	if (!v || mincore((void *)a, len, v) != 0) {
		free(v);
		return -1;
	}
	long r = 0;
	for (size_t i = 0; i < np; i++)
		r += v[i] & 1;
	free(v);
	return r;
}

/* tbl_prefault makes a calloc'd block resident, where a memset of zeros
 * after calloc may be dropped by the compiler (the live run's reserves
 * were not resident for that reason). */
static void prefault_makes_resident(void **state)
{
	(void)state;
	size_t n = 8u << 20; /* above malloc's mmap threshold: fresh pages */
	uint8_t *p = calloc(1, n);
	assert_non_null(p);
	long before = resident_pages(p, n);
	if (before < 0) {
		free(p);
		skip();
	}
	tbl_prefault(p, n);
	long after = resident_pages(p, n);
	print_message("resident pages of 8 MiB calloc'd: %ld, after tbl_prefault: %ld\n", before,
		      after);
	assert_true(after >= (long)(n / (size_t)sysconf(_SC_PAGESIZE)));
	for (size_t i = 0; i < n; i += 4096)
		assert_int_equal(p[i], 0);
	free(p);
}

/* val: 1 marked (used again), 2 pinned; spare() clears the mark. */
static int spare(void *e)
{
	ent_t *x = e;
	int keep = x->val != 0;
	if (x->val == 1)
		x->val = 0;
	return keep;
}

/* Second chance: the oldest unmarked entry is the one to let go; marked
 * ones move to the newest end, unmarked, their times kept; pinned ones
 * are never chosen; all pinned: none. */
static void second_chance(void **state)
{
	(void)state;
	tbl_t t;
	init(&t, 8);
	put(&t, 1, 1, 10);
	put(&t, 2, 2, 20);
	put(&t, 3, 0, 30);
	put(&t, 4, 1, 40);
	ent_t *o = tbl_second_chance(&t, spare);
	assert_ptr_equal(o, get(&t, 3));
	assert_ptr_equal(tbl_oldest(&t), get(&t, 3)); /* chosen, not removed */
	assert_int_equal(get(&t, 1)->val, 0);
	assert_int_equal(get(&t, 1)->e.ts, 10);
	assert_int_equal(get(&t, 2)->val, 2);
	tbl_remove(&t, o);
	/* 4 (marked), 1, 2 (pinned): 4 spared and unmarked, then 1 goes. */
	assert_ptr_equal(tbl_second_chance(&t, spare), get(&t, 1));
	assert_int_equal(get(&t, 4)->val, 0);
	tbl_free(&t);
	init(&t, 4);
	put(&t, 5, 2, 1);
	put(&t, 6, 2, 2);
	assert_null(tbl_second_chance(&t, spare));
	assert_int_equal(t.count, 2);
	tbl_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefault_makes_resident),
		cmocka_unit_test(insert_find_remove),
		cmocka_unit_test(duplicate_keys_find_next),
		cmocka_unit_test(colliding_hashes),
		cmocka_unit_test(long_keys_compared_in_full),
		cmocka_unit_test(short_keys_have_their_own_hash),
		cmocka_unit_test(age_order_and_touch),
		cmocka_unit_test(limit_returns_null),
		cmocka_unit_test(growth_past_1024_keeps_finds),
		cmocka_unit_test(prefetch_changes_nothing),
		cmocka_unit_test(entries_on_cache_lines),
		cmocka_unit_test(hash_depends_on_key_only),
		cmocka_unit_test(keys_spread_over_slots),
		cmocka_unit_test(removal_keeps_runs_whole),
		cmocka_unit_test(tags_follow_the_slots),
		cmocka_unit_test(reserved_slab),
		cmocka_unit_test(second_chance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
