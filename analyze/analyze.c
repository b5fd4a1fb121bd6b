/*
 * analyze.c - the event sink: every DNS message is parsed once here and
 * its facts distributed to the counters, the transaction table and the
 * role inference.
 */
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include "../common/wire.h"
#include "attribute.h"
#include "digest.h"
#include "evlog.h"

#define AN_LOSS_KEEP 64
/* Messages between the two stages of the look-ahead (an_ahead). */
#define AN_AHEAD 4
/* Periodic summaries (--interval) of spans with nothing in them made one
 * by one before a longer hole is summed up in one (an_handle). */
#define AN_EMPTY_SPANS 100

/* What an_prepare uses, apart from the an_t the analysis writes: its own
 * parser and the tables' seeds, on lines of their own. */
struct an_prep {
	dns_parser_t parser;
	digest_seeds_t seeds;
} __attribute__((aligned(64)));

struct an {
	dns_parser_t parser;
	struct an_prep *prep; /* its seeds serve this thread's digests too */
	txn_table_t txn;
	roles_t roles;
	evlog_t evlog;
	attr_t attr;
	an_stats_t st;
	db_time_t window;
	db_time_t high;
	db_time_t next_expire;
	int audit;     /* --dnssec-audit */
	int finishing; /* the input has ended: open queries are pending */
	an_verdict_fn on_verdict;
	void *on_verdict_user;
	db_time_t interval, interval_from;
	void (*on_interval)(db_time_t from, db_time_t to, void *user);
	void *on_interval_user;
	verdict_t audit_tmp;
	verdict_t audit_bad[AN_AUDIT_KEEP];
	size_t naudit;
	verdict_t tmp;   /* the verdict being made */
	tally_t tally;   /* every verdict counted; some kept whole */
	vdstash_t stash; /* verdicts made midway, until their window is over */
	/* The live capture's drops, newest last: the span of capture time
	 * in which each batch was lost. */
	struct an_loss {
		db_time_t since, until;
		uint64_t packets;
	} loss[AN_LOSS_KEEP];
	size_t nloss; /* batches recorded (the last AN_LOSS_KEEP kept) */
	/* The look-ahead (an_ahead): the hashes of the last AN_AHEAD
	 * messages it saw, each fetched in two stages. */
	struct an_ahead {
		uint64_t txn, src, dst, name;
		uint8_t dns, want_dst, want_name;
	} ahead[AN_AHEAD];
	unsigned nahead;
};

/* Resolvers time out a server within a second or two (PowerDNS 1.5 s,
 * Unbound's discard-timeout 1.9 s). */
#define AN_SILENT_JUDGE (2 * 1000000LL)
/* A SERVFAIL is judged this long after it was sent, not a window after its
 * query: every attempt made for it happened before it, an ICMP error or a
 * TCP reset follows an attempt within a round trip, and a lost fragment
 * train is reported within 1.1 s of its first fragment (CAP_FRAG_TIMEOUT
 * and the 0.1 s expiry step); the verdict streams (NDJSON, metrics) within
 * two seconds of the SERVFAIL. */
#define AN_SERVFAIL_JUDGE (1200 * 1000LL)

/* A query never answered has all its evidence by this long after it (the
 * resolver gave up, ATTR_GIVE_UP, and the last ICMP error or lost train
 * was reported): its verdict is made then, while the attempts are still
 * in the table, and given when its window is over, if no answer came. */
#define AN_MIDWAY (ATTR_GIVE_UP + AN_SERVFAIL_JUDGE)
/* How long an upstream attempt is kept after its answer: the last verdict
 * that may need it is made AN_MIDWAY after a query asked before that
 * answer. */
#define AN_ATTEMPT_AFTER_ANSWER (AN_MIDWAY + 500000LL)
/* How long an attempt with a plain answer (attr_answer_plain) is kept
 * after it: for the verdicts of the SERVFAILs that follow it within two
 * seconds (a resolver gives up soon after the answers it needed); a
 * verdict made later lists the attempts that failed and those whose
 * answers explain something, not the plain ones. */
#define AN_PLAIN_AFTER_ANSWER (AN_SERVFAIL_JUDGE + 2 * 1000000LL)

/* Attempts made for a query may precede it by this much (a query that
 * joined work in flight, a failure cache's root). */
#define AN_LOSS_BEFORE (2 * 1000000LL)

/* Packets the capture dropped between (the query, less a margin) and the
 * verdict's time: its evidence may be incomplete. */
