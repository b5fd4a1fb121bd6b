/*
 * genpcap - writes a synthetic resolver-host capture for benchmarks:
 * clients query a resolver, the resolver asks an authority, answers come
 * back (some SERVFAIL), as Ethernet/IPv4/UDP in classic pcap format (the
 * frag, fragout and tcp floods below add IPv6 and TCP).
 *   genpcap OUT.pcap PAIRS [unanswered-percent]
 *   genpcap OUT.pcap PAIRS PCT --flood N [SERVFAIL-DELAY-MS] [--kind udp|frag|fragout|tcp]
 * --flood writes N flood items, by default unique client queries that are
 * never answered (random names, 65536 client addresses, random ports and
 * ids, one every 10 us: 100,000 queries/s), with the PAIRS ordinary
 * resolutions spread evenly among them. Of those, n % 50 == 0 end in
 * SERVFAIL after the authority answered SERVFAIL, n % 50 == 20 after it
 * answered REFUSED (both upstream_error), n % 50 == 40 after an ICMP port
 * unreachable quoting the upstream query (blocked_port). SERVFAIL-DELAY-MS
 * (default 0) holds each SERVFAIL back that long after the upstream
 * failure, as a resolver that retries and then gives up would. PCT is not
 * used with --flood.
 * --kind chooses what the N flood items are (the resolutions stay the same):
 *   udp   the unanswered queries above (the default);
 *   frag  endless fragments: N first fragments (offset 0, more fragments)
 *         of UDP queries to the resolver's port 53 that never complete,
 *         alternately IPv4 (from 10.128.0.0/9, one address each up to
 *         8,388,607 of them, random IP id) and IPv6 (from fd0a:8000::/32,
 *         one address each, to fd0a::1, random 32-bit id in a Fragment
 *         header), one every 10 us (100,000/s); each carries the UDP
 *         header and 48 bytes of a query whose UDP length announces 1232
 *         bytes;
 *   fragout  the same fragments in the other direction: from the
 *         resolver's port 53 to the unique client addresses (answers that
 *         never complete), so that each train has its own destination;
 *   tcp   half-open TCP streams: N connections to the resolver's port 53,
 *         alternately IPv4 and IPv6 from a unique client address (as for
 *         frag), each a SYN, SYN-ACK, ACK and one data segment holding a
 *         DNS length prefix of 65535 and the first 30 bytes of a query, never
 *         closed; 5 us between packets (50,000 connections/s).
 * --zone (anywhere after OUT.pcap) first writes one referral: the resolver
 * asks a com server (10.0.2.1) for h0.example.com and learns example.com's
 * delegation (NS ns1.example.com, glue 10.0.1.1, the authority), so that
 * failures group by their zone, as in a real resolver's capture.
 * IP, UDP and TCP checksums are all correct (a fragment's UDP checksum is
 * that of the whole datagram, its missing bytes zero). The counts are
 * printed on stderr; the kinds other than udp add the IP versions' split:
 *   genpcap: flood F pairs P servfail_upstream_error U servfail_blocked_port B
 *   genpcap: flood F pairs P servfail_upstream_error U servfail_blocked_port B kind K ipv4 N4 ipv6 N6
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t dns_msg(uint8_t *p, uint16_t id, int qr, int rcode, uint32_t n)
{
	size_t o = 0;
	put16(p, id);
	p[2] = (uint8_t)(qr ? 0x81 : 0x01);
	p[3] = (uint8_t)(qr ? (0x80 | rcode) : 0);
	put16(p + 4, 1);
	put16(p + 6, qr && rcode == 0 ? 1 : 0);
	put16(p + 8, 0);
	put16(p + 10, 0);
	o = 12;
	char label[32];
	int l = snprintf(label, sizeof(label), "h%u", n);
	p[o++] = (uint8_t)l;
	memcpy(p + o, label, (size_t)l);
	o += (size_t)l;
	memcpy(p + o, "\7example\3com\0", 13);
	o += 13;
	put16(p + o, 1);
	put16(p + o + 2, 1);
	o += 4;
	if (qr && rcode == 0) {
		uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1 };
		memcpy(p + o, rr, sizeof(rr));
		o += sizeof(rr);
	}
	return o;
}

/* An IPv4 (a[0..3]) or IPv6 address. */
struct addr {
	int v6;
	uint8_t a[16];
};

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static struct addr addr4(uint32_t v)
{
	struct addr x;
	memset(&x, 0, sizeof(x));
	put32(x.a, v);
	return x;
}

