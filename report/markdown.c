/*
 * markdown.c - the report as Markdown, for an incident ticket: the same
 * content as the text report (header, incidents, evidence, next steps,
 * upstream servers, transport trouble, limits) as tables that render in
 * GitHub, GitLab and Jira, and fenced blocks for evidence and commands.
 * Names from the wire are put in code spans, never in the Markdown itself.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../analyze/dns.h"

#define MD_INCIDENTS 20
#define MD_DETAILED 5
#define MD_EVIDENCE 8
#define MD_SERVERS 10

/* Text in a code span: a backtick would end it, a pipe or a line break
 * would end a table cell or row; they are replaced (the JSON report has
 * the exact bytes). */
static void code(FILE *f, const char *s)
{
	fputc('`', f);
	for (; *s; s++)
		fputc(*s == '`' ? '\'' : *s == '|' ? '!' : *s == '\n' || *s == '\r' ? ' ' : *s, f);
	fputc('`', f);
}

static void row(FILE *f, const char *key, const char *value, int as_code)
{
	fprintf(f, "| %s | ", key);
	if (as_code)
		code(f, value);
	else
		fputs(value, f);
	fputs(" |\n", f);
}

static void header(FILE *f, const rp_input_t *in)
{
	const cap_stats_t *c = in->cap;
	char b[512], t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN];
	fprintf(f, "# dnsblame: why the resolver answered SERVFAIL\n\n");
	fprintf(f, "| | |\n|---|---|\n");
	if (in->host)
		row(f, "host", in->host, 1);
	if (in->command)
		row(f, "command", in->command, 1);
	row(f, "filter", in->filter && *in->filter ? in->filter : "(none)", 1);
	if (in->iface)
		row(f, "interface", in->iface, 1);
	for (size_t i = 0; i < in->nfiles; i++)
		row(f, "capture", in->files[i], 1);
	if (c->packets) {
		snprintf(b, sizeof(b), "%s .. %s", db_time_str(c->first_ts, t1),
			 db_time_str(c->last_ts, t2));
		row(f, "time", b, 0);
	}
	snprintf(b, sizeof(b), "%llu", (unsigned long long)c->packets);
	row(f, "packets", b, 0);
	if (c->live) {
		snprintf(b, sizeof(b), "%llu received, %llu dropped, %llu dropped by the interface",
			 (unsigned long long)c->kernel_received,
			 (unsigned long long)c->kernel_drops,
			 (unsigned long long)c->interface_drops);
		row(f, "kernel", b, 0);
	}
	row(f, "vantage", in->vantage, 0);
	fprintf(f, "| dnsblame | %s |\n", DNSBLAME_VERSION);
}

static void via_cell(FILE *f, const tally_group_t *g)
{
	const char *sep = "";
	for (uint8_t v = 0; v < TALLY_NVIA; v++)
		if (g->via[v] && vd_via_str(v)) {
			fprintf(f, "%s%s %llu", sep, vd_via_str(v), (unsigned long long)g->via[v]);
			sep = ", ";
		}
}

/* A fenced block of lines (the text has no fence of its own). */
static void fenced(FILE *f, const char *lang, const char *text)
{
	fprintf(f, "```%s\n%s\n```\n", lang, text);
}

