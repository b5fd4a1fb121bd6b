/*
 * tunnel.c - DNS inside tunnels: IP-in-IP (RFC 2003), IPv6-in-IPv4 and
 * IPv6-in-IPv6 (RFC 4213, RFC 2473), GRE (RFC 2784, RFC 2890, and PPTP's
 * enhanced GRE carrying PPP, RFC 2637), VXLAN, VXLAN-GPE and Geneve.  Captures taken
 * on a tap or a cloud mirror often carry the resolver's traffic this way.
 *
 * The outer packet is decapsulated before it reaches libnids, so the inner
 * packet enters the normal path (ip4.c / ip6path.c) exactly as if it had
 * been captured bare.  Nesting is bounded by TUNNEL_MAX_DEPTH.
 */
#include "cap_int.h"
#include "link.h"
#include "../common/wire.h"

#define TUNNEL_MAX_DEPTH 4
#define VXLAN_PORT 4789
#define VXLAN_GPE_PORT 4790
#define GENEVE_PORT 6081

static void inner(cap_ctx_t *c, uint8_t l3, const uint8_t *p, size_t len)
{
	if (c->tunnel_depth >= TUNNEL_MAX_DEPTH)
		return;
	c->tunnel_depth++;
	c->st.tunnelled++;
	if (l3 == LINK_L3_IPV4)
		ip4_packet(c, p, len);
	else if (l3 == LINK_L3_IPV6)
		ip6path_packet(c, p, len);
	c->tunnel_depth--;
}

static void frame(cap_ctx_t *c, int dlt, const uint8_t *p, size_t len)
{
	link_result_t lr;
	if (link_decode(dlt, p, len, &lr) == DB_OK && lr.l3 != LINK_L3_NONE)
		inner(c, lr.l3, p + lr.offset, len - lr.offset);
}

static void gre(cap_ctx_t *c, const uint8_t *p, size_t len)
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
		return;
	const uint8_t *q = wire_cur(&w);
	size_t n = wire_left(&w);
	switch (proto) {
	case 0x0800: inner(c, LINK_L3_IPV4, q, n); break;
	case 0x86dd: inner(c, LINK_L3_IPV6, q, n); break;
	case 0x6558: frame(c, 1 /* DLT_EN10MB */, q, n); break;
	case 0x880b: {
		/* PPP: optional address/control, then a 1- or 2-byte protocol
		 * (protocol field compression, RFC 1661 6.5). */
		if (n >= 2 && q[0] == 0xff && q[1] == 0x03) {
			q += 2;
			n -= 2;
		}
		uint16_t pp;
		if (n >= 1 && (q[0] & 1)) {
			pp = q[0];
			q += 1;
			n -= 1;
		} else if (n >= 2) {
			pp = (uint16_t)(q[0] << 8 | q[1]);
			q += 2;
			n -= 2;
		} else {
			return;
		}
		if (pp == 0x21)
			inner(c, LINK_L3_IPV4, q, n);
		else if (pp == 0x57)
			inner(c, LINK_L3_IPV6, q, n);
		break;
	}
	default:
		break;
	}
}

/* UDP tunnels, by destination port: VXLAN (RFC 7348), VXLAN-GPE (draft
 * ietf-nvo3-vxlan-gpe: next protocol 1 IPv4, 2 IPv6, 3 Ethernet) and
 * Geneve (RFC 8926: options, then an EtherType). */
static int udp_tunnel(cap_ctx_t *c, const uint8_t *l4, size_t len)
{
	uint16_t sport = (uint16_t)(l4[0] << 8 | l4[1]);
	uint16_t dport = (uint16_t)(l4[2] << 8 | l4[3]);
	const uint8_t *h = l4 + 8;
	size_t n = len - 8;
	/* Replies from a tunnel endpoint may come from the tunnel port to an
	 * ephemeral one: either port names the tunnel. */
#define TUNNEL_PORT(p) (sport == (p) || dport == (p))
	/* ...but an ephemeral port can be any number: DNS itself wins. */
	if (sport == DNS_PORT || dport == DNS_PORT)
		return 0;
	if (TUNNEL_PORT(VXLAN_PORT) && (h[0] & 0x08)) {
		frame(c, 1 /* DLT_EN10MB */, h + 8, n - 8);
		return 1;
	}
	if (TUNNEL_PORT(VXLAN_GPE_PORT) && (h[0] & 0x08)) {
		/* The next-protocol field is read even when the P flag is
		 * clear, as Wireshark does. */
		if (h[3] == 1)
			inner(c, LINK_L3_IPV4, h + 8, n - 8);
		else if (h[3] == 2)
			inner(c, LINK_L3_IPV6, h + 8, n - 8);
		else if (h[3] == 3)
			frame(c, 1, h + 8, n - 8);
		return 1;
	}
	if (TUNNEL_PORT(GENEVE_PORT) && (h[0] >> 6) == 0) {
		size_t hl = 8 + (size_t)(h[0] & 0x3f) * 4;
		uint16_t et = (uint16_t)(h[2] << 8 | h[3]);
		if (hl > n)
			return 1;
		if (et == 0x6558)
			frame(c, 1, h + hl, n - hl);
		else if (et == 0x0800)
			inner(c, LINK_L3_IPV4, h + hl, n - hl);
		else if (et == 0x86dd)
			inner(c, LINK_L3_IPV6, h + hl, n - hl);
		return 1;
	}
#undef TUNNEL_PORT
	return 0;
}

int tunnel_decap(cap_ctx_t *c, uint8_t proto, const uint8_t *l4, size_t len)
{
	switch (proto) {
	case 4:
		inner(c, LINK_L3_IPV4, l4, len);
		return 1;
	case 41:
		inner(c, LINK_L3_IPV6, l4, len);
		return 1;
	case 47:
		gre(c, l4, len);
		return 1;
	case 17:
		return len >= 16 && udp_tunnel(c, l4, len);
	default:
		return 0;
	}
}
