/*
 * test_tcpreasm.c - TCP stream reassembly for DNS (capture/tcpreasm.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/tcpreasm.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)

#define REC_MAX 32
#define REC_MSG 64

struct rec {
	int n;
	cap_event_t ev[REC_MAX];
	uint8_t msg[REC_MAX][REC_MSG];
};

static void rec_fn(const cap_event_t *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < REC_MAX);
	r->ev[r->n] = *ev;
	if (ev->kind == CAP_EV_DNS) {
		assert_true(ev->u.dns.len <= REC_MSG);
		memcpy(r->msg[r->n], ev->u.dns.msg, ev->u.dns.len);
		r->ev[r->n].u.dns.msg = r->msg[r->n];
	}
	r->n++;
}

/* The client -> server flow of connection k (client port 40000 + k). */
static db_flow_t c2s(int k)
{
	db_flow_t f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(db_addr_parse(&f.src, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&f.dst, "2001:db8::53"), 0);
	f.sport = (uint16_t)(40000 + k);
	f.dport = 53;
	f.proto = DB_PROTO_TCP;
	return f;
}

static db_flow_t s2c(int k)
{
	db_flow_t f = c2s(k);

	db_flow_reverse(&f);
	return f;
}

/* Sends one segment; dir 0 = client to server. */
static void seg(tcpreasm_t *t, struct rec *r, db_time_t ts, int k, int dir, uint32_t seq,
		uint32_t ack, uint8_t flags, const void *p, size_t len)
{
	db_flow_t f = dir ? s2c(k) : c2s(k);

	tcpreasm_segment(t, ts, &f, seq, ack, flags, p, len, rec_fn, r);
}

static void handshake(tcpreasm_t *t, struct rec *r, db_time_t ts, int k, uint32_t cisn,
		      uint32_t sisn)
{
	seg(t, r, ts, k, 0, cisn, 0, TCPREASM_SYN, NULL, 0);
	seg(t, r, ts + 1, k, 1, sisn, cisn + 1, TCPREASM_SYN | TCPREASM_ACK, NULL, 0);
	seg(t, r, ts + 2, k, 0, cisn + 1, sisn + 1, TCPREASM_ACK, NULL, 0);
}

static void assert_dns(const struct rec *r, int i, db_time_t ts, int k, int dir, const char *want,
		       size_t len)
{
	db_flow_t f = dir ? s2c(k) : c2s(k);

	assert_int_equal(r->ev[i].kind, CAP_EV_DNS);
	assert_int_equal(r->ev[i].ts, ts);
	assert_true(db_addr_eq(&r->ev[i].flow.src, &f.src));
	assert_true(db_addr_eq(&r->ev[i].flow.dst, &f.dst));
	assert_int_equal(r->ev[i].flow.sport, f.sport);
	assert_int_equal(r->ev[i].flow.dport, f.dport);
	assert_int_equal(r->ev[i].flow.proto, DB_PROTO_TCP);
	assert_int_equal(r->ev[i].u.dns.len, len);
	assert_int_equal(r->ev[i].u.dns.wire_len, len);
	assert_memory_equal(r->msg[i], want, len);
}

static void assert_loss(const struct rec *r, int i, db_time_t ts, int k, int dir, uint32_t pending)
{
	db_flow_t f = dir ? s2c(k) : c2s(k);

	assert_int_equal(r->ev[i].kind, CAP_EV_STREAM_LOSS);
	assert_int_equal(r->ev[i].ts, ts);
	assert_true(db_addr_eq(&r->ev[i].flow.src, &f.src));
	assert_int_equal(r->ev[i].flow.sport, f.sport);
	assert_int_equal(r->ev[i].flow.dport, f.dport);
	assert_int_equal(r->ev[i].flow.proto, DB_PROTO_TCP);
	assert_int_equal(r->ev[i].u.loss.bytes_pending, pending);
}

