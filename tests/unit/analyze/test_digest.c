/*
 * test_digest.c - a DNS message's digest (analyze/digest.c): what it says
 * is what the full parse says, its hashes are the tables' own, and
 * digest_msg stands in for the parse only where it may.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/digest.h"
#include "msgbuild.h"

#define F_QR 0x8000
#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_RA 0x0080
#define F_CD 0x0010

/* A record of the type at a compressed owner; four octets of rdata, for a
 * CNAME the question's name, for a signature one that covers A, signed by
 * the root (RFC 4034 3.1). */
static void rr_a(mb_t *m, int section, uint16_t owner_ptr, uint16_t type)
{
	m->count[section]++;
	put16(m, owner_ptr);
	put16(m, type);
	put16(m, 1);
	put32(m, 300);
	if (type == DNS_T_CNAME) {
		put16(m, 2);
		put16(m, 0xc00c);
		return;
	}
	if (type != DNS_T_RRSIG) {
		put16(m, 4);
		put32(m, 0xc0000201);
		return;
	}
	put16(m, 18 + 1 + 8);
	put16(m, DNS_T_A);
	put8(m, 13);
	put8(m, 2);
	put32(m, 300);
	put32(m, 2000000000);
	put32(m, 1700000000);
	put16(m, 12345);
	put8(m, 0);
	put32(m, 0x01020304);
	put32(m, 0x05060708);
}

/* The messages: how each is built, and whether digest_msg may stand in
 * for its parse. */
enum { NMSG = 13 };

static size_t build(int k, mb_t *m, size_t *len)
{
	int stands = 1;
	switch (k) {
	case 0: mb_start(m, 0x1234, F_RD | F_CD, "WwW.Example.ORG", DNS_T_A); break;
	case 1:
		mb_start(m, 0x1234, F_QR | F_RD | F_RA, "www.example.org", DNS_T_A);
		rr_a(m, 1, 0xc00c, DNS_T_A);
		break;
	case 2: /* a signature in the additional section, a CNAME answering */
		mb_start(m, 7, F_QR | F_AA | F_TC, "a.example", DNS_T_AAAA);
		rr_a(m, 1, 0xc00c, DNS_T_CNAME);
		rr_a(m, 3, 0xc00c, DNS_T_RRSIG);
		break;
	case 3: /* an answer of another type only */
		mb_start(m, 8, F_QR | 2, "b.example", DNS_T_MX);
		rr_a(m, 1, 0xc00c, DNS_T_A);
		break;
	case 4: /* ANY: any answer record answers */
		mb_start(m, 9, F_QR, "c.example", DNS_T_ANY);
		rr_a(m, 1, 0xc00c, DNS_T_A);
		break;
	case 5: /* BADVERS: the rcode's upper bits in the OPT record */
		mb_start(m, 10, F_QR, "d.example", DNS_T_A);
		mb_opt(m, 1, -1);
		break;
	case 6: /* an Extended DNS Error: its text is in the records */
		mb_start(m, 11, F_QR | 2, "e.example", DNS_T_A);
		mb_opt(m, 0, 22);
		stands = 0;
		break;
	case 7: /* no question */
		memset(m, 0, sizeof(*m));
		put16(m, 12);
		put16(m, F_QR | 1);
		for (int i = 0; i < 4; i++)
			put16(m, 0);
		stands = 0;
		break;
	case 8: /* the question's name a pointer forward: refused by the parse */
		mb_start(m, 13, F_QR, "f.example", DNS_T_A);
		m->b[12] = 0xc0;
		m->b[13] = 16;
		stands = 0;
		break;
	case 9: /* cut inside the answer: the question stands */
		mb_start(m, 14, F_QR, "g.example", DNS_T_A);
		rr_a(m, 1, 0xc00c, DNS_T_A);
		mb_done(m);
		*len = m->n - 3;
		return 1;
	case 10: /* cut inside the question */
		mb_start(m, 15, 0, "h.example", DNS_T_A);
		mb_done(m);
		*len = 16;
		return 0;
	case 11: /* the question's name the root, behind a pointer back into
		  * the header (ARCOUNT's low octet, 0): a name, not in place */
		memset(m, 0, sizeof(*m));
		put16(m, 16);
		put16(m, F_QR);
		put16(m, 1);
		for (int i = 0; i < 3; i++)
			put16(m, 0);
		put16(m, 0xc00b);
		put16(m, DNS_T_NS);
		put16(m, 1);
		*len = m->n;
		return 0;
	case 12: /* no question, a record owned by the root: the octet after
		  * the header is a root name, as a question's would be, but
		  * there is no question to stand for */
		memset(m, 0, sizeof(*m));
		put16(m, 17);
		put16(m, F_QR | F_RA);
		put16(m, 0);
		put16(m, 1);
		put16(m, 0);
		put16(m, 0);
		put8(m, 0);
		put16(m, DNS_T_A);
		put16(m, 1);
		put32(m, 300);
		put16(m, 4);
		put32(m, 0xc0000201);
		*len = m->n;
		return 0;
	default: fail();
	}
	mb_done(m);
	*len = m->n;
	return (size_t)stands;
}

