/*
 * test_txn.c - query/response matching (analyze/txn.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/txn.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)
#define WINDOW (5 * SEC)

#define CLOSED_MAX 8

struct closed {
	int n;
	txn_t t[CLOSED_MAX];
};

static void on_close(const txn_t *t, void *user)
{
	struct closed *c = user;

	assert_true(c->n < CLOSED_MAX);
	c->t[c->n++] = *t;
}

/* Wire names, one in mixed case as a 0x20-randomising resolver sends it. */
static const uint8_t N_MIXED[] = { 7, 'E', 'x', 'A', 'm', 'P', 'l', 'e', 3, 'C', 'o', 'M', 0 };
static const uint8_t N_LOWER[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t N_OTHER[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0 };

static void mkmsg(dns_msg_t *m, uint16_t id, int qr, const uint8_t *name, size_t nlen,
		  uint16_t qtype, uint16_t rcode)
{
	size_t off = 0;

	memset(m, 0, sizeof(*m));
	m->id = id;
	m->qr = (uint8_t)qr;
	m->rd = 1;
	m->ra = (uint8_t)qr;
	m->rcode = rcode;
	m->stage = DNS_STAGE_HEADER;
	if (name) {
		assert_int_equal(dns_name_read(name, nlen, &off, &m->qname), DB_OK);
		assert_int_equal(off, nlen);
		m->qdcount = 1;
		m->qtype = qtype;
		m->qclass = 1;
		m->stage = DNS_STAGE_FULL;
	}
}

#define Q(m, id, n) mkmsg((m), (id), 0, (n), sizeof(n), DNS_T_A, 0)
#define R(m, id, n, rc) mkmsg((m), (id), 1, (n), sizeof(n), DNS_T_A, (rc))

/* Client 192.0.2.1:40000 -> server 198.51.100.53:53 and back. */
static void mkflows(db_flow_t *q, db_flow_t *r, uint8_t proto)
{
	memset(q, 0, sizeof(*q));
	assert_int_equal(db_addr_parse(&q->src, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&q->dst, "198.51.100.53"), 0);
	q->sport = 40000;
	q->dport = 53;
	q->proto = proto;
	*r = *q;
	db_flow_reverse(r);
}

static void assert_stats(const txn_table_t *tt, uint64_t transactions, uint64_t answered,
			 uint64_t unanswered, uint64_t retrans, uint64_t dups, uint64_t unmatched,
			 uint64_t evicted)
{
	assert_int_equal(tt->st.transactions, transactions);
	assert_int_equal(tt->st.answered, answered);
	assert_int_equal(tt->st.unanswered, unanswered);
	assert_int_equal(tt->st.retransmissions, retrans);
	assert_int_equal(tt->st.duplicate_responses, dups);
	assert_int_equal(tt->st.unmatched_responses, unmatched);
	assert_int_equal(tt->st.evicted, evicted);
}

static void match_case_insensitive(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close, &c), 0);
	Q(&q, 0x1234, N_MIXED);
	txn_query(&tt, T0, &qf, &q);
	R(&r, 0x1234, N_LOWER, DNS_R_SERVFAIL);
	const txn_t *t = txn_response(&tt, T0 + 20000, &rf, &r, &first);
	assert_non_null(t);
	assert_int_equal(t->answered, 1);
	assert_int_equal(t->rcode, DNS_R_SERVFAIL);
	assert_int_equal(t->answer_ts, T0 + 20000);
	assert_int_equal(t->queries, 1);
	assert_int_equal(t->responses, 1);
	assert_int_equal(t->rd, 1);
	assert_int_equal(t->key.id, 0x1234);
	assert_int_equal(t->key.cport, 40000);
	assert_int_equal(t->key.sport, 53);
	assert_int_equal(t->key.transport, DB_PROTO_UDP);
	assert_true(db_addr_eq(&t->key.client, &qf.src));
	assert_true(db_addr_eq(&t->key.server, &qf.dst));
	/* Stored lower case. */
	assert_int_equal(t->qname->len, sizeof(N_LOWER));
	assert_memory_equal(t->qname->wire, N_LOWER, sizeof(N_LOWER));
	assert_stats(&tt, 1, 1, 0, 0, 0, 0, 0);
	txn_expire(&tt, INT64_MAX);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].answered, 1);
	assert_stats(&tt, 1, 1, 0, 0, 0, 0, 0);
	txn_free(&tt);
}

