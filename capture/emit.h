/*
 * emit.h - the one place events leave capture/, and the one place they are
 * counted.
 */
#ifndef DNSBLAME_EMIT_H
#define DNSBLAME_EMIT_H

#include "cap_int.h"

/*
 * Counts ev in c->st by its kind (udp_dns or tcp_dns, icmp_errors,
 * frag_trains_lost, tcp_stream_losses; the other kinds are not counted)
 * and hands it to the sink c->fn, when there is one (cap_close clears it:
 * nothing is reported after the end, though it is still counted).  ev is
 * the caller's, only read during the call.
 */
void emit_event(cap_ctx_t *c, const cap_event_t *ev);

/* The same as a cap_event_fn for the modules that report through a
 * callback (ipfrag, tcpreasm, tcpwatch, tcpdns): ctx is the cap_ctx_t. */
void emit_cb(const cap_event_t *ev, void *ctx);

#endif
