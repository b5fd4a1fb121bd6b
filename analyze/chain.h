/*
 * chain.h - DNSSEC re-verified offline, for one failed query: the chain of
 * trust as far as the capture holds it (DS in the parent's answers, the
 * DNSKEY sets, the RRSIGs over the answers), checked with dnssec.c, to say
 * which record, which key and which rule broke.
 *
 * Trust is taken only as far as the captured chain reaches: the resolver's
 * trust anchor and whatever it had cached are not in the capture, so the
 * topmost DNSKEY set seen is checked for self-consistency only, and where
 * pieces are missing the result says so rather than guessing.
 */
#ifndef DNSBLAME_CHAIN_H
#define DNSBLAME_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "msgstore.h"
#include "txn.h"

#define CHAIN_MAX_DS 8
#define CHAIN_MAX_SRC 8

/* An upstream exchange whose answer gave the chain its keys: a DNSKEY set,
 * a DS set, or a referral proving a delegation insecure. */
typedef struct chain_src {
	db_time_t asked, answered;
	db_addr_t server, from; /* the server (port 53), the resolver (from_port) */
	uint16_t from_port;
	uint8_t transport; /* DB_PROTO_UDP / DB_PROTO_TCP */
} chain_src_t;

typedef struct chain_result {
	int found;          /* 1: a failure was proven */
	const char *detail; /* bad_signature, signature_expired, signature_not_yet_valid,
				      ds_mismatch, dnskey_missing, rrsig_missing,
				      unsupported_algorithm; NULL when nothing was found */
	dns_name_t zone;    /* the zone where it broke */
	dns_name_t owner;   /* the RRset (or DNSKEY set) concerned */
	uint16_t type;
	dns_name_t signer;
	uint16_t key_tag;
	uint8_t algorithm;
	uint32_t inception, expiration;
	db_time_t checked_at;           /* capture time of the answer that was judged */
	uint16_t ds_tags[CHAIN_MAX_DS]; /* DS key tags that matched no DNSKEY */
	uint8_t n_ds;
	uint32_t verified, failed, undecided; /* signatures checked */
	uint32_t messages, missing;           /* answers looked at; answers no longer stored */
	dns_name_t top;                       /* the highest zone whose DNSKEY set was captured */
	int have_top;
	/* Where the keys came from, however long before (the model's copies
	 * first, then the attempts' answers): the evidence pcap keeps these
	 * exchanges, so that the chain can be checked again from it. */
	chain_src_t src[CHAIN_MAX_SRC];
	uint8_t n_src;
} chain_result_t;

typedef struct chain chain_t;

/* A checker remembers signature results by message reference: use one
 * checker with one message store only. */
chain_t *chain_new(void);
void chain_free(chain_t *c);

/*
 * Checks the answers of the attempts att[0..n) (upstream transactions, in
 * time order; those without a stored message are skipped and counted in
 * out->missing).  Never fails: what cannot be checked is counted in
 * out->undecided.
 */
void chain_check(chain_t *c, const msgstore_t *store, const txn_t *const *att, size_t n,
		 chain_result_t *out);

#endif