/* fd0a:<group>::<low 64 bits> */
static struct addr addr6(uint16_t group, uint64_t low)
{
	struct addr x;
	memset(&x, 0, sizeof(x));
	x.v6 = 1;
	put16(x.a, 0xfd0a);
	put16(x.a + 2, group);
	put32(x.a + 8, (uint32_t)(low >> 32));
	put32(x.a + 12, (uint32_t)low);
	return x;
}

/* One Ethernet frame (zero MAC addresses) carrying l3[0..len). */
static void frame(FILE *f, uint64_t t, uint16_t ethertype, const uint8_t *l3, size_t len)
{
	uint8_t b[14 + 1600];
	memset(b, 0, 14);
	put16(b + 12, ethertype);
	memcpy(b + 14, l3, len);
	uint32_t rlen = (uint32_t)(14 + len);
	uint32_t rec[4] = { (uint32_t)(t / 1000000), (uint32_t)(t % 1000000), rlen, rlen };
	fwrite(rec, 4, 4, f);
	fwrite(b, 1, rlen, f);
}

/* An IPv4 or IPv6 packet s -> d carrying l4[0..len) of protocol proto.
 * With frag set, it is the first fragment (offset 0, more fragments to
 * come) of a train with identification id: IPv4 flags, or an IPv6
 * Fragment header. */
static void ip_send(FILE *f, uint64_t t, const struct addr *s, const struct addr *d, uint8_t proto,
		    int frag, uint32_t id, const uint8_t *l4, size_t len)
{
	uint8_t b[1600];
	size_t h;
	if (!s->v6) {
		memset(b, 0, 20);
		b[0] = 0x45;
		put16(b + 2, (uint16_t)(20 + len));
		put16(b + 4, (uint16_t)id);
		put16(b + 6, frag ? 0x2000 : 0);
		b[8] = 64;
		b[9] = proto;
		memcpy(b + 12, s->a, 4);
		memcpy(b + 16, d->a, 4);
		put16(b + 10, csum_fold(csum_add(0, b, 20)));
		h = 20;
	} else {
		memset(b, 0, 48);
		b[0] = 0x60;
		put16(b + 4, (uint16_t)((frag ? 8 : 0) + len));
		b[6] = frag ? 44 : proto;
		b[7] = 64;
		memcpy(b + 8, s->a, 16);
		memcpy(b + 24, d->a, 16);
		h = 40;
		if (frag) {
			b[40] = proto;
			put16(b + 42, 0x0001); /* offset 0, M = 1 */
			put32(b + 44, id);
			h = 48;
		}
	}
	memcpy(b + h, l4, len);
	frame(f, t, s->v6 ? 0x86dd : 0x0800, b, h + len);
}

/* An IPv4 packet src -> dst (host-order addresses) carrying l4. */
static void ip_packet(FILE *f, uint64_t t, uint32_t src, uint32_t dst, uint8_t proto,
		      const uint8_t *l4, size_t l4len)
{
	struct addr s = addr4(src), d = addr4(dst);
	ip_send(f, t, &s, &d, proto, 0, 0, l4, l4len);
}

