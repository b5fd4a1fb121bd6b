/*
 * wire.h - the one bounds-checked reader for bytes that came off the wire.
 *
 * Every parser in dnsblame (link layers, IP, ICMP, TCP framing, DNS) reads
 * through a wire_t.  The error is sticky: after the first read that would go
 * past the end, every later read returns zero, moves nothing and leaves
 * w->err set, so a parser may do several reads and check wire_ok() once.
 * The reader never touches memory outside [buf, buf + len).
 */
#ifndef DNSBLAME_WIRE_H
#define DNSBLAME_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct wire {
	const uint8_t *buf; /* first byte of the readable region */
	size_t len;         /* bytes readable from buf */
	size_t pos;         /* next byte to read */
	int err;            /* sticky: non-zero after any overrun */
} wire_t;

static inline void wire_init(wire_t *w, const uint8_t *buf, size_t len)
{
	w->buf = buf;
	w->len = buf ? len : 0;
	w->pos = 0;
	w->err = 0;
}

static inline int wire_ok(const wire_t *w) { return !w->err; }

static inline size_t wire_left(const wire_t *w) { return w->err ? 0 : w->len - w->pos; }

/* Marks the reader failed when fewer than n bytes remain; returns 1 if ok. */
static inline int wire_need(wire_t *w, size_t n)
{
	if (w->err || w->len - w->pos < n) {
		w->err = 1;
		return 0;
	}
	return 1;
}

static inline uint8_t wire_u8(wire_t *w)
{
	if (!wire_need(w, 1))
		return 0;
	return w->buf[w->pos++];
}

static inline uint16_t wire_u16(wire_t *w)
{
	if (!wire_need(w, 2))
		return 0;
	uint16_t v = (uint16_t)((w->buf[w->pos] << 8) | w->buf[w->pos + 1]);
	w->pos += 2;
	return v;
}

static inline uint32_t wire_u32(wire_t *w)
{
	if (!wire_need(w, 4))
		return 0;
	const uint8_t *p = w->buf + w->pos;
	w->pos += 4;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
	       (uint32_t)p[3];
}

/* Little-endian reads, for the few link-layer headers that are not in
 * network order (radiotap, NFLOG TLVs, PKTAP); the same sticky error as
 * wire_u16 and wire_u32. */
static inline uint16_t wire_le16(wire_t *w)
{
	if (!wire_need(w, 2))
		return 0;
	uint16_t v = (uint16_t)(w->buf[w->pos] | (w->buf[w->pos + 1] << 8));
	w->pos += 2;
	return v;
}

static inline uint32_t wire_le32(wire_t *w)
{
	if (!wire_need(w, 4))
		return 0;
	const uint8_t *p = w->buf + w->pos;
	w->pos += 4;
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/*
 * Look-ahead without moving: the byte, or the big-endian 16 bits, that
 * begin off bytes past the position.  A peek never fails the reader and
 * never reads outside [buf, buf + len): it returns 0 when those bytes are
 * not all there or the reader has failed, so a caller for whom 0 is a
 * meaningful value checks wire_left() first.
 */
static inline uint8_t wire_peek_u8(const wire_t *w, size_t off)
{
	if (w->err || w->len - w->pos <= off)
		return 0;
	return w->buf[w->pos + off];
}

static inline uint16_t wire_peek_u16(const wire_t *w, size_t off)
{
	if (w->err || w->len - w->pos < 2 || w->len - w->pos - 2 < off)
		return 0;
	const uint8_t *p = w->buf + w->pos + off;
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Returns a pointer to the next n bytes and consumes them, or NULL. */
static inline const uint8_t *wire_take(wire_t *w, size_t n)
{
	if (!wire_need(w, n))
		return NULL;
	const uint8_t *p = w->buf + w->pos;
	w->pos += n;
	return p;
}

static inline void wire_skip(wire_t *w, size_t n) { (void)wire_take(w, n); }

/* Copies n bytes to dst (zero-filled on failure). */
static inline void wire_copy(wire_t *w, void *dst, size_t n)
{
	const uint8_t *p = wire_take(w, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

/* Moves to an absolute offset inside the buffer. */
static inline void wire_seek(wire_t *w, size_t pos)
{
	if (w->err || pos > w->len)
		w->err = 1;
	else
		w->pos = pos;
}

/* A sub-reader over the next n bytes; the parent skips past them. */
static inline wire_t wire_sub(wire_t *w, size_t n)
{
	wire_t s;
	const uint8_t *p = wire_take(w, n);
	wire_init(&s, p, p ? n : 0);
	s.err = p ? 0 : 1;
	return s;
}

static inline const uint8_t *wire_cur(const wire_t *w) { return w->buf ? w->buf + w->pos : NULL; }

#endif
