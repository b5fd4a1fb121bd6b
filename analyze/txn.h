/*
 * txn.h - the transaction table: each DNS query matched to its response.
 *
 * A transaction is keyed on (client, server, client port, server port,
 * transport, DNS id) and its question, compared case-insensitively (RFC
 * 4343; resolvers randomise case, RFC draft "0x20").  A client that sends
 * the same query again before the answer is counted as a retransmission of
 * the same transaction; a second answer is a duplicate.  Transactions live
 * for the analysis window after their first query and are then closed:
 * answered or unanswered.  Memory: at most max entries; when full, the
 * oldest transaction is closed early and counted as evicted.
 */
#ifndef DNSBLAME_TXN_H
#define DNSBLAME_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "../common/table.h"
#include "dns.h"

#define TXN_LEARNED 16
#define TXN_NS 8
#define TXN_EDE 4
#define TXN_EDE_TEXT 64

#define TXN_QNAME_INLINE 48 /* txn_t.qname_in: names of up to 46 octets */

typedef struct txn_key {
	db_addr_t client, server;
	uint16_t cport, sport;
	uint16_t id;
	uint8_t transport; /* DB_PROTO_UDP or DB_PROTO_TCP */
	uint8_t pad;
} txn_key_t;

/* An answer's extended DNS errors (RFC 8914): allocated with the first
 * (rare: 264 bytes a transaction need not carry), freed with it. */
typedef struct txn_ede {
	uint16_t code[TXN_EDE];
	char text[TXN_EDE][TXN_EDE_TEXT]; /* NUL-terminated, "" when none came */
} txn_ede_t;

/* What an answer pointed to: allocated with its first name (txn_learn),
 * freed with the transaction. */
typedef struct txn_learn {
	uint8_t n_learned, n_ns;
	uint64_t learned[TXN_LEARNED]; /* CNAME targets; NS targets of a referral */
	uint64_t ns[TXN_NS];           /* the NS names of a referral (full names only) */
} txn_learn_t;

