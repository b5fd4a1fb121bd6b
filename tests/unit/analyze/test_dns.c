/*
 * test_dns.c - unit tests for analyze/dns.c.
 *
 * Hostile and edge-case messages are written inline as bytes; the one large
 * response with every record type is assembled with a few append helpers so
 * its compression pointers can name offsets computed while building.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/dns.h"

/* Header: id, flags, qdcount, ancount, nscount, arcount (counts < 256). */
#define HDR(id, fl, qd, an, ns, ar)                                                                \
	(uint8_t)((id) >> 8), (uint8_t)(id), (uint8_t)((fl) >> 8), (uint8_t)(fl), 0, (qd), 0,      \
	    (an), 0, (ns), 0, (ar)
#define EXAMPLE_COM 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
/* Question example.com A IN at offset 12; the next record starts at 29. */
#define Q_EXAMPLE_A EXAMPLE_COM, 0, 1, 0, 1
/* OPT RR header: root owner, type 41, CLASS = udp size, TTL = ext rcode,
 * version, DO|Z high octet, Z low octet; then RDLENGTH. */
#define OPT_RR(udp, ext, ver, dohi, rdlen)                                                         \
	0, 0, 41, (uint8_t)((udp) >> 8), (uint8_t)(udp), (ext), (ver), (dohi), 0,                  \
	    (uint8_t)((rdlen) >> 8), (uint8_t)(rdlen)

static int setup(void **state)
{
	dns_parser_t *p = malloc(sizeof(*p));
	if (!p)
		return -1;
	dns_parser_init(p);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	dns_parser_free(*state);
	free(*state);
	return 0;
}

static const char *str(const dns_name_t *n)
{
	static char buf[DNS_NAME_STRLEN];
	return dns_name_str(n, buf);
}

/* --- a small message builder for the long response ------------------- */

typedef struct tbuf {
	uint8_t b[4096];
	size_t n;
} tbuf_t;

static void put8(tbuf_t *t, unsigned v)
{
	assert_true(t->n < sizeof(t->b));
	t->b[t->n++] = (uint8_t)v;
}

static void put16(tbuf_t *t, unsigned v)
{
	put8(t, v >> 8);
	put8(t, v & 0xff);
}

static void put32(tbuf_t *t, uint32_t v)
{
	put16(t, v >> 16);
	put16(t, v & 0xffff);
}

static void putmem(tbuf_t *t, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(t, ((const uint8_t *)p)[i]);
}

/* Uncompressed wire form of a dotted name; "." is the root. */
static void putname(tbuf_t *t, const char *s)
{
	while (*s && *s != '.') {
		size_t l = strcspn(s, ".");
		put8(t, (unsigned)l);
		putmem(t, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	put8(t, 0);
}

static void putptr(tbuf_t *t, size_t off) { put16(t, 0xC000u | (unsigned)off); }

static void hdr(tbuf_t *t, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns,
		unsigned ar)
{
	t->n = 0;
	put16(t, id);
	put16(t, flags);
	put16(t, qd);
	put16(t, an);
	put16(t, ns);
	put16(t, ar);
}

/* Writes TYPE, CLASS IN, TTL and a placeholder RDLENGTH after the owner;
 * returns where RDLENGTH is, for rr_end. */
static size_t rr_begin(tbuf_t *t, unsigned type, uint32_t ttl)
{
	put16(t, type);
	put16(t, 1);
	put32(t, ttl);
	size_t at = t->n;
	put16(t, 0);
	return at;
}

static void rr_end(tbuf_t *t, size_t at)
{
	size_t l = t->n - at - 2;
	t->b[at] = (uint8_t)(l >> 8);
	t->b[at + 1] = (uint8_t)l;
}

/* RFC 4034 4.1: NSEC next name and type bitmaps (the parser has already
 * checked the bitmap's form, dns_bitmap_ok). */
static void test_nsec_view(void **state)
{
	static tbuf_t t;
	dns_msg_t m;
	dns_nsec_t n;

	hdr(&t, 1, 0x8400, 0, 1, 0, 0);
	putname(&t, "child.example.");
	size_t at = rr_begin(&t, DNS_T_NSEC, 300);
	putname(&t, "ns1.example.");
	/* window 0, 6 bytes: NS (2), RRSIG (46 - 40 = bit 6 of byte 5), NSEC (47) */
	static const uint8_t map[] = { 0, 6, 0x20, 0, 0, 0, 0, 0x03 };
	putmem(&t, map, sizeof(map));
	rr_end(&t, at);
	assert_int_equal(dns_parse(*state, t.b, t.n, &m), DB_OK);
	assert_int_equal(m.nrr, 1);
	assert_int_equal(dns_rr_nsec(&m, &m.rr[0], &n), DB_OK);
	assert_string_equal(str(&n.next), "ns1.example.");
	assert_int_equal(dns_nsec_has_type(&n, DNS_T_NS), 1);
	assert_int_equal(dns_nsec_has_type(&n, DNS_T_RRSIG), 1);
	assert_int_equal(dns_nsec_has_type(&n, DNS_T_NSEC), 1);
	assert_int_equal(dns_nsec_has_type(&n, DNS_T_DS), 0);
	assert_int_equal(dns_nsec_has_type(&n, DNS_T_A), 0);
	assert_int_equal(dns_nsec_has_type(&n, 257), 0); /* window 1 absent */
	assert_int_equal(dns_rr_ds(&m, &m.rr[0], &(dns_ds_t){ 0 }), DB_EMALFORMED);
}

/* --- whole messages ---------------------------------------------------- */

static void test_query_normal(void **state)
{
	static const uint8_t q[] = {
		HDR(0x1234, 0x0120, 1, 0, 0, 0), /* RD, AD */
		3,
		'w',
		'w',
		'w',
		EXAMPLE_COM,
		0,
		28,
		0,
		1,
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, q, sizeof(q), &m), DB_OK);
	assert_int_equal(m.status, DB_OK);
	assert_int_equal(m.stage, DNS_STAGE_FULL);
	assert_ptr_equal(m.wire, q);
	assert_int_equal(m.len, sizeof(q));
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.flags, 0x0120);
	assert_int_equal(m.qr, 0);
	assert_int_equal(m.opcode, 0);
	assert_int_equal(m.rd, 1);
	assert_int_equal(m.ad, 1);
	assert_int_equal(m.aa + m.tc + m.ra + m.cd, 0);
	assert_int_equal(m.rcode, 0);
	assert_int_equal(m.qdcount, 1);
	assert_int_equal(m.ancount + m.nscount + m.arcount, 0);
	assert_int_equal(m.qname.len, 17);
	assert_int_equal(m.qname.labels, 3);
	assert_string_equal(str(&m.qname), "www.example.com.");
	assert_int_equal(m.qtype, DNS_T_AAAA);
	assert_int_equal(m.qclass, 1);
	assert_int_equal(m.nrr, 0);
	assert_int_equal(m.edns.present, 0);
}

static void test_query_edns(void **state)
{
	static const uint8_t q[] = {
		HDR(0xabcd, 0x0110, 1, 0, 0, 1), /* RD, CD */
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0x80, 12),
		0,
		10,
		0,
		8,
		1,
		2,
		3,
		4,
		5,
		6,
		7,
		8, /* COOKIE, client part */
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, q, sizeof(q), &m), DB_OK);
	assert_int_equal(m.stage, DNS_STAGE_FULL);
	assert_int_equal(m.cd, 1);
	assert_int_equal(m.nrr, 1);
	assert_int_equal(m.rr[0].type, DNS_T_OPT);
	assert_int_equal(m.rr[0].section, DNS_SEC_ADDITIONAL);
	assert_int_equal(m.rr[0].rdata_off, 40);
	assert_int_equal(m.rr[0].rdlen, 12);
	assert_int_equal(m.edns.present, 1);
	assert_int_equal(m.edns.udp_size, 1232);
	assert_int_equal(m.edns.do_bit, 1);
	assert_int_equal(m.edns.version, 0);
	assert_int_equal(m.edns.ext_rcode, 0);
	assert_int_equal(m.edns.n_options, 1);
	assert_int_equal(m.edns.n_ede, 0);
	assert_int_equal(m.rcode, 0);
}

