/*
 * test_evidence.c - the spans of the evidence pcap (report/evidence.c,
 * rp_evidence_spans): for each SERVFAIL incident's example, its client
 * exchange, its upstream attempts (of a run of identical ones only those
 * whose place matters), the earlier exchanges it names, the verdicts it
 * rests on; once, each resolver's first answer and the first packet after
 * the last SERVFAIL was judged; spans of one flow merged.  The verdicts are
 * built by hand (rpfixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpfixture.h"

static int setup(void **state)
{
	*state = fx_new();
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static cap_span_t *S;
static size_t N;

/* Spans of one flow and kind that overlap are merged: none is left (a
 * CAP_SPAN_FIRST stands for one packet and stays as it is). */
static void assert_merged(void)
{
	for (size_t i = 0; i < N; i++)
		for (size_t j = i + 1; j < N; j++) {
			const cap_span_t *p = &S[i], *q = &S[j];
			if (p->kind == CAP_SPAN_FIRST || p->kind != q->kind ||
			    !db_addr_eq(&p->a, &q->a) || !db_addr_eq(&p->b, &q->b) ||
			    p->aport != q->aport || p->bport != q->bport)
				continue;
			assert_true(q->from > p->to || p->from > q->to);
		}
}

static void spans_of(const tally_t *ty)
{
	free(S);
	S = rp_evidence_spans(ty, &N);
	assert_non_null(S);
	assert_merged();
}

static void spans(fx_t *x) { spans_of(&x->ty); }

static int teardown_spans(void **state)
{
	free(S);
	S = NULL;
	N = 0;
	return teardown(state);
}

/* The first span of kind between a:aport and b:bport ("" for an unset
 * address), or NULL. */
static const cap_span_t *find(uint8_t kind, const char *a, uint16_t aport, const char *b,
			      uint16_t bport)
{
	db_addr_t x, y;
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	if (*a)
		fx_addr(&x, a);
	if (*b)
		fx_addr(&y, b);
	for (size_t i = 0; i < N; i++)
		if (S[i].kind == kind && db_addr_eq(&S[i].a, &x) && db_addr_eq(&S[i].b, &y) &&
		    S[i].aport == aport && S[i].bport == bport)
			return &S[i];
	return NULL;
}

/* Whether there is a span of that flow from `from` to `to`. */
static int has(uint8_t kind, const char *a, uint16_t aport, const char *b, uint16_t bport,
	       db_time_t from, db_time_t to)
{
	const cap_span_t *f = find(kind, a, aport, b, bport);
	for (size_t i = 0; f && i < N; i++)
		if (S[i].kind == kind && db_addr_eq(&S[i].a, &f->a) && db_addr_eq(&S[i].b, &f->b) &&
		    S[i].aport == aport && S[i].bport == bport && S[i].from == from &&
		    S[i].to == to)
			return 1;
	return 0;
}

static size_t count(uint8_t kind, const char *a, uint16_t aport, const char *b, uint16_t bport)
{
	size_t n = 0;
	const cap_span_t *first = find(kind, a, aport, b, bport);
	if (!first)
		return 0;
	for (size_t i = 0; i < N; i++)
		n += S[i].kind == first->kind && db_addr_eq(&S[i].a, &first->a) &&
		     db_addr_eq(&S[i].b, &first->b) && S[i].aport == aport && S[i].bport == bport;
	return n;
}

static void assert_span(const cap_span_t *s, db_time_t from, db_time_t to)
{
	assert_non_null(s);
	assert_int_equal(s->from, from);
	assert_int_equal(s->to, to);
}

/* No verdict, or none a SERVFAIL: no span, and still an array. */
static void nothing_to_save(void **state)
{
	fx_t *x = *state;
	spans(x);
	assert_int_equal(N, 0);
	fx_incident(x, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "a.example", 3, T0);
	fx_incident(x, VD_KIND_PENDING, VD_UNKNOWN, "attempts_pending", "b.example", 1, T0);
	spans(x);
	assert_int_equal(N, 0);
}

