/*
 * test_handoff.c - work handed over to a thread of its own: every record
 * taken once, in the order put, with its type and bytes, through a ring
 * that wraps and fills thousands of times (the owner waiting for room, the
 * thread for records); the owner's bytes free to change once put; a
 * handoff stopped at once, or never started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../common/handoff.h"

#define MAX_REC 3000

/* Record i: its type and length follow i (0 to MAX_REC bytes, not all
 * multiples of 8), its bytes i and their place. */
static unsigned type_of(uint32_t i) { return 1 + i % 3; }
static size_t len_of(uint32_t i) { return (size_t)i * 37 % (MAX_REC + 1); }
static uint8_t byte_of(uint32_t i, size_t k) { return (uint8_t)(i * 31 + k); }

typedef struct seen {
	uint32_t next; /* the record expected next */
	uint32_t bad;  /* records not as put */
	uint64_t bytes;
} seen_t;

static void take(void *user, unsigned type, const void *rec, size_t len)
{
	seen_t *s = user;
	uint32_t i = s->next++;
	const uint8_t *p = rec;
	int ok = type == type_of(i) && len == len_of(i) && (uintptr_t)rec % 8 == 0;
	for (size_t k = 0; ok && k < len; k++)
		ok = p[k] == byte_of(i, k);
	s->bad += !ok;
	s->bytes += len;
}

static void in_order_through_a_small_ring(void **state)
{
	(void)state;
	seen_t s = { 0, 0, 0 };
	/* 1 byte asked: the ring is made four of the largest records. */
	handoff_t *h = handoff_start("test-handoff", take, &s, MAX_REC, 1);
	assert_non_null(h);
	uint8_t *buf = malloc(MAX_REC);
	assert_non_null(buf);
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < 20000; i++) {
		for (size_t k = 0; k < len_of(i); k++)
			buf[k] = byte_of(i, k);
		handoff_put(h, type_of(i), buf, len_of(i));
		memset(buf, 0xa5, MAX_REC); /* the owner's to change at once */
		bytes += len_of(i);
	}
	handoff_stop(h);
	assert_int_equal(s.next, 20000);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.bytes, bytes);
	free(buf);
}

/* With the default ring, most records wait until the stop: all taken. */
static void all_taken_at_the_stop(void **state)
{
	(void)state;
	seen_t s = { 0, 0, 0 };
	handoff_t *h = handoff_start("test-handoff", take, &s, MAX_REC, 0);
	assert_non_null(h);
	uint8_t buf[MAX_REC];
	for (uint32_t i = 0; i < 7; i++) {
		for (size_t k = 0; k < len_of(i); k++)
			buf[k] = byte_of(i, k);
		handoff_put(h, type_of(i), buf, len_of(i));
	}
	handoff_stop(h);
	assert_int_equal(s.next, 7);
	assert_int_equal(s.bad, 0);
}

static void stopped_at_once(void **state)
{
	(void)state;
	seen_t s = { 0, 0, 0 };
	handoff_t *h = handoff_start("test-handoff", take, &s, 64, 0);
	assert_non_null(h);
	handoff_stop(h);
	handoff_stop(NULL);
	assert_int_equal(s.next, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_through_a_small_ring),
		cmocka_unit_test(all_taken_at_the_stop),
		cmocka_unit_test(stopped_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
