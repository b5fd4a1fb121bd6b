#include "jsonw.h"

#include <string.h>

void jw_init(jsonw_t *w, FILE *f, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
	w->first[0] = 1;
}

static void indent(jsonw_t *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

static void put_escaped(jsonw_t *w, const uint8_t *s, size_t n)
{
	fputc('"', w->f);
	for (size_t i = 0; i < n; i++) {
		/* A run of plain ASCII goes out in one write. */
		size_t run = 0;
		while (i + run < n && s[i + run] >= 0x20 && s[i + run] < 0x7f &&
		       s[i + run] != '"' && s[i + run] != '\\')
			run++;
		if (run) {
			fwrite(s + i, 1, run, w->f);
			i += run;
			if (i == n)
				break;
		}
		uint8_t c = s[i];
		if (c == '"' || c == '\\') {
			fputc('\\', w->f);
			fputc(c, w->f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(w->f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, w->f);
		} else {
			/* Pass well-formed UTF-8 through (RFC 3629 section 4:
			 * no overlongs, no surrogates, nothing past U+10FFFF);
			 * replace anything else with U+FFFD. */
			size_t len = 0;
			uint8_t lo = 0x80, hi = 0xbf;
			if (c >= 0xc2 && c <= 0xdf)
				len = 2;
			else if (c >= 0xe0 && c <= 0xef) {
				len = 3;
				if (c == 0xe0)
					lo = 0xa0;
				else if (c == 0xed)
					hi = 0x9f;
			} else if (c >= 0xf0 && c <= 0xf4) {
				len = 4;
				if (c == 0xf0)
					lo = 0x90;
				else if (c == 0xf4)
					hi = 0x8f;
			}
			int ok = len && i + len <= n && s[i + 1] >= lo && s[i + 1] <= hi;
			for (size_t j = 2; ok && j < len; j++)
				ok = (s[i + j] & 0xc0) == 0x80;
			if (ok) {
				fwrite(s + i, 1, len, w->f);
				i += len - 1;
			} else {
				fputs("\\ufffd", w->f);
			}
		}
	}
	fputc('"', w->f);
}

static void member(jsonw_t *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = 0;
	if (w->depth > 0)
		indent(w);
	if (key) {
		put_escaped(w, (const uint8_t *)key, strlen(key));
		fputs(w->pretty ? ": " : ":", w->f);
	}
}

static void open_(jsonw_t *w, const char *key, char c)
{
	member(w, key);
	fputc(c, w->f);
	if (w->depth + 1 < JSONW_DEPTH)
		w->depth++;
	w->first[w->depth] = 1;
}

static void close_(jsonw_t *w, char c)
{
	int empty = w->first[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (!empty)
		indent(w);
	fputc(c, w->f);
}

void jw_obj_open(jsonw_t *w, const char *key) { open_(w, key, '{'); }
void jw_obj_close(jsonw_t *w) { close_(w, '}'); }
void jw_arr_open(jsonw_t *w, const char *key) { open_(w, key, '['); }
void jw_arr_close(jsonw_t *w) { close_(w, ']'); }

void jw_str(jsonw_t *w, const char *key, const char *s)
{
	member(w, key);
	put_escaped(w, (const uint8_t *)s, strlen(s));
}

void jw_strn(jsonw_t *w, const char *key, const uint8_t *s, size_t n)
{
	member(w, key);
	put_escaped(w, s, n);
}

void jw_u64(jsonw_t *w, const char *key, uint64_t v)
{
	member(w, key);
	fprintf(w->f, "%llu", (unsigned long long)v);
}

void jw_double(jsonw_t *w, const char *key, double v)
{
	member(w, key);
	fprintf(w->f, "%.3f", v);
}

void jw_bool(jsonw_t *w, const char *key, int v)
{
	member(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(jsonw_t *w, const char *key)
{
	member(w, key);
	fputs("null", w->f);
}

void jw_end(jsonw_t *w) { fputc('\n', w->f); }
