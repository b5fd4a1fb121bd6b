/*
 * test_analyze.c - the event sink (analyze/analyze.c) through its public
 * API (analyze/analyze.h), driven the way capture/ drives it: the counters
 * of DNS messages (short, cut and malformed ones apart), of transport
 * events and capture loss; verdicts handed to on_verdict as they are made,
 * SERVFAILs, queries never answered, pending ones at the end; on_interval
 * every span of capture time; --resolver and --max-verdicts; the sizes
 * derived from --max-transactions.
 *
 * The cast: client 10.0.0.2 asks resolver 10.0.0.1 (RD=1); the resolver
 * host's upstream side 10.0.1.1 asks the authority 192.0.2.1 (RD=0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/analyze.h"
#include "msgbuild.h"

#define SEC ((db_time_t)1000000)
#define MS ((db_time_t)1000)
#define T0 ((db_time_t)1700000000 * SEC)

#define CLIENT "10.0.0.2"
#define RESOLVER "10.0.0.1"
#define UPSIDE "10.0.1.1"
#define AUTH "192.0.2.1"

#define F_QR 0x8000
#define F_RD 0x0100
#define F_RA 0x0080

/* ---- DNS wire messages ----------------------------------------------------- */

/* ---- events ------------------------------------------------------------------ */

/* Events kept instead of handed over, when rec is set (replayed by
 * look_ahead_changes_nothing). */
static struct recorded {
	cap_event_t ev;
	uint8_t msg[512];
} * rec;
static size_t nrec;

static void deliver(an_t *a, cap_event_t *ev)
{
	if (!rec) {
		an_event(ev, a);
		return;
	}
	struct recorded *r = &rec[nrec++];
	r->ev = *ev;
	if (ev->kind == CAP_EV_DNS) {
		assert_true(ev->u.dns.len <= sizeof(r->msg));
		memcpy(r->msg, ev->u.dns.msg, ev->u.dns.len);
		r->ev.u.dns.msg = r->msg;
	}
}

/* len bytes of msg, of a message wire_len long on the wire. */
static void send_bytes(an_t *a, db_time_t ts, db_flow_t f, const uint8_t *msg, size_t len,
		       size_t wire_len)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_DNS;
	ev.ts = ts;
	ev.flow = f;
	ev.u.dns.msg = msg;
	ev.u.dns.len = len;
	ev.u.dns.wire_len = wire_len;
	deliver(a, &ev);
}

static void send_msg(an_t *a, db_time_t ts, db_flow_t f, mb_t *m)
{
	mb_done(m);
	send_bytes(a, ts, f, m->b, m->n, m->n);
}

static void client_query(an_t *a, db_time_t ts, uint16_t port, uint16_t id, const char *qname)
{
	mb_t m;
	mb_start(&m, id, F_RD, qname, DNS_T_A);
	send_msg(a, ts, flow(CLIENT, port, RESOLVER, 53, DB_PROTO_UDP), &m);
}

static void client_answer(an_t *a, db_time_t ts, uint16_t port, uint16_t id, const char *qname,
			  uint16_t rcode)
{
	mb_t m;
	mb_start(&m, id, (uint16_t)(F_QR | F_RD | F_RA | rcode), qname, DNS_T_A);
	send_msg(a, ts, flow(RESOLVER, 53, CLIENT, port, DB_PROTO_UDP), &m);
}

static void up_query(an_t *a, db_time_t ts, uint16_t port, uint16_t id, const char *qname)
{
	mb_t m;
	mb_start(&m, id, 0, qname, DNS_T_A);
	send_msg(a, ts, flow(UPSIDE, port, AUTH, 53, DB_PROTO_UDP), &m);
}

static void simple(an_t *a, uint8_t kind, db_time_t ts)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ts = ts;
	ev.flow = flow("198.51.100.9", 1234, "198.51.100.10", 53, DB_PROTO_TCP);
	deliver(a, &ev);
}

static void tcp_ev(an_t *a, uint8_t tkind, db_time_t ts)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_TCP;
	ev.ts = ts;
	ev.flow = flow("198.51.100.9", 1234, "198.51.100.10", 53, DB_PROTO_TCP);
	ev.u.tcp.kind = tkind;
	an_event(&ev, a);
}

