/*
 * model.c - the resolver's state as the capture shows it (model.h).
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define MODEL_MEMORY (300 * 1000000LL) /* RFC 9520 3.2: at most 5 minutes */
#define MODEL_ROOT_HIST 2              /* root failures kept per key */
#define MODEL_MAX_ROOTS 16384
#define MODEL_MAX_BROKEN 4096
#define MODEL_MAX_CUTS 65536
#define MODEL_MAX_CNAMES 65536 /* ~20 MB at most (a 257-byte target each) */
#define MODEL_CNAME_MIN_TTL (5 * 1000000LL)

typedef struct cut {
	tbl_entry_t e;
	uint64_t key;
	dns_name_t name;
	uint8_t n_ns;
	uint64_t ns[MODEL_NS];
	uint64_t ns_parent[MODEL_NS]; /* hash of each NS name's parent */
	model_src_t src;              /* the referral it was first learned from */
} cut_t;

/* What the resolver learned of an address name (A and AAAA answers). */
typedef struct addrname {
	tbl_entry_t e;
	uint64_t key;        /* name hash */
	db_time_t nx;        /* NXDOMAIN */
	db_time_t nodata[2]; /* NODATA for A, AAAA */
	db_time_t alive;     /* an address came back */
} addrname_t;

/* A name some cut has as an NS name, or the parent of one: the only
 * names whose NXDOMAIN or NODATA the model keeps (model_cut_dead asks for
 * nothing else), so that a resolver answering NXDOMAIN for a stream of
 * random names does not fill the table of names. */
typedef struct nsname {
	tbl_entry_t e;
	uint64_t key; /* name hash */
} nsname_t;

typedef struct cname {
	tbl_entry_t e;
	uint64_t key;    /* owner hash */
	db_time_t until; /* learned + TTL */
	dns_name_t target;
	model_src_t src; /* the answer it came in */
} cname_t;

/* A root failure as kept, in one allocation with its two names, each the
 * size it is (in a model_root_t they take 257 bytes each, most names 20 to
 * 40): the query name, then the zone, each a dns_name_t cut after its wire
 * form.  A record never changes once made, and is shared: by the latest
 * failure and the history of one key, and by the keys one failure is
 * remembered under (its question, its zone: model_root_put is called for
 * each with the same failure, and the model keeps the last record made to
 * hand it out again).  A full table of roots is some 3 MB instead of 28. */
typedef struct kept_root {
	db_time_t query_time, time;
	const char *detail;
	uint32_t refs;
	db_addr_t client;
	uint16_t qtype, client_port, id;
	uint8_t cause, server_side;
	uint16_t names_len; /* bytes at names */
	uint8_t names[];
} kept_root_t;

static size_t name_size(const dns_name_t *n) { return offsetof(dns_name_t, wire) + n->len; }

static const dns_name_t *kept_qname(const kept_root_t *k) { return (const dns_name_t *)k->names; }

static const dns_name_t *kept_zone(const kept_root_t *k)
{
	return (const dns_name_t *)(k->names + name_size(kept_qname(k)));
}

typedef struct root_ent {
	tbl_entry_t e;
	uint64_t key;
	uint8_t n;
	kept_root_t *hist[MODEL_ROOT_HIST]; /* newest first; a run of one cause kept once */
	kept_root_t *latest;                /* the latest failure of all; NULL: none */
} root_ent_t;

typedef struct broken {
	tbl_entry_t e;
	uint64_t key; /* zone hash */
	db_time_t time;
	chain_result_t r;
} broken_t;

/* A DS (or the referral that carried or denied it) and a DNSKEY answer of
 * one zone, copied: the ring of stored answers may have wrapped over them
 * long before a failure needs them. */
typedef struct keys {
	tbl_entry_t e;
	uint64_t key;       /* zone hash */
	txn_t stub[2];      /* [0] DS or referral, [1] DNSKEY; msg_len 0 when none */
	dns_name_t name[2]; /* their query names */
	uint8_t *bytes[2];
	uint32_t cap[2]; /* bytes allocated for each */
} keys_t;

/* A name has at most 127 labels (255 octets, RFC 1035 2.3.4). */
#define MODEL_DEPTHS 128