static tcpreasm_stats_t stats(const tcpreasm_t *t)
{
	tcpreasm_stats_t st;

	tcpreasm_stats(t, &st);
	return st;
}

static void pipelined_queries_and_responses(void **state)
{
	(void)state;
	/* Two queries in one segment. */
	static const uint8_t q[] = { 0x00, 0x03, 'q', '1', 'a', 0x00, 0x03, 'q', '2', 'b' };
	/* Answers: the second first (RFC 7766 allows it), then the first
	 * split across two segments. */
	static const uint8_t a1[] = { 0x00, 0x02, 'A', '2', 0x00, 0x04, 'A', '1' };
	static const uint8_t a2[] = { 'x', 'y' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);
	tcpreasm_stats_t st;

	assert_non_null(t);
	handshake(t, &r, T0, 0, 1000, 5000);
	assert_int_equal(r.n, 0);
	seg(t, &r, T0 + 10, 0, 0, 1001, 5001, TCPREASM_ACK | TCPREASM_PSH, q, sizeof(q));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, T0 + 10, 0, 0, "q1a", 3);
	assert_dns(&r, 1, T0 + 10, 0, 0, "q2b", 3);
	seg(t, &r, T0 + 20, 0, 1, 5001, 1011, TCPREASM_ACK | TCPREASM_PSH, a1, sizeof(a1));
	assert_int_equal(r.n, 3);
	assert_dns(&r, 2, T0 + 20, 0, 1, "A2", 2);
	seg(t, &r, T0 + 21, 0, 1, 5009, 1011, TCPREASM_ACK | TCPREASM_PSH, a2, sizeof(a2));
	assert_int_equal(r.n, 4);
	assert_dns(&r, 3, T0 + 21, 0, 1, "A1xy", 4);

	/* Orderly close: FIN, FIN-ACK, last ACK. */
	seg(t, &r, T0 + 30, 0, 0, 1011, 5011, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	st = stats(t);
	assert_int_equal(st.active, 1);
	seg(t, &r, T0 + 31, 0, 1, 5011, 1012, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	st = stats(t);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.closed, 1);
	/* The last ACK belongs to no stream any more; being empty it is not
	 * counted as ignored data. */
	seg(t, &r, T0 + 32, 0, 0, 1012, 5012, TCPREASM_ACK, NULL, 0);
	assert_int_equal(r.n, 4);

	st = stats(t);
	assert_int_equal(st.streams, 1);
	assert_int_equal(st.messages, 4);
	assert_int_equal(st.losses, 0);
	assert_int_equal(st.no_syn_segments, 0);
	assert_int_equal(st.retrans_bytes, 0);
	tcpreasm_free(t);
}

static void out_of_order_segments(void **state)
{
	(void)state;
	/* One 8-byte message plus a 2-byte one, as three segments. */
	static const uint8_t s1[] = { 0x00, 0x08, 'a', 'b' };
	static const uint8_t s2[] = { 'c', 'd', 'e', 'f' };
	static const uint8_t s3[] = { 'g', 'h', 0x00, 0x02, 'o', 'k' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);

	handshake(t, &r, T0, 0, 100, 900);
	seg(t, &r, T0 + 10, 0, 0, 109, 901, TCPREASM_ACK, s3, sizeof(s3));
	seg(t, &r, T0 + 11, 0, 0, 105, 901, TCPREASM_ACK, s2, sizeof(s2));
	assert_int_equal(r.n, 0);
	seg(t, &r, T0 + 12, 0, 0, 101, 901, TCPREASM_ACK, s1, sizeof(s1));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, T0 + 12, 0, 0, "abcdefgh", 8);
	assert_dns(&r, 1, T0 + 12, 0, 0, "ok", 2);
	assert_int_equal(stats(t).retrans_bytes, 0);
	tcpreasm_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 2); /* nothing pending: no loss */
	assert_int_equal(stats(t).flushed, 1);
	tcpreasm_free(t);
}

