/*
 * test_vdlist.c - the verdicts listed whole: kept in order across
 * compressed blocks, the latest (or the first) cap of them, each read back
 * as it was made, in less memory than packed one by one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/vdlist.h"

#define SEC 1000000LL
#define T0 (1700000000LL * SEC)

static void name(dns_name_t *n, const char *text)
{
	memset(n, 0, sizeof(*n));
	size_t o = 0;
	const char *p = text;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		n->wire[o++] = (uint8_t)l;
		memcpy(&n->wire[o], p, l);
		o += l;
		n->labels++;
		p += l + (dot ? 1 : 0);
	}
	n->wire[o++] = 0;
	n->len = (uint8_t)o;
}

/* Verdict number i: its time, client, qname and attempts all follow i, so
 * that a verdict read back at the wrong place is told apart. */
static void make(verdict_t *v, uint32_t i)
{
	memset(v, 0, sizeof(*v));
	v->kind = VD_KIND_SERVFAIL;
	v->cause = i % 3 ? VD_TIMEOUT : VD_BLOCKED_PORT;
	v->time = T0 + (db_time_t)i * SEC / 10;
	v->query_time = v->time - SEC;
	v->via = VD_VIA_UPSTREAM;
	char q[64], z[32];
	snprintf(z, sizeof(z), "zone%u.example", i % 5);
	snprintf(q, sizeof(q), "q%u.%s", i, z);
	name(&v->qname, q);
	name(&v->zone, z);
	uint8_t c4[4] = { 192, 0, (uint8_t)(i >> 8), (uint8_t)i };
	db_addr_set4(&v->client, c4);
	v->client_port = (uint16_t)(1024 + i);
	v->id = (uint16_t)(i * 7);
	v->n_up = (uint16_t)(i % (VD_MAX_UPSTREAM + 1));
	for (uint16_t k = 0; k < v->n_up; k++) {
		uint8_t s4[4] = { 198, 51, 100, (uint8_t)(k + 1) };
		db_addr_set4(&v->up[k].server, s4);
		v->up[k].ts = v->query_time + k * 1000;
		v->up[k].outcome = VD_OUT_TIMEOUT;
	}
}

/* v is verdict number i, field by field that matters and byte by byte
 * over what vd_copy would copy. */
static void assert_is(const verdict_t *v, uint32_t i)
{
	verdict_t *want = malloc(sizeof(*want));
	assert_non_null(want);
	make(want, i);
	assert_non_null(v);
	assert_int_equal(v->time, want->time);
	assert_int_equal(v->n_up, want->n_up);
	assert_memory_equal(v, want, offsetof(verdict_t, up) + v->n_up * sizeof(v->up[0]));
	free(want);
}

/* 1,000 verdicts into a list of 300: the latest 300 stay, in order,
 * read forwards, backwards and by stride (each a block decompressed
 * again). */
static void latest_kept_in_order(void **state)
{
	(void)state;
	vdlist_t l;
	assert_int_equal(vdlist_init(&l, 300, 1), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 1000; i++) {
		make(v, i);
		vdlist_add(&l, v);
		assert_int_equal(l.n, i < 300 ? i + 1 : 300);
	}
	assert_int_equal(l.dropped, 700);
	for (size_t i = 0; i < l.n; i++)
		assert_is(vdlist_at(&l, i), (uint32_t)(700 + i));
	for (size_t i = l.n; i-- > 0;)
		assert_is(vdlist_at(&l, i), (uint32_t)(700 + i));
	for (size_t i = 0; i < l.n; i += 37)
		assert_is(vdlist_at(&l, (i * 7919) % l.n), (uint32_t)(700 + (i * 7919) % l.n));
	/* Only the blocks holding listed verdicts are kept. */
	assert_true(l.added / VDL_BLOCK - l.oldest <= 300 / VDL_BLOCK + 1);
	free(v);
	vdlist_free(&l);
}

/* A list that keeps the first: the later ones are counted, not listed. */
static void first_kept(void **state)
{
	(void)state;
	vdlist_t l;
	assert_int_equal(vdlist_init(&l, 100, 0), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (uint32_t i = 0; i < 150; i++) {
		make(v, i);
		vdlist_add(&l, v);
	}
	assert_int_equal(l.n, 100);
	assert_int_equal(l.dropped, 50);
	for (size_t i = 0; i < l.n; i++)
		assert_is(vdlist_at(&l, i), (uint32_t)i);
	free(v);
	vdlist_free(&l);
}

/* Lists smaller than a block, and of none. */
static void small_and_empty(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (size_t cap = 0; cap < 3 * VDL_BLOCK; cap += 7) {
		vdlist_t l;
		assert_int_equal(vdlist_init(&l, cap, 1), 0);
		for (uint32_t i = 0; i < 4 * VDL_BLOCK + 3; i++) {
			make(v, i);
			vdlist_add(&l, v);
			size_t n = i + 1 < cap ? i + 1 : cap;
			assert_int_equal(l.n, n);
			if (n)
				assert_is(vdlist_at(&l, 0), i + 1 - (uint32_t)n);
		}
		for (size_t i = 0; i < l.n; i++)
			assert_is(vdlist_at(&l, i), (uint32_t)(4 * VDL_BLOCK + 3 - l.n + i));
		assert_int_equal(l.dropped, 4 * VDL_BLOCK + 3 - l.n);
		vdlist_free(&l);
	}
	free(v);
}

/* The point of the blocks: a list of like verdicts takes well under half
 * of what they take packed one by one. */
static void blocks_are_smaller(void **state)
{
	(void)state;
	vdlist_t l;
	assert_int_equal(vdlist_init(&l, 2000, 1), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	size_t packed = 0;
	for (uint32_t i = 0; i < 2000; i++) {
		make(v, i);
		size_t bytes;
		uint8_t *p = vd_pack(v, &bytes);
		assert_non_null(p);
		free(p);
		packed += bytes;
		vdlist_add(&l, v);
	}
	size_t held = vdlist_bytes(&l);
	print_message("2000 verdicts: %zu bytes packed one by one, %zu in blocks\n", packed, held);
	assert_true(held * 2 < packed);
	free(v);
	vdlist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(latest_kept_in_order),
		cmocka_unit_test(first_kept),
		cmocka_unit_test(small_and_empty),
		cmocka_unit_test(blocks_are_smaller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
