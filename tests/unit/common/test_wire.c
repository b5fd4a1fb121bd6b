/*
 * test_wire.c - the bounds-checked reader (common/wire.h), claim by claim.
 *
 * wire.h promises: reads are big-endian, but for wire_le16/wire_le32; the
 * first read that would pass the end sets a sticky error, after which
 * every read returns zero and moves nothing; wire_left() is 0 once the
 * error is set; seek stays inside [0, len]; a sub-reader covers the next n
 * bytes and the parent skips them; a peek neither moves nor fails the
 * reader and gives 0 for what is not there; the reader never touches
 * memory outside [buf, buf + len).  The
 * last is checked by AddressSanitizer (make SANITIZER=address,undefined
 * unit): every buffer here is a malloc'ed copy of exactly its length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../common/wire.h"

/* A heap copy of exactly n octets, so that a read past it is an ASan
 * error (n = 0 gives a one-octet allocation the reader may not touch).
 * Not inlined: gcc's -Warray-bounds, seeing the size, would flag reads in
 * the branches the reader's own checks rule out. */
__attribute__((noinline)) static uint8_t *heap(const void *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	assert_non_null(b);
	if (n)
		memcpy(b, p, n);
	return b;
}

/* The reader is failed: not ok, nothing left, and every read gives zero
 * without moving. */
static void assert_failed_at(wire_t *w, size_t pos)
{
	uint8_t dst[4] = { 0xAA, 0xAA, 0xAA, 0xAA };

	assert_false(wire_ok(w));
	assert_int_equal(wire_left(w), 0);
	assert_int_equal(w->pos, pos);
	assert_int_equal(wire_u8(w), 0);
	assert_int_equal(wire_u16(w), 0);
	assert_int_equal(wire_u32(w), 0);
	assert_int_equal(wire_le16(w), 0);
	assert_int_equal(wire_le32(w), 0);
	assert_int_equal(wire_peek_u8(w, 0), 0);
	assert_int_equal(wire_peek_u16(w, 0), 0);
	assert_null(wire_take(w, 0));
	assert_null(wire_take(w, 1));
	assert_int_equal(wire_need(w, 0), 0);
	wire_skip(w, 0);
	wire_copy(w, dst, sizeof(dst));
	assert_memory_equal(dst, "\0\0\0\0", 4);
	wire_seek(w, 0); /* a seek does not clear the error */
	wire_t s = wire_sub(w, 0);
	assert_false(wire_ok(&s));
	assert_int_equal(wire_left(&s), 0);
	assert_false(wire_ok(w));
	assert_int_equal(w->pos, pos);
	assert_int_equal(wire_left(w), 0);
}

/* --- init, ok, left ------------------------------------------------------ */

static void test_init(void **state)
{
	(void)state;
	static const uint8_t d[] = { 1, 2, 3 };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;

	memset(&w, 0x5A, sizeof(w)); /* init sets every field */
	wire_init(&w, b, sizeof(d));
	assert_ptr_equal(w.buf, b);
	assert_int_equal(w.len, 3);
	assert_int_equal(w.pos, 0);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 3);
	assert_ptr_equal(wire_cur(&w), b);

	/* A NULL buffer reads as empty whatever length is given. */
	memset(&w, 0x5A, sizeof(w));
	wire_init(&w, NULL, 100);
	assert_null(w.buf);
	assert_int_equal(w.len, 0);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	assert_null(wire_cur(&w));
	assert_int_equal(wire_u8(&w), 0);
	assert_failed_at(&w, 0);

	/* Re-initialising clears a sticky error. */
	wire_init(&w, b, 3);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_u8(&w), 1);
	free(b);
}

/* --- fixed-width reads --------------------------------------------------- */

