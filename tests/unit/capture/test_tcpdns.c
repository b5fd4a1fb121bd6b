/*
 * test_tcpdns.c - DNS-over-TCP framing (capture/tcpdns.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/tcpdns.h"

#define REC_MAX 16
#define REC_MSG 64

struct rec {
	int n;
	cap_event_t ev[REC_MAX];
	const uint8_t *ptr[REC_MAX]; /* where the message pointed during the callback */
	uint8_t msg[REC_MAX][REC_MSG];
	uint64_t sum[REC_MAX]; /* byte sum of the whole message */
};

static void rec_fn(const cap_event_t *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < REC_MAX);
	r->ev[r->n] = *ev;
	if (ev->kind == CAP_EV_DNS) {
		r->ptr[r->n] = ev->u.dns.msg;
		memcpy(r->msg[r->n], ev->u.dns.msg,
		       ev->u.dns.len < REC_MSG ? ev->u.dns.len : REC_MSG);
		for (size_t i = 0; i < ev->u.dns.len; i++)
			r->sum[r->n] += ev->u.dns.msg[i];
		r->ev[r->n].u.dns.msg = r->msg[r->n];
	}
	r->n++;
}

static cap_event_t tmpl_make(db_time_t ts)
{
	cap_event_t t;

	memset(&t, 0, sizeof(t));
	t.ts = ts;
	assert_int_equal(db_addr_parse(&t.flow.src, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&t.flow.dst, "2001:db8::53"), 0);
	t.flow.sport = 40000;
	t.flow.dport = 53;
	t.flow.proto = DB_PROTO_UDP; /* the framer must force TCP */
	return t;
}

static void assert_dns(const struct rec *r, int i, db_time_t ts, const uint8_t *want, size_t len)
{
	assert_int_equal(r->ev[i].kind, CAP_EV_DNS);
	assert_int_equal(r->ev[i].ts, ts);
	assert_int_equal(r->ev[i].flow.proto, DB_PROTO_TCP);
	assert_int_equal(r->ev[i].flow.sport, 40000);
	assert_int_equal(r->ev[i].flow.dport, 53);
	assert_int_equal(r->ev[i].u.dns.len, len);
	assert_int_equal(r->ev[i].u.dns.wire_len, len);
	assert_memory_equal(r->msg[i], want, len);
}

static void two_messages_one_segment(void **state)
{
	(void)state;
	static const uint8_t seg[] = { 0x00, 0x03, 'a', 'b', 'c', 0x00, 0x02, 'x', 'y' };
	tcpdns_t f;
	struct rec r = { 0 };
	cap_event_t tm = tmpl_make(1000);

	f = TCPDNS_IDLE;
	tcpdns_feed(&f, seg, sizeof(seg), &tm, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, 1000, (const uint8_t *)"abc", 3);
	assert_dns(&r, 1, 1000, (const uint8_t *)"xy", 2);
	/* Whole messages are views into the segment, not copies. */
	assert_ptr_equal(r.ptr[0], seg + 2);
	assert_ptr_equal(r.ptr[1], seg + 7);
	assert_ptr_equal(f.buf, NULL);
	assert_int_equal(tcpdns_pending(&f), 0);
	assert_int_equal(f.stats.messages, 2);
	assert_int_equal(f.stats.empty, 0);
	tcpdns_free(&f);
}

