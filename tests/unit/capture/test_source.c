/*
 * test_source.c - where packets come from (capture/source.c): pcap files
 * opened and checked (cap_open, cap_open_fp), several merged in time
 * order, compressed or not, read to the end or to the damage (cap_run),
 * the filter and its warnings, -c and --duration, progress, and
 * --save-evidence (cap_save_evidence).
 *
 * The captures are written here, record by record, into a temporary
 * directory.
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
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../../capture/capture.h"

#define SEC ((db_time_t)1000000)
#define T0S 1700000000u /* seconds */
#define T0 ((db_time_t)T0S * SEC)

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_USER0 147

#define MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb

/* ---- captures, written by hand ------------------------------------------ */

static char g_dir[64];
static int g_nfile;

/* A new path in the temporary directory. */
static const char *path_new(char *buf, size_t n, const char *ext)
{
	snprintf(buf, n, "%s/f%d%s", g_dir, g_nfile++, ext);
	return buf;
}

struct cap {
	uint8_t *b;
	size_t len, cap;
};

static void put(struct cap *c, const void *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2 + 256;
		c->b = realloc(c->b, c->cap);
		assert_non_null(c->b);
	}
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

static void put32(struct cap *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(c, b, 4);
}

/* The classic pcap file header (little-endian, microseconds). */
static void cap_header(struct cap *c, uint32_t linktype)
{
	static const uint8_t h[] = { 0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00,
				     0,    0,    0,    0,    0,    0,    0,    0 };

	memset(c, 0, sizeof(*c));
	put(c, h, sizeof(h));
	put32(c, 65535);
	put32(c, linktype);
}

/* One record at ts: caplen bytes of p, of a frame len long. */
static void cap_rec(struct cap *c, db_time_t ts, const uint8_t *p, size_t caplen, size_t len)
{
	put32(c, (uint32_t)(ts / SEC));
	put32(c, (uint32_t)(ts % SEC));
	put32(c, (uint32_t)caplen);
	put32(c, (uint32_t)len);
	put(c, p, caplen);
}

/* An Ethernet frame: IPv4 UDP 192.0.2.<host>:sport -> 198.51.100.53:53
 * carrying a DNS query with id qid; its length. */
static size_t query(uint8_t *f, uint8_t host, uint16_t sport, uint16_t qid)
{
	static const uint8_t eth[] = { MACS, 0x08, 0x00 };
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 45, 0x12, 0x34, 0x40, 0x00, 64,  17,
				      0,    0,    192,  0,  2,    1,    198,  51,   100, 53 };
	static const uint8_t dns[] = { 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };
	size_t n = 0;

	memcpy(f, eth, sizeof(eth));
	n += sizeof(eth);
	memcpy(f + n, ip, sizeof(ip));
	f[n + 15] = host;
	n += sizeof(ip);
	f[n + 0] = (uint8_t)(sport >> 8);
	f[n + 1] = (uint8_t)sport;
	f[n + 2] = 0;
	f[n + 3] = 53;
	f[n + 4] = 0;
	f[n + 5] = 25;
	f[n + 6] = f[n + 7] = 0;
	n += 8;
	memcpy(f + n, dns, sizeof(dns));
	f[n] = (uint8_t)(qid >> 8);
	f[n + 1] = (uint8_t)qid;
	return n + sizeof(dns);
}

/* The same query over IPv6: 2001:db8::<host> -> 2001:db8::35. */
static size_t query6(uint8_t *f, uint8_t host, uint16_t sport, uint16_t qid)
{
	static const uint8_t eth[] = { MACS, 0x86, 0xdd };
	static const uint8_t ip[] = { 0x60, 0, 0, 0, 0, 25, 17, 64, 0x20, 0x01, 0x0d, 0xb8, 0,
				      0,    0, 0, 0, 0, 0,  0,  0,  0,    0x20, 0x01, 0x0d, 0xb8,
				      0,    0, 0, 0, 0, 0,  0,  0,  0,    0,    0,    0x35 };
	uint8_t v4[128];
	size_t n4 = query(v4, host, sport, qid), n = 0;

	memcpy(f, eth, sizeof(eth));
	n += sizeof(eth);
	memcpy(f + n, ip, sizeof(ip));
	f[n + 23] = host;
	n += sizeof(ip);
	/* The UDP header and the message, as over IPv4. */
	memcpy(f + n, v4 + 14 + 20, n4 - 14 - 20);
	return n + n4 - 14 - 20;
}

