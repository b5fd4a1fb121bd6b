/*
 * jsonw.h - a small streaming JSON writer (RFC 8259) with correct string
 * escaping; it tracks commas so callers only say what comes next.
 */
#ifndef DNSBLAME_JSONW_H
#define DNSBLAME_JSONW_H

#include <stdint.h>
#include <stdio.h>

#define JSONW_DEPTH 32
#define JSONW_BUF 8192

/* What is written collects in buf and goes to f in large writes: when buf
 * is full, at jw_end and at jw_flush (a report is many small pieces;
 * one stdio call each cost more than the rest of the writer). */
typedef struct jsonw {
	FILE *f;
	int depth;
	int pretty;
	uint8_t first[JSONW_DEPTH]; /* no member written yet at this depth */
	size_t n;                   /* bytes in buf not written to f yet */
	char buf[JSONW_BUF];
} jsonw_t;

void jw_init(jsonw_t *w, FILE *f, int pretty);
void jw_obj_open(jsonw_t *w, const char *key); /* key NULL inside arrays / at top */
void jw_obj_close(jsonw_t *w);
void jw_arr_open(jsonw_t *w, const char *key);
void jw_arr_close(jsonw_t *w);
void jw_str(jsonw_t *w, const char *key, const char *s);
/* A string of n bytes that may hold any byte: invalid UTF-8 is replaced. */
void jw_strn(jsonw_t *w, const char *key, const uint8_t *s, size_t n);
void jw_u64(jsonw_t *w, const char *key, uint64_t v);
void jw_double(jsonw_t *w, const char *key, double v);
void jw_bool(jsonw_t *w, const char *key, int v);
void jw_null(jsonw_t *w, const char *key);
/* Ends the document with a newline, and writes what is buffered. */
void jw_end(jsonw_t *w);
/* Writes what is buffered to f (not flushing f itself). */
void jw_flush(jsonw_t *w);

#endif