/* A UDP datagram sp -> dp carrying dns (checksum 0: none computed). */
static void packet(FILE *f, uint64_t t, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
		   const uint8_t *dns, size_t dlen)
{
	uint8_t u[8 + 1500];
	put16(u, sp);
	put16(u + 2, dp);
	put16(u + 4, (uint16_t)(8 + dlen));
	put16(u + 6, 0);
	memcpy(u + 8, dns, dlen);
	ip_packet(f, t, src, dst, 17, u, 8 + dlen);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: the same capture on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A query for a random, unique name: "<10 random letters><n in hex>.flood.example." */
static size_t flood_query(uint8_t *p, uint16_t id, uint64_t n)
{
	put16(p, id);
	p[2] = 0x01;
	p[3] = 0;
	put16(p + 4, 1);
	put16(p + 6, 0);
	put16(p + 8, 0);
	put16(p + 10, 0);
	char label[40];
	uint64_t r = rnd();
	int l = 0;
	for (int i = 0; i < 10; i++, r /= 26)
		label[l++] = (char)('a' + r % 26);
	l += snprintf(label + l, sizeof(label) - (size_t)l, "%llx", (unsigned long long)n);
	size_t o = 12;
	p[o++] = (uint8_t)l;
	memcpy(p + o, label, (size_t)l);
	o += (size_t)l;
	memcpy(p + o, "\5flood\7example\0", 15);
	o += 15;
	put16(p + o, 1);
	put16(p + o + 2, 1);
	return o + 4;
}

/* ICMP port unreachable from 'from' quoting the UDP datagram src->dst. */
static void icmp_unreach(FILE *f, uint64_t t, uint32_t from, uint32_t src, uint32_t dst,
			 uint16_t sp, uint16_t dp, const uint8_t *dns, size_t dlen)
{
	uint8_t m[8 + 20 + 8 + 512];
	memset(m, 0, 8);
	m[0] = 3;
	m[1] = 3;
	uint8_t *ip = m + 8;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + dlen));
	ip[8] = 64;
	ip[9] = 17;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	put16(ip + 20, sp);
	put16(ip + 22, dp);
	put16(ip + 24, (uint16_t)(8 + dlen));
	put16(ip + 26, 0);
	memcpy(ip + 28, dns, dlen);
	size_t len = 8 + 28 + dlen;
	put16(m + 2, csum_fold(csum_add(0, m, len)));
	ip_packet(f, t, from, src, 1, m, len);
}

/* Delayed packets (the resolver's answers to its clients), in time order. */
struct held {
	uint64_t t;
	uint32_t src, dst;
	uint16_t sp, dp;
	size_t len;
	uint8_t dns[128];
};
static struct held *held;
static size_t held_head, held_n, held_cap;

static void hold(uint64_t t, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
		 const uint8_t *dns, size_t len)
{
	if (held_n == held_cap) {
		size_t cap = held_cap ? held_cap * 2 : 1024;
		struct held *nh = malloc(cap * sizeof(*nh));
		if (!nh)
			exit(1);
		for (size_t i = 0; i < held_n; i++)
			nh[i] = held[(held_head + i) % held_cap];
		free(held);
		held = nh;
		held_cap = cap;
		held_head = 0;
	}
	struct held *h = &held[(held_head + held_n++) % held_cap];
	h->t = t;
	h->src = src;
	h->dst = dst;
	h->sp = sp;
	h->dp = dp;
	h->len = len < sizeof(h->dns) ? len : sizeof(h->dns);
	memcpy(h->dns, dns, h->len);
}

static void release(FILE *f, uint64_t now)
{
	while (held_n && held[held_head].t <= now) {
		struct held *h = &held[held_head];
		packet(f, h->t, h->src, h->dst, h->sp, h->dp, h->dns, h->len);
		held_head = (held_head + 1) % held_cap;
		held_n--;
	}
}

/* The pseudo-header of UDP and TCP checksums (RFC 768, RFC 8200 8.1). */
static uint32_t pseudo_sum(const struct addr *s, const struct addr *d, uint8_t proto, uint32_t len)
{
	size_t al = s->v6 ? 16 : 4;
	uint32_t sum = csum_add(0, s->a, al);
	sum = csum_add(sum, d->a, al);
	return sum + proto + (len >> 16) + (len & 0xffff);
}