static void message_across_three_segments(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0x00, 0x0a, '0', '1', '2' };
	static const uint8_t s2[] = { '3', '4', '5', '6' };
	static const uint8_t s3[] = { '7', '8', '9', 0x00, 0x01, 'z' };
	tcpdns_t f;
	struct rec r = { 0 };
	cap_event_t tm = tmpl_make(10);

	f = TCPDNS_IDLE;
	tcpdns_feed(&f, s1, sizeof(s1), &tm, rec_fn, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(tcpdns_pending(&f), 5);
	tm.ts = 20;
	tcpdns_feed(&f, s2, sizeof(s2), &tm, rec_fn, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(tcpdns_pending(&f), 9);
	tm.ts = 30;
	tcpdns_feed(&f, s3, sizeof(s3), &tm, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_dns(&r, 0, 30, (const uint8_t *)"0123456789", 10);
	assert_dns(&r, 1, 30, (const uint8_t *)"z", 1);
	assert_ptr_equal(r.ptr[1], s3 + 5);
	assert_int_equal(tcpdns_pending(&f), 0);
	assert_ptr_equal(f.buf, NULL); /* released once the message completed */
	assert_int_equal(f.stats.messages, 2);
	tcpdns_free(&f);
}

static void prefix_split_one_plus_one(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0x00 };
	static const uint8_t s2[] = { 0x04, 'w', 'x', 'y', 'z', 0x00 };
	static const uint8_t s3[] = { 0x02 };
	static const uint8_t s4[] = { 'h', 'i' };
	tcpdns_t f;
	struct rec r = { 0 };
	cap_event_t tm = tmpl_make(5);

	f = TCPDNS_IDLE;
	tcpdns_feed(&f, s1, sizeof(s1), &tm, rec_fn, &r);
	assert_int_equal(tcpdns_pending(&f), 1);
	assert_ptr_equal(f.buf, NULL); /* a split prefix needs no buffer */
	tcpdns_feed(&f, s2, sizeof(s2), &tm, rec_fn, &r);
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, 5, (const uint8_t *)"wxyz", 4);
	assert_ptr_equal(r.ptr[0], s2 + 1); /* body was whole: still no copy */
	assert_int_equal(tcpdns_pending(&f), 1);
	tcpdns_feed(&f, s3, sizeof(s3), &tm, rec_fn, &r);
	assert_int_equal(tcpdns_pending(&f), 2);
	tcpdns_feed(&f, s4, sizeof(s4), &tm, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_dns(&r, 1, 5, (const uint8_t *)"hi", 2);
	assert_int_equal(tcpdns_pending(&f), 0);
	tcpdns_free(&f);
}

static void max_prefix_short_data_then_close(void **state)
{
	(void)state;
	uint8_t seg[2 + 100];
	tcpdns_t f;
	struct rec r = { 0 };
	cap_event_t tm = tmpl_make(1);

	seg[0] = 0xff;
	seg[1] = 0xff;
	memset(seg + 2, 0x5a, 100);
	f = TCPDNS_IDLE;
	tcpdns_feed(&f, seg, sizeof(seg), &tm, rec_fn, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(tcpdns_pending(&f), 102);
	/* What is held follows what arrived, not the 65535 announced. */
	assert_int_equal(f.cap, 512);
	tcpdns_feed(&f, seg + 2, 50, &tm, rec_fn, &r);
	assert_int_equal(tcpdns_pending(&f), 152);
	assert_int_equal(f.cap, 512);
	/* The stream closes here: the caller reports 152 bytes cut. */
	tcpdns_free(&f);
	assert_int_equal(tcpdns_pending(&f), 0);
	assert_int_equal(f.stats.messages, 0);
	assert_int_equal(r.n, 0);
}

static void max_message_in_small_pieces(void **state)
{
	(void)state;
	const size_t total = 2 + 65535;
	uint8_t *stream = malloc(total);
	uint64_t want = 0;
	tcpdns_t f;
	struct rec r = { 0 };
	cap_event_t tm = tmpl_make(7);

	assert_non_null(stream);
	stream[0] = 0xff;
	stream[1] = 0xff;
	for (size_t i = 2; i < total; i++) {
		stream[i] = (uint8_t)(i * 7);
		want += stream[i];
	}
	f = TCPDNS_IDLE;
	for (size_t off = 0; off < total; off += 1000) {
		size_t n = total - off < 1000 ? total - off : 1000;
		tcpdns_feed(&f, stream + off, n, &tm, rec_fn, &r);
	}
	assert_int_equal(r.n, 1);
	assert_int_equal(f.cap, 0); /* freed with the message */
	assert_int_equal(r.ev[0].u.dns.len, 65535);
	assert_int_equal(r.sum[0], want);
	assert_memory_equal(r.msg[0], stream + 2, REC_MSG);
	assert_int_equal(tcpdns_pending(&f), 0);
	tcpdns_free(&f);
	free(stream);
}

static void zero_length_prefix_skipped(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0x00, 0x00, 0x00, 0x01, 'q', 0x00 };
	static const uint8_t s2[] = { 0x00, 0x00, 0x01, 'r' };
	tcpdns_t f;
	struct rec r = { 0 };
	cap_event_t tm = tmpl_make(3);

	f = TCPDNS_IDLE;
	tcpdns_feed(&f, s1, sizeof(s1), &tm, rec_fn, &r);
	assert_int_equal(r.n, 1);
	assert_dns(&r, 0, 3, (const uint8_t *)"q", 1);
	assert_int_equal(f.stats.empty, 1);
	assert_int_equal(tcpdns_pending(&f), 1);
	/* Second zero prefix split 1+1, then a message. */
	tcpdns_feed(&f, s2, sizeof(s2), &tm, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_dns(&r, 1, 3, (const uint8_t *)"r", 1);
	assert_int_equal(f.stats.empty, 2);
	assert_int_equal(f.stats.messages, 2);
	assert_int_equal(tcpdns_pending(&f), 0);
	tcpdns_free(&f);
}

static void null_callback_and_empty_feed(void **state)
{
	(void)state;
	static const uint8_t s1[] = { 0x00, 0x02, 'o', 'k', 0x00, 0x03, 'a' };
	tcpdns_t f;
	cap_event_t tm = tmpl_make(0);

	f = TCPDNS_IDLE;
	tcpdns_feed(&f, NULL, 0, &tm, NULL, NULL);
	tcpdns_feed(&f, s1, sizeof(s1), &tm, NULL, NULL);
	assert_int_equal(f.stats.messages, 1);
	assert_int_equal(tcpdns_pending(&f), 3);
	tcpdns_free(&f);
	tcpdns_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_messages_one_segment),
		cmocka_unit_test(message_across_three_segments),
		cmocka_unit_test(prefix_split_one_plus_one),
		cmocka_unit_test(max_prefix_short_data_then_close),
		cmocka_unit_test(max_message_in_small_pieces),
		cmocka_unit_test(zero_length_prefix_skipped),
		cmocka_unit_test(null_callback_and_empty_feed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
