/*
 * source.c - where packets come from: pcap/pcapng files read in time order
 * (a k-way merge on timestamps, since merged files may interleave), standard
 * input, or a live interface.  Each record goes to dispatch.c, which takes
 * it from the link layer to events.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cap_int.h"
#include "compress.h"
#include "dispatch.h"
#include "emit.h"
#include "evidence.h"
#include "link.h"

typedef struct src {
	pcap_t *p;        /* open, or NULL (not reached yet, or read) */
	cz_t *cz;         /* the decompressor under p, or NULL */
	char *iobuf;      /* the buffer of p's stream when it is a plain file */
	const char *path; /* as given; "-" is standard input */
	const char *name; /* in messages */
	int dlt;
	int fd;   /* held from cap_open to cap_close, or -1 */
	int keep; /* cannot be read twice (stdin, a pipe): open throughout */
	int done;
	uint64_t records;
	uint64_t offset;         /* bytes consumed (classic pcap layout) */
	int64_t size;            /* stored bytes (a regular file); -1: not known */
	db_time_t key;           /* merge order: the record read ahead's time, or
	                               * before the file is opened its first record's */
	struct pcap_pkthdr *hdr; /* the record read ahead, or NULL */
	const u_char *data;
} src_t;

struct cap {
	cap_ctx_t ctx;
	src_t *src;
	size_t nsrc;
	int live;
	const char *filter; /* applied to each file as it is opened */
	/* The merge: a binary heap of the sources not yet read to the end,
	 * by (key, index), so that ties go to the file named first. */
	size_t *heap;
	size_t nheap;
	size_t files_done;
	char pending_err[512]; /* a file that broke off before the merge began */
	uint64_t count;        /* stop after this many packets (0: no limit) */
	void (*tick)(void *user);
	void *tick_user;
	db_time_t duration; /* stop after this long (0: no limit) */
	char banner[256];
	char warn[2][192]; /* what the filter drops that attribution needs */
	size_t nwarn;
	volatile sig_atomic_t stop;
	db_time_t high; /* latest capture time seen */
	db_time_t next_expire;
	/* Live: the last look at the kernel's counters (pcap_stats). */
	struct timespec last_poll;
	uint64_t drops_seen;   /* kernel + interface drops reported so far */
	db_time_t drops_since; /* capture time of the last look */
	/* While cap_run runs on a thread of its own (relay.c): what the
	 * reader's thread is shown instead of the counters being changed. */
	const cap_stats_t *view;
	const cap_progress_t *view_progress;
};

