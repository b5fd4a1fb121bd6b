/*
 * ip6path.c - the IPv6 path (see ip6path.h).  A fragment's train is keyed
 * on the Fragment header's identification (RFC 8200 4.5); a fragment cut
 * by snaplen can never be reassembled, and its train's loss is the
 * capture's, not the network's.
 */
#include "ip6path.h"

#include <string.h>

#include "emit.h"
#include "ip6.h"

int ip6path_decode(cap_ctx_t *c, const uint8_t *pkt, size_t caplen, cap_dgram_t *d)
{
	wire_t w;
	wire_init(&w, pkt, caplen);
	ip6_hdr_t h;
	if (ip6_parse(&w, &h) != DB_OK) {
		c->st.ip_errors++;
		return 0;
	}
	size_t hdrs = w.pos;
	size_t total = h.payload_len ? 40 + (size_t)h.payload_len : caplen;
	if (total < hdrs) {
		c->st.ip_errors++; /* the payload ends inside its own headers */
		return 0;
	}
	c->st.ip6++;
	size_t wire_len = total - hdrs;
	size_t have = caplen - hdrs < wire_len ? caplen - hdrs : wire_len;
	const uint8_t *l4 = wire_cur(&w);
	cap_dgram_clear(d);
	d->version = 6;
	d->src = h.src;
	d->dst = h.dst;

	if (!h.frag) {
		d->proto = h.nh;
		d->l4 = l4;
		d->len = have;
		d->wire_len = wire_len;
		d->whole = have == wire_len;
		return 1;
	}
	c->st.ip6_fragments++;
	if (have < wire_len) {
		/* A cut first fragment is still decoded as far as it goes. */
		ipfrag_cut(c->frag6, c->now, &h.src, &h.dst, h.frag_id, emit_cb, c);
		if (h.frag_offset != 0)
			return 0;
		d->proto = h.frag_nh;
		d->l4 = l4;
		d->len = have;
		d->wire_len = 65535;
		return 1;
	}
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t out_nh = 0;
	db_status_t st = ipfrag_add(c->frag6, c->now, &h.src, &h.dst, h.frag_id, h.frag_nh,
				    h.frag_offset, h.frag_more, l4, have, &out, &out_len, &out_nh,
				    emit_cb, c);
	if (st != DB_OK || !out)
		return 0;
	d->proto = out_nh;
	d->l4 = out;
	d->len = d->wire_len = out_len;
	d->whole = 1;
	d->owned = out;
	return 1;
}
