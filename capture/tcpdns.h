/*
 * tcpdns.h - DNS-over-TCP message framing (RFC 1035 4.2.2, RFC 7766 8).
 *
 * One tcpdns_t frames ONE direction of one TCP connection.  The caller feeds
 * it that direction's stream bytes in order, each byte exactly once (TCP
 * reassembly is the caller's job: libnids for IPv4, tcpreasm.c for IPv6 and
 * the IPv4 connections libnids does not follow); the framer splits them
 * into messages at the 2-byte length prefixes and calls back once per
 * complete message with a CAP_EV_DNS event.
 *
 * Memory: a message that lies wholly inside one fed buffer is handed over as
 * a view into that buffer, without copying.  Only a message that spans
 * buffers is copied, into a buffer that grows (doubling, from 512 bytes, up
 * to the announced length, at most 65535) with the bytes that actually
 * arrive and is freed when the message completes: a stream that announces
 * 65535 bytes and sends 30 holds 512, so a flood of half-open streams costs
 * what it sent, not what it announced.  An idle framer owns no heap memory.
 *
 * The struct is public only so callers can embed it (one per direction, no
 * allocation per stream); its fields other than `stats` are private.
 */
#ifndef DNSBLAME_TCPDNS_H
#define DNSBLAME_TCPDNS_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Largest DNS message over TCP plus its length prefix. */
#define TCPDNS_MAX_MSG 65535u
#define TCPDNS_PREFIX 2u

typedef struct tcpdns_stats {
	uint64_t messages; /* CAP_EV_DNS events delivered */
	uint64_t empty;    /* zero length prefixes skipped */
	uint64_t nomem;    /* messages dropped because the copy buffer could not be allocated */
} tcpdns_stats_t;

typedef struct tcpdns {
	/* private */
	uint8_t *buf;     /* body of the message in progress, NULL unless it spans buffers */
	uint32_t got;     /* body bytes already in buf (or skipped) */
	uint32_t cap;     /* bytes allocated at buf */
	uint16_t mlen;    /* body length of the message in progress */
	uint8_t hdr[2];   /* length prefix collected so far */
	uint8_t hlen;     /* 0, 1 or 2 prefix bytes collected */
	uint8_t skipping; /* body is being discarded (allocation failed) */
	/* public, read-only */
	tcpdns_stats_t stats;
} tcpdns_t;

/* An idle framer, to assign (f = TCPDNS_IDLE); zeroed memory is one too.
 * Setting a framer up runs no code: it costs a stream nothing to open. */
#define TCPDNS_IDLE ((tcpdns_t){ 0 })

/*
 * Feeds the next len in-order bytes of the direction.  For each message that
 * completes, calls fn(ev, user) with a copy of *tmpl (which supplies ts and
 * flow) where kind = CAP_EV_DNS, flow.proto = DB_PROTO_TCP and u.dns.msg /
 * len / wire_len describe the message (len == wire_len: bytes are only ever
 * framed from a reassembled stream).  ev and the message bytes are valid only
 * during the callback; the message may point into data.
 *
 * A zero length prefix carries no message: it is skipped and counted in
 * stats.empty.  If a spanning message's buffer cannot be allocated, its bytes
 * are skipped, counted in stats.nomem and reported once as
 * CAP_EV_STREAM_LOSS with bytes_pending = its length + 2; framing stays in
 * step.  tmpl must not be NULL; data may be NULL only when len is 0; fn may
 * be NULL (messages are then only counted).  fn must not call back into this
 * framer.
 */
void tcpdns_feed(tcpdns_t *f, const uint8_t *data, size_t len, const cap_event_t *tmpl,
		 cap_event_fn fn, void *user);

/*
 * Bytes of the incomplete message held or counted so far, including the
 * bytes of its length prefix (0..65536); 0 between messages.  A caller that
 * closes a stream with a non-zero value has a message cut short.  A message
 * already reported lost (allocation failure) counts 0.
 */
size_t tcpdns_pending(const tcpdns_t *f);

/* Releases the framer's buffer and returns it to the idle state (stats are
 * kept); returns what tcpdns_pending said just before, the bytes of a
 * message the stream ends in the middle of.  The framer may be fed again
 * afterwards.  NULL is ignored (returns 0). */
size_t tcpdns_free(tcpdns_t *f);

#endif