__attribute__((format(printf, 3, 4))) static void cap_seterr(char *err, size_t errlen,
							     const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- what a filter lets through ------------------------------------------ */

/* The link header of a synthetic probe packet for link type dlt (IP
 * version 4 or 6), into out; its length, or -1 when this link type is not
 * probed. */
static int probe_link(int dlt, int v, uint8_t *out)
{
	uint16_t et = v == 4 ? 0x0800 : 0x86dd;
	switch (dlt) {
	case DLT_EN10MB:
		memset(out, 0, 12);
		out[12] = (uint8_t)(et >> 8);
		out[13] = (uint8_t)et;
		return 14;
	case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, address, protocol */
		memset(out, 0, 16);
		out[3] = 1;
		out[14] = (uint8_t)(et >> 8);
		out[15] = (uint8_t)et;
		return 16;
	case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, address */
		memset(out, 0, 20);
		out[0] = (uint8_t)(et >> 8);
		out[1] = (uint8_t)et;
		out[9] = 1;
		return 20;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		return 0;
	default: return -1;
	}
}

/* 1 when the compiled filter accepts the probe (IP packet l3). */
static int probe_passes(const struct bpf_program *prog, int dlt, int v, const uint8_t *l3,
			size_t len)
{
	uint8_t pkt[256];
	int hl = probe_link(dlt, v, pkt);
	if (hl < 0 || (size_t)hl + len > sizeof(pkt))
		return 1; /* not probed: no warning */
	memcpy(pkt + hl, l3, len);
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.caplen = h.len = (bpf_u_int32)((size_t)hl + len);
	return pcap_offline_filter(prog, &h, pkt) != 0;
}

/* The traffic attribution needs beside port 53: ICMP errors quoting a
 * query, and IP fragments that are not the first (they carry no port).
 * A filter like "port 53" drops them, and blocked ports then read as
 * timeouts, lost fragments as nothing: the user is told. */
static void probe_filter(cap_t *c, const struct bpf_program *prog, int dlt)
{
	/* IPv4: 192.0.2.53 -> 192.0.2.1, ICMP port unreachable quoting
	 * 192.0.2.1:40000 -> 192.0.2.53:53 (UDP). */
	static const uint8_t icmp4[56] = { 0x45, 0,    0, 56, 0,    1,  0, 0,  64,  1, 0, 0,
					   192,  0,    2, 53, 192,  0,  2, 1,  3,   3, 0, 0,
					   0,    0,    0, 0,  0x45, 0,  0, 40, 0,   2, 0, 0,
					   64,   17,   0, 0,  192,  0,  2, 1,  192, 0, 2, 53,
					   0x9c, 0x40, 0, 53, 0,    20, 0, 0 };
	/* IPv4 fragment at offset 1480, the last: no UDP header. */
	static const uint8_t frag4[28] = { 0x45, 0,  0,   28, 0, 3, 0, 185, 64, 17, 0, 0, 192, 0,
					   2,    53, 192, 0,  2, 1, 0, 0,   0,  0,  0, 0, 0,   0 };
	/* IPv6: fd00::53 -> fd00::1, a Fragment header at offset 1480. */
	uint8_t frag6[56];
	memset(frag6, 0, sizeof(frag6));
	frag6[0] = 0x60;
	frag6[5] = 16; /* payload length */
	frag6[6] = 44; /* Fragment */
	frag6[7] = 64;
	frag6[8] = 0xfd;
	frag6[23] = 0x53;
	frag6[24] = 0xfd;
	frag6[39] = 0x01;
	frag6[40] = 17; /* next header UDP */
	frag6[42] = (uint8_t)(1480 >> 8);
	frag6[43] = (uint8_t)(1480 & 0xf8);
	/* ICMPv6 port unreachable quoting fd00::1:40000 -> fd00::53:53. */
	uint8_t icmp6[96];
	memset(icmp6, 0, sizeof(icmp6));
	icmp6[0] = 0x60;
	icmp6[5] = 56;
	icmp6[6] = 58;
	icmp6[7] = 64;
	icmp6[8] = 0xfd;
	icmp6[23] = 0x53;
	icmp6[24] = 0xfd;
	icmp6[39] = 0x01;
	icmp6[40] = 1;
	icmp6[41] = 4;
	uint8_t *q = icmp6 + 48;
	q[0] = 0x60;
	q[5] = 8;
	q[6] = 17;
	q[7] = 64;
	q[8] = 0xfd;
	q[23] = 0x01;
	q[24] = 0xfd;
	q[39] = 0x53;
	q[40] = 0x9c;
	q[41] = 0x40;
	q[43] = 53;
	q[45] = 8;
	if (!probe_passes(prog, dlt, 4, icmp4, sizeof(icmp4)) ||
	    !probe_passes(prog, dlt, 6, icmp6, sizeof(icmp6)))
		snprintf(c->warn[c->nwarn++], sizeof(c->warn[0]),
			 "the filter drops ICMP errors: blocked ports will read as timeouts "
			 "(add 'or icmp or icmp6')");
	if (!probe_passes(prog, dlt, 4, frag4, sizeof(frag4)) ||
	    !probe_passes(prog, dlt, 6, frag6, sizeof(frag6)))
		snprintf(c->warn[c->nwarn++], sizeof(c->warn[0]),
			 "the filter drops IP fragments after the first: lost fragments go unseen "
			 "(add 'or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44')");
}

/* Compiles the filter for p's link type: when probe, tests it on the
 * packets attribution needs (until a warning is made); when set, applies
 * it. */
static int apply_filter(cap_t *c, pcap_t *p, const char *filter, const char *name, int probe,
			int set, char *err, size_t errlen)
{
	struct bpf_program prog;
	if (!filter)
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		cap_seterr(err, errlen, "bad filter expression: %s", pcap_geterr(p));
		return -1;
	}
	if (probe && c->nwarn == 0)
		probe_filter(c, &prog, pcap_datalink(p));
	int rc = set ? pcap_setfilter(p, &prog) : 0;
	pcap_freecode(&prog);
	if (rc < 0) {
		cap_seterr(err, errlen, "%s: cannot set filter: %s", name, pcap_geterr(p));
		return -1;
	}
	return 0;
}