/* A response with every type the parser knows, in all three sections. */
static void test_response_all_types(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	tbuf_t t;
	size_t at, mx_rdata, soa_rdata, ns_rdata;
	dns_msg_t m;
	char tb[16];

	hdr(&t, 0xbeef, 0x8580, 1, 12, 4, 1); /* QR AA RD RA */
	putname(&t, "example.com");           /* offset 12 */
	put16(&t, DNS_T_ANY);
	put16(&t, 1);

	/* answer */
	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_A, 3600);
	putmem(&t, "\x5d\xb8\xd8\x22", 4);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_AAAA, 3600);
	putmem(&t, v6, 16);
	rr_end(&t, at);

	size_t www = t.n;
	put8(&t, 3);
	putmem(&t, "WWW", 3); /* case is kept in the owner */
	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_CNAME, 300);
	putptr(&t, 12);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_MX, 3600);
	mx_rdata = t.n;
	put16(&t, 10);
	put8(&t, 4);
	putmem(&t, "mail", 4);
	putptr(&t, 12);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_TXT, 60);
	putmem(&t,
	       "\x05hello\x00\x03"
	       "abc",
	       11);
	rr_end(&t, at);

	size_t srv_owner = t.n;
	putname(&t, "_sip._tcp.example.com");
	at = rr_begin(&t, DNS_T_SRV, 60);
	put16(&t, 10);
	put16(&t, 5);
	put16(&t, 5060);
	putptr(&t, mx_rdata + 2); /* mail.example.com */
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_DS, 86400);
	put16(&t, 12345);
	put8(&t, 13);
	put8(&t, 2);
	for (unsigned i = 0; i < 32; i++)
		put8(&t, i);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_DNSKEY, 3600);
	put16(&t, 257);
	put8(&t, 3);
	put8(&t, 13);
	putmem(&t, "\xaa\xbb\xcc\xdd\xee", 5);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_RRSIG, 3600);
	put16(&t, DNS_T_A);
	put8(&t, 13);
	put8(&t, 2);
	put32(&t, 3600);
	put32(&t, 0x65000000);
	put32(&t, 0x64000000);
	put16(&t, 12345);
	putname(&t, "example.com"); /* uncompressed, RFC 4034 3.1.7 */
	putmem(&t, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_NSEC3PARAM, 0);
	putmem(&t, "\x01\x00\x00\x0a\x02\xab\xcd", 7);
	rr_end(&t, at);

	putname(&t, "4.3.2.1.in-addr.arpa");
	at = rr_begin(&t, DNS_T_PTR, 60);
	putptr(&t, www);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, 65280, 60); /* private use: opaque */
	putmem(&t, "\xc0\x00\xff", 3);
	rr_end(&t, at);

	/* authority */
	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_NS, 86400);
	ns_rdata = t.n;
	put8(&t, 3);
	putmem(&t, "ns1", 3);
	putptr(&t, 12);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_SOA, 3600);
	soa_rdata = t.n;
	putptr(&t, ns_rdata);
	put8(&t, 10);
	putmem(&t, "hostmaster", 10);
	putptr(&t, 12);
	put32(&t, 2024010101);
	put32(&t, 7200);
	put32(&t, 900);
	put32(&t, 1209600);
	put32(&t, 300);
	rr_end(&t, at);

	putptr(&t, 12);
	at = rr_begin(&t, DNS_T_NSEC, 3600);
	putname(&t, "b.example.com");
	/* window 0: A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY; window 1: CAA */
	putmem(&t, "\x00\x07\x62\x01\x80\x08\x00\x03\x80", 9);
	putmem(&t, "\x01\x01\x40", 3);
	rr_end(&t, at);

	putname(&t, "abcd.example.com");
	at = rr_begin(&t, DNS_T_NSEC3, 3600);
	putmem(&t, "\x01\x01\x00\x0a\x04\xaa\xbb\xcc\xdd\x14", 10);
	for (unsigned i = 0; i < 20; i++)
		put8(&t, 0x40 + i);
	putmem(&t, "\x00\x01\x40", 3);
	rr_end(&t, at);

	/* additional */
	put8(&t, 0);
	at = rr_begin(&t, DNS_T_OPT, 0x00008000);
	rr_end(&t, at);
	/* rr_begin wrote CLASS 1 (IN); an OPT's CLASS is the udp size. */
	t.b[at - 6] = 0x04;
	t.b[at - 5] = 0xd0;

	assert_int_equal(dns_parse(*state, t.b, t.n, &m), DB_OK);
	assert_int_equal(m.stage, DNS_STAGE_FULL);
	assert_int_equal(m.aa, 1);
	assert_int_equal(m.qtype, DNS_T_ANY);
	assert_int_equal(m.nrr, 17);

	static const uint16_t types[17] = {
		DNS_T_A,  DNS_T_AAAA,   DNS_T_CNAME, DNS_T_MX,         DNS_T_TXT, DNS_T_SRV,
		DNS_T_DS, DNS_T_DNSKEY, DNS_T_RRSIG, DNS_T_NSEC3PARAM, DNS_T_PTR, 65280,
		DNS_T_NS, DNS_T_SOA,    DNS_T_NSEC,  DNS_T_NSEC3,      DNS_T_OPT,
	};
	for (size_t i = 0; i < 17; i++) {
		assert_int_equal(m.rr[i].type, types[i]);
		assert_int_equal(m.rr[i].section, i < 12   ? DNS_SEC_ANSWER
						  : i < 16 ? DNS_SEC_AUTHORITY
							   : DNS_SEC_ADDITIONAL);
	}
	assert_string_equal(dns_type_str(m.rr[11].type, tb), "TYPE65280");

	const dns_rr_t *a = &m.rr[0];
	assert_string_equal(str(&a->owner), "example.com.");
	assert_int_equal(a->rclass, 1);
	assert_int_equal(a->ttl, 3600);
	assert_int_equal(a->rdlen, 4);
	assert_int_equal(a->rdata_off, 12 + 13 + 4 + 12);
	assert_memory_equal(m.wire + a->rdata_off, "\x5d\xb8\xd8\x22", 4);
	assert_memory_equal(m.wire + m.rr[1].rdata_off, v6, 16);

	dns_name_t n;
	assert_string_equal(str(&m.rr[2].owner), "www.example.com.");
	assert_memory_equal(m.rr[2].owner.wire, "\x03WWW", 4);
	assert_int_equal(dns_rr_target(&m, &m.rr[2], &n), DB_OK);
	assert_string_equal(str(&n), "example.com.");
	assert_int_equal(dns_rr_target(&m, &m.rr[3], &n), DB_OK);
	assert_string_equal(str(&n), "mail.example.com.");
	assert_int_equal(m.rr[4].rdlen, 11);
	assert_int_equal(m.rr[5].rdata_off, srv_owner + 23 + 10);
	assert_int_equal(dns_rr_target(&m, &m.rr[5], &n), DB_OK);
	assert_string_equal(str(&n), "mail.example.com.");
	assert_int_equal(dns_rr_target(&m, &m.rr[10], &n), DB_OK);
	assert_string_equal(str(&n), "www.example.com.");
	assert_string_equal(str(&m.rr[10].owner), "4.3.2.1.in-addr.arpa.");
	assert_int_equal(dns_rr_target(&m, &m.rr[12], &n), DB_OK);
	assert_string_equal(str(&n), "ns1.example.com.");

	dns_ds_t ds;
	assert_int_equal(dns_rr_ds(&m, &m.rr[6], &ds), DB_OK);
	assert_int_equal(ds.key_tag, 12345);
	assert_int_equal(ds.algorithm, 13);
	assert_int_equal(ds.digest_type, 2);
	assert_int_equal(ds.digest_len, 32);
	assert_ptr_equal(ds.digest, m.wire + m.rr[6].rdata_off + 4);
	assert_int_equal(ds.digest[31], 31);

	dns_dnskey_t k;
	assert_int_equal(dns_rr_dnskey(&m, &m.rr[7], &k), DB_OK);
	assert_int_equal(k.flags, 257);
	assert_int_equal(k.protocol, 3);
	assert_int_equal(k.algorithm, 13);
	assert_int_equal(k.key_len, 5);
	assert_memory_equal(k.key, "\xaa\xbb\xcc\xdd\xee", 5);

	dns_rrsig_t sig;
	assert_int_equal(dns_rr_rrsig(&m, &m.rr[8], &sig), DB_OK);
	assert_int_equal(sig.type_covered, DNS_T_A);
	assert_int_equal(sig.algorithm, 13);
	assert_int_equal(sig.labels, 2);
	assert_int_equal(sig.original_ttl, 3600);
	assert_int_equal(sig.expiration, 0x65000000);
	assert_int_equal(sig.inception, 0x64000000);
	assert_int_equal(sig.key_tag, 12345);
	assert_string_equal(str(&sig.signer), "example.com.");
	assert_int_equal(sig.sig_len, 8);
	assert_memory_equal(sig.signature, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);

	dns_soa_t soa;
	assert_int_equal(m.rr[13].rdata_off, soa_rdata);
	assert_int_equal(dns_rr_soa(&m, &m.rr[13], &soa), DB_OK);
	assert_string_equal(str(&soa.mname), "ns1.example.com.");
	assert_string_equal(str(&soa.rname), "hostmaster.example.com.");
	assert_int_equal(soa.serial, 2024010101);
	assert_int_equal(soa.refresh, 7200);
	assert_int_equal(soa.retry, 900);
	assert_int_equal(soa.expire, 1209600);
	assert_int_equal(soa.minimum, 300);

	assert_int_equal(m.edns.present, 1);
	assert_int_equal(m.edns.udp_size, 1232);
	assert_int_equal(m.edns.do_bit, 1);
	assert_int_equal(m.edns.n_options, 0);

	/* Typed views refuse records of another type. */
	assert_int_equal(dns_rr_target(&m, &m.rr[0], &n), DB_EMALFORMED);
	assert_int_equal(dns_rr_soa(&m, &m.rr[0], &soa), DB_EMALFORMED);
	assert_int_equal(dns_rr_rrsig(&m, &m.rr[7], &sig), DB_EMALFORMED);
	assert_int_equal(dns_rr_dnskey(&m, &m.rr[6], &k), DB_EMALFORMED);
	assert_int_equal(dns_rr_ds(&m, &m.rr[7], &ds), DB_EMALFORMED);

	/* The parser keeps its array: a second, smaller message reuses it. */
	dns_parser_t *p = *state;
	dns_rr_t *arr = p->rr;
	size_t cap = p->cap;
	assert_true(cap >= 17);
	static const uint8_t small[] = {
		HDR(1, 0x8180, 1, 1, 0, 0),
		Q_EXAMPLE_A,
		0xc0,
		12,
		0,
		1,
		0,
		1,
		0,
		0,
		0,
		60,
		0,
		4,
		192,
		0,
		2,
		1,
	};
	assert_int_equal(dns_parse(p, small, sizeof(small), &m), DB_OK);
	assert_ptr_equal(p->rr, arr);
	assert_ptr_equal(m.rr, arr);
	assert_int_equal(p->cap, cap);
	assert_int_equal(m.nrr, 1);
}

