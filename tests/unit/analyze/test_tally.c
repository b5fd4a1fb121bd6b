/*
 * test_tally.c - the bounded aggregates of verdicts: counts that add up,
 * examples and lists that stop growing, what was left out counted.
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

static void make(verdict_t *v, uint8_t kind, uint8_t cause, const char *zone, db_time_t t,
		 uint8_t client, uint8_t server)
{
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->cause = cause;
	v->time = t;
	v->query_time = t - SEC;
	v->via = VD_VIA_UPSTREAM;
	tu_name(&v->zone, zone);
	tu_name(&v->qname, zone);
	uint8_t c4[4] = { 192, 0, 2, client }, s4[4] = { 198, 51, 100, server };
	db_addr_set4(&v->client, c4);
	if (server) {
		v->n_up = 2;
		v->up[0].outcome = VD_OUT_TIMEOUT;
		v->up[0].ts = t - SEC / 2;
		db_addr_set4(&v->up[0].server, s4);
		v->up[1] = v->up[0];
	}
}

/* 10,000 verdicts in three zones: the groups' counts add up, five
 * examples each, the list holds the latest 100 and counts the rest. */
static void counts_add_up_and_memory_stops(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 100), 0);
	static const char *const zones[3] = { "a.example", "b.example", "c.example" };
	verdict_t v;
	for (int i = 0; i < 10000; i++) {
		make(&v, VD_KIND_SERVFAIL, i % 2 ? VD_TIMEOUT : VD_BLOCKED_PORT, zones[i % 3],
		     T0 + i * SEC / 10, (uint8_t)(i % 7), (uint8_t)(1 + i % 3));
		tally_add(&t, &v);
	}
	uint64_t sum = 0;
	size_t ng = 0;
	for (const tally_group_t *g = tally_group_first(&t); g; g = tally_group_next(g)) {
		sum += g->count;
		ng++;
		assert_int_equal(g->nex, TALLY_EXAMPLES);
		assert_int_equal(tally_clients(g), 7);
		assert_int_equal(g->nservers, 1);
	}
	assert_int_equal(ng, 6);
	assert_int_equal(sum, 10000);
	assert_int_equal(t.list.n, 100);
	assert_int_equal(t.list.dropped, 9900);
	/* The latest are listed, oldest first. */
	assert_int_equal(vdlist_at(&t.list, 0)->time, T0 + 9900 * SEC / 10);
	assert_int_equal(vdlist_at(&t.list, 99)->time, T0 + 9999 * SEC / 10);
	/* Each server once per verdict, each failed attempt by outcome. */
	uint64_t verdicts = 0;
	for (const tally_server_t *s = tally_server_first(&t); s; s = tally_server_next(s)) {
		verdicts += s->verdicts;
		assert_int_equal(s->outcomes[VD_OUT_TIMEOUT], 2 * s->verdicts);
	}
	assert_int_equal(verdicts, 10000);
	/* 1,000 s of verdicts: 101 buckets of 10 s, each with its counts. */
	uint64_t inmin = 0;
	for (size_t i = 0; i < TALLY_BUCKETS; i++)
		if (t.buckets[i].bucket >= 0)
			inmin += t.buckets[i].n[VD_KIND_SERVFAIL][VD_TIMEOUT] +
				 t.buckets[i].n[VD_KIND_SERVFAIL][VD_BLOCKED_PORT];
	assert_int_equal(inmin, 10000);
	tally_free(&t);
}

/* Pending verdicts: the first 1,000 listed, never pushing out the rest. */
static void pending_keeps_the_first(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 10), 0);
	verdict_t v;
	for (int i = 0; i < TALLY_PENDING + 5; i++) {
		make(&v, VD_KIND_PENDING, VD_TIMEOUT, "a.example", T0 + i, 1, 0);
		tally_add(&t, &v);
	}
	make(&v, VD_KIND_SERVFAIL, VD_TIMEOUT, "a.example", T0, 1, 0);
	tally_add(&t, &v);
	assert_int_equal(t.pending.n, TALLY_PENDING);
	assert_int_equal(t.pending.dropped, 5);
	assert_int_equal(vdlist_at(&t.pending, 0)->time, T0);
	assert_int_equal(t.list.n, 1);
	tally_free(&t);
}

