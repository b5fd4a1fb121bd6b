/*
 * test_evidence.c - which packets are the evidence of some verdicts
 * (capture/evidence.c): a frame's addresses, ports, fragment train and
 * quoted packet (cap_pkt_parse), and the spans of capture time they fall
 * in (evsel_init, evsel_match).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "../../../capture/evidence.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)

#define MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
#define A4 192, 0, 2, 1
#define B4 198, 51, 100, 53
#define R4 203, 0, 113, 9
/* IPv4 header, IHL 5: src -> dst, protocol proto, id, fragment word. */
#define IP4(src, dst, proto, id, frag)                                                             \
	0x45, 0x00, 0x00, 0x40, (id) >> 8, (id)&0xff, (frag) >> 8, (frag)&0xff, 64, (proto), 0x00, \
	    0x00, src, dst
/* UDP or TCP ports sp -> dp, and the rest of a UDP header. */
#define PORTS(sp, dp) (sp) >> 8, (sp)&0xff, (dp) >> 8, (dp)&0xff, 0x00, 0x10, 0x00, 0x00
#define ICMP(type, code) (type), (code), 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
#define A6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define B6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53
#define IP6(src, dst, nh) 0x60, 0x00, 0x00, 0x00, 0x00, 0x10, (nh), 64, src, dst
/* IPv6 Fragment header: next header, offset in 8-byte units, M, id. */
#define FRAG6(nh, units, m, id)                                                                    \
	(nh), 0x00, (units) >> 5, (((units)&0x1f) << 3) | (m), 0x00, 0x00, 0x00, (id)

static void addr(const char *s, db_addr_t *a) { assert_int_equal(db_addr_parse(a, s), 0); }

static void parse(const uint8_t *f, size_t n, cap_pkt_t *p)
{
	memset(p, 0xee, sizeof(*p));
	assert_int_equal(cap_pkt_parse(DLT_RAW, f, n, p), 1);
}

/* ---- cap_pkt_parse -------------------------------------------------------- */

static void parse_udp_tcp_and_link(void **state)
{
	(void)state;
	static const uint8_t udp[] = { IP4(A4, B4, 17, 1, 0x4000), PORTS(40000, 53) };
	static const uint8_t tcp[] = { IP4(B4, A4, 6, 1, 0), PORTS(53, 40000) };
	static const uint8_t eth[] = { MACS, 0x08, 0x00, IP4(A4, B4, 17, 1, 0), PORTS(1, 2) };
	static const uint8_t gre[] = { IP4(A4, B4, 47, 1, 0), 0, 0, 0x08, 0x00 };
	cap_pkt_t p;
	db_addr_t a, b;

	addr("192.0.2.1", &a);
	addr("198.51.100.53", &b);
	parse(udp, sizeof(udp), &p);
	assert_true(db_addr_eq(&p.src, &a));
	assert_true(db_addr_eq(&p.dst, &b));
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.icmp, 0);
	assert_int_equal(p.frag, 0); /* DF is no fragment */
	assert_int_equal(p.quoted, 0);
	parse(tcp, sizeof(tcp), &p);
	assert_true(db_addr_eq(&p.src, &b));
	assert_int_equal(p.sport, 53);
	assert_int_equal(p.dport, 40000);
	assert_int_equal(cap_pkt_parse(DLT_EN10MB, eth, sizeof(eth), &p), 1);
	assert_int_equal(p.sport, 1);
	assert_int_equal(p.dport, 2);
	/* Other protocols: addresses only. */
	parse(gre, sizeof(gre), &p);
	assert_true(db_addr_eq(&p.src, &a));
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	/* Ports cut: the addresses still count. */
	parse(udp, 23, &p);
	assert_true(db_addr_eq(&p.dst, &b));
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
}

/* A packet in a tunnel is described by the packet it carries; a tunnel
 * with nothing readable inside by its own header. */
