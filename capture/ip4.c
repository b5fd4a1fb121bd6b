/*
 * ip4.c - the IPv4 path: from an IPv4 packet to the datagram it carries.
 *
 * Fragments are reassembled here by ipfrag.c, as IPv6's are, and never
 * reach libnids: libnids keeps fragments per destination host with no
 * overall limit and forgets a train that never completes without saying
 * so.  A reassembled datagram gets a fresh header, so that libnids can be
 * given it whole.  A packet cut by snaplen is decoded as far as it goes
 * (libnids' length check would reject it).
 */
#include "ip4.h"

#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "../common/wire.h"

/* The fields of the fixed header (RFC 791 3.1) that this path uses, read
 * once by ip4_decode. */
typedef struct ip4_hdr {
	uint8_t vhl, ttl, proto;
	uint16_t tot, id, frag;
	uint8_t src[4], dst[4];
} ip4_hdr_t;

/* RFC 791 keys a train on protocol and identification too: ipfrag.c takes
 * both folded into its id. */
static uint32_t frag4_id(const ip4_hdr_t *h) { return (uint32_t)h->proto << 16 | h->id; }

/* The datagram of the header h at pkt (ihl bytes) with tot bytes in all, of
 * which len are at hand. */
static void dgram_of(cap_dgram_t *d, const ip4_hdr_t *h, const uint8_t *pkt, size_t ihl, size_t len,
		     size_t wire_len)
{
	cap_dgram_clear(d);
	d->version = 4;
	db_addr_set4(&d->src, h->src);
	db_addr_set4(&d->dst, h->dst);
	d->proto = h->proto;
	d->ip = pkt;
	d->ihl = ihl;
	d->l4 = pkt + ihl;
	d->len = len;
	d->wire_len = wire_len;
}

/* A fragment: kept by ipfrag.c until its datagram is whole, which then
 * gets a fresh 20-byte header (options dropped: nothing after IP needs
 * them) and goes on as if it had come in one piece. */
static int ip4_fragment(cap_ctx_t *c, const ip4_hdr_t *h, const uint8_t *pkt, size_t ihl,
			uint16_t off, int more, cap_dgram_t *d)
{
	db_addr_t s, dst;
	db_addr_set4(&s, h->src);
	db_addr_set4(&dst, h->dst);
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t out_nh = 0;
	db_status_t st = ipfrag_add(c->frag4, c->now, &s, &dst, frag4_id(h), h->proto, off, more,
				    pkt + ihl, (size_t)h->tot - ihl, &out, &out_len, &out_nh,
				    emit_cb, c);
	if (st != DB_OK || !out)
		return 0;
	/* Reused by the next reassembled datagram: the caller is done with a
	 * datagram before it asks for the next, and a fragment carried in
	 * this one (behind a tunnel header) was copied into its train, and
	 * its header read, before the buffer is written over. */
	static uint8_t whole[65536];
	/* RFC 791: a datagram is at most 65,535 octets, header included; a
	 * train that adds up to more (fragments past 65,515 octets of
	 * payload: the "ping of death") cannot be one. */
	int ok = out_len <= 65535 - 20;
	if (!ok)
		c->st.ip_errors++;
	if (ok) {
		ip4_hdr_t wh = *h;
		wh.proto = out_nh;
		memset(whole, 0, 20);
		whole[0] = 0x45;
		whole[2] = (uint8_t)((out_len + 20) >> 8);
		whole[3] = (uint8_t)(out_len + 20);
		whole[4] = (uint8_t)(h->id >> 8);
		whole[5] = (uint8_t)h->id;
		whole[8] = h->ttl;
		whole[9] = out_nh;
		memcpy(whole + 12, h->src, 4);
		memcpy(whole + 16, h->dst, 4);
		ip4_hdr_sum_set(whole, 20);
		memcpy(whole + 20, out, out_len);
		dgram_of(d, &wh, whole, 20, out_len, out_len);
		d->whole = 1;
	}
	free(out);
	return ok;
}

int ip4_decode(cap_ctx_t *c, const uint8_t *pkt, size_t caplen, cap_dgram_t *d)
{
	ip4_hdr_t h;
	wire_t w;
	wire_init(&w, pkt, caplen);
	h.vhl = wire_u8(&w);
	wire_skip(&w, 1); /* type of service */
	h.tot = wire_u16(&w);
	h.id = wire_u16(&w);
	h.frag = wire_u16(&w);
	h.ttl = wire_u8(&w);
	h.proto = wire_u8(&w);
	wire_skip(&w, 2); /* header checksum */
	wire_copy(&w, h.src, 4);
	wire_copy(&w, h.dst, 4);
	size_t ihl = (size_t)(h.vhl & 0x0f) * 4;
	size_t tot = h.tot;
	if (!wire_ok(&w) || h.vhl >> 4 != 4 || ihl < 20 || tot < ihl || caplen < ihl) {
		c->st.ip_errors++;
		return 0;
	}
	c->st.ip4++;
	uint16_t off = (uint16_t)((h.frag & 0x1fff) * 8);
	int more = (h.frag & 0x2000) != 0;
	int is_frag = more || off;
	if (is_frag)
		c->st.ip4_fragments++;
	if (caplen < tot) {
		/* Cut by snaplen: its headers still tell us something.  A cut
		 * first fragment is decoded as far as it goes (its UDP length
		 * says how long the datagram was); the rest of a cut train can
		 * never be reassembled. */
		if (is_frag) {
			db_addr_t s, dst;
			db_addr_set4(&s, h.src);
			db_addr_set4(&dst, h.dst);
			ipfrag_cut(c->frag4, c->now, &s, &dst, frag4_id(&h), emit_cb, c);
		}
		if (is_frag && off != 0)
			return 0;
		dgram_of(d, &h, pkt, ihl, caplen - ihl, is_frag ? 65535 : tot - ihl);
		return 1;
	}
	if (is_frag)
		return ip4_fragment(c, &h, pkt, ihl, off, more, d);
	dgram_of(d, &h, pkt, ihl, tot - ihl, tot - ihl);
	d->whole = 1;
	return 1;
}
