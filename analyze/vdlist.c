/*
 * vdlist.c - verdicts kept packed in compressed blocks (vdlist.h): the
 * list the report reads, and the stash of verdicts set aside.
 */
#include "vdlist.h"

#include <stdlib.h>
#include <string.h>

#include "../capture/compress.h"

struct vdl_reader {
	cz_packer_t *packer; /* compresses and decompresses the blocks */
	uint64_t block;      /* the block in buf, plus one; 0: none */
	uint8_t *buf;
	size_t buf_cap;
	verdict_t *v; /* vdlist_at unpacks there */
};

/* ---- blocks, shared by the list and the stash ----------------------------- */

static vdl_reader_t *reader_new(void)
{
	vdl_reader_t *rd = calloc(1, sizeof(*rd));
	if (rd && (!(rd->v = malloc(sizeof(verdict_t))) || !(rd->packer = cz_packer_new()))) {
		free(rd->v);
		free(rd);
		return NULL;
	}
	return rd;
}

static void reader_free(vdl_reader_t *rd)
{
	if (!rd)
		return;
	cz_packer_free(rd->packer);
	free(rd->buf);
	free(rd->v);
	free(rd);
}

/* v packed, behind its length, at the end of the open block.  0, or -1
 * when out of memory (the block unchanged). */
static int open_append(vdl_open_t *o, const verdict_t *v)
{
	size_t bytes;
	uint8_t *c = vd_pack(v, &bytes);
	if (!c || bytes > UINT32_MAX / 2) {
		free(c);
		return -1;
	}
	if (o->len + 4 + bytes > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + 4 + bytes)
			cap *= 2;
		uint8_t *nb = realloc(o->bytes, cap);
		if (!nb) {
			free(c);
			return -1;
		}
		o->bytes = nb;
		o->cap = cap;
	}
	uint32_t n32 = (uint32_t)bytes;
	memcpy(o->bytes + o->len, &n32, 4);
	memcpy(o->bytes + o->len + 4, c, bytes);
	o->len += 4 + bytes;
	free(c);
	return 0;
}

/* The open block is full: compressed into b, and emptied; when it cannot
 * be compressed it becomes b as it is.  The room to read b back is made
 * now, so that reading never needs memory. */
static void block_close(vdl_reader_t *rd, vdl_block_t *b, vdl_open_t *o)
{
	size_t zlen = 0;
	uint8_t *z = NULL;
	if (o->len > rd->buf_cap) {
		uint8_t *nb = realloc(rd->buf, o->len);
		if (nb) {
			rd->buf = nb;
			rd->buf_cap = o->len;
		}
	}
	if (o->len <= rd->buf_cap)
		z = cz_block_pack(rd->packer, o->bytes, o->len, &zlen);
	b->len = (uint32_t)o->len;
	if (z) {
		b->bytes = z;
		b->zlen = (uint32_t)zlen;
		b->raw = 0;
		o->len = 0;
		return;
	}
	b->bytes = o->bytes;
	b->zlen = b->len;
	b->raw = 1;
	memset(o, 0, sizeof(*o));
}

/* Verdict k of block number bn, unpacked into out: in b when closed,
 * else in the open block.  NULL when the block does not read back as
 * written (a bug). */
static const verdict_t *block_verdict(vdl_reader_t *rd, const vdl_block_t *b, uint64_t bn,
				      const vdl_open_t *o, uint64_t k, verdict_t *out)
{
	const uint8_t *p, *end;
	if (!b) {
		p = o->bytes;
		end = o->bytes + o->len;
	} else {
		if (b->raw) {
			p = b->bytes;
		} else {
			if (rd->block != bn + 1) {
				rd->block = 0;
				if (b->len > rd->buf_cap ||
				    cz_block_unpack(rd->packer, b->bytes, b->zlen, rd->buf,
						    b->len) < 0)
					return NULL;
				rd->block = bn + 1;
			}
			p = rd->buf;
		}
		end = p + b->len;
	}
	/* The blocks are ours; the walk stays inside them all the same. */
	for (;; k--) {
		uint32_t len;
		if ((size_t)(end - p) < 4)
			return NULL;
		memcpy(&len, p, 4);
		if ((size_t)(end - p) - 4 < len)
			return NULL;
		if (!k) {
			vd_unpack(p + 4, out);
			return out;
		}
		p += 4 + len;
	}
}

/* ---- the list ------------------------------------------------------------ */

int vdlist_init(vdlist_t *l, size_t cap, int keep_latest)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap;
	l->keep_latest = keep_latest;
	/* The closed blocks held span the listed verdicts' blocks but the
	 * open one: at most cap / VDL_BLOCK + 1 of them. */
	l->nblk = cap / VDL_BLOCK + 2;
	l->blk = calloc(l->nblk, sizeof(*l->blk));
	l->rd = reader_new();
	if (!l->blk || !l->rd) {
		vdlist_free(l);
		return -1;
	}
	return 0;
}

void vdlist_free(vdlist_t *l)
{
	if (l->blk)
		for (size_t i = 0; i < l->nblk; i++)
			free(l->blk[i].bytes);
	free(l->blk);
	free(l->open.bytes);
	reader_free(l->rd);
	memset(l, 0, sizeof(*l));
}

