/*
 * metrics.c - dnsblame's counts as Prometheus text (metrics.h).  The
 * verdict counts are those the JSON report gives (summary.by_cause,
 * unanswered_by_cause, groups, upstream_servers, capture and limits); the
 * endpoint adds the capture's health (bytes, packets it could not decode
 * and why, tunnels, records out of time order), which is what an on-call
 * engineer watching a live capture asks first when the verdicts look thin.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../analyze/dns.h"
#include "metrics.h"

/* A label value, escaped as the exposition format asks (backslash, double
 * quote, newline); names from the wire may hold any byte. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void by_cause(FILE *f, const char *name, const char *help, const uint64_t *n)
{
	head(f, name, "counter", help);
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		fprintf(f, "%s{cause=\"%s\"} %llu\n", name, vd_cause_str(c),
			(unsigned long long)n[c]);
}

static void zones(FILE *f, const rp_input_t *in)
{
	static const char *const name = "dnsblame_servfails_by_zone_total";
	char zb[DNS_NAME_STRLEN];
	head(f, name, "counter",
	     "SERVFAILs by cause, detail and the zone where resolution failed (the first 100; the "
	     "rest in zone=\"_other\")");
	uint64_t other[VD_NCAUSES] = { 0 };
	size_t n = 0;
	const tally_t *ty = in->tally;
	for (const tally_group_t *g = tally_group_first(ty); g; g = tally_group_next(g)) {
		if (g->key.kind != VD_KIND_SERVFAIL)
			continue;
		if (n++ >= RP_METRICS_ZONES) {
			other[g->key.cause] += g->count;
			continue;
		}
		fprintf(f, "%s{cause=\"%s\",detail=\"", name, vd_cause_str(g->key.cause));
		label(f, g->detail);
		fprintf(f, "\",zone=\"");
		label(f, dns_name_str(&g->zone, zb));
		fprintf(f, "\"} %llu\n", (unsigned long long)g->count);
	}
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		other[c] += ty->other[VD_KIND_SERVFAIL][c];
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		if (other[c])
			fprintf(f, "%s{cause=\"%s\",detail=\"_other\",zone=\"_other\"} %llu\n",
				name, vd_cause_str(c), (unsigned long long)other[c]);
}

static void servers(FILE *f, const rp_input_t *in)
{
	static const char *const name = "dnsblame_upstream_failed_attempts_total";
	static const char *const vname = "dnsblame_upstream_failed_verdicts_total";
	char ab[DB_ADDRSTRLEN];
	uint64_t other[TALLY_NOUTCOMES] = { 0 }, other_v = 0;
	size_t n = 0;
	head(f, name, "counter",
	     "Failed upstream attempts in the evidence of verdicts, by server and outcome (the "
	     "first 100 servers; the rest in server=\"_other\")");
	for (const tally_server_t *s = tally_server_first(in->tally); s; s = tally_server_next(s)) {
		if (n++ >= RP_METRICS_SERVERS) {
			for (uint8_t o = 0; o < TALLY_NOUTCOMES; o++)
				other[o] += s->outcomes[o];
			continue;
		}
		for (uint8_t o = 0; o < TALLY_NOUTCOMES; o++)
			if (s->outcomes[o])
				fprintf(f, "%s{server=\"%s\",outcome=\"%s\"} %llu\n", name,
					db_addr_str(&s->addr, ab), vd_outcome_str(o),
					(unsigned long long)s->outcomes[o]);
	}
	for (uint8_t o = 0; o < TALLY_NOUTCOMES; o++)
		if (other[o])
			fprintf(f, "%s{server=\"_other\",outcome=\"%s\"} %llu\n", name,
				vd_outcome_str(o), (unsigned long long)other[o]);
	head(f, vname, "counter", "Verdicts with a failed attempt to the server");
	n = 0;
	for (const tally_server_t *s = tally_server_first(in->tally); s; s = tally_server_next(s)) {
		if (n++ >= RP_METRICS_SERVERS) {
			other_v += s->verdicts;
			continue;
		}
		fprintf(f, "%s{server=\"%s\"} %llu\n", vname, db_addr_str(&s->addr, ab),
			(unsigned long long)s->verdicts);
	}
	if (other_v)
		fprintf(f, "%s{server=\"_other\"} %llu\n", vname, (unsigned long long)other_v);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	head(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

/* What capture/ did with the packets it read (cap_stats_t). */
/* One sample of a labelled counter: name{label="value"} v. */
static void sample(FILE *f, const char *name, const char *label, const char *value, uint64_t v)
{
	fprintf(f, "%s{%s=\"%s\"} %llu\n", name, label, value, (unsigned long long)v);
}