typedef struct txn {
	/* 320 bytes, five cache lines (the table aligns its entries on
	 * them), the fields grouped by what reads them together: the table
	 * holds hundreds of thousands, and each line read is a wait for
	 * memory.  Line 0, the name index's walk (a verdict's search passes
	 * many transactions): the age, the neighbours, the name, the answer's
	 * time. */
	tbl_entry_t e; /* e.ts = first query */
	/* Its place in the name index (named only; txn.c): its name's head,
	 * and its number there. */
	struct name_head *name_head;
	uint32_t name_seq;
	uint32_t open_at; /* its record in the open queries' log (openq.h), if any */
	uint64_t qhash;   /* dns_name_hash(qname) */
	db_time_t answer_ts;
	/* Line 1, a lookup and a verdict's filter: the key, the question
	 * without its name, the flags. */
	txn_key_t key;
	uint16_t qtype, qclass;
	uint16_t rcode;
	uint8_t answered;
	uint8_t upstream;    /* sent by a resolver's upstream side (set by the owner) */
	uint8_t judged;      /* its window is over and it was handed to on_close */
	uint8_t named;       /* in the name index (txn_index_name) */
	uint8_t rd, cd;      /* the query's RD and CD (checking disabled) bits */
	uint8_t short_life;  /* TXN_LIFE_*: when it leaves the table once answered */
	uint8_t drop_judged; /* leaves the table once judged (txn_judge_at) */
	uint8_t midway_done; /* the midway look (txn_set_midway) was taken */
	/* A summary of the answer, for correlation (filled by the caller). */
	uint8_t tc, aa, referral, rrsig, has_answer;
	/* Authoritative, with records, without a signature: all a DNSSEC
	 * check reads of such an answer (its bytes are not stored). */
	uint8_t unsigned_data;
	/* Nonzero once it allocated anything (learn, ede, a long qname):
	 * closing it then reads lines 2 and 3 to free them, not otherwise. */
	uint8_t owns;
	/* Line 2, the rest of the question: its name, which a lookup
	 * compares after the key, and the counts it updates. */
	/* Lower case, in qname_in below when it fits (most names), else
	 * allocated to its length (dns_name_dup): read wire[0..len), copy
	 * with dns_name_set, never by assignment. */
	dns_name_t *qname;
	/* The query name when it fits (len and labels, then up to
	 * TXN_QNAME_INLINE - 2 octets of wire form): no allocation, and read
	 * with the entry instead of from somewhere else in memory. */
	uint8_t qname_in[TXN_QNAME_INLINE];
	uint32_t queries;   /* 1 + retransmissions */
	uint32_t responses; /* 1 + duplicates, when answered */
	/* Line 3, what the answer and the transport events left. */
	txn_learn_t *learn; /* names the answer pointed to, or NULL (most answers) */
	db_time_t last_query;
	/* An ICMP error that quoted this query (its flow and DNS id), when it
	 * came: attached as it arrives, so no verdict searches for it. */
	db_time_t icmp_ts;
	uint64_t open_zone;    /* the zone it is the open query of, or 0 (attribute.c) */
	uint64_t cut;          /* the zone a referral delegates (its NS owner), or 0 */
	uint64_t msg_ref;      /* the answer's bytes in the message store (DNSSEC), or 0 */
	const uint8_t *pinned; /* or the answer's bytes, held by their owner (model.c) */
	txn_ede_t *ede;        /* n_ede of them, or NULL (most answers) */
	/* Line 4, the queues and the rarer details. */
	/* Its places in the table's two queues (txn_queue_t): judged early at
	 * due.at (txn_judge_at), leaving at life.at (txn_keep_short). */
	struct txn_qlink {
		struct txn *next, *prev; /* prev NULL and not the head: not queued */
		db_time_t at;            /* when it is due; 0 when never queued */
	} due, life;
	uint64_t aside;        /* the owner's reference to what it set aside for it
	                 * (0: none); the owner releases it, txn.c never reads it */
	uint16_t msg_len;      /* a DNS message is at most 65,535 bytes */
	uint8_t open_question; /* the open query of its question (attribute.c) */
	uint8_t icmp_version, icmp_type, icmp_code;
	uint8_t frag_lost; /* an answer's fragment train to it never completed */
	uint8_t n_ede;
} txn_t;

/* The lines above, held to: a field added to one pushes the next out. */
_Static_assert(offsetof(txn_t, key) == 64, "txn_t line 1");
_Static_assert(offsetof(txn_t, qname) == 128, "txn_t line 2");
_Static_assert(offsetof(txn_t, learn) == 192, "txn_t line 3");
_Static_assert(offsetof(txn_t, due) == 256, "txn_t line 4");
_Static_assert(sizeof(txn_t) == 320, "txn_t: five lines");

/* How long an answered transaction stays (txn_t.short_life). */
enum {
	TXN_LIFE_WINDOW = 0, /* its window and the retention, like every transaction */
	TXN_LIFE_SHORT = 1,  /* the attempt life after its answer (txn_keep_short) */
	TXN_LIFE_BRIEF = 2   /* the brief life after its answer (txn_keep_brief) */
};

typedef struct txn_stats {
	uint64_t transactions;
	uint64_t answered;
	uint64_t unanswered;  /* no answer within the window (evicted ones not included) */
	uint64_t open_at_end; /* no answer yet when the input ended, window not over */
	uint64_t retransmissions;
	uint64_t duplicate_responses;
	uint64_t unmatched_responses;
	uint64_t evicted;
} txn_stats_t;

/* Called once for each transaction when its window is over, or at the
 * time txn_judge_at set (or when it
 * leaves the table early: evicted, its id reused, end of input), while the
 * transactions around it are still in the table; the pointer is valid only
 * during the call. */
