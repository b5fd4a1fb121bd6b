/*
 * evidence.c - the evidence pcap (--save-evidence), a report made from the
 * verdicts: the spans of capture time whose packets show each SERVFAIL
 * incident's example (report.h).  capture/evidence.c matches frames to the
 * spans; capture/source.c reads the files again and writes the packets.
 *
 * Read again by dnsblame, the packets must give the example the same cause
 * and detail, and stay small enough to attach to a ticket.  A verdict rests
 * on its own exchanges and on what the resolver learned before, so the
 * spans of one verdict are:
 *   - the client's query and the SERVFAIL, by ports (over TCP, the
 *     connection from its handshake);
 *   - its upstream attempts, each by addresses and ports from when it was
 *     sent (its TCP handshake before) until its answer, ICMP error or reset
 *     (3 s at most, and never past the SERVFAIL): the query, the answer and
 *     its fragments, the ICMP errors quoting it.  An attempt that repeats
 *     another (the same question to the same server over the same transport,
 *     with the same outcome) adds only its place in time, so of each run
 *     the last is kept, and the first too where the order of kinds matters
 *     (TC=1 answers, TCP, ICMP errors);
 *   - the earlier exchanges the verdict names: the referrals and CNAME
 *     answers the resolver learned the zones and the chain from (alias[]),
 *     and the DNSKEY, DS and referral answers its DNSSEC chain was checked
 *     with, however old (dnssec.src[]);
 *   - for a delegation found to lead nowhere while the query was resolved
 *     (within EV_ANY_MAX) with no proof among the attempts, every packet
 *     of that time: the answer saying an NS name, or the ancestor of one a
 *     minimising resolver asked, does not exist, is not an attempt of the
 *     query's name set.
 * and it brings in the verdicts it rests on, found among those the tally
 * kept: a repeat's root failure as far as it had gone when the repeat was
 * judged (and that one's root), the verdict that proved a DNSSEC break
 * remembered for the zone, and the one that found a delegation to lead
 * nowhere.  Then, once: each resolver's first answer in the capture (a
 * query counts as a client's only to an address seen answering as a
 * resolver, and a root failure never answered may be the first query to
 * it in the evidence), the earliest upstream attempt of the verdicts kept
 * (without one the capture reads as taken on the client side), and the
 * first packet after the last SERVFAIL was judged (else the reader judges
 * it at the end of the input, after every query still open there).  Spans
 * of one flow that overlap are merged.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EV_SLACK 1000LL           /* 1 ms either side of an exchange */
#define EV_ANSWER (3 * 1000000LL) /* an attempt's answer, error or reset */
#define EV_HANDSHAKE 1000000LL    /* a TCP handshake before its first query */
#define EV_PEER (100 * 1000LL)    /* a server's packets, its resolver unknown */
#define EV_ANY_MAX (50 * 1000LL)  /* the longest time kept whole */
#define EV_JUDGED (2 * 1000000LL) /* a SERVFAIL is judged within 2 s */
#define EV_DEPTH 4                /* a repeat's root, that one's root, ... */
#define EV_SEEN 64                /* verdicts followed from one example */
#define EV_RESOLVERS 64           /* resolver addresses whose role is shown */

/* A verdict the tally kept, as the lookups need it; the verdict itself is
 * kept packed and unpacked only when followed. */
enum { EV_DNSSEC_PROOF = 1, EV_LAME = 2, EV_LAME_PROVEN = 4 };

typedef struct ev_ref {
	const uint8_t *packed; /* a group's example, or NULL: */
	size_t at;             /* the at-th verdict listed */
	db_addr_t client;
	uint16_t client_port, id;
	db_time_t query_time, time;
	uint64_t zone, dnssec_zone; /* dns_name_hash */
	uint8_t flags;              /* EV_* */
} ev_ref_t;

typedef struct ev {
	const tally_t *ty;
	ev_ref_t *refs;
	size_t nrefs;
	verdict_t *buf; /* a group's example unpacked */
	cap_span_t *s;
	size_t n, cap;
	int oom;
	db_time_t latest;            /* the last SERVFAIL among the verdicts */
	db_addr_t res[EV_RESOLVERS]; /* their resolvers */
	size_t nres;
	/* The earliest upstream attempt of the verdicts kept, and until when
	 * its answer may come. */
	db_addr_t up_server, up_from;
	uint16_t up_port;
	uint8_t up_transport;
	db_time_t up_ts, up_end;
} ev_t;