/* Capture time moves on (an idle live capture's clock). */
static void tick(an_t *a, db_time_t ts) { simple(a, CAP_EV_CLOCK, ts); }

static void loss(an_t *a, db_time_t since, db_time_t ts, uint64_t packets)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_CAPTURE_LOSS;
	ev.ts = ts;
	ev.u.drop.since = since;
	ev.u.drop.packets = packets;
	an_event(&ev, a);
}

/* ---- what the callbacks saw ----------------------------------------------- */

static struct seen {
	size_t n;
	uint8_t kind[16], cause[16], confidence[16];
	db_time_t time[16], query_time[16];
	uint64_t capture_loss[16];
	size_t intervals;
	db_time_t from[16], to[16];
} seen;

static void on_verdict(const verdict_t *v, void *user)
{
	assert_ptr_equal(user, &seen);
	assert_true(seen.n < 16);
	seen.kind[seen.n] = v->kind;
	seen.cause[seen.n] = v->cause;
	seen.confidence[seen.n] = v->confidence;
	seen.time[seen.n] = v->time;
	seen.query_time[seen.n] = v->query_time;
	seen.capture_loss[seen.n] = v->capture_loss;
	seen.n++;
}

static void on_interval(db_time_t from, db_time_t to, void *user)
{
	assert_ptr_equal(user, &seen);
	assert_true(seen.intervals < 16);
	seen.from[seen.intervals] = from;
	seen.to[seen.intervals] = to;
	seen.intervals++;
}

static an_t *new_an(an_opts_t *o)
{
	memset(&seen, 0, sizeof(seen));
	o->on_verdict = on_verdict;
	o->on_verdict_user = &seen;
	an_t *a = an_new(o);
	assert_non_null(a);
	return a;
}

static an_t *new_default(void)
{
	an_opts_t o;
	memset(&o, 0, sizeof(o));
	return new_an(&o);
}

/* The resolver answers one client query: it acts as a resolver. */
static void resolver_known(an_t *a, db_time_t ts)
{
	client_query(a, ts, 39999, 0x0001, "ok.example");
	client_answer(a, ts + MS, 39999, 0x0001, "ok.example", DNS_R_NOERROR);
}

/* ---- sizes ---------------------------------------------------------------------- */

/* One transport event per 8 transactions, 1,024 to 65,536; 64 bytes of
 * answers per transaction, 256 KiB to 32 MiB, whatever is asked. */
static void sizes_from_max_transactions(void **state)
{
	(void)state;
	assert_int_equal(an_evlog_size(0), 1024);
	assert_int_equal(an_evlog_size(8 * 1024 - 1), 1024);
	assert_int_equal(an_evlog_size(8 * 2000), 2000);
	const db_limits_t def = db_limits_default(0);
	assert_int_equal(an_evlog_size(def.max_transactions), 65536);
	assert_int_equal(an_evlog_size(SIZE_MAX), 65536);
	assert_int_equal(an_store_size(0), 256u << 10);
	assert_int_equal(an_store_size(4096), 256u << 10);
	assert_int_equal(an_store_size(100000), 6400000);
	assert_int_equal(an_store_size(def.max_transactions), 32u << 20);
	/* No overflow on an absurd limit. */
	assert_int_equal(an_store_size(SIZE_MAX), 32u << 20);
	assert_int_equal(an_store_size(SIZE_MAX / 64 + 1), 32u << 20);
}

/* ---- counters ---------------------------------------------------------------- */

