/*
 * metrics.h - the fleet view: dnsblame's counts in the Prometheus text
 * exposition format (version 0.0.4), served over HTTP by libmicrohttpd
 * (serve.c, the only file that includes it) for the operators' own
 * Prometheus to scrape.
 *
 * Cardinality is bounded: causes and outcomes are fixed vocabularies; zones
 * and upstream servers are the first RP_METRICS_ZONES / RP_METRICS_SERVERS
 * to appear (a series, once there, stays), the rest summed under
 * zone="_other" and server="_other".
 */
#ifndef DNSBLAME_METRICS_H
#define DNSBLAME_METRICS_H

#include <stddef.h>

#include "report.h"

#define RP_METRICS_ZONES 100
#define RP_METRICS_SERVERS 100

/* Renders the metrics of `in` into a malloc'd NUL-terminated text (*len
 * bytes without the NUL).  NULL when out of memory. */
char *rp_metrics_text(const rp_input_t *in, size_t *len);

typedef struct rp_server rp_server_t;

/* Listens on ADDR:PORT ("127.0.0.1:9353", "[::1]:9353", ":9353" for every
 * address) and serves GET /metrics from its own thread.  NULL with a
 * reason in err, and *st DB_EINVAL (not an ADDR:PORT) or DB_EIO (cannot
 * listen there). */
rp_server_t *rp_serve_start(const char *listen, db_status_t *st, char *err, size_t errlen);
/* Replaces the text served (takes ownership of text, from rp_metrics_text). */
void rp_serve_publish(rp_server_t *s, char *text, size_t len);
void rp_serve_stop(rp_server_t *s);

#endif
