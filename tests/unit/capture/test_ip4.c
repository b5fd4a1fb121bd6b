/*
 * test_ip4.c - the IPv4 path: header decoding, snaplen cuts, fragment
 * reassembly with a fresh header, and the header checksum (capture/ip4.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/emit.h"
#include "../../../capture/ip4.h"

#define SRC4 192, 0, 2, 1
#define DST4 198, 51, 100, 53
/* IPv4 header, IHL 5, TTL 64, checksum left 0 (ip4.c does not check it):
 * 192.0.2.1 -> 198.51.100.53, total length tot, id, flags + offset word frag. */
#define IP4H(tot, id, frag, proto)                                                                 \
	0x45, 0x00, (tot) >> 8, (tot)&0xff, (id) >> 8, (id)&0xff, (frag) >> 8, (frag)&0xff, 64,    \
	    (proto), 0x00, 0x00, SRC4, DST4
/* The same with IHL 6: one word of options (NOP NOP NOP EOL). */
#define IP4H_OPT(tot, id, frag, proto)                                                             \
	0x46, 0x00, (tot) >> 8, (tot)&0xff, (id) >> 8, (id)&0xff, (frag) >> 8, (frag)&0xff, 64,    \
	    (proto), 0x00, 0x00, SRC4, DST4, 0x01, 0x01, 0x01, 0x00
/* UDP 40000 -> 53, length ulen, checksum 0. */
#define UDPH(ulen) 0x9c, 0x40, 0x00, 0x35, (ulen) >> 8, (ulen)&0xff, 0x00, 0x00
/* DNS query header, id 0xbeef, RD, one question (no question bytes). */
#define DNSH 0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
/* 8 bytes of payload, a distinct pattern per n. */
#define DATA8(n) (n), (n) + 1, (n) + 2, (n) + 3, (n) + 4, (n) + 5, (n) + 6, (n) + 7

#define MF 0x2000 /* more fragments */
#define DF 0x4000

#define REC_MAX 16

#include "recorder.h"

/* A context as dispatch.c sets it up, with only what ip4.c uses: the IPv4
 * fragment table and the sink. */
static void ctx_init(cap_ctx_t *c, struct rec *r, const ipfrag_limits_t *fl)
{
	rec_ctx_init(c, r);
	c->frag4 = ipfrag_new(fl);
	assert_non_null(c->frag4);
}

static void ctx_free(cap_ctx_t *c) { ipfrag_free(c->frag4); }

static void assert_addrs(const cap_dgram_t *d)
{
	db_addr_t s, t;

	assert_int_equal(db_addr_parse(&s, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&t, "198.51.100.53"), 0);
	assert_true(db_addr_eq(&d->src, &s));
	assert_true(db_addr_eq(&d->dst, &t));
}

static void whole_udp_datagram(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP4H(40, 0x1234, DF, 17), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	memset(&d, 0xee, sizeof(d));
	assert_int_equal(ip4_decode(&c, pkt, sizeof(pkt), &d), 1);
	assert_int_equal(d.version, 4);
	assert_int_equal(d.proto, 17);
	assert_addrs(&d);
	assert_int_equal(d.whole, 1);
	assert_int_equal(d.nids_follows, 0);
	assert_ptr_equal(d.ip, pkt);
	assert_int_equal(d.ihl, 20);
	assert_ptr_equal(d.l4, pkt + 20);
	assert_int_equal(d.len, 20);
	assert_int_equal(d.wire_len, 20);
	assert_null(d.owned);
	assert_int_equal(c.st.ip4, 1);
	assert_int_equal(c.st.ip4_fragments, 0);
	assert_int_equal(c.st.ip_errors, 0);
	assert_int_equal(r.n, 0);
	ctx_free(&c);
}

/* Options are skipped; bytes past the total length (Ethernet padding to 60
 * bytes) are not the datagram's. */
