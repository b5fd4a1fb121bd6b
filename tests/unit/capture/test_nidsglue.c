/*
 * test_nidsglue.c - IPv4 TCP through libnids (capture/nidsglue.c): each
 * segment handed on first, with whether libnids follows its connection;
 * port-53 stream bytes framed into DNS events; streams that end with data
 * missing reported; what libnids must not see kept from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/ip4.h"
#include "../../../capture/nidsglue.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)

/* A DNS query: id 0xbeef, RD, one question for the root, IN A (17 bytes),
 * with its 2-byte length prefix. */
#define DNSQ_TCP                                                                                   \
	0x00, 0x11, 0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  \
	    0x00, 0x01, 0x00, 0x01
/* A message announcing 32 bytes of which 12 are sent. */
#define PARTIAL 0x00, 0x20, 0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define CLI "192.0.2.1"
#define SRV "198.51.100.53"

#define REC_MAX 16
#define REC_MSG 64

struct rec {
	int n;
	cap_event_t ev[REC_MAX];
	uint8_t msg[REC_MAX][REC_MSG];
	/* What the deliver function saw. */
	int nd;
	uint8_t follows[REC_MAX];
	int events_before[REC_MAX]; /* events out when it was called */
	size_t len[REC_MAX];
};

static void rec_fn(const cap_event_t *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < REC_MAX);
	r->ev[r->n] = *ev;
	if (ev->kind == CAP_EV_DNS) {
		assert_true(ev->u.dns.len <= REC_MSG);
		memcpy(r->msg[r->n], ev->u.dns.msg, ev->u.dns.len);
	}
	r->n++;
}

static void deliver(cap_ctx_t *c, const cap_dgram_t *d)
{
	struct rec *r = c->user;

	assert_true(r->nd < REC_MAX);
	r->follows[r->nd] = d->nids_follows;
	r->events_before[r->nd] = r->n;
	r->len[r->nd] = d->len;
	r->nd++;
}

