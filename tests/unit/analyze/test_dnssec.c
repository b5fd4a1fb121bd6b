/*
 * test_dnssec.c - unit tests for analyze/dnssec.c.
 *
 * Published vectors (RFC 4034 5.4, RFC 4509, RFC 5702 6, RFC 6605 6,
 * RFC 8080 6 as corrected by erratum 4935) and zones signed by
 * dnssec-signzone and ldns-signzone for every algorithm we implement
 * (tests/unit/data/dnssec/, see its README.md).  Records are written in
 * presentation form and read by a small reader below; each signature is
 * checked the way dnsblame meets it: the RRset, its RRSIG and the DNSKEYs
 * are packed into a DNS message with name compression, parsed by
 * analyze/dns.c and handed over as (message, record) pairs.  The mutation
 * tests change single octets of that message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The RFC vectors below are records split over several string literals on
 * purpose: clang's warning about concatenation in an array does not apply. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wstring-concatenation"
#endif

#include "../../../analyze/dnssec.h"

#ifndef DATA_DIR
#define DATA_DIR "tests/unit/data/dnssec/" /* relative to the repository root */
#endif
#define SEC 1000000LL /* db_time_t units per second */

#include "../zonetext.h"
/* --- a message builder with name compression ---------------------------- */

typedef struct tmsg {
	uint8_t b[65535];
	size_t n;
	uint16_t an;
	struct {
		dns_name_t name;
		uint16_t off;
	} comp[512];
	size_t ncomp;
} tmsg_t;

static void msg_init(tmsg_t *m)
{
	memset(m->b, 0, DNS_HDR_LEN);
	m->b[2] = 0x84; /* QR AA */
	m->n = DNS_HDR_LEN;
	m->an = 0;
	m->ncomp = 0;
}

