/*
 * progress.c - the progress line on stderr while -r files are read (see
 * progress.h).
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>

#define PROGRESS_AFTER 0.5 /* seconds: a short run never shows it */
#define PROGRESS_EVERY 0.25
#define PROGRESS_COLS 79 /* a wrapped line could not be redrawn */

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* "1.2 GB", "530 MB", "12 kB" (SI units, as ls -h --si). */
static void size_str(char *buf, size_t n, uint64_t v)
{
	static const char *unit[] = { "B", "kB", "MB", "GB", "TB" };
	double d = (double)v;
	int u = 0;
	while (d >= 1000 && u < 4) {
		d /= 1000;
		u++;
	}
	snprintf(buf, n, u && d < 10 ? "%.1f %s" : "%.0f %s", d, unit[u]);
}

void rp_progress_clear(rp_progress_t *r)
{
	if (!r->width)
		return;
	fprintf(stderr, "\r%*s\r", r->width, "");
	r->width = 0;
}

void rp_progress_clear_for(rp_progress_t *r, const FILE *f)
{
	if (f == stderr || r->out_tty)
		rp_progress_clear(r);
}

void rp_progress_draw(rp_progress_t *r, const cap_progress_t *pp)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double el = seconds_between(&r->start, &now);
	if (el < PROGRESS_AFTER || seconds_between(&r->drawn, &now) < PROGRESS_EVERY)
		return;
	r->drawn = now;
	const cap_progress_t p = *pp;
	char line[256], sz[16];
	size_t n = (size_t)snprintf(line, sizeof(line), "dnsblame: %llu packets",
				    (unsigned long long)p.packets);
	/* What is known: the share of the bytes stored (compressed ones for a
	 * compressed file), or for a pipe how many were read. */
	if (p.bytes_total) {
		size_str(sz, sizeof(sz), p.bytes_total);
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  %.1f%% of %s",
				      100.0 * (double)p.bytes_done / (double)p.bytes_total, sz);
	} else if (p.bytes_done) {
		size_str(sz, sizeof(sz), p.bytes_done);
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  %s read", sz);
	}
	n += (size_t)snprintf(line + n, sizeof(line) - n, "  %.0f packets/s",
			      (double)p.packets / el);
	if (p.bytes_total && p.bytes_done && p.bytes_done < p.bytes_total) {
		long eta = (long)(el * (double)(p.bytes_total - p.bytes_done) /
				      (double)p.bytes_done +
				  0.5);
		if (eta >= 3600)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "  ETA %ld:%02ld:%02ld",
					      eta / 3600, eta / 60 % 60, eta % 60);
		else
			n += (size_t)snprintf(line + n, sizeof(line) - n, "  ETA %ld:%02ld",
					      eta / 60, eta % 60);
	}
	if (p.nfiles > 1)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "  files %zu/%zu", p.files_done,
				      p.nfiles);
	if (n > PROGRESS_COLS)
		n = PROGRESS_COLS;
	/* Spaces over what a longer line before left. */
	int w = (int)n > r->width ? (int)n : r->width;
	fprintf(stderr, "\r%-*.*s", w, (int)n, line);
	r->width = (int)n;
}

void rp_progress_start(rp_progress_t *r, int on, int out_tty)
{
	r->on = on;
	r->out_tty = out_tty;
	r->width = 0;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->drawn.tv_sec = r->drawn.tv_nsec = 0;
}