static void counts_messages(void **state)
{
	(void)state;
	an_t *a = new_default();
	resolver_known(a, T0);
	/* The same over TCP. */
	mb_t m;
	mb_start(&m, 7, F_RD, "tcp.example", DNS_T_A);
	send_msg(a, T0 + 10 * MS, flow(CLIENT, 40001, RESOLVER, 53, DB_PROTO_TCP), &m);
	mb_start(&m, 7, F_QR | F_RD | F_RA | DNS_R_NXDOMAIN, "tcp.example", DNS_T_A);
	send_msg(a, T0 + 20 * MS, flow(RESOLVER, 53, CLIENT, 40001, DB_PROTO_TCP), &m);
	const an_stats_t *st = an_stats(a);
	assert_int_equal(st->dns_messages, 4);
	assert_int_equal(st->dns_queries, 2);
	assert_int_equal(st->dns_responses, 2);
	assert_int_equal(st->tcp_dns_messages, 2);
	assert_int_equal(st->rcodes[DNS_R_NOERROR], 1);
	assert_int_equal(st->rcodes[DNS_R_NXDOMAIN], 1);
	assert_int_equal(st->malformed, 0);
	assert_int_equal(st->cut_messages, 0);
	assert_int_equal(st->txn.answered, 2);
	an_finish(a);
	assert_int_equal(seen.n, 0);
	an_free(a);
}

/* Under 4 bytes cannot be told from noise; with the id and flags it is
 * counted as a query or a response (its rcode too); a whole message that
 * does not parse is malformed, one the capture cut is not. */
static void short_cut_and_malformed(void **state)
{
	(void)state;
	an_t *a = new_default();
	db_flow_t to = flow(CLIENT, 40000, RESOLVER, 53, DB_PROTO_UDP),
		  from = flow(RESOLVER, 53, CLIENT, 40000, DB_PROTO_UDP);
	static const uint8_t three[] = { 0x12, 0x34, 0x81 };
	send_bytes(a, T0, from, three, sizeof(three), sizeof(three));
	const an_stats_t *st = an_stats(a);
	assert_int_equal(st->dns_messages, 0);
	assert_int_equal(st->unreadable, 1);
	/* 6 bytes of a response header with rcode REFUSED, whole. */
	static const uint8_t resp6[] = { 0x12, 0x34, 0x81, 0x85, 0x00, 0x01 };
	send_bytes(a, T0 + MS, from, resp6, sizeof(resp6), sizeof(resp6));
	st = an_stats(a);
	assert_int_equal(st->dns_messages, 1);
	assert_int_equal(st->dns_responses, 1);
	assert_int_equal(st->rcodes[DNS_R_REFUSED], 1);
	assert_int_equal(st->malformed, 1);
	/* 4 bytes of a query, cut from 40 by the snaplen. */
	static const uint8_t q4[] = { 0x12, 0x35, 0x01, 0x00 };
	send_bytes(a, T0 + 2 * MS, to, q4, sizeof(q4), 40);
	st = an_stats(a);
	assert_int_equal(st->dns_queries, 1);
	assert_int_equal(st->cut_messages, 1);
	assert_int_equal(st->malformed, 1);
	/* A whole header and question promising an answer that is not there:
	 * malformed when whole, cut when the capture cut it. */
	mb_t m;
	mb_start(&m, 0x2222, F_QR | F_RD | F_RA, "www.example", DNS_T_A);
	mb_done(&m);
	m.b[7] = 1; /* ANCOUNT 1 */
	send_bytes(a, T0 + 3 * MS, from, m.b, m.n, m.n);
	st = an_stats(a);
	assert_int_equal(st->malformed, 2);
	send_bytes(a, T0 + 4 * MS, from, m.b, m.n, m.n + 30);
	st = an_stats(a);
	assert_int_equal(st->malformed, 2);
	assert_int_equal(st->cut_messages, 2);
	assert_int_equal(st->dns_messages, 4);
	assert_int_equal(st->dns_responses, 3);
	an_free(a);
}

/* The 12-bit rcode: the OPT record's upper bits (BADVERS is 16); and
 * responses that carry an Extended DNS Error. */