/* A name that fits in the transaction (up to TXN_QNAME_INLINE - 2 octets)
 * is kept there, a longer one is allocated; both are stored lower case,
 * match their retransmission and their answer in another case, and are
 * released with the transaction (the sanitizer build checks for leaks
 * and for reads past the allocation). */
static void query_names_in_place_and_allocated(void **state)
{
	(void)state;
	int first = 0;
	/* Whole names, root label included: 46 octets is the longest kept
	 * in place (TXN_QNAME_INLINE 48 with len and labels). */
	static const size_t lens[] = { 3, 45, 46, 47, 48, 100, 255 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		/* Labels of up to 63 octets, "Ab" repeated. */
		uint8_t mixed[256], lower[256];
		size_t n = 0, rem = lens[k];
		while (rem > 1) {
			size_t l = rem - 2 < 63 ? rem - 2 : 63;
			if (rem - (l + 1) == 2)
				l--; /* never leave room for a label of 0 octets */
			mixed[n] = lower[n] = (uint8_t)l;
			for (size_t i = 1; i <= l; i++) {
				mixed[n + i] = i % 2 ? 'A' : 'b';
				lower[n + i] = i % 2 ? 'a' : 'b';
			}
			n += l + 1;
			rem -= l + 1;
		}
		mixed[n] = lower[n] = 0;
		n++;
		assert_int_equal(n, lens[k]);
		txn_table_t tt;
		db_flow_t qf, rf;
		dns_msg_t q, r;
		mkflows(&qf, &rf, DB_PROTO_UDP);
		assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
		mkmsg(&q, 9, 0, mixed, n, DNS_T_A, 0);
		txn_t *t = txn_query(&tt, T0, &qf, &q);
		assert_non_null(t);
		assert_int_equal(t->qname->len, n);
		assert_memory_equal(t->qname->wire, lower, n);
		int inline_ = t->qname == (const dns_name_t *)(const void *)t->qname_in;
		assert_int_equal(inline_, offsetof(dns_name_t, wire) + n <= TXN_QNAME_INLINE);
		/* An allocated name is owned: closing frees it (LeakSanitizer
		 * in the sanitizer build checks that it does). */
		assert_int_equal(t->owns, !inline_);
		assert_ptr_equal(txn_query(&tt, T0 + SEC, &qf, &q), t);
		mkmsg(&r, 9, 1, lower, n, DNS_T_A, 0);
		assert_ptr_equal(txn_response(&tt, T0 + 2 * SEC, &rf, &r, &first), t);
		assert_int_equal(t->queries, 2);
		/* What an answer left, allocated on first use, owned too. */
		assert_non_null(txn_learn(t));
		assert_ptr_equal(txn_learn(t), t->learn);
		assert_non_null(txn_ede(t));
		assert_ptr_equal(txn_ede(t), t->ede);
		assert_int_equal(t->owns, 1);
		if (k % 2)
			txn_close(&tt, t);
		txn_free(&tt);
	}
}

/* A transaction is held under the hash of its key's fields, the same
 * from the query's flow, the answer's and the key itself (txn_find, and
 * the attribution's lookups by key), over IPv4 and IPv6, UDP and TCP. */
static void key_hash_from_flow_or_key(void **state)
{
	(void)state;
	int first = 0;
	static const char *const addrs[][2] = { { "192.0.2.1", "198.51.100.53" },
						{ "2001:db8::1", "2001:db8:53::53" } };
	for (size_t i = 0; i < 2; i++) {
		for (uint8_t proto = 0; proto < 2; proto++) {
			txn_table_t tt;
			db_flow_t qf, rf;
			dns_msg_t q, r;
			memset(&qf, 0, sizeof(qf));
			assert_int_equal(db_addr_parse(&qf.src, addrs[i][0]), 0);
			assert_int_equal(db_addr_parse(&qf.dst, addrs[i][1]), 0);
			qf.sport = 40000;
			qf.dport = 53;
			qf.proto = proto ? DB_PROTO_TCP : DB_PROTO_UDP;
			rf = qf;
			db_flow_reverse(&rf);
			assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
			Q(&q, 0x4242, N_LOWER);
			txn_t *t = txn_query(&tt, T0, &qf, &q);
			assert_non_null(t);
			assert_true(t->e.hash == txn_key_hash(&tt, &t->key));
			assert_ptr_equal(txn_find(&tt, &t->key), t);
			txn_key_t other = t->key;
			other.id ^= 1;
			assert_null(txn_find(&tt, &other));
			R(&r, 0x4242, N_LOWER, 0);
			assert_ptr_equal(txn_response(&tt, T0 + 1000, &rf, &r, &first), t);
			txn_free(&tt);
		}
	}
}