/* Frees the closed blocks that hold no listed verdict any more. */
static void release(vdlist_t *l)
{
	uint64_t first = (l->added - l->n) / VDL_BLOCK, open = l->added / VDL_BLOCK;
	while (l->oldest < first && l->oldest < open) {
		vdl_block_t *b = &l->blk[l->oldest % l->nblk];
		free(b->bytes);
		memset(b, 0, sizeof(*b));
		l->oldest++;
	}
}

void vdlist_add(vdlist_t *l, const verdict_t *v)
{
	if (!l->cap || (l->n == l->cap && !l->keep_latest) || open_append(&l->open, v) < 0) {
		l->dropped++;
		return;
	}
	if (l->n == l->cap) {
		/* Full: the oldest listed one leaves the list (it was counted,
		 * and streamed). */
		l->n--;
		l->dropped++;
	}
	l->n++;
	l->added++;
	if (l->added % VDL_BLOCK == 0)
		block_close(l->rd, &l->blk[(l->added / VDL_BLOCK - 1) % l->nblk], &l->open);
	release(l);
}

const verdict_t *vdlist_at(const vdlist_t *l, size_t i)
{
	uint64_t k = l->added - l->n + i, b = k / VDL_BLOCK;
	const vdl_block_t *blk = b == l->added / VDL_BLOCK ? NULL : &l->blk[b % l->nblk];
	return block_verdict(l->rd, blk, b, &l->open, k % VDL_BLOCK, l->rd->v);
}

size_t vdlist_bytes(const vdlist_t *l)
{
	size_t n = l->open.cap;
	for (uint64_t b = l->oldest; b < l->added / VDL_BLOCK; b++)
		n += l->blk[b % l->nblk].zlen;
	return n;
}

/* ---- the stash ----------------------------------------------------------- */

int vdstash_init(vdstash_t *s)
{
	memset(s, 0, sizeof(*s));
	s->rd = reader_new();
	return s->rd ? 0 : -1;
}

void vdstash_free(vdstash_t *s)
{
	for (uint64_t b = s->first; b < s->next && s->blk; b++)
		free(s->blk[b % s->nblk].bytes);
	free(s->blk);
	free(s->live);
	free(s->open.bytes);
	reader_free(s->rd);
	memset(s, 0, sizeof(*s));
}

/* Room for one more closed block: the ring of blocks doubles when the
 * blocks from the oldest held to the open one fill it.  0, or -1. */
static int stash_room(vdstash_t *s)
{
	if (s->next - s->first + 1 <= s->nblk)
		return 0;
	size_t n = s->nblk ? 2 * s->nblk : 16;
	vdl_block_t *blk = calloc(n, sizeof(*blk));
	uint16_t *live = calloc(n, sizeof(*live));
	if (!blk || !live) {
		free(blk);
		free(live);
		return -1;
	}
	for (uint64_t b = s->first; b <= s->next && s->nblk; b++) {
		blk[b % n] = s->blk[b % s->nblk];
		live[b % n] = s->live[b % s->nblk];
	}
	free(s->blk);
	free(s->live);
	s->blk = blk;
	s->live = live;
	s->nblk = n;
	return 0;
}

uint64_t vdstash_put(vdstash_t *s, const verdict_t *v)
{
	if (stash_room(s) < 0 || open_append(&s->open, v) < 0) {
		s->dropped++;
		return 0;
	}
	uint64_t ref = s->next * VDL_BLOCK + s->open_n + 1;
	s->live[s->next % s->nblk]++;
	s->held++;
	if (++s->open_n == VDL_BLOCK) {
		block_close(s->rd, &s->blk[s->next % s->nblk], &s->open);
		s->open_n = 0;
		s->next++;
	}
	return ref;
}

const verdict_t *vdstash_get(const vdstash_t *s, uint64_t ref, verdict_t *out)
{
	if (!ref)
		return NULL;
	uint64_t b = (ref - 1) / VDL_BLOCK;
	if (b < s->first || b > s->next)
		return NULL;
	const vdl_block_t *blk = b == s->next ? NULL : &s->blk[b % s->nblk];
	if (blk && !blk->bytes)
		return NULL;
	return block_verdict(s->rd, blk, b, &s->open, (ref - 1) % VDL_BLOCK, out);
}

void vdstash_release(vdstash_t *s, uint64_t ref)
{
	if (!ref)
		return;
	uint64_t b = (ref - 1) / VDL_BLOCK;
	if (b < s->first || b > s->next || !s->live[b % s->nblk])
		return;
	s->held--;
	if (--s->live[b % s->nblk] || b == s->next)
		return;
	/* A closed block whose verdicts were all released goes; the oldest
	 * held moves past every block gone. */
	vdl_block_t *blk = &s->blk[b % s->nblk];
	free(blk->bytes);
	memset(blk, 0, sizeof(*blk));
	while (s->first < s->next && !s->blk[s->first % s->nblk].bytes)
		s->first++;
}

size_t vdstash_bytes(const vdstash_t *s)
{
	size_t n = s->open.cap;
	for (uint64_t b = s->first; b < s->next; b++)
		n += s->blk[b % s->nblk].zlen;
	return n;
}