struct model {
	tbl_t cuts, cnames, roots, broken, keys, names, nsnames;
	/* The cuts held, by their names' count of labels: a zone walk looks
	 * up only the ancestors as deep as some cut (most cuts are two or
	 * three labels deep, most names a label or two deeper). */
	uint32_t cut_depth[MODEL_DEPTHS];
	model_stats_t st;
	uint64_t next_ref;
	kept_root_t *last_root; /* the last root record made (a reference held) */
};

/* The cut whose name hashes to h, or NULL. */
static cut_t *cut_find(const model_t *m, uint64_t h)
{
	return tbl_find(&m->cuts, &h, tbl_hash(&m->cuts, &h));
}

static void kept_drop(kept_root_t **slot)
{
	kept_root_t *k = *slot;
	if (k && --k->refs == 0)
		free(k);
	*slot = NULL;
}

/* k holds failure r (same times, client, query, cause and names). */
static int kept_is(const kept_root_t *k, const model_root_t *r)
{
	size_t nq = name_size(&r->qname), nz = name_size(&r->zone);
	return k->time == r->time && k->query_time == r->query_time && k->id == r->id &&
	       k->client_port == r->client_port && k->qtype == r->qtype && k->cause == r->cause &&
	       k->server_side == r->server_side && k->detail == r->detail &&
	       db_addr_eq(&k->client, &r->client) && k->names_len == nq + nz &&
	       memcmp(k->names, &r->qname, nq) == 0 && memcmp(k->names + nq, &r->zone, nz) == 0;
}

/* *slot becomes a reference to failure r: the last record made when it
 * is r, else a new one.  -1 (*slot unchanged) when out of memory. */
static int kept_set(model_t *m, kept_root_t **slot, const model_root_t *r)
{
	kept_root_t *k = m->last_root;
	if (!k || !kept_is(k, r)) {
		size_t nq = name_size(&r->qname), nz = name_size(&r->zone);
		if (!(k = malloc(offsetof(kept_root_t, names) + nq + nz)))
			return -1;
		k->query_time = r->query_time;
		k->time = r->time;
		k->detail = r->detail;
		k->refs = 1; /* m->last_root's */
		k->client = r->client;
		k->qtype = r->qtype;
		k->client_port = r->client_port;
		k->id = r->id;
		k->cause = r->cause;
		k->server_side = r->server_side;
		k->names_len = (uint16_t)(nq + nz);
		memcpy(k->names, &r->qname, nq);
		memcpy(k->names + nq, &r->zone, nz);
		kept_drop(&m->last_root);
		m->last_root = k;
	}
	k->refs++;
	kept_drop(slot);
	*slot = k;
	return 0;
}

/* The model_root_t k keeps, into out (when not NULL). */
static void kept_get(const kept_root_t *k, model_root_t *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->query_time = k->query_time;
	out->time = k->time;
	out->cause = k->cause;
	out->detail = k->detail;
	dns_name_set(&out->qname, kept_qname(k));
	out->qtype = k->qtype;
	dns_name_set(&out->zone, kept_zone(k));
	out->client = k->client;
	out->client_port = k->client_port;
	out->id = k->id;
	out->server_side = k->server_side;
}

static void root_release(root_ent_t *e)
{
	for (uint8_t i = 0; i < MODEL_ROOT_HIST; i++)
		kept_drop(&e->hist[i]);
	kept_drop(&e->latest);
}

static void keys_release(keys_t *k)
{
	free(k->bytes[0]);
	free(k->bytes[1]);
}

