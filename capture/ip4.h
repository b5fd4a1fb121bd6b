/*
 * ip4.h - the IPv4 path (RFC 791): a decoder from an IPv4 packet to the
 * datagram it carries, reassembling fragments (ipfrag.c, c->frag4); and
 * the header checksum, which ip4.c writes into the fresh header of a
 * reassembled datagram and nidsglue.c corrects for libnids.
 */
#ifndef DNSBLAME_IP4_H
#define DNSBLAME_IP4_H

#include <stddef.h>
#include <stdint.h>

#include "../common/wire.h"
#include "cap_int.h"

/*
 * Decodes the IPv4 packet pkt[0..caplen) captured at c->now and counts it
 * (ip4, ip4_fragments, or ip_errors when the header is malformed or cut).
 * Returns 1 with *d filled (d->whole: not cut by snaplen, d->ip the header
 * libnids needs) when a datagram is at hand: the packet, unless it is a
 * fragment; the reassembled datagram, when a fragment completes its train;
 * as much as was captured of a packet or first fragment snaplen cut.
 * Returns 0 otherwise (a fragment kept for later, a bad fragment, a cut
 * fragment that is not the first: its train is marked as the capture's
 * loss).  Events from the fragment table (trains given up) go out through
 * emit.c during the call.  d points into pkt or into a buffer of this
 * module that the next call may reuse; d->owned is always NULL.
 */
int ip4_decode(cap_ctx_t *c, const uint8_t *pkt, size_t caplen, cap_dgram_t *d);

/* The ones' complement sum (RFC 1071) over the ihl bytes of the header at
 * p; ihl is even (a multiple of 4). */
static inline uint16_t ip4_hdr_sum(const uint8_t *p, size_t ihl)
{
	wire_t w;
	wire_init(&w, p, ihl);
	uint32_t sum = 0;
	while (wire_left(&w) >= 2)
		sum += wire_u16(&w);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static inline int ip4_hdr_sum_ok(const uint8_t *p, size_t ihl)
{
	return ip4_hdr_sum(p, ihl) == 0xffff;
}

/* Writes the checksum of the header at p into it. */
static inline void ip4_hdr_sum_set(uint8_t *p, size_t ihl)
{
	p[10] = p[11] = 0;
	uint16_t sum = (uint16_t)~ip4_hdr_sum(p, ihl);
	p[10] = (uint8_t)(sum >> 8);
	p[11] = (uint8_t)sum;
}

#endif