/* One SERVFAIL over UDP with one attempt that timed out. */
static void one_servfail(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.com",
		   "www.example.com", T0 + 2 * SEC, 5);
	v->query_time = T0;
	fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 + 10 * MS);
	fx_add(x, v);
	free(v);
	spans(x);
	/* The query and the SERVFAIL, not the time between (the client may
	 * keep its port); by ports. */
	assert_int_equal(count(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53), 2);
	assert_true(has(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53, T0 - MS, T0 + MS));
	assert_true(has(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53, T0 + 2 * SEC - MS,
			T0 + 2 * SEC + MS));
	/* The attempt, until its answer would have come (never past the
	 * SERVFAIL), and the ICMP errors quoting it. */
	assert_span(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50001), T0 + 9 * MS,
		    T0 + 2 * SEC + MS);
	assert_span(find(CAP_SPAN_ICMP, "192.0.2.1", 53, FX_UPSIDE, 50001), T0 + 10 * MS,
		    T0 + 2 * SEC + MS);
	/* The resolver's first answer shows its role; the first packet 2 s
	 * after the SERVFAIL lets the reader judge it in its time. */
	assert_span(find(CAP_SPAN_FIRST, FX_RESOLVER, 53, "", 0), 0, INT64_MAX);
	assert_span(find(CAP_SPAN_FIRST, "", 0, "", 0), T0 + 4 * SEC, INT64_MAX);
	assert_int_equal(N, 6);
}

/* Over TCP the client's connection, from its handshake to the SERVFAIL. */
static void tcp_client(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.com",
		   "www.example.com", T0 + 2 * SEC, 5);
	v->query_time = T0;
	v->transport = DB_PROTO_TCP;
	fx_add(x, v);
	free(v);
	spans(x);
	assert_int_equal(count(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53), 1);
	assert_span(find(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53), T0 - SEC,
		    T0 + 2 * SEC + MS);
}

/* Of a run of identical attempts only the last is needed (the decision
 * reads the attempt that failed last); the earliest upstream attempt of
 * all is kept besides (the resolver-host vantage). */
static void run_keeps_the_last(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.com",
		   "www.example.com", T0 + 3 * SEC, 5);
	v->query_time = T0;
	for (int i = 0; i < 4; i++)
		fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 + 10 * MS + i * 700 * MS);
	fx_add(x, v);
	free(v);
	spans(x);
	assert_non_null(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50001)); /* earliest */
	assert_null(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50002));
	assert_null(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50003));
	assert_span(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50004),
		    T0 + 10 * MS + 2100 * MS - MS, T0 + 3 * SEC + MS);
	assert_non_null(find(CAP_SPAN_ICMP, "192.0.2.1", 53, FX_UPSIDE, 50004));
	assert_null(find(CAP_SPAN_ICMP, "192.0.2.1", 53, FX_UPSIDE, 50002));
	assert_null(find(CAP_SPAN_ICMP, "192.0.2.1", 53, FX_UPSIDE, 50003));
}

/* Where the order of kinds matters (a TC=1 answer, then TCP), the first
 * of a run is kept too; an attempt that differs is its own run. */
static void run_keeps_first_where_order_matters(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TRUNCATION, "tcp_reset", "example.com",
		   "www.example.com", T0 + 3 * SEC, 5);
	v->query_time = T0;
	fx_attempt(v, "192.0.2.9", VD_OUT_ANSWERED, T0 + 5 * MS)->referral = 1; /* 50001 */
	for (int i = 0; i < 3; i++)                                             /* 50002..4 */
		fx_attempt(v, "192.0.2.1", VD_OUT_TRUNCATED, T0 + 100 * MS + i * 100 * MS)->tc = 1;
	vd_upstream_t *u = fx_attempt(v, "192.0.2.1", VD_OUT_TCP_RESET, T0 + 500 * MS); /* 50005 */
	u->transport = DB_PROTO_TCP;
	fx_add(x, v);
	free(v);
	spans(x);
	assert_non_null(find(CAP_SPAN_PAIR, "192.0.2.9", 53, FX_UPSIDE, 50001));
	assert_non_null(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50002));
	assert_null(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50003));
	assert_non_null(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50004));
	/* The TCP attempt from its handshake, a second before. */
	assert_span(find(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50005), T0 + 500 * MS - SEC,
		    T0 + 3 * SEC + MS);
}

/* A repeat brings in its root failure: the root's client query (a query
 * never answered here) and its attempts, as far as it had gone. */