static void cap_query(struct cap *c, db_time_t ts, uint8_t host, uint16_t sport, uint16_t qid)
{
	uint8_t f[128];
	size_t n = query(f, host, sport, qid);

	cap_rec(c, ts, f, n, n);
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Writes c to a new file (plain, ".gz" or ".zst"); frees c. */
static const char *cap_save(struct cap *c, char *buf, size_t bn, const char *ext)
{
	path_new(buf, bn, ext);
	if (strcmp(ext, ".gz") == 0) {
		uLong cap = compressBound(c->len) + 64;
		uint8_t *z = malloc(cap);
		z_stream s;
		memset(&s, 0, sizeof(s));
		assert_int_equal(
		    deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
		s.next_in = c->b;
		s.avail_in = (uInt)c->len;
		s.next_out = z;
		s.avail_out = (uInt)cap;
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		write_file(buf, z, cap - s.avail_out);
		deflateEnd(&s);
		free(z);
	} else if (strcmp(ext, ".zst") == 0) {
		size_t cap = ZSTD_compressBound(c->len);
		uint8_t *z = malloc(cap);
		size_t n = ZSTD_compress(z, cap, c->b, c->len, 3);
		assert_false(ZSTD_isError(n));
		write_file(buf, z, n);
		free(z);
	} else {
		write_file(buf, c->b, c->len);
	}
	free(c->b);
	c->b = NULL;
	return buf;
}

static off_t file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* ---- running ---------------------------------------------------------- */

#define REC_MAX 64

struct rec {
	int n; /* events of every kind */
	int ndns;
	cap_event_t ev[REC_MAX];
	uint16_t qid[REC_MAX]; /* for DNS events */
	cap_t *stop_at_first;  /* cap_stop on the first event */
};

static void rec_fn(const cap_event_t *ev, void *user)
{
	struct rec *r = user;

	if (r->n < REC_MAX) {
		r->ev[r->n] = *ev;
		if (ev->kind == CAP_EV_DNS && ev->u.dns.len >= 2)
			r->qid[r->n] = (uint16_t)(ev->u.dns.msg[0] << 8 | ev->u.dns.msg[1]);
		if (ev->kind == CAP_EV_DNS)
			r->ev[r->n].u.dns.msg = NULL; /* valid during the call only */
	}
	if (ev->kind == CAP_EV_DNS)
		r->ndns++;
	r->n++;
	if (r->stop_at_first)
		cap_stop(r->stop_at_first);
}

static db_limits_t g_lim;

static cap_opts_t opts(const char *const *files, size_t n)
{
	cap_opts_t o;

	memset(&o, 0, sizeof(o));
	g_lim = db_limits_default(0);
	g_lim.max_tcp_streams = 64;
	o.files = files;
	o.nfiles = n;
	o.limits = &g_lim;
	return o;
}

static cap_t *open_ok(const cap_opts_t *o)
{
	char err[512] = "";
	db_status_t st = DB_EIO;
	cap_t *c = cap_open(o, &st, err, sizeof(err));

	if (!c)
		fail_msg("cap_open: %s", err);
	assert_int_equal(st, DB_OK);
	return c;
}

/* cap_open fails with st, and err starting with want_prefix and holding
 * want (when not NULL). */
static void open_fails(const cap_opts_t *o, db_status_t want_st, const char *want_prefix,
		       const char *want)
{
	char err[512] = "";
	db_status_t st = DB_OK;

	assert_null(cap_open(o, &st, err, sizeof(err)));
	assert_int_equal(st, want_st);
	if (strncmp(err, want_prefix, strlen(want_prefix)) != 0 || (want && !strstr(err, want)))
		fail_msg("cap_open: \"%s\"; expected \"%s...%s\"", err, want_prefix,
			 want ? want : "");
}

static db_status_t run(cap_t *c, struct rec *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	err[0] = 0;
	return cap_run(c, rec_fn, r, err, errlen);
}

static int setup(void **state)
{
	(void)state;
	strcpy(g_dir, "/tmp/test_source.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	g_nfile = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[128];

	for (int i = 0; i < g_nfile; i++) {
		static const char *const exts[] = { "", ".gz", ".zst", ".out" };
		for (size_t k = 0; k < 4; k++) {
			snprintf(p, sizeof(p), "%s/f%d%s", g_dir, i, exts[k]);
			unlink(p);
		}
	}
	rmdir(g_dir);
	return 0;
}

/* ---- tests ------------------------------------------------------------ */

static void open_errors(void **state)
{
	(void)state;
	char p1[128], p2[128], p3[128], p4[128];
	struct cap c;

	cap_opts_t o = opts(NULL, 0);
	open_fails(&o, DB_EINVAL, "no input", NULL);

	const char *missing[] = { "/nonexistent/dir/x.pcap" };
	o = opts(missing, 1);
	open_fails(&o, DB_EIO, "/nonexistent/dir/x.pcap: ", "No such file");

	path_new(p1, sizeof(p1), "");
	write_file(p1, (const uint8_t *)"", 0);
	const char *empty[] = { p1 };
	o = opts(empty, 1);
	open_fails(&o, DB_EIO, p1, ": empty file");

	path_new(p2, sizeof(p2), "");
	write_file(p2, (const uint8_t *)"this is not a capture file at all", 33);
	const char *junk[] = { p2 };
	o = opts(junk, 1);
	open_fails(&o, DB_EIO, p2, NULL);

	cap_header(&c, LINKTYPE_USER0);
	cap_save(&c, p3, sizeof(p3), "");
	const char *user0[] = { p3 };
	o = opts(user0, 1);
	open_fails(&o, DB_EUNSUPP, p3, "USER0");

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&c, T0, 1, 40000, 1);
	cap_save(&c, p4, sizeof(p4), "");
	const char *good[] = { p4 };
	o = opts(good, 1);
	o.filter = "udp port";
	open_fails(&o, DB_EINVAL, "bad filter expression", NULL);
	/* One bad file among good ones fails the open, naming it. */
	const char *mixed[] = { p4, p3 };
	o = opts(mixed, 2);
	open_fails(&o, DB_EUNSUPP, p3, NULL);
	/* st may be NULL. */
	char err[256];
	o = opts(missing, 1);
	assert_null(cap_open(&o, NULL, err, sizeof(err)));
}

static void one_file_read_to_the_end(void **state)
{
	(void)state;
	char p[128], err[256];
	struct cap c;
	struct rec r;
	uint8_t f[128];

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&c, T0 + 5, 1, 40000, 0x0101);
	cap_query(&c, T0 + SEC, 2, 40001, 0x0202);
	/* Cut by snaplen: 50 of 59 bytes. */
	size_t n = query(f, 3, 40002, 0x0303);
	cap_rec(&c, T0 + 2 * SEC, f, 50, n);
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	cap_t *cp = open_ok(&o);
	assert_null(cap_banner(cp));
	assert_null(cap_warning(cp, 0));
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_string_equal(err, "");
	assert_int_equal(r.ndns, 3);
	assert_int_equal(r.ev[0].ts, T0 + 5);
	assert_int_equal(r.qid[0], 0x0101);
	assert_int_equal(r.ev[0].flow.sport, 40000);
	assert_int_equal(r.ev[1].ts, T0 + SEC);
	assert_int_equal(r.qid[1], 0x0202);
	assert_int_equal(r.ev[2].u.dns.len, 50 - 42);
	assert_int_equal(r.ev[2].u.dns.wire_len, 17);
	const cap_stats_t *st = cap_stats(cp);
	assert_int_equal(st->packets, 3);
	assert_int_equal(st->bytes, 3 * n);
	assert_int_equal(st->truncated_packets, 1);
	assert_int_equal(st->ip4, 3);
	assert_int_equal(st->first_ts, T0 + 5);
	assert_int_equal(st->last_ts, T0 + 2 * SEC);
	assert_int_equal(st->time_backwards, 0);
	assert_int_equal(st->live, 0);
	cap_close(cp);
	cap_close(NULL);
}

/* Several files read as one, in time order; ties go to the file named
 * first; records that go back in time inside a file are counted. */
static void files_merged_in_time_order(void **state)
{
	(void)state;
	char pa[128], pb[128], pc[128], err[256];
	struct cap a, b, c;
	struct rec r;

	cap_header(&a, LINKTYPE_ETHERNET);
	cap_header(&b, LINKTYPE_ETHERNET);
	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&a, T0 + 1 * SEC, 1, 40000, 0xa1);
	cap_query(&a, T0 + 3 * SEC, 1, 40000, 0xa3);
	cap_query(&a, T0 + 5 * SEC, 1, 40000, 0xa5);
	cap_query(&b, T0 + 2 * SEC, 2, 40000, 0xb2);
	cap_query(&b, T0 + 3 * SEC, 2, 40000, 0xb3); /* a tie with a's */
	cap_query(&b, T0 + 6 * SEC, 2, 40000, 0xb6);
	/* A later file named first. */
	cap_query(&c, T0 + 7 * SEC, 3, 40000, 0xc7);
	cap_query(&c, T0 + 6 * SEC + 500000, 3, 40000, 0xc6); /* back in time */
	cap_save(&a, pa, sizeof(pa), "");
	cap_save(&b, pb, sizeof(pb), ".gz");
	cap_save(&c, pc, sizeof(pc), ".zst");
	const char *files[] = { pc, pa, pb };
	cap_opts_t o = opts(files, 3);
	cap_t *cp = open_ok(&o);
	cap_progress_t pr;
	cap_progress(cp, &pr);
	assert_int_equal(pr.nfiles, 3);
	assert_int_equal(pr.files_done, 0);
	assert_int_equal(pr.packets, 0);
	assert_int_equal(pr.bytes_total, file_size(pa) + file_size(pb) + file_size(pc));
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	static const uint16_t want[] = { 0xa1, 0xb2, 0xa3, 0xb3, 0xa5, 0xb6, 0xc7, 0xc6 };
	assert_int_equal(r.ndns, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(r.qid[i], want[i]);
	const cap_stats_t *st = cap_stats(cp);
	assert_int_equal(st->packets, 8);
	assert_int_equal(st->time_backwards, 1);
	assert_int_equal(st->first_ts, T0 + 1 * SEC);
	assert_int_equal(st->last_ts, T0 + 7 * SEC);
	cap_progress(cp, &pr);
	assert_int_equal(pr.files_done, 3);
	assert_int_equal(pr.packets, 8);
	assert_int_equal(pr.bytes_done, pr.bytes_total);
	cap_close(cp);
}

/* A file cut inside a record: what came before is delivered, then the
 * run reports the file, where the damage is, and why. */
static void cut_file_reported(void **state)
{
	(void)state;
	char p[128], pz[128], err[512];
	struct cap c;
	struct rec r;
	uint8_t f[128];

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&c, T0, 1, 40000, 1);
	cap_query(&c, T0 + 1, 1, 40000, 2);
	size_t n = query(f, 1, 40000, 3);
	size_t at = c.len;
	put32(&c, T0S);
	put32(&c, 2);
	put32(&c, (uint32_t)n);
	put32(&c, (uint32_t)n);
	put(&c, f, 10); /* 10 of its bytes */
	struct cap copy = c;
	copy.b = malloc(c.len);
	memcpy(copy.b, c.b, c.len);
	cap_save(&c, p, sizeof(p), "");
	cap_save(&copy, pz, sizeof(pz), ".gz");

	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	cap_t *cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_EIO);
	assert_int_equal(r.ndns, 2);
	char want[256];
	snprintf(want, sizeof(want), "%s: record at offset %zu (after 2 packets)", p, at);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("err \"%s\", expected \"%s...\"", err, want);
	cap_close(cp);

	/* The same compressed, cut inside the gzip data: the offset is in the
	 * decompressed bytes, the reason the decompressor's. */
	struct stat sb;
	assert_int_equal(stat(pz, &sb), 0);
	assert_int_equal(truncate(pz, sb.st_size - 12), 0);
	const char *zfiles[] = { pz };
	o = opts(zfiles, 1);
	cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_EIO);
	assert_true(r.ndns <= 2);
	assert_non_null(strstr(err, pz));
	assert_non_null(strstr(err, "of the decompressed data"));
	assert_non_null(strstr(err, "the gzip data ends early"));
	cap_close(cp);
}

