/*
 * test_status.c - the one status enum and its descriptions (common/status.c):
 * every status has its own static text, never NULL, and truncated,
 * malformed and limit-reached stay apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../common/status.h"

static const db_status_t all[] = {
	DB_OK, DB_ETRUNC, DB_EMALFORMED, DB_ELIMIT, DB_ENOMEM, DB_EUNSUPP, DB_EIO, DB_EINVAL,
};
#define NALL (sizeof(all) / sizeof(all[0]))

/* Success is zero, so "if (st)" reads as "if it failed". */
static void ok_is_zero(void **state)
{
	(void)state;
	assert_int_equal(DB_OK, 0);
	for (size_t i = 1; i < NALL; i++)
		assert_int_not_equal(all[i], DB_OK);
}

/* Each status has its own description: a log line tells them apart. */
static void every_status_has_its_own_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < NALL; i++) {
		const char *s = db_strerror(all[i]);
		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, "unknown status");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, db_strerror(all[j]));
	}
}

/* The three kinds of bad input the parsers report, and their words. */
static void trunc_malformed_limit_apart(void **state)
{
	(void)state;
	assert_string_equal(db_strerror(DB_OK), "success");
	assert_string_equal(db_strerror(DB_ETRUNC), "truncated input");
	assert_string_equal(db_strerror(DB_EMALFORMED), "malformed input");
	assert_string_equal(db_strerror(DB_ELIMIT), "limit reached");
	assert_string_equal(db_strerror(DB_ENOMEM), "out of memory");
	assert_string_equal(db_strerror(DB_EUNSUPP), "unsupported");
	assert_string_equal(db_strerror(DB_EIO), "input/output error");
	assert_string_equal(db_strerror(DB_EINVAL), "invalid argument");
}

/* A value outside the enum (a corrupted variable, a newer caller) still
 * gets a text, never NULL. */
static void out_of_range_never_null(void **state)
{
	(void)state;
	const int bad[] = { DB_EINVAL + 1, 99, -1, 0x7fffffff };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *s = db_strerror((db_status_t)bad[i]);
		assert_non_null(s);
		assert_string_equal(s, "unknown status");
	}
}

/* Static text: the same pointer every call, usable after the call. */
static void text_is_static(void **state)
{
	(void)state;
	for (size_t i = 0; i < NALL; i++)
		assert_ptr_equal(db_strerror(all[i]), db_strerror(all[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ok_is_zero),
		cmocka_unit_test(every_status_has_its_own_text),
		cmocka_unit_test(trunc_malformed_limit_apart),
		cmocka_unit_test(out_of_range_never_null),
		cmocka_unit_test(text_is_static),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
