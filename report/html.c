/*
 * html.c - the report as one self-contained HTML file for a ticket: no
 * script, no network resource, inline CSS and SVG charts (SERVFAILs over
 * time stacked by cause, the causes, the upstream servers' failed
 * attempts), the incidents with their evidence in <details>, readable when
 * printed to PDF.  Every number is one the JSON report gives; every name
 * from the wire is escaped.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../analyze/dns.h"

#define H_INCIDENTS 20
#define H_EVIDENCE 12
#define H_SERVERS 10

/* One colour per cause (enum vd_cause), distinguishable in grey print. */
static const char *const colour[VD_NCAUSES] = {
	"#d62728", "#ff7f0e", "#9467bd", "#1f77b4", "#2ca02c", "#8c564b", "#7f7f7f",
};

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char STYLE[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em "
    "auto;max-width:1100px;color:#222;padding:0 1em}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}td.n{text-align:right}"
    "code,pre{font-family:ui-monospace,monospace;font-size:.92em}pre{background:#f7f7f7;padding:."
    "5em;"
    "overflow-x:auto;white-space:pre-wrap}details{margin:.4em 0 .8em}summary{cursor:pointer}"
    ".charts{display:flex;flex-wrap:wrap;gap:1.5em}.chart{flex:1 1 480px}"
    ".key span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .8em}"
    "svg text{font:11px system-ui,sans-serif;fill:#333}"
    "@media print{body{max-width:none;margin:0}details::details-content{display:block;"
    "content-visibility:visible}summary{list-style:none}pre{white-space:pre-wrap}"
    "h3{break-after:avoid}}";

static void header(FILE *f, const rp_input_t *in)
{
	const cap_stats_t *c = in->cap;
	char t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN];
	fprintf(f, "<h1>dnsblame: why the resolver answered SERVFAIL</h1>\n<table>\n");
	if (in->host) {
		fputs("<tr><th>host</th><td><code>", f);
		esc(f, in->host);
		fputs("</code></td></tr>\n", f);
	}
	if (in->command) {
		fputs("<tr><th>command</th><td><code>", f);
		esc(f, in->command);
		fputs("</code></td></tr>\n", f);
	}
	fputs("<tr><th>filter</th><td><code>", f);
	esc(f, in->filter && *in->filter ? in->filter : "(none)");
	fputs("</code></td></tr>\n", f);
	if (in->iface) {
		fputs("<tr><th>interface</th><td><code>", f);
		esc(f, in->iface);
		fputs("</code></td></tr>\n", f);
	}
	for (size_t i = 0; i < in->nfiles; i++) {
		fputs("<tr><th>capture</th><td><code>", f);
		esc(f, in->files[i]);
		fputs("</code></td></tr>\n", f);
	}
	if (c->packets)
		fprintf(f, "<tr><th>time</th><td>%s .. %s</td></tr>\n",
			db_time_str(c->first_ts, t1), db_time_str(c->last_ts, t2));
	fprintf(f, "<tr><th>packets</th><td>%llu", (unsigned long long)c->packets);
	if (c->live)
		fprintf(f, "; kernel: %llu received, %llu dropped, %llu dropped by the interface",
			(unsigned long long)c->kernel_received, (unsigned long long)c->kernel_drops,
			(unsigned long long)c->interface_drops);
	fprintf(f, "</td></tr>\n<tr><th>vantage</th><td>%s</td></tr>\n", in->vantage);
	fprintf(f, "<tr><th>dnsblame</th><td>%s</td></tr>\n</table>\n", DNSBLAME_VERSION);
}

static void key(FILE *f, const uint64_t *counts)
{
	fputs("<div class=\"key\">", f);
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		if (counts[c])
			fprintf(f, "<span style=\"background:%s\"></span>%s", colour[c],
				vd_cause_str(c));
	fputs("</div>\n", f);
}

