/*
 * dns.h - the DNS wire parser (RFC 1035, RFC 3596, RFC 2782, RFC 4034,
 * RFC 5155, RFC 6891, RFC 8914).
 *
 * A parsed message is a view: dns_msg_t points back into the caller's buffer,
 * which must outlive it.  Records are kept in a parser-owned array that is
 * reused from message to message, so parsing does not allocate per record.
 * All names are validated once while parsing (pointers strictly backwards, at
 * most DNS_MAX_PTRS hops, labels <= 63 octets, names <= 255 octets); code that
 * reads a dns_msg_t afterwards may trust every name and rdata length in it.
 */
#ifndef DNSBLAME_DNS_H
#define DNSBLAME_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/status.h"

#define DNS_HDR_LEN 12
#define DNS_MAX_NAME 255 /* octets, wire form, RFC 1035 2.3.4 */
#define DNS_MAX_LABEL 63
#define DNS_MAX_PTRS 64      /* compression pointer hops followed per name */
#define DNS_MAX_EDE 8        /* Extended DNS Errors kept per message */
#define DNS_NAME_STRLEN 1024 /* presentation form incl. \DDD escapes + NUL */

enum dns_section { DNS_SEC_ANSWER = 1, DNS_SEC_AUTHORITY = 2, DNS_SEC_ADDITIONAL = 3 };

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_OPT = 41,
	DNS_T_DS = 43,
	DNS_T_RRSIG = 46,
	DNS_T_NSEC = 47,
	DNS_T_DNSKEY = 48,
	DNS_T_NSEC3 = 50,
	DNS_T_NSEC3PARAM = 51,
	DNS_T_ANY = 255,
};

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5,
};

#define DNS_EDNS0_EDE 15 /* option code, RFC 8914 */

/* An uncompressed name in wire form (labels with length octets, ending 0). */
typedef struct dns_name {
	uint8_t len;    /* total octets including the root label, 1..255 */
	uint8_t labels; /* number of labels, root not counted */
	uint8_t wire[DNS_MAX_NAME];
} dns_name_t;

typedef struct dns_rr {
	dns_name_t owner;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t section;    /* enum dns_section */
	uint32_t rdata_off; /* offset of the rdata in the message */
} dns_rr_t;

typedef struct dns_ede {
	uint16_t code;
	uint16_t text_len;
	const uint8_t *text; /* UTF-8, not NUL-terminated, points into the message */
} dns_ede_t;

typedef struct dns_edns {
	uint8_t present;
	uint8_t version;
	uint8_t do_bit;
	uint8_t ext_rcode; /* upper 8 bits of the 12-bit rcode */
	uint16_t udp_size;
	uint16_t n_options;
	uint16_t n_ede; /* EDE options kept (at most DNS_MAX_EDE) */
	dns_ede_t ede[DNS_MAX_EDE];
} dns_edns_t;

/* How far parsing got.  Fields of a stage are valid only if it was reached. */
enum dns_stage {
	DNS_STAGE_NONE = 0,     /* not even a header */
	DNS_STAGE_HEADER = 1,   /* 12-byte header read */
	DNS_STAGE_QUESTION = 2, /* first question read */
	DNS_STAGE_FULL = 3,     /* every section read and validated */
};

typedef struct dns_msg {
	const uint8_t *wire;
	size_t len;
	uint16_t id;
	uint16_t flags; /* raw header flags word */
	uint8_t qr, opcode, aa, tc, rd, ra, ad, cd;
	uint16_t rcode; /* 12-bit rcode: header rcode | OPT extended bits << 4 */
	uint16_t qdcount, ancount, nscount, arcount;
	dns_name_t qname; /* valid when stage >= DNS_STAGE_QUESTION */
	uint16_t qtype, qclass;
	dns_edns_t edns;
	dns_rr_t *rr; /* nrr records in wire order (OPT included) */
	size_t nrr;
	uint8_t stage;      /* enum dns_stage */
	db_status_t status; /* DB_OK when stage == DNS_STAGE_FULL */
} dns_msg_t;

/* What a message's records say that most of the analysis needs. */
typedef struct dns_sum {
	uint8_t rrsig;  /* a signature in any section */
	uint8_t answer; /* an answer-section record of the type asked, a CNAME, or
	                   * (for ANY) any record */
} dns_sum_t;