static void capture_health(FILE *f, const cap_stats_t *c)
{
	counter(f, "dnsblame_capture_bytes_total", "Bytes of the packets read, as on the wire",
		c->bytes);
	counter(f, "dnsblame_packets_truncated_total", "Packets cut short by the snaplen",
		c->truncated_packets);
	head(f, "dnsblame_packets_undecoded_total", "counter",
	     "Packets dnsblame could not follow, by why: not IP, link or IP header broken");
	sample(f, "dnsblame_packets_undecoded_total", "reason", "not_ip", c->not_ip);
	sample(f, "dnsblame_packets_undecoded_total", "reason", "link_header", c->link_errors);
	sample(f, "dnsblame_packets_undecoded_total", "reason", "ip_header", c->ip_errors);
	head(f, "dnsblame_ip_packets_total", "counter",
	     "IP packets, by version (tunnelled ones too)");
	sample(f, "dnsblame_ip_packets_total", "version", "4", c->ip4);
	sample(f, "dnsblame_ip_packets_total", "version", "6", c->ip6);
	head(f, "dnsblame_ip_fragments_total", "counter", "IP fragments, by version");
	sample(f, "dnsblame_ip_fragments_total", "version", "4", c->ip4_fragments);
	sample(f, "dnsblame_ip_fragments_total", "version", "6", c->ip6_fragments);
	counter(f, "dnsblame_fragment_trains_cut_total",
		"Fragmented datagrams that could not be whole: a fragment was cut by the snaplen",
		c->frag_trains_cut);
	counter(f, "dnsblame_packets_tunnelled_total",
		"Packets found inside IP-in-IP, GRE, VXLAN or Geneve", c->tunnelled);
	counter(f, "dnsblame_tcp_segments_total", "TCP segments to or from port 53",
		c->tcp_segments);
	counter(f, "dnsblame_tcp_segments_without_syn_total",
		"Port-53 TCP data no stream could take (begun before the capture)", c->tcp_no_syn);
	counter(f, "dnsblame_tcp_segments_rejected_total",
		"TCP segments libnids rejected as invalid (source route, bad IP options)",
		c->nids_warnings);
	counter(f, "dnsblame_records_out_of_order_total",
		"Records older than the one before (captures merged out of order)",
		c->time_backwards);
}

char *rp_metrics_text(const rp_input_t *in, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	const an_stats_t *a = in->an;
	const cap_stats_t *c = in->cap;
	head(f, "dnsblame_info", "gauge", "dnsblame's version and what it reads");
	fprintf(f, "dnsblame_info{version=\"%s\",input=\"", DNSBLAME_VERSION);
	label(f, in->iface ? in->iface : in->nfiles ? in->files[0] : "");
	fprintf(f, "\"} 1\n");
	by_cause(f, "dnsblame_servfails_total", "SERVFAILs sent by resolvers, by cause",
		 a->by_cause[VD_KIND_SERVFAIL]);
	by_cause(f, "dnsblame_unanswered_total",
		 "Client queries never answered within the window, by cause",
		 a->by_cause[VD_KIND_UNANSWERED]);
	zones(f, in);
	servers(f, in);
	counter(f, "dnsblame_packets_total", "Packets read", c->packets);
	counter(f, "dnsblame_dns_messages_total", "DNS messages on port 53", a->dns_messages);
	counter(f, "dnsblame_client_queries_answered_total", "Transactions answered",
		a->txn.answered);
	counter(f, "dnsblame_kernel_drops_total", "Packets the kernel dropped (pcap_stats ps_drop)",
		c->kernel_drops);
	counter(f, "dnsblame_interface_drops_total",
		"Packets the interface dropped (pcap_stats ps_ifdrop)", c->interface_drops);
	counter(f, "dnsblame_verdicts_over_capture_loss_total",
		"Verdicts made while the capture dropped packets (confidence lowered)",
		a->verdicts_over_loss);
	counter(f, "dnsblame_transactions_evicted_total",
		"Transactions evicted at --max-transactions", a->txn.evicted);
	counter(f, "dnsblame_transport_events_lost_total",
		"Transport events pushed out of the event log", a->events_lost);
	capture_health(f, c);
	head(f, "dnsblame_last_packet_timestamp_seconds", "gauge",
	     "Capture time of the last packet");
	fprintf(f, "dnsblame_last_packet_timestamp_seconds %.6f\n", (double)c->last_ts / 1e6);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
