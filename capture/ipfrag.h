/*
 * ipfrag.h - IP fragment reassembly (RFC 8200 4.5, RFC 5722, RFC 6946 for
 * IPv6; RFC 791 for IPv4).
 *
 * One table per IP version.  libnids reassembles IPv4 too, but keeps its
 * fragments per destination host with no overall limit, so a flood of
 * fragments to many addresses would grow without bound: IPv4 fragments come
 * here as well and libnids only ever sees whole datagrams.  The IPv6 caller
 * parses the header chain up to the Fragment header and hands over each
 * fragment's fragmentable part (the bytes after the Fragment header); the
 * IPv4 caller hands over the bytes after the IP header, with the protocol
 * as nh.  The table returns the reassembled part - normally the
 * upper-layer header and data - with the nh of the offset-zero fragment.
 *
 * A train is keyed on (address family, source, destination, identification);
 * the IPv4 caller passes protocol << 16 | identification as the id, since
 * RFC 791 keys on the protocol too (events report the 16-bit id).  All time is
 * capture time supplied by the caller.  Memory is bounded by the limits given
 * at creation: when a new train or new bytes would exceed them, the oldest
 * trains are evicted.  Every train that is given up without completing
 * (expired, evicted or flushed) is reported as one CAP_EV_FRAG_EXPIRED event:
 *   ts        the time passed to ipfrag_expire / ipfrag_add that dropped it,
 *             or, for ipfrag_flush, the time of its last fragment;
 *   flow      src/dst of the train; when the offset-zero fragment was seen,
 *             its Next Header is UDP or TCP and it holds >= 4 bytes, proto,
 *             sport and dport come from it; otherwise proto and ports are 0;
 *   u.frag    ip_id, frags (distinct fragments kept), bytes (their payload
 *             bytes), have_first.
 * A train marked with ipfrag_cut (snaplen cut one of its fragments, so the
 * capture lost it, not the network) is not reported: it is counted in the
 * stats' cut instead.
 * Trains discarded as malformed (overlaps, inconsistent ends, too large) are
 * discarded silently as RFC 5722 asks, and reported once, when discarded,
 * as a CAP_EV_FRAG_EXPIRED: the receiving host drops them too, so the
 * datagram is lost to it.
 *
 * A table is not thread-safe; use one per thread.
 */
#ifndef DNSBLAME_IPFRAG_H
#define DNSBLAME_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"
#include "../common/status.h"
#include "event.h"

typedef struct ipfrag ipfrag_t;

typedef struct ipfrag_limits {
	size_t max_trains; /* trains pending at once; 0 = 1024 */
	size_t max_bytes;  /* fragment payload bytes buffered over all trains; 0 = 4 MiB */
	size_t max_frags;  /* fragments kept per train; 0 = 128 */
	db_time_t timeout; /* microseconds from a train's first fragment; 0 = DB_WINDOW_DEFAULT */
} ipfrag_limits_t;

typedef struct ipfrag_stats {
	uint64_t completed;  /* datagrams reassembled (incl. atomic fragments) */
	uint64_t expired;    /* trains timed out (event emitted) */
	uint64_t evicted;    /* trains dropped for a limit (event emitted) */
	uint64_t flushed;    /* trains reported by ipfrag_flush */
	uint64_t overlaps;   /* trains discarded for overlapping fragments (RFC 5722) */
	uint64_t bad;        /* fragments rejected as malformed, or trains discarded
	                      * for inconsistent ends, size > 65535 or too many fragments */
	uint64_t duplicates; /* exact duplicate fragments ignored */
	uint64_t dropped;    /* fragments not kept for a limit or lack of memory */
	uint64_t cut;        /* trains given up unreported: snaplen cut a fragment */
	uint64_t trains;     /* trains pending now, incl. discarded ones
	                      * remembered until their timeout */
	uint64_t bytes;      /* payload bytes buffered now */
} ipfrag_stats_t;

/*
 * Creates a table.  limits may be NULL (all defaults); zero fields take their
 * defaults.  Returns NULL when out of memory.  Free with ipfrag_free().
 */
ipfrag_t *ipfrag_new(const ipfrag_limits_t *limits);

/*
 * Adds one fragment: the fragment's identification id, the Next Header value
 * from its Fragment header nh, its offset in bytes (the header's 13-bit
 * offset times 8), its M flag more, and its fragmentable-part bytes
 * data[0..len).  data is copied; the caller keeps ownership of it.
 *
 * Returns:
 *   DB_OK         with *out == NULL: kept (or an exact duplicate, ignored);
 *                 the datagram is not complete yet.
 *   DB_OK         with *out != NULL: the datagram is complete.  *out holds
 *                 *out_len bytes (the reassembled fragmentable part) and
 *                 *out_nh the offset-zero fragment's Next Header.  The caller
 *                 owns *out and releases it with free().  A fragment with
 *                 offset 0 and M = 0 (an atomic fragment, RFC 6946) is
 *                 returned at once and never joins a train.
 *   DB_EMALFORMED the fragment was discarded: M = 1 with a length that is
 *                 not a non-zero multiple of 8, offset + len > 65535, an
 *                 overlap with a different fragment (the whole train is then
 *                 discarded, and so are its later fragments until the
 *                 timeout), an end inconsistent with the train's last
 *                 fragment, or a fragment of a train already discarded.
 *   DB_ELIMIT     the fragment alone exceeds max_bytes, or the train would
 *                 exceed max_frags (the train is then discarded).
 *   DB_ENOMEM     allocation failed; the fragment was not kept.
 *   DB_EINVAL     t, src, dst, out, out_len or out_nh is NULL, or data is
 *                 NULL with len > 0.
 * Evictions made to fit this fragment are reported through fn(ev, user)
 * (fn may be NULL) before the call returns; their ts is ts.
 */
db_status_t ipfrag_add(ipfrag_t *t, db_time_t ts, const db_addr_t *src, const db_addr_t *dst,
		       uint32_t id, uint8_t nh, uint16_t offset_bytes, int more,
		       const uint8_t *data, size_t len, uint8_t **out, size_t *out_len,
		       uint8_t *out_nh, cap_event_fn fn, void *user) DB_MUST_CHECK;

/*
 * A fragment of train (src, dst, id) that snaplen cut: it cannot be kept,
 * and the train, made if new, is marked so that its loss is counted as the
 * capture's (stats.cut), not reported as the network's.
 */
void ipfrag_cut(ipfrag_t *t, db_time_t ts, const db_addr_t *src, const db_addr_t *dst, uint32_t id,
		cap_event_fn fn, void *user);

/*
 * Gives up every train whose first fragment arrived at least `timeout`
 * before now, oldest first, reporting each through fn (may be NULL).  Cheap
 * when nothing is due: only the oldest train is looked at.  Meant to be
 * called once per packet with that packet's time.
 */
void ipfrag_expire(ipfrag_t *t, db_time_t now, cap_event_fn fn, void *user);

/* End of capture: reports and drops every pending train, oldest first. */
void ipfrag_flush(ipfrag_t *t, cap_event_fn fn, void *user);

/* Copies the counters.  t must not be NULL. */
void ipfrag_stats(const ipfrag_t *t, ipfrag_stats_t *out);

/*
 * Frees the table.  Trains still pending are dropped without events (call
 * ipfrag_flush first to report them).  NULL is ignored.
 */
void ipfrag_free(ipfrag_t *t);

#endif
