/*
 * vdlist.c - verdicts listed whole, compressed by blocks (vdlist.h).
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

int vdlist_init(vdlist_t *l, size_t cap, int keep_latest)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap;
	l->keep_latest = keep_latest;
	/* The closed blocks held span the listed verdicts' blocks but the
	 * open one: at most cap / VDL_BLOCK + 1 of them. */
	l->nblk = cap / VDL_BLOCK + 2;
	l->blk = calloc(l->nblk, sizeof(*l->blk));
	l->rd = calloc(1, sizeof(*l->rd));
	if (!l->blk || !l->rd || !(l->rd->v = malloc(sizeof(verdict_t))) ||
	    !(l->rd->packer = cz_packer_new())) {
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
	free(l->open);
	if (l->rd) {
		cz_packer_free(l->rd->packer);
		free(l->rd->buf);
		free(l->rd->v);
		free(l->rd);
	}
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

/* The open block is full: compressed, it joins the closed ones; when it
 * cannot be compressed it is kept as it is. */
static void close_block(vdlist_t *l)
{
	vdl_block_t *b = &l->blk[(l->added / VDL_BLOCK - 1) % l->nblk];
	vdl_reader_t *rd = l->rd;
	size_t zlen = 0;
	uint8_t *z = NULL;
	/* The room to read it back is made now, so that reading never
	 * needs memory. */
	if (l->open_len > rd->buf_cap) {
		uint8_t *nb = realloc(rd->buf, l->open_len);
		if (nb) {
			rd->buf = nb;
			rd->buf_cap = l->open_len;
		}
	}
	if (l->open_len <= rd->buf_cap)
		z = cz_block_pack(rd->packer, l->open, l->open_len, &zlen);
	b->len = (uint32_t)l->open_len;
	if (z) {
		b->bytes = z;
		b->zlen = (uint32_t)zlen;
		b->raw = 0;
		l->open_len = 0;
		return;
	}
	b->bytes = l->open;
	b->zlen = b->len;
	b->raw = 1;
	l->open = NULL;
	l->open_len = l->open_cap = 0;
}

void vdlist_add(vdlist_t *l, const verdict_t *v)
{
	if (!l->cap || (l->n == l->cap && !l->keep_latest)) {
		l->dropped++;
		return;
	}
	size_t bytes;
	uint8_t *c = vd_pack(v, &bytes);
	if (!c || bytes > UINT32_MAX / 2) {
		free(c);
		l->dropped++;
		return;
	}
	if (l->open_len + 4 + bytes > l->open_cap) {
		size_t cap = l->open_cap ? l->open_cap : 4096;
		while (cap < l->open_len + 4 + bytes)
			cap *= 2;
		uint8_t *o = realloc(l->open, cap);
		if (!o) {
			free(c);
			l->dropped++;
			return;
		}
		l->open = o;
		l->open_cap = cap;
	}
	uint32_t n32 = (uint32_t)bytes;
	memcpy(l->open + l->open_len, &n32, 4);
	memcpy(l->open + l->open_len + 4, c, bytes);
	l->open_len += 4 + bytes;
	free(c);
	if (l->n == l->cap) {
		/* Full: the oldest listed one leaves the list (it was counted,
		 * and streamed). */
		l->n--;
		l->dropped++;
	}
	l->n++;
	l->added++;
	if (l->added % VDL_BLOCK == 0)
		close_block(l);
	release(l);
}

const verdict_t *vdlist_at(const vdlist_t *l, size_t i)
{
	uint64_t k = l->added - l->n + i, b = k / VDL_BLOCK;
	const uint8_t *p, *end;
	if (b == l->added / VDL_BLOCK) {
		p = l->open;
		end = l->open + l->open_len;
	} else {
		const vdl_block_t *blk = &l->blk[b % l->nblk];
		vdl_reader_t *rd = l->rd;
		if (blk->raw) {
			p = blk->bytes;
		} else {
			if (rd->block != b + 1) {
				rd->block = 0;
				if (blk->len > rd->buf_cap ||
				    cz_block_unpack(rd->packer, blk->bytes, blk->zlen, rd->buf,
						    blk->len) < 0)
					return NULL;
				rd->block = b + 1;
			}
			p = rd->buf;
		}
		end = p + blk->len;
	}
	/* The blocks are ours, written by vdlist_add; the walk stays inside
	 * them all the same. */
	for (uint64_t j = k % VDL_BLOCK;; j--) {
		uint32_t len;
		if ((size_t)(end - p) < 4)
			return NULL;
		memcpy(&len, p, 4);
		if ((size_t)(end - p) - 4 < len)
			return NULL;
		if (!j) {
			vd_unpack(p + 4, l->rd->v);
			return l->rd->v;
		}
		p += 4 + len;
	}
}

size_t vdlist_bytes(const vdlist_t *l)
{
	size_t n = l->open_cap;
	for (uint64_t b = l->oldest; b < l->added / VDL_BLOCK; b++)
		n += l->blk[b % l->nblk].zlen;
	return n;
}
