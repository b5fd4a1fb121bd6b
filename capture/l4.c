/*
 * l4.c - transport headers to events, for both IP versions.
 *
 * Only DNS's port is of interest (RFC 1035 4.2): UDP and TCP with either
 * port 53, and ICMP errors that quote such a datagram.  Checksums are never
 * checked: on a resolver host, outgoing packets are captured before the NIC
 * fills them in (checksum offload).
 */
#include "l4.h"

#include <string.h>

#include "emit.h"
#include "icmp.h"
#include "../common/wire.h"

static void udp(cap_ctx_t *c, const db_addr_t *src, const db_addr_t *dst, const uint8_t *l4,
		size_t len, size_t wire_len)
{
	wire_t w;
	wire_init(&w, l4, len);
	uint16_t sport = wire_u16(&w);
	uint16_t dport = wire_u16(&w);
	uint16_t ulen = wire_u16(&w);
	wire_skip(&w, 2);
	if (!wire_ok(&w) || (sport != DNS_PORT && dport != DNS_PORT))
		return;
	/* The UDP length may disagree with IP's: believe the smaller. */
	size_t dlen = wire_len - 8;
	if (ulen >= 8 && (size_t)ulen - 8 < dlen)
		dlen = (size_t)ulen - 8;
	/* Field by field, every one the event has: a memset of the whole
	 * (144 octets, a string instruction slow to start) cost more than
	 * the rest of this function, on every DNS datagram. */
	cap_event_t ev;
	ev.kind = CAP_EV_DNS;
	ev.ts = c->now;
	ev.flow.src = *src;
	ev.flow.dst = *dst;
	ev.flow.sport = sport;
	ev.flow.dport = dport;
	ev.flow.proto = DB_PROTO_UDP;
	ev.u.dns.msg = wire_cur(&w);
	ev.u.dns.len = wire_left(&w) < dlen ? wire_left(&w) : dlen;
	ev.u.dns.wire_len = dlen;
	emit_event(c, &ev);
}

static void icmp(cap_ctx_t *c, uint8_t version, const db_addr_t *src, const db_addr_t *dst,
		 const uint8_t *l4, size_t len)
{
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	if (icmp_decode(version, src, l4, len, &ev.u.icmp) != DB_OK)
		return;
	const db_flow_t *q = &ev.u.icmp.quoted;
	if (!ev.u.icmp.quoted_l4 || (q->sport != DNS_PORT && q->dport != DNS_PORT))
		return;
	ev.kind = CAP_EV_ICMP;
	ev.ts = c->now;
	ev.flow.src = *src;
	ev.flow.dst = *dst;
	ev.flow.proto = q->proto;
	emit_event(c, &ev);
}

static void tcp(cap_ctx_t *c, const cap_dgram_t *d, size_t len, size_t wire_len)
{
	const uint8_t *l4 = d->l4;
	wire_t w;
	wire_init(&w, l4, len);
	db_flow_t f;
	memset(&f, 0, sizeof(f));
	f.src = d->src;
	f.dst = d->dst;
	f.proto = DB_PROTO_TCP;
	f.sport = wire_u16(&w);
	f.dport = wire_u16(&w);
	uint32_t seq = wire_u32(&w);
	uint32_t ack = wire_u32(&w);
	uint8_t off = wire_u8(&w);
	uint8_t flags = wire_u8(&w);
	size_t hlen = (size_t)(off >> 4) * 4;
	if (!wire_ok(&w) || (f.sport != DNS_PORT && f.dport != DNS_PORT))
		return;
	c->st.tcp_segments++;
	tcpwatch_segment(&c->tcpw, c->now, &f, flags, emit_cb, c);
	if (hlen < 20)
		return;
	/* IPv4 data goes through libnids, unless libnids does not follow the
	 * connection (it began before the capture, or it opened with TCP
	 * Fast Open, which libnids cannot follow): then, as for IPv6,
	 * tcpreasm.c picks it up.  A plain SYN is always libnids'. */
	tcpreasm_t *t = c->tcp6;
	size_t plen_all = len > hlen ? len - hlen : 0;
	if (d->version == 4) {
		int pure_syn = (flags & (TCPREASM_SYN | TCPREASM_ACK)) == TCPREASM_SYN &&
			       plen_all == 0;
		if (pure_syn || d->nids_follows)
			return;
		t = c->tcp4mid;
	}
	/* A segment cut by snaplen loses its data: hand over its flags only,
	 * so the stream shows a gap rather than wrong bytes. */
	int whole = len == wire_len && len >= hlen;
	const uint8_t *payload = whole ? l4 + hlen : NULL;
	size_t plen = whole ? len - hlen : 0;
	tcpreasm_segment(t, c->now, &f, seq, ack, flags, payload, plen, emit_cb, c);
}

void l4_datagram(cap_ctx_t *c, const cap_dgram_t *d)
{
	size_t len = d->len, wire_len = d->wire_len;
	if (len > wire_len)
		len = wire_len; /* link-layer padding */
	switch (d->proto) {
	case 17: udp(c, &d->src, &d->dst, d->l4, len, wire_len); break;
	case 6: tcp(c, d, len, wire_len); break;
	case 1:
		if (d->version == 4)
			icmp(c, 4, &d->src, &d->dst, d->l4, len);
		break;
	case 58:
		if (d->version == 6)
			icmp(c, 6, &d->src, &d->dst, d->l4, len);
		break;
	default: break;
	}
}
