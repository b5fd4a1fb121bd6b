/*
 * test_ip6path.c - the IPv6 path: the fixed header and extension chain to
 * a datagram, snaplen cuts, and fragment reassembly (capture/ip6path.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/emit.h"
#include "../../../capture/ip6.h"
#include "../../../capture/ip6path.h"

#define SRC6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define DST6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53
/* The fixed header: payload length plen, next header nh, hop limit 64. */
#define IP6H(plen, nh) 0x60, 0x00, 0x00, 0x00, (plen) >> 8, (plen)&0xff, (nh), 64, SRC6, DST6
/* An 8-byte hop-by-hop or destination options header (PadN). */
#define OPTS8(nh) (nh), 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00
/* Fragment header (RFC 8200 4.5): offset in bytes, M flag, identification. */
#define FRAG6(nh, off, m, id)                                                                      \
	(nh), 0x00, ((off) / 8) >> 5, ((((off) / 8) & 0x1f) << 3) | (m), ((id) >> 24) & 0xff,      \
	    ((id) >> 16) & 0xff, ((id) >> 8) & 0xff, (id)&0xff
/* UDP 53 -> 40000, length ulen. */
#define UDPH(ulen) 0x00, 0x35, 0x9c, 0x40, (ulen) >> 8, (ulen)&0xff, 0x00, 0x00
/* A DNS response header: id 0xbeef, QR RD RA, one question, one answer. */
#define DNSH 0xbe, 0xef, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00
#define DATA8(n) (n), (n) + 1, (n) + 2, (n) + 3, (n) + 4, (n) + 5, (n) + 6, (n) + 7

#define REC_MAX 16

#include "recorder.h"

/* A context with what ip6path.c uses: the IPv6 fragment table and the sink. */
static void ctx_init(cap_ctx_t *c, struct rec *r, const ipfrag_limits_t *fl)
{
	rec_ctx_init(c, r);
	c->frag6 = ipfrag_new(fl);
	assert_non_null(c->frag6);
}

static void ctx_free(cap_ctx_t *c) { ipfrag_free(c->frag6); }

static void assert_addrs(const cap_dgram_t *d)
{
	db_addr_t s, t;

	assert_int_equal(db_addr_parse(&s, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&t, "2001:db8::53"), 0);
	assert_true(db_addr_eq(&d->src, &s));
	assert_true(db_addr_eq(&d->dst, &t));
}

static void whole_udp_datagram(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP6H(20, 17), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	memset(&d, 0xee, sizeof(d));
	assert_int_equal(ip6path_decode(&c, pkt, sizeof(pkt), &d), 1);
	assert_int_equal(d.version, 6);
	assert_int_equal(d.proto, 17);
	assert_addrs(&d);
	assert_int_equal(d.whole, 1);
	assert_int_equal(d.nids_follows, 0);
	assert_ptr_equal(d.l4, pkt + 40);
	assert_int_equal(d.len, 20);
	assert_int_equal(d.wire_len, 20);
	assert_null(d.owned);
	assert_int_equal(c.st.ip6, 1);
	assert_int_equal(c.st.ip6_fragments, 0);
	assert_int_equal(c.st.ip_errors, 0);
	assert_int_equal(r.n, 0);
	ctx_free(&c);
}

/* Extension headers are walked; the payload length, not the capture, says
 * where the datagram ends. */
static void extension_chain_and_padding(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP6H(36, 0), OPTS8(60), OPTS8(17), UDPH(20), DNSH, 0, 0, 0 };
	/* An atomic fragment (offset 0, M 0, RFC 6946) is a whole datagram. */
	static const uint8_t atomic[] = { IP6H(28, 44), FRAG6(17, 0, 0, 0x1234), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip6path_decode(&c, pkt, sizeof(pkt), &d), 1);
	assert_int_equal(d.proto, 17);
	assert_ptr_equal(d.l4, pkt + 56);
	assert_int_equal(d.len, 20);
	assert_int_equal(d.wire_len, 20);
	assert_int_equal(d.whole, 1);
	assert_int_equal(ip6path_decode(&c, atomic, sizeof(atomic), &d), 1);
	assert_int_equal(d.proto, 17);
	assert_ptr_equal(d.l4, atomic + 48);
	assert_int_equal(d.len, 20);
	assert_int_equal(d.wire_len, 20);
	assert_int_equal(d.whole, 1);
	assert_null(d.owned);
	assert_int_equal(c.st.ip6, 2);
	assert_int_equal(c.st.ip6_fragments, 0);
	assert_int_equal(c.st.ip_errors, 0);
	ctx_free(&c);
}

