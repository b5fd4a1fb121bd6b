/*
 * attribute.c - from a failed client query to its cause.
 *
 * 1. Evidence.  The resolver's upstream attempts carry new ids, ports and
 *    often other names.  An attempt is related to the client's query when
 *    it was sent by the resolver host (an address that queries onward)
 *    between the client's query — or up to ATTR_COALESCE earlier if still
 *    in flight then, since one resolution may serve several clients — and
 *    the failure, and its name is the query name, one of its ancestors
 *    (QNAME minimisation, DS and DNSKEY of the chain), a CNAME target the
 *    resolver knew (the model's CNAME graph, learned from the whole
 *    capture), or a name the related answers pointed to (CNAME targets, NS
 *    names of referrals), grown to a fixed point.  Every lookup goes
 *    through an index: attempts by name (txn_by_name), transport events by
 *    server (evlog_server_newest), so the cost of a verdict does not grow
 *    with the traffic around it.
 * 2. Outcomes.  Each attempt is judged as the resolver saw it when it gave
 *    up: answered (usable or error, TC), quoted by an ICMP error, its
 *    answer's fragments lost, or nothing; failed handshakes to the same
 *    servers count as attempts.
 * 3. Decision (decide.c), fresh evidence first: a failed attempt names the
 *    cause; answers that arrived but fail the DNSSEC chain (checked against
 *    the keys the model kept, however long ago they were fetched) name a
 *    validation failure; only when no attempt explains the failure does the
 *    failure memory speak: the root failure this SERVFAIL repeats (same
 *    question, an identical query in flight, or the broken zone), whose
 *    cause and detail it carries, with `via` saying how it came about.
 * 4. Memory.  A verdict made from the query's own attempts is a root
 *    failure and is remembered by its question and its broken zone; a
 *    repeat is never remembered.
 */
#include "attribute.h"

#include "decide.h"
#include "dnssec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTR_MAX_CAND 4096
#define ATTR_MAX_REL 512
#define ATTR_MAX_EV 512
#define ATTR_MIN_TIMEOUT (250 * 1000LL)
/* Transactions looked at per name, and events per server: on a resolver
 * with heavy traffic this bounds the work per failure. */
#define ATTR_MAX_VISIT_NAME 4096
#define ATTR_MAX_VISIT_SERVER 16384
#define ATTR_MAX_SERVERS 64

typedef struct attempt {
	const txn_t *x; /* NULL for a handshake that failed */
	db_time_t ts;
	db_addr_t server;
	db_addr_t from;     /* the resolver's address it was sent from */
	uint16_t from_port; /* and port */
	uint8_t transport;
	uint8_t outcome;
	uint8_t icmp_version, icmp_type, icmp_code;
} attempt_t;

/* One TCP connection to a server, while its handshake is judged. */
typedef struct hs {
	uint32_t key;       /* server index << 16 | client port */
	const evrec_t *syn; /* its first SYN */
	uint8_t answered, reset;
} hs_t;

#define ATTR_HS_SLOTS 1024 /* at least 2 x ATTR_MAX_EV */

typedef struct walk {
	const txn_t *range[ATTR_MAX_VISIT_NAME]; /* gather: one name's attempts in the range */
	const txn_t *cand[ATTR_MAX_CAND];
	size_t n;
	uint64_t set[ATTR_MAX_REL];
	size_t nset;
	uint64_t ns[ATTR_MAX_REL]; /* NS names learned from related referrals */
	size_t nns;
	attempt_t at[ATTR_MAX_CAND + ATTR_MAX_EV];
	attempt_t moved[ATTR_MAX_CAND + ATTR_MAX_EV]; /* sort_attempts */
	uint16_t order[ATTR_MAX_CAND + ATTR_MAX_EV];
	size_t nat;
	db_addr_t servers[ATTR_MAX_SERVERS];
	size_t nservers;
	const evrec_t *icmp[ATTR_MAX_EV], *tcp[ATTR_MAX_EV], *frag[ATTR_MAX_EV];
	uint8_t tcp_srv[ATTR_MAX_EV]; /* index in servers[] of each tcp[] record */
	size_t nicmp, ntcp, nfrag;
	hs_t hs[ATTR_MAX_EV];
	uint16_t hs_slot[ATTR_HS_SLOTS];          /* 0xffff: empty */
	dns_name_t targets[MODEL_CNAME_HOPS];     /* CNAME targets the model knew */
	model_src_t target_src[MODEL_CNAME_HOPS]; /* the answers they came in */
	size_t ntargets;
	/* The hashes of the query name and of each of its ancestors
	 * (dns_name_suffix_hashes), made once for the verdict's lookups. */
	uint64_t anc[130];
	size_t nanc;
} walk_t;

/* The open queries (openq.h): of a question (model_key_question;
 * 65,536: the queries in flight, and those never answered within their
 * window, of a resolver at 50,000 queries a second) and of a zone (the
 * cut's name hash; 16,384 zones).  A query leaves them when it is judged. */
#define ATTR_OPEN_ZONES 16384
#define ATTR_OPEN_QUESTIONS 65536
/* The model's largest table (names) holds at most this many. */
#define ATTR_MODEL_MAX 262144
/* A resolver answers the clients waiting on one fetch within this of
 * each other.  In the lab's captures under load (BIND, Knot Resolver,
 * PowerDNS, Unbound) 1 ms and 10 ms found the same joined queries but one,
 * and no independent failure among them; 100 ms took one for joined. */
#define ATTR_TOGETHER ((db_time_t)10 * 1000)

int attr_init(attr_t *a, const txn_table_t *txn, const roles_t *roles, const evlog_t *ev,
	      size_t store_bytes, db_time_t store_keep)
{
	memset(a, 0, sizeof(*a));
	a->txn = txn;
	a->roles = roles;
	a->ev = ev;
	a->scratch = calloc(1, sizeof(walk_t));
	a->chain = chain_new();
	a->model = model_new(txn->tbl.max < ATTR_MODEL_MAX ? txn->tbl.max : ATTR_MODEL_MAX);
	a->scratch_v = malloc(sizeof(verdict_t));
	if (!a->scratch || !a->chain || !a->model || !a->scratch_v ||
	    msgstore_init(&a->store, store_bytes, store_keep) < 0 ||
	    openq_init(&a->open,
		       txn->tbl.max < ATTR_OPEN_QUESTIONS ? txn->tbl.max : ATTR_OPEN_QUESTIONS,
		       ATTR_OPEN_ZONES) < 0) {
		attr_free(a);
		return -1;
	}
	return 0;
}

void attr_free(attr_t *a)
{
	openq_free(&a->open);
	free(a->scratch_v);
	free(a->scratch);
	chain_free(a->chain);
	model_free(a->model);
	msgstore_free(&a->store);
	memset(a, 0, sizeof(*a));
}

