/*
 * test_evlog.c - the ring of transport events (analyze/evlog.c): which
 * events are kept, newest-first access, overwriting when full, and the
 * count of events lost while still inside the analysis window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/analyze.h"
#include "../../../analyze/evlog.h"

#define SEC 1000000LL

static cap_event_t tcp_ev(uint8_t kind, db_time_t ts, uint16_t sport)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_TCP;
	ev.ts = ts;
	ev.flow.sport = sport;
	ev.u.tcp.kind = kind;
	return ev;
}

static void keeps_only_what_attribution_needs(void **state)
{
	(void)state;
	evlog_t l;
	assert_int_equal(evlog_init(&l, 8, 30 * SEC, 30 * SEC), 0);
	cap_event_t fin = tcp_ev(CAP_TCP_FIN, 1, 1), rst = tcp_ev(CAP_TCP_RST, 2, 2);
	evlog_add(&l, &fin);
	evlog_add(&l, &rst);
	cap_event_t dns;
	memset(&dns, 0, sizeof(dns));
	dns.kind = CAP_EV_DNS;
	dns.ts = 3;
	evlog_add(&l, &dns);
	assert_int_equal(l.count, 1);
	assert_int_equal(evlog_back(&l, 0)->tcp_kind, CAP_TCP_RST);
	assert_null(evlog_back(&l, 1));
	evlog_free(&l);
}

static void icmp_keeps_quoted_flow_and_id(void **state)
{
	(void)state;
	evlog_t l;
	assert_int_equal(evlog_init(&l, 4, 30 * SEC, 30 * SEC), 0);
	static const uint8_t quote[] = { 0xab, 0xcd, 0x01 };
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_ICMP;
	ev.ts = 5;
	ev.u.icmp.version = 4;
	ev.u.icmp.type = 3;
	ev.u.icmp.code = 3;
	ev.u.icmp.quoted.dport = 53;
	ev.u.icmp.payload = quote;
	ev.u.icmp.payload_len = sizeof(quote);
	ev.u.icmp.has_dns_id = 1; /* as capture/icmp.c reads it from the quote */
	ev.u.icmp.dns_id = 0xabcd;
	evlog_add(&l, &ev);
	const evrec_t *r = evlog_back(&l, 0);
	assert_non_null(r);
	assert_int_equal(r->flow.dport, 53);
	assert_int_equal(r->has_qid, 1);
	assert_int_equal(r->qid, 0xabcd);
	assert_int_equal(r->icmp_code, 3);
	evlog_free(&l);
}

/* Full ring: the oldest goes; it counts as lost only when it was younger
 * than the window at the time it was overwritten. */
static void overwrite_and_lost(void **state)
{
	(void)state;
	evlog_t l;
	assert_int_equal(evlog_init(&l, 3, 10 * SEC, 10 * SEC), 0);
	for (uint16_t i = 0; i < 3; i++) {
		cap_event_t ev = tcp_ev(CAP_TCP_SYN, i * SEC, i);
		evlog_add(&l, &ev);
	}
	assert_int_equal(l.overwritten, 0);
	cap_event_t soon = tcp_ev(CAP_TCP_SYN, 5 * SEC, 100); /* overwrites ts 0: 5 s old */
	evlog_add(&l, &soon);
	assert_int_equal(l.overwritten, 1);
	assert_int_equal(l.lost, 1);
	cap_event_t late = tcp_ev(CAP_TCP_SYN, 30 * SEC, 101); /* overwrites ts 1 s: 29 s old */
	evlog_add(&l, &late);
	assert_int_equal(l.overwritten, 2);
	assert_int_equal(l.lost, 1);
	assert_int_equal(evlog_back(&l, 0)->flow.sport, 101);
	assert_int_equal(evlog_back(&l, 1)->flow.sport, 100);
	assert_int_equal(evlog_back(&l, 2)->flow.sport, 2);
	assert_null(evlog_back(&l, 3));
	evlog_free(&l);
}

