/*
 * text.c - the plain-text summary printed by default: short enough for a
 * terminal, plain enough to paste into a ticket.
 */
#include "report.h"
#include "../analyze/dns.h"

#include <stdlib.h>
#include <string.h>

static void duration(FILE *f, db_time_t us)
{
	double s = (double)us / 1e6;
	if (s < 120)
		fprintf(f, "%.3f s", s);
	else if (s < 7200)
		fprintf(f, "%.1f min", s / 60);
	else
		fprintf(f, "%.1f h", s / 3600);
}

/* ANSI colours, with --color (a terminal): headings bold, each cause in
 * its colour. */
static const char *const cause_sgr[VD_NCAUSES] = {
	"31", "33", "35", "34", "32", "36", "37",
};
static int g_color;

static const char *on(const char *sgr)
{
	static char b[16];
	if (!g_color)
		return "";
	snprintf(b, sizeof(b), "\033[%sm", sgr);
	return b;
}

static const char *off(void) { return g_color ? "\033[0m" : ""; }

#define TXT_INCIDENTS 20 /* incidents listed, largest first */
#define TXT_DETAILED 5   /* of which shown with an example and next steps */
#define TXT_EVIDENCE 6   /* attempts shown per example */
#define TXT_SERVERS 10   /* upstream servers listed */
#define TXT_ZONES 10     /* zones listed */

static void verdict_line(FILE *f, const verdict_t *u)
{
	char t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN], nb[DNS_NAME_STRLEN], tb[16];
	/* How a repeat came about, after its root cause's detail. */
	const char *via = u->via != VD_VIA_UPSTREAM ? vd_via_str(u->via) : NULL;
	fprintf(f, "    example  %s %s %s %s from %s:%u, %s%s%s (%s)\n",
		db_time_str(u->answered ? u->time : u->query_time, t), dns_name_str(&u->qname, nb),
		dns_type_str(u->qtype, tb), u->transport == DB_PROTO_TCP ? "tcp" : "udp",
		db_addr_str(&u->client, ab), u->client_port, u->detail, via ? ", via " : "",
		via ? via : "", vd_confidence_str(u->confidence));
	char ex[RP_EXPLAIN];
	vd_explain(u, ex, sizeof(ex));
	fprintf(f, "             %s\n", ex);
	if (u->capture_loss)
		fprintf(f,
			"             (the capture dropped %llu packets meanwhile: evidence may be "
			"missing)\n",
			(unsigned long long)u->capture_loss);
}

/* The example's upstream attempts, the failed ones first kept in order. */
static void evidence(FILE *f, const verdict_t *u)
{
	char line[RP_ATTEMPT];
	for (uint16_t i = 0; i < u->n_up && i < TXT_EVIDENCE; i++) {
		vd_attempt_str(&u->up[i], line, sizeof(line));
		fprintf(f, "    %s %s\n", i ? "        " : "evidence", line);
	}
	if (u->n_up_total > TXT_EVIDENCE)
		fprintf(f, "             ... %u attempts in all (--format json)\n", u->n_up_total);
}

/* "10:04:12" of a capture time (the date is in the incident's first time). */
static const char *clock_of(db_time_t t, char *buf)
{
	char full[DB_TIMESTRLEN];
	db_time_str(t, full);
	/* 2026-12-06T10:04:12.123456Z -> 10:04:12 */
	snprintf(buf, 16, "%.8s", full + 11);
	return buf;
}

static void via_counts(FILE *f, const tally_group_t *g)
{
	const char *sep = "";
	for (uint8_t v = 0; v < TALLY_NVIA; v++)
		if (g->via[v] && vd_via_str(v)) {
			fprintf(f, "%s%s %llu", sep, vd_via_str(v), (unsigned long long)g->via[v]);
			sep = ", ";
		}
}

/*
 * The verdicts of one kind as incidents — the same failure (cause and
 * detail) of the same zone — largest first: one line each, then for the
 * largest an example with its evidence and the next steps with their real
 * names.  Every verdict is counted in one incident, so the counts add up.
 */