/* SERVFAILs every 10 s, stacked by cause. */
static void chart_time(FILE *f, const rp_input_t *in)
{
	const tally_t *ty = in->tally;
	if (ty->newest_bucket < 0)
		return;
	int64_t last = ty->newest_bucket, first = last;
	uint64_t peak = 0;
	for (int64_t m = last - TALLY_BUCKETS + 1; m <= last; m++) {
		const tally_bucket_t *b = &ty->buckets[(uint64_t)(m < 0 ? 0 : m) % TALLY_BUCKETS];
		if (m < 0 || b->bucket != m)
			continue;
		if (m < first)
			first = m;
		uint64_t n = 0;
		for (uint8_t c = 0; c < VD_NCAUSES; c++)
			n += b->n[VD_KIND_SERVFAIL][c];
		if (n > peak)
			peak = n;
	}
	const int W = 520, H = 200, L = 40, B = 20;
	int64_t span = last - first + 1;
	double bw = (double)(W - L) / (double)span;
	char t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN];
	fprintf(f, "<div class=\"chart\"><h3>SERVFAILs every %lld s, by cause</h3>\n",
		(long long)(TALLY_BUCKET_US / 1000000));
	fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", W,
		H + B, W, H + B);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", L, H, W, H);
	fprintf(f, "<text x=\"0\" y=\"10\">%llu</text><text x=\"0\" y=\"%d\">0</text>\n",
		(unsigned long long)peak, H);
	for (int64_t m = first; m <= last && peak; m++) {
		const tally_bucket_t *b = &ty->buckets[(uint64_t)m % TALLY_BUCKETS];
		if (b->bucket != m)
			continue;
		double y = H;
		for (uint8_t c = 0; c < VD_NCAUSES; c++) {
			uint64_t n = b->n[VD_KIND_SERVFAIL][c];
			if (!n)
				continue;
			double h = (double)n * (H - 10) / (double)peak;
			y -= h;
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\">"
				"<title>%s: %llu</title></rect>\n",
				L + (double)(m - first) * bw, y, bw > 2 ? bw - 1 : bw, h, colour[c],
				vd_cause_str(c), (unsigned long long)n);
		}
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">%.19s</text>", L, H + 15,
		db_time_str(first * TALLY_BUCKET_US, t1));
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.19s</text>\n</svg>\n", W, H + 15,
		db_time_str((last + 1) * TALLY_BUCKET_US, t2));
	key(f, in->an->by_cause[VD_KIND_SERVFAIL]);
	fputs("</div>\n", f);
}

/* Horizontal bars: one per cause, SERVFAILs and never answered. */
static void chart_causes(FILE *f, const rp_input_t *in)
{
	const an_stats_t *a = in->an;
	uint64_t peak = 0;
	int rows = 0;
	for (uint8_t c = 0; c < VD_NCAUSES; c++) {
		uint64_t n = a->by_cause[VD_KIND_SERVFAIL][c] + a->by_cause[VD_KIND_UNANSWERED][c];
		if (n > peak)
			peak = n;
		rows += n > 0;
	}
	if (!peak)
		return;
	const int W = 480, L = 130, R = 22;
	fprintf(f,
		"<div class=\"chart\"><h3>Causes (SERVFAIL, then never answered, lighter)</h3>\n");
	fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\">\n", W, rows * R + 4);
	int y = 2;
	for (uint8_t c = 0; c < VD_NCAUSES; c++) {
		uint64_t s = a->by_cause[VD_KIND_SERVFAIL][c],
			 u = a->by_cause[VD_KIND_UNANSWERED][c];
		if (!s && !u)
			continue;
		double ws = (double)s * (W - L - 60) / (double)peak,
		       wu = (double)u * (W - L - 60) / (double)peak;
		fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>", y + 14, vd_cause_str(c));
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" "
			"fill=\"%s\"><title>SERVFAIL %llu</title></rect>",
			L, y, ws, colour[c], (unsigned long long)s);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\" "
			"opacity=\"0.45\">"
			"<title>never answered %llu</title></rect>",
			L + ws, y, wu, colour[c], (unsigned long long)u);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%llu", L + ws + wu + 4, y + 14,
			(unsigned long long)s);
		if (u)
			fprintf(f, " + %llu", (unsigned long long)u);
		fputs("</text>\n", f);
		y += R;
	}
	fputs("</svg></div>\n", f);
}

/* The upstream servers named by failed attempts: a bar of their failed
 * attempts by outcome, and the table. */