void attr_note_answer(attr_t *a, txn_t *t, const dns_msg_t *m, const dns_sum_t *sum)
{
	t->tc = m->tc;
	t->aa = m->aa;
	t->n_ede = 0;
	for (size_t i = 0; i < m->edns.n_ede && t->n_ede < TXN_EDE; i++) {
		const dns_ede_t *e = &m->edns.ede[i];
		size_t n = e->text_len < TXN_EDE_TEXT - 1 ? e->text_len : TXN_EDE_TEXT - 1;
		if (!txn_ede(t))
			break; /* out of memory: the codes that fitted */
		t->ede->code[t->n_ede] = e->code;
		if (n) /* an EDE without text has no text pointer */
			memcpy(t->ede->text[t->n_ede], e->text, n);
		t->ede->text[t->n_ede][n] = 0;
		t->n_ede++;
	}
	if (m->stage < DNS_STAGE_FULL)
		return;
	/* Keep the bytes of upstream answers a DNSSEC check may need: those
	 * with DNSSEC records, and the answers to DNSKEY and DS queries (a
	 * zone under a DS that answers without keys).  Of an authoritative
	 * answer with records and no signature (a zone that should be signed
	 * answering unsigned is evidence too) the check needs no more than
	 * that: a flag, not its bytes, which would fill the store with the
	 * unsigned answers that are most of the traffic. */
	if (t->upstream) {
		int keep = t->qtype == DNS_T_DNSKEY || t->qtype == DNS_T_DS, sig = 0;
		for (size_t i = 0; i < m->nrr; i++) {
			uint16_t ty = m->rr[i].type;
			if (m->rr[i].section == DNS_SEC_ADDITIONAL)
				continue;
			sig |= ty == DNS_T_RRSIG;
			keep |= ty == DNS_T_RRSIG || ty == DNS_T_DNSKEY || ty == DNS_T_DS;
		}
		if (keep && m->len <= UINT16_MAX) {
			t->msg_ref = msgstore_put(&a->store, m->wire, (uint32_t)m->len,
						  t->answer_ts);
			t->msg_len = t->msg_ref ? (uint16_t)m->len : 0;
		}
		t->unsigned_data = m->aa && !sig && (m->ancount > 0 || m->nscount > 0);
	}
	if (sum->rrsig)
		t->rrsig = 1;
	if (sum->answer)
		t->has_answer = 1;
	/* What the resolver learns: only from its own upstream answers. */
	if (t->upstream)
		model_learn(a->model, t, m);
}

int attr_answer_plain(const attr_t *a, const txn_t *t)
{
	if (!t->answered || !t->aa || t->tc || t->referral || t->rrsig || t->learn || t->n_ede ||
	    t->key.transport != DB_PROTO_UDP || t->icmp_ts || t->frag_lost ||
	    t->qtype == DNS_T_DNSKEY || t->qtype == DNS_T_DS)
		return 0;
	uint16_t rc = t->rcode & 0xf;
	if (rc == DNS_R_NOERROR && t->has_answer)
		return 1;
	/* A name that does not exist, or has no data of the type: evidence
	 * only about the name of a server a delegation named (a delegation
	 * that leads nowhere, ns_unresolvable), which the model knows. */
	return (rc == DNS_R_NXDOMAIN || rc == DNS_R_NOERROR) &&
	       !model_is_ns_name(a->model, t->qhash);
}

/* t (recursive) was sent to a resolver, whose entry is server (NULL: not
 * tracked), by another address: a client query. */
static int to_resolver(const attr_t *a, const txn_t *t, const role_t *server)
{
	return roles_entry_is_resolver(a->roles, server) &&
	       !db_addr_eq(&t->key.client, &t->key.server);
}

int attr_is_client_query(attr_t *a, const txn_t *t)
{
	return t->rd && to_resolver(a, t, roles_find(a->roles, &t->key.server));
}

void attr_note_judged(attr_t *a, const txn_t *t) { openq_drop(&a->open, t); }

void attr_judged_ahead(const attr_t *a, const txn_t *t)
{
	if (t->open_question || t->open_zone)
		openq_ahead(&a->open, t, model_key_question(t->qhash, t->qtype), t->open_zone);
}

void attr_expire(attr_t *a, db_time_t now, db_time_t window)
{
	/* A query asked a window ago has been judged: not open any more. */
	openq_expire(&a->open, now, window);
}

/* A client query, as it arrives: the open query of its question, and of
 * the zone its name is in. */
static void note_open(attr_t *a, txn_t *t, const uint64_t *suffix, size_t nsuffix)
{
	uint64_t z = model_zone_hash_from(a->model, t->qname, suffix, nsuffix);
	unsigned held = openq_note(&a->open, t, model_key_question(t->qhash, t->qtype), z);
	t->open_question = (held & OPENQ_QUESTION) != 0;
	if (held & OPENQ_ZONE)
		t->open_zone = z;
}

void attr_note_query(attr_t *a, txn_table_t *tt, txn_t *t, const role_t *r, const role_t *receiver,
		     const uint64_t *suffix, size_t nsuffix)
{
	/* Called for every query: the sender's entry comes from the
	 * caller, who just counted the query in it, and so does the
	 * receiver's (attr_is_client_query without its lookup). */
	t->upstream = r && (r->iter_queries_out > 0 || roles_entry_is_resolver(a->roles, r));
	if (t->upstream || (r && r->rd_queries_in > 0))
		txn_index_name(tt, t);
	if (!t->upstream && t->queries == 1 && t->rd && to_resolver(a, t, receiver))
		note_open(a, t, suffix, nsuffix);
}

/* The upstream attempt a transport event quotes: sent by `from` port
 * `fport` to `to` port `tport`, with DNS id `id`, still unanswered. */
static txn_t *quoted_attempt(txn_table_t *tt, const db_addr_t *from, uint16_t fport,
			     const db_addr_t *to, uint16_t tport, uint8_t proto, uint16_t id)
{
	txn_key_t k;
	memset(&k, 0, sizeof(k));
	k.client = *from;
	k.server = *to;
	k.cport = fport;
	k.sport = tport;
	k.transport = proto;
	k.id = id;
	txn_t *x = txn_find(tt, &k);
	return x && x->upstream && !x->answered ? x : NULL;
}

void attr_note_icmp(attr_t *a, txn_table_t *tt, const cap_event_t *ev)
{
	(void)a;
	const cap_icmp_t *ic = &ev->u.icmp;
	if (!ic->quoted_l4 || !ic->has_dns_id || ic->quoted.dport != 53)
		return;
	txn_t *x = quoted_attempt(tt, &ic->quoted.src, ic->quoted.sport, &ic->quoted.dst,
				  ic->quoted.dport, ic->quoted.proto, ic->dns_id);
	if (!x || x->icmp_ts)
		return;
	x->icmp_ts = ev->ts;
	x->icmp_version = ic->version;
	x->icmp_type = ic->type;
	x->icmp_code = ic->code;
}

void attr_note_frag(attr_t *a, txn_table_t *tt, const cap_event_t *ev)
{
	(void)a;
	const cap_frag_t *f = &ev->u.frag;
	if (!f->have_qid || ev->flow.proto != DB_PROTO_UDP || ev->flow.sport != 53)
		return;
	/* An answer: from the server's port 53 to the querier's port. */
	txn_t *x = quoted_attempt(tt, &ev->flow.dst, ev->flow.dport, &ev->flow.src, ev->flow.sport,
				  DB_PROTO_UDP, f->qid);
	if (x)
		x->frag_lost = 1;
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
 * seen, so gathering does no lookups), not by this client, not to this
 * resolver. */
static int upstream_sender(const txn_t *x, const txn_t *client)
{
	if (db_addr_eq(&x->key.client, &client->key.server))
		return 1;
	return x->upstream && !db_addr_eq(&x->key.client, &client->key.client) &&
	       !db_addr_eq(&x->key.server, &client->key.server);
}

/* ---- evidence: related attempts, through the indexes ---------------------- */

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

/* A name and its ancestors down to two labels (dns_name_zone_hashes). */
static void add_name(walk_t *w, const dns_name_t *n)
{
	uint64_t h[130];
	size_t k = dns_name_zone_hashes(n, h, 130);
	for (size_t i = 0; i < k; i++)
		add_set(w, h[i]);
}

/* The CNAME chain the resolver knew at time T, from the model: it may ask
 * only for the target, having the alias cached. */