static uint64_t loss_during(const an_t *a, db_time_t from, db_time_t to)
{
	uint64_t n = 0;
	size_t kept = a->nloss < AN_LOSS_KEEP ? a->nloss : AN_LOSS_KEEP;
	for (size_t i = 0; i < kept; i++) {
		const struct an_loss *l = &a->loss[(a->nloss - 1 - i) % AN_LOSS_KEEP];
		if (l->until < from)
			break;
		if (l->since <= to)
			n += l->packets;
	}
	return n;
}

static void note_loss(an_t *a, const cap_event_t *ev)
{
	a->st.capture_drops += ev->u.drop.packets;
	struct an_loss *l = &a->loss[a->nloss++ % AN_LOSS_KEEP];
	l->since = ev->u.drop.since;
	l->until = ev->ts;
	l->packets = ev->u.drop.packets;
}

/* A client transaction closes: a SERVFAIL, or a query never answered
 * within the window, gets its verdict now, when all the evidence about the
 * attempts made for it is in. */
static void close_txn(an_t *a, const txn_t *t)
{
	if (t->open_question || t->open_zone)
		attr_note_judged(&a->attr, t);
	/* An upstream query, its window over: the server's health. */
	if (t->upstream)
		tally_attempt(&a->tally, &t->key.server, t->e.ts, t->answered,
			      t->answer_ts - t->e.ts, t->icmp_ts != 0);
	int servfail = t->answered && (t->rcode & 0xf) == DNS_R_SERVFAIL;
	/* A SERVFAIL judged early is judged at its due time. */
	db_time_t closes = t->due.at ? t->due.at : t->e.ts + a->window;
	/* Never answered within the window; or, at the end of the input,
	 * unanswered for longer than any resolver keeps trying. */
	int unanswered = !t->answered && (closes <= a->high || a->high - t->e.ts >= ATTR_GIVE_UP);
	/* The audit re-verifies what the resolver validated: with CD=1 the
	 * client asked it not to (RFC 4035 3.2.2), bogus data is its answer. */
	if (a->audit && t->answered && !servfail && !t->cd && attr_is_client_query(&a->attr, t)) {
		uint16_t rc = t->rcode & 0xf;
		if ((rc == DNS_R_NOERROR || rc == DNS_R_NXDOMAIN) && t->answer_ts > t->e.ts) {
			verdict_t *v = &a->audit_tmp;
			if (attr_audit(&a->attr, t, closes, v) && v->dnssec.messages) {
				a->st.audit_checked++;
				a->st.audit_signatures += v->dnssec.verified;
				if (v->dnssec.found) {
					a->st.audit_bogus++;
					if (a->naudit < AN_AUDIT_KEEP)
						a->audit_bad[a->naudit++] = *v;
				}
			}
		}
	}
	/* Still unanswered when the input ended, younger than the window:
	 * its answer may have come after the capture, so it is listed as
	 * pending, judged as far as the evidence goes. */
	int pending = a->finishing && !t->answered && !unanswered;
	if ((!servfail && !unanswered && !pending) || !attr_is_client_query(&a->attr, t))
		return;
	verdict_t *v = &a->tmp;
	const verdict_t *made = !t->answered && t->aside ? vdstash_get(&a->stash, t->aside, v)
							 : NULL;
	/* One older than a resolver keeps trying on a good day reveals a
	 * root failure for the repeats asked after it (judged next); a
	 * younger one changes nothing.  A query never answered was judged
	 * midway (on_midway), when its evidence was complete. */
	if (made) {
		v->time = pending ? a->high : closes;
	} else if (!pending)
		attr_verdict(&a->attr, t, closes, v);
	else if (a->high - t->e.ts >= AN_SILENT_JUDGE)
		attr_verdict(&a->attr, t, a->high, v);
	else
		attr_verdict_tentative(&a->attr, t, a->high, v);
	v->kind = servfail ? VD_KIND_SERVFAIL : pending ? VD_KIND_PENDING : VD_KIND_UNANSWERED;
	v->capture_loss = a->nloss ? loss_during(a, v->query_time - AN_LOSS_BEFORE, v->time) : 0;
	if (v->capture_loss) {
		a->st.verdicts_over_loss++;
		if (v->confidence > VD_LOW)
			v->confidence--;
	}
	a->st.by_cause[v->kind][v->cause]++;
	/* Pending verdicts are listed apart, the first 1,000: they never push
	 * a real one out of the list. */
	tally_add(&a->tally, v);
	if (a->on_verdict)
		a->on_verdict(v, a->on_verdict_user);
}

