/*
 * entries.c - counts, packet by packet, how many times the path of one
 * packet enters each file of capture/ (tests/capture-path.sh).
 *
 * Linked into a build of dnsblame whose capture/ files are compiled with
 * -finstrument-functions: the compiler calls __cyg_profile_func_enter and
 * _exit around every function of those files, with the function's address
 * and the address it was called from.  A call enters a file when the
 * function is in that file and the call comes from outside it (another
 * capture file, or a library calling back: libnids' TCP callback).  A
 * packet's path is everything under one call of dispatch_frame.
 *
 * The address ranges of the functions, and their files, come from the
 * table named by CAPTURE_PATH_TABLE ("start size file" lines, made by nm
 * from the same binary, which is linked without PIE so that addresses are
 * the table's).  At exit, one line per file: the most entries one packet
 * made, how many packets entered it more than twice, and the first such
 * packet (its number, from 1).  The files named by CAPTURE_PATH_SINK
 * (emit.c, and relay.c, which takes each event off to the analysis's
 * thread) are where each event leaves capture/: they are entered once per
 * event, and a TCP segment can complete many DNS messages, so their counts
 * are shown but not held to two.  The path of a packet is followed on the
 * thread that reads it: what the analysis's thread calls in capture/ (the
 * counters, the records of relay.c) is on no packet's path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINST __attribute__((no_instrument_function))
#define MAXF 64

typedef struct {
	uintptr_t lo, hi;
	int file;
	char name[48];
} range_t;

static range_t *ranges;
static size_t nranges;
static char files[MAXF][64];
static int nfiles;
static int frame_file = -1;          /* dispatch.c */
static int sink[MAXF];               /* emit.c, relay.c: once per event */
static uintptr_t frame_lo, frame_hi; /* dispatch_frame */
static _Thread_local int in_frame, frame_depth, depth;
static _Thread_local unsigned cur[MAXF];
static unsigned most[MAXF], over[MAXF];
static unsigned long packets, first_over[MAXF];
static unsigned long show; /* CAPTURE_PATH_SHOW: print this packet's entries */

void __cyg_profile_func_enter(void *fn, void *site) NOINST;
void __cyg_profile_func_exit(void *fn, void *site) NOINST;

static const range_t *NOINST range_of(uintptr_t a)
{
	size_t lo = 0, hi = nranges;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a < ranges[mid].lo)
			hi = mid;
		else if (a >= ranges[mid].hi)
			lo = mid + 1;
		else
			return &ranges[mid];
	}
	return NULL;
}

static int NOINST file_of(uintptr_t a)
{
	size_t lo = 0, hi = nranges;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a < ranges[mid].lo)
			hi = mid;
		else if (a >= ranges[mid].hi)
			lo = mid + 1;
		else
			return ranges[mid].file;
	}
	return -1;
}

static int NOINST cmp_range(const void *a, const void *b)
{
	const range_t *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void NOINST report(void)
{
	int bad = 0;
	printf("capture-path: %lu packets\n", packets);
	for (int f = 0; f < nfiles; f++) {
		if (!most[f])
			continue;
		printf("  %-12s at most %u entries per packet%s", files[f], most[f],
		       sink[f] ? " (one per event)" : "");
		if (over[f]) {
			printf(", %u packets over 2 (first: packet %lu)", over[f], first_over[f]);
			bad = 1;
		}
		printf("\n");
	}
	printf("capture-path: %s\n", bad ? "FAIL" : "ok");
	fflush(stdout);
}

static void NOINST __attribute__((constructor)) load(void)
{
	const char *path = getenv("CAPTURE_PATH_TABLE");
	FILE *fp = path ? fopen(path, "r") : NULL;
	if (!fp) {
		fprintf(stderr, "entries: CAPTURE_PATH_TABLE not readable\n");
		exit(2);
	}
	size_t cap = 0;
	unsigned long lo, size;
	char name[256], file[256];
	while (fscanf(fp, "%lx %lx %255s %255s", &lo, &size, name, file) == 4) {
		int f;
		for (f = 0; f < nfiles && strcmp(files[f], file); f++)
			;
		if (f == nfiles) {
			if (nfiles == MAXF)
				continue;
			snprintf(files[nfiles++], sizeof(files[0]), "%s", file);
		}
		if (nranges == cap) {
			cap = cap ? cap * 2 : 256;
			ranges = realloc(ranges, cap * sizeof(*ranges));
			if (!ranges)
				exit(2);
		}
		ranges[nranges].lo = lo;
		ranges[nranges].hi = lo + size;
		ranges[nranges].file = f;
		snprintf(ranges[nranges].name, sizeof(ranges[0].name), "%s", name);
		nranges++;
		if (!strcmp(name, "dispatch_frame")) {
			frame_lo = lo;
			frame_hi = lo + size;
			frame_file = f;
		}
	}
	fclose(fp);
	/* Space-separated file names. */
	const char *sinks = getenv("CAPTURE_PATH_SINK");
	for (int f = 0; sinks && f < nfiles; f++) {
		size_t n = strlen(files[f]);
		for (const char *p = strstr(sinks, files[f]); p; p = strstr(p + 1, files[f]))
			if ((p == sinks || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
				sink[f] = 1;
	}
	const char *sh = getenv("CAPTURE_PATH_SHOW");
	show = sh ? strtoul(sh, NULL, 10) : 0;
	qsort(ranges, nranges, sizeof(*ranges), cmp_range);
	if (frame_file < 0) {
		fprintf(stderr, "entries: no dispatch_frame in the table\n");
		exit(2);
	}
	atexit(report);
}

void __cyg_profile_func_enter(void *fn, void *site)
{
	uintptr_t a = (uintptr_t)fn;
	depth++;
	if (!in_frame) {
		if (a < frame_lo || a >= frame_hi)
			return;
		in_frame = 1;
		frame_depth = depth;
		packets++;
		memset(cur, 0, sizeof(cur));
	}
	int f = file_of(a);
	if (f >= 0 && f != file_of((uintptr_t)site - 1)) {
		cur[f]++;
		if (packets == show) {
			const range_t *r = range_of(a), *from = range_of((uintptr_t)site - 1);
			fprintf(stderr, "packet %lu: %s:%s from %s\n", packets, files[f], r->name,
				from ? from->name : "(outside capture/)");
		}
	}
}

void __cyg_profile_func_exit(void *fn, void *site)
{
	(void)fn;
	(void)site;
	if (in_frame && depth == frame_depth) {
		in_frame = 0;
		for (int f = 0; f < nfiles; f++) {
			if (cur[f] > most[f])
				most[f] = cur[f];
			if (cur[f] > 2 && !sink[f] && !over[f]++)
				first_over[f] = packets;
		}
	}
	depth--;
}