static void test_compression(void **state)
{
	static const uint8_t r[] = {
		HDR(7, 0x8180, 1, 1, 0, 0),
		7,
		'E',
		'x',
		'A',
		'm',
		'P',
		'l',
		'E',
		3,
		'c',
		'o',
		'm',
		0,
		0,
		5,
		0,
		1,
		/* 29: www.<ptr 12> CNAME <ptr 29> (two hops) */
		3,
		'w',
		'w',
		'w',
		0xc0,
		12,
		0,
		5,
		0,
		1,
		0,
		0,
		0,
		60,
		0,
		2,
		0xc0,
		29,
	};
	dns_msg_t m;
	dns_name_t n;
	size_t off;

	assert_int_equal(dns_parse(*state, r, sizeof(r), &m), DB_OK);
	assert_int_equal(m.nrr, 1);
	assert_string_equal(str(&m.qname), "example.com.");
	assert_memory_equal(m.qname.wire,
			    "\x07"
			    "ExAmPlE",
			    8);
	assert_int_equal(m.rr[0].owner.len, 17);
	assert_int_equal(m.rr[0].owner.labels, 3);
	assert_int_equal(m.rr[0].rdata_off, 45);
	assert_int_equal(dns_rr_target(&m, &m.rr[0], &n), DB_OK);
	assert_true(dns_name_eq(&n, &m.rr[0].owner));
	assert_string_equal(str(&n), "www.example.com.");

	/* The offset moves past the in-place octets only. */
	off = 29;
	assert_int_equal(dns_name_read(r, sizeof(r), &off, &n), DB_OK);
	assert_int_equal(off, 35);
	off = 45;
	assert_int_equal(dns_name_read(r, sizeof(r), &off, &n), DB_OK);
	assert_int_equal(off, 47);
	assert_int_equal(n.len, 17);
	off = 12;
	assert_int_equal(dns_name_read(r, sizeof(r), &off, &n), DB_OK);
	assert_int_equal(off, 25);
}

/* An owner that points at the question's name (0xC00C) is that name, octet
 * for octet (case kept); so it is when the question's name itself ends in a
 * pointer, and with no question a pointer to offset 12 is malformed. */
static void test_owner_pointer_to_qname(void **state)
{
	tbuf_t t;
	dns_msg_t m;

	hdr(&t, 9, 0x8180, 1, 2, 0, 0);
	putname(&t, "wWw.ExAmPlE.com");
	put16(&t, 1);
	put16(&t, 1);
	for (int i = 0; i < 2; i++) {
		putptr(&t, 12);
		size_t at = rr_begin(&t, 1, 60);
		put32(&t, 0x7f000001u + (uint32_t)i);
		rr_end(&t, at);
	}
	assert_int_equal(dns_parse(*state, t.b, t.n, &m), DB_OK);
	assert_int_equal(m.nrr, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(m.rr[i].owner.len, m.qname.len);
		assert_int_equal(m.rr[i].owner.labels, 3);
		assert_memory_equal(m.rr[i].owner.wire, m.qname.wire, m.qname.len);
		assert_int_equal(m.rr[i].type, DNS_T_A);
	}
	assert_int_equal(m.rr[1].rdata_off, t.n - 4);

	/* The question's name "www" and a pointer to offset 10, ARCOUNT's
	 * high octet (0: the root): "www.", and so is the owner. */
	hdr(&t, 9, 0x8180, 1, 1, 0, 0);
	put8(&t, 3);
	putmem(&t, "www", 3);
	putptr(&t, 10);
	put16(&t, 1);
	put16(&t, 1);
	putptr(&t, 12);
	size_t at = rr_begin(&t, 1, 60);
	put32(&t, 0x7f000001u);
	rr_end(&t, at);
	assert_int_equal(dns_parse(*state, t.b, t.n, &m), DB_OK);
	assert_string_equal(str(&m.qname), "www.");
	assert_int_equal(m.rr[0].owner.len, 5);
	assert_string_equal(str(&m.rr[0].owner), "www.");

	/* No question: offset 12 is the record itself, a pointer to itself. */
	hdr(&t, 9, 0x8180, 0, 1, 0, 0);
	putptr(&t, 12);
	at = rr_begin(&t, 1, 60);
	put32(&t, 0x7f000001u);
	rr_end(&t, at);
	assert_int_equal(dns_parse(*state, t.b, t.n, &m), DB_EMALFORMED);
}

/* --- hostile names ----------------------------------------------------- */

static void expect_name(const uint8_t *b, size_t len, size_t at, db_status_t want)
{
	dns_name_t n;
	size_t off = at;
	assert_int_equal(dns_name_read(b, len, &off, &n), want);
	if (want != DB_OK)
		assert_int_equal(off, at); /* untouched on failure */
}