/* An event reported late with an earlier time (a stream flushed at the
 * end of the input, stamped with its last packet) is logged at the time it
 * arrived: the ring stays in time order, which the walks rely on. */
static void late_event_keeps_time_order(void **state)
{
	(void)state;
	evlog_t l;
	assert_int_equal(evlog_init(&l, 8, 30 * SEC, 30 * SEC), 0);
	cap_event_t a = tcp_ev(CAP_TCP_RST, 10 * SEC, 1), late = tcp_ev(CAP_TCP_RST, 2 * SEC, 2);
	evlog_add(&l, &a);
	evlog_add(&l, &late);
	assert_int_equal(evlog_back(&l, 0)->flow.sport, 2);
	assert_int_equal(evlog_back(&l, 0)->ts, 10 * SEC);
	assert_int_equal(evlog_back(&l, 1)->ts, 10 * SEC);
	evlog_free(&l);
}

/* The ring sizes follow --max-transactions within bounds (65,536 events
 * and 32 MiB with the defaults), and the answer store always holds a
 * 64 KiB message. */
static void sizes_follow_max_transactions(void **state)
{
	(void)state;
	assert_int_equal(an_evlog_size(db_limits_default(0).max_transactions), 65536);
	assert_int_equal(an_store_size(db_limits_default(0).max_transactions), 32u << 20);
	assert_int_equal(an_evlog_size(16), 1024);
	assert_int_equal(an_evlog_size(80000), 10000);
	assert_true(an_store_size(16) / 4 >= 65535);
	assert_int_equal(an_store_size((size_t)1 << 40), 32u << 20);
}

/* Each record is chained to the previous one about the same server: a
 * verdict reads one server's events without the rest of the traffic, and
 * a chain ends where the ring overwrote it. */
static void per_server_chains(void **state)
{
	(void)state;
	evlog_t l;
	assert_int_equal(evlog_init(&l, 4, 30 * SEC, 30 * SEC), 0);
	db_addr_t s1, s2;
	assert_int_equal(db_addr_parse(&s1, "192.0.2.53"), 0);
	assert_int_equal(db_addr_parse(&s2, "2001:db8::53"), 0);
	/* SYN to s1 (dport 53), RST from s2 (sport 53), SYN-ACK from s1. */
	cap_event_t ev = tcp_ev(CAP_TCP_SYN, 1, 40000);
	ev.flow.dst = s1;
	ev.flow.dport = 53;
	evlog_add(&l, &ev);
	ev = tcp_ev(CAP_TCP_RST, 2, 53);
	ev.flow.src = s2;
	ev.flow.dport = 40001;
	evlog_add(&l, &ev);
	ev = tcp_ev(CAP_TCP_SYNACK, 3, 53);
	ev.flow.src = s1;
	ev.flow.dport = 40000;
	evlog_add(&l, &ev);
	const evrec_t *r = evlog_server_newest(&l, &s1);
	assert_non_null(r);
	assert_int_equal(r->tcp_kind, CAP_TCP_SYNACK);
	assert_true(db_addr_eq(evlog_server_of(r), &s1));
	r = evlog_server_older(&l, r);
	assert_non_null(r);
	assert_int_equal(r->tcp_kind, CAP_TCP_SYN);
	assert_null(evlog_server_older(&l, r));
	r = evlog_server_newest(&l, &s2);
	assert_non_null(r);
	assert_int_equal(r->tcp_kind, CAP_TCP_RST);
	assert_null(evlog_server_older(&l, r));
	/* Three more about s2 overwrite s1's SYN: its chain ends early. */
	for (int i = 0; i < 3; i++) {
		ev = tcp_ev(CAP_TCP_RST, 4 + i, 53);
		ev.flow.src = s2;
		ev.flow.dport = 40001;
		evlog_add(&l, &ev);
	}
	r = evlog_server_newest(&l, &s1);
	assert_non_null(r);
	assert_int_equal(r->tcp_kind, CAP_TCP_SYNACK);
	assert_null(evlog_server_older(&l, r));
	size_t n = 0;
	for (r = evlog_server_newest(&l, &s2); r; r = evlog_server_older(&l, r))
		n++;
	assert_int_equal(n, 3);
	evlog_free(&l);
}

