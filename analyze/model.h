/*
 * model.h - what the resolver knows, as far as the capture shows it: the
 * state a resolver answers from long after it learned it.  Under load most
 * SERVFAILs are answered from this state (a cached CNAME, keys fetched a
 * minute ago, servers marked bad, a failure cache), so correlation cannot
 * rely on the traffic around one failure alone.
 *
 * The model holds, from the whole capture and within TTLs and limits:
 *   - zone cuts learned from referrals, with their NS names;
 *   - the CNAME graph (owner -> target) learned from upstream answers;
 *   - DNSSEC state per zone: the zones whose chain was proven broken, and
 *     the latest DS and DNSKEY answers of every signed zone (copies, so
 *     that keys fetched long before a failure still verify it);
 *   - the failure memory: ROOT failures only (verdicts made from the
 *     query's own upstream attempts), keyed by what broke: the question
 *     (qname, qtype) and the broken zone.  A repeat is never remembered,
 *     so it can never become the root of another.
 *
 * Every table is bounded (model_init's limits) and least recently used
 * entries go first; what was dropped is counted in model_stats.  Names
 * are compared by their case-insensitive hash (dns_name_hash).
 */
#ifndef DNSBLAME_MODEL_H
#define DNSBLAME_MODEL_H

#include <stdint.h>

#include "../common/table.h"
#include "chain.h"
#include "dns.h"
#include "txn.h"

#define MODEL_NS 8
#define MODEL_CNAME_HOPS 8
#define MODEL_KEEP_ZONES 4096 /* zones whose DS/DNSKEY answers are kept */
#define MODEL_KEEP_BYTES 4096 /* largest DS/DNSKEY answer kept */

/* A root failure, as later repeats refer to it. */
typedef struct model_root {
	db_time_t query_time; /* when the failing query was asked */
	db_time_t time;       /* when it failed (SERVFAIL, or its last failed attempt) */
	uint8_t cause;        /* enum vd_cause */
	const char *detail;
	dns_name_t qname;
	uint16_t qtype;
	dns_name_t zone; /* the broken zone */
	db_addr_t client;
	uint16_t client_port, id;
	uint8_t server_side; /* the failure was the servers' (timeout, ICMP, TCP, lame) */
} model_root_t;

typedef struct model_stats {
	uint64_t names_evicted, cuts_evicted, cnames_evicted, roots_evicted, dnssec_evicted,
	    keys_evicted;
} model_stats_t;

typedef struct model model_t;

/* max: the limit of the names proven to exist or not, and the most any
 * other table holds (zone cuts and CNAMEs 65,536 each, root failures
 * 16,384, zones with DS/DNSKEY copies and proven breaks 4,096 each); NULL
 * when out of memory. */
model_t *model_new(size_t max);
void model_free(model_t *m);
/* Takes every table's whole size now (tbl_reserve), for a live run whose
 * memory must not grow.  Returns 0, or -1 if one could not (it then
 * allocates as it goes). */
int model_reserve(model_t *m);
const model_stats_t *model_stats(const model_t *m);

/* Learns from the first answer m to the upstream attempt t: zone cuts and
 * NS names from referrals, CNAMEs, DS and DNSKEY answers of signed zones.
 * Fills t's learned names and NS names (what this answer pointed to). */
void model_learn(model_t *m, txn_t *t, const dns_msg_t *msg);

/* The exchange a fact was learned from: a query and its answer. */
typedef struct model_src {
	db_time_t asked, answered;
	db_addr_t server, from; /* who answered (port 53), who asked (from_port) */
	uint16_t from_port;
} model_src_t;

/* The deepest zone cut learned from referrals that contains name: 1 and
 * *out, or 0. */
int model_zone_of(const model_t *m, const dns_name_t *name, dns_name_t *out);
/* 1 when the name of hash h is the name of a server a cut was delegated to,
 * or its parent (the names whose NXDOMAIN or NODATA the model keeps). */
