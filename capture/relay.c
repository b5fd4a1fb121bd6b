/*
 * relay.c - cap_run on a thread of its own, for -r files: reading the
 * files, decoding and reassembling (this stage) run beside the analysis
 * instead of before it.  The events cross to the caller's thread through a
 * bounded ring, in the order cap_run made them, their bytes copied; the
 * ticks cross as records at the places among them where cap_run called
 * them.  The caller sees what cap_run would have shown it, on its own
 * thread: the same events, in the same order, the same ticks among them,
 * and counters (cap_stats, cap_progress) as they stood when the record it
 * is handling was made.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../common/waiter.h"
#include "cap_int.h"

/* 4 MiB: the capture thread may run some ten thousand events ahead.  A
 * record is at most a header, a 65,535-byte message and its preparation. */
#define RELAY_RING ((uint64_t)4 << 20)
/* Records between two publications of a side's position: each costs the
 * other side a cache miss. */
#define RELAY_BATCH 64
/* Looks at the other side's position before sleeping on the condition. */
#define RELAY_SPIN 200
/* Records the caller's look-ahead sees before its handler sees them: the
 * time its prefetches have to arrive (some hundreds of nanoseconds). */
#define RELAY_AHEAD 8
/* Bytes of the ring prefetched beyond the look-ahead. */
#define RELAY_FETCH 2048

enum { REC_EVENT = 1, REC_TICK, REC_WRAP };

/* A record in the ring: this header; the counters, unless the header
 * says how they moved; the event (of a DNS event, most records, only up
 * to its u.dns); its bytes (the event's message or quoted payload, or a
 * tick's counters), 8-byte aligned; then for a DNS event what the
 * caller's preparation made of it (prep).  Each record is written on the
 * capture's core and read on the analysis's: every line left out is a
 * line less to cross. */
typedef struct rec {
	uint32_t size; /* of the whole record, a multiple of 8; REC_WRAP: to the ring's end */
	uint8_t type;
	uint8_t counts;    /* the counters follow; else dpackets and the event's time say them */
	uint16_t dpackets; /* without counters: packets read since the record before */
	uint32_t len;      /* the record's bytes, before the preparation */
	uint32_t prep;     /* offset of the preparation in the record, 0: none */
} rec_t;

/* The counters a periodic summary prints, as the event was made.  Most
 * events change only the packets read, by a few, and the last packet's
 * time, theirs: then the header says so instead. */
typedef struct rec_counts {
	uint64_t packets, truncated_packets;
	db_time_t first_ts, last_ts;
} rec_counts_t;

/* What a record holds of its event. */
static size_t ev_size(const cap_event_t *ev)
{
	if (!ev)
		return 0;
	return ev->kind == CAP_EV_DNS ? offsetof(cap_event_t, u) + sizeof(cap_dns_t)
				      : sizeof(cap_event_t);
}

/* Where a record's event starts (a tick's bytes: it has no event): after
 * the header and its counters, if it has them. */
static size_t rec_body(int counts) { return sizeof(rec_t) + (counts ? sizeof(rec_counts_t) : 0); }

static const cap_event_t *rec_ev(const rec_t *x)
{
	return (const cap_event_t *)((const uint8_t *)x + rec_body(x->counts));
}

typedef struct tick_rec {
	cap_stats_t st;
	cap_progress_t pr;
} tick_rec_t;

typedef struct relay {
	cap_t *c;
	uint8_t *ring;
	_Atomic uint64_t head; /* bytes written, ever (published every RELAY_BATCH) */
	_Atomic uint64_t tail; /* bytes read, ever (likewise) */
	_Atomic int done;      /* cap_run has returned */
	db_waiter_t wait; /* side 0: the reader, waiting for records; 1: the capture, for room */
	/* The capture thread's. */
	rec_counts_t sent;           /* the counters as the reader knows them */
	const cap_stats_t *counters; /* cap_counters: read for every event */
	const cap_prep_t *prep;      /* or NULL */
	uint32_t prep_room;          /* prep->size rounded up to 8 */
	uint64_t w;
	unsigned unpublished;
	db_status_t result;
	char err[512];
	/* The reader's: what cap_stats and cap_progress show it. */
	cap_stats_t st;
	cap_progress_t pr;
} relay_t;

static void wake(relay_t *r, int who) { db_waiter_wake(&r->wait, who); }

static void wait_until(relay_t *r, int who, int (*ready)(void *, uint64_t), uint64_t arg)
{
	db_waiter_wait(&r->wait, who, RELAY_SPIN, ready, r, arg);
}

/* ---- the capture thread --------------------------------------------------- */

static void publish(relay_t *r)
{
	atomic_store(&r->head, r->w);
	r->unpublished = 0;
	wake(r, 0);
}

static int has_room(relay_t *r, uint64_t n)
{
	return r->w + n - atomic_load(&r->tail) <= RELAY_RING;
}

