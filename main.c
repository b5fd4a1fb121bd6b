/*
 * main.c - dnsblame's command line: where capture/, analyze/ and report/
 * meet.  Options follow tcpdump where they overlap (-r, -i, -p, a trailing
 * BPF expression).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "capture/capture.h"
#include "report/metrics.h"
#include "report/progress.h"
#include "report/report.h"

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_INPUT = 3,    /* an input could not be opened or is not a capture */
	EXIT_DAMAGED = 4,  /* an input broke off; the report covers what came before */
	EXIT_OUTPUT = 5,   /* the report could not be written */
	EXIT_INTERNAL = 6, /* out of memory */
};

/* Files are opened one after the other as the merge reaches them, so the
 * bound is the command line's, not the open files': a week of
 * one-minute tcpdump -G rotations is 10,080. */
#define MAX_FILES 65536
#define MAX_RESOLVERS 64

static cap_t *g_cap;                              /* for the signal handler only */
static volatile sig_atomic_t g_interim, g_reopen; /* SIGUSR1, SIGHUP seen */

static void on_signal(int sig)
{
	if (sig == SIGUSR1) {
		g_interim = 1;
	} else if (sig == SIGHUP) {
		g_reopen = 1;
	} else if (g_cap) {
		cap_stop(g_cap);
	}
}

/* What the run is doing between packets: SIGUSR1 prints an interim
 * report on stderr and the run goes on (tcpdump's habit); SIGHUP reopens
 * the -o file (log rotation: the stream goes on in a new file). */
typedef struct run {
	cap_t *cap;
	an_t *an;
	FILE **out;
	const char *outpath;
	const char *format;
	const cap_opts_t *co;
	uint64_t last[VD_NKINDS][VD_NCAUSES]; /* counts at the last --interval summary */
	rp_server_t *metrics;                 /* --metrics-listen, or NULL */
	const char *host;                     /* where the report was made */
	const char *command;                  /* how: the command line */
	struct timespec published;            /* when the metrics were last brought up to date */
	rp_progress_t progress;               /* the progress line on stderr (report/progress.c) */
} run_t;

/* What the report stages read, as it stands now (final or interim). */
static void fill_input(rp_input_t *in, const run_t *r)
{
	memset(in, 0, sizeof(*in));
	in->host = r->host;
	in->command = r->command;
	in->filter = r->co->filter;
	in->files = r->co->files;
	in->nfiles = r->co->nfiles;
	in->iface = r->co->iface;
	in->cap = cap_stats(r->cap);
	in->an = an_stats(r->an);
	in->window = r->co->limits->window;
	in->vantage = roles_vantage_str(roles_vantage(an_roles(r->an)));
	in->nresolvers = roles_resolvers(an_roles(r->an), in->resolvers, RP_MAX_RESOLVERS);
	in->tally = an_tally(r->an);
}

/* --interval: a summary of the run so far and of the span just over
 * (capture time; a live run's follows the wall clock). */
static void periodic(db_time_t from, db_time_t to, void *user)
{
	run_t *r = user;
	rp_input_t in;
	fill_input(&in, r);
	rp_period_t p = { from, to, r->last };
	FILE *f = strcmp(r->format, "json") == 0 ? stderr : *r->out;
	rp_progress_clear_for(&r->progress, f);
	if (strcmp(r->format, "ndjson") == 0)
		rp_ndjson_stats(f, &in, &p);
	else
		rp_text_stats(f, &in, &p);
	fflush(f);
	memcpy(r->last, in.an->by_cause, sizeof(r->last));
}

static void interim(const run_t *r)
{
	rp_input_t in;
	fill_input(&in, r);
	rp_text_interim(stderr, &in);
}

/* --metrics-listen: the text served, brought up to date at most once a
 * second (and at the end). */
static void publish(run_t *r, int now)
{
	if (!r->metrics)
		return;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!now && t.tv_sec == r->published.tv_sec)
		return;
	r->published = t;
	rp_input_t in;
	fill_input(&in, r);
	size_t len;
	char *text = rp_metrics_text(&in, &len);
	if (text)
		rp_serve_publish(r->metrics, text, len);
}