static void digest_says_what_the_parse_says(void **state)
{
	(void)state;
	txn_table_t tt;
	roles_t r;
	assert_int_equal(txn_init(&tt, 30 * 1000000LL, 16, NULL, NULL), 0);
	assert_int_equal(roles_init(&r, 16), 0);
	digest_seeds_t seeds = { txn_seed(&tt), roles_seed(&r) };
	dns_parser_t p, q;
	dns_parser_init(&p);
	dns_parser_init(&q);
	for (int k = 0; k < NMSG; k++) {
		mb_t b;
		size_t len;
		int stands = (int)build(k, &b, &len);
		int query = !(b.b[2] & 0x80);
		cap_event_t ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = CAP_EV_DNS;
		ev.flow = query ? flow("10.0.0.2", 40000, "10.0.0.1", 53, DB_PROTO_UDP)
				: flow("10.0.0.1", 53, "10.0.0.2", 40000, DB_PROTO_UDP);
		ev.u.dns.msg = b.b;
		ev.u.dns.len = len;
		ev.u.dns.wire_len = b.n;

		digest_t g;
		dns_msg_t m, full;
		digest_make(&g, &m, &p, &ev, &seeds);
		db_status_t st = dns_parse(&q, b.b, len, &full);
		assert_int_equal(g.status, st);
		assert_int_equal(g.stage, full.stage);
		assert_int_equal(g.src_hash, roles_hash(&r, &ev.flow.src));
		assert_int_equal(g.dst_hash, roles_hash(&r, &ev.flow.dst));
		assert_int_equal(g.txn_hash, txn_flow_hash(&tt, &ev.flow, query, full.id));
		if (full.stage >= DNS_STAGE_QUESTION) {
			uint64_t h[DIGEST_SUFFIXES];
			size_t n = dns_name_suffix_hashes(
			    &full.qname, h, !full.qr && full.rd ? DIGEST_SUFFIXES : 1);
			assert_true(n >= 1);
			assert_int_equal(g.nsuffix, n);
			assert_memory_equal(g.suffix, h, n * sizeof(h[0]));
			assert_int_equal(g.suffix[0], dns_name_hash(&full.qname));
		}
		dns_sum_t sum;
		dns_summarize(&full, full.qtype, &sum);
		assert_memory_equal(&g.sum, &sum, sizeof(sum));

		dns_msg_t lite;
		memset(&lite, 0x5a, sizeof(lite));
		assert_int_equal(digest_msg(&g, &ev.u.dns, &lite), stands);
		if (!stands)
			continue;
		/* Field by field: what the analysis reads of a message it
		 * does not parse again. */
		assert_ptr_equal(lite.wire, full.wire);
		assert_int_equal(lite.len, full.len);
		assert_int_equal(lite.id, full.id);
		assert_int_equal(lite.flags, full.flags);
		assert_int_equal(lite.qr, full.qr);
		assert_int_equal(lite.opcode, full.opcode);
		assert_int_equal(lite.aa, full.aa);
		assert_int_equal(lite.tc, full.tc);
		assert_int_equal(lite.rd, full.rd);
		assert_int_equal(lite.ra, full.ra);
		assert_int_equal(lite.ad, full.ad);
		assert_int_equal(lite.cd, full.cd);
		assert_int_equal(lite.rcode, full.rcode);
		assert_int_equal(lite.qdcount, full.qdcount);
		assert_int_equal(lite.ancount, full.ancount);
		assert_int_equal(lite.nscount, full.nscount);
		assert_int_equal(lite.arcount, full.arcount);
		assert_int_equal(lite.qname.len, full.qname.len);
		assert_int_equal(lite.qname.labels, full.qname.labels);
		assert_memory_equal(lite.qname.wire, full.qname.wire, full.qname.len);
		assert_int_equal(lite.qtype, full.qtype);
		assert_int_equal(lite.qclass, full.qclass);
		assert_int_equal(lite.edns.n_ede, 0);
		assert_int_equal(lite.nrr, 0);
		assert_int_equal(lite.stage, full.stage);
		assert_int_equal(lite.status, full.status);
	}
	dns_parser_free(&p);
	dns_parser_free(&q);
	roles_free(&r);
	txn_free(&tt);
}

/* The summary, for the question's type, of the records that answer it. */
static void summary_of_the_records(void **state)
{
	(void)state;
	dns_parser_t p;
	dns_parser_init(&p);
	struct {
		int k;
		uint8_t rrsig, answer;
	} want[] = { { 0, 0, 0 }, { 1, 0, 1 }, { 2, 1, 1 }, { 3, 0, 0 }, { 4, 0, 1 }, { 9, 0, 0 } };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		mb_t b;
		size_t len;
		build(want[i].k, &b, &len);
		dns_msg_t m;
		dns_parse(&p, b.b, len, &m);
		dns_sum_t s;
		dns_summarize(&m, m.qtype, &s);
		assert_int_equal(m.stage, DNS_STAGE_FULL - (want[i].k == 9));
		assert_int_equal(s.rrsig, want[i].rrsig);
		assert_int_equal(s.answer, want[i].answer);
	}
	/* The type is the transaction's: an A record answers an A question
	 * even when the response repeats none. */
	mb_t b;
	size_t len;
	build(3, &b, &len);
	dns_msg_t m;
	dns_parse(&p, b.b, len, &m);
	dns_sum_t s;
	dns_summarize(&m, DNS_T_A, &s);
	assert_int_equal(s.answer, 1);
	dns_parser_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digest_says_what_the_parse_says),
		cmocka_unit_test(summary_of_the_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
