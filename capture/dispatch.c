/*
 * dispatch.c - the path of one packet (see dispatch.h), drawn once:
 *
 *   frame -> link_decode -> ip4_decode | ip6path_decode -> datagram
 *         -> a tunnel? (tunnel_decode) -> the inner packet, round again
 *         -> IPv4 TCP: nidsglue_tcp -> l4_datagram, then libnids
 *         -> the rest: l4_datagram
 *
 * nidsglue_tcp hands the segment to l4_datagram, the function given to
 * nidsglue_init here, before libnids' own TCP code runs, so that handshake
 * events of a segment come before the stream data it completes, as for
 * IPv6.  The order in which the tables expire and are flushed is the order
 * their events have always come in.
 */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "ip4.h"
#include "ip6path.h"
#include "l4.h"
#include "link.h"
#include "nidsglue.h"
#include "tunnel.h"

int dispatch_init(cap_ctx_t *c, size_t max_handshakes, char *err, size_t errlen)
{
	if (tcpwatch_init(&c->tcpw, c->window, max_handshakes) < 0)
		goto nomem;
	/* One reassembly table of ours per IP version: IPv6's, and IPv4's
	 * for connections libnids never sees begin - started before the
	 * capture, their handshake filtered away, or opened with Fast Open -
	 * picked up mid-stream at the first segment that starts a message. */
	tcpreasm_limits_t tl = { 0 };
	tl.max_streams = c->max_tcp_streams;
	tl.timeout = c->window;
	tl.midstream = 1;
	ipfrag_limits_t fl = { 0 };
	fl.max_trains = c->max_frag_trains;
	fl.timeout = CAP_FRAG_TIMEOUT(c);
	c->tcp4mid = tcpreasm_new(&tl);
	c->frag4 = ipfrag_new(&fl);
	if (!c->tcp4mid || !c->frag4)
		goto nomem;
	if (nidsglue_init(c, l4_datagram, err, errlen) < 0)
		return -1;
	c->frag6 = ipfrag_new(&fl);
	c->tcp6 = tcpreasm_new(&tl);
	if (!c->frag6 || !c->tcp6)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The datagram's transport part: IPv4 TCP goes by libnids (which hands
 * it to l4_datagram first); the rest straight to l4_datagram. */
static void transport(cap_ctx_t *c, cap_dgram_t *d)
{
	if (d->version == 4 && d->proto == 6) {
		nidsglue_tcp(c, d);
		return;
	}
	l4_datagram(c, d);
}

void dispatch_frame(cap_ctx_t *c, int dlt, const uint8_t *frame, size_t caplen)
{
	link_result_t lr;
	if (link_decode(dlt, frame, caplen, &lr) != DB_OK) {
		c->st.link_errors++;
		return;
	}
	if (lr.l3 != LINK_L3_IPV4 && lr.l3 != LINK_L3_IPV6) {
		c->st.not_ip++;
		return;
	}
	uint8_t l3 = lr.l3;
	const uint8_t *p = frame + lr.offset;
	size_t len = caplen - lr.offset;
	/* Reassembled IPv6 datagrams, one per round at most, freed when the
	 * packet is done: a tunnel's inner packet lives in its outer one. */
	uint8_t *owned[TUNNEL_MAX_DEPTH + 1];
	size_t nowned = 0;
	for (int depth = 0;; depth++) {
		cap_dgram_t d;
		int got = l3 == LINK_L3_IPV4 ? ip4_decode(c, p, len, &d)
					     : ip6path_decode(c, p, len, &d);
		if (!got)
			break;
		if (d.owned)
			owned[nowned++] = d.owned;
		tunnel_inner_t in;
		if (d.whole && tunnel_maybe(d.proto, d.l4, d.len) &&
		    tunnel_decode(d.proto, d.l4, d.len, &in)) {
			if (in.l3 == LINK_L3_NONE || depth >= TUNNEL_MAX_DEPTH)
				break;
			c->st.tunnelled++;
			l3 = in.l3;
			p = in.p;
			len = in.len;
			continue;
		}
		transport(c, &d);
		break;
	}
	while (nowned)
		free(owned[--nowned]);
}

void dispatch_expire(cap_ctx_t *c, db_time_t now)
{
	nidsglue_expire(c, now);
	tcpreasm_expire(c->tcp4mid, now, emit_cb, c);
	ipfrag_expire(c->frag4, now, emit_cb, c);
	ipfrag_expire(c->frag6, now, emit_cb, c);
	tcpreasm_expire(c->tcp6, now, emit_cb, c);
	tcpwatch_expire(&c->tcpw, now, emit_cb, c);
}

void dispatch_finish(cap_ctx_t *c)
{
	/* libnids first: every stream it still follows ends (NIDS_EXITING)
	 * and reports what it lost. */
	nidsglue_finish(c);
	tcpreasm_flush(c->tcp4mid, emit_cb, c);
	ipfrag_flush(c->frag4, emit_cb, c);
	ipfrag_flush(c->frag6, emit_cb, c);
	tcpreasm_flush(c->tcp6, emit_cb, c);
	tcpwatch_expire(&c->tcpw, INT64_MAX, emit_cb, c);
}

void dispatch_stats(cap_ctx_t *c)
{
	tcpreasm_stats_t t6, t4;
	ipfrag_stats_t f6, f4;
	memset(&t6, 0, sizeof(t6));
	memset(&t4, 0, sizeof(t4));
	memset(&f6, 0, sizeof(f6));
	memset(&f4, 0, sizeof(f4));
	if (c->tcp6)
		tcpreasm_stats(c->tcp6, &t6);
	if (c->tcp4mid)
		tcpreasm_stats(c->tcp4mid, &t4);
	if (c->frag6)
		ipfrag_stats(c->frag6, &f6);
	if (c->frag4)
		ipfrag_stats(c->frag4, &f4);
	c->st.handshakes_evicted = c->tcpw.evicted;
	c->st.tcp_evicted = c->nids_evicted + t6.evicted + t4.evicted;
	c->st.tcp_no_syn = t6.no_syn_segments + t6.midstream_rejected + t4.midstream_rejected;
	c->st.frag_evicted = f4.evicted + f6.evicted;
	c->st.frag_trains_cut = f4.cut + f6.cut;
}

void dispatch_close(cap_ctx_t *c)
{
	tcpwatch_free(&c->tcpw);
	c->fn = NULL; /* nothing is reported after the end */
	nidsglue_close(c);
	ipfrag_free(c->frag4);
	c->frag4 = NULL;
	tcpreasm_free(c->tcp4mid);
	c->tcp4mid = NULL;
	ipfrag_free(c->frag6);
	c->frag6 = NULL;
	tcpreasm_free(c->tcp6);
	c->tcp6 = NULL;
}