static void msg_put(tmsg_t *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void msg_u16(tmsg_t *m, unsigned v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	msg_put(m, x, 2);
}

/* Writes a name, replacing its longest suffix already in the message with
 * a pointer when compress is set (RFC 1035 4.1.4), as servers do. */
static void msg_name(tmsg_t *m, const dns_name_t *n, int compress)
{
	size_t off = 0;
	while (n->wire[off] != 0) {
		dns_name_t suf;
		suf.len = (uint8_t)(n->len - off);
		suf.labels = 0;
		memcpy(suf.wire, n->wire + off, suf.len);
		if (compress)
			for (size_t i = 0; i < m->ncomp; i++)
				if (dns_name_eq(&m->comp[i].name, &suf)) {
					msg_u16(m, 0xC000u | m->comp[i].off);
					return;
				}
		if (m->n < 0x3FFF && m->ncomp < sizeof(m->comp) / sizeof(m->comp[0])) {
			m->comp[m->ncomp].name = suf;
			m->comp[m->ncomp].off = (uint16_t)m->n;
			m->ncomp++;
		}
		msg_put(m, n->wire + off, (size_t)n->wire[off] + 1);
		off += (size_t)n->wire[off] + 1;
	}
	msg_put(m, "", 1);
}

/* Appends r to the answer section (owner replaced when owner is not NULL),
 * compressing the owner and the names in NS, CNAME, MX and SOA rdata.
 * Returns the offset of the rdata in the message. */
static size_t msg_rr(tmsg_t *m, const trr_t *r, const dns_name_t *owner)
{
	msg_name(m, owner ? owner : &r->owner, 1);
	msg_u16(m, r->type);
	msg_u16(m, r->rclass);
	msg_u16(m, r->ttl >> 16);
	msg_u16(m, r->ttl & 0xFFFF);
	size_t lenpos = m->n;
	msg_u16(m, 0);
	size_t start = m->n, off = 0;
	dns_name_t n;
	switch (r->type) {
	case DNS_T_MX:
		msg_put(m, r->rdata, 2);
		off = 2;
		/* fall through */
	case DNS_T_NS:
	case DNS_T_CNAME:
		assert_int_equal(dns_name_read(r->rdata, r->rdlen, &off, &n), DB_OK);
		msg_name(m, &n, 1);
		break;
	case DNS_T_SOA:
		assert_int_equal(dns_name_read(r->rdata, r->rdlen, &off, &n), DB_OK);
		msg_name(m, &n, 1);
		assert_int_equal(dns_name_read(r->rdata, r->rdlen, &off, &n), DB_OK);
		msg_name(m, &n, 1);
		msg_put(m, r->rdata + off, 20);
		break;
	default: msg_put(m, r->rdata, r->rdlen); break;
	}
	m->b[lenpos] = (uint8_t)((m->n - start) >> 8);
	m->b[lenpos + 1] = (uint8_t)(m->n - start);
	m->an++;
	m->b[6] = (uint8_t)(m->an >> 8);
	m->b[7] = (uint8_t)m->an;
	return start;
}

/* --- verifying one RRSIG of a zone, through a message ------------------- */

enum flip { FLIP_NONE, FLIP_SIG, FLIP_KEY, FLIP_RDATA };

typedef struct vopt {
	const char *owner; /* answer owner, for a wildcard expansion */
	int reverse;       /* put the RRset in the message in reverse order */
	enum flip flip;
} vopt_t;

static dnssec_result_t verify_sig(const tzone_t *z, const trr_t *sig, db_time_t now,
				  const vopt_t *opt, dnssec_reason_t *why)
{
	static const vopt_t none = { NULL, 0, FLIP_NONE };
	if (!opt)
		opt = &none;
	uint16_t covered = rd16(sig->rdata);
	dns_name_t signer, qowner;
	size_t off = 18;
	assert_int_equal(dns_name_read(sig->rdata, sig->rdlen, &off, &signer), DB_OK);
	const dns_name_t *owner = NULL;
	if (opt->owner) {
		qowner = name(opt->owner);
		owner = &qowner;
	}

	tmsg_t *m = malloc(sizeof(*m));
	assert_non_null(m);
	msg_init(m);
	size_t first_rdata = 0, nmember = 0;
	for (size_t k = 0; k < z->n; k++) {
		size_t i = opt->reverse ? z->n - 1 - k : k;
		const trr_t *r = &z->rr[i];
		if (r->type == covered && r->rclass == sig->rclass &&
		    dns_name_eq(&r->owner, &sig->owner)) {
			size_t o = msg_rr(m, r, owner);
			if (nmember++ == 0)
				first_rdata = o;
		}
	}
	assert_true(nmember > 0);
	msg_rr(m, sig, owner);
	size_t sig_end = m->n;
	size_t key_off = 0, key_len = 0;
	for (size_t i = 0; i < z->n; i++) {
		const trr_t *r = &z->rr[i];
		if (r->type == DNS_T_DNSKEY && dns_name_eq(&r->owner, &signer)) {
			size_t o = msg_rr(m, r, NULL);
			if (!key_len) {
				key_off = o;
				key_len = r->rdlen;
			}
		}
	}
	switch (opt->flip) {
	case FLIP_NONE: break;
	case FLIP_SIG: m->b[sig_end - 1] ^= 0x01; break;
	case FLIP_KEY:
		assert_true(key_len > 8);
		m->b[key_off + 4 + (key_len - 4) / 2] ^= 0x01;
		break;
	case FLIP_RDATA: m->b[first_rdata] ^= 0x01; break;
	}

	dns_parser_t p;
	dns_msg_t msg;
	dns_parser_init(&p);
	assert_int_equal(dns_parse(&p, m->b, m->n, &msg), DB_OK);
	dnssec_rrset_t *set = dnssec_rrset_new();
	assert_non_null(set);
	const dns_rr_t *rrsig = NULL;
	for (size_t i = 0; i < msg.nrr; i++) {
		const dns_rr_t *rr = &msg.rr[i];
		if (rr->type == covered && covered != DNS_T_DNSKEY)
			assert_int_equal(dnssec_rrset_add(set, &msg, rr), DB_OK);
		else if (rr->type == covered && i < nmember)
			assert_int_equal(dnssec_rrset_add(set, &msg, rr), DB_OK);
		if (rr->type == DNS_T_RRSIG)
			rrsig = rr;
	}
	assert_non_null(rrsig);
	dns_rrsig_t rs;
	assert_int_equal(dns_rr_rrsig(&msg, rrsig, &rs), DB_OK);

	/* The verdict of the key the RRSIG names, else of the first key. */
	dnssec_result_t res = DNSSEC_INDETERMINATE;
	dnssec_reason_t w = DNSSEC_R_RESOURCES;
	int have = 0;
	for (size_t i = 0; i < msg.nrr; i++) {
		const dns_rr_t *rr = &msg.rr[i];
		if (rr->type != DNS_T_DNSKEY || i < nmember)
			continue;
		dns_dnskey_t key;
		dnssec_reason_t kw;
		assert_int_equal(dns_rr_dnskey(&msg, rr, &key), DB_OK);
		dnssec_result_t kr = dnssec_verify_rrset(set, &rs, &rr->owner, &key, now, &kw);
		if (!have || dnssec_dnskey_tag(&key) == rs.key_tag) {
			res = kr;
			w = kw;
			have = 1;
		}
		if (kr == DNSSEC_SECURE)
			break;
	}
	dnssec_rrset_free(set);
	dns_parser_free(&p);
	free(m);
	if (why)
		*why = w;
	return res;
}

#define assert_verdict(res, why, eres, ewhy)                                                       \
	do {                                                                                       \
		if ((res) != (eres) || (why) != (ewhy))                                            \
			fail_msg("got %s (%s), want %s (%s)", dnssec_result_str(res),              \
				 dnssec_reason_str(why), dnssec_result_str(eres),                  \
				 dnssec_reason_str(ewhy));                                         \
	} while (0)

/* --- published vectors -------------------------------------------------- */

/* RFC 5702 6.1: RSA/SHA-256, 512-bit key, key tag 9033. */
static const char *const rfc5702_sha256[] = {
	"example.net. 3600 IN DNSKEY 256 3 8 "
	"AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36Bponcw"
	"tkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk= ;{id = 9033 (zsk), size = 512b}",
	"www.example.net. 3600 IN A 192.0.2.91",
	"www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. "
	"kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==",
};

/* RFC 5702 6.2: RSA/SHA-512, 1024-bit key, key tag 3740. */
static const char *const rfc5702_sha512[] = {
	"example.net. 3600 IN DNSKEY 256 3 10 "
	"AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6p"
	"nWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/"
	"D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12"
	"ZTSncorffcGmhOL ;{id = 3740 (zsk), size = 1024b}",
	"www.example.net. 3600 IN A 192.0.2.91",
	"www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 "
	"example.net. "
	"tsb4wnjRUDnB1BUi+t6TMTXThjVnG+"
	"eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOua"
	"gYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=",
};

/* RFC 6605 6.1: ECDSA P-256, key tag 55648, with its SHA-256 DS. */
static const char *const rfc6605_p256[] = {
	"example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb"
	"krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
	"example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1"
	"e2770ce6d6e37df61d17",
	"www.example.net. 3600 IN A 192.0.2.1",
	"www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 "
	"example.net. "
	"qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
};

/* RFC 6605 6.2: ECDSA P-384, key tag 10771, with its SHA-384 DS. */
static const char *const rfc6605_p384[] = {
	"example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1"
	"w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	"example.net. 3600 IN DS 10771 14 4 72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9"
	"495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6",
	"www.example.net. 3600 IN A 192.0.2.1",
	"www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 20100812102025 10771 "
	"example.net. "
	"/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWT"
	"SSPdz7wnqX"
	"L5bdcJzusdnI0RSMROxxwGipWcJm",
};

/*
 * RFC 8080 6, with the RRSIGs of erratum 4935: as published they lack the
 * algorithm field and were signed with a label count of 3 (the root
 * counted), so they cannot verify.
 */
static const char *const rfc8080_ed25519_a[] = {
	"example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	"example.com. 3600 IN DS 3613 15 2 "
	"3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79"
	"a304b",
	"example.com. 3600 IN MX 10 mail.example.com.",
	"example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. "
	"oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
};

static const char *const rfc8080_ed25519_b[] = {
	"example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
	"example.com. 3600 IN DS 35217 15 2 "
	"401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c"
	"6614c",
	"example.com. 3600 IN MX 10 mail.example.com.",
	"example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. "
	"zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
};

static const char *const rfc8080_ed448_a[] = {
	"example.com. 3600 IN DNSKEY 257 3 16 "
	"3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx"
	"1FYYUcJKm1MDpJtIA",
	"example.com. 3600 IN DS 9713 16 2 "
	"6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2"
	"b19c7",
	"example.com. 3600 IN MX 10 mail.example.com.",
	"example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 9713 example.com. "
	"3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/"
	"NBtOXft0+Gj7FSvOKxE"
	"/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA",
};

static const char *const rfc8080_ed448_b[] = {
	"example.com. 3600 IN DNSKEY 257 3 16 "
	"kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcN"
	"Lp5HlHAMy12VoISsA",
	"example.com. 3600 IN DS 38353 16 2 "
	"645ff078b3568f5852b70cb60e8e696cc77b75bfaaffc118cf79cbda1ba"
	"28af4",
	"example.com. 3600 IN MX 10 mail.example.com.",
	"example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 38353 example.com. "
	"E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/"
	"9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT"
	"9kuAICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA",
};

/* RFC 8080 6.1 as published, with the algorithm field put back: the
 * label count 3 exceeds the owner's 2 labels. */
static const char *const rfc8080_published[] = {
	"example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	"example.com. 3600 IN MX 10 mail.example.com.",
	("example.com. 3600 IN RRSIG MX 15 3 3600 1440021600 1438207200 3613 example.com. "
	 "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg="
	 "="),
};

/* RFC 4034 5.4 (SHA-1) and RFC 4509 2.3 (SHA-256): key tag 60485. */
static const char *const rfc4034_ds[] = {
	"dskey.example.com. 86400 IN DNSKEY 256 3 5 "
	"AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxe"
	"YCmZDRD99WYwYqUSdjMmmAphXdvxegXd/"
	"M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/"
	"rljwvFw== ;{id = 60485 (zsk), size = 1024b}",
	"dskey.example.com. 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
	"dskey.example.com. 86400 IN DS 60485 5 2 "
	"D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A",
};

typedef struct vector {
	const char *what;
	const char *const *lines;
	size_t n;
	uint16_t key_tag;
	const char *inside, *before, *after; /* times in and around the window */
} vector_t;

#define VEC(w, l, tag, in, bef, aft)                                                               \
	{                                                                                          \
		w, l, sizeof(l) / sizeof(l[0]), tag, in, bef, aft                                  \
	}

static const vector_t vectors[] = {
	VEC("RFC 5702 6.1 RSA/SHA-256", rfc5702_sha256, 9033, "20100101000000", "19991231235959",
	    "20300101000001"),
	VEC("RFC 5702 6.2 RSA/SHA-512", rfc5702_sha512, 3740, "20100101000000", "19991231235959",
	    "20300101000001"),
	VEC("RFC 6605 6.1 ECDSA P-256", rfc6605_p256, 55648, "20100820000000", "20100812100438",
	    "20100909100440"),
	VEC("RFC 6605 6.2 ECDSA P-384", rfc6605_p384, 10771, "20100820000000", "20100812102024",
	    "20100909102026"),
	VEC("RFC 8080 6.1 Ed25519 (3613)", rfc8080_ed25519_a, 3613, "1439000000", "1438207199",
	    "1440021601"),
	VEC("RFC 8080 6.1 Ed25519 (35217)", rfc8080_ed25519_b, 35217, "1439000000", "1438207199",
	    "1440021601"),
	VEC("RFC 8080 6.2 Ed448 (9713)", rfc8080_ed448_a, 9713, "1439000000", "1438207199",
	    "1440021601"),
	VEC("RFC 8080 6.2 Ed448 (38353)", rfc8080_ed448_b, 38353, "1439000000", "1438207199",
	    "1440021601"),
};

#define NVEC (sizeof(vectors) / sizeof(vectors[0]))

static void test_vectors_verify(void **state)
{
	(void)state;
	for (size_t v = 0; v < NVEC; v++) {
		const vector_t *t = &vectors[v];
		tzone_t z = { 0 };
		dnssec_reason_t why;
		zone_lines(&z, t->lines, t->n);
		const trr_t *sig = find_type(&z, DNS_T_RRSIG, 0);
		assert_non_null(sig);

		print_message("%s\n", t->what);
		dnssec_result_t r = verify_sig(&z, sig, at(t->inside), NULL, &why);
		assert_verdict(r, why, DNSSEC_SECURE, DNSSEC_R_NONE);
		/* The window is judged against the time given, inclusively. */
		r = verify_sig(&z, sig, at(t->before), NULL, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_SIG_NOT_YET_VALID);
		r = verify_sig(&z, sig, at(t->after), NULL, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_SIG_EXPIRED);
		r = verify_sig(&z, sig, at(t->after) - 1 * SEC, NULL, &why);
		assert_verdict(r, why, DNSSEC_SECURE, DNSSEC_R_NONE);
		r = verify_sig(&z, sig, at(t->before) + 1 * SEC, NULL, &why);
		assert_verdict(r, why, DNSSEC_SECURE, DNSSEC_R_NONE);
		zone_free(&z);
	}
}

static void test_vectors_mutated(void **state)
{
	(void)state;
	for (size_t v = 0; v < NVEC; v++) {
		const vector_t *t = &vectors[v];
		tzone_t z = { 0 };
		dnssec_reason_t why;
		zone_lines(&z, t->lines, t->n);
		const trr_t *sig = find_type(&z, DNS_T_RRSIG, 0);
		db_time_t now = at(t->inside);
		vopt_t o = { NULL, 0, FLIP_SIG };

		print_message("%s\n", t->what);
		dnssec_result_t r = verify_sig(&z, sig, now, &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_BAD_SIGNATURE);
		o.flip = FLIP_KEY;
		r = verify_sig(&z, sig, now, &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_KEY_TAG_MISMATCH);
		o.flip = FLIP_RDATA; /* 192.0.2.x -> 193.0.2.x, 10 -> 266 */
		r = verify_sig(&z, sig, now, &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_BAD_SIGNATURE);
		zone_free(&z);
	}
}

static void test_vectors_key_tag_and_ds(void **state)
{
	(void)state;
	size_t nds = 0;
	for (size_t v = 0; v < NVEC; v++) {
		const vector_t *t = &vectors[v];
		tzone_t z = { 0 };
		zone_lines(&z, t->lines, t->n);
		const trr_t *k = find_type(&z, DNS_T_DNSKEY, 0);
		dns_dnskey_t key;
		trr_dnskey(k, &key);
		assert_int_equal(dnssec_key_tag(k->rdata, k->rdlen), t->key_tag);
		assert_int_equal(dnssec_dnskey_tag(&key), t->key_tag);
		for (size_t i = 0; find_type(&z, DNS_T_DS, i); i++, nds++) {
			dns_ds_t ds;
			dnssec_reason_t why;
			trr_ds(find_type(&z, DNS_T_DS, i), &ds);
			assert_verdict(dnssec_ds_matches(&k->owner, &ds, &key, &why), why,
				       DNSSEC_SECURE, DNSSEC_R_NONE);
		}
		zone_free(&z);
	}
	assert_int_equal(nds, 6);
}

static void test_rfc4034_ds(void **state)
{
	(void)state;
	tzone_t z = { 0 };
	zone_lines(&z, rfc4034_ds, sizeof(rfc4034_ds) / sizeof(rfc4034_ds[0]));
	const trr_t *k = find_type(&z, DNS_T_DNSKEY, 0);
	dns_dnskey_t key;
	dns_ds_t ds;
	dnssec_reason_t why;
	uint8_t d[DNSSEC_MAX_DIGEST];
	size_t dlen = 0;

	trr_dnskey(k, &key);
	assert_int_equal(dnssec_key_tag(k->rdata, k->rdlen), 60485);
	for (size_t i = 0; i < 2; i++) {
		trr_ds(find_type(&z, DNS_T_DS, i), &ds);
		assert_verdict(dnssec_ds_matches(&k->owner, &ds, &key, &why), why, DNSSEC_SECURE,
			       DNSSEC_R_NONE);
		assert_int_equal(
		    dnssec_ds_digest(&k->owner, k->rdata, k->rdlen, ds.digest_type, d, &dlen),
		    DB_OK);
		assert_int_equal(dlen, ds.digest_len);
		assert_memory_equal(d, ds.digest, dlen);
	}

	/* The owner is digested in canonical form. */
	dns_name_t upper = name("DSKEY.Example.COM.");
	assert_verdict(dnssec_ds_matches(&upper, &ds, &key, &why), why, DNSSEC_SECURE,
		       DNSSEC_R_NONE);
	dns_name_t other = name("dskey.example.net.");
	assert_verdict(dnssec_ds_matches(&other, &ds, &key, &why), why, DNSSEC_BOGUS,
		       DNSSEC_R_DIGEST_MISMATCH);

	/* One changed octet of the digest, or of the key. */
	uint8_t copy[DNSSEC_MAX_DIGEST];
	memcpy(copy, ds.digest, ds.digest_len);
	copy[5] ^= 0x40;
	dns_ds_t bad = ds;
	bad.digest = copy;
	assert_verdict(dnssec_ds_matches(&k->owner, &bad, &key, &why), why, DNSSEC_BOGUS,
		       DNSSEC_R_DIGEST_MISMATCH);
	bad = ds;
	bad.digest_len--;
	assert_verdict(dnssec_ds_matches(&k->owner, &bad, &key, &why), why, DNSSEC_BOGUS,
		       DNSSEC_R_DIGEST_MISMATCH);
	bad = ds;
	bad.key_tag++;
	assert_verdict(dnssec_ds_matches(&k->owner, &bad, &key, &why), why, DNSSEC_BOGUS,
		       DNSSEC_R_KEY_TAG_MISMATCH);
	bad = ds;
	bad.algorithm = 8;
	assert_verdict(dnssec_ds_matches(&k->owner, &bad, &key, &why), why, DNSSEC_BOGUS,
		       DNSSEC_R_ALGORITHM_MISMATCH);
	bad = ds;
	bad.digest_type = 3; /* GOST */
	assert_verdict(dnssec_ds_matches(&k->owner, &bad, &key, &why), why, DNSSEC_INDETERMINATE,
		       DNSSEC_R_UNSUPPORTED_DIGEST);
	assert_int_equal(dnssec_ds_digest(&k->owner, k->rdata, k->rdlen, 3, d, &dlen), DB_EUNSUPP);
	assert_int_equal(dnssec_ds_digest(&k->owner, k->rdata, 3, 1, d, &dlen), DB_EMALFORMED);
	assert_int_equal(dnssec_ds_digest(&k->owner, k->rdata, k->rdlen, 4, d, &dlen), DB_OK);
	assert_int_equal(dlen, 48);

	uint8_t kcopy[TRR_RDATA];
	memcpy(kcopy, key.key, key.key_len);
	kcopy[key.key_len / 2] ^= 0x01;
	dns_dnskey_t kbad = key;
	kbad.key = kcopy;
	trr_ds(find_type(&z, DNS_T_DS, 0), &ds);
	ds.key_tag = dnssec_dnskey_tag(&kbad); /* get past the tag */
	assert_verdict(dnssec_ds_matches(&k->owner, &ds, &kbad, &why), why, DNSSEC_BOGUS,
		       DNSSEC_R_DIGEST_MISMATCH);
	zone_free(&z);
}

static void test_rfc8080_published_is_bogus(void **state)
{
	(void)state;
	tzone_t z = { 0 };
	dnssec_reason_t why;
	zone_lines(&z, rfc8080_published, sizeof(rfc8080_published) / sizeof(rfc8080_published[0]));
	dnssec_result_t r = verify_sig(&z, find_type(&z, DNS_T_RRSIG, 0), at("1439000000"), NULL,
				       &why);
	assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_RRSIG_MISMATCH);
	zone_free(&z);
}