static void options_and_link_padding(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP4H_OPT(44, 0x1234, 0, 17),
				       UDPH(20),
				       DNSH,
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
				       0,
				       0,
				       0 };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(sizeof(pkt), 60);
	assert_int_equal(ip4_decode(&c, pkt, sizeof(pkt), &d), 1);
	assert_int_equal(d.ihl, 24);
	assert_ptr_equal(d.ip, pkt);
	assert_ptr_equal(d.l4, pkt + 24);
	assert_int_equal(d.l4[0], 0x9c);
	assert_int_equal(d.len, 20);
	assert_int_equal(d.wire_len, 20);
	assert_int_equal(d.whole, 1);
	/* A header with no payload at all. */
	static const uint8_t empty[] = { IP4H(20, 1, 0, 17) };
	assert_int_equal(ip4_decode(&c, empty, sizeof(empty), &d), 1);
	assert_int_equal(d.len, 0);
	assert_int_equal(d.wire_len, 0);
	assert_int_equal(d.whole, 1);
	assert_int_equal(c.st.ip4, 2);
	assert_int_equal(c.st.ip_errors, 0);
	ctx_free(&c);
}

static void malformed_or_cut_header_is_an_error(void **state)
{
	(void)state;
	static const uint8_t good[] = { IP4H(40, 0x1234, 0, 17), UDPH(20), DNSH };
	/* Version 6 in what was said to be IPv4. */
	static const uint8_t v6[] = {
		0x65, 0x00, 0x00, 0x28, 0, 0, 0, 0, 64, 17, 0, 0, SRC4, DST4
	};
	/* IHL 4: shorter than the fixed header. */
	static const uint8_t ihl4[] = {
		0x44, 0x00, 0x00, 0x28, 0, 0, 0, 0, 64, 17, 0, 0, SRC4, DST4
	};
	/* Total length 19, less than the header. */
	static const uint8_t short_tot[] = { IP4H(19, 1, 0, 17), UDPH(8) };
	/* Total length 0 (as some segmentation offload captures have it). */
	static const uint8_t zero_tot[] = { IP4H(0, 1, 0, 17), UDPH(8) };
	/* IHL 6 with the options word cut off. */
	static const uint8_t opt_cut[] = { IP4H_OPT(44, 1, 0, 17) };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip4_decode(&c, good, 19, &d), 0);
	assert_int_equal(ip4_decode(&c, good, 1, &d), 0);
	assert_int_equal(ip4_decode(&c, good, 0, &d), 0);
	assert_int_equal(ip4_decode(&c, v6, sizeof(v6), &d), 0);
	assert_int_equal(ip4_decode(&c, ihl4, sizeof(ihl4), &d), 0);
	assert_int_equal(ip4_decode(&c, short_tot, sizeof(short_tot), &d), 0);
	assert_int_equal(ip4_decode(&c, zero_tot, sizeof(zero_tot), &d), 0);
	assert_int_equal(ip4_decode(&c, opt_cut, 20, &d), 0);
	assert_int_equal(ip4_decode(&c, opt_cut, 23, &d), 0);
	assert_int_equal(c.st.ip_errors, 9);
	assert_int_equal(c.st.ip4, 0);
	assert_int_equal(r.n, 0);
	/* The last options byte there: decoded (as far as it goes). */
	assert_int_equal(ip4_decode(&c, opt_cut, 24, &d), 1);
	assert_int_equal(c.st.ip4, 1);
	ctx_free(&c);
}

/* A packet snaplen cut: as much as was captured, not whole, with the
 * transport part's real length. */