static void incidents(FILE *f, const rp_input_t *in, uint8_t kind, uint64_t total)
{
	const tally_t *ty = in->tally;
	const tally_group_t *top[TXT_INCIDENTS];
	size_t all = tally_ranked(ty, kind, top, TXT_INCIDENTS);
	size_t shown = all < TXT_INCIDENTS ? all : TXT_INCIDENTS;
	char zb[DNS_NAME_STRLEN], t1[DB_TIMESTRLEN], c2[16], ab[DB_ADDRSTRLEN];
	uint64_t listed = 0;
	for (size_t i = 0; i < shown; i++) {
		const tally_group_t *g = top[i];
		listed += g->count;
		uint64_t clients = tally_clients(g);
		fprintf(f, "  #%zu %s %s%s/%s%s: %llu from %s to %s, %llu client%s", i + 1,
			dns_name_str(&g->zone, zb), on(cause_sgr[g->key.cause]),
			vd_cause_str(g->key.cause), g->detail, off(), (unsigned long long)g->count,
			db_time_str(g->first, t1), clock_of(g->last, c2),
			(unsigned long long)clients, clients == 1 ? "" : "s");
		if (g->nservers) {
			fprintf(f, "; servers");
			for (uint8_t k = 0; k < g->nservers; k++)
				fprintf(f, "%s %s", k ? "," : "", db_addr_str(&g->servers[k], ab));
			if (g->servers_more)
				fprintf(f, ", ...");
		}
		fprintf(f, "; ");
		via_counts(f, g);
		if (g->over_loss)
			fprintf(f, "; %llu made over capture loss",
				(unsigned long long)g->over_loss);
		fprintf(f, "\n");
	}
	if (all > shown || listed < total)
		fprintf(f, "  ... %llu more in %zu smaller incidents (--format json)\n",
			(unsigned long long)(total - listed), all - shown);
	for (size_t i = 0; i < shown && i < TXT_DETAILED; i++) {
		const tally_group_t *g = top[i];
		if (!g->nex)
			continue;
		fprintf(f, "\n  %s#%zu %s %s/%s%s\n", on("1"), i + 1, dns_name_str(&g->zone, zb),
			vd_cause_str(g->key.cause), g->detail, off());
		const verdict_t *ex = tally_example(in->tally, g);
		verdict_line(f, ex);
		evidence(f, ex);
		char steps[RP_STEPS];
		vd_next_steps(ex, g->nservers ? &g->servers[0] : NULL, steps, sizeof(steps));
		const char *p = steps;
		for (int first = 1; *p; first = 0) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);
			fprintf(f, "    %s %.*s\n", first ? "next    " : "        ", len, p);
			p += len + (nl ? 1 : 0);
		}
	}
}

/* The zones that failed, most failures first, over every incident. */
static void zones(FILE *f, const tally_t *ty)
{
	tally_zone_t z[TXT_ZONES];
	size_t all = tally_zones(ty, z, TXT_ZONES), n = all < TXT_ZONES ? all : TXT_ZONES;
	if (!n)
		return;
	char zb[DNS_NAME_STRLEN], t1[DB_TIMESTRLEN], c2[16];
	fprintf(f, "\n%sZones%s\n", on("1"), off());
	fprintf(f, "  %-32s %9s %10s  %-28s %s\n", "zone", "SERVFAILs", "unanswered", "from .. to",
		"causes");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "  %-32s %9llu %10llu  %.19s .. %s  ", dns_name_str(z[i].zone, zb),
			(unsigned long long)z[i].count[VD_KIND_SERVFAIL],
			(unsigned long long)z[i].count[VD_KIND_UNANSWERED],
			db_time_str(z[i].first, t1), clock_of(z[i].last, c2));
		char cb[RP_CAUSES];
		vd_causes_str(z[i].by_cause, cb, sizeof(cb));
		fprintf(f, "%s\n", cb);
	}
	if (all > n)
		fprintf(f, "  ... %zu more zones (their incidents: --format json)\n", all - n);
}