static int open_live(cap_t *c, const cap_opts_t *o, char *err, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(o->iface, eb);
	if (!p) {
		cap_seterr(err, errlen, "%s: %s", o->iface, eb);
		return -1;
	}
	/* As tcpdump does: no immediate mode (with it, libpcap sizes the
	 * kernel ring in frames of snaplen bytes: 16 MiB held 64 packets of
	 * 262,144), a buffer timeout instead of a wakeup per packet, a
	 * snaplen that still holds any DNS message over TCP or UDP. */
	int snaplen = o->snaplen > 0 ? o->snaplen : 65535;
	int kib = o->buffer_kib > 0 ? o->buffer_kib : 8192;
	pcap_set_snaplen(p, snaplen);
	pcap_set_promisc(p, o->promisc);
	pcap_set_timeout(p, 100);
	pcap_set_buffer_size(p, kib * 1024);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		cap_seterr(err, errlen, "%s: %s", o->iface,
			   rc == PCAP_ERROR_PERM_DENIED
			       ? "permission denied (run as root or grant CAP_NET_RAW)"
			       : pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	c->src[0].p = p;
	c->src[0].name = o->iface;
	c->src[0].dlt = pcap_datalink(p);
	c->nsrc = 1;
	c->live = 1;
	const char *ln = pcap_datalink_val_to_name(c->src[0].dlt);
	const char *ld = pcap_datalink_val_to_description(c->src[0].dlt);
	snprintf(c->banner, sizeof(c->banner),
		 "listening on %s, link-type %s (%s), snapshot length %d bytes, buffer %d KiB",
		 o->iface, ln ? ln : "?", ld ? ld : "?", pcap_snapshot(p), kib);
	return 0;
}

/* libpcap's reason for refusing a file, said once: it starts some
 * reasons with the path itself, and calls an empty file a truncated one. */
static void open_error(const char *name, const char *path, const char *eb, char *err, size_t errlen)
{
	size_t pl = strlen(path);
	if (strncmp(eb, path, pl) == 0 && strncmp(eb + pl, ": ", 2) == 0)
		eb += pl + 2;
	if (strstr(eb, "file header bytes, only got 0"))
		eb = "empty file";
	cap_seterr(err, errlen, "%s: %s", name, eb);
}

/* pcapng timestamps are 64 bits in units the file chooses, so a damaged
 * or hostile file can give seconds that overflow microseconds in a
 * db_time_t (found by fuzz/fuzz_pcap, fuzz/corpus/pcap/pcapng-ts-overflow).
 * Seconds are clamped to [0, 10^12] (year 33658), which leaves room for
 * the window arithmetic done on capture times. */
#define CAP_MAX_SEC 1000000000000LL

static db_time_t ts_of(const struct pcap_pkthdr *h)
{
	db_time_t sec = (db_time_t)h->ts.tv_sec;
	if (sec < 0)
		sec = 0;
	else if (sec > CAP_MAX_SEC)
		sec = CAP_MAX_SEC;
	return sec * 1000000 + (db_time_t)h->ts.tv_usec;
}

/* Why s cannot be read on: where the damage starts, and the reason (the
 * decompressor's when it has one: libpcap would only say that a read
 * failed).  In a classic pcap file the record that failed begins right
 * after the last good one; in pcapng, where we cannot follow the block
 * layout, ftell tells how far libpcap got; on a pipe only the count is
 * known.  In a compressed file, offsets are in the decompressed bytes. */
static void read_error(const src_t *s, char *err, size_t errlen)
{
	char where[128];
	FILE *f = pcap_file(s->p);
	long pos = f ? ftell(f) : -1;
	const char *of = s->cz && cz_kind(s->cz) != CZ_PLAIN ? " of the decompressed data" : "";
	if (pcap_major_version(s->p) == 2)
		snprintf(where, sizeof(where), "record at offset %llu%s (after %llu packets)",
			 (unsigned long long)s->offset, of, (unsigned long long)s->records);
	else if (pos >= 0)
		snprintf(where, sizeof(where), "offset %ld%s (after %llu packets)", pos, of,
			 (unsigned long long)s->records);
	else
		snprintf(where, sizeof(where), "after %llu packets",
			 (unsigned long long)s->records);
	const char *why = s->cz && cz_error(s->cz) ? cz_error(s->cz) : pcap_geterr(s->p);
	cap_seterr(err, errlen, "%s: %s: %s", s->name, where, why);
}

/* Reads ahead one record from s.  Returns 0, or -1 on a read error. */
static int advance(src_t *s, char *err, size_t errlen)
{
	s->hdr = NULL;
	if (s->done)
		return 0;
	int rc = pcap_next_ex(s->p, &s->hdr, &s->data);
	if (rc == 1) {
		s->records++;
		s->offset += 16 + (uint64_t)s->hdr->caplen;
		return 0;
	}
	s->hdr = NULL;
	s->done = 1;
	if (rc == PCAP_ERROR) {
		read_error(s, err, errlen);
		return -1;
	}
	return 0; /* PCAP_ERROR_BREAK: end of file */
}

/*
 * Opens s for reading from its start, through compress.c (gzip and zstd
 * are told by their first bytes): fd when it is not -1 (taken over), else
 * the descriptor held since cap_open, standard input, or the path.
 */
static int src_open(src_t *s, int fd, char *err, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	if (fd < 0 && s->fd >= 0) {
		fd = dup(s->fd);
		if (fd >= 0 && lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
	} else if (fd < 0 && strcmp(s->path, "-") == 0) {
		fd = dup(STDIN_FILENO); /* the stream's fclose closes the copy */
	} else if (fd < 0) {
		fd = open(s->path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		cap_seterr(err, errlen, "%s: %s", s->name, strerror(errno));
		return -1;
	}
	FILE *f = cz_open(fd, &s->cz);
	if (!f) {
		cap_seterr(err, errlen, "%s: %s", s->name, strerror(errno));
		return -1;
	}
	/* libpcap reads a record at a time through the stream: with stdio's
	 * own buffer (st_blksize, 4 KiB), a read(2) every few packets, half
	 * of the system time of a large capture.  A compressed stream has
	 * its buffer from cz_open. */
	if (!s->cz && (s->iobuf = malloc(CZ_IOBUF)))
		setvbuf(f, s->iobuf, _IOFBF, CZ_IOBUF);
	s->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, eb);
	if (!s->p) {
		if (s->cz && cz_error(s->cz))
			cap_seterr(err, errlen, "%s: %s", s->name, cz_error(s->cz));
		else
			open_error(s->name, s->path, eb, err, errlen);
		fclose(f); /* libpcap leaves f open when it fails */
		free(s->iobuf);
		s->iobuf = NULL;
		s->cz = NULL;
		return -1;
	}
	s->dlt = pcap_datalink(s->p);
	s->offset = 24;
	s->records = 0;
	s->hdr = NULL;
	return 0;
}

/* Closes what src_open opened (the descriptor held, if any, stays). */
static void src_close(src_t *s)
{
	if (s->p)
		pcap_close(s->p); /* the stream, the decompressor, the descriptor */
	free(s->iobuf);           /* after the stream that used it */
	s->iobuf = NULL;
	s->p = NULL;
	s->cz = NULL;
	s->hdr = NULL;
}

static int open_fp(src_t *s, FILE *f, const char *name, char *err, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	s->name = s->path = name;
	s->keep = 1;
	s->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, eb);
	if (!s->p) {
		open_error(s->name, name, eb, err, errlen);
		return -1;
	}
	s->dlt = pcap_datalink(s->p);
	s->offset = 24;
	return 0;
}

/* Checks s's link type and the filter (applied when set). */
static int src_check(cap_t *c, const src_t *s, const char *filter, int set, db_status_t *st,
		     char *err, size_t errlen)
{
	*st = DB_EUNSUPP;
	if (!link_supported(s->dlt)) {
		const char *name = pcap_datalink_val_to_name(s->dlt);
		if (name)
			cap_seterr(err, errlen, "%s: link type %s (%d) is not supported", s->name,
				   name, s->dlt);
		else if (s->dlt >= 147 && s->dlt <= 162)
			/* LINKTYPE_USER0..15: for private use, no public
			 * meaning a decoder could rely on. */
			cap_seterr(
			    err, errlen,
			    "%s: link type USER%d (%d, reserved for private use) is not supported",
			    s->name, s->dlt - 147, s->dlt);
		else /* no capture tool knows it: a damaged header */
			cap_seterr(err, errlen,
				   "%s: damaged file header (link type %d is unknown to libpcap)",
				   s->name, s->dlt);
		return -1;
	}
	*st = DB_EINVAL;
	if (apply_filter(c, s->p, filter, s->name, 1, set, err, errlen) < 0)
		return -1;
	*st = DB_OK;
	return 0;
}

/*
 * cap_open, for each file: opens it, checks its link type and the filter,
 * and reads its first record.  A regular file is then closed until the
 * merge reaches that record's time, so that the files open at once are
 * those that overlap in time (rotated captures: one or two), not all the
 * files named.  Standard input and pipes cannot be read twice: they stay
 * open, filtered, and are read ahead in cap_run.  The first record is read
 * unfiltered: its time is a lower bound of the first one the filter
 * passes, which is all the merge needs.
 */
static int src_prescan(cap_t *c, src_t *s, const cap_opts_t *o, db_status_t *st, char *err,
		       size_t errlen)
{
	int in = strcmp(s->path, "-") == 0;
	s->name = in ? "(stdin)" : s->path;
	s->size = -1;
	*st = DB_EIO;
	int fd = in ? dup(STDIN_FILENO) : open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cap_seterr(err, errlen, "%s: %s", s->name, strerror(errno));
		return -1;
	}
	struct stat sb;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && at >= 0 && at <= sb.st_size)
		s->size = (int64_t)(sb.st_size - at);
	s->keep = in || s->size < 0;
	if (o->hold_files && !s->keep) {
		/* Privileges go after cap_open: the file may not be readable
		 * by the time the merge reaches it. */
		s->fd = fd;
		fd = -1;
	}
	if (src_open(s, fd, err, errlen) < 0 ||
	    src_check(c, s, o->filter, s->keep, st, err, errlen) < 0)
		return -1;
	if (s->keep)
		return 0;
	char e[sizeof(c->pending_err)] = "";
	if (advance(s, e, sizeof(e)) < 0)
		memcpy(c->pending_err, e, sizeof(e)); /* told when the run starts */
	if (s->hdr)
		s->key = ts_of(s->hdr);
	src_close(s);
	if (s->done)
		c->files_done++;
	return 0;
}

