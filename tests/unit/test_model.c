/*
 * test_model.c - the resolver model (analyze/model.c): the failure memory
 * of root failures (which failure a repeat points at, in flight or
 * before, within RFC 9520's five minutes), and the CNAME graph's lifetime.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../analyze/model.h"
#include "../../analyze/verdict.h"

#define SEC 1000000LL
#define T0 (1700000000 * SEC)

static model_root_t root(db_time_t asked, db_time_t failed, uint8_t cause)
{
	model_root_t r;
	memset(&r, 0, sizeof(r));
	r.query_time = asked;
	r.time = failed;
	r.cause = cause;
	r.detail = "x";
	return r;
}

static void failure_memory(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	uint64_t k = model_key_question(12345, 1);
	assert_null(model_root_get(m, k, T0));

	model_root_t a = root(T0, T0 + 2 * SEC, VD_TIMEOUT);
	model_root_put(m, k, &a);
	/* Asked after it failed: a failure-cache repeat. */
	const model_root_t *r = model_root_get(m, k, T0 + 3 * SEC);
	assert_non_null(r);
	assert_int_equal(r->cause, VD_TIMEOUT);
	/* Asked before it failed: not a repeat of it... */
	assert_null(model_root_get(m, k, T0 + 1 * SEC));
	/* ...but joined to it, if answered when it failed. */
	assert_non_null(model_root_in_flight(m, k, T0 + 1 * SEC, T0 + 2 * SEC));
	assert_null(model_root_in_flight(m, k, T0 + 1 * SEC, T0 + 1 * SEC));
	/* RFC 9520 3.2: at most five minutes. */
	assert_non_null(model_root_get(m, k, T0 + 302 * SEC));
	assert_null(model_root_get(m, k, T0 + 303 * SEC));
	model_free(m);
	m = model_new(1024);
	model_root_put(m, k, &a);

	/* Later roots of the same question and cause renew the failure
	 * cache entry: repeats point at the first; a query joined to a later
	 * one finds that one in flight. */
	model_root_t a2 = root(T0 + 20 * SEC, T0 + 22 * SEC, VD_TIMEOUT);
	model_root_put(m, k, &a2);
	assert_int_equal(model_root_get(m, k, T0 + 30 * SEC)->time, T0 + 2 * SEC);
	assert_int_equal(model_root_in_flight(m, k, T0 + 21 * SEC, T0 + 22 * SEC)->time, T0 + 22 * SEC);

	/* Roots of other causes: each repeat points at the latest failure
	 * before it, even when the verdicts came out of order. */
	model_root_t b = root(T0 + 100 * SEC, T0 + 101 * SEC, VD_BLOCKED_PORT);
	model_root_t c = root(T0 + 50 * SEC, T0 + 51 * SEC, VD_TRUNCATION);
	model_root_put(m, k, &b);
	model_root_put(m, k, &c);
	assert_int_equal(model_root_get(m, k, T0 + 200 * SEC)->cause, VD_BLOCKED_PORT);
	assert_int_equal(model_root_get(m, k, T0 + 60 * SEC)->cause, VD_TRUNCATION);
	/* The same failure twice is kept once. */
	model_root_put(m, k, &b);
	assert_int_equal(model_root_get(m, k, T0 + 200 * SEC)->cause, VD_BLOCKED_PORT);
	assert_int_equal(model_root_get(m, k, T0 + 60 * SEC)->cause, VD_TRUNCATION);

	/* Question and zone keys never collide for the same hash. */
	assert_true(model_key_question(7, 0) != model_key_zone(7));
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failure_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