/* More groups than kept: the rest counted by kind and cause. */
static void groups_beyond_the_limit_are_counted(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 1), 0);
	verdict_t v;
	char z[32];
	for (int i = 0; i < TALLY_MAX_GROUPS + 10; i++) {
		snprintf(z, sizeof(z), "z%d.example", i);
		make(&v, VD_KIND_UNANSWERED, VD_UNKNOWN, z, T0 + i, 1, 0);
		tally_add(&t, &v);
	}
	assert_int_equal(t.groups_dropped, 10);
	assert_int_equal(t.other[VD_KIND_UNANSWERED][VD_UNKNOWN], 10);
	tally_free(&t);
}

/* Many distinct clients: the estimate stays near the truth. */
static void clients_are_estimated(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 1), 0);
	verdict_t v;
	for (int i = 0; i < 500; i++) {
		make(&v, VD_KIND_SERVFAIL, VD_TIMEOUT, "a.example", T0 + i, 0, 0);
		uint8_t c4[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i };
		db_addr_set4(&v.client, c4);
		tally_add(&t, &v);
	}
	uint64_t n = tally_clients(tally_group_first(&t));
	print_message("clients estimated %llu of 500\n", (unsigned long long)n);
	assert_true(n > 450 && n < 550);
	tally_free(&t);
}

/* A server's health: every query counted once, round trips by percentile
 * (log buckets: within 19% of the truth). */
static void server_health(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 1), 0);
	db_addr_t s;
	uint8_t a4[4] = { 198, 51, 100, 1 };
	db_addr_set4(&s, a4);
	for (int i = 0; i < 90; i++)
		tally_attempt(&t, &s, T0 + i, 1, 1000, 0);
	for (int i = 0; i < 10; i++)
		tally_attempt(&t, &s, T0 + i, 1, 100000, 0);
	for (int i = 0; i < 5; i++)
		tally_attempt(&t, &s, T0 + i, 0, 0, 1);
	const tally_health_t *h = tally_health(&t, &s);
	assert_non_null(h);
	assert_int_equal(h->attempts, 105);
	assert_int_equal(h->answered, 100);
	assert_int_equal(h->icmp, 5);
	db_time_t p50 = tally_rtt(h, 0.5), p95 = tally_rtt(h, 0.95);
	assert_true(p50 >= 1000 && p50 <= 1190);
	assert_true(p95 >= 100000 && p95 <= 119000);
	tally_free(&t);
}

/* More servers than the health table holds: the idle ones are let go
 * (counted), a server named by a failed attempt in a verdict and one that
 * keeps being queried keep their counts whole, and no query goes
 * uncounted. */