static void test_reads_big_endian(void **state)
{
	(void)state;
	static const uint8_t d[] = {
		0x01,                   /* u8 */
		0x02, 0x03,             /* u16 */
		0x04, 0x05, 0x06, 0x07, /* u32 */
		0xFF,                   /* u8, all ones */
		0xFF, 0xFE,             /* u16 with the top bit set */
		0x80, 0x00, 0x00, 0x01, /* u32 with the top bit set */
		0xFF, 0xFF, 0xFF, 0xFF, /* u32, all ones */
	};
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	assert_int_equal(wire_u8(&w), 0x01);
	assert_int_equal(w.pos, 1);
	assert_int_equal(wire_u16(&w), 0x0203);
	assert_int_equal(w.pos, 3);
	assert_int_equal(wire_u32(&w), 0x04050607u);
	assert_int_equal(w.pos, 7);
	assert_int_equal(wire_u8(&w), 0xFF);
	assert_int_equal(wire_u16(&w), 0xFFFE);
	assert_int_equal(wire_u32(&w), 0x80000001u);
	uint32_t all = wire_u32(&w);
	assert_true(all == 0xFFFFFFFFu);
	/* Exactly at the end: still ok, nothing left. */
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	assert_int_equal(w.pos, sizeof(d));
	assert_ptr_equal(wire_cur(&w), b + sizeof(d));
	/* One more octet is one too many. */
	assert_int_equal(wire_u8(&w), 0);
	assert_failed_at(&w, sizeof(d));
	free(b);
}

/* wire_le16 and wire_le32: the same octets, the other way round, with the
 * same sticky error. */
static void test_reads_little_endian(void **state)
{
	(void)state;
	static const uint8_t d[] = {
		0x01, 0x02,             /* le16 */
		0x03, 0x04, 0x05, 0x06, /* le32 */
		0xFF, 0xFE,             /* le16 with the top bit set */
		0x01, 0x00, 0x00, 0x80, /* le32 with the top bit set */
	};
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	assert_int_equal(wire_le16(&w), 0x0201);
	assert_int_equal(w.pos, 2);
	assert_int_equal(wire_le32(&w), 0x06050403u);
	assert_int_equal(w.pos, 6);
	assert_int_equal(wire_le16(&w), 0xFEFF);
	uint32_t top = wire_le32(&w);
	assert_true(top == 0x80000001u);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	assert_int_equal(wire_le16(&w), 0);
	assert_failed_at(&w, sizeof(d));
	free(b);

	/* Overrun by one octet: 0, the octets there are not consumed. */
	b = heap(d, 3);
	wire_init(&w, b, 3);
	assert_int_equal(wire_u8(&w), 0x01);
	assert_int_equal(wire_le32(&w), 0);
	assert_failed_at(&w, 1);
	free(b);
	b = heap(d, 1);
	wire_init(&w, b, 1);
	assert_int_equal(wire_le16(&w), 0);
	assert_failed_at(&w, 0);
	free(b);
}

/*
 * Each width overrun by one octet: the read returns 0, the error is set,
 * the position stays where the read began (the octets that were there are
 * not consumed), and every later read, even one that would fit, is 0.
 */
static void test_overrun_by_one(void **state)
{
	(void)state;
	static const uint8_t d[] = { 0x11, 0x22, 0x33, 0x44, 0x55 };
	wire_t w;

	for (size_t width = 1; width <= 4; width *= 2) {
		for (size_t before = 0; before <= 1; before++) {
			/* `before` octets read first, then width - 1 remain. */
			size_t n = before + width - 1;
			uint8_t *b = heap(d, n);
			wire_init(&w, b, n);
			if (before)
				assert_int_equal(wire_u8(&w), 0x11);
			assert_true(wire_ok(&w));
			assert_int_equal(wire_left(&w), width - 1);
			uint32_t v = 0xDEAD;
			switch (width) {
			case 1: v = wire_u8(&w); break;
			case 2: v = wire_u16(&w); break;
			case 4: v = wire_u32(&w); break;
			}
			assert_int_equal(v, 0);
			assert_failed_at(&w, before);
			free(b);
		}
	}

	/* A failed wide read followed by a narrow one that would have fit. */
	uint8_t *b = heap(d, 3);
	wire_init(&w, b, 3);
	assert_int_equal(wire_u32(&w), 0);
	assert_int_equal(w.pos, 0);
	assert_int_equal(wire_u8(&w), 0);
	assert_int_equal(wire_u16(&w), 0);
	assert_failed_at(&w, 0);
	free(b);
}