static void on_close(const txn_t *t, void *user)
{
	an_t *a = user;
	close_txn(a, t);
	vdstash_release(&a->stash, t->aside);
}

/* The transaction the expiry closes next: what close_txn will look up in
 * the tables of the analysis, asked for a step ahead. */
static void on_close_ahead(const txn_t *t, void *user)
{
	an_t *a = user;
	if (t->upstream)
		tally_attempt_ahead(&a->tally, &t->key.server);
	attr_judged_ahead(&a->attr, t);
}

/* A client query still unanswered AN_MIDWAY after it: its verdict now,
 * kept in the stash until its window is over. */
static void on_midway(txn_t *t, db_time_t now, void *user)
{
	an_t *a = user;
	if (!attr_is_client_query(&a->attr, t))
		return;
	verdict_t *v = &a->tmp;
	attr_verdict(&a->attr, t, now, v);
	t->aside = vdstash_put(&a->stash, v);
}

/* The transport event log and the ring of DNSSEC answers serve the open
 * transactions, so they follow --max-transactions, but far below it: most
 * transactions are answered and have no transport event, and few answers
 * carry DNSSEC records.  One event per 8 transactions, 1,024 to 65,536
 * (65,536 with the defaults: some twenty seconds of ICMP errors, TCP
 * handshakes and lost trains of a resolver at 50,000 queries a second);
 * 64 bytes of stored answers per transaction, 256 KiB to 32 MiB (32 MiB
 * with the defaults).  The store never drops below 256 KiB, so any DNS
 * message up to 64 KiB still fits (msgstore_put takes up to a quarter of
 * the ring).  Both are bounds: each starts small and grows only while
 * what it would overwrite may still be read (evlog.h, msgstore.h). */
size_t an_evlog_size(size_t max_transactions)
{
	size_t n = max_transactions / 8;
	return n < 1024 ? 1024 : n > 65536 ? 65536 : n;
}

size_t an_store_size(size_t max_transactions)
{
	size_t min = 256u << 10, max = 32u << 20;
	if (max_transactions > max / 64)
		return max;
	size_t n = max_transactions * 64;
	return n < min ? min : n;
}

an_t *an_new(const an_opts_t *o)
{
	an_t *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	db_limits_t lim = o->limits ? *o->limits : db_limits_default(0);
	db_time_t window = lim.window > 0 ? lim.window : DB_WINDOW_DEFAULT;
	a->window = window;
	a->audit = o->dnssec_audit;
	a->on_verdict = o->on_verdict;
	a->on_verdict_user = o->on_verdict_user;
	a->interval = o->on_interval ? o->interval : 0;
	a->on_interval = o->on_interval;
	a->on_interval_user = o->on_interval_user;
	dns_parser_init(&a->parser);
	size_t maxtxn = lim.max_transactions;
	/* The longest a transaction stays in the table (its window, then the
	 * retention below): the transport events and stored answers younger
	 * than that may still be read. */
	db_time_t keep = window + ATTR_COALESCE;
	if (txn_init(&a->txn, window, maxtxn, on_close, a) < 0 ||
	    roles_init(&a->roles, lim.max_addresses) < 0 ||
	    evlog_init(&a->evlog, an_evlog_size(maxtxn), window, keep) < 0 ||
	    attr_init(&a->attr, &a->txn, &a->roles, &a->evlog, an_store_size(maxtxn), keep) < 0 ||
	    tally_init(&a->tally, lim.max_verdicts) < 0 || vdstash_init(&a->stash) < 0) {
		an_free(a);
		return NULL;
	}
	txn_set_retention(&a->txn, ATTR_COALESCE);
	txn_set_close_ahead(&a->txn, on_close_ahead);
	/* Upstream attempts leave the table once no verdict can need them;
	 * verdicts of queries never answered are made midway for that. */
	if (window > AN_MIDWAY) {
		txn_set_attempt_life(&a->txn, AN_ATTEMPT_AFTER_ANSWER, AN_PLAIN_AFTER_ANSWER);
		txn_set_midway(&a->txn, AN_MIDWAY, on_midway);
	}
	/* Best effort: a table that could not reserve allocates as it goes. */
	if (o->reserve) {
		(void)tbl_reserve(&a->txn.tbl);
		(void)tbl_reserve(&a->txn.names);
		(void)tbl_reserve(&a->roles.tbl);
		(void)tbl_reserve(&a->evlog.servers);
		(void)tbl_reserve(&a->tally.groups);
		(void)tbl_reserve(&a->tally.servers);
		(void)model_reserve(a->attr.model);
		(void)openq_reserve(&a->attr.open);
		(void)evlog_reserve(&a->evlog);
		(void)msgstore_reserve(&a->attr.store);
	}
	if (!(a->prep = aligned_alloc(64, sizeof(*a->prep)))) {
		an_free(a);
		return NULL;
	}
	dns_parser_init(&a->prep->parser);
	a->prep->seeds.txn = txn_seed(&a->txn);
	a->prep->seeds.roles = roles_seed(&a->roles);
	for (size_t i = 0; i < o->nresolvers; i++)
		roles_force(&a->roles, &o->resolvers[i]);
	return a;
}