/* The merge has reached s's first record: s is opened again, filtered. */
static int src_reopen(cap_t *c, src_t *s, char *err, size_t errlen)
{
	int dlt = s->dlt;
	if (src_open(s, -1, err, errlen) < 0)
		return -1;
	if (s->dlt != dlt) {
		cap_seterr(err, errlen,
			   "%s: changed while dnsblame was reading (link type %d, was %d)", s->name,
			   s->dlt, dlt);
		return -1;
	}
	return apply_filter(c, s->p, c->filter, s->name, 0, 1, err, errlen);
}

/* With every file's descriptor held (hold_files), the soft limit on open
 * files (often 1024) may be too low: it is raised as far as the hard limit
 * allows. */
static void raise_fd_limit(size_t nfiles)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)nfiles + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static cap_t *finish_open(cap_t *c, const cap_opts_t *o, db_status_t *st, char *err, size_t errlen);

/* A capture with room for n sources, or NULL. */
static cap_t *cap_alloc(size_t n)
{
	cap_t *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->src = calloc(n, sizeof(*c->src));
	c->heap = calloc(n, sizeof(*c->heap));
	if (!c->src || !c->heap) {
		free(c->src);
		free(c->heap);
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		c->src[i].fd = -1;
	return c;
}

cap_t *cap_open(const cap_opts_t *o, db_status_t *st, char *err, size_t errlen)
{
	db_status_t dummy;
	if (!st)
		st = &dummy;
	if (!o->iface && o->nfiles == 0) {
		cap_seterr(err, errlen, "no input: give -r FILE or -i INTERFACE");
		*st = DB_EINVAL;
		return NULL;
	}
	*st = DB_ENOMEM;
	cap_t *c = cap_alloc(o->iface ? 1 : o->nfiles);
	if (!c) {
		cap_seterr(err, errlen, "out of memory");
		return NULL;
	}
	c->count = o->count;
	c->duration = o->duration;
	c->tick = o->tick;
	c->tick_user = o->tick_user;
	c->filter = o->filter;
	*st = DB_EIO;
	if (o->iface) {
		if (open_live(c, o, err, errlen) < 0 ||
		    src_check(c, &c->src[0], o->filter, 1, st, err, errlen) < 0)
			goto fail;
	} else {
		if (o->hold_files)
			raise_fd_limit(o->nfiles);
		for (size_t i = 0; i < o->nfiles; i++) {
			src_t *s = &c->src[c->nsrc++];
			s->path = o->files[i];
			if (src_prescan(c, s, o, st, err, errlen) < 0)
				goto fail;
		}
	}
	return finish_open(c, o, st, err, errlen);
fail:
	cap_close(c);
	return NULL;
}

cap_t *cap_open_fp(FILE *f, const char *name, const cap_opts_t *o, db_status_t *st, char *err,
		   size_t errlen)
{
	db_status_t dummy;
	if (!st)
		st = &dummy;
	*st = DB_ENOMEM;
	cap_t *c = cap_alloc(1);
	if (!c) {
		cap_seterr(err, errlen, "out of memory");
		fclose(f);
		return NULL;
	}
	*st = DB_EIO;
	c->nsrc = 1;
	if (open_fp(&c->src[0], f, name ? name : "(stream)", err, errlen) < 0) {
		/* libpcap leaves f open when it fails. */
		fclose(f);
		cap_close(c);
		return NULL;
	}
	c->filter = o->filter;
	if (src_check(c, &c->src[0], o->filter, 1, st, err, errlen) < 0) {
		cap_close(c);
		return NULL;
	}
	return finish_open(c, o, st, err, errlen);
}

/* Sets up the reassembly state.  Closes c on failure. */
static cap_t *finish_open(cap_t *c, const cap_opts_t *o, db_status_t *st, char *err, size_t errlen)
{
	*st = DB_ENOMEM;
	cap_ctx_t *x = &c->ctx;
	db_limits_t lim = o->limits ? *o->limits : db_limits_default(0);
	x->window = lim.window > 0 ? lim.window : DB_WINDOW_DEFAULT;
	x->max_tcp_streams = lim.max_tcp_streams;
	x->max_frag_trains = lim.max_frag_trains;
	if (dispatch_init(x, lim.max_handshakes, err, errlen) < 0)
		goto fail;
	*st = DB_OK;
	return c;
fail:
	cap_close(c);
	return NULL;
}

const char *cap_banner(const cap_t *c) { return c->live ? c->banner : NULL; }

const char *cap_warning(const cap_t *c, size_t i) { return i < c->nwarn ? c->warn[i] : NULL; }

int cap_list_interfaces(FILE *out, char *err, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, eb) < 0) {
		cap_seterr(err, errlen, "%s", eb);
		return -1;
	}
	int i = 1;
	for (const pcap_if_t *d = all; d; d = d->next, i++)
		fprintf(out, "%d.%s%s%s%s\n", i, d->name, d->description ? " (" : "",
			d->description ? d->description : "", d->description ? ")" : "");
	pcap_freealldevs(all);
	return 0;
}