static void snaplen_cut_packet(void **state)
{
	(void)state;
	static const uint8_t pkt[] = { IP4H(40, 0x1234, DF, 17), UDPH(20), DNSH };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip4_decode(&c, pkt, 30, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_ptr_equal(d.ip, pkt);
	assert_ptr_equal(d.l4, pkt + 20);
	assert_int_equal(d.len, 10);
	assert_int_equal(d.wire_len, 20);
	assert_int_equal(d.proto, 17);
	/* Cut right after the header: nothing of the transport part. */
	assert_int_equal(ip4_decode(&c, pkt, 20, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_int_equal(d.len, 0);
	assert_int_equal(d.wire_len, 20);
	/* One byte short is still cut. */
	assert_int_equal(ip4_decode(&c, pkt, 39, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_int_equal(d.len, 19);
	assert_int_equal(c.st.ip4, 3);
	assert_int_equal(c.st.ip4_fragments, 0);
	assert_int_equal(c.st.ip_errors, 0);
	ctx_free(&c);
}

/* Two fragments, the last first; the first has IP options.  The datagram
 * comes back behind a fresh 20-byte header with a valid checksum. */
static void fragments_reassembled_behind_fresh_header(void **state)
{
	(void)state;
	/* UDP 40000 -> 53, length 32: the header, the DNS header, 12 bytes. */
	static const uint8_t dgram[] = { UDPH(32), DNSH, DATA8(0x10), 0xa0, 0xa1, 0xa2, 0xa3 };
	/* 16 bytes each: the UDP header and half the DNS header, then the rest. */
	static const uint8_t first[] = { IP4H_OPT(40, 0x4242, MF | 0, 17),
					 UDPH(32),
					 0xbe,
					 0xef,
					 0x01,
					 0x00,
					 0x00,
					 0x01,
					 0x00,
					 0x00 };
	static const uint8_t last[] = {
		IP4H(36, 0x4242, 2, 17), 0, 0, 0, 0, DATA8(0x10), 0xa0, 0xa1, 0xa2, 0xa3
	};
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(sizeof(dgram), 32);
	c.now = T0 + 1;
	assert_int_equal(ip4_decode(&c, last, sizeof(last), &d), 0);
	c.now = T0 + 2;
	memset(&d, 0, sizeof(d));
	assert_int_equal(ip4_decode(&c, first, sizeof(first), &d), 1);
	assert_int_equal(d.version, 4);
	assert_int_equal(d.proto, 17);
	assert_addrs(&d);
	assert_int_equal(d.whole, 1);
	assert_null(d.owned);
	assert_int_equal(d.ihl, 20);
	assert_true(d.ip != first && d.ip != last);
	assert_ptr_equal(d.l4, d.ip + 20);
	assert_int_equal(d.len, 32);
	assert_int_equal(d.wire_len, 32);
	assert_memory_equal(d.l4, dgram, 32);
	/* The fresh header: IHL 5, total 52, same id, no fragment bits, the
	 * protocol and addresses, and a checksum that adds up. */
	assert_int_equal(d.ip[0], 0x45);
	assert_int_equal(d.ip[2] << 8 | d.ip[3], 52);
	assert_int_equal(d.ip[4] << 8 | d.ip[5], 0x4242);
	assert_int_equal(d.ip[6], 0);
	assert_int_equal(d.ip[7], 0);
	assert_int_equal(d.ip[9], 17);
	static const uint8_t addrs[] = { SRC4, DST4 };
	assert_memory_equal(d.ip + 12, addrs, 8);
	assert_true(ip4_hdr_sum_ok(d.ip, 20));
	assert_int_equal(c.st.ip4, 2);
	assert_int_equal(c.st.ip4_fragments, 2);
	assert_int_equal(c.st.ip_errors, 0);
	assert_int_equal(r.n, 0);
	/* Nothing left behind. */
	ipfrag_flush(c.frag4, emit_cb, &c);
	assert_int_equal(r.n, 0);
	ctx_free(&c);
}

/* RFC 791: the protocol is part of a train's key. */
static void train_keyed_on_protocol(void **state)
{
	(void)state;
	static const uint8_t first[] = { IP4H(36, 0x77, MF | 0, 17), UDPH(24), DATA8(0x30) };
	static const uint8_t last_tcp[] = { IP4H(28, 0x77, 2, 6), DATA8(0x40) };
	static const uint8_t last_udp[] = { IP4H(28, 0x77, 2, 17), DATA8(0x40) };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip4_decode(&c, first, sizeof(first), &d), 0);
	assert_int_equal(ip4_decode(&c, last_tcp, sizeof(last_tcp), &d), 0);
	assert_int_equal(ip4_decode(&c, last_udp, sizeof(last_udp), &d), 1);
	assert_int_equal(d.proto, 17);
	assert_int_equal(d.len, 24);
	assert_int_equal(d.l4[16], 0x40);
	assert_int_equal(c.st.ip4_fragments, 3);
	/* The TCP train never completes: it is reported (16-bit id). */
	ipfrag_flush(c.frag4, emit_cb, &c);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[0].u.frag.ip_id, 0x77);
	assert_int_equal(r.ev[0].u.frag.have_first, 0);
	ctx_free(&c);
}

/* A cut first fragment is decoded as far as it goes, its length unknown;
 * a cut later fragment gives nothing.  Both trains are the capture's loss:
 * never reported. */
static void cut_fragments(void **state)
{
	(void)state;
	static const uint8_t first[] = { IP4H(36, 0x99, MF | 0, 17), UDPH(24), DATA8(0x30) };
	static const uint8_t last[] = { IP4H(28, 0x99, 2, 17), DATA8(0x40) };
	static const uint8_t other_last[] = { IP4H(28, 0x55, 2, 17), DATA8(0x40) };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;
	ipfrag_stats_t st;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip4_decode(&c, first, 30, &d), 1);
	assert_int_equal(d.whole, 0);
	assert_int_equal(d.proto, 17);
	assert_ptr_equal(d.l4, first + 20);
	assert_int_equal(d.len, 10);
	assert_int_equal(d.wire_len, 65535);
	/* The rest of the train arrives whole: it cannot complete. */
	assert_int_equal(ip4_decode(&c, last, sizeof(last), &d), 0);
	/* A cut fragment that is not the first. */
	assert_int_equal(ip4_decode(&c, other_last, 27, &d), 0);
	assert_int_equal(c.st.ip4, 3);
	assert_int_equal(c.st.ip4_fragments, 3);
	assert_int_equal(c.st.ip_errors, 0);
	c.now = T0 + 3600 * SEC;
	ipfrag_expire(c.frag4, c.now, emit_cb, &c);
	assert_int_equal(r.n, 0);
	ipfrag_stats(c.frag4, &st);
	assert_int_equal(st.cut, 2);
	assert_int_equal(st.trains, 0);
	ctx_free(&c);
}

/* A train evicted to make room is reported through emit.c, during the
 * call, stamped with the packet's time. */
static void fragment_table_events_go_out(void **state)
{
	(void)state;
	static const uint8_t a[] = { IP4H(36, 0x0101, MF | 0, 17), UDPH(24), DATA8(0x30) };
	static const uint8_t b[] = { IP4H(36, 0x0202, MF | 0, 17), UDPH(24), DATA8(0x30) };
	ipfrag_limits_t fl = { .max_trains = 1 };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	ctx_init(&c, &r, &fl);
	assert_int_equal(ip4_decode(&c, a, sizeof(a), &d), 0);
	assert_int_equal(r.n, 0);
	c.now = T0 + 5;
	assert_int_equal(ip4_decode(&c, b, sizeof(b), &d), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[0].ts, T0 + 5);
	assert_int_equal(r.ev[0].u.frag.ip_id, 0x0101);
	assert_int_equal(r.ev[0].u.frag.have_first, 1);
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_UDP);
	assert_int_equal(r.ev[0].flow.sport, 40000);
	assert_int_equal(r.ev[0].flow.dport, 53);
	ctx_free(&c);
}

/* A fragment the table refuses (M = 1, not a multiple of 8 bytes) gives
 * no datagram and is no header error. */
static void bad_fragment_refused(void **state)
{
	(void)state;
	static const uint8_t odd[] = { IP4H(32, 0x31, MF | 0, 17), UDPH(12), 1, 2, 3, 4 };
	/* Offset 8191 * 8 with 16 bytes: past 65535. */
	static const uint8_t far[] = { IP4H(36, 0x32, 0x1fff, 17), DATA8(1), DATA8(9) };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;
	ipfrag_stats_t st;

	ctx_init(&c, &r, NULL);
	assert_int_equal(ip4_decode(&c, odd, sizeof(odd), &d), 0);
	assert_int_equal(ip4_decode(&c, far, sizeof(far), &d), 0);
	assert_int_equal(c.st.ip4, 2);
	assert_int_equal(c.st.ip4_fragments, 2);
	assert_int_equal(c.st.ip_errors, 0);
	ipfrag_stats(c.frag4, &st);
	assert_int_equal(st.bad, 2);
	assert_int_equal(st.trains, 0);
	ctx_free(&c);
}

/* The largest datagram an IPv4 header can describe (65535 bytes with its
 * header) is reassembled, its total length written right. */
static void largest_reassembled_datagram(void **state)
{
	(void)state;
	const size_t first_len = 65512, last_len = 3; /* 65515 bytes of datagram */
	uint8_t *first = calloc(1, 20 + first_len), *last = calloc(1, 20 + last_len);
	static const uint8_t h1[] = { IP4H(20 + 65512, 0x5151, MF | 0, 17) };
	static const uint8_t h2[] = { IP4H(20 + 3, 0x5151, 65512 / 8, 17) };
	cap_ctx_t c;
	struct rec r;
	cap_dgram_t d;

	assert_non_null(first);
	assert_non_null(last);
	memcpy(first, h1, 20);
	memcpy(last, h2, 20);
	for (size_t i = 0; i < first_len; i++)
		first[20 + i] = (uint8_t)i;
	memset(last + 20, 0x5a, last_len);
	ctx_init(&c, &r, NULL);
	assert_int_equal(ip4_decode(&c, first, 20 + first_len, &d), 0);
	assert_int_equal(ip4_decode(&c, last, 20 + last_len, &d), 1);
	assert_int_equal(d.len, 65515);
	assert_int_equal(d.wire_len, 65515);
	assert_int_equal(d.ip[2] << 8 | d.ip[3], 65535);
	assert_true(ip4_hdr_sum_ok(d.ip, 20));
	assert_int_equal(d.l4[1000], (uint8_t)1000);
	assert_int_equal(d.l4[65514], 0x5a);
	/* One octet more is no IPv4 datagram (its total length would wrap to
	 * 0): refused, and counted as an IP error. */
	static const uint8_t h3[] = { IP4H(20 + 65512, 0x5252, MF | 0, 17) };
	static const uint8_t h4[] = { IP4H(20 + 4, 0x5252, 65512 / 8, 17) };
	uint8_t *more = calloc(1, 20 + 4);
	assert_non_null(more);
	memcpy(first, h3, 20);
	memcpy(more, h4, 20);
	uint64_t errors = c.st.ip_errors;
	assert_int_equal(ip4_decode(&c, first, 20 + first_len, &d), 0);
	assert_int_equal(ip4_decode(&c, more, 20 + 4, &d), 0);
	assert_int_equal(c.st.ip_errors, errors + 1);
	free(more);
	ctx_free(&c);
	free(first);
	free(last);
}

static void header_checksum(void **state)
{
	(void)state;
	/* A header with its checksum 0xb861 in place. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	assert_true(ip4_hdr_sum_ok(h, 20));
	assert_int_equal(ip4_hdr_sum(h, 20), 0xffff);
	h[8] = 0x3f; /* TTL decremented, checksum not updated */
	assert_false(ip4_hdr_sum_ok(h, 20));
	ip4_hdr_sum_set(h, 20);
	assert_true(ip4_hdr_sum_ok(h, 20));
	assert_int_equal(h[10] << 8 | h[11], 0xb961);
	/* With options: the sum covers every word of the header. */
	uint8_t o[24] = { 0x46, 0x00, 0x00, 0x18, 0xab, 0xcd, 0x00, 0x00, 0x40, 0x11, 0xff, 0xff,
			  192,  0,    2,    1,    198,  51,   100,  53,   0x94, 0x04, 0x00, 0x00 };
	ip4_hdr_sum_set(o, 24);
	assert_true(ip4_hdr_sum_ok(o, 24));
	o[21] ^= 0x01;
	assert_false(ip4_hdr_sum_ok(o, 24));
	/* A sum that carries more than once: all 0xff words. */
	uint8_t f[20];
	memset(f, 0xff, sizeof(f));
	ip4_hdr_sum_set(f, 20);
	assert_int_equal(f[10], 0x00);
	assert_int_equal(f[11], 0x00);
	assert_true(ip4_hdr_sum_ok(f, 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_udp_datagram),
		cmocka_unit_test(options_and_link_padding),
		cmocka_unit_test(malformed_or_cut_header_is_an_error),
		cmocka_unit_test(snaplen_cut_packet),
		cmocka_unit_test(fragments_reassembled_behind_fresh_header),
		cmocka_unit_test(train_keyed_on_protocol),
		cmocka_unit_test(cut_fragments),
		cmocka_unit_test(fragment_table_events_go_out),
		cmocka_unit_test(bad_fragment_refused),
		cmocka_unit_test(largest_reassembled_datagram),
		cmocka_unit_test(header_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
