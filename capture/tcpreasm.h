/*
 * tcpreasm.h - our TCP stream reassembly for DNS over TCP, where libnids
 * cannot help.
 *
 * IPv4 TCP goes through libnids, which knows no IPv6: IPv6 port-53 segments
 * come here (one table), and so do IPv4 segments of connections libnids
 * does not follow - begun before the capture, or opened with TCP Fast Open
 * (a second table, picking them up mid-stream).  The module does not care
 * about the address family: it takes db_flow_t and behaves as the libnids
 * glue does, so all paths report the same events for the same traffic:
 *   - a connection is followed only from its SYN (SYN without ACK); the SYN
 *     sender is the client.  Segments of connections whose SYN was not seen,
 *     and server segments sent before the SYN-ACK was seen, are ignored;
 *     those carrying payload are counted (no_syn_segments).  Data on the
 *     SYN (TCP Fast Open, RFC 7413) or on the SYN-ACK is the first data of
 *     its direction;
 *   - with limits.midstream set, a direction that is not followed (its SYN
 *     or SYN-ACK not seen) is also picked up mid-stream, as Wireshark
 *     decodes such captures: a segment with payload whose first bytes look
 *     like the start of a DNS-over-TCP message starts the direction at that
 *     segment's first byte (and creates the stream if needed, like a SYN
 *     does: it counts against max_streams).  "Look like": a length prefix
 *     >= 12 and, as far as the payload reaches, a header with OPCODE 0, 1,
 *     2, 4, 5 or 6 and QDCOUNT <= 1.  Other segments of that direction are
 *     ignored (midstream_rejected) and a later one may still start it.
 *     Never picked up: a direction that sent a FIN while not followed, a
 *     segment with RST, segments without payload, and any segment of a
 *     connection closed by RST or FIN+FIN within the last `timeout` (its
 *     late retransmissions; the last 256 closes are remembered).  Those
 *     count as no_syn_segments when they carry payload.  Bytes sent before
 *     the pickup point are not known to exist and are not reported lost;
 *     after it the direction behaves as one followed from its SYN;
 *   - each direction's payload is delivered in sequence order, each byte
 *     once, to that direction's tcpdns framer, which emits one CAP_EV_DNS per
 *     whole message (ts = the segment that completed it, flow = the direction
 *     the message travelled, proto TCP).  Segments ahead of the next expected
 *     byte are held until the gap fills; retransmitted and overlapping bytes
 *     are trimmed.  Sequence numbers compare in serial arithmetic (RFC 1982,
 *     RFC 9293 3.4), so streams may wrap past 2^32;
 *   - a stream ends on RST (either side), when both directions are finished
 *     (FIN reached in sequence, or FIN seen and acknowledged by the peer), on
 *     a new SYN with a different ISN for the same 4-tuple, when idle for
 *     `timeout`, when evicted, or on tcpreasm_flush;
 *   - when a stream ends, each direction with undelivered data gets one
 *     CAP_EV_STREAM_LOSS (flow = that direction, proto TCP) with
 *     bytes_pending = the framer's partial message (prefix included) plus the
 *     bytes known to follow a gap (held out-of-order bytes, and sequence
 *     space up to the highest byte or FIN seen).  libnids stops silently at a
 *     lost segment; this is the report of it.  ts is the packet time that
 *     ended the stream (the time passed to tcpreasm_expire for expiry; the last
 *     activity for tcpreasm_flush).
 * TCP lifecycle events (CAP_EV_TCP) are NOT emitted here: they are derived
 * per packet by the caller, as for IPv4.  Port filtering (53) is the
 * caller's job too.
 *
 * Memory: at most max_streams streams (the least recently active is evicted
 * to make room), at most max_held out-of-order bytes per stream (segments
 * beyond that are dropped; the resulting gap is reported at close), plus
 * each direction's framer buffer (at most 65535 bytes, only while a message
 * spans segments).  A table is not thread-safe.
 */
#ifndef DNSBLAME_TCPREASM_H
#define DNSBLAME_TCPREASM_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"
#include "event.h"