static void add(ev_t *e, cap_span_t sp)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;
		cap_span_t *s = realloc(e->s, cap * sizeof(*s));
		if (!s) {
			e->oom = 1;
			return;
		}
		e->s = s;
		e->cap = cap;
	}
	e->s[e->n++] = sp;
}

/* An exchange with a server on port 53 that began at `asked`: its packets
 * until `until`, and the ICMP errors quoting them. */
static void exchange(ev_t *e, const db_addr_t *server, const db_addr_t *from, uint16_t from_port,
		     db_time_t before, db_time_t asked, db_time_t until)
{
	static const db_addr_t none;
	if (db_addr_eq(from, &none)) {
		/* The resolver's side is not known: the server's packets,
		 * shortly. */
		db_time_t end = until < asked + EV_PEER ? until : asked + EV_PEER;
		add(e, (cap_span_t){ *server, none, 0, 0, asked - EV_SLACK, end, CAP_SPAN_PEER });
		return;
	}
	add(e, (cap_span_t){ *server, *from, 53, from_port, asked - before, until, CAP_SPAN_PAIR });
	add(e, (cap_span_t){ *server, *from, 53, from_port, asked, until, CAP_SPAN_ICMP });
}

/* Two attempts of one run: the same question to the same server over the
 * same transport, with the same outcome. */
static int same_run(const vd_upstream_t *a, const vd_upstream_t *b)
{
	return a->outcome == b->outcome && a->transport == b->transport && a->qtype == b->qtype &&
	       a->rcode == b->rcode && a->tc == b->tc && a->aa == b->aa &&
	       a->referral == b->referral && a->icmp_version == b->icmp_version &&
	       a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code &&
	       db_addr_eq(&a->server, &b->server) && dns_name_eq(&a->qname, &b->qname);
}

/* Whether attempt k of v shows what the other attempts of its run do not:
 * the last of the run (the decision reads the attempt that failed last),
 * or the first where the order of kinds matters (a TCP attempt after a
 * TC=1 answer; the first ICMP error names a reset's detail).  A root is
 * judged again as far as it had gone when its repeat was (`cut`, the
 * repeat's time), so the last of its run by then counts too. */
static int attempt_kept(const verdict_t *v, uint16_t k, db_time_t cut)
{
	const vd_upstream_t *u = &v->up[k];
	int first = 1, last = 1, last_by_cut = u->ts <= cut;
	for (uint16_t j = 0; j < v->n_up; j++) {
		if (j == k || !same_run(u, &v->up[j]))
			continue;
		if (j < k) {
			first = 0;
		} else {
			last = 0;
			if (v->up[j].ts <= cut)
				last_by_cut = 0;
		}
	}
	return last || last_by_cut ||
	       (first && (u->tc || u->outcome == VD_OUT_ICMP || u->transport == DB_PROTO_TCP));
}

/* A lame delegation none of whose proofs (an NS name, or an ancestor of
 * one, that does not exist) is among the verdict's attempts: the resolver
 * knew it. */
static int lame_unproven(const verdict_t *v)
{
	if (v->cause != VD_UPSTREAM_ERROR || !v->detail ||
	    strcmp(v->detail, "lame_delegation") != 0)
		return 0;
	for (uint16_t k = 0; k < v->n_up; k++)
		if (v->up[k].outcome == VD_OUT_LAME || (v->up[k].outcome == VD_OUT_ANSWERED &&
							(v->up[k].rcode & 0xf) == DNS_R_NXDOMAIN))
			return 0;
	return 1;
}

/* The same, found out while the query was resolved, quickly: the proof is
 * in the traffic of that time. */
static int lame_window(const verdict_t *v)
{
	return lame_unproven(v) && !v->repeats_time && v->via == VD_VIA_UPSTREAM && v->answered &&
	       v->time - v->query_time <= EV_ANY_MAX;
}