static void test_name_pointer_loop(void **state)
{
	/* 12: ptr A -> 14, 14: ptr B -> 12.  A is forward, so both fail. */
	static const uint8_t ab[] = { HDR(0, 0, 1, 0, 0, 0), 0xc0, 14, 0xc0, 12, 0, 1, 0, 1 };
	/* 12: label 'a' then a pointer back to 12: strictly below the
	 * pointer (14) but into its own run, so it would loop forever. */
	static const uint8_t self_run[] = { HDR(0, 0, 1, 0, 0, 0), 1, 'a', 0xc0, 12, 0, 1, 0, 1 };
	/* 12: 'b' ptr->16, 16: 'a' ptr->12 ... second pointer goes back
	 * into the run that led to it: rejected before any loop. */
	static const uint8_t ring[] = {
		HDR(0, 0, 1, 0, 0, 0), 1, 'b', 0xc0, 16, 1, 'a', 0xc0, 12, 0, 1, 0, 1,
	};
	dns_msg_t m;

	expect_name(ab, sizeof(ab), 12, DB_EMALFORMED);
	expect_name(ab, sizeof(ab), 14, DB_EMALFORMED);
	expect_name(self_run, sizeof(self_run), 12, DB_EMALFORMED);
	expect_name(ring, sizeof(ring), 16, DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, ab, sizeof(ab), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
	assert_int_equal(m.status, DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, self_run, sizeof(self_run), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
}

static void test_name_self_and_forward_pointer(void **state)
{
	static const uint8_t self[] = { HDR(0, 0, 1, 0, 0, 0), 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t fwd[] = { HDR(0, 0, 1, 0, 0, 0), 0xc0, 18, 0, 1, 0, 1, 0 };
	/* A pointer to its own second octet, and one far past the end. */
	static const uint8_t odd[] = { HDR(0, 0, 0, 0, 0, 0), 0xc0, 13, 0xff, 0xff };
	dns_msg_t m;

	expect_name(self, sizeof(self), 12, DB_EMALFORMED);
	expect_name(fwd, sizeof(fwd), 12, DB_EMALFORMED);
	expect_name(odd, sizeof(odd), 12, DB_EMALFORMED);
	expect_name(odd, sizeof(odd), 14, DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, self, sizeof(self), &m), DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, fwd, sizeof(fwd), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
}

static void test_name_label_64(void **state)
{
	uint8_t b[12 + 1 + 64 + 1 + 4] = { HDR(0, 0, 1, 0, 0, 0), 64 };
	dns_msg_t m;

	memset(b + 13, 'a', 64);
	b[12 + 1 + 64 + 2] = 1; /* type A */
	b[12 + 1 + 64 + 4] = 1; /* class IN */
	expect_name(b, sizeof(b), 12, DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, b, sizeof(b), &m), DB_EMALFORMED);
	/* 63 is fine */
	b[12] = 63;
	b[12 + 1 + 63] = 0;
	expect_name(b, 12 + 1 + 63 + 1, 12, DB_OK);
}

/* Labels of the given lengths at offset 12 of b, each filled with 'x'. */
static size_t put_labels(uint8_t *b, const uint8_t *lens, size_t n)
{
	size_t o = 12;
	memset(b, 0, 12);
	for (size_t i = 0; i < n; i++) {
		b[o++] = lens[i];
		memset(b + o, 'x', lens[i]);
		o += lens[i];
	}
	b[o++] = 0;
	return o;
}

static void test_name_length_limit(void **state)
{
	static const uint8_t ok255[] = { 63, 63, 63, 61 };
	static const uint8_t bad256[] = { 63, 63, 63, 62 };
	uint8_t b[400];
	dns_name_t n;
	size_t off, end;
	dns_msg_t m;
	(void)state;

	end = put_labels(b, ok255, 4);
	assert_int_equal(end - 12, 255);
	off = 12;
	assert_int_equal(dns_name_read(b, end, &off, &n), DB_OK);
	assert_int_equal(off, end);
	assert_int_equal(n.len, 255);
	assert_int_equal(n.labels, 4);
	assert_int_equal(strlen(str(&n)), 254);

	end = put_labels(b, bad256, 4);
	assert_int_equal(end - 12, 256);
	expect_name(b, end, 12, DB_EMALFORMED);

	/* 256 octets reached through a pointer: a 63-octet label in place,
	 * then a pointer to 192 octets (63, 63, 62 and the root) earlier. */
	static const uint8_t tail[] = { 63, 63, 62 };
	end = put_labels(b, tail, 3); /* 12..204 */
	b[end] = 63;
	memset(b + end + 1, 'y', 63);
	b[end + 64] = 0xc0;
	b[end + 65] = 12;
	expect_name(b, end + 66, end, DB_EMALFORMED);
	/* One octet shorter is exactly 255 and fine. */
	b[end] = 62;
	b[end + 63] = 0xc0;
	b[end + 64] = 12;
	off = end;
	assert_int_equal(dns_name_read(b, end + 65, &off, &n), DB_OK);
	assert_int_equal(n.len, 255);
	assert_int_equal(off, end + 65);

	/* Also through dns_parse as a qname: 256 octets is malformed. */
	end = put_labels(b, bad256, 4);
	b[4] = 0, b[5] = 1;
	b[end] = 0, b[end + 1] = 1, b[end + 2] = 0, b[end + 3] = 1;
	assert_int_equal(dns_parse(*state, b, end + 4, &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
}

/* b[12] is the root; every later pointer points at the previous one. */
static size_t ptr_chain(uint8_t *b, unsigned hops)
{
	size_t o = 12;
	memset(b, 0, 12);
	b[o++] = 0;
	for (unsigned i = 0; i < hops; i++) {
		size_t prev = (i == 0) ? 12 : o - 2;
		b[o++] = (uint8_t)(0xc0 | (prev >> 8));
		b[o++] = (uint8_t)prev;
	}
	return o;
}

static void test_name_pointer_hop_cap(void **state)
{
	uint8_t b[12 + 1 + 2 * (DNS_MAX_PTRS + 1)];
	dns_name_t n;
	size_t end, off;
	(void)state;

	end = ptr_chain(b, DNS_MAX_PTRS);
	off = end - 2;
	assert_int_equal(dns_name_read(b, end, &off, &n), DB_OK);
	assert_int_equal(off, end);
	assert_int_equal(n.len, 1);
	assert_int_equal(n.labels, 0);
	assert_string_equal(str(&n), ".");

	end = ptr_chain(b, DNS_MAX_PTRS + 1);
	assert_int_equal(end, sizeof(b));
	expect_name(b, end, end - 2, DB_ELIMIT);
}

static void test_name_reserved_label_types(void **state)
{
	static const uint8_t ext[] = { HDR(0, 0, 1, 0, 0, 0), 0x41, 'a', 0, 0, 1, 0, 1 };
	static const uint8_t res[] = { HDR(0, 0, 1, 0, 0, 0), 0x80, 1, 0, 0, 1, 0, 1 };
	static const uint8_t bitstring[] = { HDR(0, 0, 0, 0, 0, 0), 0x41 }; /* nothing after */
	dns_msg_t m;

	expect_name(ext, sizeof(ext), 12, DB_EMALFORMED);
	expect_name(res, sizeof(res), 12, DB_EMALFORMED);
	expect_name(bitstring, sizeof(bitstring), 12, DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, ext, sizeof(ext), &m), DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, res, sizeof(res), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
}

/* --- truncation and counts --------------------------------------------- */

static void test_truncated_header(void **state)
{
	static const uint8_t q[] = { HDR(0x4242, 0x0100, 1, 0, 0, 0) };
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, q, 11, &m), DB_ETRUNC);
	assert_int_equal(m.stage, DNS_STAGE_NONE);
	assert_int_equal(m.status, DB_ETRUNC);
	assert_int_equal(dns_parse(*state, NULL, 0, &m), DB_ETRUNC);
	assert_int_equal(m.stage, DNS_STAGE_NONE);
	/* 12 octets announcing a question: header only. */
	assert_int_equal(dns_parse(*state, q, 12, &m), DB_ETRUNC);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
	assert_int_equal(m.id, 0x4242);
}

static void test_truncated_question(void **state)
{
	static const uint8_t q[] = { HDR(9, 0x0100, 1, 0, 0, 0), Q_EXAMPLE_A };
	static const uint8_t half_ptr[] = { HDR(9, 0x0100, 1, 0, 0, 0), 3, 'w', 'w', 'w', 0xc0 };
	dns_msg_t m;
	dns_name_t n;

	for (size_t cut = 13; cut < sizeof(q); cut++) {
		assert_int_equal(dns_parse(*state, q, cut, &m), DB_ETRUNC);
		assert_int_equal(m.stage, DNS_STAGE_HEADER);
	}
	assert_int_equal(dns_parse(*state, q, sizeof(q), &m), DB_OK);
	assert_int_equal(dns_parse(*state, half_ptr, sizeof(half_ptr), &m), DB_ETRUNC);
	size_t off = 12;
	assert_int_equal(dns_name_read(half_ptr, sizeof(half_ptr), &off, &n), DB_ETRUNC);
	off = 40;
	assert_int_equal(dns_name_read(half_ptr, sizeof(half_ptr), &off, &n), DB_ETRUNC);
}

static void test_truncated_rr(void **state)
{
	static const uint8_t r[] = {
		HDR(3, 0x8180, 1, 2, 0, 0),
		Q_EXAMPLE_A,
		0xc0,
		12,
		0,
		1,
		0,
		1,
		0,
		0,
		0,
		60,
		0,
		4,
		192,
		0,
		2,
		1,
		0xc0,
		12,
		0,
		1,
		0,
		1,
		0,
		0,
		0,
		60,
		0,
		200,
		192,
		0,
		2,
		2,
	};
	dns_msg_t m;

	/* Second record claims 200 octets of rdata but has 4. */
	assert_int_equal(dns_parse(*state, r, sizeof(r), &m), DB_ETRUNC);
	assert_int_equal(m.stage, DNS_STAGE_QUESTION);
	assert_int_equal(m.nrr, 1);
	assert_string_equal(str(&m.qname), "example.com.");
	assert_int_equal(m.rr[0].type, DNS_T_A);
	/* Cut inside the second record's fixed fields. */
	assert_int_equal(dns_parse(*state, r, 29 + 16 + 6, &m), DB_ETRUNC);
	assert_int_equal(m.nrr, 1);
	assert_int_equal(m.stage, DNS_STAGE_QUESTION);
}

static void test_counts_that_cannot_fit(void **state)
{
	static const uint8_t r[] = {
		0, 1, 0x81, 0x80, 0, 1, 0xff, 0xff, 0, 0, 0, 0, Q_EXAMPLE_A,
	};
	static const uint8_t all[] = {
		0, 1, 0x81, 0x80, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	/* One RR announced, ten octets left: cannot hold even a root-owned one. */
	static const uint8_t one[] = {
		HDR(1, 0x8180, 1, 1, 0, 0), Q_EXAMPLE_A, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
	};
	dns_parser_t *p = *state;
	dns_msg_t m;

	assert_int_equal(dns_parse(p, r, sizeof(r), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_QUESTION);
	assert_int_equal(m.ancount, 65535);
	assert_null(p->rr); /* refused before allocating */
	assert_int_equal(p->cap, 0);
	assert_int_equal(dns_parse(p, all, sizeof(all), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
	assert_int_equal(p->cap, 0);
	assert_int_equal(dns_parse(p, one, sizeof(one), &m), DB_EMALFORMED);
	assert_int_equal(p->cap, 0);
}

static void test_oversized_message(void **state)
{
	size_t len = 65536;
	uint8_t *b = calloc(1, len);
	dns_msg_t m;

	assert_non_null(b);
	b[0] = 0x77;
	assert_int_equal(dns_parse(*state, b, len, &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_HEADER);
	assert_int_equal(m.id, 0x7700);
	assert_int_equal(dns_parse(*state, b, len - 1, &m), DB_OK); /* zero counts, padding */
	free(b);
}

static void test_trailing_garbage(void **state)
{
	static const uint8_t q[] = {
		HDR(5, 0x0100, 1, 0, 0, 0), Q_EXAMPLE_A, 0xde, 0xad, 0xbe, 0xef, 0xc0,
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, q, sizeof(q), &m), DB_OK);
	assert_int_equal(m.stage, DNS_STAGE_FULL);
	assert_int_equal(m.nrr, 0);
}

static void test_questions(void **state)
{
	/* No question at all. */
	static const uint8_t none[] = { HDR(5, 0x8184, 0, 0, 0, 0) };
	/* Two questions, the second valid and compressed. */
	static const uint8_t two[] = {
		HDR(5, 0x0100, 2, 0, 0, 0), Q_EXAMPLE_A, 3, 'w', 'w', 'w', 0xc0, 12, 0, 28, 0, 1,
	};
	/* Two questions, the second with a forward pointer. */
	static const uint8_t bad2[] = {
		HDR(5, 0x0100, 2, 0, 0, 0), Q_EXAMPLE_A, 0xc0, 40, 0, 28, 0, 1,
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, none, sizeof(none), &m), DB_OK);
	assert_int_equal(m.stage, DNS_STAGE_FULL);
	assert_int_equal(m.rcode, DNS_R_NOTIMP);
	assert_int_equal(m.qname.len, 1);
	assert_string_equal(str(&m.qname), ".");
	assert_int_equal(m.qtype, 0);

	assert_int_equal(dns_parse(*state, two, sizeof(two), &m), DB_OK);
	assert_string_equal(str(&m.qname), "example.com.");
	assert_int_equal(m.qtype, DNS_T_A);

	assert_int_equal(dns_parse(*state, bad2, sizeof(bad2), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_QUESTION);
	assert_string_equal(str(&m.qname), "example.com.");
	assert_int_equal(m.qtype, DNS_T_A);
}

/* --- rdata validation -------------------------------------------------- */

/* One answer owned by <ptr 12> of the given type and rdata. */
static db_status_t parse_one(void **state, unsigned opcode, unsigned type, const void *rdata,
			     size_t rdlen, dns_msg_t *m)
{
	static tbuf_t t;
	hdr(&t, 1, 0x8000 | (opcode << 11), 1, 1, 0, 0);
	putname(&t, "example.com");
	put16(&t, 1);
	put16(&t, 1);
	putptr(&t, 12);
	size_t at = rr_begin(&t, type, 60);
	putmem(&t, rdata, rdlen);
	rr_end(&t, at);
	return dns_parse(*state, t.b, t.n, m);
}

#define RD(s) s, sizeof(s) - 1

static void test_rdata_checks(void **state)
{
	static const struct {
		unsigned type;
		const char *rdata;
		size_t len;
		db_status_t want;
	} c[] = {
		{ DNS_T_A, RD("\x01\x02\x03\x04"), DB_OK },
		{ DNS_T_A, RD("\x01\x02\x03"), DB_EMALFORMED },
		{ DNS_T_A, RD("\x01\x02\x03\x04\x05"), DB_EMALFORMED },
		{ DNS_T_A, RD(""), DB_EMALFORMED },
		{ DNS_T_AAAA, RD("123456789012345"), DB_EMALFORMED },
		{ DNS_T_AAAA, RD("1234567890123456"), DB_OK },
		{ DNS_T_CNAME, RD("\xc0\x0c"), DB_OK },
		{ DNS_T_CNAME, RD("\xc0\x0c\x00"), DB_EMALFORMED }, /* octet left over */
		{ DNS_T_CNAME, RD("\x03www"), DB_EMALFORMED },      /* name runs past rdata */
		{ DNS_T_CNAME, RD("\xc0\x29"), DB_EMALFORMED },     /* points at itself */
		{ DNS_T_NS, RD("\x00"), DB_OK },
		{ DNS_T_PTR, RD(""), DB_EMALFORMED },
		{ DNS_T_MX, RD("\x00\x0a"), DB_EMALFORMED },
		{ DNS_T_MX, RD("\x00\x0a\x00"), DB_OK },
		{ DNS_T_SRV, RD("\x00\x01\x00\x01\x00\x35"), DB_EMALFORMED },
		{ DNS_T_SRV, RD("\x00\x01\x00\x01\x00\x35\xc0\x0c"), DB_OK },
		{ DNS_T_TXT, RD(""), DB_EMALFORMED },
		{ DNS_T_TXT, RD("\x00"), DB_OK },
		{ DNS_T_TXT, RD("\x02hi\x01"), DB_EMALFORMED },
		{ DNS_T_TXT, RD("\x05hi"), DB_EMALFORMED },
		{ DNS_T_SOA,
		  RD("\x00\x00"
		     "1234567890123456789"),
		  DB_EMALFORMED },
		{ DNS_T_SOA,
		  RD("\x00\x00"
		     "12345678901234567890"),
		  DB_OK },
		{ DNS_T_SOA,
		  RD("\x00\x00"
		     "123456789012345678901"),
		  DB_EMALFORMED },
		{ DNS_T_DS, RD("\x30\x39\x0d"), DB_EMALFORMED },
		{ DNS_T_DS, RD("\x30\x39\x0d\x02\xff"), DB_OK },
		{ DNS_T_DNSKEY, RD("\x01\x01\x03"), DB_EMALFORMED },
		{ DNS_T_RRSIG,
		  RD("\x00\x01\x0d\x02"
		     "1234"
		     "1234"
		     "1234"
		     "\x30\x39"),
		  DB_EMALFORMED },
		{ DNS_T_RRSIG,
		  RD("\x00\x01\x0d\x02"
		     "1234"
		     "1234"
		     "1234"
		     "\x30\x39\x00"
		     "sig"),
		  DB_OK },
		/* RFC 4034 3.1.7: the signer MUST NOT be compressed. */
		{ DNS_T_RRSIG,
		  RD("\x00\x01\x0d\x02"
		     "1234"
		     "1234"
		     "1234"
		     "\x30\x39\xc0\x0c"
		     "sig"),
		  DB_EMALFORMED },
		{ DNS_T_NSEC, RD("\x00\x00\x01\x40"), DB_OK },
		{ DNS_T_NSEC, RD("\xc0\x0c\x00\x01\x40"),
		  DB_EMALFORMED },                                 /* compressed next name */
		{ DNS_T_NSEC, RD("\x00"), DB_EMALFORMED },         /* no bitmap */
		{ DNS_T_NSEC, RD("\x00\x00\x00"), DB_EMALFORMED }, /* bitmap length 0 */
		{ DNS_T_NSEC,
		  RD("\x00\x00\x21"
		     "123456789012345678901234567890123"),
		  DB_EMALFORMED },
		{ DNS_T_NSEC,
		  RD("\x00\x00\x20"
		     "1234567890123456789012345678901\x01"),
		  DB_OK },
		{ DNS_T_NSEC, RD("\x00\x00\x02\x40\x00"), DB_EMALFORMED }, /* trailing zero octet */
		{ DNS_T_NSEC, RD("\x00\x01\x01\x40\x00\x01\x40"),
		  DB_EMALFORMED }, /* windows out of order */
		{ DNS_T_NSEC, RD("\x00\x00\x01\x40\x00\x01\x40"),
		  DB_EMALFORMED }, /* window repeated */
		{ DNS_T_NSEC, RD("\x00\x00\x01\x40\x01\x01\x40"), DB_OK },
		{ DNS_T_NSEC, RD("\x00\x00\x02\x40"), DB_EMALFORMED }, /* bitmap overruns */
		{ DNS_T_NSEC, RD("\x00\x00"), DB_EMALFORMED },         /* half a window header */
		{ DNS_T_NSEC3, RD("\x01\x00\x00\x00\x00\x01\xaa"), DB_OK }, /* empty bitmap: ENT */
		{ DNS_T_NSEC3, RD("\x01\x00\x00\x00\x00\x00"), DB_EMALFORMED }, /* hash length 0 */
		{ DNS_T_NSEC3, RD("\x01\x00\x00\x00\x05\xaa"), DB_EMALFORMED }, /* salt overruns */
		{ DNS_T_NSEC3, RD("\x01\x00\x00\x00\x00\x02\xaa"),
		  DB_EMALFORMED }, /* hash overruns */
		{ DNS_T_NSEC3, RD("\x01\x00\x00\x00\x00\x01\xaa\x00\x01\x00"), DB_EMALFORMED },
		{ DNS_T_NSEC3PARAM, RD("\x01\x00\x00\x00\x00"), DB_OK },
		{ DNS_T_NSEC3PARAM, RD("\x01\x00\x00\x00\x01"), DB_EMALFORMED },
		{ DNS_T_NSEC3PARAM, RD("\x01\x00\x00\x00\x00\x00"), DB_EMALFORMED },
		{ 65280, RD(""), DB_OK },
		{ 65280, RD("\xc0\xff\xff"), DB_OK },
		{ 99, RD("\x05hello"), DB_OK }, /* SPF: not checked, opaque */
	};
	dns_msg_t m;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		db_status_t st = parse_one(state, 0, c[i].type, c[i].rdata, c[i].len, &m);
		if (st != c[i].want)
			fail_msg("case %zu (type %u): got %d, want %d", i, c[i].type, st,
				 c[i].want);
		assert_int_equal(m.stage, st == DB_OK ? DNS_STAGE_FULL : DNS_STAGE_QUESTION);
		assert_int_equal(m.nrr, st == DB_OK ? 1 : 0);
	}
}

static void test_update_empty_rdata(void **state)
{
	dns_msg_t m;

	/* RFC 2136 2.4.1: "RRset exists" prerequisite, class ANY, no rdata. */
	assert_int_equal(parse_one(state, 5, DNS_T_A, "", 0, &m), DB_OK);
	assert_int_equal(m.opcode, 5);
	assert_int_equal(m.rr[0].rdlen, 0);
	/* Not in a QUERY. */
	assert_int_equal(parse_one(state, 0, DNS_T_A, "", 0, &m), DB_EMALFORMED);
	/* Non-empty rdata in an UPDATE is still checked. */
	assert_int_equal(parse_one(state, 5, DNS_T_A, "\x01", 1, &m), DB_EMALFORMED);
}

/* --- EDNS -------------------------------------------------------------- */

static void test_edns_option_overrun(void **state)
{
	static const uint8_t over[] = {
		HDR(1, 0x8180, 1, 0, 0, 1),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0, 8),
		0,
		10,
		0,
		8,
		1,
		2,
		3,
		4, /* says 8, has 4 */
	};
	static const uint8_t half[] = {
		HDR(1, 0x8180, 1, 0, 0, 1),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0, 7),
		0,
		3,
		0,
		0,
		0,
		12,
		0, /* half an option header */
	};
	static const uint8_t ede_short[] = {
		HDR(1, 0x8182, 1, 0, 0, 1),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0, 5),
		0,
		15,
		0,
		1,
		9, /* EDE without a full info-code */
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, over, sizeof(over), &m), DB_EMALFORMED);
	assert_int_equal(m.stage, DNS_STAGE_QUESTION);
	assert_int_equal(m.nrr, 0);
	assert_int_equal(dns_parse(*state, half, sizeof(half), &m), DB_EMALFORMED);
	assert_int_equal(m.edns.n_options, 1);
	assert_int_equal(dns_parse(*state, ede_short, sizeof(ede_short), &m), DB_EMALFORMED);
	assert_int_equal(m.edns.n_ede, 0);
}

static void test_edns_two_opt(void **state)
{
	static const uint8_t r[] = {
		HDR(1, 0x8180, 1, 0, 0, 2),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0x80, 0),
		OPT_RR(512, 0, 0, 0, 0),
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, r, sizeof(r), &m), DB_EMALFORMED);
	assert_int_equal(m.nrr, 1);
	assert_int_equal(m.edns.present, 1);
	assert_int_equal(m.edns.udp_size, 1232);
}