void an_free(an_t *a)
{
	if (!a)
		return;
	dns_parser_free(&a->parser);
	if (a->prep) {
		dns_parser_free(&a->prep->parser);
		free(a->prep);
	}
	txn_free(&a->txn);
	roles_free(&a->roles);
	evlog_free(&a->evlog);
	attr_free(&a->attr);
	tally_free(&a->tally);
	vdstash_free(&a->stash);
	free(a);
}

/* g: the message's digest, made on the capture's thread (an_prepare), or
 * NULL: then made here. */
static void on_dns(an_t *a, const cap_event_t *ev, const digest_t *g)
{
	an_stats_t *st = &a->st;
	const cap_dns_t *d = &ev->u.dns;
	st->dns_messages++;
	if (ev->flow.proto == DB_PROTO_TCP)
		st->tcp_dns_messages++;
	if (d->len < d->wire_len)
		st->cut_messages++;
	dns_msg_t m;
	digest_t own;
	/* m is the full parse (records included), or made from the digest
	 * (digest_msg) until the records are needed. */
	int full = 0;
	if (!g) {
		digest_make(&own, &m, &a->parser, ev, &a->prep->seeds);
		g = &own;
		full = 1;
	}
	if (g->stage < DNS_STAGE_HEADER) {
		/* Fewer than 12 bytes (snaplen, a broken sender): with the id
		 * and flags still there the message is counted as what it is,
		 * below that it cannot be told from noise. */
		if (d->len < 4) {
			st->dns_messages--;
			st->unreadable++;
			return;
		}
		if (d->len == d->wire_len)
			st->malformed++;
		wire_t w;
		wire_init(&w, d->msg, d->len);
		wire_skip(&w, 2); /* id */
		uint16_t flags = wire_u16(&w);
		if (flags & 0x8000) {
			st->dns_responses++;
			st->rcodes[flags & 0x0f]++;
		} else {
			st->dns_queries++;
		}
		return;
	}
	/* A message the capture cut short is counted as cut, not as
	 * malformed: its sender did nothing wrong. */
	if (g->status != DB_OK && d->len == d->wire_len)
		st->malformed++;
	if (!full && !digest_msg(g, d, &m)) {
		dns_parse(&a->parser, d->msg, d->len, &m);
		full = 1;
	}
	const role_t *receiver;
	const role_t *sender = roles_message_hashed(&a->roles, &ev->flow.src, g->src_hash,
						    &ev->flow.dst, g->dst_hash, m.qr, m.rd, m.ra,
						    &receiver);
	if (!m.qr) {
		st->dns_queries++;
		if (m.stage >= DNS_STAGE_QUESTION && m.qdcount > 0) {
			txn_t *t = txn_query_hashed(&a->txn, ev->ts, &ev->flow, &m, g->txn_hash,
						    g->suffix[0]);
			if (t) {
				attr_note_query(&a->attr, &a->txn, t, sender, receiver, g->suffix,
						g->nsuffix);
				if (t->upstream && !attr_is_client_query(&a->attr, t))
					txn_keep_short(&a->txn, t);
			}
		}
		return;
	}
	st->dns_responses++;
	st->rcodes[m.rcode & (AN_RCODES - 1)]++;
	if (m.edns.n_ede)
		st->ede_responses++;
	int first;
	txn_t *t = txn_response_hashed(&a->txn, ev->ts, &ev->flow, &m, g->txn_hash, &first);
	if (t && first) {
		/* Most answers close their query below, after the work on the
		 * answer: what closing it reads of the open queries, asked now. */
		attr_judged_ahead(&a->attr, t);
		/* An upstream answer teaches the model from its records. */
		if (t->upstream && !full) {
			dns_parse(&a->parser, d->msg, d->len, &m);
			full = 1;
		}
		/* The digest's summary is for the question the answer repeats,
		 * which is t's; an answer without one is summed up for t's. */
		dns_sum_t sum = g->sum;
		if (m.stage < DNS_STAGE_QUESTION || !m.qdcount)
			dns_summarize(&m, t->qtype, &sum);
		attr_note_answer(&a->attr, t, &m, &sum);
		/* The audit re-verifies a client's answer at the end of its
		 * window with every answer still held: it keeps them all. */
		if (t->short_life == TXN_LIFE_SHORT && !a->audit && attr_answer_plain(&a->attr, t))
			txn_keep_brief(&a->txn, t);
		/* A transaction that is nobody's evidence (not an upstream
		 * attempt, not in the name index) leaves the table as soon as
		 * it is done: a SERVFAIL once judged, any other answer now (the
		 * audit re-verifies answers when their window is over). */
		int evidence = t->upstream || t->named;
		if ((m.rcode & 0xf) == DNS_R_SERVFAIL) {
			if (attr_is_client_query(&a->attr, t))
				txn_judge_at(&a->txn, t, ev->ts + AN_SERVFAIL_JUDGE, !evidence);
		} else if (!evidence && !a->audit) {
			txn_close(&a->txn, t);
		}
	}
}

