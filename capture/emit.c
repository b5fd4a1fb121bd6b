/*
 * emit.c - events out of capture/: every event, whichever module made it,
 * passes here once, so that the counters in cap_stats_t and the stream of
 * events cannot disagree.
 */
#include "emit.h"

void emit_event(cap_ctx_t *c, const cap_event_t *ev)
{
	switch (ev->kind) {
	case CAP_EV_DNS:
		if (ev->flow.proto == DB_PROTO_TCP)
			c->st.tcp_dns++;
		else
			c->st.udp_dns++;
		break;
	case CAP_EV_ICMP: c->st.icmp_errors++; break;
	case CAP_EV_FRAG_EXPIRED: c->st.frag_trains_lost++; break;
	case CAP_EV_STREAM_LOSS: c->st.tcp_stream_losses++; break;
	default: break;
	}
	if (c->fn)
		c->fn(ev, c->user);
}

void emit_cb(const cap_event_t *ev, void *ctx) { emit_event(ctx, ev); }
