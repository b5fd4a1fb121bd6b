/*
 * test_ip6.c - IPv6 header and extension header chain (capture/ip6.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/ip6.h"

#define SRC6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define DST6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53
/* Fixed header: version 6, payload length, next header, hop limit 64. */
#define FIX6(plen, nh) 0x60, 0x00, 0x00, 0x00, (plen) >> 8, (plen)&0xff, (nh), 0x40, SRC6, DST6
#define UDP8 0x9c, 0x40, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00

static db_status_t parse(const uint8_t *b, size_t n, ip6_hdr_t *h, size_t *pos)
{
	wire_t w;

	wire_init(&w, b, n);
	db_status_t st = ip6_parse(&w, h);
	*pos = w.pos;
	return st;
}

static void assert_addrs(const ip6_hdr_t *h)
{
	db_addr_t s, d;

	assert_int_equal(db_addr_parse(&s, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&d, "2001:db8::53"), 0);
	assert_int_equal(h->have_addrs, 1);
	assert_true(db_addr_eq(&h->src, &s));
	assert_true(db_addr_eq(&h->dst, &d));
}

static void plain_udp(void **state)
{
	(void)state;
	static const uint8_t p[] = { FIX6(8, 17), UDP8 };
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(p, sizeof(p), &h, &pos), DB_OK);
	assert_addrs(&h);
	assert_int_equal(h.nh, 17);
	assert_int_equal(h.payload_len, 8);
	assert_int_equal(h.frag, 0);
	assert_int_equal(pos, 40);
}

static void hop_routing_dstopts(void **state)
{
	(void)state;
	static const uint8_t p[] = {
		FIX6(40, 0),
		/* Hop-by-hop: next routing, length 0 (8 bytes), PadN. */
		43,
		0,
		0x01,
		0x04,
		0,
		0,
		0,
		0,
		/* Routing: next dest opts, length 1 (16 bytes), type 4, segleft 0. */
		60,
		1,
		4,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		/* Destination options: next UDP, 8 bytes. */
		17,
		0,
		0x01,
		0x04,
		0,
		0,
		0,
		0,
		UDP8,
	};
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(p, sizeof(p), &h, &pos), DB_OK);
	assert_addrs(&h);
	assert_int_equal(h.nh, 17);
	assert_int_equal(h.frag, 0);
	assert_int_equal(pos, 72);
}

static void fragment_first(void **state)
{
	(void)state;
	/* Offset 0, M = 1, id 0x12345678. */
	static const uint8_t p[] = {
		FIX6(16, 44), 17, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78, UDP8
	};
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(p, sizeof(p), &h, &pos), DB_OK);
	assert_int_equal(h.frag, 1);
	assert_int_equal(h.frag_more, 1);
	assert_int_equal(h.frag_offset, 0);
	assert_int_equal(h.frag_id, 0x12345678);
	assert_int_equal(h.frag_nh, 17);
	assert_int_equal(h.nh, 17);
	assert_int_equal(pos, 48);
}

static void fragment_non_first_stops_at_data(void **state)
{
	(void)state;
	/* Offset 1480 (185 units), M = 0; the Fragment header names dest
	 * options, but the bytes after it are data and must not be walked. */
	static const uint8_t p[] = { FIX6(16, 44), 60,   0, 0x05, 0xc8, 0xde, 0xad, 0xbe, 0xef,
				     0xff,         0xff, 0, 0,    0,    0,    0,    0 };
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(p, sizeof(p), &h, &pos), DB_OK);
	assert_int_equal(h.frag, 1);
	assert_int_equal(h.frag_more, 0);
	assert_int_equal(h.frag_offset, 1480);
	assert_int_equal(h.frag_id, 0xdeadbeef);
	assert_int_equal(h.nh, 60);
	assert_int_equal(pos, 48);
}

static void atomic_fragment_is_whole(void **state)
{
	(void)state;
	/* RFC 6946: offset 0 and M = 0; the walk continues into dest opts. */
	static const uint8_t p[] = { FIX6(24, 44), 60, 0,    0x00, 0x00, 0, 0, 0, 9,
				     17,           0,  0x01, 0x04, 0,    0, 0, 0, UDP8 };
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(p, sizeof(p), &h, &pos), DB_OK);
	assert_int_equal(h.frag, 0);
	assert_int_equal(h.nh, 17);
	assert_int_equal(pos, 56);
}

static void ah_and_no_next_header(void **state)
{
	(void)state;
	/* AH (RFC 4302): next UDP, payload length 4 -> (4 + 2) * 4 = 24 bytes. */
	static const uint8_t ah[] = {
		FIX6(32, 51), 17, 4,  0,   0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9,
		10,           11, 12, UDP8
	};
	static const uint8_t none[] = { FIX6(0, 59) };
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(ah, sizeof(ah), &h, &pos), DB_OK);
	assert_int_equal(h.nh, 17);
	assert_int_equal(pos, 64);
	assert_int_equal(parse(none, sizeof(none), &h, &pos), DB_OK);
	assert_int_equal(h.nh, 59);
	assert_int_equal(pos, 40);
}

