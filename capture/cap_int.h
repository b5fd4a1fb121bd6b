/*
 * cap_int.h - what the files of capture/ share (not for other modules):
 * the capture's context, passed down the path of a packet, and the
 * datagram the IP paths hand on.  Each file declares its functions in its
 * own header; dispatch.h draws the path.
 */
#ifndef DNSBLAME_CAP_INT_H
#define DNSBLAME_CAP_INT_H

#include <string.h>

#include "capture.h"
#include "ipfrag.h"
#include "tcpreasm.h"
#include "tcpwatch.h"
#include "../common/table.h"

#define DNS_PORT 53

/* A fragment train is given up one second after its first fragment (or
 * after half the analysis window, if shorter): a server sends a datagram's
 * fragments back to back, a resolver gives up on an answer within a second
 * or two, and the analysis, which judges a SERVFAIL 1.2 s after it was
 * sent, must know of the loss by then. */
#define CAP_FRAG_TIMEOUT_MAX (1000 * 1000LL)
#define CAP_FRAG_TIMEOUT(c)                                                                        \
	((c)->window / 2 < CAP_FRAG_TIMEOUT_MAX ? (c)->window / 2 : CAP_FRAG_TIMEOUT_MAX)

typedef struct cap_ctx {
	cap_event_fn fn;
	void *user;
	cap_stats_t st;
	db_time_t now; /* capture time of the packet being processed */
	db_time_t window;
	tcpwatch_t tcpw;
	ipfrag_t *frag4; /* IPv4 fragment trains in flight (libnids sees whole datagrams) */
	ipfrag_t *frag6;
	tcpreasm_t *tcp6;    /* IPv6 streams */
	tcpreasm_t *tcp4mid; /* IPv4 streams libnids did not see begin */
	size_t max_tcp_streams;
	size_t max_frag_trains;
	size_t nids_streams;   /* IPv4 streams libnids follows now (nidsglue.c) */
	uint64_t nids_evicted; /* libnids streams timed out or dropped for room */
} cap_ctx_t;

/*
 * One IP datagram as the IP paths hand it on: whole (reassembled from its
 * fragments, if it was fragmented) or as much of it as snaplen kept.  The
 * bytes belong to the packet being processed, or to `owned`.
 */
typedef struct cap_dgram {
	db_addr_t src, dst;
	uint8_t version;      /* 4 or 6 */
	uint8_t proto;        /* what the IP header(s) say follows: 6 TCP, 17 UDP ... */
	uint8_t whole;        /* every byte captured: it may be a tunnel, and an
	                        * IPv4 one is libnids' to see */
	uint8_t nids_follows; /* IPv4 TCP: libnids follows this connection */
	const uint8_t *ip;    /* IPv4 and whole: the header, ihl bytes (a fresh
	                        * one after reassembly), then l4 */
	size_t ihl;
	const uint8_t *l4; /* the transport header and payload: len bytes */
	size_t len;
	size_t wire_len; /* bytes the transport part had (>= len) */
	uint8_t *owned;  /* heap bytes l4 points into, or NULL: freed by
	                        * whoever asked for the datagram, once it is done */
} cap_dgram_t;

/* Every field of d zeroed, one by one: a memset of the whole compiles to a
 * string instruction slow to start, on every packet. */
static inline void cap_dgram_clear(cap_dgram_t *d)
{
	memset(&d->src, 0, sizeof(d->src));
	memset(&d->dst, 0, sizeof(d->dst));
	d->version = d->proto = d->whole = d->nids_follows = 0;
	d->ip = d->l4 = NULL;
	d->ihl = d->len = d->wire_len = 0;
	d->owned = NULL;
}

/* For relay.c, which runs cap_run on a thread of its own.  What cap_stats
 * and cap_progress show (NULL, NULL: the counters themselves). */
void cap_set_view(cap_t *c, const cap_stats_t *st, const cap_progress_t *pr);
/* The counters as they are now, whatever the view. */
const cap_stats_t *cap_stats_now(cap_t *c);
void cap_progress_now(const cap_t *c, cap_progress_t *pr);
/* Exchanges the tick cap_run calls with *tick, *user. */
void cap_swap_tick(cap_t *c, void (**tick)(void *), void **user);
int cap_is_live(const cap_t *c);
/* The counters frame() keeps (packets, bytes, times), without gathering
 * the reassembly modules' (cheap: read for every event). */
const cap_stats_t *cap_counters(const cap_t *c);

#endif
