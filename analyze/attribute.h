/*
 * attribute.h - correlation and attribution: for a client query that a
 * resolver answered with SERVFAIL (or never answered), find the upstream
 * attempts made on its behalf and name the cause (design.md, "Correlating a
 * client query with upstream work" and "Cause vocabulary").
 *
 * Correlation works on what the analysis already keeps: the transaction
 * table (every query and its answer summary, in time order), the event log
 * (ICMP errors, failed handshakes, lost fragments), the zone cuts learned
 * from referrals and the failures already explained (for failure caches).
 */
#ifndef DNSBLAME_ATTRIBUTE_H
#define DNSBLAME_ATTRIBUTE_H

#include "../common/table.h"
#include "chain.h"
#include "evlog.h"
#include "msgstore.h"
#include "roles.h"
#include "txn.h"
#include "verdict.h"

#define ATTR_FAILURE_MEMORY (300 * 1000000LL) /* RFC 9520 3.2: at most 5 minutes */
#define ATTR_COALESCE (10 * 1000000LL)        /* in-flight work a query may join */
#define ATTR_GIVE_UP (12 * 1000000LL)         /* evidence window of a query never answered */

typedef struct attr {
	const txn_table_t *txn;
	const roles_t *roles;
	const evlog_t *ev;
	tbl_t cuts;    /* zone cuts seen in referrals */
	tbl_t fails;   /* recent failures by name+type and by zone */
	enum roles_vantage vantage;
	db_time_t vantage_at;
	void *scratch;  /* the walk's working set, allocated once */
	msgstore_t store; /* answers carrying DNSSEC records */
	chain_t *chain;
	tbl_t broken;    /* DNSSEC failures proven per zone, reused by later verdicts */
} attr_t;

/* store_bytes: the size of the ring of DNSSEC answers (msgstore.h). */
int attr_init(attr_t *a, const txn_table_t *txn, const roles_t *roles, const evlog_t *ev,
	      size_t store_bytes);
void attr_free(attr_t *a);

/* Fills t's answer summary from its first response m, and learns the zone
 * cut a referral names. */
void attr_note_answer(attr_t *a, txn_t *t, const dns_msg_t *m);

/* Classifies t, the query txn_query just returned, by what its sender is
 * as far as the capture tells so far: t->upstream when the sender acts as
 * a resolver's upstream side (sends iterative queries, or is a resolver
 * querying onward); on tt's relay list as well when the sender also
 * receives recursive queries.  The walk follows that list. */
void attr_note_query(attr_t *a, txn_table_t *tt, txn_t *t);

/* 0 when a transport event cannot be evidence about any upstream attempt,
 * so the event log need not keep it: it belongs to a conversation with a
 * DNS server's port 53 whose other end never acted as a resolver's side
 * (a client's TCP connection, the fragments of its query, an ICMP error
 * about an answer to it).  A flood of those, spoofed or not, would
 * otherwise push the evidence that matters out of the log before the
 * verdicts are made. */
int attr_event_useful(attr_t *a, const cap_event_t *ev);

/* 1 when t is a client's query to a resolver (not an upstream attempt). */
int attr_is_client_query(attr_t *a, const txn_t *t);

/* Builds the verdict for client transaction t: answered with SERVFAIL, or
 * never answered (decided at time now). */
void attr_verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v);

/* The same walk for a client query that was answered (NOERROR/NXDOMAIN):
 * re-verifies the DNSSEC chain of its related answers without touching
 * the failure memory.  Returns 1 when a check ran (v->dnssec holds it). */
int attr_audit(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v);

#endif
