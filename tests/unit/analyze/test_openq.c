/*
 * test_openq.c - the open client query of each question and zone
 * (analyze/openq.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/openq.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)

static txn_t *queries(size_t n)
{
	txn_t *q = calloc(n, sizeof(*q));
	assert_non_null(q);
	for (size_t i = 0; i < n; i++)
		q[i].e.ts = T0 + (db_time_t)i * SEC;
	return q;
}

static void note_get_drop(void **state)
{
	(void)state;
	openq_t o;
	assert_int_equal(openq_init(&o, 16, 16), 0);
	txn_t *q = queries(4);
	/* The first query of a question and zone holds both. */
	assert_int_equal(openq_note(&o, &q[0], 11, 21), OPENQ_QUESTION | OPENQ_ZONE);
	/* A second one, while it is open, holds neither; another question
	 * into the same zone holds its question only. */
	assert_int_equal(openq_note(&o, &q[1], 11, 21), 0);
	assert_int_equal(openq_note(&o, &q[2], 12, 21), OPENQ_QUESTION);
	/* Zone key 0: no zone. */
	assert_int_equal(openq_note(&o, &q[3], 13, 0), OPENQ_QUESTION);
	assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 11), &q[0]);
	assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 12), &q[2]);
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 21), &q[0]);
	assert_null(openq_get(&o, OPENQ_ZONE, 11));
	assert_null(openq_get(&o, OPENQ_ZONE, 0));
	/* Judged, the first leaves both; the next query of its question
	 * takes its place. */
	openq_drop(&o, &q[0]);
	assert_null(openq_get(&o, OPENQ_QUESTION, 11));
	assert_null(openq_get(&o, OPENQ_ZONE, 21));
	assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 12), &q[2]);
	assert_int_equal(openq_note(&o, &q[1], 11, 21), OPENQ_QUESTION | OPENQ_ZONE);
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 21), &q[1]);
	openq_free(&o);
	free(q);
}

static void full_map_lets_oldest_go(void **state)
{
	(void)state;
	openq_t o;
	assert_int_equal(openq_init(&o, 3, 2), 0);
	txn_t *q = queries(5);
	for (int i = 0; i < 3; i++)
		assert_int_equal(openq_note(&o, &q[i], 100 + (uint64_t)i, 200 + (uint64_t)i % 2),
				 i < 2 ? OPENQ_QUESTION | OPENQ_ZONE : OPENQ_QUESTION);
	/* A fourth question: the oldest question goes, its zone stays. */
	assert_int_equal(openq_note(&o, &q[3], 103, 0), OPENQ_QUESTION);
	assert_null(openq_get(&o, OPENQ_QUESTION, 100));
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 200), &q[0]);
	assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 101), &q[1]);
	/* A third zone and a fifth question: the oldest zone goes (q[0]'s,
	 * which then holds nothing), and the oldest question (q[1]'s). */
	assert_int_equal(openq_note(&o, &q[4], 104, 202), OPENQ_QUESTION | OPENQ_ZONE);
	assert_null(openq_get(&o, OPENQ_ZONE, 200));
	assert_null(openq_get(&o, OPENQ_QUESTION, 101));
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 201), &q[1]);
	/* Dropping a query that lost its entries leaves the others alone. */
	openq_drop(&o, &q[0]);
	openq_drop(&o, &q[1]);
	assert_null(openq_get(&o, OPENQ_ZONE, 201));
	assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 102), &q[2]);
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 202), &q[4]);
	openq_free(&o);
	free(q);
}

static void expiry_oldest_first(void **state)
{
	(void)state;
	openq_t o;
	assert_int_equal(openq_init(&o, 16, 16), 0);
	txn_t *q = queries(3);
	/* The capture went back in time: q[2] registered after q[1] but
	 * was asked before it, and before q[0]. */
	q[1].e.ts = T0 + 3 * SEC;
	q[2].e.ts = T0 - SEC;
	for (int i = 0; i < 3; i++)
		assert_int_not_equal(openq_note(&o, &q[i], 10 + (uint64_t)i, 20 + (uint64_t)i), 0);
	/* Window 5 s at T0 + 6.5 s: q[0] goes; q[1] is younger, and the
	 * expiry stops there, in the order of registration: q[2] stays. */
	openq_expire(&o, T0 + 6 * SEC + SEC / 2, 5 * SEC);
	assert_null(openq_get(&o, OPENQ_QUESTION, 10));
	assert_null(openq_get(&o, OPENQ_ZONE, 20));
	assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 11), &q[1]);
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 22), &q[2]);
	/* Asked exactly a window ago: not older, it stays. */
	openq_expire(&o, T0 + 8 * SEC, 5 * SEC);
	assert_ptr_equal(openq_get(&o, OPENQ_ZONE, 21), &q[1]);
	/* At T0 + 8.5 s q[1] is older too: both go. */
	openq_expire(&o, T0 + 8 * SEC + SEC / 2, 5 * SEC);
	assert_null(openq_get(&o, OPENQ_ZONE, 21));
	assert_null(openq_get(&o, OPENQ_QUESTION, 12));
	assert_int_equal(o.map[0].count + o.map[1].count, 0);
	openq_free(&o);
	free(q);
}

/* The reference: the registrations that still hold something, in the
 * order they were made. */
struct ref {
	size_t n;
	struct ref_rec {
		int q;
		uint64_t key[2];
		db_time_t asked;
		unsigned holds;
	} r[256];
	size_t count[2], max[2];
};