static void tick(void *user)
{
	run_t *r = user;
	publish(r, 0);
	if (g_interim) {
		g_interim = 0;
		rp_progress_clear(&r->progress);
		interim(r);
	}
	if (g_reopen) {
		g_reopen = 0;
		rp_progress_clear(&r->progress);
		if (!r->outpath)
			return;
		/* Appending: a file not moved away keeps what it had. */
		FILE *f = fopen(r->outpath, "a");
		if (!f) {
			fprintf(
			    stderr,
			    "dnsblame: SIGHUP: cannot reopen %s: %s (writing on to the old file)\n",
			    r->outpath, strerror(errno));
			return;
		}
		fflush(*r->out);
		fclose(*r->out);
		*r->out = f;
		fprintf(stderr, "dnsblame: SIGHUP: %s reopened\n", r->outpath);
	}
	if (r->progress.on) {
		cap_progress_t p;
		cap_progress(r->cap, &p);
		rp_progress_draw(&r->progress, &p);
	}
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: dnsblame [-r FILE]... [-i IFACE] [-p] [-f FILTER] [options] [expression]\n"
	    "Explains why a DNS resolver answered SERVFAIL, from packet captures.\n"
	    "\n"
	    "input\n"
	    "  -r FILE               read a pcap or pcapng file, gzip or zstd compressed or\n"
	    "                        not (repeatable: read in time order; - is standard\n"
	    "                        input)\n"
	    "  -i IFACE              capture live on an interface (stop with Ctrl-C; SIGUSR1\n"
	    "                        prints an interim report; SIGHUP reopens the -o file)\n"
	    "  -p                    live: do not put the interface in promiscuous mode\n"
	    "  -s SNAPLEN            live: bytes kept per packet (default 65535)\n"
	    "  -B KIB                live: kernel capture buffer in KiB (default 8192)\n"
	    "  -c COUNT              stop after COUNT packets\n"
	    "  --duration SECONDS    stop after SECONDS (live: from the start; files: capture\n"
	    "                        time)\n"
	    "  -D                    list the interfaces a live capture can use, and exit\n"
	    "  -Z USER               run as USER once the inputs are open (default nobody)\n"
	    "  -f FILTER             BPF filter, as in tcpdump; may also follow the options.\n"
	    "                        Keep fragments and ICMP: 'port 53 or icmp or icmp6 or\n"
	    "                        (ip[6:2] & 0x1fff != 0) or ip6[6] == 44'\n"
	    "analysis\n"
	    "  --window SECONDS      how long state lives, in capture time (default 30)\n"
	    "  --resolver ADDR       this address is a resolver (repeatable; no inference)\n"
	    "  --max-transactions N  open DNS transactions kept (default 524288)\n"
	    "  --max-fragments N     incomplete fragment trains kept per IP version\n"
	    "                        (default 65536)\n"
	    "  --max-tcp-streams N   TCP streams followed per IP version (default 16384)\n"
	    "  --max-verdicts N      SERVFAIL and unanswered verdicts listed whole in JSON,\n"
	    "                        the latest (default 20000, live 1000; all are counted)\n"
	    "  --dnssec-audit        also re-verify the DNSSEC chain of every answered query\n"
	    "output\n"
	    "  --format FMT          text (default), markdown, html, json, or ndjson (a\n"
	    "                        stream: one verdict a line)\n"
	    "  -o FILE               write the report to FILE instead of standard output\n"
	    "  --color WHEN          text colours: auto (on a terminal), always, never\n"
	    "  --metrics-listen ADDR:PORT\n"
	    "                        serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	    "                        ([::1]:PORT for IPv6, :PORT for every address)\n"
	    "  --save-evidence FILE  write the packets of each SERVFAIL incident's example\n"
	    "                        (its query, upstream attempts, ICMP errors, TCP,\n"
	    "                        fragments, the root it repeats, the DNSSEC keys it\n"
	    "                        used) to FILE, a pcap to attach (-r files only)\n"
	    "  --interval SECONDS    a summary every SECONDS of capture time (live: clock):\n"
	    "                        a {\"type\": \"stats\"} record in ndjson, a block in text,\n"
	    "                        on stderr with json\n"
	    "  -q, --quiet           no progress line (shown on a terminal while -r files\n"
	    "                        are read)\n"
	    "  -h, --help            this help;  --version  the version\n"
	    "\n"
	    "exit status: 0 ok, 2 usage, 3 input cannot be opened, 4 input damaged (report\n"
	    "still written for what came before), 5 output error, 6 out of memory\n"
	    "See dnsblame(1).\n");
}

