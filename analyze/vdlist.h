/*
 * vdlist.h - verdicts kept packed in compressed blocks: the list of those
 * the report shows whole (vdlist_t), and the stash of those made ahead of
 * time and set aside until they are given (vdstash_t).
 *
 * The list holds the verdicts in the order they were made, in bounded
 * memory: the latest `cap` of them (keep_latest) or the first `cap`.
 *
 * Each verdict is packed (vd_pack) and the packed verdicts are gathered in
 * blocks of VDL_BLOCK, compressed when a block is full (cz_block_pack):
 * verdicts in a list repeat the same names, servers and causes, and a
 * block of them shrinks to about a third (on the benchmark's captures, 112
 * bytes a verdict instead of 381, so 2.2 MB for the 20,000 listed by
 * default instead of 7.6).  The reports read the list in order: vdlist_at
 * decompresses a block once and keeps it while the reads stay in it.
 */
#ifndef DNSBLAME_VDLIST_H
#define DNSBLAME_VDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

#define VDL_BLOCK 64 /* verdicts a block */

typedef struct vdl_block {
	uint8_t *bytes; /* compressed, or as packed when raw */
	uint32_t zlen;  /* bytes held */
	uint32_t len;   /* bytes once decompressed */
	uint8_t raw;    /* could not be compressed (out of memory): kept as packed */
} vdl_block_t;

typedef struct vdl_reader vdl_reader_t;

/* The block being filled: each packed verdict behind its length (4 bytes,
 * host order). */
typedef struct vdl_open {
	uint8_t *bytes;
	size_t len, cap;
} vdl_open_t;

typedef struct vdlist {
	size_t cap, n;    /* listed now: at most cap */
	int keep_latest;  /* full: the oldest leaves (else the new one is not listed) */
	uint64_t dropped; /* made but not (or no longer) listed */
	uint64_t added;   /* verdicts ever listed; verdict k is in block k / VDL_BLOCK */
	uint64_t oldest;  /* number of the oldest closed block still held */
	vdl_block_t *blk; /* closed blocks, block b in blk[b % nblk] */
	size_t nblk;
	vdl_open_t open;
	vdl_reader_t *rd; /* what vdlist_at decompressed, and its verdict */
} vdlist_t;

/* Returns 0, or -1 when out of memory. */
int vdlist_init(vdlist_t *l, size_t cap, int keep_latest);
void vdlist_free(vdlist_t *l);
/* Lists v (a copy) as the newest; a verdict that cannot be kept (list
 * full and !keep_latest, out of memory) is counted in dropped. */
void vdlist_add(vdlist_t *l, const verdict_t *v);
/* The i-th listed verdict, 0 the oldest, i < n.  Valid until the next
 * call on the list.  Reading needs no memory (the room to decompress a
 * block is made when it is closed); NULL only when a block does not
 * decompress as it was written, which would be a bug. */
const verdict_t *vdlist_at(const vdlist_t *l, size_t i);
/* Bytes the list holds (blocks and the open block): what its tests
 * measure of the compression. */
size_t vdlist_bytes(const vdlist_t *l);

/*
 * The stash: verdicts made ahead of their time (a client query still
 * unanswered midway through its window is judged while its upstream
 * attempts are still held) and kept until the owner gives or drops them,
 * mostly in the order they were put.  The same blocks as the list; a
 * closed block goes when every verdict in it was released.  A busy
 * resolver keeps a few thousand there, of some 800 bytes each packed
 * (they carry every attempt of a query that was never answered), about a
 * third of that in blocks.
 */
typedef struct vdstash {
	vdl_block_t *blk; /* block b in blk[b % nblk], from first to next */
	uint16_t *live;   /* per block: verdicts not released yet */
	size_t nblk;      /* doubles when the blocks held fill it */
	uint64_t first;   /* oldest block held */
	uint64_t next;    /* the open block's number */
	uint32_t open_n;  /* verdicts in the open block */
	vdl_open_t open;
	vdl_reader_t *rd;
	uint64_t held;    /* verdicts put and not released */
	uint64_t dropped; /* not stashed: out of memory */
} vdstash_t;

/* 0, or -1 when out of memory. */
int vdstash_init(vdstash_t *s);
/* Frees every verdict still held. */
void vdstash_free(vdstash_t *s);
/* A copy of v kept; its reference (never 0), or 0 when out of memory
 * (counted in dropped). */
uint64_t vdstash_put(vdstash_t *s, const verdict_t *v);
/* The verdict ref refers to, unpacked into *out (whole, as vd_unpack);
 * out, or NULL for 0 or a block released.  ref must not have been
 * released. */
const verdict_t *vdstash_get(const vdstash_t *s, uint64_t ref, verdict_t *out);
/* ref (0 accepted) will not be read again. */
void vdstash_release(vdstash_t *s, uint64_t ref);
/* Bytes the stash holds (blocks and the open block), as vdlist_bytes. */
size_t vdstash_bytes(const vdstash_t *s);

#endif
