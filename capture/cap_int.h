/*
 * cap_int.h - state shared by the files of capture/ (not for other modules).
 *
 * The path of a packet: source.c reads it and strips the link layer;
 * ip4.c hands IPv4 to ipfrag.c (fragments) and libnids (TCP reassembly) and ip6.c /
 * ip6path.c handle IPv6 with ipfrag.c and tcp6.c; both end in l4.c, which
 * turns UDP, ICMP and TCP headers into events.
 */
#ifndef DNSBLAME_CAP_INT_H
#define DNSBLAME_CAP_INT_H

#include "capture.h"
#include "ipfrag.h"
#include "tcp6.h"
#include "tcpwatch.h"
#include "../common/table.h"

#define DNS_PORT 53

/* A fragment train is given up one second after its first fragment (or
 * after half the analysis window, if shorter): a server sends a datagram's
 * fragments back to back, a resolver gives up on an answer within a second
 * or two, and the analysis, which judges a SERVFAIL 1.2 s after it was
 * sent, must know of the loss by then. */
#define CAP_FRAG_TIMEOUT_MAX (1000 * 1000LL)
#define CAP_FRAG_TIMEOUT(c) ((c)->window / 2 < CAP_FRAG_TIMEOUT_MAX ? (c)->window / 2 : CAP_FRAG_TIMEOUT_MAX)

typedef struct cap_ctx {
	cap_event_fn fn;
	void *user;
	cap_stats_t st;
	db_time_t now;        /* capture time of the packet being processed */
	db_time_t window;
	tcpwatch_t tcpw;
	ipfrag_t *frag4;      /* IPv4 fragment trains in flight (libnids sees whole datagrams) */
	ipfrag_t *frag6;
	tcp6_t *tcp6;
	tcp6_t *tcp4mid;      /* IPv4 streams libnids did not see begin */
	size_t max_tcp_streams;
	size_t max_frag_trains;
	size_t nids_streams;  /* IPv4 streams currently followed */
	int tunnel_depth;     /* nesting of the packet being processed */
	uint64_t nids_evicted; /* libnids streams timed out or dropped for room */
} cap_ctx_t;

/* l4.c: a whole (reassembled) IP datagram's transport part.
 * l4[0..len) is what was captured, wire_len what the datagram had. */
void l4_datagram(cap_ctx_t *c, const db_addr_t *src, const db_addr_t *dst,
		 uint8_t proto, const uint8_t *l4, size_t len, size_t wire_len,
		 int from_ip6);
/* The single place events leave capture/. */
void cap_emit(cap_ctx_t *c, const cap_event_t *ev);
void cap_emit_cb(const cap_event_t *ev, void *ctx);

/* tunnel.c: when proto (with its payload l4[0..len)) is a tunnel this
 * module decapsulates, processes the inner packet and returns 1. */
int tunnel_decap(cap_ctx_t *c, uint8_t proto, const uint8_t *l4, size_t len);

/* ip4.c: IPv4 through libnids. */
int ip4_init(cap_ctx_t *c, char *err, size_t errlen);
void ip4_packet(cap_ctx_t *c, const uint8_t *pkt, size_t caplen);
void ip4_expire(cap_ctx_t *c, db_time_t now);
/* 1 when libnids has this TCP connection (either direction) in its table. */
int ip4_nids_has(const db_flow_t *f);
void ip4_finish(cap_ctx_t *c);
/* Releases everything, reporting nothing more. */
void ip4_close(cap_ctx_t *c);

/* ip6path.c: IPv6 with our own reassembly. */
int ip6path_init(cap_ctx_t *c, const cap_opts_t *o);
void ip6path_packet(cap_ctx_t *c, const uint8_t *pkt, size_t caplen);
void ip6path_expire(cap_ctx_t *c, db_time_t now);
void ip6path_finish(cap_ctx_t *c);

#endif