static void extended_rcode_and_ede(void **state)
{
	(void)state;
	an_t *a = new_default();
	client_query(a, T0, 40000, 9, "www.example");
	mb_t m;
	mb_start(&m, 9, F_QR | F_RD | F_RA, "www.example", DNS_T_A);
	mb_opt(&m, 1, -1);
	send_msg(a, T0 + MS, flow(RESOLVER, 53, CLIENT, 40000, DB_PROTO_UDP), &m);
	client_query(a, T0 + 2 * MS, 40001, 10, "www.example");
	mb_start(&m, 10, F_QR | F_RD | F_RA | DNS_R_NOERROR, "www.example", DNS_T_A);
	mb_opt(&m, 0, 18); /* Prohibited */
	send_msg(a, T0 + 3 * MS, flow(RESOLVER, 53, CLIENT, 40001, DB_PROTO_UDP), &m);
	const an_stats_t *st = an_stats(a);
	assert_int_equal(st->rcodes[16], 1);
	assert_int_equal(st->rcodes[DNS_R_NOERROR], 1);
	assert_int_equal(st->ede_responses, 1);
	assert_int_equal(st->malformed, 0);
	an_free(a);
}

static void transport_events_counted(void **state)
{
	(void)state;
	an_t *a = new_default();
	static const uint8_t kinds[] = { CAP_TCP_SYN, CAP_TCP_SYN,           CAP_TCP_SYNACK,
					 CAP_TCP_RST, CAP_TCP_FIN,           CAP_TCP_FIN,
					 CAP_TCP_FIN, CAP_TCP_SYN_UNANSWERED };
	for (size_t i = 0; i < sizeof(kinds); i++)
		tcp_ev(a, kinds[i], T0 + (db_time_t)i * MS);
	simple(a, CAP_EV_FRAG_EXPIRED, T0 + 10 * MS);
	simple(a, CAP_EV_STREAM_LOSS, T0 + 11 * MS);
	simple(a, CAP_EV_STREAM_LOSS, T0 + 12 * MS);
	tick(a, T0 + 13 * MS);
	loss(a, T0, T0 + 14 * MS, 100);
	loss(a, T0 + 14 * MS, T0 + 15 * MS, 23);
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_ICMP;
	ev.ts = T0 + 16 * MS;
	ev.flow = flow(AUTH, 0, UPSIDE, 0, DB_PROTO_UDP);
	ev.u.icmp.version = 4;
	ev.u.icmp.type = 3;
	ev.u.icmp.code = 3;
	ev.u.icmp.quoted = flow(UPSIDE, 50000, AUTH, 53, DB_PROTO_UDP);
	an_event(&ev, a);
	const an_stats_t *st = an_stats(a);
	assert_int_equal(st->tcp_syn, 2);
	assert_int_equal(st->tcp_synack, 1);
	assert_int_equal(st->tcp_rst, 1);
	assert_int_equal(st->tcp_fin, 3);
	assert_int_equal(st->tcp_syn_unanswered, 1);
	assert_int_equal(st->frag_trains_lost, 1);
	assert_int_equal(st->tcp_stream_losses, 2);
	assert_int_equal(st->capture_drops, 123);
	assert_int_equal(st->icmp_errors, 1);
	/* None of these is a DNS message. */
	assert_int_equal(st->dns_messages, 0);
	an_free(a);
}

/* ---- verdicts ------------------------------------------------------------------ */

/* A SERVFAIL's verdict is made 1.2 s of capture time after it, handed to
 * on_verdict once, counted and listed. */
/* An upstream answer: with an A record for the name (NOERROR), in the
 * answer section after a pointer to the question (RFC 1035 4.1.4). */
static void up_answer(db_time_t ts, uint16_t port, uint16_t id, const char *qname, uint16_t rcode)
{
	mb_t m;
	mb_start(&m, id, (uint16_t)(F_QR | 0x0400 | rcode), qname, DNS_T_A);
	if (rcode == DNS_R_NOERROR) {
		m.count[1]++;
		put16(&m, 0xc00c);
		put16(&m, DNS_T_A);
		put16(&m, 1);
		put32(&m, 300);
		put16(&m, 4);
		put32(&m, 0xc0000201);
	}
	send_msg(NULL, ts, flow(AUTH, 53, UPSIDE, port, DB_PROTO_UDP), &m);
}

