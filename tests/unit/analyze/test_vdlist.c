/*
 * test_vdlist.c - the verdicts listed whole: kept in order across
 * compressed blocks, the latest (or the first) cap of them, each read back
 * as it was made, in less memory than packed one by one; and the stash of
 * verdicts set aside, read by reference and released in any order.
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
#include "../testname.h"

#define SEC 1000000LL
#define T0 (1700000000LL * SEC)

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
	tu_name(&v->qname, q);
	tu_name(&v->zone, z);
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

/* The stash: each verdict read back whole by its reference, before and
 * after its block is closed, released in any order; a block goes when all
 * of it was released, and the memory held follows what is held, not what
 * was ever put. */
static void stash_put_get_release(void **state)
{
	(void)state;
	vdstash_t s;
	assert_int_equal(vdstash_init(&s), 0);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	enum { N = 10 * VDL_BLOCK + 5 };
	static uint64_t ref[N];
	/* Put N, reading each back at once (open block) and the first again
	 * (closed block). */
	for (uint32_t i = 0; i < N; i++) {
		make(v, i);
		ref[i] = vdstash_put(&s, v);
		assert_true(ref[i] != 0);
		assert_is(vdstash_get(&s, ref[i], v), i);
		assert_is(vdstash_get(&s, ref[0], v), 0);
	}
	assert_int_equal(s.held, N);
	/* Release every other one, newest first; the rest still read back. */
	for (uint32_t i = N; i-- > 0;)
		if (i % 2)
			vdstash_release(&s, ref[i]);
	for (uint32_t i = 0; i < N; i += 2)
		assert_is(vdstash_get(&s, ref[i], v), i);
	assert_int_equal(s.first, 0);
	/* Release the rest oldest first: the blocks go as they empty. */
	for (uint32_t i = 0; i < N; i += 2) {
		vdstash_release(&s, ref[i]);
		if (i + 2 < N)
			assert_is(vdstash_get(&s, ref[i + 2], v), i + 2);
	}
	assert_int_equal(s.held, 0);
	assert_int_equal(s.first, s.next);
	assert_true(vdstash_bytes(&s) <= s.open.cap);
	/* A steady flow, each released 300 puts after it was put: the ring
	 * of blocks stays small. */
	static uint64_t win[300];
	for (uint32_t i = 0; i < 20000; i++) {
		if (i >= 300)
			vdstash_release(&s, win[i % 300]);
		make(v, i);
		win[i % 300] = vdstash_put(&s, v);
		if (i >= 300)
			assert_is(vdstash_get(&s, win[(i - 299) % 300], v), i - 299);
	}
	assert_int_equal(s.held, 300);
	assert_true(s.nblk <= 16);
	assert_int_equal(s.dropped, 0);
	vdstash_release(&s, 0); /* accepted, does nothing */
	assert_null(vdstash_get(&s, 0, v));
	free(v);
	vdstash_free(&s); /* frees the 300 still held (the sanitizers check) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(latest_kept_in_order),  cmocka_unit_test(first_kept),
		cmocka_unit_test(small_and_empty),       cmocka_unit_test(blocks_are_smaller),
		cmocka_unit_test(stash_put_get_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