/* The filter applies to every file; one that drops ICMP errors or later
 * fragments is warned about. */
static void filter_and_warnings(void **state)
{
	(void)state;
	char p[128], err[256];
	struct cap c;
	struct rec r;

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&c, T0, 1, 40000, 1);
	cap_query(&c, T0 + 1, 2, 40000, 2);
	cap_query(&c, T0 + 2, 1, 40001, 3);
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	/* The probes (ICMP errors and fragments to 192.0.2.1, and IPv6)
	 * pass. */
	o.filter = "host 192.0.2.1 or ip6";
	cap_t *cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 2);
	assert_int_equal(r.qid[0], 1);
	assert_int_equal(r.qid[1], 3);
	assert_null(cap_warning(cp, 0));
	cap_close(cp);

	o.filter = "udp port 53";
	cp = open_ok(&o);
	const char *w0 = cap_warning(cp, 0), *w1 = cap_warning(cp, 1);
	assert_non_null(w0);
	assert_non_null(w1);
	assert_non_null(strstr(w0, "ICMP errors"));
	assert_non_null(strstr(w1, "fragments"));
	assert_null(cap_warning(cp, 2));
	cap_close(cp);

	o.filter = "udp port 53 or icmp or icmp6";
	cp = open_ok(&o);
	assert_non_null(cap_warning(cp, 0));
	assert_non_null(strstr(cap_warning(cp, 0), "fragments"));
	assert_null(cap_warning(cp, 1));
	cap_close(cp);

	o.filter = "port 53 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44";
	cp = open_ok(&o);
	assert_null(cap_warning(cp, 0));
	cap_close(cp);
}