static void test_key_tag_edge_cases(void **state)
{
	(void)state;
	/* B.1: algorithm 1 takes octets -3 and -2 of the modulus. */
	static const uint8_t md5key[] = { 0x01, 0x00, 0x03, 0x01, 0x01, 0x03,
					  0xAA, 0xBB, 0x12, 0x34, 0x56 };
	assert_int_equal(dnssec_key_tag(md5key, sizeof(md5key)), 0x1234);
	assert_int_equal(dnssec_key_tag(md5key, 3), 0);
	assert_int_equal(dnssec_key_tag(NULL, 0), 0);
	/* The sum folds its carry back in: 3 * 0xFF00 + 0x08 = 0x2FD08,
	 * plus 0x2 is 0x2FD0A. */
	static const uint8_t carry[] = { 0xFF, 0x00, 0xFF, 0x08, 0xFF, 0x00 };
	assert_int_equal(dnssec_key_tag(carry, sizeof(carry)), 0xFD0A);
}

/* --- the signed zones -------------------------------------------------- */

static const struct {
	const char *file;
	uint8_t alg;
} zones[] = {
	{ "bind-rsasha1.zone", 5 },    { "bind-nsec3rsasha1.zone", 7 },
	{ "bind-rsasha256.zone", 8 },  { "bind-rsasha512.zone", 10 },
	{ "bind-ecdsap256.zone", 13 }, { "bind-ecdsap384.zone", 14 },
	{ "bind-ed25519.zone", 15 },   { "bind-ed448.zone", 16 },
	{ "ldns-rsasha1.zone", 5 },    { "ldns-nsec3rsasha1.zone", 7 },
	{ "ldns-rsasha256.zone", 8 },  { "ldns-rsasha512.zone", 10 },
	{ "ldns-ecdsap256.zone", 13 }, { "ldns-ecdsap384.zone", 14 },
	{ "ldns-ed25519.zone", 15 },   { "ldns-ed448.zone", 16 },
};

