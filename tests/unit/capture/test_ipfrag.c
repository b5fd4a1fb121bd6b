/*
 * test_ipfrag.c - IP fragment reassembly (capture/ipfrag.c), IPv6 and IPv4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/ipfrag.h"

#define REC_MAX 16

#include "recorder.h"

struct fx {
	db_addr_t srv, cli;
	uint8_t dgram[40]; /* UDP 53 -> 40000, then payload bytes */
};

static void fx_init(struct fx *x)
{
	assert_int_equal(db_addr_parse(&x->srv, "2001:db8::53"), 0);
	assert_int_equal(db_addr_parse(&x->cli, "2001:db8::1"), 0);
	/* UDP header: sport 53, dport 40000 (0x9c40), length 40, checksum. */
	static const uint8_t udp[8] = { 0x00, 0x35, 0x9c, 0x40, 0x00, 0x28, 0x12, 0x34 };
	memcpy(x->dgram, udp, 8);
	for (int i = 8; i < 40; i++)
		x->dgram[i] = (uint8_t)(0xa0 + i);
}

/* Adds dgram[off, off + len) as a fragment of train id from srv to cli. */
static db_status_t add(ipfrag_t *t, const struct fx *x, db_time_t ts, uint32_t id, uint16_t off,
		       size_t len, int more, uint8_t **out, size_t *out_len, uint8_t *out_nh,
		       struct rec *r)
{
	return ipfrag_add(t, ts, &x->srv, &x->cli, id, 17, off, more, x->dgram + off, len, out,
			  out_len, out_nh, r ? rec_fn : NULL, r);
}

static void assert_stats(const ipfrag_t *t, uint64_t completed, uint64_t expired, uint64_t evicted,
			 uint64_t overlaps, uint64_t bad, uint64_t trains, uint64_t bytes)
{
	ipfrag_stats_t st;

	ipfrag_stats(t, &st);
	assert_int_equal(st.completed, completed);
	assert_int_equal(st.expired, expired);
	assert_int_equal(st.evicted, evicted);
	assert_int_equal(st.overlaps, overlaps);
	assert_int_equal(st.bad, bad);
	assert_int_equal(st.trains, trains);
	assert_int_equal(st.bytes, bytes);
}