/* The look-ahead only prefetches, and the digest made on the capture's
 * thread stands in for the parse: the same events, handed to an_event
 * alone; to an_ahead 8 events before an_event (as cap_run_relayed shows
 * them); and with each DNS message's digest (an_prepare) to an_ahead and
 * an_handle, give the same counters, the same roles and the same verdicts.
 * The answers are of every kind the digest treats apart: to clients and
 * upstream, SERVFAIL and not, with an Extended DNS Error, without a
 * question, with the question's name behind a pointer, cut short. */
static void look_ahead_changes_nothing(void **state)
{
	(void)state;
	rec = calloc(800, sizeof(*rec));
	assert_non_null(rec);
	nrec = 0;
	resolver_known(NULL, T0 - SEC);
	for (uint16_t i = 0; i < 60; i++) {
		char name[32];
		snprintf(name, sizeof(name), "n%u.example", (unsigned)(i % 7));
		db_time_t t = T0 + i * 50 * MS;
		uint16_t port = (uint16_t)(40000 + i), id = (uint16_t)(0x100 + i);
		client_query(NULL, t, port, id, name);
		if (i % 3 == 0) {
			uint16_t up = (uint16_t)(50000 + i), uid = (uint16_t)(0x2000 + i);
			up_query(NULL, t + MS, up, uid, name);
			if (i % 9 != 6)
				up_answer(t + 5 * MS, up, uid, name,
					  i % 9 == 0 ? DNS_R_NOERROR : DNS_R_REFUSED);
		}
		if (i % 10 == 9)
			continue; /* never answered */
		mb_t m;
		uint16_t flags = (uint16_t)(F_QR | F_RD | F_RA |
					    (i % 11 == 0 ? DNS_R_SERVFAIL : DNS_R_NOERROR));
		db_flow_t back = flow(RESOLVER, 53, CLIENT, port, DB_PROTO_UDP);
		if (i % 13 == 4) {
			/* No question: matched on the id alone. */
			memset(&m, 0, sizeof(m));
			put16(&m, id);
			put16(&m, flags);
			for (int k = 0; k < 4; k++)
				put16(&m, 0);
			send_msg(NULL, t + 20 * MS, back, &m);
			continue;
		}
		if (i % 13 == 7) {
			/* The question's name behind a pointer to itself is
			 * refused; behind a pointer forward, a name elsewhere
			 * (RFC 1035 4.1.4 allows any earlier octet only). */
			mb_start(&m, id, flags, name, DNS_T_A);
			m.b[12] = 0xc0;
			m.b[13] = 12;
			send_msg(NULL, t + 20 * MS, back, &m);
			continue;
		}
		mb_start(&m, id, flags, name, DNS_T_A);
		if (i % 7 == 2)
			mb_opt(&m, 0, 22); /* No Reachable Authority */
		else if (i % 7 == 3)
			mb_opt(&m, 1, -1); /* BADVERS: the rcode's upper bits */
		mb_done(&m);
		/* Every eighth answer cut short by the capture. */
		send_bytes(NULL, t + 20 * MS, back, m.b, i % 8 == 5 ? m.n - 3 : m.n, m.n);
	}
	tick(NULL, T0 + 50 * SEC);
	size_t n = nrec;
	struct recorded *r = rec;
	rec = NULL;

	an_stats_t st[3];
	struct seen saw[3];
	/* The counters of the addresses that sent queries, from the table
	 * of roles (the authority, asked with RD=0, is not in it). */
	const char *addrs[3] = { CLIENT, RESOLVER, UPSIDE };
	uint64_t roles[3][3][4];
	uint8_t(*digests)[128] = calloc(n, sizeof(*digests));
	assert_non_null(digests);
	assert_true(an_prep_size() <= sizeof(digests[0]));
	for (int k = 0; k < 3; k++) {
		an_t *a = new_default();
		for (size_t i = 0; k == 2 && i < n; i++)
			if (r[i].ev.kind == CAP_EV_DNS)
				an_prepare(&r[i].ev, digests[i], an_preparer(a));
		const void *prep = NULL;
		for (size_t i = 0, next = 0; i < n; i++) {
			for (; k && next < n && next < i + 8; next++) {
				prep = k == 2 && r[next].ev.kind == CAP_EV_DNS ? digests[next]
									       : NULL;
				an_ahead(&r[next].ev, prep, a);
			}
			prep = k == 2 && r[i].ev.kind == CAP_EV_DNS ? digests[i] : NULL;
			if (k)
				an_handle(&r[i].ev, prep, a);
			else
				an_event(&r[i].ev, a);
		}
		an_finish(a);
		st[k] = *an_stats(a);
		saw[k] = seen;
		for (int j = 0; j < 3; j++) {
			db_addr_t ad = flow(addrs[j], 1, addrs[j], 1, DB_PROTO_UDP).src;
			const role_t *x = roles_find(an_roles(a), &ad);
			assert_non_null(x);
			roles[k][j][0] = x->rd_queries_in;
			roles[k][j][1] = x->ra_answers_out;
			roles[k][j][2] = x->queries_out;
			roles[k][j][3] = x->iter_queries_out;
		}
		an_free(a);
	}
	/* The scenario has what it claims. */
	assert_true(st[0].ede_responses >= 3);
	assert_true(st[0].cut_messages >= 3);
	assert_true(st[0].malformed >= 2);
	assert_true(st[0].rcodes[DNS_R_REFUSED] >= 5);
	assert_true(st[0].rcodes[16 & (AN_RCODES - 1)] >= 3);
	assert_true(saw[0].n >= 8);
	for (int k = 1; k < 3; k++) {
		assert_memory_equal(roles[k], roles[0], sizeof(roles[0]));
		assert_int_equal(saw[k].n, saw[0].n);
		assert_memory_equal(saw[k].kind, saw[0].kind, sizeof(saw[0].kind));
		assert_memory_equal(saw[k].cause, saw[0].cause, sizeof(saw[0].cause));
		assert_memory_equal(saw[k].time, saw[0].time, sizeof(saw[0].time));
		assert_memory_equal(saw[k].query_time, saw[0].query_time,
				    sizeof(saw[0].query_time));
		assert_memory_equal(&st[k], &st[0], sizeof(st[0]));
	}
	assert_int_equal(st[0].dns_messages, n - 1);
	free(digests);
	free(r);
}