static void example(FILE *f, const tally_t *ty, const char *label, size_t i, const tally_group_t *g)
{
	char zb[DNS_NAME_STRLEN], nb[DNS_NAME_STRLEN], tb[16], t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN];
	const verdict_t *v = tally_example(ty, g);
	fprintf(f, "\n### %s %zu: ", label, i + 1);
	code(f, dns_name_str(&g->zone, zb));
	fprintf(f, " %s/%s\n\n", vd_cause_str(g->key.cause), g->detail);
	fprintf(f, "Example: ");
	code(f, dns_name_str(&v->qname, nb));
	fprintf(f, " %s from ", dns_type_str(v->qtype, tb));
	code(f, db_addr_str(&v->client, ab));
	fprintf(f, " at %s, %s confidence.\n",
		db_time_str(v->answered ? v->time : v->query_time, t),
		vd_confidence_str(v->confidence));
	char ex[RP_EXPLAIN];
	vd_explain(v, ex, sizeof(ex));
	/* The explanation holds names: quoted as plain text, its own line. */
	fprintf(f, "\n> ");
	for (const char *p = ex; *p; p++) {
		if (*p == '*' || *p == '_' || *p == '`' || *p == '[' || *p == '\\')
			fputc('\\', f);
		if (*p == '<')
			fputs("&lt;", f);
		else
			fputc(*p, f);
	}
	fprintf(f, "\n");
	if (v->n_up) {
		fprintf(f, "\nEvidence (%u upstream attempts%s):\n\n", v->n_up_total,
			v->n_up_total > MD_EVIDENCE ? ", the first shown" : "");
		fprintf(f, "```text\n");
		char line[RP_ATTEMPT];
		for (uint16_t k = 0; k < v->n_up && k < MD_EVIDENCE; k++) {
			vd_attempt_str(&v->up[k], line, sizeof(line));
			fprintf(f, "%s\n", line);
		}
		fprintf(f, "```\n");
	}
	char steps[RP_STEPS];
	vd_next_steps(v, g->nservers ? &g->servers[0] : NULL, steps, sizeof(steps));
	fprintf(f, "\nNext steps:\n\n");
	fenced(f, "sh", steps);
}

/* The heading of an incident, by kind: unique in the document. */
static const char *const kind_label[VD_NKINDS] = { "SERVFAIL", "Never answered", "Pending" };

static void incidents(FILE *f, const rp_input_t *in, uint8_t kind, const char *head, uint64_t total)
{
	const tally_group_t *top[MD_INCIDENTS];
	size_t all = tally_ranked(in->tally, kind, top, MD_INCIDENTS);
	size_t shown = all < MD_INCIDENTS ? all : MD_INCIDENTS;
	char zb[DNS_NAME_STRLEN], t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN];
	fprintf(f, "\n## %s: %llu\n\n", head, (unsigned long long)total);
	fprintf(f,
		"| # | zone | cause | detail | count | first | last | clients | servers | via |\n");
	fprintf(f, "|---:|---|---|---|---:|---|---|---:|---|---|\n");
	uint64_t listed = 0;
	for (size_t i = 0; i < shown; i++) {
		const tally_group_t *g = top[i];
		listed += g->count;
		fprintf(f, "| %zu | ", i + 1);
		code(f, dns_name_str(&g->zone, zb));
		fprintf(f, " | %s | %s | %llu | %s | %s | %llu | ", vd_cause_str(g->key.cause),
			g->detail, (unsigned long long)g->count, db_time_str(g->first, t1),
			db_time_str(g->last, t2), (unsigned long long)tally_clients(g));
		for (uint8_t k = 0; k < g->nservers; k++) {
			fputs(k ? ", " : "", f);
			code(f, db_addr_str(&g->servers[k], ab));
		}
		fputs(g->servers_more ? ", ... | " : " | ", f);
		via_cell(f, g);
		fprintf(f, " |\n");
	}
	if (listed < total)
		fprintf(f, "\n%llu more in %zu smaller incidents: see the JSON report.\n",
			(unsigned long long)(total - listed), all - shown);
	for (size_t i = 0; i < shown && i < MD_DETAILED; i++)
		if (top[i]->nex)
			example(f, in->tally, kind_label[kind], i, top[i]);
}

static void zones(FILE *f, const tally_t *ty)
{
	tally_zone_t z[MD_SERVERS];
	size_t all = tally_zones(ty, z, MD_SERVERS), n = all < MD_SERVERS ? all : MD_SERVERS;
	if (!n)
		return;
	char zb[DNS_NAME_STRLEN], t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN];
	fprintf(f, "\n## Zones\n\n| zone | SERVFAILs | never answered | first | last | causes |\n");
	fprintf(f, "|---|---:|---:|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "| ");
		code(f, dns_name_str(z[i].zone, zb));
		fprintf(f, " | %llu | %llu | %s | %s | ",
			(unsigned long long)z[i].count[VD_KIND_SERVFAIL],
			(unsigned long long)z[i].count[VD_KIND_UNANSWERED],
			db_time_str(z[i].first, t1), db_time_str(z[i].last, t2));
		char cb[RP_CAUSES];
		vd_causes_str(z[i].by_cause, cb, sizeof(cb));
		fprintf(f, "%s |\n", cb);
	}
	if (all > n)
		fprintf(f, "\n%zu more zones: see the incidents of the JSON report.\n", all - n);
}