static void cname_targets(attr_t *a, const dns_name_t *qname, db_time_t T, walk_t *w)
{
	uint64_t h = dns_name_hash(qname);
	for (size_t hop = 0; hop < MODEL_CNAME_HOPS; hop++) {
		dns_name_t target;
		model_src_t src;
		if (!model_cname(a->model, h, T, &target, &src))
			break;
		uint64_t th = dns_name_hash(&target);
		if (in_set(w, th))
			break; /* a loop */
		w->target_src[w->ntargets] = src;
		w->targets[w->ntargets++] = target;
		add_name(w, &target);
		h = th;
	}
}

static int by_time(const void *pa, const void *pb)
{
	const txn_t *a = *(const txn_t *const *)pa, *b = *(const txn_t *const *)pb;
	return a->e.ts < b->e.ts ? -1 : a->e.ts > b->e.ts;
}

/* The attempts related to t, made between t0 - ATTR_COALESCE and T: every
 * name of the set is looked up in the name index, and what their answers
 * pointed to joins the set (a fixed point, each name looked up once).
 * Work in flight when the client asked is joined unless it belongs to a
 * resolution that had already failed (concluded: then this query was
 * answered from the failure, not joined to the work). */
static void gather(attr_t *a, const txn_t *t, db_time_t T, int concluded, walk_t *w)
{
	/* Concluded: nothing begun before the client asked is its work (the
	 * filter below), so the walk need not go back further. */
	db_time_t t0 = t->e.ts, lo = concluded ? t0 : t0 - ATTR_COALESCE;
	for (size_t i = 0; i < w->nset; i++) {
		/* The name's attempts made between lo and T, oldest first, into
		 * w->range[first..end).  Verdicts are made up to a window after
		 * the query, while the index holds attempts a window and more
		 * old: walked back from the newest, the search stops at lo
		 * instead of passing every older attempt. */
		const txn_t *const *v;
		int in_order;
		size_t nv = txn_by_name(a->txn, w->set[i], &v, &in_order);
		size_t end = ATTR_MAX_VISIT_NAME, first = end, visits = 0;
		if (in_order) {
			for (size_t k = nv; k-- > 0 && visits < ATTR_MAX_VISIT_NAME;) {
				const txn_t *x = v[k];
				if (!x)
					continue;
				visits++;
				if (x->e.ts < lo)
					break;
				if (x->e.ts <= T)
					w->range[--first] = x;
			}
		} else {
			first = end = 0;
			for (size_t k = 0; k < nv && visits < ATTR_MAX_VISIT_NAME; k++) {
				const txn_t *x = v[k];
				if (!x)
					continue;
				visits++;
				if (x->e.ts > T)
					break;
				if (x->e.ts >= lo)
					w->range[end++] = x;
			}
		}
		for (size_t j = first; j < end; j++) {
			const txn_t *x = w->range[j];
			if (x == t || x->qhash != w->set[i] || !upstream_sender(x, t))
				continue;
			if (x->e.ts < t0 && (concluded || (x->answered && x->answer_ts < t0)))
				continue; /* finished before the client asked */
			if (w->n >= ATTR_MAX_CAND)
				break;
			w->cand[w->n++] = x;
			if (x->answered && x->answer_ts <= T && x->learn) {
				for (uint8_t k = 0; k < x->learn->n_learned; k++)
					add_set(w, x->learn->learned[k]);
				for (uint8_t k = 0; k < x->learn->n_ns && w->nns < ATTR_MAX_REL;
				     k++)
					w->ns[w->nns++] = x->learn->ns[k];
			}
		}
	}
	qsort(w->cand, w->n, sizeof(w->cand[0]), by_time);
}

/* ---- outcomes ------------------------------------------------------------- */

static int icmp_quotes(const evrec_t *r, const txn_t *x)
{
	return r->flow.proto == x->key.transport && r->flow.sport == x->key.cport &&
	       r->flow.dport == x->key.sport && db_addr_eq(&r->flow.src, &x->key.client) &&
	       db_addr_eq(&r->flow.dst, &x->key.server) && (!r->has_qid || r->qid == x->key.id);
}

/* The attempt was refused by an ICMP error of this version, type, code. */
static void refused(attempt_t *at, uint8_t version, uint8_t type, uint8_t code)
{
	at->outcome = VD_OUT_ICMP;
	at->icmp_version = version;
	at->icmp_type = type;
	at->icmp_code = code;
}

