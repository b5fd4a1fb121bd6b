/*
 * attribute.c - from a failed client query to its cause.
 *
 * 1. Related work.  The resolver's upstream attempts carry new ids, ports
 *    and often other names.  An attempt is related to the client's query
 *    when it was sent by the resolver host (an address that queries
 *    onward) between the client's query — or up to ATTR_COALESCE earlier if
 *    still in flight then, since one resolution may serve several clients —
 *    and the failure, and its name is the query name, one of its ancestors
 *    (QNAME minimisation, DS and DNSKEY of the chain), or a name the related
 *    answers pointed to (CNAME targets, NS names of referrals), grown to a
 *    fixed point.  Handshakes that failed towards the same servers count too.
 * 2. Outcomes.  Each attempt is judged as the resolver saw it when it gave
 *    up: answered (usable or error, TC), quoted by an ICMP error, its
 *    answer's fragments lost, or nothing.
 * 3. Cause.  The attempt that failed last took away the last chance of a
 *    usable answer, so its outcome names the cause; a TCP failure after a
 *    TC=1 answer from the same server is truncation.  With no failing
 *    attempt, intact answers with DNSSEC records point to validation.  With
 *    no attempt at all, an earlier failure of the same name or zone is the
 *    failure cache at work.  The resolver's EDE is reported and checked
 *    against the packets; disagreement lowers the confidence.
 */
#include "attribute.h"

#include "dnssec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTR_MAX_CAND 4096
#define ATTR_MAX_REL 512
#define ATTR_MAX_TCP 64
#define ATTR_MIN_TIMEOUT (250 * 1000LL)
/* Transactions looked at per verdict, around the client's: on a resolver
 * with heavy traffic this bounds the work per failure (the evidence then
 * covers the busiest seconds only, and n_up_total says how much was seen). */
#define ATTR_MAX_VISIT 65536
#define ATTR_MAX_VISIT_BACK 8192 /* looking back for work in flight */

typedef struct cut {
	tbl_entry_t e;
	uint64_t key;
	dns_name_t name;
	uint8_t n_ns;
	uint64_t ns[TXN_NS]; /* the NS names the delegation gave */
} cut_t;

typedef struct fail fail_t;

typedef struct broken {
	tbl_entry_t e;
	uint64_t key;        /* zone hash */
	db_time_t time;
	chain_result_t r;
} broken_t;

struct fail {
	tbl_entry_t e;
	uint64_t key;
	db_time_t time;
	uint8_t cause;
	const char *detail;
	dns_name_t qname;
	uint16_t qtype;
};

typedef struct attempt {
	const txn_t *x;          /* NULL for a handshake that failed */
	db_time_t ts;
	db_addr_t server;
	uint8_t transport;
	uint8_t outcome;
	uint8_t icmp_version, icmp_type, icmp_code;
} attempt_t;

typedef struct walk {
	const txn_t *cand[ATTR_MAX_CAND];
	uint8_t rel[ATTR_MAX_CAND];
	size_t n;
	uint64_t set[ATTR_MAX_REL];
	size_t nset;
	uint64_t ns[ATTR_MAX_REL]; /* NS names learned from related referrals */
	size_t nns;
	attempt_t at[ATTR_MAX_CAND + ATTR_MAX_TCP];
	size_t nat;
} walk_t;

int attr_init(attr_t *a, const txn_table_t *txn, const roles_t *roles, const evlog_t *ev,
	      size_t store_bytes)
{
	memset(a, 0, sizeof(*a));
	a->txn = txn;
	a->roles = roles;
	a->ev = ev;
	if (tbl_init(&a->cuts, sizeof(cut_t), offsetof(cut_t, key), sizeof(uint64_t), 65536) < 0)
		return -1;
	a->scratch = calloc(1, sizeof(walk_t));
	a->chain = chain_new();
	if (tbl_init(&a->broken, sizeof(broken_t), offsetof(broken_t, key), sizeof(uint64_t), 4096) < 0) {
		free(a->scratch);
		chain_free(a->chain);
		tbl_free(&a->cuts);
		return -1;
	}
	if (!a->scratch || !a->chain || msgstore_init(&a->store, store_bytes) < 0 ||
	    tbl_init(&a->fails, sizeof(fail_t), offsetof(fail_t, key), sizeof(uint64_t), 65536) < 0) {
		free(a->scratch);
		chain_free(a->chain);
		msgstore_free(&a->store);
		tbl_free(&a->cuts);
		tbl_free(&a->broken);
		return -1;
	}
	return 0;
}

void attr_free(attr_t *a)
{
	tbl_free(&a->cuts);
	tbl_free(&a->fails);
	free(a->scratch);
	chain_free(a->chain);
	msgstore_free(&a->store);
	tbl_free(&a->broken);
}

/* A zone whose chain was proven broken: later failures below it, whose own
 * related traffic no longer carries the keys (the resolver cached them),
 * reuse the proof. */
static void broken_put(attr_t *a, const chain_result_t *r, db_time_t now)
{
	uint64_t k = dns_name_hash(&r->zone), h = tbl_hash(&a->broken, &k);
	broken_t *b = tbl_find(&a->broken, &k, h);
	if (!b && !(b = tbl_insert_lru(&a->broken, &k, h, now, NULL)))
		return;
	b->time = now;
	b->r = *r;
}

static const broken_t *broken_get(attr_t *a, const dns_name_t *name, db_time_t now)
{
	uint64_t h[130];
	size_t n = dns_name_suffix_hashes(name, h, 130);
	for (size_t i = 0; i < n; i++) {
		const broken_t *b = tbl_find(&a->broken, &h[i], tbl_hash(&a->broken, &h[i]));
		if (b && b->time <= now && now - b->time <= ATTR_FAILURE_MEMORY)
			return b;
	}
	return NULL;
}

static cut_t *learn_cut(attr_t *a, const dns_name_t *owner, uint64_t h)
{
	cut_t *c = tbl_find(&a->cuts, &h, tbl_hash(&a->cuts, &h));
	if (c)
		return c;
	c = tbl_insert_lru(&a->cuts, &h, tbl_hash(&a->cuts, &h), 0, NULL);
	if (c) {
		c->name = *owner;
		dns_name_lower(&c->name);
	}
	return c;
}

/* A name the answer points to, and its ancestors down to two labels: the
 * resolver may ask for those too (QNAME minimisation, DS, DNSKEY), while
 * TLD and root queries serve every resolution and prove nothing. */