model_t *model_new(size_t max)
{
	model_t *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	if (max < 1024)
		max = 1024;
	m->next_ref = 1ULL << 63;
	/* The fixed limits shrink with a small table (--max-transactions):
	 * a small analysis is cheap to set up. */
#define MODEL_LIM(n) ((n) < max ? (n) : max)
	if (tbl_init(&m->cuts, sizeof(cut_t), offsetof(cut_t, key), sizeof(uint64_t),
		     MODEL_LIM(MODEL_MAX_CUTS)) < 0 ||
	    tbl_init(&m->cnames, sizeof(cname_t), offsetof(cname_t, key), sizeof(uint64_t),
		     MODEL_LIM(MODEL_MAX_CNAMES)) < 0 ||
	    tbl_init(&m->roots, sizeof(root_ent_t), offsetof(root_ent_t, key), sizeof(uint64_t),
		     MODEL_LIM(MODEL_MAX_ROOTS)) < 0 ||
	    tbl_init(&m->broken, sizeof(broken_t), offsetof(broken_t, key), sizeof(uint64_t),
		     MODEL_LIM(MODEL_MAX_BROKEN)) < 0 ||
	    tbl_init(&m->keys, sizeof(keys_t), offsetof(keys_t, key), sizeof(uint64_t),
		     MODEL_LIM(MODEL_KEEP_ZONES)) < 0 ||
	    tbl_init(&m->names, sizeof(addrname_t), offsetof(addrname_t, key), sizeof(uint64_t),
		     max) < 0 ||
	    tbl_init(&m->nsnames, sizeof(nsname_t), offsetof(nsname_t, key), sizeof(uint64_t),
		     MODEL_LIM(MODEL_MAX_CUTS) * 4) < 0) {
		model_free(m);
		return NULL;
	}
#undef MODEL_LIM
	return m;
}

