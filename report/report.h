/*
 * report.h - what dnsblame prints: text, Markdown and HTML for people, a
 * JSON document (docs/JSON.md) and an NDJSON stream for machines, and
 * Prometheus metrics.  report/ reads the results
 * of capture/ and analyze/; it never looks at packets.
 */
#ifndef DNSBLAME_REPORT_H
#define DNSBLAME_REPORT_H

#include <stdio.h>

#include "../analyze/analyze.h"
#include "../capture/capture.h"

#define DNSBLAME_VERSION "0.1.0"
/* The JSON document's schema (docs/JSON.md): 3 added the incidents, the
 * upstream servers, the timeline, what was left out, and the host, command
 * and filter. */
#define RP_SCHEMA 3
#define RP_MAX_RESOLVERS 64

typedef struct rp_input {
	const char *const *files; /* inputs as given (or NULL with iface) */
	size_t nfiles;
	const char *iface;
	const char *host;    /* the host dnsblame ran on, or NULL */
	const char *command; /* the command line, or NULL */
	const char *filter;  /* the BPF filter, or NULL */
	int color;           /* text: ANSI colours (--color; a terminal by default) */
	const cap_stats_t *cap;
	const an_stats_t *an;
	const char *vantage; /* "resolver-host", "client-side", "unknown" */
	db_addr_t resolvers[RP_MAX_RESOLVERS];
	size_t nresolvers;
	const char *input_error; /* the damage that stopped reading, or NULL */
	db_time_t window;
	const tally_t *tally; /* every verdict counted; groups, servers, minutes,
	                             * the latest listed whole */
	int audit;            /* --dnssec-audit was given */
	const verdict_t *audit_bad;
	size_t naudit_bad;
} rp_input_t;

/* Each returns 0, or -1 when writing failed. */
int rp_json(FILE *f, const rp_input_t *in);
/* NDJSON, a stream: rp_ndjson_verdict writes one verdict record (the
 * objects of "servfails", "unanswered" and "pending", with a "type" member
 * saying which) as the analysis makes it; rp_ndjson writes the last record,
 * {"type": "summary", ...} with the capture counts, the summary, the
 * transactions, events and limits. */
int rp_ndjson_verdict(FILE *f, const verdict_t *v);
int rp_ndjson(FILE *f, const rp_input_t *in);
int rp_text(FILE *f, const rp_input_t *in);
/* The same content as Markdown tables and fenced blocks (markdown.c). */
int rp_markdown(FILE *f, const rp_input_t *in);
/* One self-contained HTML file with SVG charts (html.c). */
int rp_html(FILE *f, const rp_input_t *in);

/* --interval: the run so far, and the verdicts made since `from`
 * (counts then in before[][]), up to `to`. */
typedef struct rp_period {
	db_time_t from, to;
	const uint64_t (*before)[VD_NCAUSES]; /* by kind, cause: VD_NKINDS rows */
} rp_period_t;
/* {"type": "stats", ...}: one NDJSON record. */
int rp_ndjson_stats(FILE *f, const rp_input_t *in, const rp_period_t *p);
/* The same as a short text block. */
int rp_text_stats(FILE *f, const rp_input_t *in, const rp_period_t *p);
/* SIGUSR1: the counts so far, as "dnsblame: interim: ..." lines. */
int rp_text_interim(FILE *f, const rp_input_t *in);
/* {"type": "truncated", "input_error": ...}: the input broke off; the
 * summary record that follows covers what came before. */
int rp_ndjson_truncated(FILE *f, const rp_input_t *in);

#define RP_EXPLAIN 640
/* The plain-language explanation of v (one or two sentences) into buf of
 * n bytes, always NUL-terminated (explain.c). */
void vd_explain(const verdict_t *v, char *buf, size_t n);
/* One upstream attempt on one line: "TIME  SERVER udp QNAME TYPE: outcome"
 * and the ICMP error or the rcode (and TC) when there is one; into buf of
 * n bytes (explain.c). */
#define RP_ATTEMPT (DB_TIMESTRLEN + DB_ADDRSTRLEN + DNS_NAME_STRLEN + 96)
void vd_attempt_str(const vd_upstream_t *u, char *buf, size_t n);
/* "timeout 2, blocked_port 1": the causes with a count, in the
 * vocabulary's order, into buf of n bytes (explain.c). */
#define RP_CAUSES 384
void vd_causes_str(const uint64_t by_cause[VD_NCAUSES], char *buf, size_t n);
/* The commands and checks to run next for v's failure, one a line, with
 * its real names (server: a server that failed, or NULL when none did);
 * into buf of n bytes, NUL-terminated (explain.c). */
#define RP_STEPS 1024
void vd_next_steps(const verdict_t *v, const db_addr_t *server, char *buf, size_t n);

/* --save-evidence (evidence.c): the spans of capture time whose packets
 * show each SERVFAIL incident's example and what its verdict rests on
 * (capture/evidence.h), *n of them, in an array the caller frees; NULL
 * when out of memory. */
cap_span_t *rp_evidence_spans(const tally_t *ty, size_t *n);

#endif
