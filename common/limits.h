/*
 * limits.h - the analysis window and every table's limit, in one place.
 *
 * main.c builds one db_limits_t (db_limits_default, then the command
 * line's --window and --max-* options) and hands the same object to
 * capture/ (cap_opts_t.limits) and analyze/ (an_opts_t.limits), which give
 * each of their modules the values it needs.  The defaults are written
 * here and nowhere else; a module given 0 for a timeout takes
 * DB_WINDOW_DEFAULT.
 *
 * The defaults fit a resolver doing 50,000 queries a second with the
 * default window: see each field.
 */
#ifndef DNSBLAME_LIMITS_H
#define DNSBLAME_LIMITS_H

#include <stddef.h>

#include "flow.h"

/* How long state lives, in capture time: 30 s, longer than any resolver's
 * whole resolution time (Unbound and BIND give up within 10-30 s). */
#define DB_WINDOW_DEFAULT ((db_time_t)30 * 1000000)

typedef struct db_limits {
	db_time_t window; /* state lifetime in capture time (us), > 0 */
	/* analyze/ */
	size_t max_transactions; /* open DNS transactions: 524,288; a resolver at
	                          * 50,000 queries a second holds some 350,000
	                          * (its upstream attempts 13.7 s each after their
	                          * answer, the client queries in flight) */
	size_t max_addresses;    /* roles table (who is a resolver): 65,536 */
	size_t max_verdicts;     /* verdicts listed whole in the report, the latest:
	                          * 20,000 (live: 1,000, the stream has them all) */
	/* capture/ */
	size_t max_frag_trains; /* incomplete fragment trains per IP version: 65,536 */
	size_t max_tcp_streams; /* TCP streams followed per IP version: 16,384
	                          * (libnids allocates its whole table at the
	                          * start: three times what a resolver at 50,000
	                          * queries a second with 1% over TCP keeps open) */
	size_t max_handshakes;  /* pending TCP handshakes watched: 65,536 */
} db_limits_t;

/* The defaults; live: those of a live capture (fewer verdicts kept whole). */
db_limits_t db_limits_default(int live);

#endif
