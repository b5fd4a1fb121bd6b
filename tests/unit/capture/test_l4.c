/*
 * test_l4.c - the transport step: UDP, TCP and ICMP headers of a datagram
 * to events, for both IP versions (capture/l4.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/emit.h"
#include "../../../capture/l4.h"

/* UDP sport -> dport, length ulen, checksum 0. */
#define UDPH(sp, dp, ulen)                                                                         \
	(sp) >> 8, (sp)&0xff, (dp) >> 8, (dp)&0xff, (ulen) >> 8, (ulen)&0xff, 0x00, 0x00
/* TCP sport -> dport, seq, ack, data offset 5, flags, window, no checksum. */
#define U32(v) ((v) >> 24) & 0xff, ((v) >> 16) & 0xff, ((v) >> 8) & 0xff, (v)&0xff
#define TCPH(sp, dp, seq, ack, flags)                                                              \
	(sp) >> 8, (sp)&0xff, (dp) >> 8, (dp)&0xff, U32(seq), U32(ack), 0x50, (flags), 0xff, 0xff, \
	    0x00, 0x00, 0x00, 0x00
/* A DNS query: id 0xbeef, RD, one question for the root, IN A (17 bytes). */
#define DNSQ                                                                                       \
	0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  \
	    0x00, 0x01
/* ICMP header: type, code, checksum, 4 unused bytes. */
#define ICMP_HDR(type, code) (type), (code), 0x12, 0x34, 0x00, 0x00, 0x00, 0x00
/* Quoted IPv4 header, 192.0.2.1 -> 198.51.100.53, protocol proto. */
#define IP4Q(proto)                                                                                \
	0x45, 0x00, 0x00, 0x29, 0xab, 0xcd, 0x40, 0x00, 0x40, (proto), 0x00, 0x00, 192, 0, 2, 1,   \
	    198, 51, 100, 53
#define SRC6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define DST6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53
#define IP6Q(nh) 0x60, 0x00, 0x00, 0x00, 0x00, 0x19, (nh), 0x40, SRC6, DST6

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define REC_MAX 16
#define REC_MSG 64

#include "recorder.h"

/* A context as dispatch.c sets it up, with what l4.c uses: the handshake
 * watch and the two reassembly tables (mid-stream pickup on). */
static void ctx_init(cap_ctx_t *c, struct rec *r)
{
	rec_ctx_init(c, r);
	assert_int_equal(tcpwatch_init(&c->tcpw, c->window, 64), 0);
	tcpreasm_limits_t tl = { .timeout = c->window, .midstream = 1 };
	c->tcp6 = tcpreasm_new(&tl);
	c->tcp4mid = tcpreasm_new(&tl);
	assert_non_null(c->tcp6);
	assert_non_null(c->tcp4mid);
}

static void ctx_free(cap_ctx_t *c)
{
	tcpwatch_free(&c->tcpw);
	tcpreasm_free(c->tcp6);
	tcpreasm_free(c->tcp4mid);
}

/* A whole datagram of version v (4: 192.0.2.1 -> 198.51.100.53; 6:
 * 2001:db8::1 -> 2001:db8::53) carrying l4[0..len). */