#define NZONES (sizeof(zones) / sizeof(zones[0]))
#define ZONE_NOW "20250601000000" /* inside 20240101000000..20340101000000 */

static const trr_t *find_sig(const tzone_t *z, const char *owner, uint16_t covered)
{
	dns_name_t n = name(owner);
	for (size_t i = 0; i < z->n; i++)
		if (z->rr[i].type == DNS_T_RRSIG && rd16(z->rr[i].rdata) == covered &&
		    dns_name_eq(&z->rr[i].owner, &n))
			return &z->rr[i];
	fail_msg("no RRSIG %u at %s", covered, owner);
	return NULL;
}

/* Every RRSIG of every zone verifies, with the RRset in zone order and in
 * reverse order; every DS matches its key. */
static void test_zones_verify(void **state)
{
	(void)state;
	for (size_t f = 0; f < NZONES; f++) {
		tzone_t z = { 0 };
		size_t nsig = 0, nds = 0;
		zone_file(&z, zones[f].file);
		const trr_t *k = find_type(&z, DNS_T_DNSKEY, 0);
		assert_non_null(k);
		assert_int_equal(k->rdata[3], zones[f].alg);
		for (size_t i = 0; i < z.n; i++) {
			const trr_t *r = &z.rr[i];
			dnssec_reason_t why;
			if (r->type == DNS_T_RRSIG) {
				vopt_t rev = { NULL, 1, FLIP_NONE };
				char owner[DNS_NAME_STRLEN];
				dnssec_result_t res = verify_sig(&z, r, at(ZONE_NOW), NULL, &why);
				if (res != DNSSEC_SECURE)
					fail_msg("%s: RRSIG %u at %s: %s (%s)", zones[f].file,
						 rd16(r->rdata), dns_name_str(&r->owner, owner),
						 dnssec_result_str(res), dnssec_reason_str(why));
				res = verify_sig(&z, r, at(ZONE_NOW), &rev, &why);
				assert_verdict(res, why, DNSSEC_SECURE, DNSSEC_R_NONE);
				nsig++;
			} else if (r->type == DNS_T_DS) {
				dns_ds_t ds;
				dns_dnskey_t key;
				trr_ds(r, &ds);
				trr_dnskey(k, &key);
				assert_verdict(dnssec_ds_matches(&r->owner, &ds, &key, &why), why,
					       DNSSEC_SECURE, DNSSEC_R_NONE);
				nds++;
			}
		}
		print_message("%s: %zu RRSIGs, %zu DS\n", zones[f].file, nsig, nds);
		assert_true(nsig >= 20);
		assert_int_equal(nds, 3); /* SHA-1, SHA-256, SHA-384 */
		zone_free(&z);
	}
}