#define MAX_LIMIT ((size_t)1 << 24)

/* A positive count up to max: each limit sizes tables allocated up front
 * (libnids computes in int: 16,777,216 streams is its safe ceiling). */
static int parse_count(const char *s, const char *opt, size_t max, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || end == s || v == 0 || s[0] == '-') {
		fprintf(stderr, "dnsblame: %s: expected a positive count, got '%s'\n", opt, s);
		return -1;
	}
	if (v > max) {
		fprintf(stderr, "dnsblame: %s: %s is more than the most allowed, %zu\n", opt, s,
			max);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

static int parse_seconds(const char *s, const char *opt, double max, db_time_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !(v > 0) || v > max) {
		fprintf(stderr, "dnsblame: %s: expected seconds in (0, %.0f], got '%s'\n", opt, max,
			s);
		return -1;
	}
	*out = (db_time_t)(v * 1e6);
	return 0;
}

/*
 * Live capture needs root (or CAP_NET_RAW) only to open the interface, and
 * reading files needs it only to open them; the rest — parsing hostile
 * bytes — runs as an unprivileged user, as tcpdump's -Z does.  Inputs and
 * the -o file were opened before this point.
 */
static int drop_privileges(const char *user)
{
	/* A user that does not exist is a mistake on any account. */
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "dnsblame: -Z: no such user '%s'\n", user);
		return -1;
	}
	/* Not root, or asked to stay root (-Z root): nothing to drop. */
	if (geteuid() != 0 || pw->pw_uid == 0)
		return 0;
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "dnsblame: cannot drop privileges to '%s': %s\n", user,
			strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "dnsblame: privileges were not dropped (setuid(0) succeeded)\n");
		return -1;
	}
	return 0;
}

