/*
 * ipfrag.c - IP fragment reassembly, IPv6 and IPv4 alike.
 *
 * Each train keeps its fragments as a list sorted by offset, with no two
 * fragments overlapping: RFC 5722 4 (as amended by erratum 3089) requires
 * the whole datagram to be discarded when any fragment overlaps another,
 * while RFC 8200 4.5 lets an exact duplicate simply be dropped.  Because the
 * kept fragments never overlap, the datagram is complete exactly when the
 * last fragment (M = 0) is known and the kept bytes add up to its end.
 *
 * Trains sit in a bounded table (common/table.c) whose age list is their
 * creation order, so expiry only ever looks at the oldest, and eviction
 * takes the oldest.
 */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "../common/table.h"
#include "../common/wire.h"

#define IPFRAG_DEF_TRAINS 1024u
#define IPFRAG_DEF_BYTES (4u * 1024u * 1024u)
#define IPFRAG_DEF_FRAGS 128u
#define IPFRAG_MAX_PAYLOAD 65535u

#define IPFRAG_NH_TCP 6
#define IPFRAG_NH_UDP 17

struct ipfrag_piece {
	struct ipfrag_piece *prev, *next;
	uint32_t off;
	uint32_t len;
	uint8_t more;
	uint8_t data[];
};

/* RFC 8200 4.5: a train is identified by source, destination and id;
 * RFC 791 adds the protocol, which the IPv4 caller folds into id. */
struct ipfrag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t family;
	uint8_t pad[3];
};

struct ipfrag_train {
	tbl_entry_t e; /* first: the table's links */
	struct ipfrag_key key;
	db_addr_t src, dst;
	uint32_t id;
	db_time_t first_ts, last_ts;
	struct ipfrag_piece *head, *tail; /* sorted by offset */
	uint32_t nfrags;
	uint32_t bytes;
	uint32_t end; /* valid when have_last */
	uint8_t have_last;
	uint8_t first_nh; /* valid when head->off == 0 */
	uint8_t dead;     /* discarded; remembered until timeout */
	uint8_t cut;      /* snaplen cut a fragment: the capture,
	                                      * not the network, lost the datagram */
};

struct ipfrag {
	ipfrag_limits_t lim;
	tbl_t trains; /* age order = creation order */
	size_t nbytes;
	ipfrag_stats_t st;
};

ipfrag_t *ipfrag_new(const ipfrag_limits_t *limits)
{
	ipfrag_t *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (limits)
		t->lim = *limits;
	if (t->lim.max_trains == 0)
		t->lim.max_trains = IPFRAG_DEF_TRAINS;
	if (t->lim.max_bytes == 0)
		t->lim.max_bytes = IPFRAG_DEF_BYTES;
	if (t->lim.max_frags == 0)
		t->lim.max_frags = IPFRAG_DEF_FRAGS;
	if (t->lim.timeout <= 0)
		t->lim.timeout = DB_WINDOW_DEFAULT;

	if (tbl_init(&t->trains, sizeof(struct ipfrag_train), offsetof(struct ipfrag_train, key),
		     sizeof(struct ipfrag_key), t->lim.max_trains) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

static void ipfrag_key(struct ipfrag_key *k, const db_addr_t *src, const db_addr_t *dst,
		       uint32_t id)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, src->a, sizeof(k->src));
	memcpy(k->dst, dst->a, sizeof(k->dst));
	k->id = id;
	k->family = src->family;
}

static void ipfrag_drop_pieces(ipfrag_t *t, struct ipfrag_train *tr)
{
	struct ipfrag_piece *p = tr->head;

	while (p) {
		struct ipfrag_piece *n = p->next;
		free(p);
		p = n;
	}
	t->nbytes -= tr->bytes;
	tr->head = tr->tail = NULL;
	tr->bytes = 0;
	tr->nfrags = 0;
}

/* Unlinks and frees a train. */
static void ipfrag_remove(ipfrag_t *t, struct ipfrag_train *tr)
{
	ipfrag_drop_pieces(t, tr);
	tbl_remove(&t->trains, tr);
}

static struct ipfrag_train *ipfrag_oldest(const ipfrag_t *t) { return tbl_oldest(&t->trains); }

