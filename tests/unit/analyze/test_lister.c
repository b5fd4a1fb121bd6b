/*
 * test_lister.c - the verdicts' lists filled on a thread of their own: the
 * same lists as vdlist_add would make, in the same order, through a ring
 * that wraps and fills thousands of times; routed by kind; the tally's
 * lists apart and here again; a lister stopped at once, or never started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/lister.h"
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

/* 6,000 verdicts through the smallest ring (four of the largest verdicts):
 * it wraps and fills over and over, so the analysis waits for room and
 * the lister for verdicts.  The lists are those listed here. */
static void same_as_listed_here(void **state)
{
	(void)state;
	vdlist_t list, pending, want_list, want_pending;
	assert_int_equal(vdlist_init(&list, 700, 1), 0);
	assert_int_equal(vdlist_init(&pending, 100, 0), 0);
	assert_int_equal(vdlist_init(&want_list, 700, 1), 0);
	assert_int_equal(vdlist_init(&want_pending, 100, 0), 0);
	lister_t *l = lister_start(&list, &pending, 1);
	assert_non_null(l);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 6000; i++) {
		make(v, i);
		lister_put(l, v);
		/* The caller's copy may change at once. */
		memset(v, 0xa5, sizeof(*v));
		make(v, i);
		vdlist_add(v->kind == VD_KIND_PENDING ? &want_pending : &want_list, v);
	}
	lister_stop(l);
	/* 857 of them pending (i % 7 == 3). */
	assert_int_equal(list.added, 6000 - 857);
	assert_int_equal(list.n, 700);
	assert_int_equal(pending.n, 100);
	assert_same_list(&list, &want_list);
	assert_same_list(&pending, &want_pending);
	/* The latest is the last one made (5999, not pending). */
	const verdict_t *last = vdlist_at(&list, list.n - 1);
	assert_non_null(last);
	assert_int_equal(last->time, T0 + 5999LL * SEC / 10);
	free(v);
	vdlist_free(&list);
	vdlist_free(&pending);
	vdlist_free(&want_list);
	vdlist_free(&want_pending);
}

/* What a tally's lists dropped, seen while they are apart (as the lister
 * published it) and once they are here. */
static void dropped_published(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 10), 0);
	assert_int_equal(tally_list_apart(&t), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 100; i++) {
		make(v, i);
		tally_add(&t, v);
	}
	uint64_t dl, dp;
	tally_list_dropped(&t, &dl, &dp);
	/* Published as the lister goes: never ahead of the verdicts made. */
	assert_true(dl <= 100 && dp <= 100);
	tally_list_here(&t);
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

/* A tally's lists apart are the same as here; freeing a tally whose
 * lists are still apart stops the lister first (the sanitizers check). */
static void tally_apart_same_as_here(void **state)
{
	(void)state;
	tally_t apart, here, dropped;
	assert_int_equal(tally_init(&apart, 500), 0);
	assert_int_equal(tally_init(&here, 500), 0);
	assert_int_equal(tally_init(&dropped, 500), 0);
	assert_int_equal(tally_list_apart(&apart), 0);
	assert_int_equal(tally_list_apart(&apart), 0); /* once is enough */
	assert_int_equal(tally_list_apart(&dropped), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 3000; i++) {
		make(v, i);
		tally_add(&apart, v);
		tally_add(&here, v);
		tally_add(&dropped, v);
	}
	tally_list_here(&apart);
	tally_list_here(&apart); /* and here again is nothing */
	assert_null(apart.lister);
	assert_same_list(&apart.list, &here.list);
	assert_same_list(&apart.pending, &here.pending);
	free(v);
	tally_free(&apart);
	tally_free(&here);
	tally_free(&dropped); /* still apart */
}

/* Stopped before any verdict, and stopping none. */
static void stopped_at_once(void **state)
{
	(void)state;
	vdlist_t list, pending;
	assert_int_equal(vdlist_init(&list, 10, 1), 0);
	assert_int_equal(vdlist_init(&pending, 10, 0), 0);
	lister_t *l = lister_start(&list, &pending, 0);
	assert_non_null(l);
	uint64_t dl = 1, dp = 1;
	lister_dropped(l, &dl, &dp);
	assert_int_equal(dl, 0);
	assert_int_equal(dp, 0);
	lister_stop(l);
	lister_stop(NULL);
	assert_int_equal(list.n, 0);
	assert_int_equal(pending.n, 0);
	vdlist_free(&list);
	vdlist_free(&pending);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_as_listed_here),
		cmocka_unit_test(dropped_published),
		cmocka_unit_test(tally_apart_same_as_here),
		cmocka_unit_test(stopped_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