static void parse_tunnelled(void **state)
{
	(void)state;
	static const uint8_t ipip[] = { IP4(R4, R4, 4, 1, 0), IP4(A4, B4, 17, 2, 0),
					PORTS(40000, 53) };
	static const uint8_t gre[] = {
		IP4(R4, R4, 47, 1, 0), 0, 0, 0x08, 0x00, IP4(B4, A4, 17, 3, 0), PORTS(53, 40000)
	};
	cap_pkt_t p;
	db_addr_t a, b;

	addr("192.0.2.1", &a);
	addr("198.51.100.53", &b);
	parse(ipip, sizeof(ipip), &p);
	assert_true(db_addr_eq(&p.src, &a));
	assert_true(db_addr_eq(&p.dst, &b));
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
	parse(gre, sizeof(gre), &p);
	assert_true(db_addr_eq(&p.src, &b));
	assert_int_equal(p.sport, 53);
	/* The inner header cut short: the outer packet. */
	parse(ipip, 20 + 10, &p);
	db_addr_t r;
	addr("203.0.113.9", &r);
	assert_true(db_addr_eq(&p.src, &r));
	assert_int_equal(p.sport, 0);
}

static void parse_not_ip_or_broken(void **state)
{
	(void)state;
	static const uint8_t arp[] = { MACS, 0x08, 0x06, 0x00, 0x01 };
	static const uint8_t udp[] = { IP4(A4, B4, 17, 1, 0), PORTS(40000, 53) };
	static const uint8_t ihl4[] = { 0x44, 0x00, 0x00, 0x40, 0, 1, 0, 0, 64, 17, 0, 0, A4, B4 };
	static const uint8_t v6[] = { IP6(A6, B6, 17), PORTS(40000, 53) };
	cap_pkt_t p;

	assert_int_equal(cap_pkt_parse(DLT_EN10MB, arp, sizeof(arp), &p), 0);
	assert_int_equal(cap_pkt_parse(DLT_EN10MB, arp, 5, &p), 0);
	assert_int_equal(cap_pkt_parse(DLT_RAW, udp, 19, &p), 0);
	assert_int_equal(cap_pkt_parse(DLT_RAW, udp, 0, &p), 0);
	assert_int_equal(cap_pkt_parse(DLT_RAW, ihl4, sizeof(ihl4), &p), 0);
	/* IPv6 cut inside the addresses; right after them is enough. */
	assert_int_equal(cap_pkt_parse(DLT_RAW, v6, 39, &p), 0);
	assert_int_equal(cap_pkt_parse(DLT_RAW, v6, 40, &p), 1);
	assert_int_equal(p.sport, 0);
	assert_int_equal(cap_pkt_parse(DLT_RAW, v6, sizeof(v6), &p), 1);
	assert_int_equal(p.src.family, 6);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
}

static void parse_fragments(void **state)
{
	(void)state;
	static const uint8_t first4[] = { IP4(B4, A4, 17, 0x1234, 0x2000), PORTS(53, 40000) };
	static const uint8_t later4[] = { IP4(B4, A4, 17, 0x1234, 0x00b9), PORTS(53, 40000) };
	static const uint8_t first6[] = { IP6(B6, A6, 44), FRAG6(17, 0, 1, 0x77),
					  PORTS(53, 40000) };
	static const uint8_t later6[] = { IP6(B6, A6, 44), FRAG6(17, 185, 0, 0x77),
					  PORTS(53, 40000) };
	cap_pkt_t p;

	parse(first4, sizeof(first4), &p);
	assert_int_equal(p.frag, 1);
	assert_int_equal(p.frag_id, 0x1234);
	assert_int_equal(p.sport, 53);
	assert_int_equal(p.dport, 40000);
	/* A later fragment carries no ports: its bytes are data. */
	parse(later4, sizeof(later4), &p);
	assert_int_equal(p.frag, 1);
	assert_int_equal(p.frag_id, 0x1234);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	parse(first6, sizeof(first6), &p);
	assert_int_equal(p.frag, 1);
	assert_int_equal(p.frag_id, 0x77);
	assert_int_equal(p.sport, 53);
	parse(later6, sizeof(later6), &p);
	assert_int_equal(p.frag, 1);
	assert_int_equal(p.frag_id, 0x77);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
}

