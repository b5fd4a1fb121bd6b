/*
 * test_dispatch.c - the path of one packet through capture/: link layer,
 * IP paths, tunnels (at most TUNNEL_MAX_DEPTH), transport, libnids for
 * IPv4 TCP; expiry, the end of input and the counters gathered from the
 * tables (capture/dispatch.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "../../../capture/dispatch.h"
#include "../../../capture/ip4.h"
#include "../../../capture/tunnel.h"

#define MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
/* A DNS query: id 0xbeef, RD, one question for the root, IN A (17 bytes). */
#define DNSQ                                                                                       \
	0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  \
	    0x00, 0x01
/* The same with the 2-byte length prefix of DNS over TCP. */
#define DNSQ_TCP 0x00, 0x11, DNSQ
/* VXLAN header, VNI 100. */
#define VXLAN 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define C4 "192.0.2.1"
#define S4 "198.51.100.53"
#define C6 "2001:db8::1"
#define S6 "2001:db8::53"

#define REC_MAX 32
#define REC_MSG 64

#include "recorder.h"

/* A context as source.c's finish_open sets it up: window and limits, then
 * dispatch_init. */
static void ctx_init_lim(cap_ctx_t *c, struct rec *r, size_t max_tcp, size_t max_frag,
			 size_t max_hs)
{
	char err[128] = "";

	rec_ctx_init(c, r);
	c->max_tcp_streams = max_tcp;
	c->max_frag_trains = max_frag;
	assert_int_equal(dispatch_init(c, max_hs, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void ctx_init(cap_ctx_t *c, struct rec *r) { ctx_init_lim(c, r, 64, 64, 64); }

/* ---- packets, built from their layers ------------------------------------ */

static void addr(const char *s, db_addr_t *a) { assert_int_equal(db_addr_parse(a, s), 0); }

static size_t put_udp(uint8_t *o, uint16_t sp, uint16_t dp, const uint8_t *pl, size_t n)
{
	o[0] = (uint8_t)(sp >> 8);
	o[1] = (uint8_t)sp;
	o[2] = (uint8_t)(dp >> 8);
	o[3] = (uint8_t)dp;
	o[4] = (uint8_t)((n + 8) >> 8);
	o[5] = (uint8_t)(n + 8);
	o[6] = o[7] = 0;
	memcpy(o + 8, pl, n);
	return 8 + n;
}

static size_t put_tcp(uint8_t *o, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
		      uint8_t flags, const uint8_t *pl, size_t n)
{
	memset(o, 0, 20);
	o[0] = (uint8_t)(sp >> 8);
	o[1] = (uint8_t)sp;
	o[2] = (uint8_t)(dp >> 8);
	o[3] = (uint8_t)dp;
	for (int i = 0; i < 4; i++) {
		o[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		o[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	o[12] = 0x50;
	o[13] = flags;
	o[14] = 0xff;
	o[15] = 0xff;
	if (n)
		memcpy(o + 20, pl, n);
	return 20 + n;
}

/* IPv4 header (IHL 5, TTL 64, checksum set) with fragment word frag. */
static size_t put_ip4(uint8_t *o, const char *s, const char *d, uint8_t proto, uint16_t id,
		      uint16_t frag, const uint8_t *pl, size_t n)
{
	db_addr_t a, b;

	addr(s, &a);
	addr(d, &b);
	memset(o, 0, 20);
	o[0] = 0x45;
	o[2] = (uint8_t)((n + 20) >> 8);
	o[3] = (uint8_t)(n + 20);
	o[4] = (uint8_t)(id >> 8);
	o[5] = (uint8_t)id;
	o[6] = (uint8_t)(frag >> 8);
	o[7] = (uint8_t)frag;
	o[8] = 64;
	o[9] = proto;
	memcpy(o + 12, a.a, 4);
	memcpy(o + 16, b.a, 4);
	ip4_hdr_sum_set(o, 20);
	memmove(o + 20, pl, n);
	return 20 + n;
}

static size_t put_ip6(uint8_t *o, const char *s, const char *d, uint8_t nh, const uint8_t *pl,
		      size_t n)
{
	db_addr_t a, b;

	addr(s, &a);
	addr(d, &b);
	memset(o, 0, 8);
	o[0] = 0x60;
	o[4] = (uint8_t)(n >> 8);
	o[5] = (uint8_t)n;
	o[6] = nh;
	o[7] = 64;
	memcpy(o + 8, a.a, 16);
	memcpy(o + 24, b.a, 16);
	memmove(o + 40, pl, n);
	return 40 + n;
}

/* An IPv6 fragment: the Fragment header (next header nh, offset off bytes,
 * M flag m, identification id) and pl[0..n). */
static size_t put_frag6(uint8_t *o, const char *s, const char *d, uint8_t nh, uint16_t off, int m,
			uint32_t id, const uint8_t *pl, size_t n)
{
	uint8_t fh[8 + 1500];

	assert_true(n <= 1500);
	fh[0] = nh;
	fh[1] = 0;
	fh[2] = (uint8_t)(off >> 8);
	fh[3] = (uint8_t)((off & 0xf8) | (m ? 1 : 0));
	fh[4] = (uint8_t)(id >> 24);
	fh[5] = (uint8_t)(id >> 16);
	fh[6] = (uint8_t)(id >> 8);
	fh[7] = (uint8_t)id;
	memcpy(fh + 8, pl, n);
	return put_ip6(o, s, d, 44, fh, 8 + n);
}

/* One frame of link type DLT_RAW (a bare IP packet) at time ts. */
static void raw(cap_ctx_t *c, db_time_t ts, const uint8_t *p, size_t n)
{
	c->now = ts;
	dispatch_frame(c, DLT_RAW, p, n);
}

/* A UDP DNS query c -> s over IP version v, as a bare IP packet. */
static size_t udp_query(uint8_t *o, int v, const char *cli, const char *srv, uint16_t sport)
{
	static const uint8_t q[] = { DNSQ };
	uint8_t u[64];
	size_t n = put_udp(u, sport, 53, q, sizeof(q));

	return v == 4 ? put_ip4(o, cli, srv, 17, 0x1234, 0x4000, u, n)
		      : put_ip6(o, cli, srv, 17, u, n);
}

/* A TCP segment c -> s (or back, when from_srv) over IP version v. */
static size_t tcp_seg(uint8_t *o, int v, int from_srv, uint16_t cport, uint32_t seq, uint32_t ack,
		      uint8_t flags, const uint8_t *pl, size_t n)
{
	uint8_t t[128];
	size_t tn = from_srv ? put_tcp(t, 53, cport, seq, ack, flags, pl, n)
			     : put_tcp(t, cport, 53, seq, ack, flags, pl, n);
	const char *s = v == 4 ? (from_srv ? S4 : C4) : (from_srv ? S6 : C6);
	const char *d = v == 4 ? (from_srv ? C4 : S4) : (from_srv ? C6 : S6);

	return v == 4 ? put_ip4(o, s, d, 6, 0x0101, 0x4000, t, tn) : put_ip6(o, s, d, 6, t, tn);
}

static void assert_dns_from(const struct rec *r, int i, const char *src, uint8_t proto)
{
	db_addr_t a;

	addr(src, &a);
	assert_int_equal(r->ev[i].kind, CAP_EV_DNS);
	assert_true(db_addr_eq(&r->ev[i].flow.src, &a));
	assert_int_equal(r->ev[i].flow.proto, proto);
	assert_int_equal(r->ev[i].u.dns.len, 17);
	assert_int_equal(r->msg[i][0], 0xbe);
	assert_int_equal(r->msg[i][1], 0xef);
}

/* ---- tests ---------------------------------------------------------------- */

static void init_and_close(void **state)
{
	(void)state;
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	assert_non_null(c.frag4);
	assert_non_null(c.frag6);
	assert_non_null(c.tcp6);
	assert_non_null(c.tcp4mid);
	dispatch_close(&c);
	assert_null(c.fn);
	assert_null(c.frag4);
	assert_null(c.frag6);
	assert_null(c.tcp6);
	assert_null(c.tcp4mid);
	/* Set up again in the same process (libnids' global state). */
	ctx_init(&c, &r);
	dispatch_close(&c);
}

static void udp_dns_over_link_layers(void **state)
{
	(void)state;
	uint8_t p[256], f[256];
	static const uint8_t eth_vlan[] = { MACS, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00 };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = udp_query(p, 4, C4, S4, 40000);
	memcpy(f, eth_vlan, sizeof(eth_vlan));
	memcpy(f + sizeof(eth_vlan), p, n);
	c.now = T0 + 1;
	dispatch_frame(&c, DLT_EN10MB, f, sizeof(eth_vlan) + n);
	assert_int_equal(r.n, 1);
	assert_dns_from(&r, 0, C4, DB_PROTO_UDP);
	assert_int_equal(r.ev[0].ts, T0 + 1);
	assert_int_equal(r.ev[0].flow.sport, 40000);
	n = udp_query(p, 6, C6, S6, 40001);
	raw(&c, T0 + 2, p, n);
	assert_int_equal(r.n, 2);
	assert_dns_from(&r, 1, C6, DB_PROTO_UDP);
	assert_int_equal(c.st.ip4, 1);
	assert_int_equal(c.st.ip6, 1);
	assert_int_equal(c.st.link_errors, 0);
	assert_int_equal(c.st.not_ip, 0);
	dispatch_close(&c);
}

static void not_ip_and_broken_frames_counted(void **state)
{
	(void)state;
	static const uint8_t arp[] = { MACS, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00 };
	static const uint8_t cut[] = { MACS, 0x08 };
	static const uint8_t bad_ip[] = { 0x45, 0x00, 0x00, 0x10, 0, 0, 0,   0,  64,  17,
					  0,    0,    192,  0,    2, 1, 198, 51, 100, 53 };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	dispatch_frame(&c, DLT_EN10MB, arp, sizeof(arp));
	dispatch_frame(&c, DLT_EN10MB, cut, sizeof(cut));
	dispatch_frame(&c, DLT_EN10MB, cut, 0);
	/* A link type dnsblame does not decode. */
	dispatch_frame(&c, 9999, arp, sizeof(arp));
	dispatch_frame(&c, DLT_RAW, bad_ip, sizeof(bad_ip));
	assert_int_equal(c.st.not_ip, 1);
	assert_int_equal(c.st.link_errors, 3);
	assert_int_equal(c.st.ip_errors, 1);
	assert_int_equal(c.st.ip4, 0);
	assert_int_equal(r.n, 0);
	dispatch_close(&c);
}

/* DNS in VXLAN over IPv4: the inner packet goes round the loop again, read
 * as if captured bare. */
static void vxlan_inner_packet_goes_round(void **state)
{
	(void)state;
	static const uint8_t hdr[] = { VXLAN, MACS, 0x08, 0x00 };
	uint8_t inner[128], v[256], u[256], p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = udp_query(inner, 4, "10.0.0.1", "10.0.0.53", 41000);
	memcpy(v, hdr, sizeof(hdr));
	memcpy(v + sizeof(hdr), inner, n);
	n = put_udp(u, 50000, TUNNEL_VXLAN_PORT, v, sizeof(hdr) + n);
	n = put_ip4(p, "203.0.113.1", "203.0.113.2", 17, 7, 0, u, n);
	raw(&c, T0, p, n);
	assert_int_equal(r.n, 1);
	assert_dns_from(&r, 0, "10.0.0.1", DB_PROTO_UDP);
	assert_int_equal(r.ev[0].flow.sport, 41000);
	assert_int_equal(c.st.tunnelled, 1);
	assert_int_equal(c.st.ip4, 2);
	/* Cut by snaplen, the outer datagram is not opened. */
	raw(&c, T0, p, n - 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(c.st.tunnelled, 1);
	dispatch_close(&c);
}

/* IP-in-IP, k tunnels deep. */
static size_t nested(uint8_t *p, int k)
{
	uint8_t tmp[512];
	size_t n = udp_query(p, 4, C4, S4, 40000);

	for (int i = 0; i < k; i++) {
		memcpy(tmp, p, n);
		n = put_ip4(p, "203.0.113.1", "203.0.113.2", 4, (uint16_t)i, 0, tmp, n);
	}
	return n;
}

static void tunnels_opened_at_most_four_deep(void **state)
{
	(void)state;
	uint8_t p[512];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = nested(p, TUNNEL_MAX_DEPTH);
	raw(&c, T0, p, n);
	assert_int_equal(r.n, 1);
	assert_dns_from(&r, 0, C4, DB_PROTO_UDP);
	assert_int_equal(c.st.tunnelled, TUNNEL_MAX_DEPTH);
	assert_int_equal(c.st.ip4, TUNNEL_MAX_DEPTH + 1);
	/* One more and the packet is given up at the limit. */
	n = nested(p, TUNNEL_MAX_DEPTH + 1);
	raw(&c, T0, p, n);
	assert_int_equal(r.n, 1);
	assert_int_equal(c.st.tunnelled, 2 * TUNNEL_MAX_DEPTH);
	/* A tunnel with nothing IP inside (GRE carrying ERSPAN). */
	static const uint8_t gre[] = { 0x00, 0x00, 0x88, 0xbe, 1, 2, 3, 4 };
	n = put_ip4(p, "203.0.113.1", "203.0.113.2", 47, 9, 0, gre, sizeof(gre));
	raw(&c, T0, p, n);
	assert_int_equal(r.n, 1);
	assert_int_equal(c.st.tunnelled, 2 * TUNNEL_MAX_DEPTH);
	dispatch_close(&c);
}

/* An IPv6 datagram reassembled from fragments, itself a tunnel (IPv6 in
 * IPv6): its heap bytes live until the inner packet is done (ASan). */
static void reassembled_tunnel(void **state)
{
	(void)state;
	uint8_t inner[128], p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = udp_query(inner, 6, C6, S6, 40000); /* 40 + 8 + 17 = 65 bytes */
	assert_int_equal(n, 65);
	size_t m = put_frag6(p, "2001:db8::a", "2001:db8::b", 41, 0, 1, 0x77, inner, 32);
	raw(&c, T0, p, m);
	assert_int_equal(r.n, 0);
	m = put_frag6(p, "2001:db8::a", "2001:db8::b", 41, 32, 0, 0x77, inner + 32, n - 32);
	raw(&c, T0 + 1, p, m);
	assert_int_equal(r.n, 1);
	assert_dns_from(&r, 0, C6, DB_PROTO_UDP);
	assert_int_equal(r.ev[0].ts, T0 + 1);
	assert_int_equal(c.st.ip6_fragments, 2);
	assert_int_equal(c.st.tunnelled, 1);
	assert_int_equal(c.st.ip6, 3);
	dispatch_close(&c);
}

/* IPv4 TCP: the segment goes to l4.c first (handshake events), then
 * libnids frames the stream; one message, one event. */
static void tcp4_through_libnids(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	uint8_t p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = tcp_seg(p, 4, 0, 40000, 1000, 0, SYN, NULL, 0);
	raw(&c, T0, p, n);
	n = tcp_seg(p, 4, 1, 40000, 5000, 1001, SYN | ACK, NULL, 0);
	raw(&c, T0 + 1, p, n);
	n = tcp_seg(p, 4, 0, 40000, 1001, 5001, ACK, NULL, 0);
	raw(&c, T0 + 2, p, n);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].u.tcp.kind, CAP_TCP_SYN);
	assert_int_equal(r.ev[1].u.tcp.kind, CAP_TCP_SYNACK);
	/* A wrong IP header checksum: libnids is given a corrected copy. */
	n = tcp_seg(p, 4, 0, 40000, 1001, 5001, PSH | ACK, q, sizeof(q));
	p[10] ^= 0x55;
	raw(&c, T0 + 3, p, n);
	assert_int_equal(r.n, 3);
	assert_dns_from(&r, 2, C4, DB_PROTO_TCP);
	assert_int_equal(r.ev[2].ts, T0 + 3);
	assert_int_equal(r.ev[2].flow.sport, 40000);
	assert_int_equal(c.nids_streams, 1);
	/* Not tcp4mid's: it picked nothing up. */
	tcpreasm_stats_t ts;
	tcpreasm_stats(c.tcp4mid, &ts);
	assert_int_equal(ts.midstream_pickups, 0);
	assert_int_equal(c.st.tcp_segments, 4);
	/* The end: libnids closes the stream, nothing was lost. */
	dispatch_finish(&c);
	assert_int_equal(r.n, 3);
	assert_int_equal(c.nids_streams, 0);
	dispatch_close(&c);
}

/* A connection begun before the capture: libnids does not follow it, our
 * mid-stream reassembly does. */
static void tcp4_midstream_ours(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	uint8_t p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = tcp_seg(p, 4, 0, 40000, 77777, 5001, PSH | ACK, q, sizeof(q));
	raw(&c, T0, p, n);
	assert_int_equal(r.n, 1);
	assert_dns_from(&r, 0, C4, DB_PROTO_TCP);
	assert_int_equal(c.nids_streams, 0);
	dispatch_close(&c);
}

static void tcp6_through_our_reassembly(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ_TCP };
	uint8_t p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = tcp_seg(p, 6, 0, 40000, 1000, 0, SYN, NULL, 0);
	raw(&c, T0, p, n);
	n = tcp_seg(p, 6, 1, 40000, 5000, 1001, SYN | ACK, NULL, 0);
	raw(&c, T0 + 1, p, n);
	/* The query in two segments. */
	n = tcp_seg(p, 6, 0, 40000, 1001, 5001, ACK, q, 5);
	raw(&c, T0 + 2, p, n);
	assert_int_equal(r.n, 2);
	n = tcp_seg(p, 6, 0, 40000, 1006, 5001, PSH | ACK, q + 5, sizeof(q) - 5);
	raw(&c, T0 + 3, p, n);
	assert_int_equal(r.n, 3);
	assert_dns_from(&r, 2, C6, DB_PROTO_TCP);
	assert_int_equal(r.ev[2].ts, T0 + 3);
	assert_int_equal(c.nids_streams, 0);
	dispatch_close(&c);
}

/* Fragment trains expire CAP_FRAG_TIMEOUT after their first fragment (one
 * second at most), handshakes one window after their SYN. */
static void expiry(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t u[64], p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	assert_int_equal(CAP_FRAG_TIMEOUT(&c), 1 * SEC);
	/* The first 16 of a 32-byte UDP datagram, over each IP version. */
	assert_int_equal(put_udp(u, 53, 40000, q, sizeof(q)), 32);
	size_t m = put_ip4(p, S4, C4, 17, 0x4444, 0x2000, u, 16);
	raw(&c, T0, p, m);
	m = put_frag6(p, S6, C6, 17, 0, 1, 0x6666, u, 16);
	raw(&c, T0 + 10, p, m);
	m = tcp_seg(p, 6, 0, 40000, 1000, 0, SYN, NULL, 0);
	raw(&c, T0 + 20, p, m);
	assert_int_equal(r.n, 1); /* the SYN */
	dispatch_expire(&c, T0 + SEC - 1);
	assert_int_equal(r.n, 1);
	dispatch_expire(&c, T0 + SEC);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[1].ts, T0 + SEC);
	assert_int_equal(r.ev[1].flow.src.family, 4);
	assert_int_equal(r.ev[1].u.frag.ip_id, 0x4444);
	dispatch_expire(&c, T0 + SEC + 10);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].flow.src.family, 6);
	assert_int_equal(r.ev[2].u.frag.ip_id, 0x6666);
	dispatch_expire(&c, T0 + 20 + 30 * SEC - 1);
	assert_int_equal(r.n, 3);
	dispatch_expire(&c, T0 + 20 + 30 * SEC);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[3].kind, CAP_EV_TCP);
	assert_int_equal(r.ev[3].u.tcp.kind, CAP_TCP_SYN_UNANSWERED);
	dispatch_close(&c);
}

