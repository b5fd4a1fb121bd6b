/*
 * tally.h - what a run keeps of its verdicts, in memory that does not grow
 * with its length: counts by group (kind, cause, detail, zone: an incident,
 * the same failure of the same zone), by upstream server
 * and by 10 s of capture time, a few examples per group, and the latest verdicts in
 * full.  Every verdict is counted; what is not kept is counted too, so a
 * report can say what it left out.  The stream (NDJSON) carries every
 * verdict whole.
 *
 * Only the reports read a tally, most of them at the end: so it may be
 * kept on a thread of its own while the analysis runs (tally_apart), its
 * work handed over in order and done there.
 */
#ifndef DNSBLAME_TALLY_H
#define DNSBLAME_TALLY_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../common/table.h"
#include "vdlist.h"
#include "verdict.h"

#define TALLY_MAX_GROUPS 4096            /* groups kept; later ones are counted in other[][] */
#define TALLY_EXAMPLES 5                 /* the first verdicts of a group, kept whole */
#define TALLY_EXAMPLE_BYTES (8u << 20)   /* all examples together, packed */
#define TALLY_GROUP_SERVERS 8            /* servers named per group */
#define TALLY_MAX_SERVERS 1024           /* upstream servers counted */
#define TALLY_BUCKET_US (10 * 1000000LL) /* the timeline's resolution */
#define TALLY_BUCKETS 8640               /* the last day, a bucket every 10 s */
#define TALLY_CLIENT_BITS                                                                          \
	4096               /* distinct clients per group (linear counting:
                                    * within 1% to a few hundred) */
#define TALLY_PENDING 1000 /* pending verdicts listed */
#define TALLY_NVIA 5       /* enum vd_via */
#define TALLY_NOUTCOMES 10 /* enum vd_outcome */

typedef struct tally_gkey {
	uint8_t kind, cause;
	uint8_t pad[6];
	uint64_t zone;   /* dns_name_hash of the zone */
	uint64_t detail; /* a hash of the detail */
} tally_gkey_t;

typedef struct tally_group {
	tbl_entry_t e; /* e.ts: the first verdict's time; age order
	                                * is the order groups appeared in */
	tally_gkey_t key;
	dns_name_t zone;
	const char *detail; /* static, as in the verdicts */
	uint64_t count;
	db_time_t first, last; /* verdict times */
	uint64_t via[TALLY_NVIA];
	uint64_t over_loss; /* verdicts made over capture loss */
	uint8_t clients[TALLY_CLIENT_BITS / 8];
	db_addr_t servers[TALLY_GROUP_SERVERS]; /* failed upstream servers, first seen */
	uint8_t nservers;
	uint8_t servers_more; /* more servers failed than are named */
	uint8_t nex;
	uint8_t ex_root;             /* bit i: ex[i] failed upstream itself (via upstream) */
	uint8_t *ex[TALLY_EXAMPLES]; /* packed (vd_pack) */
} tally_group_t;

typedef struct tally_server {
	tbl_entry_t e;
	db_addr_t addr;
	uint64_t verdicts;                  /* verdicts with a failed attempt to it */
	uint64_t outcomes[TALLY_NOUTCOMES]; /* its failed attempts, by outcome */
	db_time_t first, last;
} tally_server_t;

/* Every upstream query to a server, failed or not: its health. */
#define TALLY_RTT_BUCKETS 112 /* 2^(k/4) us: 1 us to 2^28 us (268 s) */
/* Servers followed at once.  At the limit one idle since it was last put
 * at the age list's recent end is let go (second chance, as the roles),
 * never one with a failed attempt in a verdict: the servers the report
 * lists keep their counts, the others are counted from when they were
 * last followed. */
#define TALLY_MAX_HEALTH 4096

typedef struct tally_health {
	tbl_entry_t e;
	db_addr_t addr;
	uint8_t seen;                    /* queried again since put at the recent end */
	uint8_t kept;                    /* a failed attempt of a verdict went to it */
	db_time_t since;                 /* the earliest query counted was sent */
	uint64_t attempts;               /* upstream queries sent to it */
	uint64_t answered;               /* of which answered (any rcode) */
	uint64_t icmp;                   /* of which an ICMP error quoted */
	uint32_t rtt[TALLY_RTT_BUCKETS]; /* answered: round trip, log buckets */
} tally_health_t;

typedef struct tally_bucket {
	int64_t bucket; /* capture time / TALLY_BUCKET_US; -1 when unused */
	uint32_t n[VD_NKINDS][VD_NCAUSES];
} tally_bucket_t;