static void parse_icmp_quotes(void **state)
{
	(void)state;
	/* A router tells 192.0.2.1 its query to 198.51.100.53:53 could not
	 * get through. */
	static const uint8_t unreach[] = { IP4(R4, A4, 1, 9, 0), ICMP(3, 13), IP4(A4, B4, 17, 1, 0),
					   PORTS(40000, 53) };
	static const uint8_t ttl[] = { IP4(R4, A4, 1, 9, 0), ICMP(11, 0), IP4(A4, B4, 6, 1, 0),
				       PORTS(40001, 53) };
	static const uint8_t echo[] = { IP4(R4, A4, 1, 9, 0), ICMP(8, 0), IP4(A4, B4, 17, 1, 0),
					PORTS(40000, 53) };
	static const uint8_t unreach6[] = { IP6(B6, A6, 58), ICMP(1, 4), IP6(A6, B6, 17),
					    PORTS(40000, 53) };
	static const uint8_t echo6[] = { IP6(B6, A6, 58), ICMP(128, 0), IP6(A6, B6, 17),
					 PORTS(40000, 53) };
	cap_pkt_t p;
	db_addr_t a, b, rt;

	addr("192.0.2.1", &a);
	addr("198.51.100.53", &b);
	addr("203.0.113.9", &rt);
	parse(unreach, sizeof(unreach), &p);
	assert_int_equal(p.icmp, 1);
	assert_true(db_addr_eq(&p.src, &rt));
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.quoted, 1);
	assert_true(db_addr_eq(&p.qsrc, &a));
	assert_true(db_addr_eq(&p.qdst, &b));
	assert_int_equal(p.qsport, 40000);
	assert_int_equal(p.qdport, 53);
	parse(ttl, sizeof(ttl), &p);
	assert_int_equal(p.quoted, 1);
	assert_int_equal(p.qsport, 40001);
	/* The quote cut inside its ports: addresses, no ports. */
	parse(unreach, 20 + 8 + 20 + 3, &p);
	assert_int_equal(p.quoted, 1);
	assert_int_equal(p.qsport, 0);
	assert_int_equal(p.qdport, 0);
	/* Cut inside the quoted header: no quote. */
	parse(unreach, 20 + 8 + 19, &p);
	assert_int_equal(p.icmp, 1);
	assert_int_equal(p.quoted, 0);
	/* Not an error: nothing quoted. */
	parse(echo, sizeof(echo), &p);
	assert_int_equal(p.icmp, 1);
	assert_int_equal(p.quoted, 0);
	parse(unreach6, sizeof(unreach6), &p);
	assert_int_equal(p.icmp, 1);
	assert_int_equal(p.quoted, 1);
	assert_int_equal(p.qsrc.family, 6);
	assert_int_equal(p.qsport, 40000);
	assert_int_equal(p.qdport, 53);
	parse(echo6, sizeof(echo6), &p);
	assert_int_equal(p.icmp, 1);
	assert_int_equal(p.quoted, 0);
}

/* ---- evsel ---------------------------------------------------------------- */

/* A packet src:sp -> dst:dp. */
static cap_pkt_t pkt(const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
	cap_pkt_t p;

	memset(&p, 0, sizeof(p));
	addr(src, &p.src);
	addr(dst, &p.dst);
	p.sport = sp;
	p.dport = dp;
	return p;
}

static cap_span_t span(uint8_t kind, const char *a, uint16_t ap, const char *b, uint16_t bp,
		       db_time_t from, db_time_t to)
{
	cap_span_t s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	if (a)
		addr(a, &s.a);
	if (b)
		addr(b, &s.b);
	s.aport = ap;
	s.bport = bp;
	s.from = from;
	s.to = to;
	return s;
}

static evsel_t *sel_new(cap_span_t *s, size_t n)
{
	evsel_t *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(evsel_init(e, s, n), 0);
	return e;
}

static void sel_free(evsel_t *e)
{
	evsel_free(e);
	free(e);
}

#define C "192.0.2.1"
#define S "198.51.100.53"
#define X "203.0.113.77"

static void pair_either_way_in_time(void **state)
{
	(void)state;
	cap_span_t s[] = { span(CAP_SPAN_PAIR, C, 40000, S, 53, T0 + 10, T0 + 20) };
	evsel_t *e = sel_new(s, 1);
	cap_pkt_t q = pkt(C, 40000, S, 53), a = pkt(S, 53, C, 40000);
	cap_pkt_t other_port = pkt(C, 40001, S, 53), other_host = pkt(X, 40000, S, 53);
	cap_pkt_t no_ports = pkt(S, 0, C, 0);

	assert_false(evsel_match(e, T0 + 9, &q));
	assert_true(evsel_match(e, T0 + 10, &q)); /* from and to are inclusive */
	assert_true(evsel_match(e, T0 + 15, &a));
	assert_false(evsel_match(e, T0 + 15, &other_port));
	assert_false(evsel_match(e, T0 + 15, &other_host));
	/* A packet whose ports are not known matches on the addresses. */
	assert_true(evsel_match(e, T0 + 16, &no_ports));
	assert_true(evsel_match(e, T0 + 20, &a));
	assert_false(evsel_match(e, T0 + 21, &q));
	sel_free(e);
	/* Without ports, any ports between the two. */
	cap_span_t t[] = { span(CAP_SPAN_PAIR, C, 0, S, 0, T0, T0 + 5) };
	e = sel_new(t, 1);
	assert_true(evsel_match(e, T0, &other_port));
	assert_false(evsel_match(e, T0, &other_host));
	sel_free(e);
	/* Only one port given. */
	cap_span_t u[] = { span(CAP_SPAN_PAIR, S, 53, C, 0, T0, T0 + 5) };
	e = sel_new(u, 1);
	assert_true(evsel_match(e, T0, &other_port));
	cap_pkt_t not53 = pkt(C, 40000, S, 5353);
	assert_false(evsel_match(e, T0, &not53));
	sel_free(e);
}