static void on_tcp(an_t *a, const cap_event_t *ev)
{
	switch (ev->u.tcp.kind) {
	case CAP_TCP_SYN: a->st.tcp_syn++; break;
	case CAP_TCP_SYNACK: a->st.tcp_synack++; break;
	case CAP_TCP_RST: a->st.tcp_rst++; break;
	case CAP_TCP_FIN: a->st.tcp_fin++; break;
	case CAP_TCP_SYN_UNANSWERED: a->st.tcp_syn_unanswered++; break;
	default: break;
	}
}

/* The lookups a DNS message will make first, fetched before it comes:
 * its transaction and its sender's and receiver's roles.  The tables are
 * far larger than the caches, and each lookup otherwise waits for memory
 * two or three times in a row (tag, slot, entry).  Stage 0 asks for the
 * tags and slots; AN_AHEAD messages later, when they have arrived, stage 1
 * asks for the entries they point to.  Hints only: an_event finds the
 * same whether they came or not. */
void an_ahead(const cap_event_t *ev, const void *prep, void *user)
{
	an_t *a = user;
	struct an_ahead *x = &a->ahead[a->nahead++ % AN_AHEAD];
	if (x->dns) {
		txn_prefetch(&a->txn, x->txn, 1);
		roles_prefetch(&a->roles, x->src, 1);
		if (x->want_dst)
			roles_prefetch(&a->roles, x->dst, 1);
		if (x->want_name)
			txn_name_prefetch(&a->txn, x->name, 1);
	}
	x->dns = ev->kind == CAP_EV_DNS && ev->u.dns.len >= 4;
	if (!x->dns)
		return;
	const uint8_t *m = ev->u.dns.msg;
	int query = !(m[2] & 0x80);
	const digest_t *g = prep;
	if (g && g->stage >= DNS_STAGE_HEADER) {
		x->txn = g->txn_hash;
		x->src = g->src_hash;
		x->dst = g->dst_hash;
	} else {
		x->txn = txn_flow_hash(&a->txn, &ev->flow, query, (uint16_t)(m[0] << 8 | m[1]));
		x->src = roles_hash(&a->roles, &ev->flow.src);
		x->dst = roles_hash(&a->roles, &ev->flow.dst);
	}
	x->want_dst = query;
	/* A query with its question: an iterative one (an upstream attempt)
	 * joins its name's head in the name index; a recursive one walks to
	 * its zone cut. */
	int asks = query && g && g->stage >= DNS_STAGE_QUESTION && g->nsuffix;
	x->want_name = asks && !(g->flags & DNS_FLAG_RD);
	if (x->want_name)
		x->name = txn_name_hash(&a->txn, g->suffix[0]);
	txn_prefetch(&a->txn, x->txn, 0);
	roles_prefetch(&a->roles, x->src, 0);
	if (query)
		roles_prefetch(&a->roles, x->dst, 0);
	if (x->want_name)
		txn_name_prefetch(&a->txn, x->name, 0);
	if (asks && (g->flags & DNS_FLAG_RD))
		model_zone_ahead(a->attr.model, g->qname_labels, g->suffix, g->nsuffix);
}