static void retransmission_and_overlap_trimmed(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0x00, 0x06, 'a', 'b', 'c' };
	/* Retransmission of s1's last 3 bytes plus 3 new ones, and a
	 * second message. */
	static const uint8_t s2[] = { 'a', 'b', 'c', 'd', 'e', 'f', 0x00, 0x01, 'z' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);

	handshake(t, &r, T0, 0, 7000, 3000);
	seg(t, &r, T0 + 10, 0, 0, 7001, 3001, TCPREASM_ACK, s1, sizeof(s1));
	seg(t, &r, T0 + 11, 0, 0, 7001, 3001, TCPREASM_ACK, s1, sizeof(s1));
	assert_int_equal(r.n, 0);
	assert_int_equal(stats(t).retrans_bytes, 5);
	seg(t, &r, T0 + 12, 0, 0, 7003, 3001, TCPREASM_ACK, s2, sizeof(s2));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, T0 + 12, 0, 0, "abcdef", 6);
	assert_dns(&r, 1, T0 + 12, 0, 0, "z", 1);
	assert_int_equal(stats(t).retrans_bytes, 8);
	/* Whole old segment again: nothing new. */
	seg(t, &r, T0 + 13, 0, 0, 7003, 3001, TCPREASM_ACK, s2, sizeof(s2));
	assert_int_equal(r.n, 2);
	assert_int_equal(stats(t).retrans_bytes, 17);

	/* Overlapping out-of-order segments are held once. */
	static const uint8_t m[] = { 0x00, 0x06, '1', '2', '3', '4', '5', '6' };
	uint32_t b = 7001 + 5 + 6;                                      /* next expected */
	seg(t, &r, T0 + 20, 0, 0, b + 4, 3001, TCPREASM_ACK, m + 4, 4); /* [4,8) */
	seg(t, &r, T0 + 21, 0, 0, b + 2, 3001, TCPREASM_ACK, m + 2, 6); /* [2,8) */
	assert_int_equal(stats(t).retrans_bytes, 17 + 4);
	seg(t, &r, T0 + 22, 0, 0, b, 3001, TCPREASM_ACK, m, 3); /* [0,3) */
	assert_int_equal(r.n, 3);
	assert_dns(&r, 2, T0 + 22, 0, 0, "123456", 6);
	assert_int_equal(stats(t).retrans_bytes, 17 + 4 + 1);
	assert_int_equal(stats(t).messages, 3);
	tcpreasm_free(t);
}

static void lost_segment_reported_at_close(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0x00, 0x08, 'a', 'b', 'c' }; /* seq 1001 */
	/* s2 = 'd'..'h' at 1006 is lost */
	static const uint8_t s3[] = { 0x00, 0x02, 'x', 'y' }; /* seq 1011 */
	static const uint8_t ans[] = { 0x00, 0x01, 'R' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);

	handshake(t, &r, T0, 0, 1000, 5000);
	seg(t, &r, T0 + 10, 0, 0, 1001, 5001, TCPREASM_ACK, s1, sizeof(s1));
	seg(t, &r, T0 + 12, 0, 0, 1011, 5001, TCPREASM_ACK, s3, sizeof(s3));
	seg(t, &r, T0 + 13, 0, 1, 5001, 1015, TCPREASM_ACK, ans, sizeof(ans));
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, T0 + 13, 0, 1, "R", 1);
	/* Client FIN at 1015; the server acknowledges it (so its receiver
	 * had every byte) and closes its side. */
	seg(t, &r, T0 + 20, 0, 0, 1015, 5004, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	assert_int_equal(stats(t).active, 1);
	seg(t, &r, T0 + 21, 0, 1, 5004, 1016, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	assert_int_equal(r.n, 2);
	/* 5 bytes of the cut message (prefix included), 5 lost, 4 held. */
	assert_loss(&r, 1, T0 + 21, 0, 0, 14);
	tcpreasm_stats_t st = stats(t);
	assert_int_equal(st.losses, 1);
	assert_int_equal(st.closed, 1);
	assert_int_equal(st.active, 0);
	tcpreasm_free(t);
}

static void message_cut_by_rst(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0xff, 0xff, 'a', 'b', 'c', 'd' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);

	handshake(t, &r, T0, 0, 10, 20);
	seg(t, &r, T0 + 5, 0, 1, 21, 11, TCPREASM_ACK, s1, sizeof(s1));
	seg(t, &r, T0 + 6, 0, 0, 11, 0, TCPREASM_RST, NULL, 0);
	assert_int_equal(r.n, 1);
	assert_loss(&r, 0, T0 + 6, 0, 1, 6);
	assert_int_equal(stats(t).closed, 1);
	assert_int_equal(stats(t).losses, 1);
	tcpreasm_free(t);
}