/* At the end everything pending is reported, in one fixed order: IPv4
 * streams of ours, IPv4 trains, IPv6 trains, IPv6 streams, handshakes. */
static void finish_reports_in_fixed_order(void **state)
{
	(void)state;
	/* A message that announces 32 bytes and sends 12. */
	static const uint8_t part[] = { 0x00, 0x20, 0xbe, 0xef, 0x01, 0x00, 0x00,
					0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t q[] = { DNSQ, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t u[64], p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	/* Made in another order than they are reported. */
	size_t n = tcp_seg(p, 6, 0, 40001, 1000, 0, SYN, NULL, 0);
	raw(&c, T0, p, n);
	n = tcp_seg(p, 6, 0, 40002, 9000, 1, PSH | ACK, part, sizeof(part));
	raw(&c, T0 + 1, p, n);
	n = put_udp(u, 53, 40000, q, sizeof(q));
	n = put_frag6(p, S6, C6, 17, 0, 1, 0x6666, u, 16);
	raw(&c, T0 + 2, p, n);
	n = put_udp(u, 53, 40000, q, sizeof(q));
	n = put_ip4(p, S4, C4, 17, 0x4444, 0x2000, u, 16);
	raw(&c, T0 + 3, p, n);
	n = tcp_seg(p, 4, 0, 40003, 9000, 1, PSH | ACK, part, sizeof(part));
	raw(&c, T0 + 4, p, n);
	assert_int_equal(r.n, 1); /* the SYN */
	r.n = 0;
	dispatch_finish(&c);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.ev[0].kind, CAP_EV_STREAM_LOSS);
	assert_int_equal(r.ev[0].flow.src.family, 4);
	assert_int_equal(r.ev[0].u.loss.bytes_pending, sizeof(part));
	assert_int_equal(r.ev[1].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[1].flow.src.family, 4);
	assert_int_equal(r.ev[2].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[2].flow.src.family, 6);
	assert_int_equal(r.ev[3].kind, CAP_EV_STREAM_LOSS);
	assert_int_equal(r.ev[3].flow.src.family, 6);
	assert_int_equal(r.ev[3].flow.sport, 40002);
	assert_int_equal(r.ev[4].kind, CAP_EV_TCP);
	assert_int_equal(r.ev[4].u.tcp.kind, CAP_TCP_SYN_UNANSWERED);
	assert_int_equal(r.ev[4].flow.sport, 40001);
	assert_int_equal(r.ev[4].ts, T0); /* the SYN's time at the end */
	dispatch_close(&c);
}

/* The counters kept inside the tables, brought into c->st. */
static void stats_gathered(void **state)
{
	(void)state;
	static const uint8_t http[] = { 'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P' };
	static const uint8_t q[] = { DNSQ, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t u[64], p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init_lim(&c, &r, 1, 1, 1);
	/* Two IPv6 connections for a table of one, two handshakes for a
	 * watch of one. */
	size_t n = tcp_seg(p, 6, 0, 40001, 1000, 0, SYN, NULL, 0);
	raw(&c, T0, p, n);
	n = tcp_seg(p, 6, 0, 40002, 2000, 0, SYN, NULL, 0);
	raw(&c, T0 + 1, p, n);
	/* Data that does not start a DNS message, on a connection not seen
	 * begin. */
	n = tcp_seg(p, 6, 0, 40003, 3000, 1, PSH | ACK, http, sizeof(http));
	raw(&c, T0 + 2, p, n);
	/* Two IPv6 trains for a table of one. */
	n = put_udp(u, 53, 40000, q, sizeof(q));
	n = put_frag6(p, S6, C6, 17, 0, 1, 1, u, 16);
	raw(&c, T0 + 3, p, n);
	n = put_udp(u, 53, 40000, q, sizeof(q));
	n = put_frag6(p, S6, C6, 17, 0, 1, 2, u, 16);
	raw(&c, T0 + 4, p, n);
	/* An IPv4 train one of whose fragments snaplen cut. */
	n = put_udp(u, 53, 40000, q, sizeof(q));
	n = put_ip4(p, S4, C4, 17, 0x4444, 2, u + 16, 16);
	raw(&c, T0 + 5, p, n - 1);
	dispatch_finish(&c);
	dispatch_stats(&c);
	assert_int_equal(c.st.handshakes_evicted, 1);
	assert_int_equal(c.st.tcp_evicted, 1);
	assert_int_equal(c.st.tcp_no_syn, 1);
	assert_int_equal(c.st.frag_evicted, 1);
	assert_int_equal(c.st.frag_trains_cut, 1);
	dispatch_close(&c);
}

/* After dispatch_close nothing more is reported. */
static void close_reports_nothing(void **state)
{
	(void)state;
	static const uint8_t q[] = { DNSQ, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t u[64], p[256];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	size_t n = put_udp(u, 53, 40000, q, sizeof(q));
	n = put_ip4(p, S4, C4, 17, 0x4444, 0x2000, u, 16);
	raw(&c, T0, p, n);
	n = tcp_seg(p, 6, 0, 40001, 1000, 0, SYN, NULL, 0);
	raw(&c, T0, p, n);
	assert_int_equal(r.n, 1);
	dispatch_close(&c);
	assert_int_equal(r.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_and_close),
		cmocka_unit_test(udp_dns_over_link_layers),
		cmocka_unit_test(not_ip_and_broken_frames_counted),
		cmocka_unit_test(vxlan_inner_packet_goes_round),
		cmocka_unit_test(tunnels_opened_at_most_four_deep),
		cmocka_unit_test(reassembled_tunnel),
		cmocka_unit_test(tcp4_through_libnids),
		cmocka_unit_test(tcp4_midstream_ours),
		cmocka_unit_test(tcp6_through_our_reassembly),
		cmocka_unit_test(expiry),
		cmocka_unit_test(finish_reports_in_fixed_order),
		cmocka_unit_test(stats_gathered),
		cmocka_unit_test(close_reports_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
