/*
 * evidence.h - which packets of a capture are the evidence of some
 * verdicts (--save-evidence): packets between two addresses, or to and
 * from one, any protocol (DNS over UDP and TCP, IP fragments, TCP
 * handshakes), within a span of capture time; ICMP messages within a
 * span; every packet of a span; the first packet after a time.
 * The caller (report/evidence.c) names the spans; capture/source.c reads
 * the files again and keeps the packets that fall in one.
 */
#ifndef DNSBLAME_EVIDENCE_H
#define DNSBLAME_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"

enum cap_span_kind {
	CAP_SPAN_PAIR = 0, /* packets between a and b, either way */
	CAP_SPAN_PEER,     /* packets from or to a (a server: the resolver may
	                      * reach it from another address than clients use) */
	CAP_SPAN_ICMP,     /* ICMP errors, whoever sent them, quoting a packet
	                      * between a:aport and b:bport (either way) */
	CAP_SPAN_ANY,      /* every packet (a and b unused): a few
	                      * milliseconds whose traffic is all evidence */
	CAP_SPAN_FIRST,    /* the first packet at or after `from` (b unused),
	                      * sent by a:aport when a is set: e.g. a resolver's
	                      * first answer, or whatever packet comes first
	                      * after a time the capture must reach */
};

typedef struct cap_span {
	db_addr_t a, b;
	uint16_t aport, bport; /* CAP_SPAN_PAIR: the ports too, when not 0 (a
	                        * non-first fragment, whose ports are not known,
	                        * matches when the first of its train did) */
	db_time_t from, to;    /* inclusive, capture time */
	uint8_t kind;          /* enum cap_span_kind */
} cap_span_t;

#define EVSEL_TRAINS 1024 /* fragment trains whose first fragment matched */

typedef struct evsel {
	cap_span_t *s; /* sorted by from */
	size_t n;
	size_t next;    /* the first span not yet started */
	size_t *active; /* indexes of spans started and not over */
	size_t nactive;
	struct evsel_train {
		db_addr_t src, dst;
		uint32_t id;
	} trains[EVSEL_TRAINS]; /* a ring: the latest trains kept */
	size_t ntrains;
} evsel_t;

/* Takes the n spans (sorts them in place, and ends a CAP_SPAN_FIRST span
 * once it matched; the array stays the caller's).  Returns 0, or -1 when
 * out of memory. */
int evsel_init(evsel_t *e, cap_span_t *s, size_t n);
void evsel_free(evsel_t *e);
/* A packet's addresses and, for UDP and TCP when known, ports (0 else). */
typedef struct cap_pkt {
	db_addr_t src, dst;
	uint16_t sport, dport;
	uint8_t icmp;
	uint8_t frag; /* an IP fragment of train frag_id (the first
	                          * holds the ports; the others only match when
	                          * the first of their train did) */
	uint32_t frag_id;
	uint8_t quoted;          /* an ICMP error quoting an IP header: */
	db_addr_t qsrc, qdst;    /* the quoted packet's addresses */
	uint16_t qsport, qdport; /* and ports (0 when cut) */
} cap_pkt_t;

/* A frame of link type dlt, read through wire_t: 1 and *p, or 0 when it
 * does not hold IP.  A packet in a tunnel (tunnel.h) is described by the
 * innermost packet, the one the analysis saw. */
int cap_pkt_parse(int dlt, const uint8_t *frame, size_t caplen, cap_pkt_t *p);

/* Whether a packet at ts (non-decreasing from call to call) is evidence. */
int evsel_match(evsel_t *e, db_time_t ts, const cap_pkt_t *p);

#endif
