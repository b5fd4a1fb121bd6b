/*
 * test_jsonw.c - the streaming JSON writer (report/jsonw.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../report/jsonw.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	jsonw_t w;
};

static void out_open(struct out *o, int pretty)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	jw_init(&o->w, o->f, pretty);
}

/* Closes the stream and compares everything written with want. */
static void out_check(struct out *o, const char *want)
{
	jw_flush(&o->w);
	assert_int_equal(fclose(o->f), 0);
	assert_string_equal(o->buf, want);
	assert_int_equal(o->len, strlen(want));
	free(o->buf);
}

/* One jw_strn value at the top level. */
static void check_bytes(const void *s, size_t n, const char *want)
{
	struct out o;

	out_open(&o, 0);
	jw_strn(&o.w, NULL, s, n);
	out_check(&o, want);
}

static void escapes(void **state)
{
	(void)state;
	struct out o;

	out_open(&o, 0);
	jw_str(&o.w, NULL, "say \"hi\" \\ C:\\dir");
	out_check(&o, "\"say \\\"hi\\\" \\\\ C:\\\\dir\"");

	check_bytes("a\nb\tc\r\x01\x1f\x7f/", 10,
		    "\"a\\u000ab\\u0009c\\u000d\\u0001\\u001f\\u007f/\"");
	/* An embedded NUL in a counted string. */
	check_bytes("a\0b", 3, "\"a\\u0000b\"");
	check_bytes("", 0, "\"\"");
}

static void valid_utf8_kept(void **state)
{
	(void)state;
	/* é (2 bytes), € (3), U+1D11E (4), U+10FFFF (the last code point). */
	static const uint8_t s[] = { 'x',  0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9d,
				     0x84, 0x9e, 0xf4, 0x8f, 0xbf, 0xbf, 'y' };

	check_bytes(s, sizeof(s), "\"x\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xf4\x8f\xbf\xbfy\"");
	/* U+E000 and U+D7FF sit right beside the surrogate range. */
	check_bytes("\xee\x80\x80\xed\x9f\xbf", 6, "\"\xee\x80\x80\xed\x9f\xbf\"");
}