static uint8_t judge(const txn_t *x, db_time_t T)
{
	if (x->answered && x->answer_ts <= T) {
		if (x->tc)
			return VD_OUT_TRUNCATED;
		switch (x->rcode & 0xf) {
		case DNS_R_NOERROR:
		case DNS_R_NXDOMAIN: return VD_OUT_ANSWERED;
		default: return VD_OUT_ERROR;
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
	for (size_t i = 0; i < w->nservers; i++)
		if (db_addr_eq(&w->servers[i], s))
			return 1;
	return 0;
}

/* The transport events about the servers of the attempts, from the event
 * log's per-server chains, newest first, back to `from`. */
static void server_events(attr_t *a, db_time_t from, db_time_t T, walk_t *w)
{
	/* Events matter only for attempts left without an answer or answered
	 * with TC=1 (an ICMP error without a DNS id, lost fragments, the TCP
	 * retry), and for TCP: otherwise every attempt speaks for itself. */
	int need = 0;
	for (size_t i = 0; i < w->nat && !need; i++)
		need = w->at[i].outcome == VD_OUT_TIMEOUT || w->at[i].outcome == VD_OUT_PENDING ||
		       w->at[i].outcome == VD_OUT_TCP_TIMEOUT ||
		       w->at[i].outcome == VD_OUT_TRUNCATED || w->at[i].transport == DB_PROTO_TCP;
	if (!need)
		return;
	for (size_t i = 0; i < w->nat && w->nservers < ATTR_MAX_SERVERS; i++)
		if (!server_known(w, &w->at[i].server))
			w->servers[w->nservers++] = w->at[i].server;
	for (size_t s = 0; s < w->nservers; s++) {
		size_t visits = 0;
		for (const evrec_t *r = evlog_server_newest(a->ev, &w->servers[s]);
		     r && r->ts >= from && visits < ATTR_MAX_VISIT_SERVER;
		     r = evlog_server_older(a->ev, r), visits++) {
			/* Later than the resolver gave up (ICMP errors may trail
			 * by a second; lost fragments are reported late): not
			 * about these attempts.  (The chain holds only this
			 * server's records.) */
			if (r->kind != CAP_EV_FRAG_EXPIRED && r->ts > T + 1000000)
				continue;
			if (r->kind == CAP_EV_ICMP && w->nicmp < ATTR_MAX_EV)
				w->icmp[w->nicmp++] = r;
			else if (r->kind == CAP_EV_TCP && w->ntcp < ATTR_MAX_EV) {
				w->tcp_srv[w->ntcp] = (uint8_t)s;
				w->tcp[w->ntcp++] = r;
			} else if (r->kind == CAP_EV_FRAG_EXPIRED && w->nfrag < ATTR_MAX_EV)
				w->frag[w->nfrag++] = r;
		}
	}
}

/* Each related query as the resolver saw it when it gave up, with the
 * ICMP error or lost fragments attached to it on arrival. */
static void query_outcomes(const db_time_t T, walk_t *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const txn_t *x = w->cand[i];
		attempt_t *at = &w->at[w->nat++];
		memset(at, 0, sizeof(*at));
		at->x = x;
		at->ts = x->e.ts;
		at->server = x->key.server;
		at->transport = x->key.transport;
		at->outcome = judge(x, T);
		if (x->frag_lost &&
		    (at->outcome == VD_OUT_TIMEOUT || at->outcome == VD_OUT_PENDING))
			at->outcome = VD_OUT_FRAG_LOSS;
		if (x->icmp_ts && x->icmp_ts <= T + 1000000 &&
		    (at->outcome == VD_OUT_TIMEOUT || at->outcome == VD_OUT_TCP_TIMEOUT ||
		     at->outcome == VD_OUT_PENDING)) {
			refused(at, x->icmp_version, x->icmp_type, x->icmp_code);
		}
	}
}

/* ICMP errors without a DNS id, and lost fragment trains without one,
 * matched by flow among the servers' events. */
static void event_outcomes(db_time_t T, walk_t *w)
{
	for (size_t k = 0; k < w->nicmp; k++) {
		const evrec_t *r = w->icmp[k];
		if (r->ts > T + 1000000)
			continue;
		for (size_t i = 0; i < w->nat; i++) {
			attempt_t *at = &w->at[i];
			if (at->x &&
			    (at->outcome == VD_OUT_TIMEOUT || at->outcome == VD_OUT_TCP_TIMEOUT ||
			     at->outcome == VD_OUT_PENDING || at->outcome == VD_OUT_ICMP) &&
			    icmp_quotes(r, at->x))
				refused(at, r->icmp_version, r->icmp_type, r->icmp_code);
		}
	}
	for (size_t k = 0; k < w->nfrag; k++) {
		const evrec_t *r = w->frag[k];
		/* An answer in fragments: server -> resolver side. */
		for (size_t i = 0; i < w->nat; i++) {
			attempt_t *at = &w->at[i];
			if (!at->x ||
			    (at->outcome != VD_OUT_TIMEOUT && at->outcome != VD_OUT_PENDING) ||
			    !db_addr_eq(&r->flow.src, &at->x->key.server) ||
			    !db_addr_eq(&r->flow.dst, &at->x->key.client))
				continue;
			if (r->have_first && (r->flow.dport != at->x->key.cport ||
					      r->flow.proto != at->x->key.transport))
				continue;
			at->outcome = VD_OUT_FRAG_LOSS;
		}
	}
}

static void handshakes(const txn_t *t, db_time_t T, walk_t *w)
{
	/* Handshakes towards a server of this resolution, judged when the
	 * resolver gave up: a SYN answered by RST, or by nothing.  One pass,
	 * oldest first, over a map of connections by (server, port): the
	 * first SYN opens one (later ones are retransmissions), a SYN-ACK or
	 * RST from the server to that port answers it. */
	hs_t *hs = w->hs;
	size_t nhs = 0;
	if (!w->ntcp)
		return; /* most verdicts: no map to clear (2 KiB) */
	memset(w->hs_slot, 0xff, sizeof(w->hs_slot));
	for (size_t i = w->ntcp; i-- > 0;) {
		const evrec_t *r = w->tcp[i];
		int syn = r->tcp_kind == CAP_TCP_SYN;
		if (syn ? r->flow.dport != 53 || db_addr_eq(&r->flow.src, &t->key.client) ||
			      r->ts > T
			: r->flow.sport != 53 || r->ts > T)
			continue;
		uint16_t port = syn ? r->flow.sport : r->flow.dport;
		uint32_t key = (uint32_t)w->tcp_srv[i] << 16 | port;
		size_t b = (key * 2654435761u) % ATTR_HS_SLOTS;
		while (w->hs_slot[b] != 0xffff && hs[w->hs_slot[b]].key != key)
			b = (b + 1) % ATTR_HS_SLOTS;
		if (w->hs_slot[b] == 0xffff) {
			if (!syn || nhs >= ATTR_MAX_EV)
				continue; /* an answer to a SYN before the evidence began */
			w->hs_slot[b] = (uint16_t)nhs;
			hs[nhs++] = (hs_t){ key, r, 0, 0 };
		} else if (!syn) {
			if (r->tcp_kind == CAP_TCP_RST)
				hs[w->hs_slot[b]].reset = 1;
			else
				hs[w->hs_slot[b]].answered = 1;
		}
	}
	for (size_t i = 0; i < nhs && w->nat < ATTR_MAX_CAND + ATTR_MAX_EV; i++) {
		const evrec_t *syn = hs[i].syn;
		/* A handshake that completed is judged by the query it carried
		 * (a transaction); a later RST only closed it. */
		if (hs[i].answered)
			continue;
		attempt_t *at = &w->at[w->nat++];
		memset(at, 0, sizeof(*at));
		at->ts = syn->ts;
		at->server = syn->flow.dst;
		at->from = syn->flow.src;
		at->from_port = syn->flow.sport;
		at->transport = DB_PROTO_TCP;
		/* A SYN still unanswered when the resolver gave up is a
		 * timeout only if it was old enough to be one. */
		at->outcome = hs[i].reset                      ? VD_OUT_TCP_RESET
			      : T - syn->ts < ATTR_MIN_TIMEOUT ? VD_OUT_PENDING
							       : VD_OUT_TCP_TIMEOUT;
		/* A firewall may answer the SYN with an ICMP error instead. */
		for (size_t j = 0; j < w->nicmp; j++) {
			const evrec_t *r = w->icmp[j];
			if (r->flow.proto == DB_PROTO_TCP && r->flow.sport == syn->flow.sport &&
			    r->flow.dport == syn->flow.dport &&
			    db_addr_eq(&r->flow.src, &syn->flow.src) &&
			    db_addr_eq(&r->flow.dst, &syn->flow.dst))
				refused(at, r->icmp_version, r->icmp_type, r->icmp_code);
		}
	}
}

/* The NS names of the zones above the query (and above the CNAME targets),
 * learned from referrals whenever they came: the resolver may have had
 * them cached. */
static void known_ns(attr_t *a, walk_t *w)
{
	for (size_t c = 0; c <= w->ntargets; c++) {
		uint64_t th[130];
		const uint64_t *h = w->anc;
		size_t nh = w->nanc;
		if (c) {
			h = th;
			nh = dns_name_suffix_hashes(&w->targets[c - 1], th, 130);
		}
		for (size_t i = 0; i < nh; i++) {
			const uint64_t *ns;
			size_t k = model_cut_ns(a->model, h[i], &ns);
			for (size_t j = 0; j < k && w->nns < ATTR_MAX_REL; j++)
				w->ns[w->nns++] = ns[j];
		}
	}
}

static void ns_unresolvable(walk_t *w)
{
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
			if (!y || y->qhash != at->x->qhash ||
			    (y->qtype != DNS_T_A && y->qtype != DNS_T_AAAA))
				continue;
			if (y->answered && y->has_answer)
				other_ok = 1;
			if (y->qtype != at->x->qtype && y->answered)
				other_tried = 1;
		}
		if (!other_ok && (nx || other_tried))
			at->outcome = VD_OUT_LAME;
	}
}

static void tc_fallback(walk_t *w)
{
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
}

/* A query to a server that answers the queries around it with ICMP errors
 * is refused the same way even when its own error is missing from the
 * capture (dropped, or rate-limited by the router that sends them): BIND
 * under load sends bursts of hundreds of queries to a refusing server, and
 * the one whose error went missing must not turn the verdict into a
 * timeout.  One pass each way over the attempts in time order, keeping
 * the nearest ICMP error per server. */
#define ATTR_ICMP_NEAR (1000 * 1000LL)