static void no_syn_ignored(void **state)
{
	(void)state;
	static const uint8_t q[] = { 0x00, 0x01, 'q' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);
	tcpreasm_stats_t st;

	/* Captured mid-stream: data and a SYN-ACK without the SYN. */
	seg(t, &r, T0, 0, 0, 1001, 5001, TCPREASM_ACK, q, sizeof(q));
	seg(t, &r, T0 + 1, 1, 1, 5000, 1001, TCPREASM_SYN | TCPREASM_ACK, NULL, 0);
	/* SYN seen but SYN-ACK not: the server's data has no ISN to go by. */
	seg(t, &r, T0 + 2, 2, 0, 300, 0, TCPREASM_SYN, NULL, 0);
	seg(t, &r, T0 + 3, 2, 1, 801, 301, TCPREASM_ACK, q, sizeof(q));
	/* ... while the client's data is followed. */
	seg(t, &r, T0 + 4, 2, 0, 301, 801, TCPREASM_ACK, q, sizeof(q));
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, T0 + 4, 2, 0, "q", 1);
	st = stats(t);
	assert_int_equal(st.no_syn_segments, 2); /* the SYN-ACK has no payload */
	assert_int_equal(st.streams, 1);
	assert_int_equal(st.active, 1);
	tcpreasm_free(t);
}

static void sequence_wraparound(void **state)
{
	(void)state;
	/* 10-byte message crossing 2^32, sent as two segments out of order. */
	static const uint8_t m[] = { 0x00, 0x08, 'w', 'r', 'a', 'p', 'p', 'i', 'n', 'g' };
	static const uint8_t m2[] = { 0x00, 0x02, 'o', 'k' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);
	const uint32_t cisn = 0xfffffff8u; /* first data byte 0xfffffff9 */
	const uint32_t sisn = 0xffffffffu; /* first data byte 0 */

	handshake(t, &r, T0, 0, cisn, sisn);
	/* Bytes 7.. of the message are at seq 0. */
	seg(t, &r, T0 + 10, 0, 0, 0x00000000u, 0, TCPREASM_ACK, m + 7, 3);
	assert_int_equal(r.n, 0);
	seg(t, &r, T0 + 11, 0, 0, 0xfffffff9u, 0, TCPREASM_ACK, m, 7);
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, T0 + 11, 0, 0, "wrapping", 8);
	/* A retransmission from before the wrap is recognised as old. */
	seg(t, &r, T0 + 12, 0, 0, 0xfffffffcu, 0, TCPREASM_ACK, m + 3, 7);
	assert_int_equal(r.n, 1);
	seg(t, &r, T0 + 13, 0, 0, 0x00000003u, 0, TCPREASM_ACK, m2, sizeof(m2));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 1, T0 + 13, 0, 0, "ok", 2);
	/* The server's first byte is seq 0. */
	seg(t, &r, T0 + 14, 0, 1, 0x00000000u, 7, TCPREASM_ACK, m2, sizeof(m2));
	assert_int_equal(r.n, 3);
	assert_dns(&r, 2, T0 + 14, 0, 1, "ok", 2);
	assert_int_equal(stats(t).retrans_bytes, 7);
	tcpreasm_free(t);
}