static cap_dgram_t dgram(int v, uint8_t proto, const uint8_t *l4, size_t len)
{
	cap_dgram_t d;

	memset(&d, 0, sizeof(d));
	d.version = (uint8_t)v;
	d.proto = proto;
	assert_int_equal(db_addr_parse(&d.src, v == 4 ? "192.0.2.1" : "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&d.dst, v == 4 ? "198.51.100.53" : "2001:db8::53"), 0);
	d.l4 = l4;
	d.len = d.wire_len = len;
	d.whole = 1;
	return d;
}

static void reverse(cap_dgram_t *d)
{
	db_addr_t t = d->src;

	d->src = d->dst;
	d->dst = t;
}

/* Streams begun by a SYN in t. */
static uint64_t streams(const tcpreasm_t *t)
{
	tcpreasm_stats_t st;

	tcpreasm_stats(t, &st);
	return st.streams;
}

/* Directions picked up mid-stream in t. */
static uint64_t pickups(const tcpreasm_t *t)
{
	tcpreasm_stats_t st;

	tcpreasm_stats(t, &st);
	return st.midstream_pickups;
}

static void udp_query_is_dns_event(void **state)
{
	(void)state;
	static const uint8_t q[] = { UDPH(54321, 53, 25), DNSQ };
	static const uint8_t a[] = { UDPH(53, 54321, 25), DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(4, 17, q, sizeof(q));
	c.now = T0 + 7;
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[0].ts, T0 + 7);
	assert_true(db_addr_eq(&r.ev[0].flow.src, &d.src));
	assert_true(db_addr_eq(&r.ev[0].flow.dst, &d.dst));
	assert_int_equal(r.ev[0].flow.sport, 54321);
	assert_int_equal(r.ev[0].flow.dport, 53);
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_UDP);
	assert_ptr_equal(r.ev[0].u.dns.msg, q + 8);
	assert_int_equal(r.ev[0].u.dns.len, 17);
	assert_int_equal(r.ev[0].u.dns.wire_len, 17);
	/* The answer, over IPv6, from port 53. */
	cap_dgram_t d6 = dgram(6, 17, a, sizeof(a));
	reverse(&d6);
	l4_datagram(&c, &d6);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].flow.src.family, 6);
	assert_int_equal(r.ev[1].flow.sport, 53);
	assert_int_equal(r.ev[1].flow.dport, 54321);
	assert_int_equal(r.ev[1].u.dns.len, 17);
	assert_memory_equal(r.msg[1], q + 8, 17);
	/* UDP counts no TCP segments. */
	assert_int_equal(c.st.tcp_segments, 0);
	ctx_free(&c);
}

static void udp_not_dns_or_cut_header(void **state)
{
	(void)state;
	static const uint8_t mdns[] = { UDPH(5353, 5353, 25), DNSQ };
	static const uint8_t q[] = { UDPH(54321, 53, 25), DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(4, 17, mdns, sizeof(mdns));
	l4_datagram(&c, &d);
	/* The UDP header cut: no ports to go by. */
	d = dgram(4, 17, q, 7);
	l4_datagram(&c, &d);
	d = dgram(6, 17, q, 0);
	l4_datagram(&c, &d);
	/* A header and no DNS bytes: an empty message, still an event. */
	d = dgram(4, 17, q, 8);
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].u.dns.len, 0);
	assert_int_equal(r.ev[0].u.dns.wire_len, 0);
	/* Other protocols with port-53 bytes are not UDP. */
	d = dgram(4, 132, q, sizeof(q));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 1);
	ctx_free(&c);
}

/* The UDP length and IP's may disagree: the smaller is believed. */
static void udp_length_disagreements(void **state)
{
	(void)state;
	/* UDP says 20 (12 DNS bytes) of the 25 IP carries. */
	static const uint8_t shorter[] = { UDPH(54321, 53, 20), DNSQ };
	/* UDP says 200: IP's 25 win. */
	static const uint8_t longer[] = { UDPH(54321, 53, 200), DNSQ };
	/* UDP length below its own header (0: a jumbogram, RFC 2675): IP's. */
	static const uint8_t zero[] = { UDPH(54321, 53, 0), DNSQ };
	static const uint8_t seven[] = { UDPH(54321, 53, 7), DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(4, 17, shorter, sizeof(shorter));
	l4_datagram(&c, &d);
	d = dgram(4, 17, longer, sizeof(longer));
	l4_datagram(&c, &d);
	d = dgram(6, 17, zero, sizeof(zero));
	l4_datagram(&c, &d);
	d = dgram(4, 17, seven, sizeof(seven));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[0].u.dns.len, 12);
	assert_int_equal(r.ev[0].u.dns.wire_len, 12);
	assert_int_equal(r.ev[1].u.dns.len, 17);
	assert_int_equal(r.ev[1].u.dns.wire_len, 17);
	assert_int_equal(r.ev[2].u.dns.len, 17);
	assert_int_equal(r.ev[2].u.dns.wire_len, 17);
	assert_int_equal(r.ev[3].u.dns.len, 17);
	assert_int_equal(r.ev[3].u.dns.wire_len, 17);
	ctx_free(&c);
}