void cap_stop(cap_t *c)
{
	c->stop = 1;
	/* Wakes a live handle blocked in poll() (libpcap 1.10 uses an
	 * eventfd for this on Linux), so Ctrl-C is obeyed at once.  Files
	 * look at the flag between records (their handles come and go). */
	if (c->live && c->src[0].p)
		pcap_breakloop(c->src[0].p);
}

void cap_set_view(cap_t *c, const cap_stats_t *st, const cap_progress_t *pr)
{
	c->view = st;
	c->view_progress = pr;
}

void cap_swap_tick(cap_t *c, void (**tick)(void *), void **user)
{
	void (*t)(void *) = c->tick;
	void *u = c->tick_user;
	c->tick = *tick;
	c->tick_user = *user;
	*tick = t;
	*user = u;
}

int cap_is_live(const cap_t *c) { return c->live; }

const cap_stats_t *cap_counters(const cap_t *c) { return &c->ctx.st; }

const cap_stats_t *cap_stats(cap_t *c) { return c->view ? c->view : cap_stats_now(c); }

const cap_stats_t *cap_stats_now(cap_t *c)
{
	/* Counters kept inside the reassembly modules are gathered here. */
	cap_ctx_t *x = &c->ctx;
	dispatch_stats(x);
	/* The kernel's count of what it received and dropped (libpcap:
	 * ps_drop is buffer overflow, ps_ifdrop the interface's). */
	struct pcap_stat ps;
	if (c->live && c->src[0].p && pcap_stats(c->src[0].p, &ps) == 0) {
		x->st.live = 1;
		x->st.kernel_received = ps.ps_recv;
		x->st.kernel_drops = ps.ps_drop;
		x->st.interface_drops = ps.ps_ifdrop;
	}
	return &x->st;
}

