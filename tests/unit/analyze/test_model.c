/*
 * test_model.c - the resolver model (analyze/model.c): the failure memory
 * of root failures (which failure a repeat points at, in flight or
 * before, within RFC 9520's five minutes), and the CNAME graph's lifetime.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../../analyze/model.h"
#include "../../../analyze/txn.h"
#include "../../../analyze/verdict.h"

#define SEC 1000000LL
#define T0 (1700000000 * SEC)

static model_root_t root(db_time_t asked, db_time_t failed, uint8_t cause)
{
	model_root_t r;
	memset(&r, 0, sizeof(r));
	r.query_time = asked;
	r.time = failed;
	r.cause = cause;
	r.detail = "x";
	return r;
}

/* model_root_get and model_root_in_flight as pointers: NULL or a copy. */
static model_root_t got;
static const model_root_t *get(model_t *m, uint64_t k, db_time_t before)
{
	return model_root_get(m, k, before, &got) ? &got : NULL;
}
static const model_root_t *in_flight(model_t *m, uint64_t k, db_time_t at, db_time_t until)
{
	return model_root_in_flight(m, k, at, until, &got) ? &got : NULL;
}

/* A one-label name. */
static void name1(dns_name_t *n, const char *label)
{
	memset(n, 0, sizeof(*n));
	size_t l = strlen(label);
	n->wire[0] = (uint8_t)l;
	memcpy(&n->wire[1], label, l);
	n->len = (uint8_t)(l + 2);
	n->labels = 1;
}

/* A root comes back with its names, whatever their size; a full table
 * lets its least recently failed root go, names and all (the sanitizers
 * see a leak if not). */
