/*
 * emit.h - the one place events leave capture/.  Events are counted where
 * they arrive, by analyze/ (an_stats_t): capture/ counts packets and what
 * it did with them (cap_stats_t), not the events it hands on.
 */
#ifndef DNSBLAME_EMIT_H
#define DNSBLAME_EMIT_H

#include "cap_int.h"

/*
 * Hands ev to the sink c->fn, when there is one (cap_close clears it:
 * nothing is reported after the end).  ev is the caller's, only read
 * during the call.
 */
void emit_event(cap_ctx_t *c, const cap_event_t *ev);

/* The same as a cap_event_fn for the modules that report through a
 * callback (ipfrag, tcpreasm, tcpwatch, tcpdns): ctx is the cap_ctx_t. */
void emit_cb(const cap_event_t *ev, void *ctx);

#endif