static void invalid_utf8_replaced(void **state)
{
	(void)state;
	check_bytes("a\xff"
		    "b",
		    3, "\"a\\ufffdb\"");
	check_bytes("\x80", 1, "\"\\ufffd\"");
	/* A lead byte followed by a non-continuation. */
	check_bytes("\xc3(", 2, "\"\\ufffd(\"");
	/* Overlong 2-byte encoding of '/'. */
	check_bytes("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	/* Lead byte beyond U+10FFFF. */
	check_bytes("\xf5\x80\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* Sequence cut by the end of the data: nothing raw may leak out. */
	check_bytes("ok\xc3", 3, "\"ok\\ufffd\"");
}

/* Regression: put_escaped once checked only the lead byte and that
 * continuation bytes are 10xxxxxx, letting surrogates (ED A0 80), overlong
 * forms (E0 80 AF, F0 80 80 AF) and code points above U+10FFFF (F4 90 80 80)
 * through raw.  RFC 3629 4 second-byte ranges now apply; each bad byte
 * becomes U+FFFD. */
static void invalid_utf8_ranges_replaced(void **state)
{
	(void)state;
	check_bytes("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_bytes("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_bytes("\xf0\x80\x80\xaf", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_bytes("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void commas_and_nesting(void **state)
{
	(void)state;
	struct out o;

	out_open(&o, 0);
	jw_obj_open(&o.w, NULL);
	jw_str(&o.w, "a", "x");
	jw_u64(&o.w, "n", UINT64_MAX);
	jw_arr_open(&o.w, "l");
	jw_u64(&o.w, NULL, 1);
	jw_bool(&o.w, NULL, 1);
	jw_bool(&o.w, NULL, 0);
	jw_null(&o.w, NULL);
	jw_obj_open(&o.w, NULL);
	jw_obj_close(&o.w);
	jw_arr_open(&o.w, NULL);
	jw_u64(&o.w, NULL, 0);
	jw_arr_close(&o.w);
	jw_arr_close(&o.w);
	jw_obj_open(&o.w, "o");
	jw_double(&o.w, "d", 1.5);
	jw_null(&o.w, "z");
	jw_obj_close(&o.w);
	jw_arr_open(&o.w, "e");
	jw_arr_close(&o.w);
	jw_obj_close(&o.w);
	jw_end(&o.w);
	out_check(&o, "{\"a\":\"x\",\"n\":18446744073709551615,"
		      "\"l\":[1,true,false,null,{},[0]],"
		      "\"o\":{\"d\":1.500,\"z\":null},\"e\":[]}\n");
}

static void keys_are_escaped(void **state)
{
	(void)state;
	struct out o;

	out_open(&o, 0);
	jw_obj_open(&o.w, NULL);
	jw_u64(&o.w, "q\"k\\\n", 3);
	jw_obj_close(&o.w);
	out_check(&o, "{\"q\\\"k\\\\\\u000a\":3}");
}

static void pretty_layout(void **state)
{
	(void)state;
	struct out o;

	out_open(&o, 1);
	jw_obj_open(&o.w, NULL);
	jw_u64(&o.w, "a", 1);
	jw_arr_open(&o.w, "l");
	jw_u64(&o.w, NULL, 2);
	jw_str(&o.w, NULL, "s");
	jw_arr_close(&o.w);
	jw_obj_open(&o.w, "empty");
	jw_obj_close(&o.w);
	jw_obj_close(&o.w);
	jw_end(&o.w);
	out_check(&o, "{\n"
		      "  \"a\": 1,\n"
		      "  \"l\": [\n"
		      "    2,\n"
		      "    \"s\"\n"
		      "  ],\n"
		      "  \"empty\": {}\n"
		      "}\n");
}

static void write_to_fmemopen(void **state)
{
	(void)state;
	char buf[64];
	jsonw_t w;

	memset(buf, 0, sizeof(buf));
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	jw_init(&w, f, 0);
	jw_arr_open(&w, NULL);
	jw_double(&w, NULL, 0.0005);
	jw_double(&w, NULL, -2.25);
	jw_arr_close(&w);
	assert_string_equal(buf, ""); /* buffered until flushed */
	jw_flush(&w);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "[0.001,-2.250]");
}

/* Documents larger than the writer's buffer, with strings larger than it
 * and pieces that straddle its end, come out whole and in order; the
 * largest double is written whole. */
static void larger_than_the_buffer(void **state)
{
	(void)state;
	struct out o;
	size_t big = 3 * JSONW_BUF + 7;
	char *s = malloc(big + 1);
	assert_non_null(s);
	for (size_t i = 0; i < big; i++)
		s[i] = (char)('a' + i % 26);
	s[big] = 0;
	out_open(&o, 0);
	jw_arr_open(&o.w, NULL);
	for (int i = 0; i < 2000; i++)
		jw_u64(&o.w, NULL, (uint64_t)i * 1000003);
	jw_str(&o.w, NULL, s);
	jw_double(&o.w, NULL, 1.7976931348623157e308);
	jw_arr_close(&o.w);
	jw_end(&o.w);
	assert_int_equal(fclose(o.f), 0);
	/* The same, built by hand. */
	size_t cap = big + 64 * 1024;
	char *want = malloc(cap);
	assert_non_null(want);
	size_t n = 0;
	want[n++] = '[';
	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(want + n, cap - n, "%s%llu", i ? "," : "",
				      (unsigned long long)i * 1000003);
	n += (size_t)snprintf(want + n, cap - n, ",\"%s\",%.3f]\n", s, 1.7976931348623157e308);
	assert_int_equal(o.len, n);
	assert_memory_equal(o.buf, want, n);
	free(want);
	free(s);
	free(o.buf);
}

/* Integers at the ends of their range. */
static void u64_extremes(void **state)
{
	(void)state;
	struct out o;

	out_open(&o, 0);
	jw_arr_open(&o.w, NULL);
	jw_u64(&o.w, NULL, 0);
	jw_u64(&o.w, NULL, 9);
	jw_u64(&o.w, NULL, 10);
	jw_u64(&o.w, NULL, UINT64_MAX);
	jw_arr_close(&o.w);
	out_check(&o, "[0,9,10,18446744073709551615]");
}

/* Each octet alone: printable ASCII as it is, the quote and the backslash
 * escaped, controls and DEL as \u00XX, and an octet of 0x80 or more,
 * never valid UTF-8 alone, replaced. */
static void every_octet(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		char want[16];
		if (c == '"' || c == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", c);
		else if (c < 0x20 || c == 0x7f)
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		else if (c >= 0x80)
			snprintf(want, sizeof(want), "\"\\ufffd\"");
		else
			snprintf(want, sizeof(want), "\"%c\"", c);
		uint8_t b = (uint8_t)c;
		check_bytes(&b, 1, want);
	}
}

/* A special octet at every place of a 20-octet string (the writer scans
 * eight octets at a time): escaped where it is, the rest as it was. */
static void special_octet_at_every_place(void **state)
{
	(void)state;
	const uint8_t special[] = { 0x00, 0x01, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff };
	const char *esc[] = { "\\u0000", "\\u0001", "\\u001f", "\\\"",   "\\\\",
			      "\\u007f", "\\ufffd", "\\ufffd", "\\ufffd" };
	for (size_t k = 0; k < sizeof(special); k++) {
		for (size_t at = 0; at < 20; at++) {
			uint8_t s[20];
			char want[64];
			for (size_t i = 0; i < sizeof(s); i++)
				s[i] = (uint8_t)(' ' + i); /* " !#$..." but the quote */
			s[2] = '~';
			s[at] = special[k];
			size_t n = 0;
			want[n++] = '"';
			for (size_t i = 0; i < sizeof(s); i++) {
				if (i == at)
					n += (size_t)snprintf(want + n, sizeof(want) - n, "%s",
							      esc[k]);
				else
					want[n++] = (char)s[i];
			}
			want[n++] = '"';
			want[n] = 0;
			check_bytes(s, sizeof(s), want);
		}
	}
}

/* A string of plain octets after a prefix of every length around the
 * buffer's size: whether it fits, fits but for its closing quote, or
 * makes the buffer go out first, it comes out whole. */
static void plain_strings_across_the_buffer_end(void **state)
{
	(void)state;
	const char *tail = "abcdefghijklmnopqrstuvwxyz0123";
	for (size_t k = JSONW_BUF - 40; k <= JSONW_BUF + 4; k++) {
		char *pre = malloc(k + 1);
		char *want = malloc(k + 64);
		assert_non_null(pre);
		assert_non_null(want);
		memset(pre, 'p', k);
		pre[k] = 0;
		struct out o;
		out_open(&o, 0);
		jw_arr_open(&o.w, NULL);
		jw_str(&o.w, NULL, pre);
		jw_str(&o.w, NULL, tail);
		jw_arr_close(&o.w);
		snprintf(want, k + 64, "[\"%s\",\"%s\"]", pre, tail);
		out_check(&o, want);
		free(pre);
		free(want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes),
		cmocka_unit_test(valid_utf8_kept),
		cmocka_unit_test(invalid_utf8_replaced),
		cmocka_unit_test(invalid_utf8_ranges_replaced),
		cmocka_unit_test(commas_and_nesting),
		cmocka_unit_test(keys_are_escaped),
		cmocka_unit_test(pretty_layout),
		cmocka_unit_test(write_to_fmemopen),
		cmocka_unit_test(larger_than_the_buffer),
		cmocka_unit_test(u64_extremes),
		cmocka_unit_test(every_octet),
		cmocka_unit_test(special_octet_at_every_place),
		cmocka_unit_test(plain_strings_across_the_buffer_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