static void retransmission_same_transaction(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
	Q(&q, 7, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	/* The retry randomises case again: still the same question. */
	Q(&q, 7, N_MIXED);
	txn_query(&tt, T0 + SEC, &qf, &q);
	txn_query(&tt, T0 + 2 * SEC, &qf, &q);
	assert_int_equal(tt.tbl.count, 1);
	R(&r, 7, N_LOWER, 0);
	const txn_t *t = txn_response(&tt, T0 + 3 * SEC, &rf, &r, &first);
	assert_non_null(t);
	assert_int_equal(t->queries, 3);
	assert_int_equal(t->last_query, T0 + 2 * SEC);
	assert_int_equal(t->e.ts, T0);
	assert_stats(&tt, 1, 1, 0, 2, 0, 0, 0);
	txn_free(&tt);
}

static void duplicate_response(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
	Q(&q, 9, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	R(&r, 9, N_LOWER, DNS_R_SERVFAIL);
	const txn_t *a = txn_response(&tt, T0 + 1, &rf, &r, &first);
	R(&r, 9, N_LOWER, DNS_R_NOERROR);
	const txn_t *b = txn_response(&tt, T0 + 2, &rf, &r, &first);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(b->responses, 2);
	/* The first answer stands. */
	assert_int_equal(b->rcode, DNS_R_SERVFAIL);
	assert_int_equal(b->answer_ts, T0 + 1);
	assert_stats(&tt, 1, 1, 0, 0, 1, 0, 0);
	txn_free(&tt);
}

static void unmatched_responses(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	db_flow_t qf, rf, other;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
	Q(&q, 10, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	R(&r, 11, N_LOWER, 0); /* other id */
	assert_null(txn_response(&tt, T0 + 1, &rf, &r, &first));
	R(&r, 10, N_OTHER, 0); /* other question */
	assert_null(txn_response(&tt, T0 + 2, &rf, &r, &first));
	other = rf; /* other client port */
	other.dport = 40001;
	R(&r, 10, N_LOWER, 0);
	assert_null(txn_response(&tt, T0 + 3, &other, &r, &first));
	other = rf; /* same ports over TCP */
	other.proto = DB_PROTO_TCP;
	assert_null(txn_response(&tt, T0 + 4, &other, &r, &first));
	/* Same direction as the query: the "client" would be the server. */
	assert_null(txn_response(&tt, T0 + 5, &qf, &r, &first));
	assert_stats(&tt, 1, 0, 0, 0, 0, 5, 0);
	assert_non_null(txn_response(&tt, T0 + 6, &rf, &r, &first));
	assert_stats(&tt, 1, 1, 0, 0, 0, 5, 0);
	txn_free(&tt);
}

static void response_without_question_matches_on_id(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
	Q(&q, 0x4242, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	/* FORMERR with qdcount 0: header only. */
	mkmsg(&r, 0x4242, 1, NULL, 0, 0, DNS_R_FORMERR);
	const txn_t *t = txn_response(&tt, T0 + 1, &rf, &r, &first);
	assert_non_null(t);
	assert_int_equal(t->rcode, DNS_R_FORMERR);
	assert_memory_equal(t->qname->wire, N_LOWER, sizeof(N_LOWER));
	/* Different id and no question: unmatched. */
	mkmsg(&r, 0x4243, 1, NULL, 0, 0, DNS_R_FORMERR);
	assert_null(txn_response(&tt, T0 + 2, &rf, &r, &first));
	assert_stats(&tt, 1, 1, 0, 0, 0, 1, 0);
	txn_free(&tt);
}

static void id_reuse_after_answer_is_new_transaction(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close, &c), 0);
	Q(&q, 77, N_LOWER);
	R(&r, 77, N_LOWER, DNS_R_SERVFAIL);
	txn_query(&tt, T0, &qf, &q);
	assert_non_null(txn_response(&tt, T0 + 1, &rf, &r, &first));
	txn_query(&tt, T0 + 2, &qf, &q);
	/* The answered one closed at once. */
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].answered, 1);
	assert_int_equal(c.t[0].rcode, DNS_R_SERVFAIL);
	assert_int_equal(c.t[0].e.ts, T0);
	assert_int_equal(tt.tbl.count, 1);
	R(&r, 77, N_LOWER, DNS_R_NOERROR);
	const txn_t *t = txn_response(&tt, T0 + 3, &rf, &r, &first);
	assert_non_null(t);
	assert_int_equal(t->e.ts, T0 + 2);
	assert_int_equal(t->rcode, DNS_R_NOERROR);
	assert_int_equal(t->responses, 1);
	assert_stats(&tt, 2, 2, 0, 0, 0, 0, 0);
	txn_free(&tt);
}