static void test_edns_opt_placement(void **state)
{
	static const uint8_t owner[] = {
		HDR(1, 0x8180, 1, 0, 0, 1), Q_EXAMPLE_A, 0xc0, 12, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t answer[] = {
		HDR(1, 0x8180, 1, 1, 0, 0),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0, 0),
	};
	static const uint8_t authority[] = {
		HDR(1, 0x8180, 1, 0, 1, 0),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0, 0),
	};
	dns_msg_t m;

	assert_int_equal(dns_parse(*state, owner, sizeof(owner), &m), DB_EMALFORMED);
	assert_int_equal(m.edns.present, 0);
	assert_int_equal(dns_parse(*state, answer, sizeof(answer), &m), DB_EMALFORMED);
	assert_int_equal(dns_parse(*state, authority, sizeof(authority), &m), DB_EMALFORMED);
	assert_int_equal(m.edns.present, 0);
}

static void test_edns_ede(void **state)
{
	static const uint8_t r[] = {
		HDR(0x5151, 0x8182, 1, 0, 0, 1),
		Q_EXAMPLE_A,
		OPT_RR(1232, 0, 0, 0, (4 + 12) + (4 + 2) + 4 + (4 + 4)),
		0,
		15,
		0,
		12,
		0,
		9,
		'n',
		'o',
		' ',
		'D',
		'N',
		'S',
		'K',
		'E',
		'Y',
		'!',
		0,
		15,
		0,
		2,
		0,
		22, /* no reachable authority, no text */
		0,
		3,
		0,
		0, /* NSID, empty */
		0,
		15,
		0,
		4,
		0,
		6,
		0xc3,
		0xa9, /* DNSSEC bogus, UTF-8 text */
	};
	dns_msg_t m;
	char rb[16];

	assert_int_equal(dns_parse(*state, r, sizeof(r), &m), DB_OK);
	assert_int_equal(m.rcode, DNS_R_SERVFAIL);
	assert_string_equal(dns_rcode_str(m.rcode, rb), "SERVFAIL");
	assert_int_equal(m.edns.n_options, 4);
	assert_int_equal(m.edns.n_ede, 3);
	assert_int_equal(m.edns.ede[0].code, 9);
	assert_int_equal(m.edns.ede[0].text_len, 10);
	assert_ptr_equal(m.edns.ede[0].text, r + 29 + 11 + 6);
	assert_memory_equal(m.edns.ede[0].text, "no DNSKEY!", 10);
	assert_int_equal(m.edns.ede[1].code, 22);
	assert_int_equal(m.edns.ede[1].text_len, 0);
	assert_null(m.edns.ede[1].text);
	assert_int_equal(m.edns.ede[2].code, 6);
	assert_int_equal(m.edns.ede[2].text_len, 2);
	assert_memory_equal(m.edns.ede[2].text, "\xc3\xa9", 2);
}

