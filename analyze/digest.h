/*
 * digest.h - what a DNS message says that the analysis reads for most
 * messages, worked out once from its bytes: the parse's outcome, the
 * header, where the question's name sits, a summary of the records, and
 * the hashes of the keys its lookups will use.  It needs nothing of the
 * analysis's state but the tables' seeds (fixed when they are made), so it
 * can be made on the capture's thread, beside the analysis of the messages
 * before it (an_prepare).
 *
 * Most messages (queries, answers to clients) are then handled from the
 * digest and the bytes, without being parsed again; a message whose
 * records the analysis reads (an upstream answer, one with Extended DNS
 * Errors, one whose question's name is not in place) is parsed again
 * where it is handled.
 */
#ifndef DNSBLAME_DIGEST_H
#define DNSBLAME_DIGEST_H
#include <stddef.h>
#include <stdint.h>

#include "../capture/event.h"
#include "dns.h"
#include "roles.h"
#include "txn.h"

/* Suffix hashes kept: the name and three ancestors. */
#define DIGEST_SUFFIXES 4

typedef struct digest {
	uint64_t txn_hash; /* txn_flow_hash of its transaction's key (len >= 4) */
	uint64_t src_hash; /* roles_hash of its sender */
	uint64_t dst_hash; /* and of its receiver */
	/* The question's name's first suffix hashes (stage >= QUESTION;
	 * dns_name_suffix_hashes): suffix[0] its dns_name_hash, then, for a
	 * recursive query, its parent's and so on, as far as the zone of
	 * most names. */
	uint64_t suffix[DIGEST_SUFFIXES];
	uint8_t nsuffix;
	int32_t status;   /* dns_parse's result */
	uint8_t stage;    /* how far dns_parse got (enum dns_stage) */
	uint8_t in_place; /* the question's name is the qname_len octets after the header */
	uint8_t qname_len, qname_labels;
	uint8_t n_ede;
	dns_sum_t sum; /* of the records, for the question's type */
	uint16_t id, flags, rcode, qdcount, ancount, nscount, arcount, qtype, qclass;
} digest_t;

/* The seeds of the tables whose keys a digest hashes (txn_seed,
 * roles_seed): copied once, so that the thread making digests reads
 * nothing the analysis writes. */
typedef struct digest_seeds {
	uint64_t txn, roles;
} digest_seeds_t;

/*
 * Parses ev's message (a CAP_EV_DNS event) with p into *m, as dns_parse
 * does, and fills *g from it.  m->rr is p's, valid until p's next parse.
 */
void digest_make(digest_t *g, dns_msg_t *m, dns_parser_t *p, const cap_event_t *ev,
		 const digest_seeds_t *seeds);

/*
 * Fills *m from g and the message's bytes (those g was made from) as
 * dns_parse would have, but for the records: m->nrr is 0, and the summary
 * in g stands for them.  Returns 0, leaving *m alone, when g cannot stand
 * in for the parse: the question's name is not in place, or there is no
 * question, or the message carries Extended DNS Errors (their text is in
 * the records).
 */
int digest_msg(const digest_t *g, const cap_dns_t *d, dns_msg_t *m);

#endif
