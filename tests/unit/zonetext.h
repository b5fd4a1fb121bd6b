/*
 * zonetext.h - a small presentation-format reader for the unit tests of
 * the DNSSEC code: zone file lines (A, MX, NS, TXT, DNSKEY, RRSIG, DS, NSEC,
 * NSEC3, ...) into wire-form records.  Shared by test_dnssec.c and
 * test_chain.c; include after <cmocka.h>, with SEC defined.
 */
#ifndef DNSBLAME_TEST_ZONETEXT_H
#define DNSBLAME_TEST_ZONETEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyze/dns.h"

/* --- presentation-form reader ----------------------------------------- */

#define TRR_RDATA 2048

typedef struct trr {
	dns_name_t owner;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[TRR_RDATA];
} trr_t;

typedef struct tzone {
	trr_t *rr;
	size_t n, cap;
} tzone_t;

static inline void zone_free(tzone_t *z)
{
	free(z->rr);
	memset(z, 0, sizeof(*z));
}

typedef struct tbuf {
	uint8_t *p;
	size_t cap, n;
	int err;
} tbuf_t;

static inline void tput(tbuf_t *b, const void *src, size_t n)
{
	if (b->err || b->cap - b->n < n) {
		b->err = 1;
		return;
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

static inline void tput8(tbuf_t *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	tput(b, &x, 1);
}

static inline void tput16(tbuf_t *b, unsigned v)
{
	tput8(b, v >> 8);
	tput8(b, v);
}

static inline void tput32(tbuf_t *b, uint32_t v)
{
	tput16(b, v >> 16);
	tput16(b, v & 0xFFFF);
}

/* An absolute name without escapes ("." is the root). */
static inline int name_from(const char *s, dns_name_t *n)
{
	size_t len = 0;
	unsigned labels = 0;

	if (strcmp(s, ".") != 0) {
		while (*s) {
			const char *dot = strchr(s, '.');
			size_t l = dot ? (size_t)(dot - s) : strlen(s);
			if (l == 0 || l > 63 || len + l + 2 > DNS_MAX_NAME)
				return -1;
			n->wire[len] = (uint8_t)l;
			memcpy(n->wire + len + 1, s, l);
			len += l + 1;
			labels++;
			s += l;
			if (*s == '.')
				s++;
		}
	}
	n->wire[len] = 0;
	n->len = (uint8_t)(len + 1);
	n->labels = (uint8_t)labels;
	return 0;
}

static inline dns_name_t name(const char *s)
{
	dns_name_t n;
	assert_int_equal(name_from(s, &n), 0);
	return n;
}

static const struct {
	const char *s;
	uint16_t t;
} type_names[] = {
	{ "A", 1 },       { "NS", 2 },     { "CNAME", 5 },       { "SOA", 6 },    { "MX", 15 },
	{ "TXT", 16 },    { "AAAA", 28 },  { "DS", 43 },         { "RRSIG", 46 }, { "NSEC", 47 },
	{ "DNSKEY", 48 }, { "NSEC3", 50 }, { "NSEC3PARAM", 51 },
};

static inline int type_from(const char *s)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(s, type_names[i].s))
			return type_names[i].t;
	if (!strncmp(s, "TYPE", 4))
		return atoi(s + 4);
	return -1;
}

static inline int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static inline void put_b64(tbuf_t *b, const char *s)
{
	uint32_t acc = 0;
	int bits = 0;
	for (; *s && *s != '='; s++) {
		int v = b64_val((unsigned char)*s);
		if (v < 0) {
			b->err = 1;
			return;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			tput8(b, (acc >> bits) & 0xFF);
		}
	}
}

/* RFC 4648 7: base32 with the extended hex alphabet, as NSEC3 uses it. */
static inline void put_b32hex(tbuf_t *b, const char *s)
{
	uint32_t acc = 0;
	int bits = 0;
	for (; *s; s++) {
		int c = *s, v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'v')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'V')
			v = c - 'A' + 10;
		else {
			b->err = 1;
			return;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			tput8(b, (acc >> bits) & 0xFF);
		}
	}
}

static inline void put_hex(tbuf_t *b, const char *s)
{
	for (; s[0] && s[1]; s += 2) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1) {
			b->err = 1;
			return;
		}
		tput8(b, v);
	}
	if (*s)
		b->err = 1;
}

static inline void put_name(tbuf_t *b, const char *s)
{
	dns_name_t n;
	if (name_from(s, &n) != 0) {
		b->err = 1;
		return;
	}
	tput(b, n.wire, n.len);
}