static void stream_eviction(void **state)
{
	(void)state;
	static const uint8_t part[] = { 0x00, 0x09, 'p', 'a' };
	struct rec r = { 0 };
	tcpreasm_limits_t lim = { .max_streams = 2 };
	tcpreasm_t *t = tcpreasm_new(&lim);
	tcpreasm_stats_t st;

	handshake(t, &r, T0, 1, 100, 200);
	seg(t, &r, T0 + 5, 1, 0, 101, 201, TCPREASM_ACK, part, sizeof(part));
	handshake(t, &r, T0 + 10, 2, 100, 200);
	/* Activity on stream 1 makes stream 2 the least recently active. */
	seg(t, &r, T0 + 20, 1, 1, 201, 105, TCPREASM_ACK, NULL, 0);
	assert_int_equal(r.n, 0);
	seg(t, &r, T0 + 30, 3, 0, 100, 0, TCPREASM_SYN, NULL, 0);
	assert_int_equal(r.n, 0); /* stream 2 had nothing pending */
	st = stats(t);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.active, 2);
	seg(t, &r, T0 + 40, 4, 0, 100, 0, TCPREASM_SYN, NULL, 0);
	assert_int_equal(r.n, 1);
	assert_loss(&r, 0, T0 + 40, 1, 0, 4);
	st = stats(t);
	assert_int_equal(st.evicted, 2);
	assert_int_equal(st.streams, 4);
	assert_int_equal(st.losses, 1);
	/* Stream 2 is gone: its segments are now unknown. */
	seg(t, &r, T0 + 41, 2, 0, 101, 201, TCPREASM_ACK, part, sizeof(part));
	assert_int_equal(stats(t).no_syn_segments, 1);
	tcpreasm_free(t);
}

static void idle_expiry_and_held_bound(void **state)
{
	(void)state;
	static const uint8_t q[] = { 0x00, 0x03, 'a', 'b', 'c' };
	static const uint8_t big[12] = { 0 };
	struct rec r = { 0 };
	tcpreasm_limits_t lim = { .timeout = 10 * SEC, .max_held = 8 };
	tcpreasm_t *t = tcpreasm_new(&lim);
	tcpreasm_stats_t st;

	handshake(t, &r, T0, 0, 100, 500);
	/* 12 bytes ahead of a gap exceed max_held = 8: dropped. */
	seg(t, &r, T0 + 3, 0, 0, 111, 501, TCPREASM_ACK, big, sizeof(big));
	st = stats(t);
	assert_int_equal(st.dropped_bytes, 12);
	seg(t, &r, T0 + 4, 0, 1, 501, 101, TCPREASM_ACK, q, 4);
	tcpreasm_expire(t, T0 + 4 + 10 * SEC - 1, rec_fn, &r);
	assert_int_equal(r.n, 0);
	tcpreasm_expire(t, T0 + 4 + 10 * SEC, rec_fn, &r);
	assert_int_equal(r.n, 2);
	/* Client: gap 101..111 plus the 12 dropped bytes. */
	assert_loss(&r, 0, T0 + 4 + 10 * SEC, 0, 0, 22);
	/* Server: 4 bytes of a 5-byte message. */
	assert_loss(&r, 1, T0 + 4 + 10 * SEC, 0, 1, 4);
	st = stats(t);
	assert_int_equal(st.expired, 1);
	assert_int_equal(st.losses, 2);
	assert_int_equal(st.active, 0);
	tcpreasm_free(t);
}

