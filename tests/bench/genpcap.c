/*
 * genpcap - writes a synthetic resolver-host capture for benchmarks:
 * clients query a resolver, the resolver asks an authority, answers come
 * back (some SERVFAIL), as Ethernet/IPv4/UDP in classic pcap format.
 *   genpcap OUT.pcap PAIRS [unanswered-percent]
 *   genpcap OUT.pcap PAIRS PCT --flood N [SERVFAIL-DELAY-MS]
 * --flood writes N unique client queries that are never answered (random
 * names, 65536 client addresses, random ports and ids, one every 10 us:
 * 100,000 queries/s), with the PAIRS ordinary resolutions spread evenly
 * among them. Of those, n % 50 == 0 end in SERVFAIL after the authority
 * answered SERVFAIL, n % 50 == 20 after it answered REFUSED (both
 * upstream_error), n % 50 == 40 after an ICMP port unreachable quoting the
 * upstream query (blocked_port). SERVFAIL-DELAY-MS (default 0) holds each
 * SERVFAIL back that long after the upstream failure, as a resolver that
 * retries and then gives up would. PCT is not used with --flood. The counts
 * are printed on stderr:
 *   genpcap: flood F pairs P servfail_upstream_error U servfail_blocked_port B
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

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
	put16(p + o, 1); put16(p + o + 2, 1);
	o += 4;
	if (qr && rcode == 0) {
		uint8_t rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1};
		memcpy(p + o, rr, sizeof(rr));
		o += sizeof(rr);
	}
	return o;
}

static void ip_packet(FILE *f, uint64_t t, uint32_t src, uint32_t dst, uint8_t proto,
		      const uint8_t *l4, size_t l4len)
{
	uint8_t b[1600];
	memset(b, 0, 14);
	b[12] = 0x08;
	uint8_t *ip = b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	memcpy(ip + 20, l4, l4len);
	uint32_t len = (uint32_t)(14 + 20 + l4len);
	uint32_t rec[4] = {(uint32_t)(t / 1000000), (uint32_t)(t % 1000000), len, len};
	fwrite(rec, 4, 4, f);
	fwrite(b, 1, len, f);
}

static void packet(FILE *f, uint64_t t, uint32_t src, uint32_t dst, uint16_t sp,
		   uint16_t dp, const uint8_t *dns, size_t dlen)
{
	uint8_t b[1600];
	memset(b, 0, 14);
	b[12] = 0x08;
	uint8_t *ip = b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + dlen));
	ip[8] = 64;
	ip[9] = 17;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	uint8_t *u = ip + 20;
	put16(u, sp);
	put16(u + 2, dp);
	put16(u + 4, (uint16_t)(8 + dlen));
	put16(u + 6, 0);
	memcpy(u + 8, dns, dlen);
	uint32_t len = (uint32_t)(14 + 20 + 8 + dlen);
	uint32_t rec[4] = {(uint32_t)(t / 1000000), (uint32_t)(t % 1000000), len, len};
	fwrite(rec, 4, 4, f);
	fwrite(b, 1, len, f);
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
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(m[i] << 8 | m[i + 1]);
	if (len & 1)
		sum += (uint32_t)(m[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(m + 2, (uint16_t)~sum);
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

static int flood(FILE *f, unsigned long pairs, unsigned long n, uint64_t delay)
{
	uint64_t t = 1767225600ULL * 1000000ULL;
	const uint32_t resolver = 0x0a000001, auth = 0x0a000101;
	uint8_t d[512];
	unsigned long every = pairs ? n / pairs + 1 : n + 1, p = 0;
	unsigned long sf_upstream = 0, sf_icmp = 0;
	for (unsigned long i = 0; i < n || p < pairs; i++) {
		release(f, t);
		if (i < n) {
			uint64_t r = rnd();
			uint32_t client = 0x0a800000 | (uint32_t)(r & 0xffff);
			uint16_t cport = (uint16_t)(1024 + (r >> 16) % 64000), id = (uint16_t)(r >> 40);
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
	fprintf(stderr, "genpcap: flood %lu pairs %lu servfail_upstream_error %lu servfail_blocked_port %lu\n",
		n, p, sf_upstream, sf_icmp);
	return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: genpcap OUT.pcap PAIRS [unanswered-percent] [--flood N]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	unsigned long pairs = strtoul(argv[2], NULL, 10);
	unsigned unans = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	fwrite(hdr, 4, 6, f);
	if (argc > 5 && strcmp(argv[4], "--flood") == 0)
		return flood(f, pairs, strtoul(argv[5], NULL, 10),
			     argc > 6 ? strtoull(argv[6], NULL, 10) * 1000 : 0);
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
