/*
 * json.c - the JSON report, schema 3 (docs/JSON.md; design.md "JSON report").  Counts
 * in "capture" cover DNS on port 53, one per DNS message.
 */
#include "report.h"
#include "jsonw.h"
#include "../analyze/dns.h"

#include <string.h>

static void rcodes(jsonw_t *w, const an_stats_t *an)
{
	char buf[16];
	jw_obj_open(w, "rcodes");
	for (unsigned i = 0; i < AN_RCODES; i++)
		if (an->rcodes[i])
			jw_u64(w, dns_rcode_str((uint16_t)i, buf), an->rcodes[i]);
	jw_obj_close(w);
}

static void capture(jsonw_t *w, const rp_input_t *in)
{
	const cap_stats_t *c = in->cap;
	const an_stats_t *a = in->an;
	char t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN];
	jw_obj_open(w, "capture");
	jw_arr_open(w, "files");
	for (size_t i = 0; i < in->nfiles; i++)
		jw_str(w, NULL, in->files[i]);
	jw_arr_close(w);
	if (in->iface)
		jw_str(w, "interface", in->iface);
	/* Where and how the report was made. */
	if (in->host)
		jw_str(w, "host", in->host);
	if (in->command)
		jw_str(w, "command", in->command);
	if (in->filter && *in->filter)
		jw_str(w, "filter", in->filter);
	else
		jw_null(w, "filter");
	if (c->packets) {
		jw_str(w, "first_ts", db_time_str(c->first_ts, t));
		jw_str(w, "last_ts", db_time_str(c->last_ts, t));
	} else {
		jw_null(w, "first_ts");
		jw_null(w, "last_ts");
	}
	jw_u64(w, "packets", c->packets);
	jw_u64(w, "truncated_packets", c->truncated_packets);
	if (c->live) {
		/* What the kernel received and dropped (pcap_stats). */
		jw_u64(w, "kernel_received", c->kernel_received);
		jw_u64(w, "kernel_drops", c->kernel_drops);
		jw_u64(w, "interface_drops", c->interface_drops);
		/* Verdicts whose query was under way while packets were lost. */
		jw_u64(w, "verdicts_over_loss", a->verdicts_over_loss);
	}
	jw_u64(w, "dns_messages", a->dns_messages);
	jw_u64(w, "dns_queries", a->dns_queries);
	jw_u64(w, "dns_responses", a->dns_responses);
	jw_u64(w, "tcp_dns_messages", a->tcp_dns_messages);
	jw_u64(w, "malformed", a->malformed);
	rcodes(w, a);
	jw_str(w, "vantage", in->vantage);
	jw_arr_open(w, "resolvers");
	for (size_t i = 0; i < in->nresolvers; i++)
		jw_str(w, NULL, db_addr_str(&in->resolvers[i], ab));
	jw_arr_close(w);
	if (in->input_error)
		jw_str(w, "input_error", in->input_error);
	jw_obj_close(w);
}

static void transactions(jsonw_t *w, const txn_stats_t *t)
{
	jw_obj_open(w, "transactions");
	jw_u64(w, "total", t->transactions);
	jw_u64(w, "answered", t->answered);
	jw_u64(w, "unanswered", t->unanswered);
	jw_u64(w, "open_at_end", t->open_at_end);
	jw_u64(w, "retransmissions", t->retransmissions);
	jw_u64(w, "duplicate_responses", t->duplicate_responses);
	jw_u64(w, "unmatched_responses", t->unmatched_responses);
	jw_obj_close(w);
}

