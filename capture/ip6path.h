/*
 * ip6path.h - the IPv6 path (RFC 8200), which libnids does not know: a
 * decoder from an IPv6 packet to the datagram it carries, through the
 * extension header chain (ip6.c) and fragment reassembly (ipfrag.c,
 * c->frag6), arranged to behave as the IPv4 path does, including the
 * report of what never completed.
 */
#ifndef DNSBLAME_IP6PATH_H
#define DNSBLAME_IP6PATH_H

#include <stddef.h>
#include <stdint.h>

#include "cap_int.h"

/*
 * Decodes the IPv6 packet pkt[0..caplen) captured at c->now and counts it
 * (ip6, ip6_fragments, or ip_errors).  Returns 1 with *d filled when a
 * datagram is at hand - the packet, unless it is a fragment; the
 * reassembled datagram, when a fragment completes its train (d->owned:
 * the heap bytes it lives in, the caller's to free); as much as was
 * captured of a packet or first fragment snaplen cut (d->whole 0) - and
 * 0 otherwise.  Events from the fragment table go out through emit.c
 * during the call.
 */
int ip6path_decode(cap_ctx_t *c, const uint8_t *pkt, size_t caplen, cap_dgram_t *d);

#endif