size_t an_prep_size(void) { return sizeof(digest_t); }

void *an_preparer(an_t *a) { return a->prep; }

void an_prepare(const cap_event_t *ev, void *out, void *preparer)
{
	struct an_prep *p = preparer;
	dns_msg_t m;
	digest_make(out, &m, &p->parser, ev, &p->seeds);
}

void an_event(const cap_event_t *ev, void *user) { an_handle(ev, NULL, user); }

void an_handle(const cap_event_t *ev, const void *prep, void *user)
{
	an_t *a = user;
	if (ev->ts > a->high)
		a->high = ev->ts;
	/* Logged before the expiry it may trigger: a lost fragment train
	 * reported at the moment a query's window closes is its evidence. */
	if (attr_event_useful(&a->attr, ev))
		evlog_add(&a->evlog, ev);
	/* Evidence tied to one attempt by its DNS id is attached before the
	 * expiry too: a lost train is reported when the packet that follows
	 * it arrives, perhaps the one that closes the query's window. */
	if (ev->kind == CAP_EV_ICMP)
		attr_note_icmp(&a->attr, &a->txn, ev);
	else if (ev->kind == CAP_EV_FRAG_EXPIRED)
		attr_note_frag(&a->attr, &a->txn, ev);
	if (a->high >= a->next_expire) {
		txn_expire(&a->txn, a->high);
		attr_expire(&a->attr, a->high, a->window);
		a->next_expire = a->high + 100000;
	}
	if (a->interval) {
		if (!a->interval_from)
			a->interval_from = a->high;
		/* The verdicts due by now are made (above) before the span that
		 * holds them is summed up.  Spans with nothing in them follow
		 * one by one, up to AN_EMPTY_SPANS; a longer hole in the capture
		 * (hours, or the years between two captures merged in one
		 * file) is summed up in one record, not in one per span. */
		for (int n = 0; a->high >= a->interval_from + a->interval; n++) {
			db_time_t to = a->interval_from + a->interval;
			if (n == AN_EMPTY_SPANS)
				to += (a->high - to) / a->interval * a->interval;
			a->on_interval(a->interval_from, to, a->on_interval_user);
			a->interval_from = to;
		}
	}
	switch (ev->kind) {
	case CAP_EV_DNS: on_dns(a, ev, prep); break;
	case CAP_EV_ICMP: a->st.icmp_errors++; break;
	case CAP_EV_TCP: on_tcp(a, ev); break;
	case CAP_EV_FRAG_EXPIRED: a->st.frag_trains_lost++; break;
	case CAP_EV_STREAM_LOSS: a->st.tcp_stream_losses++; break;
	case CAP_EV_CAPTURE_LOSS: note_loss(a, ev); break;
	default: break;
	}
}

void an_finish(an_t *a)
{
	a->finishing = 1;
	txn_flush(&a->txn, a->high);
	tally_here(&a->tally);
}

int an_tally_apart(an_t *a) { return tally_apart(&a->tally); }

const an_stats_t *an_stats(an_t *a)
{
	a->st.txn = a->txn.st;
	a->st.events_lost = a->evlog.lost;
	a->st.addresses_evicted = a->roles.evicted;
	const model_stats_t *m = model_stats(a->attr.model);
	a->st.model_cuts_evicted = m->cuts_evicted;
	a->st.model_cnames_evicted = m->cnames_evicted;
	a->st.model_names_evicted = m->names_evicted;
	a->st.model_roots_evicted = m->roots_evicted;
	a->st.model_keys_evicted = m->keys_evicted;
	a->st.model_breaks_evicted = m->dnssec_evicted;
	a->st.event_servers_evicted = a->evlog.servers_evicted;
	tally_list_dropped(&a->tally, &a->st.verdicts_dropped, &a->st.pending_dropped);
	return &a->st;
}

const roles_t *an_roles(const an_t *a) { return &a->roles; }

const verdict_t *an_audit_failures(const an_t *a, size_t *n)
{
	*n = a->naudit;
	return a->audit_bad;
}

const tally_t *an_tally(const an_t *a) { return &a->tally; }
