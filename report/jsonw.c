#include "jsonw.h"

#include <string.h>

void jw_init(jsonw_t *w, FILE *f, int pretty)
{
	w->f = f;
	w->depth = 0;
	w->pretty = pretty;
	memset(w->first, 0, sizeof(w->first));
	w->first[0] = 1;
	w->n = 0;
}

void jw_flush(jsonw_t *w)
{
	if (w->n)
		fwrite(w->buf, 1, w->n, w->f);
	w->n = 0;
}

/* put when p does not fit in what is left of buf. */
static void put_flushing(jsonw_t *w, const void *p, size_t len)
{
	jw_flush(w);
	if (len > sizeof(w->buf))
		fwrite(p, 1, len, w->f);
	else {
		memcpy(w->buf, p, len);
		w->n = len;
	}
}

/* The common case inline: a report is many small pieces. */
static inline void put(jsonw_t *w, const void *p, size_t len)
{
	if (len > sizeof(w->buf) - w->n) {
		put_flushing(w, p, len);
		return;
	}
	memcpy(w->buf + w->n, p, len);
	w->n += len;
}

static void putch(jsonw_t *w, char c)
{
	if (w->n == sizeof(w->buf))
		jw_flush(w);
	w->buf[w->n++] = c;
}

static void puts_(jsonw_t *w, const char *s) { put(w, s, strlen(s)); }

/* A new line and two spaces a level, in one write: most lines of a
 * report are short and deep. */
static void indent(jsonw_t *w)
{
	static const char line[] =
	    "\n                                                                "
	    "                                                                ";
	if (!w->pretty)
		return;
	size_t n = 1 + 2 * (size_t)w->depth;
	put(w, line, n < sizeof(line) - 1 ? n : sizeof(line) - 1);
}

/* An octet a string carries as it is: printable ASCII but for the quote
 * and the backslash. */
static inline int plain(uint8_t c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

/* Whether any octet of the word x is not plain: below 0x20, the quote,
 * the backslash, or 0x7f and above.  Each test is exact for "any octet":
 * (v - 0x01..) & ~v & 0x80.. is nonzero only when some octet of v is
 * zero, (x - n..) & ~x & 0x80.. only when some octet is below n (n at
 * most 0x80); adding 1 to each octet sets the high bit of 0x7f, and
 * carries out of an octet only from 0xff, whose high bit is set. */
static inline int word_has_special(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t t = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x |
		     (x + ones);
	return (t & high) != 0;
}

/* The length of the run of plain octets at the start of s[0..n): eight
 * octets at a time while none of them is special. */
static inline size_t plain_run(const uint8_t *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (word_has_special(x))
			break;
	}
	while (i < n && plain(s[i]))
		i++;
	return i;
}

/* The rest of a string from its first octet that is not plain. */
static void put_escaped_rest(jsonw_t *w, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* A run of plain ASCII goes out in one write. */
		size_t run = plain_run(s + i, n - i);
		if (run) {
			put(w, s + i, run);
			i += run;
			if (i == n)
				break;
		}
		uint8_t c = s[i];
		if (c == '"' || c == '\\') {
			putch(w, '\\');
			putch(w, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			char u[8];
			put(w, u, (size_t)snprintf(u, sizeof(u), "\\u%04x", c));
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
				put(w, s + i, len);
				i += len - 1;
			} else {
				puts_(w, "\\ufffd");
			}
		}
	}
}

/* s[0..n) as a JSON string.  Most strings of a report (names, addresses,
 * times, the keys) are plain throughout: found so eight octets at a time,
 * they go out in one write. */
static void put_escaped(jsonw_t *w, const uint8_t *s, size_t n)
{
	size_t run = plain_run(s, n);
	putch(w, '"');
	put(w, s, run);
	if (run < n)
		put_escaped_rest(w, s + run, n - run);
	putch(w, '"');
}

static void member(jsonw_t *w, const char *key)
{
	if (!w->first[w->depth])
		putch(w, ',');
	w->first[w->depth] = 0;
	if (w->depth > 0)
		indent(w);
	if (key) {
		put_escaped(w, (const uint8_t *)key, strlen(key));
		puts_(w, w->pretty ? ": " : ":");
	}
}

static void open_(jsonw_t *w, const char *key, char c)
{
	member(w, key);
	putch(w, c);
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
	putch(w, c);
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
	/* Written from the end: a report has hundreds of thousands. */
	char b[24];
	char *p = b + sizeof(b);
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, p, (size_t)(b + sizeof(b) - p));
}

void jw_double(jsonw_t *w, const char *key, double v)
{
	member(w, key);
	char b[320]; /* the largest double, 309 digits, and ".000" */
	int k = snprintf(b, sizeof(b), "%.3f", v);
	if (k > 0)
		put(w, b, (size_t)k < sizeof(b) ? (size_t)k : sizeof(b) - 1);
}

void jw_bool(jsonw_t *w, const char *key, int v)
{
	member(w, key);
	puts_(w, v ? "true" : "false");
}

void jw_null(jsonw_t *w, const char *key)
{
	member(w, key);
	puts_(w, "null");
}

void jw_end(jsonw_t *w)
{
	putch(w, '\n');
	jw_flush(w);
}