/* One changed octet in a signed answer moves the verdict. */
static void test_zones_mutated(void **state)
{
	(void)state;
	for (size_t f = 0; f < NZONES; f++) {
		tzone_t z = { 0 };
		dnssec_reason_t why;
		zone_file(&z, zones[f].file);
		const trr_t *sig = find_sig(&z, "www.example.org.", DNS_T_A);
		vopt_t o = { NULL, 0, FLIP_SIG };
		dnssec_result_t r = verify_sig(&z, sig, at(ZONE_NOW), &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_BAD_SIGNATURE);
		o.flip = FLIP_KEY;
		r = verify_sig(&z, sig, at(ZONE_NOW), &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_KEY_TAG_MISMATCH);
		o.flip = FLIP_RDATA;
		r = verify_sig(&z, sig, at(ZONE_NOW), &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_BAD_SIGNATURE);
		r = verify_sig(&z, sig, at("20340101000001"), NULL, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_SIG_EXPIRED);
		r = verify_sig(&z, sig, at("20231231235959"), NULL, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_SIG_NOT_YET_VALID);
		zone_free(&z);
	}
}

/* RFC 4035 5.3.2: an answer synthesised from *.wild.example.org carries the
 * wildcard's RRSIG (labels 3) under the query name. */
static void test_zones_wildcard(void **state)
{
	(void)state;
	static const char *const qnames[] = {
		"a.wild.example.org.",
		"A.B.Wild.example.org.",
		"*.wild.example.org.",
	};
	for (size_t f = 0; f < NZONES; f++) {
		tzone_t z = { 0 };
		dnssec_reason_t why;
		zone_file(&z, zones[f].file);
		static const uint16_t types[] = { DNS_T_A, DNS_T_TXT };
		for (size_t t = 0; t < 2; t++) {
			const trr_t *sig = find_sig(&z, "*.wild.example.org.", types[t]);
			assert_int_equal(sig->rdata[3], 3);
			for (size_t q = 0; q < sizeof(qnames) / sizeof(qnames[0]); q++) {
				vopt_t o = { qnames[q], 0, FLIP_NONE };
				dnssec_result_t r = verify_sig(&z, sig, at(ZONE_NOW), &o, &why);
				assert_verdict(r, why, DNSSEC_SECURE, DNSSEC_R_NONE);
			}
			/* Not below the wildcard's parent: the signature is over
			 * *.wild.example.org, not *.other.example.org. */
			vopt_t o = { "a.other.example.org.", 0, FLIP_NONE };
			dnssec_result_t r = verify_sig(&z, sig, at(ZONE_NOW), &o, &why);
			assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_BAD_SIGNATURE);
		}
		/* An ordinary RRSIG moved under a longer name reads as a
		 * wildcard expansion and fails. */
		vopt_t o = { "x.www.example.org.", 0, FLIP_NONE };
		dnssec_result_t r = verify_sig(&z, find_sig(&z, "www.example.org.", DNS_T_A),
					       at(ZONE_NOW), &o, &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_BAD_SIGNATURE);
		/* A shorter name than the labels field allows. */
		o.owner = "example.org.";
		r = verify_sig(&z, find_sig(&z, "www.example.org.", DNS_T_A), at(ZONE_NOW), &o,
			       &why);
		assert_verdict(r, why, DNSSEC_BOGUS, DNSSEC_R_RRSIG_MISMATCH);
		zone_free(&z);
	}
}

/* --- canonical form, directly ----------------------------------------- */

static void test_canonical_order_and_duplicates(void **state)
{
	(void)state;
	dnssec_rrset_t *set = dnssec_rrset_new();
	dns_name_t owner = name("WWW.Example.ORG.");
	dns_name_t lower = name("www.example.org.");
	static const uint8_t a3[] = { 192, 0, 2, 3 }, a1[] = { 192, 0, 2, 1 };
	static const uint8_t t1[] = { 1, 'a' }, t2[] = { 1, 'a', 0 }, t3[] = { 2, 'a', 'b' };
	uint16_t len;

	assert_non_null(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_A, 1, a3, 4), DB_OK);
	assert_int_equal(dnssec_rrset_add_rdata(set, &lower, DNS_T_A, 1, a1, 4), DB_OK);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_A, 1, a3, 4), DB_OK);
	assert_int_equal(dnssec_rrset_count(set), 2);
	assert_memory_equal(dnssec_rrset_rdata(set, 0, &len), a1, 4);
	assert_memory_equal(dnssec_rrset_rdata(set, 1, &len), a3, 4);
	assert_null(dnssec_rrset_rdata(set, 2, &len));
	assert_int_equal(len, 0);
	/* Another type, class or owner does not belong to the set. */
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_TXT, 1, t1, 2), DB_EINVAL);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_A, 3, a1, 4), DB_EINVAL);
	dns_name_t other = name("ftp.example.org.");
	assert_int_equal(dnssec_rrset_add_rdata(set, &other, DNS_T_A, 1, a1, 4), DB_EINVAL);
	assert_int_equal(dnssec_rrset_count(set), 2);

	/* RFC 4034 6.3: a missing octet sorts before a zero octet. */
	dnssec_rrset_clear(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_TXT, 1, t3, 3), DB_OK);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_TXT, 1, t2, 3), DB_OK);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_TXT, 1, t1, 2), DB_OK);
	assert_int_equal(dnssec_rrset_count(set), 3);
	const uint8_t *p = dnssec_rrset_rdata(set, 0, &len);
	assert_int_equal(len, 2);
	assert_memory_equal(p, t1, 2);
	p = dnssec_rrset_rdata(set, 1, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, t2, 3);
	p = dnssec_rrset_rdata(set, 2, &len);
	assert_memory_equal(p, t3, 3);
	dnssec_rrset_free(set);
	dnssec_rrset_free(NULL);
}