/*
 * Discards a train's data but remembers its key until the timeout, so that
 * the fragments still in flight are dropped too, as RFC 5722 4 asks ("and
 * any constituent fragments, including those not yet received").
 */
static void ipfrag_report(ipfrag_t *t, const struct ipfrag_train *tr, db_time_t ts, cap_event_fn fn,
			  void *user);

/* The datagram will never be delivered (the receiving host discards it
 * too): that is a loss the analysis must see, reported now, while the
 * first fragment's ports are still known. */
static void ipfrag_kill(ipfrag_t *t, struct ipfrag_train *tr, db_time_t ts, cap_event_fn fn,
			void *user)
{
	ipfrag_report(t, tr, ts, fn, user);
	ipfrag_drop_pieces(t, tr);
	tr->dead = 1;
	tr->have_last = 0;
}

static void ipfrag_report(ipfrag_t *t, const struct ipfrag_train *tr, db_time_t ts, cap_event_fn fn,
			  void *user)
{
	cap_event_t ev;

	if (tr->cut) {
		t->st.cut++;
		return;
	}
	if (!fn)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_FRAG_EXPIRED;
	ev.ts = ts;
	ev.flow.src = tr->src;
	ev.flow.dst = tr->dst;
	ev.u.frag.ip_id = tr->src.family == 4 ? tr->id & 0xffff : tr->id;
	ev.u.frag.frags = tr->nfrags;
	ev.u.frag.bytes = tr->bytes;
	if (tr->head && tr->head->off == 0) {
		ev.u.frag.have_first = 1;
		if (tr->first_nh == IPFRAG_NH_UDP || tr->first_nh == IPFRAG_NH_TCP) {
			/* UDP and TCP both start with source and destination
			 * port; knowing them ties the lost datagram to a
			 * DNS exchange. */
			wire_t w;
			uint16_t sp, dp;

			wire_init(&w, tr->head->data, tr->head->len);
			sp = wire_u16(&w);
			dp = wire_u16(&w);
			if (wire_ok(&w)) {
				ev.flow.proto = tr->first_nh;
				ev.flow.sport = sp;
				ev.flow.dport = dp;
			}
			/* A UDP datagram's DNS id follows the 8-byte header: it
			 * ties the loss to exactly one query. */
			if (tr->first_nh == IPFRAG_NH_UDP) {
				wire_skip(&w, 4);
				uint16_t id = wire_u16(&w);
				if (wire_ok(&w)) {
					ev.u.frag.have_qid = 1;
					ev.u.frag.qid = id;
				}
			}
		}
	}
	fn(&ev, user);
}

/* Drops the oldest train for a limit, reporting it unless it was already
 * discarded. */
static void ipfrag_evict(ipfrag_t *t, db_time_t ts, cap_event_fn fn, void *user)
{
	struct ipfrag_train *tr = ipfrag_oldest(t);

	if (!tr->dead) {
		t->st.evicted++;
		ipfrag_report(t, tr, ts, fn, user);
	}
	ipfrag_remove(t, tr);
}

/* The last kept fragment whose offset is <= off, or NULL.  Searched from the
 * tail because fragments usually arrive in order. */
static struct ipfrag_piece *ipfrag_before(const struct ipfrag_train *tr, uint32_t off)
{
	struct ipfrag_piece *p = tr->tail;

	while (p && p->off > off)
		p = p->prev;
	return p;
}

static int ipfrag_is_dup(const struct ipfrag_piece *p, uint32_t off, uint32_t len, int more,
			 const uint8_t *data)
{
	return p && p->off == off && p->len == len && p->more == (more != 0) &&
	       (len == 0 || memcmp(p->data, data, len) == 0);
}

static int ipfrag_overlaps(const struct ipfrag_train *tr, const struct ipfrag_piece *prev,
			   uint32_t off, uint32_t len)
{
	const struct ipfrag_piece *next = prev ? prev->next : tr->head;

	if (prev && prev->off + prev->len > off)
		return 1;
	if (next && off + len > next->off)
		return 1;
	return 0;
}

/* RFC 8200 4.5: the M = 0 fragment fixes the payload length; a fragment
 * reaching past it, or a second, different end, makes the train corrupt. */