/* TCP header flag bits, as on the wire (RFC 9293 3.1). */
#define TCPREASM_FIN 0x01u
#define TCPREASM_SYN 0x02u
#define TCPREASM_RST 0x04u
#define TCPREASM_PSH 0x08u
#define TCPREASM_ACK 0x10u

typedef struct tcpreasm tcpreasm_t;

typedef struct tcpreasm_limits {
	size_t max_streams; /* streams followed at once; 0 = 4096 */
	size_t max_held;    /* out-of-order bytes held per stream; 0 = 256 KiB */
	db_time_t timeout;  /* idle time after which a stream expires; 0 = DB_WINDOW_DEFAULT */
	int midstream;      /* non-zero: pick up directions without SYN (see above) */
} tcpreasm_limits_t;

typedef struct tcpreasm_stats {
	uint64_t streams;            /* streams started by a SYN */
	uint64_t closed;             /* streams ended by RST or FIN+FIN */
	uint64_t evicted;            /* streams dropped for max_streams */
	uint64_t expired;            /* streams idle past the timeout */
	uint64_t flushed;            /* streams ended by tcpreasm_flush */
	uint64_t no_syn_segments;    /* segments with payload ignored: stream or direction
	                           * not started (SYN / SYN-ACK not seen) and, in
	                           * midstream mode, not eligible for pickup */
	uint64_t midstream_pickups;  /* directions started mid-stream (a stream
	                              * picked up both ways counts 2) */
	uint64_t midstream_rejected; /* segments with payload of a direction not
	                              * followed that do not begin like a DNS
	                              * message (midstream mode only) */
	uint64_t losses;             /* CAP_EV_STREAM_LOSS events emitted */
	uint64_t messages;           /* CAP_EV_DNS events emitted */
	uint64_t empty_messages;     /* zero length prefixes skipped */
	uint64_t retrans_bytes;      /* payload bytes trimmed as already delivered or held */
	uint64_t dropped_bytes;      /* out-of-order bytes dropped at max_held or out of window */
	uint64_t active;             /* streams followed now */
} tcpreasm_stats_t;

/*
 * Creates a table.  limits may be NULL (all defaults); zero fields take
 * their defaults.  Returns NULL when out of memory.  Free with tcpreasm_free().
 */
tcpreasm_t *tcpreasm_new(const tcpreasm_limits_t *limits);

/*
 * Processes one TCP segment captured at ts.  flow is the segment's direction
 * (src = sender); its proto is ignored.  seq and ack are the header's
 * sequence and acknowledgement numbers, tcp_flags its flag byte (TCPREASM_*),
 * payload[0..len) its captured payload (may be cut by snaplen: the missing
 * tail then becomes a gap).  payload is only read during the call; events
 * are delivered through fn(ev, user) before it returns (fn may be NULL).
 * Bad input (NULL t/flow, NULL payload with len > 0) is ignored.  If a stream
 * cannot be allocated the segment is counted as no_syn_segments.
 */
void tcpreasm_segment(tcpreasm_t *t, db_time_t ts, const db_flow_t *flow, uint32_t seq,
		      uint32_t ack, uint8_t tcp_flags, const uint8_t *payload, size_t len,
		      cap_event_fn fn, void *user);

/*
 * Ends every stream idle for at least `timeout` before now, least recently
 * active first.  Cheap when nothing is due: only the least recently active
 * stream is looked at.  Meant to be called once per packet.
 */
void tcpreasm_expire(tcpreasm_t *t, db_time_t now, cap_event_fn fn, void *user);

/* End of capture: ends every stream, reporting losses. */
void tcpreasm_flush(tcpreasm_t *t, cap_event_fn fn, void *user);

/* Copies the counters.  t must not be NULL. */
void tcpreasm_stats(const tcpreasm_t *t, tcpreasm_stats_t *out);

/* Frees the table; streams still open are dropped without events (call
 * tcpreasm_flush first to report them).  NULL is ignored. */
void tcpreasm_free(tcpreasm_t *t);

#endif