static void same_id_two_questions(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_TCP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, NULL, NULL), 0);
	Q(&q, 5, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	Q(&q, 5, N_OTHER);
	txn_query(&tt, T0 + 1, &qf, &q);
	assert_int_equal(tt.tbl.count, 2);
	R(&r, 5, N_OTHER, DNS_R_NXDOMAIN);
	const txn_t *t = txn_response(&tt, T0 + 2, &rf, &r, &first);
	assert_non_null(t);
	assert_memory_equal(t->qname->wire, N_OTHER, sizeof(N_OTHER));
	assert_int_equal(t->rcode, DNS_R_NXDOMAIN);
	/* A different qtype is a different question. */
	mkmsg(&r, 5, 1, N_LOWER, sizeof(N_LOWER), DNS_T_AAAA, 0);
	assert_null(txn_response(&tt, T0 + 3, &rf, &r, &first));
	assert_stats(&tt, 2, 1, 0, 0, 0, 1, 0);
	txn_free(&tt);
}

static void expiry_counts_unanswered(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close, &c), 0);
	Q(&q, 1, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	Q(&q, 2, N_LOWER);
	txn_query(&tt, T0 + SEC, &qf, &q);
	txn_expire(&tt, T0 + WINDOW - 1);
	assert_int_equal(c.n, 0);
	txn_expire(&tt, T0 + WINDOW);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].key.id, 1);
	assert_int_equal(c.t[0].answered, 0);
	assert_int_equal(c.t[0].queries, 1);
	assert_stats(&tt, 2, 0, 1, 0, 0, 0, 0);
	txn_expire(&tt, INT64_MAX);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.t[1].key.id, 2);
	assert_int_equal(tt.tbl.count, 0);
	assert_stats(&tt, 2, 0, 2, 0, 0, 0, 0);
	txn_free(&tt);
}

/* At the end of the input, a query younger than the window may still have
 * been answered after the capture stopped: it is open, not unanswered. */
static void flush_separates_open_from_unanswered(void **state)
{
	(void)state;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close, &c), 0);
	Q(&q, 1, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	Q(&q, 2, N_LOWER);
	txn_query(&tt, T0 + WINDOW, &qf, &q);
	txn_flush(&tt, T0 + WINDOW + 1);
	assert_int_equal(c.n, 2);
	assert_int_equal(tt.st.unanswered, 1);
	assert_int_equal(tt.st.open_at_end, 1);
	assert_int_equal(tt.tbl.count, 0);
	txn_free(&tt);
}

static void eviction_when_full(void **state)
{
	(void)state;
	int first = 0;
	(void)first;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 2, on_close, &c), 0);
	for (uint16_t id = 1; id <= 3; id++) {
		Q(&q, id, N_LOWER);
		txn_query(&tt, T0 + id, &qf, &q);
	}
	assert_int_equal(tt.tbl.count, 2);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].key.id, 1);
	assert_int_equal(c.t[0].answered, 0);
	/* Evicted before its window was over: evicted, not unanswered. */
	assert_stats(&tt, 3, 0, 0, 0, 0, 0, 1);
	R(&r, 1, N_LOWER, 0);
	assert_null(txn_response(&tt, T0 + 10, &rf, &r, &first));
	R(&r, 3, N_LOWER, 0);
	assert_non_null(txn_response(&tt, T0 + 11, &rf, &r, &first));
	assert_stats(&tt, 3, 1, 0, 0, 0, 1, 1);
	txn_free(&tt);
}

/* The indexed transactions of the name hashed h still in the index,
 * oldest first, into out[0..max): how many. */
static size_t named(const txn_table_t *tt, uint64_t h, const txn_t **out, size_t max)
{
	const txn_t *const *v;
	int in_order;
	size_t n = txn_by_name(tt, h, &v, &in_order), k = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] && k < max)
			out[k++] = v[i];
	return k;
}

