/*
 * handoff.c - work handed over to a thread of its own (handoff.h).  One
 * writer (the owner) and one reader (the handoff's thread) share a ring of
 * records, each a header and its bytes; each side publishes its position,
 * and waits for the other through a waiter (waiter.h).
 */
#include "handoff.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "waiter.h"

/* Looks at the other side's position before sleeping on the condition. */
#define HANDOFF_SPIN 200

enum { REC_WRAP = 0xffffffffu };

/* A record: this header, then its len bytes, padded to 8.  Eight bytes
 * too, so that the end of the ring, whatever is left of it, holds a
 * REC_WRAP record to skip it. */
typedef struct rec {
	uint32_t len;  /* bytes after the header */
	uint32_t type; /* the owner's, or REC_WRAP */
} rec_t;

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The bytes a record of len bytes takes in the ring. */
static size_t rec_size(size_t len) { return sizeof(rec_t) + round8(len); }

struct handoff {
	uint8_t *ring;
	size_t size;
	_Atomic uint64_t head; /* bytes written, ever */
	_Atomic uint64_t tail; /* bytes taken, ever */
	_Atomic int stopping;  /* nothing more will be put */
	/* Side 0: the handoff's thread, waiting for records; 1: the owner,
	 * waiting for room. */
	db_waiter_t wait;
	pthread_t thread;
	char name[16];
	handoff_take_fn take;
	void *user;
	/* The owner's. */
	uint64_t w, tail_seen;
};

static void wake(handoff_t *h, int who) { db_waiter_wake(&h->wait, who); }

static void wait_until(handoff_t *h, int who, int (*ready)(void *, uint64_t), uint64_t arg)
{
	db_waiter_wait(&h->wait, who, HANDOFF_SPIN, ready, h, arg);
}

/* ---- the handoff's thread ------------------------------------------------- */

/* Worth waking for: a quarter of the ring, or the end.  The owner waits
 * for room only when more than that is waiting (the ring holds at least
 * four of the largest records), so it is never left waiting on a thread
 * that sleeps. */
static int worth_taking(void *hv, uint64_t r)
{
	handoff_t *h = hv;
	return atomic_load(&h->head) - r >= h->size / 4 || atomic_load(&h->stopping);
}

static void *handoff_thread(void *user)
{
	handoff_t *h = user;
	prctl(PR_SET_NAME, h->name, 0, 0, 0);
	uint64_t r = 0;
	for (;;) {
		wait_until(h, 0, worth_taking, r);
		/* Read before the head: once stopping is seen, the head read
		 * after it is the last. */
		int last = atomic_load(&h->stopping);
		uint64_t head = atomic_load(&h->head);
		while (r != head) {
			const uint8_t *p = h->ring + r % h->size;
			rec_t x;
			memcpy(&x, p, sizeof(x));
			if (x.type != REC_WRAP)
				h->take(h->user, x.type, p + sizeof(x), x.len);
			r += rec_size(x.len);
			atomic_store(&h->tail, r);
			wake(h, 1);
		}
		if (last)
			return NULL;
	}
}

/* ---- the owner's side ----------------------------------------------------- */

static int has_room(void *hv, uint64_t n)
{
	const handoff_t *h = hv;
	return h->w + n - atomic_load(&h->tail) <= h->size;
}

/* Room for n more bytes: the handoff's thread is woken if it sleeps (more
 * than a quarter of the ring is waiting when there is no room). */
static void need_room(handoff_t *h, uint64_t n)
{
	if (h->w + n - h->tail_seen <= h->size)
		return;
	h->tail_seen = atomic_load(&h->tail);
	if (h->w + n - h->tail_seen <= h->size)
		return;
	wake(h, 0);
	wait_until(h, 1, has_room, n);
	h->tail_seen = atomic_load(&h->tail);
}

void handoff_put(handoff_t *h, unsigned type, const void *rec, size_t len)
{
	size_t need = rec_size(len);
	size_t pos = h->w % h->size;
	if (pos + need > h->size) {
		/* Not across the ring's end: the rest of it is skipped (at
		 * least a header's 8 bytes, all being multiples of 8). */
		size_t skip = h->size - pos;
		need_room(h, skip);
		rec_t x = { (uint32_t)(skip - sizeof(rec_t)), REC_WRAP };
		memcpy(h->ring + pos, &x, sizeof(x));
		h->w += skip;
		atomic_store(&h->head, h->w);
		pos = 0;
	}
	need_room(h, need);
	rec_t x = { (uint32_t)len, type };
	memcpy(h->ring + pos, &x, sizeof(x));
	memcpy(h->ring + pos + sizeof(x), rec, len);
	h->w += need;
	atomic_store(&h->head, h->w);
	if (db_waiter_asleep(&h->wait, 0) && h->w - atomic_load(&h->tail) >= h->size / 4)
		wake(h, 0);
}

handoff_t *handoff_start(const char *name, handoff_take_fn take, void *user, size_t max_record,
			 size_t ring)
{
	size_t min = 4 * rec_size(max_record);
	if (!ring)
		ring = HANDOFF_RING_DEFAULT;
	ring = round8(ring < min ? min : ring);
	if (ring > UINT32_MAX)
		return NULL;
	handoff_t *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->size = ring;
	h->take = take;
	h->user = user;
	snprintf(h->name, sizeof(h->name), "%s", name);
	if (!(h->ring = malloc(ring))) {
		free(h);
		return NULL;
	}
	db_waiter_init(&h->wait);
	/* Signals are for the owner's thread (they stop a blocked read): the
	 * handoff's blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&h->thread, NULL, handoff_thread, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		db_waiter_destroy(&h->wait);
		free(h->ring);
		free(h);
		return NULL;
	}
	return h;
}

void handoff_stop(handoff_t *h)
{
	if (!h)
		return;
	atomic_store(&h->stopping, 1);
	db_waiter_wake_all(&h->wait);
	pthread_join(h->thread, NULL);
	db_waiter_destroy(&h->wait);
	free(h->ring);
	free(h);
}