static void syn_retransmit_and_port_reuse(void **state)
{
	(void)state;
	static const uint8_t part[] = { 0x00, 0x05, 'x' };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);
	tcpreasm_stats_t st;

	seg(t, &r, T0, 0, 0, 100, 0, TCPREASM_SYN, NULL, 0);
	seg(t, &r, T0 + SEC, 0, 0, 100, 0, TCPREASM_SYN, NULL, 0);
	assert_int_equal(stats(t).streams, 1);
	seg(t, &r, T0 + SEC + 1, 0, 0, 101, 0, TCPREASM_ACK, part, sizeof(part));
	/* Same 4-tuple, new ISN: the old connection is over. */
	seg(t, &r, T0 + 5 * SEC, 0, 0, 90000, 0, TCPREASM_SYN, NULL, 0);
	assert_int_equal(r.n, 1);
	assert_loss(&r, 0, T0 + 5 * SEC, 0, 0, 3);
	st = stats(t);
	assert_int_equal(st.streams, 2);
	assert_int_equal(st.closed, 1);
	assert_int_equal(st.active, 1);
	tcpreasm_free(t);
}

/*
 * Real DNS messages for the mid-stream tests, which look at headers: a
 * query and its response for "example.com" A (prefix + 12 + 13 + 4 = 31
 * bytes), and a second response with no question (a header only).
 */
static const uint8_t mq[] = { 0x00, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
			      0x00, 0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',
			      0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01 };
static const uint8_t mr[] = { 0x00, 0x1d, 0x12, 0x34, 0x81, 0x82, 0x00, 0x01, 0x00, 0x00, 0x00,
			      0x00, 0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',
			      0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01 };
static const uint8_t mr2[] = { 0x00, 0x0c, 0x56, 0x78, 0x80, 0x01, 0x00,
			       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

static void midstream_query_and_response(void **state)
{
	(void)state;
	tcpreasm_limits_t lim = { .midstream = 1 };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(&lim);
	tcpreasm_stats_t st;

	assert_non_null(t);
	/* No handshake: a pure ACK and a RST with data create nothing. */
	seg(t, &r, T0, 0, 0, 1001, 5001, TCPREASM_ACK, NULL, 0);
	seg(t, &r, T0, 0, 0, 1001, 5001, TCPREASM_RST | TCPREASM_ACK, mq, sizeof(mq));
	assert_int_equal(stats(t).active, 0);
	seg(t, &r, T0 + 1, 0, 0, 1001, 5001, TCPREASM_ACK | TCPREASM_PSH, mq, sizeof(mq));
	seg(t, &r, T0 + 2, 0, 1, 5001, 1032, TCPREASM_ACK | TCPREASM_PSH, mr, sizeof(mr));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, T0 + 1, 0, 0, (const char *)mq + 2, sizeof(mq) - 2);
	assert_dns(&r, 1, T0 + 2, 0, 1, (const char *)mr + 2, sizeof(mr) - 2);
	/* After pickup a retransmission is trimmed as usual. */
	seg(t, &r, T0 + 3, 0, 1, 5001, 1032, TCPREASM_ACK, mr, sizeof(mr));
	assert_int_equal(r.n, 2);
	st = stats(t);
	assert_int_equal(st.midstream_pickups, 2);
	assert_int_equal(st.midstream_rejected, 0);
	assert_int_equal(st.streams, 0);
	assert_int_equal(st.no_syn_segments, 1); /* the RST */
	assert_int_equal(st.retrans_bytes, sizeof(mr));
	assert_int_equal(st.active, 1);

	/* Orderly close, then a late retransmission: not a new stream. */
	seg(t, &r, T0 + 4, 0, 1, 5032, 1032, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	seg(t, &r, T0 + 5, 0, 0, 1032, 5033, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	assert_int_equal(stats(t).closed, 1);
	assert_int_equal(stats(t).active, 0);
	seg(t, &r, T0 + 6, 0, 1, 5001, 1033, TCPREASM_ACK, mr, sizeof(mr));
	assert_int_equal(r.n, 2);
	st = stats(t);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.no_syn_segments, 2);
	assert_int_equal(st.midstream_pickups, 2);

	/* SYN seen, SYN-ACK not: the server's direction is picked up alone. */
	seg(t, &r, T0 + 7, 1, 0, 300, 0, TCPREASM_SYN, NULL, 0);
	seg(t, &r, T0 + 8, 1, 0, 301, 801, TCPREASM_ACK, mq, sizeof(mq));
	seg(t, &r, T0 + 9, 1, 1, 801, 332, TCPREASM_ACK, mr, sizeof(mr));
	assert_int_equal(r.n, 4);
	assert_dns(&r, 2, T0 + 8, 1, 0, (const char *)mq + 2, sizeof(mq) - 2);
	assert_dns(&r, 3, T0 + 9, 1, 1, (const char *)mr + 2, sizeof(mr) - 2);
	st = stats(t);
	assert_int_equal(st.streams, 1);
	assert_int_equal(st.midstream_pickups, 3);
	assert_int_equal(st.active, 1);
	tcpreasm_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 4); /* nothing lost */
	tcpreasm_free(t);
}

