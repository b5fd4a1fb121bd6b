/*
 * capture.h - the packet source of dnsblame: pcap/pcapng files (several,
 * read in time order, "-" for stdin; gzip or zstd compressed or not) or a
 * live interface, turned into a stream of events (event.h).
 *
 * One capture at a time per process: libnids keeps global state.
 */
#ifndef DNSBLAME_CAPTURE_H
#define DNSBLAME_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/limits.h"
#include "../common/status.h"
#include "event.h"
#include "evidence.h"

typedef struct cap_opts {
	const char *const *files; /* nfiles paths; "-" is standard input */
	size_t nfiles;
	int hold_files;            /* keep each file's descriptor from cap_open to
	                            * cap_close (set when privileges are dropped
	                            * after cap_open: a file may not be readable by
	                            * the time the merge reaches it) */
	const char *iface;         /* live capture when set (files must be empty) */
	const char *filter;        /* BPF expression, applied to files and live */
	int promisc;               /* live: promiscuous mode */
	const db_limits_t *limits; /* window, max_frag_trains, max_tcp_streams,
	                            * max_handshakes; NULL: db_limits_default(0) */
	int snaplen;               /* live: bytes kept per packet; 0 = 65535 */
	int buffer_kib;            /* live: kernel buffer in KiB; 0 = 8192 */
	uint64_t count;            /* stop after this many packets; 0 = no limit */
	db_time_t duration;        /* stop after this long (live: wall clock from
	                            * the start; files: capture time from the first
	                            * packet); 0 = no limit */
	void (*tick)(void *user);  /* called between packets at least every 100 ms
	                            * of a live capture, and every 1024 packets of
	                            * any input (signals are acted on there); or NULL */
	void *tick_user;
} cap_opts_t;

typedef struct cap_stats {
	uint64_t packets;           /* records read */
	uint64_t bytes;             /* original (wire) bytes of those records */
	uint64_t truncated_packets; /* records whose caplen < len (snaplen) */
	uint64_t not_ip;            /* frames carrying something other than IP */
	uint64_t link_errors;       /* link header cut */
	uint64_t ip_errors;         /* malformed or cut IP headers */
	uint64_t ip4, ip6;
	uint64_t ip4_fragments, ip6_fragments;
	uint64_t frag_evicted; /* trains dropped because the table was full */
	uint64_t tcp_segments; /* TCP segments on port 53 */
	uint64_t
	    tcp_no_syn; /* port-53 data segments no stream could take (begun before the capture, not at a message start) */
	uint64_t tcp_evicted; /* streams dropped because the table was full */
	uint64_t handshakes_evicted;
	uint64_t tunnelled;          /* packets found inside IP-in-IP, GRE, VXLAN or Geneve */
	uint64_t frag_trains_cut;    /* incomplete trains whose fragments snaplen cut */
	uint64_t nids_warnings;      /* packets libnids rejected as invalid */
	uint64_t time_backwards;     /* records older than the one before */
	db_time_t first_ts, last_ts; /* 0 when no packet was read */
	/* Live capture only (pcap_stats): packets the kernel received, and
	 * dropped for want of buffer space or at the interface. */
	int live;
	uint64_t kernel_received, kernel_drops, interface_drops;
} cap_stats_t;

typedef struct cap cap_t;

/*
 * Opens every input and checks link types and the filter.  Returns NULL
 * and writes a one-line reason into err (naming the file or interface)
 * when an input cannot be opened; *st (when st is not NULL) then says
 * which kind of failure it was: DB_EINVAL (the filter, or no input: the
 * command line), DB_EIO (an input cannot be opened or read, or its
 * compressed data is damaged before the capture's file header), DB_EUNSUPP
 * (a link type dnsblame does not decode), DB_ENOMEM.
 *
 * Files compressed with gzip or zstd are told by their first bytes and
 * read as they are.  Each regular file is opened here, its first record's
 * time read, and closed again; cap_run opens it when the merge reaches
 * that time and closes it at its end, so the files open at once are those
 * that overlap in time.  Standard input and other inputs that cannot be
 * read twice (pipes) stay open.
 */
cap_t *cap_open(const cap_opts_t *opts, db_status_t *st, char *err, size_t errlen);

/*
 * The same for one pcap/pcapng stream already open for reading (a memory
 * buffer from fmemopen, a pipe), read as it is (not decompressed);
 * opts->files, nfiles, hold_files and iface are ignored, the other options
 * apply.  name labels the input in messages (NULL:
 * "(stream)").  Takes ownership of f: cap_close closes it, and it is closed
 * before NULL is returned.
 */