int model_reserve(model_t *m)
{
	int rc = 0;
	tbl_t *t[] = {
		&m->cuts, &m->cnames, &m->roots, &m->broken, &m->keys, &m->names, &m->nsnames
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		rc |= tbl_reserve(t[i]);
	return rc;
}

void model_free(model_t *m)
{
	if (!m)
		return;
	for (tbl_entry_t *e = m->keys.oldest; e; e = e->newer)
		keys_release((keys_t *)e);
	for (tbl_entry_t *e = m->roots.oldest; e; e = e->newer)
		root_release((root_ent_t *)e);
	kept_drop(&m->last_root);
	if (m->cuts.slots)
		tbl_free(&m->cuts);
	if (m->cnames.slots)
		tbl_free(&m->cnames);
	if (m->roots.slots)
		tbl_free(&m->roots);
	if (m->broken.slots)
		tbl_free(&m->broken);
	if (m->keys.slots)
		tbl_free(&m->keys);
	if (m->names.slots)
		tbl_free(&m->names);
	if (m->nsnames.slots)
		tbl_free(&m->nsnames);
	free(m);
}

const model_stats_t *model_stats(const model_t *m) { return &m->st; }

/* ---- learning ------------------------------------------------------------ */

/* h is an NS name, or the parent of one, as of now. */
static void note_ns_name(model_t *m, uint64_t h, db_time_t now)
{
	uint64_t hv = tbl_hash(&m->nsnames, &h);
	nsname_t *n = tbl_find(&m->nsnames, &h, hv);
	if (n)
		tbl_touch(&m->nsnames, n, now);
	else
		tbl_insert_lru(&m->nsnames, &h, hv, now, &m->st.names_evicted);
}

static cut_t *learn_cut(model_t *m, const dns_name_t *owner, uint64_t h, db_time_t now)
{
	uint64_t hv = tbl_hash(&m->cuts, &h);
	cut_t *c = tbl_find(&m->cuts, &h, hv);
	if (c) {
		tbl_touch(&m->cuts, c, now);
		return c;
	}
	/* tbl_insert_lru's eviction, made here to keep cut_depth. */
	cut_t *old = m->cuts.count >= m->cuts.max ? tbl_oldest(&m->cuts) : NULL;
	if (old) {
		m->cut_depth[old->name.labels % MODEL_DEPTHS]--;
		tbl_remove(&m->cuts, old);
		m->st.cuts_evicted++;
	}
	c = tbl_insert(&m->cuts, &h, hv, now);
	if (c) {
		dns_name_set(&c->name, owner);
		dns_name_lower(&c->name);
		m->cut_depth[c->name.labels % MODEL_DEPTHS]++;
	}
	return c;
}

/* A name the answer points to, and its ancestors down to two labels: the
 * resolver may ask for those too (QNAME minimisation, DS, DNSKEY). */
static void learn_name(txn_t *t, const dns_name_t *n)
{
	uint64_t h[130];
	size_t k = dns_name_zone_hashes(n, h, 130);
	txn_learn_t *l = k ? txn_learn(t) : NULL;
	for (size_t i = 0; l && i < k && l->n_learned < TXN_LEARNED; i++) {
		int dup = 0;
		for (uint8_t j = 0; j < l->n_learned && !dup; j++)
			dup = l->learned[j] == h[i];
		if (!dup)
			l->learned[l->n_learned++] = h[i];
	}
}

static void learn_cname(model_t *m, const dns_name_t *owner, uint32_t ttl, const dns_name_t *target,
			const txn_t *t)
{
	db_time_t now = t->answer_ts;
	uint64_t h = dns_name_hash(owner), hv = tbl_hash(&m->cnames, &h);
	cname_t *c = tbl_find(&m->cnames, &h, hv);
	if (c)
		tbl_touch(&m->cnames, c, now);
	else if (!(c = tbl_insert_lru(&m->cnames, &h, hv, now, &m->st.cnames_evicted)))
		return;
	db_time_t life = (db_time_t)ttl * 1000000;
	if (life < MODEL_CNAME_MIN_TTL)
		life = MODEL_CNAME_MIN_TTL;
	if (life > MODEL_MEMORY)
		life = MODEL_MEMORY;
	c->until = now + life;
	dns_name_set(&c->target, target);
	c->src.asked = t->e.ts;
	c->src.answered = t->answer_ts;
	c->src.server = t->key.server;
	c->src.from = t->key.client;
	c->src.from_port = t->key.cport;
	dns_name_lower(&c->target);
}

/* Keeps a copy of msg as zone's DS (slot 0) or DNSKEY (slot 1) answer. */
static void keep_keys(model_t *m, const dns_name_t *zone, int slot, const txn_t *t,
		      const dns_msg_t *msg, db_time_t now)
{
	if (msg->len > MODEL_KEEP_BYTES)
		return;
	uint64_t h = dns_name_hash(zone), hv = tbl_hash(&m->keys, &h);
	keys_t *k = tbl_find(&m->keys, &h, hv);
	if (k) {
		tbl_touch(&m->keys, k, now);
	} else {
		if (m->keys.count >= m->keys.max) {
			keys_t *old = tbl_oldest(&m->keys);
			keys_release(old);
			tbl_remove(&m->keys, old);
			m->st.keys_evicted++;
		}
		if (!(k = tbl_insert(&m->keys, &h, hv, now)))
			return;
	}
	/* Every signed referral renews slot 0: the copy reuses its buffer,
	 * grown only for a longer answer. */
	uint8_t *b = k->bytes[slot];
	if (!b || k->cap[slot] < msg->len) {
		if (!(b = realloc(b, msg->len)))
			return;
		k->bytes[slot] = b;
		k->cap[slot] = (uint32_t)msg->len;
	}
	memcpy(b, msg->wire, msg->len);
	txn_t *s = &k->stub[slot];
	memset(s, 0, sizeof(*s));
	s->key = t->key;
	dns_name_set(&k->name[slot], t->qname);
	s->qname = &k->name[slot];
	s->qhash = t->qhash;
	s->qtype = t->qtype;
	s->e.ts = t->e.ts;
	s->answered = 1;
	s->answer_ts = t->answer_ts;
	s->rcode = t->rcode;
	s->aa = msg->aa;
	s->upstream = 1;
	s->pinned = b;
	s->msg_len = (uint16_t)msg->len;
	s->msg_ref = m->next_ref++;
}

/* An address query's outcome: the name resolves, or does not. */
static void learn_addr(model_t *m, const txn_t *t, const dns_msg_t *msg, db_time_t now)
{
	int nx = (msg->rcode & 0xf) == DNS_R_NXDOMAIN;
	int addr = t->qtype == DNS_T_A || t->qtype == DNS_T_AAAA;
	int nodata = addr && (msg->rcode & 0xf) == DNS_R_NOERROR && !t->has_answer &&
		     !t->referral && msg->aa;
	int alive = addr && (msg->rcode & 0xf) == DNS_R_NOERROR && t->has_answer;
	if (!nx && !nodata && !alive)
		return;
	uint64_t h = t->qhash, hv = tbl_hash(&m->names, &h);
	addrname_t *n = tbl_find(&m->names, &h, hv);
	if (n)
		tbl_touch(&m->names, n, now);
	else if (alive || !tbl_find(&m->nsnames, &h, tbl_hash(&m->nsnames, &h)))
		return; /* not a name any cut depends on */
	else if (!(n = tbl_insert_lru(&m->names, &h, hv, now, &m->st.names_evicted)))
		return;
	if (!n)
		return;
	/* The first proof since the name last resolved is kept: verdicts
	 * are made after the fact, and ask whether it was known then. */
	db_time_t *slot = nx ? &n->nx : &n->nodata[t->qtype == DNS_T_AAAA];
	if (alive)
		n->alive = now;
	else if (!*slot || *slot < n->alive || *slot > now)
		*slot = now;
}

/* Whether the name hashed h was found not to resolve before `before`:
 * NXDOMAIN, or NODATA for both A and AAAA (and no address came back since). */
static int name_dead(const model_t *m, uint64_t h, db_time_t before)
{
	const addrname_t *n = tbl_find(&m->names, &h, tbl_hash(&m->names, &h));
	if (!n)
		return 0;
	db_time_t dead = n->nx;
	if (!dead && n->nodata[0] && n->nodata[1])
		dead = n->nodata[0] > n->nodata[1] ? n->nodata[0] : n->nodata[1];
	return dead && dead <= before && before - dead <= MODEL_MEMORY && n->alive < dead;
}

void model_learn(model_t *m, txn_t *t, const dns_msg_t *msg)
{
	db_time_t now = t->answer_ts;
	int ns_auth = 0, has_ds = 0, has_sig = 0, has_key = 0;
	const dns_rr_t *ns_owner = NULL;
	for (size_t i = 0; i < msg->nrr; i++) {
		const dns_rr_t *rr = &msg->rr[i];
		if (rr->section == DNS_SEC_ADDITIONAL)
			continue;
		if (rr->type == DNS_T_RRSIG)
			has_sig = 1;
		if (rr->type == DNS_T_DS)
			has_ds = 1;
		if (rr->type == DNS_T_DNSKEY && rr->section == DNS_SEC_ANSWER)
			has_key = 1;
		if (rr->section == DNS_SEC_ANSWER) {
			dns_name_t target;
			if (rr->type == DNS_T_CNAME && dns_rr_target(msg, rr, &target) == DB_OK) {
				learn_name(t, &target);
				learn_cname(m, &rr->owner, rr->ttl, &target, t);
			}
		} else if (rr->section == DNS_SEC_AUTHORITY && rr->type == DNS_T_NS) {
			ns_auth = 1;
			ns_owner = rr;
		}
	}
	/* A referral (RFC 1034 4.3.2): no answer, not authoritative, NS
	 * records of a zone below the one asked. */
	if ((msg->rcode & 0xf) == DNS_R_NOERROR && !msg->aa && !t->has_answer && ns_auth) {
		t->referral = 1;
		t->cut = dns_name_hash(&ns_owner->owner);
		cut_t *cut = learn_cut(m, &ns_owner->owner, t->cut, now);
		if (cut && !cut->src.answered)
			cut->src = (model_src_t){ t->e.ts, t->answer_ts, t->key.server,
						  t->key.client, t->key.cport };
		for (size_t i = 0; i < msg->nrr; i++) {
			const dns_rr_t *rr = &msg->rr[i];
			dns_name_t target;
			if (rr->section != DNS_SEC_AUTHORITY || rr->type != DNS_T_NS ||
			    dns_rr_target(msg, rr, &target) != DB_OK)
				continue;
			learn_name(t, &target);
			uint64_t nh = dns_name_hash(&target);
			dns_name_t parent;
			dns_name_suffix(&target, target.labels ? target.labels - 1 : 0, &parent);
			uint64_t ph = dns_name_hash(&parent);
			note_ns_name(m, nh, now);
			note_ns_name(m, ph, now);
			txn_learn_t *l = txn_learn(t);
			if (l && l->n_ns < TXN_NS)
				l->ns[l->n_ns++] = nh;
			if (cut) {
				int dup = 0;
				for (uint8_t k = 0; k < cut->n_ns && !dup; k++)
					dup = cut->ns[k] == nh;
				if (!dup && cut->n_ns < MODEL_NS) {
					cut->ns_parent[cut->n_ns] = ph;
					cut->ns[cut->n_ns++] = nh;
				}
			}
		}
		/* Glue: the NS names that have addresses. */
		for (size_t i = 0; i < msg->nrr; i++) {
			const dns_rr_t *rr = &msg->rr[i];
			if (rr->section != DNS_SEC_ADDITIONAL ||
			    (rr->type != DNS_T_A && rr->type != DNS_T_AAAA))
				continue;
			uint64_t gh = dns_name_hash(&rr->owner), gv = tbl_hash(&m->names, &gh);
			addrname_t *n = tbl_find(&m->names, &gh, gv);
			if (!n)
				n = tbl_insert_lru(&m->names, &gh, gv, now, &m->st.names_evicted);
			if (n)
				n->alive = now;
		}
		/* A signed referral carries the child's DS, or the NSEC proof
		 * that it has none: the chain of trust at this cut. */
		if (has_sig)
			keep_keys(m, &ns_owner->owner, 0, t, msg, now);
	}
	if (t->qtype == DNS_T_A || t->qtype == DNS_T_AAAA || (msg->rcode & 0xf) == DNS_R_NXDOMAIN)
		learn_addr(m, t, msg, now);
	if ((msg->rcode & 0xf) == DNS_R_NOERROR && has_sig) {
		if (t->qtype == DNS_T_DS && has_ds)
			keep_keys(m, t->qname, 0, t, msg, now);
		else if (t->qtype == DNS_T_DNSKEY && has_key)
			keep_keys(m, t->qname, 1, t, msg, now);
	}
}

/* ---- lookups ------------------------------------------------------------- */

/* Some cut is a name of that many labels. */
static int cuts_at(const model_t *m, size_t labels)
{
	return labels < MODEL_DEPTHS && m->cut_depth[labels];
}

/* The cut that suffix i of name (hash h) is, or NULL: looked up only when
 * some cut is as deep. */
static const cut_t *cut_of_suffix(const model_t *m, const dns_name_t *name, size_t i, uint64_t h)
{
	if (i > name->labels || !cuts_at(m, name->labels - i))
		return NULL;
	return cut_find(m, h);
}

/* The deepest cut containing name, or NULL.  An ancestor is hashed only
 * when some cut is as deep as it (cut_of_suffix's test, made first), and
 * the walk stops at the first cut, most often a label or two above the
 * name. */
static const cut_t *deepest_cut(const model_t *m, const dns_name_t *name)
{
	size_t off = 0;
	for (size_t i = 0; i <= name->labels && off < name->len; i++) {
		if (cuts_at(m, name->labels - i)) {
			size_t o = off;
			uint64_t h;
			dns_name_next_suffix_hash(name, &o, &h);
			const cut_t *c = cut_find(m, h);
			if (c)
				return c;
		}
		off = dns_name_skip(name, off, 1);
	}
	return NULL;
}

int model_zone_of(const model_t *m, const dns_name_t *name, dns_name_t *out)
{
	const cut_t *c = deepest_cut(m, name);
	if (c)
		*out = c->name;
	return c != NULL;
}

int model_zone_src(const model_t *m, const dns_name_t *name, model_src_t *src)
{
	const cut_t *c = deepest_cut(m, name);
	if (!c)
		return 0;
	*src = c->src;
	return c->src.answered != 0;
}

uint64_t model_zone_hash(const model_t *m, const dns_name_t *name, uint64_t h)
{
	return model_zone_hash_from(m, name, &h, 1);
}

void model_zone_ahead(const model_t *m, size_t labels, const uint64_t *suffix, size_t n)
{
	for (size_t i = 0; i < n && i <= labels; i++)
		if (cuts_at(m, labels - i)) {
			tbl_prefetch(&m->cuts, tbl_hash(&m->cuts, &suffix[i]));
			return;
		}
}

uint64_t model_zone_hash_from(const model_t *m, const dns_name_t *name, const uint64_t *suffix,
			      size_t n)
{
	/* From the name up, hashing each ancestor only when the one below
	 * was not a cut: most walks stop a label or two up.  A name of L
	 * labels has L + 1 suffixes, the root's the last: suffix i has
	 * L - i labels. */
	for (size_t i = 0; i < n; i++)
		if (cut_of_suffix(m, name, i, suffix[i]))
			return suffix[i];
	size_t off = dns_name_suffix_at(name, n), at = n;
	for (size_t i = n; i <= name->labels; i++) {
		/* Hashed only when some cut is as deep. */
		if (!cuts_at(m, name->labels - i))
			continue;
		off = dns_name_skip(name, off, i - at);
		at = i;
		uint64_t h;
		if (!dns_name_next_suffix_hash(name, &off, &h))
			break;
		at++;
		if (cut_find(m, h))
			return h;
	}
	return 0;
}

int model_cut_name(const model_t *m, uint64_t h, dns_name_t *out)
{
	const cut_t *c = cut_find(m, h);
	if (c)
		*out = c->name;
	return c != NULL;
}

size_t model_cut_ns(const model_t *m, uint64_t h, const uint64_t **ns)
{
	const cut_t *c = cut_find(m, h);
	if (!c)
		return 0;
	*ns = c->ns;
	return c->n_ns;
}

int model_cut_dead(const model_t *m, uint64_t h, db_time_t before)
{
	const cut_t *c = cut_find(m, h);
	if (!c || !c->n_ns)
		return 0;
	size_t dead = 0;
	for (uint8_t k = 0; k < c->n_ns; k++) {
		const addrname_t *n = tbl_find(&m->names, &c->ns[k],
					       tbl_hash(&m->names, &c->ns[k]));
		if (n && n->alive && n->alive <= before)
			return 0; /* this one resolved */
		/* Once the table has forgotten names (least recently used out),
		 * a name it does not know may have resolved: not proof enough. */
		if (!n && m->st.names_evicted)
			return 0;
		/* RFC 8020: nothing exists below an NXDOMAIN (a minimising
		 * resolver asks the NS name's ancestors first). */
		if (name_dead(m, c->ns[k], before) || name_dead(m, c->ns_parent[k], before))
			dead++;
	}
	/* At least one NS name proven not to exist, and none that resolved
	 * (the others may have been proven by records the resolver cached,
	 * such as NSEC ranges, RFC 8198; unless the table forgot names). */
	return dead > 0;
}

int model_is_ns_name(const model_t *m, uint64_t h)
{
	return tbl_find(&m->nsnames, &h, tbl_hash(&m->nsnames, &h)) != NULL;
}

int model_cname(const model_t *m, uint64_t h, db_time_t now, dns_name_t *target, model_src_t *src)
{
	const cname_t *c = tbl_find(&m->cnames, &h, tbl_hash(&m->cnames, &h));
	if (!c || c->e.ts > now || now > c->until)
		return 0;
	*target = c->target;
	if (src)
		*src = c->src;
	return 1;
}

size_t model_keys_for(model_t *m, const dns_name_t *name, const txn_t **out, size_t max)
{
	uint64_t h[130];
	size_t n = dns_name_suffix_hashes(name, h, 130), k = 0;
	for (size_t i = 0; i < n; i++) {
		const keys_t *z = tbl_find(&m->keys, &h[i], tbl_hash(&m->keys, &h[i]));
		for (int s = 0; z && s < 2 && k < max; s++)
			if (z->bytes[s])
				out[k++] = &z->stub[s];
	}
	return k;
}

void model_broken_put(model_t *m, const chain_result_t *r, db_time_t now)
{
	uint64_t k = dns_name_hash(&r->zone), hv = tbl_hash(&m->broken, &k);
	broken_t *b = tbl_find(&m->broken, &k, hv);
	if (!b && !(b = tbl_insert_lru(&m->broken, &k, hv, now, &m->st.dnssec_evicted)))
		return;
	b->time = now;
	b->r = *r;
}

const chain_result_t *model_broken_get(const model_t *m, const dns_name_t *name, db_time_t now,
				       db_time_t *when)
{
	size_t off = 0;
	uint64_t h;
	while (dns_name_next_suffix_hash(name, &off, &h)) {
		const broken_t *b = tbl_find(&m->broken, &h, tbl_hash(&m->broken, &h));
		if (b && b->time <= now && now - b->time <= MODEL_MEMORY) {
			*when = b->time;
			return &b->r;
		}
	}
	return NULL;
}

/* ---- the failure memory -------------------------------------------------- */

uint64_t model_key_question(uint64_t qhash, uint16_t qtype) { return qhash * 31 + qtype + 1; }
uint64_t model_key_zone(uint64_t zhash) { return zhash * 31 + 0x10000 + 7; }

void model_root_put(model_t *m, uint64_t key, const model_root_t *r)
{
	uint64_t hv = tbl_hash(&m->roots, &key);
	root_ent_t *e = tbl_find(&m->roots, &key, hv);
	if (e) {
		tbl_touch(&m->roots, e, r->time);
	} else {
		/* The least recently failed goes, names and all. */
		if (m->roots.count >= m->roots.max && m->roots.oldest) {
			root_ent_t *old = (root_ent_t *)m->roots.oldest;
			root_release(old);
			tbl_remove(&m->roots, old);
			m->st.roots_evicted++;
		}
		if (!(e = tbl_insert(&m->roots, &key, hv, r->time)))
			return;
	}
	/* The latest failure, for the queries that joined it in flight. */
	if (!e->latest || r->time >= e->latest->time)
		kept_set(m, &e->latest, r);
	/* For the repeats: a run of failures with the same cause is one
	 * failure cache entry renewed, so its first failure is kept (the
	 * original later repeats point at, RFC 9520), until it is half the
	 * memory old.  Verdicts are not made in failure order: the history
	 * stays sorted, newest first. */
	for (uint8_t i = 0; i < e->n; i++) {
		const kept_root_t *h = e->hist[i];
		db_time_t d = r->time > h->time ? r->time - h->time : h->time - r->time;
		if (h->cause == r->cause && h->detail == r->detail && d <= MODEL_MEMORY / 2) {
			if (r->time < h->time)
				kept_set(m, &e->hist[i], r);
			return;
		}
	}
	uint8_t i = e->n < MODEL_ROOT_HIST ? e->n : MODEL_ROOT_HIST - 1;
	if (e->n == MODEL_ROOT_HIST && e->hist[i]->time > r->time)
		return; /* older than everything kept */
	if (kept_set(m, &e->hist[i], r) < 0)
		return;
	if (e->n < MODEL_ROOT_HIST)
		e->n++;
	for (; i > 0 && e->hist[i - 1]->time < e->hist[i]->time; i--) {
		kept_root_t *tmp = e->hist[i - 1];
		e->hist[i - 1] = e->hist[i];
		e->hist[i] = tmp;
	}
}

int model_root_get(const model_t *m, uint64_t key, db_time_t before, model_root_t *out)
{
	const root_ent_t *e = tbl_find(&m->roots, &key, tbl_hash(&m->roots, &key));
	for (uint8_t i = 0; e && i < e->n; i++) {
		const kept_root_t *r = e->hist[i];
		if (r->time <= before) {
			if (before - r->time > MODEL_MEMORY)
				return 0;
			kept_get(r, out);
			return 1;
		}
	}
	return 0;
}

int model_root_in_flight(const model_t *m, uint64_t key, db_time_t at, db_time_t until,
			 model_root_t *out)
{
	const root_ent_t *e = tbl_find(&m->roots, &key, tbl_hash(&m->roots, &key));
	if (!e)
		return 0;
	const kept_root_t *r = e->latest;
	if (r && r->query_time < at && at <= r->time && r->time <= until) {
		kept_get(r, out);
		return 1;
	}
	for (uint8_t i = 0; i < e->n; i++) {
		r = e->hist[i];
		if (r->query_time < at && at <= r->time && r->time <= until) {
			kept_get(r, out);
			return 1;
		}
	}
	return 0;
}