static void servfail_judged_after_it(void **state)
{
	(void)state;
	an_t *a = new_default();
	resolver_known(a, T0 - SEC);
	client_query(a, T0, 40000, 0x0101, "www.example");
	up_query(a, T0 + 10 * MS, 50001, 0x1111, "www.example");
	client_answer(a, T0 + 2 * SEC, 40000, 0x0101, "www.example", DNS_R_SERVFAIL);
	tick(a, T0 + 3 * SEC);
	assert_int_equal(seen.n, 0);
	tick(a, T0 + 3300 * MS);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.kind[0], VD_KIND_SERVFAIL);
	assert_int_equal(seen.time[0], T0 + 2 * SEC);
	assert_int_equal(seen.query_time[0], T0);
	assert_int_equal(seen.cause[0], VD_TIMEOUT);
	const an_stats_t *st = an_stats(a);
	assert_int_equal(st->by_cause[VD_KIND_SERVFAIL][VD_TIMEOUT], 1);
	assert_int_equal(an_tally(a)->list.n, 1);
	/* Nothing more at the end: it was judged once. */
	an_finish(a);
	assert_int_equal(seen.n, 1);
	an_free(a);
}

/* A query never answered: its verdict when its window closes (the query's
 * time plus the window), as unanswered. */
static void unanswered_when_window_closes(void **state)
{
	(void)state;
	an_t *a = new_default();
	resolver_known(a, T0 - SEC);
	client_query(a, T0, 40000, 0x0202, "slow.example");
	tick(a, T0 + 29 * SEC);
	assert_int_equal(seen.n, 0);
	tick(a, T0 + 31 * SEC);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.kind[0], VD_KIND_UNANSWERED);
	assert_int_equal(seen.time[0], T0 + 30 * SEC);
	assert_int_equal(an_stats(a)->by_cause[VD_KIND_UNANSWERED][seen.cause[0]], 1);
	an_finish(a);
	assert_int_equal(seen.n, 1);
	assert_int_equal(an_stats(a)->txn.unanswered, 1);
	an_free(a);
	/* --window 5: the window closes 5 s after the query. */
	an_opts_t o;
	memset(&o, 0, sizeof(o));
	db_limits_t lim = db_limits_default(0);
	lim.window = 5 * SEC;
	o.limits = &lim;
	a = new_an(&o);
	resolver_known(a, T0 - SEC);
	client_query(a, T0, 40000, 0x0202, "slow.example");
	tick(a, T0 + 4900 * MS);
	assert_int_equal(seen.n, 0);
	tick(a, T0 + 5100 * MS);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.kind[0], VD_KIND_UNANSWERED);
	assert_int_equal(seen.time[0], T0 + 5 * SEC);
	an_free(a);
}

