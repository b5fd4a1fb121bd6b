/*
 * lister.c - the verdicts' lists filled on a thread of their own
 * (lister.h).  One writer (the analysis) and one reader (the lister's
 * thread) share a ring of records, each a verdict's used bytes behind a
 * header; each side publishes its position, and sleeps on the condition
 * only after looking a while.  The analysis wakes the lister once a
 * quarter of the ring is waiting, not for every verdict: a wake-up is a
 * system call, and the lists have no reader before the end.
 */
#include "lister.h"

#include "../common/waiter.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

/* Looks at the other side's position before sleeping on the condition. */
#define LISTER_SPIN 200

enum { REC_VERDICT = 0, REC_WRAP = 1 };

typedef struct rec {
	uint32_t size; /* of the whole record, a multiple of 8; REC_WRAP: to the ring's end */
	uint32_t type;
} rec_t;

struct lister {
	uint8_t *ring;
	size_t size;
	_Atomic uint64_t head; /* bytes written, ever */
	_Atomic uint64_t tail; /* bytes listed, ever */
	_Atomic int stopping;  /* nothing more will be handed over */
	db_waiter_t wait; /* side 0: the lister, waiting for verdicts; 1: the analysis, for room */
	_Atomic uint64_t dropped[2];
	pthread_t thread;
	/* The analysis's. */
	uint64_t w, tail_seen;
	/* The lister's. */
	vdlist_t *list, *pending;
	verdict_t *scratch;
};

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* What a verdict takes in the ring, at most. */
static size_t max_record(void) { return sizeof(rec_t) + round8(sizeof(verdict_t)); }

static size_t used_bytes(const verdict_t *v)
{
	size_t n_up = v->n_up < VD_MAX_UPSTREAM ? v->n_up : VD_MAX_UPSTREAM;
	return offsetof(verdict_t, up) + n_up * sizeof(v->up[0]);
}

static void wake(lister_t *l, int who) { db_waiter_wake(&l->wait, who); }

static void wait_until(lister_t *l, int who, int (*ready)(void *, uint64_t), uint64_t arg)
{
	db_waiter_wait(&l->wait, who, LISTER_SPIN, ready, l, arg);
}

/* ---- the lister's thread -------------------------------------------------- */

/* Worth waking for: a quarter of the ring, or the end.  The analysis waits
 * for room only when more than that is waiting (the ring holds at least
 * four of the largest records), so it is never left waiting on a lister
 * that sleeps. */
static int worth_listing(void *lv, uint64_t r)
{
	lister_t *l = lv;
	return atomic_load(&l->head) - r >= l->size / 4 || atomic_load(&l->stopping);
}

static void publish_dropped(lister_t *l)
{
	atomic_store_explicit(&l->dropped[0], l->list->dropped, memory_order_relaxed);
	atomic_store_explicit(&l->dropped[1], l->pending->dropped, memory_order_relaxed);
}

static void *lister_thread(void *user)
{
	lister_t *l = user;
	/* Named apart, for top -H and perf. */
	prctl(PR_SET_NAME, "dnsblame-list", 0, 0, 0);
	uint64_t r = 0;
	for (;;) {
		wait_until(l, 0, worth_listing, r);
		/* Read after the head: once stopping is seen, the head it
		 * reads is the last. */
		int last = atomic_load(&l->stopping);
		uint64_t head = atomic_load(&l->head);
		while (r != head) {
			const uint8_t *p = l->ring + r % l->size;
			rec_t h;
			memcpy(&h, p, sizeof(h));
			if (h.type == REC_VERDICT) {
				size_t n = h.size - sizeof(h);
				memcpy(l->scratch, p + sizeof(h), n);
				vdlist_add(l->scratch->kind == VD_KIND_PENDING ? l->pending
									       : l->list,
					   l->scratch);
			}
			r += h.size;
			atomic_store(&l->tail, r);
			wake(l, 1);
		}
		publish_dropped(l);
		if (last)
			return NULL;
	}
}

/* ---- the analysis's side -------------------------------------------------- */

static int has_room(void *lv, uint64_t n)
{
	const lister_t *l = lv;
	return l->w + n - atomic_load(&l->tail) <= l->size;
}

/* Room for n more bytes: the lister is woken if it sleeps (more than a
 * quarter of the ring is waiting when there is no room). */
static void need_room(lister_t *l, uint64_t n)
{
	if (l->w + n - l->tail_seen <= l->size)
		return;
	l->tail_seen = atomic_load(&l->tail);
	if (l->w + n - l->tail_seen <= l->size)
		return;
	wake(l, 0);
	wait_until(l, 1, has_room, n);
	l->tail_seen = atomic_load(&l->tail);
}

void lister_put(lister_t *l, const verdict_t *v)
{
	size_t n = used_bytes(v), need = sizeof(rec_t) + round8(n);
	size_t pos = l->w % l->size;
	if (pos + need > l->size) {
		/* Not across the ring's end: the rest of it is skipped. */
		size_t skip = l->size - pos;
		need_room(l, skip);
		rec_t h = { (uint32_t)skip, REC_WRAP };
		memcpy(l->ring + pos, &h, sizeof(h));
		l->w += skip;
		atomic_store(&l->head, l->w);
		pos = 0;
	}
	need_room(l, need);
	rec_t h = { (uint32_t)need, REC_VERDICT };
	memcpy(l->ring + pos, &h, sizeof(h));
	memcpy(l->ring + pos + sizeof(h), v, n);
	l->w += need;
	atomic_store(&l->head, l->w);
	if (db_waiter_asleep(&l->wait, 0) && l->w - atomic_load(&l->tail) >= l->size / 4)
		wake(l, 0);
}

void lister_dropped(const lister_t *l, uint64_t *list, uint64_t *pending)
{
	*list = atomic_load_explicit(&l->dropped[0], memory_order_relaxed);
	*pending = atomic_load_explicit(&l->dropped[1], memory_order_relaxed);
}

lister_t *lister_start(vdlist_t *list, vdlist_t *pending, size_t ring)
{
	size_t min = 4 * max_record();
	if (!ring)
		ring = LISTER_RING_DEFAULT;
	ring = round8(ring < min ? min : ring);
	lister_t *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->size = ring;
	l->list = list;
	l->pending = pending;
	if (!(l->ring = malloc(ring)) || !(l->scratch = malloc(sizeof(verdict_t)))) {
		free(l->ring);
		free(l);
		return NULL;
	}
	publish_dropped(l);
	db_waiter_init(&l->wait);
	/* Signals are for the analysis's thread (they stop a blocked read):
	 * the lister's blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&l->thread, NULL, lister_thread, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		db_waiter_destroy(&l->wait);
		free(l->scratch);
		free(l->ring);
		free(l);
		return NULL;
	}
	return l;
}

void lister_stop(lister_t *l)
{
	if (!l)
		return;
	atomic_store(&l->stopping, 1);
	db_waiter_wake_all(&l->wait);
	pthread_join(l->thread, NULL);
	db_waiter_destroy(&l->wait);
	free(l->scratch);
	free(l->ring);
	free(l);
}