static void test_canonical_names(void **state)
{
	(void)state;
	dnssec_rrset_t *set = dnssec_rrset_new();
	dns_name_t owner = name("example.org.");
	uint16_t len;
	const uint8_t *p;
	assert_non_null(set);

	/* NS target and MX exchange lower-cased (RFC 4034 6.2 item 3). */
	static const uint8_t ns[] = { 3,   'N', 'S', '1', 7,   'E', 'x', 'a', 'm',
				      'p', 'l', 'e', 3,   'O', 'R', 'G', 0 };
	static const uint8_t ns_lc[] = { 3,   'n', 's', '1', 7,   'e', 'x', 'a', 'm',
					 'p', 'l', 'e', 3,   'o', 'r', 'g', 0 };
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NS, 1, ns, sizeof(ns)), DB_OK);
	p = dnssec_rrset_rdata(set, 0, &len);
	assert_int_equal(len, sizeof(ns_lc));
	assert_memory_equal(p, ns_lc, sizeof(ns_lc));
	/* The same name in other case is a duplicate once canonical. */
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NS, 1, ns_lc, sizeof(ns_lc)),
			 DB_OK);
	assert_int_equal(dnssec_rrset_count(set), 1);

	/* RFC 6840 5.1: NSEC's next name keeps its case. */
	static const uint8_t nsec[] = { 3, 'W', 'w', 'W', 0, 0, 1, 0x40 };
	dnssec_rrset_clear(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NSEC, 1, nsec, sizeof(nsec)),
			 DB_OK);
	p = dnssec_rrset_rdata(set, 0, &len);
	assert_int_equal(len, sizeof(nsec));
	assert_memory_equal(p, nsec, sizeof(nsec));

	/* RRSIG signer and DNAME target are lower-cased. */
	static const uint8_t dname[] = { 1, 'X', 0 };
	static const uint8_t dname_lc[] = { 1, 'x', 0 };
	dnssec_rrset_clear(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, 39, 1, dname, sizeof(dname)), DB_OK);
	p = dnssec_rrset_rdata(set, 0, &len);
	assert_memory_equal(p, dname_lc, sizeof(dname_lc));

	/* Types without names are opaque: TXT keeps its case. */
	static const uint8_t txt[] = { 2, 'H', 'i' };
	dnssec_rrset_clear(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_TXT, 1, txt, sizeof(txt)),
			 DB_OK);
	p = dnssec_rrset_rdata(set, 0, &len);
	assert_memory_equal(p, txt, sizeof(txt));

	/* Bare rdata cannot hold a compression pointer; a name must end
	 * inside the rdata, and fill it. */
	static const uint8_t ptr[] = { 3, 'n', 's', '1', 0xC0, 0x00 };
	static const uint8_t runs[] = { 3, 'n', 's', '1' };
	static const uint8_t extra[] = { 1, 'a', 0, 7 };
	static const uint8_t soa_short[] = { 0, 0, 1, 2, 3 };
	dnssec_rrset_clear(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NS, 1, ptr, sizeof(ptr)),
			 DB_EMALFORMED);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NS, 1, runs, sizeof(runs)),
			 DB_EMALFORMED);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NS, 1, extra, sizeof(extra)),
			 DB_EMALFORMED);
	assert_int_equal(
	    dnssec_rrset_add_rdata(set, &owner, DNS_T_SOA, 1, soa_short, sizeof(soa_short)),
	    DB_EMALFORMED);
	assert_int_equal(dnssec_rrset_add_rdata(set, &owner, DNS_T_NS, 1, NULL, 0), DB_EMALFORMED);
	assert_int_equal(dnssec_rrset_count(set), 0);
	dnssec_rrset_free(set);
}

/* A captured answer: upper-case owner and NS targets compressed against
 * an upper-case question name come out uncompressed and lower-cased. */
static void test_canonical_from_message(void **state)
{
	(void)state;
	static const uint8_t msg[] = {
		0x12,
		0x34,
		0x84,
		0x00,
		0,
		1,
		0,
		2,
		0,
		0,
		0,
		0,
		/* 12: EXAMPLE.Org NS IN */
		7,
		'E',
		'X',
		'A',
		'M',
		'P',
		'L',
		'E',
		3,
		'O',
		'r',
		'g',
		0,
		0,
		2,
		0,
		1,
		/* 29: EXAMPLE.Org NS NS2.EXAMPLE.Org */
		0xC0,
		12,
		0,
		2,
		0,
		1,
		0,
		0,
		0x0E,
		0x10,
		0,
		6,
		3,
		'N',
		'S',
		'2',
		0xC0,
		12,
		/* 47: NS1.EXAMPLE.Org */
		0xC0,
		12,
		0,
		2,
		0,
		1,
		0,
		0,
		0x0E,
		0x10,
		0,
		6,
		3,
		'N',
		'S',
		'1',
		0xC0,
		12,
	};
	static const uint8_t ns1[] = { 3,   'n', 's', '1', 7,   'e', 'x', 'a', 'm',
				       'p', 'l', 'e', 3,   'o', 'r', 'g', 0 };
	dns_parser_t p;
	dns_msg_t m;
	uint16_t len;

	dns_parser_init(&p);
	assert_int_equal(dns_parse(&p, msg, sizeof(msg), &m), DB_OK);
	assert_int_equal(m.nrr, 2);
	dnssec_rrset_t *set = dnssec_rrset_new();
	assert_non_null(set);
	assert_int_equal(dnssec_rrset_add(set, &m, &m.rr[0]), DB_OK);
	assert_int_equal(dnssec_rrset_add(set, &m, &m.rr[1]), DB_OK);
	assert_int_equal(dnssec_rrset_count(set), 2);
	const uint8_t *r = dnssec_rrset_rdata(set, 0, &len); /* ns1 sorts first */
	assert_int_equal(len, sizeof(ns1));
	assert_memory_equal(r, ns1, sizeof(ns1));
	r = dnssec_rrset_rdata(set, 1, &len);
	assert_int_equal(r[3], '2');

	/* A record whose rdata lies outside the message is refused. */
	dns_rr_t bad = m.rr[0];
	bad.rdata_off = (uint32_t)sizeof(msg) - 2;
	assert_int_equal(dnssec_rrset_add(set, &m, &bad), DB_EMALFORMED);
	dnssec_rrset_free(set);
	dns_parser_free(&p);
}

/* --- the checks before the crypto, on hand-made structures ------------- */

typedef struct fixture {
	tzone_t z;
	dnssec_rrset_t *set;
	dns_rrsig_t sig;
	dns_dnskey_t key;
	dns_name_t key_owner;
	db_time_t now;
} fixture_t;