/* The ring grows, up to its cap, rather than overwrite a record a walk
 * may still read (younger than keep), and stays small when the records it
 * overwrites are older: its memory follows the events of the last `keep`,
 * not the length of the capture.  Records and chains survive each growth. */
static void grows_only_for_young_records(void **state)
{
	(void)state;
	evlog_t l;
	db_addr_t srv;
	assert_int_equal(db_addr_parse(&srv, "192.0.2.53"), 0);
	assert_int_equal(evlog_init(&l, 10000, 20 * SEC, 30 * SEC), 0);
	assert_int_equal(l.size, 1024);
	/* A burst: 5,000 events within 5 s, all kept. */
	for (uint32_t i = 0; i < 5000; i++) {
		cap_event_t ev = tcp_ev(CAP_TCP_SYN, (db_time_t)i * 1000, (uint16_t)(1 + i));
		ev.flow.dst = srv;
		ev.flow.dport = 53;
		evlog_add(&l, &ev);
	}
	assert_int_equal(l.size, 8192);
	assert_int_equal(l.count, 5000);
	assert_int_equal(l.overwritten, 0);
	for (uint32_t i = 0; i < 5000; i++)
		assert_int_equal(evlog_back(&l, i)->flow.sport, 5000 - i);
	size_t n = 0;
	for (const evrec_t *r = evlog_server_newest(&l, &srv); r; r = evlog_server_older(&l, r))
		assert_int_equal(r->flow.sport, 5000 - n++);
	assert_int_equal(n, 5000);
	/* Past the cap the oldest goes, counted lost inside the window. */
	for (uint32_t i = 0; i < 6000; i++) {
		cap_event_t ev = tcp_ev(CAP_TCP_SYN, 5 * SEC + (db_time_t)i * 1000, 7);
		evlog_add(&l, &ev);
	}
	assert_int_equal(l.size, 10000);
	assert_int_equal(l.count, 10000);
	assert_int_equal(l.overwritten, 1000);
	assert_int_equal(l.lost, 1000);
	assert_int_equal(evlog_back(&l, 9999)->flow.sport, 1001);
	evlog_free(&l);

	/* A steady trickle over a long capture: 10 events a second for
	 * 1,000 s.  The first 1,024 records span 102 s, more than keep: the
	 * ring never grows, and nothing is lost. */
	assert_int_equal(evlog_init(&l, 65536, 10 * SEC, 20 * SEC), 0);
	for (uint32_t i = 0; i < 10000; i++) {
		cap_event_t ev = tcp_ev(CAP_TCP_RST, (db_time_t)i * SEC / 10, (uint16_t)i);
		evlog_add(&l, &ev);
	}
	assert_int_equal(l.size, 1024);
	assert_int_equal(l.overwritten, 10000 - 1024);
	assert_int_equal(l.lost, 0);
	assert_int_equal(evlog_back(&l, 0)->flow.sport, 9999);
	assert_int_equal(evlog_back(&l, 1023)->flow.sport, 10000 - 1024);
	assert_null(evlog_back(&l, 1024));
	/* Reserved (a live run): the whole cap at once, records in place. */
	assert_int_equal(evlog_reserve(&l), 0);
	assert_int_equal(l.size, 65536);
	assert_int_equal(evlog_back(&l, 1023)->flow.sport, 10000 - 1024);
	evlog_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_only_what_attribution_needs),
		cmocka_unit_test(per_server_chains),
		cmocka_unit_test(icmp_keeps_quoted_flow_and_id),
		cmocka_unit_test(overwrite_and_lost),
		cmocka_unit_test(late_event_keeps_time_order),
		cmocka_unit_test(sizes_follow_max_transactions),
		cmocka_unit_test(grows_only_for_young_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