/* A datagram snaplen cut: the bytes there are, and how many there were. */
static void udp_cut_by_snaplen(void **state)
{
	(void)state;
	static const uint8_t q[] = { UDPH(54321, 53, 25), DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(4, 17, q, sizeof(q));
	d.len = 14;
	d.whole = 0;
	l4_datagram(&c, &d);
	/* A cut first fragment: the IP length is unknown (65535), the UDP
	 * length tells. */
	d.wire_len = 65535;
	l4_datagram(&c, &d);
	/* Link-layer padding: more bytes than the datagram had. */
	d = dgram(4, 17, q, 20);
	d.len = sizeof(q);
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[0].u.dns.len, 6);
	assert_int_equal(r.ev[0].u.dns.wire_len, 17);
	assert_int_equal(r.ev[1].u.dns.len, 6);
	assert_int_equal(r.ev[1].u.dns.wire_len, 17);
	assert_int_equal(r.ev[2].u.dns.len, 12);
	assert_int_equal(r.ev[2].u.dns.wire_len, 12);
	ctx_free(&c);
}

static void icmp_errors_quoting_dns(void **state)
{
	(void)state;
	static const uint8_t unreach[] = { ICMP_HDR(3, 3), IP4Q(17), UDPH(54321, 53, 25), DNSQ };
	static const uint8_t tcp_quote[] = {
		ICMP_HDR(3, 13), IP4Q(6), 0xd4, 0x31, 0x00, 0x35, 0, 0, 0, 1
	};
	static const uint8_t unreach6[] = { ICMP_HDR(1, 4), IP6Q(17), UDPH(54321, 53, 25), DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	/* From a router 203.0.113.9 to the client. */
	cap_dgram_t d = dgram(4, 1, unreach, sizeof(unreach));
	db_addr_t router, cli;
	assert_int_equal(db_addr_parse(&router, "203.0.113.9"), 0);
	assert_int_equal(db_addr_parse(&cli, "192.0.2.1"), 0);
	d.src = router;
	d.dst = cli;
	c.now = T0 + 3;
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_ICMP);
	assert_int_equal(r.ev[0].ts, T0 + 3);
	assert_true(db_addr_eq(&r.ev[0].flow.src, &router));
	assert_true(db_addr_eq(&r.ev[0].flow.dst, &cli));
	assert_int_equal(r.ev[0].flow.proto, 17);
	assert_int_equal(r.ev[0].u.icmp.version, 4);
	assert_int_equal(r.ev[0].u.icmp.type, 3);
	assert_int_equal(r.ev[0].u.icmp.code, 3);
	assert_true(db_addr_eq(&r.ev[0].u.icmp.reporter, &router));
	assert_true(db_addr_eq(&r.ev[0].u.icmp.quoted.src, &cli));
	assert_int_equal(r.ev[0].u.icmp.quoted.sport, 54321);
	assert_int_equal(r.ev[0].u.icmp.quoted.dport, 53);
	assert_int_equal(r.ev[0].u.icmp.quoted_l4, 1);
	assert_int_equal(r.ev[0].u.icmp.payload_len, 17);
	/* Quoting TCP: the flow's protocol is the quoted one. */
	d = dgram(4, 1, tcp_quote, sizeof(tcp_quote));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].flow.proto, 6);
	assert_int_equal(r.ev[1].u.icmp.code, 13);
	/* ICMPv6. */
	d = dgram(6, 58, unreach6, sizeof(unreach6));
	reverse(&d);
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].kind, CAP_EV_ICMP);
	assert_int_equal(r.ev[2].u.icmp.version, 6);
	assert_int_equal(r.ev[2].u.icmp.type, 1);
	assert_int_equal(r.ev[2].u.icmp.quoted.dport, 53);
	assert_int_equal(r.ev[2].flow.proto, 17);
	ctx_free(&c);
}