/* -c and --duration (capture time from the first packet). */
static void count_and_duration(void **state)
{
	(void)state;
	char p[128], err[256];
	struct cap c;
	struct rec r;

	cap_header(&c, LINKTYPE_ETHERNET);
	for (int i = 0; i < 6; i++)
		cap_query(&c, T0 + i * SEC, 1, 40000, (uint16_t)i);
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	o.count = 2;
	cap_t *cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 2);
	assert_int_equal(cap_stats(cp)->packets, 2);
	cap_close(cp);

	o.count = 0;
	o.duration = 2 * SEC;
	cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 2); /* T0 and T0 + 1 s */
	cap_close(cp);
}

/* cap_stop from the sink: the run ends after the current packet, and the
 * pending state is still reported. */
static void stop_from_the_sink(void **state)
{
	(void)state;
	char p[128], err[256];
	struct cap c;
	struct rec r;

	cap_header(&c, LINKTYPE_ETHERNET);
	for (int i = 0; i < 5; i++)
		cap_query(&c, T0 + i, 1, 40000, (uint16_t)i);
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	cap_t *cp = open_ok(&o);
	memset(&r, 0, sizeof(r));
	r.stop_at_first = cp;
	assert_int_equal(cap_run(cp, rec_fn, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 1);
	assert_int_equal(cap_stats(cp)->packets, 1);
	cap_close(cp);
}

/* Capture time moves the state on: a fragment train is given up a second
 * after its first fragment (reported before the packet that showed the
 * time had come), and what is pending at the end is reported. */
static void expiry_and_end_of_input(void **state)
{
	(void)state;
	static const uint8_t frag[] = { MACS, 0x08, 0x00, 0x45, 0x00, 0x00, 0x24, 0x77, 0x77, 0x20,
					0x00, 64,   17,   0,    0,    198,  51,   100,  53,   192,
					0,    2,    1,    0x00, 0x35, 0x9c, 0x40, 0x00, 0x20, 0,
					0,    0xbe, 0xef, 0x81, 0x80, 0,    1,    0,    1 };
	char p[128], err[256];
	struct cap c;
	struct rec r;

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_rec(&c, T0, frag, sizeof(frag), sizeof(frag));
	cap_query(&c, T0 + SEC / 2, 1, 40000, 1);
	cap_query(&c, T0 + SEC + 50000, 1, 40000, 2);
	/* A second train, never completed, pending at the end. */
	uint8_t f2[sizeof(frag)];
	memcpy(f2, frag, sizeof(frag));
	f2[19] = 0x78;
	cap_rec(&c, T0 + 2 * SEC, f2, sizeof(f2), sizeof(f2));
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	cap_t *cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[0].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[1].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[1].u.frag.ip_id, 0x7777);
	assert_int_equal(r.ev[1].u.frag.have_qid, 1);
	assert_int_equal(r.ev[1].u.frag.qid, 0xbeef);
	assert_true(r.ev[1].ts >= T0 + SEC && r.ev[1].ts <= T0 + SEC + 50000);
	assert_int_equal(r.ev[2].kind, CAP_EV_DNS);
	assert_int_equal(r.ev[2].ts, T0 + SEC + 50000);
	assert_int_equal(r.ev[3].kind, CAP_EV_FRAG_EXPIRED);
	assert_int_equal(r.ev[3].u.frag.ip_id, 0x7778);
	assert_int_equal(cap_stats(cp)->ip4_fragments, 2);
	cap_close(cp);
}