/* The newest indexed transaction of the name hashed h, or NULL. */
static const txn_t *newest_named(const txn_table_t *tt, uint64_t h)
{
	const txn_t *all[64];
	size_t n = named(tt, h, all, 64);
	return n ? all[n - 1] : NULL;
}

/* The name index: indexed transactions by query name, in the order they
 * were indexed; a transaction leaves it when it leaves the table. */
static void name_index(void **state)
{
	(void)state;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q;
	const txn_t *got[8];

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 8, on_close, &c), 0);
	Q(&q, 1, N_MIXED);
	txn_t *a = txn_query(&tt, T0, &qf, &q);
	txn_index_name(&tt, a);
	Q(&q, 2, N_OTHER);
	txn_t *o = txn_query(&tt, T0 + 1, &qf, &q);
	txn_index_name(&tt, o);
	Q(&q, 3, N_LOWER);
	txn_t *b = txn_query(&tt, T0 + 2, &qf, &q);
	txn_index_name(&tt, b);
	Q(&q, 4, N_LOWER);
	txn_t *d = txn_query(&tt, T0 + 3, &qf, &q);
	/* Not the newest any more: left out. */
	txn_index_name(&tt, b);
	assert_int_equal(named(&tt, a->qhash, got, 8), 2);
	assert_ptr_equal(got[0], a);
	assert_ptr_equal(got[1], b);
	assert_ptr_equal(newest_named(&tt, o->qhash), o);
	assert_false(d->named);
	/* Lookup by key, whatever the question. */
	txn_key_t k = b->key;
	assert_ptr_equal(txn_find(&tt, &k), b);
	/* Expiry removes them from the index, oldest first. */
	txn_expire(&tt, T0 + 1 + WINDOW);
	assert_int_equal(named(&tt, b->qhash, got, 8), 1);
	assert_ptr_equal(got[0], b);
	assert_null(newest_named(&tt, dns_name_hash(&q.qname) ^ 1));
	txn_expire(&tt, T0 + 10 + WINDOW);
	assert_null(newest_named(&tt, dns_name_hash(&q.qname)));
	assert_int_equal(tt.names.count, 0);
	txn_free(&tt);
}

/* Both ends of a name's array, and whether it is in the order of query
 * time: a capture that goes back in time puts it out of order for as long
 * as the name stays in the index. */
static void name_index_ends(void **state)
{
	(void)state;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q;
	const txn_t *const *v;
	const txn_t *got[8];
	int in_order;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 8, on_close, &c), 0);
	Q(&q, 1, N_LOWER);
	uint64_t h = dns_name_hash(&q.qname);
	assert_int_equal(txn_by_name(&tt, h, &v, &in_order), 0);
	assert_int_equal(in_order, 1);
	txn_t *a = txn_query(&tt, T0 + 5, &qf, &q);
	txn_index_name(&tt, a);
	Q(&q, 2, N_MIXED);
	txn_t *b = txn_query(&tt, T0 + 5, &qf, &q);
	txn_index_name(&tt, b);
	assert_int_equal(txn_by_name(&tt, h, &v, &in_order), 2);
	assert_ptr_equal(v[0], a);
	assert_ptr_equal(v[1], b);
	assert_int_equal(in_order, 1); /* equal times are in order */
	/* The newest leaves: the next one is in order against the one
	 * before it, not against the one that left. */
	Q(&q, 3, N_LOWER);
	txn_t *x = txn_query(&tt, T0 + 9, &qf, &q);
	txn_index_name(&tt, x);
	txn_close(&tt, x);
	Q(&q, 4, N_LOWER);
	txn_t *y = txn_query(&tt, T0 + 7, &qf, &q);
	txn_index_name(&tt, y);
	assert_int_equal(named(&tt, h, got, 8), 3);
	assert_ptr_equal(got[2], y);
	txn_by_name(&tt, h, &v, &in_order);
	assert_int_equal(in_order, 1);
	Q(&q, 5, N_LOWER);
	txn_t *d = txn_query(&tt, T0 + 4, &qf, &q);
	txn_index_name(&tt, d);
	assert_int_equal(named(&tt, h, got, 8), 4);
	assert_ptr_equal(got[0], a);
	assert_ptr_equal(got[3], d);
	txn_by_name(&tt, h, &v, &in_order);
	assert_int_equal(in_order, 0);
	txn_free(&tt);
}

/* Many transactions of one name, leaving in any order while others join:
 * the index holds exactly those still in the table, in the order they
 * were indexed, through the array's growth and compaction; its head goes
 * with the last of them. */