static int ipfrag_end_conflict(const struct ipfrag_train *tr, uint32_t off, uint32_t len, int more)
{
	uint32_t end = off + len;

	if (more)
		return tr->have_last && end > tr->end;
	if (tr->have_last && tr->end != end)
		return 1;
	return tr->tail && tr->tail->off + tr->tail->len > end;
}

static db_status_t ipfrag_complete(ipfrag_t *t, struct ipfrag_train *tr, uint8_t **out,
				   size_t *out_len, uint8_t *out_nh)
{
	uint8_t *buf = malloc(tr->end ? tr->end : 1);

	if (!buf) {
		/* Keep the train: a later duplicate may find memory. */
		return DB_ENOMEM;
	}
	for (const struct ipfrag_piece *p = tr->head; p; p = p->next) {
		if (p->len)
			memcpy(buf + p->off, p->data, p->len);
	}
	*out = buf;
	*out_len = tr->end;
	*out_nh = tr->first_nh;
	t->st.completed++;
	ipfrag_remove(t, tr);
	return DB_OK;
}

/* A new, empty train, made room for by evicting the oldest at the limit. */
static struct ipfrag_train *ipfrag_start(ipfrag_t *t, const struct ipfrag_key *key, uint64_t h,
					 db_time_t ts, const db_addr_t *src, const db_addr_t *dst,
					 uint32_t id, cap_event_fn fn, void *user)
{
	while (t->trains.count >= t->lim.max_trains)
		ipfrag_evict(t, ts, fn, user);
	struct ipfrag_train *tr = tbl_insert(&t->trains, key, h, ts);
	if (!tr)
		return NULL;
	tr->src = *src;
	tr->dst = *dst;
	tr->id = id;
	tr->first_ts = tr->last_ts = ts;
	return tr;
}

void ipfrag_cut(ipfrag_t *t, db_time_t ts, const db_addr_t *src, const db_addr_t *dst, uint32_t id,
		cap_event_fn fn, void *user)
{
	if (!t || !src || !dst)
		return;
	struct ipfrag_key key;
	ipfrag_key(&key, src, dst, id);
	uint64_t h = tbl_hash(&t->trains, &key);
	struct ipfrag_train *tr = tbl_find(&t->trains, &key, h);
	if (!tr)
		tr = ipfrag_start(t, &key, h, ts, src, dst, id, fn, user);
	if (tr) {
		tr->cut = 1;
		tr->last_ts = ts;
	}
}

