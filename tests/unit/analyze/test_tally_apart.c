/*
 * test_tally_apart.c - the tally kept on a thread of its own (tally_apart)
 * ends as the tally kept here: the same groups, servers, servers' health,
 * timeline and lists, whatever the order of verdicts and attempts; what
 * it dropped seen while apart and after; a tally freed while apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/tally.h"
#include "../testname.h"

#define SEC 1000000LL
#define T0 (1700000000LL * SEC)

/* Verdict number i: its kind, time, client, name and attempts follow i
 * (every size from no attempt to all of them), so that one listed out of
 * place, twice, cut short or in the wrong list is told apart. */
static void make(verdict_t *v, uint32_t i)
{
	memset(v, 0, sizeof(*v));
	v->kind = i % 7 == 3 ? VD_KIND_PENDING : i % 2 ? VD_KIND_SERVFAIL : VD_KIND_UNANSWERED;
	v->cause = i % 3 ? VD_TIMEOUT : VD_BLOCKED_PORT;
	v->detail = "all_servers_silent";
	v->time = T0 + (db_time_t)i * SEC / 10;
	v->query_time = v->time - SEC;
	v->via = VD_VIA_UPSTREAM;
	char q[64], z[32];
	snprintf(z, sizeof(z), "zone%u.example", i % 5);
	snprintf(q, sizeof(q), "q%u.%s", i, z);
	tu_name(&v->qname, q);
	tu_name(&v->zone, z);
	uint8_t c4[4] = { 192, 0, (uint8_t)(i >> 8), (uint8_t)i };
	db_addr_set4(&v->client, c4);
	v->client_port = (uint16_t)(1024 + i);
	v->id = (uint16_t)(i * 7);
	v->n_up = (uint16_t)(i * 5 % (VD_MAX_UPSTREAM + 1));
	for (uint16_t k = 0; k < v->n_up; k++) {
		uint8_t s4[4] = { 198, 51, 100, (uint8_t)(k + i) };
		db_addr_set4(&v->up[k].server, s4);
		v->up[k].ts = v->query_time + k * 1000;
		v->up[k].outcome = (uint8_t)(VD_OUT_TIMEOUT + k % 2);
		tu_name(&v->up[k].qname, q);
	}
}

/* a and b hold the same verdicts, in the same order, byte for byte over
 * what a verdict uses. */
static void assert_same_list(const vdlist_t *a, const vdlist_t *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->added, b->added);
	assert_int_equal(a->dropped, b->dropped);
	verdict_t *x = malloc(sizeof(*x));
	assert_non_null(x);
	for (size_t i = 0; i < a->n; i++) {
		const verdict_t *va = vdlist_at(a, i);
		assert_non_null(va);
		memcpy(x, va, offsetof(verdict_t, up) + va->n_up * sizeof(va->up[0]));
		const verdict_t *vb = vdlist_at(b, i);
		assert_non_null(vb);
		assert_int_equal(x->n_up, vb->n_up);
		assert_memory_equal(x, vb, offsetof(verdict_t, up) + vb->n_up * sizeof(vb->up[0]));
	}
	free(x);
}

/* Everything a report reads of a tally, the same in a and b. */
static void assert_same_tally(const tally_t *a, const tally_t *b)
{
	assert_same_list(&a->list, &b->list);
	assert_same_list(&a->pending, &b->pending);
	const tally_group_t *ga = tally_group_first(a), *gb = tally_group_first(b);
	for (; ga && gb; ga = tally_group_next(ga), gb = tally_group_next(gb)) {
		/* From the key to the examples, which are pointers. */
		assert_memory_equal(&ga->key, &gb->key,
				    offsetof(tally_group_t, ex) - offsetof(tally_group_t, key));
		for (uint8_t i = 0; i < ga->nex; i++)
			assert_memory_equal(ga->ex[i], gb->ex[i], 4);
	}
	assert_null(ga);
	assert_null(gb);
	const tally_server_t *sa = tally_server_first(a), *sb = tally_server_first(b);
	for (; sa && sb; sa = tally_server_next(sa), sb = tally_server_next(sb)) {
		assert_memory_equal(&sa->addr, &sb->addr,
				    sizeof(*sa) - offsetof(tally_server_t, addr));
		const tally_health_t *ha = tally_health(a, &sa->addr),
				     *hb = tally_health(b, &sb->addr);
		assert_non_null(ha);
		assert_non_null(hb);
		assert_memory_equal(&ha->addr, &hb->addr,
				    sizeof(*ha) - offsetof(tally_health_t, addr));
	}
	assert_null(sa);
	assert_null(sb);
	assert_memory_equal(a->buckets, b->buckets, sizeof(a->buckets));
	assert_memory_equal(a->other, b->other, sizeof(a->other));
	assert_int_equal(a->groups_dropped, b->groups_dropped);
	assert_int_equal(a->servers_dropped, b->servers_dropped);
	assert_int_equal(a->buckets_dropped, b->buckets_dropped);
	assert_int_equal(a->examples_dropped, b->examples_dropped);
	assert_int_equal(a->health_dropped, b->health_dropped);
	assert_int_equal(a->newest_bucket, b->newest_bucket);
}

