/*
 * tunnel.c - tunnels opened (see tunnel.h).  Captures taken on a tap or a
 * cloud mirror often carry the resolver's traffic this way.
 *
 * The outer packet is decapsulated before it reaches libnids or the IPv6
 * path's transport step, so that the inner packet, which dispatch.c hands
 * to the IP paths again, is read exactly as if it had been captured bare.
 */
#include "tunnel.h"

#include <string.h>

#include "link.h"
#include "../common/wire.h"

static int inner(tunnel_inner_t *in, uint8_t l3, const uint8_t *p, size_t len)
{
	in->l3 = l3;
	in->p = p;
	in->len = len;
	return 1;
}

/* An Ethernet frame (DLT_EN10MB) inside: what it carries, if IP. */
static int frame(tunnel_inner_t *in, const uint8_t *p, size_t len)
{
	link_result_t lr;
	if (link_decode(1 /* DLT_EN10MB */, p, len, &lr) == DB_OK && lr.l3 != LINK_L3_NONE)
		return inner(in, lr.l3, p + lr.offset, len - lr.offset);
	return 1;
}

static int gre(tunnel_inner_t *in, const uint8_t *p, size_t len)
{
	wire_t w;
	wire_init(&w, p, len);
	uint16_t flags = wire_u16(&w);
	uint16_t proto = wire_u16(&w);
	int version = flags & 7;
	if (flags & 0x8000)
		wire_skip(&w, 4); /* checksum + reserved */
	if (flags & 0x2000)
		wire_skip(&w, 4); /* key (version 1: payload length + call id) */
	if (flags & 0x1000)
		wire_skip(&w, 4); /* sequence number */
	if (version == 1 && (flags & 0x0080))
		wire_skip(&w, 4); /* acknowledgment number */
	if (!wire_ok(&w) || version > 1)
		return 1;
	const uint8_t *q = wire_cur(&w);
	size_t n = wire_left(&w);
	switch (proto) {
	case 0x0800: return inner(in, LINK_L3_IPV4, q, n);
	case 0x86dd: return inner(in, LINK_L3_IPV6, q, n);
	case 0x6558: return frame(in, q, n);
	case 0x880b: {
		/* PPP: optional address/control, then a 1- or 2-byte protocol
		 * (protocol field compression, RFC 1661 6.5). */
		if (wire_peek_u16(&w, 0) == 0xff03)
			wire_skip(&w, 2);
		uint16_t pp;
		if (wire_left(&w) >= 1 && (wire_peek_u8(&w, 0) & 1))
			pp = wire_u8(&w);
		else
			pp = wire_u16(&w);
		if (!wire_ok(&w))
			return 1;
		if (pp == 0x21)
			return inner(in, LINK_L3_IPV4, wire_cur(&w), wire_left(&w));
		if (pp == 0x57)
			return inner(in, LINK_L3_IPV6, wire_cur(&w), wire_left(&w));
		return 1;
	}
	default: return 1;
	}
}

/* UDP tunnels, by port: VXLAN (RFC 7348), VXLAN-GPE (draft
 * ietf-nvo3-vxlan-gpe: next protocol 1 IPv4, 2 IPv6, 3 Ethernet) and
 * Geneve (RFC 8926: options, then an EtherType).  Each has an 8-byte
 * header after the UDP one; a datagram shorter than both is no tunnel. */
static int udp_tunnel(tunnel_inner_t *in, const uint8_t *l4, size_t len)
{
	wire_t w;
	wire_init(&w, l4, len);
	uint16_t sport = wire_u16(&w);
	uint16_t dport = wire_u16(&w);
	wire_skip(&w, 4); /* UDP length, checksum */
	/* VXLAN flags, or Geneve version and option length */
	uint8_t h0 = wire_u8(&w);
	wire_skip(&w, 1);
	/* VXLAN-GPE: reserved, next protocol; Geneve: protocol type */
	uint16_t h23 = wire_u16(&w);
	wire_skip(&w, 4); /* VNI, reserved */

	/* Replies from a tunnel endpoint may come from the tunnel port to an
	 * ephemeral one: either port names the tunnel. */
#define TUNNEL_PORT(p) (sport == (p) || dport == (p))
	/* ...but an ephemeral port can be any number: DNS itself wins. */
	if (!wire_ok(&w) || sport == 53 || dport == 53)
		return 0;
	if (TUNNEL_PORT(TUNNEL_VXLAN_PORT) && (h0 & 0x08))
		return frame(in, wire_cur(&w), wire_left(&w));
	if (TUNNEL_PORT(TUNNEL_VXLAN_GPE_PORT) && (h0 & 0x08)) {
		/* The next-protocol field is read even when the P flag is
		 * clear, as Wireshark does. */
		uint8_t next = (uint8_t)h23;
		if (next == 1)
			return inner(in, LINK_L3_IPV4, wire_cur(&w), wire_left(&w));
		if (next == 2)
			return inner(in, LINK_L3_IPV6, wire_cur(&w), wire_left(&w));
		if (next == 3)
			return frame(in, wire_cur(&w), wire_left(&w));
		return 1;
	}
	if (TUNNEL_PORT(TUNNEL_GENEVE_PORT) && (h0 >> 6) == 0) {
		wire_skip(&w, (size_t)(h0 & 0x3f) * 4); /* options */
		if (!wire_ok(&w))
			return 1;
		if (h23 == 0x6558)
			return frame(in, wire_cur(&w), wire_left(&w));
		if (h23 == 0x0800)
			return inner(in, LINK_L3_IPV4, wire_cur(&w), wire_left(&w));
		if (h23 == 0x86dd)
			return inner(in, LINK_L3_IPV6, wire_cur(&w), wire_left(&w));
		return 1;
	}
#undef TUNNEL_PORT
	return 0;
}

int tunnel_decode(uint8_t proto, const uint8_t *l4, size_t len, tunnel_inner_t *in)
{
	memset(in, 0, sizeof(*in));
	switch (proto) {
	case 4: return inner(in, LINK_L3_IPV4, l4, len);
	case 41: return inner(in, LINK_L3_IPV6, l4, len);
	case 47: return gre(in, l4, len);
	case 17: return udp_tunnel(in, l4, len);
	default: return 0;
	}
}
