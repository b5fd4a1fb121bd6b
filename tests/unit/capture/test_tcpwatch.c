/*
 * test_tcpwatch.c - TCP handshake lifecycle on port 53 (capture/tcpwatch.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/tcpwatch.h"

#define WINDOW (3 * SEC)

#define REC_MAX 32

#include "recorder.h"

/* Client 192.0.2.1:port -> server 198.51.100.53:53. */
static void mkflow(db_flow_t *f, uint16_t cport)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(db_addr_parse(&f->src, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&f->dst, "198.51.100.53"), 0);
	f->sport = cport;
	f->dport = 53;
	f->proto = DB_PROTO_TCP;
}

static void assert_ev(const cap_event_t *ev, uint8_t kind, db_time_t ts, const db_flow_t *flow)
{
	assert_int_equal(ev->kind, CAP_EV_TCP);
	assert_int_equal(ev->u.tcp.kind, kind);
	assert_int_equal(ev->ts, ts);
	assert_true(db_addr_eq(&ev->flow.src, &flow->src));
	assert_true(db_addr_eq(&ev->flow.dst, &flow->dst));
	assert_int_equal(ev->flow.sport, flow->sport);
	assert_int_equal(ev->flow.dport, flow->dport);
}

static void handshake_answered(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t c2s, s2c;

	mkflow(&c2s, 40000);
	s2c = c2s;
	db_flow_reverse(&s2c);
	assert_int_equal(tcpwatch_init(&tw, WINDOW, 16), 0);
	tcpwatch_segment(&tw, T0, &c2s, TCPW_SYN, rec_fn, &r);
	assert_int_equal(tw.pending.count, 1);
	tcpwatch_segment(&tw, T0 + 10, &s2c, TCPW_SYN | TCPW_ACK, rec_fn, &r);
	assert_int_equal(tw.pending.count, 0);
	/* Plain ACK and data segments make no event. */
	tcpwatch_segment(&tw, T0 + 20, &c2s, TCPW_ACK, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 30, &c2s, TCPW_ACK | 0x08, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 40, &s2c, TCPW_FIN | TCPW_ACK, rec_fn, &r);
	tcpwatch_expire(&tw, T0 + 10 * SEC, rec_fn, &r);
	tcpwatch_expire(&tw, INT64_MAX, rec_fn, &r);
	assert_int_equal(r.n, 3);
	assert_ev(&r.ev[0], CAP_TCP_SYN, T0, &c2s);
	assert_ev(&r.ev[1], CAP_TCP_SYNACK, T0 + 10, &s2c);
	assert_ev(&r.ev[2], CAP_TCP_FIN, T0 + 40, &s2c);
	assert_int_equal(tw.unanswered, 0);
	assert_int_equal(tw.evicted, 0);
	tcpwatch_free(&tw);
}

