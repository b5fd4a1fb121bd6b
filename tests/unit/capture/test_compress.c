/*
 * test_compress.c - gzip and zstd captures read as if they were not
 * (capture/compress.c): the format told by the first bytes, members and
 * frames one after the other, cut and corrupt data as read errors, pipes,
 * and reads that do not wait for more than is there.
 *
 * The compressed bytes are made here with zlib and libzstd, written to
 * unlinked temporary files or pipes.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../../capture/compress.h"

#define BIG (300 * 1024) /* more than the stored and stream buffers (64, 128 KiB) */

/* pcap's file header (little-endian, microseconds, Ethernet): what the
 * decompressed bytes usually start with. */
#define PCAP_HDR                                                                                   \
	0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  \
	    0x00, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00
/* A zstd skippable frame (RFC 8878 3.1.2) with 4 bytes of content. */
#define ZSTD_SKIP 0x50, 0x2a, 0x4d, 0x18, 0x04, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef

/* Bytes that compress somewhat: a pcap header, then runs and noise. */
static uint8_t *pattern(size_t n, uint32_t seed)
{
	static const uint8_t hdr[] = { PCAP_HDR };
	uint8_t *b = malloc(n);
	uint32_t x = seed;

	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (i / 64) % 3 ? (uint8_t)(i / 64) : (uint8_t)(x >> 24);
	}
	memcpy(b, hdr, n < sizeof(hdr) ? n : sizeof(hdr));
	return b;
}

/* One gzip member of in[0..n) into out; its length. */
static size_t gz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)n;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	size_t len = cap - s.avail_out;
	deflateEnd(&s);
	return len;
}

static size_t zs(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t r = ZSTD_compress(out, cap, in, n, 3);

	assert_false(ZSTD_isError(r));
	return r;
}

/* An unlinked temporary file holding b[0..n), positioned at its start. */
static int file_fd(const uint8_t *b, size_t n)
{
	char path[] = "/tmp/test_compress.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* The read end of a pipe holding b[0..n) (n fits the pipe's buffer);
 * the write end closed when close_w, else returned in *w. */
static int pipe_fd(const uint8_t *b, size_t n, int close_w, int *w)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_true(n <= 60000);
	if (n)
		assert_int_equal(write(p[1], b, n), (ssize_t)n);
	if (close_w)
		close(p[1]);
	else
		*w = p[1];
	return p[0];
}

/* Everything f gives until it stops. */
static size_t read_all(FILE *f, uint8_t *out, size_t cap)
{
	size_t got = 0, r;

	while (got < cap && (r = fread(out + got, 1, cap - got, f)) > 0)
		got += r;
	return got;
}

static void assert_error_starts(const cz_t *z, const char *want)
{
	const char *e = cz_error(z);

	assert_non_null(e);
	if (strncmp(e, want, strlen(want)) != 0)
		fail_msg("cz_error: \"%s\", expected \"%s...\"", e, want);
}

static void kind_names(void **state)
{
	(void)state;
	assert_string_equal(cz_kind_name(CZ_GZIP), "gzip");
	assert_string_equal(cz_kind_name(CZ_ZSTD), "zstd");
	assert_string_equal(cz_kind_name(CZ_PLAIN), "");
}

/* An uncompressed regular file is handed back as a plain stream on fd. */
static void plain_file_read_as_it_is(void **state)
{
	(void)state;
	uint8_t *data = pattern(BIG, 1), *got = malloc(BIG + 1);
	cz_t *z = (cz_t *)1;

	FILE *f = cz_open(file_fd(data, BIG), &z);
	assert_non_null(f);
	assert_null(z);
	assert_int_equal(read_all(f, got, BIG + 1), BIG);
	assert_memory_equal(got, data, BIG);
	assert_int_equal(ftell(f), BIG);
	assert_false(ferror(f));
	/* A plain file can seek. */
	assert_int_equal(fseek(f, 4, SEEK_SET), 0);
	assert_int_equal(fgetc(f), data[4]);
	fclose(f);
	/* One byte of gzip's magic is not gzip. */
	static const uint8_t one[] = { 0x1f };
	f = cz_open(file_fd(one, 1), &z);
	assert_null(z);
	assert_int_equal(fgetc(f), 0x1f);
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	/* Empty. */
	f = cz_open(file_fd(one, 0), &z);
	assert_non_null(f);
	assert_null(z);
	assert_int_equal(fgetc(f), EOF);
	assert_false(ferror(f));
	fclose(f);
	free(data);
	free(got);
}

