/*
 * table.h - a bounded hash table whose entries also sit on an age list.
 *
 * Every stateful part of dnsblame (transactions, TCP handshakes, IPv4
 * fragment trains, address roles) needs the same three things: find by a
 * fixed-size key, expire by capture time, and a hard cap on entries.  The
 * table provides exactly that.  Entries embed tbl_entry_t as their first
 * member; the key is keylen bytes at keyoff inside the entry.
 *
 * The table never evicts on its own: tbl_insert returns NULL when full and
 * the owner decides what eviction means (an event, a counter) before calling
 * tbl_remove(tbl_oldest()).
 *
 * The index is open-addressed (linear probing, removal by backward shift):
 * a slot holds an entry's full hash beside its pointer, and a byte array
 * beside the slots holds a tag per slot (0: empty; else 7 bits of the
 * hash), so a lookup reads the tags first, a slot only where the tag
 * agrees, and an entry only when the whole hashes agree.  The tags are a
 * sixteenth of the slots' size and stay in the processor's caches where
 * the slots do not: a lookup that misses (every new DNS query, every
 * label of a name that is not a zone cut) costs no read of memory.  Entries come
 * from chunks of CHUNK entries, reused through a free list and returned to
 * the system only by tbl_free: memory follows the most entries the table
 * held at once, at most max.
 */
#ifndef DNSBLAME_TABLE_H
#define DNSBLAME_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

typedef struct tbl_entry {
	struct tbl_entry *older; /* age list: toward the oldest (free list: next free) */
	struct tbl_entry *newer;
	uint64_t hash;
	db_time_t ts; /* insertion time (capture time) */
} tbl_entry_t;

typedef struct tbl_slot {
	uint64_t hash;
	struct tbl_entry *e; /* NULL: empty */
} tbl_slot_t;

typedef struct tbl {
	tbl_slot_t *slots;
	uint8_t *tags; /* one per slot: 0 empty, else 0x80 | the hash's top 7 bits */
	size_t nslots; /* power of two, at least twice count */
	size_t count, max;
	size_t entsize, keyoff, keylen;
	uint64_t seed; /* random per table: keys from the wire cannot be
	                           * chosen to fall on one run of slots */
	tbl_entry_t *oldest, *newest;
	uint8_t *slab;    /* tbl_reserve: max entries, allocated up front */
	uint8_t **chunks; /* otherwise entries come from these */
	size_t nchunks, chunks_cap;
	size_t carved;          /* entries handed out of the newest chunk */
	tbl_entry_t *free_list; /* unused entries, linked by older */
} tbl_t;

/* A secret for placing keys: where an entry goes depends on it, so that
 * a capture made to collide (spoofed ports and ids, chosen names) cannot
 * turn lookups into long probes.  Only speed depends on it, never output.
 * From getentropy(); the clock and salt's address when that fails. */
uint64_t tbl_seed_new(const void *salt);
/* Removal by backward shift (Knuth's algorithm R) in an open-addressed
 * array with linear probing: whether the key at slot j, whose home slot
 * is home, may move back into the gap at slot i (it may unless its home
 * lies cyclically in (i, j]).  For every such array of the project. */
static inline int tbl_may_fill(size_t home, size_t i, size_t j)
{
	return i <= j ? (home <= i || home > j) : (home <= i && home > j);
}

/* Returns 0, or -1 when the slot array cannot be allocated. */
int tbl_init(tbl_t *t, size_t entsize, size_t keyoff, size_t keylen, size_t max);
/* Allocates the table's whole size now — max entries and the slots
 * they need — and writes to every page, so that its memory is taken at
 * the start and never grows (a long live run: resident memory flat from
 * the first minute, whatever the traffic).  Entries then come from that
 * slab; no allocation is made per entry.  Call on an empty table.
 * Returns 0, or -1 when out of memory (the table still works, allocating
 * as it goes). */
int tbl_reserve(tbl_t *t);
/* Writes every page of p[0..n) now, so that it is resident: a memset of
 * zeros into calloc'd (or just malloc'd) memory may be dropped or turned
 * into a calloc by the compiler, and calloc's pages are not touched.
 * Used by the reserves of a live run. */
void tbl_prefault(void *p, size_t n);
/* Frees every entry and the slots. */
void tbl_free(tbl_t *t);

uint64_t tbl_hash(const tbl_t *t, const void *key);
/* tbl_hash for a table of that seed and key length: for a thread that
 * must not read the table while another changes it. */
uint64_t tbl_hash_seeded(uint64_t seed, size_t keylen, const void *key);
/* The hash passed with a key below is tbl_hash(t, key) for a key of 8
 * bytes or less: the table compares such keys by their hash only
 * (tbl_hash is one-to-one there).  A longer key is compared too, and may
 * come with a hash of the owner's making instead, the same for equal keys
 * and seeded with t->seed (the transactions hash their keys' fields). */
/* The first entry with this key, or NULL. */
void *tbl_find(const tbl_t *t, const void *key, uint64_t hash);
/* Prefetching, for a lookup of hash to come: the first asks the processor
 * for the tag and the slot the lookup reads first; the second, once they
 * have arrived, for the head of the entry the slot points to when its tag
 * agrees.  Hints only: nothing is changed, and a lookup that follows one
 * or neither finds the same.  Memory is read only inside the table's
 * arrays.  tbl_prefetch_entry returns the entry it asked for (or NULL),
 * for the caller to ask for more of its lines. */
void tbl_prefetch(const tbl_t *t, uint64_t hash);
const void *tbl_prefetch_entry(const tbl_t *t, uint64_t hash);
/* The next entry after e with the same key, or NULL. */
void *tbl_find_next(const tbl_t *t, const void *e);
/* A zeroed entry with the key copied in, stamped ts and placed newest; NULL
 * when the table holds max entries (evict first) or memory runs out. */
void *tbl_insert(tbl_t *t, const void *key, uint64_t hash, db_time_t ts);
/* tbl_insert, making room first by dropping the oldest entry when the
 * table is full (for tables whose entries need no farewell); *dropped, if
 * given, is incremented for each entry dropped.  NULL only when memory
 * runs out. */
void *tbl_insert_lru(tbl_t *t, const void *key, uint64_t hash, db_time_t ts, uint64_t *dropped);
/* Unlinks e and puts it on the free list. */
void tbl_remove(tbl_t *t, void *e);
/* The entry inserted longest ago, or NULL. */
void *tbl_oldest(const tbl_t *t);
/* Moves e to the newest end and restamps it (for idle timeouts). */
void tbl_touch(tbl_t *t, void *e, db_time_t ts);
/* The entry to let go to make room, by second chance (the CLOCK
 * approximation of the least recently used, which costs the owner a mark
 * per use instead of a move): from the oldest end, the first entry that
 * spare() does not spare; a spared one goes to the newest end, its time
 * kept.  spare() says whether the entry is marked (used again, or pinned)
 * and clears the mark of use; two rounds then suffice, unless every entry
 * is pinned: NULL.  The entry is not removed: the owner says farewell. */
void *tbl_second_chance(tbl_t *t, int (*spare)(void *e));

#endif