/* Upstream servers named by failed attempts, most verdicts first. */
static void servers(FILE *f, const tally_t *ty)
{
	const tally_server_t *s[TXT_SERVERS];
	size_t all = tally_servers_ranked(ty, s, TXT_SERVERS), n = all;
	if (!n)
		return;
	char ab[DB_ADDRSTRLEN];
	fprintf(f,
		"\n%sUpstream servers that failed%s (verdicts naming them; every query to them: "
		"answered,\n"
		"  unanswered, quoted by an ICMP error, round trips)\n",
		on("1"), off());
	fprintf(f, "  %-39s %8s %8s %8s %10s %6s %9s %9s\n", "server", "verdicts", "queries",
		"answered", "unanswered", "icmp", "rtt-p50", "rtt-p95");
	for (size_t i = 0; i < n && i < TXT_SERVERS; i++) {
		const tally_health_t *h = tally_health(ty, &s[i]->addr);
		char q[24] = "-", an[24] = "-", un[24] = "-", ic[24] = "-", p50[24] = "-",
		     p95[24] = "-";
		if (h) {
			snprintf(q, sizeof(q), "%llu", (unsigned long long)h->attempts);
			snprintf(an, sizeof(an), "%llu", (unsigned long long)h->answered);
			snprintf(un, sizeof(un), "%llu",
				 (unsigned long long)(h->attempts - h->answered));
			snprintf(ic, sizeof(ic), "%llu", (unsigned long long)h->icmp);
			if (h->answered) {
				snprintf(p50, sizeof(p50), "%.1f ms",
					 (double)tally_rtt(h, 0.5) / 1000.0);
				snprintf(p95, sizeof(p95), "%.1f ms",
					 (double)tally_rtt(h, 0.95) / 1000.0);
			}
		}
		fprintf(f, "  %-39s %8llu %8s %8s %10s %6s %9s %9s\n", db_addr_str(&s[i]->addr, ab),
			(unsigned long long)s[i]->verdicts, q, an, un, ic, p50, p95);
	}
	if (n > TXT_SERVERS)
		fprintf(f, "  ... %zu more servers (--format json)\n", n - TXT_SERVERS);
}

