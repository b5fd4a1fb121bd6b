/*
 * msgbuild.h - DNS messages and flows for the analysis' unit tests that
 * feed an_event (test_analyze, test_attribute): a header, one question,
 * then records in section order (each test adds the record kinds it
 * needs); mb_done() writes the counts.  Include after cmocka.h.
 */
#ifndef DNSBLAME_TEST_MSGBUILD_H
#define DNSBLAME_TEST_MSGBUILD_H

#include <string.h>

#include "../../../analyze/dns.h"
#include "../../../common/flow.h"

typedef struct mb {
	uint8_t b[1024];
	size_t n;
	uint16_t count[4]; /* qd, an, ns, ar */
} mb_t;

static inline void put8(mb_t *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static inline void put16(mb_t *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static inline void put32(mb_t *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

/* "www.example.com" (or "." for the root) in uncompressed wire form. */
static inline void put_name(mb_t *m, const char *s)
{
	while (*s && strcmp(s, ".") != 0) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		put8(m, (unsigned)l);
		for (size_t i = 0; i < l; i++)
			put8(m, (uint8_t)s[i]);
		s += l + (dot ? 1 : 0);
	}
	put8(m, 0);
}

/* A header and one question (class IN). */
static inline void mb_start(mb_t *m, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype)
{
	memset(m, 0, sizeof(*m));
	put16(m, id);
	put16(m, flags);
	for (int i = 0; i < 4; i++)
		put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, 1);
	m->count[0] = 1;
}

static inline void mb_done(mb_t *m)
{
	for (int i = 0; i < 4; i++) {
		m->b[4 + 2 * i] = (uint8_t)(m->count[i] >> 8);
		m->b[5 + 2 * i] = (uint8_t)(m->count[i] & 0xff);
	}
}

/* An OPT record (RFC 6891 6.1.3: the extended rcode in the TTL's top
 * byte) with one Extended DNS Error when ede >= 0. */
static inline void mb_opt(mb_t *m, uint8_t ext_rcode, int ede)
{
	m->count[3]++;
	put8(m, 0);
	put16(m, DNS_T_OPT);
	put16(m, 1232);
	put16(m, (unsigned)ext_rcode << 8);
	put16(m, 0);
	if (ede < 0) {
		put16(m, 0);
		return;
	}
	put16(m, 6);
	put16(m, DNS_EDNS0_EDE);
	put16(m, 2);
	put16(m, (unsigned)ede);
}

static inline db_flow_t flow(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			     uint8_t proto)
{
	db_flow_t f;
	memset(&f, 0, sizeof(f));
	assert_int_equal(db_addr_parse(&f.src, src), 0);
	assert_int_equal(db_addr_parse(&f.dst, dst), 0);
	f.sport = sport;
	f.dport = dport;
	f.proto = proto;
	return f;
}

#endif