void cap_close(cap_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsrc; i++) {
		src_close(&c->src[i]);
		if (c->src[i].fd >= 0)
			close(c->src[i].fd);
	}
	dispatch_close(&c->ctx);
	free(c->heap);
	free(c->src);
	free(c);
}

/* How far into s's stored bytes the reading is. */
static int64_t src_stored_offset(const src_t *s)
{
	if (s->done)
		return s->size >= 0 ? s->size : 0;
	if (!s->p)
		return 0;
	int64_t at;
	if (s->cz) {
		at = cz_stored_offset(s->cz);
	} else {
		FILE *f = pcap_file(s->p);
		at = f ? ftell(f) : -1;
	}
	if (at < 0)
		return 0;
	return s->size >= 0 && at > s->size ? s->size : at;
}

void cap_progress(const cap_t *c, cap_progress_t *pr)
{
	if (c->view_progress) {
		*pr = *c->view_progress;
		return;
	}
	cap_progress_now(c, pr);
}

void cap_progress_now(const cap_t *c, cap_progress_t *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->packets = c->ctx.st.packets;
	if (c->live)
		return;
	pr->nfiles = c->nsrc;
	pr->files_done = c->files_done;
	int known = 1;
	for (size_t i = 0; i < c->nsrc; i++) {
		const src_t *s = &c->src[i];
		known &= s->size >= 0;
		if (s->size >= 0)
			pr->bytes_total += (uint64_t)s->size;
		pr->bytes_done += (uint64_t)src_stored_offset(s);
	}
	if (!known)
		pr->bytes_total = 0;
}

static void expire(cap_t *c, db_time_t now) { dispatch_expire(&c->ctx, now); }

static void frame(cap_t *c, const src_t *s, const struct pcap_pkthdr *h, const u_char *data)
{
	cap_ctx_t *x = &c->ctx;
	cap_stats_t *st = &x->st;
	db_time_t ts = ts_of(h);
	st->packets++;
	st->bytes += h->len;
	if (h->caplen < h->len)
		st->truncated_packets++;
	if (st->packets == 1 || ts < st->first_ts)
		st->first_ts = ts;
	if (ts > st->last_ts || st->packets == 1)
		st->last_ts = ts;
	if (st->packets > 1 && ts < x->now)
		st->time_backwards++;
	x->now = ts;
	if (ts > c->high)
		c->high = ts;
	/* Expiry walks only the oldest entries; a tenth of a second of
	 * capture time between walks keeps it off the per-packet path. */
	if (c->high >= c->next_expire) {
		expire(c, c->high);
		c->next_expire = c->high + 100000;
	}

	dispatch_frame(x, s->dlt, data, h->caplen);
}