static void events(jsonw_t *w, const rp_input_t *in)
{
	const an_stats_t *a = in->an;
	const cap_stats_t *c = in->cap;
	jw_obj_open(w, "events");
	jw_u64(w, "icmp_errors", a->icmp_errors);
	jw_u64(w, "tcp_syn", a->tcp_syn);
	jw_u64(w, "tcp_synack", a->tcp_synack);
	jw_u64(w, "tcp_rst", a->tcp_rst);
	jw_u64(w, "tcp_fin", a->tcp_fin);
	jw_u64(w, "tcp_syn_unanswered", a->tcp_syn_unanswered);
	jw_u64(w, "tcp_stream_losses", a->tcp_stream_losses);
	jw_u64(w, "tcp_segments_without_syn", c->tcp_no_syn);
	jw_u64(w, "fragment_trains_lost", a->frag_trains_lost);
	jw_u64(w, "ip4_fragments", c->ip4_fragments);
	jw_u64(w, "ip6_fragments", c->ip6_fragments);
	jw_u64(w, "ede_responses", a->ede_responses);
	jw_u64(w, "cut_dns_messages", a->cut_messages);
	jw_obj_close(w);
}

static void limits(jsonw_t *w, const rp_input_t *in)
{
	jw_obj_open(w, "limits");
	jw_double(w, "window_s", (double)in->window / 1e6);
	jw_u64(w, "transactions_evicted", in->an->txn.evicted);
	jw_u64(w, "fragment_trains_evicted", in->cap->frag_evicted);
	jw_u64(w, "tcp_streams_evicted", in->cap->tcp_evicted);
	jw_u64(w, "handshakes_evicted", in->cap->handshakes_evicted);
	jw_u64(w, "transport_events_lost", in->an->events_lost);
	jw_u64(w, "addresses_evicted", in->an->addresses_evicted);
	jw_u64(w, "zone_cuts_evicted", in->an->model_cuts_evicted);
	jw_u64(w, "cnames_evicted", in->an->model_cnames_evicted);
	jw_u64(w, "address_names_evicted", in->an->model_names_evicted);
	jw_u64(w, "root_failures_evicted", in->an->model_roots_evicted);
	jw_u64(w, "dnssec_keys_evicted", in->an->model_keys_evicted);
	jw_u64(w, "dnssec_breaks_evicted", in->an->model_breaks_evicted);
	jw_u64(w, "event_servers_evicted", in->an->event_servers_evicted);
	jw_obj_close(w);
}

/* RFC 4034 3.1.5: seconds since 1970, as in the RRSIG. */
static void sigtime(jsonw_t *w, const char *key, uint32_t t)
{
	char b[DB_TIMESTRLEN];
	jw_str(w, key, db_time_str((db_time_t)t * 1000000, b));
}

static void dnssec(jsonw_t *w, const chain_result_t *d)
{
	char nb[DNS_NAME_STRLEN], tb[16], t[DB_TIMESTRLEN];
	jw_obj_open(w, "dnssec");
	jw_bool(w, "failure_found", d->found);
	if (d->found) {
		jw_str(w, "detail", d->detail);
		jw_str(w, "zone", dns_name_str(&d->zone, nb));
		jw_str(w, "owner", dns_name_str(&d->owner, nb));
		jw_str(w, "type", dns_type_str(d->type, tb));
		if (d->key_tag || d->algorithm) {
			jw_str(w, "signer", dns_name_str(&d->signer, nb));
			jw_u64(w, "key_tag", d->key_tag);
			jw_u64(w, "algorithm", d->algorithm);
			sigtime(w, "inception", d->inception);
			sigtime(w, "expiration", d->expiration);
		}
		if (d->checked_at)
			jw_str(w, "checked_at", db_time_str(d->checked_at, t));
		if (d->n_ds) {
			jw_arr_open(w, "ds_key_tags_unmatched");
			for (uint8_t i = 0; i < d->n_ds; i++)
				jw_u64(w, NULL, d->ds_tags[i]);
			jw_arr_close(w);
		}
	}
	jw_u64(w, "signatures_verified", d->verified);
	jw_u64(w, "signatures_failed", d->failed);
	jw_u64(w, "signatures_undecided", d->undecided);
	if (d->have_top)
		jw_str(w, "chain_starts_at", dns_name_str(&d->top, nb));
	else
		jw_null(w, "chain_starts_at");
	if (d->missing)
		jw_u64(w, "answers_no_longer_stored", d->missing);
	jw_obj_close(w);
}

