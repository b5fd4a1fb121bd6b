/*
 * test_progress.c - the progress line on stderr (report/progress.c): not
 * in the first half second, at most four times a second, redrawn in place
 * over what a longer line left, at most 79 columns, and cleared before
 * anything else is written to the terminal.  stderr is a file here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../report/progress.h"

/* stderr redirected to a temporary file while a test draws. */
static int saved_fd = -1;
static FILE *sink;

static void capture_begin(void)
{
	fflush(stderr);
	sink = tmpfile();
	assert_non_null(sink);
	saved_fd = dup(STDERR_FILENO);
	assert_true(saved_fd >= 0);
	assert_true(dup2(fileno(sink), STDERR_FILENO) >= 0);
}

/* Ends the redirection (before any assertion can print) and returns what
 * was written, malloc'd. */
static char *capture_end(size_t *len)
{
	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	saved_fd = -1;
	long n = ftell(sink);
	char *b = malloc((size_t)(n > 0 ? n : 0) + 1);
	rewind(sink);
	size_t got = n > 0 ? fread(b, 1, (size_t)n, sink) : 0;
	b[got] = 0;
	fclose(sink);
	sink = NULL;
	*len = got;
	return b;
}

/* Moves the line's start (and last drawing) back in time, as if the run
 * had been going for `ago` seconds and the line was last drawn `drawn`
 * seconds ago. */
static void age(rp_progress_t *r, double ago, double drawn)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double t = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	double s = t - ago, d = t - drawn;
	r->start.tv_sec = (time_t)s;
	r->start.tv_nsec = (long)((s - (double)(time_t)s) * 1e9);
	r->drawn.tv_sec = (time_t)d;
	r->drawn.tv_nsec = (long)((d - (double)(time_t)d) * 1e9);
}

static char *draw(rp_progress_t *r, const cap_progress_t *p, size_t *len)
{
	capture_begin();
	rp_progress_draw(r, p);
	return capture_end(len);
}

static void start_state(void **state)
{
	(void)state;
	rp_progress_t r;
	memset(&r, 0x55, sizeof(r));
	rp_progress_start(&r, 1, 0);
	assert_int_equal(r.on, 1);
	assert_int_equal(r.out_tty, 0);
	assert_int_equal(r.width, 0);
	rp_progress_start(&r, 0, 1);
	assert_int_equal(r.on, 0);
	assert_int_equal(r.out_tty, 1);
	assert_int_equal(r.width, 0);
}

/* A short run never shows the line. */
static void nothing_in_the_first_half_second(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = 10, .bytes_done = 10, .bytes_total = 100, .nfiles = 1 };
	rp_progress_start(&r, 1, 0);
	size_t len;
	char *out = draw(&r, &p, &len);
	assert_int_equal(len, 0);
	assert_int_equal(r.width, 0);
	free(out);
	age(&r, 0.3, 10);
	out = draw(&r, &p, &len);
	assert_int_equal(len, 0);
	free(out);
}

/* The line: packets, share of the bytes and their size, rate, ETA, files;
 * begun with \r, no newline. */
static void line_content(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = 1000,
			     .bytes_done = 1000000,
			     .bytes_total = 2000000,
			     .files_done = 1,
			     .nfiles = 3 };
	rp_progress_start(&r, 1, 0);
	age(&r, 10, 10);
	size_t len;
	char *out = draw(&r, &p, &len);
	assert_true(len > 1);
	assert_int_equal(out[0], '\r');
	assert_null(strchr(out, '\n'));
	assert_int_equal(strncmp(out, "\rdnsblame: 1000 packets  50.0% of 2.0 MB  ", 42), 0);
	assert_non_null(strstr(out, " packets/s  ETA 0:1"));
	assert_non_null(strstr(out, "  files 1/3"));
	assert_int_equal(r.width, (int)len - 1);
	free(out);
}

/* Sizes in SI units; a pipe (no total) says how much was read; one file
 * says nothing of files; done means no ETA. */
static void sizes_and_unknown_totals(void **state)
{
	(void)state;
	static const struct {
		uint64_t done, total;
		const char *want, *absent;
	} rows[] = {
		{ 500, 999, "  50.1% of 999 B  ", NULL },
		{ 1, 12345, "  0.0% of 12 kB  ", NULL },
		{ 10, 530000000, "of 530 MB", NULL },
		{ 10, 1200000000, "of 1.2 GB", NULL },
		{ 10, 7000000000000ULL, "of 7.0 TB", NULL },
		{ 10, 7000000000000000ULL, "of 7000 TB", NULL },
		{ 2500000, 0, "  2.5 MB read  ", "ETA" },
		{ 0, 0, "dnsblame: 7 packets  ", "read" },
		{ 2000, 2000, "100.0% of 2.0 kB", "ETA" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rp_progress_t r;
		cap_progress_t p = { .packets = 7,
				     .bytes_done = rows[i].done,
				     .bytes_total = rows[i].total };
		p.nfiles = 1;
		rp_progress_start(&r, 1, 0);
		age(&r, 10, 10);
		size_t len;
		char *out = draw(&r, &p, &len);
		assert_non_null(strstr(out, rows[i].want));
		if (rows[i].absent)
			assert_null(strstr(out, rows[i].absent));
		assert_null(strstr(out, "files"));
		free(out);
	}
}

/* Over an hour to go: hours, minutes and seconds. */
static void eta_in_hours(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = 1, .bytes_done = 1, .bytes_total = 1000, .nfiles = 1 };
	rp_progress_start(&r, 1, 0);
	age(&r, 10, 10);
	size_t len;
	/* 10 s for a thousandth: 9,990 s more, 2:46:30. */
	char *out = draw(&r, &p, &len);
	assert_non_null(strstr(out, "  ETA 2:46:"));
	free(out);
}