static void icmp_not_reported(void **state)
{
	(void)state;
	/* Quoting mDNS, not DNS. */
	static const uint8_t mdns[] = { ICMP_HDR(3, 3), IP4Q(17), UDPH(5353, 5353, 25), DNSQ };
	static const uint8_t unreach[] = { ICMP_HDR(3, 3), IP4Q(17), UDPH(54321, 53, 25), DNSQ };
	static const uint8_t unreach6[] = { ICMP_HDR(1, 4), IP6Q(17), UDPH(54321, 53, 25), DNSQ };
	static const uint8_t echo[] = { ICMP_HDR(8, 0), 0x00, 0x35, 0x00, 0x35 };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(4, 1, mdns, sizeof(mdns));
	l4_datagram(&c, &d);
	/* The quote cut before both ports: DNS or not cannot be told. */
	d = dgram(4, 1, unreach, 8 + 20 + 3);
	l4_datagram(&c, &d);
	/* A malformed quote. */
	d = dgram(4, 1, unreach, 8 + 10);
	l4_datagram(&c, &d);
	d = dgram(4, 1, echo, sizeof(echo));
	l4_datagram(&c, &d);
	/* ICMP in IPv6 and ICMPv6 in IPv4 are nonsense. */
	d = dgram(6, 1, unreach, sizeof(unreach));
	l4_datagram(&c, &d);
	d = dgram(4, 58, unreach6, sizeof(unreach6));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 0);
	/* The quote cut right after the ports: reported. */
	d = dgram(4, 1, unreach, 8 + 20 + 4);
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].u.icmp.payload_len, 0);
	ctx_free(&c);
}

/* Every port-53 segment goes to the handshake watch and is counted; others
 * are ignored. */
static void tcp_lifecycle_events(void **state)
{
	(void)state;
	static const uint8_t syn[] = { TCPH(40000, 53, 1000, 0, SYN) };
	static const uint8_t synack[] = { TCPH(53, 40000, 5000, 1001, SYN | ACK) };
	static const uint8_t fin[] = { TCPH(40000, 53, 1001, 5001, FIN | ACK) };
	static const uint8_t rst[] = { TCPH(53, 40000, 5001, 0, RST) };
	static const uint8_t http[] = { TCPH(40000, 80, 1000, 0, SYN) };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(6, 6, syn, sizeof(syn));
	c.now = T0 + 1;
	l4_datagram(&c, &d);
	d = dgram(6, 6, synack, sizeof(synack));
	reverse(&d);
	c.now = T0 + 2;
	l4_datagram(&c, &d);
	d = dgram(6, 6, fin, sizeof(fin));
	l4_datagram(&c, &d);
	d = dgram(6, 6, rst, sizeof(rst));
	reverse(&d);
	l4_datagram(&c, &d);
	d = dgram(4, 6, http, sizeof(http));
	l4_datagram(&c, &d);
	assert_int_equal(c.st.tcp_segments, 4);
	assert_int_equal(r.n, 4);
	static const uint8_t kinds[] = { CAP_TCP_SYN, CAP_TCP_SYNACK, CAP_TCP_FIN, CAP_TCP_RST };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r.ev[i].kind, CAP_EV_TCP);
		assert_int_equal(r.ev[i].u.tcp.kind, kinds[i]);
		assert_int_equal(r.ev[i].flow.proto, DB_PROTO_TCP);
	}
	assert_int_equal(r.ev[0].ts, T0 + 1);
	assert_int_equal(r.ev[0].flow.sport, 40000);
	assert_int_equal(r.ev[0].flow.dport, 53);
	assert_int_equal(r.ev[1].flow.sport, 53);
	db_addr_t srv;
	assert_int_equal(db_addr_parse(&srv, "2001:db8::53"), 0);
	assert_true(db_addr_eq(&r.ev[1].flow.src, &srv));
	ctx_free(&c);
}