static void test_edns_ede_cap(void **state)
{
	tbuf_t t;
	dns_msg_t m;
	const unsigned n = DNS_MAX_EDE + 3;

	hdr(&t, 2, 0x8182, 1, 0, 0, 1);
	putname(&t, "example.com");
	put16(&t, 1);
	put16(&t, 1);
	put8(&t, 0);
	put16(&t, DNS_T_OPT);
	put16(&t, 1232);
	put32(&t, 0);
	put16(&t, n * 6);
	for (unsigned i = 0; i < n; i++) {
		put16(&t, DNS_EDNS0_EDE);
		put16(&t, 2);
		put16(&t, 100 + i);
	}
	assert_int_equal(dns_parse(*state, t.b, t.n, &m), DB_OK);
	assert_int_equal(m.edns.n_options, n);
	assert_int_equal(m.edns.n_ede, DNS_MAX_EDE);
	assert_int_equal(m.edns.ede[0].code, 100);
	assert_int_equal(m.edns.ede[DNS_MAX_EDE - 1].code, 100 + DNS_MAX_EDE - 1);
}

static void test_edns_extended_rcode(void **state)
{
	static const uint8_t badvers[] = {
		HDR(1, 0x8180, 1, 0, 0, 1),
		Q_EXAMPLE_A,
		OPT_RR(1232, 1, 0, 0, 0),
	};
	static const uint8_t odd[] = {
		HDR(1, 0x8183, 1, 0, 0, 1),
		Q_EXAMPLE_A,
		OPT_RR(4096, 0xab, 1, 0x7f, 0),
	};
	dns_msg_t m;
	char rb[16];

	assert_int_equal(dns_parse(*state, badvers, sizeof(badvers), &m), DB_OK);
	assert_int_equal(m.rcode, 16);
	assert_int_equal(m.flags & 0xf, 0);
	assert_int_equal(m.edns.ext_rcode, 1);
	assert_string_equal(dns_rcode_str(m.rcode, rb), "BADVERS");

	assert_int_equal(dns_parse(*state, odd, sizeof(odd), &m), DB_OK);
	assert_int_equal(m.rcode, 0xab3);
	assert_int_equal(m.edns.version, 1);
	assert_int_equal(m.edns.do_bit, 0); /* only Z bits set */
	assert_int_equal(m.edns.udp_size, 4096);
	assert_string_equal(dns_rcode_str(m.rcode, rb), "RCODE2739");
}