/* Still unanswered when the input ends, younger than the window: pending,
 * as of the last event, never counted as unanswered. */
static void pending_at_the_end(void **state)
{
	(void)state;
	an_t *a = new_default();
	resolver_known(a, T0 - SEC);
	client_query(a, T0, 40000, 0x0303, "late.example");
	tick(a, T0 + 3 * SEC);
	an_finish(a);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.kind[0], VD_KIND_PENDING);
	assert_int_equal(seen.time[0], T0 + 3 * SEC);
	const an_stats_t *st = an_stats(a);
	uint64_t pending = 0, unanswered = 0;
	for (uint8_t c = 0; c < VD_NCAUSES; c++) {
		pending += st->by_cause[VD_KIND_PENDING][c];
		unanswered += st->by_cause[VD_KIND_UNANSWERED][c];
	}
	assert_int_equal(pending, 1);
	assert_int_equal(unanswered, 0);
	assert_int_equal(st->txn.open_at_end, 1);
	assert_int_equal(an_tally(a)->pending.n, 1);
	assert_int_equal(an_tally(a)->list.n, 0);
	an_free(a);
}

/* Only queries to an address that acts as a resolver are judged, unless
 * --resolver names it. */
static void resolver_by_the_users_word(void **state)
{
	(void)state;
	an_t *a = new_default();
	/* 10.0.0.1 never answered anything: not known as a resolver. */
	client_query(a, T0, 40000, 0x0404, "x.example");
	tick(a, T0 + 31 * SEC);
	an_finish(a);
	assert_int_equal(seen.n, 0);
	an_free(a);
	an_opts_t o;
	memset(&o, 0, sizeof(o));
	db_addr_t r;
	assert_int_equal(db_addr_parse(&r, RESOLVER), 0);
	o.resolvers = &r;
	o.nresolvers = 1;
	a = new_an(&o);
	assert_int_equal(roles_is_resolver(an_roles(a), &r), 1);
	client_query(a, T0, 40000, 0x0404, "x.example");
	tick(a, T0 + 31 * SEC);
	an_finish(a);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.kind[0], VD_KIND_UNANSWERED);
	an_free(a);
}

/* Packets the capture dropped while a query was under way: the verdict
 * says how many and is one step less sure. */
static void capture_loss_lowers_confidence(void **state)
{
	(void)state;
	uint8_t conf[2];
	for (int lost = 0; lost < 2; lost++) {
		an_t *a = new_default();
		resolver_known(a, T0 - SEC);
		client_query(a, T0, 40000, 0x0505, "www.example");
		up_query(a, T0 + 10 * MS, 50001, 0x1111, "www.example");
		if (lost)
			loss(a, T0 + 500 * MS, T0 + SEC, 42);
		client_answer(a, T0 + 2 * SEC, 40000, 0x0505, "www.example", DNS_R_SERVFAIL);
		tick(a, T0 + 4 * SEC);
		assert_int_equal(seen.n, 1);
		assert_int_equal(seen.capture_loss[0], lost ? 42 : 0);
		assert_int_equal(an_stats(a)->verdicts_over_loss, (uint64_t)lost);
		conf[lost] = seen.confidence[0];
		an_free(a);
	}
	assert_true(conf[0] > VD_LOW);
	assert_int_equal(conf[1], conf[0] - 1);
	/* A loss long before the query (more than 2 s) does not count. */
	an_t *a = new_default();
	resolver_known(a, T0 - 10 * SEC);
	loss(a, T0 - 9 * SEC, T0 - 8 * SEC, 42);
	client_query(a, T0, 40000, 0x0505, "www.example");
	up_query(a, T0 + 10 * MS, 50001, 0x1111, "www.example");
	client_answer(a, T0 + 2 * SEC, 40000, 0x0505, "www.example", DNS_R_SERVFAIL);
	tick(a, T0 + 4 * SEC);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.capture_loss[0], 0);
	assert_int_equal(seen.confidence[0], conf[0]);
	an_free(a);
}