static void ctx_init(cap_ctx_t *c, struct rec *r)
{
	char err[128] = "";

	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	c->window = 30 * SEC;
	c->max_tcp_streams = 64;
	c->fn = rec_fn;
	c->user = r;
	c->now = T0;
	assert_int_equal(nidsglue_init(c, deliver, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* One IPv4 TCP segment, client -> server unless from_srv, with the client
 * port cport, and a correct header checksum unless bad_sum. */
struct seg {
	uint8_t pkt[256];
	size_t len;
};

static void make(struct seg *s, int from_srv, uint16_t cport, uint32_t seq, uint32_t ack,
		 uint8_t flags, const uint8_t *pl, size_t n)
{
	db_addr_t a, b;
	uint8_t *ip = s->pkt, *t = s->pkt + 20;
	uint16_t sp = from_srv ? 53 : cport, dp = from_srv ? cport : 53;

	assert_true(n <= sizeof(s->pkt) - 40);
	assert_int_equal(db_addr_parse(&a, from_srv ? SRV : CLI), 0);
	assert_int_equal(db_addr_parse(&b, from_srv ? CLI : SRV), 0);
	memset(s->pkt, 0, 40);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((40 + n) >> 8);
	ip[3] = (uint8_t)(40 + n);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, a.a, 4);
	memcpy(ip + 16, b.a, 4);
	ip4_hdr_sum_set(ip, 20);
	t[0] = (uint8_t)(sp >> 8);
	t[1] = (uint8_t)sp;
	t[2] = (uint8_t)(dp >> 8);
	t[3] = (uint8_t)dp;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = 0x50;
	t[13] = flags;
	t[14] = t[15] = 0xff;
	if (n)
		memcpy(t + 20, pl, n);
	s->len = 40 + n;
}

/* Hands s to nidsglue_tcp at time ts, as ip4.c's datagram of it. */
static void feed(cap_ctx_t *c, db_time_t ts, struct seg *s)
{
	cap_dgram_t d;

	memset(&d, 0, sizeof(d));
	d.version = 4;
	d.proto = 6;
	db_addr_set4(&d.src, s->pkt + 12);
	db_addr_set4(&d.dst, s->pkt + 16);
	d.whole = 1;
	d.ip = s->pkt;
	d.ihl = 20;
	d.l4 = s->pkt + 20;
	d.len = d.wire_len = s->len - 20;
	c->now = ts;
	nidsglue_tcp(c, &d);
}

static void seg(cap_ctx_t *c, db_time_t ts, int from_srv, uint16_t cport, uint32_t seq,
		uint32_t ack, uint8_t flags, const uint8_t *pl, size_t n)
{
	struct seg s;

	make(&s, from_srv, cport, seq, ack, flags, pl, n);
	feed(c, ts, &s);
}

/* SYN 1000 from the client, SYN-ACK 5000 from the server, the last ACK. */
static void handshake(cap_ctx_t *c, db_time_t ts, uint16_t cport)
{
	seg(c, ts, 0, cport, 1000, 0, SYN, NULL, 0);
	seg(c, ts + 1, 1, cport, 5000, 1001, SYN | ACK, NULL, 0);
	seg(c, ts + 2, 0, cport, 1001, 5001, ACK, NULL, 0);
}

static void assert_flow(const cap_event_t *ev, int from_srv, uint16_t cport)
{
	db_addr_t a;

	assert_int_equal(db_addr_parse(&a, from_srv ? SRV : CLI), 0);
	assert_true(db_addr_eq(&ev->flow.src, &a));
	assert_int_equal(ev->flow.sport, from_srv ? 53 : cport);
	assert_int_equal(ev->flow.dport, from_srv ? cport : 53);
	assert_int_equal(ev->flow.proto, DB_PROTO_TCP);
}

static void messages_framed_after_segment_handed_on(void **state)
{
	(void)state;
	static const uint8_t two[] = { DNSQ_TCP, DNSQ_TCP };
	static const uint8_t resp[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	handshake(&c, T0, 40000);
	assert_int_equal(r.nd, 3);
	/* libnids follows the connection from its SYN on. */
	assert_int_equal(r.follows[0], 0);
	assert_int_equal(r.follows[1], 1);
	assert_int_equal(r.follows[2], 1);
	assert_int_equal(r.n, 0);
	assert_int_equal(c.nids_streams, 1);
	/* Two queries in one segment: handed on first, then framed. */
	seg(&c, T0 + 10, 0, 40000, 1001, 5001, PSH | ACK, two, sizeof(two));
	assert_int_equal(r.nd, 4);
	assert_int_equal(r.follows[3], 1);
	assert_int_equal(r.events_before[3], 0);
	assert_int_equal(r.len[3], 20 + sizeof(two));
	assert_int_equal(r.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(r.ev[i].kind, CAP_EV_DNS);
		assert_int_equal(r.ev[i].ts, T0 + 10);
		assert_flow(&r.ev[i], 0, 40000);
		assert_int_equal(r.ev[i].u.dns.len, 17);
		assert_int_equal(r.ev[i].u.dns.wire_len, 17);
		assert_memory_equal(r.msg[i], two + 2, 17);
	}
	/* The response split inside its length prefix. */
	seg(&c, T0 + 20, 1, 40000, 5001, 1039, ACK, resp, 1);
	assert_int_equal(r.n, 2);
	seg(&c, T0 + 21, 1, 40000, 5002, 1039, PSH | ACK, resp + 1, sizeof(resp) - 1);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].ts, T0 + 21);
	assert_flow(&r.ev[2], 1, 40000);
	assert_int_equal(r.ev[2].u.dns.len, 17);
	/* An orderly close: nothing lost, the stream gone. */
	seg(&c, T0 + 30, 0, 40000, 1039, 5020, FIN | ACK, NULL, 0);
	seg(&c, T0 + 31, 1, 40000, 5020, 1040, FIN | ACK, NULL, 0);
	seg(&c, T0 + 32, 0, 40000, 1040, 5021, ACK, NULL, 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(c.nids_streams, 0);
	nidsglue_finish(&c);
	assert_int_equal(r.n, 3);
	nidsglue_close(&c);
}

/* Connections not on port 53 are handed on, never framed. */
static void other_ports_not_followed(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;
	struct seg s;

	ctx_init(&c, &r);
	make(&s, 0, 40000, 1000, 0, SYN, NULL, 0);
	s.pkt[22] = 0;
	s.pkt[23] = 80; /* port 80 */
	feed(&c, T0, &s);
	make(&s, 1, 40000, 5000, 1001, SYN | ACK, NULL, 0);
	s.pkt[20] = 0;
	s.pkt[21] = 80;
	feed(&c, T0 + 1, &s);
	make(&s, 0, 40000, 1001, 5001, PSH | ACK, q, sizeof(q));
	s.pkt[22] = 0;
	s.pkt[23] = 80;
	feed(&c, T0 + 2, &s);
	assert_int_equal(r.nd, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r.follows[i], 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(c.nids_streams, 0);
	nidsglue_close(&c);
}

/* A stream reset with a message half received: the loss is reported,
 * bytes of the prefix included. */
static void reset_reports_half_message(void **state)
{
	(void)state;
	static const uint8_t part[] = { PARTIAL };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	handshake(&c, T0, 40001);
	seg(&c, T0 + 10, 0, 40001, 1001, 5001, PSH | ACK, part, sizeof(part));
	assert_int_equal(r.n, 0);
	seg(&c, T0 + 20, 1, 40001, 5001, 0, RST, NULL, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_STREAM_LOSS);
	assert_int_equal(r.ev[0].ts, T0 + 20);
	assert_flow(&r.ev[0], 0, 40001);
	assert_int_equal(r.ev[0].u.loss.bytes_pending, sizeof(part));
	assert_int_equal(c.nids_streams, 0);
	nidsglue_close(&c);
}

/* The end of input: libnids closes the streams still open, which report
 * what they lost. */
static void finish_reports_open_streams(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	handshake(&c, T0, 40002);
	handshake(&c, T0 + 5, 40003);
	assert_int_equal(c.nids_streams, 2);
	/* Three bytes of a response: prefix and one byte. */
	seg(&c, T0 + 10, 1, 40002, 5001, 1001, PSH | ACK, q, 3);
	/* A whole query on the other stream: nothing pending there. */
	seg(&c, T0 + 11, 0, 40003, 1001, 5001, PSH | ACK, q, sizeof(q));
	assert_int_equal(r.n, 1);
	c.now = T0 + 50;
	nidsglue_finish(&c);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].kind, CAP_EV_STREAM_LOSS);
	assert_flow(&r.ev[1], 1, 40002);
	assert_int_equal(r.ev[1].u.loss.bytes_pending, 3);
	assert_int_equal(c.nids_streams, 0);
	/* Closed: nothing more, and a second close is harmless. */
	nidsglue_close(&c);
	assert_int_equal(r.n, 2);
}

/* Data held behind a hole that never filled is lost too. */
static void hole_reported_at_end(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	handshake(&c, T0, 40004);
	/* The first 5 bytes never arrive. */
	seg(&c, T0 + 10, 0, 40004, 1006, 5001, PSH | ACK, q + 5, sizeof(q) - 5);
	assert_int_equal(r.n, 0);
	nidsglue_finish(&c);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_STREAM_LOSS);
	assert_flow(&r.ev[0], 0, 40004);
	assert_true(r.ev[0].u.loss.bytes_pending >= sizeof(q) - 5);
	nidsglue_close(&c);
}

