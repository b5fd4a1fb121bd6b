/*
 * compress.c - gzip and zstd captures (compress.h), the one file that
 * includes zlib.h and zstd.h.
 *
 * Captures are rotated and compressed where they are kept (tcpdump -G -z
 * gzip, logrotate); reading them in place spares a copy the size of the
 * capture.  The decompressed bytes reach libpcap through a stdio stream
 * made with glibc's fopencookie, so libpcap reads pcap and pcapng as from
 * any file.
 *
 * The input is read with read(2) into our own buffer, and gzip is decoded
 * with zlib's inflate rather than gzread: a pipe's first bytes, read to
 * tell the format, cannot be handed back to gzread, and gzread waits until
 * its buffer is full before it returns anything, which would hold back the
 * packets of "tcpdump -U -w - | dnsblame -r -" until 8 KiB of traffic had
 * come (seen with strace: a second read(2) for the rest of the buffer,
 * blocking, after the first one returned 2,000 bytes).  Here a read
 * returns as soon as something is decoded.
 */
#define _GNU_SOURCE /* fopencookie */
#include "compress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define CZ_IN (64 * 1024) /* the stored bytes read at a time */

static const uint8_t gzip_magic[2] = { 0x1f, 0x8b };             /* RFC 1952 2.3.1 */
static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd }; /* RFC 8878 3.1.1 */

struct cz {
	cz_kind_t kind;
	int fd;
	char *iobuf; /* the stream's buffer (glibc's setvbuf ignores a size without one) */
	uint8_t *in; /* stored bytes read, in[at..len) not used yet */
	size_t at, len;
	int eof;       /* fd gave all it had */
	uint64_t raw;  /* bytes read from fd */
	uint64_t pos;  /* decompressed bytes handed to the stream */
	char err[160]; /* why a read failed; "" when none did */
	/* gzip */
	z_stream zs;
	int zs_ready;   /* inflateInit2 done */
	int member_end; /* the last member ended: another may follow */
	/* zstd */
	ZSTD_DCtx *zd;
	size_t zhint; /* ZSTD_decompressStream's last result: 0 at a frame's end */
	int zfull;    /* the last call filled the output: more may be held */
};

const char *cz_kind_name(cz_kind_t k) { return k == CZ_GZIP ? "gzip" : k == CZ_ZSTD ? "zstd" : ""; }

cz_kind_t cz_kind(const cz_t *z) { return z->kind; }

const char *cz_error(const cz_t *z) { return z->err[0] ? z->err : NULL; }

int64_t cz_stored_offset(const cz_t *z) { return (int64_t)(z->raw - (z->len - z->at)); }

/* Records why reading failed; the first reason stays. */
__attribute__((format(printf, 2, 3))) static void cz_fail(cz_t *z, const char *fmt, ...)
{
	if (z->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(z->err, sizeof(z->err), fmt, ap);
	va_end(ap);
}

/* Reads more stored bytes after those not used yet (moved to the front).
 * Returns how many, 0 at the end of the input, -1 on error. */
static ssize_t fill(cz_t *z)
{
	if (z->at > 0) {
		memmove(z->in, z->in + z->at, z->len - z->at);
		z->len -= z->at;
		z->at = 0;
	}
	if (z->eof || z->len == CZ_IN)
		return 0;
	ssize_t r;
	do
		r = read(z->fd, z->in + z->len, CZ_IN - z->len);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		cz_fail(z, "%s", strerror(errno));
		return -1;
	}
	if (r == 0)
		z->eof = 1;
	z->len += (size_t)r;
	z->raw += (uint64_t)r;
	return r;
}

/* Not compressed (a pipe): the bytes read to tell the format, then fd
 * itself, one read(2) at a time (no waiting for more than is there). */