static db_time_t wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (db_time_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* A packet's kernel timestamp may sit in a capture block for up to the
 * buffer timeout (100 ms) before it is read: an idle clock runs this far behind
 * the wall clock, so that no packet is older than the time already told. */
#define CAP_CLOCK_SLACK (200 * 1000LL)

/*
 * Live capture, every tenth of a second at most: the kernel's drop
 * counters are read, and drops since the last look become an event, so
 * that verdicts made over the loss know it; and when the interface is
 * idle, capture time follows the wall clock, so that a query nobody
 * answered gets its verdict one window later, packets or not.
 */
static void live_poll(cap_t *c, int idle)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ms = (int64_t)(now.tv_sec - c->last_poll.tv_sec) * 1000 +
		     (now.tv_nsec - c->last_poll.tv_nsec) / 1000000;
	if (ms < 100)
		return;
	c->last_poll = now;
	struct pcap_stat ps;
	if (c->src[0].p && pcap_stats(c->src[0].p, &ps) == 0) {
		uint64_t drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
		if (drops > c->drops_seen) {
			cap_event_t ev;
			memset(&ev, 0, sizeof(ev));
			ev.kind = CAP_EV_CAPTURE_LOSS;
			ev.ts = c->high;
			ev.u.drop.since = c->drops_since;
			ev.u.drop.packets = drops - c->drops_seen;
			emit_event(&c->ctx, &ev);
		}
		c->drops_seen = drops;
	}
	c->drops_since = c->high;
	if (!idle)
		return;
	db_time_t t = wall_now() - CAP_CLOCK_SLACK;
	if (c->high == 0 || t <= c->high)
		return;
	c->high = t;
	expire(c, t);
	c->next_expire = t + 100000;
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_CLOCK;
	ev.ts = t;
	emit_event(&c->ctx, &ev);
}

/* ---- the merge of files ------------------------------------------------- */

static int heap_less(const cap_t *c, size_t a, size_t b)
{
	db_time_t ka = c->src[a].key, kb = c->src[b].key;
	return ka < kb || (ka == kb && a < b);
}

static void heap_down(cap_t *c, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < c->nheap && heap_less(c, c->heap[l], c->heap[m]))
			m = l;
		if (l + 1 < c->nheap && heap_less(c, c->heap[l + 1], c->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		size_t t = c->heap[i];
		c->heap[i] = c->heap[m];
		c->heap[m] = t;
		i = m;
	}
}

static void heap_push(cap_t *c, size_t idx)
{
	size_t i = c->nheap++;
	c->heap[i] = idx;
	while (i > 0 && heap_less(c, c->heap[i], c->heap[(i - 1) / 2])) {
		size_t p = (i - 1) / 2, t = c->heap[i];
		c->heap[i] = c->heap[p];
		c->heap[p] = t;
		i = p;
	}
}

/* s, at the top of the heap, has a new record read ahead, or none. */
static void heap_next(cap_t *c, src_t *s)
{
	if (s->hdr) {
		s->key = ts_of(s->hdr);
	} else {
		c->heap[0] = c->heap[--c->nheap];
		src_close(s);
		c->files_done++;
	}
	if (c->nheap)
		heap_down(c, 0);
}

/*
 * Every record of every file, in capture-time order (ties: the file named
 * first), as a single file would give them: records that go back in time
 * within a file are counted by frame().  A file is opened when the merge
 * reaches its first record and closed when it is read to the end.
 */
static db_status_t run_files(cap_t *c, char *err, size_t errlen)
{
	db_status_t result = DB_OK;
	if (c->pending_err[0]) {
		cap_seterr(err, errlen, "%s", c->pending_err);
		result = DB_EIO;
	}
	for (size_t i = 0; i < c->nsrc; i++) {
		src_t *s = &c->src[i];
		if (s->keep && advance(s, err, errlen) < 0)
			result = DB_EIO;
		if (s->keep && s->hdr)
			s->key = ts_of(s->hdr);
		if (s->keep && !s->hdr) {
			src_close(s);
			c->files_done++;
		}
		if (!s->done)
			heap_push(c, i);
	}
	while (!c->stop && c->nheap) {
		src_t *s = &c->src[c->heap[0]];
		if (!s->p) {
			if (src_reopen(c, s, err, errlen) < 0) {
				s->done = 1;
				result = DB_EIO;
			} else if (advance(s, err, errlen) < 0) {
				result = DB_EIO;
			}
			heap_next(c, s);
			continue;
		}
		if (c->duration && c->ctx.st.packets && s->key - c->ctx.st.first_ts >= c->duration)
			break;
		frame(c, s, s->hdr, s->data);
		if (c->count && c->ctx.st.packets >= c->count)
			break;
		if (c->tick && (c->ctx.st.packets & 1023) == 0)
			c->tick(c->tick_user);
		if (advance(s, err, errlen) < 0)
			result = DB_EIO;
		heap_next(c, s);
	}
	return result;
}