static void learn_name(txn_t *t, const dns_name_t *n)
{
	uint64_t h[130];
	size_t k = dns_name_suffix_hashes(n, h, 130);
	size_t keep = n->labels >= 2 ? (size_t)n->labels - 1 : 1;
	for (size_t i = 0; i < k && i < keep && t->n_learned < TXN_LEARNED; i++) {
		int dup = 0;
		for (uint8_t j = 0; j < t->n_learned && !dup; j++)
			dup = t->learned[j] == h[i];
		if (!dup)
			t->learned[t->n_learned++] = h[i];
	}
}

void attr_note_answer(attr_t *a, txn_t *t, const dns_msg_t *m)
{
	t->tc = m->tc;
	t->aa = m->aa;
	t->n_ede = 0;
	for (size_t i = 0; i < m->edns.n_ede && t->n_ede < TXN_EDE; i++) {
		const dns_ede_t *e = &m->edns.ede[i];
		size_t n = e->text_len < TXN_EDE_TEXT - 1 ? e->text_len : TXN_EDE_TEXT - 1;
		t->ede_code[t->n_ede] = e->code;
		if (n && !t->ede_text)
			t->ede_text = calloc(TXN_EDE, TXN_EDE_TEXT);
		if (t->ede_text) {
			if (n)
				memcpy(t->ede_text[t->n_ede], e->text, n);
			t->ede_text[t->n_ede][n] = 0;
		}
		t->n_ede++;
	}
	if (m->stage < DNS_STAGE_FULL)
		return;
	/* Keep the bytes of upstream answers a DNSSEC check may need: those
	 * with DNSSEC records, and authoritative ones (an unsigned answer from
	 * a zone that should be signed is evidence too). */
	if (t->upstream) {
		int keep = m->aa;
		for (size_t i = 0; i < m->nrr && !keep; i++) {
			uint16_t ty = m->rr[i].type;
			keep = m->rr[i].section != DNS_SEC_ADDITIONAL &&
			       (ty == DNS_T_RRSIG || ty == DNS_T_DNSKEY || ty == DNS_T_DS);
		}
		if (keep) {
			t->msg_ref = msgstore_put(&a->store, m->wire, (uint32_t)m->len);
			t->msg_len = t->msg_ref ? (uint32_t)m->len : 0;
		}
	}
	int ns_auth = 0;
	const dns_rr_t *ns_owner = NULL;
	for (size_t i = 0; i < m->nrr; i++) {
		const dns_rr_t *rr = &m->rr[i];
		if (rr->type == DNS_T_RRSIG)
			t->rrsig = 1;
		if (rr->section == DNS_SEC_ANSWER) {
			if (rr->type == t->qtype || rr->type == DNS_T_CNAME || t->qtype == DNS_T_ANY)
				t->has_answer = 1;
			dns_name_t target;
			if (rr->type == DNS_T_CNAME && dns_rr_target(m, rr, &target) == DB_OK)
				learn_name(t, &target);
		} else if (rr->section == DNS_SEC_AUTHORITY && rr->type == DNS_T_NS) {
			ns_auth = 1;
			ns_owner = rr;
		}
	}
	/* A referral (RFC 1034 4.3.2): no answer, not authoritative, NS
	 * records of a zone below the one asked. */
	if ((m->rcode & 0xf) == DNS_R_NOERROR && !m->aa && !t->has_answer && ns_auth) {
		t->referral = 1;
		t->cut = dns_name_hash(&ns_owner->owner);
		cut_t *cut = learn_cut(a, &ns_owner->owner, t->cut);
		for (size_t i = 0; i < m->nrr && t->n_learned < TXN_LEARNED; i++) {
			const dns_rr_t *rr = &m->rr[i];
			dns_name_t target;
			if (rr->section == DNS_SEC_AUTHORITY && rr->type == DNS_T_NS &&
			    dns_rr_target(m, rr, &target) == DB_OK) {
				learn_name(t, &target);
				uint64_t nh = dns_name_hash(&target);
				if (t->n_ns < TXN_NS)
					t->ns[t->n_ns++] = nh;
				if (cut) {
					int dup = 0;
					for (uint8_t k = 0; k < cut->n_ns && !dup; k++)
						dup = cut->ns[k] == nh;
					if (!dup && cut->n_ns < TXN_NS)
						cut->ns[cut->n_ns++] = nh;
				}
			}
		}
	}
}

int attr_is_client_query(attr_t *a, const txn_t *t)
{
	if (!t->rd)
		return 0;
	if (!roles_is_resolver(a->roles, &t->key.server))
		return 0;
	return !db_addr_eq(&t->key.client, &t->key.server);
}

void attr_note_query(attr_t *a, txn_table_t *tt, txn_t *t)
{
	/* Called for every query: one lookup. */
	const role_t *r = roles_find(a->roles, &t->key.client);
	t->upstream = r && (r->iter_queries_out > 0 || roles_entry_is_resolver(a->roles, r));
	if (t->upstream || (r && r->rd_queries_in > 0))
		txn_relay(tt, t);
}

int attr_event_useful(attr_t *a, const cap_event_t *ev)
{
	const db_flow_t *f = &ev->flow;
	if (ev->kind == CAP_EV_ICMP) {
		if (!ev->u.icmp.quoted_l4)
			return 1;
		f = &ev->u.icmp.quoted;
	} else if (ev->kind == CAP_EV_FRAG_EXPIRED && !ev->u.frag.have_first) {
		return 1;
	} else if (ev->kind != CAP_EV_TCP && ev->kind != CAP_EV_STREAM_LOSS &&
		   ev->kind != CAP_EV_FRAG_EXPIRED) {
		return 1;
	}
	/* The end on port 53 serves; the other end asks. */
	const db_addr_t *asker;
	if (f->dport == 53 && f->sport != 53)
		asker = &f->src;
	else if (f->sport == 53 && f->dport != 53)
		asker = &f->dst;
	else
		return 1;
	/* The asker of an upstream attempt is a resolver's upstream side,
	 * known from the queries it sent (a resolver forwarding to another
	 * one also receives queries itself). */
	const role_t *r = roles_find(a->roles, asker);
	return r && (r->iter_queries_out > 0 || r->rd_queries_in > 0 ||
		     roles_entry_is_resolver(a->roles, r));
}

/* Sent by the resolver host's upstream side (decided when the query was
 * seen, so the walk does no lookups), not by this client, not to this
 * resolver. */
static int upstream_sender(const txn_t *x, const txn_t *client)
{
	if (db_addr_eq(&x->key.client, &client->key.server))
		return 1;
	return x->upstream && !db_addr_eq(&x->key.client, &client->key.client) &&
	       !db_addr_eq(&x->key.server, &client->key.server);
}