static void gzip_file(void **state)
{
	(void)state;
	uint8_t *data = pattern(BIG, 2), *got = malloc(BIG + 1), *c = malloc(2 * BIG);
	size_t cn = gz(data, BIG, c, 2 * BIG);
	cz_t *z = NULL;

	FILE *f = cz_open(file_fd(c, cn), &z);
	assert_non_null(f);
	assert_non_null(z);
	assert_int_equal(cz_kind(z), CZ_GZIP);
	assert_int_equal(ftell(f), 0);
	assert_int_equal(fgetc(f), data[0]);
	assert_int_equal(ftell(f), 1);
	got[0] = data[0];
	assert_int_equal(read_all(f, got + 1, BIG), BIG - 1);
	assert_memory_equal(got, data, BIG);
	/* Offsets: the decompressed bytes for ftell, the stored ones for
	 * cz_stored_offset. */
	assert_int_equal(ftell(f), BIG);
	assert_int_equal(cz_stored_offset(z), (int64_t)cn);
	assert_true(feof(f));
	assert_false(ferror(f));
	assert_null(cz_error(z));
	/* No seek but ftell. */
	assert_int_equal(fseek(f, 0, SEEK_SET), -1);
	fclose(f);
	free(data);
	free(got);
	free(c);
}

/* Members one after the other, as gzip -d reads them; what follows the
 * last member and is not one (padding) is ignored. */
static void gzip_members_and_padding(void **state)
{
	(void)state;
	uint8_t *a = pattern(5000, 3), *b = pattern(7000, 4), *c = malloc(40000);
	uint8_t got[13000];
	size_t n = gz(a, 5000, c, 20000);
	n += gz(b, 7000, c + n, 20000);
	memcpy(c + n, "\0\0\0\0\0\0\0\0junk", 12);
	cz_t *z = NULL;

	FILE *f = cz_open(file_fd(c, n + 12), &z);
	assert_int_equal(cz_kind(z), CZ_GZIP);
	assert_int_equal(read_all(f, got, sizeof(got)), 12000);
	assert_memory_equal(got, a, 5000);
	assert_memory_equal(got + 5000, b, 7000);
	assert_false(ferror(f));
	assert_null(cz_error(z));
	fclose(f);
	free(a);
	free(b);
	free(c);
}

/* A cut file is an error, never a clean end: the bytes decoded before the
 * cut come first, then the read fails. */
static void gzip_cut_short(void **state)
{
	(void)state;
	uint8_t *data = pattern(BIG, 5), *got = malloc(BIG + 1), *c = malloc(2 * BIG);
	size_t cn = gz(data, BIG, c, 2 * BIG);
	cz_t *z = NULL;

	FILE *f = cz_open(file_fd(c, cn / 2), &z);
	assert_non_null(f);
	size_t n = read_all(f, got, BIG);
	assert_true(n > 0 && n < BIG);
	assert_memory_equal(got, data, n);
	assert_true(ferror(f));
	assert_error_starts(z, "the gzip data ends early: the file is cut short");
	fclose(f);
	/* Only the trailer's last byte missing: every byte decoded, then
	 * the error. */
	f = cz_open(file_fd(c, cn - 1), &z);
	assert_int_equal(read_all(f, got, BIG + 1), BIG);
	assert_memory_equal(got, data, BIG);
	assert_true(ferror(f));
	assert_error_starts(z, "the gzip data ends early");
	fclose(f);
	/* The magic and nothing else: the first read fails. */
	f = cz_open(file_fd(c, 2), &z);
	assert_non_null(f);
	assert_int_equal(cz_kind(z), CZ_GZIP);
	assert_int_equal(fread(got, 1, 10, f), 0);
	assert_true(ferror(f));
	assert_error_starts(z, "the gzip data ends early");
	fclose(f);
	free(data);
	free(got);
	free(c);
}

