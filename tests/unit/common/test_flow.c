/*
 * test_flow.c - addresses, flows and capture time (common/flow.c).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../common/flow.h"

static void addr_parse_v4(void **state)
{
	(void)state;
	static const uint8_t want[16] = { 192, 0, 2, 53 };
	db_addr_t a;

	memset(&a, 0xee, sizeof(a));
	assert_int_equal(db_addr_parse(&a, "192.0.2.53"), 0);
	assert_int_equal(a.family, 4);
	/* The rest of the 16 bytes is zero, so memcmp-keyed tables work. */
	assert_memory_equal(a.a, want, 16);
}

static void addr_parse_v6(void **state)
{
	(void)state;
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    0,
					  0,    0,    0,    0,    0, 0, 0x00, 0x53 };
	static const uint8_t mapped[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1
	};
	db_addr_t a;

	assert_int_equal(db_addr_parse(&a, "2001:DB8::53"), 0);
	assert_int_equal(a.family, 6);
	assert_memory_equal(a.a, want, 16);
	/* An IPv4-mapped address stays IPv6. */
	assert_int_equal(db_addr_parse(&a, "::ffff:192.0.2.1"), 0);
	assert_int_equal(a.family, 6);
	assert_memory_equal(a.a, mapped, 16);
}

static void addr_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",           "192.0.2",      "192.0.2.256",    "192.0.2.1 ",
		" 192.0.2.1", "192.0.2.1/24", "2001:db8::1::2", "2001:db8:::1",
		"gggg::1",    "fe80::1%eth0", "localhost",
	};
	db_addr_t a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(db_addr_parse(&a, bad[i]), -1);
}

static void addr_str_forms(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "192.0.2.53", "192.0.2.53" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0053", "2001:db8::53" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "0:0:0:0:0:ffff:255.255.255.255", "::ffff:255.255.255.255" },
	};
	db_addr_t a;
	char buf[DB_ADDRSTRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(db_addr_parse(&a, cases[i].in), 0);
		assert_ptr_equal(db_addr_str(&a, buf), buf);
		assert_string_equal(buf, cases[i].out);
	}
	memset(&a, 0, sizeof(a));
	assert_string_equal(db_addr_str(&a, buf), "?");
	/* IPv4 is written by hand: every byte value in every position, as
	 * inet_ntop writes it. */
	for (unsigned v = 0; v < 256; v++)
		for (int pos = 0; pos < 4; pos++) {
			char want[INET_ADDRSTRLEN];
			memset(&a, 0, sizeof(a));
			a.family = 4;
			a.a[0] = 10;
			a.a[1] = 200;
			a.a[2] = 9;
			a.a[3] = 99;
			a.a[pos] = (uint8_t)v;
			assert_non_null(inet_ntop(AF_INET, a.a, want, sizeof(want)));
			assert_string_equal(db_addr_str(&a, buf), want);
		}
}

static void addr_eq_and_cmp(void **state)
{
	(void)state;
	db_addr_t a, b, c, v6;
	static const uint8_t same[16] = { 192, 0, 2, 1 };

	assert_int_equal(db_addr_parse(&a, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&b, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&c, "192.0.2.2"), 0);
	db_addr_set6(&v6, same);
	assert_true(db_addr_eq(&a, &b));
	assert_false(db_addr_eq(&a, &c));
	/* Same bytes, different family. */
	assert_false(db_addr_eq(&a, &v6));
	assert_int_equal(db_addr_cmp(&a, &b), 0);
	assert_true(db_addr_cmp(&a, &c) < 0);
	assert_true(db_addr_cmp(&c, &a) > 0);
	assert_true(db_addr_cmp(&c, &v6) < 0);
	assert_true(db_addr_cmp(&v6, &a) > 0);
}