/* Sums up m's records (stage FULL; otherwise all zero) for a question of
 * type qtype (the transaction's, which a response without a question does
 * not repeat). */
void dns_summarize(const dns_msg_t *m, uint16_t qtype, dns_sum_t *s);

/* Reusable parser state: owns the record array (grown on demand, bounded). */
typedef struct dns_parser {
	dns_rr_t *rr;
	size_t cap;
} dns_parser_t;

void dns_parser_init(dns_parser_t *p);
void dns_parser_free(dns_parser_t *p);

/*
 * Parses buf[0..len) into *m, as far as it goes.  Returns DB_OK when the
 * whole message is well-formed; otherwise DB_ETRUNC (the data ended early,
 * e.g. a snaplen cut or an ICMP quote), DB_EMALFORMED (bad name, bad rdata,
 * counts that do not fit), DB_ELIMIT or DB_ENOMEM; m->stage says which parts
 * are still valid.  m->rr points into p and is valid until the next call.
 */
db_status_t dns_parse(dns_parser_t *p, const uint8_t *buf, size_t len, dns_msg_t *m);

/* Sets m's flag fields (qr to cd, and rcode's low four bits) from m->flags:
 * RFC 1035 4.1.1, with AD and CD from RFC 4035 3.2.  Inline: every
 * message the analysis handles passes here. */
static inline void dns_read_flags(dns_msg_t *m)
{
	m->qr = (uint8_t)(m->flags >> 15);
	m->opcode = (uint8_t)((m->flags >> 11) & 0xF);
	m->aa = (uint8_t)((m->flags >> 10) & 1);
	m->tc = (uint8_t)((m->flags >> 9) & 1);
	m->rd = (uint8_t)((m->flags >> 8) & 1);
	m->ra = (uint8_t)((m->flags >> 7) & 1);
	m->ad = (uint8_t)((m->flags >> 5) & 1);
	m->cd = (uint8_t)((m->flags >> 4) & 1);
	m->rcode = m->flags & 0xF;
}

/* The header's RD bit (RFC 1035 4.1.1) in a raw flags word. */
#define DNS_FLAG_RD 0x0100

/* Copies n octets of a name's wire form (dst and src apart), eight at a
 * time, the tail as the last eight octets written over some already
 * copied; shorter runs as two words of four or two that overlap: names
 * are short, and a memcpy of a varying length compiles to a string
 * instruction slow to start.  Writes dst[0..n) only. */
static inline void dns_octets_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			memcpy(dst + i, src + i, 8);
		memcpy(dst + n - 8, src + n - 8, 8);
	} else if (n >= 4) {
		memcpy(dst, src, 4);
		memcpy(dst + n - 4, src + n - 4, 4);
	} else if (n >= 2) {
		memcpy(dst, src, 2);
		memcpy(dst + n - 2, src + n - 2, 2);
	} else if (n) {
		dst[0] = src[0];
	}
}

/*
 * Reads a possibly compressed name at *off in msg[0..len), validating it.
 * On success stores the uncompressed name and advances *off past the name's
 * in-place bytes.  Returns DB_ETRUNC, DB_EMALFORMED or DB_ELIMIT otherwise.
 */
db_status_t dns_name_read(const uint8_t *msg, size_t len, size_t *off, dns_name_t *out);

/* Case-insensitive (ASCII) comparison of two names: 1 if equal. */
int dns_name_eq(const dns_name_t *a, const dns_name_t *b);
/* A copy of n allocated to its length (the bytes up to wire[len]): read
 * it through a pointer, copy it with dns_name_set; NULL when out of
 * memory.  Free it with free(). */
dns_name_t *dns_name_dup(const dns_name_t *n);
/* *dst = *src, reading only the bytes src uses; the rest of dst zeroed. */
void dns_name_set(dns_name_t *dst, const dns_name_t *src);
/* Lower-cases a name in place (ASCII only, RFC 4343). */
void dns_name_lower(dns_name_t *n);
/* The lower-cased src into dst, writing only the bytes the name uses (dst
 * may be storage of offsetof(dns_name_t, wire) + src->len bytes). */
void dns_name_copy_lower(dns_name_t *dst, const dns_name_t *src);
/* Presentation form, lower case, absolute ("example.com.", "."), with
 * \DDD escapes for non-printable octets and \. for dots inside labels.
 * buf must hold DNS_NAME_STRLEN bytes.  Returns buf. */