static void peer_icmp_any(void **state)
{
	(void)state;
	cap_span_t s[] = { span(CAP_SPAN_PEER, S, 0, NULL, 0, T0, T0 + 10) };
	evsel_t *e = sel_new(s, 1);
	cap_pkt_t from = pkt(S, 53, X, 1), to = pkt(X, 2, S, 853), none = pkt(C, 1, X, 2);

	assert_true(evsel_match(e, T0, &from));
	assert_true(evsel_match(e, T0 + 1, &to));
	assert_false(evsel_match(e, T0 + 2, &none));
	sel_free(e);

	cap_span_t t[] = { span(CAP_SPAN_ICMP, C, 40000, S, 53, T0, T0 + 10) };
	e = sel_new(t, 1);
	cap_pkt_t icmp = pkt(X, 0, C, 0);
	icmp.icmp = 1;
	icmp.quoted = 1;
	addr(C, &icmp.qsrc);
	addr(S, &icmp.qdst);
	icmp.qsport = 40000;
	icmp.qdport = 53;
	assert_true(evsel_match(e, T0, &icmp));
	/* Quoting the answer's way, or with its ports cut: still the pair. */
	icmp.qsrc = icmp.qdst;
	addr(C, &icmp.qdst);
	icmp.qsport = 53;
	icmp.qdport = 40000;
	assert_true(evsel_match(e, T0 + 1, &icmp));
	icmp.qsport = icmp.qdport = 0;
	assert_true(evsel_match(e, T0 + 1, &icmp));
	icmp.qsport = 53;
	icmp.qdport = 41000;
	assert_false(evsel_match(e, T0 + 1, &icmp));
	/* The pair itself, not quoted, is not ICMP evidence. */
	cap_pkt_t q = pkt(C, 40000, S, 53);
	assert_false(evsel_match(e, T0 + 2, &q));
	sel_free(e);

	cap_span_t u[] = { span(CAP_SPAN_ANY, NULL, 0, NULL, 0, T0 + 5, T0 + 6) };
	e = sel_new(u, 1);
	assert_false(evsel_match(e, T0 + 4, &none));
	assert_true(evsel_match(e, T0 + 5, &none));
	assert_true(evsel_match(e, T0 + 6, &q));
	assert_false(evsel_match(e, T0 + 7, &q));
	sel_free(e);
}

/* The first packet at or after a time, sent by a:aport when a is set:
 * one packet, then the span is over. */
static void first_packet_only(void **state)
{
	(void)state;
	cap_span_t s[] = { span(CAP_SPAN_FIRST, S, 53, NULL, 0, T0 + 10, T0 + 100),
			   span(CAP_SPAN_FIRST, NULL, 0, NULL, 0, T0 + 50, T0 + 100) };
	evsel_t *e = sel_new(s, 2);
	cap_pkt_t q = pkt(C, 40000, S, 53), a = pkt(S, 53, C, 40000);

	assert_false(evsel_match(e, T0 + 9, &a));
	/* From another sender: not it. */
	assert_false(evsel_match(e, T0 + 11, &q));
	assert_true(evsel_match(e, T0 + 12, &a));
	assert_false(evsel_match(e, T0 + 13, &a));
	/* The second span: whatever comes first after T0 + 50. */
	assert_false(evsel_match(e, T0 + 49, &q));
	assert_true(evsel_match(e, T0 + 60, &q));
	assert_false(evsel_match(e, T0 + 61, &q));
	sel_free(e);
}

/* Spans are taken in any order (sorted in place); several may be under
 * way at once. */
