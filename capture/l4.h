/*
 * l4.h - the transport step: a datagram's UDP, TCP or ICMP header to
 * events, for both IP versions.
 */
#ifndef DNSBLAME_L4_H
#define DNSBLAME_L4_H

#include "cap_int.h"

/*
 * d's transport part (d->l4[0..len) captured of wire_len) at c->now:
 * UDP with port 53 -> CAP_EV_DNS; an ICMP or ICMPv6 error quoting port-53
 * traffic -> CAP_EV_ICMP; every port-53 TCP segment -> tcpwatch.c
 * (handshake events), and its data -> tcpreasm.c when libnids does not
 * follow it (IPv6; IPv4 with d->nids_follows clear, but a plain SYN).
 * Events go out through emit.c during the call.  Checksums are not
 * checked.
 */
void l4_datagram(cap_ctx_t *c, const cap_dgram_t *d);

#endif
