/*
 * tcpreasm.c - TCP stream reassembly for DNS over TCP (IPv6, and IPv4
 * connections libnids does not follow).
 *
 * Sequence numbers are compared in serial arithmetic (RFC 1982 3.2; RFC 9293
 * 3.4 "comparisons are modulo 2^32"): a is after b when a - b, taken modulo
 * 2^32, is below 2^31.  Each direction keeps the next sequence number it
 * expects, a list of held out-of-order pieces (sorted, never overlapping each
 * other, all after `next`) and the highest sequence number seen, so that at
 * close the bytes lost in a gap can be counted even when nothing after the
 * gap was kept.
 *
 * Streams sit in a bounded table (common/table.c) keyed on the canonical
 * 4-tuple (the lower endpoint first), so both directions find the same
 * stream; its age list is kept in order of last activity, so idle expiry
 * and eviction take the oldest.
 *
 * Mid-stream pickup works as Wireshark's DNS dissector does in practice: a
 * DNS message almost always begins at a segment boundary, because the
 * sender writes each length-prefixed message in one call (RFC 7766 8 asks
 * for it).  A direction whose ISN was not seen is therefore started at the
 * first segment that looks like a message start.  The test must be strict:
 * a segment cut from the middle of a message that passed it would frame
 * every later message of the direction wrongly.  Each closed connection
 * leaves a tombstone for one timeout, so that a retransmission arriving
 * after the FINs or the RST is not taken for a new connection.
 */
#include "tcpreasm.h"

#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "../common/table.h"
#include "../common/wire.h"
#include "tcpdns.h"

#define TCPREASM_DEF_STREAMS 4096u
#define TCPREASM_DEF_HELD (256u * 1024u)

/*
 * Data further ahead than this is not a plausible segment of this stream
 * (RFC 7323 2.3 caps the window at 2^30) and is dropped rather than held.
 */
#define TCPREASM_MAX_AHEAD ((int64_t)1 << 30)

/* Connections closed recently (midstream mode only); the oldest entry is
 * overwritten first. */
#define TCPREASM_TOMBS 256u

/* DNS header (RFC 1035 4.1.1) offsets, counted from the length prefix. */
#define TCPREASM_DNS_HDR 12u
#define TCPREASM_OFF_FLAGS 4u /* QR, OPCODE, AA, TC, RD */
#define TCPREASM_OFF_QDCOUNT 6u

struct tcpreasm_seg {
	struct tcpreasm_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

struct tcpreasm_half {
	struct tcpreasm_seg *held; /* out-of-order pieces, sorted by seq */
	uint32_t isn;
	uint32_t next;     /* next sequence number to deliver */
	uint32_t high;     /* one past the highest sequence number seen */
	uint32_t fin_seq;  /* sequence number of the FIN, if fin_seen */
	uint8_t known;     /* followed: ISN seen (SYN for the client, SYN-ACK
	                         * for the server), or picked up mid-stream */
	uint8_t fin_seen;  /* also set, in midstream mode, by a FIN on a
	                         * direction not followed: it may not be picked up */
	uint8_t fin_acked; /* the peer acknowledged the FIN */
	tcpdns_t dns;
};

/* Both endpoints, the lower one first: the same key for both directions. */
struct tcpreasm_key {
	uint8_t fam_lo, fam_hi;
	uint16_t port_lo, port_hi;
	uint8_t lo[16], hi[16];
};

struct tcpreasm_stream {
	tbl_entry_t e; /* first: the table's links */
	struct tcpreasm_key key;
	db_flow_t cflow; /* client -> server, proto TCP */
	db_time_t last_ts;
	size_t held_bytes;            /* both directions */
	struct tcpreasm_half half[2]; /* [0] client -> server, [1] back */
};

struct tcpreasm_tomb {
	uint64_t hash;
	db_flow_t cflow;
	db_time_t ts; /* when the connection closed */
	int used;
};

struct tcpreasm {
	tcpreasm_limits_t lim;
	struct tcpreasm_tomb tombs[TCPREASM_TOMBS];
	size_t tomb_next;
	tbl_t streams; /* age order = last activity */
	tcpreasm_stats_t st;
};

/* a - b in serial arithmetic, in [-2^31, 2^31). */
static int64_t tcpreasm_sdiff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	return d < 0x80000000u ? (int64_t)d : (int64_t)d - ((int64_t)1 << 32);
}