typedef void (*txn_close_fn)(const txn_t *t, void *user);

typedef void (*txn_midway_fn)(txn_t *t, db_time_t now, void *user);
/* Called with a transaction the expiry will close next (txn_set_close_ahead). */
typedef void (*txn_ahead_fn)(const txn_t *t, void *user);

/* A first-in, first-out queue of transactions through one of their
 * links, in the order of the links' times. */
typedef struct txn_queue {
	txn_t *head, *tail;
} txn_queue_t;

typedef struct txn_table {
	tbl_t tbl;
	db_time_t window;
	db_time_t retain;    /* kept this long after the window, for later lookups */
	tbl_entry_t *cursor; /* oldest transaction not judged yet */
	txn_queue_t due;     /* judged before their window is over (link due) */
	txn_queue_t life;    /* short-lived ones once answered (link life) */
	txn_queue_t brief;   /* brief ones once answered (link life) */
	db_time_t life_answered, life_brief;
	/* The midway look: a cursor over the age list, delay after the query. */
	tbl_entry_t *midway_cursor;
	db_time_t midway;
	txn_midway_fn on_midway;
	txn_ahead_fn close_ahead;
	tbl_t names; /* qhash -> its newest indexed transaction */
	txn_stats_t st;
	txn_close_fn on_close;
	void *user;
} txn_table_t;

/* t's learned names, allocated on first use; NULL when out of memory. */
txn_learn_t *txn_learn(txn_t *t);
/* t's extended DNS errors, allocated on first use (zeroed); NULL when out
 * of memory. */
txn_ede_t *txn_ede(txn_t *t);

/* Returns 0, or -1 when out of memory. */
int txn_init(txn_table_t *tt, db_time_t window, size_t max, txn_close_fn fn, void *user);
void txn_free(txn_table_t *tt);

/* Keeps closed-to-be transactions `extra` longer than the window before
 * closing them (a later client query may join work already under way). */
void txn_set_retention(txn_table_t *tt, db_time_t extra);
/* How long the transactions txn_keep_short marks stay after their answer,
 * and those txn_keep_brief then shortens (capped by the window and the
 * retention; answered 0: no shorter life). */
void txn_set_attempt_life(txn_table_t *tt, db_time_t answered, db_time_t brief);
/* t (an upstream attempt, looked up only by the verdicts of client queries
 * asked near it) leaves the table the time txn_set_attempt_life sets
 * after its answer, and is judged (handed to on_close) as it leaves.
 * Unanswered, it stays its window and the retention like the others: few
 * attempts go unanswered, and they are the evidence of most failures. */
void txn_keep_short(txn_table_t *tt, txn_t *t);
/* t, an attempt txn_keep_short marked and just answered, whose answer no
 * verdict made later than the brief life needs: it leaves the table that
 * long after its answer instead. */
void txn_keep_brief(txn_table_t *tt, txn_t *t);
/* Calls fn once for each transaction still unanswered and not judged
 * `delay` after its first query (a verdict whose evidence is complete by
 * then can be made then, while that evidence is still in the table). */
void txn_set_midway(txn_table_t *tt, db_time_t delay, txn_midway_fn fn);
/* Calls fn, as the expiry walks its lists, with the transaction it will
 * hand to on_close at its next step: for the owner to ask the processor
 * for what on_close will read of its own tables.  Hints only. */
void txn_set_close_ahead(txn_table_t *tt, txn_ahead_fn fn);

/* A parsed query (stage >= QUESTION, QR = 0) seen at ts on flow.  Returns
 * its transaction (new, or the one it retransmits), or NULL when none
 * could be made; valid until the next call. */
txn_t *txn_query(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m);
/* txn_query with the key's hash (txn_flow_hash) and the question name's
 * (dns_name_hash) already made. */
txn_t *txn_query_hashed(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m,
			uint64_t h, uint64_t qhash);