db_status_t cap_run(cap_t *c, cap_event_fn fn, void *user, char *err, size_t errlen)
{
	c->ctx.fn = fn;
	c->ctx.user = user;
	db_status_t result = DB_OK;

	if (c->live) {
		src_t *s = &c->src[0];
		/* A live run's -c and --duration, on the wall clock: an idle
		 * interface still stops on time. */
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* Non-blocking reads and our own poll: with TPACKET_V3 an idle
		 * interface never times out a read, so neither --duration nor
		 * a stop request would be seen. */
		char eb[PCAP_ERRBUF_SIZE];
		int fd = pcap_get_selectable_fd(s->p);
		if (fd >= 0 && pcap_setnonblock(s->p, 1, eb) < 0)
			fd = -1;
		while (!c->stop) {
			if (c->duration) {
				struct timespec now;
				clock_gettime(CLOCK_MONOTONIC, &now);
				db_time_t el = (db_time_t)(now.tv_sec - t0.tv_sec) * 1000000 +
					       (now.tv_nsec - t0.tv_nsec) / 1000;
				if (el >= c->duration)
					break;
			}
			struct pcap_pkthdr *h;
			const u_char *d;
			int rc = pcap_next_ex(s->p, &h, &d);
			if (rc == 1) {
				frame(c, s, h, d);
				if (c->count && c->ctx.st.packets >= c->count)
					break;
				if ((c->ctx.st.packets & 1023) == 0) {
					live_poll(c, 0);
					if (c->tick)
						c->tick(c->tick_user);
				}
			} else if (rc == 0) {
				/* Nothing yet: wait a tenth of a second at most, then
				 * look at the stop flag and the clock again. */
				live_poll(c, 1);
				if (c->tick)
					c->tick(c->tick_user);
				if (fd >= 0) {
					struct pollfd pfd = { .fd = fd, .events = POLLIN };
					poll(&pfd, 1, 100);
				}
				continue;
			} else if (rc == PCAP_ERROR_BREAK && c->stop)
				break;
			else {
				if (rc == PCAP_ERROR && err && errlen)
					snprintf(err, errlen, "%s: %s", s->name, pcap_geterr(s->p));
				if (rc == PCAP_ERROR)
					result = DB_EIO;
				break;
			}
		}
	} else if (run_files(c, err, errlen) != DB_OK) {
		result = DB_EIO;
	}
	/* End of input: whatever is still pending is reported now. */
	dispatch_finish(&c->ctx);
	return result;
}

/* ---- --save-evidence ---------------------------------------------------- */

int cap_save_evidence(const cap_opts_t *o, cap_span_t *spans, size_t n, FILE *outf, const char *out,
		      uint64_t *written, char *err, size_t errlen)
{
	*written = 0;
	if (o->iface || o->nfiles == 0) {
		cap_seterr(err, errlen,
			   "--save-evidence reads the capture files again: give -r FILE");
		fclose(outf);
		return -1;
	}
	for (size_t i = 0; i < o->nfiles; i++)
		if (strcmp(o->files[i], "-") == 0) {
			cap_seterr(err, errlen,
				   "--save-evidence reads the capture files again: not with -r -");
			fclose(outf);
			return -1;
		}
	evsel_t sel;
	if (evsel_init(&sel, spans, n) < 0) {
		cap_seterr(err, errlen, "out of memory");
		fclose(outf);
		return -1;
	}
	pcap_dumper_t *d = NULL;
	int dlt0 = -1, rc = 0;
	for (size_t i = 0; i < o->nfiles && rc == 0; i++) {
		/* Compressed files too, as the analysis read them. */
		src_t s;
		memset(&s, 0, sizeof(s));
		s.fd = -1;
		s.path = s.name = o->files[i];
		if (src_open(&s, -1, err, errlen) < 0) {
			rc = -1;
			break;
		}
		pcap_t *p = s.p;
		int dlt = pcap_datalink(p);
		if (dlt0 < 0) {
			dlt0 = dlt;
			if (!(d = pcap_dump_fopen(p, outf))) {
				cap_seterr(err, errlen, "%s", pcap_geterr(p));
				src_close(&s); /* the stream and its buffer */
				rc = -1;
				break;
			}
		} else if (dlt != dlt0) {
			cap_seterr(err, errlen,
				   "%s: link type %s differs from the first file's: the evidence "
				   "of captures of different link types cannot go in one file",
				   o->files[i], link_name(dlt));
			src_close(&s); /* the stream and its buffer */
			rc = -1;
			break;
		}
		/* The packets the analysis saw: the same filter. */
		struct bpf_program prog;
		if (o->filter && *o->filter) {
			if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
				pcap_setfilter(p, &prog);
				pcap_freecode(&prog);
			}
		}
		/* Each file from its start: the spans under way start again. */
		sel.next = 0;
		sel.nactive = 0;
		struct pcap_pkthdr *h;
		const u_char *data;
		int r;
		while ((r = pcap_next_ex(p, &h, &data)) == 1) {
			cap_pkt_t pk;
			if (cap_pkt_parse(dlt, data, h->caplen, &pk) &&
			    evsel_match(&sel, ts_of(h), &pk)) {
				pcap_dump((u_char *)d, h, data);
				(*written)++;
			}
		}
		src_close(&s); /* the stream and its buffer */
	}
	if (d) {
		if (pcap_dump_flush(d) != 0 && rc == 0) {
			cap_seterr(err, errlen, "%s: cannot write", out);
			rc = -1;
		}
		pcap_dump_close(d); /* closes outf */
	} else {
		fclose(outf);
	}
	evsel_free(&sel);
	return rc;
}
