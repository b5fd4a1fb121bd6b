/*
 * text.c - the plain-text summary printed by default: short enough for a
 * terminal, plain enough to paste into a ticket.
 */
#include "report.h"
#include "../analyze/dns.h"

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

/* What an operator can run next, per cause (design.md: every cause in a
 * human report ends with next steps). */
static const char *next_steps(uint8_t cause)
{
	switch (cause) {
	case VD_TIMEOUT:
		return "check that the servers answer: dig +norec @SERVER NAME; look for firewalls dropping port 53 (UDP and TCP) on the path";
	case VD_BLOCKED_PORT:
		return "check firewall rules and ACLs for port 53 UDP and TCP between the resolver and SERVER; dig +norec @SERVER NAME from the resolver host";
	case VD_TRUNCATION:
		return "allow DNS over TCP (port 53) and IP fragments between the resolver and SERVER; dig +norec +tcp @SERVER NAME";
	case VD_DNSSEC:
		return "dig +dnssec +cd NAME @RESOLVER to see the data; check DS/DNSKEY/RRSIG of the zone (expiry, key rollover, DS at the parent)";
	case VD_UPSTREAM_ERROR:
		return "dig +norec @SERVER NAME; check that the delegation matches the servers that really serve the zone";
	case VD_NO_UPSTREAM:
		return "the resolver answered from its failure cache or policy; see the earlier failure, or flush the resolver's cache for NAME and retry";
	default:
		return "capture on the resolver host, including ICMP and IP fragments, to see its upstream traffic";
	}
}

#define TXT_MAX_ZONES 32  /* zones listed per cause */

static void verdict_line(FILE *f, const verdict_t *u)
{
	char t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN], nb[DNS_NAME_STRLEN], tb[16];
	/* How a repeat came about, after its root cause's detail. */
	const char *via = u->via != VD_VIA_UPSTREAM ? vd_via_str(u->via) : NULL;
	fprintf(f, "      %s %s %s %s from %s:%u, %s%s%s (%s)\n",
		db_time_str(u->answered ? u->time : u->query_time, t),
		dns_name_str(&u->qname, nb), dns_type_str(u->qtype, tb),
		u->transport == DB_PROTO_TCP ? "tcp" : "udp", db_addr_str(&u->client, ab),
		u->client_port, u->detail, via ? ", via " : "", via ? via : "",
		vd_confidence_str(u->confidence));
	char ex[RP_EXPLAIN];
	vd_explain(u, ex, sizeof(ex));
	fprintf(f, "        %s\n", ex);
	if (u->capture_loss)
		fprintf(f, "        (the capture dropped %llu packets meanwhile: evidence may be missing)\n",
			(unsigned long long)u->capture_loss);
}

/* The verdicts of one kind, by cause, then by zone in order of first
 * failure; the first examples of each zone (tally.h), since a zone that
 * fails fails for every name below it.  The counts come from the groups,
 * which count every verdict, so they add up to the cause's total. */
static void verdicts(FILE *f, const rp_input_t *in, uint8_t kind)
{
	char zb[DNS_NAME_STRLEN];
	const an_stats_t *a = in->an;
	const tally_t *ty = in->tally;
	for (uint8_t c = 0; c < VD_NCAUSES; c++) {
		if (!a->by_cause[kind][c])
			continue;
		fprintf(f, "\n  %s: %llu\n", vd_cause_str(c), (unsigned long long)a->by_cause[kind][c]);
		size_t listed = 0;
		uint64_t other = ty->other[kind][c];
		for (const tally_group_t *g = tally_group_first(ty); g; g = tally_group_next(g)) {
			if (g->key.kind != kind || g->key.cause != c)
				continue;
			if (++listed > TXT_MAX_ZONES) {
				other += g->count;
				continue;
			}
			fprintf(f, "    zone %s (%llu)\n", dns_name_str(&g->zone, zb),
				(unsigned long long)g->count);
			for (uint8_t i = 0; i < g->nex; i++)
				verdict_line(f, g->ex[i]);
			if (g->count > g->nex)
				fprintf(f, "      ... and %llu more (see --format json)\n",
					(unsigned long long)(g->count - g->nex));
		}
		if (other)
			fprintf(f, "    ... and %llu more in other zones (see --format json)\n",
				(unsigned long long)other);
		fprintf(f, "    next: %s\n", next_steps(c));
	}
}