/* RFC 6605 6.1 as structures. */
static void fixture_load(fixture_t *f)
{
	memset(f, 0, sizeof(*f));
	zone_lines(&f->z, rfc6605_p256, sizeof(rfc6605_p256) / sizeof(rfc6605_p256[0]));
	const trr_t *k = find_type(&f->z, DNS_T_DNSKEY, 0);
	const trr_t *a = find_type(&f->z, DNS_T_A, 0);
	const trr_t *s = find_type(&f->z, DNS_T_RRSIG, 0);
	trr_dnskey(k, &f->key);
	f->key_owner = k->owner;
	f->set = dnssec_rrset_new();
	assert_non_null(f->set);
	assert_int_equal(
	    dnssec_rrset_add_rdata(f->set, &a->owner, a->type, a->rclass, a->rdata, a->rdlen),
	    DB_OK);
	const uint8_t *r = s->rdata;
	f->sig.type_covered = rd16(r);
	f->sig.algorithm = r[2];
	f->sig.labels = r[3];
	f->sig.original_ttl = ((uint32_t)rd16(r + 4) << 16) | rd16(r + 6);
	f->sig.expiration = ((uint32_t)rd16(r + 8) << 16) | rd16(r + 10);
	f->sig.inception = ((uint32_t)rd16(r + 12) << 16) | rd16(r + 14);
	f->sig.key_tag = rd16(r + 16);
	size_t off = 18;
	assert_int_equal(dns_name_read(r, s->rdlen, &off, &f->sig.signer), DB_OK);
	f->sig.signature = r + off;
	f->sig.sig_len = (uint16_t)(s->rdlen - off);
	f->now = at("20100820000000");
}

static void fixture_free(fixture_t *f)
{
	dnssec_rrset_free(f->set);
	zone_free(&f->z);
}

static dnssec_reason_t fx_verify(fixture_t *f, dnssec_result_t want)
{
	dnssec_reason_t why = DNSSEC_R_NONE;
	dnssec_result_t r = dnssec_verify_rrset(f->set, &f->sig, &f->key_owner, &f->key, f->now,
						&why);
	if (r != want)
		fail_msg("got %s (%s), want %s", dnssec_result_str(r), dnssec_reason_str(why),
			 dnssec_result_str(want));
	return why;
}

static void test_checks_before_crypto(void **state)
{
	(void)state;
	fixture_t f;
	fixture_load(&f);
	assert_int_equal(fx_verify(&f, DNSSEC_SECURE), DNSSEC_R_NONE);
	assert_int_equal(dnssec_verify_rrset(f.set, &f.sig, NULL, &f.key, f.now, NULL),
			 DNSSEC_SECURE);

	f.sig.type_covered = DNS_T_AAAA;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_RRSIG_MISMATCH);
	fixture_free(&f);

	fixture_load(&f);
	f.key_owner = name("example.com.");
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_SIGNER_MISMATCH);
	f.key_owner = name("EXAMPLE.net.");
	assert_int_equal(fx_verify(&f, DNSSEC_SECURE), DNSSEC_R_NONE);
	f.sig.signer = name("sub.www.example.net."); /* not an ancestor */
	f.key_owner = f.sig.signer;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_SIGNER_MISMATCH);
	f.sig.signer = name("net.");
	f.key_owner = f.sig.signer;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_BAD_SIGNATURE);
	fixture_free(&f);

	fixture_load(&f);
	f.key.flags = 1; /* SEP without Zone Key */
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_NOT_ZONE_KEY);
	f.key.flags = 257;
	f.key.protocol = 2;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_NOT_ZONE_KEY);
	fixture_free(&f);

	fixture_load(&f);
	f.sig.algorithm = 14;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_ALGORITHM_MISMATCH);
	f.sig.algorithm = 13;
	f.sig.key_tag ^= 1;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_KEY_TAG_MISMATCH);
	fixture_free(&f);

	/* An algorithm we do not implement: cannot tell, not bogus. */
	fixture_load(&f);
	f.key.algorithm = f.sig.algorithm = 3; /* DSA */
	f.sig.key_tag = dnssec_dnskey_tag(&f.key);
	assert_int_equal(fx_verify(&f, DNSSEC_INDETERMINATE), DNSSEC_R_UNSUPPORTED_ALGORITHM);
	f.key.algorithm = f.sig.algorithm = 253; /* PRIVATEDNS */
	f.sig.key_tag = dnssec_dnskey_tag(&f.key);
	assert_int_equal(fx_verify(&f, DNSSEC_INDETERMINATE), DNSSEC_R_UNSUPPORTED_ALGORITHM);
	/* ... but an expired signature is bogus whatever its algorithm. */
	f.now = at("20110101000000");
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_SIG_EXPIRED);
	fixture_free(&f);

	/* Empty set. */
	fixture_load(&f);
	dnssec_rrset_clear(f.set);
	assert_int_equal(fx_verify(&f, DNSSEC_INDETERMINATE), DNSSEC_R_RESOURCES);
	fixture_free(&f);
}