/* Payload length 0 (a jumbogram, RFC 2675, or a segmentation offload
 * capture): the datagram is what was captured. */
static void zero_payload_length(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP6H(0, 17), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip6path_decode(&c, pkt, sizeof(pkt), &d), 1);
	assert_int_equal(d.len, 20);
	assert_int_equal(d.wire_len, 20);
	assert_int_equal(d.whole, 1);
	ctx_free(&c);
}

static void malformed_or_cut_header_is_an_error(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP6H(20, 17), UDPH(20), DNSH };
	static const uint8_t v4[] = {
		0x45, 0x00, 0x00, 0x3c, 0, 0, 0, 0, 64, 17, 0, 0, SRC6, DST6
	};
	/* Hop-by-hop options cut by the capture. */
	static const uint8_t hbh[] = { IP6H(28, 0), OPTS8(17), UDPH(20) };
	/* Sixteen destination options headers and then more: past the limit. */
	uint8_t *deep = calloc(1, 40 + 8 * (IP6_MAX_EXT + 1));
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip6path_decode(&c, pkt, 39, &d), 0);
	assert_int_equal(ip6path_decode(&c, pkt, 0, &d), 0);
	assert_int_equal(ip6path_decode(&c, v4, sizeof(v4), &d), 0);
	assert_int_equal(ip6path_decode(&c, hbh, 45, &d), 0);
	assert_non_null(deep);
	static const uint8_t h[] = { IP6H(8 * (IP6_MAX_EXT + 1), 60) };
	memcpy(deep, h, 40);
	for (int i = 0; i <= IP6_MAX_EXT; i++)
		deep[40 + 8 * i] = 60;
	assert_int_equal(ip6path_decode(&c, deep, 40 + 8 * (IP6_MAX_EXT + 1), &d), 0);
	free(deep);
	assert_int_equal(c.st.ip_errors, 5);
	assert_int_equal(c.st.ip6, 0);
	assert_int_equal(r.n, 0);
	ctx_free(&c);
}

/* A payload length shorter than the extension headers present. */
static void payload_length_inside_chain(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP6H(4, 0), OPTS8(17), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip6path_decode(&c, pkt, sizeof(pkt), &d), 0);
	assert_int_equal(c.st.ip_errors, 1);
	ctx_free(&c);
}