/* A stream already open for reading: read as it is. */
static void stream_input(void **state)
{
	(void)state;
	char err[256];
	struct cap c;
	struct rec r;
	db_status_t st = DB_EIO;

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&c, T0, 1, 40000, 0x0f0f);
	FILE *f = fmemopen(c.b, c.len, "rb");
	assert_non_null(f);
	cap_opts_t o = opts(NULL, 0);
	cap_t *cp = cap_open_fp(f, "memory", &o, &st, err, sizeof(err));
	assert_non_null(cp);
	assert_int_equal(st, DB_OK);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 1);
	assert_int_equal(r.qid[0], 0x0f0f);
	cap_close(cp);
	/* Not a capture: the name labels the reason; f is closed (ASan). */
	static char junk[] = "not a pcap file, no, not at all";
	f = fmemopen(junk, sizeof(junk), "rb");
	assert_null(cap_open_fp(f, NULL, &o, &st, err, sizeof(err)));
	assert_int_equal(st, DB_EIO);
	assert_int_equal(strncmp(err, "(stream): ", 10), 0);
	/* A bad filter. */
	f = fmemopen(c.b, c.len, "rb");
	o.filter = "port port";
	assert_null(cap_open_fp(f, "memory", &o, &st, err, sizeof(err)));
	assert_int_equal(st, DB_EINVAL);
	free(c.b);
}