cap_t *cap_open_fp(FILE *f, const char *name, const cap_opts_t *opts, db_status_t *st, char *err,
		   size_t errlen);

/*
 * Reads every packet and calls fn for each event, in capture-time order.
 * At the end (or after cap_stop) flushes pending state, so that unfinished
 * fragment trains, handshakes and streams are reported.  Returns DB_OK, or
 * DB_EIO when an input broke off (err names the file, the byte offset and
 * libpcap's reason); events up to the damage have been delivered.
 */
db_status_t cap_run(cap_t *c, cap_event_fn fn, void *user, char *err, size_t errlen);

/*
 * cap_run, with the reading, decoding and reassembly on a second thread
 * when the input is files and the machine has two CPUs or more (relay.c):
 * fn and the tick still run on the caller's thread, with the same events
 * in the same order and the ticks at the same places among them, and
 * cap_stats and cap_progress show, while it runs, the counters as they
 * stood when the event or tick being handled was made (at an event: the
 * packets, truncated packets and first and last times; the others as at
 * the last tick).  Otherwise cap_run itself.
 *
 * fn gets, beside each event, what prep made of it (below), or NULL.
 *
 * ahead, when not NULL, sees each event a few events before fn does (on
 * the same thread, in the same order, the same bytes; none is skipped):
 * time for the caller to start fetching the memory fn will read.  It must
 * not change what fn will do.  Without the second thread it is not called.
 *
 * prep, when not NULL, is the caller's own work on each DNS event that
 * needs nothing of its state: it runs on the second thread, beside the
 * analysis of earlier events, and writes prep->size bytes that fn and
 * ahead get with the event.  It must read nothing the caller's thread
 * writes while it runs.  Without the second thread it is not called, and
 * fn gets NULL: fn must do the same work itself.
 */
typedef void (*cap_prepared_fn)(const cap_event_t *ev, const void *prep, void *user);
typedef struct cap_prep {
	size_t size; /* bytes fn writes at out (8-byte aligned) */
	void (*fn)(const cap_event_t *ev, void *out, void *user);
	void *user;
} cap_prep_t;
db_status_t cap_run_relayed(cap_t *c, cap_prepared_fn fn, cap_prepared_fn ahead,
			    const cap_prep_t *prep, void *user, char *err, size_t errlen);
/* cap_run_relayed would read on a second thread: the input is files and
 * the machine has two CPUs or more (then a CPU is shared with it). */
int cap_relays(const cap_t *c);

/* How far the reading of -r files has come (for a progress line). */
typedef struct cap_progress {
	uint64_t packets;     /* records read */
	uint64_t bytes_done;  /* stored bytes of the files read so far (a
	                         * compressed file's compressed bytes) */
	uint64_t bytes_total; /* their sizes; 0 when one is not known (a pipe) */
	size_t files_done;    /* read to the end (or broken off) */
	size_t nfiles;        /* 0 for a live capture */
} cap_progress_t;

/* Fills *p.  Cheap enough for a few times a second (a look at each file),
 * not for every packet; reads no clock. */
void cap_progress(const cap_t *c, cap_progress_t *p);

/* The one line tcpdump prints when a live capture starts ("listening on
 * IFACE, link-type ..., snapshot length N bytes"), or NULL for files. */
const char *cap_banner(const cap_t *c);

/* The i-th warning about the inputs (from 0), or NULL: a filter that
 * drops ICMP errors or non-first IP fragments, tested on synthetic packets
 * of the input's link type. */
const char *cap_warning(const cap_t *c, size_t i);

/* Prints the interfaces libpcap can capture on, one a line ("1.eth0",
 * with a description in parentheses when there is one).  Returns 0, or -1
 * with a reason in err. */
int cap_list_interfaces(FILE *out, char *err, size_t errlen);

/*
 * --save-evidence: reads the files of opts again (not stdin, not a live
 * capture; compressed ones as cap_open does) with the same filter and writes to outf (named out, opened for
 * writing, taken over and closed), as a pcap file of the first file's link
 * type, the packets that fall in one of the n spans (evidence.h; sorted in
 * place).  *written counts them.  Returns 0, or -1 with a reason in err.
 */
int cap_save_evidence(const cap_opts_t *opts, cap_span_t *spans, size_t n, FILE *outf,
		      const char *out, uint64_t *written, char *err, size_t errlen);

/* Asks cap_run to stop after the current packet (async-signal-safe). */
void cap_stop(cap_t *c);

/* The counters, brought up to date (valid until cap_close). */
const cap_stats_t *cap_stats(cap_t *c);
void cap_close(cap_t *c);

#endif