/* -D: the interfaces a live capture can use, numbered as tcpdump -D does. */
static int list_interfaces(void)
{
	char err[256] = "";
	if (cap_list_interfaces(stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsblame: -D: %s\n", err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/* --format ndjson: each verdict is written and flushed as it is made, so
 * a live run's stream can be followed (tail -f, a log shipper). */
static void stream_verdict(const verdict_t *v, void *user)
{
	run_t *r = user;
	FILE *out = *r->out; /* SIGHUP may replace the file */
	rp_progress_clear_for(&r->progress, out);
	if (rp_ndjson_verdict(out, v) == 0)
		fflush(out);
}

/* The documented exit status of a failure, from its status (never from
 * the text of its message). */
static int exit_code(db_status_t st)
{
	switch (st) {
	case DB_OK: return EXIT_OK;
	case DB_EINVAL: return EXIT_USAGE;
	case DB_ENOMEM: return EXIT_INTERNAL;
	default: return EXIT_INPUT; /* cannot be opened, not a capture, unsupported link type */
	}
}

/* The command line as a shell would take it back: "dnsblame" and the
 * arguments, single-quoted when they hold anything but plain characters. */
static char *command_line(int argc, char **argv)
{
	size_t n = sizeof("dnsblame");
	for (int i = 1; i < argc; i++)
		n += 4 * strlen(argv[i]) + 3;
	char *s = malloc(n), *p = s;
	if (!s)
		return NULL;
	p += sprintf(p, "dnsblame");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int plain = *a != '\0';
		for (const char *c = a; *c && plain; c++)
			plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
				       "789-_./:=,@+[]",
				       *c) != NULL;
		*p++ = ' ';
		if (plain) {
			p += sprintf(p, "%s", a);
			continue;
		}
		*p++ = '\'';
		for (const char *c = a; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
		*p = '\0';
	}
	return s;
}

/* tcpdump takes the filter as the remaining arguments, joined by spaces. */
static char *join_args(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = calloc(1, n);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	enum {
		O_FORMAT = 256,
		O_WINDOW,
		O_RESOLVER,
		O_MAXTXN,
		O_MAXFRAG,
		O_MAXTCP,
		O_VERSION,
		O_AUDIT,
		O_MAXVD,
		O_DURATION,
		O_INTERVAL,
		O_METRICS,
		O_EVIDENCE,
		O_COLOR
	};
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "resolver", required_argument, NULL, O_RESOLVER },
		{ "max-transactions", required_argument, NULL, O_MAXTXN },
		{ "max-fragments", required_argument, NULL, O_MAXFRAG },
		{ "max-tcp-streams", required_argument, NULL, O_MAXTCP },
		{ "max-verdicts", required_argument, NULL, O_MAXVD },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "metrics-listen", required_argument, NULL, O_METRICS },
		{ "save-evidence", required_argument, NULL, O_EVIDENCE },
		{ "color", required_argument, NULL, O_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "dnssec-audit", no_argument, NULL, O_AUDIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *files[MAX_FILES]; /* 512 KiB: not on the stack */
	db_addr_t resolvers[MAX_RESOLVERS];
	size_t nresolvers = 0;
	cap_opts_t co;
	memset(&co, 0, sizeof(co));
	co.files = files;
	co.promisc = 1;
	/* The one set of limits: defaults, then --window and --max-*; capture/
	 * and analyze/ are handed the same object. */
	db_limits_t lim = db_limits_default(0);
	int max_verdicts_given = 0;
	an_opts_t ao;
	memset(&ao, 0, sizeof(ao));
	const char *format = "text", *outpath = NULL, *filter = NULL, *user = "nobody";
	db_time_t interval = 0;
	const char *metrics = NULL, *evidence = NULL;
	int color = -1; /* --color: -1 auto (a terminal), 0 never, 1 always */
	int quiet = 0;
	int c;

	while ((c = getopt_long(argc, argv, "r:i:pf:o:hZ:s:B:c:Dq", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (co.nfiles == MAX_FILES) {
				fprintf(stderr,
					"dnsblame: at most %d -r files (merge some first: "
					"mergecap -w merged.pcap FILE...)\n",
					MAX_FILES);
				return EXIT_USAGE;
			}
			files[co.nfiles++] = optarg;
			break;
		case 'i': co.iface = optarg; break;
		case 'q': quiet = 1; break;
		case 'p': co.promisc = 0; break;
		case 'f': filter = optarg; break;
		case 'o': outpath = optarg; break;
		case 'Z': user = optarg; break;
		case 's': {
			size_t v;
			if (parse_count(optarg, "-s", 262144, &v) < 0)
				return EXIT_USAGE;
			co.snaplen = (int)v;
			break;
		}
		case 'B': {
			size_t v;
			if (parse_count(optarg, "-B", 4 << 20, &v) < 0)
				return EXIT_USAGE;
			co.buffer_kib = (int)v;
			break;
		}
		case 'c': {
			size_t v;
			if (parse_count(optarg, "-c", SIZE_MAX, &v) < 0)
				return EXIT_USAGE;
			co.count = v;
			break;
		}
		case 'D': return list_interfaces();
		case O_DURATION:
			if (parse_seconds(optarg, "--duration", 366 * 86400.0, &co.duration) < 0)
				return EXIT_USAGE;
			break;
		case O_METRICS: metrics = optarg; break;
		case O_EVIDENCE: evidence = optarg; break;
		case O_COLOR:
			if (strcmp(optarg, "auto") == 0) {
				color = -1;
			} else if (strcmp(optarg, "always") == 0) {
				color = 1;
			} else if (strcmp(optarg, "never") == 0) {
				color = 0;
			} else {
				fprintf(stderr,
					"dnsblame: --color: auto, always or never, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case O_INTERVAL:
			if (parse_seconds(optarg, "--interval", 86400, &interval) < 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		case O_VERSION: printf("dnsblame %s\n", DNSBLAME_VERSION); return EXIT_OK;
		case O_FORMAT: format = optarg; break;
		case O_AUDIT: ao.dnssec_audit = 1; break;
		case O_WINDOW:
			if (parse_seconds(optarg, "--window", 86400, &lim.window) < 0)
				return EXIT_USAGE;
			break;
		case O_RESOLVER:
			if (nresolvers == MAX_RESOLVERS ||
			    db_addr_parse(&resolvers[nresolvers], optarg) < 0) {
				fprintf(
				    stderr,
				    "dnsblame: --resolver: '%s' is not an IPv4 or IPv6 address%s\n",
				    optarg, nresolvers == MAX_RESOLVERS ? " (or too many)" : "");
				return EXIT_USAGE;
			}
			nresolvers++;
			break;
		case O_MAXTXN:
			if (parse_count(optarg, "--max-transactions", MAX_LIMIT,
					&lim.max_transactions) < 0)
				return EXIT_USAGE;
			break;
		case O_MAXFRAG:
			if (parse_count(optarg, "--max-fragments", MAX_LIMIT,
					&lim.max_frag_trains) < 0)
				return EXIT_USAGE;
			break;
		case O_MAXTCP:
			if (parse_count(optarg, "--max-tcp-streams", MAX_LIMIT,
					&lim.max_tcp_streams) < 0)
				return EXIT_USAGE;
			break;
		case O_MAXVD:
			if (parse_count(optarg, "--max-verdicts", MAX_LIMIT, &lim.max_verdicts) < 0)
				return EXIT_USAGE;
			max_verdicts_given = 1;
			break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "ndjson") != 0 && strcmp(format, "markdown") != 0 &&
	    strcmp(format, "html") != 0) {
		fprintf(stderr,
			"dnsblame: --format: unknown format '%s' (text, markdown, html, json, "
			"ndjson)\n",
			format);
		return EXIT_USAGE;
	}
	if ((co.nfiles == 0) == (co.iface == NULL)) {
		fprintf(stderr, "dnsblame: give either -r FILE (one or more) or -i INTERFACE\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (evidence) {
		/* The evidence is read from the files again after the analysis. */
		int piped = co.iface != NULL;
		for (size_t i = 0; i < co.nfiles; i++)
			piped |= strcmp(files[i], "-") == 0;
		if (piped) {
			fprintf(
			    stderr,
			    "dnsblame: --save-evidence reads the capture files again: give -r FILE "
			    "(not -r -, not -i)\n");
			return EXIT_USAGE;
		}
	}
	char *joined = NULL;
	if (optind < argc) {
		if (filter) {
			fprintf(stderr, "dnsblame: give the filter either with -f or after the "
					"options, not both\n");
			return EXIT_USAGE;
		}
		joined = join_args(argc - optind, argv + optind);
		filter = joined;
	}
	co.filter = filter;
	ao.reserve = co.iface != NULL;
	/* Live, the stream carries every verdict: the report lists the latest
	 * 1,000 whole, and memory is flat within seconds. */
	if (co.iface && !max_verdicts_given)
		lim.max_verdicts = db_limits_default(1).max_verdicts;
	co.limits = &lim;
	ao.limits = &lim;
	ao.resolvers = resolvers;
	ao.nresolvers = nresolvers;

	char err[512] = "";
	db_status_t ost = DB_OK;
	FILE *out = stdout;
	run_t run;
	memset(&run, 0, sizeof(run));
	run.out = &out;
	run.outpath = outpath;
	run.format = format;
	run.co = &co;
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) == 0)
		run.host = host;
	char *cmdline = command_line(argc, argv);
	run.command = cmdline;
	if (interval) {
		ao.interval = interval;
		ao.on_interval = periodic;
		ao.on_interval_user = &run;
	}
	co.tick = tick;
	co.tick_user = &run;
	/* Files are opened as the merge reaches them, after privileges are
	 * dropped: their descriptors are held from the start instead. */
	const struct passwd *pw = geteuid() == 0 ? getpwnam(user) : NULL;
	co.hold_files = pw && pw->pw_uid != 0;
	cap_t *cap = cap_open(&co, &ost, err, sizeof(err));
	if (!cap) {
		fprintf(stderr, "dnsblame: %s\n", err[0] ? err : "cannot open input");
		free(joined);
		free(cmdline);
		return exit_code(ost);
	}
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "dnsblame: %s: %s\n", outpath, strerror(errno));
		cap_close(cap);
		free(joined);
		free(cmdline);
		return EXIT_OUTPUT;
	}
	/* Opened now, while the rights to create it are still ours. */
	FILE *evidence_fp = NULL;
	if (evidence && !(evidence_fp = fopen(evidence, "wb"))) {
		fprintf(stderr, "dnsblame: %s: %s\n", evidence, strerror(errno));
		if (out != stdout)
			fclose(out);
		cap_close(cap);
		free(joined);
		free(cmdline);
		return EXIT_OUTPUT;
	}
	if (strcmp(format, "ndjson") == 0) {
		ao.on_verdict = stream_verdict;
		ao.on_verdict_user = &run;
	}
	an_t *an = an_new(&ao);
	if (!an) {
		fprintf(stderr, "dnsblame: out of memory\n");
		if (out != stdout)
			fclose(out);
		cap_close(cap);
		free(joined);
		free(cmdline);
		return EXIT_INTERNAL;
	}

	run.cap = cap;
	run.an = an;
	/* The metrics endpoint listens before privileges go (a port below
	 * 1024 needs root). */
	if (metrics) {
		db_status_t mst;
		if (!(run.metrics = rp_serve_start(metrics, &mst, err, sizeof(err)))) {
			fprintf(stderr, "dnsblame: %s\n", err);
			an_free(an);
			cap_close(cap);
			free(joined);
			free(cmdline);
			if (out != stdout)
				fclose(out);
			return mst == DB_EINVAL   ? EXIT_USAGE
			       : mst == DB_ENOMEM ? EXIT_INTERNAL
						  : EXIT_OUTPUT;
		}
		publish(&run, 1);
	}

	/* Files too: whatever the input, hostile bytes are parsed without
	 * root's rights (everything is open by now). */
	if (drop_privileges(user) < 0) {
		rp_serve_stop(run.metrics);
		an_free(an);
		cap_close(cap);
		free(joined);
		free(cmdline);
		if (out != stdout)
			fclose(out);
		return EXIT_USAGE;
	}

	if (cap_banner(cap))
		fprintf(stderr, "dnsblame: %s\n", cap_banner(cap));
	for (size_t i = 0; cap_warning(cap, i); i++)
		fprintf(stderr, "dnsblame: warning: %s\n", cap_warning(cap, i));
	g_cap = cap;
	/* No SA_RESTART: a blocked read must return so the report is printed. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rp_progress_start(&run.progress, co.nfiles && !quiet && isatty(STDERR_FILENO),
			  isatty(fileno(out)));
	/* When the relay reads on a second thread (files, a second CPU), the
	 * tally (the verdicts counted, listed and kept as examples; the
	 * servers' health), which only the report at the end reads, is kept
	 * on a thread of its own too, on the CPU the capture thread leaves
	 * time to spare.  Not with a metrics endpoint, which renders it while
	 * the run goes on. */
	if (cap_relays(cap) && !run.metrics)
		(void)an_tally_apart(an);
	/* The digest of each DNS message is made on the capture's thread. */
	const cap_prep_t prep = { an_prep_size(), an_prepare, an_preparer(an) };
	db_status_t rs = cap_run_relayed(cap, an_handle, an_ahead, &prep, an, err, sizeof(err));
	rp_progress_clear(&run.progress);
	an_finish(an);
	g_cap = NULL;
	publish(&run, 1);

	rp_input_t in;
	fill_input(&in, &run);
	in.input_error = rs == DB_EIO ? err : NULL;
	/* As ls and grep: colours on a terminal, or when asked; NO_COLOR
	 * (no-color.org) turns the automatic ones off. */
	in.color = color == 1 || (color == -1 && isatty(fileno(out)) && !getenv("NO_COLOR"));
	in.audit = ao.dnssec_audit;
	in.audit_bad = an_audit_failures(an, &in.naudit_bad);

	if (rs == DB_EIO && strcmp(format, "ndjson") == 0)
		rp_ndjson_truncated(out, &in);
	int wrc = strcmp(format, "json") == 0       ? rp_json(out, &in)
		  : strcmp(format, "ndjson") == 0   ? rp_ndjson(out, &in)
		  : strcmp(format, "markdown") == 0 ? rp_markdown(out, &in)
		  : strcmp(format, "html") == 0     ? rp_html(out, &in)
						    : rp_text(out, &in);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0))
		wrc = -1;
	/* As tcpdump: what the kernel saw and dropped, at exit. */
	if (in.cap->live)
		fprintf(stderr,
			"%llu packets captured\n%llu packets received by filter\n"
			"%llu packets dropped by kernel\n%llu packets dropped by interface\n",
			(unsigned long long)in.cap->packets,
			(unsigned long long)in.cap->kernel_received,
			(unsigned long long)in.cap->kernel_drops,
			(unsigned long long)in.cap->interface_drops);
	/* Failures seen, but no resolver to blame them on: say why the report
	 * has no verdict. */
	enum roles_vantage vt = roles_vantage(an_roles(an));
	uint64_t iter = roles_iterative_queries(an_roles(an));
	int failures = in.an->rcodes[2] || in.an->txn.unanswered;
	if (vt != VANTAGE_UNKNOWN || !failures)
		;
	else if (iter)
		fprintf(stderr,
			"dnsblame: warning: only a resolver's upstream side is in the capture "
			"(%llu iterative queries, no client query to a resolver): capture where "
			"clients' "
			"queries arrive too (-i any), or name the resolver with --resolver ADDR\n",
			(unsigned long long)iter);
	else
		fprintf(stderr,
			"dnsblame: warning: no resolver identified (no address answered "
			"recursive queries or queried onward): name it with --resolver ADDR\n");
	int rc = EXIT_OK;
	if (evidence && wrc == 0) {
		size_t ns;
		cap_span_t *spans = rp_evidence_spans(an_tally(an), &ns);
		uint64_t written = 0;
		char eerr[512] = "";
		FILE *evf = evidence_fp;
		evidence_fp = NULL;
		if (!spans) {
			fclose(evf);
			snprintf(eerr, sizeof(eerr), "out of memory");
		}
		if (!spans || cap_save_evidence(&co, spans, ns, evf, evidence, &written, eerr,
						sizeof(eerr)) < 0) {
			fprintf(stderr, "dnsblame: --save-evidence: %s\n", eerr);
			rc = EXIT_OUTPUT;
		} else {
			fprintf(stderr, "dnsblame: evidence: %llu packets written to %s\n",
				(unsigned long long)written, evidence);
		}
		free(spans);
	}
	if (rs == DB_EIO) {
		fprintf(stderr, "dnsblame: %s\n", err);
		rc = EXIT_DAMAGED;
	}
	if (wrc < 0) {
		fprintf(stderr, "dnsblame: cannot write the report%s%s\n", outpath ? " to " : "",
			outpath ? outpath : "");
		rc = EXIT_OUTPUT;
	}
	if (evidence_fp)
		fclose(evidence_fp);
	rp_serve_stop(run.metrics);
	an_free(an);
	cap_close(cap);
	free(joined);
	free(cmdline);
	return rc;
}