/* Standard input, named "-". */
static void standard_input(void **state)
{
	(void)state;
	char p[128], err[256];
	struct cap c;
	struct rec r;

	cap_header(&c, LINKTYPE_ETHERNET);
	cap_query(&c, T0, 1, 40000, 0x5151);
	cap_save(&c, p, sizeof(p), ".gz");
	int saved = dup(0), fd = open(p, O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	const char *files[] = { "-" };
	cap_opts_t o = opts(files, 1);
	cap_t *cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 1);
	assert_int_equal(r.qid[0], 0x5151);
	cap_close(cp);
	dup2(saved, 0);
	close(saved);
	/* --save-evidence reads files again: not standard input. */
	cap_span_t s;
	memset(&s, 0, sizeof(s));
	uint64_t written = 9;
	FILE *out = tmpfile();
	assert_int_equal(cap_save_evidence(&o, &s, 1, out, "x", &written, err, sizeof(err)), -1);
	assert_int_equal(written, 0);
	assert_non_null(strstr(err, "not with -r -"));
}

/* A file is opened when the merge reaches it: one removed after cap_open
 * cannot be read, unless its descriptor was held (hold_files). */
static void files_opened_when_reached(void **state)
{
	(void)state;
	char pa[128], pb[128], err[512];
	struct cap a;
	struct rec r;

	cap_header(&a, LINKTYPE_ETHERNET);
	cap_query(&a, T0, 1, 40000, 1);
	cap_save(&a, pa, sizeof(pa), "");
	cap_header(&a, LINKTYPE_ETHERNET);
	cap_query(&a, T0 + SEC, 1, 40000, 2);
	cap_save(&a, pb, sizeof(pb), "");
	const char *files[] = { pa, pb };
	cap_opts_t o = opts(files, 2);
	cap_t *cp = open_ok(&o);
	assert_int_equal(unlink(pb), 0);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_EIO);
	assert_int_equal(r.ndns, 1);
	assert_non_null(strstr(err, pb));
	cap_close(cp);

	cap_header(&a, LINKTYPE_ETHERNET);
	cap_query(&a, T0 + SEC, 1, 40000, 2);
	cap_save(&a, pb, sizeof(pb), ""); /* a new name */
	files[1] = pb;
	o.hold_files = 1;
	cp = open_ok(&o);
	assert_int_equal(unlink(pb), 0);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 2);
	cap_close(cp);
}

/* The tick is called every 1024 packets. */
static void count_tick(void *user) { (*(int *)user)++; }

static void tick_every_1024_packets(void **state)
{
	(void)state;
	char p[128], err[256];
	struct cap c;
	struct rec r;
	int ticks = 0;

	cap_header(&c, LINKTYPE_ETHERNET);
	for (int i = 0; i < 2100; i++)
		cap_query(&c, T0 + i, 1, 40000, (uint16_t)i);
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	cap_opts_t o = opts(files, 1);
	o.tick = count_tick;
	o.tick_user = &ticks;
	cap_t *cp = open_ok(&o);
	assert_int_equal(run(cp, &r, err, sizeof(err)), DB_OK);
	assert_int_equal(r.ndns, 2100);
	assert_int_equal(ticks, 2);
	cap_close(cp);
}

/* What a run shows its caller, in order: each event (kind, time, DNS id,
 * length) with the counters cap_stats shows at that moment, and each tick
 * with the packets cap_progress shows. */
struct trace {
	cap_t *c;
	uint64_t *v;
	size_t n, cap;
	/* With a look-ahead: the events it saw, the events fn saw, how
	 * many of each, and how far ahead of fn it ran at most. */
	struct trace *ahead, *handled_log;
	size_t seen, handled, lead;
	int prepared; /* the run has a preparation */
};

static void trace_put(struct trace *t, uint64_t x)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		assert_non_null(t->v);
	}
	t->v[t->n++] = x;
}

/* What an event is: its kind, time, and a DNS message's length and id. */
/* A flow as one number: every octet of both addresses, the ports, the
 * protocol. */
