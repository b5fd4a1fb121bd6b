/*
 * decide.h - the judgment, as a pure function: the evidence gathered for
 * one failed client query (its upstream attempts and their outcomes, the
 * DNSSEC check, the resolver's EDE) and what the model remembers (the root
 * failure it may repeat) -> cause, detail, confidence and via.
 *
 * The order is the design's: fresh evidence first (a failed attempt of the
 * query's own, or of the identical query it joined), then answers that
 * failed validation, then the failure memory (a repeat carries the cause of
 * the root failure it repeats), then the resolver's EDE, and only then
 * no_upstream or unknown.  No packets, no tables: unit tests drive it
 * directly (tests/unit/test_decide.c).
 */
#ifndef DNSBLAME_DECIDE_H
#define DNSBLAME_DECIDE_H

#include <stdint.h>

#include "verdict.h"

enum decide_root_kind {
	DECIDE_ROOT_NONE = 0,
	DECIDE_ROOT_QUESTION,  /* the same question failed before this query was asked */
	DECIDE_ROOT_IN_FLIGHT, /* an identical query was being resolved when this one came */
	DECIDE_ROOT_ZONE,      /* the zone the name lands in failed before */
};

typedef struct decide_in {
	/* The attempts (queries and failed handshakes) related to the query. */
	uint32_t n_attempts, n_answered, n_failed;
	uint8_t own_failure; /* a failed attempt was made after the client asked */
	uint8_t only_probes; /* every failed attempt is a handshake that carried no query */
	uint8_t from_model;  /* the failure is what the model knew (a delegation
	                          * whose NS names do not resolve), not an attempt's */
	uint8_t mixed;       /* failures of another kind than the last one's */
	uint8_t mixed_tc;    /* a TC=1 answer beside a failure of another kind */
	uint8_t any_rrsig;   /* an answer carried RRSIGs */
	uint8_t silent;      /* the resolver never answered the client (no SERVFAIL) */
	/* The attempt that failed last (when n_failed). */
	uint8_t last_outcome; /* enum vd_outcome */
	uint8_t last_transport;
	uint8_t last_forwarder; /* its server is itself a resolver */
	uint16_t last_rcode;
	uint8_t last_icmp_version, last_icmp_type, last_icmp_code;
	/* Truncation: a TC=1 answer, whether a TCP attempt to that server
	 * followed, and whether it came from the server that failed last. */
	uint8_t tc, tcp_after_tc, tc_from_last;
	/* Another attempt's ICMP error (a closed port answers TCP with RST). */
	uint8_t icmp_seen, icmp_version, icmp_type, icmp_code;
	/* DNSSEC re-verified from the captured chain. */
	uint8_t dnssec_found, dnssec_from_memory;
	const char *dnssec_detail;
	/* The resolver's EDE, mapped to a cause (have_ede = 0: none usable). */
	uint8_t have_ede, ede_cause;
	const char *ede_detail;
	uint16_t ede_code;
	/* The failure memory. */
	uint8_t root_kind; /* enum decide_root_kind */
	uint8_t root_cause;
	const char *root_detail;
	uint8_t root_server_side;
	uint8_t resolver_host; /* the capture shows the resolver's upstream side */
} decide_in_t;

typedef struct decide_out {
	uint8_t cause; /* enum vd_cause */
	const char *detail;
	uint8_t confidence; /* enum vd_confidence */
	uint8_t via;        /* enum vd_via */
	uint8_t from_root;  /* cause and detail are the remembered root's */
	uint8_t root;       /* this verdict is a root failure worth remembering */
} decide_out_t;

void decide(const decide_in_t *in, decide_out_t *out);

#endif