static void midstream_waits_for_message_start(void **state)
{
	(void)state;
	tcpreasm_limits_t lim = { .midstream = 1 };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(&lim);
	static const uint8_t two_q[] = { 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00,
					 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t tiny[] = { 0x00, 0x0b, 0x00, 0x01 };
	tcpreasm_stats_t st;

	assert_non_null(t);
	/* The capture starts 16 bytes into a response: the rest begins
	 * "xa" (length 0x7861) and 'l' as flags (OPCODE 13). */
	seg(t, &r, T0, 0, 1, 5016, 1032, TCPREASM_ACK, mr + 16, sizeof(mr) - 16);
	/* Two questions, and a prefix below a header's size. */
	seg(t, &r, T0 + 1, 0, 1, 6000, 1032, TCPREASM_ACK, two_q, sizeof(two_q));
	seg(t, &r, T0 + 2, 0, 1, 7000, 1032, TCPREASM_ACK, tiny, sizeof(tiny));
	assert_int_equal(r.n, 0);
	st = stats(t);
	assert_int_equal(st.midstream_rejected, 3);
	assert_int_equal(st.midstream_pickups, 0);
	assert_int_equal(st.active, 0);
	/* The next response starts at the segment boundary. */
	seg(t, &r, T0 + 3, 0, 1, 5032, 1032, TCPREASM_ACK, mr2, sizeof(mr2));
	seg(t, &r, T0 + 4, 0, 1, 5046, 1032, TCPREASM_ACK, mr, sizeof(mr));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, T0 + 3, 0, 1, (const char *)mr2 + 2, sizeof(mr2) - 2);
	assert_dns(&r, 1, T0 + 4, 0, 1, (const char *)mr + 2, sizeof(mr) - 2);
	st = stats(t);
	assert_int_equal(st.midstream_rejected, 3);
	assert_int_equal(st.midstream_pickups, 1);
	assert_int_equal(st.no_syn_segments, 0);
	assert_int_equal(st.active, 1);
	/* A client that only closes is never picked up, and it ends. */
	seg(t, &r, T0 + 5, 0, 0, 1032, 5077, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	seg(t, &r, T0 + 6, 0, 0, 1033, 5077, TCPREASM_ACK, mq, sizeof(mq));
	st = stats(t);
	assert_int_equal(st.midstream_pickups, 1);
	assert_int_equal(st.no_syn_segments, 1);
	assert_int_equal(st.active, 1);
	seg(t, &r, T0 + 7, 0, 1, 5077, 1033, TCPREASM_FIN | TCPREASM_ACK, NULL, 0);
	st = stats(t);
	assert_int_equal(st.closed, 1);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.losses, 0);
	assert_int_equal(r.n, 2);
	tcpreasm_free(t);
}