static void roots_keep_names_and_evict(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	char label[64];
	for (int i = 0; i < 1100; i++) {
		model_root_t r = root(T0 + i * SEC, T0 + i * SEC + SEC / 2, VD_TIMEOUT);
		snprintf(label, sizeof(label), "q%d", i);
		name1(&r.qname, label);
		snprintf(label, sizeof(label), "zone-%d-%s", i,
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		name1(&r.zone, label);
		r.qtype = 28;
		r.id = (uint16_t)i;
		model_root_put(m, model_key_question((uint64_t)i + 1, 28), &r);
	}
	assert_int_equal(model_stats(m)->roots_evicted, 1100 - 1024);
	assert_null(get(m, model_key_question(1, 28), T0 + 10 * SEC)); /* evicted */
	assert_non_null(get(m, model_key_question(100, 28), T0 + 200 * SEC));
	const model_root_t *r = get(m, model_key_question(1100, 28), T0 + 1100 * SEC);
	assert_non_null(r);
	dns_name_t q, z;
	name1(&q, "q1099");
	snprintf(label, sizeof(label), "zone-%d-%s", 1099,
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	name1(&z, label);
	assert_true(dns_name_eq(&r->qname, &q));
	assert_true(dns_name_eq(&r->zone, &z));
	assert_int_equal(r->qtype, 28);
	assert_int_equal(r->id, 1099);
	/* The copy's unused bytes are zero: copies of one root are equal. */
	model_root_t again;
	assert_int_equal(model_root_get(m, model_key_question(1100, 28), T0 + 1100 * SEC, &again),
			 1);
	assert_memory_equal(&again.qname, &r->qname, sizeof(again.qname));
	model_free(m);
}

/* One failure remembered under its question and its zone is one record
 * for both (the sanitizers see a double free or a leak if the references
 * are miscounted): either key gives it back whole, after the other key is
 * evicted, and after a later failure of the question replaces it there. */
static void roots_shared_between_keys(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	model_root_t a = root(T0, T0 + SEC, VD_TIMEOUT);
	name1(&a.qname, "www");
	name1(&a.zone, "example");
	a.id = 7;
	uint64_t kq = model_key_question(1, 1), kz = model_key_zone(2);
	model_root_put(m, kq, &a);
	model_root_put(m, kz, &a);
	/* A failure of another cause on the question: its history now holds
	 * two records, its latest the new one; the zone keeps the first. */
	model_root_t b = root(T0 + 2 * SEC, T0 + 3 * SEC, VD_BLOCKED_PORT);
	name1(&b.qname, "www");
	name1(&b.zone, "example");
	b.id = 8;
	model_root_put(m, kq, &b);
	assert_int_equal(get(m, kz, T0 + 10 * SEC)->id, 7);
	assert_int_equal(get(m, kq, T0 + 10 * SEC)->id, 8);
	assert_int_equal(get(m, kq, T0 + 2 * SEC)->id, 7);
	assert_int_equal(in_flight(m, kq, T0 + 2 * SEC + 1, T0 + 4 * SEC)->id, 8);
	/* Other keys fill the table, then push the zone out (the least
	 * recently failed), then the question: the record they shared stays
	 * whole until both are gone. */
	dns_name_t www;
	name1(&www, "www");
	for (uint64_t i = 0; i < 1024; i++) {
		model_root_t c = root(T0 + (db_time_t)(10 + i) * SEC,
				      T0 + (db_time_t)(11 + i) * SEC, VD_TIMEOUT);
		name1(&c.qname, "other");
		name1(&c.zone, "example");
		model_root_put(m, model_key_question(100 + i, 1), &c);
		if (i == 1022) {
			assert_null(get(m, kz, T0 + 2000 * SEC));
			const model_root_t *r = get(m, kq, T0 + 2 * SEC);
			assert_non_null(r);
			assert_true(dns_name_eq(&r->qname, &www));
			assert_int_equal(r->id, 7);
		}
	}
	assert_null(get(m, kq, T0 + 2000 * SEC));
	assert_int_equal(model_stats(m)->roots_evicted, 2);
	model_free(m);
}

static void failure_memory(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	uint64_t k = model_key_question(12345, 1);
	assert_null(get(m, k, T0));

	model_root_t a = root(T0, T0 + 2 * SEC, VD_TIMEOUT);
	model_root_put(m, k, &a);
	/* Asked after it failed: a failure-cache repeat. */
	const model_root_t *r = get(m, k, T0 + 3 * SEC);
	assert_non_null(r);
	assert_int_equal(r->cause, VD_TIMEOUT);
	/* Asked before it failed: not a repeat of it... */
	assert_null(get(m, k, T0 + 1 * SEC));
	/* ...but joined to it, if answered when it failed. */
	assert_non_null(in_flight(m, k, T0 + 1 * SEC, T0 + 2 * SEC));
	assert_null(in_flight(m, k, T0 + 1 * SEC, T0 + 1 * SEC));
	/* RFC 9520 3.2: at most five minutes. */
	assert_non_null(get(m, k, T0 + 302 * SEC));
	assert_null(get(m, k, T0 + 303 * SEC));
	model_free(m);
	m = model_new(1024);
	model_root_put(m, k, &a);

	/* Later roots of the same question and cause renew the failure
	 * cache entry: repeats point at the first; a query joined to a later
	 * one finds that one in flight. */
	model_root_t a2 = root(T0 + 20 * SEC, T0 + 22 * SEC, VD_TIMEOUT);
	model_root_put(m, k, &a2);
	assert_int_equal(get(m, k, T0 + 30 * SEC)->time, T0 + 2 * SEC);
	assert_int_equal(in_flight(m, k, T0 + 21 * SEC, T0 + 22 * SEC)->time, T0 + 22 * SEC);

	/* Roots of other causes: each repeat points at the latest failure
	 * before it, even when the verdicts came out of order. */
	model_root_t b = root(T0 + 100 * SEC, T0 + 101 * SEC, VD_BLOCKED_PORT);
	model_root_t c = root(T0 + 50 * SEC, T0 + 51 * SEC, VD_TRUNCATION);
	model_root_put(m, k, &b);
	model_root_put(m, k, &c);
	assert_int_equal(get(m, k, T0 + 200 * SEC)->cause, VD_BLOCKED_PORT);
	assert_int_equal(get(m, k, T0 + 60 * SEC)->cause, VD_TRUNCATION);
	/* The same failure twice is kept once. */
	model_root_put(m, k, &b);
	assert_int_equal(get(m, k, T0 + 200 * SEC)->cause, VD_BLOCKED_PORT);
	assert_int_equal(get(m, k, T0 + 60 * SEC)->cause, VD_TRUNCATION);

	/* Question and zone keys never collide for the same hash. */
	assert_true(model_key_question(7, 0) != model_key_zone(7));
	model_free(m);
}

/* ---- answers the model learns from -------------------------------------- */

typedef struct wb {
	uint8_t b[512];
	size_t n;
} wb_t;

static void w16(wb_t *w, unsigned v)
{
	w->b[w->n++] = (uint8_t)(v >> 8);
	w->b[w->n++] = (uint8_t)v;
}

static void wname(wb_t *w, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		w->b[w->n++] = (uint8_t)l;
		memcpy(w->b + w->n, s, l);
		w->n += l;
		s += l + (dot ? 1 : 0);
	}
	w->b[w->n++] = 0;
}

/* An upstream answer to (qname, A): rcode and flags as given, and in the
 * authority section an NS record owner -> each of ns[] (a referral). */
static void learn(model_t *m, dns_parser_t *p, db_time_t ts, const char *qname, unsigned flags,
		  const char *owner, const char *const *ns, int nns)
{
	wb_t w = { .n = 0 };
	w16(&w, 0x1234);
	w16(&w, 0x8000 | flags);
	w16(&w, 1);
	w16(&w, 0);
	w16(&w, (unsigned)nns);
	w16(&w, 0);
	wname(&w, qname);
	w16(&w, DNS_T_A);
	w16(&w, 1);
	for (int i = 0; i < nns; i++) {
		wname(&w, owner);
		w16(&w, DNS_T_NS);
		w16(&w, 1);
		w16(&w, 0);
		w16(&w, 300);
		size_t at = w.n;
		w16(&w, 0);
		wname(&w, ns[i]);
		w.b[at + 1] = (uint8_t)(w.n - at - 2);
	}
	dns_msg_t msg;
	assert_int_equal(dns_parse(p, w.b, w.n, &msg), DB_OK);
	static txn_t t;
	memset(&t, 0, sizeof(t));
	t.qname = &msg.qname;
	t.qhash = dns_name_hash(&msg.qname);
	t.qtype = DNS_T_A;
	t.e.ts = ts - 1000;
	t.answered = 1;
	t.answer_ts = ts;
	t.upstream = 1;
	t.aa = msg.aa;
	t.referral = nns > 0 && !msg.aa;
	model_learn(m, &t, &msg);
	free(t.learn);
}

static uint64_t hash_of(const char *text)
{
	wb_t w = { .n = 0 };
	wname(&w, text);
	dns_name_t n;
	size_t off = 0;
	assert_int_equal(dns_name_read(w.b, w.n, &off, &n), DB_OK);
	return dns_name_hash(&n);
}

/* A delegation with one NS name proven not to exist and one the model
 * does not know leads nowhere while the model has forgotten no name; a
 * stream of NXDOMAIN answers for names no delegation names is not kept
 * (it makes the model forget nothing); once the model has forgotten NS
 * names (least recently used out), the unknown one may have resolved: not
 * proof enough. */
static void dead_delegation_and_forgotten_names(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	dns_parser_t p;
	dns_parser_init(&p);
	static const char *const ns[] = { "ns.nowhere.example", "ns.elsewhere.example" };
	uint64_t cut = hash_of("broken.example");
	learn(m, &p, T0, "www.broken.example", 0, "broken.example", ns, 2);
	learn(m, &p, T0 + SEC, "ns.nowhere.example", 0x0400 | DNS_R_NXDOMAIN, "", NULL, 0);
	assert_true(model_cut_dead(m, cut, T0 + 2 * SEC));
	char name[64], zone[64], nsname[64];
	for (int i = 0; i < 1100; i++) {
		snprintf(name, sizeof(name), "x%d.gone.example", i);
		learn(m, &p, T0 + 2 * SEC + i, name, 0x0400 | DNS_R_NXDOMAIN, "", NULL, 0);
	}
	assert_int_equal(model_stats(m)->names_evicted, 0);
	assert_true(model_cut_dead(m, cut, T0 + 4 * SEC));
	/* 1,100 delegations whose NS names do not exist: more than the 1,024
	 * names the model keeps. */
	for (int i = 0; i < 1100; i++) {
		snprintf(zone, sizeof(zone), "z%d.example", i);
		snprintf(name, sizeof(name), "www.z%d.example", i);
		snprintf(nsname, sizeof(nsname), "ns.z%d.example", i);
		const char *const one[] = { nsname };
		learn(m, &p, T0 + 2 * SEC + i, name, 0, zone, one, 1);
		learn(m, &p, T0 + 2 * SEC + i, nsname, 0x0400 | DNS_R_NXDOMAIN, "", NULL, 0);
	}
	assert_true(model_stats(m)->names_evicted > 0);
	learn(m, &p, T0 + 3 * SEC, "ns.nowhere.example", 0x0400 | DNS_R_NXDOMAIN, "", NULL, 0);
	assert_false(model_cut_dead(m, cut, T0 + 4 * SEC));
	dns_parser_free(&p);
	model_free(m);
}

/* The zone cut a name is in: the name itself when it is a cut, else its
 * nearest ancestor that is, else none; the caller hands the name's hash,
 * or the hashes of some of its suffixes. */
static void zone_of_a_name(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	dns_parser_t p;
	dns_parser_init(&p);
	static const char *const ns[] = { "ns1.zone.example" };
	learn(m, &p, T0, "www.zone.example", 0, "zone.example", ns, 1);
	uint64_t cut = hash_of("zone.example");
	static const struct {
		const char *name;
		int in_cut;
	} cases[] = { { "zone.example", 1 },
		      { "www.zone.example", 1 },
		      { "a.b.c.zone.example", 1 },
		      { "ZONE.Example", 1 },
		      { "example", 0 },
		      { "other.test", 0 },
		      { "", 0 } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wb_t w = { .n = 0 };
		wname(&w, cases[i].name);
		dns_name_t n;
		size_t off = 0;
		assert_int_equal(dns_name_read(w.b, w.n, &off, &n), DB_OK);
		assert_int_equal(model_zone_hash(m, &n, dns_name_hash(&n)),
				 cases[i].in_cut ? cut : 0);
		/* With any number of the suffixes' hashes made before: the
		 * same cut, whether the walk ends inside them or beyond. */
		uint64_t h[8];
		size_t nh = dns_name_suffix_hashes(&n, h, 8);
		assert_int_equal(nh, (size_t)n.labels + 1);
		for (size_t k = 1; k <= nh; k++)
			assert_int_equal(model_zone_hash_from(m, &n, h, k),
					 cases[i].in_cut ? cut : 0);
	}
	dns_parser_free(&p);
	model_free(m);
}

/* The zone walk looks up only the ancestors as deep as some cut: cuts at
 * several depths, the deepest found first, and the depths kept right
 * while cuts are evicted. */
static void zone_walk_by_depth(void **state)
{
	(void)state;
	model_t *m = model_new(1024);
	assert_non_null(m);
	dns_parser_t p;
	dns_parser_init(&p);
	static const char *const ns[] = { "ns.elsewhere.test" };
	/* Four labels deep, then more two-label cuts than the model keeps:
	 * the deep one is evicted first, then the oldest shallow ones. */
	learn(m, &p, T0, "www.deep.b.zone.example", 0, "deep.b.zone.example", ns, 1);
	static const struct {
		const char *name, *cut;
	} before[] = { { "www.deep.b.zone.example", "deep.b.zone.example" },
		       { "a.b.c.deep.b.zone.example", "deep.b.zone.example" },
		       { "b.zone.example", NULL } };
	static const struct {
		const char *name, *cut;
	} after[] = { { "www.deep.b.zone.example", NULL },
		      { "www.z1199.example", "z1199.example" },
		      { "a.b.z1100.example", "z1100.example" },
		      { "z0.example", NULL },
		      { "www.in.deep.b.zone.example", "in.deep.b.zone.example" },
		      { "in.deep.b.zone.example", "in.deep.b.zone.example" },
		      { "x.y.zone.example", NULL } };
	char zone[64], name[80];
	for (int round = 0; round < 2; round++) {
		if (round == 1) {
			for (int i = 0; i < 1200; i++) {
				snprintf(zone, sizeof(zone), "z%d.example", i);
				snprintf(name, sizeof(name), "www.z%d.example", i);
				learn(m, &p, T0 + SEC + i, name, 0, zone, ns, 1);
			}
			assert_true(model_stats(m)->cuts_evicted > 0);
			learn(m, &p, T0 + 3 * SEC, "www.in.deep.b.zone.example", 0,
			      "in.deep.b.zone.example", ns, 1);
		}
		size_t n = round ? sizeof(after) / sizeof(after[0])
				 : sizeof(before) / sizeof(before[0]);
		for (size_t i = 0; i < n; i++) {
			const char *q = round ? after[i].name : before[i].name;
			const char *c = round ? after[i].cut : before[i].cut;
			wb_t w = { .n = 0 };
			wname(&w, q);
			dns_name_t dn;
			size_t off = 0;
			assert_int_equal(dns_name_read(w.b, w.n, &off, &dn), DB_OK);
			uint64_t want = c ? hash_of(c) : 0;
			uint64_t h[8];
			size_t nh = dns_name_suffix_hashes(&dn, h, 8);
			for (size_t k = 1; k <= nh; k++)
				assert_int_equal(model_zone_hash_from(m, &dn, h, k), want);
			dns_name_t z;
			assert_int_equal(model_zone_of(m, &dn, &z), c != NULL);
		}
	}
	dns_parser_free(&p);
	model_free(m);

	/* One eviction, of a three-label cut, with one two-label cut held:
	 * the count of the evicted cut's depth goes down, not another's. */
	m = model_new(1024);
	assert_non_null(m);
	dns_parser_init(&p);
	for (int i = 0; i < 1024; i++) {
		snprintf(zone, sizeof(zone), "z%d.filler.example", i);
		snprintf(name, sizeof(name), "www.z%d.filler.example", i);
		learn(m, &p, T0 + i, name, 0, zone, ns, 1);
		if (i == 0)
			learn(m, &p, T0, "www.zone.example", 0, "zone.example", ns, 1);
	}
	assert_int_equal(model_stats(m)->cuts_evicted, 1);
	wb_t w = { .n = 0 };
	wname(&w, "www.zone.example");
	dns_name_t dn;
	size_t off = 0;
	assert_int_equal(dns_name_read(w.b, w.n, &off, &dn), DB_OK);
	assert_int_equal(model_zone_hash(m, &dn, dns_name_hash(&dn)), hash_of("zone.example"));
	dns_parser_free(&p);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failure_memory),
		cmocka_unit_test(roots_keep_names_and_evict),
		cmocka_unit_test(roots_shared_between_keys),
		cmocka_unit_test(dead_delegation_and_forgotten_names),
		cmocka_unit_test(zone_of_a_name),
		cmocka_unit_test(zone_walk_by_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