int model_is_ns_name(const model_t *m, uint64_t h);
/* The referral the zone cut of name was first learned from: 1 and *src,
 * or 0. */
int model_zone_src(const model_t *m, const dns_name_t *name, model_src_t *src);
/* The hash of that zone cut's name, or 0 when no cut is known.  h is
 * dns_name_hash(name), which the caller has already (a transaction's
 * qhash): the name itself is the first cut looked for. */
uint64_t model_zone_hash(const model_t *m, const dns_name_t *name, uint64_t h);
/* The same, with the hashes of name's first n suffixes already made
 * (dns_name_suffix_hashes: suffix[0] is the name's own, then its parent's,
 * and so on; n >= 1): the rest, if the walk goes further, are made here. */
uint64_t model_zone_hash_from(const model_t *m, const dns_name_t *name, const uint64_t *suffix,
			      size_t n);
/* For model_zone_hash_from to come, of a name of `labels` labels whose
 * first n suffix hashes are suffix[0..n): asks the processor for the slot
 * the walk most likely stops at, the first ancestor as deep as some cut.
 * A hint only. */
void model_zone_ahead(const model_t *m, size_t labels, const uint64_t *suffix, size_t n);
/* The name of the cut hashed h: 1 and *out, or 0. */
int model_cut_name(const model_t *m, uint64_t h, dns_name_t *out);
/* The NS names of the cut named by hash h: their count, *ns set, or 0. */
size_t model_cut_ns(const model_t *m, uint64_t h, const uint64_t **ns);

/* Whether the delegation of the cut hashed h leads nowhere before
 * `before`: at least one of its NS names (or an ancestor of it) was found
 * not to exist, and none was seen to resolve (in a referral's glue or an
 * answer). */
int model_cut_dead(const model_t *m, uint64_t h, db_time_t before);

/* The CNAME target of the name hashed h, valid at time now: 1 and *target,
 * or 0; *src (when not NULL) is the exchange it was learned from. */
int model_cname(const model_t *m, uint64_t h, db_time_t now, dns_name_t *target, model_src_t *src);

/* Stub transactions carrying the DS and DNSKEY answers kept for the zones
 * above name (and of name itself), to be checked with the attempts' own
 * answers; writes at most max, returns how many.  The stubs live until the
 * next call of model_learn. */
size_t model_keys_for(model_t *m, const dns_name_t *name, const txn_t **out, size_t max);

/* DNSSEC: a break proven for zone r->zone, reused for later failures below
 * it whose keys the resolver had cached. */
void model_broken_put(model_t *m, const chain_result_t *r, db_time_t now);
/* The break proven within the failure memory before `now` for the zone of
 * name or one above it, or NULL. */
const chain_result_t *model_broken_get(const model_t *m, const dns_name_t *name, db_time_t now,
				       db_time_t *when);

/* The failure memory.  Keys: model_key_question(qhash, qtype) and
 * model_key_zone(zone hash). */
uint64_t model_key_question(uint64_t qhash, uint16_t qtype);
uint64_t model_key_zone(uint64_t zhash);
/* Remembers root failure r under key; the earliest failure within the
 * memory stays (later repeats point at the original). */
void model_root_put(model_t *m, uint64_t key, const model_root_t *r);
/* 1, with a copy in *out (when out is not NULL), when a root failure under
 * key failed at or before `before` and not longer ago than a failure cache
 * may hold it (RFC 9520); 0 otherwise. */
int model_root_get(const model_t *m, uint64_t key, db_time_t before, model_root_t *out);
/* The same, for a failure still under way at `at`: asked before it and
 * failed at or after it, but not after `until` (the identical query that
 * `at` was joined to, which ended when it did). */
int model_root_in_flight(const model_t *m, uint64_t key, db_time_t at, db_time_t until,
			 model_root_t *out);

#endif