static void name_index_churn(void **state)
{
	(void)state;
	enum { N = 300 };
	txn_table_t tt;
	db_flow_t qf, rf;
	dns_msg_t q;
	static txn_t *live[N];
	static const txn_t *got[N];
	size_t nlive = 0;
	uint32_t rnd = 12345;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 4 * N, NULL, NULL), 0);
	Q(&q, 1, N_LOWER);
	uint64_t h = dns_name_hash(&q.qname);
	for (int step = 0; step < 4 * N; step++) {
		rnd = rnd * 1103515245u + 12345u;
		int join = nlive == 0 || (nlive < N && (rnd >> 16) % 3 != 0);
		if (join) {
			Q(&q, (uint16_t)(step + 2), N_LOWER);
			qf.sport = (uint16_t)(1024 + step);
			txn_t *t = txn_query(&tt, T0 + step, &qf, &q);
			assert_non_null(t);
			txn_index_name(&tt, t);
			assert_true(t->named);
			live[nlive++] = t;
		} else {
			/* Mostly the oldest (attempts leave in age order),
			 * sometimes any: a client's query answered, an
			 * attempt kept briefly. */
			size_t i = (rnd >> 8) % 4 ? 0 : (rnd >> 12) % nlive;
			txn_close(&tt, live[i]);
			memmove(&live[i], &live[i + 1], (nlive - i - 1) * sizeof(live[0]));
			nlive--;
		}
		assert_int_equal(named(&tt, h, got, N), nlive);
		for (size_t i = 0; i < nlive; i++)
			assert_ptr_equal(got[i], live[i]);
		const txn_t *const *v;
		int in_order;
		size_t span = txn_by_name(&tt, h, &v, &in_order);
		assert_int_equal(in_order, 1);
		/* Trimmed at both ends. */
		if (nlive) {
			assert_ptr_equal(v[0], live[0]);
			assert_ptr_equal(v[span - 1], live[nlive - 1]);
		}
		assert_int_equal(tt.names.count, nlive ? 1 : 0);
	}
	txn_free(&tt);
}

/* An attempt marked short-lived leaves the table its life after its
 * answer, judged as it leaves; unmarked, or never answered, it stays its
 * window and the retention. */
static void short_life_after_answer(void **state)
{
	(void)state;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;
	int first;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close, &c), 0);
	txn_set_attempt_life(&tt, 2 * SEC, 2 * SEC);
	Q(&q, 1, N_LOWER);
	txn_keep_short(&tt, txn_query(&tt, T0, &qf, &q));
	Q(&q, 2, N_LOWER);
	txn_keep_short(&tt, txn_query(&tt, T0, &qf, &q)); /* never answered */
	Q(&q, 3, N_LOWER);
	txn_query(&tt, T0, &qf, &q); /* not marked */
	R(&r, 1, N_LOWER, 0);
	assert_non_null(txn_response(&tt, T0 + SEC / 10, &rf, &r, &first));
	R(&r, 3, N_LOWER, 0);
	assert_non_null(txn_response(&tt, T0 + SEC / 10, &rf, &r, &first));
	txn_expire(&tt, T0 + 2 * SEC + SEC / 10 - 1);
	assert_int_equal(c.n, 0);
	assert_int_equal(tt.tbl.count, 3);
	txn_expire(&tt, T0 + 2 * SEC + SEC / 10);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].key.id, 1);
	assert_int_equal(c.t[0].answered, 1);
	assert_int_equal(tt.tbl.count, 2);
	/* The others are judged at the end of their window, as before. */
	txn_expire(&tt, T0 + WINDOW);
	assert_int_equal(c.n, 3);
	assert_stats(&tt, 3, 2, 1, 0, 0, 0, 0);
	txn_free(&tt);
}

/* The expiry announces the transaction it will hand to on_close at its
 * next step, on every list it walks: each one announced is then closed,
 * after the announcement, and only ones not judged yet are announced. */
struct ahead_log {
	int n;
	char what[64];
	uint16_t id[64];
};

static void log_close(const txn_t *t, void *user)
{
	struct ahead_log *l = user;
	assert_true(l->n < 64);
	l->what[l->n] = 'C';
	l->id[l->n++] = t->key.id;
}

static void log_ahead(const txn_t *t, void *user)
{
	struct ahead_log *l = user;
	assert_true(l->n < 64);
	assert_false(t->judged);
	l->what[l->n] = 'A';
	l->id[l->n++] = t->key.id;
}