/* A header cut before its flags is ignored; one whose data offset is below
 * 5 words still shows in the handshake watch, but its data is not read. */
static void tcp_cut_or_bad_offset(void **state)
{
	(void)state;
	static const uint8_t syn[] = { TCPH(40000, 53, 1000, 0, SYN) };
	uint8_t bad[20];
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	memcpy(bad, syn, sizeof(bad));
	bad[12] = 0x40; /* data offset 4 */
	cap_dgram_t d = dgram(6, 6, bad, sizeof(bad));
	l4_datagram(&c, &d);
	assert_int_equal(c.st.tcp_segments, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].u.tcp.kind, CAP_TCP_SYN);
	assert_int_equal(streams(c.tcp6), 0);
	/* Cut before the flags byte, snaplen or not. */
	d = dgram(6, 6, syn, 13);
	l4_datagram(&c, &d);
	d.wire_len = sizeof(syn);
	l4_datagram(&c, &d);
	assert_int_equal(c.st.tcp_segments, 1);
	assert_int_equal(r.n, 1);
	/* 14 bytes: the flags are there. */
	d = dgram(6, 6, syn, 14);
	d.wire_len = sizeof(syn);
	l4_datagram(&c, &d);
	assert_int_equal(c.st.tcp_segments, 2);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].u.tcp.kind, CAP_TCP_SYN);
	ctx_free(&c);
}

/* IPv6 data goes to our reassembly (mid-stream pickup here). */
static void tcp6_data_framed(void **state)
{
	(void)state;
	static const uint8_t seg[] = { TCPH(40000, 53, 1001, 5001, PSH | ACK), 0x00, 17, DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(6, 6, seg, sizeof(seg));
	c.now = T0 + 9;
	l4_datagram(&c, &d);
	assert_int_equal(c.st.tcp_segments, 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[0].ts, T0 + 9);
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_TCP);
	assert_int_equal(r.ev[0].flow.sport, 40000);
	assert_int_equal(r.ev[0].flow.dport, 53);
	assert_int_equal(r.ev[0].u.dns.len, 17);
	assert_memory_equal(r.msg[0], seg + 22, 17);
	assert_int_equal(pickups(c.tcp6), 1);
	assert_int_equal(pickups(c.tcp4mid), 0);
	ctx_free(&c);
}

/* IPv4 data is libnids' when it follows the connection; otherwise ours
 * (tcp4mid).  A plain SYN is always libnids'. */
static void tcp4_data_split_with_libnids(void **state)
{
	(void)state;
	static const uint8_t seg[] = { TCPH(40000, 53, 1001, 5001, PSH | ACK), 0x00, 17, DNSQ };
	static const uint8_t syn[] = { TCPH(40001, 53, 1000, 0, SYN) };
	/* TCP Fast Open: a SYN with the query in it. */
	static const uint8_t tfo[] = { TCPH(40002, 53, 3000, 0, SYN), 0x00, 17, DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(4, 6, seg, sizeof(seg));
	d.nids_follows = 1;
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 0);
	assert_int_equal(streams(c.tcp4mid), 0);
	/* The same segment of a connection libnids does not follow. */
	d.nids_follows = 0;
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[0].flow.proto, DB_PROTO_TCP);
	assert_int_equal(r.ev[0].u.dns.len, 17);
	assert_int_equal(pickups(c.tcp4mid), 1);
	assert_int_equal(streams(c.tcp4mid), 0);
	/* A plain SYN: the handshake watch sees it, tcp4mid does not. */
	d = dgram(4, 6, syn, sizeof(syn));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].kind, CAP_EV_TCP);
	assert_int_equal(streams(c.tcp4mid), 0);
	/* A SYN with data is ours, and its data read. */
	d = dgram(4, 6, tfo, sizeof(tfo));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[2].kind, CAP_EV_TCP);
	assert_int_equal(r.ev[2].u.tcp.kind, CAP_TCP_SYN);
	assert_int_equal(r.ev[3].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[3].flow.sport, 40002);
	assert_int_equal(streams(c.tcp4mid), 1);
	assert_int_equal(streams(c.tcp6), 0);
	assert_int_equal(pickups(c.tcp6), 0);
	assert_int_equal(c.st.tcp_segments, 4);
	ctx_free(&c);
}