/* ---- EDE ---------------------------------------------------------------- */

typedef struct ede_map {
	uint8_t cause;
	const char *detail;
} ede_map_t;

/* RFC 8914 4 and the IANA registry. */
static int ede_cause(uint16_t code, ede_map_t *out)
{
	switch (code) {
	case 1: *out = (ede_map_t){VD_DNSSEC, "unsupported_algorithm"}; return 1;
	case 2: *out = (ede_map_t){VD_DNSSEC, "unsupported_digest"}; return 1;
	case 6: *out = (ede_map_t){VD_DNSSEC, "bogus"}; return 1;
	case 7: *out = (ede_map_t){VD_DNSSEC, "signature_expired"}; return 1;
	case 8: *out = (ede_map_t){VD_DNSSEC, "signature_not_yet_valid"}; return 1;
	case 9: *out = (ede_map_t){VD_DNSSEC, "dnskey_missing"}; return 1;
	case 10: *out = (ede_map_t){VD_DNSSEC, "rrsig_missing"}; return 1;
	case 11: *out = (ede_map_t){VD_DNSSEC, "no_zone_key_bit"}; return 1;
	case 12: *out = (ede_map_t){VD_DNSSEC, "nsec_missing"}; return 1;
	case 13: *out = (ede_map_t){VD_NO_UPSTREAM, "cached_failure"}; return 1;
	case 15: case 16: case 17: case 18:
		*out = (ede_map_t){VD_NO_UPSTREAM, "policy"}; return 1;
	case 20: *out = (ede_map_t){VD_UPSTREAM_ERROR, "lame_delegation"}; return 1;
	case 21: *out = (ede_map_t){VD_UPSTREAM_ERROR, "notimp"}; return 1;
	case 22: *out = (ede_map_t){VD_TIMEOUT, "no_reachable_authority"}; return 1;
	case 23: *out = (ede_map_t){VD_BLOCKED_PORT, "network_error"}; return 1;
	default: return 0;
	}
}

/* ---- the walk ----------------------------------------------------------- */


static int in_set(const walk_t *w, uint64_t h)
{
	for (size_t i = 0; i < w->nset; i++)
		if (w->set[i] == h)
			return 1;
	return 0;
}

static void add_set(walk_t *w, uint64_t h)
{
	if (w->nset < ATTR_MAX_REL && !in_set(w, h))
		w->set[w->nset++] = h;
}

static uint64_t fail_key(uint64_t qhash, uint16_t qtype);
static const struct fail *recent_failure(attr_t *a, uint64_t key, db_time_t before);
static int zone_of(attr_t *a, const dns_name_t *name, dns_name_t *out);

/* The next transaction of a walk (fwd: newer), or NULL: along the age
 * list until a member of the relay list, then along the relay list, which
 * holds every query a resolver's side sent (attr_note_query), in the same
 * order.  What it skips are queries from hosts that were no resolver. */
static const txn_t *walk_step(const txn_t *x, int fwd)
{
	if (x->relay)
		return fwd ? x->relay_newer : x->relay_older;
	return (const txn_t *)(fwd ? x->e.newer : x->e.older);
}

/* The oldest member of the relay list first queried at or after ts, found
 * from the newest end (for a forward walk whose scan of the age list ran
 * out of visits before meeting the relay list). */
static const txn_t *relay_since(const txn_table_t *tt, db_time_t ts)
{
	const txn_t *x = tt->relay_newest;
	if (!x || x->e.ts < ts)
		return NULL;
	for (size_t visits = 0; x->relay_older && x->relay_older->e.ts >= ts &&
	     visits < ATTR_MAX_VISIT; visits++)
		x = x->relay_older;
	return x;
}

/* x is a candidate attempt for t when upstream_sender says so. */
static void consider(walk_t *w, const txn_t *t, const txn_t *x)
{
	if (upstream_sender(x, t) && w->n < ATTR_MAX_CAND)
		w->cand[w->n++] = x;
}

static void reverse_cand(walk_t *w)
{
	for (size_t i = 0; i < w->n / 2; i++) {
		const txn_t *tmp = w->cand[i];
		w->cand[i] = w->cand[w->n - 1 - i];
		w->cand[w->n - 1 - i] = tmp;
	}
}

static void related(const txn_table_t *tt, const txn_t *t, db_time_t T, int concluded, walk_t *w)
{
	db_time_t t0 = t->e.ts;
	uint64_t anc[130];
	size_t na = dns_name_suffix_hashes(&t->qname, anc, 130);
	for (size_t i = 0; i < na; i++)
		add_set(w, anc[i]);

	/* The table's age list is in first-query order: from the client's own
	 * transaction walk forward to the moment the resolver gave up, and
	 * back over work still in flight when the client asked — unless that
	 * work belongs to a resolution that had already failed (then this
	 * query was answered from the failure, not joined to the work).
	 * Both walks leave the age list for the relay list at its first
	 * member (walk_step), so client traffic does not use up the visits;
	 * should the scan forward run out of visits before meeting the relay
	 * list, the walk joins it where the scan stopped. */
	size_t visits = 0;
	const txn_t *f = walk_step(t, 1);
	for (; f && f->e.ts <= T && !f->relay && visits < ATTR_MAX_VISIT; f = walk_step(f, 1), visits++)
		consider(w, t, f);
	if (f && f->e.ts <= T && !f->relay)
		f = relay_since(tt, f->e.ts);
	/* From here on f is on the relay list, and so is every next step. */
	for (visits = 0; f && f->e.ts <= T && visits < ATTR_MAX_VISIT; f = walk_step(f, 1), visits++)
		consider(w, t, f);
	/* Reverse what we have so far, append older ones, reverse again. */
	reverse_cand(w);
	visits = 0;
	for (const txn_t *x = walk_step(t, 0); x && !concluded && visits < ATTR_MAX_VISIT_BACK;
	     x = walk_step(x, 0), visits++) {
		if (x->e.ts < t0 - ATTR_COALESCE)
			break;
		if (x->answered && x->answer_ts < t0)
			continue; /* finished before the client asked */
		consider(w, t, x);
	}
	/* Oldest first, then grow the name set to a fixed point. */
	reverse_cand(w);
	for (int pass = 0, changed = 1; changed && pass < 4; pass++) {
		changed = 0;
		for (size_t i = 0; i < w->n; i++) {
			const txn_t *x = w->cand[i];
			if (w->rel[i] || !in_set(w, x->qhash))
				continue;
			w->rel[i] = 1;
			changed = 1;
			if (x->answered && x->answer_ts <= T) {
				for (uint8_t k = 0; k < x->n_learned; k++)
					add_set(w, x->learned[k]);
				for (uint8_t k = 0; k < x->n_ns && w->nns < ATTR_MAX_REL; k++)
					w->ns[w->nns++] = x->ns[k];
			}
		}
	}
}

