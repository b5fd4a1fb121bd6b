/*
 * test_emit.c - the one place events leave capture/ (capture/emit.c):
 * every event to the sink, in order, nothing when there is no sink, and
 * no event counted here (analyze/ counts them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/emit.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)

#define REC_MAX 16

struct rec {
	int n;
	const void *user[REC_MAX];
	cap_event_t ev[REC_MAX];
};

static void rec_fn(const cap_event_t *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < REC_MAX);
	r->user[r->n] = user;
	r->ev[r->n++] = *ev;
}

static cap_event_t event(uint8_t kind, db_time_t ts, uint8_t proto)
{
	cap_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ts = ts;
	ev.flow.proto = proto;
	assert_int_equal(db_addr_parse(&ev.flow.src, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&ev.flow.dst, "198.51.100.53"), 0);
	ev.flow.sport = 40000;
	ev.flow.dport = 53;
	return ev;
}

static void every_event_to_the_sink_in_order(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 0xbe, 0xef, 0x01, 0x00 };
	cap_ctx_t c;
	struct rec r;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.fn = rec_fn;
	c.user = &r;
	cap_event_t a = event(CAP_EV_DNS, T0, DB_PROTO_UDP);
	a.u.dns.msg = msg;
	a.u.dns.len = a.u.dns.wire_len = sizeof(msg);
	cap_event_t b = event(CAP_EV_TCP, T0 + 1, DB_PROTO_TCP);
	b.u.tcp.kind = CAP_TCP_SYN;
	cap_event_t d = event(CAP_EV_FRAG_EXPIRED, T0 + 2, 0);
	d.u.frag.ip_id = 0x1234;
	emit_event(&c, &a);
	emit_event(&c, &b);
	emit_event(&c, &d);
	assert_int_equal(r.n, 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(r.user[i], &r);
	/* The caller's event as it is. */
	assert_int_equal(r.ev[0].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[0].ts, T0);
	assert_true(db_addr_eq(&r.ev[0].flow.src, &a.flow.src));
	assert_true(db_addr_eq(&r.ev[0].flow.dst, &a.flow.dst));
	assert_int_equal(r.ev[0].flow.sport, 40000);
	assert_int_equal(r.ev[0].flow.dport, 53);
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_UDP);
	assert_ptr_equal(r.ev[0].u.dns.msg, msg);
	assert_int_equal(r.ev[0].u.dns.len, sizeof(msg));
	assert_int_equal(r.ev[1].kind, CAP_EV_TCP);
	assert_int_equal(r.ev[1].u.tcp.kind, CAP_TCP_SYN);
	assert_int_equal(r.ev[1].ts, T0 + 1);
	assert_int_equal(r.ev[2].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[2].u.frag.ip_id, 0x1234);
	assert_int_equal(r.ev[2].ts, T0 + 2);
}

/* capture/ counts packets, not the events it hands on: emitting changes
 * no counter, whatever the kind. */
static void events_not_counted_here(void **state)
{
	(void)state;
	static const uint8_t kinds[] = { CAP_EV_DNS,          CAP_EV_ICMP,        CAP_EV_TCP,
					 CAP_EV_FRAG_EXPIRED, CAP_EV_STREAM_LOSS, CAP_EV_CLOCK,
					 CAP_EV_CAPTURE_LOSS };
	cap_ctx_t c;
	cap_stats_t zero;
	struct rec r;

	memset(&c, 0, sizeof(c));
	memset(&zero, 0, sizeof(zero));
	memset(&r, 0, sizeof(r));
	c.fn = rec_fn;
	c.user = &r;
	for (size_t i = 0; i < sizeof(kinds); i++) {
		cap_event_t ev = event(kinds[i], T0, i % 2 ? DB_PROTO_TCP : DB_PROTO_UDP);
		emit_event(&c, &ev);
	}
	assert_int_equal(r.n, (int)sizeof(kinds));
	assert_memory_equal(&c.st, &zero, sizeof(zero));
}

/* No sink (cap_close cleared it): nothing is reported, nothing breaks. */
static void no_sink(void **state)
{
	(void)state;
	cap_ctx_t c;
	cap_stats_t zero;

	memset(&c, 0, sizeof(c));
	memset(&zero, 0, sizeof(zero));
	cap_event_t ev = event(CAP_EV_DNS, T0, DB_PROTO_UDP);
	emit_event(&c, &ev);
	emit_cb(&ev, &c);
	assert_memory_equal(&c.st, &zero, sizeof(zero));
}

/* emit_cb is emit_event as a cap_event_fn, for the modules that report
 * through a callback: here tcpwatch.c. */
static void callback_form(void **state)
{
	(void)state;
	cap_ctx_t c;
	struct rec r;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.fn = rec_fn;
	c.user = &r;
	cap_event_t ev = event(CAP_EV_STREAM_LOSS, T0, DB_PROTO_TCP);
	ev.u.loss.bytes_pending = 7;
	emit_cb(&ev, &c);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_STREAM_LOSS);
	assert_ptr_equal(r.user[0], &r);
	assert_int_equal(r.ev[0].u.loss.bytes_pending, 7);

	assert_int_equal(tcpwatch_init(&c.tcpw, 30 * SEC, 8), 0);
	db_flow_t f = event(0, 0, DB_PROTO_TCP).flow;
	tcpwatch_segment(&c.tcpw, T0 + 5, &f, TCPW_SYN, emit_cb, &c);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].kind, CAP_EV_TCP);
	assert_int_equal(r.ev[1].u.tcp.kind, CAP_TCP_SYN);
	assert_int_equal(r.ev[1].ts, T0 + 5);
	assert_ptr_equal(r.user[1], &r);
	tcpwatch_free(&c.tcpw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_event_to_the_sink_in_order),
		cmocka_unit_test(events_not_counted_here),
		cmocka_unit_test(no_sink),
		cmocka_unit_test(callback_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
