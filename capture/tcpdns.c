/*
 * tcpdns.c - DNS-over-TCP message framing.
 *
 * RFC 1035 4.2.2 prefixes every message sent over TCP with a two-octet
 * length.  RFC 7766 6.2.1 lets a client pipeline queries and a server answer
 * them out of order, and TCP is free to cut the byte stream anywhere, so a
 * segment may hold several messages, part of one, or a single byte of a
 * prefix.  The framer therefore keeps a small state machine per direction:
 * collecting the prefix, then collecting the body.
 */
#include "tcpdns.h"

#include <stdlib.h>
#include <string.h>

#include "../common/wire.h"

static void tcpdns_emit(tcpdns_t *f, const uint8_t *msg, size_t len, const cap_event_t *tmpl,
			cap_event_fn fn, void *user)
{
	cap_event_t ev = *tmpl;

	ev.kind = CAP_EV_DNS;
	ev.flow.proto = DB_PROTO_TCP;
	ev.u.dns.msg = msg;
	ev.u.dns.len = len;
	ev.u.dns.wire_len = len;
	f->stats.messages++;
	if (fn)
		fn(&ev, user);
}

/*
 * The prefix is complete: decide what to do with a body of f->mlen bytes
 * when the rest of the current buffer (w) may or may not hold all of it.
 */
static void tcpdns_start_body(tcpdns_t *f, wire_t *w, const cap_event_t *tmpl, cap_event_fn fn,
			      void *user)
{
	if (f->mlen == 0) {
		/* A zero length carries no message; RFC 1035 gives it no
		 * meaning, so skip it rather than hand over an empty one. */
		f->stats.empty++;
		f->hlen = 0;
		return;
	}
	if (wire_left(w) >= f->mlen) {
		/* Common case: the whole message is in this buffer. */
		const uint8_t *msg = wire_take(w, f->mlen);
		f->hlen = 0;
		tcpdns_emit(f, msg, f->mlen, tmpl, fn, user);
		return;
	}
	f->got = 0;
	f->cap = 0;
	f->buf = NULL;
}

/* Room for n more body bytes, or 0 when memory ran out: the body is then
 * skipped to keep framing in step, and the loss is said, not hidden. */
static int tcpdns_room(tcpdns_t *f, size_t n, const cap_event_t *tmpl, cap_event_fn fn, void *user)
{
	if (f->got + n <= f->cap)
		return 1;
	size_t want = f->cap ? (size_t)f->cap * 2 : 512;
	if (want < f->got + n)
		want = f->got + n;
	if (want > f->mlen)
		want = f->mlen;
	uint8_t *nb = realloc(f->buf, want);
	if (nb) {
		f->buf = nb;
		f->cap = (uint32_t)want;
		return 1;
	}
	cap_event_t ev = *tmpl;
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	f->skipping = 1;
	f->stats.nomem++;
	ev.kind = CAP_EV_STREAM_LOSS;
	ev.flow.proto = DB_PROTO_TCP;
	ev.u.loss.bytes_pending = (uint32_t)f->mlen + TCPDNS_PREFIX;
	if (fn)
		fn(&ev, user);
	return 0;
}

void tcpdns_feed(tcpdns_t *f, const uint8_t *data, size_t len, const cap_event_t *tmpl,
		 cap_event_fn fn, void *user)
{
	wire_t w;

	wire_init(&w, data, len);
	while (wire_left(&w) > 0) {
		if (f->hlen == 0 && wire_left(&w) >= TCPDNS_PREFIX) {
			f->mlen = wire_u16(&w);
			f->hlen = 2;
			tcpdns_start_body(f, &w, tmpl, fn, user);
			continue;
		}
		if (f->hlen < 2) {
			/* The prefix itself is split across buffers. */
			f->hdr[f->hlen++] = wire_u8(&w);
			if (f->hlen == 2) {
				f->mlen = (uint16_t)((f->hdr[0] << 8) | f->hdr[1]);
				tcpdns_start_body(f, &w, tmpl, fn, user);
			}
			continue;
		}

		/* Body of a message that spans buffers. */
		size_t want = (size_t)f->mlen - f->got;
		size_t n = wire_left(&w) < want ? wire_left(&w) : want;
		const uint8_t *p = wire_take(&w, n);

		if (!p)
			break; /* cannot happen: n <= wire_left() */
		if (!f->skipping && tcpdns_room(f, n, tmpl, fn, user))
			memcpy(f->buf + f->got, p, n);
		f->got += (uint32_t)n;
		if (f->got < f->mlen)
			continue;
		if (!f->skipping)
			tcpdns_emit(f, f->buf, f->mlen, tmpl, fn, user);
		free(f->buf);
		f->buf = NULL;
		f->got = 0;
		f->cap = 0;
		f->hlen = 0;
		f->skipping = 0;
	}
}

size_t tcpdns_pending(const tcpdns_t *f)
{
	if (f->skipping)
		return 0; /* already reported when the buffer failed */
	if (f->hlen < 2)
		return f->hlen;
	return TCPDNS_PREFIX + f->got;
}

size_t tcpdns_free(tcpdns_t *f)
{
	if (!f)
		return 0;
	size_t pending = tcpdns_pending(f);
	free(f->buf);
	f->buf = NULL;
	f->got = 0;
	f->cap = 0;
	f->mlen = 0;
	f->hlen = 0;
	f->skipping = 0;
	return pending;
}
