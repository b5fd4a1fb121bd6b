/*
 * genload - writes a deterministic capture of a BUSY recursive resolver's host
 * (classic pcap, Ethernet) and its own truth: why each failed client query
 * failed.
 *   genload OUT.pcap [--packets N | --queries N] [--seed S] [--truth OUT.tsv]
 *                    [--qps Q] [--split]
 * The output depends only on the arguments (seeded PRNG, no wall clock).
 *
 * The world: thousands of clients (IPv4 and IPv6) ask one resolver
 * (10.0.0.53 / fd00::53; with --split it asks upstream from 10.0.1.53 /
 * fd00:1::53) at Q client queries a second of capture time (default
 * 40,000, Poisson arrivals; 1% over TCP with full handshakes).  The
 * resolver iterates: 13 root servers, 16 TLDs of 4 servers each, 8,000
 * zones of 2 name servers each on their own IPv4 or IPv6 addresses (plus
 * names in zones and TLDs that do not exist).  It minimises QNAMEs (asks a
 * TLD for the zone name, NS or A), caches referrals, answers and negative
 * answers with their TTLs (the TLD delegations and the top 300 zones'
 * delegations are cached when the capture starts, nothing else), follows
 * CNAMEs across zones (cached CNAMEs: only the target is asked), uses a
 * new random id and port for every upstream query, 0x20-mixes a quarter of
 * its upstream qnames, retransmits to the other server after 400 ms, 800
 * ms..., falls back to TCP after TC=1, asks DNSKEYs of signed zones and
 * gives up after a few seconds.
 *
 * Faults are injected on zones (a list at popular ranks, then 2% of the
 * long tail), each with its cause and detail (design.md):
 *   timeout/all_servers_silent, blocked_port/icmp_port_unreachable and
 *   icmp_admin_prohibited (ICMP or ICMPv6 quoting the query),
 *   truncation/tcp_reset (TC=1, SYN answered by RST), truncation/
 *   tcp_timeout (SYN never answered), truncation/fragment_loss (the first
 *   IPv4 fragment of an answer, the rest never comes), upstream_error/
 *   servfail, refused and lame_delegation (NS names in a zone that does
 *   not exist), dnssec_validation/bad_signature (zone signed with ECDSA
 *   P-256, DS in the TLD's referral, the data RRSIGs corrupted by one
 *   byte), unknown (good answers, SERVFAIL anyway) and no_upstream/
 *   no_attempt (a local policy: SERVFAIL, no upstream query).
 * DNSSEC: the root and the TLDs are unsigned; a signed zone's DS comes
 * (unsigned) in its TLD's referral, its DNSKEY (one CSK) and RRSIGs are
 * real, made by this program (RFC 4034 canonical form, deterministic
 * nonce), so `dnsblame --dnssec-audit` finds the healthy ones valid.
 * Half of the timeout and tcp_timeout zones are answered with silence (a
 * resolver that drops client queries older than 1.9 s).  CNAMEs of
 * healthy zones point into failing zones too (the cause is the target's).
 * Repeats: the same question within the failure cache time (5 s, bogus
 * 60 s) is answered SERVFAIL with no upstream query (via failure_cache);
 * other names of a zone whose servers failed (timeouts, ICMP, TCP,
 * fragments, lame) for 15 s (via held_down); identical questions arriving
 * while the first is in flight get the same answer at the same moment
 * (via coalesced).  A repeat's truth cause and detail are its root's.
 * A policy SERVFAIL (no_upstream) has no root: its via is upstream.
 *
 * The truth (--truth) is a TSV, one line per failed client query (SERVFAIL
 * or never answered), in query time order:
 *   time client client_port id transport qname qtype received cause detail via
 * All IPv4 header, UDP, TCP, ICMP and ICMPv6 checksums are correct.
 * Counts, the in-flight figures and the time span are printed on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "csum.h"

#define T0 (1767225600ULL * 1000000ULL) /* 2026-01-01T00:00:00Z, in us */
#define MS 1000ULL
#define SEC 1000000ULL
#define NZ 8000
#define NTLD 16
#define NBADTLD 4
#define NC4 6000
#define NC6 2500
#define HOLD (15 * SEC)
#define FC_TTL (5 * SEC)
#define BOGUS_TTL (60 * SEC)
#define EDNS_SIZE 1232
#define FRAG_MTU 996 /* path MTU of the fragment-loss zones' servers */

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_OPT = 41,
	T_DS = 43,
	T_RRSIG = 46,
	T_DNSKEY = 48,
	T_HTTPS = 65
};

enum {
	F_NONE,
	F_TIMEOUT,
	F_ICMP_PORT,
	F_ICMP_ADMIN,
	F_TC_RST,
	F_TC_SILENT,
	F_FRAG,
	F_SERVFAIL,
	F_REFUSED,
	F_LAME,
	F_BOGUS,
	F_UNKNOWN,
	F_POLICY,
	F_N
};
static const char *const f_cause[F_N] = { "",
					  "timeout",
					  "blocked_port",
					  "blocked_port",
					  "truncation",
					  "truncation",
					  "truncation",
					  "upstream_error",
					  "upstream_error",
					  "upstream_error",
					  "dnssec_validation",
					  "unknown",
					  "no_upstream" };
static const char *const f_detail[F_N] = {
	"",          "all_servers_silent", "icmp_port_unreachable", "icmp_admin_prohibited",
	"tcp_reset", "tcp_timeout",        "fragment_loss",         "servfail",
	"refused",   "lame_delegation",    "bad_signature",         "-",
	"no_attempt"
};

enum { V_UPSTREAM, V_FCACHE, V_HELD, V_COALESCED, V_N };
static const char *const via_name[V_N] = { "upstream", "failure_cache", "held_down", "coalesced" };

enum { ST_OK, ST_NX, ST_NODATA, ST_FAIL };

static int f_holds(int f)
{
	return f == F_TIMEOUT || f == F_ICMP_PORT || f == F_ICMP_ADMIN || f == F_TC_RST ||
	       f == F_TC_SILENT || f == F_FRAG || f == F_LAME;
}

/* ---- deterministic randomness ---- */

static uint64_t rs[4];

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rnd(void)
{
	/* xoshiro256** */
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static uint32_t rndu(uint32_t n) { return (uint32_t)(((rnd() >> 32) * n) >> 32); }
static double rndf(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

static uint64_t seed;

/* -ln(x) for x in (0, 1] (no libm): halve the range, then the atanh series. */
static double neg_ln(double x)
{
	int e = 0;
	while (x < 1.0) {
		x *= 2;
		e++;
	}
	double y = (x - 1) / (x + 1), y2 = y * y, term = y, sum = 0;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= y2;
	}
	return e * 0.69314718055994530942 - 2 * sum;
}

/* A property of (a, b): the same on every run with the same seed. */
static uint64_t hp(uint64_t a, uint64_t b)
{
	return mix64(seed ^ mix64(a * 0x9e3779b97f4a7c15ULL + b));
}

static uint64_t hstr(const char *s, uint64_t h)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		h = (h ^ c) * 0x100000001b3ULL;
	}
	return mix64(h);
}

/* ---- byte helpers, addresses, checksums ---- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

struct addr {
	int v6;
	uint8_t a[16];
};

static struct addr a4(uint32_t v)
{
	struct addr x;
	memset(&x, 0, sizeof(x));
	put32(x.a, v);
	return x;
}

static struct addr a6(uint32_t hi, uint32_t grp, uint32_t low)
{
	struct addr x;
	memset(&x, 0, sizeof(x));
	x.v6 = 1;
	put32(x.a, hi);
	put32(x.a + 4, grp);
	put32(x.a + 12, low);
	return x;
}

static void addr_str(const struct addr *a, char *out, size_t n)
{
	if (!a->v6) {
		snprintf(out, n, "%u.%u.%u.%u", a->a[0], a->a[1], a->a[2], a->a[3]);
		return;
	}
	/* RFC 5952: the longest run of zero groups (two or more) becomes :: */
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)(a->a[2 * i] << 8 | a->a[2 * i + 1]);
	int bs = -1, bl = 0;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bl && j - i >= 2) {
			bs = i;
			bl = j - i;
		}
		i = j;
	}
	size_t o = 0;
	for (int i = 0; i < 8; i++) {
		if (i == bs) {
			o += (size_t)snprintf(out + o, n - o, "::");
			i += bl - 1;
			continue;
		}
		if (o && out[o - 1] != ':')
			o += (size_t)snprintf(out + o, n - o, ":");
		o += (size_t)snprintf(out + o, n - o, "%x", g[i]);
	}
}

static uint32_t pseudo_sum(const struct addr *s, const struct addr *d, uint8_t proto, uint32_t len)
{
	size_t al = s->v6 ? 16 : 4;
	uint32_t sum = csum_add(0, s->a, al);
	sum = csum_add(sum, d->a, al);
	return sum + proto + (len >> 16) + (len & 0xffff);
}

/* ---- the packet queue: frames by capture time, written in order ---- */

struct pkt {
	uint64_t t, seq;
	uint8_t *d;
	uint32_t len;
};
static struct pkt *heap;
static size_t heap_n, heap_cap;
static uint64_t pkt_seq, pkts_written, bytes_written;
static FILE *out;

static int pkt_before(const struct pkt *a, const struct pkt *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "genload: out of memory\n");
		exit(1);
	}
	return p;
}

static void push_frame(uint64_t t, const uint8_t *f, size_t len)
{
	if (heap_n == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 65536;
		struct pkt *nh = realloc(heap, heap_cap * sizeof(*heap));
		if (!nh) {
			fprintf(stderr, "genload: out of memory\n");
			exit(1);
		}
		heap = nh;
	}
	struct pkt p = { t, pkt_seq++, xmalloc(len), (uint32_t)len };
	memcpy(p.d, f, len);
	size_t i = heap_n++;
	while (i) {
		size_t up = (i - 1) / 2;
		if (!pkt_before(&p, &heap[up]))
			break;
		heap[i] = heap[up];
		i = up;
	}
	heap[i] = p;
}