static void gzip_corrupt(void **state)
{
	(void)state;
	uint8_t *data = pattern(20000, 6), got[20001], c[40000];
	size_t cn = gz(data, 20000, c, sizeof(c));
	cz_t *z = NULL;

	/* The CRC of the trailer (RFC 1952 2.3.1) wrong. */
	c[cn - 8] ^= 0xff;
	FILE *f = cz_open(file_fd(c, cn), &z);
	assert_int_equal(read_all(f, got, sizeof(got)), 20000);
	assert_true(ferror(f));
	assert_error_starts(z, "corrupt gzip data (");
	/* Damage is not read past. */
	clearerr(f);
	assert_int_equal(fgetc(f), EOF);
	assert_true(ferror(f));
	fclose(f);
	/* Damage in the first bytes: the stream all the same, the first read
	 * fails (compression method 7 is not deflate). */
	c[cn - 8] ^= 0xff;
	c[2] = 7;
	f = cz_open(file_fd(c, cn), &z);
	assert_non_null(f);
	assert_int_equal(fgetc(f), EOF);
	assert_true(ferror(f));
	assert_error_starts(z, "corrupt gzip data (");
	fclose(f);
	free(data);
}

static void zstd_file_frames_and_skippable(void **state)
{
	(void)state;
	static const uint8_t skip[] = { ZSTD_SKIP };
	uint8_t *data = pattern(BIG, 7), *got = malloc(BIG + 1), *c = malloc(2 * BIG);
	size_t cn = zs(data, BIG, c, 2 * BIG);
	cz_t *z = NULL;

	FILE *f = cz_open(file_fd(c, cn), &z);
	assert_non_null(z);
	assert_int_equal(cz_kind(z), CZ_ZSTD);
	assert_int_equal(read_all(f, got, BIG + 1), BIG);
	assert_memory_equal(got, data, BIG);
	assert_int_equal(ftell(f), BIG);
	assert_int_equal(cz_stored_offset(z), (int64_t)cn);
	assert_false(ferror(f));
	assert_null(cz_error(z));
	fclose(f);
	/* Two frames with a skippable frame between them. */
	size_t n = zs(data, 1000, c, 2 * BIG);
	memcpy(c + n, skip, sizeof(skip));
	n += sizeof(skip);
	n += zs(data + 1000, 3000, c + n, 2 * BIG - n);
	f = cz_open(file_fd(c, n), &z);
	assert_int_equal(read_all(f, got, BIG), 4000);
	assert_memory_equal(got, data, 4000);
	assert_false(ferror(f));
	fclose(f);
	free(data);
	free(got);
	free(c);
}

static void zstd_cut_and_corrupt(void **state)
{
	(void)state;
	uint8_t *data = pattern(BIG, 8), *got = malloc(BIG), *c = malloc(2 * BIG);
	size_t cn = zs(data, BIG, c, 2 * BIG);
	cz_t *z = NULL;

	FILE *f = cz_open(file_fd(c, cn / 2), &z);
	size_t n = read_all(f, got, BIG);
	assert_true(n < BIG);
	assert_memory_equal(got, data, n);
	assert_true(ferror(f));
	assert_error_starts(z, "the zstd data ends early: the file is cut short");
	fclose(f);
	/* The magic alone. */
	f = cz_open(file_fd(c, 4), &z);
	assert_int_equal(cz_kind(z), CZ_ZSTD);
	assert_int_equal(fgetc(f), EOF);
	assert_true(ferror(f));
	assert_error_starts(z, "the zstd data ends early");
	fclose(f);
	/* A reserved bit of the frame header descriptor set. */
	c[4] |= 0x08;
	f = cz_open(file_fd(c, cn), &z);
	assert_int_equal(fgetc(f), EOF);
	assert_true(ferror(f));
	assert_error_starts(z, "corrupt zstd data (");
	fclose(f);
	free(data);
	free(got);
	free(c);
}

