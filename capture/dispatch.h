/*
 * dispatch.h - the path of one packet through capture/, in one place.
 *
 * dispatch.c owns the loop every captured frame goes through - link layer
 * (link.c), IP path (ip4.c, ip6path.c) to a datagram, tunnel (tunnel.c:
 * back to the IP paths with the inner packet, TUNNEL_MAX_DEPTH deep at
 * most), then the transport step (l4.c), IPv4 by way of libnids
 * (nidsglue.c) - and the state those steps keep: the fragment tables, our
 * TCP reassembly tables, the handshake watch and libnids.  The decoders
 * it calls return what they found and call nothing back; events leave
 * through emit.c.
 */
#ifndef DNSBLAME_DISPATCH_H
#define DNSBLAME_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cap_int.h"

/*
 * Sets up the state of c, whose window, max_tcp_streams and
 * max_frag_trains are set: max_handshakes pending handshakes.  Returns 0,
 * or -1 with a reason in err (out of memory, libnids or its libpcap handle
 * failing); dispatch_close releases what was set up either way.
 */
int dispatch_init(cap_ctx_t *c, size_t max_handshakes, char *err, size_t errlen);

/* One captured frame of link type dlt, frame[0..caplen), at c->now. */
void dispatch_frame(cap_ctx_t *c, int dlt, const uint8_t *frame, size_t caplen);

/* Gives up what is older than its limit at capture time now (fragment
 * trains, idle streams, unanswered handshakes), reporting each. */
void dispatch_expire(cap_ctx_t *c, db_time_t now);

/* End of input: reports everything still pending. */
void dispatch_finish(cap_ctx_t *c);

/* Brings the counters kept inside the tables into c->st. */
void dispatch_stats(cap_ctx_t *c);

/* Releases everything, reporting nothing more (c->fn is cleared). */
void dispatch_close(cap_ctx_t *c);

#endif