static void spans_sorted_and_overlapping(void **state)
{
	(void)state;
	cap_span_t s[] = { span(CAP_SPAN_PAIR, X, 0, S, 0, T0 + 30, T0 + 40),
			   span(CAP_SPAN_PAIR, C, 0, S, 0, T0 + 10, T0 + 35),
			   span(CAP_SPAN_ANY, NULL, 0, NULL, 0, T0 + 50, T0 + 50) };
	evsel_t *e = sel_new(s, 3);
	cap_pkt_t cs = pkt(C, 1, S, 53), xs = pkt(X, 1, S, 53), cx = pkt(C, 1, X, 2);

	assert_true(s[0].from <= s[1].from && s[1].from <= s[2].from);
	assert_true(evsel_match(e, T0 + 10, &cs));
	assert_false(evsel_match(e, T0 + 20, &xs));
	assert_true(evsel_match(e, T0 + 30, &xs));
	assert_true(evsel_match(e, T0 + 31, &cs));
	assert_false(evsel_match(e, T0 + 36, &cs));
	assert_true(evsel_match(e, T0 + 40, &xs));
	assert_false(evsel_match(e, T0 + 41, &xs));
	assert_false(evsel_match(e, T0 + 49, &cx));
	assert_true(evsel_match(e, T0 + 50, &cx));
	assert_false(evsel_match(e, T0 + 51, &cx));
	sel_free(e);
	/* No spans at all. */
	e = sel_new(s, 0);
	assert_false(evsel_match(e, T0, &cs));
	sel_free(e);
}

/* A fragment after the first is kept when the first of its train was. */
static void fragments_follow_their_first(void **state)
{
	(void)state;
	cap_span_t s[] = { span(CAP_SPAN_PAIR, S, 53, C, 40000, T0, T0 + 10) };
	evsel_t *e = sel_new(s, 1);
	cap_pkt_t first = pkt(S, 53, C, 40000), later = pkt(S, 0, C, 0);
	cap_pkt_t other_first = pkt(S, 53, C, 41000);

	first.frag = later.frag = other_first.frag = 1;
	first.frag_id = later.frag_id = 0x1234;
	other_first.frag_id = 0x5678;
	assert_true(evsel_match(e, T0 + 1, &first));
	assert_false(evsel_match(e, T0 + 1, &other_first));
	assert_true(evsel_match(e, T0 + 2, &later));
	/* Even after the span is over: the train is one datagram. */
	assert_true(evsel_match(e, T0 + 50, &later));
	/* The other train's first did not match, nor do its later ones. */
	later.frag_id = 0x5678;
	assert_false(evsel_match(e, T0 + 3, &later));
	/* Same id, other addresses: another train. */
	later = pkt(X, 0, C, 0);
	later.frag = 1;
	later.frag_id = 0x1234;
	assert_false(evsel_match(e, T0 + 3, &later));
	sel_free(e);
}

/* The trains kept are the latest EVSEL_TRAINS. */
static void train_ring_keeps_the_latest(void **state)
{
	(void)state;
	cap_span_t s[] = { span(CAP_SPAN_PEER, S, 0, NULL, 0, T0, T0 + 10 * SEC) };
	evsel_t *e = sel_new(s, 1);
	cap_pkt_t first = pkt(S, 53, C, 40000), later = pkt(S, 0, C, 0);

	first.frag = later.frag = 1;
	for (uint32_t id = 0; id <= EVSEL_TRAINS; id++) {
		first.frag_id = id;
		assert_true(evsel_match(e, T0 + id, &first));
	}
	later.frag_id = 0; /* the oldest, pushed out */
	assert_false(evsel_match(e, T0 + 2000, &later));
	later.frag_id = 1;
	assert_true(evsel_match(e, T0 + 2000, &later));
	later.frag_id = EVSEL_TRAINS;
	assert_true(evsel_match(e, T0 + 2000, &later));
	sel_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_udp_tcp_and_link),
		cmocka_unit_test(parse_tunnelled),
		cmocka_unit_test(parse_not_ip_or_broken),
		cmocka_unit_test(parse_fragments),
		cmocka_unit_test(parse_icmp_quotes),
		cmocka_unit_test(pair_either_way_in_time),
		cmocka_unit_test(peer_icmp_any),
		cmocka_unit_test(first_packet_only),
		cmocka_unit_test(spans_sorted_and_overlapping),
		cmocka_unit_test(fragments_follow_their_first),
		cmocka_unit_test(train_ring_keeps_the_latest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
