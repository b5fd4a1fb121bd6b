/*
 * analyze.h - the analysis stage: consumes capture events, parses DNS,
 * matches transactions and infers resolver roles.
 *
 * Streaming: state lives for the analysis window of capture time and is
 * bounded by the limits in an_opts_t.
 */
#ifndef DNSBLAME_ANALYZE_H
#define DNSBLAME_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "../capture/event.h"
#include "../common/limits.h"
#include "roles.h"
#include "tally.h"
#include "txn.h"
#include "verdict.h"

#define AN_RCODES 4096   /* 12-bit extended rcodes (RFC 6891 6.1.3) */
#define AN_AUDIT_KEEP 16 /* healthy answers found bogus, kept for the report */

/* Called with each verdict as soon as it is made (a SERVFAIL 1.2 s after
 * it, a query never answered when its window closes, a pending one at the
 * end); v is valid during the call. */
typedef void (*an_verdict_fn)(const verdict_t *v, void *user);

typedef struct an_opts {
	const db_limits_t *limits;  /* window, max_transactions, max_addresses, max_verdicts;
	                            * NULL: db_limits_default(0) */
	int dnssec_audit;           /* re-verify the chain of every answered client query */
	int reserve;                /* take the memory of the transaction table, the event
	                            * log and the answer store at the start (a live run:
	                            * resident memory flat whatever the traffic) */
	const db_addr_t *resolvers; /* --resolver, nresolvers entries */
	size_t nresolvers;
	an_verdict_fn on_verdict; /* or NULL */
	void *on_verdict_user;
	/* Every `interval` of capture time from the first event (a live
	 * capture's time follows the wall clock when idle), on_interval is
	 * called with the span just over; 0 or NULL: never. */
	db_time_t interval;
	void (*on_interval)(db_time_t from, db_time_t to, void *user);
	void *on_interval_user;
} an_opts_t;

typedef struct an_stats {
	uint64_t dns_messages;  /* every DNS message on port 53 */
	uint64_t dns_queries;   /* QR = 0 (header present) */
	uint64_t dns_responses; /* QR = 1 */
	uint64_t tcp_dns_messages;
	uint64_t malformed;         /* messages that did not parse whole (cut ones excluded) */
	uint64_t cut_messages;      /* messages cut by snaplen */
	uint64_t unreadable;        /* port-53 payloads under 4 bytes: not counted as messages */
	uint64_t rcodes[AN_RCODES]; /* responses by (extended) rcode */
	uint64_t ede_responses;     /* responses carrying Extended DNS Errors */
	uint64_t icmp_errors;
	uint64_t tcp_syn, tcp_synack, tcp_rst, tcp_fin, tcp_syn_unanswered;
	uint64_t frag_trains_lost;
	uint64_t tcp_stream_losses;
	txn_stats_t txn;
	uint64_t by_cause[VD_NKINDS][VD_NCAUSES]; /* by enum vd_kind: SERVFAILs, never
	                                           * answered, still open at the end */
	uint64_t verdicts_dropped; /* made but no longer listed (the latest max_verdicts are) */
	uint64_t pending_dropped;  /* pending verdicts made but not listed (the first 1,000 are) */
	uint64_t events_lost;      /* transport events overwritten inside the window */
	uint64_t capture_drops;    /* packets the live capture dropped (CAP_EV_CAPTURE_LOSS) */
	uint64_t verdicts_over_loss; /* verdicts made over such a loss (lower confidence) */
	uint64_t addresses_evicted;  /* addresses dropped by the roles table (roles.h) */
	/* The resolver model's bounded tables (model.h): entries dropped,
	 * least recently used first, while the capture could still need them. */
	uint64_t model_cuts_evicted, model_cnames_evicted, model_names_evicted;
	uint64_t model_roots_evicted, model_keys_evicted, model_breaks_evicted;
	uint64_t event_servers_evicted; /* servers whose event chain was forgotten */
	uint64_t audit_checked, audit_bogus, audit_signatures; /* --dnssec-audit */
} an_stats_t;

typedef struct an an_t;

/* Sizes derived from --max-transactions (see analyze.c). */
size_t an_evlog_size(size_t max_transactions);
size_t an_store_size(size_t max_transactions);
/* Returns NULL when out of memory. */
an_t *an_new(const an_opts_t *o);
/* The cap_event_fn: user is the an_t. */
void an_event(const cap_event_t *ev, void *user);
/* an_event for cap_run_relayed: prep is what an_prepare made of ev on the
 * capture's thread, or NULL (then an_handle does that work itself). */
void an_handle(const cap_event_t *ev, const void *prep, void *user);
/* The look-ahead of cap_run_relayed: user is the an_t.  Prefetches the
 * memory an_event will read for ev; changes nothing it will find. */
void an_ahead(const cap_event_t *ev, const void *prep, void *user);
/* The preparation of cap_run_relayed (cap_prep_t): an_prepare writes
 * an_prep_size() bytes at out for a DNS event (its digest: the parse's
 * outcome, the header, the question, the keys' hashes), with preparer
 * an_preparer(a).  It reads nothing an_handle writes, so it may run on
 * another thread while an_handle runs; one thread at a time. */
size_t an_prep_size(void);
void *an_preparer(an_t *a);
void an_prepare(const cap_event_t *ev, void *out, void *preparer);
/* End of input: closes every transaction still open; the tally is whole
 * again (an_tally_apart). */
void an_finish(an_t *a);
/* The tally (an_tally), which only the reports at the end read, is kept
 * on a thread of its own until an_finish (a second CPU, reading files, no
 * metrics endpoint): an_tally must not be read before.  Returns 0, or -1
 * when no thread could be had: it is kept here. */
int an_tally_apart(an_t *a);
/* Counters, valid until an_free (transaction counts are final after
 * an_finish). */
const an_stats_t *an_stats(an_t *a);
const roles_t *an_roles(const an_t *a);
/* --dnssec-audit: answered queries whose captured chain did not verify. */
const verdict_t *an_audit_failures(const an_t *a, size_t *n);
/* Every verdict counted by group, server and minute; the latest listed
 * whole (tally.h); valid until an_free. */
const tally_t *an_tally(const an_t *a);
void an_free(an_t *a);

#endif