/* A SYN carrying data (TCP Fast Open) and a segment snaplen cut are kept
 * from libnids: their connection is then not followed. */
static void kept_from_libnids(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;
	struct seg s;
	cap_dgram_t d;

	ctx_init(&c, &r);
	seg(&c, T0, 0, 40005, 1000, 0, SYN, q, sizeof(q));
	seg(&c, T0 + 1, 1, 40005, 5000, 1020, SYN | ACK, NULL, 0);
	seg(&c, T0 + 2, 0, 40005, 1020, 5001, ACK, NULL, 0);
	assert_int_equal(r.nd, 3);
	assert_int_equal(r.follows[1], 0);
	assert_int_equal(r.follows[2], 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(c.nids_streams, 0);
	/* A plain SYN, cut by snaplen. */
	make(&s, 0, 40006, 1000, 0, SYN, NULL, 0);
	memset(&d, 0, sizeof(d));
	d.version = 4;
	d.proto = 6;
	db_addr_set4(&d.src, s.pkt + 12);
	db_addr_set4(&d.dst, s.pkt + 16);
	d.ip = s.pkt;
	d.ihl = 20;
	d.l4 = s.pkt + 20;
	d.len = 16;
	d.wire_len = 20;
	nidsglue_tcp(&c, &d);
	assert_int_equal(r.nd, 4);
	seg(&c, T0 + 11, 1, 40006, 5000, 1001, SYN | ACK, NULL, 0);
	assert_int_equal(r.follows[4], 0);
	/* The same SYN whole: followed. */
	seg(&c, T0 + 20, 0, 40007, 1000, 0, SYN, NULL, 0);
	seg(&c, T0 + 21, 1, 40007, 5000, 1001, SYN | ACK, NULL, 0);
	assert_int_equal(r.follows[6], 1);
	nidsglue_close(&c);
}

/* A wrong IP header checksum would make libnids drop the packet: it is
 * given a corrected copy, and the caller's bytes stay as they were. */
static void bad_header_checksum_corrected_in_copy(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;
	struct seg s;

	ctx_init(&c, &r);
	make(&s, 0, 40008, 1000, 0, SYN, NULL, 0);
	s.pkt[10] ^= 0xff;
	feed(&c, T0, &s);
	make(&s, 1, 40008, 5000, 1001, SYN | ACK, NULL, 0);
	s.pkt[11] ^= 0x01;
	feed(&c, T0 + 1, &s);
	make(&s, 0, 40008, 1001, 5001, ACK, NULL, 0);
	s.pkt[10] = s.pkt[11] = 0;
	feed(&c, T0 + 2, &s);
	make(&s, 0, 40008, 1001, 5001, PSH | ACK, q, sizeof(q));
	s.pkt[10] ^= 0x10;
	uint8_t before[256];
	memcpy(before, s.pkt, s.len);
	feed(&c, T0 + 3, &s);
	assert_memory_equal(s.pkt, before, s.len);
	assert_false(ip4_hdr_sum_ok(s.pkt, 20));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_DNS);
	assert_int_equal(c.st.nids_warnings, 0);
	nidsglue_close(&c);
}