static void close_ahead_announces(void **state)
{
	(void)state;
	txn_table_t tt;
	struct ahead_log l = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;
	int first;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, log_close, &l), 0);
	txn_set_close_ahead(&tt, log_ahead);
	txn_set_attempt_life(&tt, 2 * SEC, 2 * SEC);
	/* Four short-lived attempts answered (the life queue), four left to
	 * their window (the age list). */
	for (uint16_t id = 1; id <= 8; id++) {
		Q(&q, id, N_LOWER);
		txn_t *t = txn_query(&tt, T0 + id, &qf, &q);
		if (id <= 4)
			txn_keep_short(&tt, t);
	}
	for (uint16_t id = 1; id <= 4; id++) {
		R(&r, id, N_LOWER, 0);
		assert_non_null(txn_response(&tt, T0 + SEC / 10, &rf, &r, &first));
	}
	txn_expire(&tt, T0 + 3 * SEC);
	txn_expire(&tt, T0 + WINDOW + 10);
	int closed = 0, announced = 0;
	for (int i = 0; i < l.n; i++) {
		if (l.what[i] == 'C') {
			closed++;
			continue;
		}
		announced++;
		int later = 0;
		for (int j = i + 1; j < l.n && !later; j++)
			later = l.what[j] == 'C' && l.id[j] == l.id[i];
		assert_true(later);
	}
	assert_int_equal(closed, 8);
	/* Every one but the first of each walk (the life queue, the age
	 * list) is announced. */
	assert_int_equal(announced, 6);
	txn_free(&tt);
}

/* An attempt made brief leaves the table its brief life after its answer,
 * ahead of short-lived ones answered before it; the two queues never mix
 * (one closed early leaves the queue it is on, and the other stays
 * intact). */
static void brief_life_after_answer(void **state)
{
	(void)state;
	txn_table_t tt;
	struct closed c = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;
	int first;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close, &c), 0);
	txn_set_attempt_life(&tt, 3 * SEC, SEC);
	for (uint16_t id = 1; id <= 4; id++) {
		Q(&q, id, N_LOWER);
		txn_keep_short(&tt, txn_query(&tt, T0, &qf, &q));
	}
	/* 1 short, answered first; 2 and 3 brief; 4 short. */
	for (uint16_t id = 1; id <= 4; id++) {
		R(&r, id, N_LOWER, 0);
		txn_t *t = txn_response(&tt, T0 + id * SEC / 10, &rf, &r, &first);
		assert_non_null(t);
		if (id == 2 || id == 3) {
			txn_keep_brief(&tt, t);
			assert_int_equal(t->short_life, TXN_LIFE_BRIEF);
			txn_keep_brief(&tt, t); /* once only */
		}
	}
	/* 3 leaves early, taken off the brief queue. */
	R(&r, 3, N_LOWER, 0);
	txn_close(&tt, txn_response(&tt, T0 + SEC / 2, &rf, &r, &first));
	assert_int_equal(c.n, 1);
	assert_int_equal(c.t[0].key.id, 3);
	txn_expire(&tt, T0 + SEC + 2 * SEC / 10 - 1);
	assert_int_equal(c.n, 1);
	txn_expire(&tt, T0 + SEC + 2 * SEC / 10);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.t[1].key.id, 2);
	assert_int_equal(tt.tbl.count, 2);
	assert_null(tt.brief.head);
	/* The short ones, in their order, their life after their answer. */
	txn_expire(&tt, T0 + 3 * SEC + SEC / 10);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.t[2].key.id, 1);
	txn_expire(&tt, T0 + 3 * SEC + 4 * SEC / 10);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.t[3].key.id, 4);
	assert_int_equal(tt.tbl.count, 0);
	txn_free(&tt);
}

struct midway_seen {
	int n, closed;
	uint16_t id[4];
	db_time_t at[4];
	uint64_t asides; /* the sum of the references seen at close */
};

/* The table has one user pointer for both callbacks. */
static void on_close_midway(const txn_t *t, void *user)
{
	struct midway_seen *m = user;
	m->closed++;
	m->asides += t->aside;
}

static void on_midway(txn_t *t, db_time_t now, void *user)
{
	struct midway_seen *m = user;
	assert_true(m->n < 4);
	m->id[m->n] = t->key.id;
	m->at[m->n++] = now;
	t->aside = (uint64_t)1 << (4 * m->n); /* the owner's reference */
}