static void emit_until(uint64_t t)
{
	while (heap_n && heap[0].t <= t) {
		struct pkt p = heap[0];
		struct pkt last = heap[--heap_n];
		size_t i = 0;
		for (;;) {
			size_t c = 2 * i + 1;
			if (c >= heap_n)
				break;
			if (c + 1 < heap_n && pkt_before(&heap[c + 1], &heap[c]))
				c++;
			if (!pkt_before(&heap[c], &last))
				break;
			heap[i] = heap[c];
			i = c;
		}
		if (heap_n)
			heap[i] = last;
		uint32_t rec[4] = { (uint32_t)(p.t / SEC), (uint32_t)(p.t % SEC), p.len, p.len };
		fwrite(rec, 4, 4, out);
		fwrite(p.d, 1, p.len, out);
		free(p.d);
		pkts_written++;
		bytes_written += 16 + p.len;
	}
}

/* ---- IP, UDP, TCP, ICMP ---- */

static struct addr res_c4, res_c6, res_u4, res_u6; /* resolver: client side, upstream side */

static int is_resolver(const struct addr *a)
{
	return !memcmp(a, &res_c4, sizeof(*a)) || !memcmp(a, &res_c6, sizeof(*a)) ||
	       !memcmp(a, &res_u4, sizeof(*a)) || !memcmp(a, &res_u6, sizeof(*a));
}

/* An IP packet s -> d carrying l4 into b; frag_len (IPv4 only) cuts it to
 * the first fragment of that many payload bytes. Returns its length. */
static size_t ip_build(uint8_t *b, const struct addr *s, const struct addr *d, uint8_t proto,
		       const uint8_t *l4, size_t len, size_t frag_len)
{
	if (!s->v6) {
		size_t pl = frag_len ? frag_len : len;
		memset(b, 0, 20);
		b[0] = 0x45;
		put16(b + 2, (uint32_t)(20 + pl));
		put16(b + 4, (uint32_t)rndu(65536));
		put16(b + 6, frag_len ? 0x2000 : 0x4000);
		b[8] = is_resolver(s) ? 64 : (uint8_t)(50 + rndu(10));
		b[9] = proto;
		memcpy(b + 12, s->a, 4);
		memcpy(b + 16, d->a, 4);
		put16(b + 10, csum_fold(csum_add(0, b, 20)));
		memcpy(b + 20, l4, pl);
		return 20 + pl;
	}
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint32_t)len);
	b[6] = proto;
	b[7] = is_resolver(s) ? 64 : (uint8_t)(50 + rndu(10));
	memcpy(b + 8, s->a, 16);
	memcpy(b + 24, d->a, 16);
	memcpy(b + 40, l4, len);
	return 40 + len;
}

static void push_ip(uint64_t t, const uint8_t *ip, size_t len)
{
	uint8_t f[14 + 1600];
	int v6 = (ip[0] >> 4) == 6;
	const uint8_t *src = ip + (v6 ? 8 : 12);
	int from_res = v6 ? (!memcmp(src, res_c6.a, 16) || !memcmp(src, res_u6.a, 16))
			  : (!memcmp(src, res_c4.a, 4) || !memcmp(src, res_u4.a, 4));
	static const uint8_t mac_res[6] = { 0x52, 0x54, 0x00, 0x12, 0x00, 0x53 };
	static const uint8_t mac_gw[6] = { 0x52, 0x54, 0x00, 0x12, 0x00, 0x01 };
	memcpy(f, from_res ? mac_gw : mac_res, 6);
	memcpy(f + 6, from_res ? mac_res : mac_gw, 6);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	if (len > 1600)
		abort();
	memcpy(f + 14, ip, len);
	push_frame(t, f, 14 + len);
}

/* A UDP datagram; the IP packet is also left in ip (for ICMP quotes). */
static size_t udp_build(uint8_t *ip, const struct addr *s, uint16_t sp, const struct addr *d,
			uint16_t dp, const uint8_t *pl, size_t len, size_t frag_len)
{
	uint8_t u[8 + 1600];
	put16(u, sp);
	put16(u + 2, dp);
	put16(u + 4, (uint32_t)(8 + len));
	put16(u + 6, 0);
	memcpy(u + 8, pl, len);
	uint16_t ck = csum_fold(csum_add(pseudo_sum(s, d, 17, (uint32_t)(8 + len)), u, 8 + len));
	put16(u + 6, ck ? ck : 0xffff);
	return ip_build(ip, s, d, 17, u, 8 + len, frag_len);
}

static void send_udp(uint64_t t, const struct addr *s, uint16_t sp, const struct addr *d,
		     uint16_t dp, const uint8_t *pl, size_t len)
{
	uint8_t ip[1600];
	push_ip(t, ip, udp_build(ip, s, sp, d, dp, pl, len, 0));
}

static void send_tcp(uint64_t t, const struct addr *s, uint16_t sp, const struct addr *d,
		     uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data,
		     size_t len)
{
	uint8_t b[24 + 1500], ip[1600];
	size_t h = (flags & 0x02) ? 24 : 20; /* a SYN carries an MSS option */
	memset(b, 0, h);
	put16(b, sp);
	put16(b + 2, dp);
	put32(b + 4, seq);
	put32(b + 8, ack);
	b[12] = (uint8_t)((h / 4) << 4);
	b[13] = flags;
	put16(b + 14, 64240);
	if (h == 24) {
		b[20] = 2;
		b[21] = 4;
		put16(b + 22, 1460);
	}
	if (len)
		memcpy(b + h, data, len);
	put16(b + 16, csum_fold(csum_add(pseudo_sum(s, d, 6, (uint32_t)(h + len)), b, h + len)));
	push_ip(t, ip, ip_build(ip, s, d, 6, b, h + len, 0));
}

/* An ICMP or ICMPv6 error from 'from' to the quoted packet's source. */
static void send_icmp(uint64_t t, const struct addr *from, const struct addr *to, int admin,
		      const uint8_t *quoted, size_t qlen)
{
	uint8_t m[8 + 1600], ip[1600];
	size_t max = to->v6 ? 1280 - 48 : 576 - 28;
	if (qlen > max)
		qlen = max;
	memset(m, 0, 8);
	if (!to->v6) {
		m[0] = 3;
		m[1] = admin ? 13 : 3;
	} else {
		m[0] = 1;
		m[1] = admin ? 1 : 4;
	}
	memcpy(m + 8, quoted, qlen);
	uint32_t sum = to->v6 ? pseudo_sum(from, to, 58, (uint32_t)(8 + qlen)) : 0;
	put16(m + 2, csum_fold(csum_add(sum, m, 8 + qlen)));
	push_ip(t, ip, ip_build(ip, from, to, to->v6 ? 58 : 1, m, 8 + qlen, 0));
}

/* ---- DNS messages ---- */

struct mb {
	uint8_t b[2048];
	size_t n;
	int nsfx;
	uint16_t soff[128];
	const char *sstr[128];
	char pool[4096];
	size_t pn;
	uint16_t cnt[4]; /* qd an ns ar */
};

static void mb_init(struct mb *m, uint16_t id, uint16_t flags)
{
	m->n = 12;
	m->nsfx = 0;
	m->pn = 0;
	memset(m->cnt, 0, sizeof(m->cnt));
	memset(m->b, 0, 12);
	put16(m->b, id);
	put16(m->b + 2, flags);
}

static void mb_need(const struct mb *m, size_t n)
{
	if (m->n + n > sizeof(m->b))
		abort();
}