static void repeat_brings_its_root(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "target.example",
		   "target.example", T0 + 20 * SEC, 7);
	v->query_time = T0 - 10 * SEC;
	fx_attempt(v, "192.0.2.2", VD_OUT_TIMEOUT, T0 - 10 * SEC + 10 * MS);
	fx_add(x, v);
	/* The repeat, from another client, in another zone, with no attempt. */
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "alias.example",
		   "alias.example", T0 + SEC, 8);
	v->via = VD_VIA_FAILURE_CACHE;
	v->repeats_time = T0 - 5 * SEC;
	tu_name(&v->repeats_qname, "target.example");
	v->repeats_qtype = DNS_T_A;
	v->repeats_cause = VD_TIMEOUT;
	v->repeats_detail = "all_servers_silent";
	fx_addr(&v->repeats_client, "10.0.0.7");
	v->repeats_client_port = 40007;
	v->repeats_id = 0x1007;
	v->repeats_query_time = T0 - 10 * SEC;
	fx_add(x, v);
	spans(x);
	assert_non_null(find(CAP_SPAN_PAIR, "10.0.0.8", 40008, FX_RESOLVER, 53));
	/* The root's query, and no answer (it had none). */
	assert_int_equal(count(CAP_SPAN_PAIR, "10.0.0.7", 40007, FX_RESOLVER, 53), 1);
	assert_span(find(CAP_SPAN_PAIR, "10.0.0.7", 40007, FX_RESOLVER, 53), T0 - 10 * SEC - MS,
		    T0 - 10 * SEC + MS);
	assert_non_null(find(CAP_SPAN_PAIR, "192.0.2.2", 53, FX_UPSIDE, 50001));
	/* Without the root among the verdicts kept, nothing of it. */
	fx_t *y = fx_new();
	v->repeats_id = 0x9999;
	fx_add(y, v);
	spans_of(&y->ty);
	assert_null(find(CAP_SPAN_PAIR, "10.0.0.7", 40007, FX_RESOLVER, 53));
	fx_free(y);
	free(v);
}

/* The earlier exchanges a verdict names: the referral and CNAME answers
 * (over UDP or TCP: from a handshake before) and the DNSSEC chain's keys
 * (however old); a server whose resolver side is unknown, briefly. */
static void earlier_exchanges(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_DNSSEC, "bad_signature", "example.com",
		   "www.example.com", T0 + 2 * SEC, 5);
	v->n_alias = 1;
	v->alias[0].asked = T0 - 30 * SEC;
	v->alias[0].answered = T0 - 30 * SEC + 3 * MS;
	fx_addr(&v->alias[0].server, "192.0.2.4");
	fx_addr(&v->alias[0].from, FX_UPSIDE);
	v->alias[0].from_port = 50200;
	v->dnssec_checked = 1;
	v->dnssec.n_src = 2;
	chain_src_t *c = &v->dnssec.src[0];
	c->asked = T0 - 3600 * SEC;
	c->answered = c->asked + 5 * MS;
	fx_addr(&c->server, "192.0.2.3");
	fx_addr(&c->from, FX_UPSIDE);
	c->from_port = 50100;
	c->transport = DB_PROTO_UDP;
	c = &v->dnssec.src[1];
	c->asked = T0 - 60 * SEC;
	c->answered = c->asked + 500 * MS;
	fx_addr(&c->server, "192.0.2.6");
	c->transport = DB_PROTO_UDP; /* from unknown */
	fx_add(x, v);
	free(v);
	spans(x);
	assert_span(find(CAP_SPAN_PAIR, "192.0.2.4", 53, FX_UPSIDE, 50200), T0 - 31 * SEC,
		    T0 - 30 * SEC + 4 * MS);
	assert_span(find(CAP_SPAN_PAIR, "192.0.2.3", 53, FX_UPSIDE, 50100), T0 - 3600 * SEC - MS,
		    T0 - 3600 * SEC + 6 * MS);
	assert_span(find(CAP_SPAN_ICMP, "192.0.2.3", 53, FX_UPSIDE, 50100), T0 - 3600 * SEC,
		    T0 - 3600 * SEC + 6 * MS);
	/* 100 ms of the server's packets, not the half second until it
	 * answered. */
	assert_span(find(CAP_SPAN_PEER, "192.0.2.6", 0, "", 0), T0 - 60 * SEC - MS,
		    T0 - 60 * SEC + 100 * MS);
}