/* --- name utilities and strings ------------------------------------------ */

static void test_name_str_escaping(void **state)
{
	static const uint8_t b[] = {
		HDR(0, 0, 0, 0, 0, 0),
		3,
		'A',
		'.',
		'b',
		3,
		'c',
		'\\',
		'D',
		6,
		0x00,
		0x20,
		0x7f,
		0x7e,
		0xff,
		0x21,
		0,
	};
	dns_name_t n;
	size_t off = 12;
	char buf[DNS_NAME_STRLEN];
	(void)state;

	assert_int_equal(dns_name_read(b, sizeof(b), &off, &n), DB_OK);
	assert_ptr_equal(dns_name_str(&n, buf), buf);
	assert_string_equal(buf, "a\\.b.c\\\\d.\\000\\032\\127~\\255!.");
	/* The stored name keeps its case; only the text is lower-cased. */
	assert_int_equal(n.wire[1], 'A');

	dns_name_t root = { .len = 1 };
	assert_string_equal(dns_name_str(&root, buf), ".");

	/* Worst case: 250 octets of \DDD still fit DNS_NAME_STRLEN. */
	uint8_t big[12 + 255];
	static const uint8_t lens[] = { 63, 63, 63, 61 };
	size_t o = 12;
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i < 4; i++) {
		big[o++] = lens[i];
		memset(big + o, 0xff, lens[i]);
		o += lens[i];
	}
	off = 12;
	assert_int_equal(dns_name_read(big, sizeof(big), &off, &n), DB_OK);
	assert_int_equal(strlen(dns_name_str(&n, buf)), 4 * 250 + 4);
}

static void name_from(dns_name_t *n, const char *dotted)
{
	tbuf_t t = { .n = 0 };
	size_t off = 0;
	putname(&t, dotted);
	assert_int_equal(dns_name_read(t.b, t.n, &off, n), DB_OK);
}

static void test_name_eq_and_lower(void **state)
{
	dns_name_t a, b;
	(void)state;

	name_from(&a, "WWW.Example.COM");
	name_from(&b, "www.example.com");
	assert_int_equal(dns_name_eq(&a, &b), 1);
	assert_int_equal(dns_name_eq(&b, &a), 1);
	name_from(&b, "www.example.co");
	assert_int_equal(dns_name_eq(&a, &b), 0);
	name_from(&b, "www.example.con");
	assert_int_equal(dns_name_eq(&a, &b), 0);
	name_from(&a, "ab.c");
	name_from(&b, "a.bc");
	assert_int_equal(dns_name_eq(&a, &b), 0);
	/* '@' and '`', '[' and '{' differ by 0x20 but are not letters. */
	name_from(&a, "@[");
	name_from(&b, "`{");
	assert_int_equal(dns_name_eq(&a, &b), 0);
	name_from(&a, ".");
	name_from(&b, ".");
	assert_int_equal(dns_name_eq(&a, &b), 1);

	name_from(&a, "MiXeD.CaSe.Z");
	dns_name_lower(&a);
	assert_memory_equal(a.wire,
			    "\x05mixed\x04"
			    "case\x01z\x00",
			    14);
	assert_int_equal(a.len, 14);
	assert_int_equal(a.labels, 3);
}

/* Case folding goes eight octets at a time: every octet value, at every
 * position of a word, folds as RFC 4343 says (A-Z only, never an octet
 * of 0x80 or more, never '@', '[', '`' or '{'), in dns_name_lower,
 * dns_name_copy_lower, dns_name_eq and dns_name_hash, and a suffix hashes as the name it is. */