static void icmp_neighbours(walk_t *w)
{
	db_addr_t srv[ATTR_MAX_SERVERS];
	const attempt_t *near[ATTR_MAX_SERVERS];
	for (int dir = 0; dir < 2; dir++) {
		size_t ns = 0;
		for (size_t k = 0; k < w->nat; k++) {
			attempt_t *at = &w->at[dir ? w->nat - 1 - k : k];
			size_t s = 0;
			while (s < ns && !db_addr_eq(&srv[s], &at->server))
				s++;
			if (s == ns) {
				if (ns == ATTR_MAX_SERVERS)
					continue;
				srv[ns] = at->server;
				near[ns++] = NULL;
			}
			if (at->outcome == VD_OUT_ICMP && at->transport == DB_PROTO_UDP) {
				near[s] = at;
			} else if (at->outcome == VD_OUT_TIMEOUT && near[s] &&
				   (dir ? near[s]->ts - at->ts : at->ts - near[s]->ts) <=
				       ATTR_ICMP_NEAR)
				refused(at, near[s]->icmp_version, near[s]->icmp_type,
					near[s]->icmp_code);
		}
	}
}

/* The attempts in time order, those of equal times in the order they
 * were added (handshakes were appended after the queries): an insertion
 * sort of their indexes from the first out of order, then each attempt
 * moved once (a query never answered gathers some seventy, most of them
 * moved by a sort of the attempts themselves). */
static void sort_attempts(walk_t *w)
{
	size_t n = w->nat, first = 1;
	while (first < n && w->at[first - 1].ts <= w->at[first].ts)
		first++;
	if (first >= n)
		return;
	for (size_t i = 0; i < n; i++)
		w->order[i] = (uint16_t)i;
	for (size_t i = first; i < n; i++) {
		uint16_t x = w->order[i];
		size_t j = i;
		while (j > 0 && w->at[w->order[j - 1]].ts > w->at[x].ts) {
			w->order[j] = w->order[j - 1];
			j--;
		}
		w->order[j] = x;
	}
	size_t from = 0;
	while (w->order[from] == from)
		from++;
	for (size_t i = from; i < n; i++)
		w->moved[i] = w->at[w->order[i]];
	memcpy(&w->at[from], &w->moved[from], (n - from) * sizeof(w->at[0]));
}

/* Outcomes of the related attempts, then the failed handshakes, in time
 * order. */
static void outcomes(attr_t *a, const txn_t *t, db_time_t T, walk_t *w)
{
	query_outcomes(T, w);
	server_events(a, t->e.ts - ATTR_COALESCE, T, w);
	event_outcomes(T, w);
	handshakes(t, T, w);
	known_ns(a, w);
	ns_unresolvable(w);
	tc_fallback(w);
	sort_attempts(w);
	icmp_neighbours(w);
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
	case 1: *out = (ede_map_t){ VD_DNSSEC, "unsupported_algorithm" }; return 1;
	case 2: *out = (ede_map_t){ VD_DNSSEC, "unsupported_digest" }; return 1;
	case 6: *out = (ede_map_t){ VD_DNSSEC, "bogus" }; return 1;
	case 7: *out = (ede_map_t){ VD_DNSSEC, "signature_expired" }; return 1;
	case 8: *out = (ede_map_t){ VD_DNSSEC, "signature_not_yet_valid" }; return 1;
	case 9: *out = (ede_map_t){ VD_DNSSEC, "dnskey_missing" }; return 1;
	case 10: *out = (ede_map_t){ VD_DNSSEC, "rrsig_missing" }; return 1;
	case 11: *out = (ede_map_t){ VD_DNSSEC, "no_zone_key_bit" }; return 1;
	case 12: *out = (ede_map_t){ VD_DNSSEC, "nsec_missing" }; return 1;
	case 13: *out = (ede_map_t){ VD_NO_UPSTREAM, "cached_failure" }; return 1;
	case 15:
	case 16:
	case 17:
	case 18: *out = (ede_map_t){ VD_NO_UPSTREAM, "policy" }; return 1;
	case 20: *out = (ede_map_t){ VD_UPSTREAM_ERROR, "lame_delegation" }; return 1;
	case 21: *out = (ede_map_t){ VD_UPSTREAM_ERROR, "notimp" }; return 1;
	case 22: *out = (ede_map_t){ VD_TIMEOUT, "no_reachable_authority" }; return 1;
	case 23: *out = (ede_map_t){ VD_BLOCKED_PORT, "network_error" }; return 1;
	default: return 0;
	}
}

/* ---- the verdict ---------------------------------------------------------- */

/* The zone a failure belongs to: the deepest cut above the name of the
 * attempt that failed last.  A server named by a delegation that does not
 * resolve breaks the delegation, not the zone the server's name is in. */
static void broken_zone(attr_t *a, const txn_t *t, const walk_t *w, const attempt_t *last,
			dns_name_t *out)
{
	if (last && last->x && last->outcome == VD_OUT_LAME) {
		for (size_t i = w->nat; i-- > 0;) {
			const txn_t *x = w->at[i].x;
			if (!x || !x->referral)
				continue;
			for (uint8_t k = 0; x->learn && k < x->learn->n_ns; k++)
				if (x->learn->ns[k] == last->x->qhash &&
				    model_cut_name(a->model, x->cut, out))
					return;
		}
		if (model_zone_of(a->model, t->qname, out))
			return;
	}
	const dns_name_t *name = last && last->x ? last->x->qname
				 : w->ntargets   ? &w->targets[w->ntargets - 1]
						 : t->qname;
	if (!model_zone_of(a->model, name, out))
		dns_name_set(out, name);
}

/* A delegation on the way to the name whose NS names were all found not
 * to resolve: the resolver learned it earlier and asks nothing more (the
 * referral alone, or nothing at all).  1 and the cut's name, or 0. */
static int dead_delegation(attr_t *a, const txn_t *t, const walk_t *w, db_time_t T, dns_name_t *out)
{
	uint64_t cuts[ATTR_MAX_SERVERS];
	size_t nc = 0;
	dns_name_t z;
	for (size_t i = 0; i < w->nat && nc < ATTR_MAX_SERVERS - MODEL_CNAME_HOPS - 1; i++)
		if (w->at[i].x && w->at[i].x->referral && w->at[i].x->cut)
			cuts[nc++] = w->at[i].x->cut;
	if (model_zone_of(a->model, t->qname, &z))
		cuts[nc++] = dns_name_hash(&z);
	for (size_t c = 0; c < w->ntargets; c++)
		if (model_zone_of(a->model, &w->targets[c], &z))
			cuts[nc++] = dns_name_hash(&z);
	for (size_t i = 0; i < nc; i++)
		if (model_cut_dead(a->model, cuts[i], T) && model_cut_name(a->model, cuts[i], out))
			return 1;
	return 0;
}

/* Whether an identical question (name and type) asked before t failed
 * while t waited, at most ATTR_TOGETHER before t's answer: the failure t
 * was answered with. */
static int answered_together(const attr_t *a, const txn_t *t, model_root_t *j)
{
	return model_root_in_flight(a->model, model_key_question(t->qhash, t->qtype), t->e.ts,
				    t->answer_ts, j) &&
	       t->answer_ts - j->time <= ATTR_TOGETHER;
}

/* The root failure this query may repeat, in the design's order: the same
 * question failed before it was asked; an identical query was in flight;
 * the zone its name (or a CNAME target the resolver knew) lands in failed
 * before it gave up. */
