/*
 * roles.h - which addresses act as recursive resolvers, and from where the
 * capture was taken (design.md, "Who captures what").
 *
 * A resolver receives recursive queries (RD=1) and answers them with RA=1,
 * or sends queries of its own onward.  A resolver host often answers
 * clients on one address and queries authorities from another, so its
 * upstream side is recognised by iterative (RD=0) queries.  A capture that
 * shows resolvers answering clients and also upstream queries was taken on
 * (or beside) the resolver host; one that shows resolvers only answering is
 * client-side.
 * Memory: at most max addresses are tracked.  At the limit, an address
 * not seen again since it was last put at the recent end of the age list
 * goes (second chance: an approximation of the least recently seen that
 * costs a mark per message, not a move; roles.c).
 */
#ifndef DNSBLAME_ROLES_H
#define DNSBLAME_ROLES_H

#include <stddef.h>
#include <stdint.h>

#include "../common/table.h"

typedef struct role {
	tbl_entry_t e;
	db_addr_t addr;
	uint64_t rd_queries_in;    /* RD=1 queries received */
	uint64_t ra_answers_out;   /* responses sent with RA=1 */
	uint64_t queries_out;      /* queries sent */
	uint64_t iter_queries_out; /* queries sent with RD=0: a resolver's upstream side */
	uint8_t forced;            /* named with --resolver */
	uint8_t seen;              /* seen again since it was put at the recent end */
} role_t;

/* Entries kept at hand: a resolver's addresses are in most messages. */
#define ROLES_HOT 2

typedef struct roles {
	tbl_t tbl;
	role_t *hot[ROLES_HOT]; /* busy entries (roles.c: get), or NULL */
	unsigned hot_next;      /* the one replaced next */
	uint64_t untracked;     /* addresses not tracked: out of memory */
	uint64_t evicted;       /* addresses dropped at the limit (not seen again) */
	int forced;             /* --resolver given: inference is off */
} roles_t;

enum roles_vantage { VANTAGE_UNKNOWN = 0, VANTAGE_RESOLVER_HOST, VANTAGE_CLIENT_SIDE };

int roles_init(roles_t *r, size_t max);
void roles_free(roles_t *r);
/* Marks addr as a resolver by the user's word (--resolver). */
void roles_force(roles_t *r, const db_addr_t *addr);
/* One DNS message from src to dst.  For a query, returns the entry of
 * its sender (NULL when the address is not tracked), which the caller
 * would otherwise look up again; for a response, NULL. */
const role_t *roles_message(roles_t *r, const db_addr_t *src, const db_addr_t *dst, int qr, int rd,
			    int ra);
/* roles_message with the addresses' hashes (roles_hash) already made;
 * and, when receiver is not NULL, *receiver set to the entry of dst as
 * roles_find would return it now, for a recursive query (rd) between two
 * addresses, and to NULL otherwise (then not known: look it up). */
const role_t *roles_message_hashed(roles_t *r, const db_addr_t *src, uint64_t src_hash,
				   const db_addr_t *dst, uint64_t dst_hash, int qr, int rd, int ra,
				   const role_t **receiver);
/* The hash addr is looked up by, and the table's prefetch for that
 * lookup to come (as txn_prefetch). */
uint64_t roles_hash(const roles_t *r, const db_addr_t *addr);
/* The same from the table's seed (roles_seed), which never changes. */
uint64_t roles_seed(const roles_t *r);
uint64_t roles_hash_seeded(uint64_t seed, const db_addr_t *addr);
void roles_prefetch(const roles_t *r, uint64_t hash, int stage);
/* The counters of addr, or NULL when it was never seen (or not tracked). */
const role_t *roles_find(const roles_t *r, const db_addr_t *addr);
/* 1 when the address of entry x (may be NULL) acts as a resolver. */
int roles_entry_is_resolver(const roles_t *r, const role_t *x);
/* 1 when addr acts as a resolver. */
int roles_is_resolver(const roles_t *r, const db_addr_t *addr);
/* Fills out with up to max resolver addresses, sorted; returns how many. */
size_t roles_resolvers(const roles_t *r, db_addr_t *out, size_t max);
enum roles_vantage roles_vantage(const roles_t *r);
/* Iterative (RD=0) queries sent by all addresses: a resolver's upstream
 * side at work, seen or not from its client side. */
uint64_t roles_iterative_queries(const roles_t *r);
const char *roles_vantage_str(enum roles_vantage v);

#endif