typedef struct tally {
	tbl_t groups;
	uint64_t other[VD_NKINDS][VD_NCAUSES]; /* verdicts of groups not kept */
	uint64_t groups_dropped;               /* verdicts counted in other[][] */
	tbl_t servers;
	uint64_t servers_dropped; /* servers not counted (table full) */
	tally_bucket_t buckets[TALLY_BUCKETS];
	int64_t newest_bucket;    /* -1 before the first verdict */
	uint64_t buckets_dropped; /* verdicts older than the last day kept */
	size_t example_bytes;
	uint64_t examples_dropped; /* examples not kept (TALLY_EXAMPLE_BYTES) */
	tbl_t health;              /* tally_health_t by server */
	uint64_t health_dropped;   /* upstream queries to servers not followed */
	uint64_t health_forgotten; /* servers let go, idle, to follow others */
	vdlist_t list;             /* SERVFAILs and unanswered: the latest max */
	vdlist_t pending;          /* pending: the first TALLY_PENDING */
	/* The tally's work on a thread of its own (tally_apart), or NULL. */
	struct handoff *apart;
	_Atomic uint64_t dropped_seen[2]; /* list.dropped, pending.dropped, as last published */
	/* Where tally_example unpacks; while apart, where the tally's thread
	 * copies a verdict out. */
	verdict_t *ex_scratch;
} tally_t;

/* max_list: SERVFAIL and unanswered verdicts listed whole (the latest).
 * Returns 0, or -1 when out of memory. */
int tally_init(tally_t *t, size_t max_list);
void tally_free(tally_t *t);
/* Counts v, keeps it as an example or in a list when there is room. */
void tally_add(tally_t *t, const verdict_t *v);
/* From now on tally_add and tally_attempt hand their work over to a
 * thread of the tally's own (common/handoff.h), which does it in the same
 * order: nothing may read the tally until tally_here (but
 * tally_list_dropped).  Returns 0, or -1 when the thread could not be had
 * (the work is then done here, as before). */
int tally_apart(tally_t *t);
/* Waits until every verdict and attempt handed over is counted: the
 * tally is the caller's again, as if it had never been apart.  Nothing to
 * do when it was not. */
void tally_here(tally_t *t);
/* The verdicts not listed (vdlist_t.dropped of list and pending), also
 * while the tally is apart (then as its thread last published them). */
void tally_list_dropped(const tally_t *t, uint64_t *list, uint64_t *pending);

/* One upstream query to server, when its window closed: answered after
 * rtt (microseconds), or not; an ICMP error quoted it. */
/* For tally_attempt to come: asks the processor for where server's
 * health is looked up.  A hint only. */
void tally_attempt_ahead(const tally_t *t, const db_addr_t *server);
void tally_attempt(tally_t *t, const db_addr_t *server, db_time_t asked, int answered,
		   db_time_t rtt, int icmp);
/* The server's health, or NULL when none of its queries was counted (it
 * is not followed, or since too little). */
const tally_health_t *tally_health(const tally_t *t, const db_addr_t *server);
/* The p-th percentile (0 < p < 1) of its round trips in microseconds (the
 * upper edge of the bucket: within 19%), or -1 with no answer. */
db_time_t tally_rtt(const tally_health_t *h, double p);

/* Groups in the order they appeared: first, then next until NULL. */
const tally_group_t *tally_group_first(const tally_t *t);
const tally_group_t *tally_group_next(const tally_group_t *g);
/* The groups of one kind, largest first (ties: the earlier first), into
 * out (at most n); returns how many there are in all. */
size_t tally_ranked(const tally_t *t, uint8_t kind, const tally_group_t **out, size_t n);
/* A zone's failures over every incident in it. */
typedef struct tally_zone {
	const dns_name_t *zone;
	uint64_t count[VD_NKINDS];
	uint64_t by_cause[VD_NCAUSES]; /* SERVFAILs and never answered */
	db_time_t first, last;
} tally_zone_t;
/* The zones with failures, most SERVFAILs and never answered first, into
 * out (at most n); returns how many there are in all. */
size_t tally_zones(const tally_t *t, tally_zone_t *out, size_t n);

/* The example that shows an incident best: of the verdicts kept, the
 * first whose own upstream attempts failed (a root failure, not a
 * repeat), else the first; NULL when none was kept.  Kept packed, it is
 * unpacked for the caller into t's scratch: valid until the next
 * tally_example call on t.  g is a group of t. */
const verdict_t *tally_example(const tally_t *t, const tally_group_t *g);
/* Distinct clients of a group: exact for a few, an estimate beyond (linear
 * counting over TALLY_CLIENT_BITS bits). */
uint64_t tally_clients(const tally_group_t *g);
/* The servers, most verdicts first (ties: the earlier first), into out
 * (at most n); returns how many there are in all. */
size_t tally_servers_ranked(const tally_t *t, const tally_server_t **out, size_t n);
/* Servers in the order they first failed. */
const tally_server_t *tally_server_first(const tally_t *t);
const tally_server_t *tally_server_next(const tally_server_t *s);

#endif
