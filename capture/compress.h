/*
 * compress.h - capture files compressed with gzip or zstd, read as if they
 * were not.  The one file that knows zlib and libzstd (compress.c), which
 * also lends zstd to analyze/ for blocks of memory (cz_block_pack).
 *
 * The format is told by the first bytes (gzip 1f 8b, zstd 28 b5 2f fd),
 * never by the file name.  What is read comes back as a stdio stream (for
 * libpcap's pcap_fopen_offline), and a cz_t says how far into the stored
 * bytes it got and why it stopped.
 */
#ifndef DNSBLAME_COMPRESS_H
#define DNSBLAME_COMPRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cz cz_t;

/* The buffer a capture's stream reads through: fewer, larger reads (a
 * compressed stream gets one from cz_open; the owner of a plain one gives
 * it one of this size). */
#define CZ_IOBUF (128 * 1024)

typedef enum cz_kind {
	CZ_PLAIN = 0, /* not compressed, read through a cz_t (a pipe) */
	CZ_GZIP,
	CZ_ZSTD,
} cz_kind_t;

/*
 * Opens fd, positioned where the capture starts, for reading.  Takes fd
 * over: it is closed by fclose of the result, or here when NULL is
 * returned (errno ENOMEM).  An fd that cannot be read (a directory) still
 * gives a stream: its first read fails, and cz_error says why.
 *
 * An uncompressed regular file comes back as a plain stream on fd (*cz is
 * NULL: ftell tells the offset).  Anything else goes through a cz_t, owned
 * by the stream and freed by its fclose: a compressed file, and any input
 * that cannot be read twice (a pipe, whose first bytes are taken to tell
 * the format and handed back).  Concatenated gzip members and zstd frames
 * are read one after the other.  A read returns as soon as some bytes are
 * decoded: a live pipe (tcpdump -U -w -) is not held back.
 *
 * A read of a damaged input fails (fread short, ferror set) and cz_error
 * says why: a compressed stream that ends inside a member or frame (a cut
 * file) is an error, never a clean end of file.  Damage in the first bytes
 * makes cz_open return the stream all the same; the first read fails.
 * ftell on the stream gives the offset in the decompressed bytes; no other
 * seek is possible.
 */
FILE *cz_open(int fd, cz_t **cz);

cz_kind_t cz_kind(const cz_t *z);

/* Bytes of the stored (compressed) input used so far, from where fd
 * stood when opened. */
int64_t cz_stored_offset(const cz_t *z);

/* Why the last read failed ("the gzip data ends early: the file is cut
 * short", "corrupt zstd data: ..."), or NULL when no read failed.  Valid
 * until the stream is closed. */
const char *cz_error(const cz_t *z);

/* "gzip", "zstd" or "" (CZ_PLAIN). */
const char *cz_kind_name(cz_kind_t k);

/*
 * Blocks of memory compressed whole, for state that is kept long and read
 * rarely (analyze/vdlist.c: the verdicts listed in the report).  zstd at
 * its fastest level; a packer keeps the compressor's and decompressor's
 * contexts between blocks.
 */
typedef struct cz_packer cz_packer_t;

/* NULL when out of memory.  Free with cz_packer_free (NULL is accepted). */
cz_packer_t *cz_packer_new(void);
void cz_packer_free(cz_packer_t *p);
/* src[0..len) compressed, in a malloc'd block of *zlen bytes the caller
 * frees; NULL when out of memory or len is 0. */
uint8_t *cz_block_pack(cz_packer_t *p, const uint8_t *src, size_t len, size_t *zlen);
/* Decompresses z[0..zlen) (a block cz_block_pack made) into dst[0..len).
 * 0, or -1 when it does not decompress to exactly len bytes. */
int cz_block_unpack(cz_packer_t *p, const uint8_t *z, size_t zlen, uint8_t *dst, size_t len);

#endif