/* Once the ring is full, the capture waits until half of it is free: the
 * reader then wakes it once per half ring, not once per batch. */
static int has_half(void *r, uint64_t n)
{
	return has_room(r, n > RELAY_RING / 2 ? n : RELAY_RING / 2);
}

static void need_room(relay_t *r, uint64_t n)
{
	if (has_room(r, n))
		return;
	publish(r);
	wait_until(r, 1, has_half, n);
}

static void push(relay_t *r, uint8_t type, const cap_event_t *ev, const void *a, size_t alen)
{
	const cap_stats_t *st = r->counters;
	uint64_t moved = st->packets - r->sent.packets;
	int counts = type != REC_EVENT || moved > UINT16_MAX ||
		     st->truncated_packets != r->sent.truncated_packets ||
		     st->first_ts != r->sent.first_ts || st->last_ts != ev->ts;
	size_t evn = ev_size(ev);
	size_t head = (rec_body(counts) + evn + 7) & ~(size_t)7;
	uint64_t bytes = (head + alen + 7) & ~(uint64_t)7;
	int prep = r->prep && ev && ev->kind == CAP_EV_DNS;
	uint64_t size = bytes + (prep ? r->prep_room : 0);
	uint64_t pos = r->w % RELAY_RING;
	if (pos + size > RELAY_RING) {
		/* The ring's end: a record says so, and the next starts at 0. */
		need_room(r, RELAY_RING - pos);
		rec_t *x = (rec_t *)(r->ring + pos);
		x->size = (uint32_t)(RELAY_RING - pos);
		x->type = REC_WRAP;
		r->w += RELAY_RING - pos;
		pos = 0;
	}
	need_room(r, size);
	rec_t *x = (rec_t *)(r->ring + pos);
	x->size = (uint32_t)size;
	x->type = type;
	x->counts = (uint8_t)counts;
	x->dpackets = counts ? 0 : (uint16_t)moved;
	x->len = (uint32_t)alen;
	r->sent = (rec_counts_t){ st->packets, st->truncated_packets, st->first_ts, st->last_ts };
	if (counts)
		memcpy(x + 1, &r->sent, sizeof(r->sent));
	uint8_t *own = (uint8_t *)x + head;
	cap_event_t *e = (cap_event_t *)(void *)((uint8_t *)x + rec_body(counts));
	if (ev) {
		/* The event as the reader hands it over: its bytes are the
		 * record's own (the ring is this process's memory). */
		memcpy(e, ev, evn);
		if (ev->kind == CAP_EV_DNS)
			e->u.dns.msg = own;
		else if (ev->kind == CAP_EV_ICMP)
			e->u.icmp.payload = alen ? own : NULL;
	}
	if (alen)
		memcpy(own, a, alen);
	x->prep = 0;
	if (prep) {
		/* Prepared here, beside the analysis: the event as the reader
		 * will see it, its message already in the record. */
		x->prep = (uint32_t)bytes;
		r->prep->fn(e, (uint8_t *)x + bytes, r->prep->user);
	}
	r->w += size;
	if (++r->unpublished >= RELAY_BATCH)
		publish(r);
}

static void on_event(const cap_event_t *ev, void *user)
{
	const void *bytes = NULL;
	size_t len = 0;
	if (ev->kind == CAP_EV_DNS) {
		bytes = ev->u.dns.msg;
		len = ev->u.dns.len;
	} else if (ev->kind == CAP_EV_ICMP) {
		bytes = ev->u.icmp.payload;
		len = ev->u.icmp.payload_len;
	}
	push(user, REC_EVENT, ev, bytes, bytes ? len : 0);
}

static void on_tick(void *user)
{
	relay_t *r = user;
	tick_rec_t t;
	t.st = *cap_stats_now(r->c);
	cap_progress_now(r->c, &t.pr);
	push(r, REC_TICK, NULL, &t, sizeof(t));
}

static void *capture_thread(void *user)
{
	relay_t *r = user;
	/* Named apart from the analysis, for top -H and perf. */
	prctl(PR_SET_NAME, "dnsblame-read", 0, 0, 0);
	r->result = cap_run(r->c, on_event, r, r->err, sizeof(r->err));
	publish(r);
	atomic_store(&r->done, 1);
	db_waiter_wake_all(&r->wait);
	return NULL;
}

/* ---- the reader's thread -------------------------------------------------- */

static int has_records(void *rv, uint64_t t)
{
	relay_t *r = rv;
	return atomic_load(&r->head) != t || atomic_load(&r->done);
}

static const void *prep_of(const rec_t *x) { return x->prep ? (const uint8_t *)x + x->prep : NULL; }

