/*
 * progress.h - the progress line: while -r files are read and stderr is a terminal,
 * "dnsblame: N packets  P% of SIZE  R packets/s  ETA M:SS  files D/N",
 * redrawn in place with \r at most four times a second and cleared before
 * anything else is written to the terminal, so that no report or message
 * line is mixed with it.  main.c looks at the clock every 1024 packets
 * (its tick()); it only ever decides when to draw (capture time is untouched).
 */
#ifndef DNSBLAME_PROGRESS_H
#define DNSBLAME_PROGRESS_H

#include <stdio.h>
#include <time.h>

#include "../capture/capture.h"

typedef struct rp_progress {
	int on;      /* -r files, stderr a terminal, no -q */
	int out_tty; /* the report goes to a terminal too */
	int width;   /* characters on the line now; 0: nothing shown */
	struct timespec start, drawn;
} rp_progress_t;

/* on: show the line at all; out_tty: the report itself goes to a terminal. */
void rp_progress_start(rp_progress_t *r, int on, int out_tty);
/* Redraws the line with what the capture has read (p), at most four
 * times a second and not in the first half second. */
void rp_progress_draw(rp_progress_t *r, const cap_progress_t *p);
/* Clears the line, if shown. */
void rp_progress_clear(rp_progress_t *r);
/* Clears it before a write to f while the run goes on (stderr, or a
 * report on the same terminal). */
void rp_progress_clear_for(rp_progress_t *r, const FILE *f);

#endif