static void tcp_seg(FILE *f, uint64_t t, const struct addr *s, const struct addr *d, uint16_t sp,
		    uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data,
		    size_t len)
{
	uint8_t b[20 + 512];
	memset(b, 0, 20);
	put16(b, sp);
	put16(b + 2, dp);
	put32(b + 4, seq);
	put32(b + 8, ack);
	b[12] = 5 << 4;
	b[13] = flags;
	put16(b + 14, 65535);
	if (len)
		memcpy(b + 20, data, len);
	uint32_t sum = csum_add(pseudo_sum(s, d, 6, (uint32_t)(20 + len)), b, 20 + len);
	put16(b + 16, csum_fold(sum));
	ip_send(f, t, s, d, 6, 0, 0, b, 20 + len);
}

enum { FLOOD_UDP, FLOOD_FRAG, FLOOD_FRAGOUT, FLOOD_TCP };
static const char *const kind_names[] = { "udp", "frag", "fragout", "tcp" };
#define FRAG_DNS 48      /* query bytes in a first fragment (UDP part: 56, a multiple of 8) */
#define FRAG_UDPLEN 1232 /* the UDP length the fragment announces */
#define TCP_PREFIX 65535 /* the DNS length prefix a half-open stream announces: the most */
#define TCP_SENT 30      /* query bytes it sends */

/* The flood's client number k (k-th of its IP version) and the resolver. */
static struct addr flood_client(int v6, unsigned long k)
{
	return v6 ? addr6(0x8000, (uint64_t)k + 1)
		  : addr4(0x0a800000 | (uint32_t)((k + 1) & 0x7fffff));
}

static struct addr flood_resolver(int v6) { return v6 ? addr6(0, 1) : addr4(0x0a000001); }

/* Flood item i of kind frag, fragout or tcp; returns the capture time after it. */
static uint64_t flood_item(FILE *f, uint64_t t, int kind, unsigned long i)
{
	int v6 = (int)(i & 1);
	struct addr c = flood_client(v6, i / 2), s = flood_resolver(v6);
	uint64_t r = rnd();
	uint16_t cport = (uint16_t)(1024 + (r >> 16) % 64000);
	uint8_t q[512], b[512];
	memset(q, 0, sizeof(q));
	size_t ql = flood_query(q, (uint16_t)(r >> 48), i);
	if (kind == FLOOD_FRAG || kind == FLOOD_FRAGOUT) {
		int out = kind == FLOOD_FRAGOUT;
		const struct addr *from = out ? &s : &c, *to = out ? &c : &s;
		if (out)
			q[2] |= 0x80; /* QR: an answer */
		put16(b, out ? 53 : cport);
		put16(b + 2, out ? cport : 53);
		put16(b + 4, FRAG_UDPLEN);
		put16(b + 6, 0);
		memcpy(b + 8, q, FRAG_DNS);
		/* The whole datagram's checksum: the message, then zeros. */
		uint32_t sum = pseudo_sum(from, to, 17, FRAG_UDPLEN);
		sum = csum_add(sum, b, 8);
		sum = csum_add(sum, q, ql);
		uint16_t ck = csum_fold(sum);
		put16(b + 6, ck ? ck : 0xffff);
		uint32_t id = v6 ? (uint32_t)r : (uint16_t)r;
		ip_send(f, t, from, to, 17, 1, id, b, 8 + FRAG_DNS);
		return t + 10;
	}
	uint32_t isn_c = (uint32_t)r, isn_s = (uint32_t)(r >> 32) ^ 0x5a5a5a5a;
	tcp_seg(f, t, &c, &s, cport, 53, isn_c, 0, 0x02, NULL, 0);
	tcp_seg(f, t + 5, &s, &c, 53, cport, isn_s, isn_c + 1, 0x12, NULL, 0);
	tcp_seg(f, t + 10, &c, &s, cport, 53, isn_c + 1, isn_s + 1, 0x10, NULL, 0);
	put16(b, TCP_PREFIX);
	memcpy(b + 2, q, TCP_SENT);
	tcp_seg(f, t + 15, &c, &s, cport, 53, isn_c + 1, isn_s + 1, 0x18, b, 2 + TCP_SENT);
	return t + 20;
}