/* A verdict object, as a member named key (NULL: an array element). */
static void verdict_as(jsonw_t *w, const char *key, const verdict_t *v, const char *kind)
{
	char t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN], nb[DNS_NAME_STRLEN], tb[16], rb[16];
	jw_obj_open(w, key);
	if (kind)
		jw_str(w, "type", kind);
	jw_str(w, "time", db_time_str(v->time, t));
	jw_str(w, "query_time", db_time_str(v->query_time, t));
	jw_str(w, "client", db_addr_str(&v->client, ab));
	jw_u64(w, "client_port", v->client_port);
	jw_str(w, "resolver", db_addr_str(&v->resolver, ab));
	jw_str(w, "transport", v->transport == DB_PROTO_TCP ? "tcp" : "udp");
	jw_u64(w, "id", v->id);
	jw_str(w, "qname", dns_name_str(&v->qname, nb));
	jw_str(w, "qtype", dns_type_str(v->qtype, tb));
	jw_str(w, "cause", vd_cause_str(v->cause));
	jw_str(w, "detail", v->detail ? v->detail : "");
	jw_str(w, "confidence", vd_confidence_str(v->confidence));
	jw_str(w, "zone", dns_name_str(&v->zone, nb));
	jw_arr_open(w, "ede");
	for (uint8_t i = 0; i < v->n_ede; i++) {
		jw_obj_open(w, NULL);
		jw_u64(w, "code", v->ede[i].code);
		jw_strn(w, "text", (const uint8_t *)v->ede[i].text, strlen(v->ede[i].text));
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_double(w, "latency_ms", (double)(v->time - v->query_time) / 1000.0);
	if (v->capture_loss)
		jw_u64(w, "capture_loss", v->capture_loss);
	if (vd_via_str(v->via))
		jw_str(w, "via", vd_via_str(v->via));
	if (v->repeats_time) {
		jw_obj_open(w, "repeats");
		jw_str(w, "time", db_time_str(v->repeats_time, t));
		jw_str(w, "qname", dns_name_str(&v->repeats_qname, nb));
		jw_str(w, "qtype", dns_type_str(v->repeats_qtype, tb));
		jw_str(w, "cause", vd_cause_str(v->repeats_cause));
		if (v->repeats_detail)
			jw_str(w, "detail", v->repeats_detail);
		jw_obj_close(w);
	}
	jw_u64(w, "upstream_total", v->n_up_total);
	jw_arr_open(w, "upstream");
	for (uint16_t i = 0; i < v->n_up; i++) {
		const vd_upstream_t *u = &v->up[i];
		jw_obj_open(w, NULL);
		jw_str(w, "time", db_time_str(u->ts, t));
		jw_str(w, "server", db_addr_str(&u->server, ab));
		jw_str(w, "transport", u->transport == DB_PROTO_TCP ? "tcp" : "udp");
		if (u->qname.len > 1 || u->qtype) {
			jw_str(w, "qname", dns_name_str(&u->qname, nb));
			jw_str(w, "qtype", dns_type_str(u->qtype, tb));
		} else {
			jw_null(w, "qname");
			jw_null(w, "qtype");
		}
		jw_str(w, "outcome", vd_outcome_str(u->outcome));
		if (u->outcome == VD_OUT_ANSWERED || u->outcome == VD_OUT_ERROR ||
		    u->outcome == VD_OUT_TRUNCATED) {
			jw_str(w, "rcode", dns_rcode_str(u->rcode, rb));
			jw_bool(w, "aa", u->aa);
			jw_bool(w, "tc", u->tc);
			jw_bool(w, "referral", u->referral);
		}
		if (u->outcome == VD_OUT_ICMP)
			jw_str(w, "icmp",
			       vd_icmp_label(u->icmp_version, u->icmp_type, u->icmp_code));
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (v->dnssec_checked) {
		dnssec(w, &v->dnssec);
		if (v->dnssec_earlier)
			jw_str(w, "dnssec_proven_at", db_time_str(v->dnssec_earlier, t));
	}
	char ex[RP_EXPLAIN];
	vd_explain(v, ex, sizeof(ex));
	jw_str(w, "explanation", ex);
	jw_obj_close(w);
}

static void verdict(jsonw_t *w, const verdict_t *v, const char *kind)
{
	verdict_as(w, NULL, v, kind);
}

static void by_cause(jsonw_t *w, const char *key, const uint64_t *counts)
{
	jw_obj_open(w, key);
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		if (counts[c])
			jw_u64(w, vd_cause_str(c), counts[c]);
	jw_obj_close(w);
}

static uint64_t total(const uint64_t *counts)
{
	uint64_t n = 0;
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		n += counts[c];
	return n;
}

static void summary(jsonw_t *w, const rp_input_t *in)
{
	jw_obj_open(w, "summary");
	jw_u64(w, "servfails", total(in->an->by_cause[0]));
	by_cause(w, "by_cause", in->an->by_cause[0]);
	jw_u64(w, "unanswered", total(in->an->by_cause[1]));
	by_cause(w, "unanswered_by_cause", in->an->by_cause[1]);
	jw_u64(w, "pending", total(in->an->by_cause[VD_KIND_PENDING]));
	by_cause(w, "pending_by_cause", in->an->by_cause[VD_KIND_PENDING]);
	jw_obj_close(w);
}

/* NDJSON's type of each verdict record, by enum vd_kind. */
static const char *const kind_name[VD_NKINDS] = { "servfail", "unanswered", "pending" };

/* The incidents: every verdict counted by kind, cause, detail and zone
 * (tally.h), in the order they appeared; the counts add up to the
 * summary's. */
static void incidents(jsonw_t *w, const rp_input_t *in)
{
	char t[DB_TIMESTRLEN], nb[DNS_NAME_STRLEN], ab[DB_ADDRSTRLEN];
	const tally_t *ty = in->tally;
	jw_arr_open(w, "incidents");
	for (const tally_group_t *g = tally_group_first(ty); g; g = tally_group_next(g)) {
		jw_obj_open(w, NULL);
		jw_str(w, "type", kind_name[g->key.kind]);
		jw_str(w, "cause", vd_cause_str(g->key.cause));
		jw_str(w, "detail", g->detail);
		jw_str(w, "zone", dns_name_str(&g->zone, nb));
		jw_u64(w, "count", g->count);
		jw_str(w, "first", db_time_str(g->first, t));
		jw_str(w, "last", db_time_str(g->last, t));
		jw_u64(w, "clients", tally_clients(g));
		jw_arr_open(w, "servers");
		for (uint8_t i = 0; i < g->nservers; i++)
			jw_str(w, NULL, db_addr_str(&g->servers[i], ab));
		jw_arr_close(w);
		if (g->servers_more)
			jw_bool(w, "more_servers", 1);
		jw_obj_open(w, "via");
		for (uint8_t v = 0; v < TALLY_NVIA; v++)
			if (g->via[v] && vd_via_str(v))
				jw_u64(w, vd_via_str(v), g->via[v]);
		jw_obj_close(w);
		if (g->over_loss)
			jw_u64(w, "over_capture_loss", g->over_loss);
		/* The verdict that shows it best, with its evidence. */
		const verdict_t *ex = tally_example(in->tally, g);
		if (ex)
			verdict_as(w, "example", ex, NULL);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	/* Upstream servers named by failed attempts in the evidence. */
	jw_arr_open(w, "upstream_servers");
	for (const tally_server_t *sv = tally_server_first(ty); sv; sv = tally_server_next(sv)) {
		jw_obj_open(w, NULL);
		jw_str(w, "server", db_addr_str(&sv->addr, ab));
		jw_u64(w, "verdicts", sv->verdicts);
		jw_obj_open(w, "failed_attempts");
		for (uint8_t o = 0; o < TALLY_NOUTCOMES; o++)
			if (sv->outcomes[o])
				jw_u64(w, vd_outcome_str(o), sv->outcomes[o]);
		jw_obj_close(w);
		jw_str(w, "first", db_time_str(sv->first, t));
		jw_str(w, "last", db_time_str(sv->last, t));
		/* Every query to it, failed or not, when it is followed. */
		const tally_health_t *h = tally_health(ty, &sv->addr);
		if (h) {
			jw_str(w, "followed_since", db_time_str(h->since, t));
			jw_u64(w, "queries", h->attempts);
			jw_u64(w, "answered", h->answered);
			jw_u64(w, "icmp_errors", h->icmp);
			if (h->answered) {
				jw_double(w, "rtt_p50_ms", (double)tally_rtt(h, 0.5) / 1000.0);
				jw_double(w, "rtt_p95_ms", (double)tally_rtt(h, 0.95) / 1000.0);
			}
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	/* What the bounded tally did not keep: every verdict is counted in
	 * the summary, and streamed whole by --format ndjson. */
	jw_obj_open(w, "left_out");
	jw_u64(w, "verdicts_not_listed", in->an->verdicts_dropped);
	jw_u64(w, "pending_not_listed", in->an->pending_dropped);
	jw_u64(w, "verdicts_not_grouped", ty->groups_dropped);
	jw_u64(w, "examples_not_kept", ty->examples_dropped);
	jw_u64(w, "servers_not_counted", ty->servers_dropped);
	jw_u64(w, "queries_to_servers_not_followed", ty->health_dropped);
	jw_u64(w, "idle_servers_let_go", ty->health_forgotten);
	jw_u64(w, "verdicts_before_timeline", ty->buckets_dropped);
	jw_obj_close(w);
}

/* SERVFAILs and unanswered queries every 10 s of capture time, by cause:
 * the last day, the buckets with a verdict. */
static void timeline(jsonw_t *w, const tally_t *ty)
{
	char t[DB_TIMESTRLEN];
	jw_obj_open(w, "timeline");
	jw_u64(w, "bucket_s", TALLY_BUCKET_US / 1000000);
	jw_arr_open(w, "buckets");
	if (ty->newest_bucket >= 0) {
		int64_t from = ty->newest_bucket - TALLY_BUCKETS + 1;
		for (int64_t m = from < 0 ? 0 : from; m <= ty->newest_bucket; m++) {
			const tally_bucket_t *b = &ty->buckets[(uint64_t)m % TALLY_BUCKETS];
			if (b->bucket != m)
				continue;
			jw_obj_open(w, NULL);
			jw_str(w, "start", db_time_str(m * TALLY_BUCKET_US, t));
			for (uint8_t k = 0; k < VD_NKINDS; k++) {
				int any = 0;
				for (uint8_t c = 0; c < VD_NCAUSES; c++) {
					if (!b->n[k][c])
						continue;
					if (!any++)
						jw_obj_open(w, kind_name[k]);
					jw_u64(w, vd_cause_str(c), b->n[k][c]);
				}
				if (any)
					jw_obj_close(w);
			}
			jw_obj_close(w);
		}
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

int rp_ndjson_verdict(FILE *f, const verdict_t *v)
{
	jsonw_t w;
	jw_init(&w, f, 0);
	verdict(&w, v, kind_name[v->kind < VD_NKINDS ? v->kind : 0]);
	jw_end(&w);
	return ferror(f) ? -1 : 0;
}

int rp_ndjson_stats(FILE *f, const rp_input_t *in, const rp_period_t *p)
{
	char t[DB_TIMESTRLEN];
	jsonw_t w;
	jw_init(&w, f, 0);
	jw_obj_open(&w, NULL);
	jw_str(&w, "type", "stats");
	jw_str(&w, "time", db_time_str(p->to, t));
	jw_str(&w, "from", db_time_str(p->from, t));
	jw_str(&w, "to", db_time_str(p->to, t));
	capture(&w, in);
	summary(&w, in);
	/* What the interval added. */
	uint64_t d[VD_NKINDS][VD_NCAUSES];
	for (uint8_t k = 0; k < VD_NKINDS; k++)
		for (uint8_t c = 0; c < VD_NCAUSES; c++)
			d[k][c] = in->an->by_cause[k][c] - p->before[k][c];
	jw_obj_open(&w, "interval");
	jw_u64(&w, "servfails", total(d[VD_KIND_SERVFAIL]));
	by_cause(&w, "by_cause", d[VD_KIND_SERVFAIL]);
	jw_u64(&w, "unanswered", total(d[VD_KIND_UNANSWERED]));
	by_cause(&w, "unanswered_by_cause", d[VD_KIND_UNANSWERED]);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_end(&w);
	return ferror(f) ? -1 : 0;
}

int rp_ndjson_truncated(FILE *f, const rp_input_t *in)
{
	jsonw_t w;
	jw_init(&w, f, 0);
	jw_obj_open(&w, NULL);
	jw_str(&w, "type", "truncated");
	jw_str(&w, "input_error", in->input_error ? in->input_error : "");
	jw_obj_close(&w);
	jw_end(&w);
	return ferror(f) ? -1 : 0;
}

int rp_ndjson(FILE *f, const rp_input_t *in)
{
	/* The verdicts were streamed as they were made; the last record
	 * holds the counts. */
	jsonw_t w;
	jw_init(&w, f, 0);
	jw_obj_open(&w, NULL);
	jw_str(&w, "type", "summary");
	/* Like every record, a time: the capture's last packet (or the
	 * first_ts/last_ts null of an empty capture: none). */
	char t[DB_TIMESTRLEN];
	if (in->cap->packets)
		jw_str(&w, "time", db_time_str(in->cap->last_ts, t));
	jw_str(&w, "tool", "dnsblame");
	jw_str(&w, "version", DNSBLAME_VERSION);
	jw_u64(&w, "schema", RP_SCHEMA);
	capture(&w, in);
	summary(&w, in);
	incidents(&w, in);
	transactions(&w, &in->an->txn);
	events(&w, in);
	limits(&w, in);
	jw_obj_close(&w);
	jw_end(&w);
	return ferror(f) ? -1 : 0;
}

int rp_json(FILE *f, const rp_input_t *in)
{
	jsonw_t w;
	jw_init(&w, f, 1);
	jw_obj_open(&w, NULL);
	jw_str(&w, "tool", "dnsblame");
	jw_str(&w, "version", DNSBLAME_VERSION);
	jw_u64(&w, "schema", RP_SCHEMA);
	capture(&w, in);
	summary(&w, in);
	/* servfails, unanswered, pending: one list per kind. */
	static const char *const lists[VD_NKINDS] = { "servfails", "unanswered", "pending" };
	for (uint8_t k = 0; k < VD_NKINDS; k++) {
		const vdlist_t *r = k == VD_KIND_PENDING ? &in->tally->pending : &in->tally->list;
		jw_arr_open(&w, lists[k]);
		for (size_t i = 0; i < r->n; i++) {
			const verdict_t *v = vdlist_at(r, i);
			if (v && v->kind == k)
				verdict(&w, v, NULL);
		}
		jw_arr_close(&w);
	}
	if (in->audit) {
		jw_obj_open(&w, "dnssec_audit");
		jw_u64(&w, "answers_checked", in->an->audit_checked);
		jw_u64(&w, "signatures_verified", in->an->audit_signatures);
		jw_u64(&w, "bogus", in->an->audit_bogus);
		jw_arr_open(&w, "bogus_examples");
		for (size_t i = 0; i < in->naudit_bad; i++)
			verdict(&w, &in->audit_bad[i], NULL);
		jw_arr_close(&w);
		jw_obj_close(&w);
	}
	incidents(&w, in);
	timeline(&w, in->tally);
	transactions(&w, &in->an->txn);
	events(&w, in);
	limits(&w, in);
	jw_obj_close(&w);
	jw_end(&w);
	return ferror(f) ? -1 : 0;
}