static void servers(FILE *f, const tally_t *ty)
{
	const tally_server_t *s[H_SERVERS];
	size_t n = tally_servers_ranked(ty, s, H_SERVERS);
	if (!n)
		return;
	size_t shown = n < H_SERVERS ? n : H_SERVERS;
	static const uint8_t outs[] = { VD_OUT_TIMEOUT,     VD_OUT_ICMP,  VD_OUT_TCP_RESET,
					VD_OUT_TCP_TIMEOUT, VD_OUT_ERROR, VD_OUT_TRUNCATED,
					VD_OUT_FRAG_LOSS,   VD_OUT_LAME };
	static const char *const ocol[] = { "#d62728", "#ff7f0e", "#9467bd", "#c5b0d5",
					    "#2ca02c", "#1f77b4", "#17becf", "#8c564b" };
	uint64_t peak = 0;
	for (size_t i = 0; i < shown; i++) {
		uint64_t t = 0;
		for (size_t k = 0; k < sizeof(outs); k++)
			t += s[i]->outcomes[outs[k]];
		if (t > peak)
			peak = t;
	}
	char ab[DB_ADDRSTRLEN];
	const int W = 520, L = 170, R = 22;
	fprintf(f,
		"<h2>Upstream servers that failed</h2>\n<h3>Failed attempts in the evidence of the "
		"verdicts, by outcome</h3>\n");
	fprintf(f, "<svg width=\"%d\" height=\"%zu\" role=\"img\">\n", W, shown * R + 4);
	for (size_t i = 0; i < shown && peak; i++) {
		int y = 2 + (int)i * R;
		fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>", y + 14,
			db_addr_str(&s[i]->addr, ab));
		double x = L;
		for (size_t k = 0; k < sizeof(outs); k++) {
			uint64_t v = s[i]->outcomes[outs[k]];
			if (!v)
				continue;
			double w = (double)v * (W - L - 50) / (double)peak;
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" "
				"fill=\"%s\"><title>%s %llu</title></rect>",
				x, y, w, ocol[k], vd_outcome_str(outs[k]), (unsigned long long)v);
			x += w;
		}
		fputs("\n", f);
	}
	fputs("</svg>\n<div class=\"key\">", f);
	for (size_t k = 0; k < sizeof(outs); k++)
		fprintf(f, "<span style=\"background:%s\"></span>%s", ocol[k],
			vd_outcome_str(outs[k]));
	fputs(
	    "</div>\n<table>\n<tr><th>server</th><th>verdicts</th><th>queries</th><th>answered</th>"
	    "<th>unanswered</th><th>ICMP</th><th>RTT p50</th><th>RTT p95</th></tr>\n",
	    f);
	for (size_t i = 0; i < shown; i++) {
		const tally_health_t *h = tally_health(ty, &s[i]->addr);
		fprintf(f, "<tr><td><code>%s</code></td><td class=\"n\">%llu</td>",
			db_addr_str(&s[i]->addr, ab), (unsigned long long)s[i]->verdicts);
		if (!h) {
			fputs("<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td></tr>\n",
			      f);
			continue;
		}
		fprintf(
		    f,
		    "<td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
		    "<td class=\"n\">%llu</td>",
		    (unsigned long long)h->attempts, (unsigned long long)h->answered,
		    (unsigned long long)(h->attempts - h->answered), (unsigned long long)h->icmp);
		if (h->answered)
			fprintf(f,
				"<td class=\"n\">%.1f ms</td><td class=\"n\">%.1f ms</td></tr>\n",
				(double)tally_rtt(h, 0.5) / 1000.0,
				(double)tally_rtt(h, 0.95) / 1000.0);
		else
			fputs("<td>-</td><td>-</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (n > shown)
		fprintf(f, "<p>%zu more servers: see the JSON report.</p>\n", n - shown);
}

static void evidence(FILE *f, const tally_t *ty, const tally_group_t *g)
{
	char nb[DNS_NAME_STRLEN], tb[16], t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN];
	const verdict_t *v = tally_example(ty, g);
	char ex[RP_EXPLAIN];
	vd_explain(v, ex, sizeof(ex));
	fprintf(f, "<details><summary>example, evidence and next steps</summary>\n<p>");
	esc(f, dns_name_str(&v->qname, nb));
	fprintf(f, " %s from <code>%s</code> at %s, %s confidence", dns_type_str(v->qtype, tb),
		db_addr_str(&v->client, ab), db_time_str(v->answered ? v->time : v->query_time, t),
		vd_confidence_str(v->confidence));
	if (v->capture_loss)
		fprintf(f, " (the capture dropped %llu packets meanwhile)",
			(unsigned long long)v->capture_loss);
	fputs(".</p>\n<p>", f);
	esc(f, ex);
	fputs("</p>\n", f);
	if (v->n_up) {
		fprintf(f, "<pre>");
		char line[RP_ATTEMPT];
		for (uint16_t k = 0; k < v->n_up && k < H_EVIDENCE; k++) {
			vd_attempt_str(&v->up[k], line, sizeof(line));
			esc(f, line);
			fputc('\n', f);
		}
		if (v->n_up_total > H_EVIDENCE)
			fprintf(f, "... %u attempts in all (JSON report)\n", v->n_up_total);
		fputs("</pre>\n", f);
	}
	char steps[RP_STEPS];
	vd_next_steps(v, g->nservers ? &g->servers[0] : NULL, steps, sizeof(steps));
	fputs("<p>Next steps:</p>\n<pre>", f);
	esc(f, steps);
	fputs("</pre>\n</details>\n", f);
}

