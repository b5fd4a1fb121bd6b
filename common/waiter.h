/*
 * waiter.h - two threads, each waiting in turn for the other to move: the
 * capture thread and the analysis (capture/relay.c), the analysis and the
 * lister (analyze/lister.c).  Each side publishes its position in an
 * atomic of its own and looks at the other's a while before it sleeps on
 * the condition; the other side, having moved, wakes it only when it
 * finds it sleeping, so that two sides that keep up with each other make
 * no system call.
 */
#ifndef DNSBLAME_WAITER_H
#define DNSBLAME_WAITER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct db_waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	_Atomic int sleeping[2]; /* side 0 or 1 asleep on cond */
} db_waiter_t;

void db_waiter_init(db_waiter_t *w);
void db_waiter_destroy(db_waiter_t *w);

/* Side `who` sleeps (a load of the mark only). */
static inline int db_waiter_asleep(db_waiter_t *w, int who)
{
	return atomic_load(&w->sleeping[who]);
}
/* Side `who` is woken if it sleeps (called after moving a position it
 * may be waiting for). */
void db_waiter_wake(db_waiter_t *w, int who);
/* Both sides are woken, asleep or not (the end of the run). */
void db_waiter_wake_all(db_waiter_t *w);

/* Side `who` waits until ready(ctx, arg) holds: `spin` looks, then asleep
 * until the other side, having moved, finds it sleeping.  ready reads
 * only atomics the other side stores before it calls db_waiter_wake. */
void db_waiter_wait(db_waiter_t *w, int who, int spin, int (*ready)(void *ctx, uint64_t arg),
		    void *ctx, uint64_t arg);

#endif