tcpreasm_t *tcpreasm_new(const tcpreasm_limits_t *limits)
{
	tcpreasm_t *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (limits)
		t->lim = *limits;
	if (t->lim.max_streams == 0)
		t->lim.max_streams = TCPREASM_DEF_STREAMS;
	if (t->lim.max_held == 0)
		t->lim.max_held = TCPREASM_DEF_HELD;
	if (t->lim.timeout <= 0)
		t->lim.timeout = DB_WINDOW_DEFAULT;

	if (tbl_init(&t->streams, sizeof(struct tcpreasm_stream),
		     offsetof(struct tcpreasm_stream, key), sizeof(struct tcpreasm_key),
		     t->lim.max_streams) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

static int tcpreasm_ep_cmp(const db_addr_t *a, uint16_t ap, const db_addr_t *b, uint16_t bp)
{
	int c = db_addr_cmp(a, b);

	if (c)
		return c;
	return ap < bp ? -1 : ap > bp;
}

/* The connection's key, and its hash: the same for both directions. */
static uint64_t tcpreasm_key(const tcpreasm_t *t, const db_flow_t *f, struct tcpreasm_key *k)
{
	int fwd = tcpreasm_ep_cmp(&f->src, f->sport, &f->dst, f->dport) <= 0;
	const db_addr_t *lo = fwd ? &f->src : &f->dst, *hi = fwd ? &f->dst : &f->src;

	memset(k, 0, sizeof(*k));
	k->fam_lo = lo->family;
	k->fam_hi = hi->family;
	k->port_lo = fwd ? f->sport : f->dport;
	k->port_hi = fwd ? f->dport : f->sport;
	memcpy(k->lo, lo->a, sizeof(k->lo));
	memcpy(k->hi, hi->a, sizeof(k->hi));
	return tbl_hash(&t->streams, k);
}

/* Whether f is one of the two directions of the connection whose client
 * sends c; if so *dir tells which (0 = from the client). */
static int tcpreasm_match(const db_flow_t *c, const db_flow_t *f, int *dir)
{
	if (f->sport == c->sport && f->dport == c->dport && db_addr_eq(&f->src, &c->src) &&
	    db_addr_eq(&f->dst, &c->dst)) {
		*dir = 0;
		return 1;
	}
	if (f->sport == c->dport && f->dport == c->sport && db_addr_eq(&f->src, &c->dst) &&
	    db_addr_eq(&f->dst, &c->src)) {
		*dir = 1;
		return 1;
	}
	return 0;
}

/* Finds the stream of a segment and which direction it travels (0 = from
 * the client). */
static struct tcpreasm_stream *tcpreasm_find(const tcpreasm_t *t, uint64_t h,
					     const struct tcpreasm_key *k, const db_flow_t *f,
					     int *dir)
{
	struct tcpreasm_stream *s = tbl_find(&t->streams, k, h);

	return s && tcpreasm_match(&s->cflow, f, dir) ? s : NULL;
}

static struct tcpreasm_stream *tcpreasm_oldest(const tcpreasm_t *t)
{
	return tbl_oldest(&t->streams);
}

/* Marks the stream as the most recently active (the clock never goes back
 * for a stream: a late segment does not make it younger). */
static void tcpreasm_touch(tcpreasm_t *t, struct tcpreasm_stream *s, db_time_t ts)
{
	if (ts > s->last_ts)
		s->last_ts = ts;
	tbl_touch(&t->streams, s, s->last_ts);
}

static void tcpreasm_flow_of(const struct tcpreasm_stream *s, int dir, db_flow_t *out)
{
	*out = s->cflow;
	if (dir)
		db_flow_reverse(out);
}

/* Feeds in-order bytes to a direction's framer and folds its counters into
 * the table's. */
static void tcpreasm_feed(tcpreasm_t *t, struct tcpreasm_half *h, const uint8_t *p, size_t n,
			  const cap_event_t *tmpl, cap_event_fn fn, void *user)
{
	tcpdns_stats_t b = h->dns.stats;

	tcpdns_feed(&h->dns, p, n, tmpl, fn, user);
	t->st.messages += h->dns.stats.messages - b.messages;
	t->st.empty_messages += h->dns.stats.empty - b.empty;
	t->st.losses += h->dns.stats.nomem - b.nomem;
	h->next += (uint32_t)n;
}

/* Delivers every held piece that the in-order data has reached. */
static void tcpreasm_drain(tcpreasm_t *t, struct tcpreasm_stream *s, struct tcpreasm_half *h,
			   const cap_event_t *tmpl, cap_event_fn fn, void *user)
{
	while (h->held && tcpreasm_sdiff(h->held->seq, h->next) <= 0) {
		struct tcpreasm_seg *g = h->held;
		int64_t done = tcpreasm_sdiff(h->next, g->seq);

		h->held = g->next;
		s->held_bytes -= g->len;
		if (done < (int64_t)g->len) {
			t->st.retrans_bytes += (uint64_t)done;
			tcpreasm_feed(t, h, g->data + done, g->len - (size_t)done, tmpl, fn, user);
		} else {
			t->st.retrans_bytes += g->len;
		}
		free(g);
	}
}

/*
 * Holds [seq, seq + n) for later.  Only the parts not already held are
 * copied, so the held pieces never overlap and the per-stream byte bound
 * counts each byte once.
 */
static void tcpreasm_hold(tcpreasm_t *t, struct tcpreasm_stream *s, struct tcpreasm_half *h,
			  uint32_t seq, const uint8_t *p, size_t n)
{
	struct tcpreasm_seg **link = &h->held;

	while (n > 0) {
		struct tcpreasm_seg *cur = *link;

		if (cur && tcpreasm_sdiff(cur->seq + cur->len, seq) <= 0) {
			link = &cur->next; /* wholly before seq */
			continue;
		}
		if (cur && tcpreasm_sdiff(cur->seq, seq) <= 0) {
			/* seq falls inside cur: those bytes are held already. */
			size_t cover = (size_t)tcpreasm_sdiff(cur->seq + cur->len, seq);
			if (cover > n)
				cover = n;
			t->st.retrans_bytes += cover;
			seq += (uint32_t)cover;
			p += cover;
			n -= cover;
			link = &cur->next;
			continue;
		}

		size_t piece = n;
		if (cur && (size_t)tcpreasm_sdiff(cur->seq, seq) < piece)
			piece = (size_t)tcpreasm_sdiff(cur->seq, seq);
		struct tcpreasm_seg *g = NULL;
		if (s->held_bytes + piece <= t->lim.max_held)
			g = malloc(sizeof(*g) + piece);
		if (!g) {
			/* Over the bound (or out of memory): the bytes are
			 * lost to us and will show as a gap at close. */
			t->st.dropped_bytes += n;
			return;
		}
		g->seq = seq;
		g->len = (uint32_t)piece;
		memcpy(g->data, p, piece);
		g->next = cur;
		*link = g;
		link = &g->next;
		s->held_bytes += piece;
		seq += (uint32_t)piece;
		p += piece;
		n -= piece;
	}
}

static void tcpreasm_data(tcpreasm_t *t, struct tcpreasm_stream *s, struct tcpreasm_half *h,
			  uint32_t seq, const uint8_t *p, size_t n, const cap_event_t *tmpl,
			  cap_event_fn fn, void *user)
{
	int64_t ahead = tcpreasm_sdiff(seq, h->next);

	if (n == 0)
		return;
	if (ahead > TCPREASM_MAX_AHEAD) {
		t->st.dropped_bytes += n;
		return;
	}
	uint32_t end = seq + (uint32_t)n;
	if (tcpreasm_sdiff(end, h->high) > 0)
		h->high = end;
	if (ahead > 0) {
		tcpreasm_hold(t, s, h, seq, p, n);
		return;
	}
	/* Retransmitted or overlapping: deliver only what is new. */
	if ((uint64_t)-ahead >= n) {
		t->st.retrans_bytes += n;
		return;
	}
	t->st.retrans_bytes += (uint64_t)-ahead;
	tcpreasm_feed(t, h, p + (size_t)-ahead, n - (size_t)-ahead, tmpl, fn, user);
	tcpreasm_drain(t, s, h, tmpl, fn, user);
}

static int tcpreasm_finished(const struct tcpreasm_half *h)
{
	return h->fin_seen && (h->fin_acked || tcpreasm_sdiff(h->next, h->fin_seq) >= 0);
}

/* pending: the framer's bytes of a message cut short (tcpdns_free). */
static void tcpreasm_loss(tcpreasm_t *t, const struct tcpreasm_stream *s, int dir, uint64_t pending,
			  db_time_t ts, cap_event_fn fn, void *user)
{
	const struct tcpreasm_half *h = &s->half[dir];
	int64_t gap = tcpreasm_sdiff(h->high, h->next);
	cap_event_t ev;

	if (!h->known)
		return;
	if (gap > 0)
		pending += (uint64_t)gap;
	if (pending == 0)
		return;
	t->st.losses++;
	if (!fn)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_STREAM_LOSS;
	ev.ts = ts;
	tcpreasm_flow_of(s, dir, &ev.flow);
	ev.u.loss.bytes_pending = pending > UINT32_MAX ? UINT32_MAX : (uint32_t)pending;
	fn(&ev, user);
}

/* Ends a stream: reports what was never delivered, then frees it. */
static void tcpreasm_end(tcpreasm_t *t, struct tcpreasm_stream *s, db_time_t ts, cap_event_fn fn,
			 void *user)
{
	for (int dir = 0; dir < 2; dir++) {
		struct tcpreasm_half *h = &s->half[dir];

		tcpreasm_loss(t, s, dir, tcpdns_free(&h->dns), ts, fn, user);
		while (h->held) {
			struct tcpreasm_seg *g = h->held;
			h->held = g->next;
			free(g);
		}
	}

	tbl_remove(&t->streams, s);
}

/* Starts following a direction whose first payload byte is at `first`. */
static void tcpreasm_begin(struct tcpreasm_half *h, uint32_t first)
{
	h->known = 1;
	h->isn = first - 1;
	h->next = h->high = first;
}

static int tcpreasm_due(db_time_t now, db_time_t since, db_time_t timeout)
{
	/* Unsigned difference: no signed overflow on absurd timestamps, and
	 * a clock that went backwards is simply "not due yet". */
	return now >= since && (uint64_t)now - (uint64_t)since >= (uint64_t)timeout;
}

/* Creates a stream with neither direction followed yet, evicting the least
 * recently active one if the table is full. */
static struct tcpreasm_stream *tcpreasm_start(tcpreasm_t *t, uint64_t h,
					      const struct tcpreasm_key *k, db_time_t ts,
					      const db_flow_t *client, cap_event_fn fn, void *user)
{
	while (t->streams.count >= t->lim.max_streams) {
		t->st.evicted++;
		tcpreasm_end(t, tcpreasm_oldest(t), ts, fn, user);
	}

	struct tcpreasm_stream *s = tbl_insert(&t->streams, k, h, ts);
	if (!s)
		return NULL;
	s->cflow = *client;
	s->cflow.proto = DB_PROTO_TCP;
	s->last_ts = ts;
	for (int dir = 0; dir < 2; dir++)
		s->half[dir].dns = TCPDNS_IDLE;
	/* A live stream supersedes the tombstone of an earlier connection on
	 * the same 4-tuple. */
	for (size_t i = 0; t->lim.midstream && i < TCPREASM_TOMBS; i++) {
		struct tcpreasm_tomb *b = &t->tombs[i];
		int dir;

		if (b->used && b->hash == h && tcpreasm_match(&b->cflow, client, &dir))
			b->used = 0;
	}
	return s;
}

/* Closes a stream by RST or FIN+FIN, leaving a tombstone in midstream mode. */
static void tcpreasm_close(tcpreasm_t *t, struct tcpreasm_stream *s, db_time_t ts, cap_event_fn fn,
			   void *user)
{
	if (t->lim.midstream) {
		struct tcpreasm_tomb *b = &t->tombs[t->tomb_next];

		t->tomb_next = (t->tomb_next + 1) % TCPREASM_TOMBS;
		b->hash = s->e.hash;
		b->cflow = s->cflow;
		b->ts = ts;
		b->used = 1;
	}
	t->st.closed++;
	tcpreasm_end(t, s, ts, fn, user);
}

/* Whether a connection with this 4-tuple closed less than `timeout` ago. */
static int tcpreasm_tombstoned(const tcpreasm_t *t, uint64_t h, const db_flow_t *f, db_time_t now)
{
	for (size_t i = 0; i < TCPREASM_TOMBS; i++) {
		const struct tcpreasm_tomb *b = &t->tombs[i];
		int dir;

		if (b->used && b->hash == h && !tcpreasm_due(now, b->ts, t->lim.timeout) &&
		    tcpreasm_match(&b->cflow, f, &dir))
			return 1;
	}
	return 0;
}

/*
 * Whether p[0..n) plausibly begins a DNS-over-TCP message: a length prefix
 * of at least a header (RFC 1035 4.2.2), then, as far as captured, a
 * header with a known OPCODE (RFC 6895 2.2: QUERY, IQUERY, STATUS, NOTIFY,
 * UPDATE, DSO) and at most one question (RFC 9619; DSO and some error
 * responses have none).  One byte cannot be judged and is refused.
 */
static int tcpreasm_plausible(const uint8_t *p, size_t n)
{
	wire_t w;

	wire_init(&w, p, n);
	uint16_t mlen = wire_u16(&w);
	if (!wire_ok(&w) || mlen < TCPREASM_DNS_HDR)
		return 0;
	/* What is cut off is not judged: once a read fails, so do the rest. */
	wire_seek(&w, TCPREASM_OFF_FLAGS);
	uint8_t flags = wire_u8(&w);
	if (wire_ok(&w)) {
		unsigned opcode = (flags >> 3) & 0x0fu;

		if (opcode == 3 || opcode > 6)
			return 0;
	}
	wire_seek(&w, TCPREASM_OFF_QDCOUNT);
	uint16_t qdcount = wire_u16(&w);
	if (wire_ok(&w) && qdcount > 1)
		return 0;
	return 1;
}

/* Whether the sender of a plausible message start is the server: a
 * response (QR set) if the header is captured, else the side on port 53. */
static int tcpreasm_from_server(const db_flow_t *f, uint8_t tcp_flags, const uint8_t *p, size_t n)
{
	wire_t w;

	if ((tcp_flags & (TCPREASM_SYN | TCPREASM_ACK)) == (TCPREASM_SYN | TCPREASM_ACK))
		return 1;
	wire_init(&w, p, n);
	wire_seek(&w, TCPREASM_OFF_FLAGS);
	uint8_t flags = wire_u8(&w);
	if (wire_ok(&w))
		return (flags & 0x80u) != 0;
	return f->sport == 53 && f->dport != 53;
}

void tcpreasm_segment(tcpreasm_t *t, db_time_t ts, const db_flow_t *flow, uint32_t seq,
		      uint32_t ack, uint8_t tcp_flags, const uint8_t *payload, size_t len,
		      cap_event_fn fn, void *user)
{
	if (!t || !flow || (!payload && len))
		return;

	struct tcpreasm_key key;
	uint64_t hv = tcpreasm_key(t, flow, &key);
	int dir = 0;
	struct tcpreasm_stream *s = tcpreasm_find(t, hv, &key, flow, &dir);
	/* The SYN occupies one sequence number (RFC 9293 3.4); data on a SYN
	 * (RFC 7413) or SYN-ACK follows it. */
	uint32_t dseq = (tcp_flags & TCPREASM_SYN) ? seq + 1 : seq;
	int rejected = 0;

	if ((tcp_flags & (TCPREASM_SYN | TCPREASM_ACK | TCPREASM_RST)) == TCPREASM_SYN) {
		if (s && !(dir == 0 && s->half[0].known && s->half[0].isn == seq)) {
			/* A new connection on the same 4-tuple: the old one
			 * was abandoned without FIN or RST in the capture. */
			t->st.closed++;
			tcpreasm_end(t, s, ts, fn, user);
			s = NULL;
		}
		if (!s) {
			s = tcpreasm_start(t, hv, &key, ts, flow, fn, user);
			if (!s) {
				t->st.no_syn_segments++;
				return;
			}
			t->st.streams++;
			tcpreasm_begin(&s->half[0], dseq);
			dir = 0;
		}
	}
	if (!s) {
		/* Only payload counts: the last ACK of every orderly close
		 * also arrives after its stream has gone.  Nor may that
		 * close's retransmissions start a stream. */
		if (!len)
			return;
		if (!t->lim.midstream || (tcp_flags & TCPREASM_RST) ||
		    tcpreasm_tombstoned(t, hv, flow, ts)) {
			t->st.no_syn_segments++;
			return;
		}
		if (!tcpreasm_plausible(payload, len)) {
			t->st.midstream_rejected++;
			return;
		}
		db_flow_t client = *flow;
		dir = tcpreasm_from_server(flow, tcp_flags, payload, len);
		if (dir)
			db_flow_reverse(&client);
		s = tcpreasm_start(t, hv, &key, ts, &client, fn, user);
		if (!s) {
			t->st.no_syn_segments++;
			return;
		}
		t->st.midstream_pickups++;
		tcpreasm_begin(&s->half[dir], dseq);
	}
	tcpreasm_touch(t, s, ts);

	if (tcp_flags & TCPREASM_RST) {
		/* libnids ends the stream on any RST; so do we. */
		tcpreasm_close(t, s, ts, fn, user);
		return;
	}

	struct tcpreasm_half *h = &s->half[dir];
	struct tcpreasm_half *peer = &s->half[!dir];

	if ((tcp_flags & (TCPREASM_SYN | TCPREASM_ACK)) == (TCPREASM_SYN | TCPREASM_ACK)) {
		if (dir != 1)
			return; /* simultaneous open: not a DNS client's way */
		if (!h->known)
			tcpreasm_begin(h, dseq);
	}

	/* An ACK covering the peer's FIN shows that the peer's receiver got
	 * every byte before it, so a gap we still have there is capture
	 * loss, not reordering, and need not keep the stream open. */
	if ((tcp_flags & TCPREASM_ACK) && peer->fin_seen &&
	    tcpreasm_sdiff(ack, peer->fin_seq + 1) >= 0)
		peer->fin_acked = 1;

	if (!h->known && len && t->lim.midstream && !h->fin_seen) {
		if (tcpreasm_plausible(payload, len)) {
			t->st.midstream_pickups++;
			tcpreasm_begin(h, dseq);
		} else {
			t->st.midstream_rejected++;
			rejected = 1;
		}
	}

	if (!h->known) {
		if (len && !rejected)
			t->st.no_syn_segments++;
		/* The direction ends unseen: nothing of it can be picked up
		 * any more, and it need not keep the stream open. */
		if ((tcp_flags & TCPREASM_FIN) && t->lim.midstream && !h->fin_seen) {
			h->fin_seen = 1;
			h->fin_acked = 1;
			h->fin_seq = dseq + (uint32_t)len;
		}
	} else {
		cap_event_t tmpl;

		memset(&tmpl, 0, sizeof(tmpl));
		tmpl.kind = CAP_EV_DNS;
		tmpl.ts = ts;
		tcpreasm_flow_of(s, dir, &tmpl.flow);
		tcpreasm_data(t, s, h, dseq, payload, len, &tmpl, fn, user);

		if ((tcp_flags & TCPREASM_FIN) && !h->fin_seen &&
		    tcpreasm_sdiff(dseq + (uint32_t)len, h->next) <= TCPREASM_MAX_AHEAD) {
			h->fin_seen = 1;
			h->fin_seq = dseq + (uint32_t)len;
			if (tcpreasm_sdiff(h->fin_seq, h->high) > 0)
				h->high = h->fin_seq;
		}
	}

	if (tcpreasm_finished(&s->half[0]) && tcpreasm_finished(&s->half[1]))
		tcpreasm_close(t, s, ts, fn, user);
}

void tcpreasm_expire(tcpreasm_t *t, db_time_t now, cap_event_fn fn, void *user)
{
	if (!t)
		return;
	struct tcpreasm_stream *s;

	while ((s = tcpreasm_oldest(t)) && tcpreasm_due(now, s->last_ts, t->lim.timeout)) {
		t->st.expired++;
		tcpreasm_end(t, s, now, fn, user);
	}
}

void tcpreasm_flush(tcpreasm_t *t, cap_event_fn fn, void *user)
{
	if (!t)
		return;
	struct tcpreasm_stream *s;

	while ((s = tcpreasm_oldest(t))) {
		t->st.flushed++;
		tcpreasm_end(t, s, s->last_ts, fn, user);
	}
}

void tcpreasm_stats(const tcpreasm_t *t, tcpreasm_stats_t *out)
{
	*out = t->st;
	out->active = t->streams.count;
}

void tcpreasm_free(tcpreasm_t *t)
{
	if (!t)
		return;
	struct tcpreasm_stream *s;

	while ((s = tcpreasm_oldest(t)))
		tcpreasm_end(t, s, 0, NULL, NULL);
	tbl_free(&t->streams);
	free(t);
}