int rp_text(FILE *f, const rp_input_t *in)
{
	const cap_stats_t *c = in->cap;
	const an_stats_t *a = in->an;
	char t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN], rb[16];

	fprintf(f, "dnsblame %s\n", DNSBLAME_VERSION);
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
			c->kernel_drops || c->interface_drops ? " (verdicts may lack evidence)" : "");
	if (c->live && a->verdicts_over_loss)
		fprintf(f, "; %llu verdicts made over the loss (confidence lowered)",
			(unsigned long long)a->verdicts_over_loss);
	fprintf(f, "\n");
	fprintf(f, "vantage     %s", in->vantage);
	for (size_t i = 0; i < in->nresolvers; i++)
		fprintf(f, "%s%s", i ? ", " : "; resolvers ", db_addr_str(&in->resolvers[i], ab));
	fprintf(f, "\n\n");

	fprintf(f, "DNS on port 53\n");
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
		if (n) {
			fprintf(f, "\n%s: %llu\n", heads[k], (unsigned long long)n);
			verdicts(f, in, k);
		}
	}
	/* What the bounded tally left out of this report (every verdict is
	 * counted above, and streamed whole with --format ndjson). */
	const tally_t *ty = in->tally;
	if (ty->examples_dropped)
		fprintf(f, "\n(%llu examples not shown: the examples kept reached %u MiB)\n",
			(unsigned long long)ty->examples_dropped, TALLY_EXAMPLE_BYTES >> 20);
	if (ty->groups_dropped)
		fprintf(f, "\n(%llu verdicts counted only by cause: more than %u cause and zone groups)\n",
			(unsigned long long)ty->groups_dropped, TALLY_MAX_GROUPS);

	if (a->icmp_errors || a->tcp_rst || a->tcp_syn_unanswered || a->frag_trains_lost ||
	    a->tcp_stream_losses) {
		fprintf(f, "\nTransport trouble\n");
		if (a->icmp_errors)
			fprintf(f, "  %llu ICMP errors quoting DNS traffic\n",
				(unsigned long long)a->icmp_errors);
		if (a->tcp_rst)
			fprintf(f, "  %llu TCP resets on port 53\n", (unsigned long long)a->tcp_rst);
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
		{a->txn.evicted, "transactions evicted (--max-transactions)"},
		{c->frag_evicted, "fragment trains evicted (--max-fragments)"},
		{c->tcp_evicted, "TCP streams evicted (--max-tcp-streams)"},
		{c->handshakes_evicted, "TCP handshakes no longer watched"},
		{a->addresses_evicted, "idle addresses forgotten by the role table"},
		{a->events_lost, "transport events (ICMP, TCP, fragments) pushed out of the event log "
				 "inside the window (--max-transactions)"},
		{a->event_servers_evicted, "servers whose transport events were forgotten (--max-transactions)"},
		{a->model_cnames_evicted, "CNAMEs forgotten by the resolver model (65,536 kept)"},
		{a->model_names_evicted, "address names forgotten by the resolver model (--max-transactions)"},
		{a->model_cuts_evicted, "zone cuts forgotten by the resolver model (65,536 kept)"},
		{a->model_roots_evicted, "root failures forgotten by the failure memory (16,384 kept)"},
		{a->model_keys_evicted, "zones whose DS and DNSKEY answers were forgotten (4,096 kept)"},
		{a->model_breaks_evicted, "proven DNSSEC breaks forgotten (4,096 kept)"},
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

static const char *const kind_label[2] = {"SERVFAIL", "never answered"};

int rp_text_interim(FILE *f, const rp_input_t *in)
{
	const an_stats_t *a = in->an;
	fprintf(f, "dnsblame: interim: %llu packets, %llu DNS messages", (unsigned long long)in->cap->packets,
		(unsigned long long)a->dns_messages);
	kernel_counts(f, in->cap);
	for (uint8_t k = 0; k < 2; k++) {
		uint64_t n = 0;
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			n += a->by_cause[k][cz];
		fprintf(f, "dnsblame: interim: %s %llu", kind_label[k], (unsigned long long)n);
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			if (a->by_cause[k][cz])
				fprintf(f, ", %s %llu", vd_cause_str(cz), (unsigned long long)a->by_cause[k][cz]);
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
		fprintf(f, "   %s: %llu in the interval, %llu in all", kind_label[k], (unsigned long long)now,
			(unsigned long long)all);
		const char *sep = ";";
		for (uint8_t cz = 0; cz < VD_NCAUSES; cz++)
			if (a->by_cause[k][cz] - p->before[k][cz]) {
				fprintf(f, "%s %s %llu", sep, vd_cause_str(cz),
					(unsigned long long)(a->by_cause[k][cz] - p->before[k][cz]));
				sep = ",";
			}
		fprintf(f, "\n");
	}
	return ferror(f) ? -1 : 0;
}
