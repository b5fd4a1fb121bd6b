/*
 * json.c - the JSON report, schema 1 (design.md "JSON report").  Counts
 * in "capture" cover DNS on port 53, one per DNS message.
 */
#include "report.h"
#include "jsonw.h"
#include "../analyze/dns.h"

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
	if (c->packets) {
		jw_str(w, "first_ts", db_time_str(c->first_ts, t));
		jw_str(w, "last_ts", db_time_str(c->last_ts, t));
	} else {
		jw_null(w, "first_ts");
		jw_null(w, "last_ts");
	}
	jw_u64(w, "packets", c->packets);
	jw_u64(w, "truncated_packets", c->truncated_packets);
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
	jw_obj_close(w);
}

int rp_json(FILE *f, const rp_input_t *in)
{
	jsonw_t w;
	jw_init(&w, f, 1);
	jw_obj_open(&w, NULL);
	jw_str(&w, "tool", "dnsblame");
	jw_str(&w, "version", DNSBLAME_VERSION);
	jw_u64(&w, "schema", 1);
	capture(&w, in);
	transactions(&w, &in->an->txn);
	events(&w, in);
	limits(&w, in);
	jw_obj_close(&w);
	jw_end(&w);
	return ferror(f) ? -1 : 0;
}
