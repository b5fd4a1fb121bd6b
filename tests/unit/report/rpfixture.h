/*
 * rpfixture.h - a report input built by hand (report/report.h) for the
 * tests of the report writers: a tally of verdicts and the capture and
 * analysis counts that go with them, and the output of a writer in memory.
 * Shared by test_text.c, test_markdown.c, test_html.c and test_json.c;
 * include after <cmocka.h>.
 */
#ifndef DNSBLAME_TEST_RPFIXTURE_H
#define DNSBLAME_TEST_RPFIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../report/report.h"
#include "../testname.h"

#define SEC ((db_time_t)1000000)
#define MS ((db_time_t)1000)
#define T0 ((db_time_t)1700000000 * SEC) /* 2023-11-14T22:13:20Z */

/* The cast: clients 10.0.0.x ask the resolver 10.0.0.1, whose upstream
 * side 10.0.1.1 asks authorities 192.0.2.x. */
#define FX_RESOLVER "10.0.0.1"
#define FX_UPSIDE "10.0.1.1"

typedef struct fx {
	rp_input_t in;
	tally_t ty;
	an_stats_t an;
	cap_stats_t cap;
	char *out; /* the last output rendered */
	size_t len;
} fx_t;

static inline void fx_addr(db_addr_t *a, const char *s)
{
	assert_int_equal(db_addr_parse(a, s), 0);
}

/* An empty report: no verdict, a capture of 100 packets over a minute. */
static inline fx_t *fx_new(void)
{
	fx_t *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	assert_int_equal(tally_init(&x->ty, 1000), 0);
	x->in.cap = &x->cap;
	x->in.an = &x->an;
	x->in.tally = &x->ty;
	x->in.vantage = "resolver-host";
	x->in.window = 30 * SEC;
	x->cap.packets = 100;
	x->cap.first_ts = T0;
	x->cap.last_ts = T0 + 60 * SEC;
	return x;
}

static inline void fx_free(fx_t *x)
{
	if (!x)
		return;
	tally_free(&x->ty);
	free(x->out);
	free(x);
}

/* A verdict of the given kind from client 10.0.0.<client>, made at t (a
 * SERVFAIL 500 ms after its query), via upstream, high confidence. */
static inline void fx_verdict(verdict_t *v, uint8_t kind, uint8_t cause, const char *detail,
			      const char *zone, const char *qname, db_time_t t, int client)
{
	char ca[32];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->cause = cause;
	v->detail = detail;
	v->answered = kind == VD_KIND_SERVFAIL;
	v->time = t;
	v->query_time = t - 500 * MS;
	snprintf(ca, sizeof(ca), "10.0.0.%d", client);
	fx_addr(&v->client, ca);
	fx_addr(&v->resolver, FX_RESOLVER);
	v->client_port = (uint16_t)(40000 + client);
	v->transport = DB_PROTO_UDP;
	v->id = (uint16_t)(0x1000 + client);
	tu_name(&v->qname, qname);
	v->qtype = DNS_T_A;
	tu_name(&v->zone, zone);
	v->confidence = VD_HIGH;
	v->via = VD_VIA_UPSTREAM;
}

/* One upstream attempt of v to server, sent at ts. */
static inline vd_upstream_t *fx_attempt(verdict_t *v, const char *server, uint8_t outcome,
					db_time_t ts)
{
	assert_true(v->n_up < VD_MAX_UPSTREAM);
	vd_upstream_t *u = &v->up[v->n_up++];
	memset(u, 0, sizeof(*u));
	u->ts = ts;
	fx_addr(&u->server, server);
	fx_addr(&u->from, FX_UPSIDE);
	u->from_port = (uint16_t)(50000 + v->n_up);
	u->transport = DB_PROTO_UDP;
	dns_name_set(&u->qname, &v->qname);
	u->qtype = v->qtype;
	u->outcome = outcome;
	v->n_up_total++;
	if (outcome != VD_OUT_ANSWERED && outcome != VD_OUT_PENDING)
		v->n_failed++;
	return u;
}

/* Counted as the analysis counts it: in the tally and by cause. */
static inline void fx_add(fx_t *x, const verdict_t *v)
{
	tally_add(&x->ty, v);
	x->an.by_cause[v->kind][v->cause]++;
}

/* n verdicts of one incident, a second apart from t, clients 1..n. */
static inline void fx_incident(fx_t *x, uint8_t kind, uint8_t cause, const char *detail,
			       const char *zone, size_t n, db_time_t t)
{
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		fx_verdict(v, kind, cause, detail, zone, zone, t + (db_time_t)i * SEC,
			   (int)(1 + i % 250));
		fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, v->query_time + 10 * MS);
		fx_add(x, v);
	}
	free(v);
}

/* Renders the report with fn into memory: it must succeed.  The text stays
 * in x->out (x->len bytes) until the next render. */
static inline const char *fx_render(fx_t *x, int (*fn)(FILE *, const rp_input_t *))
{
	free(x->out);
	x->out = NULL;
	x->len = 0;
	FILE *f = open_memstream(&x->out, &x->len);
	assert_non_null(f);
	assert_int_equal(fn(f, &x->in), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(x->out), x->len);
	return x->out;
}

/* A writer on a stream that cannot be written says so. */
static inline void fx_write_fails(fx_t *x, int (*fn)(FILE *, const rp_input_t *))
{
	FILE *f = fopen("/dev/null", "r");
	assert_non_null(f);
	assert_int_equal(fn(f, &x->in), -1);
	fclose(f);
}

/* Occurrences of needle in hay. */
static inline size_t fx_count(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

/* The line of s that holds needle, copied into buf (n bytes), or NULL. */
static inline const char *fx_line(const char *s, const char *needle, char *buf, size_t n)
{
	const char *p = strstr(s, needle);
	if (!p)
		return NULL;
	while (p > s && p[-1] != '\n')
		p--;
	const char *e = strchr(p, '\n');
	size_t l = e ? (size_t)(e - p) : strlen(p);
	if (l >= n)
		l = n - 1;
	memcpy(buf, p, l);
	buf[l] = 0;
	return buf;
}

#endif