static void mb_u8(struct mb *m, uint32_t v)
{
	mb_need(m, 1);
	m->b[m->n++] = (uint8_t)v;
}
static void mb_u16(struct mb *m, uint32_t v)
{
	mb_need(m, 2);
	put16(m->b + m->n, v);
	m->n += 2;
}
static void mb_u32(struct mb *m, uint32_t v)
{
	mb_need(m, 4);
	put32(m->b + m->n, v);
	m->n += 4;
}
static void mb_bytes(struct mb *m, const void *p, size_t n)
{
	mb_need(m, n);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A name ("a.b.c", "" the root), compressed against earlier ones. */
static void mb_name(struct mb *m, const char *name, int compress)
{
	const char *p = name;
	while (*p) {
		if (compress)
			for (int i = 0; i < m->nsfx; i++)
				if (strcasecmp(m->sstr[i], p) == 0) {
					mb_u16(m, 0xc000u | m->soff[i]);
					return;
				}
		size_t sl = strlen(p);
		if (m->n < 0x3fff && m->nsfx < 128 && m->pn + sl + 1 <= sizeof(m->pool)) {
			memcpy(m->pool + m->pn, p, sl + 1);
			m->sstr[m->nsfx] = m->pool + m->pn;
			m->soff[m->nsfx++] = (uint16_t)m->n;
			m->pn += sl + 1;
		}
		const char *dot = strchr(p, '.');
		size_t ll = dot ? (size_t)(dot - p) : sl;
		mb_u8(m, (uint32_t)ll);
		mb_bytes(m, p, ll);
		p += ll + (dot ? 1 : 0);
	}
	mb_u8(m, 0);
}

static void mb_question(struct mb *m, const char *name, uint16_t type)
{
	mb_name(m, name, 1);
	mb_u16(m, type);
	mb_u16(m, 1);
	m->cnt[0]++;
}

static size_t mb_rr(struct mb *m, int sec, const char *owner, uint16_t type, uint32_t ttl)
{
	mb_name(m, owner, 1);
	mb_u16(m, type);
	mb_u16(m, 1);
	mb_u32(m, ttl);
	mb_u16(m, 0);
	m->cnt[sec]++;
	return m->n;
}

static void mb_rr_end(struct mb *m, size_t start)
{
	put16(m->b + start - 2, (uint32_t)(m->n - start));
}

static void mb_opt(struct mb *m, int do_bit, size_t pad)
{
	mb_u8(m, 0);
	mb_u16(m, T_OPT);
	mb_u16(m, EDNS_SIZE);
	mb_u32(m, do_bit ? 0x8000 : 0);
	mb_u16(m, pad ? (uint32_t)(4 + pad) : 0);
	if (pad) {
		mb_u16(m, 12);
		mb_u16(m, (uint32_t)pad);
		mb_need(m, pad);
		memset(m->b + m->n, 0, pad);
		m->n += pad;
	}
	m->cnt[3]++;
}

static size_t mb_done(struct mb *m)
{
	for (int i = 0; i < 4; i++)
		put16(m->b + 4 + 2 * i, m->cnt[i]);
	return m->n;
}

/* Lower-case, uncompressed wire form (RFC 4034 6.2). */
static size_t name_wire(const char *s, uint8_t *o)
{
	size_t n = 0;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t ll = dot ? (size_t)(dot - s) : strlen(s);
		o[n++] = (uint8_t)ll;
		for (size_t i = 0; i < ll; i++) {
			char c = s[i];
			o[n++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		s += ll + (dot ? 1 : 0);
	}
	o[n++] = 0;
	return n;
}

static int name_labels(const char *s)
{
	int n = *s ? 1 : 0;
	for (; *s; s++)
		n += *s == '.';
	return n;
}

static const char *qtype_name(uint16_t t)
{
	switch (t) {
	case T_A: return "A";
	case T_NS: return "NS";
	case T_CNAME: return "CNAME";
	case T_SOA: return "SOA";
	case T_MX: return "MX";
	case T_TXT: return "TXT";
	case T_AAAA: return "AAAA";
	case T_DS: return "DS";
	case T_DNSKEY: return "DNSKEY";
	case T_HTTPS: return "HTTPS";
	}
	return "?";
}

/* ---- ECDSA P-256 (deterministic nonce, so the output is reproducible) ---- */

static EC_GROUP *grp;
static BN_CTX *bnc;
static const BIGNUM *order;

static void sha256(const void *a, size_t al, const void *b, size_t bl, uint8_t out32[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int ol = 32;
	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, a, al) ||
	    (bl && !EVP_DigestUpdate(c, b, bl)) || !EVP_DigestFinal_ex(c, out32, &ol))
		abort();
	EVP_MD_CTX_free(c);
}

static void ec_init(void)
{
	grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	bnc = BN_CTX_new();
	if (!grp || !bnc)
		abort();
	order = EC_GROUP_get0_order(grp);
}

static void ec_key(uint64_t k, uint8_t priv[32], uint8_t pub[64])
{
	uint8_t in[16];
	put32(in, (uint32_t)(seed >> 32));
	put32(in + 4, (uint32_t)seed);
	put32(in + 8, (uint32_t)(k >> 32));
	put32(in + 12, (uint32_t)k);
	sha256("genload zone key", 16, in, 16, priv);
	BIGNUM *d = BN_bin2bn(priv, 32, NULL), *x = BN_new(), *y = BN_new();
	EC_POINT *P = EC_POINT_new(grp);
	if (!d || !x || !y || !P || !BN_nnmod(d, d, order, bnc))
		abort();
	if (BN_is_zero(d))
		BN_one(d);
	BN_bn2binpad(d, priv, 32);
	if (!EC_POINT_mul(grp, P, d, NULL, NULL, bnc) ||
	    !EC_POINT_get_affine_coordinates(grp, P, x, y, bnc))
		abort();
	BN_bn2binpad(x, pub, 32);
	BN_bn2binpad(y, pub + 32, 32);
	EC_POINT_free(P);
	BN_free(d);
	BN_free(x);
	BN_free(y);
}

/* r || s over SHA-256(data), k derived from the key and the digest. */
static void ec_sign(const uint8_t priv[32], const uint8_t *data, size_t len, uint8_t sig[64])
{
	uint8_t h[32], kb[32], in[68];
	sha256(data, len, NULL, 0, h);
	BIGNUM *e = BN_bin2bn(h, 32, NULL), *d = BN_bin2bn(priv, 32, NULL), *k = BN_new(),
	       *r = BN_new(), *s = BN_new(), *ki = BN_new(), *x = BN_new();
	EC_POINT *R = EC_POINT_new(grp);
	if (!e || !d || !k || !r || !s || !ki || !x || !R)
		abort();
	for (uint32_t ctr = 0;; ctr++) {
		memcpy(in, priv, 32);
		memcpy(in + 32, h, 32);
		put32(in + 64, ctr);
		sha256(in, sizeof(in), NULL, 0, kb);
		if (!BN_bin2bn(kb, 32, k) || !BN_nnmod(k, k, order, bnc) || BN_is_zero(k))
			continue;
		if (!EC_POINT_mul(grp, R, k, NULL, NULL, bnc) ||
		    !EC_POINT_get_affine_coordinates(grp, R, x, NULL, bnc) ||
		    !BN_nnmod(r, x, order, bnc))
			abort();
		if (BN_is_zero(r))
			continue;
		/* s = k^-1 (e + r d) mod n */
		if (!BN_mod_mul(s, r, d, order, bnc) || !BN_mod_add(s, s, e, order, bnc) ||
		    !BN_mod_inverse(ki, k, order, bnc) || !BN_mod_mul(s, s, ki, order, bnc))
			abort();
		if (!BN_is_zero(s))
			break;
	}
	BN_bn2binpad(r, sig, 32);
	BN_bn2binpad(s, sig + 32, 32);
	EC_POINT_free(R);
	BN_free(e);
	BN_free(d);
	BN_free(k);
	BN_free(r);
	BN_free(s);
	BN_free(ki);
	BN_free(x);
}

/* ---- the world ---- */

static const char *const tlds[NTLD + NBADTLD] = { "com", "net", "org",  "de",   "uk",
						  "io",  "nl",  "fr",   "jp",   "info",
						  "xyz", "dev", "app",  "br",   "eu",
						  "ca",  "lan", "home", "corp", "internal" };
static const char *const words[] = {
	"acme",  "blue",   "cloud",  "data",  "east",  "fast",   "green", "north",  "open", "prime",
	"quick", "river",  "smart",  "star",  "sun",   "terra",  "urban", "vista",  "west", "zen",
	"alpha", "bright", "city",   "delta", "echo",  "forest", "globe", "metro",  "nova", "ocean",
	"pixel", "rapid",  "silver", "tech",  "union", "value",  "wave",  "yellow", "mint", "orbit"
};
static const char *const hosts[] = { "www", "",  "api",    "mail", "cdn",
				     "img", "m", "static", "app",  "login" };
static const unsigned host_w[] = { 35, 15, 10, 5, 8, 7, 6, 6, 5, 3 };
#define NHOSTS 10

struct zone {
	char name[40];
	char label[24];
	uint8_t tld, fault, discard, sig, big, flaky, qmin_a, v6[2];
	int cname;
	uint32_t ttl, negttl, rtt[2];
	uint8_t priv[32], dnskey[68], ds[36];
	uint16_t tag;
};
static struct zone zones[NZ];
static double zcum[NZ];
static uint32_t tld_rtt[NTLD][4], root_rtt[13];
static int split;

static struct addr root_addr(int i)
{
	return i % 3 == 2 ? a6(0xfd0000ff, 0, (uint32_t)i + 1)
			  : a4(0xc6120000u | (uint32_t)(i + 1));
}

static struct addr tld_addr(int t, int j)
{
	uint32_t idx = (uint32_t)(t * 4 + j + 1);
	return j & 1 ? a6(0xfd00007d, 0, idx) : a4(0xc6120100u + idx);
}

static struct addr zone_addr(int z, int j)
{
	uint32_t idx = (uint32_t)(z * 2 + j + 1);
	return zones[z].v6[j] ? a6(0xfd00000a, 0, idx) : a4(0xac100000u + idx);
}

static const struct addr *res_up(const struct addr *srv) { return srv->v6 ? &res_u6 : &res_u4; }

static uint16_t key_tag(const uint8_t *rd, size_t len)
{
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rd[i] : (uint32_t)rd[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

static const uint32_t ttl_choices[] = { 30,  60,   60,   300,  300,   300,  600,
					900, 3600, 3600, 3600, 14400, 86400 };

static void world_init(void)
{
	static const int head[24] = { F_TIMEOUT, F_ICMP_PORT,  F_TC_RST,    F_SERVFAIL,
				      F_BOGUS,   F_FRAG,       F_REFUSED,   F_ICMP_ADMIN,
				      F_LAME,    F_TC_SILENT,  F_UNKNOWN,   F_POLICY,
				      F_TIMEOUT, F_ICMP_ADMIN, F_TC_SILENT, F_REFUSED,
				      F_BOGUS,   F_FRAG,       F_SERVFAIL,  F_ICMP_PORT,
				      F_LAME,    F_TC_RST,     F_TIMEOUT,   F_POLICY };
	double sum = 0;
	for (int z = 0; z < NZ; z++) {
		struct zone *Z = &zones[z];
		uint64_t h = hp(1, (uint64_t)z);
		int t;
		if (z < 8)
			t = 1; /* the CDN providers: edgeN.net */
		else {
			uint32_t r = (uint32_t)(h % 100);
			t = r < 45 ? 0 : r < 57 ? 1 : r < 67 ? 2 : 3 + (int)((h >> 8) % (NTLD - 3));
		}
		Z->tld = (uint8_t)t;
		if (z < 8)
			snprintf(Z->label, sizeof(Z->label), "edge%d", z);
		else
			snprintf(Z->label, sizeof(Z->label), "%s%d", words[(h >> 16) % 40], z);
		snprintf(Z->name, sizeof(Z->name), "%s.%s", Z->label, tlds[t]);
		Z->v6[0] = (h >> 24) % 10 < 3;
		Z->v6[1] = (h >> 28) % 10 < 3;
		Z->ttl =
		    z < 8 ? 60
			  : ttl_choices[(h >> 32) % (sizeof(ttl_choices) / sizeof(ttl_choices[0]))];
		Z->negttl = (h >> 40) % 3 == 0 ? 300 : (h >> 40) % 3 == 1 ? 900 : 3600;
		Z->rtt[0] = (uint32_t)(5000 + hp(2, (uint64_t)z) % 110000);
		Z->rtt[1] = (uint32_t)(5000 + hp(3, (uint64_t)z) % 110000);
		Z->qmin_a = (h >> 44) & 1;
		Z->cname = -1;
		/* faults: a list at popular ranks, then 2% of the tail */
		if (z >= 40 && z < 40 + 24 * 25 && (z - 40) % 25 == 0)
			Z->fault = (uint8_t)head[(z - 40) / 25];
		else if (z >= 700 && (h >> 48) % 1000 < 20)
			Z->fault = (uint8_t)(1 + (h >> 52) %
						     (F_UNKNOWN - 1)); /* not unknown, not policy */
		if (Z->fault == F_FRAG)
			Z->v6[0] = Z->v6[1] = 0;
		Z->discard = (Z->fault == F_TIMEOUT || Z->fault == F_TC_SILENT) && (h >> 60) % 2;
		if (Z->fault == F_BOGUS)
			Z->sig = 2;
		else if (!Z->fault && z >= 8 && (h >> 36) % 30 == 0)
			Z->sig = 1;
		Z->big = !Z->fault && (h >> 56) % 20 == 0;
		Z->flaky = !Z->fault && (h >> 12) % 25 == 0;
		if (Z->sig) {
			uint8_t pub[64], wire[64];
			ec_key((uint64_t)z, Z->priv, pub);
			put16(Z->dnskey, 257);
			Z->dnskey[2] = 3;
			Z->dnskey[3] = 13;
			memcpy(Z->dnskey + 4, pub, 64);
			Z->tag = key_tag(Z->dnskey, 68);
			put16(Z->ds, Z->tag);
			Z->ds[2] = 13;
			Z->ds[3] = 2;
			size_t wl = name_wire(Z->name, wire);
			sha256(wire, wl, Z->dnskey, 68, Z->ds + 4);
		}
		sum += 1.0 / (z + 1.0);
		zcum[z] = sum;
	}
	for (int z = 0; z < NZ; z++)
		zcum[z] /= sum;
	/* www and m of a quarter of the unsigned zones are CNAMEs: mostly to a
	 * CDN, some into a failing zone (never a policy one). */
	int nfail = 0, failz[64];
	for (int z = 0; z < 700; z++)
		if (zones[z].fault && zones[z].fault != F_POLICY && nfail < 64)
			failz[nfail++] = z;
	for (int z = 8; z < NZ; z++) {
		struct zone *Z = &zones[z];
		uint64_t h = hp(4, (uint64_t)z);
		if (Z->sig || Z->fault || h % 4)
			continue;
		Z->cname = (h >> 8) % 100 < 12 && nfail ? failz[(h >> 16) % (uint64_t)nfail]
							: (int)((h >> 24) % 8);
	}
	for (int t = 0; t < NTLD; t++)
		for (int j = 0; j < 4; j++)
			tld_rtt[t][j] = (uint32_t)(8000 + hp(5, (uint64_t)(t * 4 + j)) % 40000);
	for (int i = 0; i < 13; i++)
		root_rtt[i] = (uint32_t)(3000 + hp(6, (uint64_t)i) % 30000);
}

static int is_hnum(const char *h)
{
	if (h[0] != 'h' || !h[1])
		return 0;
	for (const char *p = h + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

enum { M_DATA, M_CNAME, M_NX, M_NODATA };

/* What zone z holds at host (the labels left of the zone name). */
static int model(int z, const char *host, uint16_t qtype, char *target, int *tz)
{
	const struct zone *Z = &zones[z];
	if (Z->cname >= 0 && (!strcmp(host, "www") || !strcmp(host, "m"))) {
		if (target) {
			snprintf(target, 256, "%s.%s", Z->label, zones[Z->cname].name);
			*tz = Z->cname;
		}
		return M_CNAME;
	}
	if (!host[0])
		return qtype == T_A || qtype == T_AAAA || qtype == T_MX || qtype == T_TXT ||
			       qtype == T_NS || qtype == T_HTTPS || (qtype == T_DNSKEY && Z->sig)
			   ? M_DATA
			   : M_NODATA;
	if (is_hnum(host) && hstr(host, (uint64_t)z) % 10 >= 7)
		return M_NX;
	if (qtype == T_A)
		return M_DATA;
	if (qtype == T_AAAA)
		return Z->sig || hstr(host, (uint64_t)z + 77) % 10 < 7 ? M_DATA : M_NODATA;
	if (qtype == T_HTTPS)
		return !strcmp(host, "www") && hstr(host, (uint64_t)z + 99) % 2 ? M_DATA : M_NODATA;
	return M_NODATA;
}

struct rrset {
	int n;
	uint16_t off[8], len[8];
	uint8_t buf[1600];
};

static void rs_add(struct rrset *s, const void *p, size_t len)
{
	size_t o = s->n ? (size_t)s->off[s->n - 1] + s->len[s->n - 1] : 0;
	if (s->n >= 8 || o + len > sizeof(s->buf))
		abort();
	memcpy(s->buf + o, p, len);
	s->off[s->n] = (uint16_t)o;
	s->len[s->n++] = (uint16_t)len;
}

/* The raw RRset (A, AAAA, TXT, HTTPS, DNSKEY) of name in zone z. */
static void make_rrset(struct rrset *s, int z, const char *name, uint16_t qtype)
{
	uint64_t h = hstr(name, 31 + qtype);
	s->n = 0;
	if (qtype == T_A) {
		int n = 1 + (int)(h % 3);
		for (int i = 0; i < n; i++) {
			uint8_t a[4] = { (uint8_t)(93 + (z % 7)), (uint8_t)(h >> 8),
					 (uint8_t)(h >> 16),
					 (uint8_t)((h >> 24) + (uint64_t)i * 17) };
			rs_add(s, a, 4);
		}
	} else if (qtype == T_AAAA) {
		int n = 1 + (int)(h % 2);
		for (int i = 0; i < n; i++) {
			uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, (uint8_t)(z >> 8), (uint8_t)z };
			put32(a + 8, (uint32_t)(h >> 16));
			put32(a + 12, (uint32_t)(h >> 40) + (uint32_t)i);
			rs_add(s, a, 16);
		}
	} else if (qtype == T_TXT) {
		uint8_t t[1400];
		size_t n = 0;
		int strings = zones[z].big ? 6 : 1;
		for (int i = 0; i < strings; i++) {
			int l = zones[z].big
				    ? 220
				    : snprintf((char *)t + n + 1, 200,
					       "v=spf1 include:_spf.%s ~all", zones[z].name);
			if (zones[z].big)
				for (int k = 0; k < l; k++)
					t[n + 1 + (size_t)k] = (uint8_t)('a' +
									 (h >> (k % 50)) % 26);
			t[n] = (uint8_t)l;
			n += 1 + (size_t)l;
		}
		rs_add(s, t, n);
	} else if (qtype == T_HTTPS) {
		static const uint8_t svcb[] = { 0, 1, 0, 0, 1, 0, 6, 2, 'h', '2', 2, 'h', '3' };
		rs_add(s, svcb, sizeof(svcb));
	} else if (qtype == T_DNSKEY) {
		rs_add(s, zones[z].dnskey, 68);
	}
}

/* Signatures made so far: the same RRset is signed once. */
struct sigc {
	uint64_t k;
	uint8_t sig[64];
};
static struct sigc sigs[1 << 16];
static unsigned long nsigs;

static const uint32_t sig_incept = (uint32_t)(T0 / SEC) - 7 * 86400,
		      sig_expire = (uint32_t)(T0 / SEC) + 30 * 86400;

static void put_rrsig(struct mb *m, int sec, int z, const char *owner, uint16_t type, uint32_t ttl,
		      const struct rrset *s)
{
	const struct zone *Z = &zones[z];
	uint8_t data[2400], ow[256], order_[8];
	size_t ol = name_wire(owner, ow), n = 0;
	put16(data, type);
	data[2] = 13;
	data[3] = (uint8_t)name_labels(owner);
	put32(data + 4, ttl);
	put32(data + 8, sig_expire);
	put32(data + 12, sig_incept);
	put16(data + 16, Z->tag);
	n = 18 + name_wire(Z->name, data + 18);
	/* the RRs in canonical order: by rdata */
	for (int i = 0; i < s->n; i++)
		order_[i] = (uint8_t)i;
	for (int i = 1; i < s->n; i++)
		for (int j = i; j > 0; j--) {
			int a = order_[j - 1], b = order_[j];
			size_t la = s->len[a], lb = s->len[b];
			int c = memcmp(s->buf + s->off[a], s->buf + s->off[b], la < lb ? la : lb);
			if (c > 0 || (c == 0 && la > lb)) {
				order_[j - 1] = (uint8_t)b;
				order_[j] = (uint8_t)a;
			}
		}
	for (int i = 0; i < s->n; i++) {
		int k = order_[i];
		memcpy(data + n, ow, ol);
		n += ol;
		put16(data + n, type);
		put16(data + n + 2, 1);
		put32(data + n + 4, ttl);
		put16(data + n + 8, s->len[k]);
		n += 10;
		memcpy(data + n, s->buf + s->off[k], s->len[k]);
		n += s->len[k];
	}
	uint64_t key = mix64(hstr(owner, type) ^ (uint64_t)z * 0x9e3779b97f4a7c15ULL) | 1;
	for (int i = 0; i < s->n; i++)
		key = mix64(key ^ hstr("", s->buf[s->off[i]] | (uint64_t)s->len[i] << 8));
	key |= 1;
	size_t slot = key & ((1u << 16) - 1);
	while (sigs[slot].k && sigs[slot].k != key)
		slot = (slot + 1) & ((1u << 16) - 1);
	if (!sigs[slot].k) {
		if (nsigs > (1u << 15))
			abort();
		sigs[slot].k = key;
		ec_sign(Z->priv, data, n, sigs[slot].sig);
		nsigs++;
	}
	size_t st = mb_rr(m, sec, owner, T_RRSIG, ttl);
	mb_bytes(m, data, 18);
	mb_name(m, Z->name, 0);
	uint8_t sig[64];
	memcpy(sig, sigs[slot].sig, 64);
	if (Z->sig == 2 && type != T_DNSKEY)
		sig[17] ^= 0x5a; /* the bogus zone: one byte of the signature changed */
	mb_bytes(m, sig, 64);
	mb_rr_end(m, st);
}

static void put_soa(struct mb *m, int sec, const char *zone, uint32_t negttl)
{
	char mname[64], rname[64];
	snprintf(mname, sizeof(mname), zone[0] ? "ns1.%s" : "a.root-servers.net", zone);
	snprintf(rname, sizeof(rname), zone[0] ? "hostmaster.%s" : "nstld.verisign-grs.com", zone);
	size_t st = mb_rr(m, sec, zone, T_SOA, negttl);
	mb_name(m, mname, 1);
	mb_name(m, rname, 1);
	mb_u32(m, 2026010100);
	mb_u32(m, 3600);
	mb_u32(m, 900);
	mb_u32(m, 604800);
	mb_u32(m, negttl);
	mb_rr_end(m, st);
}

/* The data RRs of (owner in zone z, qtype) into the answer section. */
static void put_data(struct mb *m, int z, const char *owner, uint16_t qtype, uint32_t ttl, int sign)
{
	const struct zone *Z = &zones[z];
	if (qtype == T_MX || qtype == T_NS) {
		for (int i = 0; i < (qtype == T_MX ? 1 : 2); i++) {
			char t[80];
			if (qtype == T_MX)
				snprintf(t, sizeof(t), "mail.%s", Z->name);
			else
				snprintf(t, sizeof(t), "ns%d.%s", i + 1, Z->name);
			size_t st = mb_rr(m, 1, owner, qtype, ttl);
			if (qtype == T_MX)
				mb_u16(m, 10);
			mb_name(m, t, 1);
			mb_rr_end(m, st);
		}
		return;
	}
	struct rrset s;
	make_rrset(&s, z, owner, qtype);
	for (int i = 0; i < s.n; i++) {
		size_t st = mb_rr(m, 1, owner, qtype, ttl);
		mb_bytes(m, s.buf + s.off[i], s.len[i]);
		mb_rr_end(m, st);
	}
	if (sign && Z->sig)
		put_rrsig(m, 1, z, owner, qtype, ttl, &s);
}

/* ---- names the clients ask ---- */

struct qn {
	char name[256];
	char host[64];
	int z;   /* zone index; -1: a zone that does not exist */
	int tld; /* >= NTLD: a TLD that does not exist */
	char zname[96];
};

static void qn_make(struct qn *q, const char *host, int z)
{
	q->z = z;
	q->tld = zones[z].tld;
	snprintf(q->host, sizeof(q->host), "%s", host);
	snprintf(q->zname, sizeof(q->zname), "%s", zones[z].name);
	if (host[0])
		snprintf(q->name, sizeof(q->name), "%s.%s", host, zones[z].name);
	else
		snprintf(q->name, sizeof(q->name), "%s", zones[z].name);
}

/* ---- the resolver's cache: answers, delegations, held-down zones, keys ---- */

struct ce {
	uint64_t key, from, until;
	uint32_t ttl;
	uint8_t st, fault, noans, pad;
};
static struct ce *cache;
static size_t cache_cap, cache_n;

static uint64_t ck(char tag, const char *s, uint16_t qtype)
{
	return hstr(s, (uint64_t)tag << 16 | qtype) | 1;
}

static struct ce *cfind(uint64_t key)
{
	size_t i = key & (cache_cap - 1);
	while (cache[i].key) {
		if (cache[i].key == key)
			return &cache[i];
		i = (i + 1) & (cache_cap - 1);
	}
	return NULL;
}

static void cache_rebuild(uint64_t now)
{
	struct ce *old = cache;
	size_t oc = cache_cap, live = 0;
	for (size_t i = 0; i < oc; i++)
		live += old[i].key && old[i].until > now;
	size_t nc = 1 << 16;
	while (nc < live * 4)
		nc *= 2;
	cache = calloc(nc, sizeof(*cache));
	if (!cache)
		abort();
	cache_cap = nc;
	cache_n = 0;
	for (size_t i = 0; i < oc; i++)
		if (old[i].key && old[i].until > now) {
			size_t j = old[i].key & (nc - 1);
			while (cache[j].key)
				j = (j + 1) & (nc - 1);
			cache[j] = old[i];
			cache_n++;
		}
	free(old);
}

static uint64_t now_us; /* the current client query's time */

static struct ce *cset(uint64_t key, uint64_t from, uint64_t until, int st, uint32_t ttl, int fault,
		       int noans)
{
	struct ce *e = cfind(key);
	if (!e) {
		if ((cache_n + 1) * 2 > cache_cap)
			cache_rebuild(now_us);
		size_t i = key & (cache_cap - 1);
		while (cache[i].key)
			i = (i + 1) & (cache_cap - 1);
		e = &cache[i];
		cache_n++;
	}
	e->key = key;
	e->from = from;
	e->until = until;
	e->st = (uint8_t)st;
	e->ttl = ttl;
	e->fault = (uint8_t)fault;
	e->noans = (uint8_t)noans;
	return e;
}

/* ---- upstream queries ---- */

static unsigned long n_up_udp, n_up_tcp, n_icmp, n_frag, n_mixcase;

struct uq {
	struct addr srv;
	const struct addr *src;
	uint16_t id, port, qtype;
	char qn[256];
	uint8_t ip[1600]; /* the query as sent (IP packet) */
	size_t iplen;
};

static uint64_t jit(uint32_t rtt) { return rtt + rndu(rtt / 10 + 1); }
static uint64_t proc(void) { return 15 + rndu(60); }

static void uq_send(struct uq *u, uint64_t t, const struct addr *srv, const char *qname,
		    uint16_t qtype)
{
	u->srv = *srv;
	u->src = res_up(srv);
	u->id = (uint16_t)rndu(65536);
	u->port = (uint16_t)(1024 + rndu(64512));
	u->qtype = qtype;
	snprintf(u->qn, sizeof(u->qn), "%s", qname);
	if (rndu(4) == 0) { /* 0x20 */
		for (char *p = u->qn; *p; p++)
			if (*p >= 'a' && *p <= 'z' && rndu(2))
				*p = (char)(*p - 32);
		n_mixcase++;
	}
	struct mb m;
	mb_init(&m, u->id, 0x0000);
	mb_question(&m, u->qn, qtype);
	mb_opt(&m, 1, 0);
	size_t l = mb_done(&m);
	u->iplen = udp_build(u->ip, u->src, u->port, srv, 53, m.b, l, 0);
	push_ip(t, u->ip, u->iplen);
	n_up_udp++;
}

static void uq_reply(const struct uq *u, uint64_t t, const uint8_t *msg, size_t len)
{
	send_udp(t, &u->srv, 53, u->src, u->port, msg, len);
}

/* The reply's header and question for u. */
static void reply_init(struct mb *m, const struct uq *u, uint16_t flags)
{
	mb_init(m, u->id, flags);
	mb_question(m, u->qn, u->qtype);
}

/* A referral from the root to TLD t, or NXDOMAIN for a TLD that does not exist. */
static uint64_t ask_root(uint64_t t, int tld, int *nx)
{
	int s = (int)rndu(13);
	struct addr a = root_addr(s);
	struct uq u;
	uq_send(&u, t, &a, tlds[tld], T_NS);
	struct mb m;
	uint64_t done = t + jit(root_rtt[s]);
	if (tld >= NTLD) {
		reply_init(&m, &u, 0x8403);
		put_soa(&m, 2, "", 86400);
		*nx = 1;
	} else {
		reply_init(&m, &u, 0x8000);
		char ns[4][64];
		for (int j = 0; j < 4; j++) {
			snprintf(ns[j], sizeof(ns[j]), "%c.nic.%s", 'a' + j, tlds[tld]);
			size_t st = mb_rr(&m, 2, tlds[tld], T_NS, 172800);
			mb_name(&m, ns[j], 1);
			mb_rr_end(&m, st);
		}
		for (int j = 0; j < 4; j++) {
			struct addr g = tld_addr(tld, j);
			size_t st = mb_rr(&m, 3, ns[j], g.v6 ? T_AAAA : T_A, 172800);
			mb_bytes(&m, g.a, g.v6 ? 16 : 4);
			mb_rr_end(&m, st);
		}
		*nx = 0;
	}
	mb_opt(&m, 1, 0);
	uq_reply(&u, done, m.b, mb_done(&m));
	return done;
}

static uint64_t need_tld(uint64_t t, int tld, int *nx)
{
	uint64_t k = ck('D', tlds[tld], 0);
	struct ce *e = cfind(k);
	if (e && e->until > t) {
		*nx = e->st == ST_NX;
		return (e->from > t ? e->from : t) + proc();
	}
	uint64_t done = ask_root(t, tld, nx);
	cset(k, done, done + (*nx ? 86400 : 172800) * SEC, *nx ? ST_NX : ST_OK, 0, 0, 0);
	return done + proc();
}

/* The delegation of zname (zone z, or -1: none) from its TLD. */
static uint64_t need_zone(uint64_t t, int tld, const char *zname, int z, int *nx, uint64_t nx_ttl)
{
	uint64_t k = ck('D', zname, 0);
	struct ce *e = cfind(k);
	if (e && e->until > t) {
		*nx = e->st == ST_NX;
		return (e->from > t ? e->from : t) + proc();
	}
	t = need_tld(t, tld, nx);
	int s = (int)rndu(4);
	struct addr a = tld_addr(tld, s);
	struct uq u;
	uq_send(&u, t, &a, zname, z >= 0 && zones[z].qmin_a ? T_A : T_NS);
	uint64_t done = t + jit(tld_rtt[tld][s]);
	struct mb m;
	if (z < 0) {
		reply_init(&m, &u, 0x8403);
		put_soa(&m, 2, tlds[tld], 900);
		*nx = 1;
	} else {
		const struct zone *Z = &zones[z];
		reply_init(&m, &u, 0x8000);
		char ns[2][96];
		for (int j = 0; j < 2; j++) {
			if (Z->fault == F_LAME)
				snprintf(ns[j], sizeof(ns[j]), "ns%d.%s-dns.net", j + 1, Z->label);
			else
				snprintf(ns[j], sizeof(ns[j]), "ns%d.%s", j + 1, Z->name);
			size_t st = mb_rr(&m, 2, Z->name, T_NS, 172800);
			mb_name(&m, ns[j], 1);
			mb_rr_end(&m, st);
		}
		if (Z->sig) {
			size_t st = mb_rr(&m, 2, Z->name, T_DS, 86400);
			mb_bytes(&m, Z->ds, 36);
			mb_rr_end(&m, st);
		}
		if (Z->fault != F_LAME)
			for (int j = 0; j < 2; j++) {
				struct addr g = zone_addr(z, j);
				size_t st = mb_rr(&m, 3, ns[j], g.v6 ? T_AAAA : T_A, 172800);
				mb_bytes(&m, g.a, g.v6 ? 16 : 4);
				mb_rr_end(&m, st);
			}
		*nx = 0;
	}
	mb_opt(&m, 1, 0);
	uq_reply(&u, done, m.b, mb_done(&m));
	cset(k, done, *nx ? done + (nx_ttl ? nx_ttl : 900 * SEC) : done + 86400 * SEC,
	     *nx ? ST_NX : ST_OK, 0, 0, 0);
	return done + proc();
}

/* The zone's DNSKEY set, asked once per TTL. */
static uint64_t need_dnskey(uint64_t t, int z, int s)
{
	const struct zone *Z = &zones[z];
	uint64_t k = ck('K', Z->name, 0);
	struct ce *e = cfind(k);
	if (e && e->until > t)
		return (e->from > t ? e->from : t) + proc();
	struct addr a = zone_addr(z, s);
	struct uq u;
	uq_send(&u, t, &a, Z->name, T_DNSKEY);
	uint64_t done = t + jit(Z->rtt[s]);
	struct mb m;
	reply_init(&m, &u, 0x8400);
	put_data(&m, z, Z->name, T_DNSKEY, 3600, 1);
	mb_opt(&m, 1, 0);
	uq_reply(&u, done, m.b, mb_done(&m));
	cset(k, done, done + 3600 * SEC, ST_OK, 3600, 0, 0);
	return done + proc();
}

/* The authoritative reply of zone z to u (mode: 0 normal, 1 TC, rcode otherwise). */
static size_t zone_reply(struct mb *m, const struct uq *u, int z, const char *host, int rcode,
			 int tc)
{
	const struct zone *Z = &zones[z];
	if (rcode) {
		reply_init(m, u, (uint16_t)(0x8000 | rcode));
		mb_opt(m, 1, 0);
		return mb_done(m);
	}
	if (tc) {
		reply_init(m, u, 0x8600);
		mb_opt(m, 1, 0);
		return mb_done(m);
	}
	char target[256];
	int tz = -1;
	int r = model(z, host, u->qtype, target, &tz);
	reply_init(m, u, (uint16_t)(0x8400 | (r == M_NX ? 3 : 0)));
	if (r == M_DATA) {
		put_data(m, z, u->qn, u->qtype, Z->ttl, 1);
	} else if (r == M_CNAME) {
		size_t st = mb_rr(m, 1, u->qn, T_CNAME, Z->ttl);
		mb_name(m, target, 1);
		mb_rr_end(m, st);
	} else {
		put_soa(m, 2, Z->name, Z->negttl);
	}
	return 0;
}

/* Sends u's answer at t over UDP (or TC=1 then TCP when it is too large);
 * returns when the resolver has it. */
static uint64_t zone_answer(struct uq *u, uint64_t t, int z, const char *host, int s)
{
	const struct zone *Z = &zones[z];
	struct mb m;
	zone_reply(&m, u, z, host, 0, 0);
	size_t pad = 0;
	if (Z->fault == F_FRAG && m.n + 11 < 1200)
		pad = 1200 - m.n - 15;
	mb_opt(&m, 1, pad);
	size_t l = mb_done(&m);
	if (Z->fault == F_FRAG) {
		uint8_t ip[1600];
		udp_build(ip, &u->srv, 53, u->src, u->port, m.b, l, FRAG_MTU - 20);
		push_ip(t, ip, FRAG_MTU);
		n_frag++;
		return t;
	}
	if (l <= EDNS_SIZE) {
		uq_reply(u, t, m.b, l);
		return t;
	}
	/* too large: TC=1, then the same question over TCP */
	struct mb tcm;
	zone_reply(&tcm, u, z, host, 0, 1);
	uq_reply(u, t, tcm.b, mb_done(&tcm));
	uint64_t rtt = Z->rtt[s];
	uint32_t cs = (uint32_t)rnd(), ss = (uint32_t)rnd();
	uint16_t port = (uint16_t)(1024 + rndu(64512)), id = (uint16_t)rndu(65536);
	t += proc();
	const struct addr *src = u->src, *dst = &u->srv;
	send_tcp(t, src, port, dst, 53, cs, 0, 0x02, NULL, 0);
	send_tcp(t + jit((uint32_t)rtt), dst, 53, src, port, ss, cs + 1, 0x12, NULL, 0);
	t += rtt + rtt / 10 + 20;
	send_tcp(t, src, port, dst, 53, cs + 1, ss + 1, 0x10, NULL, 0);
	struct mb q;
	mb_init(&q, id, 0);
	mb_question(&q, u->qn, u->qtype);
	mb_opt(&q, 1, 0);
	uint8_t seg[1600];
	size_t ql = mb_done(&q);
	put16(seg, (uint32_t)ql);
	memcpy(seg + 2, q.b, ql);
	send_tcp(t + 5, src, port, dst, 53, cs + 1, ss + 1, 0x18, seg, ql + 2);
	put16(m.b, id);
	put16(seg, (uint32_t)l);
	memcpy(seg + 2, m.b, l);
	uint64_t at = t + 5 + jit((uint32_t)rtt);
	send_tcp(at, dst, 53, src, port, ss + 1, cs + 1 + (uint32_t)ql + 2, 0x18, seg, l + 2);
	uint32_t cfin = cs + 1 + (uint32_t)ql + 2, sfin = ss + 1 + (uint32_t)l + 2;
	send_tcp(at + 40, src, port, dst, 53, cfin, sfin, 0x11, NULL, 0);
	send_tcp(at + 40 + jit((uint32_t)rtt), dst, 53, src, port, sfin, cfin + 1, 0x11, NULL, 0);
	send_tcp(at + 60 + rtt + rtt / 10 + 1, src, port, dst, 53, cfin + 1, sfin + 1, 0x10, NULL,
		 0);
	n_up_tcp++;
	return at;
}

/* One TCP attempt after TC=1 that fails: RST, or SYNs never answered. */
static uint64_t tcp_fail(uint64_t t, const struct uq *u, uint32_t rtt, int rst)
{
	uint32_t cs = (uint32_t)rnd();
	uint16_t port = (uint16_t)(1024 + rndu(64512));
	send_tcp(t, u->src, port, &u->srv, 53, cs, 0, 0x02, NULL, 0);
	n_up_tcp++;
	if (rst) {
		uint64_t at = t + jit(rtt);
		send_tcp(at, &u->srv, 53, u->src, port, 0, cs + 1, 0x14, NULL, 0);
		return at + proc();
	}
	send_tcp(t + 1 * SEC, u->src, port, &u->srv, 53, cs, 0, 0x02, NULL, 0);
	return t + 2 * SEC;
}

static const struct addr *firewall(int v6)
{
	static struct addr f4, f6;
	f4 = a4(0xac1ffffe);
	f6 = a6(0xfd00000a, 0xffff, 0xfffe);
	return v6 ? &f6 : &f4;
}

/* The resolver asks zone q->z's servers for (q->name, qtype); returns when
 * it knows the outcome: *st, or *fault (the zone's) when it failed. */
static uint64_t ask_zone(uint64_t t, const struct qn *q, uint16_t qtype, int *st, int *fault)
{
	int z = q->z;
	const struct zone *Z = &zones[z];
	int s = (int)rndu(2), f = Z->fault;
	struct uq u;
	struct mb m;
	*fault = F_NONE;
	*st = ST_FAIL;
	if (f == F_LAME) {
		/* the NS names live in a zone that does not exist */
		char nz[64];
		int nx;
		snprintf(nz, sizeof(nz), "%s-dns.net", Z->label);
		t = need_zone(t, 1, nz, -1, &nx, HOLD - MS);
		*fault = f;
		return t;
	}
	if (Z->sig)
		t = need_dnskey(t, z, s);
	switch (f) {
	case F_SERVFAIL:
	case F_REFUSED:
		for (int i = 0; i < 2; i++, s ^= 1) {
			struct addr a = zone_addr(z, s);
			uq_send(&u, t, &a, q->name, qtype);
			size_t l = zone_reply(&m, &u, z, q->host, f == F_SERVFAIL ? 2 : 5, 0);
			t += jit(Z->rtt[s]);
			uq_reply(&u, t, m.b, l);
			t += proc();
		}
		break;
	case F_TIMEOUT: {
		static const uint64_t at[4] = { 0, 400 * MS, 1200 * MS, 2000 * MS };
		for (int i = 0; i < 4; i++, s ^= 1) {
			struct addr a = zone_addr(z, s);
			uq_send(&u, t + at[i], &a, q->name, qtype);
		}
		t += 3200 * MS;
		break;
	}
	case F_ICMP_PORT:
	case F_ICMP_ADMIN:
		for (int i = 0; i < 2; i++, s ^= 1) {
			struct addr a = zone_addr(z, s);
			uq_send(&u, t, &a, q->name, qtype);
			uint64_t ta = t + jit(Z->rtt[s] / (f == F_ICMP_ADMIN ? 3 : 1));
			send_icmp(ta, f == F_ICMP_ADMIN ? firewall(a.v6) : &a, u.src,
				  f == F_ICMP_ADMIN, u.ip, u.iplen);
			n_icmp++;
			t = ta + proc();
		}
		break;
	case F_TC_RST:
	case F_TC_SILENT:
		for (int i = 0; i < 2; i++, s ^= 1) {
			struct addr a = zone_addr(z, s);
			uq_send(&u, t, &a, q->name, qtype);
			size_t l = zone_reply(&m, &u, z, q->host, 0, 1);
			t += jit(Z->rtt[s]);
			uq_reply(&u, t, m.b, l);
			t = tcp_fail(t + proc(), &u, Z->rtt[s], f == F_TC_RST);
		}
		break;
	case F_FRAG: {
		static const uint64_t at[3] = { 0, 400 * MS, 1200 * MS };
		for (int i = 0; i < 3; i++, s ^= 1) {
			struct addr a = zone_addr(z, s);
			uq_send(&u, t + at[i], &a, q->name, qtype);
			zone_answer(&u, t + at[i] + jit(Z->rtt[s]), z, q->host, s);
		}
		t += 2000 * MS;
		break;
	}
	default: { /* answers: healthy, bogus (asked of both servers), or a SERVFAIL anyway */
		if (Z->flaky && s == 0) { /* the first server is silent today */
			struct addr a = zone_addr(z, 0);
			uq_send(&u, t, &a, q->name, qtype);
			t += 400 * MS;
			s = 1;
		}
		for (int i = 0; i < (f == F_BOGUS ? 2 : 1); i++, s ^= 1) {
			struct addr a = zone_addr(z, s);
			uq_send(&u, t, &a, q->name, qtype);
			t = zone_answer(&u, t + jit(Z->rtt[s]), z, q->host, s);
			t += proc();
		}
		if (f == F_NONE) {
			int r = model(z, q->host, qtype, NULL, NULL);
			*st = r == M_NX ? ST_NX : r == M_NODATA ? ST_NODATA : ST_OK;
			return t;
		}
	}
	}
	*fault = f;
	return t;
}

/* ---- the resolver ---- */

struct res {
	uint64_t done;
	int st, fault, via, noans;
	uint32_t ttl;
};

static uint64_t fc_ttl(int fault) { return fault == F_BOGUS ? BOGUS_TTL : FC_TTL; }

static void resolve(uint64_t t, const struct qn *q, uint16_t qtype, int depth, struct res *r)
{
	memset(r, 0, sizeof(*r));
	const struct zone *Z = q->z >= 0 ? &zones[q->z] : NULL;
	if (Z && Z->fault == F_POLICY) {
		r->st = ST_FAIL;
		r->fault = F_POLICY;
		r->done = t + proc();
		return;
	}
	uint64_t key = ck('A', q->name, qtype);
	struct ce *e = cfind(key);
	if (e && e->until > t) {
		r->st = e->st;
		r->fault = e->fault;
		r->ttl = e->ttl;
		if (e->from > t) { /* in flight: the same answer, at the same moment */
			r->done = e->from;
			r->via = V_COALESCED;
			r->noans = e->noans;
			return;
		}
		r->done = t + proc();
		if (e->st == ST_FAIL)
			r->via = V_FCACHE;
		else
			r->ttl = e->ttl - (uint32_t)((t - e->from) / SEC);
		return;
	}
	int nx = 0;
	if (q->tld >= NTLD) {
		r->done = need_tld(t, q->tld, &nx);
		r->st = ST_NX;
		r->ttl = 3600;
		cset(key, r->done, r->done + 3600 * SEC, ST_NX, 3600, 0, 0);
		return;
	}
	if (Z) {
		struct ce *h = cfind(ck('H', Z->name, 0));
		if (h && h->from <= t && h->until > t) {
			r->st = ST_FAIL;
			r->fault = h->fault;
			r->via = V_HELD;
			r->done = t + proc();
			return;
		}
	}
	t = need_zone(t, q->tld, q->zname, q->z, &nx, 0);
	if (nx) {
		r->st = ST_NX;
		r->done = t;
		r->ttl = 900;
		cset(key, t, t + 900 * SEC, ST_NX, 900, 0, 0);
		return;
	}
	char target[256];
	int tz = -1, st, fault;
	if (model(q->z, q->host, qtype, target, &tz) == M_CNAME && depth < 4) {
		uint64_t k2 = ck('A', q->name, T_CNAME);
		struct ce *c = cfind(k2);
		if (c && c->until > t) {
			t = (c->from > t ? c->from : t) + proc();
		} else {
			t = ask_zone(t, q, qtype, &st, &fault);
			if (fault)
				goto failed;
			cset(k2, t, t + Z->ttl * SEC, ST_OK, Z->ttl, 0, 0);
		}
		struct qn tq;
		qn_make(&tq, Z->label, tz);
		resolve(t, &tq, qtype, depth + 1, r);
		if (r->st == ST_FAIL) {
			if (r->via == V_UPSTREAM)
				cset(key, r->done, r->done + fc_ttl(r->fault), ST_FAIL, 0, r->fault,
				     r->noans);
		} else {
			uint32_t ttl = r->ttl < Z->ttl ? r->ttl : Z->ttl;
			cset(key, r->done, r->done + ttl * SEC, r->st, ttl, 0, 0);
		}
		return;
	}
	t = ask_zone(t, q, qtype, &st, &fault);
	if (fault) {
	failed:
		r->done = t;
		r->st = ST_FAIL;
		r->fault = fault;
		r->via = V_UPSTREAM;
		r->noans = Z->discard;
		cset(key, t, t + fc_ttl(fault), ST_FAIL, 0, fault, r->noans);
		if (f_holds(fault))
			cset(ck('H', Z->name, 0), t, t + HOLD, ST_FAIL, 0, fault, 0);
		return;
	}
	r->done = t;
	r->st = st;
	r->ttl = st == ST_OK ? Z->ttl : Z->negttl;
	cset(key, t, t + r->ttl * SEC, st, r->ttl, 0, 0);
}

/* ---- clients ---- */

static FILE *truth;
static unsigned long n_cq, n_cq_tcp, n_cq_v6, n_sf, n_noans, n_nx;
static unsigned long n_fault[F_N], n_via[V_N];
static uint64_t *ends;
static size_t ends_n, ends_cap, inflight_max;
static double inflight_sum;

static void ends_push(uint64_t v)
{
	if (ends_n == ends_cap) {
		ends_cap = ends_cap ? ends_cap * 2 : 4096;
		uint64_t *ne = realloc(ends, ends_cap * sizeof(*ends));
		if (!ne)
			abort();
		ends = ne;
	}
	size_t i = ends_n++;
	while (i && ends[(i - 1) / 2] > v) {
		ends[i] = ends[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	ends[i] = v;
}

static void ends_pop_until(uint64_t t)
{
	while (ends_n && ends[0] <= t) {
		uint64_t last = ends[--ends_n];
		size_t i = 0;
		for (;;) {
			size_t c = 2 * i + 1;
			if (c >= ends_n)
				break;
			if (c + 1 < ends_n && ends[c + 1] < ends[c])
				c++;
			if (ends[c] >= last)
				break;
			ends[i] = ends[c];
			i = c;
		}
		if (ends_n)
			ends[i] = last;
	}
}

static struct addr client_addr(uint32_t i)
{
	return i < NC4 ? a4(0x0a010000u + (i / 250) * 256 + i % 250 + 2)
		       : a6(0xfd0000c1, 0, i - NC4 + 2);
}

static int zipf_zone(void)
{
	double u = rndf();
	int lo = 0, hi = NZ - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (zcum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint16_t pick_qtype(void)
{
	uint32_t r = rndu(100);
	return r < 55   ? T_A
	       : r < 85 ? T_AAAA
	       : r < 91 ? T_HTTPS
	       : r < 94 ? T_MX
	       : r < 98 ? T_TXT
			: T_NS;
}

static void pick_name(struct qn *q, uint16_t *qtype)
{
	uint32_t r = rndu(1000);
	*qtype = pick_qtype();
	if (r < 5) { /* a TLD that does not exist */
		q->z = -1;
		q->tld = NTLD + (int)rndu(NBADTLD);
		q->zname[0] = 0;
		uint32_t w = rndu(40),
			 k = rndu(
			     50); /* one at a time: the order is the same with every compiler */
		snprintf(q->host, sizeof(q->host), "%s%u", words[w], k);
		snprintf(q->name, sizeof(q->name), "%s.%s", q->host, tlds[q->tld]);
		return;
	}
	if (r < 15) { /* a zone that does not exist */
		q->z = -1;
		q->tld = rndu(2) ? 0 : (int)rndu(NTLD);
		uint32_t w = rndu(40), k = NZ + rndu(200000);
		snprintf(q->zname, sizeof(q->zname), "%s%u.%s", words[w], k, tlds[q->tld]);
		snprintf(q->host, sizeof(q->host), "www");
		snprintf(q->name, sizeof(q->name), "www.%s", q->zname);
		return;
	}
	int z = zipf_zone();
	char host[64];
	if (zones[z].sig || rndu(100) < 78) {
		uint32_t w = rndu(100), k = 0;
		while (w >= host_w[k]) {
			w -= host_w[k];
			k++;
		}
		snprintf(host, sizeof(host), "%s", hosts[k]);
	} else {
		snprintf(host, sizeof(host), "h%u", rndu(200000));
	}
	qn_make(q, host, z);
	int tz = -1;
	char target[256];
	if (zones[z].sig || (model(z, host, *qtype, target, &tz) == M_CNAME && zones[tz].sig))
		*qtype = rndu(3) ? T_A : T_AAAA;
}

static void iso_time(uint64_t t, char *buf, size_t n)
{
	time_t s = (time_t)(t / SEC);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + l, n - l, ".%06uZ", (unsigned)(t % SEC));
}

static size_t client_reply(struct mb *m, uint16_t id, const struct qn *q, uint16_t qtype,
			   const struct res *r, int edns)
{
	int rc = r->st == ST_FAIL ? 2 : r->st == ST_NX ? 3 : 0;
	mb_init(m, id, (uint16_t)(0x8180 | rc));
	mb_question(m, q->name, qtype);
	if (r->st != ST_FAIL) {
		int cz = q->z;
		const char *owner = q->name;
		char target[256];
		int tz = -1;
		if (cz >= 0 && model(cz, q->host, qtype, target, &tz) == M_CNAME) {
			size_t st = mb_rr(m, 1, q->name, T_CNAME, r->ttl);
			mb_name(m, target, 1);
			mb_rr_end(m, st);
			cz = tz;
			owner = target;
		}
		if (r->st == ST_OK)
			put_data(m, cz, owner, qtype, r->ttl, 0);
		else
			put_soa(m, 2,
				cz >= 0          ? zones[cz].name
				: q->tld >= NTLD ? ""
						 : tlds[q->tld],
				r->ttl);
	}
	if (edns)
		mb_opt(m, 0, 0);
	return mb_done(m);
}

static void client_query(uint64_t t)
{
	uint32_t ci = rndu(100) < 25 ? rndu(40) : rndu(NC4 + NC6);
	struct addr c = client_addr(ci);
	const struct addr *res = c.v6 ? &res_c6 : &res_c4;
	int tcp = rndu(1000) < 10, edns = rndu(10) < 7;
	uint16_t port = (uint16_t)(1024 + rndu(64512)), id = (uint16_t)rndu(65536), qtype;
	struct qn q;
	pick_name(&q, &qtype);
	struct mb m;
	mb_init(&m, id, 0x0100);
	mb_question(&m, q.name, qtype);
	if (edns)
		mb_opt(&m, 0, 0);
	size_t ql = mb_done(&m);
	uint64_t tq = t, crtt = 150 + rndu(400);
	uint32_t cs = (uint32_t)rnd(), ss = (uint32_t)rnd();
	uint8_t seg[1600];
	if (tcp) {
		send_tcp(t, &c, port, res, 53, cs, 0, 0x02, NULL, 0);
		send_tcp(t + 20, res, 53, &c, port, ss, cs + 1, 0x12, NULL, 0);
		send_tcp(t + crtt, &c, port, res, 53, cs + 1, ss + 1, 0x10, NULL, 0);
		tq = t + crtt + 10;
		put16(seg, (uint32_t)ql);
		memcpy(seg + 2, m.b, ql);
		send_tcp(tq, &c, port, res, 53, cs + 1, ss + 1, 0x18, seg, ql + 2);
		n_cq_tcp++;
	} else {
		send_udp(t, &c, port, res, 53, m.b, ql);
	}
	n_cq++;
	n_cq_v6 += c.v6;
	struct res r;
	resolve(tq + proc(), &q, qtype, 0, &r);
	uint64_t end = r.done;
	if (r.st == ST_FAIL) {
		char ts[40], ca[64];
		iso_time(tq, ts, sizeof(ts));
		addr_str(&c, ca, sizeof(ca));
		fprintf(truth, "%s\t%s\t%u\t%u\t%s\t%s.\t%s\t%s\t%s\t%s\t%s\n", ts, ca, port, id,
			tcp ? "tcp" : "udp", q.name, qtype_name(qtype),
			r.noans ? "no-answer" : "SERVFAIL", f_cause[r.fault], f_detail[r.fault],
			via_name[r.via]);
		n_fault[r.fault]++;
		n_via[r.via]++;
		if (r.noans)
			n_noans++;
		else
			n_sf++;
	} else if (r.st == ST_NX) {
		n_nx++;
	}
	if (!r.noans) {
		size_t l = client_reply(&m, id, &q, qtype, &r, edns);
		if (tcp) {
			put16(seg, (uint32_t)l);
			memcpy(seg + 2, m.b, l);
			uint32_t cend = cs + 1 + (uint32_t)ql + 2, send_ = ss + 1 + (uint32_t)l + 2;
			send_tcp(r.done, res, 53, &c, port, ss + 1, cend, 0x18, seg, l + 2);
			send_tcp(r.done + crtt, &c, port, res, 53, cend, send_, 0x11, NULL, 0);
			send_tcp(r.done + crtt + 30, res, 53, &c, port, send_, cend + 1, 0x11, NULL,
				 0);
			send_tcp(r.done + 2 * crtt + 30, &c, port, res, 53, cend + 1, send_ + 1,
				 0x10, NULL, 0);
		} else {
			send_udp(r.done, res, 53, &c, port, m.b, l);
		}
	} else if (tcp) { /* the client gives up and closes */
		uint32_t cend = cs + 1 + (uint32_t)ql + 2;
		end = tq + 5 * SEC;
		send_tcp(end, &c, port, res, 53, cend, ss + 1, 0x11, NULL, 0);
		send_tcp(end + 30, res, 53, &c, port, ss + 1, cend + 1, 0x11, NULL, 0);
		send_tcp(end + crtt, &c, port, res, 53, cend + 1, ss + 2, 0x10, NULL, 0);
	}
	ends_push(end);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: genload OUT.pcap [--packets N | --queries N] [--seed S] [--truth OUT.tsv]\n"
		"                        [--qps Q] [--split]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *outp = NULL, *truthp = NULL;
	unsigned long long max_pk = 0, max_q = 0, sd = 1;
	double qps = 40000;
	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--packets") && a + 1 < argc)
			max_pk = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--queries") && a + 1 < argc)
			max_q = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			sd = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--truth") && a + 1 < argc)
			truthp = argv[++a];
		else if (!strcmp(argv[a], "--qps") && a + 1 < argc)
			qps = strtod(argv[++a], NULL);
		else if (!strcmp(argv[a], "--split"))
			split = 1;
		else if (argv[a][0] != '-' && !outp)
			outp = argv[a];
		else
			usage();
	}
	if (!outp || qps <= 0)
		usage();
	if (!max_pk && !max_q)
		max_pk = 1000000;
	seed = sd;
	uint64_t x = sd;
	for (int i = 0; i < 4; i++) {
		x += 0x9e3779b97f4a7c15ULL;
		rs[i] = mix64(x);
	}
	out = fopen(outp, "wb");
	truth = fopen(truthp ? truthp : "/dev/null", "w");
	if (!out || !truth) {
		perror(out ? truthp : outp);
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 22);
	setvbuf(truth, NULL, _IOFBF, 1 << 20);
	fprintf(truth, "#time\tclient\tclient_"
		       "port\tid\ttransport\tqname\tqtype\treceived\tcause\tdetail\tvia\n");
	res_c4 = a4(0x0a000035);
	res_c6 = a6(0xfd000000, 0, 0x53);
	res_u4 = split ? a4(0x0a000135) : res_c4;
	res_u6 = split ? a6(0xfd000001, 0, 0x53) : res_c6;
	ec_init();
	world_init();
	cache_cap = 1 << 16;
	cache = calloc(cache_cap, sizeof(*cache));
	if (!cache)
		abort();
	/* the resolver has been running: TLDs and popular healthy delegations
	 * cached.  A faulty zone's delegation is fetched in the capture: a
	 * lame delegation's NS names are known only from its referral, so a
	 * referral cached before the capture would leave the truth of its
	 * failures out of the capture's reach. */
	for (int t = 0; t < NTLD; t++)
		cset(ck('D', tlds[t], 0), 0, T0 + (86400 + rndu(86400)) * SEC, ST_OK, 0, 0, 0);
	for (int z = 0; z < 300; z++) {
		uint64_t exp = T0 + (600 + rndu(86400)) * SEC;
		if (!zones[z].fault)
			cset(ck('D', zones[z].name, 0), 0, exp, ST_OK, 0, 0, 0);
	}
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(hdr, 4, 6, out);
	uint64_t t = T0;
	double tf = 0;
	for (;;) {
		if (max_q && n_cq >= max_q)
			break;
		if (max_pk && pkts_written + heap_n >= max_pk)
			break;
		double u = rndf();
		tf += neg_ln(1.0 - u) / qps * 1e6;
		t = T0 + (uint64_t)tf;
		emit_until(t);
		now_us = t;
		ends_pop_until(t);
		if (ends_n > inflight_max)
			inflight_max = ends_n;
		inflight_sum += (double)ends_n;
		client_query(t);
	}
	uint64_t last_q = t;
	emit_until(UINT64_MAX);
	if (fclose(out) || fclose(truth)) {
		perror("genload: write");
		return 1;
	}
	double span = (double)(last_q - T0) / 1e6;
	fprintf(stderr,
		"genload: packets %llu bytes %llu client_queries %lu (tcp %lu, ipv6 %lu) over %.2f "
		"s (%.0f/s)\n",
		(unsigned long long)pkts_written, (unsigned long long)bytes_written, n_cq, n_cq_tcp,
		n_cq_v6, span, span > 0 ? (double)n_cq / span : 0.0);
	fprintf(
	    stderr,
	    "genload: upstream udp %lu tcp %lu (0x20 %lu) icmp %lu fragments %lu signatures %lu\n",
	    n_up_udp, n_up_tcp, n_mixcase, n_icmp, n_frag, nsigs);
	fprintf(
	    stderr,
	    "genload: failed %lu (%.2f%%): SERVFAIL %lu (%.2f%%), no-answer %lu; NXDOMAIN %lu\n",
	    n_sf + n_noans, 100.0 * (double)(n_sf + n_noans) / (double)(n_cq ? n_cq : 1), n_sf,
	    100.0 * (double)n_sf / (double)(n_cq ? n_cq : 1), n_noans, n_nx);
	fprintf(stderr, "genload: in flight: max %zu mean %.0f client queries\n", inflight_max,
		n_cq ? inflight_sum / (double)n_cq : 0.0);
	fprintf(stderr, "genload: by cause:");
	for (int f = 1; f < F_N; f++)
		fprintf(stderr, " %s/%s %lu", f_cause[f], f_detail[f], n_fault[f]);
	fprintf(stderr, "\ngenload: by via:");
	for (int v = 0; v < V_N; v++)
		fprintf(stderr, " %s %lu", via_name[v], n_via[v]);
	fputc('\n', stderr);
	return 0;
}