/* A parser reads several fields and checks once. */
static void test_check_once(void **state)
{
	(void)state;
	static const uint8_t hdr[] = { 0x12, 0x34, 0x81, 0x80, 0x00, 0x01 }; /* cut DNS header */
	uint8_t *b = heap(hdr, sizeof(hdr));
	wire_t w;
	wire_init(&w, b, sizeof(hdr));

	uint16_t id = wire_u16(&w), flags = wire_u16(&w), qd = wire_u16(&w);
	uint16_t an = wire_u16(&w), ns = wire_u16(&w), ar = wire_u16(&w);
	assert_false(wire_ok(&w));
	/* The fields read before the overrun are right; the rest are 0. */
	assert_int_equal(id, 0x1234);
	assert_int_equal(flags, 0x8180);
	assert_int_equal(qd, 1);
	assert_int_equal(an + ns + ar, 0);
	assert_int_equal(w.pos, 6);
	free(b);
}

/* --- need, take, skip, copy --------------------------------------------- */

static void test_need(void **state)
{
	(void)state;
	static const uint8_t d[] = { 1, 2 };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, 2);

	/* need checks and marks; it never moves. */
	assert_int_equal(wire_need(&w, 0), 1);
	assert_int_equal(wire_need(&w, 2), 1);
	assert_int_equal(w.pos, 0);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_need(&w, 3), 0);
	assert_failed_at(&w, 0);

	wire_init(&w, b, 2);
	assert_int_equal(wire_need(&w, SIZE_MAX), 0);
	assert_failed_at(&w, 0);

	/* At the end, 0 octets may still be needed. */
	wire_init(&w, b, 2);
	wire_skip(&w, 2);
	assert_int_equal(wire_need(&w, 0), 1);
	assert_int_equal(wire_need(&w, 1), 0);
	assert_failed_at(&w, 2);
	free(b);
}

static void test_take(void **state)
{
	(void)state;
	static const uint8_t d[] = { 'a', 'b', 'c', 'd', 'e' };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	/* A pointer into the buffer, not a copy; the octets are consumed. */
	const uint8_t *p = wire_take(&w, 2);
	assert_ptr_equal(p, b);
	assert_int_equal(w.pos, 2);
	/* Zero octets: a valid pointer, nothing consumed, even at the end. */
	p = wire_take(&w, 0);
	assert_ptr_equal(p, b + 2);
	assert_int_equal(w.pos, 2);
	p = wire_take(&w, 3);
	assert_ptr_equal(p, b + 2);
	assert_int_equal(wire_left(&w), 0);
	p = wire_take(&w, 0);
	assert_ptr_equal(p, b + 5);
	assert_true(wire_ok(&w));
	/* Past the end by one. */
	assert_null(wire_take(&w, 1));
	assert_failed_at(&w, 5);

	/* A take longer than what is left consumes nothing. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 1);
	assert_null(wire_take(&w, 5));
	assert_failed_at(&w, 1);
	/* A length that would wrap pos + n around does not pass. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 1);
	assert_null(wire_take(&w, SIZE_MAX));
	assert_failed_at(&w, 1);
	free(b);
}

static void test_skip(void **state)
{
	(void)state;
	static const uint8_t d[] = { 1, 2, 3, 4 };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	wire_skip(&w, 0);
	assert_int_equal(w.pos, 0);
	wire_skip(&w, 3);
	assert_int_equal(w.pos, 3);
	assert_int_equal(wire_u8(&w), 4);
	assert_true(wire_ok(&w));

	/* Skipping exactly to the end is fine; one past is an overrun that
	 * leaves the position where it was. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 4);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 1);
	wire_skip(&w, 4);
	assert_failed_at(&w, 1);
	free(b);
}

static void test_copy(void **state)
{
	(void)state;
	static const uint8_t d[] = { 9, 8, 7, 6, 5 };
	uint8_t *b = heap(d, sizeof(d));
	uint8_t dst[8];
	wire_t w;
	wire_init(&w, b, sizeof(d));

	memset(dst, 0xEE, sizeof(dst));
	wire_copy(&w, dst, 3);
	assert_memory_equal(dst, d, 3);
	assert_int_equal(dst[3], 0xEE); /* nothing past n is written */
	assert_int_equal(w.pos, 3);
	wire_copy(&w, dst, 0);
	assert_int_equal(w.pos, 3);
	assert_true(wire_ok(&w));

	/* Overrun by one: dst is zero-filled for n octets, no more. */
	memset(dst, 0xEE, sizeof(dst));
	wire_copy(&w, dst, 3);
	assert_memory_equal(dst, "\0\0\0", 3);
	assert_int_equal(dst[3], 0xEE);
	assert_failed_at(&w, 3);

	/* Exactly to the end. */
	wire_init(&w, b, sizeof(d));
	wire_copy(&w, dst, sizeof(d));
	assert_memory_equal(dst, d, sizeof(d));
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	free(b);
}

