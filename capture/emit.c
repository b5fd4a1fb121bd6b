/*
 * emit.c - events out of capture/: every event, whichever module made it,
 * passes here once, on its way to the sink (analyze/, which counts them).
 */
#include "emit.h"

void emit_event(cap_ctx_t *c, const cap_event_t *ev)
{
	if (c->fn)
		c->fn(ev, c->user);
}

void emit_cb(const cap_event_t *ev, void *ctx) { emit_event(ctx, ev); }