int rp_text(FILE *f, const rp_input_t *in)
{
	g_color = in->color;
	const cap_stats_t *c = in->cap;
	const an_stats_t *a = in->an;
	char t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN], rb[16];

	fprintf(f, "dnsblame %s: why the resolver answered SERVFAIL\n", DNSBLAME_VERSION);
	if (in->host)
		fprintf(f, "host        %s\n", in->host);
	if (in->command)
		fprintf(f, "command     %s\n", in->command);
	fprintf(f, "filter      %s\n", in->filter && *in->filter ? in->filter : "(none)");
	if (in->iface)
		fprintf(f, "interface   %s\n", in->iface);
	for (size_t i = 0; i < in->nfiles; i++)
		fprintf(f, "%s %s\n", i ? "           " : "capture    ", in->files[i]);
	if (c->packets) {
		fprintf(f, "time        %s .. %s (", db_time_str(c->first_ts, t1),
			db_time_str(c->last_ts, t2));
		duration(f, c->last_ts - c->first_ts);
		fprintf(f, ")\n");
	}
	fprintf(f, "packets     %llu", (unsigned long long)c->packets);
	if (c->truncated_packets)
		fprintf(f, " (%llu cut by snaplen)", (unsigned long long)c->truncated_packets);
	if (c->live)
		fprintf(f, "; kernel: %llu received, %llu dropped, %llu dropped by the interface%s",
			(unsigned long long)c->kernel_received, (unsigned long long)c->kernel_drops,
			(unsigned long long)c->interface_drops,
			c->kernel_drops || c->interface_drops ? " (verdicts may lack evidence)"
							      : "");
	if (c->live && a->verdicts_over_loss)
		fprintf(f, "; %llu verdicts made over the loss (confidence lowered)",
			(unsigned long long)a->verdicts_over_loss);
	fprintf(f, "\n");
	fprintf(f, "vantage     %s", in->vantage);
	for (size_t i = 0; i < in->nresolvers; i++)
		fprintf(f, "%s%s", i ? ", " : "; resolvers ", db_addr_str(&in->resolvers[i], ab));
	fprintf(f, "\n\n");

	fprintf(f, "%sDNS on port 53%s\n", on("1"), off());
	fprintf(f, "  messages  %llu (%llu queries, %llu responses; %llu over TCP)\n",
		(unsigned long long)a->dns_messages, (unsigned long long)a->dns_queries,
		(unsigned long long)a->dns_responses, (unsigned long long)a->tcp_dns_messages);
	if (a->malformed)
		fprintf(f, "  malformed %llu\n", (unsigned long long)a->malformed);
	if (a->dns_responses) {
		fprintf(f, "  rcodes   ");
		for (unsigned i = 0; i < AN_RCODES; i++)
			if (a->rcodes[i])
				fprintf(f, " %s %llu", dns_rcode_str((uint16_t)i, rb),
					(unsigned long long)a->rcodes[i]);
		fprintf(f, "\n");
	}
	const txn_stats_t *t = &a->txn;
	fprintf(f, "  queries   %llu answered, %llu unanswered within %.0f s",
		(unsigned long long)t->answered, (unsigned long long)t->unanswered,
		(double)in->window / 1e6);
	if (t->open_at_end)
		fprintf(f, ", %llu still open when the capture ended",
			(unsigned long long)t->open_at_end);
	if (t->retransmissions)
		fprintf(f, ", %llu retransmissions", (unsigned long long)t->retransmissions);
	if (t->duplicate_responses)
		fprintf(f, ", %llu duplicate answers", (unsigned long long)t->duplicate_responses);
	if (t->unmatched_responses)
		fprintf(f, ", %llu answers without a query in the capture",
			(unsigned long long)t->unmatched_responses);
	fprintf(f, "\n");

	static const char *const heads[VD_NKINDS] = {
		"SERVFAILs sent by resolvers",
		"Client queries the resolvers never answered",
		("Client queries still unanswered when the capture ended (tentative: their answer "
		 "may have come later)"),
	};
	for (uint8_t k = 0; k < VD_NKINDS; k++) {
		uint64_t n = 0;
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			n += a->by_cause[k][cz];
		if (!n)
			continue;
		fprintf(f, "\n%s%s: %llu%s (", on("1"), heads[k], (unsigned long long)n, off());
		char cb[RP_CAUSES];
		vd_causes_str(a->by_cause[k], cb, sizeof(cb));
		fprintf(f, "%s)\n", cb);
		incidents(f, in, k, n);
	}
	zones(f, in->tally);
	servers(f, in->tally);
	/* What the bounded tally left out of this report (every verdict is
	 * counted above, and streamed whole with --format ndjson). */
	const tally_t *ty = in->tally;
	if (ty->health_forgotten)
		fprintf(
		    f,
		    "\n(queries counted while a server was followed: %llu idle servers were let "
		    "go to follow\n others, each counted anew if queried again; the JSON report "
		    "says since when)\n",
		    (unsigned long long)ty->health_forgotten);
	if (ty->groups_dropped)
		fprintf(f, "\n(%llu verdicts counted only by cause: more than %u incidents)\n",
			(unsigned long long)ty->groups_dropped, TALLY_MAX_GROUPS);

	if (a->icmp_errors || a->tcp_rst || a->tcp_syn_unanswered || a->frag_trains_lost ||
	    a->tcp_stream_losses) {
		fprintf(f, "\nTransport trouble\n");
		if (a->icmp_errors)
			fprintf(f, "  %llu ICMP errors quoting DNS traffic\n",
				(unsigned long long)a->icmp_errors);
		if (a->tcp_rst)
			fprintf(f, "  %llu TCP resets on port 53\n",
				(unsigned long long)a->tcp_rst);
		if (a->tcp_syn_unanswered)
			fprintf(f, "  %llu TCP connections to port 53 never answered\n",
				(unsigned long long)a->tcp_syn_unanswered);
		if (a->frag_trains_lost)
			fprintf(f, "  %llu fragmented datagrams never completed\n",
				(unsigned long long)a->frag_trains_lost);
		if (a->tcp_stream_losses)
			fprintf(f, "  %llu TCP stream directions lost data\n",
				(unsigned long long)a->tcp_stream_losses);
	}
	/* What the bounded tables gave up: verdicts may lack evidence. */
	const struct {
		uint64_t n;
		const char *what;
	} lim[] = {
		{ a->txn.evicted, "transactions evicted (--max-transactions)" },
		{ c->frag_evicted, "fragment trains evicted (--max-fragments)" },
		{ c->tcp_evicted, "TCP streams evicted (--max-tcp-streams)" },
		{ c->handshakes_evicted, "TCP handshakes no longer watched" },
		{ a->addresses_evicted, "idle addresses forgotten by the role table" },
		{ a->events_lost,
		  "transport events (ICMP, TCP, fragments) pushed out of the event log "
		  "inside the window (--max-transactions)" },
		{ a->event_servers_evicted,
		  "servers whose transport events were forgotten (--max-transactions)" },
		{ a->model_cnames_evicted, "CNAMEs forgotten by the resolver model (65,536 kept)" },
		{ a->model_names_evicted,
		  "address names forgotten by the resolver model (--max-transactions)" },
		{ a->model_cuts_evicted,
		  "zone cuts forgotten by the resolver model (65,536 kept)" },
		{ a->model_roots_evicted,
		  "root failures forgotten by the failure memory (16,384 kept)" },
		{ a->model_keys_evicted,
		  "zones whose DS and DNSKEY answers were forgotten (4,096 kept)" },
		{ a->model_breaks_evicted, "proven DNSSEC breaks forgotten (4,096 kept)" },
	};
	int any = 0;
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		if (!lim[i].n)
			continue;
		if (!any++)
			fprintf(f, "\nLimits reached (verdicts may lack evidence)\n");
		fprintf(f, "  %llu %s\n", (unsigned long long)lim[i].n, lim[i].what);
	}
	if (in->input_error)
		fprintf(f, "\nInput damaged: %s\n(everything before the damage is counted above)\n",
			in->input_error);
	return ferror(f) ? -1 : 0;
}