static int icmp_quotes(const evrec_t *r, const txn_t *x)
{
	return r->flow.proto == x->key.transport && r->flow.sport == x->key.cport &&
	       r->flow.dport == x->key.sport && db_addr_eq(&r->flow.src, &x->key.client) &&
	       db_addr_eq(&r->flow.dst, &x->key.server) && (!r->has_qid || r->qid == x->key.id);
}

static uint8_t judge(const txn_t *x, db_time_t T)
{
	if (x->answered && x->answer_ts <= T) {
		if (x->tc)
			return VD_OUT_TRUNCATED;
		switch (x->rcode & 0xf) {
		case DNS_R_NOERROR:
		case DNS_R_NXDOMAIN:
			return VD_OUT_ANSWERED;
		default:
			return VD_OUT_ERROR;
		}
	}
	/* No resolver times a query out this fast (Unbound starts at 376 ms,
	 * BIND and PowerDNS higher): one still open when the resolver gave
	 * up was abandoned, not timed out. */
	if (T - x->last_query < ATTR_MIN_TIMEOUT)
		return VD_OUT_PENDING;
	return x->key.transport == DB_PROTO_TCP ? VD_OUT_TCP_TIMEOUT : VD_OUT_TIMEOUT;
}

static int server_known(const walk_t *w, const db_addr_t *s)
{
	for (size_t i = 0; i < w->nat; i++)
		if (w->at[i].x && db_addr_eq(&w->at[i].server, s))
			return 1;
	return 0;
}

/* Outcomes of the related attempts, then the failed handshakes. */
static void outcomes(attr_t *a, const txn_t *t, db_time_t T, walk_t *w)
{
	for (size_t i = 0; i < w->n; i++) {
		if (!w->rel[i])
			continue;
		const txn_t *x = w->cand[i];
		attempt_t *at = &w->at[w->nat++];
		memset(at, 0, sizeof(*at));
		at->x = x;
		at->ts = x->e.ts;
		at->server = x->key.server;
		at->transport = x->key.transport;
		at->outcome = judge(x, T);
	}
	db_time_t from = t->e.ts - ATTR_COALESCE;
	const evrec_t *tcp[ATTR_MAX_TCP], *icmp[ATTR_MAX_TCP];
	size_t ntcp = 0, nicmp = 0;
	for (size_t k = 0;; k++) {
		const evrec_t *r = evlog_back(a->ev, k);
		if (!r || r->ts < from)
			break;
		if (r->kind == CAP_EV_ICMP) {
			if (r->ts > T + 1000000)
				continue;
			if (nicmp < ATTR_MAX_TCP)
				icmp[nicmp++] = r;
			for (size_t i = 0; i < w->nat; i++) {
				attempt_t *at = &w->at[i];
				if (at->x && (at->outcome == VD_OUT_TIMEOUT || at->outcome == VD_OUT_TCP_TIMEOUT ||
					      at->outcome == VD_OUT_PENDING || at->outcome == VD_OUT_ICMP) &&
				    icmp_quotes(r, at->x)) {
					at->outcome = VD_OUT_ICMP;
					at->icmp_version = r->icmp_version;
					at->icmp_type = r->icmp_type;
					at->icmp_code = r->icmp_code;
				}
			}
		} else if (r->kind == CAP_EV_FRAG_EXPIRED) {
			/* An answer in fragments: server -> resolver side. */
			for (size_t i = 0; i < w->nat; i++) {
				attempt_t *at = &w->at[i];
				if (!at->x || (at->outcome != VD_OUT_TIMEOUT && at->outcome != VD_OUT_PENDING) ||
				    !db_addr_eq(&r->flow.src, &at->x->key.server) ||
				    !db_addr_eq(&r->flow.dst, &at->x->key.client))
					continue;
				if (r->have_first && (r->flow.dport != at->x->key.cport ||
						      r->flow.proto != at->x->key.transport))
					continue;
				at->outcome = VD_OUT_FRAG_LOSS;
			}
		} else if (r->kind == CAP_EV_TCP && r->ts <= T && ntcp < ATTR_MAX_TCP) {
			tcp[ntcp++] = r;
		}
	}
	/* Handshakes towards a server of this resolution, judged when the
	 * resolver gave up: a SYN answered by RST, or by nothing. */
	for (size_t i = 0; i < ntcp; i++) {
		const evrec_t *syn = tcp[i];
		if (syn->tcp_kind != CAP_TCP_SYN || !server_known(w, &syn->flow.dst) ||
		    db_addr_eq(&syn->flow.src, &t->key.client))
			continue;
		int answered = 0, reset = 0, dup = 0;
		for (size_t j = 0; j < ntcp; j++) {
			const evrec_t *r = tcp[j];
			if (j > i && r->tcp_kind == CAP_TCP_SYN &&
			    r->flow.sport == syn->flow.sport && db_addr_eq(&r->flow.dst, &syn->flow.dst))
				dup = 1; /* an earlier SYN of the same connection */
			if (r->tcp_kind == CAP_TCP_SYN || r->ts < syn->ts ||
			    r->flow.dport != syn->flow.sport || !db_addr_eq(&r->flow.src, &syn->flow.dst))
				continue;
			if (r->tcp_kind == CAP_TCP_RST)
				reset = 1;
			else
				answered = 1;
		}
		/* A handshake that completed is judged by the query it carried
		 * (a transaction); a later RST only closed it. */
		if (dup || answered || w->nat >= ATTR_MAX_CAND + ATTR_MAX_TCP)
			continue;
		attempt_t *at = &w->at[w->nat++];
		memset(at, 0, sizeof(*at));
		at->ts = syn->ts;
		at->server = syn->flow.dst;
		at->transport = DB_PROTO_TCP;
		at->outcome = reset ? VD_OUT_TCP_RESET : VD_OUT_TCP_TIMEOUT;
		/* A firewall may answer the SYN with an ICMP error instead. */
		for (size_t j = 0; j < nicmp; j++) {
			const evrec_t *r = icmp[j];
			if (r->flow.proto == DB_PROTO_TCP && r->flow.sport == syn->flow.sport &&
			    r->flow.dport == syn->flow.dport && db_addr_eq(&r->flow.src, &syn->flow.src) &&
			    db_addr_eq(&r->flow.dst, &syn->flow.dst)) {
				at->outcome = VD_OUT_ICMP;
				at->icmp_version = r->icmp_version;
				at->icmp_type = r->icmp_type;
				at->icmp_code = r->icmp_code;
			}
		}
	}
	/* The NS names of the zones above the query, learned from referrals
	 * whenever they came (the resolver may have had them cached). */
	{
		uint64_t h[130];
		size_t nh = dns_name_suffix_hashes(&t->qname, h, 130);
		for (size_t i = 0; i < nh; i++) {
			const cut_t *c = tbl_find(&a->cuts, &h[i], tbl_hash(&a->cuts, &h[i]));
			for (uint8_t k = 0; c && k < c->n_ns && w->nns < ATTR_MAX_REL; k++)
				w->ns[w->nns++] = c->ns[k];
		}
	}
	/* The address of a server named in a referral that does not exist
	 * (NXDOMAIN, or no address: NODATA): the delegation leads nowhere. */
	for (size_t i = 0; i < w->nat; i++) {
		attempt_t *at = &w->at[i];
		if (!at->x || at->outcome != VD_OUT_ANSWERED ||
		    (at->x->qtype != DNS_T_A && at->x->qtype != DNS_T_AAAA))
			continue;
		int is_ns = 0;
		for (size_t k = 0; k < w->nns && !is_ns; k++)
			is_ns = w->ns[k] == at->x->qhash;
		if (!is_ns || at->x->has_answer || at->x->referral)
			continue;
		/* NXDOMAIN says the name does not exist; NODATA for one address
		 * family is normal (an IPv4-only server), so only when no
		 * address of either family came back. */
		int nx = (at->x->rcode & 0xf) == DNS_R_NXDOMAIN, other_ok = 0, other_tried = 0;
		for (size_t j = 0; j < w->nat; j++) {
			const txn_t *y = w->at[j].x;
			if (!y || y->qhash != at->x->qhash || (y->qtype != DNS_T_A && y->qtype != DNS_T_AAAA))
				continue;
			if (y->answered && y->has_answer)
				other_ok = 1;
			if (y->qtype != at->x->qtype && y->answered)
				other_tried = 1;
		}
		if (!other_ok && (nx || other_tried))
			at->outcome = VD_OUT_LAME;
	}
	/* A TC=1 answer followed by a TCP answer for the same question from
	 * the same server is the normal fallback (RFC 7766), not a failure. */
	for (size_t i = 0; i < w->nat; i++) {
		attempt_t *tc = &w->at[i];
		if (tc->outcome != VD_OUT_TRUNCATED || !tc->x)
			continue;
		for (size_t j = 0; j < w->nat; j++) {
			const attempt_t *r = &w->at[j];
			if (r->x && r->transport == DB_PROTO_TCP && r->ts >= tc->ts &&
			    r->outcome == VD_OUT_ANSWERED && db_addr_eq(&r->server, &tc->server) &&
			    r->x->qhash == tc->x->qhash && r->x->qtype == tc->x->qtype) {
				tc->outcome = VD_OUT_ANSWERED;
				break;
			}
		}
	}
	/* Keep time order (handshakes were appended). */
	for (size_t i = 1; i < w->nat; i++) {
		attempt_t x = w->at[i];
		size_t j = i;
		while (j > 0 && w->at[j - 1].ts > x.ts) {
			w->at[j] = w->at[j - 1];
			j--;
		}
		w->at[j] = x;
	}
}