static uint64_t flow_sum(const db_flow_t *f)
{
	uint64_t h = DB_HASH_INIT;
	const db_addr_t *a[2] = { &f->src, &f->dst };
	for (int i = 0; i < 2; i++) {
		h = db_hash_mix(h, a[i]->family);
		for (size_t k = 0; k < sizeof(a[i]->a); k++)
			h = db_hash_mix(h, a[i]->a[k]);
	}
	return db_hash_mix(h, (uint64_t)f->sport << 24 | (uint64_t)f->dport << 8 | f->proto);
}

static void trace_what(struct trace *t, const cap_event_t *ev)
{
	trace_put(t, ev->kind);
	trace_put(t, (uint64_t)ev->ts);
	if (ev->kind == CAP_EV_DNS) {
		trace_put(t, ev->u.dns.len);
		trace_put(t, ev->u.dns.wire_len);
		trace_put(t, (uint64_t)ev->u.dns.msg[0] << 8 | ev->u.dns.msg[1]);
		trace_put(t, flow_sum(&ev->flow));
	}
}

/* The preparation of the relayed run with a look-ahead: a DNS message's
 * id and length, and a mark, made on the capture's thread. */
static void trace_prep(const cap_event_t *ev, void *out, void *user)
{
	assert_int_equal(ev->kind, CAP_EV_DNS);
	uint64_t v[2] = { (uint64_t)ev->u.dns.msg[0] << 8 | ev->u.dns.msg[1],
			  ev->u.dns.len | (uint64_t)0x5eed << 32 };
	memcpy(out, v, sizeof(v));
	(*(size_t *)user)++;
}

/* A preparation is there for a DNS event when the run has one, and says
 * what the event is; never for another event. */
static void check_prep(const struct trace *t, const cap_event_t *ev, const void *prep)
{
	if (!t->prepared || ev->kind != CAP_EV_DNS) {
		assert_null(prep);
		return;
	}
	assert_non_null(prep);
	uint64_t v[2];
	memcpy(v, prep, sizeof(v));
	assert_int_equal(v[0], (uint64_t)ev->u.dns.msg[0] << 8 | ev->u.dns.msg[1]);
	assert_int_equal(v[1], ev->u.dns.len | (uint64_t)0x5eed << 32);
}

static void trace_ahead(const cap_event_t *ev, const void *prep, void *user)
{
	struct trace *t = user;
	check_prep(t, ev, prep);
	trace_what(t->ahead, ev);
	t->seen++;
}

static void trace_event(const cap_event_t *ev, const void *prep, void *user)
{
	struct trace *t = user;
	const cap_stats_t *st = cap_stats(t->c);
	check_prep(t, ev, prep);
	if (t->ahead) {
		/* The look-ahead saw this event first. */
		trace_what(t->handled_log, ev);
		assert_true(t->seen > t->handled);
		if (t->seen - t->handled > t->lead)
			t->lead = t->seen - t->handled;
		t->handled++;
	}
	trace_what(t, ev);
	trace_put(t, st->packets);
	trace_put(t, (uint64_t)st->last_ts);
}

static void trace_tick(void *user)
{
	struct trace *t = user;
	cap_progress_t p;
	cap_progress(t->c, &p);
	trace_put(t, 1000);
	trace_put(t, p.packets);
}

static void trace_plain(const cap_event_t *ev, void *user) { trace_event(ev, NULL, user); }

/* cap_run_relayed shows what cap_run shows, in the same order, over more
 * records than its ring holds at once (it wraps and waits for room); its
 * look-ahead sees each event before fn does; the preparation made on the
 * capture's thread comes with each DNS event, to fn and the look-ahead. */