static int flood(FILE *f, unsigned long pairs, unsigned long n, uint64_t delay, int what)
{
	uint64_t t = 1767225600ULL * 1000000ULL;
	const uint32_t resolver = 0x0a000001, auth = 0x0a000101;
	uint8_t d[512];
	unsigned long every = pairs ? n / pairs + 1 : n + 1, p = 0;
	unsigned long sf_upstream = 0, sf_icmp = 0;
	for (unsigned long i = 0; i < n || p < pairs; i++) {
		release(f, t);
		if (i < n && what != FLOOD_UDP) {
			t = flood_item(f, t, what, i);
		} else if (i < n) {
			uint64_t r = rnd();
			uint32_t client = 0x0a800000 | (uint32_t)(r & 0xffff);
			uint16_t cport = (uint16_t)(1024 + (r >> 16) % 64000),
				 id = (uint16_t)(r >> 40);
			size_t l = flood_query(d, id, i);
			packet(f, t, client, resolver, cport, 53, d, l);
			t += 10;
		}
		if ((i % every != every / 2 || p >= pairs) && i < n)
			continue;
		/* an ordinary resolution: client -> resolver -> authority and back */
		unsigned long k = p++;
		uint32_t client = 0x0a010000 | (uint32_t)(k % 5000);
		uint16_t cport = (uint16_t)(1024 + k % 60000), id = (uint16_t)(k * 7919);
		uint16_t uport = (uint16_t)(20000 + k % 40000), uid = (uint16_t)(id ^ 0x5555);
		int kind = (int)(k % 50); /* 0 SERVFAIL, 20 REFUSED, 40 ICMP, else fine */
		size_t l = dns_msg(d, id, 0, 0, (uint32_t)k);
		packet(f, t, client, resolver, cport, 53, d, l);
		t += 10;
		l = dns_msg(d, uid, 0, 0, (uint32_t)k);
		d[2] = 0; /* iterative: RD=0 */
		packet(f, t, resolver, auth, uport, 53, d, l);
		t += 10;
		if (kind == 40) {
			icmp_unreach(f, t, auth, resolver, auth, uport, 53, d, l);
			sf_icmp++;
		} else {
			int rc = kind == 0 ? 2 : kind == 20 ? 5 : 0;
			l = dns_msg(d, uid, 1, rc, (uint32_t)k);
			d[2] = 0x84; /* QR, AA, RD=0 */
			d[3] = (uint8_t)rc;
			packet(f, t, auth, resolver, 53, uport, d, l);
			if (rc)
				sf_upstream++;
		}
		t += 10;
		int servfail = kind == 0 || kind == 20 || kind == 40;
		l = dns_msg(d, id, 1, servfail ? 2 : 0, (uint32_t)k);
		if (servfail && delay)
			hold(t + delay, resolver, client, 53, cport, d, l);
		else
			packet(f, t, resolver, client, 53, cport, d, l);
		t += 10;
	}
	release(f, UINT64_MAX);
	fprintf(
	    stderr,
	    "genpcap: flood %lu pairs %lu servfail_upstream_error %lu servfail_blocked_port %lu", n,
	    p, sf_upstream, sf_icmp);
	if (what != FLOOD_UDP)
		fprintf(stderr, " kind %s ipv4 %lu ipv6 %lu", kind_names[what], n - n / 2, n / 2);
	fputc('\n', stderr);
	return fclose(f) == 0 ? 0 : 1;
}

/* The com server's referral to example.com (--zone), at time t. */
static void referral(FILE *f, uint64_t t)
{
	const uint32_t resolver = 0x0a000001, com = 0x0a000201;
	uint8_t d[512];
	size_t l = dns_msg(d, 0x4242, 0, 0, 0);
	d[2] = 0; /* iterative */
	packet(f, t, resolver, com, 19999, 53, d, l);
	l = dns_msg(d, 0x4242, 1, 0, 0);
	d[2] = 0x80;             /* QR, not authoritative */
	put16(d + 6, 0);         /* no answer */
	put16(d + 8, 1);         /* NS in authority */
	put16(d + 10, 1);        /* glue */
	l = 12 + 1 + 2 + 13 + 4; /* the question "h0.example.com" */
	static const uint8_t ns[] = {
		0xc0, 15, 0, 2, 0, 1, 0, 1, 0x51, 0x80, 0, 6, 3, 'n', 's', '1', 0xc0, 15,
	};
	memcpy(d + l, ns, sizeof(ns));
	size_t nsname = l + 12;
	l += sizeof(ns);
	uint8_t glue[] = { 0xc0, (uint8_t)nsname, 0, 1, 0, 1, 0, 1, 0x51, 0x80, 0, 4, 10, 0, 1, 1 };
	memcpy(d + l, glue, sizeof(glue));
	l += sizeof(glue);
	packet(f, t + 5, com, resolver, 53, 19999, d, l);
}