static const model_root_t *find_root(attr_t *a, const txn_t *t, const walk_t *w, db_time_t T,
				     uint8_t *kind, model_root_t *r)
{
	uint64_t q = model_key_question(t->qhash, t->qtype);
	if (model_root_get(a->model, q, t->e.ts, r)) {
		*kind = DECIDE_ROOT_QUESTION;
		return r;
	}
	/* Answered together with the query it joined: within a second. */
	if (model_root_in_flight(a->model, q, t->e.ts, T + 1000000, r)) {
		*kind = DECIDE_ROOT_IN_FLIGHT;
		return r;
	}
	/* The end of the CNAME chain first: the answer fails where the chain
	 * ends, and the alias's own zone is usually healthy. */
	*kind = DECIDE_ROOT_ZONE;
	for (size_t c = 0; c < w->ntargets; c++) {
		const dns_name_t *n = &w->targets[w->ntargets - 1 - c];
		size_t off = 0;
		uint64_t h;
		while (dns_name_next_suffix_hash(n, &off, &h))
			if (model_root_get(a->model, model_key_zone(h), T, r))
				return r;
	}
	for (size_t i = 0; i < w->nanc; i++)
		if (model_root_get(a->model, model_key_zone(w->anc[i]), T, r))
			return r;
	*kind = DECIDE_ROOT_NONE;
	return NULL;
}

/* Whether a root failure of the same question, or of the zone the name or
 * a CNAME target the resolver knew lands in, happened before the client
 * asked: then work in flight at that moment is not this query's. */
static int concluded_before(attr_t *a, const txn_t *t, const walk_t *w)
{
	if (model_root_get(a->model, model_key_question(t->qhash, t->qtype), t->e.ts, NULL))
		return 1;
	dns_name_t z;
	for (size_t c = 0; c <= w->ntargets; c++) {
		const dns_name_t *n = c < w->ntargets ? &w->targets[c] : t->qname;
		if (model_zone_of(a->model, n, &z) &&
		    model_root_get(a->model, model_key_zone(dns_name_hash(&z)), t->e.ts, NULL))
			return 1;
	}
	return 0;
}

/* DNSSEC: re-verify what the capture holds — the related answers, and the
 * DS and DNSKEY answers the model kept for the zones above the names
 * concerned, however long ago they came. */
static void check_chain(attr_t *a, const txn_t *t, db_time_t T, const walk_t *w, verdict_t *v)
{
	const txn_t *ans[ATTR_MAX_CAND];
	size_t na = 0;
	const dns_name_t *names[MODEL_CNAME_HOPS + 17];
	size_t nn = 0;
	names[nn++] = t->qname;
	for (size_t c = 0; c < w->ntargets; c++)
		names[nn++] = &w->targets[c];
	for (size_t i = 0; i < w->nat && nn < sizeof(names) / sizeof(names[0]); i++)
		if (w->at[i].x && w->at[i].x->rrsig && w->at[i].x->answered)
			names[nn++] = w->at[i].x->qname;
	for (size_t i = 0; i < nn && na < ATTR_MAX_CAND - 32; i++) {
		const txn_t *k[32];
		size_t nk = model_keys_for(a->model, names[i], k, 32);
		for (size_t j = 0; j < nk; j++) {
			int dup = 0;
			for (size_t d = 0; d < na && !dup; d++)
				dup = ans[d] == k[j];
			if (!dup)
				ans[na++] = k[j];
		}
	}
	size_t nkeys = na;
	for (size_t i = 0; i < w->nat && na < ATTR_MAX_CAND; i++)
		if (w->at[i].x && w->at[i].x->answered && w->at[i].x->answer_ts <= T)
			ans[na++] = w->at[i].x;
	if (na > nkeys) {
		chain_check(a->chain, &a->store, ans, na, &v->dnssec);
		v->dnssec_checked = 1;
	}
}

/* DNSSEC breaks that hold for the whole zone (its keys, its DS, its
 * missing signatures), as opposed to one bad RRset. */
static int zone_wide(const chain_result_t *r)
{
	return r->type == DNS_T_DNSKEY || r->type == DNS_T_DS ||
	       strcmp(r->detail, "ds_mismatch") == 0 || strcmp(r->detail, "dnskey_missing") == 0 ||
	       strcmp(r->detail, "rrsig_missing") == 0;
}

/* A verdict as the root failure later repeats point at. */
static void root_of(const verdict_t *v, db_time_t asked, db_time_t failed, int server_side,
		    model_root_t *r)
{
	memset(r, 0, sizeof(*r));
	r->query_time = asked;
	r->time = failed;
	r->cause = v->cause;
	r->detail = v->detail;
	r->qname = v->qname;
	r->qtype = v->qtype;
	r->zone = v->zone;
	r->client = v->client;
	r->client_port = v->client_port;
	r->id = v->id;
	r->server_side = (uint8_t)server_side;
}

static void remember(attr_t *a, const txn_t *t, const verdict_t *v, db_time_t failed,
		     int server_side)
{
	model_root_t r;
	root_of(v, t->e.ts, failed, server_side, &r);
	model_root_put(a->model, model_key_question(t->qhash, t->qtype), &r);
	if (v->cause == VD_DNSSEC) {
		if (v->dnssec_checked && v->dnssec.found) {
			model_root_put(
			    a->model,
			    model_key_question(dns_name_hash(&v->dnssec.owner), v->dnssec.type),
			    &r);
			if (zone_wide(&v->dnssec))
				model_root_put(a->model,
					       model_key_zone(dns_name_hash(&v->dnssec.zone)), &r);
		}
		return;
	}
	/* A TC=1 answer that was never retried over TCP says nothing of the
	 * zone's other names (most answers fit in UDP). */
	if (v->detail && strcmp(v->detail, "no_tcp_retry") == 0)
		return;
	if (!dns_name_eq(&v->zone, t->qname) || server_side)
		model_root_put(a->model, model_key_zone(dns_name_hash(&v->zone)), &r);
}

/* What a verdict may change: the failure memory (normal), nothing and no
 * decision (audit), nothing (tentative). */
enum { MODE_NORMAL = 0, MODE_AUDIT = 1, MODE_TENTATIVE = 2 };

static void verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v, int mode,
		    const model_root_t *given);

/* A SERVFAIL with no attempt and no root failure concluded yet: the
 * oldest query into its zone still open, older than it, may be the
 * failure it repeats (the resolver held the zone's servers down while
 * that one waited, never to be answered).  Judged aside, as far as its
 * evidence goes at the SERVFAIL; its failed attempts make the root. */
static const txn_t *open_get(const attr_t *a, unsigned map, uint64_t k, const txn_t *t)
{
	const txn_t *q = openq_get(&a->open, map, k);
	return q && q != t && q->e.ts < t->e.ts ? q : NULL;
}

/* The open query q as a root for t: its own failed attempts by the time
 * t failed. */
static int open_judge(attr_t *a, const txn_t *t, const txn_t *q, model_root_t *r)
{
	verdict_t *v = a->scratch_v;
	verdict(a, q, t->answer_ts, v, MODE_TENTATIVE, NULL);
	if (v->cause == VD_NO_UPSTREAM || v->cause == VD_UNKNOWN ||
	    (!v->n_failed && !v->repeats_time))
		return 0;
	if (v->repeats_time) {
		memset(r, 0, sizeof(*r));
		/* It repeats a failure itself: that one is the root. */
		r->query_time = v->repeats_time;
		r->time = v->repeats_time;
		r->cause = v->repeats_cause;
		r->detail = v->repeats_detail;
		r->qname = v->repeats_qname;
		r->qtype = v->repeats_qtype;
		r->zone = v->zone;
		r->client = v->repeats_client;
		r->client_port = v->repeats_client_port;
		r->id = v->repeats_id;
		r->query_time = v->repeats_query_time;
		r->server_side = r->cause == VD_TIMEOUT || r->cause == VD_BLOCKED_PORT ||
				 r->cause == VD_TRUNCATION;
		return 1;
	}
	/* It failed when its last attempt before t's SERVFAIL failed. */
	db_time_t failed = v->query_time;
	for (uint16_t i = 0; i < v->n_up; i++)
		if (v->up[i].outcome != VD_OUT_ANSWERED && v->up[i].outcome != VD_OUT_PENDING &&
		    v->up[i].ts > failed && v->up[i].ts <= t->answer_ts)
			failed = v->up[i].ts;
	root_of(v, q->e.ts, failed,
		v->cause == VD_TIMEOUT || v->cause == VD_BLOCKED_PORT || v->cause == VD_TRUNCATION,
		r);
	return 1;
}