/* on_interval: every span of capture time from the first event, each
 * once, in order, even when one event jumps over several. */
static void intervals_of_capture_time(void **state)
{
	(void)state;
	an_opts_t o;
	memset(&o, 0, sizeof(o));
	o.interval = 10 * SEC;
	o.on_interval = on_interval;
	o.on_interval_user = &seen;
	an_t *a = new_an(&o);
	tick(a, T0 + 500 * MS);
	tick(a, T0 + 5 * SEC);
	assert_int_equal(seen.intervals, 0);
	tick(a, T0 + 35 * SEC);
	assert_int_equal(seen.intervals, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(seen.from[i], T0 + 500 * MS + (db_time_t)i * 10 * SEC);
		assert_int_equal(seen.to[i], seen.from[i] + 10 * SEC);
	}
	tick(a, T0 + 40 * SEC + 499 * MS);
	assert_int_equal(seen.intervals, 3);
	tick(a, T0 + 40 * SEC + 500 * MS);
	assert_int_equal(seen.intervals, 4);
	an_free(a);
	/* Without a callback, no interval. */
	memset(&o, 0, sizeof(o));
	o.interval = 10 * SEC;
	a = new_an(&o);
	tick(a, T0);
	tick(a, T0 + 100 * SEC);
	assert_int_equal(seen.intervals, 0);
	an_free(a);
}

/* --max-verdicts: the latest listed whole, every one counted. */
static void latest_verdicts_listed(void **state)
{
	(void)state;
	an_opts_t o;
	memset(&o, 0, sizeof(o));
	db_limits_t lim = db_limits_default(0);
	lim.max_verdicts = 2;
	o.limits = &lim;
	an_t *a = new_an(&o);
	resolver_known(a, T0 - SEC);
	for (int i = 0; i < 5; i++) {
		db_time_t t = T0 + i * 10 * SEC;
		client_query(a, t, (uint16_t)(40000 + i), (uint16_t)(0x0600 + i), "www.example");
		client_answer(a, t + SEC, (uint16_t)(40000 + i), (uint16_t)(0x0600 + i),
			      "www.example", DNS_R_SERVFAIL);
	}
	tick(a, T0 + 60 * SEC);
	an_finish(a);
	assert_int_equal(seen.n, 5);
	const an_stats_t *st = an_stats(a);
	uint64_t n = 0;
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		n += st->by_cause[VD_KIND_SERVFAIL][c];
	assert_int_equal(n, 5);
	assert_int_equal(st->verdicts_dropped, 3);
	const tally_t *t = an_tally(a);
	assert_int_equal(t->list.n, 2);
	/* The latest two, oldest first. */
	assert_int_equal(vdlist_at(&t->list, 0)->query_time, T0 + 30 * SEC);
	assert_int_equal(vdlist_at(&t->list, 1)->query_time, T0 + 40 * SEC);
	an_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_from_max_transactions),
		cmocka_unit_test(counts_messages),
		cmocka_unit_test(short_cut_and_malformed),
		cmocka_unit_test(extended_rcode_and_ede),
		cmocka_unit_test(transport_events_counted),
		cmocka_unit_test(look_ahead_changes_nothing),
		cmocka_unit_test(servfail_judged_after_it),
		cmocka_unit_test(unanswered_when_window_closes),
		cmocka_unit_test(pending_at_the_end),
		cmocka_unit_test(resolver_by_the_users_word),
		cmocka_unit_test(capture_loss_lowers_confidence),
		cmocka_unit_test(intervals_of_capture_time),
		cmocka_unit_test(latest_verdicts_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