static void time_str_exact(void **state)
{
	(void)state;
	static const struct {
		db_time_t t;
		const char *s;
	} cases[] = {
		{ 1767323045123456LL, "2026-01-02T03:04:05.123456Z" },
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ 1, "1970-01-01T00:00:00.000001Z" },
		{ 999999, "1970-01-01T00:00:00.999999Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ -1000000, "1969-12-31T23:59:59.000000Z" },
		{ -1500000, "1969-12-31T23:59:58.500000Z" },
		/* 32-bit pcap seconds: the signed and the unsigned ends. */
		{ -2147483648LL * 1000000, "1901-12-13T20:45:52.000000Z" },
		{ 4294967295LL * 1000000 + 999999, "2106-02-07T06:28:15.999999Z" },
		{ 951782400LL * 1000000, "2000-02-29T00:00:00.000000Z" },
		{ 253402300799999999LL, "9999-12-31T23:59:59.999999Z" },
	};
	char buf[DB_TIMESTRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(db_time_str(cases[i].t, buf), buf);
		assert_string_equal(buf, cases[i].s);
	}
}

static void time_str_extremes_fit(void **state)
{
	(void)state;
	char buf[DB_TIMESTRLEN];

	/* Far outside any capture: years that ISO 8601's four digits cannot
	 * hold are refused rather than printed in a broken format. */
	assert_string_equal(db_time_str(INT64_MAX, buf), "invalid-time");
	assert_string_equal(db_time_str(INT64_MIN, buf), "invalid-time");
	assert_string_equal(db_time_str(253402300799999999LL, buf), "9999-12-31T23:59:59.999999Z");
}

/* Regression: db_time_str once used strftime "%Y", which glibc does not
 * pad, so year 1 came out as "1-01-01T...".  ISO 8601 (RFC 3339
 * date-fullyear) needs four digits. */
static void time_str_four_digit_year(void **state)
{
	(void)state;
	char buf[DB_TIMESTRLEN];

	assert_string_equal(db_time_str(-62135596800000000LL, buf), "0001-01-01T00:00:00.000000Z");
	assert_string_equal(db_time_str(-59011459200000000LL, buf), "0100-01-01T00:00:00.000000Z");
}

static void flow_reverse(void **state)
{
	(void)state;
	db_flow_t f, g;

	memset(&f, 0, sizeof(f));
	assert_int_equal(db_addr_parse(&f.src, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&f.dst, "192.0.2.53"), 0);
	f.sport = 40000;
	f.dport = 53;
	f.proto = DB_PROTO_TCP;
	g = f;
	db_flow_reverse(&g);
	assert_true(db_addr_eq(&g.src, &f.dst));
	assert_true(db_addr_eq(&g.dst, &f.src));
	assert_int_equal(g.sport, 53);
	assert_int_equal(g.dport, 40000);
	assert_int_equal(g.proto, DB_PROTO_TCP);
	db_flow_reverse(&g);
	assert_memory_equal(&g, &f, sizeof(f));
}

static void hash_is_fnv1a(void **state)
{
	(void)state;
	/* FNV-1a 64 test vectors (Fowler/Noll/Vo reference). */
	assert_int_equal(db_hash_bytes(DB_HASH_INIT, "", 0), 0xcbf29ce484222325ULL);
	assert_int_equal(db_hash_bytes(DB_HASH_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(db_hash_bytes(DB_HASH_INIT, "foobar", 6), 0x85944171f73967e8ULL);
	/* Hashing in pieces equals hashing at once. */
	assert_int_equal(db_hash_bytes(db_hash_bytes(DB_HASH_INIT, "foo", 3), "bar", 3),
			 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_parse_v4),         cmocka_unit_test(addr_parse_v6),
		cmocka_unit_test(addr_parse_rejects),    cmocka_unit_test(addr_str_forms),
		cmocka_unit_test(addr_eq_and_cmp),       cmocka_unit_test(time_str_exact),
		cmocka_unit_test(time_str_extremes_fit), cmocka_unit_test(time_str_four_digit_year),
		cmocka_unit_test(flow_reverse),          cmocka_unit_test(hash_is_fnv1a),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