static void server_health_at_the_limit(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 100), 0);
	db_addr_t failing, busy, other;
	uint8_t f4[4] = { 198, 51, 100, 1 }, b4[4] = { 198, 51, 100, 2 };
	db_addr_set4(&failing, f4);
	db_addr_set4(&busy, b4);
	for (int i = 0; i < 3; i++)
		tally_attempt(&t, &failing, T0 + i, 0, 0, 0);
	verdict_t v;
	make(&v, VD_KIND_SERVFAIL, VD_TIMEOUT, "a.example", T0 + 10 * SEC, 1, 1);
	tally_add(&t, &v);
	uint64_t busy_queries = 0;
	for (uint32_t i = 0; i < 3 * TALLY_MAX_HEALTH; i++) {
		uint8_t o4[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		db_addr_set4(&other, o4);
		tally_attempt(&t, &other, T0 + 20 * SEC + i, 1, 1000, 0);
		if (i % 16 == 0) {
			tally_attempt(&t, &busy, T0 + 20 * SEC + i, 1, 2000, 0);
			busy_queries++;
		}
	}
	const tally_health_t *h = tally_health(&t, &failing);
	assert_non_null(h);
	assert_int_equal(h->attempts, 3);
	h = tally_health(&t, &busy);
	assert_non_null(h);
	assert_int_equal(h->attempts, busy_queries);
	assert_non_null(tally_health(&t, &other)); /* the newest */
	uint8_t first4[4] = { 10, 0, 0, 0 };
	db_addr_set4(&other, first4);
	assert_null(tally_health(&t, &other)); /* idle since the start */
	assert_int_equal(t.health_dropped, 0);
	assert_int_equal(t.health_forgotten, 3 * TALLY_MAX_HEALTH + 2 - TALLY_MAX_HEALTH);
	/* Named by a verdict while not followed: followed from then on, kept,
	 * shown once a query is counted. */
	make(&v, VD_KIND_SERVFAIL, VD_TIMEOUT, "b.example", T0 + 30 * SEC, 2, 3);
	tally_add(&t, &v);
	db_addr_t named;
	uint8_t n4[4] = { 198, 51, 100, 3 };
	db_addr_set4(&named, n4);
	assert_null(tally_health(&t, &named));
	tally_attempt(&t, &named, T0 + 40 * SEC, 0, 0, 1);
	tally_attempt(&t, &named, T0 + 39 * SEC, 0, 0, 1);
	for (uint32_t i = 0; i < 2 * TALLY_MAX_HEALTH; i++) {
		uint8_t o4[4] = { 10, 1, (uint8_t)(i >> 8), (uint8_t)i };
		db_addr_set4(&other, o4);
		tally_attempt(&t, &other, T0 + 50 * SEC + i, 1, 1000, 0);
	}
	h = tally_health(&t, &named);
	assert_non_null(h);
	assert_int_equal(h->attempts, 2);
	assert_int_equal(h->icmp, 2);
	assert_int_equal(h->since, T0 + 39 * SEC);
	tally_free(&t);
}

/* A packed verdict unpacks to the same bytes (up to its n_up attempts),
 * whatever the buffer held before, and is a small part of the copy;
 * bytes that are not zero survive anywhere, runs of zeros of any length
 * too. */
static void packed_verdicts_round_trip(void **state)
{
	(void)state;
	static verdict_t v, out;
	make(&v, VD_KIND_SERVFAIL, VD_TIMEOUT, "www.example.com", T0, 7, 9);
	tu_name(&v.up[1].qname, "ns1.example.com");
	v.detail = "all_servers_silent";
	v.id = 0xbeef;
	((uint8_t *)&v)[offsetof(verdict_t, up) - 1] = 0x5a; /* next to a zero run */
	size_t n = offsetof(verdict_t, up) + 2 * sizeof(v.up[0]), bytes = 0;
	uint8_t *p = vd_pack(&v, &bytes);
	assert_non_null(p);
	assert_true(bytes > 4 && bytes < n / 5);
	memset(&out, 0xa5, sizeof(out));
	vd_unpack(p, &out);
	assert_memory_equal(&out, &v, n);
	free(p);
	/* No zero at all, and all zeros. */
	memset(&v, 0x11, offsetof(verdict_t, up));
	v.n_up = 0;
	p = vd_pack(&v, &bytes);
	assert_true(bytes <= 4 + offsetof(verdict_t, up) + offsetof(verdict_t, up) / 128 + 1);
	memset(&out, 0, sizeof(out));
	vd_unpack(p, &out);
	assert_memory_equal(&out, &v, offsetof(verdict_t, up));
	free(p);
	memset(&v, 0, sizeof(v));
	p = vd_pack(&v, &bytes);
	assert_true(bytes < 4 + offsetof(verdict_t, up) / 64);
	memset(&out, 0xa5, sizeof(out));
	vd_unpack(p, &out);
	assert_memory_equal(&out, &v, offsetof(verdict_t, up));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_add_up_and_memory_stops),
		cmocka_unit_test(pending_keeps_the_first),
		cmocka_unit_test(groups_beyond_the_limit_are_counted),
		cmocka_unit_test(clients_are_estimated),
		cmocka_unit_test(server_health),
		cmocka_unit_test(server_health_at_the_limit),
		cmocka_unit_test(packed_verdicts_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