static void ref_trim(struct ref *f)
{
	size_t w = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->r[i].holds)
			f->r[w++] = f->r[i];
	f->n = w;
}

static int ref_held(const struct ref *f, int m, uint64_t k)
{
	for (size_t i = 0; i < f->n; i++)
		if ((f->r[i].holds & (1u << m)) && f->r[i].key[m] == k)
			return f->r[i].q;
	return -1;
}

static unsigned ref_note(struct ref *f, int q, uint64_t kq, uint64_t kz, db_time_t asked)
{
	uint64_t key[2] = { kq, kz };
	unsigned bits = 0;
	for (int m = 0; m < 2; m++) {
		if ((m == 1 && !kz) || ref_held(f, m, key[m]) >= 0)
			continue;
		if (f->count[m] >= f->max[m])
			for (size_t i = 0; i < f->n; i++)
				if (f->r[i].holds & (1u << m)) {
					f->r[i].holds &= ~(1u << m);
					f->count[m]--;
					break;
				}
		bits |= 1u << m;
		f->count[m]++;
	}
	ref_trim(f);
	if (bits)
		f->r[f->n++] = (struct ref_rec){ q, { kq, kz }, asked, bits };
	return bits;
}

static void ref_drop(struct ref *f, int q)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->r[i].q == q) {
			for (int m = 0; m < 2; m++)
				if (f->r[i].holds & (1u << m))
					f->count[m]--;
			f->r[i].holds = 0;
		}
}

static void ref_expire(struct ref *f, db_time_t now, db_time_t window)
{
	for (int m = 0; m < 2; m++)
		for (size_t i = 0; i < f->n; i++) {
			if (!(f->r[i].holds & (1u << m)))
				continue;
			if (f->r[i].asked + window >= now)
				break;
			f->r[i].holds &= ~(1u << m);
			f->count[m]--;
		}
}

/* Random registrations, judgements and expiries, more than the log's
 * first room (it is compacted), against the reference after every
 * step. */
static void churn_against_reference(void **state)
{
	(void)state;
	enum { N = 40000, KEYS = 40 };
	openq_t o;
	assert_int_equal(openq_init(&o, 24, 8), 0);
	struct ref *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->max[0] = 24;
	f->max[1] = 8;
	txn_t *q = queries(N);
	int *open = calloc(N, sizeof(*open)), nopen = 0;
	assert_non_null(open);
	unsigned seed = 7;
	db_time_t now = T0;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		now += (db_time_t)(seed >> 16) % (SEC / 4);
		q[i].e.ts = now - (db_time_t)((seed >> 8) % 8 == 0 ? 2 * SEC : 0);
		uint64_t kq = 1 + (seed >> 4) % KEYS, kz = (seed >> 12) % 6;
		unsigned got = openq_note(&o, &q[i], kq, kz);
		assert_int_equal(got, ref_note(f, i, kq, kz, q[i].e.ts));
		if (got)
			open[nopen++] = i;
		/* Judge a few open ones, at random. */
		while (nopen && (seed >> 20) % 3 == 0) {
			seed = seed * 1103515245u + 12345u;
			int k = (int)((seed >> 16) % (unsigned)nopen);
			openq_drop(&o, &q[open[k]]);
			ref_drop(f, open[k]);
			open[k] = open[--nopen];
		}
		if (i % 50 == 0) {
			openq_expire(&o, now, 3 * SEC);
			ref_expire(f, now, 3 * SEC);
		}
		for (uint64_t k = 0; k <= KEYS; k++)
			for (int m = 0; m < 2; m++) {
				const txn_t *x = openq_get(&o, m ? OPENQ_ZONE : OPENQ_QUESTION, k);
				int want = ref_held(f, m, k);
				assert_ptr_equal(x, want < 0 ? NULL : &q[want]);
			}
		assert_int_equal(o.map[0].count, f->count[0]);
		assert_int_equal(o.map[1].count, f->count[1]);
	}
	/* The log was compacted, and never grew: it holds no more than
	 * the 32 registrations the limits allow, and those appended since. */
	assert_int_equal(o.cap, 16384);
	assert_true(o.n < N / 2);
	openq_free(&o);
	free(open);
	free(q);
	free(f);
}

/* Thousands held at once: the log grows at a compaction, and every query
 * still finds its record (its position moved) when it is judged. */
static void log_grows_positions_follow(void **state)
{
	(void)state;
	enum { N = 50000, HELD = 3000 };
	openq_t o;
	assert_int_equal(openq_init(&o, 8192, 16), 0);
	txn_t *q = queries(N);
	size_t cap0 = o.cap;
	for (int i = 0; i < N; i++) {
		assert_int_equal(openq_note(&o, &q[i], 1000 + (uint64_t)i, 0), OPENQ_QUESTION);
		if (i >= HELD)
			openq_drop(&o, &q[i - HELD]);
	}
	assert_true(o.cap > cap0);
	assert_int_equal(o.map[0].count, HELD);
	for (int i = 0; i < N; i++)
		assert_ptr_equal(openq_get(&o, OPENQ_QUESTION, 1000 + (uint64_t)i),
				 i >= N - HELD ? &q[i] : NULL);
	for (int i = N - HELD; i < N; i++)
		openq_drop(&o, &q[i]);
	assert_int_equal(o.map[0].count, 0);
	openq_free(&o);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(note_get_drop),
		cmocka_unit_test(full_map_lets_oldest_go),
		cmocka_unit_test(expiry_oldest_first),
		cmocka_unit_test(churn_against_reference),
		cmocka_unit_test(log_grows_positions_follow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