/* A live capture's kernel counts, on the line begun. */
static void kernel_counts(FILE *f, const cap_stats_t *c)
{
	if (c->live)
		fprintf(f, ", kernel %llu received, %llu dropped, %llu dropped by the interface",
			(unsigned long long)c->kernel_received, (unsigned long long)c->kernel_drops,
			(unsigned long long)c->interface_drops);
	fprintf(f, "\n");
}

static const char *const kind_label[2] = { "SERVFAIL", "never answered" };

int rp_text_interim(FILE *f, const rp_input_t *in)
{
	const an_stats_t *a = in->an;
	fprintf(f, "dnsblame: interim: %llu packets, %llu DNS messages",
		(unsigned long long)in->cap->packets, (unsigned long long)a->dns_messages);
	kernel_counts(f, in->cap);
	for (uint8_t k = 0; k < 2; k++) {
		uint64_t n = 0;
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			n += a->by_cause[k][cz];
		fprintf(f, "dnsblame: interim: %s %llu", kind_label[k], (unsigned long long)n);
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			if (a->by_cause[k][cz])
				fprintf(f, ", %s %llu", vd_cause_str(cz),
					(unsigned long long)a->by_cause[k][cz]);
		fprintf(f, "\n");
	}
	return ferror(f) ? -1 : 0;
}

int rp_text_stats(FILE *f, const rp_input_t *in, const rp_period_t *p)
{
	const cap_stats_t *c = in->cap;
	const an_stats_t *a = in->an;
	char t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN];
	fprintf(f, "-- %s .. %s: %llu packets", db_time_str(p->from, t1), db_time_str(p->to, t2),
		(unsigned long long)c->packets);
	kernel_counts(f, c);
	for (uint8_t k = 0; k < 2; k++) {
		uint64_t all = 0, now = 0;
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++) {
			all += a->by_cause[k][cz];
			now += a->by_cause[k][cz] - p->before[k][cz];
		}
		fprintf(f, "   %s: %llu in the interval, %llu in all", kind_label[k],
			(unsigned long long)now, (unsigned long long)all);
		const char *sep = ";";
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			if (a->by_cause[k][cz] - p->before[k][cz]) {
				fprintf(
				    f, "%s %s %llu", sep, vd_cause_str(cz),
				    (unsigned long long)(a->by_cause[k][cz] - p->before[k][cz]));
				sep = ",";
			}
		fprintf(f, "\n");
	}
	return ferror(f) ? -1 : 0;
}