static void hand_over(relay_t *r, const rec_t *x, cap_prepared_fn fn, void *user,
		      void (*tick)(void *), void *tick_user)
{
	if (x->type == REC_TICK) {
		tick_rec_t t;
		memcpy(&t, (const uint8_t *)x + rec_body(x->counts), sizeof(t));
		r->st = t.st;
		r->pr = t.pr;
		if (tick)
			tick(tick_user);
		return;
	}
	const cap_event_t *ev = rec_ev(x);
	if (x->counts) {
		rec_counts_t n;
		memcpy(&n, x + 1, sizeof(n));
		r->st.packets = n.packets;
		r->st.truncated_packets = n.truncated_packets;
		r->st.first_ts = n.first_ts;
		r->st.last_ts = n.last_ts;
	} else {
		r->st.packets += x->dpackets;
		r->st.last_ts = ev->ts;
	}
	r->pr.packets = r->st.packets;
	fn(ev, prep_of(x), user);
}

int cap_relays(const cap_t *c) { return !cap_is_live(c) && sysconf(_SC_NPROCESSORS_ONLN) >= 2; }

/* cap_run's handler when there is no second thread: nothing prepared. */
typedef struct direct {
	cap_prepared_fn fn;
	void *user;
} direct_t;

static void direct_event(const cap_event_t *ev, void *user)
{
	const direct_t *d = user;
	d->fn(ev, NULL, d->user);
}

static db_status_t run_here(cap_t *c, cap_prepared_fn fn, void *user, char *err, size_t errlen)
{
	direct_t d = { fn, user };
	return cap_run(c, direct_event, &d, err, errlen);
}

db_status_t cap_run_relayed(cap_t *c, cap_prepared_fn fn, cap_prepared_fn ahead,
			    const cap_prep_t *prep, void *user, char *err, size_t errlen)
{
	if (!cap_relays(c))
		return run_here(c, fn, user, err, errlen);
	relay_t *r = calloc(1, sizeof(*r));
	uint8_t *ring = r ? malloc(RELAY_RING) : NULL;
	if (!ring) {
		free(r);
		return run_here(c, fn, user, err, errlen);
	}
	r->c = c;
	if (prep && prep->fn && prep->size) {
		r->prep = prep;
		r->prep_room = (uint32_t)((prep->size + 7) & ~(size_t)7);
	}
	r->ring = ring;
	r->counters = cap_counters(c);
	db_waiter_init(&r->wait);
	r->st = *cap_stats_now(c);
	r->sent = (rec_counts_t){ r->st.packets, r->st.truncated_packets, r->st.first_ts,
				  r->st.last_ts };
	cap_progress_now(c, &r->pr);
	/* The capture thread's ticks become records; the caller's run here. */
	void (*tick)(void *) = on_tick;
	void *tick_user = r;
	cap_swap_tick(c, &tick, &tick_user);
	cap_set_view(c, &r->st, &r->pr);
	pthread_t th;
	if (pthread_create(&th, NULL, capture_thread, r) != 0) {
		cap_set_view(c, NULL, NULL);
		cap_swap_tick(c, &tick, &tick_user);
		db_waiter_destroy(&r->wait);
		free(ring);
		free(r);
		return run_here(c, fn, user, err, errlen);
	}
	uint64_t t = 0;
	uint64_t p = 0;    /* the next record the look-ahead sees */
	uint64_t f = 0;    /* the ring is prefetched up to here */
	unsigned seen = 0; /* records it saw that fn has not */
	unsigned n = 0;
	for (;;) {
		uint64_t h = atomic_load(&r->head);
		if (t == h) {
			atomic_store(&r->tail, t);
			wake(r, 1);
			if (atomic_load(&r->done) && t == atomic_load(&r->head))
				break;
			wait_until(r, 0, has_records, t);
			continue;
		}
		while (t != h) {
			for (; ahead && seen < RELAY_AHEAD && p != h; seen++) {
				const rec_t *y = (const rec_t *)(ring + p % RELAY_RING);
				if (y->type == REC_EVENT)
					ahead(rec_ev(y), prep_of(y), user);
				p += y->size;
			}
			/* The ring's next bytes, written on the other core:
			 * asked for before anything here reads them. */
			uint64_t want = (p > t ? p : t) + RELAY_FETCH;
			for (want = want < h ? want : h; f < want; f += 64)
				__builtin_prefetch(ring + f % RELAY_RING);
			const rec_t *x = (const rec_t *)(ring + t % RELAY_RING);
			if (x->type != REC_WRAP)
				hand_over(r, x, fn, user, tick, tick_user);
			t += x->size;
			if (ahead)
				seen--;
			if (++n % RELAY_BATCH == 0) {
				atomic_store(&r->tail, t);
				if (atomic_load(&r->head) - t <= RELAY_RING / 2)
					wake(r, 1);
			}
		}
	}
	pthread_join(th, NULL);
	cap_set_view(c, NULL, NULL);
	cap_swap_tick(c, &tick, &tick_user);
	if (err && errlen)
		snprintf(err, errlen, "%s", r->err);
	db_status_t result = r->result;
	db_waiter_destroy(&r->wait);
	free(ring);
	free(r);
	return result;
}