static void relayed_shows_what_cap_run_shows(void **state)
{
	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip(); /* cap_run_relayed is cap_run itself */
	char p[128], err[256];
	struct cap c;

	cap_header(&c, LINKTYPE_ETHERNET);
	/* Every seventh over IPv6: the relay packs an IPv4 address in four
	 * octets, an IPv6 one whole. */
	for (int i = 0; i < 70000; i++) {
		uint8_t f[128];
		uint8_t host = (uint8_t)(1 + i % 200);
		uint16_t sport = (uint16_t)(1024 + i % 50000);
		size_t n = i % 7 == 3 ? query6(f, host, sport, (uint16_t)i)
				      : query(f, host, sport, (uint16_t)i);
		cap_rec(&c, T0 + i * 100, f, n, n);
	}
	cap_save(&c, p, sizeof(p), "");
	const char *files[] = { p };
	/* cap_run; relayed; relayed with a look-ahead. */
	struct trace t[3], seen, handled;
	memset(t, 0, sizeof(t));
	memset(&seen, 0, sizeof(seen));
	memset(&handled, 0, sizeof(handled));
	t[2].ahead = &seen;
	t[2].handled_log = &handled;
	t[2].prepared = 1;
	size_t prepared = 0;
	const cap_prep_t prep = { 16, trace_prep, &prepared };
	for (int k = 0; k < 3; k++) {
		cap_opts_t o = opts(files, 1);
		o.tick = trace_tick;
		o.tick_user = &t[k];
		t[k].c = open_ok(&o);
		db_status_t rs = k ? cap_run_relayed(t[k].c, trace_event,
						     k == 2 ? trace_ahead : NULL,
						     k == 2 ? &prep : NULL, &t[k], err, sizeof(err))
				   : cap_run(t[k].c, trace_plain, &t[k], err, sizeof(err));
		assert_int_equal(rs, DB_OK);
		assert_int_equal(cap_stats(t[k].c)->packets, 70000);
		cap_close(t[k].c);
	}
	assert_true(t[0].n > 70000 * 6);
	for (int k = 1; k < 3; k++) {
		assert_int_equal(t[k].n, t[0].n);
		assert_memory_equal(t[k].v, t[0].v, t[0].n * sizeof(uint64_t));
	}
	/* The look-ahead saw every event fn saw, once each, in the same
	 * order, before fn (trace_event checks), a few events ahead. */
	assert_true(t[2].handled >= 70000);
	assert_int_equal(t[2].seen, t[2].handled);
	assert_int_equal(seen.n, handled.n);
	assert_memory_equal(seen.v, handled.v, seen.n * sizeof(uint64_t));
	assert_true(t[2].lead > 1 && t[2].lead <= 16);
	assert_int_equal(prepared, 70000); /* one query per packet */
	for (int k = 0; k < 3; k++)
		free(t[k].v);
	free(seen.v);
	free(handled.v);
}

/* --save-evidence: the packets of the spans, from every file, as a pcap
 * file of the first file's link type. */
static void save_evidence(void **state)
{
	(void)state;
	char pa[128], pb[128], out[128], err[256];
	struct cap a, b;

	cap_header(&a, LINKTYPE_ETHERNET);
	cap_header(&b, LINKTYPE_ETHERNET);
	cap_query(&a, T0, 1, 40000, 1);      /* 192.0.2.1 */
	cap_query(&a, T0 + 10, 2, 40000, 2); /* 192.0.2.2 */
	cap_query(&a, T0 + 20, 1, 40000, 3);
	cap_query(&b, T0 + 15, 1, 40000, 4);
	cap_query(&b, T0 + 500, 1, 40000, 5); /* after the span */
	cap_save(&a, pa, sizeof(pa), ".zst");
	cap_save(&b, pb, sizeof(pb), "");
	path_new(out, sizeof(out), ".out");
	const char *files[] = { pa, pb };
	cap_opts_t o = opts(files, 2);
	cap_span_t s;
	memset(&s, 0, sizeof(s));
	s.kind = CAP_SPAN_PAIR;
	assert_int_equal(db_addr_parse(&s.a, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&s.b, "198.51.100.53"), 0);
	s.from = T0;
	s.to = T0 + 100;
	uint64_t written = 0;
	FILE *f = fopen(out, "wb");
	assert_non_null(f);
	assert_int_equal(cap_save_evidence(&o, &s, 1, f, out, &written, err, sizeof(err)), 0);
	assert_int_equal(written, 3);
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(out, eb);
	assert_non_null(pc);
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;
	static const uint8_t ids[] = { 1, 3, 4 };
	while (pcap_next_ex(pc, &h, &d) == 1) {
		assert_true(n < 3);
		assert_int_equal(d[14 + 20 + 8 + 1], ids[n]);
		n++;
	}
	assert_int_equal(n, 3);
	pcap_close(pc);
	/* No input files. */
	o = opts(NULL, 0);
	f = fopen(out, "wb");
	assert_int_equal(cap_save_evidence(&o, &s, 1, f, out, &written, err, sizeof(err)), -1);
	assert_int_equal(written, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_errors),
		cmocka_unit_test(one_file_read_to_the_end),
		cmocka_unit_test(files_merged_in_time_order),
		cmocka_unit_test(cut_file_reported),
		cmocka_unit_test(filter_and_warnings),
		cmocka_unit_test(count_and_duration),
		cmocka_unit_test(stop_from_the_sink),
		cmocka_unit_test(expiry_and_end_of_input),
		cmocka_unit_test(stream_input),
		cmocka_unit_test(standard_input),
		cmocka_unit_test(files_opened_when_reached),
		cmocka_unit_test(tick_every_1024_packets),
		cmocka_unit_test(relayed_shows_what_cap_run_shows),
		cmocka_unit_test(save_evidence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