/* The spans of one verdict's own evidence, as far as it had gone at cut. */
static void verdict_spans(ev_t *e, const verdict_t *v, db_time_t cut)
{
	/* The client's query and the SERVFAIL: over UDP not the time
	 * between, when a client that keeps its port (a load generator) asks
	 * more; over TCP the connection from its handshake (a stream read
	 * with a hole is lost after it).  A query never answered: the query. */
	if (v->transport == DB_PROTO_TCP) {
		add(e, (cap_span_t){
			   v->client, v->resolver, v->client_port, 53, v->query_time - EV_HANDSHAKE,
			   (v->answered ? v->time : v->query_time) + EV_SLACK, CAP_SPAN_PAIR });
	} else {
		add(e, (cap_span_t){ v->client, v->resolver, v->client_port, 53,
				     v->query_time - EV_SLACK, v->query_time + EV_SLACK,
				     CAP_SPAN_PAIR });
		if (v->answered)
			add(e,
			    (cap_span_t){ v->client, v->resolver, v->client_port, 53,
					  v->time - EV_SLACK, v->time + EV_SLACK, CAP_SPAN_PAIR });
	}
	for (uint16_t k = 0; k < v->n_up; k++) {
		const vd_upstream_t *u = &v->up[k];
		if (!attempt_kept(v, k, cut))
			continue;
		/* Its answer, error or reset came before the SERVFAIL. */
		db_time_t end = u->ts + EV_ANSWER < v->time ? u->ts + EV_ANSWER
							    : v->time + EV_SLACK;
		if (end < u->ts + EV_SLACK)
			end = u->ts + EV_SLACK;
		exchange(e, &u->server, &u->from, u->from_port,
			 u->transport == DB_PROTO_TCP ? EV_HANDSHAKE : EV_SLACK, u->ts, end);
	}
	/* The referrals and CNAME answers it learned zones and the chain
	 * from, earlier (over UDP or TCP). */
	for (uint8_t k = 0; k < v->n_alias && k < VD_MAX_ALIAS; k++) {
		const struct vd_alias *al = &v->alias[k];
		exchange(e, &al->server, &al->from, al->from_port, EV_HANDSHAKE, al->asked,
			 al->answered + EV_SLACK);
	}
	/* The keys its DNSSEC chain was checked with, however old. */
	for (uint8_t k = 0; v->dnssec_checked && k < v->dnssec.n_src && k < CHAIN_MAX_SRC; k++) {
		const chain_src_t *c = &v->dnssec.src[k];
		exchange(e, &c->server, &c->from, c->from_port,
			 c->transport == DB_PROTO_TCP ? EV_HANDSHAKE : EV_SLACK, c->asked,
			 c->answered + EV_SLACK);
	}
	if (lame_window(v)) {
		static const db_addr_t none;
		add(e, (cap_span_t){ none, none, 0, 0, v->query_time, v->time, CAP_SPAN_ANY });
	}
	/* What the evidence must show of it besides: its resolver's role,
	 * and the time it was judged by. */
	if (v->answered && v->time > e->latest)
		e->latest = v->time;
	size_t i = 0;
	while (i < e->nres && !db_addr_eq(&e->res[i], &v->resolver))
		i++;
	if (i == e->nres && e->nres < EV_RESOLVERS)
		e->res[e->nres++] = v->resolver;
}

/* ---- the verdicts a verdict rests on ------------------------------------ */

static void ref_fill(ev_t *e, ev_ref_t *r, const verdict_t *v)
{
	static const db_addr_t none;
	for (uint16_t k = 0; k < v->n_up; k++) {
		const vd_upstream_t *u = &v->up[k];
		if (db_addr_eq(&u->from, &none) || (e->up_ts && u->ts >= e->up_ts))
			continue;
		e->up_server = u->server;
		e->up_from = u->from;
		e->up_port = u->from_port;
		e->up_transport = u->transport;
		e->up_ts = u->ts;
		e->up_end = u->ts + EV_ANSWER < v->time ? u->ts + EV_ANSWER : v->time + EV_SLACK;
	}
	r->client = v->client;
	r->client_port = v->client_port;
	r->id = v->id;
	r->query_time = v->query_time;
	r->time = v->time;
	r->zone = dns_name_hash(&v->zone);
	r->dnssec_zone = v->dnssec_checked && v->dnssec.found ? dns_name_hash(&v->dnssec.zone) : 0;
	r->flags = 0;
	if (v->cause == VD_DNSSEC && v->dnssec_checked && v->dnssec.found && !v->dnssec_earlier)
		r->flags |= EV_DNSSEC_PROOF;
	if (v->cause == VD_UPSTREAM_ERROR && v->detail &&
	    strcmp(v->detail, "lame_delegation") == 0) {
		r->flags |= EV_LAME;
		if (!lame_unproven(v))
			r->flags |= EV_LAME_PROVEN;
	}
}

/* The index of every verdict the tally kept: the list, then the groups'
 * examples.  0, or -1 when out of memory. */