/* A frame asking for a window of 2^41 bytes is refused, with the reason. */
static void zstd_window_too_large(void **state)
{
	(void)state;
	/* Magic, descriptor 0 (window descriptor follows), exponent 31, then a
	 * last, empty raw block. */
	static const uint8_t huge[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00 };
	cz_t *z = NULL;

	FILE *f = cz_open(file_fd(huge, sizeof(huge)), &z);
	assert_non_null(f);
	assert_int_equal(fgetc(f), EOF);
	assert_true(ferror(f));
	const char *e = cz_error(z);
	assert_non_null(e);
	assert_non_null(strstr(e, "128 MiB"));
	fclose(f);
}

/* The capture starts where fd stands: bytes before are not looked at. */
static void fd_positioned_mid_file(void **state)
{
	(void)state;
	uint8_t *data = pattern(20000, 9), got[20001], c[40000];
	memset(c, 0x1f, 100);
	size_t cn = gz(data, 20000, c + 100, sizeof(c) - 100);
	cz_t *z = NULL;

	int fd = file_fd(c, 100 + cn);
	assert_int_equal(lseek(fd, 100, SEEK_SET), 100);
	FILE *f = cz_open(fd, &z);
	assert_non_null(z);
	assert_int_equal(cz_kind(z), CZ_GZIP);
	assert_int_equal(read_all(f, got, sizeof(got)), 20000);
	assert_memory_equal(got, data, 20000);
	assert_int_equal(cz_stored_offset(z), (int64_t)cn);
	assert_int_equal(ftell(f), 20000);
	fclose(f);
	/* Plain bytes after compressed-looking ones: not compressed. */
	fd = file_fd(data, 20000);
	assert_int_equal(lseek(fd, 24, SEEK_SET), 24);
	f = cz_open(fd, &z);
	assert_null(z);
	assert_int_equal(fgetc(f), data[24]);
	fclose(f);
	free(data);
}

/* A pipe cannot be read twice: the first bytes, taken to tell the format,
 * are handed back. */
static void pipes(void **state)
{
	(void)state;
	uint8_t *data = pattern(50000, 10), got[50001], c[60000];
	cz_t *z = NULL;

	FILE *f = cz_open(pipe_fd(data, 50000, 1, NULL), &z);
	assert_non_null(z);
	assert_int_equal(cz_kind(z), CZ_PLAIN);
	assert_int_equal(read_all(f, got, sizeof(got)), 50000);
	assert_memory_equal(got, data, 50000);
	assert_int_equal(ftell(f), 50000);
	assert_int_equal(cz_stored_offset(z), 50000);
	assert_false(ferror(f));
	assert_null(cz_error(z));
	fclose(f);
	size_t cn = gz(data, 50000, c, sizeof(c));
	f = cz_open(pipe_fd(c, cn, 1, NULL), &z);
	assert_int_equal(cz_kind(z), CZ_GZIP);
	assert_int_equal(read_all(f, got, sizeof(got)), 50000);
	assert_memory_equal(got, data, 50000);
	assert_int_equal(cz_stored_offset(z), (int64_t)cn);
	fclose(f);
	cn = zs(data, 50000, c, sizeof(c));
	f = cz_open(pipe_fd(c, cn, 1, NULL), &z);
	assert_int_equal(cz_kind(z), CZ_ZSTD);
	assert_int_equal(read_all(f, got, sizeof(got)), 50000);
	assert_memory_equal(got, data, 50000);
	fclose(f);
	/* Empty, and shorter than any magic. */
	f = cz_open(pipe_fd(c, 0, 1, NULL), &z);
	assert_int_equal(cz_kind(z), CZ_PLAIN);
	assert_int_equal(fgetc(f), EOF);
	assert_false(ferror(f));
	fclose(f);
	f = cz_open(pipe_fd(data, 3, 1, NULL), &z);
	assert_int_equal(cz_kind(z), CZ_PLAIN);
	assert_int_equal(read_all(f, got, sizeof(got)), 3);
	assert_memory_equal(got, data, 3);
	fclose(f);
	free(data);
}

/* A live pipe (tcpdump -U -w - | gzip): a read returns what is decoded,
 * not waiting for more.  A read that waited would block here forever: the
 * alarm ends the test instead. */
