/*
 * handoff.h - work handed over to a thread of its own, in order.  One
 * thread (the owner) puts records, a type and some bytes each; the
 * handoff's thread takes them, in the order they were put, and gives each
 * to the owner's `take`.  The bytes are copied through a bounded ring:
 * the owner may change them as soon as the put returns, and waits only
 * while the ring is full.
 *
 * What `take` writes is the handoff thread's until handoff_stop, which
 * returns once every record put was taken: the owner reads that state
 * only after it (or through atomics `take` publishes).
 *
 * The owner wakes the handoff thread once a quarter of the ring is
 * waiting, not for every record (a wake-up is a system call): the
 * records wait, so `take` must be work nothing needs before the stop.
 */
#ifndef DNSBLAME_HANDOFF_H
#define DNSBLAME_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

typedef struct handoff handoff_t;

/* The record of type `type`, len bytes at rec (8-byte aligned), valid
 * during the call. */
typedef void (*handoff_take_fn)(void *user, unsigned type, const void *rec, size_t len);

/* The ring's size when 0 is given. */
#define HANDOFF_RING_DEFAULT ((size_t)1 << 20)

/*
 * Starts the thread, named `name` (15 characters at most, as top -H shows
 * it).  ring: bytes of the ring (0: HANDOFF_RING_DEFAULT), made at least
 * four times max_record, the largest record to be put.  NULL when out of
 * memory or when no thread could be started: the owner then does the
 * work itself.
 */
handoff_t *handoff_start(const char *name, handoff_take_fn take, void *user, size_t max_record,
			 size_t ring);

/* Hands over len bytes at rec (len <= the max_record given), of type
 * `type` (any but UINT32_MAX, which marks the ring's end).  Waits while
 * the ring is full. */
void handoff_put(handoff_t *h, unsigned type, const void *rec, size_t len);

/* Waits until every record put was taken, ends the thread and frees h
 * (NULL: nothing). */
void handoff_stop(handoff_t *h);

#endif