/* Attempt k of verdict i's round: servers that the verdicts name. */
static void attempt(tally_t *t, uint32_t i, uint32_t k)
{
	uint8_t s4[4] = { 198, 51, 100, (uint8_t)(k + i) };
	db_addr_t s;
	db_addr_set4(&s, s4);
	tally_attempt(t, &s, T0 + (db_time_t)i * SEC / 10, (i + k) % 4 != 0,
		      (db_time_t)(1000 + 37 * k + i % 500), (i + k) % 9 == 0);
}

/* 6,000 verdicts and 30,000 attempts, interleaved, through the tally's
 * thread and here: the same tally.  The ring wraps and fills hundreds of
 * times. */
static void apart_same_as_here(void **state)
{
	(void)state;
	tally_t apart, here;
	assert_int_equal(tally_init(&apart, 700), 0);
	assert_int_equal(tally_init(&here, 700), 0);
	assert_int_equal(tally_apart(&apart), 0);
	assert_non_null(apart.apart);
	assert_int_equal(tally_apart(&apart), 0); /* once is enough */
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 6000; i++) {
		for (uint32_t k = 0; k < 5; k++) {
			attempt(&apart, i, k);
			attempt(&here, i, k);
		}
		make(v, i);
		tally_add(&apart, v);
		/* The caller's copy may change at once. */
		memset(v, 0xa5, sizeof(*v));
		make(v, i);
		tally_add(&here, v);
	}
	tally_here(&apart);
	assert_null(apart.apart);
	tally_here(&apart); /* and here again is nothing */
	/* 857 of them pending (i % 7 == 3), the latest 700 of the rest. */
	assert_int_equal(apart.list.added, 6000 - 857);
	assert_int_equal(apart.list.n, 700);
	assert_same_tally(&apart, &here);
	const verdict_t *last = vdlist_at(&apart.list, apart.list.n - 1);
	assert_non_null(last);
	assert_int_equal(last->time, T0 + 5999LL * SEC / 10);
	free(v);
	tally_free(&apart);
	tally_free(&here);
}

/* What the lists dropped, seen while the tally is apart (as its thread
 * published it) and once it is here. */
static void dropped_published(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 10), 0);
	assert_int_equal(tally_apart(&t), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 100; i++) {
		make(v, i);
		tally_add(&t, v);
	}
	uint64_t dl, dp;
	tally_list_dropped(&t, &dl, &dp);
	/* Published as the thread goes: never ahead of the verdicts made. */
	assert_true(dl <= 76 && dp == 0);
	tally_here(&t);
	tally_list_dropped(&t, &dl, &dp);
	assert_int_equal(dl, t.list.dropped);
	assert_int_equal(dp, t.pending.dropped);
	/* 14 of them pending (i % 7 == 3), all listed; the latest 10 of
	 * the other 86. */
	assert_int_equal(t.pending.n, 14);
	assert_int_equal(dp, 0);
	assert_int_equal(t.list.n, 10);
	assert_int_equal(dl, 86 - 10);
	tally_free(&t);
	free(v);
}

/* Freed while apart: its thread is stopped first (the sanitizers check);
 * apart with nothing handed over. */
static void freed_while_apart(void **state)
{
	(void)state;
	tally_t t, empty;
	assert_int_equal(tally_init(&t, 50), 0);
	assert_int_equal(tally_init(&empty, 50), 0);
	assert_int_equal(tally_apart(&t), 0);
	assert_int_equal(tally_apart(&empty), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 300; i++) {
		attempt(&t, i, 0);
		make(v, i);
		tally_add(&t, v);
	}
	free(v);
	tally_free(&t);
	tally_here(&empty);
	assert_int_equal(empty.list.n, 0);
	assert_null(tally_group_first(&empty));
	tally_free(&empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apart_same_as_here),
		cmocka_unit_test(dropped_published),
		cmocka_unit_test(freed_while_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