/* ---- the verdict ---------------------------------------------------------- */

static const char *icmp_detail(uint8_t ver, uint8_t type, uint8_t code)
{
	if (ver == 4 && type == 3) {
		if (code == 3)
			return "icmp_port_unreachable";
		if (code == 9 || code == 10 || code == 13)
			return "icmp_admin_prohibited";
		if (code == 1)
			return "icmp_host_unreachable";
		if (code == 0)
			return "icmp_net_unreachable";
	}
	if (ver == 6 && type == 1) {
		if (code == 4)
			return "icmp_port_unreachable";
		if (code == 1 || code == 5 || code == 6)
			return "icmp_admin_prohibited";
		if (code == 3)
			return "icmp_host_unreachable";
		if (code == 0)
			return "icmp_net_unreachable";
	}
	return "icmp_unreachable";
}

static const char *rcode_detail(uint16_t rcode)
{
	switch (rcode & 0xf) {
	case DNS_R_SERVFAIL: return "servfail";
	case DNS_R_REFUSED: return "refused";
	case DNS_R_FORMERR: return "formerr";
	case DNS_R_NOTIMP: return "notimp";
	default: return "error_rcode";
	}
}

static uint64_t fail_key(uint64_t qhash, uint16_t qtype) { return qhash * 31 + qtype + 1; }

/* A failure remembered for key that happened before `before` (and not
 * longer ago than a failure cache may hold it). */
static const struct fail *recent_failure(attr_t *a, uint64_t key, db_time_t before)
{
	const fail_t *f = tbl_find(&a->fails, &key, tbl_hash(&a->fails, &key));
	return f && f->time < before && before - f->time <= ATTR_FAILURE_MEMORY ? f : NULL;
}

static void remember(attr_t *a, uint64_t key, const verdict_t *v)
{
	uint64_t h = tbl_hash(&a->fails, &key);
	fail_t *f = tbl_find(&a->fails, &key, h);
	if (!f && !(f = tbl_insert_lru(&a->fails, &key, h, v->time, NULL)))
		return;
	/* The first failure within the cache's memory is the original that
	 * later repeats point at; verdicts are not made in SERVFAIL order, so
	 * an earlier one may still arrive. */
	if (f->time && v->time - f->time <= ATTR_FAILURE_MEMORY && f->time <= v->time)
		return;
	f->time = v->time;
	f->cause = v->cause;
	f->detail = v->detail;
	f->qname = v->qname;
	f->qtype = v->qtype;
}

/* The deepest zone cut learned from referrals that contains name. */
static int zone_of(attr_t *a, const dns_name_t *name, dns_name_t *out)
{
	uint64_t h[130];
	size_t n = dns_name_suffix_hashes(name, h, 130);
	for (size_t i = 0; i < n; i++) {
		const cut_t *c = tbl_find(&a->cuts, &h[i], tbl_hash(&a->cuts, &h[i]));
		if (c) {
			*out = c->name;
			return 1;
		}
	}
	return 0;
}

static void set(verdict_t *v, uint8_t cause, const char *detail, uint8_t conf)
{
	v->cause = cause;
	v->detail = detail;
	v->confidence = conf;
}

