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
	if (a->family == 4)
		inet_ntop(AF_INET, a->a, buf, DB_ADDRSTRLEN);
	else if (a->family == 6)
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
	/* The modulo operations bound each field for the compiler's format
	 * checker; the values are already in range. */
	snprintf(buf, DB_TIMESTRLEN, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", (unsigned)year % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u, (unsigned)usec % 1000000u);
	return buf;
}
