/*
 * ip6path.c - IPv6, which libnids does not know: the extension header
 * chain (ip6.c), fragment reassembly (ipfrag.c) and DNS-over-TCP stream
 * reassembly (tcp6.c), arranged to behave as the IPv4 path through libnids
 * does, including the report of what never completed.
 */
#include <stdlib.h>

#include "cap_int.h"
#include "ip6.h"

int ip6path_init(cap_ctx_t *c, const cap_opts_t *o)
{
	ipfrag_limits_t fl = {0};
	fl.max_trains = c->max_frag_trains;
	fl.timeout = CAP_FRAG_TIMEOUT(c);
	tcp6_limits_t tl = {0};
	tl.max_streams = c->max_tcp_streams;
	tl.timeout = c->window;
	tl.midstream = 1;
	(void)o;
	c->frag6 = ipfrag_new(&fl);
	c->tcp6 = tcp6_new(&tl);
	return c->frag6 && c->tcp6 ? 0 : -1;
}

void ip6path_packet(cap_ctx_t *c, const uint8_t *pkt, size_t caplen)
{
	wire_t w;
	wire_init(&w, pkt, caplen);
	ip6_hdr_t h;
	if (ip6_parse(&w, &h) != DB_OK) {
		c->st.ip_errors++;
		return;
	}
	c->st.ip6++;
	size_t hdrs = w.pos;
	size_t total = h.payload_len ? 40 + (size_t)h.payload_len : caplen;
	if (total < hdrs) {
		c->st.ip_errors++;
		return;
	}
	size_t wire_len = total - hdrs;
	size_t have = caplen - hdrs < wire_len ? caplen - hdrs : wire_len;
	const uint8_t *l4 = wire_cur(&w);

	if (!h.frag) {
		if (have == wire_len && tunnel_decap(c, h.nh, l4, have))
			return;
		l4_datagram(c, &h.src, &h.dst, h.nh, l4, have, wire_len, 1);
		return;
	}
	c->st.ip6_fragments++;
	if (have < wire_len) {
		/* A fragment cut by snaplen can never be reassembled (its
		 * train's loss is the capture's, not the network's); a cut
		 * first fragment is still decoded as far as it goes. */
		ipfrag_cut(c->frag6, c->now, &h.src, &h.dst, h.frag_id, cap_emit_cb, c);
		if (h.frag_offset == 0)
			l4_datagram(c, &h.src, &h.dst, h.frag_nh, l4, have, 65535, 1);
		return;
	}
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t out_nh = 0;
	db_status_t st = ipfrag_add(c->frag6, c->now, &h.src, &h.dst, h.frag_id,
				     h.frag_nh, h.frag_offset, h.frag_more, l4, have,
				     &out, &out_len, &out_nh, cap_emit_cb, c);
	if (st != DB_OK || !out)
		return;
	if (!tunnel_decap(c, out_nh, out, out_len))
		l4_datagram(c, &h.src, &h.dst, out_nh, out, out_len, out_len, 1);
	free(out);
}

void ip6path_expire(cap_ctx_t *c, db_time_t now)
{
	if (now == INT64_MAX) {
		ipfrag_flush(c->frag6, cap_emit_cb, c);
		tcp6_flush(c->tcp6, cap_emit_cb, c);
		return;
	}
	ipfrag_expire(c->frag6, now, cap_emit_cb, c);
	tcp6_expire(c->tcp6, now, cap_emit_cb, c);
}

void ip6path_finish(cap_ctx_t *c)
{
	ipfrag_free(c->frag6);
	tcp6_free(c->tcp6);
	c->frag6 = NULL;
	c->tcp6 = NULL;
}