db_status_t ipfrag_add(ipfrag_t *t, db_time_t ts, const db_addr_t *src, const db_addr_t *dst,
		       uint32_t id, uint8_t nh, uint16_t offset_bytes, int more,
		       const uint8_t *data, size_t len, uint8_t **out, size_t *out_len,
		       uint8_t *out_nh, cap_event_fn fn, void *user)
{
	uint32_t off = offset_bytes;

	if (!t || !src || !dst || !out || !out_len || !out_nh || (!data && len))
		return DB_EINVAL;
	*out = NULL;
	*out_len = 0;
	*out_nh = 0;

	/* RFC 8200 4.5: a non-last fragment must be a multiple of 8 octets
	 * long, and no fragment may reach past 65535 octets of payload. */
	if ((more && (len == 0 || len % 8 != 0)) || len > IPFRAG_MAX_PAYLOAD ||
	    off + len > IPFRAG_MAX_PAYLOAD) {
		t->st.bad++;
		return DB_EMALFORMED;
	}

	/* RFC 6946 4: an atomic fragment is processed on its own and never
	 * mixed with a pending train that happens to share its id. */
	if (off == 0 && !more) {
		uint8_t *buf = malloc(len ? len : 1);
		if (!buf) {
			t->st.dropped++;
			return DB_ENOMEM;
		}
		if (len)
			memcpy(buf, data, len);
		*out = buf;
		*out_len = len;
		*out_nh = nh;
		t->st.completed++;
		return DB_OK;
	}

	struct ipfrag_key key;
	ipfrag_key(&key, src, dst, id);
	uint64_t h = tbl_hash(&t->trains, &key);
	struct ipfrag_train *tr = tbl_find(&t->trains, &key, h);

	if (tr && tr->dead)
		return DB_EMALFORMED;
	if (tr) {
		struct ipfrag_piece *prev = ipfrag_before(tr, off);

		if (ipfrag_is_dup(prev, off, (uint32_t)len, more, data)) {
			t->st.duplicates++;
			tr->last_ts = ts;
			return DB_OK;
		}
		if (ipfrag_overlaps(tr, prev, off, (uint32_t)len)) {
			t->st.overlaps++;
			ipfrag_kill(t, tr, ts, fn, user);
			return DB_EMALFORMED;
		}
		if (ipfrag_end_conflict(tr, off, (uint32_t)len, more)) {
			t->st.bad++;
			ipfrag_kill(t, tr, ts, fn, user);
			return DB_EMALFORMED;
		}
		if (tr->nfrags >= t->lim.max_frags) {
			t->st.bad++;
			ipfrag_kill(t, tr, ts, fn, user);
			return DB_ELIMIT;
		}
	}

	if (len > t->lim.max_bytes) {
		t->st.dropped++;
		return DB_ELIMIT;
	}
	/* Make room by giving up the oldest trains; that may be this one, and
	 * the fragment then starts a fresh train. */
	while (t->nbytes + len > t->lim.max_bytes) {
		if (ipfrag_oldest(t) == tr)
			tr = NULL;
		ipfrag_evict(t, ts, fn, user);
	}
	if (!tr) {
		tr = ipfrag_start(t, &key, h, ts, src, dst, id, fn, user);
		if (!tr) {
			t->st.dropped++;
			return DB_ENOMEM;
		}
	}

	struct ipfrag_piece *p = malloc(sizeof(*p) + len);
	if (!p) {
		t->st.dropped++;
		if (!tr->head)
			ipfrag_remove(t, tr);
		return DB_ENOMEM;
	}
	p->off = off;
	p->len = (uint32_t)len;
	p->more = more != 0;
	if (len)
		memcpy(p->data, data, len);

	struct ipfrag_piece *prev = ipfrag_before(tr, off);
	p->prev = prev;
	p->next = prev ? prev->next : tr->head;
	if (p->next)
		p->next->prev = p;
	else
		tr->tail = p;
	if (prev)
		prev->next = p;
	else
		tr->head = p;

	if (off == 0)
		tr->first_nh = nh; /* RFC 8200 4.5: only offset zero's counts */
	if (!more) {
		tr->have_last = 1;
		tr->end = off + (uint32_t)len;
	}
	tr->nfrags++;
	tr->bytes += (uint32_t)len;
	tr->last_ts = ts;
	t->nbytes += len;

	if (tr->have_last && tr->bytes == tr->end)
		return ipfrag_complete(t, tr, out, out_len, out_nh);
	return DB_OK;
}

static int ipfrag_due(db_time_t now, db_time_t since, db_time_t timeout)
{
	/* Unsigned difference: no signed overflow on absurd timestamps, and
	 * a clock that went backwards is simply "not due yet". */
	return now >= since && (uint64_t)now - (uint64_t)since >= (uint64_t)timeout;
}

void ipfrag_expire(ipfrag_t *t, db_time_t now, cap_event_fn fn, void *user)
{
	if (!t)
		return;
	struct ipfrag_train *tr;

	while ((tr = ipfrag_oldest(t)) && ipfrag_due(now, tr->first_ts, t->lim.timeout)) {
		if (!tr->dead) {
			t->st.expired++;
			ipfrag_report(t, tr, now, fn, user);
		}
		ipfrag_remove(t, tr);
	}
}

void ipfrag_flush(ipfrag_t *t, cap_event_fn fn, void *user)
{
	if (!t)
		return;
	struct ipfrag_train *tr;

	while ((tr = ipfrag_oldest(t))) {
		if (!tr->dead) {
			t->st.flushed++;
			ipfrag_report(t, tr, tr->last_ts, fn, user);
		}
		ipfrag_remove(t, tr);
	}
}

void ipfrag_stats(const ipfrag_t *t, ipfrag_stats_t *out)
{
	*out = t->st;
	out->trains = t->trains.count;
	out->bytes = t->nbytes;
}

void ipfrag_free(ipfrag_t *t)
{
	if (!t)
		return;
	struct ipfrag_train *tr;

	while ((tr = ipfrag_oldest(t)))
		ipfrag_remove(t, tr);
	tbl_free(&t->trains);
	free(t);
}