/* A delegation found to lead nowhere within a few milliseconds, with no
 * proof among the attempts: every packet of that time. */
static void quick_lame_delegation_keeps_all(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_UPSTREAM_ERROR, "lame_delegation", "example.com",
		   "www.example.com", T0 + 30 * MS, 5);
	v->query_time = T0;
	fx_attempt(v, "192.0.2.1", VD_OUT_ANSWERED, T0 + 5 * MS)->referral = 1;
	fx_add(x, v);
	spans(x);
	assert_span(find(CAP_SPAN_ANY, "", 0, "", 0), T0, T0 + 30 * MS);
	/* With the proof among its attempts (an NS name that does not
	 * exist), the attempts are enough. */
	fx_t *y = fx_new();
	vd_upstream_t *u = fx_attempt(v, "192.0.2.2", VD_OUT_LAME, T0 + 10 * MS);
	u->rcode = DNS_R_NXDOMAIN;
	fx_add(y, v);
	spans_of(&y->ty);
	assert_null(find(CAP_SPAN_ANY, "", 0, "", 0));
	fx_free(y);
	free(v);
}

/* Incidents of two resolvers: one span per resolver for its role, one for
 * the time after the last SERVFAIL; the overlapping spans of a client
 * that keeps its TCP connection and of one attempt shared by several
 * verdicts are merged. */
static void once_per_resolver_and_merged(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	char zone[32];
	for (int i = 0; i < 6; i++) {
		/* One incident each, so each is an example. */
		snprintf(zone, sizeof(zone), "z%d.example", i);
		fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", zone, zone,
			   T0 + 2 * SEC + i * 100 * MS, 5);
		v->query_time = T0 + i * 100 * MS;
		v->transport = DB_PROTO_TCP;
		fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 + 10 * MS);
		if (i == 5)
			fx_addr(&v->resolver, "2001:db8::53");
		fx_add(x, v);
	}
	free(v);
	spans(x);
	assert_int_equal(count(CAP_SPAN_FIRST, FX_RESOLVER, 53, "", 0), 1);
	assert_int_equal(count(CAP_SPAN_FIRST, "2001:db8::53", 53, "", 0), 1);
	/* After the last SERVFAIL (T0 + 2.5 s). */
	assert_int_equal(count(CAP_SPAN_FIRST, "", 0, "", 0), 1);
	assert_span(find(CAP_SPAN_FIRST, "", 0, "", 0), T0 + 4500 * MS, INT64_MAX);
	/* One connection span from the first handshake to the last
	 * SERVFAIL to 10.0.0.1, and the one to the other resolver. */
	assert_int_equal(count(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53), 1);
	assert_span(find(CAP_SPAN_PAIR, "10.0.0.5", 40005, FX_RESOLVER, 53), T0 - SEC,
		    T0 + 2400 * MS + MS);
	assert_int_equal(count(CAP_SPAN_PAIR, "10.0.0.5", 40005, "2001:db8::53", 53), 1);
	assert_int_equal(count(CAP_SPAN_PAIR, "192.0.2.1", 53, FX_UPSIDE, 50001), 1);
	assert_int_equal(count(CAP_SPAN_ICMP, "192.0.2.1", 53, FX_UPSIDE, 50001), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nothing_to_save, setup, teardown_spans),
		cmocka_unit_test_setup_teardown(one_servfail, setup, teardown_spans),
		cmocka_unit_test_setup_teardown(tcp_client, setup, teardown_spans),
		cmocka_unit_test_setup_teardown(run_keeps_the_last, setup, teardown_spans),
		cmocka_unit_test_setup_teardown(run_keeps_first_where_order_matters, setup,
						teardown_spans),
		cmocka_unit_test_setup_teardown(repeat_brings_its_root, setup, teardown_spans),
		cmocka_unit_test_setup_teardown(earlier_exchanges, setup, teardown_spans),
		cmocka_unit_test_setup_teardown(quick_lame_delegation_keeps_all, setup,
						teardown_spans),
		cmocka_unit_test_setup_teardown(once_per_resolver_and_merged, setup,
						teardown_spans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
