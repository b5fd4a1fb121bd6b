/*
 * fuzz_compress.c - the reading of compressed captures (capture/compress.c)
 * on one file image: cz_open on a memory file (a regular file: gzip and
 * zstd are told by their first bytes, anything else comes back plain) or,
 * for inputs of odd length, on a pipe (the first bytes are read to tell
 * the format, then handed back), then fread to the end in reads of sizes
 * the input picks, as libpcap and the progress line would.
 *
 * What must hold whatever the bytes: no crash, no leak, no read past a
 * buffer; a read that fails says why (cz_error), a clean end has no
 * error; the stored offset never goes past the input and never back; the
 * decoded bytes stop at a bound (a small input may claim gigabytes:
 * decoding stops after DECODED_MAX, as a reader that gave up would).
 */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../capture/compress.h"
#include "fuzz.h"

#define DECODED_MAX (4u << 20)
#define PIPE_MAX 65536 /* a pipe's default capacity: written whole, then read */

static void check(int cond)
{
	if (!cond)
		abort();
}

static int open_input(const uint8_t *data, size_t size)
{
	if (size % 2 && size <= PIPE_MAX) {
		int p[2];
		if (pipe(p) < 0)
			return -1;
		size_t at = 0;
		while (at < size) {
			ssize_t n = write(p[1], data + at, size - at);
			if (n <= 0)
				break;
			at += (size_t)n;
		}
		close(p[1]);
		return p[0];
	}
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return -1;
	size_t at = 0;
	while (at < size) {
		ssize_t n = write(fd, data + at, size - at);
		if (n <= 0)
			break;
		at += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open_input(data, size);
	if (fd < 0)
		return 0;
	cz_t *cz = NULL;
	FILE *f = cz_open(fd, &cz);
	if (!f)
		return 0;
	if (cz)
		(void)cz_kind_name(cz_kind(cz));
	/* Read sizes from the input's last byte: 1 byte at a time up to 64
	 * KiB, so that every split of a member or frame is reached. */
	static uint8_t buf[65536];
	size_t step = size ? (size_t)1 << (data[size - 1] % 17) : 4096;
	size_t decoded = 0;
	int64_t stored = 0;
	while (decoded < DECODED_MAX) {
		size_t n = fread(buf, 1, step, f);
		decoded += n;
		if (cz) {
			int64_t s = cz_stored_offset(cz);
			check(s >= stored && s <= (int64_t)size);
			stored = s;
		}
		if (n < step)
			break;
	}
	if (cz && decoded < DECODED_MAX) {
		/* Stopped short: a clean end of the input, or a failure that
		 * says what it was. */
		if (ferror(f))
			check(cz_error(cz) != NULL && cz_error(cz)[0] != '\0');
		else
			check(feof(f) && cz_error(cz) == NULL);
	}
	fclose(f);
	return 0;
}