static void explain(verdict_t *v, const walk_t *w, const attempt_t *last, int n_fail,
		    int ede_disagrees, const char *zone)
{
	char srv[DB_ADDRSTRLEN] = "?", rc[16];
	if (last)
		db_addr_str(&last->server, srv);
	char *e = v->explanation;
	size_t n = sizeof(v->explanation);
	int k = 0;
	switch (v->cause) {
	case VD_TIMEOUT:
		if (w->nat)
			k = snprintf(e, n, "%d queries of the resolver to the servers of %s got no answer before it gave up.",
				     n_fail, zone);
		else
			k = snprintf(e, n, "The resolver reports (EDE) that no authority for %s could be reached; its upstream traffic is not in the capture.",
				     zone);
		break;
	case VD_BLOCKED_PORT:
		if (last)
			k = snprintf(e, n, "The network refused the resolver's queries to %s (%s): %s.", srv, zone,
				     v->detail);
		else
			k = snprintf(e, n, "The resolver reports (EDE) a network error reaching the servers of %s; its upstream traffic is not in the capture.",
				     zone);
		break;
	case VD_TRUNCATION:
		if (strcmp(v->detail, "fragment_loss") == 0)
			k = snprintf(e, n, "The answer from %s (%s) came in IP fragments that never all arrived.",
				     srv, zone);
		else
			k = snprintf(e, n, "%s (%s) answered with TC=1 (too big for UDP) and the retry over TCP failed: %s.",
				     srv, zone, v->detail);
		break;
	case VD_DNSSEC: {
		const chain_result_t *d = &v->dnssec;
		char on[DNS_NAME_STRLEN], sg[DNS_NAME_STRLEN], tb[16];
		if (!w->nat) {
			k = snprintf(e, n, "The resolver reports (EDE) a DNSSEC validation failure (%s) for %s; its upstream traffic is not in the capture.",
				     v->detail, zone);
		} else if (!v->dnssec_checked || !d->found) {
			k = snprintf(e, n, "Answers arrived intact with DNSSEC records, yet the resolver failed them: DNSSEC validation (%s).",
				     v->detail);
		} else if (strcmp(d->detail, "ds_mismatch") == 0) {
			k = snprintf(e, n, "The DS records for %s in its parent (key tag %u%s) match none of the DNSKEYs %s publishes: the chain of trust is broken at the delegation.",
				     zone, d->n_ds ? d->ds_tags[0] : 0, d->n_ds > 1 ? ", ..." : "", zone);
		} else if (strcmp(d->detail, "rrsig_missing") == 0) {
			k = snprintf(e, n, "%s has a DS in its parent, so it must be signed, but its servers answered %s %s without any RRSIG.",
				     zone, dns_name_str(&d->owner, on), dns_type_str(d->type, tb));
		} else if (strcmp(d->detail, "dnskey_missing") == 0) {
			k = snprintf(e, n, "%s has a DS in its parent, but its servers return no DNSKEY set.", zone);
		} else {
			char ti[DB_TIMESTRLEN], te[DB_TIMESTRLEN], tc[DB_TIMESTRLEN];
			db_time_str((db_time_t)d->inception * 1000000, ti);
			db_time_str((db_time_t)d->expiration * 1000000, te);
			db_time_str(d->checked_at, tc);
			/* Seconds are enough for signature validity. */
			ti[19] = te[19] = tc[19] = 'Z';
			ti[20] = te[20] = tc[20] = 0;
			k = snprintf(e, n, "The RRSIG over %s %s by %s (key tag %u, algorithm %u) fails: %s; it is valid from %s to %s, the answer was captured at %s.",
				     dns_name_str(&d->owner, on), dns_type_str(d->type, tb),
				     dns_name_str(&d->signer, sg), d->key_tag, d->algorithm, d->detail,
				     ti, te, tc);
		}
		break;
	}
	case VD_UPSTREAM_ERROR:
		if (last && last->x && last->outcome == VD_OUT_LAME) {
			char nb[DNS_NAME_STRLEN];
			k = snprintf(e, n, "The delegation of %s names servers that do not resolve: %s has no address (%s from %s).",
				     zone, dns_name_str(&last->x->qname, nb),
				     dns_rcode_str(last->x->rcode, rc), srv);
		} else if (last && last->x)
			k = snprintf(e, n, "%s (%s) answered %s; no server gave a usable answer.", srv, zone,
				     dns_rcode_str(last->x->rcode, rc));
		else
			k = snprintf(e, n, "The resolver reports (EDE) that the servers of %s answered with errors (%s).",
				     zone, v->detail);
		break;
	case VD_NO_UPSTREAM:
		if (v->repeats_time)
		{
			char rq[DNS_NAME_STRLEN], rt[16];
			k = snprintf(e, n, "No upstream query was made: the resolver repeated from its cache the failure of %s %s (%s).",
				     dns_name_str(&v->repeats_qname, rq), dns_type_str(v->repeats_qtype, rt),
				     vd_cause_str(v->repeats_cause));
		}
		else
			k = snprintf(e, n, "No related upstream query is in the capture: a failure cache, local policy or upstream traffic not captured.");
		break;
	default:
		if (v->detail && strcmp(v->detail, "attempts_pending") == 0)
			k = snprintf(e, n, "The capture shows no cause: the resolver gave up while its %u related upstream attempts were still unanswered, too recent to call timeouts.",
				     (unsigned)w->nat);
		else if (w->nat)
			k = snprintf(e, n, "The capture shows no cause: %u related upstream attempts, all answered usably.",
				     (unsigned)w->nat);
		else
			k = snprintf(e, n, "The resolver's upstream traffic is not in the capture and it sent no Extended DNS Error: capture on the resolver host to see why.");
		break;
	}
	if (v->dnssec_earlier && k > 0 && (size_t)k < n)
		k += snprintf(e + k, n - (size_t)k, " (Proven on an earlier answer: the resolver had these records cached.)");
	if (ede_disagrees && k > 0 && (size_t)k < n)
		snprintf(e + k, n - (size_t)k, " The resolver's own EDE says otherwise.");
}

static void verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v, int audit);

void attr_verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v)
{
	verdict(a, t, now, v, 0);
}

int attr_audit(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v)
{
	verdict(a, t, now, v, 1);
	return v->dnssec_checked;
}

