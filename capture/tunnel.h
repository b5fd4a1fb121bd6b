/*
 * tunnel.h - DNS inside tunnels: IP-in-IP (RFC 2003), IPv6-in-IPv4 and
 * IPv6-in-IPv6 (RFC 4213, RFC 2473), GRE (RFC 2784, RFC 2890, and PPTP's
 * enhanced GRE carrying PPP, RFC 2637), VXLAN (RFC 7348), VXLAN-GPE and
 * Geneve (RFC 8926).
 *
 * A decoder: given a datagram's protocol and transport bytes, it says
 * whether they are a tunnel and where the inner IP packet is.  It keeps no
 * state and calls nothing of capture/ but link_decode (for the Ethernet
 * frames VXLAN, Geneve and GRE may carry).  Nesting is the caller's to
 * bound: dispatch.c opens at most TUNNEL_MAX_DEPTH tunnels in one packet.
 */
#ifndef DNSBLAME_TUNNEL_H
#define DNSBLAME_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "../common/wire.h"

#define TUNNEL_MAX_DEPTH 4 /* tunnels inside tunnels opened, at most */
#define TUNNEL_VXLAN_PORT 4789
#define TUNNEL_VXLAN_GPE_PORT 4790
#define TUNNEL_GENEVE_PORT 6081

typedef struct tunnel_inner {
	uint8_t l3;       /* enum link_l3: LINK_L3_NONE when nothing inside can be read */
	const uint8_t *p; /* the inner IP packet: len bytes, inside the caller's */
	size_t len;
} tunnel_inner_t;

/*
 * 1 when a datagram of protocol proto whose transport part is l4[0..len)
 * may be a tunnel tunnel_decode opens: protocols 4, 41 and 47, and UDP
 * with a tunnel's port on either side but port 53 on neither (an ephemeral
 * port can be any number: DNS itself wins).  Inline, so that the ordinary
 * DNS datagram costs no call.
 */
static inline int tunnel_maybe(uint8_t proto, const uint8_t *l4, size_t len)
{
	if (proto == 4 || proto == 41 || proto == 47)
		return 1;
	if (proto != 17 || len < 16)
		return 0;
	wire_t w;
	wire_init(&w, l4, len);
	uint16_t sp = wire_u16(&w), dp = wire_u16(&w);
	if (sp == 53 || dp == 53)
		return 0;
	return sp == TUNNEL_VXLAN_PORT || dp == TUNNEL_VXLAN_PORT || sp == TUNNEL_VXLAN_GPE_PORT ||
	       dp == TUNNEL_VXLAN_GPE_PORT || sp == TUNNEL_GENEVE_PORT || dp == TUNNEL_GENEVE_PORT;
}

/*
 * Decodes l4[0..len) (the whole transport part of a datagram of protocol
 * proto) as a tunnel.  Returns 0 when it is not one; 1 when it is, with
 * *in naming the inner packet (in->l3 LINK_L3_NONE: a tunnel, but nothing
 * inside that is IP, or a tunnel header cut short - the datagram is done
 * with).  An inner packet may be empty or cut: the IP path judges it.
 * Reads only l4[0..len).
 */
int tunnel_decode(uint8_t proto, const uint8_t *l4, size_t len, tunnel_inner_t *in);

#endif
