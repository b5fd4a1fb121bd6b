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

/* A record in the ring: this header, then its bytes (an event's message or
 * quoted payload, or a tick's counters), 8-byte aligned, then for a DNS
 * event what the caller's preparation made of it (prep). */
typedef struct rec {
	uint32_t size; /* of the whole record, a multiple of 8; REC_WRAP: to the ring's end */
	uint8_t type;
	uint32_t len;  /* bytes after the header, before the preparation */
	uint32_t prep; /* offset of the preparation in the record, 0: none */
	/* The counters a periodic summary prints, as the event was made. */
	uint64_t packets, truncated_packets;
	db_time_t first_ts, last_ts;
	/* Last: of a DNS event (most records) only what a DNS event has is
	 * written, up to u.dns, and its message follows at once (rec_head):
	 * a line less to cross from one core to the other.  Its message or
	 * quoted payload points at the record's bytes. */
	cap_event_t ev;
} rec_t;

/* Where a record's bytes start: after its header, which for a DNS event
 * ends with the event's u.dns. */
#define REC_DNS_HEAD                                                                               \
	((offsetof(rec_t, ev) + offsetof(cap_event_t, u) + sizeof(cap_dns_t) + 7) & ~(size_t)7)

static size_t rec_head(uint8_t type, const cap_event_t *ev)
{
	return type == REC_EVENT && ev && ev->kind == CAP_EV_DNS ? REC_DNS_HEAD : sizeof(rec_t);
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
	size_t head = rec_head(type, ev);
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
	x->len = (uint32_t)alen;
	uint8_t *own = (uint8_t *)x + head;
	if (ev) {
		/* The event as the reader hands it over: its bytes are the
		 * record's own (the ring is this process's memory). */
		memcpy(&x->ev, ev, head - offsetof(rec_t, ev));
		if (ev->kind == CAP_EV_DNS)
			x->ev.u.dns.msg = own;
		else if (ev->kind == CAP_EV_ICMP)
			x->ev.u.icmp.payload = alen ? own : NULL;
	}
	const cap_stats_t *st = r->counters;
	x->packets = st->packets;
	x->truncated_packets = st->truncated_packets;
	x->first_ts = st->first_ts;
	x->last_ts = st->last_ts;
	if (alen)
		memcpy(own, a, alen);
	x->prep = 0;
	if (prep) {
		/* Prepared here, beside the analysis: the event as the reader
		 * will see it, its message already in the record. */
		x->prep = (uint32_t)bytes;
		r->prep->fn(&x->ev, (uint8_t *)x + bytes, r->prep->user);
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
		memcpy(&t, (const uint8_t *)x + rec_head(REC_TICK, NULL), sizeof(t));
		r->st = t.st;
		r->pr = t.pr;
		if (tick)
			tick(tick_user);
		return;
	}
	r->st.packets = x->packets;
	r->st.truncated_packets = x->truncated_packets;
	r->st.first_ts = x->first_ts;
	r->st.last_ts = x->last_ts;
	r->pr.packets = x->packets;
	fn(&x->ev, prep_of(x), user);
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
					ahead(&y->ev, prep_of(y), user);
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