/* RFC 4034 4.1.2 type bitmap from mnemonics. */
static inline void put_bitmap(tbuf_t *b, char **tok, size_t n)
{
	uint8_t map[256][32];
	int maxlen[256];
	memset(map, 0, sizeof(map));
	for (int w = 0; w < 256; w++)
		maxlen[w] = 0;
	for (size_t i = 0; i < n; i++) {
		int t = type_from(tok[i]);
		if (t < 0) {
			b->err = 1;
			return;
		}
		int w = t >> 8, o = (t & 0xFF) >> 3;
		map[w][o] |= (uint8_t)(0x80 >> (t & 7));
		if (o + 1 > maxlen[w])
			maxlen[w] = o + 1;
	}
	for (int w = 0; w < 256; w++) {
		if (!maxlen[w])
			continue;
		tput8(b, (unsigned)w);
		tput8(b, (unsigned)maxlen[w]);
		tput(b, map[w], (size_t)maxlen[w]);
	}
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01. */
static inline int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

/* "YYYYMMDDHHmmSS" UTC, or seconds since the epoch (RFC 4034 3.2). */
static inline uint32_t time_from(const char *s)
{
	int y, mo, d, h, mi, se;
	if (strlen(s) == 14 && sscanf(s, "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &se) == 6)
		return (uint32_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se);
	return (uint32_t)strtoul(s, NULL, 10);
}

static inline db_time_t at(const char *s) { return (db_time_t)time_from(s) * SEC; }

/* Concatenates tok[0..n) (base64 and hex split by spaces) into buf. */
static inline const char *joined(char **tok, size_t n, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (strlen(buf) + strlen(tok[i]) < cap)
			strcat(buf, tok[i]);
	return buf;
}

#define MAX_TOK 96

/* Splits a line in place: whitespace and parentheses separate, quoted
 * strings stay one token (quotes kept), ';' outside quotes ends the line. */
static inline size_t tokenize(char *s, char **tok)
{
	size_t n = 0;
	while (*s && n < MAX_TOK) {
		while (*s == ' ' || *s == '\t' || *s == '(' || *s == ')' || *s == '\n' ||
		       *s == '\r')
			s++;
		if (!*s || *s == ';')
			break;
		tok[n++] = s;
		if (*s == '"') {
			char *q = strchr(s + 1, '"');
			if (!q)
				break;
			s = q + 1;
		} else {
			while (*s && !strchr(" \t()\n\r;", *s))
				s++;
		}
		if (*s == ';') {
			*s = '\0';
			break;
		}
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/* Reads one record line into z.  Returns 0, 1 for a blank or comment line,
 * -1 for a line it cannot read. */
static inline int zone_line(tzone_t *z, const char *text)
{
	char line[8192], *tok[MAX_TOK], big[4096];
	size_t n, i = 1;

	if (strlen(text) >= sizeof(line))
		return -1;
	strcpy(line, text);
	n = tokenize(line, tok);
	if (n == 0)
		return 1;
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 64;
		trr_t *rr = realloc(z->rr, cap * sizeof(*rr));
		if (!rr)
			return -1;
		z->rr = rr;
		z->cap = cap;
	}
	trr_t *r = &z->rr[z->n];
	memset(r, 0, sizeof(*r));
	if (name_from(tok[0], &r->owner) != 0)
		return -1;
	r->ttl = 3600;
	r->rclass = 1;
	if (i < n && tok[i][0] >= '0' && tok[i][0] <= '9')
		r->ttl = (uint32_t)strtoul(tok[i++], NULL, 10);
	if (i < n && !strcmp(tok[i], "IN"))
		i++;
	if (i >= n || type_from(tok[i]) < 0)
		return -1;
	r->type = (uint16_t)type_from(tok[i++]);

	tbuf_t b = { r->rdata, sizeof(r->rdata), 0, 0 };
	char **a = tok + i;
	size_t na = n - i;
#define NEED(k)                                                                                    \
	do {                                                                                       \
		if (na < (k))                                                                      \
			return -1;                                                                 \
	} while (0)
	switch (r->type) {
	case 1: {
		unsigned o[4];
		NEED(1);
		if (sscanf(a[0], "%u.%u.%u.%u", &o[0], &o[1], &o[2], &o[3]) != 4)
			return -1;
		for (int k = 0; k < 4; k++)
			tput8(&b, o[k]);
		break;
	}
	case 2:
	case 5:
		NEED(1);
		put_name(&b, a[0]);
		break;
	case 15:
		NEED(2);
		tput16(&b, (unsigned)atoi(a[0]));
		put_name(&b, a[1]);
		break;
	case 6:
		NEED(7);
		put_name(&b, a[0]);
		put_name(&b, a[1]);
		for (int k = 2; k < 7; k++)
			tput32(&b, (uint32_t)strtoul(a[k], NULL, 10));
		break;
	case 16:
		for (size_t k = 0; k < na; k++) {
			size_t l = strlen(a[k]);
			if (l < 2 || a[k][0] != '"' || a[k][l - 1] != '"')
				return -1;
			tput8(&b, (unsigned)(l - 2));
			tput(&b, a[k] + 1, l - 2);
		}
		break;
	case 48:
		NEED(4);
		tput16(&b, (unsigned)atoi(a[0]));
		tput8(&b, (unsigned)atoi(a[1]));
		tput8(&b, (unsigned)atoi(a[2]));
		put_b64(&b, joined(a + 3, na - 3, big, sizeof(big)));
		break;
	case 43:
		NEED(4);
		tput16(&b, (unsigned)atoi(a[0]));
		tput8(&b, (unsigned)atoi(a[1]));
		tput8(&b, (unsigned)atoi(a[2]));
		put_hex(&b, joined(a + 3, na - 3, big, sizeof(big)));
		break;
	case 46:
		NEED(9);
		if (type_from(a[0]) < 0)
			return -1;
		tput16(&b, (unsigned)type_from(a[0]));
		tput8(&b, (unsigned)atoi(a[1]));
		tput8(&b, (unsigned)atoi(a[2]));
		tput32(&b, (uint32_t)strtoul(a[3], NULL, 10));
		tput32(&b, time_from(a[4]));
		tput32(&b, time_from(a[5]));
		tput16(&b, (unsigned)atoi(a[6]));
		put_name(&b, a[7]);
		put_b64(&b, joined(a + 8, na - 8, big, sizeof(big)));
		break;
	case 47:
		NEED(1);
		put_name(&b, a[0]);
		put_bitmap(&b, a + 1, na - 1);
		break;
	case 50:
	case 51:
		NEED(4);
		tput8(&b, (unsigned)atoi(a[0]));
		tput8(&b, (unsigned)atoi(a[1]));
		tput16(&b, (unsigned)atoi(a[2]));
		if (!strcmp(a[3], "-")) {
			tput8(&b, 0);
		} else {
			tput8(&b, (unsigned)(strlen(a[3]) / 2));
			put_hex(&b, a[3]);
		}
		if (r->type == 50) {
			NEED(5);
			uint8_t h[64];
			tbuf_t hb = { h, sizeof(h), 0, 0 };
			put_b32hex(&hb, a[4]);
			tput8(&b, (unsigned)hb.n);
			tput(&b, h, hb.n);
			b.err |= hb.err;
			put_bitmap(&b, a + 5, na - 5);
		}
		break;
	default: return -1;
	}
#undef NEED
	if (b.err)
		return -1;
	r->rdlen = (uint16_t)b.n;
	z->n++;
	return 0;
}

static inline void zone_lines(tzone_t *z, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (zone_line(z, lines[i]) < 0)
			fail_msg("cannot read: %s", lines[i]);
}

static inline void zone_file(tzone_t *z, const char *file)
{
	char path[512], line[8192];
	snprintf(path, sizeof(path), DATA_DIR "%s", file);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	while (fgets(line, sizeof(line), f))
		if (zone_line(z, line) < 0) {
			fclose(f);
			fail_msg("%s: cannot read: %s", path, line);
		}
	fclose(f);
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static inline void trr_dnskey(const trr_t *r, dns_dnskey_t *k)
{
	assert_int_equal(r->type, DNS_T_DNSKEY);
	k->flags = rd16(r->rdata);
	k->protocol = r->rdata[2];
	k->algorithm = r->rdata[3];
	k->key = r->rdata + 4;
	k->key_len = (uint16_t)(r->rdlen - 4);
}

static inline void trr_ds(const trr_t *r, dns_ds_t *d)
{
	assert_int_equal(r->type, DNS_T_DS);
	d->key_tag = rd16(r->rdata);
	d->algorithm = r->rdata[2];
	d->digest_type = r->rdata[3];
	d->digest = r->rdata + 4;
	d->digest_len = (uint16_t)(r->rdlen - 4);
}

static inline const trr_t *find_type(const tzone_t *z, uint16_t type, size_t nth)
{
	for (size_t i = 0; i < z->n; i++)
		if (z->rr[i].type == type && nth-- == 0)
			return &z->rr[i];
	return NULL;
}

#endif
