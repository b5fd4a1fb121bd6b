/*
 * test_msgstore.c - the ring of raw upstream answers kept for later DNSSEC
 * checks (analyze/msgstore.c): references never 0, a message at most a
 * quarter of the ring, records never split by the wrap, and a reference
 * the ring has wrapped over gives NULL, never someone else's bytes; a ring
 * with a keep time grows only for answers younger than it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/msgstore.h"

/* A message of len bytes whose content says which it is. */
static void fill(uint8_t *b, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

static int same(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint8_t want[256];
	fill(want, len, seed);
	return memcmp(p, want, len) == 0;
}

static void put_then_get(void **state)
{
	(void)state;
	msgstore_t s;
	assert_int_equal(msgstore_init(&s, 1024, 0), 0);
	/* A real answer: a DNS header and a question, as bytes. */
	static const uint8_t msg[] = { 0x12, 0x34, 0x84, 0x00, 0x00, 0x01, 0x00,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'o',
				       'r',  'g',  0x00, 0x00, 0x30, 0x00, 0x01 };
	uint64_t r = msgstore_put(&s, msg, sizeof(msg), 0);
	assert_true(r != 0);
	const uint8_t *p = msgstore_get(&s, r, sizeof(msg));
	assert_non_null(p);
	assert_memory_equal(p, msg, sizeof(msg));
	/* A copy: the caller's buffer may change afterwards. */
	uint8_t buf[sizeof(msg)];
	memcpy(buf, msg, sizeof(msg));
	uint64_t r2 = msgstore_put(&s, buf, sizeof(buf), 0);
	memset(buf, 0, sizeof(buf));
	assert_true(r2 != 0 && r2 != r);
	assert_memory_equal(msgstore_get(&s, r2, sizeof(msg)), msg, sizeof(msg));
	msgstore_free(&s);
}

/* Reference 0 means none: the very first message does not get it, and
 * asking for 0 gives nothing. */
static void zero_is_never_a_reference(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[16];
	assert_int_equal(msgstore_init(&s, 64, 0), 0);
	assert_null(msgstore_get(&s, 0, 1));
	fill(b, sizeof(b), 1);
	for (int i = 0; i < 50; i++)
		assert_true(msgstore_put(&s, b, sizeof(b), 0) != 0);
	assert_null(msgstore_get(&s, 0, 1));
	assert_null(msgstore_get(&s, 0, 0));
	msgstore_free(&s);
}

/* The size limit is a quarter of the ring, inclusive; an empty message is
 * not stored either. */
static void quarter_of_the_ring(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[256];
	assert_int_equal(msgstore_init(&s, 1000, 0), 0);
	fill(b, sizeof(b), 2);
	assert_int_equal(msgstore_put(&s, b, 251, 0), 0);
	assert_int_equal(msgstore_put(&s, b, 0, 0), 0);
	uint64_t r = msgstore_put(&s, b, 250, 0);
	assert_true(r != 0);
	assert_true(same(msgstore_get(&s, r, 250), 250, 2));
	msgstore_free(&s);
}

/* A message that does not fit before the end of the ring starts at its
 * beginning: its bytes are contiguous, the messages whose bytes it covers
 * are gone, and the one beside the skipped tail is still there. */
static void records_never_wrap(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[256];
	assert_int_equal(msgstore_init(&s, 100, 0), 0);
	/* Reference 1 on: 1..21, 21..41, 41..61, 61..81; 81 + 25 > 100. */
	uint64_t r[5];
	for (uint32_t i = 0; i < 4; i++) {
		fill(b, 20, 10 + i);
		r[i] = msgstore_put(&s, b, 20, 0);
		assert_true(r[i] != 0);
	}
	fill(b, 25, 14);
	r[4] = msgstore_put(&s, b, 25, 0);
	assert_true(r[4] != 0);
	assert_int_equal(r[4] % 100, 0); /* at the start of the ring */
	const uint8_t *p = msgstore_get(&s, r[4], 25);
	assert_non_null(p);
	assert_ptr_equal(p, s.ring);
	assert_true(same(p, 25, 14));
	/* It covers ring bytes 0..25: the first message (1..21) and the
	 * start of the second (21..41) are gone. */
	assert_null(msgstore_get(&s, r[0], 20));
	assert_null(msgstore_get(&s, r[1], 20));
	/* The others were not touched. */
	for (uint32_t i = 2; i < 4; i++)
		assert_true(same(msgstore_get(&s, r[i], 20), 20, 10 + i));
	msgstore_free(&s);
}

/* A reference stays good until the ring wraps over it, and then gives
 * NULL: never the bytes of a later message. */
static void wrapped_over_gives_null(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[256];
	struct {
		uint64_t ref;
		uint32_t len, seed;
	} put[400];
	uint32_t rnd = 12345;
	assert_int_equal(msgstore_init(&s, 1024, 0), 0);
	for (uint32_t i = 0; i < 400; i++) {
		rnd = rnd * 1103515245u + 12345u;
		uint32_t len = 1 + (rnd >> 16) % 256;
		fill(b, len, i);
		put[i].ref = msgstore_put(&s, b, len, 0);
		put[i].len = len;
		put[i].seed = i;
		assert_true(put[i].ref != 0);
		size_t valid = 0;
		for (uint32_t j = 0; j <= i; j++) {
			const uint8_t *p = msgstore_get(&s, put[j].ref, put[j].len);
			if (!p)
				continue;
			valid++;
			assert_true(same(p, put[j].len, put[j].seed));
		}
		/* The latest two are always there: each is at most a
		 * quarter of the ring, the tail skipped before one less. */
		assert_non_null(msgstore_get(&s, put[i].ref, put[i].len));
		assert_true(valid >= (i < 1 ? 1 : 2));
	}
	/* Everything but the last few was overwritten. */
	assert_null(msgstore_get(&s, put[0].ref, put[0].len));
	msgstore_free(&s);
}

/* A reference from beyond what was written is nobody's. */
static void future_reference_refused(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[8];
	assert_int_equal(msgstore_init(&s, 64, 0), 0);
	fill(b, sizeof(b), 3);
	uint64_t r = msgstore_put(&s, b, sizeof(b), 0);
	assert_non_null(msgstore_get(&s, r, sizeof(b)));
	/* Longer than what was stored there, or starting past the end. */
	assert_null(msgstore_get(&s, r, sizeof(b) + 1));
	assert_null(msgstore_get(&s, r + sizeof(b), 1));
	assert_null(msgstore_get(&s, r + 1000, 1));
	msgstore_free(&s);
}

/* After msgstore_free nothing is stored or found, and freeing twice is
 * harmless (the store is zeroed). */
static void after_free(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[8];
	assert_int_equal(msgstore_init(&s, 64, 0), 0);
	fill(b, sizeof(b), 4);
	uint64_t r = msgstore_put(&s, b, sizeof(b), 0);
	msgstore_free(&s);
	assert_null(s.ring);
	assert_int_equal(s.size, 0);
	assert_null(msgstore_get(&s, r, sizeof(b)));
	assert_int_equal(msgstore_put(&s, b, sizeof(b), 0), 0);
	msgstore_free(&s);
}

/* A ring too small for anything (size 0 or 3) stores nothing, without
 * dividing by its size. */
static void tiny_ring(void **state)
{
	(void)state;
	msgstore_t s;
	uint8_t b[4] = { 1, 2, 3, 4 };
	assert_int_equal(msgstore_init(&s, 3, 0), 0);
	assert_int_equal(msgstore_put(&s, b, 1, 0), 0);
	msgstore_free(&s);
	if (msgstore_init(&s, 0, 0) == 0)
		assert_int_equal(msgstore_put(&s, b, 1, 0), 0);
	msgstore_free(&s);
}

#define SEC 1000000LL

/* A message of len bytes (up to 64 KiB) for seed, as fill() writes it. */
static int same_big(const uint8_t *p, uint32_t len, uint32_t seed)
{
	static uint8_t want[65536];
	fill(want, len, seed);
	return p && memcmp(p, want, len) == 0;
}

/* With a keep time the ring grows, up to its cap, rather than overwrite an
 * answer younger than keep, and stays small when what it overwrites is
 * older; references stay valid across each growth, wrapped or not. */
static void grows_only_for_young_answers(void **state)
{
	(void)state;
	static uint8_t b[65536];
	static uint64_t ref[12000];
	msgstore_t s;
	/* A burst: 2,000 answers of 1,000 bytes within 2 s, all kept. */
	assert_int_equal(msgstore_init(&s, 4u << 20, 10 * SEC), 0);
	assert_int_equal(s.size, MSGSTORE_FIRST);
	for (uint32_t i = 0; i < 2000; i++) {
		fill(b, 1000, i);
		ref[i] = msgstore_put(&s, b, 1000, (db_time_t)i * 1000);
		assert_true(ref[i] != 0);
	}
	assert_int_equal(s.size, 2u << 20);
	for (uint32_t i = 0; i < 2000; i++)
		assert_true(same_big(msgstore_get(&s, ref[i], 1000), 1000, i));
	/* One larger than a quarter of the ring makes it grow too. */
	fill(b, 65536, 7);
	uint64_t big = msgstore_put(&s, b, 65536, 3 * SEC);
	assert_true(same_big(msgstore_get(&s, big, 65536), 65536, 7));
	msgstore_free(&s);

	/* A trickle over 1,000 s: ten answers a second.  The ring wraps many
	 * times at its first size; the last 10 s are always there. */
	assert_int_equal(msgstore_init(&s, 4u << 20, 10 * SEC), 0);
	for (uint32_t i = 0; i < 10000; i++) {
		fill(b, 1000, i);
		ref[i] = msgstore_put(&s, b, 1000, (db_time_t)i * SEC / 10);
		assert_true(ref[i] != 0);
		for (uint32_t j = i >= 100 ? i - 100 : 0; j <= i; j += 33)
			assert_true(same_big(msgstore_get(&s, ref[j], 1000), 1000, j));
	}
	assert_int_equal(s.size, MSGSTORE_FIRST);
	assert_null(msgstore_get(&s, ref[0], 1000));

	/* Then a burst after the ring has wrapped: it grows mid-lap, and the
	 * answers of the last lap written before it stay readable. */
	for (uint32_t i = 10000; i < 12000; i++) {
		fill(b, 1000, i);
		ref[i] = msgstore_put(&s, b, 1000, 1000 * SEC + (db_time_t)(i - 10000) * 100);
		assert_true(ref[i] != 0);
	}
	assert_true(s.size > MSGSTORE_FIRST);
	for (uint32_t i = 9900; i < 12000; i++)
		assert_true(same_big(msgstore_get(&s, ref[i], 1000), 1000, i));
	msgstore_free(&s);

	/* A bound that is not the first size times a power of two is rounded
	 * down to one, so that growing never moves a record across the
	 * ring's end (a reader takes a record in one piece): a burst of
	 * answers of every size fills it, each read back whole. */
	for (uint32_t trickle = 1000; trickle < 1030; trickle += 3) {
		assert_int_equal(msgstore_init(&s, 3 * MSGSTORE_FIRST - 5, 10 * SEC), 0);
		assert_int_equal(s.cap, 2 * MSGSTORE_FIRST);
		for (uint32_t i = 0; i < 1200; i++) {
			/* A trickle first (the ring wraps at its first size,
			 * far past the bound's positions), then a burst that
			 * grows it.  With a bound of 752 KiB (the old rounding
			 * to 16 KiB) 5 of these 10 runs put a record across
			 * the ring's end. */
			db_time_t at = i < trickle ? (db_time_t)i * 20 * SEC : 20000 * SEC + i;
			uint32_t len = 1 + (i * 7919u) % 40000u;
			fill(b, len, i);
			ref[i] = msgstore_put(&s, b, len, at);
			/* Every answer still held, the older ones too (those
			 * a growth moved), lies inside the ring, whole. */
			for (uint32_t j = i >= 40 ? i - 40 : 0; j <= i; j++) {
				uint32_t l = 1 + (j * 7919u) % 40000u;
				const uint8_t *got = msgstore_get(&s, ref[j], l);
				if (!got)
					continue;
				assert_true(got >= s.ring && got + l <= s.ring + s.size);
				assert_true(same_big(got, l, j));
			}
		}
		assert_int_equal(s.size, s.cap);
		msgstore_free(&s);
	}

	/* At its cap the ring overwrites young answers all the same. */
	assert_int_equal(msgstore_init(&s, 1u << 20, 10 * SEC), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		fill(b, 1000, i);
		ref[i] = msgstore_put(&s, b, 1000, (db_time_t)i);
	}
	assert_int_equal(s.size, 1u << 20);
	assert_null(msgstore_get(&s, ref[0], 1000));
	assert_true(same_big(msgstore_get(&s, ref[2999], 1000), 1000, 2999));
	/* Reserved (a live run): the whole cap, the answers in place. */
	msgstore_free(&s);
	assert_int_equal(msgstore_init(&s, 1u << 20, 10 * SEC), 0);
	fill(b, 1000, 1);
	uint64_t r = msgstore_put(&s, b, 1000, 0);
	assert_int_equal(msgstore_reserve(&s), 0);
	assert_int_equal(s.size, 1u << 20);
	assert_true(same_big(msgstore_get(&s, r, 1000), 1000, 1));
	msgstore_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_then_get),
		cmocka_unit_test(zero_is_never_a_reference),
		cmocka_unit_test(quarter_of_the_ring),
		cmocka_unit_test(records_never_wrap),
		cmocka_unit_test(wrapped_over_gives_null),
		cmocka_unit_test(future_reference_refused),
		cmocka_unit_test(after_free),
		cmocka_unit_test(tiny_ring),
		cmocka_unit_test(grows_only_for_young_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