static void in_order(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = (uint8_t *)"x";
	size_t out_len = 99;
	uint8_t nh = 99;
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	assert_non_null(t);
	assert_int_equal(add(t, &x, T0, 7, 0, 16, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_null(out);
	assert_int_equal(out_len, 0);
	assert_stats(t, 0, 0, 0, 0, 0, 1, 16);
	assert_int_equal(add(t, &x, T0 + 1, 7, 16, 16, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_null(out);
	assert_int_equal(add(t, &x, T0 + 2, 7, 32, 8, 0, &out, &out_len, &nh, NULL), DB_OK);
	assert_non_null(out);
	assert_int_equal(out_len, 40);
	assert_int_equal(nh, 17);
	assert_memory_equal(out, x.dgram, 40);
	free(out);
	assert_stats(t, 1, 0, 0, 0, 0, 0, 0);
	ipfrag_free(t);
}

static void out_of_order_and_first_nh(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 9, 32, 5, 0, &out, &out_len, &nh, NULL), DB_OK);
	assert_null(out);
	/* A later fragment's Next Header differs; only offset 0 counts. */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 9, 44, 16, 1, x.dgram + 16, 16, &out,
				    &out_len, &nh, NULL, NULL),
			 DB_OK);
	assert_null(out);
	assert_stats(t, 0, 0, 0, 0, 0, 1, 21);
	assert_int_equal(add(t, &x, T0, 9, 0, 16, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_non_null(out);
	assert_int_equal(out_len, 37);
	assert_int_equal(nh, 17);
	assert_memory_equal(out, x.dgram, 37);
	free(out);
	assert_stats(t, 1, 0, 0, 0, 0, 0, 0);
	ipfrag_free(t);
}

static void duplicate_ignored(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	ipfrag_stats_t st;
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 1, 0, 24, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_int_equal(add(t, &x, T0, 1, 0, 24, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_null(out);
	ipfrag_stats(t, &st);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(st.bytes, 24);
	assert_int_equal(add(t, &x, T0, 1, 24, 16, 0, &out, &out_len, &nh, NULL), DB_OK);
	assert_non_null(out);
	assert_int_equal(out_len, 40);
	assert_memory_equal(out, x.dgram, 40);
	free(out);
	assert_stats(t, 1, 0, 0, 0, 0, 0, 0);
	ipfrag_free(t);
}

static void overlap_discards_train(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	struct rec r = { 0 };
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 3, 0, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	/* [8, 24) overlaps [0, 16): RFC 5722 discards everything. */
	assert_int_equal(add(t, &x, T0 + 1, 3, 8, 16, 1, &out, &out_len, &nh, &r), DB_EMALFORMED);
	assert_null(out);
	assert_stats(t, 0, 0, 0, 1, 0, 1, 0);
	/* The datagram is lost to the receiver as well: reported at once,
	 * with the first fragment's ports. */
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[0].ts, T0 + 1);
	assert_int_equal(r.ev[0].u.frag.have_first, 1);
	/* Later fragments of the same datagram are dropped too, even ones
	 * that would otherwise complete it. */
	assert_int_equal(add(t, &x, T0 + 2, 3, 16, 24, 0, &out, &out_len, &nh, &r), DB_EMALFORMED);
	assert_int_equal(add(t, &x, T0 + 2, 3, 0, 16, 1, &out, &out_len, &nh, &r), DB_EMALFORMED);
	assert_null(out);
	/* The remembered key goes at the timeout, without another event. */
	ipfrag_expire(t, T0 + 30 * SEC, rec_fn, &r);
	assert_int_equal(r.n, 1);
	assert_stats(t, 0, 0, 0, 1, 0, 0, 0);
	ipfrag_free(t);
}

static void same_range_other_bytes_is_overlap(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	uint8_t other[16];
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	memcpy(other, x.dgram, 16);
	other[15] ^= 0xff;
	assert_int_equal(add(t, &x, T0, 4, 0, 16, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 4, 17, 0, 1, other, 16, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EMALFORMED);
	assert_stats(t, 0, 0, 0, 1, 0, 1, 0);
	ipfrag_free(t);
}

static void never_completed_expires(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	struct rec r = { 0 };
	ipfrag_limits_t lim = { .timeout = 30 * SEC };
	ipfrag_t *t = ipfrag_new(&lim);

	fx_init(&x);
	/* Train 0x11: first fragment only. Train 0x22 (later): second only. */
	assert_int_equal(add(t, &x, T0, 0x11, 0, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_int_equal(add(t, &x, T0 + SEC, 0x22, 16, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	ipfrag_expire(t, T0 + 30 * SEC - 1, rec_fn, &r);
	assert_int_equal(r.n, 0);
	ipfrag_expire(t, T0 + 30 * SEC, rec_fn, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[0].ts, T0 + 30 * SEC);
	assert_true(db_addr_eq(&r.ev[0].flow.src, &x.srv));
	assert_true(db_addr_eq(&r.ev[0].flow.dst, &x.cli));
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_UDP);
	assert_int_equal(r.ev[0].flow.sport, 53);
	assert_int_equal(r.ev[0].flow.dport, 40000);
	assert_int_equal(r.ev[0].u.frag.ip_id, 0x11);
	assert_int_equal(r.ev[0].u.frag.frags, 1);
	assert_int_equal(r.ev[0].u.frag.bytes, 16);
	assert_int_equal(r.ev[0].u.frag.have_first, 1);
	/* The DNS id after the UDP header ties the loss to one query. */
	assert_int_equal(r.ev[0].u.frag.have_qid, 1);
	assert_int_equal(r.ev[0].u.frag.qid, 0xa8a9);
	assert_stats(t, 0, 1, 0, 0, 0, 1, 16);

	ipfrag_expire(t, T0 + 31 * SEC, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].ts, T0 + 31 * SEC);
	assert_int_equal(r.ev[1].flow.proto, 0);
	assert_int_equal(r.ev[1].flow.sport, 0);
	assert_int_equal(r.ev[1].flow.dport, 0);
	assert_int_equal(r.ev[1].u.frag.ip_id, 0x22);
	assert_int_equal(r.ev[1].u.frag.frags, 1);
	assert_int_equal(r.ev[1].u.frag.bytes, 16);
	assert_int_equal(r.ev[1].u.frag.have_first, 0);
	assert_int_equal(r.ev[1].u.frag.have_qid, 0);
	assert_stats(t, 0, 2, 0, 0, 0, 0, 0);
	ipfrag_free(t);
}

static void first_fragment_not_udp_has_no_ports(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	struct rec r = { 0 };
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	/* Next Header 58 (ICMPv6). */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 5, 58, 0, 1, x.dgram, 8, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_OK);
	ipfrag_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].ts, T0);
	assert_int_equal(r.ev[0].flow.proto, 0);
	assert_int_equal(r.ev[0].flow.sport, 0);
	assert_int_equal(r.ev[0].u.frag.have_first, 1);
	assert_int_equal(r.ev[0].u.frag.bytes, 8);
	ipfrag_free(t);
}

static void eviction_at_train_limit(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	struct rec r = { 0 };
	ipfrag_limits_t lim = { .max_trains = 2 };
	ipfrag_t *t = ipfrag_new(&lim);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 1, 0, 8, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_int_equal(add(t, &x, T0 + 1, 2, 0, 8, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_int_equal(r.n, 0);
	assert_int_equal(add(t, &x, T0 + 2, 3, 0, 8, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[0].ts, T0 + 2);
	assert_int_equal(r.ev[0].u.frag.ip_id, 1);
	assert_int_equal(r.ev[0].u.frag.have_first, 1);
	assert_int_equal(r.ev[0].flow.sport, 53);
	assert_stats(t, 0, 0, 1, 0, 0, 2, 16);
	/* Train 2 is still there and completes. */
	assert_int_equal(add(t, &x, T0 + 3, 2, 8, 8, 0, &out, &out_len, &nh, &r), DB_OK);
	assert_non_null(out);
	assert_int_equal(out_len, 16);
	free(out);
	ipfrag_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].u.frag.ip_id, 3);
	assert_int_equal(r.ev[1].ts, T0 + 2);
	ipfrag_stats_t st;
	ipfrag_stats(t, &st);
	assert_int_equal(st.flushed, 1);
	assert_stats(t, 1, 0, 1, 0, 0, 0, 0);
	ipfrag_free(t);
}

static void eviction_at_byte_limit(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	struct rec r = { 0 };
	ipfrag_stats_t st;
	ipfrag_limits_t lim = { .max_bytes = 32 };
	ipfrag_t *t = ipfrag_new(&lim);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 1, 0, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_int_equal(add(t, &x, T0 + 1, 2, 0, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_stats(t, 0, 0, 0, 0, 0, 2, 32);
	assert_int_equal(r.n, 0);
	/* 8 more bytes: train 1 (the oldest) goes. */
	assert_int_equal(add(t, &x, T0 + 2, 2, 16, 8, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].ts, T0 + 2);
	assert_int_equal(r.ev[0].u.frag.ip_id, 1);
	assert_int_equal(r.ev[0].u.frag.frags, 1);
	assert_int_equal(r.ev[0].u.frag.bytes, 16);
	assert_stats(t, 0, 0, 1, 0, 0, 1, 24);
	/* 16 more bytes for train 2, now itself the oldest: it is given up
	 * and the fragment starts a new train. */
	assert_int_equal(add(t, &x, T0 + 3, 2, 24, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	assert_null(out);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].ts, T0 + 3);
	assert_int_equal(r.ev[1].u.frag.ip_id, 2);
	assert_int_equal(r.ev[1].u.frag.frags, 2);
	assert_int_equal(r.ev[1].u.frag.bytes, 24);
	assert_int_equal(r.ev[1].u.frag.have_first, 1);
	assert_stats(t, 0, 0, 2, 0, 0, 1, 16);
	/* A fragment larger than the whole budget is refused outright. */
	assert_int_equal(add(t, &x, T0 + 4, 9, 0, 40, 1, &out, &out_len, &nh, &r), DB_ELIMIT);
	assert_int_equal(r.n, 2);
	ipfrag_stats(t, &st);
	assert_int_equal(st.dropped, 1);
	assert_stats(t, 0, 0, 2, 0, 0, 1, 16);
	ipfrag_free(t);
}

static void oversize_and_bad_lengths(void **state)
{
	(void)state;
	uint8_t big[64];
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	memset(big, 0x77, sizeof(big));
	/* 65528 + 16 > 65535. */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 1, 17, 65528, 1, big, 16, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EMALFORMED);
	/* Exactly 65535 is allowed. */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 1, 17, 65528, 0, big, 7, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_OK);
	assert_null(out);
	/* M = 1 with a length not a multiple of 8, or zero. */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 2, 17, 0, 1, big, 12, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EMALFORMED);
	assert_int_equal(
	    ipfrag_add(t, T0, &x.srv, &x.cli, 2, 17, 8, 1, big, 0, &out, &out_len, &nh, NULL, NULL),
	    DB_EMALFORMED);
	assert_stats(t, 0, 0, 0, 0, 3, 1, 7);
	/* A second, different end for train 1 corrupts it. */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 1, 17, 64, 0, big, 8, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EMALFORMED);
	assert_stats(t, 0, 0, 0, 0, 4, 1, 0);
	/* A fragment reaching past a known end, too. */
	assert_int_equal(
	    ipfrag_add(t, T0, &x.srv, &x.cli, 3, 17, 0, 1, big, 8, &out, &out_len, &nh, NULL, NULL),
	    DB_OK);
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 3, 17, 16, 0, big, 8, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_OK);
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 3, 17, 24, 1, big, 8, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EMALFORMED);
	assert_stats(t, 0, 0, 0, 0, 5, 2, 0);
	/* Bad arguments. */
	assert_int_equal(ipfrag_add(t, T0, &x.srv, &x.cli, 3, 17, 0, 1, NULL, 8, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EINVAL);
	assert_int_equal(ipfrag_add(NULL, T0, &x.srv, &x.cli, 3, 17, 0, 1, big, 8, &out, &out_len,
				    &nh, NULL, NULL),
			 DB_EINVAL);
	ipfrag_free(t);
}

static void atomic_fragment_and_max_frags(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	ipfrag_limits_t lim = { .max_frags = 2 };
	ipfrag_t *t = ipfrag_new(&lim);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 1, 8, 8, 1, &out, &out_len, &nh, NULL), DB_OK);
	/* RFC 6946: offset 0, M = 0 with the same id stands alone. */
	assert_int_equal(add(t, &x, T0, 1, 0, 12, 0, &out, &out_len, &nh, NULL), DB_OK);
	assert_non_null(out);
	assert_int_equal(out_len, 12);
	assert_int_equal(nh, 17);
	assert_memory_equal(out, x.dgram, 12);
	free(out);
	out = NULL;
	assert_stats(t, 1, 0, 0, 0, 0, 1, 8);
	assert_int_equal(add(t, &x, T0, 1, 16, 8, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_int_equal(add(t, &x, T0, 1, 24, 8, 1, &out, &out_len, &nh, NULL), DB_ELIMIT);
	assert_stats(t, 1, 0, 0, 0, 1, 1, 0);
	ipfrag_free(t);
}

/* IPv4: the protocol is part of the key (RFC 791), folded into id by the
 * caller; the event reports the 16-bit id; an IPv6 train with the same
 * address bytes and id is another train. */
static void ipv4_keys_on_protocol(void **state)
{
	(void)state;
	struct fx x;
	struct rec r = { 0 };
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	db_addr_t s4, d4, s6, d6;
	assert_int_equal(db_addr_parse(&s4, "192.0.2.53"), 0);
	assert_int_equal(db_addr_parse(&d4, "192.0.2.1"), 0);
	s6 = s4;
	d6 = d4;
	s6.family = d6.family = 6; /* the same 16 bytes, another family */
	fx_init(&x);
	ipfrag_t *t = ipfrag_new(NULL);
	assert_non_null(t);
	uint32_t udp = 17u << 16 | 0x1234, tcp = 6u << 16 | 0x1234;
	/* First half as UDP, second half as TCP and as IPv6: no completion. */
	assert_int_equal(ipfrag_add(t, T0, &s4, &d4, udp, 17, 0, 1, x.dgram, 16, &out, &out_len,
				    &nh, rec_fn, &r),
			 DB_OK);
	assert_int_equal(ipfrag_add(t, T0, &s4, &d4, tcp, 6, 16, 0, x.dgram + 16, 24, &out,
				    &out_len, &nh, rec_fn, &r),
			 DB_OK);
	assert_null(out);
	assert_int_equal(ipfrag_add(t, T0, &s6, &d6, udp, 17, 16, 0, x.dgram + 16, 24, &out,
				    &out_len, &nh, rec_fn, &r),
			 DB_OK);
	assert_null(out);
	/* The UDP train's own second half completes it. */
	assert_int_equal(ipfrag_add(t, T0, &s4, &d4, udp, 17, 16, 0, x.dgram + 16, 24, &out,
				    &out_len, &nh, rec_fn, &r),
			 DB_OK);
	assert_non_null(out);
	assert_int_equal(out_len, 40);
	assert_int_equal(nh, 17);
	assert_memory_equal(out, x.dgram, 40);
	free(out);
	ipfrag_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 2);
	for (int i = 0; i < r.n; i++) {
		assert_int_equal(r.ev[i].kind, CAP_EV_FRAG_EXPIRED);
		if (r.ev[i].flow.src.family == 4)
			assert_int_equal(r.ev[i].u.frag.ip_id, 0x1234);
		else
			assert_int_equal(r.ev[i].u.frag.ip_id, udp);
	}
	ipfrag_free(t);
}