static void test_malformed_key_and_signature(void **state)
{
	(void)state;
	fixture_t f;
	uint8_t buf[128];

	/* A P-256 key one octet short, and a point not on the curve. */
	fixture_load(&f);
	f.key.key_len--;
	f.sig.key_tag = dnssec_dnskey_tag(&f.key);
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_MALFORMED_KEY);
	fixture_free(&f);

	fixture_load(&f);
	memcpy(buf, f.key.key, f.key.key_len);
	buf[63] ^= 0x01; /* Y changed: off the curve */
	f.key.key = buf;
	f.sig.key_tag = dnssec_dnskey_tag(&f.key);
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_MALFORMED_KEY);
	fixture_free(&f);

	/* A signature of the wrong length. */
	fixture_load(&f);
	f.sig.sig_len--;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_MALFORMED_SIGNATURE);
	f.sig.sig_len = 0;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_MALFORMED_SIGNATURE);
	fixture_free(&f);

	/* r = 0 and s = 0 encode as DER but never verify. */
	fixture_load(&f);
	memset(buf, 0, 64);
	f.sig.signature = buf;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_BAD_SIGNATURE);
	memset(buf, 0xFF, 64); /* r, s >= the group order */
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_BAD_SIGNATURE);
	fixture_free(&f);

	/* RSA keys: exponent length running past the key, empty modulus,
	 * the three-octet exponent length form, a modulus with leading zero
	 * octets. */
	tzone_t z = { 0 };
	zone_lines(&z, rfc5702_sha256, 3);
	const trr_t *k = find_type(&z, DNS_T_DNSKEY, 0);
	const trr_t *s = find_type(&z, DNS_T_RRSIG, 0);
	const trr_t *a = find_type(&z, DNS_T_A, 0);
	dnssec_rrset_t *set = dnssec_rrset_new();
	assert_non_null(set);
	assert_int_equal(dnssec_rrset_add_rdata(set, &a->owner, 1, 1, a->rdata, a->rdlen), DB_OK);
	dns_rrsig_t sig;
	memset(&sig, 0, sizeof(sig));
	sig.type_covered = 1;
	sig.algorithm = 8;
	sig.labels = 3;
	sig.original_ttl = 3600;
	sig.expiration = time_from("20300101000000");
	sig.inception = time_from("20000101000000");
	sig.signer = name("example.net.");
	sig.signature = s->rdata + 18 + 13;
	sig.sig_len = (uint16_t)(s->rdlen - 18 - 13);
	dns_dnskey_t key;
	trr_dnskey(k, &key);
	dnssec_reason_t why;
	db_time_t now = at("20100101000000");
	sig.key_tag = dnssec_dnskey_tag(&key);
	assert_int_equal(dnssec_verify_rrset(set, &sig, NULL, &key, now, &why), DNSSEC_SECURE);

	/* 00 00 03 01 00 01 <modulus>: the long exponent length form. */
	uint8_t lk[TRR_RDATA];
	lk[0] = 0;
	lk[1] = 0;
	lk[2] = 3;
	memcpy(lk + 3, key.key + 1, key.key_len - 1u);
	dns_dnskey_t k2 = key;
	k2.key = lk;
	k2.key_len = (uint16_t)(key.key_len + 2);
	/* The two zero octets shift the rest by an even count, so even the
	 * key tag is unchanged and the signature verifies. */
	assert_int_equal(dnssec_dnskey_tag(&k2), dnssec_dnskey_tag(&key));
	assert_int_equal(dnssec_verify_rrset(set, &sig, NULL, &k2, now, &why), DNSSEC_SECURE);

	static const uint8_t past[] = { 0x05, 0x01, 0x00, 0x01 };
	static const uint8_t nomod[] = { 0x03, 0x01, 0x00, 0x01 };
	static const uint8_t zeromod[] = { 0x01, 0x03, 0x00, 0x00 };
	static const uint8_t noexp[] = { 0x00, 0x00, 0x00, 0xAB };
	const struct {
		const uint8_t *k;
		size_t n;
	} bad[] = {
		{ past, sizeof(past) },
		{ nomod, sizeof(nomod) },
		{ zeromod, sizeof(zeromod) },
		{ noexp, sizeof(noexp) },
		{ NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k2 = key;
		k2.key = bad[i].k;
		k2.key_len = (uint16_t)bad[i].n;
		sig.key_tag = dnssec_dnskey_tag(&k2);
		assert_int_equal(dnssec_verify_rrset(set, &sig, NULL, &k2, now, &why),
				 DNSSEC_BOGUS);
		assert_int_equal(why, DNSSEC_R_MALFORMED_KEY);
	}
	/* A signature shorter than the modulus. */
	sig.key_tag = dnssec_dnskey_tag(&key);
	sig.sig_len--;
	assert_int_equal(dnssec_verify_rrset(set, &sig, NULL, &key, now, &why), DNSSEC_BOGUS);
	assert_int_equal(why, DNSSEC_R_MALFORMED_SIGNATURE);

	/* Ed25519 and Ed448 keys of the wrong size. */
	uint8_t ed[64] = { 0 };
	dns_dnskey_t ek = { 257, 3, 15, ed, 31 };
	dns_rrsig_t es = sig;
	es.algorithm = 15;
	es.signature = ed;
	es.sig_len = 64;
	es.key_tag = dnssec_dnskey_tag(&ek);
	assert_int_equal(dnssec_verify_rrset(set, &es, NULL, &ek, now, &why), DNSSEC_BOGUS);
	assert_int_equal(why, DNSSEC_R_MALFORMED_KEY);
	ek.algorithm = es.algorithm = 16;
	ek.key_len = 57;
	es.key_tag = dnssec_dnskey_tag(&ek);
	assert_int_equal(dnssec_verify_rrset(set, &es, NULL, &ek, now, &why), DNSSEC_BOGUS);
	assert_int_equal(why, DNSSEC_R_MALFORMED_SIGNATURE); /* 64, not 114 */

	dnssec_rrset_free(set);
	zone_free(&z);
}

/* RFC 4034 3.1.5: the window in serial number arithmetic survives the
 * wrap of 32-bit seconds in 2106.  The signature no longer matches once
 * the times change, so inside the window the verdict is a bad signature,
 * outside it the window. */
static void test_window_wraps(void **state)
{
	(void)state;
	fixture_t f;
	fixture_load(&f);
	const db_time_t wrap = (db_time_t)1 << 32;
	f.sig.inception = 0xFFFFFF00u;
	f.sig.expiration = 0x00000100u;
	f.now = (wrap + 0x80) * SEC;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_BAD_SIGNATURE);
	f.now = (wrap - 0x80) * SEC;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_BAD_SIGNATURE);
	f.now = (wrap + 0x101) * SEC;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_SIG_EXPIRED);
	f.now = (wrap - 0x101) * SEC;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_SIG_NOT_YET_VALID);
	/* Microseconds are truncated to the second. */
	fixture_free(&f);
	fixture_load(&f);
	f.now = (db_time_t)f.sig.expiration * SEC + 999999;
	assert_int_equal(fx_verify(&f, DNSSEC_SECURE), DNSSEC_R_NONE);
	f.now = (db_time_t)f.sig.inception * SEC - 1;
	assert_int_equal(fx_verify(&f, DNSSEC_BOGUS), DNSSEC_R_SIG_NOT_YET_VALID);
	fixture_free(&f);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(dnssec_result_str(DNSSEC_SECURE), "secure");
	assert_string_equal(dnssec_result_str(DNSSEC_BOGUS), "bogus");
	assert_string_equal(dnssec_result_str(DNSSEC_INDETERMINATE), "indeterminate");
	for (int r = DNSSEC_R_NONE; r <= DNSSEC_R_RESOURCES; r++)
		assert_string_not_equal(dnssec_reason_str((dnssec_reason_t)r), "unknown");
	assert_string_equal(dnssec_reason_str(DNSSEC_R_SIG_EXPIRED), "signature expired");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_verify),
		cmocka_unit_test(test_vectors_mutated),
		cmocka_unit_test(test_vectors_key_tag_and_ds),
		cmocka_unit_test(test_rfc4034_ds),
		cmocka_unit_test(test_rfc8080_published_is_bogus),
		cmocka_unit_test(test_key_tag_edge_cases),
		cmocka_unit_test(test_zones_verify),
		cmocka_unit_test(test_zones_mutated),
		cmocka_unit_test(test_zones_wildcard),
		cmocka_unit_test(test_canonical_order_and_duplicates),
		cmocka_unit_test(test_canonical_names),
		cmocka_unit_test(test_canonical_from_message),
		cmocka_unit_test(test_checks_before_crypto),
		cmocka_unit_test(test_malformed_key_and_signature),
		cmocka_unit_test(test_window_wraps),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
