/*
 * tcpwatch.h - TCP connection lifecycle on port 53, from segment headers.
 *
 * The resolver's TCP fallback succeeds or fails in the handshake as often
 * as in the data: a SYN that no SYN-ACK answers, or a RST, is the evidence.
 * This module sees every port-53 TCP segment of both IP versions (before any
 * reassembly) and emits CAP_EV_TCP events: SYN, SYN-ACK, RST and FIN as they
 * are seen, and SYN_UNANSWERED when a SYN got no SYN-ACK or RST within the
 * window.  Memory: at most max_pending handshakes; the oldest is dropped
 * (counted in evicted) when full.
 */
#ifndef DNSBLAME_TCPWATCH_H
#define DNSBLAME_TCPWATCH_H

#include <stdint.h>

#include "../common/table.h"
#include "event.h"

enum { TCPW_FIN = 0x01, TCPW_SYN = 0x02, TCPW_RST = 0x04, TCPW_ACK = 0x10 };

typedef struct tcpwatch {
	tbl_t pending; /* SYN seen, no SYN-ACK yet */
	db_time_t window;
	uint64_t evicted;
	uint64_t unanswered;
} tcpwatch_t;

/* Returns 0, or -1 on allocation failure. */
int tcpwatch_init(tcpwatch_t *tw, db_time_t window, size_t max_pending);
void tcpwatch_free(tcpwatch_t *tw);
/* One segment (flow in the direction it travelled, flags byte of the TCP
 * header).  Calls fn for each lifecycle event. */
void tcpwatch_segment(tcpwatch_t *tw, db_time_t ts, const db_flow_t *flow, uint8_t flags,
		      cap_event_fn fn, void *user);
/* Emits SYN_UNANSWERED for handshakes older than the window at time now;
 * with now == INT64_MAX, for every handshake still pending (end of input). */
void tcpwatch_expire(tcpwatch_t *tw, db_time_t now, cap_event_fn fn, void *user);

#endif