static void live_pipe_not_held_back(void **state)
{
	(void)state;
	uint8_t *data = pattern(3000, 11), c[8000], got[3000];
	int w = -1;
	cz_t *z = NULL;

	alarm(20);
	/* gzip: the first 1000 bytes, flushed. */
	z_stream s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	s.next_in = data;
	s.avail_in = 1000;
	s.next_out = c;
	s.avail_out = sizeof(c);
	assert_int_equal(deflate(&s, Z_SYNC_FLUSH), Z_OK);
	FILE *f = cz_open(pipe_fd(c, sizeof(c) - s.avail_out, 0, &w), &z);
	assert_int_equal(cz_kind(z), CZ_GZIP);
	assert_int_equal(fgetc(f), data[0]);
	/* The rest, and the end. */
	s.next_in = data + 1000;
	s.avail_in = 2000;
	s.next_out = c;
	s.avail_out = sizeof(c);
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	assert_int_equal(write(w, c, sizeof(c) - s.avail_out), (ssize_t)(sizeof(c) - s.avail_out));
	close(w);
	deflateEnd(&s);
	got[0] = data[0];
	assert_int_equal(read_all(f, got + 1, sizeof(got) - 1), 2999);
	assert_memory_equal(got, data, 3000);
	assert_false(ferror(f));
	fclose(f);

	/* zstd: a flushed block of an unfinished frame. */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	assert_non_null(cc);
	ZSTD_inBuffer in = { data, 1000, 0 };
	ZSTD_outBuffer out = { c, sizeof(c), 0 };
	assert_int_equal(ZSTD_compressStream2(cc, &out, &in, ZSTD_e_flush), 0);
	f = cz_open(pipe_fd(c, out.pos, 0, &w), &z);
	assert_int_equal(cz_kind(z), CZ_ZSTD);
	assert_int_equal(fgetc(f), data[0]);
	ZSTD_inBuffer in2 = { data + 1000, 2000, 0 };
	out.pos = 0;
	assert_int_equal(ZSTD_compressStream2(cc, &out, &in2, ZSTD_e_end), 0);
	assert_int_equal(write(w, c, out.pos), (ssize_t)out.pos);
	close(w);
	ZSTD_freeCCtx(cc);
	assert_int_equal(read_all(f, got + 1, sizeof(got) - 1), 2999);
	assert_memory_equal(got, data, 3000);
	assert_false(ferror(f));
	fclose(f);

	/* Not compressed: one read(2) at a time. */
	f = cz_open(pipe_fd(data, 100, 0, &w), &z);
	assert_int_equal(cz_kind(z), CZ_PLAIN);
	assert_int_equal(read_all(f, got, 100), 100);
	assert_memory_equal(got, data, 100);
	assert_int_equal(write(w, data + 100, 50), 50);
	assert_int_equal(fgetc(f), data[100]);
	close(w);
	assert_int_equal(read_all(f, got, sizeof(got)), 49);
	assert_memory_equal(got, data + 101, 49);
	assert_false(ferror(f));
	fclose(f);
	alarm(0);
	free(data);
}

/* fd that cannot be read (a directory): cz_open gives a stream whose
 * first read fails, with the system's reason. */
static void unreadable_fd(void **state)
{
	(void)state;
	cz_t *z = NULL;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	FILE *f = cz_open(fd, &z);
	assert_non_null(f);
	assert_non_null(z);
	assert_int_equal(fgetc(f), EOF);
	assert_true(ferror(f));
	assert_non_null(cz_error(z));
	assert_string_equal(cz_error(z), strerror(EISDIR));
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_names),
		cmocka_unit_test(plain_file_read_as_it_is),
		cmocka_unit_test(gzip_file),
		cmocka_unit_test(gzip_members_and_padding),
		cmocka_unit_test(gzip_cut_short),
		cmocka_unit_test(gzip_corrupt),
		cmocka_unit_test(zstd_file_frames_and_skippable),
		cmocka_unit_test(zstd_cut_and_corrupt),
		cmocka_unit_test(zstd_window_too_large),
		cmocka_unit_test(fd_positioned_mid_file),
		cmocka_unit_test(pipes),
		cmocka_unit_test(live_pipe_not_held_back),
		cmocka_unit_test(unreadable_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