static void chain_cut(void **state)
{
	(void)state;
	/* Hop-by-hop of 16 bytes, only 10 present. */
	static const uint8_t hbh[] = { FIX6(16, 0), 17, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* Fragment header cut after 6 bytes. */
	static const uint8_t frag[] = { FIX6(16, 44), 17, 0, 0, 1, 0, 0 };
	/* AH cut. */
	static const uint8_t ah[] = { FIX6(16, 51), 17, 4, 0, 0 };
	/* Fixed header cut inside the destination address. */
	static const uint8_t fixed[] = { FIX6(8, 17) };
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(hbh, sizeof(hbh), &h, &pos), DB_ETRUNC);
	assert_addrs(&h);
	assert_int_equal(parse(frag, sizeof(frag), &h, &pos), DB_ETRUNC);
	assert_addrs(&h);
	assert_int_equal(h.frag, 0);
	assert_int_equal(parse(ah, sizeof(ah), &h, &pos), DB_ETRUNC);
	assert_addrs(&h);
	assert_int_equal(parse(fixed, 39, &h, &pos), DB_ETRUNC);
	assert_int_equal(h.have_addrs, 0);
	assert_int_equal(parse(fixed, 0, &h, &pos), DB_ETRUNC);
	assert_int_equal(h.have_addrs, 0);
}

/* A fixed header followed by n destination-options headers and UDP. */
static uint8_t *build_chain(int n, size_t *len)
{
	static const uint8_t fix[] = { FIX6(0, 60) };
	static const uint8_t udp[] = { UDP8 };
	uint8_t *b = malloc(40 + 8 * (size_t)n + 8);

	assert_non_null(b);
	memcpy(b, fix, 40);
	b[6] = n > 0 ? 60 : 17;
	for (int i = 0; i < n; i++) {
		uint8_t *o = b + 40 + 8 * i;
		memset(o, 0, 8);
		o[0] = i + 1 < n ? 60 : 17;
		o[2] = 0x01; /* PadN of 4 */
		o[3] = 0x04;
	}
	memcpy(b + 40 + 8 * (size_t)n, udp, 8);
	*len = 40 + 8 * (size_t)n + 8;
	return b;
}

static void too_many_headers(void **state)
{
	(void)state;
	ip6_hdr_t h;
	size_t len, pos;
	uint8_t *b = build_chain(15, &len);

	assert_int_equal(parse(b, len, &h, &pos), DB_OK);
	assert_int_equal(h.nh, 17);
	assert_int_equal(pos, 40 + 15 * 8);
	free(b);
	b = build_chain(IP6_MAX_EXT + 1, &len);
	assert_int_equal(parse(b, len, &h, &pos), DB_ELIMIT);
	assert_addrs(&h);
	free(b);
	b = build_chain(40, &len);
	assert_int_equal(parse(b, len, &h, &pos), DB_ELIMIT);
	free(b);
}

static void wrong_version(void **state)
{
	(void)state;
	static const uint8_t v4[] = { 0x45, 0x00, 0x00, 0x1c, 0, 0, 0,   0, 64, 17,
				      0,    0,    192,  0,    2, 1, 192, 0, 2,  53 };
	uint8_t v7[40] = { 0x70 };
	ip6_hdr_t h;
	size_t pos;

	assert_int_equal(parse(v4, sizeof(v4), &h, &pos), DB_EMALFORMED);
	assert_int_equal(h.have_addrs, 0);
	assert_int_equal(parse(v7, sizeof(v7), &h, &pos), DB_EMALFORMED);
	/* A single byte still names the version. */
	assert_int_equal(parse(v4, 1, &h, &pos), DB_EMALFORMED);
}

static void parse_from_cursor(void **state)
{
	(void)state;
	/* ip6_parse starts at the reader's position (as in an ICMPv6 quote). */
	static const uint8_t p[] = { 0xaa, 0xbb, 0xcc, 0xdd, FIX6(8, 17), UDP8 };
	wire_t w;
	ip6_hdr_t h;

	wire_init(&w, p, sizeof(p));
	wire_skip(&w, 4);
	assert_int_equal(ip6_parse(&w, &h), DB_OK);
	assert_addrs(&h);
	assert_int_equal(w.pos, 44);
	assert_int_equal(wire_u16(&w), 0x9c40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_udp),
		cmocka_unit_test(hop_routing_dstopts),
		cmocka_unit_test(fragment_first),
		cmocka_unit_test(fragment_non_first_stops_at_data),
		cmocka_unit_test(atomic_fragment_is_whole),
		cmocka_unit_test(ah_and_no_next_header),
		cmocka_unit_test(chain_cut),
		cmocka_unit_test(too_many_headers),
		cmocka_unit_test(wrong_version),
		cmocka_unit_test(parse_from_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