/* --- seek ------------------------------------------------------------------ */

static void test_seek(void **state)
{
	(void)state;
	static const uint8_t d[] = { 10, 11, 12, 13 };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	/* Absolute, forwards and backwards. */
	wire_seek(&w, 2);
	assert_int_equal(wire_u8(&w), 12);
	wire_seek(&w, 0);
	assert_int_equal(wire_u8(&w), 10);
	wire_seek(&w, 3);
	assert_int_equal(wire_u8(&w), 13);
	/* To the end itself: allowed, nothing left. */
	wire_seek(&w, 4);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	assert_int_equal(w.pos, 4);
	/* Past the end: an error, and the position does not move. */
	wire_seek(&w, 1);
	wire_seek(&w, 5);
	assert_failed_at(&w, 1);

	wire_init(&w, b, sizeof(d));
	wire_seek(&w, SIZE_MAX);
	assert_failed_at(&w, 0);

	/* A seek back inside the buffer does not undo an error. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 2);
	assert_int_equal(wire_u32(&w), 0);
	wire_seek(&w, 0);
	assert_failed_at(&w, 2);
	free(b);
}

/* --- sub-readers ------------------------------------------------------------ */

static void test_sub(void **state)
{
	(void)state;
	static const uint8_t d[] = { 0x00, 0x03, 'a', 'b', 'c', 0x7F };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	/* A length-delimited field: the sub-reader sees its n octets from
	 * position 0, the parent moves past them. */
	uint16_t n = wire_u16(&w);
	wire_t s = wire_sub(&w, n);
	assert_true(wire_ok(&s));
	assert_ptr_equal(s.buf, b + 2);
	assert_int_equal(s.len, 3);
	assert_int_equal(s.pos, 0);
	assert_int_equal(w.pos, 5);
	assert_int_equal(wire_u8(&s), 'a');
	/* An overrun inside the sub-reader stays there. */
	assert_int_equal(wire_u16(&s), ('b' << 8) | 'c');
	assert_int_equal(wire_u8(&s), 0);
	assert_false(wire_ok(&s));
	assert_true(wire_ok(&w));
	assert_int_equal(wire_u8(&w), 0x7F);
	/* Seek in a sub-reader is relative to the sub-reader. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 2);
	s = wire_sub(&w, 3);
	wire_seek(&s, 3);
	assert_true(wire_ok(&s));
	wire_seek(&s, 4); /* inside the parent, outside the sub-reader */
	assert_false(wire_ok(&s));

	/* Exactly to the end, and zero octets at the end. */
	wire_init(&w, b, sizeof(d));
	s = wire_sub(&w, sizeof(d));
	assert_true(wire_ok(&s));
	assert_int_equal(wire_left(&s), sizeof(d));
	assert_int_equal(wire_left(&w), 0);
	s = wire_sub(&w, 0);
	assert_true(wire_ok(&s));
	assert_int_equal(wire_left(&s), 0);
	assert_int_equal(wire_u8(&s), 0);
	assert_false(wire_ok(&s));
	assert_true(wire_ok(&w));

	/* Over the end by one: both fail, the parent does not move, and the
	 * sub-reader is empty, with no buffer. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 2);
	s = wire_sub(&w, sizeof(d) - 1);
	assert_false(wire_ok(&s));
	assert_null(s.buf);
	assert_int_equal(s.len, 0);
	assert_null(wire_cur(&s));
	assert_failed_at(&s, 0);
	assert_failed_at(&w, 2);

	/* A sub-reader of a failed parent fails. */
	s = wire_sub(&w, 0);
	assert_false(wire_ok(&s));
	free(b);
}

/* --- cur ------------------------------------------------------------------ */

static void test_cur(void **state)
{
	(void)state;
	static const uint8_t d[] = { 1, 2, 3 };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	assert_ptr_equal(wire_cur(&w), b);
	wire_skip(&w, 2);
	assert_ptr_equal(wire_cur(&w), b + 2);
	/* After an overrun it still points where the failed read began. */
	assert_int_equal(wire_u16(&w), 0);
	assert_ptr_equal(wire_cur(&w), b + 2);
	free(b);
}

/* --- peek ----------------------------------------------------------------- */

static void test_peek(void **state)
{
	(void)state;
	static const uint8_t d[] = { 0xAB, 0xCD, 0xEF };
	uint8_t *b = heap(d, sizeof(d));
	wire_t w;
	wire_init(&w, b, sizeof(d));

	/* Offsets count from the position; nothing moves. */
	wire_skip(&w, 1);
	assert_int_equal(wire_peek_u8(&w, 0), 0xCD);
	assert_int_equal(wire_peek_u8(&w, 1), 0xEF);
	assert_int_equal(wire_peek_u16(&w, 0), 0xCDEF);
	assert_int_equal(w.pos, 1);
	assert_int_equal(wire_left(&w), 2);
	/* Past the end: 0, and the reader is still good. */
	assert_int_equal(wire_peek_u8(&w, 2), 0);
	assert_int_equal(wire_peek_u16(&w, 1), 0);
	assert_int_equal(wire_peek_u16(&w, 2), 0);
	assert_int_equal(wire_peek_u8(&w, SIZE_MAX), 0);
	assert_int_equal(wire_peek_u16(&w, SIZE_MAX), 0);
	assert_int_equal(wire_peek_u16(&w, SIZE_MAX - 1), 0);
	assert_true(wire_ok(&w));
	assert_int_equal(w.pos, 1);
	/* What was peeked is what is read. */
	assert_int_equal(wire_u16(&w), 0xCDEF);
	assert_int_equal(wire_peek_u8(&w, 0), 0);
	assert_int_equal(wire_peek_u16(&w, 0), 0);
	assert_true(wire_ok(&w));

	/* One octet left: a 16-bit peek needs two. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 2);
	assert_int_equal(wire_peek_u8(&w, 0), 0xEF);
	assert_int_equal(wire_peek_u16(&w, 0), 0);
	assert_true(wire_ok(&w));

	/* A failed reader peeks 0 even where octets are. */
	wire_init(&w, b, sizeof(d));
	wire_skip(&w, 4);
	assert_int_equal(wire_peek_u8(&w, 0), 0);
	assert_int_equal(wire_peek_u16(&w, 0), 0);
	assert_failed_at(&w, 0);

	/* Empty and NULL buffers. */
	wire_init(&w, b, 0);
	assert_int_equal(wire_peek_u8(&w, 0), 0);
	assert_int_equal(wire_peek_u16(&w, 0), 0);
	assert_true(wire_ok(&w));
	wire_init(&w, NULL, 5);
	assert_int_equal(wire_peek_u8(&w, 0), 0);
	assert_int_equal(wire_peek_u16(&w, 0), 0);
	assert_true(wire_ok(&w));
	free(b);
}

/* --- zero-length buffers ----------------------------------------------- */

static void test_zero_length(void **state)
{
	(void)state;
	uint8_t *b = heap("", 0);
	uint8_t dst[2] = { 0xEE, 0xEE };
	wire_t w;

	wire_init(&w, b, 0);
	assert_true(wire_ok(&w));
	assert_int_equal(wire_left(&w), 0);
	assert_int_equal(wire_need(&w, 0), 1);
	assert_ptr_equal(wire_take(&w, 0), b);
	wire_skip(&w, 0);
	wire_copy(&w, dst, 0);
	assert_int_equal(dst[0], 0xEE);
	wire_seek(&w, 0);
	wire_t s = wire_sub(&w, 0);
	assert_true(wire_ok(&s));
	assert_true(wire_ok(&w));

	static const size_t widths[] = { 1, 2, 4 };
	for (size_t i = 0; i < 3; i++) {
		wire_init(&w, b, 0);
		uint32_t v = widths[i] == 1   ? wire_u8(&w)
			     : widths[i] == 2 ? wire_u16(&w)
					      : wire_u32(&w);
		assert_int_equal(v, 0);
		assert_failed_at(&w, 0);
	}
	wire_init(&w, b, 0);
	wire_copy(&w, dst, 2);
	assert_memory_equal(dst, "\0\0", 2);
	assert_failed_at(&w, 0);
	wire_init(&w, b, 0);
	wire_seek(&w, 1);
	assert_failed_at(&w, 0);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_reads_big_endian),
		cmocka_unit_test(test_reads_little_endian),
		cmocka_unit_test(test_overrun_by_one),
		cmocka_unit_test(test_check_once),
		cmocka_unit_test(test_need),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_cur),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_zero_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