/* Puts t, the transaction txn_query just made, in the name index: the
 * upstream attempts of a resolver, found by their query name
 * (txn_by_name), so that correlation costs the attempts for the names it
 * asks about and never a walk over the rest of the traffic.  A
 * transaction already indexed, or no longer the newest, is left as it
 * is.  It leaves the index when it leaves the table. */
void txn_index_name(txn_table_t *tt, txn_t *t);
/* The indexed transactions whose qhash is h (all with that qhash, a hash
 * collision aside: compare qname when it matters), in the order they were
 * indexed, oldest first: (*v)[0..n), n returned, where an entry is NULL
 * when its transaction has left the index.  An array rather than a list,
 * so that a walk's reads of the transactions do not wait for each other.
 * *in_order is 1 when the order is that of the transactions' e.ts, as it
 * is unless the capture went back in time while the name was in the
 * index: a search for a time range then walks back from the newest and
 * stops before the range.  Valid until the index next changes. */
size_t txn_by_name(const txn_table_t *tt, uint64_t h, const txn_t *const **v, int *in_order);
/* The newest transaction with this key (any question), or NULL. */
txn_t *txn_find(const txn_table_t *tt, const txn_key_t *k);
/* The hash the table holds k under (the hash of its fields, not
 * tbl_hash): for tbl_find on tt->tbl. */
uint64_t txn_key_hash(const txn_table_t *tt, const txn_key_t *k);
/* The hash of the key a query (is_query) or an answer on flow with DNS id
 * id is looked up by; and the table's prefetch for that lookup to come
 * (tbl_prefetch at stage 0, tbl_prefetch_entry at stage 1). */
uint64_t txn_flow_hash(const txn_table_t *tt, const db_flow_t *f, int is_query, uint16_t id);
/* The same from the table's seed (txn_seed), which never changes: for a
 * thread that must not read the table while another changes it. */
uint64_t txn_seed(const txn_table_t *tt);
uint64_t txn_flow_hash_seeded(uint64_t seed, const db_flow_t *f, int is_query, uint16_t id);
void txn_prefetch(const txn_table_t *tt, uint64_t hash, int stage);
/* The same for txn_index_name of a transaction whose name hashes to qhash:
 * the name's head (its hash, stage 0; the head, stage 1 with that hash). */
uint64_t txn_name_hash(const txn_table_t *tt, uint64_t qhash);
void txn_name_prefetch(const txn_table_t *tt, uint64_t hash, int stage);
/* Judges t at capture time `due` instead of at the end of its window
 * (due must not precede the due time of any transaction queued before:
 * the queue is first in, first out).  With drop, t leaves the table once
 * judged (nothing looks it up later); otherwise its window still keeps it
 * in the table for later lookups. */
void txn_judge_at(txn_table_t *tt, txn_t *t, db_time_t due, int drop);
/* Judges t now, if it was not, and removes it: a transaction nothing will
 * look up again (a client query answered, no verdict to make).  A second
 * answer to it then counts as unmatched, not as a duplicate. */
void txn_close(txn_table_t *tt, txn_t *t);
/* A parsed response (stage >= HEADER, QR = 1).  Returns the transaction
 * it answers (valid until the next call; the caller may fill its answer
 * summary), or NULL when unmatched.  *first is set to 1 when this is the
 * first answer of the transaction. */
txn_t *txn_response(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m,
		    int *first);
/* txn_response with the key's hash (txn_flow_hash) already made. */
txn_t *txn_response_hashed(txn_table_t *tt, db_time_t ts, const db_flow_t *flow, const dns_msg_t *m,
			   uint64_t h, int *first);
/* Closes transactions older than the window at now. */
void txn_expire(txn_table_t *tt, db_time_t now);
/* End of input at capture time last: closes every transaction; those
 * unanswered but younger than the window count as open_at_end, since an
 * answer may have come after the capture stopped. */
void txn_flush(txn_table_t *tt, db_time_t last);

#endif