static void servers(FILE *f, const tally_t *ty)
{
	const tally_server_t *s[MD_SERVERS];
	size_t n = tally_servers_ranked(ty, s, MD_SERVERS);
	if (!n)
		return;
	char ab[DB_ADDRSTRLEN];
	fprintf(f, "\n## Upstream servers that failed\n\n");
	fprintf(f, "Verdicts naming each; every query to it: answered, unanswered, quoted by an "
		   "ICMP error, "
		   "round trips.\n\n");
	fprintf(
	    f,
	    "| server | verdicts | queries | answered | unanswered | ICMP | RTT p50 | RTT p95 |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < n && i < MD_SERVERS; i++) {
		const tally_health_t *h = tally_health(ty, &s[i]->addr);
		fprintf(f, "| ");
		code(f, db_addr_str(&s[i]->addr, ab));
		fprintf(f, " | %llu | ", (unsigned long long)s[i]->verdicts);
		if (!h) {
			fprintf(f, "- | - | - | - | - | - |\n");
			continue;
		}
		fprintf(f, "%llu | %llu | %llu | %llu | ", (unsigned long long)h->attempts,
			(unsigned long long)h->answered,
			(unsigned long long)(h->attempts - h->answered),
			(unsigned long long)h->icmp);
		if (h->answered)
			fprintf(f, "%.1f ms | %.1f ms |\n", (double)tally_rtt(h, 0.5) / 1000.0,
				(double)tally_rtt(h, 0.95) / 1000.0);
		else
			fprintf(f, "- | - |\n");
	}
	if (n > MD_SERVERS)
		fprintf(f, "\n%zu more servers: see the JSON report.\n", n - MD_SERVERS);
}

int rp_markdown(FILE *f, const rp_input_t *in)
{
	const an_stats_t *a = in->an;
	header(f, in);
	static const char *const heads[VD_NKINDS] = {
		"SERVFAILs sent by resolvers",
		"Client queries never answered",
		"Client queries still open when the capture ended (tentative)",
	};
	int any = 0;
	for (uint8_t k = 0; k < VD_NKINDS; k++) {
		uint64_t n = 0;
		for (uint8_t c = 0; c < VD_NCAUSES; c++)
			n += a->by_cause[k][c];
		if (n) {
			incidents(f, in, k, heads[k], n);
			any = 1;
		}
	}
	if (!any)
		fprintf(f, "\nNo SERVFAIL, and no client query left unanswered.\n");
	zones(f, in->tally);
	servers(f, in->tally);
	const struct {
		uint64_t n;
		const char *what;
	} trouble[] = {
		{ a->icmp_errors, "ICMP errors quoting DNS traffic" },
		{ a->tcp_rst, "TCP resets on port 53" },
		{ a->tcp_syn_unanswered, "TCP connections to port 53 never answered" },
		{ a->frag_trains_lost, "fragmented datagrams never completed" },
		{ a->tcp_stream_losses, "TCP stream directions that lost data" },
		{ in->cap->kernel_drops + in->cap->interface_drops, "packets the capture dropped" },
		{ a->txn.evicted, "transactions evicted (--max-transactions)" },
		{ a->events_lost, "transport events lost (--max-transactions)" },
	};
	int head = 0;
	for (size_t i = 0; i < sizeof(trouble) / sizeof(trouble[0]); i++) {
		if (!trouble[i].n)
			continue;
		if (!head++)
			fprintf(f, "\n## Transport trouble and limits\n\n");
		fprintf(f, "- %llu %s\n", (unsigned long long)trouble[i].n, trouble[i].what);
	}
	if (in->input_error) {
		fprintf(f, "\n## Input damaged\n\n");
		code(f, in->input_error);
		fprintf(f, "\n\nEverything before the damage is counted above.\n");
	}
	return ferror(f) ? -1 : 0;
}