static int open_root(attr_t *a, const txn_t *t, int alias, model_root_t *r)
{
	/* The same question first; then the zone, unless the name is an
	 * alias (its failure is where the chain lands, not in its zone). */
	const txn_t *q = open_get(a, OPENQ_QUESTION, model_key_question(t->qhash, t->qtype), t);
	if (q && open_judge(a, t, q, r))
		return 1;
	uint64_t z = alias ? 0 : model_zone_hash(a->model, t->qname, t->qhash);
	const txn_t *qz = z ? open_get(a, OPENQ_ZONE, z, t) : NULL;
	return qz && qz != q && open_judge(a, t, qz, r);
}

void attr_verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v)
{
	verdict(a, t, now, v, MODE_NORMAL, NULL);
	model_root_t r;
	if (t->answered && v->cause == VD_NO_UPSTREAM && !v->repeats_time && !v->n_failed &&
	    open_root(a, t, ((walk_t *)a->scratch)->ntargets > 0, &r))
		verdict(a, t, now, v, MODE_NORMAL, &r);
}

void attr_verdict_tentative(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v)
{
	verdict(a, t, now, v, MODE_TENTATIVE, NULL);
}

int attr_audit(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v)
{
	verdict(a, t, now, v, MODE_AUDIT, NULL);
	return v->dnssec_checked;
}

/* Who asked what, when, and what the resolver said (its EDE). */
static void identity(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v)
{
	memset(v, 0, offsetof(verdict_t, up));
	v->answered = t->answered;
	v->time = t->answered ? t->answer_ts : now;
	v->query_time = t->e.ts;
	v->client = t->key.client;
	v->resolver = t->key.server;
	v->client_port = t->key.cport;
	v->transport = t->key.transport;
	v->id = t->key.id;
	dns_name_set(&v->qname, t->qname);
	v->qtype = t->qtype;
	for (uint8_t i = 0; i < t->n_ede && i < VD_MAX_EDE; i++) {
		v->ede[i].code = t->ede->code[i];
		/* NUL-terminated within its TXN_EDE_TEXT bytes */
		memcpy(v->ede[i].text, t->ede->text[i],
		       TXN_EDE_TEXT < VD_EDE_TEXT ? TXN_EDE_TEXT : VD_EDE_TEXT);
		v->ede[i].text[VD_EDE_TEXT - 1] = 0;
		v->n_ede++;
	}
	/* Once a second of capture time (verdicts judged silently at the end
	 * of the input go back in time: they do not count). */
	if (now > a->vantage_at + 1000000 || a->vantage_at == 0) {
		a->vantage = roles_vantage(a->roles);
		a->vantage_at = now;
	}
}

/* The evidence list of the verdict: the most recent attempts matter most. */
/* The referrals the model learned the zones of the name (and of the end
 * of its CNAME chain) from, earlier: the evidence pcap keeps them. */
static void learned_from(attr_t *a, const txn_t *t, const walk_t *w, verdict_t *v)
{
	const dns_name_t *names[2] = { t->qname,
				       w->ntargets ? &w->targets[w->ntargets - 1] : NULL };
	for (size_t i = 0; i < 2 && v->n_alias < VD_MAX_ALIAS; i++) {
		model_src_t s;
		if (names[i] && model_zone_src(a->model, names[i], &s) && s.answered < t->e.ts)
			v->alias[v->n_alias++] = (struct vd_alias){ s.asked, s.answered, s.server,
								    s.from, s.from_port };
	}
}

static void evidence_list(const walk_t *w, verdict_t *v)
{
	for (size_t c = 0; c < w->ntargets && v->n_alias < VD_MAX_ALIAS; c++) {
		const model_src_t *s = &w->target_src[c];
		v->alias[v->n_alias++] = (struct vd_alias){ s->asked, s->answered, s->server,
							    s->from, s->from_port };
	}
	v->n_up_total = (uint32_t)w->nat;
	size_t first = w->nat > VD_MAX_UPSTREAM ? w->nat - VD_MAX_UPSTREAM : 0;
	for (size_t i = first; i < w->nat; i++) {
		vd_upstream_t *u = &v->up[v->n_up++];
		const attempt_t *at = &w->at[i];
		memset(u, 0, sizeof(*u));
		u->ts = at->ts;
		u->server = at->server;
		u->from = at->x ? at->x->key.client : at->from;
		u->from_port = at->x ? at->x->key.cport : at->from_port;
		u->transport = at->transport;
		u->outcome = at->outcome;
		u->icmp_version = at->icmp_version;
		u->icmp_type = at->icmp_type;
		u->icmp_code = at->icmp_code;
		if (at->x) {
			dns_name_set(&u->qname, at->x->qname);
			u->qtype = at->x->qtype;
			u->rcode = at->x->rcode;
			u->aa = at->x->aa;
			u->tc = at->x->tc;
			u->referral = at->x->referral;
		} else {
			u->qname.len = 1;
		}
	}
}

/* The evidence summarised for the decision: the resolver's EDE, counts,
 * the attempt that failed last (returned), truncation, mixed failures. */
static const attempt_t *summarise(attr_t *a, const txn_t *t, const walk_t *w, const verdict_t *v,
				  decide_in_t *in)
{
	memset(in, 0, sizeof(*in));
	in->resolver_host = a->vantage == VANTAGE_RESOLVER_HOST;
	in->silent = !t->answered;
	ede_map_t em = { VD_UNKNOWN, NULL };
	for (uint8_t i = 0; i < v->n_ede && !in->have_ede; i++)
		if ((in->have_ede = (uint8_t)ede_cause(v->ede[i].code, &em)))
			in->ede_code = v->ede[i].code;
	in->ede_cause = em.cause;
	in->ede_detail = em.detail;

	const attempt_t *last = NULL, *tc = NULL;
	int probes_only = 1;
	in->n_attempts = (uint32_t)w->nat;
	for (size_t i = 0; i < w->nat; i++) {
		const attempt_t *at = &w->at[i];
		if (at->x && at->x->rrsig && at->outcome == VD_OUT_ANSWERED)
			in->any_rrsig = 1;
		if (at->outcome == VD_OUT_ANSWERED)
			in->n_answered++;
		if (at->outcome == VD_OUT_TRUNCATED)
			tc = at;
		else if (tc && at->transport == DB_PROTO_TCP &&
			 db_addr_eq(&at->server, &tc->server))
			in->tcp_after_tc = 1;
		if (at->outcome == VD_OUT_ICMP && !in->icmp_seen) {
			in->icmp_seen = 1;
			in->icmp_version = at->icmp_version;
			in->icmp_type = at->icmp_type;
			in->icmp_code = at->icmp_code;
		}
		if (at->outcome != VD_OUT_ANSWERED && at->outcome != VD_OUT_PENDING) {
			last = at;
			in->n_failed++;
			if (at->x)
				probes_only = 0;
			if (at->ts >= t->e.ts)
				in->own_failure = 1;
		}
	}
	/* Failures of another kind than the last one's. */
	for (size_t i = 0; i < w->nat && last; i++)
		if (w->at[i].outcome != VD_OUT_ANSWERED && w->at[i].outcome != VD_OUT_PENDING &&
		    w->at[i].outcome != last->outcome) {
			if (w->at[i].outcome == VD_OUT_TRUNCATED)
				in->mixed_tc = 1;
			else
				in->mixed = 1;
		}
	in->tc = tc != NULL;
	in->only_probes = (uint8_t)(in->n_failed && probes_only);
	if (last) {
		in->last_outcome = last->outcome;
		in->last_transport = last->transport;
		in->last_forwarder = (uint8_t)roles_is_resolver(a->roles, &last->server);
		in->last_rcode = last->x ? last->x->rcode : 0;
		in->last_icmp_version = last->icmp_version;
		in->last_icmp_type = last->icmp_type;
		in->last_icmp_code = last->icmp_code;
		in->tc_from_last = tc && db_addr_eq(&tc->server, &last->server);
	}
	return last;
}