static ssize_t plain_read(cz_t *z, char *buf, size_t n)
{
	if (z->at < z->len) {
		size_t k = z->len - z->at < n ? z->len - z->at : n;
		memcpy(buf, z->in + z->at, k);
		z->at += k;
		return (ssize_t)k;
	}
	ssize_t r;
	do
		r = read(z->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		cz_fail(z, "%s", strerror(errno));
	else
		z->raw += (uint64_t)r;
	return r;
}

/* gzip (RFC 1952): members one after the other, as gzip -d reads them;
 * after the last, anything that is not a gzip member is ignored, as gzip
 * does (padding).  Returns as soon as something is decoded. */
static ssize_t gzip_read(cz_t *z, char *buf, size_t n)
{
	z->zs.next_out = (Bytef *)buf;
	z->zs.avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	uInt want = z->zs.avail_out;
	while (z->zs.avail_out == want) {
		if (z->member_end) {
			while (z->len - z->at < 2 && !z->eof)
				if (fill(z) < 0)
					return -1;
			if (z->len - z->at < 2 || memcmp(z->in + z->at, gzip_magic, 2) != 0) {
				z->at = z->len; /* the end, or what follows the last member */
				z->eof = 1;
				break;
			}
			inflateReset(&z->zs);
			z->member_end = 0;
		}
		if (z->at == z->len) {
			ssize_t r = fill(z);
			if (r < 0)
				return -1;
			if (r == 0) {
				/* A member begun and never ended: a cut file must not
				 * look whole. */
				cz_fail(z, "the gzip data ends early: the file is cut short");
				return -1;
			}
		}
		z->zs.next_in = z->in + z->at;
		z->zs.avail_in = (uInt)(z->len - z->at);
		int ret = inflate(&z->zs, Z_NO_FLUSH);
		z->at = z->len - z->zs.avail_in;
		if (ret == Z_STREAM_END) {
			z->member_end = 1;
		} else if (ret == Z_MEM_ERROR) {
			cz_fail(z, "out of memory");
			break;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			/* Z_DATA_ERROR: a damaged block, or a CRC or length that
			 * does not match (RFC 1952 2.3.1); Z_NEED_DICT has no
			 * place in gzip. */
			cz_fail(z, "corrupt gzip data (%s)", z->zs.msg ? z->zs.msg : "data error");
			break;
		}
	}
	size_t got = want - z->zs.avail_out;
	/* What was decoded before damage goes first; the next read fails. */
	return got || !z->err[0] ? (ssize_t)got : -1;
}

/* zstd (RFC 8878): frames one after the other (skippable ones skipped by
 * the library).  Returns as soon as something is decoded. */
static ssize_t zstd_read(cz_t *z, char *buf, size_t n)
{
	ZSTD_outBuffer out = { buf, n, 0 };
	for (;;) {
		if (z->at == z->len && !z->eof && !z->zfull && fill(z) < 0)
			return out.pos ? (ssize_t)out.pos : -1;
		if (z->at == z->len && z->eof && !z->zfull) {
			if (out.pos)
				return (ssize_t)out.pos;
			/* All input used and nothing held back: the last frame
			 * must have ended (a frame is whole or it is damaged). */
			if (z->zhint != 0) {
				cz_fail(z, "the zstd data ends early: the file is cut short");
				return -1;
			}
			return 0;
		}
		ZSTD_inBuffer in = { z->in, z->len, z->at };
		size_t h = ZSTD_decompressStream(z->zd, &out, &in);
		z->at = in.pos;
		if (ZSTD_isError(h)) {
			/* libzstd's default bound on the window (128 MiB, as
			 * the zstd tool's) keeps a hostile frame from asking for
			 * gigabytes; a file made with zstd --long=28 or more
			 * needs more. */
			if (ZSTD_getErrorCode(h) == ZSTD_error_frameParameter_windowTooLarge)
				cz_fail(z, "the zstd data needs a window of more than 128 MiB "
					   "(zstd --long=28 or more): decompress it first");
			else
				cz_fail(z, "corrupt zstd data (%s)", ZSTD_getErrorName(h));
			return out.pos ? (ssize_t)out.pos : -1;
		}
		z->zhint = h;
		/* A full output may leave decoded bytes inside the decoder: the
		 * next call flushes them before more input is read. */
		z->zfull = out.pos == out.size;
		if (out.pos)
			return (ssize_t)out.pos;
	}
}

static ssize_t cookie_read(void *cookie, char *buf, size_t n)
{
	cz_t *z = cookie;
	if (z->err[0]) {
		errno = EIO;
		return -1; /* damage is not read past */
	}
	ssize_t r = z->kind == CZ_GZIP   ? gzip_read(z, buf, n)
		    : z->kind == CZ_ZSTD ? zstd_read(z, buf, n)
					 : plain_read(z, buf, n);
	if (r < 0) {
		errno = EIO;
		return -1;
	}
	z->pos += (uint64_t)r;
	return r;
}

/* ftell only: the offset in the decompressed bytes (stdio subtracts what
 * it holds in its buffer). */
static int cookie_seek(void *cookie, off64_t *off, int whence)
{
	cz_t *z = cookie;
	if (whence != SEEK_CUR || *off != 0) {
		errno = ESPIPE;
		return -1;
	}
	*off = (off64_t)z->pos;
	return 0;
}

static void cz_free(cz_t *z)
{
	if (z->zs_ready)
		inflateEnd(&z->zs);
	ZSTD_freeDCtx(z->zd);
	if (z->fd >= 0)
		close(z->fd);
	free(z->in);
	free(z->iobuf);
	free(z);
}

static int cookie_close(void *cookie)
{
	cz_free(cookie);
	return 0;
}

/* The first bytes of a regular file, read where fd stands without moving
 * it.  Returns how many, or -1. */
static ssize_t peek(int fd, off_t at, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, at + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

FILE *cz_open(int fd, cz_t **czp)
{
	*czp = NULL;
	struct stat sb;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && at >= 0) {
		/* A regular file can be looked at without reading it: an
		 * uncompressed one goes to libpcap as it is, at full speed. */
		uint8_t m[4];
		ssize_t n = peek(fd, at, m, sizeof(m));
		int gzip = n >= 2 && memcmp(m, gzip_magic, 2) == 0;
		int zstd = n >= 4 && memcmp(m, zstd_magic, 4) == 0;
		if (n >= 0 && !gzip && !zstd) {
			FILE *f = fdopen(fd, "rb");
			if (!f) {
				int e = errno;
				close(fd);
				errno = e;
			}
			return f;
		}
	}
	cz_t *z = calloc(1, sizeof(*z));
	if (z)
		z->in = malloc(CZ_IN);
	if (!z || !z->in) {
		free(z);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	z->fd = fd;
	/* The first bytes tell the format (a pipe may give them a few at a
	 * time); a read error shows in the stream's first read. */
	while (z->len < sizeof(zstd_magic) && !z->eof && fill(z) >= 0)
		;
	if (z->len >= 2 && memcmp(z->in, gzip_magic, 2) == 0) {
		z->kind = CZ_GZIP;
		/* 16 + 15: a gzip wrapper around a deflate stream with a
		 * window of up to 32 KiB (zlib's inflateInit2). */
		if (inflateInit2(&z->zs, 16 + MAX_WBITS) != Z_OK) {
			cz_free(z);
			errno = ENOMEM;
			return NULL;
		}
		z->zs_ready = 1;
	} else if (z->len >= 4 && memcmp(z->in, zstd_magic, 4) == 0) {
		z->kind = CZ_ZSTD;
		if (!(z->zd = ZSTD_createDCtx())) {
			cz_free(z);
			errno = ENOMEM;
			return NULL;
		}
		z->zhint = 1; /* no frame decoded yet */
	} else {
		z->kind = CZ_PLAIN;
	}
	cookie_io_functions_t io = { .read = cookie_read,
				     .seek = cookie_seek,
				     .close = cookie_close };
	FILE *f = fopencookie(z, "rb", io);
	if (!f) {
		cz_free(z);
		errno = ENOMEM;
		return NULL;
	}
	/* Fewer, larger reads through the cookie.  The buffer is given:
	 * with NULL, glibc ignores the size and uses st_blksize (4 KiB);
	 * glibc leaves it alone at fclose, cookie_close frees it. */
	if ((z->iobuf = malloc(CZ_IOBUF)))
		setvbuf(f, z->iobuf, _IOFBF, CZ_IOBUF);
	*czp = z;
	return f;
}

/* Blocks (compress.h).  Level 1: a block of 64 verdicts (24 KB) takes
 * some 60 us and shrinks to about a third (measured on the benchmark's
 * verdicts: 381 bytes each packed, 112 compressed); higher levels gain a
 * few percent for twice the time. */
struct cz_packer {
	ZSTD_CCtx *cc;
	ZSTD_DCtx *dc;
	uint8_t *out; /* room for the largest block compressed so far */
	size_t out_cap;
};

cz_packer_t *cz_packer_new(void)
{
	cz_packer_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->cc = ZSTD_createCCtx();
	p->dc = ZSTD_createDCtx();
	if (!p->cc || !p->dc) {
		cz_packer_free(p);
		return NULL;
	}
	return p;
}

void cz_packer_free(cz_packer_t *p)
{
	if (!p)
		return;
	ZSTD_freeCCtx(p->cc);
	ZSTD_freeDCtx(p->dc);
	free(p->out);
	free(p);
}

uint8_t *cz_block_pack(cz_packer_t *p, const uint8_t *src, size_t len, size_t *zlen)
{
	if (!len)
		return NULL;
	size_t bound = ZSTD_compressBound(len);
	if (bound > p->out_cap) {
		uint8_t *o = realloc(p->out, bound);
		if (!o)
			return NULL;
		p->out = o;
		p->out_cap = bound;
	}
	size_t n = ZSTD_compressCCtx(p->cc, p->out, p->out_cap, src, len, 1);
	if (ZSTD_isError(n))
		return NULL;
	uint8_t *z = malloc(n);
	if (!z)
		return NULL;
	memcpy(z, p->out, n);
	*zlen = n;
	return z;
}

int cz_block_unpack(cz_packer_t *p, const uint8_t *z, size_t zlen, uint8_t *dst, size_t len)
{
	size_t n = ZSTD_decompressDCtx(p->dc, dst, len, z, zlen);
	return !ZSTD_isError(n) && n == len ? 0 : -1;
}
