/*
 * lister.h - the verdicts' lists filled on a thread of their own.
 *
 * Listing a verdict (vdlist_add: packing it, then compressing every block
 * of 64) costs the analysis some 6% of its time on a busy capture, for
 * verdicts that at 20 million packets mostly leave the list again before
 * the report reads it.  Nothing but the report at the end reads the
 * lists, so with a second CPU the analysis hands each verdict over (a
 * copy of its used part through a bounded ring) and a thread of the
 * lister's own lists it, while the CPU the capture thread leaves idle
 * has time to spare.
 *
 * The lists are the lister's from lister_start to lister_stop: the owner
 * reads them only after lister_stop, and then finds in them exactly what
 * vdlist_add, called in the same order, would have put there.
 */
#ifndef DNSBLAME_LISTER_H
#define DNSBLAME_LISTER_H

#include <stddef.h>
#include <stdint.h>

#include "vdlist.h"

typedef struct lister lister_t;

/* The ring's size when 0 is given: some two hundred verdicts. */
#define LISTER_RING_DEFAULT ((size_t)1 << 20)

/*
 * Starts the thread that lists into `list` the verdicts handed over, and
 * into `pending` those of kind VD_KIND_PENDING.  ring: bytes of the ring
 * (0: LISTER_RING_DEFAULT; at least two of the largest verdicts, it is
 * rounded up to that).  NULL when out of memory or when no thread could be
 * started: the caller then lists verdicts itself.
 */
lister_t *lister_start(vdlist_t *list, vdlist_t *pending, size_t ring);

/* Hands v over (copied: v may change as soon as this returns).  Waits
 * while the ring is full. */
void lister_put(lister_t *l, const verdict_t *v);

/* The verdicts not listed so far (vdlist_t.dropped of each list, as the
 * lister last published them): for a summary made while it runs. */
void lister_dropped(const lister_t *l, uint64_t *list, uint64_t *pending);

/* Waits until every verdict handed over is listed, ends the thread and
 * frees l (NULL: nothing). */
void lister_stop(lister_t *l);

#endif
