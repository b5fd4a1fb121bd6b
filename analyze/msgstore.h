/*
 * msgstore.h - the raw bytes of the upstream answers that DNSSEC checks may
 * need later (those carrying DNSKEY, DS or RRSIG records, and the answers
 * to DNSKEY and DS queries: attr_note_answer), kept in a ring.  A
 * reference stays valid until the ring wraps over it; the analysis window
 * decides how large the ring should be.
 *
 * With a `keep` time the ring starts small (MSGSTORE_FIRST) and doubles,
 * up to `cap`, only when it would overwrite an answer stored less than
 * `keep` ago (an answer the transactions still in the table may point
 * at): its memory follows the answers of the last `keep` of capture time,
 * not the length of the capture; its bound is then `cap` rounded down to
 * MSGSTORE_FIRST times a power of two (32 MiB with the defaults).
 * Without one it is `cap` bytes from the start.
 */
#ifndef DNSBLAME_MSGSTORE_H
#define DNSBLAME_MSGSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"

#define MSGSTORE_FIRST (256u << 10)
#define MSGSTORE_SEG (16u << 10) /* the ring's time is kept per segment */

typedef struct msgstore {
	uint8_t *ring;
	size_t size;          /* bytes now, a power of two times the first size */
	size_t cap;           /* bytes at most */
	db_time_t keep;       /* 0: the ring is cap bytes from the start */
	db_time_t *seg_ts;    /* per MSGSTORE_SEG of the ring: the newest answer's time */
	uint64_t written;     /* bytes ever written (absolute position) */
	uint64_t valid_from;  /* references below it are gone (the ring grew past them) */
	uint64_t seg_entered; /* absolute segment (position / MSGSTORE_SEG) last written into */
	uint64_t overwritten_msgs;
} msgstore_t;

/* cap: the ring's largest size; keep: see above (0 for none).  Returns 0,
 * or -1 when out of memory. */
int msgstore_init(msgstore_t *s, size_t cap, db_time_t keep);
void msgstore_free(msgstore_t *s);
/* The ring at its whole size now, written to (a live run: memory taken at
 * the start).  0, or -1 when out of memory (the store still works). */
int msgstore_reserve(msgstore_t *s);
/* Copies msg[0..len), an answer that came at ts, in; returns its
 * reference (never 0), or 0 when it does not fit (len > cap / 4). */
uint64_t msgstore_put(msgstore_t *s, const uint8_t *msg, uint32_t len, db_time_t ts);
/* The bytes of reference ref, or NULL when the ring has wrapped over them. */
const uint8_t *msgstore_get(const msgstore_t *s, uint64_t ref, uint32_t len);

#endif