static int index_refs(ev_t *e)
{
	const tally_t *ty = e->ty;
	size_t n = ty->list.n;
	for (const tally_group_t *g = tally_group_first(ty); g; g = tally_group_next(g))
		n += g->nex;
	e->refs = calloc(n ? n : 1, sizeof(*e->refs));
	e->buf = malloc(sizeof(verdict_t));
	if (!e->refs || !e->buf)
		return -1;
	for (size_t i = 0; i < ty->list.n; i++) {
		const verdict_t *v = vdlist_at(&ty->list, i);
		if (!v)
			continue;
		ev_ref_t *r = &e->refs[e->nrefs++];
		ref_fill(e, r, v);
		r->at = i;
	}
	for (const tally_group_t *g = tally_group_first(ty); g; g = tally_group_next(g))
		for (uint8_t i = 0; i < g->nex; i++) {
			ev_ref_t *r = &e->refs[e->nrefs++];
			vd_unpack(g->ex[i], e->buf);
			ref_fill(e, r, e->buf);
			r->packed = g->ex[i];
		}
	return 0;
}

/* A copy of the verdict r refers to (free with free()), or NULL. */
static verdict_t *ref_verdict(ev_t *e, const ev_ref_t *r)
{
	const verdict_t *v;
	if (r->packed) {
		vd_unpack(r->packed, e->buf);
		v = e->buf;
	} else if (!(v = vdlist_at(&e->ty->list, r->at))) {
		return NULL;
	}
	size_t bytes;
	verdict_t *c = vd_copy(v, &bytes);
	if (!c)
		e->oom = 1;
	return c;
}

/* The root failure v repeats: its client transaction. */
static const ev_ref_t *root_of(const ev_t *e, const verdict_t *v)
{
	for (size_t i = e->nrefs; i-- > 0;) {
		const ev_ref_t *r = &e->refs[i];
		if (r->id == v->repeats_id && r->client_port == v->repeats_client_port &&
		    r->query_time == v->repeats_query_time &&
		    db_addr_eq(&r->client, &v->repeats_client))
			return r;
	}
	return NULL;
}

/* The verdict that proved the DNSSEC break v's zone was remembered for:
 * the analysis remembers a break under the time of the verdict that proved
 * it from its own answers. */
static const ev_ref_t *dnssec_proof_of(const ev_t *e, const verdict_t *v)
{
	uint64_t z = dns_name_hash(&v->dnssec.zone);
	for (size_t i = e->nrefs; i-- > 0;) {
		const ev_ref_t *r = &e->refs[i];
		if ((r->flags & EV_DNSSEC_PROOF) && r->time == v->dnssec_earlier &&
		    r->dnssec_zone == z)
			return r;
	}
	return NULL;
}

/* The verdict that found v's delegation to lead nowhere, v's attempts not
 * showing it: the latest before v whose attempts do, else the earliest of
 * the zone (the resolver learned it then, maybe in its window). */
static const ev_ref_t *lame_proof_of(const ev_t *e, const verdict_t *v)
{
	uint64_t z = dns_name_hash(&v->zone);
	const ev_ref_t *proven = NULL, *earliest = NULL;
	for (size_t i = 0; i < e->nrefs; i++) {
		const ev_ref_t *r = &e->refs[i];
		if (!(r->flags & EV_LAME) || r->zone != z || r->time >= v->query_time)
			continue;
		if ((r->flags & EV_LAME_PROVEN) && (!proven || r->time > proven->time))
			proven = r;
		if (!earliest || r->time < earliest->time)
			earliest = r;
	}
	return proven ? proven : earliest;
}

/* The spans of v and of the verdicts it rests on, each once (a root once
 * for each repeat's time). */