static void snaplen_cut_packet(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP6H(28, 60), OPTS8(17), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip6path_decode(&c, pkt, 60, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_int_equal(d.proto, 17);
	assert_ptr_equal(d.l4, pkt + 48);
	assert_int_equal(d.len, 12);
	assert_int_equal(d.wire_len, 20);
	/* Right after the chain. */
	assert_int_equal(ip6path_decode(&c, pkt, 48, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_int_equal(d.len, 0);
	assert_int_equal(d.wire_len, 20);
	assert_int_equal(c.st.ip6, 2);
	assert_int_equal(c.st.ip_errors, 0);
	ctx_free(&c);
}

/* Two fragments out of order, the first behind a destination options
 * header: the datagram comes back on the heap, the caller's to free. */
static void fragments_reassembled(void **state)
{
	(void)state;
	static const uint8_t dgram[] = { UDPH(32), DNSH, DATA8(0x10), 0xa0, 0xa1, 0xa2, 0xa3 };
	static const uint8_t first[] = { IP6H(32, 60), OPTS8(44), FRAG6(17, 0, 1, 0xcafe0001),
					 UDPH(32),     0xbe,      0xef,
					 0x81,         0x80,      0x00,
					 0x01,         0x00,      0x01 };
	static const uint8_t last[] = { IP6H(24, 44), FRAG6(17, 16, 0, 0xcafe0001),
					0x00,         0x00,
					0x00,         0x00,
					DATA8(0x10),  0xa0,
					0xa1,         0xa2,
					0xa3 };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(sizeof(dgram), 32);
	assert_int_equal(ip6path_decode(&c, last, sizeof(last), &d), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ip6path_decode(&c, first, sizeof(first), &d), 1);
	assert_int_equal(d.version, 6);
	assert_int_equal(d.proto, 17);
	assert_addrs(&d);
	assert_int_equal(d.whole, 1);
	assert_non_null(d.owned);
	assert_ptr_equal(d.l4, d.owned);
	assert_int_equal(d.len, 32);
	assert_int_equal(d.wire_len, 32);
	assert_memory_equal(d.l4, dgram, 32);
	free(d.owned);
	assert_int_equal(c.st.ip6, 2);
	assert_int_equal(c.st.ip6_fragments, 2);
	assert_int_equal(r.n, 0);
	ipfrag_flush(c.frag6, emit_cb, &c);
	assert_int_equal(r.n, 0);
	ctx_free(&c);
}

static void cut_fragments(void **state)
{
	(void)state;
	static const uint8_t first[] = { IP6H(24, 44), FRAG6(17, 0, 1, 0x51), UDPH(32), DATA8(1) };
	static const uint8_t last[] = { IP6H(24, 44), FRAG6(17, 16, 0, 0x51), DATA8(1), DATA8(9) };
	static const uint8_t other[] = { IP6H(24, 44), FRAG6(17, 16, 0, 0x52), DATA8(1), DATA8(9) };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;
	ipfrag_stats_t st;

	ctx_init(&c, &r, NULL);
	/* The first, cut: decoded as far as it goes, its length unknown. */
	assert_int_equal(ip6path_decode(&c, first, 58, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_int_equal(d.proto, 17);
	assert_ptr_equal(d.l4, first + 48);
	assert_int_equal(d.len, 10);
	assert_int_equal(d.wire_len, 65535);
	assert_null(d.owned);
	assert_int_equal(ip6path_decode(&c, last, sizeof(last), &d), 0);
	/* A later fragment, cut. */
	assert_int_equal(ip6path_decode(&c, other, sizeof(other) - 1, &d), 0);
	assert_int_equal(c.st.ip6, 3);
	assert_int_equal(c.st.ip6_fragments, 3);
	c.now = T0 + 3600 * SEC;
	ipfrag_expire(c.frag6, c.now, emit_cb, &c);
	assert_int_equal(r.n, 0);
	ipfrag_stats(c.frag6, &st);
	assert_int_equal(st.cut, 2);
	assert_int_equal(st.trains, 0);
	ctx_free(&c);
}

static void fragment_table_events_go_out(void **state)
{
	(void)state;
	static const uint8_t a[] = {
		IP6H(24, 44), FRAG6(17, 0, 1, 0x61), UDPH(32), DNSH, 0, 0, 0, 0
	};
	static const uint8_t b[] = { IP6H(24, 44), FRAG6(17, 0, 1, 0x62), UDPH(32), DATA8(1) };
	ipfrag_limits_t fl = { .max_trains = 1 };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, &fl);
	assert_int_equal(ip6path_decode(&c, a, 40 + 8 + 16, &d), 0);
	c.now = T0 + 5;
	assert_int_equal(ip6path_decode(&c, b, sizeof(b), &d), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[0].ts, T0 + 5);
	assert_int_equal(r.ev[0].u.frag.ip_id, 0x61);
	assert_int_equal(r.ev[0].u.frag.have_first, 1);
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_UDP);
	assert_int_equal(r.ev[0].flow.sport, 53);
	assert_int_equal(r.ev[0].flow.dport, 40000);
	assert_int_equal(r.ev[0].u.frag.have_qid, 1);
	assert_int_equal(r.ev[0].u.frag.qid, 0xbeef);
	ctx_free(&c);
}

static void bad_fragment_refused(void **state)
{
	(void)state;
	/* M = 1 with 12 bytes. */
	static const uint8_t odd[] = { IP6H(20, 44), FRAG6(17, 0, 1, 0x71), UDPH(12), 1, 2, 3, 4 };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;
	ipfrag_stats_t st;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip6path_decode(&c, odd, sizeof(odd), &d), 0);
	assert_int_equal(c.st.ip6_fragments, 1);
	ipfrag_stats(c.frag6, &st);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.trains, 0);
	ctx_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_udp_datagram),
		cmocka_unit_test(extension_chain_and_padding),
		cmocka_unit_test(zero_payload_length),
		cmocka_unit_test(malformed_or_cut_header_is_an_error),
		cmocka_unit_test(payload_length_inside_chain),
		cmocka_unit_test(snaplen_cut_packet),
		cmocka_unit_test(fragments_reassembled),
		cmocka_unit_test(cut_fragments),
		cmocka_unit_test(fragment_table_events_go_out),
		cmocka_unit_test(bad_fragment_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
