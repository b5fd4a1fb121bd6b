/*
 * msgstore.h - the raw bytes of the upstream answers that DNSSEC checks may
 * need later (those carrying DNSKEY, DS or RRSIG records, and the answers
 * to DNSKEY and DS queries: attr_note_answer), kept in a ring of fixed
 * size.  A reference stays valid until the ring
 * wraps over it; the analysis window decides how large the ring should be.
 */
#ifndef DNSBLAME_MSGSTORE_H
#define DNSBLAME_MSGSTORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct msgstore {
	uint8_t *ring;
	size_t size;
	uint64_t written; /* bytes ever written (absolute position) */
	uint64_t overwritten_msgs;
} msgstore_t;

int msgstore_init(msgstore_t *s, size_t size);
void msgstore_free(msgstore_t *s);
/* Copies msg[0..len) in; returns its reference (never 0), or 0 when it
 * does not fit (len > size / 4). */
uint64_t msgstore_put(msgstore_t *s, const uint8_t *msg, uint32_t len);
/* The bytes of reference ref, or NULL when the ring has wrapped over them. */
const uint8_t *msgstore_get(const msgstore_t *s, uint64_t ref, uint32_t len);

#endif
