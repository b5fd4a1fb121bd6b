/*
 * openq.h - the open client query of each question and of each zone.
 *
 * A client query that arrives while no other query of its question (the
 * same name and type) is open becomes the question's open query, until it
 * is judged; the same for the zone its name is in.  The verdict of a later
 * query that fails at once, with no attempt of its own, asks for them
 * (attribute.c): the open query is the failure it repeats.
 *
 * Every client query registers here and nearly every one leaves within
 * milliseconds, answered, so the structure is made for that churn.  Each
 * of the two maps is open-addressed over slots of (key, query) and nothing
 * else: no entry to clear, no age list whose neighbours a removal writes;
 * a byte of tag per slot, read first, keeps the lookup of a key that is
 * not there (most registrations) within a small array.
 * The order of registration, which a full map's eviction and the expiry
 * follow, is kept apart in a log: one record per query that holds a
 * question, a zone or both, appended as it registers, compacted as
 * queries leave.  A query knows its record (txn_t.open_at).
 *
 * The maps hold only queries not judged yet: the owner calls openq_drop
 * when it judges a query that openq_note registered, so a query they
 * return is still in the transaction table.  Memory: at most max_questions
 * and max_zones entries, and a log of at most four times their sum (and
 * 16,384 records at least).
 */
#ifndef DNSBLAME_OPENQ_H
#define DNSBLAME_OPENQ_H

#include <stddef.h>
#include <stdint.h>

#include "txn.h"

/* The two maps, as bits: what openq_note registered, what a record holds. */
enum { OPENQ_QUESTION = 1, OPENQ_ZONE = 2 };

typedef struct openq_slot { /* read only where its tag is not 0 */
	uint64_t key;
	txn_t *q;
} openq_slot_t;

typedef struct openq_map {
	openq_slot_t *slots;
	uint8_t *tags; /* one per slot: 0 empty, else 0x80 | 7 bits of the key */
	size_t nslots; /* a power of two, at least twice count */
	size_t count, max;
	uint64_t seed; /* random: keys from the wire cannot be chosen to
	                 * fall on one run of slots */
	size_t cursor; /* no record before it in the log holds this map */
} openq_map_t;

typedef struct openq_rec {
	txn_t *q;
	uint64_t key[2]; /* its question's key, its zone's (0: none) */
	uint8_t holds;   /* OPENQ_* bits of the maps it still holds */
} openq_rec_t;

typedef struct openq {
	openq_map_t map[2]; /* [0] questions, [1] zones */
	openq_rec_t *log;   /* records [head, n), in the order of registration */
	size_t head, n, cap, log_max;
} openq_t;

/* Returns 0, or -1 when out of memory. */
int openq_init(openq_t *o, size_t max_questions, size_t max_zones);
/* Allocates the maps' slots and a log for the limits now, and writes
 * every page (a live run: memory taken at the start).  Returns 0, or -1
 * when out of memory (the maps still work, allocating as they grow). */
int openq_reserve(openq_t *o);
void openq_free(openq_t *o);

/* Registers q (a client query, just arrived) as the open query of the
 * question key kq, and of the zone key kz unless kz is 0, in each map
 * where no query is registered under that key.  A full map first lets
 * its oldest registration go.  Returns the OPENQ_* bits of the maps q was
 * registered in (0: none, and openq_drop need not be called). */
unsigned openq_note(openq_t *o, txn_t *q, uint64_t kq, uint64_t kz);
/* q, registered by openq_note, is judged: it leaves the maps it still
 * holds (an eviction or the expiry may have taken it out of one). */
void openq_drop(openq_t *o, const txn_t *q);
/* Asks the processor for what openq_drop(q) will read, q's question key
 * and zone key (0: none) given.  Hint only. */
void openq_ahead(const openq_t *o, const txn_t *q, uint64_t kq, uint64_t kz);
/* The query registered under key k in the map OPENQ_QUESTION or
 * OPENQ_ZONE, or NULL. */
txn_t *openq_get(const openq_t *o, unsigned map, uint64_t k);
/* Registrations made for queries asked more than window before now
 * leave, oldest first, in each map until the oldest is younger. */
void openq_expire(openq_t *o, db_time_t now, db_time_t window);

#endif