static void rst_answers_syn(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t c2s, s2c;

	mkflow(&c2s, 40001);
	s2c = c2s;
	db_flow_reverse(&s2c);
	assert_int_equal(tcpwatch_init(&tw, WINDOW, 16), 0);
	tcpwatch_segment(&tw, T0, &c2s, TCPW_SYN, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 5, &s2c, TCPW_RST | TCPW_ACK, rec_fn, &r);
	tcpwatch_expire(&tw, INT64_MAX, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_ev(&r.ev[0], CAP_TCP_SYN, T0, &c2s);
	assert_ev(&r.ev[1], CAP_TCP_RST, T0 + 5, &s2c);
	assert_int_equal(tw.unanswered, 0);
	tcpwatch_free(&tw);
}

static void unanswered_only_after_window(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t c2s;

	mkflow(&c2s, 40002);
	assert_int_equal(tcpwatch_init(&tw, WINDOW, 16), 0);
	tcpwatch_segment(&tw, T0, &c2s, TCPW_SYN, rec_fn, &r);
	tcpwatch_expire(&tw, T0 + WINDOW - 1, rec_fn, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(tw.unanswered, 0);
	tcpwatch_expire(&tw, T0 + WINDOW, rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_ev(&r.ev[1], CAP_TCP_SYN_UNANSWERED, T0 + WINDOW, &c2s);
	assert_int_equal(tw.unanswered, 1);
	assert_int_equal(tw.pending.count, 0);
	/* A late SYN-ACK after expiry is still reported, but nothing is pending. */
	db_flow_t s2c = c2s;
	db_flow_reverse(&s2c);
	tcpwatch_segment(&tw, T0 + 4 * SEC, &s2c, TCPW_SYN | TCPW_ACK, rec_fn, &r);
	tcpwatch_expire(&tw, INT64_MAX, rec_fn, &r);
	assert_int_equal(r.n, 3);
	assert_ev(&r.ev[2], CAP_TCP_SYNACK, T0 + 4 * SEC, &s2c);
	assert_int_equal(tw.unanswered, 1);
	tcpwatch_free(&tw);
}

static void synack_on_other_flow_does_not_answer(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t c2s, other;

	mkflow(&c2s, 40003);
	mkflow(&other, 40004);
	db_flow_reverse(&other);
	assert_int_equal(tcpwatch_init(&tw, WINDOW, 16), 0);
	tcpwatch_segment(&tw, T0, &c2s, TCPW_SYN, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 1, &other, TCPW_SYN | TCPW_ACK, rec_fn, &r);
	/* The SYN-ACK in the same direction as the SYN is not an answer. */
	tcpwatch_segment(&tw, T0 + 2, &c2s, TCPW_SYN | TCPW_ACK, rec_fn, &r);
	assert_int_equal(tw.pending.count, 1);
	tcpwatch_expire(&tw, T0 + WINDOW, rec_fn, &r);
	assert_int_equal(r.n, 4);
	assert_ev(&r.ev[3], CAP_TCP_SYN_UNANSWERED, T0 + WINDOW, &c2s);
	assert_int_equal(tw.unanswered, 1);
	tcpwatch_free(&tw);
}

static void retransmitted_syn_is_one_handshake(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t c2s;

	mkflow(&c2s, 40005);
	assert_int_equal(tcpwatch_init(&tw, WINDOW, 16), 0);
	tcpwatch_segment(&tw, T0, &c2s, TCPW_SYN, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 1 * SEC, &c2s, TCPW_SYN, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 2 * SEC, &c2s, TCPW_SYN, rec_fn, &r);
	assert_int_equal(tw.pending.count, 1);
	assert_int_equal(r.n, 3);
	assert_ev(&r.ev[1], CAP_TCP_SYN, T0 + 1 * SEC, &c2s);
	/* End of input: stamped with the last SYN. */
	tcpwatch_expire(&tw, INT64_MAX, rec_fn, &r);
	assert_int_equal(r.n, 4);
	assert_ev(&r.ev[3], CAP_TCP_SYN_UNANSWERED, T0 + 2 * SEC, &c2s);
	assert_int_equal(tw.unanswered, 1);
	assert_int_equal(tw.pending.count, 0);
	tcpwatch_free(&tw);
}

static void eviction_when_full(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t f[3];

	assert_int_equal(tcpwatch_init(&tw, WINDOW, 2), 0);
	for (int i = 0; i < 3; i++) {
		mkflow(&f[i], (uint16_t)(41000 + i));
		tcpwatch_segment(&tw, T0 + i, &f[i], TCPW_SYN, rec_fn, &r);
	}
	assert_int_equal(tw.evicted, 1);
	assert_int_equal(tw.pending.count, 2);
	/* The oldest (f[0]) went silently; f[1] and f[2] remain, in age order. */
	tcpwatch_expire(&tw, INT64_MAX, rec_fn, &r);
	assert_int_equal(r.n, 5);
	assert_ev(&r.ev[3], CAP_TCP_SYN_UNANSWERED, T0 + 1, &f[1]);
	assert_ev(&r.ev[4], CAP_TCP_SYN_UNANSWERED, T0 + 2, &f[2]);
	assert_int_equal(tw.unanswered, 2);
	tcpwatch_free(&tw);
}

static void flush_with_int64_max(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t a, b;

	mkflow(&a, 42000);
	mkflow(&b, 42001);
	assert_int_equal(db_addr_parse(&b.src, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&b.dst, "2001:db8::53"), 0);
	/* A huge window: only the flush may end these. */
	assert_int_equal(tcpwatch_init(&tw, INT64_MAX / 2, 16), 0);
	tcpwatch_segment(&tw, T0, &a, TCPW_SYN, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 7, &b, TCPW_SYN, rec_fn, &r);
	tcpwatch_expire(&tw, T0 + 1000 * SEC, rec_fn, &r);
	assert_int_equal(r.n, 2);
	tcpwatch_expire(&tw, INT64_MAX, rec_fn, &r);
	assert_int_equal(r.n, 4);
	assert_ev(&r.ev[2], CAP_TCP_SYN_UNANSWERED, T0, &a);
	assert_ev(&r.ev[3], CAP_TCP_SYN_UNANSWERED, T0 + 7, &b);
	assert_int_equal(tw.pending.count, 0);
	tcpwatch_free(&tw);
}

static void rst_without_syn_and_fin(void **state)
{
	(void)state;
	tcpwatch_t tw;
	struct rec r = { 0 };
	db_flow_t c2s;

	mkflow(&c2s, 43000);
	assert_int_equal(tcpwatch_init(&tw, WINDOW, 16), 0);
	tcpwatch_segment(&tw, T0, &c2s, TCPW_RST, rec_fn, &r);
	tcpwatch_segment(&tw, T0 + 1, &c2s, TCPW_FIN | TCPW_ACK, rec_fn, &r);
	/* RST with FIN set is a RST. */
	tcpwatch_segment(&tw, T0 + 2, &c2s, TCPW_RST | TCPW_FIN, rec_fn, &r);
	assert_int_equal(r.n, 3);
	assert_ev(&r.ev[0], CAP_TCP_RST, T0, &c2s);
	assert_ev(&r.ev[1], CAP_TCP_FIN, T0 + 1, &c2s);
	assert_ev(&r.ev[2], CAP_TCP_RST, T0 + 2, &c2s);
	assert_int_equal(tw.pending.count, 0);
	tcpwatch_free(&tw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_answered),
		cmocka_unit_test(rst_answers_syn),
		cmocka_unit_test(unanswered_only_after_window),
		cmocka_unit_test(synack_on_other_flow_does_not_answer),
		cmocka_unit_test(retransmitted_syn_is_one_handshake),
		cmocka_unit_test(eviction_when_full),
		cmocka_unit_test(flush_with_int64_max),
		cmocka_unit_test(rst_without_syn_and_fin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