static void midstream_off_ignores(void **state)
{
	(void)state;
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);
	tcpreasm_stats_t st;

	assert_non_null(t);
	seg(t, &r, T0, 0, 0, 1001, 5001, TCPREASM_ACK | TCPREASM_PSH, mq, sizeof(mq));
	seg(t, &r, T0 + 1, 0, 1, 5001, 1032, TCPREASM_ACK | TCPREASM_PSH, mr, sizeof(mr));
	tcpreasm_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 0);
	st = stats(t);
	assert_int_equal(st.no_syn_segments, 2);
	assert_int_equal(st.midstream_pickups, 0);
	assert_int_equal(st.midstream_rejected, 0);
	assert_int_equal(st.streams, 0);
	assert_int_equal(st.flushed, 0);
	tcpreasm_free(t);
}

static void fast_open_syn_data(void **state)
{
	(void)state;
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(NULL);
	tcpreasm_stats_t st;

	assert_non_null(t);
	/* RFC 7413: the query rides on the SYN, from seq + 1. */
	seg(t, &r, T0, 0, 0, 1000, 0, TCPREASM_SYN, mq, sizeof(mq));
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, T0, 0, 0, (const char *)mq + 2, sizeof(mq) - 2);
	/* The SYN retransmitted with its data: same stream, trimmed. */
	seg(t, &r, T0 + 1, 0, 0, 1000, 0, TCPREASM_SYN, mq, sizeof(mq));
	seg(t, &r, T0 + 2, 0, 1, 5000, 1032, TCPREASM_SYN | TCPREASM_ACK, NULL, 0);
	seg(t, &r, T0 + 3, 0, 1, 5001, 1032, TCPREASM_ACK | TCPREASM_PSH, mr, sizeof(mr));
	assert_int_equal(r.n, 2);
	assert_dns(&r, 1, T0 + 3, 0, 1, (const char *)mr + 2, sizeof(mr) - 2);
	st = stats(t);
	assert_int_equal(st.streams, 1);
	assert_int_equal(st.messages, 2);
	assert_int_equal(st.retrans_bytes, sizeof(mq));
	assert_int_equal(st.no_syn_segments, 0);
	tcpreasm_free(t);
}

static void midstream_gap_reported_at_flush(void **state)
{
	(void)state;
	tcpreasm_limits_t lim = { .midstream = 1 };
	struct rec r = { 0 };
	tcpreasm_t *t = tcpreasm_new(&lim);
	tcpreasm_stats_t st;

	assert_non_null(t);
	seg(t, &r, T0, 0, 0, 1001, 5001, TCPREASM_ACK, mq, sizeof(mq));
	/* 10 bytes never captured, then a whole query after the hole: held,
	 * never delivered (as libnids would), reported lost with the hole. */
	seg(t, &r, T0 + 1, 0, 0, 1042, 5001, TCPREASM_ACK, mq, sizeof(mq));
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, T0, 0, 0, (const char *)mq + 2, sizeof(mq) - 2);
	tcpreasm_flush(t, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_loss(&r, 1, T0 + 1, 0, 0, 10 + sizeof(mq));
	st = stats(t);
	assert_int_equal(st.midstream_pickups, 1);
	assert_int_equal(st.losses, 1);
	assert_int_equal(st.flushed, 1);
	assert_int_equal(st.messages, 1);
	assert_int_equal(st.active, 0);
	tcpreasm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipelined_queries_and_responses),
		cmocka_unit_test(out_of_order_segments),
		cmocka_unit_test(retransmission_and_overlap_trimmed),
		cmocka_unit_test(lost_segment_reported_at_close),
		cmocka_unit_test(message_cut_by_rst),
		cmocka_unit_test(no_syn_ignored),
		cmocka_unit_test(sequence_wraparound),
		cmocka_unit_test(stream_eviction),
		cmocka_unit_test(idle_expiry_and_held_bound),
		cmocka_unit_test(syn_retransmit_and_port_reuse),
		cmocka_unit_test(midstream_query_and_response),
		cmocka_unit_test(midstream_waits_for_message_start),
		cmocka_unit_test(midstream_off_ignores),
		cmocka_unit_test(fast_open_syn_data),
		cmocka_unit_test(midstream_gap_reported_at_flush),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