/* libnids rejects a source-routed packet (a warning, counted); the
 * segment was handed on all the same. */
static void source_route_counted(void **state)
{
	(void)state;
	cap_ctx_t c;
	struct rec r;
	uint8_t p[64];
	cap_dgram_t d;
	db_addr_t a, b;

	ctx_init(&c, &r);
	assert_int_equal(db_addr_parse(&a, CLI), 0);
	assert_int_equal(db_addr_parse(&b, SRV), 0);
	/* IHL 6: loose source route (131) with no addresses, then EOL. */
	memset(p, 0, sizeof(p));
	p[0] = 0x46;
	p[3] = 44;
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, a.a, 4);
	memcpy(p + 16, b.a, 4);
	p[20] = 131;
	p[21] = 3;
	p[22] = 4;
	ip4_hdr_sum_set(p, 24);
	p[24] = 0x9c;
	p[25] = 0x49;
	p[27] = 53;
	p[31] = 1;
	p[36] = 0x50;
	p[37] = SYN;
	memset(&d, 0, sizeof(d));
	d.version = 4;
	d.proto = 6;
	d.src = a;
	d.dst = b;
	d.whole = 1;
	d.ip = p;
	d.ihl = 24;
	d.l4 = p + 24;
	d.len = d.wire_len = 20;
	c.now = T0;
	nidsglue_tcp(&c, &d);
	assert_int_equal(r.nd, 1);
	assert_int_equal(c.st.nids_warnings, 1);
	nidsglue_close(&c);
}

/* A close that never completes: libnids ends the stream after its own
 * timeout, which runs on capture time moved by nidsglue_expire; what the
 * stream lost is reported, and it counts as evicted. */
static void closing_stream_times_out(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	handshake(&c, T0, 40009);
	/* The client's query and FIN behind a hole that never fills (its
	 * first 5 bytes lost), then the server's FIN: a close that cannot
	 * complete. */
	seg(&c, T0 + 10, 0, 40009, 1006, 5001, PSH | ACK | FIN, q + 5, sizeof(q) - 5);
	seg(&c, T0 + 11, 1, 40009, 5001, 1001, FIN | ACK, NULL, 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(c.nids_streams, 1);
	nidsglue_expire(&c, T0 + 2 * SEC);
	assert_int_equal(r.n, 0);
	nidsglue_expire(&c, T0 + 120 * SEC);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_STREAM_LOSS);
	assert_flow(&r.ev[0], 0, 40009);
	assert_true(r.ev[0].u.loss.bytes_pending >= sizeof(q) - 5);
	assert_int_equal(c.nids_streams, 0);
	assert_int_equal(c.nids_evicted, 1);
	/* The empty record that moves libnids' clock is no warning. */
	assert_int_equal(c.st.nids_warnings, 0);
	nidsglue_close(&c);
}

/* A SYN that reuses a stream's 4-tuple long after (libnids'
 * tcp_flow_timeout): libnids would free the old stream without a word;
 * it is ended here first, its loss reported. */
static void reused_syn_ends_old_stream(void **state)
{
	(void)state;
	static const uint8_t part[] = { PARTIAL };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	handshake(&c, T0, 40010);
	seg(&c, T0 + 10, 0, 40010, 1001, 5001, PSH | ACK, part, sizeof(part));
	assert_int_equal(c.nids_streams, 1);
	seg(&c, T0 + 86400 * SEC, 0, 40010, 777000, 0, SYN, NULL, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_STREAM_LOSS);
	assert_int_equal(r.ev[0].ts, T0 + 86400 * SEC);
	assert_flow(&r.ev[0], 0, 40010);
	assert_int_equal(r.ev[0].u.loss.bytes_pending, sizeof(part));
	assert_int_equal(c.nids_streams, 0);
	/* Reported once: nothing more at the end. */
	nidsglue_finish(&c);
	assert_int_equal(r.n, 1);
	nidsglue_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(messages_framed_after_segment_handed_on),
		cmocka_unit_test(other_ports_not_followed),
		cmocka_unit_test(reset_reports_half_message),
		cmocka_unit_test(finish_reports_open_streams),
		cmocka_unit_test(hole_reported_at_end),
		cmocka_unit_test(kept_from_libnids),
		cmocka_unit_test(bad_header_checksum_corrected_in_copy),
		cmocka_unit_test(source_route_counted),
		cmocka_unit_test(closing_stream_times_out),
		cmocka_unit_test(reused_syn_ends_old_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