/* DNSSEC, when the failure may be one of validation (no query failed, or
 * the resolver says so): the captured chain, or a break proven earlier
 * for the zone when the resolver had the records cached. */
static void dnssec_step(attr_t *a, const txn_t *t, db_time_t T, const walk_t *w, verdict_t *v,
			decide_in_t *in, int audit)
{
	int says = in->have_ede && in->ede_cause == VD_DNSSEC;
	if (in->n_failed && !in->only_probes && !says)
		return;
	check_chain(a, t, T, w, v);
	if (!(v->dnssec_checked && v->dnssec.found) && !audit &&
	    (says || in->any_rrsig || !w->nat)) {
		db_time_t when;
		const chain_result_t *b = model_broken_get(a->model, t->qname, T, &when);
		for (size_t c = 0; !b && c < w->ntargets; c++)
			b = model_broken_get(a->model, &w->targets[c], T, &when);
		if (b) {
			v->dnssec = *b;
			v->dnssec_checked = 1;
			v->dnssec_earlier = when;
			in->dnssec_from_memory = 1;
		}
	}
	if (v->dnssec_checked && v->dnssec.found) {
		in->dnssec_found = 1;
		in->dnssec_detail = v->dnssec.detail;
	}
}

/* The decision made, the verdict completed: where it broke, the root it
 * repeats, the EDE cross-check; a root failure is remembered for the
 * failures that will repeat it. */
static void conclude(attr_t *a, const txn_t *t, db_time_t T, const walk_t *w, verdict_t *v,
		     const decide_in_t *in, const model_root_t *root, const attempt_t *last,
		     const dns_name_t *lame_zone, int remember_root)
{
	decide_out_t out;
	decide(in, &out);
	v->cause = out.cause;
	v->detail = out.detail;
	v->confidence = out.confidence;
	v->via = out.via;
	if (out.from_root || (out.via == VD_VIA_COALESCED && root)) {
		v->repeats_time = root->time;
		v->repeats_cause = root->cause;
		v->repeats_detail = root->detail;
		v->repeats_qname = root->qname;
		v->repeats_qtype = root->qtype;
		v->repeats_client = root->client;
		v->repeats_client_port = root->client_port;
		v->repeats_id = root->id;
		v->repeats_query_time = root->query_time;
		v->zone = root->zone;
	} else if (v->cause == VD_DNSSEC && in->dnssec_found) {
		v->zone = v->dnssec.zone;
	} else if (lame_zone) {
		dns_name_set(&v->zone, lame_zone);
	} else {
		broken_zone(a, t, w, last, &v->zone);
	}
	v->ede_disagrees = (uint8_t)(in->have_ede && in->ede_cause != v->cause &&
				     v->cause != VD_NO_UPSTREAM &&
				     !(in->ede_code == 13 && out.from_root));
	if (v->ede_disagrees && v->confidence > VD_LOW)
		v->confidence--;
	if (!out.root || !remember_root)
		return;
	/* A query never answered failed when its last attempt failed, not
	 * when the window closed. */
	db_time_t failed = v->answered ? v->time : last ? last->ts : v->query_time;
	int server_side = v->cause == VD_TIMEOUT || v->cause == VD_BLOCKED_PORT ||
			  v->cause == VD_TRUNCATION ||
			  (v->detail && strcmp(v->detail, "lame_delegation") == 0);
	remember(a, t, v, failed, server_side);
	if (v->cause == VD_DNSSEC && v->dnssec_checked && v->dnssec.found && !v->dnssec_earlier)
		model_broken_put(a->model, &v->dnssec, T);
}

static void verdict(attr_t *a, const txn_t *t, db_time_t now, verdict_t *v, int mode,
		    const model_root_t *given)
{
	int audit = mode == MODE_AUDIT;
	walk_t *w = a->scratch;
	w->n = w->nset = w->nat = w->nns = w->nservers = w->nicmp = w->ntcp = w->nfrag = 0;
	w->ntargets = 0;
	identity(a, t, now, v);
	/* A query never answered: resolvers give up within about ten seconds
	 * (BIND 10 s, PowerDNS 7 s), so later traffic is no longer its work. */
	db_time_t T = t->answered ? t->answer_ts
				  : (now < t->e.ts + ATTR_GIVE_UP ? now : t->e.ts + ATTR_GIVE_UP);

	/* The name set: the query name, its ancestors, the CNAME chain the
	 * resolver knew; then the attempts and their outcomes. */
	w->nanc = dns_name_suffix_hashes(t->qname, w->anc, 130);
	for (size_t i = 0; i < w->nanc; i++)
		add_set(w, w->anc[i]);
	cname_targets(a, t->qname, T, w);
	gather(a, t, T, !audit && concluded_before(a, t, w), w);
	outcomes(a, t, T, w);
	evidence_list(w, v);
	learned_from(a, t, w, v);

	decide_in_t in;
	const attempt_t *last = summarise(a, t, w, v, &in);
	/* No attempt failed, yet the delegation leads nowhere: the model
	 * knows its NS names do not resolve. */
	dns_name_t lame_zone;
	int lame = !in.n_failed && dead_delegation(a, t, w, T, &lame_zone);
	if (lame) {
		in.n_failed = 1;
		in.from_model = 1;
		in.last_outcome = VD_OUT_LAME;
		for (size_t i = 0; i < w->nat && !in.own_failure; i++)
			in.own_failure = w->at[i].ts >= t->e.ts;
	}
	v->n_failed = in.n_failed;
	dnssec_step(a, t, T, w, v, &in, audit);
	if (audit)
		return;

	/* Failed at the moment an identical query asked before it failed: it
	 * joined that query's resolution (a resolver answers all the clients
	 * waiting on one fetch at once), though attempts of that resolution
	 * went on after it came.  That query's failure is its root. */
	model_root_t found;
	int joined = in.n_failed && in.own_failure && !in.only_probes && t->answered && !lame &&
		     answered_together(a, t, &found);
	if (joined)
		in.own_failure = 0;

	/* The failure memory, when the attempts do not explain it. */
	const model_root_t *root = NULL;
	if (!in.n_failed || in.only_probes || !in.own_failure) {
		uint8_t kind = DECIDE_ROOT_IN_FLIGHT; /* joined; else find_root says */
		root = joined ? &found : find_root(a, t, w, T, &kind, &found);
		if (!root && given) {
			root = given;
			kind = DECIDE_ROOT_ZONE;
		}
		if (root) {
			in.root_kind = kind;
			in.root_cause = root->cause;
			in.root_detail = root->detail;
			in.root_server_side = root->server_side;
		}
	}
	conclude(a, t, T, w, v, &in, root, last, lame ? &lame_zone : NULL, mode == MODE_NORMAL);
}
