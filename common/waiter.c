/*
 * waiter.c - two threads waiting on each other (waiter.h).  No wake-up is
 * lost: the sleeper marks itself sleeping before it looks again under the
 * lock, and the other side moves its position before it looks at the
 * mark, both sequentially consistent; so either the sleeper sees the move,
 * or the mover sees the mark and signals under the lock, which the
 * sleeper holds until it waits.
 */
#include "waiter.h"

void db_waiter_init(db_waiter_t *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	atomic_store(&w->sleeping[0], 0);
	atomic_store(&w->sleeping[1], 0);
}

void db_waiter_destroy(db_waiter_t *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

void db_waiter_wake_all(db_waiter_t *w)
{
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void db_waiter_wake(db_waiter_t *w, int who)
{
	if (db_waiter_asleep(w, who))
		db_waiter_wake_all(w);
}

void db_waiter_wait(db_waiter_t *w, int who, int spin, int (*ready)(void *ctx, uint64_t arg),
		    void *ctx, uint64_t arg)
{
	for (int i = 0; i < spin; i++)
		if (ready(ctx, arg))
			return;
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->sleeping[who], 1);
	while (!ready(ctx, arg))
		pthread_cond_wait(&w->cond, &w->lock);
	atomic_store(&w->sleeping[who], 0);
	pthread_mutex_unlock(&w->lock);
}
