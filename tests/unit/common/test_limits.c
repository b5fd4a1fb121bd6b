/*
 * test_limits.c - the one set of limits (common/limits.c): every limit set,
 * the window the documented 30 s, a live run keeping fewer verdicts whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../../common/limits.h"

static void defaults_are_set_and_documented(void **state)
{
	(void)state;
	db_limits_t l = db_limits_default(0);
	assert_int_equal(l.window, 30 * 1000000LL);
	assert_int_equal(l.window, DB_WINDOW_DEFAULT);
	/* The figures limits.h, the man page and the README give. */
	assert_int_equal(l.max_transactions, 524288);
	assert_int_equal(l.max_addresses, 65536);
	assert_int_equal(l.max_verdicts, 20000);
	assert_int_equal(l.max_frag_trains, 65536);
	assert_int_equal(l.max_tcp_streams, 16384);
	assert_int_equal(l.max_handshakes, 65536);
}

static void live_keeps_fewer_verdicts_whole(void **state)
{
	(void)state;
	db_limits_t f = db_limits_default(0), l = db_limits_default(1);
	assert_int_equal(l.max_verdicts, 1000);
	/* Nothing else differs. */
	l.max_verdicts = f.max_verdicts;
	assert_int_equal(l.window, f.window);
	assert_int_equal(l.max_transactions, f.max_transactions);
	assert_int_equal(l.max_addresses, f.max_addresses);
	assert_int_equal(l.max_frag_trains, f.max_frag_trains);
	assert_int_equal(l.max_tcp_streams, f.max_tcp_streams);
	assert_int_equal(l.max_handshakes, f.max_handshakes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_set_and_documented),
		cmocka_unit_test(live_keeps_fewer_verdicts_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
