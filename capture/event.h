/*
 * event.h - what capture/ hands to the rest of dnsblame.
 *
 * capture/ turns packets into a stream of events, each stamped with capture
 * time, and delivers them to one callback in capture-time order of the packet
 * that completed them.  Pointers inside an event are valid only during the
 * callback.  capture/ never parses DNS: a DNS message is handed over as bytes.
 */
#ifndef DNSBLAME_EVENT_H
#define DNSBLAME_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"

enum cap_event_kind {
	CAP_EV_DNS = 1,      /* one whole DNS message (UDP payload or TCP-framed) */
	CAP_EV_ICMP,         /* ICMP/ICMPv6 error quoting a datagram */
	CAP_EV_TCP,          /* TCP lifecycle on port 53 */
	CAP_EV_FRAG_EXPIRED, /* an IP fragment train never completed */
	CAP_EV_STREAM_LOSS,  /* TCP stream data lost (gap, or message cut at close) */
	CAP_EV_CLOCK,        /* live capture, idle: capture time moved on without a
	                       * packet (ts), so state older than the window closes */
	CAP_EV_CAPTURE_LOSS, /* live capture: the kernel or the interface dropped
	                       * packets between u.drop.since and ts */
};

enum cap_tcp_kind {
	CAP_TCP_SYN = 1,
	CAP_TCP_SYNACK,
	CAP_TCP_RST,
	CAP_TCP_FIN,
	CAP_TCP_SYN_UNANSWERED, /* a SYN saw no SYN-ACK within the window */
};

typedef struct cap_dns {
	const uint8_t *msg; /* DNS message bytes (no TCP length prefix) */
	size_t len;         /* bytes available */
	size_t wire_len;    /* bytes the message really had (> len if cut by snaplen) */
} cap_dns_t;

typedef struct cap_icmp {
	db_addr_t reporter; /* who sent the ICMP error */
	uint8_t version;    /* 4 = ICMP, 6 = ICMPv6 */
	uint8_t type, code;
	db_flow_t quoted;       /* the quoted datagram's flow (as the original sender sent it) */
	uint8_t quoted_l4;      /* 1 when the quoted ports are present */
	const uint8_t *payload; /* quoted bytes after the UDP/TCP header, may be cut */
	size_t payload_len;
	uint8_t has_dns_id; /* 1 when the payload's first 2 bytes, a DNS id, are quoted */
	uint16_t dns_id;    /* the quoted DNS message's id */
} cap_icmp_t;

typedef struct cap_tcp {
	uint8_t kind; /* enum cap_tcp_kind */
} cap_tcp_t;

typedef struct cap_frag {
	uint32_t ip_id;     /* IPv4 id or IPv6 fragment identification */
	uint32_t frags;     /* fragments received */
	uint32_t bytes;     /* payload bytes received */
	uint8_t have_first; /* offset-0 fragment seen (then flow ports are valid) */
	uint8_t have_qid;   /* ... and it held a UDP header and a DNS id */
	uint16_t qid;       /* the DNS id of the datagram that never completed */
} cap_frag_t;

typedef struct cap_loss {
	uint32_t bytes_pending; /* bytes of a message started but never completed */
} cap_loss_t;

typedef struct cap_drop {
	db_time_t since;  /* the drops happened after this capture time */
	uint64_t packets; /* packets dropped (kernel buffer and interface) */
} cap_drop_t;

typedef struct cap_event {
	uint8_t kind;   /* enum cap_event_kind */
	db_time_t ts;   /* capture time of the packet that completed the event */
	db_flow_t flow; /* direction the data travelled; for ICMP: reporter -> target */
	union {
		cap_dns_t dns;
		cap_icmp_t icmp;
		cap_tcp_t tcp;
		cap_frag_t frag;
		cap_loss_t loss;
		cap_drop_t drop;
	} u;
} cap_event_t;

typedef void (*cap_event_fn)(const cap_event_t *ev, void *user);

#endif
