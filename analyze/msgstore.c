#include "msgstore.h"

#include <stdlib.h>
#include <string.h>

#include "../common/table.h"

int msgstore_init(msgstore_t *s, size_t cap, db_time_t keep)
{
	memset(s, 0, sizeof(*s));
	/* Growing, every size is the first one times a power of two: a
	 * record that does not cross the end of a ring (they never do) does
	 * not cross the end of a ring twice its size, where growing moves it;
	 * a ring of any other size could split it, and a reader reads a
	 * record in one piece. */
	if (keep && cap > MSGSTORE_FIRST) {
		size_t c = MSGSTORE_FIRST;
		while (c <= cap / 2)
			c *= 2;
		cap = c;
	}
	s->cap = cap;
	s->keep = keep;
	s->size = keep && cap > MSGSTORE_FIRST ? MSGSTORE_FIRST : cap;
	s->ring = malloc(s->size ? s->size : 1);
	s->seg_ts = calloc(cap / MSGSTORE_SEG + 1, sizeof(*s->seg_ts));
	/* Reference 0 means "none": start writing at 1. */
	s->written = 1;
	s->valid_from = 1;
	if (!s->ring || !s->seg_ts) {
		msgstore_free(s);
		return -1;
	}
	return 0;
}

void msgstore_free(msgstore_t *s)
{
	free(s->ring);
	free(s->seg_ts);
	memset(s, 0, sizeof(*s));
}

/* The ring at n bytes (twice size or more, a multiple of it): the bytes of
 * the last lap move to where their positions fall in it, with their
 * segments' times; touch: every page written.  The record-never-wraps
 * rule holds in the larger ring (its end is a multiple of the smaller
 * one's).  0, or -1 (unchanged) when out of memory. */
static int resize(msgstore_t *s, size_t n, int touch)
{
	uint8_t *ring = malloc(n);
	db_time_t *ts = calloc(s->cap / MSGSTORE_SEG + 1, sizeof(*ts));
	if (!ring || !ts) {
		free(ring);
		free(ts);
		return -1;
	}
	if (touch)
		tbl_prefault(ring, n);
	uint64_t from = s->written > s->size ? s->written - s->size : 0;
	if (from < s->valid_from)
		from = s->valid_from;
	for (uint64_t p = from; p < s->written;) {
		size_t a = (size_t)(p % s->size), b = (size_t)(p % n);
		size_t k = (size_t)(s->written - p);
		if (k > s->size - a)
			k = s->size - a;
		if (k > n - b)
			k = n - b;
		if (k > MSGSTORE_SEG - a % MSGSTORE_SEG)
			k = MSGSTORE_SEG - a % MSGSTORE_SEG;
		memcpy(ring + b, s->ring + a, k);
		db_time_t *t = &ts[b / MSGSTORE_SEG], old = s->seg_ts[a / MSGSTORE_SEG];
		if (old > *t)
			*t = old;
		p += k;
	}
	free(s->ring);
	free(s->seg_ts);
	s->ring = ring;
	s->seg_ts = ts;
	s->valid_from = from;
	s->size = n;
	return 0;
}

int msgstore_reserve(msgstore_t *s)
{
	if (s->size < s->cap)
		return resize(s, s->cap, 1);
	if (s->written == 1)
		tbl_prefault(s->ring, s->size);
	return 0;
}

/* Whether writing into absolute segment q (position / MSGSTORE_SEG) at ts
 * overwrites answers younger than keep: what the ring holds there is the
 * previous lap's, still valid unless the ring grew past it, and its time
 * is its segment's.  Asked once, when the writing enters the segment: the
 * whole segment's old answers are then known to be old. */
static int seg_young(const msgstore_t *s, uint64_t q, db_time_t ts)
{
	uint64_t start = q * MSGSTORE_SEG;
	if (start + MSGSTORE_SEG <= s->size)
		return 0; /* the first lap: nothing there yet */
	if (start + MSGSTORE_SEG - s->size <= s->valid_from)
		return 0;
	db_time_t t = s->seg_ts[(size_t)(start % s->size) / MSGSTORE_SEG];
	return t && ts - t < s->keep;
}

uint64_t msgstore_put(msgstore_t *s, const uint8_t *msg, uint32_t len, db_time_t ts)
{
	if (!s->ring || len == 0 || len > s->cap / 4)
		return 0;
	size_t skip;
	for (;;) {
		size_t at = (size_t)(s->written % s->size);
		skip = at + len > s->size ? s->size - at : 0; /* records never wrap */
		int grow = len > s->size / 4;
		for (uint64_t q = s->seg_entered + 1;
		     !grow && s->keep && q <= (s->written + skip + len - 1) / MSGSTORE_SEG; q++)
			grow = seg_young(s, q, ts);
		if (grow && s->keep && s->size < s->cap &&
		    resize(s, s->size * 2 < s->cap ? s->size * 2 : s->cap, 0) == 0)
			continue;
		if (len > s->size / 4)
			return 0;
		break;
	}
	s->written += skip;
	uint64_t ref = s->written;
	size_t at = (size_t)(ref % s->size);
	memcpy(s->ring + at, msg, len);
	/* A segment entered now holds this lap's answers from here on. */
	for (uint64_t q = ref / MSGSTORE_SEG; q <= (ref + len - 1) / MSGSTORE_SEG; q++) {
		db_time_t *t = &s->seg_ts[(size_t)(q * MSGSTORE_SEG % s->size) / MSGSTORE_SEG];
		if (q > s->seg_entered || ts > *t)
			*t = ts;
	}
	if ((ref + len - 1) / MSGSTORE_SEG > s->seg_entered)
		s->seg_entered = (ref + len - 1) / MSGSTORE_SEG;
	s->written += len;
	return ref;
}

const uint8_t *msgstore_get(const msgstore_t *s, uint64_t ref, uint32_t len)
{
	if (!ref || !s->ring || ref < s->valid_from || ref + len > s->written ||
	    s->written - ref > s->size)
		return NULL;
	return s->ring + (size_t)(ref % s->size);
}