/* The midway look comes once, `delay` after the query, only for queries
 * still unanswered, in query order; the reference the owner set aside
 * comes back to it at close, once (it releases what it refers to). */
static void midway_once_for_unanswered(void **state)
{
	(void)state;
	txn_table_t tt;
	struct midway_seen m = { 0 };
	db_flow_t qf, rf;
	dns_msg_t q, r;
	int first;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close_midway, &m), 0);
	txn_set_midway(&tt, 2 * SEC, on_midway);
	Q(&q, 1, N_LOWER);
	txn_query(&tt, T0, &qf, &q);
	Q(&q, 2, N_LOWER);
	txn_query(&tt, T0 + SEC, &qf, &q);
	Q(&q, 3, N_LOWER);
	txn_query(&tt, T0 + SEC, &qf, &q);
	R(&r, 2, N_LOWER, 0);
	assert_non_null(txn_response(&tt, T0 + SEC + 1, &rf, &r, &first));
	txn_expire(&tt, T0 + 2 * SEC - 1);
	assert_int_equal(m.n, 0);
	txn_expire(&tt, T0 + 2 * SEC);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.id[0], 1);
	assert_true(m.at[0] == T0 + 2 * SEC);
	txn_expire(&tt, T0 + 3 * SEC);
	txn_expire(&tt, T0 + 3 * SEC + 1);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.id[1], 3);
	txn_flush(&tt, T0 + 4 * SEC);
	assert_int_equal(m.closed, 3);
	assert_int_equal(m.asides, 0x110);
	txn_free(&tt);
}

static void on_close_count(const txn_t *t, void *user)
{
	(void)t;
	(*(int *)user)++;
}

/* A transaction judged early with drop leaves the table once judged;
 * txn_close removes one at once; a second answer is then unmatched. */
static void early_leave(void **state)
{
	(void)state;
	txn_table_t tt;
	int closed = 0;
	db_flow_t qf, rf;
	dns_msg_t q, r;
	int first;

	mkflows(&qf, &rf, DB_PROTO_UDP);
	assert_int_equal(txn_init(&tt, WINDOW, 16, on_close_count, &closed), 0);
	Q(&q, 1, N_LOWER);
	txn_t *t = txn_query(&tt, T0, &qf, &q);
	R(&r, 1, N_LOWER, DNS_R_SERVFAIL);
	assert_ptr_equal(txn_response(&tt, T0 + SEC / 10, &rf, &r, &first), t);
	txn_judge_at(&tt, t, T0 + SEC, 1);
	Q(&q, 2, N_LOWER);
	t = txn_query(&tt, T0, &qf, &q);
	R(&r, 2, N_LOWER, 0);
	assert_ptr_equal(txn_response(&tt, T0 + SEC / 10, &rf, &r, &first), t);
	txn_close(&tt, t);
	assert_int_equal(closed, 1);
	assert_int_equal(tt.tbl.count, 1);
	assert_null(txn_response(&tt, T0 + SEC / 5, &rf, &r, &first));
	txn_expire(&tt, T0 + SEC - 1);
	assert_int_equal(tt.tbl.count, 1);
	txn_expire(&tt, T0 + SEC);
	assert_int_equal(closed, 2);
	assert_int_equal(tt.tbl.count, 0);
	assert_stats(&tt, 2, 2, 0, 0, 0, 1, 0);
	txn_free(&tt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_index),
		cmocka_unit_test(name_index_ends),
		cmocka_unit_test(name_index_churn),
		cmocka_unit_test(close_ahead_announces),
		cmocka_unit_test(short_life_after_answer),
		cmocka_unit_test(brief_life_after_answer),
		cmocka_unit_test(midway_once_for_unanswered),
		cmocka_unit_test(early_leave),
		cmocka_unit_test(match_case_insensitive),
		cmocka_unit_test(query_names_in_place_and_allocated),
		cmocka_unit_test(key_hash_from_flow_or_key),
		cmocka_unit_test(retransmission_same_transaction),
		cmocka_unit_test(duplicate_response),
		cmocka_unit_test(unmatched_responses),
		cmocka_unit_test(response_without_question_matches_on_id),
		cmocka_unit_test(id_reuse_after_answer_is_new_transaction),
		cmocka_unit_test(same_id_two_questions),
		cmocka_unit_test(expiry_counts_unanswered),
		cmocka_unit_test(flush_separates_open_from_unanswered),
		cmocka_unit_test(eviction_when_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