/* A train one of whose fragments snaplen cut is the capture's loss: it is
 * counted in cut when given up, never reported. */
static void cut_train_not_reported(void **state)
{
	(void)state;
	struct fx x;
	struct rec r = { 0 };
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	fx_init(&x);
	ipfrag_t *t = ipfrag_new(NULL);
	assert_non_null(t);
	assert_int_equal(add(t, &x, T0, 7, 0, 16, 1, &out, &out_len, &nh, &r), DB_OK);
	ipfrag_cut(t, T0 + 1, &x.srv, &x.cli, 7, rec_fn, &r);
	ipfrag_cut(t, T0 + 2, &x.srv, &x.cli, 8, rec_fn, &r); /* a train made by its cut fragment */
	ipfrag_expire(t, T0 + 31 * SEC, rec_fn, &r);
	assert_int_equal(r.n, 0);
	ipfrag_stats_t st;
	ipfrag_stats(t, &st);
	assert_int_equal(st.cut, 2);
	assert_int_equal(st.expired, 2);
	assert_int_equal(st.trains, 0);
	ipfrag_free(t);
}

static void free_with_pending(void **state)
{
	(void)state;
	struct fx x;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t nh = 0;
	ipfrag_t *t = ipfrag_new(NULL);

	fx_init(&x);
	assert_int_equal(add(t, &x, T0, 1, 0, 8, 1, &out, &out_len, &nh, NULL), DB_OK);
	assert_int_equal(add(t, &x, T0, 2, 8, 8, 1, &out, &out_len, &nh, NULL), DB_OK);
	ipfrag_free(t); /* ASan checks nothing leaks */
	ipfrag_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order),
		cmocka_unit_test(out_of_order_and_first_nh),
		cmocka_unit_test(duplicate_ignored),
		cmocka_unit_test(overlap_discards_train),
		cmocka_unit_test(same_range_other_bytes_is_overlap),
		cmocka_unit_test(never_completed_expires),
		cmocka_unit_test(first_fragment_not_udp_has_no_ports),
		cmocka_unit_test(eviction_at_train_limit),
		cmocka_unit_test(eviction_at_byte_limit),
		cmocka_unit_test(oversize_and_bad_lengths),
		cmocka_unit_test(atomic_fragment_and_max_frags),
		cmocka_unit_test(ipv4_keys_on_protocol),
		cmocka_unit_test(cut_train_not_reported),
		cmocka_unit_test(free_with_pending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
