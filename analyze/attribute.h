/*
 * attribute.h - correlation and attribution: for a client query that a
 * resolver answered with SERVFAIL (or never answered), find the upstream
 * attempts made on its behalf and name the cause (design.md, "Correlating a
 * client query with upstream work" and "Cause vocabulary").
 *
 * Correlation works on what the analysis already keeps, always through an
 * index: the transaction table's name index (upstream attempts by query
 * name), the event log's per-server chains (ICMP errors, handshakes, lost
 * fragments), and the resolver model (model.h: cuts, CNAMEs, DNSSEC keys,
 * the root failures that later SERVFAILs repeat).  The judgment itself is
 * decide.c's.
 */
#ifndef DNSBLAME_ATTRIBUTE_H
#define DNSBLAME_ATTRIBUTE_H

#include "../common/table.h"
#include "chain.h"
#include "evlog.h"
#include "model.h"
#include "msgstore.h"
#include "openq.h"
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
	model_t *model; /* the resolver's state: cuts, CNAMEs, keys, root failures */
	enum roles_vantage vantage;
	db_time_t vantage_at;
	void *scratch;    /* the evidence's working set, allocated once */
	msgstore_t store; /* answers carrying DNSSEC records */
	chain_t *chain;
	/* Per question and per zone, the oldest client query still open:
	 * when a later query into the zone fails at once with no attempt and
	 * no root failure concluded yet (the resolver held the zone's servers
	 * down while that query, never answered, was still waiting), the open
	 * one is the failure it repeats. */
	openq_t open;
	verdict_t *scratch_v; /* that open query's verdict, made aside */
} attr_t;

/* store_bytes, store_keep: the bound of the ring of DNSSEC answers and
 * how long an answer in it may still be read (msgstore_init). */
int attr_init(attr_t *a, const txn_table_t *txn, const roles_t *roles, const evlog_t *ev,
	      size_t store_bytes, db_time_t store_keep);
void attr_free(attr_t *a);

/* Fills t's answer summary from its first response m and sum, the summary
 * of m's records for t's question (dns_summarize); an upstream answer also
 * teaches the model (cuts, CNAMEs, DS and DNSKEY) and needs m's records
 * (m parsed in full), any other answer only sum. */
void attr_note_answer(attr_t *a, txn_t *t, const dns_msg_t *m, const dns_sum_t *sum);

/* 1 when t's answer (attr_note_answer filled its summary) tells a verdict
 * made later no more than that it came: authoritative, over UDP, with no
 * truncation, referral, CNAME, signature, DNSSEC query, extended error,
 * ICMP error or lost fragment about it; positive, or NXDOMAIN or NODATA
 * for a name that is not a server's a delegation named.  Such an attempt
 * need not stay as long as those that explain failures (txn_keep_brief):
 * the verdicts that list it are those made soon after it. */
int attr_answer_plain(const attr_t *a, const txn_t *t);

/* Classifies t, the query txn_query just returned, by what its sender is
 * as far as the capture tells so far: t->upstream when the sender acts as
 * a resolver's upstream side (sends iterative queries, or is a resolver
 * querying onward); in tt's name index when it is that or also receives
 * recursive queries (a forwarder).  Correlation looks attempts up there. */
/* sender, receiver: the entries of the query's sender and receiver as
 * roles_message_hashed returned them (sender NULL: not tracked; receiver
 * NULL: not tracked, or not a recursive query); suffix: the hashes of the
 * first nsuffix suffixes of t's name (model_zone_hash_from), nsuffix >= 1. */
void attr_note_query(attr_t *a, txn_table_t *tt, txn_t *t, const role_t *sender,
		     const role_t *receiver, const uint64_t *suffix, size_t nsuffix);

/* 0 when a transport event cannot be evidence about any upstream attempt,
 * so the event log need not keep it: it belongs to a conversation with a
 * DNS server's port 53 whose other end never acted as a resolver's side
 * (a client's TCP connection, the fragments of its query, an ICMP error
 * about an answer to it).  A flood of those, spoofed or not, would
 * otherwise push the evidence that matters out of the log before the
 * verdicts are made. */
int attr_event_useful(attr_t *a, const cap_event_t *ev);

/* An ICMP error quoting a DNS query with its id: marks the upstream
 * attempt it quotes (a lookup by key), so that verdicts need not search
 * the error among the server's events. */
void attr_note_icmp(attr_t *a, txn_table_t *tt, const cap_event_t *ev);
/* The same for an answer's fragment train that never completed, when its
 * first fragment gave the DNS id. */
void attr_note_frag(attr_t *a, txn_table_t *tt, const cap_event_t *ev);

/* 1 when t is a client's query to a resolver (not an upstream attempt). */
int attr_is_client_query(attr_t *a, const txn_t *t);

/* t was judged: if it was the open query of its question or zone, it is
 * no longer (so the tables of open queries hold the queries in flight). */
void attr_note_judged(attr_t *a, const txn_t *t);
/* For attr_note_judged to come: asks the processor for where t's entries
 * among the open queries are looked up.  A hint only. */
void attr_judged_ahead(const attr_t *a, const txn_t *t);
/* Forgets the open queries asked more than a window before now (they
 * have been judged; a backstop). */
void attr_expire(attr_t *a, db_time_t now, db_time_t window);

/* Builds the verdict for client transaction t: answered with SERVFAIL, or
 * never answered (decided at time now). */
void attr_verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v);

/* The same for a query still open when the input ended: the verdict as far
 * as the evidence goes, without remembering it as a root failure. */
void attr_verdict_tentative(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v);

/* The same walk for a client query that was answered (NOERROR/NXDOMAIN):
 * re-verifies the DNSSEC chain of its related answers without touching
 * the failure memory.  Returns 1 when a check ran (v->dnssec holds it). */
int attr_audit(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v);

#endif