static void example_spans(ev_t *e, const verdict_t *example)
{
	struct ev_todo {
		verdict_t *v; /* a copy */
		db_time_t cut;
		uint8_t depth;
	} todo[EV_SEEN];
	struct ev_seen {
		db_addr_t client;
		uint16_t client_port, id;
		db_time_t query_time, cut;
	} seen[EV_SEEN];
	size_t nseen = 0, ntodo = 0;
	size_t bytes;
	if (!(todo[0].v = vd_copy(example, &bytes))) {
		e->oom = 1;
		return;
	}
	todo[0].cut = INT64_MAX;
	todo[0].depth = 0;
	ntodo = 1;
	while (ntodo) {
		struct ev_todo x = todo[--ntodo];
		const verdict_t *v = x.v;
		int dup = nseen == EV_SEEN;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = seen[i].id == v->id && seen[i].client_port == v->client_port &&
			      seen[i].query_time == v->query_time && seen[i].cut == x.cut &&
			      db_addr_eq(&seen[i].client, &v->client);
		if (!dup) {
			seen[nseen++] = (struct ev_seen){ v->client, v->client_port, v->id,
							  v->query_time, x.cut };
			verdict_spans(e, v, x.cut);
		}
		const ev_ref_t *r[3] = { NULL, NULL, NULL };
		db_time_t cut[3] = { INT64_MAX, INT64_MAX, INT64_MAX };
		if (!dup && x.depth < EV_DEPTH) {
			/* A root is judged again when its repeat is, as far as
			 * it had gone then (open queries are roots too). */
			if (v->repeats_time) {
				r[0] = root_of(e, v);
				cut[0] = v->time;
			}
			if (v->dnssec_earlier)
				r[1] = dnssec_proof_of(e, v);
			if (!v->repeats_time && lame_unproven(v))
				r[2] = lame_proof_of(e, v);
		}
		for (int k = 0; k < 3; k++)
			if (r[k] && ntodo < EV_SEEN && (todo[ntodo].v = ref_verdict(e, r[k]))) {
				todo[ntodo].cut = cut[k];
				todo[ntodo++].depth = (uint8_t)(x.depth + 1);
			}
		free(x.v);
	}
}

/* ---- the spans, merged ---------------------------------------------------- */

static int by_flow(const void *x, const void *y)
{
	const cap_span_t *a = x, *b = y;
	int c = memcmp(&a->a, &b->a, sizeof(a->a));
	if (!c)
		c = memcmp(&a->b, &b->b, sizeof(a->b));
	if (!c)
		c = (a->kind > b->kind) - (a->kind < b->kind);
	if (!c)
		c = (a->aport > b->aport) - (a->aport < b->aport);
	if (!c)
		c = (a->bport > b->bport) - (a->bport < b->bport);
	if (!c)
		c = (a->from > b->from) - (a->from < b->from);
	return c;
}

/* Spans of one flow and kind that overlap become one (a CAP_SPAN_FIRST
 * stays as it is: it stands for one packet). */
static size_t merge(cap_span_t *s, size_t n)
{
	if (n == 0)
		return 0;
	qsort(s, n, sizeof(*s), by_flow);
	size_t m = 0;
	for (size_t i = 1; i < n; i++) {
		cap_span_t *p = &s[m];
		if (p->kind != CAP_SPAN_FIRST && p->kind == s[i].kind &&
		    db_addr_eq(&p->a, &s[i].a) && db_addr_eq(&p->b, &s[i].b) &&
		    p->aport == s[i].aport && p->bport == s[i].bport && s[i].from <= p->to) {
			if (s[i].to > p->to)
				p->to = s[i].to;
		} else {
			s[++m] = s[i];
		}
	}
	return m + 1;
}

cap_span_t *rp_evidence_spans(const tally_t *ty, size_t *n)
{
	static const db_addr_t none;
	ev_t e;
	memset(&e, 0, sizeof(e));
	e.ty = ty;
	*n = 0;
	if (index_refs(&e) < 0)
		e.oom = 1;
	for (const tally_group_t *g = tally_group_first(ty); g && !e.oom; g = tally_group_next(g)) {
		if (g->key.kind != VD_KIND_SERVFAIL || !g->nex)
			continue;
		/* The example the reports show. */
		const verdict_t *v = tally_example(ty, g);
		if (v)
			example_spans(&e, v);
	}
	/* The resolver's upstream side, early: a capture with no iterative
	 * query reads as taken on the client side (a SERVFAIL with no attempt
	 * is then not no_upstream but unknown). */
	if (e.up_ts && e.n)
		exchange(&e, &e.up_server, &e.up_from, e.up_port,
			 e.up_transport == DB_PROTO_TCP ? EV_HANDSHAKE : EV_SLACK, e.up_ts,
			 e.up_end);
	/* Each resolver's first answer: it shows the address acting as a
	 * resolver before any query to it is judged. */
	for (size_t i = 0; i < e.nres; i++)
		add(&e, (cap_span_t){ e.res[i], none, 53, 0, 0, INT64_MAX, CAP_SPAN_FIRST });
	/* The capture goes on past the time the last SERVFAIL was judged. */
	if (e.latest)
		add(&e, (cap_span_t){ none, none, 0, 0, e.latest + EV_JUDGED, INT64_MAX,
				      CAP_SPAN_FIRST });
	free(e.refs);
	free(e.buf);
	if (e.oom) {
		free(e.s);
		return NULL;
	}
	if (!e.s)
		return calloc(1, sizeof(cap_span_t));
	*n = merge(e.s, e.n);
	return e.s;
}