/* A segment snaplen cut hands its flags only: its bytes are never framed,
 * and what follows waits behind the gap, reported when the stream ends. */
static void tcp_cut_segment_leaves_gap(void **state)
{
	(void)state;
	static const uint8_t syn[] = { TCPH(40000, 53, 1000, 0, SYN) };
	static const uint8_t synack[] = { TCPH(53, 40000, 5000, 1001, SYN | ACK) };
	static const uint8_t s1[] = { TCPH(40000, 53, 1001, 5001, PSH | ACK), 0x00, 17, DNSQ };
	static const uint8_t s2[] = { TCPH(40000, 53, 1020, 5001, PSH | ACK), 0x00, 17, DNSQ };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	cap_dgram_t d = dgram(6, 6, syn, sizeof(syn));
	l4_datagram(&c, &d);
	d = dgram(6, 6, synack, sizeof(synack));
	reverse(&d);
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 2);
	d = dgram(6, 6, s1, sizeof(s1));
	d.len = 30; /* 10 of 19 payload bytes captured */
	d.whole = 0;
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 2);
	d = dgram(6, 6, s2, sizeof(s2));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 2); /* held behind the gap */
	tcpreasm_flush(c.tcp6, emit_cb, &c);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].kind, CAP_EV_STREAM_LOSS);
	assert_int_equal(r.ev[2].flow.sport, 40000);
	assert_int_equal(r.ev[2].u.loss.bytes_pending, 38);
	assert_int_equal(c.st.tcp_segments, 4);
	ctx_free(&c);
}

/* Without a sink events go nowhere, and nothing breaks. */
static void no_sink(void **state)
{
	(void)state;
	static const uint8_t q[] = { UDPH(54321, 53, 25), DNSQ };
	static const uint8_t syn[] = { TCPH(40000, 53, 1000, 0, SYN) };
	cap_ctx_t c;
	struct rec r;

	ctx_init(&c, &r);
	c.fn = NULL;
	cap_dgram_t d = dgram(4, 17, q, sizeof(q));
	l4_datagram(&c, &d);
	d = dgram(6, 6, syn, sizeof(syn));
	l4_datagram(&c, &d);
	assert_int_equal(r.n, 0);
	assert_int_equal(c.st.tcp_segments, 1);
	ctx_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(udp_query_is_dns_event),
		cmocka_unit_test(udp_not_dns_or_cut_header),
		cmocka_unit_test(udp_length_disagreements),
		cmocka_unit_test(udp_cut_by_snaplen),
		cmocka_unit_test(icmp_errors_quoting_dns),
		cmocka_unit_test(icmp_not_reported),
		cmocka_unit_test(tcp_lifecycle_events),
		cmocka_unit_test(tcp_cut_or_bad_offset),
		cmocka_unit_test(tcp6_data_framed),
		cmocka_unit_test(tcp4_data_split_with_libnids),
		cmocka_unit_test(tcp_cut_segment_leaves_gap),
		cmocka_unit_test(no_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
