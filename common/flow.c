#include "flow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void db_addr_set4(db_addr_t *a, const uint8_t b[4])
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->a, b, 4);
}

void db_addr_set6(db_addr_t *a, const uint8_t b[16])
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	memcpy(a->a, b, 16);
}

int db_addr_eq(const db_addr_t *x, const db_addr_t *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

int db_addr_cmp(const db_addr_t *x, const db_addr_t *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, 16);
}

int db_addr_parse(db_addr_t *a, const char *s)
{
	uint8_t b[16];
	if (inet_pton(AF_INET, s, b) == 1) {
		db_addr_set4(a, b);
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		db_addr_set6(a, b);
		return 0;
	}
	return -1;
}

char *db_addr_str(const db_addr_t *a, char *buf)
{
	if (a->family == 4) {
		/* Dotted quad by hand, as inet_ntop writes it, for a tenth of
		 * its cost (a report writes several addresses per verdict). */
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->a[i];
			if (i)
				*p++ = '.';
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
		}
		*p = 0;
	} else if (a->family == 6)
		inet_ntop(AF_INET6, a->a, buf, DB_ADDRSTRLEN);
	else
		snprintf(buf, DB_ADDRSTRLEN, "?");
	return buf;
}

void db_flow_reverse(db_flow_t *f)
{
	db_addr_t a = f->src;
	uint16_t p = f->sport;
	f->src = f->dst;
	f->sport = f->dport;
	f->dst = a;
	f->dport = p;
}

/* v in exactly n decimal digits, zero-padded (v < 10^n). */
static char *put_digits(char *p, unsigned long v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

char *db_time_str(db_time_t t, char *buf)
{
	time_t sec = (time_t)(t / 1000000);
	long usec = (long)(t % 1000000);
	if (usec < 0) {
		usec += 1000000;
		sec -= 1;
	}
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, DB_TIMESTRLEN, "invalid-time");
		return buf;
	}
	long year = (long)tm.tm_year + 1900;
	if (year < 0 || year > 9999) {
		snprintf(buf, DB_TIMESTRLEN, "invalid-time");
		return buf;
	}
	/* YYYY-MM-DDTHH:MM:SS.uuuuuuZ, digit by digit: a report writes two
	 * or three of these per verdict, and snprintf cost ten times this. */
	char *p = buf;
	p = put_digits(p, (unsigned long)year, 4);
	*p++ = '-';
	p = put_digits(p, (unsigned long)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned long)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned long)tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long)tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long)tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, (unsigned long)usec, 6);
	*p++ = 'Z';
	*p = 0;
	return buf;
}
