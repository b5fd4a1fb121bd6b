/*
 * testname.h - a wire-form name built from its text, for the unit tests
 * that make verdicts and report inputs by hand.  Include after <cmocka.h>
 * and a header that declares dns_name_t (analyze/dns.h).
 */
#ifndef DNSBLAME_TEST_TESTNAME_H
#define DNSBLAME_TEST_TESTNAME_H

#include <string.h>

/* The name of labels "a.b.c" (a trailing dot is the same; "." is the
 * root); a label may hold any byte but a dot and NUL.  Fails the test on
 * an empty or over-long label, or a name over 255 octets. */
static inline void tu_name(dns_name_t *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	size_t o = 0;
	while (*s && strcmp(s, ".") != 0) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		assert_true(l > 0 && l <= DNS_MAX_LABEL && o + l + 2 <= DNS_MAX_NAME);
		n->wire[o++] = (uint8_t)l;
		memcpy(&n->wire[o], s, l);
		o += l;
		n->labels++;
		s += l + (dot ? 1 : 0);
	}
	n->wire[o++] = 0;
	n->len = (uint8_t)o;
}

#endif