static uint8_t ref_lc(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/* Names of every length from the root to 64 octets, labels of three,
 * upper case: lower-cased in place and copied lower-cased alike, into
 * storage of the name's size only (a word's tail is written twice). */
/* dns_octets_copy at every length a name's runs can have: the octets
 * copied, nothing written past them. */
static void test_octets_copy_every_length(void **state)
{
	(void)state;
	uint8_t src[300], dst[300];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (size_t n = 0; n <= 256; n++) {
		memset(dst, 0xee, sizeof(dst));
		dns_octets_copy(dst + 1, src + 3, n);
		assert_int_equal(dst[0], 0xee);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(dst[1 + i], src[3 + i]);
		for (size_t i = n + 1; i < sizeof(dst); i++)
			assert_int_equal(dst[i], 0xee);
	}
}

static void test_case_folding_every_length(void **state)
{
	(void)state;
	for (size_t len = 1; len <= 64; len++) {
		dns_name_t a, lo;
		memset(&a, 0, sizeof(a));
		size_t o = 0;
		while (o + 1 < len) {
			size_t l = len - 1 - o > 4 ? 3 : len - 1 - o - 1;
			a.wire[o] = (uint8_t)l;
			for (size_t i = 1; i <= l; i++)
				a.wire[o + i] = (uint8_t)('A' + (o + i) % 26);
			o += l + 1;
			a.labels++;
		}
		a.len = (uint8_t)len;
		lo = a;
		dns_name_lower(&lo);
		uint8_t *cp = malloc(offsetof(dns_name_t, wire) + len);
		assert_non_null(cp);
		dns_name_copy_lower((dns_name_t *)(void *)cp, &a);
		/* Read as octets: the storage is smaller than a dns_name_t. */
		for (size_t i = 0; i < len; i++) {
			assert_int_equal(lo.wire[i], ref_lc(a.wire[i]));
			assert_int_equal(cp[offsetof(dns_name_t, wire) + i], lo.wire[i]);
		}
		assert_int_equal(cp[offsetof(dns_name_t, len)], len);
		assert_int_equal(cp[offsetof(dns_name_t, labels)], a.labels);
		free(cp);
	}
}

static void test_case_folding_every_octet(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		for (size_t at = 0; at < 20; at++) {
			/* One label of 20 octets, then a label "Zz", then the root. */
			dns_name_t a, b, lo;
			memset(&a, 0, sizeof(a));
			a.wire[0] = 20;
			for (size_t i = 0; i < 20; i++)
				a.wire[1 + i] = (uint8_t)('a' + i);
			a.wire[1 + at] = (uint8_t)v;
			memcpy(a.wire + 21, "\x02Zz\x00", 4);
			a.len = 25;
			a.labels = 2;
			lo = a;
			dns_name_lower(&lo);
			for (size_t i = 0; i < a.len; i++)
				assert_int_equal(lo.wire[i], ref_lc(a.wire[i]));
			/* Copied lower-cased into storage of the name's size
			 * only (ASan sees a write beyond it). */
			dns_name_t *cp = malloc(offsetof(dns_name_t, wire) + a.len);
			assert_non_null(cp);
			dns_name_copy_lower(cp, &a);
			assert_int_equal(cp->len, a.len);
			assert_int_equal(cp->labels, a.labels);
			assert_memory_equal(cp->wire, lo.wire, a.len);
			free(cp);
			/* b: a with the octet at `at` replaced by each other value:
			 * equal exactly when the two fold alike. */
			for (unsigned u = 0; u < 256; u += 17) {
				b = a;
				b.wire[1 + at] = (uint8_t)u;
				int same = ref_lc((uint8_t)u) == ref_lc((uint8_t)v);
				assert_int_equal(dns_name_eq(&a, &b), same);
				if (same)
					assert_true(dns_name_hash(&a) == dns_name_hash(&b));
			}
			assert_true(dns_name_hash(&a) == dns_name_hash(&lo));
			assert_int_equal(dns_name_eq(&a, &lo), 1);
			/* The suffix "zz." hashes as that name does. */
			uint64_t h[4];
			assert_int_equal(dns_name_suffix_hashes(&a, h, 4), 3);
			dns_name_t zz;
			name_from(&zz, "ZZ");
			assert_true(h[1] == dns_name_hash(&zz));
		}
	}
}

/* A name copied at its size (dns_name_dup) is compared, hashed and
 * lowered word by word without a read past its last octet (the sanitizer
 * build checks), at every length a word's tail can have. */
static void test_names_at_their_size(void **state)
{
	(void)state;
	for (uint8_t l = 1; l <= 40; l++) {
		dns_name_t n;
		memset(&n, 0, sizeof(n));
		n.wire[0] = l;
		for (uint8_t i = 0; i < l; i++)
			n.wire[1 + i] = (uint8_t)(i % 2 ? 'Q' : 'q');
		n.len = (uint8_t)(l + 2);
		n.labels = 1;
		dns_name_t *d = dns_name_dup(&n), *e = dns_name_dup(&n);
		assert_non_null(d);
		assert_non_null(e);
		assert_int_equal(dns_name_eq(d, &n), 1);
		assert_true(dns_name_hash(d) == dns_name_hash(&n));
		uint64_t h[4];
		assert_int_equal(dns_name_suffix_hashes(d, h, 4), 2);
		dns_name_lower(e);
		assert_int_equal(dns_name_eq(d, e), 1);
		assert_true(dns_name_hash(e) == h[0]);
		for (uint8_t i = 0; i < l; i++)
			assert_int_equal(e->wire[1 + i], 'q');
		free(d);
		free(e);
	}
}

/* The walk one ancestor at a time gives the hashes dns_name_suffix_hashes
 * gives, in the same order, root included, then stops; after k steps it
 * stands where dns_name_suffix_at(k) says. */
static void test_suffix_hash_walk(void **state)
{
	(void)state;
	static const char *const names[] = { ".", "com", "Example.COM",
					     "a.b.c.d.e.f.g.example.org" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dns_name_t n;
		name_from(&n, names[i]);
		uint64_t all[130], h;
		size_t k = dns_name_suffix_hashes(&n, all, 130), j = 0, off = 0;
		for (;;) {
			assert_int_equal(dns_name_suffix_at(&n, j), off);
			if (!dns_name_next_suffix_hash(&n, &off, &h))
				break;
			assert_true(j < k);
			assert_true(h == all[j]);
			j++;
		}
		/* Past the root, the walk stands at the name's end. */
		assert_int_equal(dns_name_suffix_at(&n, k + 3), n.len);
		assert_int_equal(j, k);
		assert_int_equal(j, (size_t)n.labels + 1);
		assert_int_equal(dns_name_next_suffix_hash(&n, &off, &h), 0);
	}
}

static void test_type_and_rcode_str(void **state)
{
	static const struct {
		uint16_t v;
		const char *s;
	} types[] = {
		{ 1, "A" },         { 2, "NS" },
		{ 5, "CNAME" },     { 6, "SOA" },
		{ 12, "PTR" },      { 15, "MX" },
		{ 16, "TXT" },      { 28, "AAAA" },
		{ 33, "SRV" },      { 41, "OPT" },
		{ 43, "DS" },       { 46, "RRSIG" },
		{ 47, "NSEC" },     { 48, "DNSKEY" },
		{ 50, "NSEC3" },    { 51, "NSEC3PARAM" },
		{ 64, "SVCB" },     { 65, "HTTPS" },
		{ 251, "IXFR" },    { 252, "AXFR" },
		{ 255, "ANY" },     { 257, "CAA" },
		{ 0, "TYPE0" },     { 3, "TYPE3" },
		{ 258, "TYPE258" }, { 65535, "TYPE65535" },
	};
	static const char *const rcodes[] = {
		"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
	};
	char buf[16];
	(void)state;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_string_equal(dns_type_str(types[i].v, buf), types[i].s);
	for (uint16_t i = 0; i < 11; i++)
		assert_string_equal(dns_rcode_str(i, buf), rcodes[i]);
	assert_string_equal(dns_rcode_str(11, buf), "RCODE11");
	assert_string_equal(dns_rcode_str(16, buf), "BADVERS");
	assert_string_equal(dns_rcode_str(23, buf), "RCODE23");
	assert_string_equal(dns_rcode_str(4095, buf), "RCODE4095");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_query_normal),
		T(test_query_edns),
		T(test_response_all_types),
		T(test_nsec_view),
		T(test_compression),
		T(test_owner_pointer_to_qname),
		T(test_name_pointer_loop),
		T(test_name_self_and_forward_pointer),
		T(test_name_label_64),
		T(test_name_length_limit),
		T(test_name_pointer_hop_cap),
		T(test_name_reserved_label_types),
		T(test_truncated_header),
		T(test_truncated_question),
		T(test_truncated_rr),
		T(test_counts_that_cannot_fit),
		T(test_oversized_message),
		T(test_trailing_garbage),
		T(test_questions),
		T(test_rdata_checks),
		T(test_update_empty_rdata),
		T(test_edns_option_overrun),
		T(test_edns_two_opt),
		T(test_edns_opt_placement),
		T(test_edns_ede),
		T(test_edns_ede_cap),
		T(test_edns_extended_rcode),
		T(test_name_str_escaping),
		T(test_name_eq_and_lower),
		T(test_case_folding_every_octet),
		T(test_octets_copy_every_length),
		T(test_case_folding_every_length),
		T(test_names_at_their_size),
		T(test_suffix_hash_walk),
		T(test_type_and_rcode_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