char *dns_name_str(const dns_name_t *n, char *buf);

/* A 64-bit hash of the name, case-insensitive: equal names hash equal. */
uint64_t dns_name_hash(const dns_name_t *n);
/* Hashes of n and of each of its ancestors, n first, the root last; at
 * most max are written.  Returns how many. */
size_t dns_name_suffix_hashes(const dns_name_t *n, uint64_t *out, size_t max);
/* One of them at a time: the hash of the ancestor of n that starts at
 * octet *off (0: n itself), *off moved to the next ancestor's start.
 * Returns 0 (and leaves *off) once past the root.  For a walk that
 * usually stops early. */
int dns_name_next_suffix_hash(const dns_name_t *n, size_t *off, uint64_t *hash);
/* Where the walk above stands after k steps: the octet at which the k-th
 * ancestor starts (0: n itself), n->len once past the root. */
size_t dns_name_suffix_at(const dns_name_t *n, size_t k);
/* k steps more from the ancestor at octet off. */
size_t dns_name_skip(const dns_name_t *n, size_t off, size_t k);
/* The same for n and its ancestors down to two labels only: the names a
 * resolution of n may ask about besides the TLD and the root, which serve
 * every resolution (a name of one label, or the root, gives itself). */
size_t dns_name_zone_hashes(const dns_name_t *n, uint64_t *out, size_t max);
/* Copies into out the ancestor of n that has the given number of labels
 * (labels <= n->labels). */
void dns_name_suffix(const dns_name_t *n, uint8_t labels, dns_name_t *out);

/* "A", "AAAA", ... or "TYPE1234" (RFC 3597). buf holds 16 bytes. */
const char *dns_type_str(uint16_t type, char buf[16]);
/* "NOERROR", "SERVFAIL", ... or "RCODE23". buf holds 16 bytes. */
const char *dns_rcode_str(uint16_t rcode, char buf[16]);

/* Typed views of rdata, for the record types dnsblame reasons about.  Each
 * returns DB_OK, or DB_EMALFORMED when rr is not of that type.  Names are
 * decompressed; byte fields point into the message. */
typedef struct dns_soa {
	dns_name_t mname, rname;
	uint32_t serial, refresh, retry, expire, minimum;
} dns_soa_t;

typedef struct dns_rrsig {
	uint16_t type_covered;
	uint8_t algorithm, labels;
	uint32_t original_ttl, expiration, inception;
	uint16_t key_tag;
	dns_name_t signer;
	const uint8_t *signature;
	uint16_t sig_len;
} dns_rrsig_t;

typedef struct dns_dnskey {
	uint16_t flags;
	uint8_t protocol, algorithm;
	const uint8_t *key;
	uint16_t key_len;
} dns_dnskey_t;

typedef struct dns_ds {
	uint16_t key_tag;
	uint8_t algorithm, digest_type;
	const uint8_t *digest;
	uint16_t digest_len;
} dns_ds_t;

/* RFC 4034 4.1: the next owner name and the type bitmap windows. */
typedef struct dns_nsec {
	dns_name_t next;
	const uint8_t *bitmaps;
	uint16_t bitmaps_len;
} dns_nsec_t;

/* NS, CNAME, PTR target; MX exchange; SRV target. */
db_status_t dns_rr_target(const dns_msg_t *m, const dns_rr_t *rr, dns_name_t *out);
db_status_t dns_rr_soa(const dns_msg_t *m, const dns_rr_t *rr, dns_soa_t *out);
db_status_t dns_rr_rrsig(const dns_msg_t *m, const dns_rr_t *rr, dns_rrsig_t *out);
db_status_t dns_rr_dnskey(const dns_msg_t *m, const dns_rr_t *rr, dns_dnskey_t *out);
db_status_t dns_rr_ds(const dns_msg_t *m, const dns_rr_t *rr, dns_ds_t *out);
db_status_t dns_rr_nsec(const dns_msg_t *m, const dns_rr_t *rr, dns_nsec_t *out);
/* 1 when the NSEC's type bitmap (RFC 4034 4.1.2) lists type; 0 also when
 * the bitmap is malformed. */
int dns_nsec_has_type(const dns_nsec_t *n, uint16_t type);

#endif