static void incidents(FILE *f, const rp_input_t *in, uint8_t kind, const char *head, uint64_t total)
{
	const tally_group_t *top[H_INCIDENTS];
	size_t all = tally_ranked(in->tally, kind, top, H_INCIDENTS);
	size_t shown = all < H_INCIDENTS ? all : H_INCIDENTS;
	char zb[DNS_NAME_STRLEN], t1[DB_TIMESTRLEN], t2[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN];
	fprintf(f, "<h2>%s: %llu</h2>\n", head, (unsigned long long)total);
	uint64_t listed = 0;
	for (size_t i = 0; i < shown; i++) {
		const tally_group_t *g = top[i];
		listed += g->count;
		fprintf(f, "<h3 style=\"border-left:6px solid %s;padding-left:.4em\">%zu. <code>",
			colour[g->key.cause], i + 1);
		esc(f, dns_name_str(&g->zone, zb));
		fprintf(f, "</code> %s/", vd_cause_str(g->key.cause));
		esc(f, g->detail);
		fprintf(f, ": %llu</h3>\n<p>From %s to %s; %llu client%s",
			(unsigned long long)g->count, db_time_str(g->first, t1),
			db_time_str(g->last, t2), (unsigned long long)tally_clients(g),
			tally_clients(g) == 1 ? "" : "s");
		if (g->nservers) {
			fputs("; servers", f);
			for (uint8_t k = 0; k < g->nservers; k++)
				fprintf(f, "%s <code>%s</code>", k ? "," : "",
					db_addr_str(&g->servers[k], ab));
			if (g->servers_more)
				fputs(", ...", f);
		}
		fputs("; ", f);
		const char *sep = "";
		for (uint8_t v = 0; v < TALLY_NVIA; v++)
			if (g->via[v] && vd_via_str(v)) {
				fprintf(f, "%s%s %llu", sep, vd_via_str(v),
					(unsigned long long)g->via[v]);
				sep = ", ";
			}
		fputs(".</p>\n", f);
		if (g->nex)
			evidence(f, in->tally, g);
	}
	if (listed < total)
		fprintf(f, "<p>%llu more in %zu smaller incidents: see the JSON report.</p>\n",
			(unsigned long long)(total - listed), all - shown);
}

int rp_html(FILE *f, const rp_input_t *in)
{
	const an_stats_t *a = in->an;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* Nothing from anywhere else: no script, images or fonts fetched. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n",
	      f);
	fputs("<title>dnsblame: why the resolver answered SERVFAIL</title>\n<style>", f);
	fputs(STYLE, f);
	fputs("</style>\n</head>\n<body>\n", f);
	header(f, in);
	uint64_t tot[VD_NKINDS] = { 0 };
	for (uint8_t k = 0; k < VD_NKINDS; k++)
		for (uint8_t c = 0; c < VD_NCAUSES; c++)
			tot[k] += a->by_cause[k][c];
	if (tot[VD_KIND_SERVFAIL] || tot[VD_KIND_UNANSWERED]) {
		fputs("<div class=\"charts\">\n", f);
		chart_time(f, in);
		chart_causes(f, in);
		fputs("</div>\n", f);
	}
	static const char *const heads[VD_NKINDS] = {
		"SERVFAILs sent by resolvers",
		"Client queries never answered",
		"Client queries still open when the capture ended (tentative)",
	};
	for (uint8_t k = 0; k < VD_NKINDS; k++)
		if (tot[k])
			incidents(f, in, k, heads[k], tot[k]);
	if (!tot[VD_KIND_SERVFAIL] && !tot[VD_KIND_UNANSWERED])
		fputs("<p>No SERVFAIL, and no client query left unanswered.</p>\n", f);
	servers(f, in->tally);
	if (in->input_error) {
		fputs("<h2>Input damaged</h2>\n<p><code>", f);
		esc(f, in->input_error);
		fputs("</code>: everything before the damage is counted above.</p>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