/* At most four times a second. */
static void rate_limited(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = 5, .nfiles = 1 };
	rp_progress_start(&r, 1, 0);
	age(&r, 10, 10);
	size_t len;
	char *out = draw(&r, &p, &len);
	assert_true(len > 0);
	free(out);
	/* Just drawn: not again. */
	out = draw(&r, &p, &len);
	assert_int_equal(len, 0);
	free(out);
	age(&r, 10, 0.1);
	out = draw(&r, &p, &len);
	assert_int_equal(len, 0);
	free(out);
	age(&r, 10, 0.3);
	out = draw(&r, &p, &len);
	assert_true(len > 0);
	free(out);
}

/* A shorter line is padded with spaces over what the longer one left;
 * the width is the new line's. */
static void shorter_line_covers_longer(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = 123456789,
			     .bytes_done = 10,
			     .bytes_total = 1000000000,
			     .files_done = 10,
			     .nfiles = 200 };
	rp_progress_start(&r, 1, 0);
	age(&r, 10, 10);
	size_t len1, len2;
	char *out = draw(&r, &p, &len1);
	int w1 = r.width;
	assert_int_equal(w1, (int)len1 - 1);
	free(out);
	cap_progress_t q = { .packets = 1, .nfiles = 1 };
	age(&r, 10, 10);
	out = draw(&r, &q, &len2);
	/* "\r" then the old width of characters, the tail spaces. */
	assert_int_equal(len2, (size_t)w1 + 1);
	assert_true(r.width < w1);
	for (size_t i = (size_t)r.width + 1; i < len2; i++)
		assert_int_equal(out[i], ' ');
	assert_int_equal(strncmp(out, "\rdnsblame: 1 packets", 20), 0);
	free(out);
}

/* A line that would wrap could not be redrawn: 79 columns at most. */
static void at_most_79_columns(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = UINT64_MAX,
			     .bytes_done = 1,
			     .bytes_total = UINT64_MAX,
			     .files_done = 123456,
			     .nfiles = 9999999 };
	rp_progress_start(&r, 1, 0);
	age(&r, 10, 10);
	size_t len;
	char *out = draw(&r, &p, &len);
	assert_int_equal(len, 1 + 79);
	assert_int_equal(r.width, 79);
	assert_int_equal(strncmp(out, "\rdnsblame: 18446744073709551615 packets", 39), 0);
	free(out);
}

/* Cleared with spaces over its width, between two \r; once. */
static void clear_once(void **state)
{
	(void)state;
	rp_progress_t r;
	cap_progress_t p = { .packets = 42, .nfiles = 1 };
	rp_progress_start(&r, 1, 0);
	size_t len;
	/* Nothing shown: nothing to clear. */
	capture_begin();
	rp_progress_clear(&r);
	free(capture_end(&len));
	assert_int_equal(len, 0);
	age(&r, 10, 10);
	free(draw(&r, &p, &len));
	int w = r.width;
	assert_true(w > 0);
	capture_begin();
	rp_progress_clear(&r);
	rp_progress_clear(&r);
	char *out = capture_end(&len);
	assert_int_equal(len, (size_t)w + 2);
	assert_int_equal(out[0], '\r');
	assert_int_equal(out[len - 1], '\r');
	for (size_t i = 1; i + 1 < len; i++)
		assert_int_equal(out[i], ' ');
	assert_int_equal(r.width, 0);
	free(out);
}

/* Before a write to stderr the line goes; before a write to stdout only
 * when the report goes to the same terminal. */
static void clear_for_stream(void **state)
{
	(void)state;
	cap_progress_t p = { .packets = 42, .nfiles = 1 };
	for (int tty = 0; tty < 2; tty++) {
		rp_progress_t r;
		size_t len;
		rp_progress_start(&r, 1, tty);
		age(&r, 10, 10);
		free(draw(&r, &p, &len));
		int w = r.width;
		capture_begin();
		rp_progress_clear_for(&r, stdout);
		free(capture_end(&len));
		assert_int_equal(len, tty ? (size_t)w + 2 : 0);
		assert_int_equal(r.width, tty ? 0 : w);
		capture_begin();
		rp_progress_clear_for(&r, stderr);
		free(capture_end(&len));
		assert_int_equal(len, tty ? 0 : (size_t)w + 2);
		assert_int_equal(r.width, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_state),
		cmocka_unit_test(nothing_in_the_first_half_second),
		cmocka_unit_test(line_content),
		cmocka_unit_test(sizes_and_unknown_totals),
		cmocka_unit_test(eta_in_hours),
		cmocka_unit_test(rate_limited),
		cmocka_unit_test(shorter_line_covers_longer),
		cmocka_unit_test(at_most_79_columns),
		cmocka_unit_test(clear_once),
		cmocka_unit_test(clear_for_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
