/*
 * evlog.h - a bounded, time-ordered log of the transport events that tie
 * upstream attempts to their fate: ICMP errors, TCP handshakes that failed,
 * fragment trains that never completed, TCP streams that lost data.  The
 * attribution walks it backwards from a failure.  Memory: a ring of at most
 * `cap` entries; the oldest is overwritten when full, and counted in
 * `lost` when it was still inside the analysis window (attribution could
 * still have needed it).  The ring starts at 1,024 records and doubles
 * whenever the record it would overwrite is younger than `keep`, so its
 * memory follows the events of the last `keep` of capture time (a few
 * thousand on a busy resolver), not the length of the capture, while a
 * burst of events (an outage's ICMP errors) still gets the whole `cap`.
 *
 * Every record is also chained to the previous record about the same DNS
 * server (the end on port 53 of the conversation, the target an ICMP error
 * quotes), so that a verdict reads the events of the servers it involves
 * and never the events of the rest of the traffic: the cost of a lookup is
 * the number of events about that server, however busy the capture.  The
 * index of servers holds at most `cap` addresses, least recently used out
 * first (counted in servers_evicted).
 */
#ifndef DNSBLAME_EVLOG_H
#define DNSBLAME_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#include "../capture/event.h"
#include "../common/table.h"

typedef struct evrec {
	db_time_t ts;
	uint8_t kind;       /* enum cap_event_kind */
	uint8_t tcp_kind;   /* CAP_EV_TCP: enum cap_tcp_kind */
	db_flow_t flow;     /* ICMP: the quoted flow; others: the event's flow */
	db_addr_t reporter; /* ICMP: who sent it */
	uint8_t icmp_version, icmp_type, icmp_code;
	uint8_t has_qid; /* ICMP: the quote reached the DNS id */
	uint16_t qid;
	uint8_t have_first; /* fragments: the first fragment (ports) was seen */
	uint64_t seq;       /* 1, 2, ... in the order logged */
	uint64_t prev;      /* seq of the previous record about the same server, or 0 */
} evrec_t;

typedef struct evlog {
	evrec_t *ring;    /* size slots: record seq in ring[(seq - 1) % size] */
	size_t cap, size; /* size: EVLOG_FIRST (or cap) doubling up to cap */
	size_t count;     /* records held, at most size */
	uint64_t overwritten;
	uint64_t lost; /* overwritten while younger than window */
	db_time_t window;
	db_time_t keep; /* a record this young may still be read: the ring grows
	                 * rather than overwrite it (until it holds cap) */
	uint64_t seq;   /* of the newest record */
	tbl_t servers;  /* server address -> seq of its newest record */
	uint64_t servers_evicted;
} evlog_t;

/* keep (at least window): how long a record may still be read (the walks
 * go back from the oldest transaction's query, less the time a query may
 * join work in flight).  Returns 0, or -1 when out of memory. */
int evlog_init(evlog_t *l, size_t cap, db_time_t window, db_time_t keep);
/* The ring at its whole size now, written to (a live run: memory taken at
 * the start).  0, or -1 when out of memory (the log still works). */
int evlog_reserve(evlog_t *l);
void evlog_free(evlog_t *l);
/* Records the events attribution needs (others are ignored). */
void evlog_add(evlog_t *l, const cap_event_t *ev);
/* The i-th newest record (0 = newest), or NULL past the oldest. */
const evrec_t *evlog_back(const evlog_t *l, size_t i);
/* The server a record is about: the port-53 end, or the target an ICMP
 * error quotes; the sender for fragments whose ports are unknown. */
const db_addr_t *evlog_server_of(const evrec_t *r);
/* The newest record about server, or NULL; then the next older one about
 * the same server, or NULL once the chain ends or was overwritten. */
const evrec_t *evlog_server_newest(const evlog_t *l, const db_addr_t *server);
const evrec_t *evlog_server_older(const evlog_t *l, const evrec_t *r);

#endif