static void verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v, int audit)
{
	walk_t *wp = a->scratch;
	memset(v, 0, sizeof(*v));
	if (!wp)
		return;
	wp->n = wp->nset = wp->nat = wp->nns = 0;
	memset(wp->rel, 0, sizeof(wp->rel));
#define w (*wp)

	v->answered = t->answered;
	v->time = t->answered ? t->answer_ts : now;
	/* A query never answered: resolvers give up within about ten seconds
	 * (BIND 10 s, PowerDNS 7 s), so later traffic is no longer its work. */
	db_time_t T = t->answered ? t->answer_ts
		    : (now < t->e.ts + ATTR_GIVE_UP ? now : t->e.ts + ATTR_GIVE_UP);
	v->query_time = t->e.ts;
	v->client = t->key.client;
	v->resolver = t->key.server;
	v->client_port = t->key.cport;
	v->transport = t->key.transport;
	v->id = t->key.id;
	v->qname = t->qname;
	v->qtype = t->qtype;
	for (uint8_t i = 0; i < t->n_ede && i < VD_MAX_EDE; i++) {
		v->ede[i].code = t->ede_code[i];
		v->ede[i].text[0] = 0;
		if (t->ede_text) /* NUL-terminated within its TXN_EDE_TEXT bytes */
			memcpy(v->ede[i].text, t->ede_text[i],
			       TXN_EDE_TEXT < VD_EDE_TEXT ? TXN_EDE_TEXT : VD_EDE_TEXT);
		v->ede[i].text[VD_EDE_TEXT - 1] = 0;
		v->n_ede++;
	}
	if (now - a->vantage_at > 1000000 || a->vantage_at == 0) {
		a->vantage = roles_vantage(a->roles);
		a->vantage_at = now;
	}

	dns_name_t qz;
	int concluded_zone_known = zone_of(a, &t->qname, &qz);
	const fail_t *concluded_by = recent_failure(a, fail_key(t->qhash, t->qtype), t->e.ts);
	if (!concluded_by && concluded_zone_known)
		concluded_by = recent_failure(a, fail_key(dns_name_hash(&qz), 0), t->e.ts);
	/* A zone failure repeated with a DNSSEC cause is the chain's, which
	 * the check below finds on its own. */
	if (concluded_by && (concluded_by->cause == VD_DNSSEC || concluded_by->cause == VD_NO_UPSTREAM))
		concluded_by = concluded_by->cause == VD_NO_UPSTREAM ? concluded_by : NULL;
	int concluded = concluded_by != NULL;
	related(a->txn, t, T, concluded, &w);
	outcomes(a, t, T, &w);

	/* The evidence list: the most recent attempts matter most. */
	v->n_up_total = (uint32_t)w.nat;
	size_t first = w.nat > VD_MAX_UPSTREAM ? w.nat - VD_MAX_UPSTREAM : 0;
	for (size_t i = first; i < w.nat; i++) {
		vd_upstream_t *u = &v->up[v->n_up++];
		const attempt_t *at = &w.at[i];
		u->ts = at->ts;
		u->server = at->server;
		u->transport = at->transport;
		u->outcome = at->outcome;
		u->icmp_version = at->icmp_version;
		u->icmp_type = at->icmp_type;
		u->icmp_code = at->icmp_code;
		if (at->x) {
			u->qname = at->x->qname;
			u->qtype = at->x->qtype;
			u->rcode = at->x->rcode;
			u->aa = at->x->aa;
			u->tc = at->x->tc;
			u->referral = at->x->referral;
		} else {
			u->qname.len = 1;
		}
	}

	ede_map_t em = {VD_UNKNOWN, NULL};
	int have_ede = 0;
	for (uint8_t i = 0; i < v->n_ede && !have_ede; i++)
		have_ede = ede_cause(v->ede[i].code, &em);

	const attempt_t *last = NULL;
	int n_fail = 0, any_rrsig = 0, n_answered = 0;
	for (size_t i = 0; i < w.nat; i++) {
		const attempt_t *at = &w.at[i];
		if (at->x && at->x->rrsig && at->outcome == VD_OUT_ANSWERED)
			any_rrsig = 1;
		if (at->outcome == VD_OUT_ANSWERED)
			n_answered++;
		if (at->outcome != VD_OUT_ANSWERED && at->outcome != VD_OUT_PENDING) {
			last = at;
			n_fail++;
		}
	}
	dns_name_t zname;
	if (!zone_of(a, last && last->x ? &last->x->qname : &t->qname, &zname))
		zname = t->qname;
	v->zone = zname;
	char zone[DNS_NAME_STRLEN];
	dns_name_str(&zname, zone);

	if (w.nat == 0) {
		uint64_t k1 = fail_key(t->qhash, t->qtype), k2 = fail_key(dns_name_hash(&zname), 0);
		const fail_t *f = recent_failure(a, k1, T);
		if (!f && !dns_name_eq(&zname, &t->qname))
			f = recent_failure(a, k2, T);
		if (f) {
			set(v, VD_NO_UPSTREAM, "cached_failure", VD_HIGH);
			v->repeats_time = f->time;
			v->repeats_cause = f->cause;
			v->repeats_qname = f->qname;
			v->repeats_qtype = f->qtype;
		} else if (have_ede) {
			set(v, em.cause, em.detail,
			    a->vantage == VANTAGE_RESOLVER_HOST ? VD_MEDIUM : VD_LOW);
		} else if (a->vantage != VANTAGE_RESOLVER_HOST) {
			set(v, VD_UNKNOWN, "upstream_not_captured", VD_LOW);
		} else {
			set(v, VD_NO_UPSTREAM, "no_attempt", VD_MEDIUM);
		}
	} else if (!last && concluded_by) {
		/* Every attempt answered, yet it failed: the resolver walked the
		 * same delegation again and met the failure it had just had
		 * (addresses of its servers cached as unusable). */
		set(v, concluded_by->cause, concluded_by->detail, VD_MEDIUM);
		v->repeats_time = concluded_by->time;
		v->repeats_cause = concluded_by->cause;
		v->repeats_qname = concluded_by->qname;
		v->repeats_qtype = concluded_by->qtype;
	} else if (!last) {
		if (have_ede)
			set(v, em.cause, em.detail, VD_MEDIUM);
		else if (any_rrsig)
			set(v, VD_DNSSEC, "bogus", VD_MEDIUM);
		else if (n_answered == 0)
			/* Its only attempts were sent just before it gave up:
			 * too soon to call them timeouts. */
			set(v, VD_UNKNOWN, "attempts_pending", VD_LOW);
		else
			set(v, VD_UNKNOWN, "all_answered", VD_LOW);
	} else {
		/* Truncation: a TC=1 answer from the server whose TCP retry
		 * failed, or was never tried. */
		const attempt_t *tc = NULL;
		int tcp_after = 0;
		for (size_t i = 0; i < w.nat; i++) {
			if (w.at[i].outcome == VD_OUT_TRUNCATED)
				tc = &w.at[i];
			else if (tc && w.at[i].transport == DB_PROTO_TCP &&
				 db_addr_eq(&w.at[i].server, &tc->server))
				tcp_after = 1;
		}
		switch (last->outcome) {
		case VD_OUT_TRUNCATED:
			set(v, VD_TRUNCATION, "no_tcp_retry", VD_HIGH);
			break;
		case VD_OUT_TCP_RESET:
			if (tc) {
				set(v, VD_TRUNCATION, "tcp_reset", VD_HIGH);
			} else {
				/* A closed port answers UDP with ICMP and TCP with
				 * RST: the ICMP error says more (unreachable port,
				 * or a firewall), so it names the detail. */
				const attempt_t *ic = NULL;
				for (size_t i = 0; i < w.nat; i++)
					if (w.at[i].outcome == VD_OUT_ICMP)
						ic = &w.at[i];
				set(v, VD_BLOCKED_PORT,
				    ic ? icmp_detail(ic->icmp_version, ic->icmp_type, ic->icmp_code) : "tcp_reset",
				    VD_HIGH);
			}
			break;
		case VD_OUT_TCP_TIMEOUT:
			/* After TC=1 the retry may go to another address of the
			 * same servers (IPv6 for IPv4): any TC in the chain counts. */
			if (tc)
				set(v, VD_TRUNCATION, "tcp_timeout", VD_HIGH);
			else
				set(v, VD_TIMEOUT, "all_servers_silent", VD_MEDIUM);
			break;
		case VD_OUT_FRAG_LOSS:
			set(v, VD_TRUNCATION, "fragment_loss", VD_HIGH);
			break;
		case VD_OUT_ICMP:
			/* UDP worked (it said TC=1); the TCP retry was refused. */
			if (tc && last->transport == DB_PROTO_TCP)
				set(v, VD_TRUNCATION, "tcp_blocked", VD_HIGH);
			else
				set(v, VD_BLOCKED_PORT,
				    icmp_detail(last->icmp_version, last->icmp_type, last->icmp_code), VD_HIGH);
			break;
		case VD_OUT_LAME:
			set(v, VD_UPSTREAM_ERROR, "lame_delegation", VD_HIGH);
			break;
		case VD_OUT_ERROR:
			set(v, VD_UPSTREAM_ERROR, rcode_detail(last->x->rcode), VD_HIGH);
			if ((last->x->rcode & 0xf) == DNS_R_REFUSED)
				v->detail = "refused";
			break;
		default: { /* VD_OUT_TIMEOUT */
			int fwd = roles_is_resolver(a->roles, &last->server);
			set(v, VD_TIMEOUT, fwd ? "forwarder_silent" : "all_servers_silent", VD_HIGH);
			break;
		}
		}
		if (tc && !tcp_after && last->outcome != VD_OUT_TRUNCATED &&
		    last->outcome == VD_OUT_TIMEOUT && db_addr_eq(&tc->server, &last->server))
			set(v, VD_TRUNCATION, "no_tcp_retry", VD_MEDIUM);
		/* Several kinds of failure: the verdict stands, less sure. */
		for (size_t i = 0; i < w.nat; i++)
			if (w.at[i].outcome != VD_OUT_ANSWERED && w.at[i].outcome != VD_OUT_PENDING &&
			    w.at[i].outcome != last->outcome &&
			    !(w.at[i].outcome == VD_OUT_TRUNCATED && v->cause == VD_TRUNCATION) &&
			    v->confidence == VD_HIGH)
				v->confidence = VD_MEDIUM;
	}
	/* DNSSEC: re-verify what the capture holds, to say which record, key
	 * and rule broke (and to catch a validation failure the resolver did
	 * not name). */
	if (v->cause == VD_DNSSEC || v->cause == VD_UNKNOWN || (have_ede && em.cause == VD_DNSSEC)) {
		const txn_t *ans[ATTR_MAX_CAND];
		size_t na = 0;
		for (size_t i = 0; i < w.nat && na < ATTR_MAX_CAND; i++)
			if (w.at[i].x && w.at[i].x->answered && w.at[i].x->answer_ts <= T)
				ans[na++] = w.at[i].x;
		if (na) {
			chain_check(a->chain, &a->store, ans, na, &v->dnssec);
			v->dnssec_checked = 1;
		}
		if (audit) {
			/* An audit of a healthy answer stands alone: no memory. */
		} else if (v->dnssec_checked && v->dnssec.found) {
			broken_put(a, &v->dnssec, T);
		} else if (v->cause == VD_DNSSEC || v->cause == VD_UNKNOWN ||
			   (have_ede && em.cause == VD_DNSSEC)) {
			const broken_t *b = broken_get(a, &t->qname, T);
			if (b) {
				v->dnssec = b->r;
				v->dnssec_checked = 1;
				v->dnssec_earlier = b->time;
			}
		}
		{
			if (v->dnssec_checked && v->dnssec.found) {
				uint8_t conf = VD_HIGH;
				/* The resolver's own word, when it gave one, should agree. */
				if (have_ede && em.cause == VD_DNSSEC && strcmp(em.detail, "bogus") != 0 &&
				    strcmp(em.detail, v->dnssec.detail) != 0)
					conf = VD_MEDIUM;
				set(v, VD_DNSSEC, v->dnssec.detail, conf);
				v->zone = v->dnssec.zone;
				dns_name_str(&v->zone, zone);
			}
		}
	}
	int disagree = have_ede && em.cause != v->cause && v->cause != VD_NO_UPSTREAM;
	if (disagree && v->confidence > VD_LOW)
		v->confidence--;
	explain(v, &w, last, n_fail, disagree, zone);

	/* What a failure cache would repeat: this name and type, and the zone
	 * that failed (and the zone of the name, when it differs).  A query
	 * never answered failed when its last attempt failed, not when the
	 * window closed. */
	if (audit)
		return;
	verdict_t mem = *v;
	if (!v->answered)
		mem.time = last ? last->ts : v->query_time;
	remember(a, fail_key(t->qhash, t->qtype), &mem);
	if (!dns_name_eq(&zname, &t->qname) && v->cause != VD_DNSSEC)
		remember(a, fail_key(dns_name_hash(&zname), 0), &mem);
	if (concluded_zone_known && !dns_name_eq(&qz, &zname) && !dns_name_eq(&qz, &t->qname) &&
	    v->cause != VD_DNSSEC)
		remember(a, fail_key(dns_name_hash(&qz), 0), &mem);
#undef w
}