int main(int argc, char **argv)
{
	int zone = 0;
	for (int a = 2; a < argc; a++)
		if (strcmp(argv[a], "--zone") == 0) {
			zone = 1;
			memmove(&argv[a], &argv[a + 1], (size_t)(argc - a) * sizeof(*argv));
			argc--;
			break;
		}
	if (argc < 3) {
		fprintf(stderr, "usage: genpcap OUT.pcap PAIRS [unanswered-percent]\n"
				"       genpcap OUT.pcap PAIRS PCT --flood N [SERVFAIL-DELAY-MS] "
				"[--kind udp|frag|fragout|tcp]\n"
				"       --zone (either form): a referral to example.com first\n");
		return 2;
	}
	int kind = FLOOD_UDP;
	uint64_t delay = 0;
	if (argc > 5 && strcmp(argv[4], "--flood") == 0) {
		for (int a = 6; a < argc; a++) {
			if (strcmp(argv[a], "--kind") == 0 && a + 1 < argc) {
				a++;
				kind = (int)(sizeof(kind_names) / sizeof(kind_names[0]));
				while (--kind >= 0)
					if (strcmp(argv[a], kind_names[kind]) == 0)
						break;
				if (kind < 0) {
					fprintf(stderr,
						"genpcap: --kind udp, frag, fragout or tcp\n");
					return 2;
				}
			} else if (a == 6 && argv[a][0] >= '0' && argv[a][0] <= '9') {
				delay = strtoull(argv[a], NULL, 10) * 1000;
			} else {
				fprintf(stderr, "genpcap: unexpected argument %s\n", argv[a]);
				return 2;
			}
		}
	}
	FILE *f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	unsigned long pairs = strtoul(argv[2], NULL, 10);
	unsigned unans = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(hdr, 4, 6, f);
	if (zone)
		referral(f, 1767225600ULL * 1000000ULL - 1000);
	if (argc > 5 && strcmp(argv[4], "--flood") == 0)
		return flood(f, pairs, strtoul(argv[5], NULL, 10), delay, kind);
	uint64_t t = 1767225600ULL * 1000000ULL;
	const uint32_t resolver = 0x0a000001, auth = 0x0a000101;
	uint8_t d[512];
	for (unsigned long n = 0; n < pairs; n++) {
		uint32_t client = 0x0a010000 | (uint32_t)(n % 5000);
		uint16_t cport = (uint16_t)(1024 + n % 60000), id = (uint16_t)(n * 7919);
		int rcode = n % 50 == 0 ? 2 : 0;
		size_t l = dns_msg(d, id, 0, 0, (uint32_t)n);
		packet(f, t, client, resolver, cport, 53, d, l);
		t += 20;
		if (unans && n % 100 < unans) {
			t += 20;
			continue;
		}
		l = dns_msg(d, (uint16_t)(id ^ 0x5555), 0, 0, (uint32_t)n);
		packet(f, t, resolver, auth, (uint16_t)(20000 + n % 40000), 53, d, l);
		t += 20;
		l = dns_msg(d, (uint16_t)(id ^ 0x5555), 1, rcode, (uint32_t)n);
		packet(f, t, auth, resolver, 53, (uint16_t)(20000 + n % 40000), d, l);
		t += 20;
		l = dns_msg(d, id, 1, rcode, (uint32_t)n);
		packet(f, t, resolver, client, 53, cport, d, l);
		t += 20;
	}
	return fclose(f) == 0 ? 0 : 1;
}
